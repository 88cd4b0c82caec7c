/**
 * \file
 * Unit tests of the incremental feed update (lib/fb_update.c with the
 * chunk index of lib/fb_chunk.h): every update is made twice, on store A
 * whose chunk index is in force and on store B whose index is taken out
 * of force before each update (so B walks the whole feed, as a store
 * made before the index does).  After each, the feed's records in A, in
 * B and in a model kept here (key, scope, action, category, first_seen)
 * must be exactly the same, and A must verify clean with its index in
 * force.  Rounds of random adds, removes and scope changes (the seed is
 * printed; FB_TEST_SEED repeats a run), then the edge cases one by one:
 * a boundary key removed and added, one scope change, the feed's action
 * and category changed, an empty update refused and accepted, deltas,
 * a damaged index, removal, compaction, a store without the table.
 * Each test works in its own directory under $TMPDIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fb_chunk.h"
#include "fb_store_int.h"
#include "fb_update.h"
#include "fb_admin.h"
#include "tap.h"

/** Names the rounds draw from. */
#define UNIVERSE 20000

static char base[256];
static int dirs;
static uint64_t rng_state;

/** xorshift64: a fixed sequence for a seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const char *fresh_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/db%d", base, ++dirs);
	return buf;
}

static struct fb_store *open_rw(const char *dir)
{
	struct fb_store *st;
	char err[512];
	if(!fb_store_open(&st, dir, 256 << 20, FB_STORE_WRITE, err,
		sizeof(err))) {
		printf("# open %s: %s\n", dir, err);
		return NULL;
	}
	return st;
}

/** The feed's listing and its names as the test expects them. */
struct model {
	uint8_t scope[UNIVERSE + 64];	/**< 0: not listed */
	uint32_t first_seen[UNIVERSE + 64];
	enum fb_action action;
	enum fb_category category;
};

/** Name i of the universe; names past UNIVERSE are extra ones the edge
 * cases pick for their hash. */
static void name_of(unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "w%u-%x.t%u.example", i,
		(unsigned)(i * 2654435761u) & 0xfff, i % 7);
}

static void key_of_index(unsigned i, struct fb_key *k)
{
	char name[64];
	uint8_t s;
	name_of(i, name, sizeof(name));
	if(fb_name_parse(name, strlen(name), 0, k, &s) != FB_NAME_OK) {
		printf("# test bug: cannot parse %s\n", name);
		exit(2);
	}
}

static struct fb_nameset *set_of(const struct model *m)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_key k;
	unsigned i;
	for(i = 0; i < UNIVERSE + 64; i++)
		if(m->scope[i]) {
			key_of_index(i, &k);
			fb_nameset_add(ns, &k, m->scope[i]);
		}
	fb_nameset_finish(ns);
	return ns;
}

static enum fb_update_status replace(struct fb_store *st,
	const struct model *m, unsigned shrink, int64_t now,
	struct fb_update_result *res)
{
	struct fb_nameset *ns = set_of(m);
	struct fb_update_spec spec;
	char err[512];
	enum fb_update_status s;
	memset(&spec, 0, sizeof(spec));
	spec.feed = "f";
	spec.action = m->action;
	spec.category = m->category;
	spec.max_shrink = shrink;
	spec.now = now;
	s = fb_store_replace_feed(st, &spec, ns, res, err, sizeof(err));
	if(s != FB_UPDATE_OK && s != FB_UPDATE_SHRINK)
		printf("# update: %s\n", err);
	fb_nameset_free(ns);
	return s;
}

/** The model after an accepted update at now from old to new. */
static void model_commit(struct model *old, const struct model *nw,
	int64_t now)
{
	unsigned i;
	for(i = 0; i < UNIVERSE + 64; i++)
		if(nw->scope[i] && !old->scope[i])
			old->first_seen[i] = (uint32_t)now;
	memcpy(old->scope, nw->scope, sizeof(old->scope));
	old->action = nw->action;
	old->category = nw->category;
}

