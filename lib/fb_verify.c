/**
 * \file
 * Verification of the store (see fb_admin.h): table walks in one read
 * snapshot.  meta and sources first (source records are needed to judge
 * the entries), then every names record and its bysource twin looked up
 * by key, then every bysource record and its names twin looked up with
 * MDB_GET_BOTH: two B-tree lookups a record (a store of a million names
 * took 0.6 s on a 2-core test machine), then for each feed whose chunk
 * index is in force one more walk of its entries, cutting them into
 * chunks as an update does and comparing each with its record.  Records
 * are counted per source id in arrays of 65536 (1.6 MB), never per name.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_chunk.h"
#include "fb_store_int.h"
#include "fb_addr.h"
#include "fb_admin.h"

static const char *const kind_words[FB_VERIFY_NKINDS] = {
	"meta", "record", "key", "twin", "source", "count", "lmdb", "chunk"
};

const char *fb_verify_kind_name(enum fb_verify_kind kind)
{
	return (unsigned)kind < FB_VERIFY_NKINDS ? kind_words[kind] : "?";
}

/** State of one verification walk. */
struct vwalk {
	struct fb_store *st;
	MDB_txn *txn;
	fb_verify_cb *cb;
	void *arg;
	struct fb_verify_result *res;
	uint64_t *in_names;	/**< records in names per source id */
	uint64_t *in_bysource;	/**< records in bysource per source id */
	uint64_t *claimed;	/**< entries per source record */
	uint8_t *known;		/**< a source record exists */
	uint8_t *chunked;	/**< its chunk index is in force */
};

/** Count a problem; tell the first few. */
static void problem(struct vwalk *w, enum fb_verify_kind kind,
	const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	w->res->problems++;
	if(w->res->kind[kind]++ >= FB_VERIFY_SHOW || !w->cb)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	w->cb(w->arg, kind, buf);
}

/** A key as printable ASCII (bytes outside it as \xNN), cut at 120;
 * an address key as its address ("192.0.2.0/24"). */
