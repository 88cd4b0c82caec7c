/**
 * \file
 * Read snapshots and matching (see fb_reader.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_store_int.h"
#include "fb_reader.h"
#include "fb_addr.h"
#include <sys/socket.h>

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
		fb_lmdb_error(err, errlen, "cannot read", st->dir, rc);
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

int fb_reader_begin(struct fb_reader *r, int *rcp)
{
	int rc = mdb_txn_renew(r->txn);
	if(rc == 0 && (rc = mdb_cursor_renew(r->txn, r->cur)) != 0)
		mdb_txn_reset(r->txn);
	if(rcp)
		*rcp = rc;
	if(rc == 0)
		return 0;
	return rc == MDB_MAP_RESIZED ? FB_READ_RESIZED : FB_READ_ERROR;
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

/**
 * The rule among the entries at the deciding level (the deepest name, the
 * longest prefix), given in source order: the first allow, else the first
 * block (lowest source id).
 * @param first: e is the first entry at a level more specific than win's.
 * @param e: an applicable entry at that level or at win's.
 * @param win: in/out: the winner so far.
 * @param allowed: in/out: win is an allow entry.
 */
static void rule_take(int first, const struct fb_entry *e,
	struct fb_entry *win, int *allowed)
{
	if(first) {
		*win = *e;
		*allowed = e->action == FB_ACTION_ALLOW;
	} else if(!*allowed && e->action == FB_ACTION_ALLOW) {
		*win = *e;
		*allowed = 1;
	}
}

int fb_match(struct fb_reader *r, const struct fb_qname *q,
	struct fb_verdict *v, fb_match_cb *cb, void *arg)
{
	MDB_val k = { 0, NULL }, d;
	int i, rc, have = 0, depth = 0, allowed = 0;
	struct fb_entry e, win;
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
				return rc;
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
				return MDB_CORRUPTED;
			fb_entry_decode(d.mv_data, &e);
			if(!(e.scope & (self ? FB_SCOPE_SELF : FB_SCOPE_BELOW)))
				continue;
			if(cb)
				cb(arg, q, i + 1, &e);
			/* the deepest entry wins; at its depth the first
			 * allow, else the first block (lowest source id) */
			rule_take(i + 1 > depth, &e, &win, &allowed);
			depth = i + 1;
		} while((rc = mdb_cursor_get(r->cur, &k, &d,
			MDB_NEXT_DUP)) == 0);
		if(rc != MDB_NOTFOUND)
			return rc;
		/* MDB_NEXT_DUP leaves k alone at the end of the duplicates;
		 * it still names this prefix, so the next one seeks */
	}
	if(depth) {
		v->kind = allowed ? FB_ALLOW : FB_BLOCK;
		v->entry = win;
		v->depth = depth;
	}
	return 0;
}

/**
 * Learn which short-tier prefix lengths (below the group length,
 * fb_addr.h) the snapshot holds, one seek per length present: the first
 * key at or after [family][FB_ADDR_SHORT][L] has the next length present.
 * Kept until a snapshot of another transaction id.
 * @return 0 or an LMDB error.
 */
static int addr_lengths(struct fb_reader *r)
{
	static const uint8_t fams[2] = { FB_ADDR_V4, FB_ADDR_V6 };
	size_t id = mdb_txn_id(r->txn);
	uint8_t probe[3];
	MDB_val k, d;
	int f, len, rc;

	if(r->lens_valid && r->lens_txn == id)
		return 0;
	r->lens4 = r->lens6 = 0;
	for(f = 0; f < 2; f++) {
		int g = fams[f] == FB_ADDR_V4 ? FB_ADDR_GROUP4 : FB_ADDR_GROUP6;
		uint64_t *lens = fams[f] == FB_ADDR_V4 ? &r->lens4 : &r->lens6;
		for(len = 0; len < g; ) {
			const uint8_t *kb;
			probe[0] = fams[f];
			probe[1] = FB_ADDR_SHORT;
			probe[2] = (uint8_t)len;
			k.mv_data = probe;
			k.mv_size = sizeof(probe);
			rc = mdb_cursor_get(r->cur, &k, &d, MDB_SET_RANGE);
			if(rc == MDB_NOTFOUND)
				break;
			if(rc)
				return rc;
			kb = k.mv_data;
			/* past the short tier (the long one, names, ...) */
			if(k.mv_size < 3 || kb[0] != fams[f] ||
			   kb[1] != FB_ADDR_SHORT || kb[2] >= g)
				break;
			*lens |= (uint64_t)1 << kb[2];
			len = kb[2] + 1;
		}
	}
	r->lens_txn = id;
	r->lens_valid = 1;
	return 0;
}

