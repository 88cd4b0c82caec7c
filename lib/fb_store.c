/**
 * \file
 * The blocklist store on LMDB: schema, matching and the writers.
 * The contract and the schema are in fb_store.h and doc/store.md.
 *
 * Durability: writers use LMDB's default (synchronous commits, no
 * MDB_NOSYNC/MDB_WRITEMAP).  Updates are rare and a list in force must
 * survive a crash or a kill at any instant; the price is one fsync per
 * update.  Readers (the module) open MDB_RDONLY | MDB_NOTLS: a read
 * transaction belongs to the object, not to the thread, so each worker's
 * reader can be renewed for every query.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <lmdb.h>
#include "fb_store.h"

/** Named databases, at most. */
#define FB_MAXDBS 8
/** Reader slots: worker threads of a few resolvers plus the tools. */
#define FB_MAXREADERS 1024

struct fb_store {
	MDB_env *env;
	MDB_dbi meta, names, bysource, sources;
	int mode;
	/** set (by any reader's thread) when a writer grew the file past
	 * this env's map: only a new env can read it */
	int outgrown;
	char dir[512];
};

struct fb_reader {
	struct fb_store *st;
	MDB_txn *txn;
	MDB_cursor *cur;
};

/* ---- words ---------------------------------------------------------- */

static const char *const action_words[] = {
	"default", "sinkhole", "nxdomain", "nodata", "allow"
};
static const char *const category_words[] = {
	"unspecified", "scam", "phishing", "malware", "other"
};
#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

const char *fb_action_name(enum fb_action a)
{
	return (unsigned)a < NWORDS(action_words) ? action_words[a] : "?";
}

int fb_action_parse(const char *word, enum fb_action *a)
{
	size_t i;
	for(i = 0; i < NWORDS(action_words); i++)
		if(strcmp(word, action_words[i]) == 0) {
			*a = (enum fb_action)i;
			return 1;
		}
	return 0;
}

const char *fb_category_name(enum fb_category c)
{
	return (unsigned)c < NWORDS(category_words) ? category_words[c] : "?";
}

int fb_category_parse(const char *word, enum fb_category *c)
{
	size_t i;
	for(i = 0; i < NWORDS(category_words); i++)
		if(strcmp(word, category_words[i]) == 0) {
			*c = (enum fb_category)i;
			return 1;
		}
	return 0;
}

/* ---- records -------------------------------------------------------- */

void fb_entry_encode(const struct fb_entry *e, uint8_t out[FB_ENTRY_SIZE])
{
	/* big-endian source first: duplicates sort by source id */
	out[0] = (uint8_t)(e->source >> 8);
	out[1] = (uint8_t)e->source;
	out[2] = e->scope;
	out[3] = e->action;
	out[4] = e->category;
	out[5] = out[6] = out[7] = 0;
	out[8] = (uint8_t)(e->first_seen >> 24);
	out[9] = (uint8_t)(e->first_seen >> 16);
	out[10] = (uint8_t)(e->first_seen >> 8);
	out[11] = (uint8_t)e->first_seen;
}

void fb_entry_decode(const uint8_t in[FB_ENTRY_SIZE], struct fb_entry *e)
{
	e->source = (uint16_t)((in[0] << 8) | in[1]);
	e->scope = in[2];
	e->action = in[3];
	e->category = in[4];
	e->first_seen = ((uint32_t)in[8] << 24) | ((uint32_t)in[9] << 16) |
		((uint32_t)in[10] << 8) | (uint32_t)in[11];
}

/** Same listing, ignoring when it was first seen. */
static int entry_same(const struct fb_entry *a, const struct fb_entry *b)
{
	return a->source == b->source && a->scope == b->scope &&
		a->action == b->action && a->category == b->category;
}

/* ---- errors --------------------------------------------------------- */

/** The one place LMDB codes become words an operator can act on. */
static void lmdb_error(char *err, size_t errlen, const char *what,
	const char *dir, int rc)
{
	const char *hint = "";
	if(!err || !errlen)
		return;
	if(rc == MDB_MAP_FULL)
		hint = " (raise max-db-size in fraudblock.conf)";
	else if(rc == ENOSPC)
		hint = " (the disk is full)";
	else if(rc == EACCES)
		hint = " (check the directory's owner and mode)";
	else if(rc == MDB_READERS_FULL)
		hint = " (too many readers; stale ones are cleared on open)";
	snprintf(err, errlen, "%s %s: %s%s", what, dir, mdb_strerror(rc),
		hint);
}

/* ---- opening -------------------------------------------------------- */