/** A growing text buffer. */
struct text {
	char *s;
	size_t n, cap;
};

static void text_add(struct text *t, const char *line)
{
	size_t len = strlen(line);
	if(t->n + len + 1 > t->cap) {
		t->cap = (t->n + len + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	memcpy(t->s + t->n, line, len + 1);
	t->n += len;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/** One record of a table walk as a text line. */
typedef void line_fn(const MDB_val *k, const MDB_val *d, char *line,
	size_t len);

/** An entry: key scope action category first_seen. */
static void entry_line(const MDB_val *k, const MDB_val *d, char *line,
	size_t len)
{
	struct fb_entry e;
	fb_entry_decode(d->mv_data, &e);
	snprintf(line, len, "%.*s %u %u %u %u\n", (int)k->mv_size - 2,
		(char *)k->mv_data + 2, e.scope, e.action, e.category,
		(unsigned)e.first_seen);
}

/** A chunk record: end hash count. */
static void chunk_line(const MDB_val *k, const MDB_val *d, char *line,
	size_t len)
{
	struct fb_chunk_acc a;
	fb_chunk_val_decode(d->mv_data, d->mv_size, &a);
	snprintf(line, len, "%.*s %llx %llu\n", (int)k->mv_size - 2,
		(char *)k->mv_data + 2, (unsigned long long)a.hash,
		(unsigned long long)a.count);
}

/** Source src's records in table dbi (bysource or chunks), in key
 * order, as text lines. */
static char *dump_table(struct fb_store *st, MDB_dbi dbi, uint16_t src,
	line_fn *fn)
{
	struct text t = { NULL, 0, 0 };
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, d;
	uint8_t prefix[2];
	char line[600];
	int rc;
	text_add(&t, "");
	fb_put_be16(prefix, src);
	if(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != 0)
		return t.s;
	mdb_cursor_open(txn, dbi, &c);
	k.mv_data = prefix;
	k.mv_size = 2;
	for(rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 &&
	    memcmp(k.mv_data, prefix, 2) == 0;
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		fn(&k, &d, line, sizeof(line));
		text_add(&t, line);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return t.s;
}

/** The feed's entries as text lines, from the store. */
static char *dump_store(struct fb_store *st, uint16_t src)
{
	return dump_table(st, st->bysource, src, entry_line);
}

/** The feed's chunk records, raw, as text (to compare before/after). */
static char *dump_chunks(struct fb_store *st, uint16_t src)
{
	return dump_table(st, st->chunks, src, chunk_line);
}

/** The same lines from the model, sorted as the store sorts keys (a
 * key's bytes then its length: the same as the lines' order, since a
 * key ends with '.' and a space follows it). */
static char *dump_model(const struct model *m)
{
	struct text t = { NULL, 0, 0 };
	char *lines[UNIVERSE + 64], line[400];
	struct fb_key k;
	size_t n = 0, i;
	unsigned j;
	text_add(&t, "");
	for(j = 0; j < UNIVERSE + 64; j++) {
		if(!m->scope[j])
			continue;
		key_of_index(j, &k);
		snprintf(line, sizeof(line), "%.*s %u %u %u %u\n",
			(int)k.len, (char *)k.data, m->scope[j],
			(unsigned)m->action, (unsigned)m->category,
			(unsigned)m->first_seen[j]);
		lines[n++] = strdup(line);
	}
	qsort(lines, n, sizeof(*lines), line_cmp);
	for(i = 0; i < n; i++) {
		text_add(&t, lines[i]);
		free(lines[i]);
	}
	return t.s;
}

/** The feed's source record as stored. */
static struct fb_source_info source_of(struct fb_store *st)
{
	struct fb_source_info info;
	MDB_txn *txn;
	memset(&info, 0, sizeof(info));
	if(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0) {
		fb_source_find(st, txn, "f", 0, &info);
		mdb_txn_abort(txn);
	}
	return info;
}

/** Take the feed's index out of force as a writer that does not know it
 * would: the mark dropped, the records left as they were. */
static void unmark(struct fb_store *st)
{
	struct fb_source_info info;
	MDB_txn *txn;
	if(mdb_txn_begin(st->env, NULL, 0, &txn) != 0)
		return;
	if(fb_source_find(st, txn, "f", 0, &info) == 0) {
		info.chunks = 0;
		fb_source_put(st, txn, &info);
	}
	mdb_txn_commit(txn);
}

/** fb_store_verify: @return 1 clean, with chunked feeds in *chunked and
 * chunk problems in *bad. */
static int verify(struct fb_store *st, uint64_t *chunked, uint64_t *bad)
{
	struct fb_verify_result vr;
	char err[512];
	int v = fb_store_verify(st, NULL, NULL, &vr, err, sizeof(err));
	if(v < 0)
		printf("# verify: %s\n", err);
	if(chunked)
		*chunked = vr.chunked;
	if(bad)
		*bad = vr.kind[FB_VERIFY_CHUNK];
	if(v == 0)
		printf("# verify: %llu problems\n",
			(unsigned long long)vr.problems);
	return v;
}

/** Two stores and the model, updated in step. */
struct pair {
	struct fb_store *a, *b;
	char adir[300], bdir[300];
	struct model m;
	int64_t now;
	uint64_t walked_a, walked_b;	/**< of the last update */
};

/**
 * Update both stores to the model nw (A incremental, B by a whole walk)
 * and compare.  @return 1 if A, B and the model agree and A verifies
 * clean with its index in force.
 */
static int step(struct pair *p, const struct model *nw, unsigned shrink,
	enum fb_update_status want, const char *what)
{
	struct fb_update_result ra, rb;
	enum fb_update_status sa, sb;
	char *da, *db, *dm;
	uint64_t chunked = 0;
	int same;
	p->now++;
	unmark(p->b);
	sa = replace(p->a, nw, shrink, p->now, &ra);
	sb = replace(p->b, nw, shrink, p->now, &rb);
	if(sa == FB_UPDATE_OK)
		model_commit(&p->m, nw, p->now);
	da = dump_store(p->a, 2);
	db = dump_store(p->b, 2);
	dm = dump_model(&p->m);
	same = sa == want && sb == want && strcmp(da, dm) == 0 &&
		strcmp(db, dm) == 0 && ra.added == rb.added &&
		ra.removed == rb.removed && ra.changed == rb.changed &&
		ra.before == rb.before && ra.after == rb.after &&
		verify(p->a, &chunked, NULL) == 1 && chunked == 1 &&
		verify(p->b, NULL, NULL) == 1;
	if(!same)
		printf("# %s: status %d/%d (want %d), +%llu/+%llu "
			"-%llu/-%llu ~%llu/~%llu, A%s B%s the model, "
			"chunked %llu\n", what, sa, sb, want,
			(unsigned long long)ra.added,
			(unsigned long long)rb.added,
			(unsigned long long)ra.removed,
			(unsigned long long)rb.removed,
			(unsigned long long)ra.changed,
			(unsigned long long)rb.changed,
			strcmp(da, dm) ? " differs from" : " is",
			strcmp(db, dm) ? " differs from" : " is",
			(unsigned long long)chunked);
	p->walked_a = ra.walked;
	p->walked_b = rb.walked;
	free(da);
	free(db);
	free(dm);
	return same;
}

static int pair_open(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->now = 1700000000;
	p->m.action = FB_ACTION_DEFAULT;
	p->m.category = FB_CATEGORY_SCAM;
	p->a = open_rw(fresh_dir(p->adir, sizeof(p->adir)));
	p->b = open_rw(fresh_dir(p->bdir, sizeof(p->bdir)));
	return p->a && p->b;
}

static void pair_close(struct pair *p)
{
	fb_store_close(p->a);
	fb_store_close(p->b);
}

/** Random adds, removes and scope changes, k of each at most. */
static void mutate(struct model *m, unsigned k)
{
	unsigned i, n = (unsigned)(rnd() % (k + 1));
	for(i = 0; i < n; i++) {
		unsigned a = (unsigned)(rnd() % UNIVERSE);
		unsigned r = (unsigned)(rnd() % UNIVERSE);
		unsigned c = (unsigned)(rnd() % UNIVERSE);
		if(!m->scope[a])
			m->scope[a] = rnd() % 4 ? FB_SCOPE_TREE :
				FB_SCOPE_BELOW;
		m->scope[r] = 0;
		if(m->scope[c])
			m->scope[c] = m->scope[c] == FB_SCOPE_TREE ?
				FB_SCOPE_BELOW : FB_SCOPE_TREE;
	}
}

/** A listed (want 1) or unlisted (0) name whose key ends a chunk. */
static int boundary_name(const struct model *m, int want)
{
	struct fb_key k;
	unsigned i;
	for(i = 0; i < UNIVERSE + 64; i++) {
		if(!m->scope[i] != !want)
			continue;
		key_of_index(i, &k);
		if(fb_chunk_boundary(fb_chunk_keyhash(k.data, k.len)))
			return (int)i;
	}
	return -1;
}

/** The model index of the listed name with this key. */
static int index_of_key(const struct model *m, const char *key)
{
	struct fb_key k;
	unsigned i;
	for(i = 0; i < UNIVERSE + 64; i++) {
		if(!m->scope[i])
			continue;
		key_of_index(i, &k);
		if(k.len == strlen(key) && memcmp(k.data, key, k.len) == 0)
			return (int)i;
	}
	return -1;
}

static void test_rounds(void)
{
	struct pair p;
	struct model nw;
	uint64_t walked_a = 0, walked_b = 0;
	unsigned r, i, agree = 0, small = 0;
	char what[64];
	if(!ok(pair_open(&p), "two stores for the rounds"))
		return;
	nw = p.m;
	for(i = 0; i < UNIVERSE; i++)
		if(rnd() % 4)
			nw.scope[i] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "import"),
		"first import: A, B and the model agree");
	for(r = 0; r < 40; r++) {
		nw = p.m;
		/* mostly small updates, every eighth a large one */
		mutate(&nw, r % 8 == 7 ? 3000 : 6);
		snprintf(what, sizeof(what), "round %u", r);
		agree += step(&p, &nw, 100, FB_UPDATE_OK, what);
		if(r % 8 == 7)
			continue;
		small++;
		walked_a += p.walked_a;
		walked_b += p.walked_b;
	}
	is_int(agree, 40, "40 random rounds: A (incremental), B (whole "
		"walk) and the model agree, A's index verifies");
	printf("# entries read in %u small rounds: %llu incremental, %llu "
		"whole walks\n", small, (unsigned long long)walked_a,
		(unsigned long long)walked_b);
	ok(walked_a * 5 < walked_b, "in the small rounds the incremental "
		"diff read less than a fifth of the entries the whole walks "
		"read");
	pair_close(&p);
}

static void test_edges(void)
{
	struct pair p;
	struct model nw;
	struct fb_source_info before_info;
	char *e0, *c0, *e1, *c1;
	int b;
	unsigned i;
	if(!ok(pair_open(&p), "two stores for the edge cases"))
		return;
	nw = p.m;
	for(i = 0; i < UNIVERSE; i += 2)
		nw.scope[i] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "import"), "import of every "
		"second name");
	is_int(source_of(p.a).chunks, FB_CHUNK_SCHEME,
		"the import puts the feed's index in force");

	/* a boundary key removed: its chunk merges with the next */
	nw = p.m;
	b = boundary_name(&nw, 1);
	ok(b >= 0, "a listed name that ends a chunk");
	if(b >= 0)
		nw.scope[b] = 0;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "boundary removed"),
		"a boundary key removed: A, B and the model agree");
	ok(p.walked_a > 0 && p.walked_a < 1000 && p.walked_b == UNIVERSE / 2,
		"... A read the two chunks around it, B all");
	printf("# read %llu and %llu\n", (unsigned long long)p.walked_a,
		(unsigned long long)p.walked_b);

	/* a new boundary key: a chunk splits in two */
	nw = p.m;
	b = boundary_name(&nw, 0);
	ok(b >= 0, "an unlisted name that would end a chunk");
	if(b >= 0)
		nw.scope[b] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "boundary added"),
		"a boundary key added: A, B and the model agree");
	ok(p.walked_a < 1000, "... A read one chunk");

	/* the last key in order (the tail chunk) removed */
	nw = p.m;
	{
		struct fb_nameset *ns = set_of(&nw);
		size_t len;
		const uint8_t *last = fb_nameset_get(ns,
			fb_nameset_count(ns) - 1, &len, NULL);
		char key[300];
		snprintf(key, sizeof(key), "%.*s", (int)len, (const char *)last);
		b = index_of_key(&nw, key);
		fb_nameset_free(ns);
	}
	ok(b >= 0, "the last key");
	if(b >= 0)
		nw.scope[b] = 0;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "last removed"),
		"the last key removed: A, B and the model agree");
	nw = p.m;
	if(b >= 0)
		nw.scope[b] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "last added"),
		"and added again: A, B and the model agree");

	/* one scope changes */
	nw = p.m;
	for(i = 0; !nw.scope[i]; i++)
		;
	nw.scope[i] = FB_SCOPE_BELOW;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "one scope"),
		"one key's scope changed: A, B and the model agree");
	ok(p.walked_a < 1000, "... A read one chunk");

	/* the listing of every entry changes */
	nw = p.m;
	nw.action = FB_ACTION_NXDOMAIN;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "action"),
		"the feed's action changed: A, B and the model agree");
	nw = p.m;
	nw.category = FB_CATEGORY_PHISHING;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "category"),
		"the feed's category changed: A, B and the model agree");

	/* nothing changes: nothing read */
	ok(step(&p, &p.m, 100, FB_UPDATE_OK, "same"),
		"the same list again: A, B and the model agree");
	is_int(p.walked_a, 0, "... A read no entry");

	/* an empty list is refused and changes nothing, index included */
	e0 = dump_store(p.a, 2);
	c0 = dump_chunks(p.a, 2);
	before_info = source_of(p.a);
	memset(nw.scope, 0, sizeof(nw.scope));
	ok(step(&p, &nw, 50, FB_UPDATE_SHRINK, "empty refused"),
		"an empty list is refused by max-shrink 50 in both");
	e1 = dump_store(p.a, 2);
	c1 = dump_chunks(p.a, 2);
	ok(strcmp(e0, e1) == 0 && strcmp(c0, c1) == 0 &&
		source_of(p.a).chunks == before_info.chunks &&
		source_of(p.a).entries == before_info.entries,
		"... the entries, the chunk records and the mark unchanged");
	free(e0);
	free(e1);
	free(c0);
	free(c1);
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "empty accepted"),
		"an empty list with max-shrink 100 empties the feed");
	c0 = dump_chunks(p.a, 2);
	is_str(c0, "", "... and leaves no chunk record");
	free(c0);
	nw = p.m;
	for(i = 1; i < UNIVERSE; i += 3)
		nw.scope[i] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "refill"),
		"filled again: A, B and the model agree");
	pair_close(&p);
}

