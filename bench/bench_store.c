/**
 * \file
 * Store benchmark: import, small update and lookup cost at list sizes an
 * ISP meets (default 1M names; pass another count as the first argument).
 *
 *	bench_store [NAMES] [BENIGN-LIST]
 *
 * Listed names are synthetic (`s<i>-<hash>.<tld>` over common TLDs); the
 * misses are real query names when BENIGN-LIST (one name a line, e.g.
 * shared/data/benign/umbrella-top-100k.txt) is given.  Prints one line per
 * measurement; nothing is asserted (timings are not tests).
 *
 * Updates: three full replacements of 1,000 changes each (500 names
 * removed, 500 added, spread over the key order) with the feed's chunk
 * index in force, and their median; then one more with the index taken
 * out of force by a delta, which walks the whole feed as every update
 * did before the index.  Each update's time is fb_store_replace_feed()
 * alone, commit included; building the name set is timed apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"

static const char *const tlds[] = { "com", "net", "org", "vn", "xyz",
	"info", "top", "shop", "online", "site" };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void synth(unsigned long i, char *buf, size_t len)
{
	unsigned long h = i * 2654435761UL;
	snprintf(buf, len, "s%lu-%lx.%s", i, h & 0xffffff, tlds[h % 10]);
}

static int add(struct fb_nameset *ns, const char *name)
{
	struct fb_key k;
	uint8_t scope;
	if(fb_name_parse(name, strlen(name), 0, &k, &scope) != FB_NAME_OK)
		return 0;
	return fb_nameset_add(ns, &k, scope);
}

/** The set of names [from, to). */
static struct fb_nameset *synth_set(unsigned long from, unsigned long to)
{
	struct fb_nameset *ns = fb_nameset_new();
	char name[128];
	unsigned long j;
	for(j = from; j < to; j++) {
		synth(j, name, sizeof(name));
		add(ns, name);
	}
	fb_nameset_finish(ns);
	return ns;
}