static int put_u64(MDB_txn *txn, MDB_dbi dbi, const char *k, uint64_t v)
{
	MDB_val key = { strlen(k), (void *)k }, val = { sizeof(v), &v };
	return mdb_put(txn, dbi, &key, &val, 0);
}

static int get_u64(MDB_txn *txn, MDB_dbi dbi, const char *k, uint64_t *v)
{
	MDB_val key = { strlen(k), (void *)k }, val;
	int rc = mdb_get(txn, dbi, &key, &val);
	if(rc)
		return rc;
	if(val.mv_size == sizeof(uint64_t))
		memcpy(v, val.mv_data, sizeof(*v));
	else if(val.mv_size == sizeof(uint32_t)) {
		uint32_t x;
		memcpy(&x, val.mv_data, sizeof(x));
		*v = x;
	} else
		return MDB_CORRUPTED;
	return 0;
}

static void source_key(uint16_t id, uint8_t out[2])
{
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
}

static int put_source(MDB_txn *txn, MDB_dbi dbi,
	const struct fb_source_info *info)
{
	uint8_t k[2];
	MDB_val key = { 2, k }, val = { sizeof(*info), (void *)info };
	source_key(info->id, k);
	return mdb_put(txn, dbi, &key, &val, 0);
}

/** Write schema version, generation 0 and the two hand-made sources. */
static int init_schema(struct fb_store *st, MDB_txn *txn)
{
	struct fb_source_info info;
	uint32_t schema = FB_SCHEMA_VERSION;
	MDB_val key = { 6, "schema" }, val = { sizeof(schema), &schema };
	int rc;
	if((rc = mdb_put(txn, st->meta, &key, &val, 0)) != 0 ||
	   (rc = put_u64(txn, st->meta, "generation", 0)) != 0)
		return rc;
	memset(&info, 0, sizeof(info));
	info.id = FB_SOURCE_ALLOW;
	strcpy(info.name, "manual-allow");
	if((rc = put_source(txn, st->sources, &info)) != 0)
		return rc;
	info.id = FB_SOURCE_BLOCK;
	strcpy(info.name, "manual-block");
	return put_source(txn, st->sources, &info);
}

/** Open the four tables; create them (and the schema) when writing. */
static int open_tables(struct fb_store *st, char *err, size_t errlen)
{
	unsigned c = st->mode == FB_STORE_WRITE ? MDB_CREATE : 0;
	MDB_txn *txn;
	MDB_val key = { 6, "schema" }, val;
	uint32_t schema;
	int rc = mdb_txn_begin(st->env, NULL,
		st->mode == FB_STORE_WRITE ? 0 : MDB_RDONLY, &txn);
	if(rc) {
		lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return 0;
	}
	if((rc = mdb_dbi_open(txn, "meta", c, &st->meta)) != 0 ||
	   (rc = mdb_dbi_open(txn, "names", c | MDB_DUPSORT | MDB_DUPFIXED,
		&st->names)) != 0 ||
	   (rc = mdb_dbi_open(txn, "bysource", c, &st->bysource)) != 0 ||
	   (rc = mdb_dbi_open(txn, "sources", c, &st->sources)) != 0) {
		mdb_txn_abort(txn);
		if(rc == MDB_NOTFOUND)
			snprintf(err, errlen, "no fraudblock store in %s yet "
				"(fraudblock-sync creates it)", st->dir);
		else
			lmdb_error(err, errlen, "cannot open tables in",
				st->dir, rc);
		return 0;
	}
	rc = mdb_get(txn, st->meta, &key, &val);
	if(rc == MDB_NOTFOUND && st->mode == FB_STORE_WRITE)
		rc = init_schema(st, txn);
	else if(rc == 0) {
		if(val.mv_size != sizeof(schema)) {
			mdb_txn_abort(txn);
			snprintf(err, errlen, "%s: damaged schema record", st->dir);
			return 0;
		}
		memcpy(&schema, val.mv_data, sizeof(schema));
		if(schema != FB_SCHEMA_VERSION) {
			mdb_txn_abort(txn);
			snprintf(err, errlen, "%s has store schema %u; this "
				"build reads schema %u", st->dir,
				(unsigned)schema, FB_SCHEMA_VERSION);
			return 0;
		}
	}
	if(rc) {
		mdb_txn_abort(txn);
		if(rc == MDB_NOTFOUND)
			snprintf(err, errlen, "no fraudblock store in %s yet "
				"(fraudblock-sync creates it)", st->dir);
		else
			lmdb_error(err, errlen, "cannot set up", st->dir, rc);
		return 0;
	}
	/* committing keeps the table handles for the life of the env */
	if((rc = mdb_txn_commit(txn)) != 0) {
		lmdb_error(err, errlen, "cannot set up", st->dir, rc);
		return 0;
	}
	return 1;
}