/** Write one name through the delta entry point. */
static int delta_add(struct fb_store *st, unsigned i, int64_t now)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_update_spec spec;
	struct fb_update_result res;
	struct fb_key k;
	char err[512];
	enum fb_update_status s;
	key_of_index(i, &k);
	fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = "f";
	spec.action = FB_ACTION_DEFAULT;
	spec.category = FB_CATEGORY_SCAM;
	spec.max_shrink = 100;
	spec.now = now;
	s = fb_store_apply_delta(st, &spec, ns, NULL, &res, err, sizeof(err));
	fb_nameset_free(ns);
	return s == FB_UPDATE_OK;
}

/** Overwrite the hash of the feed's n-th chunk record.  @return the
 * record's end key's first name index in the model, or -1. */
static int damage_chunk(struct fb_store *st, size_t nth, char *end,
	size_t endlen)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, d;
	uint8_t prefix[2] = { 0, 2 }, kb[2 + FB_KEY_MAX];
	struct fb_chunk_acc a;
	uint8_t v[FB_CHUNK_VAL_SIZE];
	size_t i = 0;
	int rc, done = -1;
	if(mdb_txn_begin(st->env, NULL, 0, &txn) != 0)
		return -1;
	mdb_cursor_open(txn, st->chunks, &c);
	k.mv_data = prefix;
	k.mv_size = 2;
	for(rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT), i++) {
		if(i < nth)
			continue;
		fb_chunk_val_decode(d.mv_data, d.mv_size, &a);
		a.hash ^= 1;
		fb_chunk_val_encode(&a, v);
		memcpy(kb, k.mv_data, k.mv_size);
		snprintf(end, endlen, "%.*s", (int)k.mv_size - 2,
			(char *)k.mv_data + 2);
		k.mv_data = kb;
		d.mv_data = v;
		d.mv_size = sizeof(v);
		done = mdb_put(txn, st->chunks, &k, &d, 0) == 0 ? 0 : -1;
		break;
	}
	mdb_cursor_close(c);
	mdb_txn_commit(txn);
	return done;
}

