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
 * Learn which address prefix lengths the snapshot holds, one seek per
 * length present: the first key at or after [family][L] has the next
 * length present.  Kept until a snapshot of another transaction id.
 * @return 0 or an LMDB error.
 */
static int addr_lengths(struct fb_reader *r)
{
	static const uint8_t fams[2] = { FB_ADDR_V4, FB_ADDR_V6 };
	size_t id = mdb_txn_id(r->txn);
	uint8_t probe[2];
	MDB_val k, d;
	int f, len, rc;

	if(r->lens_valid && r->lens_txn == id)
		return 0;
	r->lens4 = 0;
	memset(r->lens6, 0, sizeof(r->lens6));
	for(f = 0; f < 2; f++) {
		int max = fams[f] == FB_ADDR_V4 ? 32 : 128;
		for(len = 0; len <= max; ) {
			const uint8_t *kb;
			probe[0] = fams[f];
			probe[1] = (uint8_t)len;
			k.mv_data = probe;
			k.mv_size = 2;
			rc = mdb_cursor_get(r->cur, &k, &d, MDB_SET_RANGE);
			if(rc == MDB_NOTFOUND)
				break;
			if(rc)
				return rc;
			kb = k.mv_data;
			/* past the family (names, or the other family) */
			if(k.mv_size < 2 || kb[0] != fams[f] || kb[1] > max)
				break;
			if(fams[f] == FB_ADDR_V4)
				r->lens4 |= (uint64_t)1 << kb[1];
			else
				r->lens6[kb[1] / 64] |= (uint64_t)1 << (kb[1] % 64);
			len = kb[1] + 1;
		}
	}
	r->lens_txn = id;
	r->lens_valid = 1;
	return 0;
}

int fb_match_addr(struct fb_reader *r, int family, const uint8_t *addr,
	struct fb_verdict *v, fb_match_cb *cb, void *arg)
{
	struct fb_key probe;
	MDB_val k, d;
	struct fb_entry e, win;
	int len, max, rc, found = -1, allowed = 0;

	memset(v, 0, sizeof(*v));
	if(family != AF_INET && family != AF_INET6)
		return 0;
	if((rc = addr_lengths(r)) != 0)
		return rc;
	max = family == AF_INET ? 32 : 128;
	for(len = max; len >= 0; len--) {
		int present = family == AF_INET ?
			(int)((r->lens4 >> len) & 1) :
			(int)((r->lens6[len / 64] >> (len % 64)) & 1);
		if(!present)
			continue;
		fb_addr_key(family, addr, len, &probe);
		k.mv_data = probe.data;
		k.mv_size = probe.len;
		rc = mdb_cursor_get(r->cur, &k, &d, MDB_SET_KEY);
		if(rc == MDB_NOTFOUND)
			continue;
		if(rc)
			return rc;
		/* records at this prefix, in source order: the first allow,
		 * else the first block, decides -- if no longer one did */
		do {
			if(d.mv_size != FB_ENTRY_SIZE)
				return MDB_CORRUPTED;
			fb_entry_decode(d.mv_data, &e);
			if(cb)
				cb(arg, NULL, len, &e);
			/* longest first: the first length found decides */
			if(found < 0 || found == len) {
				rule_take(found < 0, &e, &win, &allowed);
				found = len;
			}
		} while((rc = mdb_cursor_get(r->cur, &k, &d,
			MDB_NEXT_DUP)) == 0);
		if(rc != MDB_NOTFOUND)
			return rc;
		if(!cb)
			break;
	}
	if(found >= 0) {
		v->kind = allowed ? FB_ALLOW : FB_BLOCK;
		v->entry = win;
		v->depth = found;
	}
	return 0;
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