int fb_store_open(struct fb_store **out, const char *dir, uint64_t map_size,
	int mode, char *err, size_t errlen)
{
	struct fb_store *st;
	unsigned flags = MDB_NOTLS;
	int rc;
	*out = NULL;
	if(strlen(dir) >= sizeof(st->dir)) {
		snprintf(err, errlen, "database path too long: %.64s...", dir);
		return 0;
	}
	if(!(st = calloc(1, sizeof(*st)))) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	st->mode = mode;
	strcpy(st->dir, dir);
	if(mode == FB_STORE_WRITE) {
		if(mkdir(dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir,
				strerror(errno));
			free(st);
			return 0;
		}
	} else
		flags |= MDB_RDONLY | MDB_NORDAHEAD;
	if((rc = mdb_env_create(&st->env)) != 0 ||
	   (rc = mdb_env_set_maxdbs(st->env, FB_MAXDBS)) != 0 ||
	   (rc = mdb_env_set_maxreaders(st->env, FB_MAXREADERS)) != 0 ||
	   (map_size && (rc = mdb_env_set_mapsize(st->env,
		(size_t)map_size)) != 0) ||
	   (rc = mdb_env_open(st->env, dir, flags, 0664)) != 0) {
		lmdb_error(err, errlen, "cannot open", dir, rc);
		goto fail;
	}
	/* readers left by killed processes would pin old pages forever */
	(void)mdb_reader_check(st->env, NULL);
	if(!open_tables(st, err, errlen))
		goto fail;
	*out = st;
	return 1;
fail:
	if(st->env)
		mdb_env_close(st->env);
	free(st);
	return 0;
}

void fb_store_close(struct fb_store *st)
{
	if(!st)
		return;
	mdb_env_close(st->env);
	free(st);
}

int fb_store_is_current(struct fb_store *st)
{
	struct stat now, open_file;
	char path[sizeof(st->dir) + 16];
	int fd;
	if(__atomic_load_n(&st->outgrown, __ATOMIC_RELAXED))
		return 0;
	snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
	if(mdb_env_get_fd(st->env, &fd) != 0 || fstat(fd, &open_file) != 0 ||
	   stat(path, &now) != 0)
		return 0;
	return now.st_dev == open_file.st_dev && now.st_ino == open_file.st_ino;
}

/* ---- reading -------------------------------------------------------- */

int fb_reader_new(struct fb_store *st, struct fb_reader **out, char *err,
	size_t errlen)
{
	struct fb_reader *r;
	int rc;
	*out = NULL;
	if(!(r = calloc(1, sizeof(*r)))) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	r->st = st;
	if((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &r->txn)) != 0 ||
	   (rc = mdb_cursor_open(r->txn, st->names, &r->cur)) != 0) {
		lmdb_error(err, errlen, "cannot read", st->dir, rc);
		if(r->txn)
			mdb_txn_abort(r->txn);
		free(r);
		return 0;
	}
	mdb_txn_reset(r->txn);
	*out = r;
	return 1;
}

void fb_reader_free(struct fb_reader *r)
{
	if(!r)
		return;
	mdb_cursor_close(r->cur);
	mdb_txn_abort(r->txn);
	free(r);
}

int fb_reader_begin(struct fb_reader *r)
{
	int rc = mdb_txn_renew(r->txn);
	if(rc == MDB_MAP_RESIZED)
		__atomic_store_n(&r->st->outgrown, 1, __ATOMIC_RELAXED);
	if(rc != 0)
		return 0;
	if(mdb_cursor_renew(r->txn, r->cur) != 0) {
		mdb_txn_reset(r->txn);
		return 0;
	}
	return 1;
}

void fb_reader_end(struct fb_reader *r)
{
	mdb_txn_reset(r->txn);
}

/** LMDB's default key order: bytes, then length. */
static int keycmp(const MDB_val *k, const uint8_t *p, size_t plen)
{
	size_t n = k->mv_size < plen ? k->mv_size : plen;
	int c = memcmp(k->mv_data, p, n);
	if(c)
		return c;
	return k->mv_size < plen ? -1 : (k->mv_size > plen ? 1 : 0);
}

