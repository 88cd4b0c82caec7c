/**
 * \file
 * Hand-made entries (see fb_manual.h).
 */
#include <string.h>
#include "fb_store_int.h"
#include "fb_manual.h"

/** Remove source src's record for key; count it in the source. */
static int manual_del(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const struct fb_key *key, int *removed)
{
	uint8_t rec[FB_ENTRY_SIZE];
	struct fb_source_info info;
	int rc = fb_entry_get(st, txn, src, key->data, key->len, rec);
	if(rc == MDB_NOTFOUND)
		return 0;
	if(rc || (rc = fb_entry_del(st, txn, key->data, key->len, rec)) != 0)
		return rc;
	fb_source_get(st, txn, src, &info);
	if(info.entries)
		info.entries--;
	(*removed)++;
	return fb_source_put(st, txn, &info);
}

/** Commit a hand edit: bump the generation when changed. */
static int manual_commit(struct fb_store *st, MDB_txn *txn, int changed,
	int rc, char *err, size_t errlen)
{
	if(rc == 0 && changed)
		rc = fb_meta_bump_generation(st, txn, NULL);
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "change not written to", st->dir, rc);
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
	int removed = 0, rc = fb_write_begin(st, &txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot write", st->dir, rc);
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
		rc = fb_entry_get(st, txn, src, key->data, key->len, rec);
	if(rc == 0) {
		fb_entry_decode(rec, &old);
		if(fb_entry_same(&old, &e))
			return manual_commit(st, txn, removed, 0, err, errlen) ?
				removed : -1;
		e.first_seen = old.first_seen;
		rc = fb_entry_del(st, txn, key->data, key->len, rec);
	} else if(rc == MDB_NOTFOUND) {
		fb_source_get(st, txn, src, &info);
		info.entries++;
		rc = fb_source_put(st, txn, &info);
	}
	if(rc == 0)
		rc = fb_entry_put(st, txn, key->data, key->len, &e);
	return manual_commit(st, txn, 1, rc, err, errlen) ? 1 : -1;
}

int fb_store_manual_remove(struct fb_store *st, const struct fb_key *key,
	char *err, size_t errlen)
{
	MDB_txn *txn;
	int removed = 0, rc = fb_write_begin(st, &txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot write", st->dir, rc);
		return -1;
	}
	rc = manual_del(st, txn, FB_SOURCE_ALLOW, key, &removed);
	if(rc == 0)
		rc = manual_del(st, txn, FB_SOURCE_BLOCK, key, &removed);
	return manual_commit(st, txn, removed, rc, err, errlen) ? removed : -1;
}