static const char *key_text(const void *key, size_t len, char *buf,
	size_t buflen)
{
	const uint8_t *k = key;
	size_t i, n = 0;
	if(fb_addr_format(k, len, buf, buflen))
		return buf;
	for(i = 0; i < len && n + 5 < buflen && n < 120; i++) {
		if(k[i] >= 0x21 && k[i] < 0x7f && k[i] != '\\')
			buf[n++] = (char)k[i];
		else
			n += (size_t)snprintf(buf + n, buflen - n, "\\x%02x",
				k[i]);
	}
	if(i < len && n + 4 < buflen) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

/** @return NULL if key is one a name or an address (fb_addr.h) can
 * have, else why not. */
static const char *bad_key(const uint8_t *k, size_t len)
{
	size_t i, label = 0;
	if(len == 0)
		return "empty key";
	/* below every byte a name key starts with: the address space */
	if(k[0] < '-')
		return fb_key_is_addr(k, len) ? NULL :
			"malformed address key";
	if(len > FB_KEY_MAX)
		return "longer than the longest name";
	if(k[len - 1] != '.')
		return "not ended by '.'";
	for(i = 0; i < len; i++) {
		if(k[i] == '.') {
			if(label == 0)
				return "empty label";
			label = 0;
			continue;
		}
		/* stored keys are already folded: the map is the identity */
		if(fb_name_map[k[i]] != k[i] || k[i] == 0)
			return "byte outside [a-z0-9_-]";
		if(++label > 63)
			return "label over 63 bytes";
	}
	return NULL;
}

/** @return NULL if rec is a valid entry record, else why not. */
static const char *bad_record(const MDB_val *d, char *buf, size_t buflen)
{
	const uint8_t *r = d->mv_data;
	struct fb_entry e;
	if(d->mv_size != FB_ENTRY_SIZE) {
		snprintf(buf, buflen, "record of %zu bytes, not %d",
			d->mv_size, FB_ENTRY_SIZE);
		return buf;
	}
	fb_entry_decode(r, &e);
	if(e.scope == 0 || (e.scope & ~FB_SCOPE_TREE))
		snprintf(buf, buflen, "scope 0x%02x", (unsigned)e.scope);
	else if(e.action > FB_ACTION_ALLOW)
		snprintf(buf, buflen, "action %u", (unsigned)e.action);
	else if(e.category > FB_CATEGORY_OTHER)
		snprintf(buf, buflen, "category %u", (unsigned)e.category);
	else if(r[5] || r[6] || r[7])
		snprintf(buf, buflen, "reserved bytes not zero");
	/* manual-allow holds allows only, manual-block never one; a feed
	 * may hold both (action: allow, an RPZ zone's rpz-passthru) */
	else if((e.source == FB_SOURCE_ALLOW &&
		e.action != FB_ACTION_ALLOW) ||
		(e.source == FB_SOURCE_BLOCK && e.action == FB_ACTION_ALLOW))
		snprintf(buf, buflen, "action %s in source %u",
			fb_action_name((enum fb_action)e.action),
			(unsigned)e.source);
	else
		return NULL;
	return buf;
}

/** LMDB codes that mean a damaged file rather than a failed walk. */
static int damage(int rc)
{
	return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ||
		rc == MDB_BAD_VALSIZE || rc == MDB_INCOMPATIBLE;
}

/** End a table walk: damage is a problem, other errors fail. */
static int walk_end(struct vwalk *w, const char *table, int rc)
{
	if(rc == MDB_NOTFOUND || rc == 0)
		return 0;
	if(damage(rc)) {
		problem(w, FB_VERIFY_TREE, "table %s: %s; the rest of it was "
			"not checked", table, mdb_strerror(rc));
		return 0;
	}
	return rc;
}

static int verify_meta(struct vwalk *w)
{
	MDB_val key = { 6, "schema" }, val;
	int rc = mdb_get(w->txn, w->st->meta, &key, &val);
	if(rc == MDB_NOTFOUND)
		problem(w, FB_VERIFY_META, "no schema record");
	else if(rc == 0 && val.mv_size != 4)
		problem(w, FB_VERIFY_META, "schema record of %zu bytes, not 4",
			val.mv_size);
	else if(rc == 0) {
		const uint8_t *b = val.mv_data;
		uint32_t be = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			(uint32_t)b[2] << 8 | b[3], host;
		memcpy(&host, b, 4);
		if((host == 1 ? 1 : be) != w->st->schema)
			problem(w, FB_VERIFY_META, "schema %u, but %u when "
				"opened (upgraded meanwhile? verify again)",
				(unsigned)(host == 1 ? 1 : be),
				(unsigned)w->st->schema);
	} else if(!damage(rc))
		return rc;
	else
		problem(w, FB_VERIFY_TREE, "table meta: %s", mdb_strerror(rc));
	rc = fb_meta_generation(w->st, w->txn, &w->res->generation);
	if(rc == MDB_NOTFOUND)
		problem(w, FB_VERIFY_META, "no generation record");
	else if(rc == MDB_CORRUPTED)
		problem(w, FB_VERIFY_META, "generation record not 8 bytes");
	else if(rc && !damage(rc))
		return rc;
	else if(rc)
		problem(w, FB_VERIFY_TREE, "table meta: %s", mdb_strerror(rc));
	return 0;
}

/** A source name and id, for finding names used twice. */
struct src_name {
	char name[FB_SOURCE_NAME_MAX];
	uint16_t id;
};

static int src_name_cmp(const void *a, const void *b)
{
	const struct src_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->id < y->id ? -1 : x->id > y->id);
}

static int verify_sources(struct vwalk *w)
{
	MDB_cursor *c;
	MDB_val k, d;
	struct fb_source_info info;
	struct src_name *names = NULL;
	size_t n = 0, cap = 0, i;
	char kt[512];
	int rc;
	if((rc = mdb_cursor_open(w->txn, w->st->sources, &c)) != 0)
		return rc;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		uint16_t id;
		int grc;
		w->res->sources++;
		if(k.mv_size != 2) {
			problem(w, FB_VERIFY_SOURCE, "source key %s of %zu "
				"bytes, not 2", key_text(k.mv_data, k.mv_size,
				kt, sizeof(kt)), k.mv_size);
			continue;
		}
		id = fb_get_be16(k.mv_data);
		grc = fb_source_get(w->st, w->txn, id, &info);
		if(grc == MDB_CORRUPTED) {
			problem(w, FB_VERIFY_SOURCE, "source %u: record of %zu "
				"bytes does not decode", (unsigned)id,
				d.mv_size);
			continue;
		}
		if(grc) {
			rc = grc;
			break;
		}
		w->known[id] = 1;
		w->claimed[id] = info.entries;
		w->chunked[id] = info.chunks == FB_CHUNK_SCHEME;
		if(n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct src_name *nn = realloc(names,
				ncap * sizeof(*nn));
			if(!nn) {
				rc = ENOMEM;
				break;
			}
			names = nn;
			cap = ncap;
		}
		memcpy(names[n].name, info.name, sizeof(names[n].name));
		names[n].id = id;
		n++;
	}
	mdb_cursor_close(c);
	if(rc == MDB_NOTFOUND && n > 1) {
		/* fb_source_find takes the first: the other is lost */
		qsort(names, n, sizeof(*names), src_name_cmp);
		for(i = 1; i < n; i++)
			if(strcmp(names[i].name, names[i - 1].name) == 0)
				problem(w, FB_VERIFY_SOURCE, "sources %u and "
					"%u are both named %s",
					(unsigned)names[i - 1].id,
					(unsigned)names[i].id, names[i].name);
	}
	free(names);
	return walk_end(w, "sources", rc);
}

