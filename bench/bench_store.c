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
 * Addresses: a second feed of 1,000,000 prefixes in the mix an IP
 * blocklist has (80% IPv4 /32, 10% /24, 0.1% /16, 8% IPv6 /128, 1.9%
 * /64), then fb_match_addr() per address, renewing the snapshot around
 * each lookup as the module does: addresses inside listed prefixes
 * (hits), random addresses (mostly misses, nearly all in groups the
 * feed lists prefixes in) and random IPv6 addresses where it lists none.
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
#include "fb_addr.h"
#include <sys/socket.h>

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

/** A fixed pseudo-random sequence (xorshift64*), so runs compare. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

/** One address of the mix: family, bytes and prefix length of entry i
 * (the same i always gives the same one). */
static int mix_addr(unsigned long i, uint8_t a[16], int *prefix)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ (i * 0x100000001b3ULL), r, r2;
	unsigned m = (unsigned)(i % 1000);
	r = rnd(&x);
	r2 = rnd(&x);
	memcpy(a, &r, 8);
	memcpy(a + 8, &r2, 8);
	if(m < 800 || m >= 981) {	/* 80% /32; 1.9% v6 /64 below */
		if(m < 800) {
			*prefix = 32;
			return AF_INET;
		}
		a[0] = 0x20;
		a[1] = 0x01;
		*prefix = 64;
		return AF_INET6;
	}
	if(m < 900) {
		*prefix = 24;
		return AF_INET;
	}
	if(m < 901) {
		*prefix = 16;
		return AF_INET;
	}
	a[0] = 0x20;	/* global unicast 2000::/3, as real answers */
	a[1] = 0x01;
	*prefix = 128;
	return AF_INET6;
}

/** Fill n random addresses: mixed, 3/4 IPv4 and IPv6 in 2001::/16 (where
 * the mix lists its IPv6 prefixes); else all IPv6 in 2a00::/16. */
static void random_addrs(uint8_t (*a)[16], int *fam, size_t n, uint64_t *x,
	int mixed)
{
	uint64_t r1, r2;
	size_t i;
	for(i = 0; i < n; i++) {
		r1 = rnd(x);
		r2 = rnd(x);
		memcpy(a[i], &r1, 8);
		memcpy(a[i] + 8, &r2, 8);
		fam[i] = mixed && i % 4 != 3 ? AF_INET : AF_INET6;
		if(fam[i] == AF_INET6) {
			a[i][0] = mixed ? 0x20 : 0x2a;
			a[i][1] = mixed ? 0x01 : 0x00;
		}
	}
}

/** Time address lookups; @return ns per lookup, and blocked count. */
static double addr_lookups(struct fb_reader *r, const uint8_t (*a)[16],
	const int *fam, size_t n, size_t rounds, size_t *blocked)
{
	struct fb_verdict v;
	size_t i, j;
	double t0;
	*blocked = 0;
	t0 = now_s();
	for(j = 0; j < rounds; j++)
		for(i = 0; i < n; i++) {
			fb_reader_begin(r, NULL);
			fb_match_addr(r, fam[i], a[i], &v, NULL, NULL);
			fb_reader_end(r);
			*blocked += v.kind == FB_BLOCK;
		}
	t0 = now_s() - t0;
	return n ? t0 * 1e9 / (double)(n * rounds) : 0;
}

/** Store a feed of n prefixes of the mix and time lookups of hits and
 * misses (nlook of each). */
static void bench_addresses(struct fb_store *st, struct fb_reader *r,
	unsigned long n, size_t nlook)
{
	struct fb_update_spec spec = { .feed = "bench-addr",
		.action = FB_ACTION_DEFAULT, .category = FB_CATEGORY_SCAM,
		.max_shrink = 100, .now = 1 };
	struct fb_update_result res;
	struct fb_nameset *ns = fb_nameset_new();
	uint8_t (*a)[16] = calloc(nlook, sizeof(*a));
	int *fam = calloc(nlook, sizeof(*fam)), prefix, host;
	struct fb_key k;
	unsigned long i;
	size_t blocked;
	uint64_t x = 42, r1;
	double t;

	for(i = 0; i < n; i++) {
		uint8_t b[16];
		int f = mix_addr(i, b, &prefix);
		fb_addr_key(f, b, prefix, &k);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	t = timed_replace(st, &spec, ns, &res);
	printf("import %zu address prefixes (of %lu drawn): %.2f s\n",
		fb_nameset_count(ns), n, t);
	fb_nameset_free(ns);
	/* hits: an address inside entry i's prefix, host bits random */
	for(i = 0; i < nlook; i++) {
		unsigned long e = (i * 7919UL) % n;
		fam[i] = mix_addr(e, a[i], &prefix);
		r1 = rnd(&x);
		for(host = prefix; host < (fam[i] == AF_INET ? 32 : 128);
			host++)
			if((r1 >> (host % 64)) & 1)
				a[i][host / 8] ^= (uint8_t)(0x80 >> (host % 8));
	}
	t = addr_lookups(r, (const uint8_t (*)[16])a, fam, nlook, 5,
		&blocked);
	printf("address lookup, inside a listed prefix: %.0f ns (%zu "
		"blocked)\n", t, blocked);
	/* misses: random addresses, IPv4 and IPv6 as answers mix them;
	 * the mix fills nearly every address group (fb_addr.h) */
	random_addrs(a, fam, nlook, &x, 1);
	t = addr_lookups(r, (const uint8_t (*)[16])a, fam, nlook, 5,
		&blocked);
	printf("address lookup, random addresses (3/4 IPv4): %.0f ns (%zu "
		"blocked)\n", t, blocked);
	/* misses where the feed lists nothing near: empty groups */
	random_addrs(a, fam, nlook, &x, 0);
	t = addr_lookups(r, (const uint8_t (*)[16])a, fam, nlook, 5,
		&blocked);
	printf("address lookup, random IPv6 in 2a00::/16 (nothing listed "
		"there): %.0f ns (%zu blocked)\n", t, blocked);
	free(a);
	free(fam);
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
	bench_addresses(st, r, n, nhit);
	t = lookups(r, hits, nhit, 5, &blocked);
	printf("lookup, synthetic misses, addresses stored too: %.0f ns "
		"(%zu blocked)\n", t, blocked);
	fb_reader_free(r);
	fb_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