int fb_match(struct fb_reader *r, const struct fb_qname *q,
	struct fb_verdict *v, fb_match_cb *cb, void *arg)
{
	MDB_val k = { 0, NULL }, d;
	int i, rc, have = 0, block_depth = 0, allow_depth = 0;
	struct fb_entry e, block, allow;
	memset(v, 0, sizeof(*v));
	for(i = 0; i < q->nprefix; i++) {
		size_t plen = q->ends[i];
		int self = (i == q->nprefix - 1 && q->full);
		/* k is the first key >= the previous prefix; while it is also
		 * >= this one it is the first key >= this one: no seek */
		if(!have || keycmp(&k, q->key, plen) < 0) {
			k.mv_data = (void *)q->key;
			k.mv_size = plen;
			rc = mdb_cursor_get(r->cur, &k, &d, MDB_SET_RANGE);
			if(rc == MDB_NOTFOUND)
				break;
			if(rc)
				return 0;
			have = 1;
		}
		/* nothing stored at or below this prefix: nor deeper */
		if(k.mv_size < plen || memcmp(k.mv_data, q->key, plen) != 0)
			break;
		if(k.mv_size != plen)
			continue;
		/* records of the name at this prefix, in source order; the
		 * cursor sits on the first since the seek found this key */
		do {
			if(d.mv_size != FB_ENTRY_SIZE)
				return 0;
			fb_entry_decode(d.mv_data, &e);
			if(!(e.scope & (self ? FB_SCOPE_SELF : FB_SCOPE_BELOW)))
				continue;
			if(cb)
				cb(arg, q, i + 1, &e);
			if(e.action == FB_ACTION_ALLOW) {
				if(!allow_depth) {
					allow = e;
					allow_depth = i + 1;
				}
				if(!cb)
					goto decide;
			} else if(i + 1 > block_depth) {
				block = e;
				block_depth = i + 1;
			}
		} while((rc = mdb_cursor_get(r->cur, &k, &d,
			MDB_NEXT_DUP)) == 0);
		if(rc != MDB_NOTFOUND)
			return 0;
		/* MDB_NEXT_DUP leaves k alone at the end of the duplicates;
		 * it still names this prefix, so the next one seeks */
	}
decide:
	if(allow_depth) {
		v->kind = FB_ALLOW;
		v->entry = allow;
		v->depth = allow_depth;
	} else if(block_depth) {
		v->kind = FB_BLOCK;
		v->entry = block;
		v->depth = block_depth;
	}
	return 1;
}

int fb_reader_generation(struct fb_reader *r, uint64_t *gen)
{
	return get_u64(r->txn, r->st->meta, "generation", gen) == 0;
}

static int read_source(MDB_txn *txn, MDB_dbi dbi, uint16_t id,
	struct fb_source_info *info)
{
	uint8_t k[2];
	MDB_val key = { 2, k }, val;
	source_key(id, k);
	memset(info, 0, sizeof(*info));
	if(mdb_get(txn, dbi, &key, &val) != 0 ||
	   val.mv_size != sizeof(*info)) {
		info->id = id;
		snprintf(info->name, sizeof(info->name), "source-%u",
			(unsigned)id);
		return 0;
	}
	memcpy(info, val.mv_data, sizeof(*info));
	info->name[sizeof(info->name) - 1] = 0;
	info->last_error[sizeof(info->last_error) - 1] = 0;
	return 1;
}

int fb_reader_source(struct fb_reader *r, uint16_t id,
	struct fb_source_info *info)
{
	return read_source(r->txn, r->st->sources, id, info);
}

int fb_reader_sources(struct fb_reader *r,
	void (*cb)(void *arg, const struct fb_source_info *info), void *arg)
{
	MDB_cursor *c;
	MDB_val k, d;
	struct fb_source_info info;
	int rc = mdb_cursor_open(r->txn, r->st->sources, &c);
	if(rc)
		return 0;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		if(d.mv_size != sizeof(info))
			continue;
		memcpy(&info, d.mv_data, sizeof(info));
		info.name[sizeof(info.name) - 1] = 0;
		info.last_error[sizeof(info.last_error) - 1] = 0;
		cb(arg, &info);
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND;
}

int fb_reader_stats(struct fb_reader *r, struct fb_store_stats *s)
{
	MDB_stat ms;
	MDB_envinfo ei;
	MDB_cursor *c;
	MDB_val k, d;
	uint64_t schema = 0;
	int rc;
	memset(s, 0, sizeof(*s));
	if(mdb_stat(r->txn, r->st->names, &ms) != 0 ||
	   mdb_env_info(r->st->env, &ei) != 0 ||
	   get_u64(r->txn, r->st->meta, "schema", &schema) != 0 ||
	   !fb_reader_generation(r, &s->generation))
		return 0;
	s->records = ms.ms_entries;
	s->schema = (uint32_t)schema;
	s->map_size = ei.me_mapsize;
	if(mdb_env_stat(r->st->env, &ms) != 0)
		return 0;
	s->file_bytes = (uint64_t)(ei.me_last_pgno + 1) * ms.ms_psize;
	if(mdb_cursor_open(r->txn, r->st->names, &c) != 0)
		return 0;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) == 0)
		s->names++;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND;
}