/** Check one names record and its bysource twin. */
static int verify_name_record(struct vwalk *w, const MDB_val *k,
	const MDB_val *d)
{
	uint8_t bk[2 + FB_KEY_MAX];
	MDB_val bkv, tw;
	char kt[512], why[96];
	const char *bad;
	uint16_t src;
	int rc;
	w->res->records++;
	if((bad = bad_record(d, why, sizeof(why))) != NULL) {
		problem(w, FB_VERIFY_RECORD, "name %s: %s", key_text(k->mv_data,
			k->mv_size, kt, sizeof(kt)), bad);
		if(d->mv_size != FB_ENTRY_SIZE)
			return 0;
	}
	src = fb_get_be16(d->mv_data);
	w->in_names[src]++;
	if(k->mv_size > FB_KEY_MAX)
		return 0;
	bkv.mv_data = bk;
	bkv.mv_size = fb_bysource_key(src, k->mv_data, k->mv_size, bk);
	rc = mdb_get(w->txn, w->st->bysource, &bkv, &tw);
	if(rc == MDB_NOTFOUND)
		problem(w, FB_VERIFY_TWIN, "name %s: the record of source %u "
			"is missing from bysource", key_text(k->mv_data,
			k->mv_size, kt, sizeof(kt)), (unsigned)src);
	else if(rc == 0 && (tw.mv_size != FB_ENTRY_SIZE ||
	   memcmp(tw.mv_data, d->mv_data, FB_ENTRY_SIZE) != 0))
		problem(w, FB_VERIFY_TWIN, "name %s: the record of source %u "
			"differs in bysource", key_text(k->mv_data, k->mv_size,
			kt, sizeof(kt)), (unsigned)src);
	else if(rc)
		return rc;
	return 0;
}

static int verify_names(struct vwalk *w)
{
	MDB_cursor *c;
	MDB_val k, d;
	char kt[512];
	const char *bad;
	int rc;
	if((rc = mdb_cursor_open(w->txn, w->st->names, &c)) != 0)
		return rc;
	rc = mdb_cursor_get(c, &k, &d, MDB_FIRST);
	while(rc == 0) {
		w->res->keys++;
		if((bad = bad_key(k.mv_data, k.mv_size)) != NULL)
			problem(w, FB_VERIFY_KEY, "name %s: %s",
				key_text(k.mv_data, k.mv_size, kt, sizeof(kt)),
				bad);
		/* every record of this key, then the next key */
		do {
			if((rc = verify_name_record(w, &k, &d)) != 0)
				break;
		} while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_DUP)) == 0);
		if(rc != MDB_NOTFOUND)
			break;
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP);
	}
	mdb_cursor_close(c);
	return walk_end(w, "names", rc);
}

static int verify_bysource(struct vwalk *w)
{
	MDB_cursor *c, *nc;
	MDB_val k, d, nk, nd;
	char kt[512];
	int rc, trc = 0;
	if((rc = mdb_cursor_open(w->txn, w->st->bysource, &c)) != 0)
		return rc;
	if((rc = mdb_cursor_open(w->txn, w->st->names, &nc)) != 0) {
		mdb_cursor_close(c);
		return rc;
	}
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		uint16_t src;
		w->res->bysource++;
		if(k.mv_size < 3 || d.mv_size != FB_ENTRY_SIZE) {
			problem(w, FB_VERIFY_TWIN, "bysource key %s: a key of "
				"%zu and a record of %zu bytes",
				key_text(k.mv_data, k.mv_size, kt, sizeof(kt)),
				k.mv_size, d.mv_size);
			continue;
		}
		src = fb_get_be16(k.mv_data);
		w->in_bysource[src]++;
		if(fb_get_be16(d.mv_data) != src) {
			problem(w, FB_VERIFY_TWIN, "bysource %u/%s holds a "
				"record of source %u", (unsigned)src,
				key_text((uint8_t *)k.mv_data + 2,
				k.mv_size - 2, kt, sizeof(kt)),
				(unsigned)fb_get_be16(d.mv_data));
			continue;
		}
		/* the names record with exactly these bytes */
		nk.mv_data = (uint8_t *)k.mv_data + 2;
		nk.mv_size = k.mv_size - 2;
		nd = d;
		trc = mdb_cursor_get(nc, &nk, &nd, MDB_GET_BOTH);
		if(trc == MDB_NOTFOUND)
			problem(w, FB_VERIFY_TWIN, "bysource %u/%s: no such "
				"record in names", (unsigned)src,
				key_text((uint8_t *)k.mv_data + 2,
				k.mv_size - 2, kt, sizeof(kt)));
		else if(trc) {
			rc = trc;
			break;
		}
	}
	mdb_cursor_close(nc);
	mdb_cursor_close(c);
	return walk_end(w, "bysource", rc);
}

