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
	struct fb_update_spec spec = { "bench", FB_ACTION_DEFAULT,
		FB_CATEGORY_SCAM, 50, 0, 0, NULL };
	struct fb_nameset *ns;
	struct fb_store_stats s;
	char **hits, **miss = NULL;
	size_t nmiss = 0, blocked, i, nhit = 100000;
	unsigned long j;
	double t;
	snprintf(dir, sizeof(dir), "%s/fbbench.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(dir) || !fb_store_open(&st, dir, 16ULL << 30,
		FB_STORE_WRITE, err, sizeof(err))) {
		fprintf(stderr, "bench_store: %s\n", err);
		return 1;
	}
	t = now_s();
	ns = fb_nameset_new();
	for(j = 0; j < n; j++) {
		synth(j, name, sizeof(name));
		add(ns, name);
	}
	fb_nameset_finish(ns);
	printf("parse+sort %lu names: %.2f s\n", n, now_s() - t);
	t = now_s();
	spec.now = 1;
	fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	printf("import %lu names in one transaction: %.2f s (added %llu)\n",
		n, now_s() - t, (unsigned long long)res.added);
	fb_nameset_free(ns);
	/* 1,000 changes: 500 removed, 500 added */
	ns = fb_nameset_new();
	for(j = 500; j < n + 500; j++) {
		synth(j, name, sizeof(name));
		add(ns, name);
	}
	fb_nameset_finish(ns);
	t = now_s();
	spec.now = 2;
	fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	printf("update with 1,000 changes: %.3f s (added %llu, removed %llu)\n",
		now_s() - t, (unsigned long long)res.added,
		(unsigned long long)res.removed);
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