/* ---- name sets ------------------------------------------------------ */

struct ns_item {
	uint32_t off;	/**< into the arena */
	uint16_t len;
	uint8_t scope;
};

struct fb_nameset {
	uint8_t *arena;
	size_t used, cap;
	struct ns_item *items;
	size_t n, ncap;
};

struct fb_nameset *fb_nameset_new(void)
{
	return calloc(1, sizeof(struct fb_nameset));
}

void fb_nameset_free(struct fb_nameset *ns)
{
	if(!ns)
		return;
	free(ns->arena);
	free(ns->items);
	free(ns);
}

/** Grow *p (elements of size sz) to hold need; @return 1, 0 on OOM. */
static int grow(void *p, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap ? *cap : 1024;
	void *n;
	if(need <= *cap)
		return 1;
	while(c < need)
		c *= 2;
	if(!(n = realloc(*(void **)p, c * sz)))
		return 0;
	*(void **)p = n;
	*cap = c;
	return 1;
}

int fb_nameset_add(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope)
{
	struct ns_item *it;
	/* offsets are 32-bit: 4 GB of keys is far beyond any max-size */
	if(ns->used + key->len > UINT32_MAX ||
	   !grow(&ns->arena, &ns->cap, ns->used + key->len, 1) ||
	   !grow(&ns->items, &ns->ncap, ns->n + 1, sizeof(*ns->items)))
		return 0;
	memcpy(ns->arena + ns->used, key->data, key->len);
	it = &ns->items[ns->n++];
	it->off = (uint32_t)ns->used;
	it->len = (uint16_t)key->len;
	it->scope = scope;
	ns->used += key->len;
	return 1;
}

/** qsort has no context argument; one sort at a time per process is
 * all the tools need, and the store is not used by the module here. */
static const uint8_t *sort_arena;

static int item_cmp(const void *a, const void *b)
{
	const struct ns_item *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(sort_arena + x->off, sort_arena + y->off, n);
	if(c)
		return c;
	return (int)x->len - (int)y->len;
}

void fb_nameset_finish(struct fb_nameset *ns)
{
	size_t i, j = 0;
	if(ns->n == 0)
		return;
	sort_arena = ns->arena;
	qsort(ns->items, ns->n, sizeof(*ns->items), item_cmp);
	sort_arena = NULL;
	for(i = 1; i < ns->n; i++) {
		struct ns_item *last = &ns->items[j];
		struct ns_item *it = &ns->items[i];
		if(it->len == last->len && memcmp(ns->arena + it->off,
		    ns->arena + last->off, it->len) == 0)
			last->scope |= it->scope;
		else
			ns->items[++j] = *it;
	}
	ns->n = j + 1;
}

size_t fb_nameset_count(const struct fb_nameset *ns)
{
	return ns->n;
}

/* ---- writing -------------------------------------------------------- */

/** Find a source by name; with create, give a new feed the next id. */
static int find_source(struct fb_store *st, MDB_txn *txn, const char *name,
	int create, struct fb_source_info *info)
{
	MDB_cursor *c;
	MDB_val k, d;
	int rc, found = 0;
	uint16_t next = FB_SOURCE_FIRST_FEED;
	if((rc = mdb_cursor_open(txn, st->sources, &c)) != 0)
		return rc;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		if(d.mv_size != sizeof(*info))
			continue;
		memcpy(info, d.mv_data, sizeof(*info));
		info->name[sizeof(info->name) - 1] = 0;
		if(info->id >= next)
			next = (uint16_t)(info->id + 1);
		if(strcmp(info->name, name) == 0) {
			found = 1;
			break;
		}
	}
	mdb_cursor_close(c);
	if(found)
		return 0;
	if(rc != MDB_NOTFOUND)
		return rc;
	if(!create || next == 0 || strlen(name) >= sizeof(info->name))
		return MDB_NOTFOUND;
	memset(info, 0, sizeof(*info));
	info->id = next;
	strcpy(info->name, name);
	return 0;
}

static int bump_generation(struct fb_store *st, MDB_txn *txn, uint64_t *gen)
{
	uint64_t g = 0;
	int rc = get_u64(txn, st->meta, "generation", &g);
	if(rc && rc != MDB_NOTFOUND)
		return rc;
	g++;
	if(gen)
		*gen = g;
	return put_u64(txn, st->meta, "generation", g);
}