/** Every source used has a record; every count matches. */
static void verify_counts(struct vwalk *w)
{
	struct fb_source_info info;
	uint32_t id;
	for(id = 0; id <= 0xffff; id++) {
		uint64_t used = w->in_bysource[id] > w->in_names[id] ?
			w->in_bysource[id] : w->in_names[id];
		if(!w->known[id]) {
			if(used)
				problem(w, FB_VERIFY_SOURCE, "source %u has "
					"%llu records but no source record",
					(unsigned)id, (unsigned long long)used);
			continue;
		}
		if(w->claimed[id] == w->in_bysource[id])
			continue;
		fb_source_get(w->st, w->txn, (uint16_t)id, &info);
		problem(w, FB_VERIFY_COUNT, "source %s (%u) says %llu entries, "
			"bysource holds %llu", info.name, (unsigned)id,
			(unsigned long long)w->claimed[id],
			(unsigned long long)w->in_bysource[id]);
	}
}

/** The next chunk record of source src from cursor c (MDB_SET_RANGE
 * first, then MDB_NEXT).  @return 0, MDB_NOTFOUND past its last, or an
 * LMDB error. */
static int next_chunk(MDB_cursor *c, uint16_t src, int *first, MDB_val *k,
	MDB_val *d)
{
	uint8_t prefix[2];
	int rc;
	fb_put_be16(prefix, src);
	if(*first) {
		k->mv_data = prefix;
		k->mv_size = 2;
	}
	rc = mdb_cursor_get(c, k, d, *first ? MDB_SET_RANGE : MDB_NEXT);
	*first = 0;
	if(rc == 0 && (k->mv_size < 2 || memcmp(k->mv_data, prefix, 2) != 0))
		rc = MDB_NOTFOUND;
	return rc;
}

/**
 * Cut the feed's entries into chunks as an update does and compare each
 * with the next chunk record.  The first disagreement is told; the rest
 * of that feed's index is not checked (one fault shifts every record).
 * @return 0 or an LMDB error.
 */