/**
 * The entries of the key the cursor sits on, in source order: each goes
 * to cb, and, unless a longer length decided already (lengths come
 * longest first), to the rule: the first allow, else the first block.
 * @param found: in/out: the deciding length so far, -1 for none.
 * @return 0 or an LMDB error.
 */
static int addr_entries(struct fb_reader *r, MDB_val *k, MDB_val *d,
	int len, fb_match_cb *cb, void *arg, int *found,
	struct fb_entry *win, int *allowed)
{
	struct fb_entry e;
	int rc;
	do {
		if(d->mv_size != FB_ENTRY_SIZE)
			return MDB_CORRUPTED;
		fb_entry_decode(d->mv_data, &e);
		if(cb)
			cb(arg, NULL, len, &e);
		if(*found < 0 || *found == len) {
			rule_take(*found < 0, &e, win, allowed);
			*found = len;
		}
	} while((rc = mdb_cursor_get(r->cur, k, d, MDB_NEXT_DUP)) == 0);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/**
 * The long tier (fb_addr.h): every prefix of length >= the group length
 * holding the address lies in its group, sorted longest first.  Seek the
 * address's key at the longest length; the first key at or after it is
 * that key (a hit), or the next one of the group, or outside the group
 * (a miss: that one seek).  Each later seek, of the address's key at the
 * next candidate length, lands on it or on the first key after it, whose
 * length is the next present.  The seeks stay in the group's few leaf
 * pages, and the first hit decides.
 * @param cb, arg: as fb_match_addr; without cb the first hit ends it.
 * @param found, win, allowed: as addr_entries.
 * @return 0 or an LMDB error.
 */
static int addr_long(struct fb_reader *r, int family, const uint8_t *addr,
	fb_match_cb *cb, void *arg, int *found, struct fb_entry *win,
	int *allowed)
{
	struct fb_key probe;
	MDB_val k, d;
	const uint8_t *kb;
	int g = family == AF_INET ? FB_ADDR_GROUP4 : FB_ADDR_GROUP6;
	int max = family == AF_INET ? 32 : 128, len = max, at, rc;
	size_t gb = (size_t)g / 8;

	while(len >= g) {
		fb_addr_key(family, addr, len, &probe);
		k.mv_data = probe.data;
		k.mv_size = probe.len;
		rc = mdb_cursor_get(r->cur, &k, &d, MDB_SET_RANGE);
		if(rc == MDB_NOTFOUND)
			return 0;
		if(rc)
			return rc;
		kb = k.mv_data;
		/* left the group (a key of another shape: verify says) */
		if(k.mv_size != probe.len || memcmp(kb, probe.data, 2 + gb))
			return 0;
		at = max - kb[2 + gb];
		if(at < len) {
			/* the first key of length at in the group: the
			 * address's own, or the next seek is at that length */
			len = at;
			if(len < g)
				return 0;
			fb_addr_key(family, addr, len, &probe);
			if(memcmp(kb, probe.data, probe.len) != 0)
				continue;
		} else if(memcmp(kb, probe.data, probe.len) != 0) {
			len--;
			continue;
		}
		if((rc = addr_entries(r, &k, &d, len, cb, arg, found, win,
			allowed)) != 0 || !cb)
			return rc;
		len--;
	}
	return 0;
}

/**
 * Seek the address's key at one length.
 * @return 0 (k, d on it), MDB_NOTFOUND, or an LMDB error.
 */
static int addr_seek(struct fb_reader *r, int family, const uint8_t *addr,
	int len, MDB_val *k, MDB_val *d)
{
	struct fb_key probe;
	fb_addr_key(family, addr, len, &probe);
	k->mv_data = probe.data;
	k->mv_size = probe.len;
	return mdb_cursor_get(r->cur, k, d, MDB_SET_KEY);
}

int fb_match_addr(struct fb_reader *r, int family, const uint8_t *addr,
	struct fb_verdict *v, fb_match_cb *cb, void *arg)
{
	MDB_val k, d;
	struct fb_entry win;
	int len, g, rc, found = -1, allowed = 0;
	uint64_t lens;