/** Replace the feed with ns; @return seconds, or -1 on failure. */
static double timed_replace(struct fb_store *st,
	struct fb_update_spec *spec, const struct fb_nameset *ns,
	struct fb_update_result *res)
{
	char err[512];
	double t = now_s();
	if(fb_store_replace_feed(st, spec, ns, res, err, sizeof(err)) !=
	   FB_UPDATE_OK) {
		fprintf(stderr, "bench_store: %s\n", err);
		return -1;
	}
	return now_s() - t;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/** Time lookups of names; @return ns per lookup, and blocked count. */
static double lookups(struct fb_reader *r, char **names, size_t n,
	size_t rounds, size_t *blocked)
{
	struct fb_qname *qs = calloc(n, sizeof(*qs));
	struct fb_verdict v;
	struct fb_key k;
	uint8_t scope;
	size_t i, j, m = 0;
	double t0;
	for(i = 0; i < n; i++)
		if(fb_name_parse(names[i], strlen(names[i]), 0, &k, &scope) ==
			FB_NAME_OK)
			fb_qname_from_key(&k, &qs[m++]);
	*blocked = 0;
	t0 = now_s();
	for(j = 0; j < rounds; j++)
		for(i = 0; i < m; i++) {
			/* per query as the module does: renew, match, reset */
			fb_reader_begin(r, NULL);
			fb_match(r, &qs[i], &v, NULL, NULL);
			fb_reader_end(r);
			*blocked += v.kind == FB_BLOCK;
		}
	t0 = now_s() - t0;
	free(qs);
	return m ? t0 * 1e9 / (double)(m * rounds) : 0;
}

static char **read_lines(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[512], **v = NULL;
	size_t cap = 0;
	*n = 0;
	if(!f)
		return NULL;
	while(fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if(!line[0])
			continue;
		if(*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000UL;
	char dir[256], err[512], name[128], cmd[300];
	const char *tmp = getenv("TMPDIR");
	struct fb_store *st;
	struct fb_reader *r;
	struct fb_update_result res;
	struct fb_update_spec spec = { .feed = "bench",
		.action = FB_ACTION_DEFAULT, .category = FB_CATEGORY_SCAM,
		.max_shrink = 50 };
	struct fb_nameset *ns;
	struct fb_store_stats s;
	char **hits, **miss = NULL;
	size_t nmiss = 0, blocked, i, nhit = 100000;
	unsigned long k;
	double t, ups[3];
	snprintf(dir, sizeof(dir), "%s/fbbench.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(dir) || !fb_store_open(&st, dir, 16ULL << 30,
		FB_STORE_WRITE, err, sizeof(err))) {
		fprintf(stderr, "bench_store: %s\n", err);
		return 1;
	}
	t = now_s();
	ns = synth_set(0, n);
	printf("parse+sort %lu names: %.2f s\n", n, now_s() - t);
	spec.now = 1;
	t = timed_replace(st, &spec, ns, &res);
	printf("import %lu names in one transaction: %.2f s (added %llu)\n",
		n, t, (unsigned long long)res.added);
	fb_nameset_free(ns);
	/* three updates of 1,000 changes: names [k*500, k*500+500) leave,
	 * [n+k*500, ...) arrive; in key order both are spread over the
	 * whole feed */
	for(k = 1; k <= 3; k++) {
		ns = synth_set(k * 500, n + k * 500);
		spec.now = 1 + k;
		ups[k - 1] = timed_replace(st, &spec, ns, &res);
		printf("update with 1,000 changes (%lu): %.3f s (added %llu, "
			"removed %llu, entries read %llu)\n", k, ups[k - 1],
			(unsigned long long)res.added,
			(unsigned long long)res.removed,
			(unsigned long long)res.walked);
		fb_nameset_free(ns);
	}
	qsort(ups, 3, sizeof(ups[0]), dbl_cmp);
	printf("update with 1,000 changes, median of 3: %.3f s\n", ups[1]);
	/* a delta takes the chunk index out of force: the next update
	 * walks the whole feed, as every update did before the index */
	ns = synth_set(0, 1);
	fb_store_apply_delta(st, &spec, ns, NULL, &res, err, sizeof(err));
	fb_nameset_free(ns);
	ns = synth_set(4 * 500, n + 4 * 500);
	spec.now = 5;
	t = timed_replace(st, &spec, ns, &res);
	printf("update with 1,000 changes, no chunk index (whole walk): "
		"%.3f s (entries read %llu)\n", t,
		(unsigned long long)res.walked);
	fb_nameset_free(ns);
	fb_reader_new(st, &r, err, sizeof(err));
	fb_reader_begin(r, NULL);
	fb_reader_stats(r, &s);
	fb_reader_end(r);
	printf("store size: %.1f MB for %llu names (%.0f bytes/name)\n",
		s.file_bytes / 1e6, (unsigned long long)s.names,
		(double)s.file_bytes / (double)(s.names ? s.names : 1));
	if(nhit > n)
		nhit = n;
	hits = calloc(nhit, sizeof(*hits));
	for(i = 0; i < nhit; i++) {
		synth(1000 + (i * 7919) % (n - 1000), name, sizeof(name));
		snprintf(cmd, sizeof(cmd), "www.%s", name);
		hits[i] = strdup(cmd);
	}
	t = lookups(r, hits, nhit, 5, &blocked);
	printf("lookup, listed parent (www.<listed>): %.0f ns (%zu blocked)\n",
		t, blocked);
	if(argc > 2 && (miss = read_lines(argv[2], &nmiss)) != NULL) {
		t = lookups(r, miss, nmiss, 5, &blocked);
		printf("lookup, real benign names (%zu): %.0f ns (%zu blocked)\n",
			nmiss, t, blocked);
	}
	for(i = 0; i < nhit; i++) {
		free(hits[i]);
		snprintf(name, sizeof(name), "n%zu-miss.%s", i, tlds[i % 10]);
		hits[i] = strdup(name);
	}
	t = lookups(r, hits, nhit, 5, &blocked);
	printf("lookup, synthetic misses: %.0f ns (%zu blocked)\n", t,
		blocked);
	fb_reader_free(r);
	fb_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