/** bysource key: source id then the name key. */
static size_t bysource_key(uint16_t src, const uint8_t *key, size_t len,
	uint8_t out[2 + FB_KEY_MAX])
{
	source_key(src, out);
	memcpy(out + 2, key, len);
	return 2 + len;
}

/** Add one record to both tables. */
static int put_entry(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const struct fb_entry *e)
{
	uint8_t bk[2 + FB_KEY_MAX], rec[FB_ENTRY_SIZE];
	MDB_val k = { len, (void *)key }, d = { FB_ENTRY_SIZE, rec };
	MDB_val bkv;
	int rc;
	fb_entry_encode(e, rec);
	bkv.mv_data = bk;
	bkv.mv_size = bysource_key(e->source, key, len, bk);
	if((rc = mdb_put(txn, st->names, &k, &d, 0)) != 0)
		return rc;
	return mdb_put(txn, st->bysource, &bkv, &d, 0);
}

/** Remove one record (as stored: rec) from both tables. */
static int del_entry(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const uint8_t rec[FB_ENTRY_SIZE])
{
	uint8_t bk[2 + FB_KEY_MAX];
	MDB_val k = { len, (void *)key }, d = { FB_ENTRY_SIZE, (void *)rec };
	MDB_val bkv;
	int rc;
	bkv.mv_data = bk;
	bkv.mv_size = bysource_key((uint16_t)((rec[0] << 8) | rec[1]), key,
		len, bk);
	if((rc = mdb_del(txn, st->names, &k, &d)) != 0)
		return rc;
	return mdb_del(txn, st->bysource, &bkv, NULL);
}

/** One difference between a feed's entries in force and its new set. */
struct change {
	size_t item;		/**< nameset index (add, change) */
	uint32_t off;		/**< key in the old-key arena (remove) */
	uint16_t len;
	uint8_t rec[FB_ENTRY_SIZE];	/**< the record in force */
	char kind;		/**< 'a'dd, 'c'hange, 'r'emove */
};

struct changes {
	struct change *v;
	size_t n, cap;
	uint8_t *keys;		/**< copies of removed keys */
	size_t used, kcap;
};

static int change_push(struct changes *cs, char kind, size_t item,
	const MDB_val *oldkey, const MDB_val *oldrec)
{
	struct change *c;
	if(!grow(&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v)))
		return 0;
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->item = item;
	if(oldrec)
		memcpy(c->rec, oldrec->mv_data, FB_ENTRY_SIZE);
	if(kind == 'r') {
		/* copied: a write may move the page the key lives on */
		size_t len = oldkey->mv_size - 2;
		if(!grow(&cs->keys, &cs->kcap, cs->used + len, 1))
			return 0;
		memcpy(cs->keys + cs->used, (uint8_t *)oldkey->mv_data + 2, len);
		c->off = (uint32_t)cs->used;
		c->len = (uint16_t)len;
		cs->used += len;
	}
	return 1;
}

/**
 * Merge the feed's entries in force (a range of bysource) with the new set
 * and list the differences.  Reads only; nothing is written here.
 */