	memset(v, 0, sizeof(*v));
	if(family != AF_INET && family != AF_INET6)
		return 0;
	if((rc = addr_lengths(r)) != 0 ||
	   (rc = addr_long(r, family, addr, cb, arg, &found, &win,
	   &allowed)) != 0)
		return rc;
	/* the short tier: only the admin lists such prefixes (usually
	 * none); a long hit decides unless cb wants every entry */
	g = family == AF_INET ? FB_ADDR_GROUP4 : FB_ADDR_GROUP6;
	lens = family == AF_INET ? r->lens4 : r->lens6;
	for(len = g - 1; len >= 0 && (found < 0 || cb); len--) {
		if(!((lens >> len) & 1))
			continue;
		rc = addr_seek(r, family, addr, len, &k, &d);
		if(rc == MDB_NOTFOUND)
			continue;
		if(rc || (rc = addr_entries(r, &k, &d, len, cb, arg, &found,
			&win, &allowed)) != 0)
			return rc;
	}
	if(found >= 0) {
		v->kind = allowed ? FB_ALLOW : FB_BLOCK;
		v->entry = win;
		v->depth = found;
	}
	return 0;
}

uint64_t fb_reader_txnid(struct fb_reader *r)
{
	return (uint64_t)mdb_txn_id(r->txn);
}

int fb_reader_generation(struct fb_reader *r, uint64_t *gen)
{
	return fb_meta_generation(r->st, r->txn, gen) == 0;
}

int fb_reader_store_id(struct fb_reader *r, uint8_t id[FB_STORE_ID_LEN])
{
	int rc = fb_meta_store_id(r->st, r->txn, id);
	return rc == 0 || rc == MDB_NOTFOUND;
}

int fb_reader_source(struct fb_reader *r, uint16_t id,
	struct fb_source_info *info)
{
	return fb_source_get(r->st, r->txn, id, info) == 0;
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
		if(k.mv_size != 2 ||
		   fb_source_get(r->st, r->txn, fb_get_be16(k.mv_data),
		   &info) != 0)
			continue;
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
	int rc;
	memset(s, 0, sizeof(*s));
	if(mdb_stat(r->txn, r->st->names, &ms) != 0 ||
	   mdb_env_info(r->st->env, &ei) != 0 ||
	   !fb_reader_generation(r, &s->generation))
		return 0;
	s->records = ms.ms_entries;
	s->schema = r->st->schema;
	s->map_size = ei.me_mapsize;
	if(mdb_env_stat(r->st->env, &ms) != 0)
		return 0;
	s->file_bytes = (uint64_t)(ei.me_last_pgno + 1) * ms.ms_psize;
	if(mdb_cursor_open(r->txn, r->st->names, &c) != 0)
		return 0;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT_NODUP)) == 0) {
		if(fb_key_is_addr(k.mv_data, k.mv_size))
			s->addresses++;
		else
			s->names++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND;
}