static void test_fallbacks(void)
{
	struct pair p;
	struct model nw;
	struct fb_swap_result sw;
	uint64_t chunked = 9, bad = 0, removed = 0;
	char end[300], err[512];
	unsigned i;
	int j;
	if(!ok(pair_open(&p), "two stores for the fallbacks"))
		return;
	nw = p.m;
	for(i = 0; i < UNIVERSE; i += 2)
		nw.scope[i] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "import"), "import of every "
		"second name");

	/* a delta takes the index out of force; the next replacement
	 * walks the whole feed and builds it anew */
	p.now++;
	ok(delta_add(p.a, 1, p.now) && delta_add(p.b, 1, p.now),
		"a delta adds a name");
	p.m.scope[1] = FB_SCOPE_TREE;
	p.m.first_seen[1] = (uint32_t)p.now;
	is_int(source_of(p.a).chunks, 0, "... and takes the index out of "
		"force");
	{
		char *c = dump_chunks(p.a, 2);
		is_str(c, "", "... dropping its chunk records");
		free(c);
	}
	ok(verify(p.a, &chunked, NULL) == 1 && chunked == 0,
		"... the store verifies, with no index in force");
	nw = p.m;
	nw.scope[3] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "after delta"),
		"the replacement after it: A, B and the model agree");
	is_int(p.walked_a, UNIVERSE / 2 + 1, "... A walked the whole feed");
	nw = p.m;
	nw.scope[5] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "after rebuild"),
		"the next one: A, B and the model agree");
	ok(p.walked_a < 1000, "... incremental again");

	/* a damaged record: verify tells it; an update touching that
	 * chunk notices, walks the whole feed and mends the index */
	ok(damage_chunk(p.a, 3, end, sizeof(end)) == 0,
		"the hash of one chunk record damaged");
	ok(verify(p.a, NULL, &bad) == 0 && bad == 1,
		"verify finds 1 chunk problem");
	j = index_of_key(&p.m, end);
	ok(j >= 0, "the damaged chunk's end key is a listed name");
	nw = p.m;
	if(j >= 0)
		nw.scope[j] = FB_SCOPE_BELOW;
	/* B has no damage: unmark only; compare A with the model */
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "damaged"),
		"an update in the damaged chunk: A, B and the model agree, "
		"A verifies clean");
	is_int(p.walked_a, source_of(p.a).entries,
		"... A noticed and walked the whole feed");

	/* compaction carries the index */
	if(ok(fb_store_compact(p.a, &sw, err, sizeof(err)), "compact")) {
		fb_store_close(p.a);
		p.a = open_rw(p.adir);
	} else
		printf("# %s\n", err);
	ok(p.a && verify(p.a, &chunked, NULL) == 1 && chunked == 1,
		"the compacted store verifies with the index in force");
	nw = p.m;
	nw.scope[7] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "after compact"),
		"an update after compaction: A, B and the model agree");
	ok(p.walked_a < 1000, "... incremental");

	/* removal drops the records */
	ok(fb_store_remove_feed(p.a, "f", &removed, err, sizeof(err)) == 1,
		"the feed is removed");
	{
		char *c = dump_chunks(p.a, 2);
		is_str(c, "", "... with its chunk records");
		free(c);
	}
	ok(verify(p.a, &chunked, NULL) == 1 && chunked == 0,
		"... the store verifies");
	pair_close(&p);
}