static int diff_feed(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_nameset *ns, const struct fb_entry *tmpl,
	struct changes *cs, uint64_t *before)
{
	MDB_cursor *c;
	MDB_val k, d;
	uint8_t prefix[2];
	size_t i = 0;
	int rc;
	source_key(src, prefix);
	*before = 0;
	if((rc = mdb_cursor_open(txn, st->bysource, &c)) != 0)
		return rc;
	k.mv_data = prefix;
	k.mv_size = 2;
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	for(;;) {
		int in_old = rc == 0 && k.mv_size > 2 &&
			memcmp(k.mv_data, prefix, 2) == 0;
		int cmp;
		struct fb_entry old;
		if(rc && rc != MDB_NOTFOUND)
			break;
		if(!in_old && i >= ns->n) {
			rc = 0;
			break;
		}
		if(!in_old)
			cmp = 1;
		else if(i >= ns->n)
			cmp = -1;
		else {
			MDB_val ok = { k.mv_size - 2, (uint8_t *)k.mv_data + 2 };
			cmp = keycmp(&ok, ns->arena + ns->items[i].off,
				ns->items[i].len);
		}
		if(cmp > 0) {	/* only in the new set */
			if(!change_push(cs, 'a', i++, NULL, NULL))
				goto oom;
			continue;
		}
		if(d.mv_size != FB_ENTRY_SIZE) {
			rc = MDB_CORRUPTED;
			break;
		}
		(*before)++;
		if(cmp < 0) {	/* only in force */
			if(!change_push(cs, 'r', 0, &k, &d))
				goto oom;
		} else {
			struct fb_entry want = *tmpl;
			fb_entry_decode(d.mv_data, &old);
			want.scope = ns->items[i].scope;
			if(!entry_same(&old, &want) &&
			   !change_push(cs, 'c', i, NULL, &d))
				goto oom;
			i++;
		}
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return rc;
oom:
	mdb_cursor_close(c);
	return ENOMEM;
}

/** Write the listed differences. */
static int apply_changes(struct fb_store *st, MDB_txn *txn,
	const struct fb_nameset *ns, const struct fb_entry *tmpl,
	const struct changes *cs, struct fb_update_result *res)
{
	size_t i;
	int rc = 0;
	for(i = 0; i < cs->n && rc == 0; i++) {
		const struct change *c = &cs->v[i];
		struct fb_entry e = *tmpl;
		const uint8_t *key;
		size_t len;
		if(c->kind == 'r') {
			rc = del_entry(st, txn, cs->keys + c->off, c->len,
				c->rec);
			res->removed++;
			continue;
		}
		key = ns->arena + ns->items[c->item].off;
		len = ns->items[c->item].len;
		e.scope = ns->items[c->item].scope;
		if(c->kind == 'c') {
			struct fb_entry old;
			fb_entry_decode(c->rec, &old);
			e.first_seen = old.first_seen;
			if((rc = del_entry(st, txn, key, len, c->rec)) != 0)
				break;
			res->changed++;
		} else
			res->added++;
		rc = put_entry(st, txn, key, len, &e);
	}
	return rc;
}

enum fb_update_status fb_store_replace_feed(struct fb_store *st,
	const char *feed, const struct fb_nameset *ns, enum fb_action action,
	enum fb_category category, unsigned max_shrink, uint64_t invalid,
	int64_t now, struct fb_update_result *res, char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	struct fb_entry tmpl;
	struct changes cs;
	uint64_t before = 0, after = ns->n;
	int rc;
	memset(res, 0, sizeof(*res));
	memset(&cs, 0, sizeof(cs));
	if((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0) {
		lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	if((rc = find_source(st, txn, feed, 1, &info)) != 0) {
		mdb_txn_abort(txn);
		if(rc == MDB_NOTFOUND) {
			snprintf(err, errlen, "no source id left for feed %s",
				feed);
			return FB_UPDATE_STORE;
		}
		lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.source = info.id;
	tmpl.action = (uint8_t)action;
	tmpl.category = (uint8_t)category;
	tmpl.first_seen = (uint32_t)now;
	if((rc = diff_feed(st, txn, info.id, ns, &tmpl, &cs, &before)) != 0) {
		mdb_txn_abort(txn);
		free(cs.v);
		free(cs.keys);
		if(rc == ENOMEM) {
			snprintf(err, errlen, "out of memory");
			return FB_UPDATE_NOMEM;
		}
		lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	res->before = res->after = before;
	/* a truncated or emptied download must not wipe the list in force */
	if(max_shrink < 100 && before > 0 &&
	   after * 100 < before * (100 - max_shrink)) {
		mdb_txn_abort(txn);
		free(cs.v);
		free(cs.keys);
		snprintf(err, errlen, "refused: %llu names would replace %llu "
			"(more than max-shrink %u%% fewer); the list in force "
			"is kept", (unsigned long long)after,
			(unsigned long long)before, max_shrink);
		fb_store_feed_failed(st, feed, FB_UPDATE_SHRINK, err, now,
			NULL, 0);
		return FB_UPDATE_SHRINK;
	}
	rc = apply_changes(st, txn, ns, &tmpl, &cs, res);
	free(cs.v);
	free(cs.keys);
	if(rc == 0 && cs.n > 0)
		rc = bump_generation(st, txn, &res->generation);
	else if(rc == 0)
		rc = get_u64(txn, st->meta, "generation", &res->generation);
	if(rc == 0) {
		res->after = after;
		info.entries = after;
		info.invalid = invalid;
		info.last_attempt = info.last_success = now;
		if(cs.n > 0)
			info.last_change = now;
		info.last_status = 0;
		info.last_error[0] = 0;
		rc = put_source(txn, st->sources, &info);
	}
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if(rc) {
		lmdb_error(err, errlen, "update not written to", st->dir, rc);
		res->after = before;
		res->added = res->removed = res->changed = 0;
		fb_store_feed_failed(st, feed, FB_UPDATE_STORE, err, now,
			NULL, 0);
		return FB_UPDATE_STORE;
	}
	return FB_UPDATE_OK;
}

int fb_store_feed_failed(struct fb_store *st, const char *feed,
	int status, const char *why, int64_t now, char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if(rc == 0 && (rc = find_source(st, txn, feed, 1, &info)) == 0) {
		info.last_attempt = now;
		info.last_status = status ? status : -1;
		snprintf(info.last_error, sizeof(info.last_error), "%s", why);
		rc = put_source(txn, st->sources, &info);
	}
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else if(txn)
		mdb_txn_abort(txn);
	if(rc) {
		lmdb_error(err, errlen, "cannot record failure in", st->dir,
			rc);
		return 0;
	}
	return 1;
}

/** Read the record source src has for key, if any. @return 0, NOTFOUND. */
static int get_entry(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_key *key, uint8_t rec[FB_ENTRY_SIZE])
{
	uint8_t bk[2 + FB_KEY_MAX];
	MDB_val k, d;
	int rc;
	k.mv_data = bk;
	k.mv_size = bysource_key(src, key->data, key->len, bk);
	if((rc = mdb_get(txn, st->bysource, &k, &d)) != 0)
		return rc;
	if(d.mv_size != FB_ENTRY_SIZE)
		return MDB_CORRUPTED;
	memcpy(rec, d.mv_data, FB_ENTRY_SIZE);
	return 0;
}

/** Remove source src's record for key; count it in the source. */
static int manual_del(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_key *key, int *removed)
{
	uint8_t rec[FB_ENTRY_SIZE];
	struct fb_source_info info;
	int rc = get_entry(st, txn, src, key, rec);
	if(rc == MDB_NOTFOUND)
		return 0;
	if(rc || (rc = del_entry(st, txn, key->data, key->len, rec)) != 0)
		return rc;
	read_source(txn, st->sources, src, &info);
	if(info.entries)
		info.entries--;
	(*removed)++;
	return put_source(txn, st->sources, &info);
}

/** Commit a hand edit: bump the generation when changed. */
static int manual_commit(struct fb_store *st, MDB_txn *txn, int changed,
	int rc, char *err, size_t errlen)
{
	if(rc == 0 && changed)
		rc = bump_generation(st, txn, NULL);
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if(rc) {
		lmdb_error(err, errlen, "change not written to", st->dir, rc);
		return 0;
	}
	return 1;
}

int fb_store_manual_set(struct fb_store *st, const struct fb_key *key,
	uint8_t scope, enum fb_action action, int64_t now, char *err,
	size_t errlen)
{
	MDB_txn *txn;
	struct fb_entry e, old;
	struct fb_source_info info;
	uint8_t rec[FB_ENTRY_SIZE];
	uint16_t src = action == FB_ACTION_ALLOW ? FB_SOURCE_ALLOW :
		FB_SOURCE_BLOCK;
	int removed = 0, rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if(rc) {
		lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return -1;
	}
	memset(&e, 0, sizeof(e));
	e.source = src;
	e.scope = scope;
	e.action = (uint8_t)action;
	e.first_seen = (uint32_t)now;
	/* allow and block of the same name would contradict each other */
	rc = manual_del(st, txn, src == FB_SOURCE_ALLOW ? FB_SOURCE_BLOCK :
		FB_SOURCE_ALLOW, key, &removed);
	if(rc == 0)
		rc = get_entry(st, txn, src, key, rec);
	if(rc == 0) {
		fb_entry_decode(rec, &old);
		if(entry_same(&old, &e))
			return manual_commit(st, txn, removed, 0, err, errlen) ?
				removed : -1;
		e.first_seen = old.first_seen;
		rc = del_entry(st, txn, key->data, key->len, rec);
	} else if(rc == MDB_NOTFOUND) {
		read_source(txn, st->sources, src, &info);
		info.entries++;
		rc = put_source(txn, st->sources, &info);
	}
	if(rc == 0)
		rc = put_entry(st, txn, key->data, key->len, &e);
	return manual_commit(st, txn, 1, rc, err, errlen) ? 1 : -1;
}

int fb_store_manual_remove(struct fb_store *st, const struct fb_key *key,
	char *err, size_t errlen)
{
	MDB_txn *txn;
	int removed = 0, rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if(rc) {
		lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return -1;
	}
	rc = manual_del(st, txn, FB_SOURCE_ALLOW, key, &removed);
	if(rc == 0)
		rc = manual_del(st, txn, FB_SOURCE_BLOCK, key, &removed);
	return manual_commit(st, txn, removed, rc, err, errlen) ? removed : -1;
}
