/**
 * \file
 * Feed updates (see fb_update.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	struct change *c;
	if(!fb_grow(&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v)))
		return ENOMEM;
	c = &cs->v[cs->n];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->item = item;
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
	size_t i = 0, n = fb_nameset_count(ns);
	int rc, pushed = 0;
	fb_put_be16(prefix, src);
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
		size_t len = 0;
		struct fb_entry want;
		const uint8_t *key = NULL;
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
		if(cmp < 0) {	/* only in force */
			if((pushed = change_push(cs, 'r', 0, &k, &d)) != 0)
				break;
		} else {
			struct fb_entry old;
			fb_entry_decode(d.mv_data, &old);
			if(!fb_entry_same(&old, &want) &&
			   (pushed = change_push(cs, 'c', i, NULL, &d)) != 0)
				break;
			i++;
		}
		rc = mdb_cursor_get(c, &k, &d, MDB_NEXT);
	}
	mdb_cursor_close(c);
	return pushed ? pushed : rc;
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
		struct fb_entry e;
		const uint8_t *key;
		size_t len;
		if(c->kind == 'r') {
			rc = fb_entry_del(st, txn, cs->keys + c->off, c->len,
				c->rec);
			res->removed++;
			continue;
		}
		key = item_entry(ns, c->item, tmpl, &e, &len);
		if(c->kind == 'c') {
			struct fb_entry old;
			fb_entry_decode(c->rec, &old);
			e.first_seen = old.first_seen;
			if((rc = fb_entry_del(st, txn, key, len, c->rec)) != 0)
				break;
			res->changed++;
		} else
			res->added++;
		rc = fb_entry_put(st, txn, key, len, &e);
	}
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

enum fb_update_status fb_store_replace_feed(struct fb_store *st,
	const struct fb_update_spec *spec, const struct fb_nameset *ns,
	struct fb_update_result *res, char *err, size_t errlen)
{
	MDB_txn *txn;
	struct fb_source_info info;
	struct fb_entry tmpl;
	struct changes cs;
	uint64_t before = 0;
	enum fb_update_status s;
	int rc;
	memset(res, 0, sizeof(*res));
	memset(&cs, 0, sizeof(cs));
	if((s = begin_update(st, spec->feed, &txn, &info, err, errlen)) != 0)
		return s;
	if(version_refused(spec, &info, err, errlen)) {
		mdb_txn_abort(txn);
		fb_store_feed_failed(st, spec->feed, FB_UPDATE_VERSION, err,
			spec->now, NULL, 0);
		return FB_UPDATE_VERSION;
	}
	spec_entry(spec, info.id, &tmpl);
	if((rc = diff_feed(st, txn, info.id, ns, &tmpl, &cs, &before)) != 0) {
		mdb_txn_abort(txn);
		changes_free(&cs);
		if(rc == ENOMEM) {
			snprintf(err, errlen, "out of memory");
			return FB_UPDATE_NOMEM;
		}
		fb_lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return FB_UPDATE_STORE;
	}
	res->before = res->after = before;
	/* a truncated or emptied download must not wipe the list in force */
	if(shrink_refused(spec, before, fb_nameset_count(ns), err, errlen)) {
		mdb_txn_abort(txn);
		changes_free(&cs);
		fb_store_feed_failed(st, spec->feed, FB_UPDATE_SHRINK, err,
			spec->now, NULL, 0);
		return FB_UPDATE_SHRINK;
	}
	res->after = fb_nameset_count(ns);
	rc = apply_changes(st, txn, ns, &tmpl, &cs, res);
	s = finish_update(st, txn, spec, &info, cs.n, rc, res, err, errlen);
	changes_free(&cs);
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