/** A store with no chunks table (made before it): the first update
 * walks the whole feed and puts the index in force. */
static void test_old_store(void)
{
	struct pair p;
	struct model nw;
	MDB_txn *txn;
	uint64_t chunked = 0;
	char end[512];
	unsigned i;
	if(!ok(pair_open(&p), "two stores for the old-store case"))
		return;
	nw = p.m;
	for(i = 0; i < UNIVERSE; i += 3)
		nw.scope[i] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "import"), "import of every "
		"third name");
	/* make A as an older build left it: no table, no mark */
	unmark(p.a);
	ok(mdb_txn_begin(p.a->env, NULL, 0, &txn) == 0 &&
		mdb_drop(txn, p.a->chunks, 1) == 0 &&
		mdb_txn_commit(txn) == 0, "the chunks table dropped");
	fb_store_close(p.a);
	if(!fb_store_open(&p.a, p.adir, 256 << 20, FB_STORE_READ, end,
	    sizeof(end)))
		p.a = NULL;
	if(!ok(p.a && !p.a->has_chunks, "a reader opens it, and finds no "
	    "table"))
		return;
	ok(verify(p.a, &chunked, NULL) == 1 && chunked == 0,
		"... it verifies clean, no index in force");
	fb_store_close(p.a);
	p.a = open_rw(p.adir);
	ok(p.a && p.a->has_chunks, "a writer opens it and makes the table");
	nw = p.m;
	nw.scope[1] = FB_SCOPE_TREE;
	nw.scope[0] = 0;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "old store"),
		"the first update: A, B and the model agree, A's index in "
		"force");
	is_int(p.walked_a, (UNIVERSE + 2) / 3, "... it walked the whole feed");
	nw = p.m;
	nw.scope[2] = FB_SCOPE_TREE;
	ok(step(&p, &nw, 100, FB_UPDATE_OK, "old store, second"),
		"the second: A, B and the model agree");
	ok(p.walked_a < 1000, "... incremental");
	pair_close(&p);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *seed = getenv("FB_TEST_SEED");
	rng_state = seed ? strtoull(seed, NULL, 10) : (uint64_t)time(NULL);
	if(rng_state == 0)
		rng_state = 1;
	printf("# seed %llu (FB_TEST_SEED=%llu repeats this run)\n",
		(unsigned long long)rng_state, (unsigned long long)rng_state);
	snprintf(base, sizeof(base), "%s/fbupdate.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(base)) {
		perror("mkdtemp");
		return 2;
	}
	test_rounds();
	test_edges();
	test_fallbacks();
	test_old_store();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if(system(cmd) != 0)
			printf("# could not remove %s\n", base);
	}
	return done_testing();
}
