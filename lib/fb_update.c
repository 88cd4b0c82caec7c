/**
 * \file
 * Feed updates (see fb_update.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_chunk.h"
#include "fb_store_int.h"
#include "fb_update.h"

/** LMDB's default key order: bytes, then length. */
static int keycmp(const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if(c)
		return c;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/**
 * The entry the i-th key of ns gets: tmpl (the feed's listing) with the
 * key's scope, and its own action and category where it has them.
 * @return the key bytes (length in *len).
 */
static const uint8_t *item_entry(const struct fb_nameset *ns, size_t i,
	const struct fb_entry *tmpl, struct fb_entry *e, size_t *len)
{
	enum fb_action a;
	enum fb_category c;
	const uint8_t *key;
	*e = *tmpl;
	key = fb_nameset_get(ns, i, len, &e->scope);
	fb_nameset_listing(ns, i, &a, &c);
	if(a != FB_ACTION_DEFAULT)
		e->action = (uint8_t)a;
	if(c != FB_CATEGORY_UNSPECIFIED)
		e->category = (uint8_t)c;
	return key;
}

/** One difference between a feed's entries in force and its new set. */
struct change {
	size_t item;		/**< nameset index (add, change) */
	size_t count;		/**< adds: items [item, item + count) */
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

static void changes_free(struct changes *cs)
{
	free(cs->v);
	free(cs->keys);
}

/** @return 0, ENOMEM, or MDB_CORRUPTED for a key no name can have. */
static int change_push(struct changes *cs, char kind, size_t item,
	const MDB_val *oldkey, const MDB_val *oldrec)
{
	struct change *c = cs->n ? &cs->v[cs->n - 1] : NULL;
	/* adds of items in a row are one run: an import is one change */
	if(kind == 'a' && c && c->kind == 'a' && c->item + c->count == item) {
		c->count++;
		return 0;
	}
	if(!fb_grow(&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v)))
		return ENOMEM;
	c = &cs->v[cs->n];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->item = item;
	c->count = 1;
	if(oldrec)
		memcpy(c->rec, oldrec->mv_data, FB_ENTRY_SIZE);
	if(kind == 'r') {
		/* copied: a write may move the page the key lives on.  The
		 * length comes from the file: a foreign or damaged store
		 * must not overflow a key buffer later */
		size_t len = oldkey->mv_size - 2;
		if(len > FB_KEY_MAX)
			return MDB_CORRUPTED;
		if(!fb_grow(&cs->keys, &cs->kcap, cs->used + len, 1))
			return ENOMEM;
		memcpy(cs->keys + cs->used, (uint8_t *)oldkey->mv_data + 2, len);
		c->off = (uint32_t)cs->used;
		c->len = (uint16_t)len;
		cs->used += len;
	}
	cs->n++;
	return 0;
}

/** A chunk of the new set: items [first, first + acc.count); it ends at
 * its last key, or is the tail chunk (fb_chunk.h). */
struct nchunk {
	size_t first;
	struct fb_chunk_acc acc;
};

/** A chunk record in force: its end key (in the plan's arena; len 0 is
 * the tail) and what it says. */
struct ochunk {
	uint32_t off;
	uint16_t len;
	struct fb_chunk_acc acc;
};

/** Old and new chunks of a feed, and the ranges where they differ. */
struct plan {
	struct nchunk *nc;	/**< chunks of the new set, in order */
	size_t nn, ncap;
	int tail;		/**< the last of nc is the tail chunk */
	struct ochunk *oc;	/**< chunk records in force, in order */
	size_t no, ocap;
	uint8_t *keys;		/**< end keys of oc */
	size_t used, kcap;
	uint64_t old_total;	/**< entries the records in oc count */
};

static void plan_free(struct plan *p)
{
	free(p->nc);
	free(p->oc);
	free(p->keys);
}

/** Cut the new set into chunks: in memory, one hash a key.
 * @return 0 or ENOMEM. */
static int plan_new_chunks(struct plan *p, const struct fb_nameset *ns,
	const struct fb_entry *tmpl)
{
	struct fb_chunk_acc acc;
	size_t i, n = fb_nameset_count(ns), first = 0;
	fb_chunk_acc_init(&acc);
	for(i = 0; i < n; i++) {
		struct fb_entry e;
		size_t len;
		const uint8_t *key;
		int boundary;
		key = item_entry(ns, i, tmpl, &e, &len);
		boundary = fb_chunk_acc_add(&acc,
			fb_chunk_keyhash(key, len), &e);
		if(!boundary && i + 1 < n)
			continue;
		if(!fb_grow(&p->nc, &p->ncap, p->nn + 1, sizeof(*p->nc)))
			return ENOMEM;
		p->nc[p->nn].first = first;
		p->nc[p->nn++].acc = acc;
		/* the last key ends the tail chunk unless it is a boundary */
		p->tail = !boundary;
		first = i + 1;
		fb_chunk_acc_init(&acc);
	}
	return 0;
}

/** End key of new chunk j; NULL for the tail. */
static const uint8_t *nc_end(const struct plan *p,
	const struct fb_nameset *ns, size_t j, size_t *len)
{
	if(j + 1 == p->nn && p->tail) {
		*len = 0;
		return NULL;
	}
	return fb_nameset_get(ns, p->nc[j].first + p->nc[j].acc.count - 1,
		len, NULL);
}

/** End key of old chunk i; NULL for the tail. */
static const uint8_t *oc_end(const struct plan *p, size_t i, size_t *len)
{
	*len = p->oc[i].len;
	return p->oc[i].len ? p->keys + p->oc[i].off : NULL;
}

/** Order of chunk ends: keys as LMDB sorts them, the tail (NULL) last. */
static int endcmp(const uint8_t *a, size_t alen, const uint8_t *b,
	size_t blen)
{
	if(!a || !b)
		return (!a) - (!b);
	return keycmp(a, alen, b, blen);
}

/**
 * Read the feed's chunk records in force.
 * @return 0, ENOMEM, an LMDB error, or MDB_CORRUPTED for a record no
 *	writer makes (then the caller walks the whole feed instead).
 */
static int plan_old_chunks(struct plan *p, struct fb_store *st,
	MDB_txn *txn, uint16_t src)
{
	MDB_cursor *c;
	MDB_val k, d;
	uint8_t prefix[2];
	int rc;
	fb_put_be16(prefix, src);
	if((rc = mdb_cursor_open(txn, st->chunks, &c)) != 0)
		return rc;
	k.mv_data = prefix;
	k.mv_size = 2;
	for(rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
		const uint8_t *end = (const uint8_t *)k.mv_data + 2;
		size_t len;
		struct ochunk *o;
		if(k.mv_size < 2 || memcmp(k.mv_data, prefix, 2) != 0)
			break;
		len = k.mv_size - 2;
		if(len == 1 && end[0] == FB_CHUNK_TAIL)
			len = 0;
		else if(len == 0 || len > FB_KEY_MAX || (p->no &&
		   p->oc[p->no - 1].len == 0)) {
			rc = MDB_CORRUPTED;	/* nothing follows the tail */
			break;
		}
		if(!fb_grow(&p->oc, &p->ocap, p->no + 1, sizeof(*p->oc)) ||
		   !fb_grow(&p->keys, &p->kcap, p->used + len, 1)) {
			rc = ENOMEM;
			break;
		}
		o = &p->oc[p->no];
		if(!fb_chunk_val_decode(d.mv_data, d.mv_size, &o->acc) ||
		   o->acc.count == 0) {
			rc = MDB_CORRUPTED;
			break;
		}
		/* copied: writes later in this transaction move pages (the
		 * tail has no key: keys may still be NULL then) */
		if(len)
			memcpy(p->keys + p->used, end, len);
		o->off = (uint32_t)p->used;
		o->len = (uint16_t)len;
		p->used += len;
		p->old_total += o->acc.count;
		p->no++;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/** Where old and new chunks differ: old chunks [oa, ob) hold the feed's
 * entries of the key range new chunks [na, nb) cover. */
struct region {
	size_t oa, ob, na, nb;
	int open;	/**< the range runs to the end of the feed */
};

/**
 * Walk old and new chunk ends in key order.  Where both have a chunk
 * ending at the same key, the ranges before it line up; between two such
 * keys a range is unchanged only if it is one chunk on both sides with
 * the same hash and count.  A boundary key added or removed makes the
 * range span the chunks on either side of it.
 * @return 0 or ENOMEM.
 */
static int plan_regions(const struct plan *p, const struct fb_nameset *ns,
	struct region **out, size_t *nout)
{
	size_t i = 0, j = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	while(i < p->no || j < p->nn) {
		struct region r;
		int dirty = 0;
		r.oa = i;
		r.na = j;
		r.open = 0;
		for(;;) {
			const uint8_t *eo, *en;
			size_t lo = 0, ln = 0;
			int c;
			if(i >= p->no && j >= p->nn) {
				r.open = 1;	/* to the end */
				break;
			}
			eo = i < p->no ? oc_end(p, i, &lo) : NULL;
			en = j < p->nn ? nc_end(p, ns, j, &ln) : NULL;
			/* an exhausted side ends beyond every key */
			c = i >= p->no ? 1 : j >= p->nn ? -1 :
				endcmp(eo, lo, en, ln);
			if(c == 0) {
				dirty |= p->oc[i].acc.hash != p->nc[j].acc.hash
					|| p->oc[i].acc.count !=
					p->nc[j].acc.count;
				i++;
				j++;
				break;
			}
			dirty = 1;
			if(c < 0)
				i++;
			else
				j++;
		}
		if(!dirty)
			continue;
		r.ob = i;
		r.nb = j;
		if(!fb_grow(out, &cap, *nout + 1, sizeof(**out)))
			return ENOMEM;
		(*out)[(*nout)++] = r;
	}
	return 0;
}

/** Checks the entries in force of a range against its chunk records
 * (so a stale index is caught before it misleads an update). */
struct ocheck {
	const struct plan *p;	/**< NULL: nothing to check against */
	size_t k, end;		/**< next and past-last old chunk */
	struct fb_chunk_acc acc;
	int bad;
};

/** One entry in force, in order. */
static void ocheck_add(struct ocheck *ck, const MDB_val *k,
	const struct fb_entry *e)
{
	const uint8_t *key = (const uint8_t *)k->mv_data + 2;
	size_t len = k->mv_size - 2, elen;
	const uint8_t *end;
	if(!ck->p || ck->bad)
		return;
	if(!fb_chunk_acc_add(&ck->acc, fb_chunk_keyhash(key, len), e))
		return;
	if(ck->k >= ck->end || !(end = oc_end(ck->p, ck->k, &elen)) ||
	   keycmp(end, elen, key, len) != 0 ||
	   ck->p->oc[ck->k].acc.hash != ck->acc.hash ||
	   ck->p->oc[ck->k].acc.count != ck->acc.count)
		ck->bad = 1;
	ck->k++;
	fb_chunk_acc_init(&ck->acc);
}

/** After the last entry of the range.  @return 1 if all agreed. */
static int ocheck_done(struct ocheck *ck)
{
	size_t elen;
	if(!ck->p)
		return 1;
	if(!ck->bad && ck->acc.count > 0) {
		/* what follows the last boundary is the tail chunk */
		if(ck->k >= ck->end || oc_end(ck->p, ck->k, &elen) ||
		   ck->p->oc[ck->k].acc.hash != ck->acc.hash ||
		   ck->p->oc[ck->k].acc.count != ck->acc.count)
			ck->bad = 1;
		ck->k++;
	}
	return !ck->bad && ck->k == ck->end;
}

/** A stale chunk index: walk the whole feed instead. */
#define STALE_CHUNKS (-40001)

/**
 * Merge the feed's entries in force in the key range (lo, hi] (a range of
 * bysource; lo NULL: from the first, hi NULL: to the last) with items
 * [i, n) of the new set and list the differences.  Reads only.
 * @param ck: checks the entries in force against their chunk records.
 * @param before: out: += entries in force read in the range.
 * @return 0, ENOMEM, STALE_CHUNKS, or an LMDB error.
 */
static int diff_range(MDB_cursor *c, uint16_t src, const uint8_t *lo,
	size_t lolen, const uint8_t *hi, size_t hilen,
	const struct fb_nameset *ns, size_t i, size_t n,
	const struct fb_entry *tmpl, struct ocheck *ck, struct changes *cs,
	uint64_t *before)
{
	MDB_val k, d;
	uint8_t start[2 + FB_KEY_MAX];
	int rc, pushed = 0;
	k.mv_data = start;
	k.mv_size = fb_bysource_key(src, lo, lo ? lolen : 0, start);
	rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
	/* the range starts after lo */
	if(rc == 0 && lo && k.mv_size == 2 + lolen &&
	   memcmp(k.mv_data, start, k.mv_size) == 0)
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
	for(;;) {
		int in_old = rc == 0 && k.mv_size > 2 &&
			fb_get_be16(k.mv_data) == src && (!hi ||
			keycmp((uint8_t *)k.mv_data + 2, k.mv_size - 2, hi,
			hilen) <= 0);
		int cmp;
		size_t len = 0;
		const uint8_t *key = NULL;
		struct fb_entry old, want;
		if(rc && rc != MDB_NOTFOUND)
			break;
		if(!in_old && i >= n) {
			rc = 0;
			break;
		}
		if(i < n)
			key = item_entry(ns, i, tmpl, &want, &len);
		if(!in_old)
			cmp = 1;
		else if(i >= n)
			cmp = -1;
		else
			cmp = keycmp((uint8_t *)k.mv_data + 2, k.mv_size - 2,
				key, len);
		if(cmp > 0) {	/* only in the new set; rc keeps the
				 * cursor's state */
			if((pushed = change_push(cs, 'a', i++, NULL, NULL)) != 0)
				break;
			continue;
		}
		if(d.mv_size != FB_ENTRY_SIZE) {
			rc = MDB_CORRUPTED;
			break;
		}
		(*before)++;
		fb_entry_decode(d.mv_data, &old);
		ocheck_add(ck, &k, &old);
		if(cmp < 0) {	/* only in force */
			if((pushed = change_push(cs, 'r', 0, &k, &d)) != 0)
				break;
		} else {
			if(!fb_entry_same(&old, &want) &&
			   (pushed = change_push(cs, 'c', i, NULL, &d)) != 0)
				break;
			i++;
		}
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
	}
	if(pushed)
		return pushed;
	if(rc == 0 && !ocheck_done(ck))
		return STALE_CHUNKS;
	return rc;
}

/** First item of new chunk j (n past the last). */
static size_t nc_first(const struct plan *p, size_t j, size_t n)
{
	return j < p->nn ? p->nc[j].first : n;
}

/**
 * List the differences of the whole feed (p NULL), or of the regions
 * where its chunks changed only (none: nothing to read).
 * @return as diff_range().
 */
static int diff_feed(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_nameset *ns, const struct fb_entry *tmpl,
	const struct plan *p, const struct region *rg, size_t nrg,
	struct changes *cs, uint64_t *before)
{
	MDB_cursor *c;
	struct ocheck ck;
	size_t r, n = fb_nameset_count(ns);
	int rc = 0;
	*before = 0;
	memset(&ck, 0, sizeof(ck));
	if((rc = mdb_cursor_open(txn, st->bysource, &c)) != 0)
		return rc;
	if(!p)
		rc = diff_range(c, src, NULL, 0, NULL, 0, ns, 0, n, tmpl, &ck,
			cs, before);
	for(r = 0; p && r < nrg && rc == 0; r++) {
		const struct region *g = &rg[r];
		const uint8_t *lo = NULL, *hi = NULL;
		size_t lolen = 0, hilen = 0;
		/* the range starts after the last key both sides ended a
		 * chunk at, and ends at the next (the tail: no bound) */
		if(g->na > 0)
			lo = nc_end(p, ns, g->na - 1, &lolen);
		if(!g->open)
			hi = nc_end(p, ns, g->nb - 1, &hilen);
		ck.p = p;
		ck.k = g->oa;
		ck.end = g->ob;
		fb_chunk_acc_init(&ck.acc);
		ck.bad = 0;
		rc = diff_range(c, src, lo, lolen, hi, hilen, ns,
			nc_first(p, g->na, n), nc_first(p, g->nb, n), tmpl,
			&ck, cs, before);
	}
	mdb_cursor_close(c);
	return rc;
}

/**
 * Bring the chunk records in line with the new set: those of the changed
 * regions, or (whole) all of the feed's anew.
 * @return 0 or an LMDB error.
 */
static int write_chunks(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_nameset *ns, const struct plan *p, int whole,
	const struct region *rg, size_t nrg)
{
	size_t r, k, len;
	const uint8_t *end;
	int rc = 0;
	if(whole) {
		rc = fb_chunk_drop_all(st, txn, src);
		for(k = 0; k < p->nn && rc == 0; k++) {
			end = nc_end(p, ns, k, &len);
			rc = fb_chunk_put(st, txn, src, end, len, &p->nc[k].acc);
		}
		return rc;
	}
	for(r = 0; r < nrg && rc == 0; r++) {
		for(k = rg[r].oa; k < rg[r].ob && rc == 0; k++) {
			end = oc_end(p, k, &len);
			rc = fb_chunk_del(st, txn, src, end, len);
		}
		for(k = rg[r].na; k < rg[r].nb && rc == 0; k++) {
			end = nc_end(p, ns, k, &len);
			rc = fb_chunk_put(st, txn, src, end, len, &p->nc[k].acc);
		}
	}
	return rc;
}

/** Write the listed differences, in key order. */
static int apply_changes(struct fb_store *st, MDB_txn *txn,
	const struct fb_nameset *ns, const struct fb_entry *tmpl,
	const struct changes *cs, struct fb_update_result *res)
{
	struct fb_appender ap;
	size_t i, j;
	int rc;
	if((rc = fb_appender_open(st, txn, &ap)) != 0)
		return rc;
	for(i = 0; i < cs->n && rc == 0; i++) {
		const struct change *c = &cs->v[i];
		struct fb_entry e, old;
		const uint8_t *key;
		size_t len;
		if(c->kind == 'r') {
			rc = fb_entry_del(st, txn, cs->keys + c->off, c->len,
				c->rec);
			res->removed++;
			continue;
		}
		if(c->kind == 'a') {
			for(j = c->item; j < c->item + c->count && rc == 0;
			    j++) {
				key = item_entry(ns, j, tmpl, &e, &len);
				rc = fb_entry_append(st, txn, &ap, key, len,
					&e);
				res->added++;
			}
			continue;
		}
		key = item_entry(ns, c->item, tmpl, &e, &len);
		fb_entry_decode(c->rec, &old);
		e.first_seen = old.first_seen;
		if((rc = fb_entry_del(st, txn, key, len, c->rec)) != 0)
			break;
		res->changed++;
		rc = fb_entry_put(st, txn, key, len, &e);
	}
	fb_appender_close(&ap);
	return rc;
}

static void spec_entry(const struct fb_update_spec *spec, uint16_t id,
	struct fb_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->source = id;
	e->action = (uint8_t)spec->action;
	e->category = (uint8_t)spec->category;
	e->first_seen = (uint32_t)spec->now;
}

/** Would the shrink guard refuse?  @return 1 if so (err says why). */
static int shrink_refused(const struct fb_update_spec *spec,
	uint64_t before, uint64_t after, char *err, size_t errlen)
{
	if(spec->max_shrink >= 100 || before == 0 ||
	   after * 100 >= before * (100 - spec->max_shrink))
		return 0;
	snprintf(err, errlen, "refused: %llu names would replace %llu (more "
		"than max-shrink %u%% fewer); the list in force is kept",
		(unsigned long long)after, (unsigned long long)before,
		spec->max_shrink);
	return 1;
}

/**
 * Whether a replacement declares an older version than the list in force
 * (a stale mirror or a replayed download).  An equal version is taken:
 * lists are republished unchanged, or changed without a new version.
 * @return 1 and err set if refused, else 0.
 */
static int version_refused(const struct fb_update_spec *spec,
	const struct fb_source_info *info, char *err, size_t errlen)
{
	uint32_t s1 = (uint32_t)info->version, s2 = (uint32_t)spec->version;
	if(spec->version == 0 || info->version == 0)
		return 0;
	/* RFC 1982: s2 is older than s1 when s1 is "greater" than s2 */
	if(spec->version_is_serial ? s1 == s2 ||
	   !((s1 < s2 && s2 - s1 > 0x80000000u) ||
	     (s1 > s2 && s1 - s2 < 0x80000000u)) :
	   spec->version >= info->version)
		return 0;
	snprintf(err, errlen, "refused: the list declares version %llu, "
		"older than version %llu in force; the list in force is kept",
		(unsigned long long)spec->version,
		(unsigned long long)info->version);
	return 1;
}

/** The validators of an accepted update; none without HTTP. */
static void set_validators(struct fb_source_info *info,
	const struct fb_update_http *http)
{
	info->etag[0] = info->last_modified[0] = 0;
	info->validators_of = 0;
	if(!http)
		return;
	snprintf(info->etag, sizeof(info->etag), "%s", http->etag);
	snprintf(info->last_modified, sizeof(info->last_modified), "%s",
		http->last_modified);
	info->validators_of = fb_source_hash(http->url);
}

/** Bookkeeping and commit of an update that wrote nchanges records. */
static enum fb_update_status finish_update(struct fb_store *st,
	MDB_txn *txn, const struct fb_update_spec *spec,
	struct fb_source_info *info, size_t nchanges, int rc,
	struct fb_update_result *res, char *err, size_t errlen)
{
	/* a new EDE code changes every block answer of the feed: the
	 * module's per-thread texts are remade when the generation moves */
	uint16_t ede_was = info->ede ? info->ede : FB_EDE_BLOCKED;
	int ede_moved = spec->ede != 0 && spec->ede != ede_was;
	if(rc == 0 && (nchanges > 0 || ede_moved))
		rc = fb_meta_bump_generation(st, txn, &res->generation);
	else if(rc == 0)
		rc = fb_meta_generation(st, txn, &res->generation);
	if(rc == 0) {
		info->entries = res->after;
		info->invalid = spec->invalid;
		info->last_attempt = info->last_success = spec->now;
		if(nchanges > 0 || ede_moved)
			info->last_change = spec->now;
		if(spec->ede != 0)
			info->ede = spec->ede;
		res->ede_changed = ede_moved;
		if(spec->version != 0)
			info->version = spec->version;
		info->last_status = 0;
		info->last_error[0] = 0;
		set_validators(info, spec->http);
		rc = fb_source_put(st, txn, info);
	}
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if(rc == 0)
		return FB_UPDATE_OK;
	fb_lmdb_error(err, errlen, "update not written to", st->dir, rc);
	res->after = res->before;
	res->added = res->removed = res->changed = 0;
	res->ede_changed = 0;
	fb_store_feed_failed(st, spec->feed, FB_UPDATE_STORE, err, spec->now,
		NULL, 0);
	return rc == ENOMEM ? FB_UPDATE_NOMEM : FB_UPDATE_STORE;
}

/** Begin a feed's update: write txn and its source record. */
static enum fb_update_status begin_update(struct fb_store *st,
	const char *feed, MDB_txn **txn, struct fb_source_info *info,
	char *err, size_t errlen)
{
	int rc = fb_write_begin(st, txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	if((rc = fb_source_find(st, *txn, feed, 1, info)) != 0) {
		mdb_txn_abort(*txn);
		if(rc == MDB_NOTFOUND)
			snprintf(err, errlen, "no source id left for feed %s",
				feed);
		else
			fb_lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	return FB_UPDATE_OK;
}

/**
 * Plan an incremental diff: the new set's chunks, and when the feed's
 * chunk records are in force, those records and the regions that differ.
 * @param incremental: out: 1 if rg/nrg say where to diff, 0 if the whole
 *	feed must be walked (no index, or one that does not add up).
 * @return 0, ENOMEM or an LMDB error.
 */
static int plan_update(struct fb_store *st, MDB_txn *txn,
	const struct fb_source_info *info, const struct fb_nameset *ns,
	const struct fb_entry *tmpl, struct plan *p, struct region **rg,
	size_t *nrg, int *incremental)
{
	int rc;
	*incremental = 0;
	*rg = NULL;
	*nrg = 0;
	if(!st->has_chunks || info->id < FB_SOURCE_FIRST_FEED)
		return 0;
	if((rc = plan_new_chunks(p, ns, tmpl)) != 0)
		return rc;
	if(info->chunks != FB_CHUNK_SCHEME)
		return 0;
	rc = plan_old_chunks(p, st, txn, info->id);
	if(rc == MDB_CORRUPTED || (rc == 0 && p->old_total != info->entries))
		return 0;	/* not an index this build keeps */
	if(rc == 0 && (rc = plan_regions(p, ns, rg, nrg)) == 0)
		*incremental = 1;
	return rc;
}

enum fb_update_status fb_store_replace_feed(struct fb_store *st,
	const struct fb_update_spec *spec, const struct fb_nameset *ns,
	struct fb_update_result *res, char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	struct fb_entry tmpl;
	struct changes cs;
	struct plan plan;
	struct region *rg = NULL;
	size_t nrg = 0;
	uint64_t before = 0, walked = 0;
	enum fb_update_status s;
	int rc, incremental = 0, chunked;
	memset(res, 0, sizeof(*res));
	memset(&cs, 0, sizeof(cs));
	memset(&plan, 0, sizeof(plan));
	if((s = begin_update(st, spec->feed, &txn, &info, err, errlen)) != 0)
		return s;
	if(version_refused(spec, &info, err, errlen)) {
		mdb_txn_abort(txn);
		fb_store_feed_failed(st, spec->feed, FB_UPDATE_VERSION, err,
			spec->now, NULL, 0);
		return FB_UPDATE_VERSION;
	}
	spec_entry(spec, info.id, &tmpl);
	chunked = st->has_chunks && info.id >= FB_SOURCE_FIRST_FEED;
	rc = plan_update(st, txn, &info, ns, &tmpl, &plan, &rg, &nrg,
		&incremental);
	if(rc == 0 && incremental) {
		rc = diff_feed(st, txn, info.id, ns, &tmpl, &plan, rg, nrg,
			&cs, &walked);
			if(rc == STALE_CHUNKS) {
			/* start over with the whole feed; nothing written */
			changes_free(&cs);
			memset(&cs, 0, sizeof(cs));
			incremental = 0;
			rc = 0;
		} else if(rc == 0)
			before = plan.old_total;
	}
	if(rc == 0 && !incremental) {
		free(rg);
		rg = NULL;
		nrg = 0;
		rc = diff_feed(st, txn, info.id, ns, &tmpl, NULL, NULL, 0, &cs,
			&walked);
		before = walked;
	}
	if(rc != 0) {
		mdb_txn_abort(txn);
		changes_free(&cs);
		plan_free(&plan);
		free(rg);
		if(rc == ENOMEM) {
			snprintf(err, errlen, "out of memory");
			return FB_UPDATE_NOMEM;
		}
		fb_lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	res->before = res->after = before;
	res->walked = walked;
	/* a truncated or emptied download must not wipe the list in force */
	if(shrink_refused(spec, before, fb_nameset_count(ns), err, errlen)) {
		mdb_txn_abort(txn);
		changes_free(&cs);
		plan_free(&plan);
		free(rg);
		fb_store_feed_failed(st, spec->feed, FB_UPDATE_SHRINK, err,
			spec->now, NULL, 0);
		return FB_UPDATE_SHRINK;
	}
	res->after = fb_nameset_count(ns);
	rc = apply_changes(st, txn, ns, &tmpl, &cs, res);
	/* in the same transaction as the entries: never out of step */
	if(rc == 0 && chunked)
		rc = write_chunks(st, txn, info.id, ns, &plan, !incremental,
			rg, nrg);
	info.chunks = chunked ? FB_CHUNK_SCHEME : 0;
	s = finish_update(st, txn, spec, &info, cs.n, rc, res, err, errlen);
	changes_free(&cs);
	plan_free(&plan);
	free(rg);
	return s;
}

enum fb_update_status fb_store_apply_delta(struct fb_store *st,
	const struct fb_update_spec *spec, const struct fb_nameset *add,
	const struct fb_nameset *del, struct fb_update_result *res,
	char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	struct fb_entry tmpl, old;
	uint8_t rec[FB_ENTRY_SIZE];
	size_t i, n, len, nchanges = 0;
	uint64_t count;
	enum fb_update_status s;
	int rc = 0;
	memset(res, 0, sizeof(*res));
	if((s = begin_update(st, spec->feed, &txn, &info, err, errlen)) != 0)
		return s;
	spec_entry(spec, info.id, &tmpl);
	res->before = count = info.entries;
	for(i = 0, n = del ? fb_nameset_count(del) : 0; i < n && !rc; i++) {
		const uint8_t *key = fb_nameset_get(del, i, &len, NULL);
		rc = fb_entry_get(st, txn, info.id, key, len, rec);
		if(rc == MDB_NOTFOUND) {
			rc = 0;
			continue;
		}
		if(rc == 0 && (rc = fb_entry_del(st, txn, key, len, rec)) == 0) {
			res->removed++;
			count--;
		}
	}
	for(i = 0, n = add ? fb_nameset_count(add) : 0; i < n && !rc; i++) {
		struct fb_entry e;
		const uint8_t *key = item_entry(add, i, &tmpl, &e, &len);
		rc = fb_entry_get(st, txn, info.id, key, len, rec);
		if(rc == 0) {
			fb_entry_decode(rec, &old);
			if(fb_entry_same(&old, &e))
				continue;
			e.first_seen = old.first_seen;
			if((rc = fb_entry_del(st, txn, key, len, rec)) != 0)
				break;
			res->changed++;
		} else if(rc == MDB_NOTFOUND) {
			res->added++;
			count++;
		} else
			break;
		rc = fb_entry_put(st, txn, key, len, &e);
	}
	nchanges = res->added + res->removed + res->changed;
	if(rc == 0 && shrink_refused(spec, res->before, count, err, errlen)) {
		mdb_txn_abort(txn);
		memset(res, 0, sizeof(*res));
		res->before = res->after = info.entries;
		fb_store_feed_failed(st, spec->feed, FB_UPDATE_SHRINK, err,
			spec->now, NULL, 0);
		return FB_UPDATE_SHRINK;
	}
	res->after = count;
	/* the chunk index no longer matches: the next full replacement
	 * walks the whole feed and builds it anew */
	if(rc == 0 && nchanges > 0 && info.chunks && st->has_chunks)
		rc = fb_chunk_drop_all(st, txn, info.id);
	if(nchanges > 0)
		info.chunks = 0;
	return finish_update(st, txn, spec, &info, nchanges, rc, res, err,
		errlen);
}

int fb_store_feed_failed(struct fb_store *st, const char *feed,
	int status, const char *why, int64_t now, char *err, size_t errlen)
{
	MDB_txn *txn = NULL;
	struct fb_source_info info;
	int rc = fb_write_begin(st, &txn);
	if(rc == 0 && (rc = fb_source_find(st, txn, feed, 1, &info)) == 0) {
		info.last_attempt = now;
		info.last_status = status ? status : -1;
		snprintf(info.last_error, sizeof(info.last_error), "%s", why);
		rc = fb_source_put(st, txn, &info);
	}
	/* a failed begin leaves no transaction to end */
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else if(txn)
		mdb_txn_abort(txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot record failure in", st->dir,
			rc);
		return 0;
	}
	return 1;
}

/** Delete every entry of source id.  @return 0 or an LMDB error. */
static int delete_entries(struct fb_store *st, MDB_txn *txn, uint16_t id,
	uint64_t *removed)
{
	MDB_cursor *c = NULL;
	MDB_val k, d;
	uint8_t prefix[2], key[FB_KEY_MAX], rec[FB_ENTRY_SIZE];
	int rc = mdb_cursor_open(txn, st->bysource, &c);
	fb_put_be16(prefix, id);
	while(rc == 0) {
		size_t len;
		k.mv_data = prefix;
		k.mv_size = 2;
		/* seek anew after each delete: the cursor's page may move */
		rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
		if(rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size <= 2 ||
		    memcmp(k.mv_data, prefix, 2) != 0))) {
			rc = 0;
			break;
		}
		if(rc)
			break;
		len = k.mv_size - 2;
		if(len > FB_KEY_MAX || d.mv_size != FB_ENTRY_SIZE) {
			rc = MDB_CORRUPTED;
			break;
		}
		memcpy(key, (uint8_t *)k.mv_data + 2, len);
		memcpy(rec, d.mv_data, FB_ENTRY_SIZE);
		if((rc = fb_entry_del(st, txn, key, len, rec)) == 0)
			(*removed)++;
	}
	if(c)
		mdb_cursor_close(c);
	return rc;
}

int fb_store_remove_feed(struct fb_store *st, const char *feed,
	uint64_t *removed, char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	uint8_t sk[2];
	MDB_val skv = { 2, sk };
	int rc;
	*removed = 0;
	if((rc = fb_write_begin(st, &txn)) != 0) {
		fb_lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return -1;
	}
	rc = fb_source_find(st, txn, feed, 0, &info);
	if(rc == MDB_NOTFOUND || (rc == 0 && info.id < FB_SOURCE_FIRST_FEED)) {
		mdb_txn_abort(txn);
		return 0;
	}
	if(rc == 0)
		rc = delete_entries(st, txn, info.id, removed);
	if(rc == 0 && st->has_chunks)
		rc = fb_chunk_drop_all(st, txn, info.id);
	fb_put_be16(sk, info.id);
	if(rc == 0)
		rc = mdb_del(txn, st->sources, &skv, NULL);
	if(rc == 0)
		rc = fb_meta_bump_generation(st, txn, NULL);
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if(rc) {
		*removed = 0;
		fb_lmdb_error(err, errlen, "cannot remove feed from", st->dir,
			rc);
		return -1;
	}
	return 1;
}