static int verify_feed_chunks(struct vwalk *w, MDB_cursor *bc,
	MDB_cursor *cc, uint16_t src)
{
	struct fb_chunk_acc acc, rec;
	struct fb_source_info info;
	MDB_val k, d, ck, cd;
	uint8_t prefix[2];
	char kt[512];
	const char *why = NULL;
	int rc, crc, first = 1;
	size_t len = 0;
	const uint8_t *key = NULL;
	fb_put_be16(prefix, src);
	fb_chunk_acc_init(&acc);
	k.mv_data = prefix;
	k.mv_size = 2;
	for(rc = mdb_cursor_get(bc, &k, &d, MDB_SET_RANGE); rc == 0 && !why;
	    rc = mdb_cursor_get(bc, &k, &d, MDB_NEXT)) {
		struct fb_entry e;
		if(k.mv_size < 3 || memcmp(k.mv_data, prefix, 2) != 0)
			break;
		if(d.mv_size != FB_ENTRY_SIZE)
			continue;	/* told by verify_bysource */
		fb_entry_decode(d.mv_data, &e);
		key = (const uint8_t *)k.mv_data + 2;
		len = k.mv_size - 2;
		if(!fb_chunk_acc_add(&acc, fb_chunk_keyhash(key, len), &e))
			continue;
		crc = next_chunk(cc, src, &first, &ck, &cd);
		if(crc && crc != MDB_NOTFOUND)
			return crc;
		if(crc)
			why = "has no record";
		else if(ck.mv_size != k.mv_size ||
		   memcmp(ck.mv_data, k.mv_data, k.mv_size) != 0)
			why = "has no record (another key ends a chunk there)";
		else if(!fb_chunk_val_decode(cd.mv_data, cd.mv_size, &rec) ||
		   rec.hash != acc.hash || rec.count != acc.count)
			why = "has a record that disagrees";
		fb_chunk_acc_init(&acc);
	}
	if(rc && rc != MDB_NOTFOUND)
		return damage(rc) ? 0 : rc;	/* told by verify_bysource */
	if(!why && acc.count > 0) {
		key = NULL;
		crc = next_chunk(cc, src, &first, &ck, &cd);
		if(crc && crc != MDB_NOTFOUND)
			return crc;
		if(crc || ck.mv_size != 3 ||
		   ((uint8_t *)ck.mv_data)[2] != FB_CHUNK_TAIL)
			why = "has no record";
		else if(!fb_chunk_val_decode(cd.mv_data, cd.mv_size, &rec) ||
		   rec.hash != acc.hash || rec.count != acc.count)
			why = "has a record that disagrees";
	}
	if(!why) {
		crc = next_chunk(cc, src, &first, &ck, &cd);
		if(crc == 0) {
			key = (const uint8_t *)ck.mv_data + 2;
			len = ck.mv_size - 2;
			why = "is recorded but no chunk ends there";
		} else if(crc != MDB_NOTFOUND)
			return crc;
	}
	if(why) {
		fb_source_get(w->st, w->txn, src, &info);
		problem(w, FB_VERIFY_CHUNK, "feed %s (%u): the chunk ending at "
			"%s %s; its chunk index is wrong (fraudblock-ctl "
			"compact does not mend it: remove the feed and sync "
			"it anew)", info.name, (unsigned)src,
			key ? key_text(key, len, kt, sizeof(kt)) : "the end",
			why);
	}
	return 0;
}

/** The chunk index of every feed that has one in force. */
static int verify_chunks(struct vwalk *w)
{
	MDB_cursor *bc, *cc;
	MDB_stat ms;
	uint32_t id;
	int rc;
	if(!w->st->has_chunks)
		return 0;
	if((rc = mdb_stat(w->txn, w->st->chunks, &ms)) != 0)
		return walk_end(w, "chunks", rc);
	w->res->chunks = ms.ms_entries;
	if((rc = mdb_cursor_open(w->txn, w->st->bysource, &bc)) != 0)
		return rc;
	if((rc = mdb_cursor_open(w->txn, w->st->chunks, &cc)) != 0) {
		mdb_cursor_close(bc);
		return rc;
	}
	for(id = 0; id <= 0xffff && rc == 0; id++) {
		if(!w->chunked[id])
			continue;
		w->res->chunked++;
		rc = verify_feed_chunks(w, bc, cc, (uint16_t)id);
	}
	mdb_cursor_close(cc);
	mdb_cursor_close(bc);
	return walk_end(w, "chunks", rc);
}

int fb_store_verify(struct fb_store *st, fb_verify_cb *cb, void *arg,
	struct fb_verify_result *res, char *err, size_t errlen)
{
	struct vwalk w;
	int rc;
	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.cb = cb;
	w.arg = arg;
	w.res = res;
	w.in_names = calloc(65536, sizeof(uint64_t));
	w.in_bysource = calloc(65536, sizeof(uint64_t));
	w.claimed = calloc(65536, sizeof(uint64_t));
	w.known = calloc(65536, 1);
	w.chunked = calloc(65536, 1);
	if(!w.in_names || !w.in_bysource || !w.claimed || !w.known ||
	   !w.chunked) {
		rc = ENOMEM;
		goto out;
	}
	/* one snapshot for every table: the twins are compared as of
	 * one commit */
	if((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &w.txn)) != 0)
		goto out;
	if((rc = verify_meta(&w)) == 0 && (rc = verify_sources(&w)) == 0 &&
	   (rc = verify_names(&w)) == 0 && (rc = verify_bysource(&w)) == 0 &&
	   (rc = verify_chunks(&w)) == 0)
		verify_counts(&w);
	mdb_txn_abort(w.txn);
out:
	free(w.in_names);
	free(w.in_bysource);
	free(w.claimed);
	free(w.known);
	free(w.chunked);
	if(rc) {
		if(rc == ENOMEM)
			snprintf(err, errlen, "out of memory");
		else
			fb_lmdb_error(err, errlen, "cannot verify", st->dir,
				rc);
		return -1;
	}
	return res->problems == 0;
}
