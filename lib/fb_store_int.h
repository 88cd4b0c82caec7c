/**
 * \file
 * Internals of the store shared by its parts (fb_store, fb_reader,
 * fb_update, fb_manual, fb_admin).  Not for use outside lib/.
 */
#ifndef FB_STORE_INT_H
#define FB_STORE_INT_H

#include <sys/types.h>
#include <lmdb.h>
#include "fb_store.h"

struct fb_store {
	MDB_env *env;
	MDB_dbi meta, names, bysource, sources;
	/** the chunk index (fb_chunk.h); opened (made) by writers, by
	 * readers only when it exists: the module never reads it */
	MDB_dbi chunks;
	/** the store has a chunks table and chunks is its handle */
	int has_chunks;
	int mode;
	/** schema of the store as opened (1 is read, never written) */
	uint32_t schema;
	/** identity of data.mdb and lock.mdb when opened */
	dev_t data_dev, lock_dev;
	ino_t data_ino, lock_ino;
	/** size of lock.mdb when opened: it never shrinks while in use */
	off_t lock_size;
	char dir[512];
};

struct fb_reader {
	struct fb_store *st;
	MDB_txn *txn;
	MDB_cursor *cur;
	/** the short-tier address prefix lengths present (fb_match_addr,
	 * fb_addr.h), one bit a length, valid for the snapshot with LMDB
	 * transaction id lens_txn: a snapshot with the same id holds the
	 * same keys */
	int lens_valid;
	size_t lens_txn;
	uint64_t lens4;		/**< bit L: an IPv4 /L, L < FB_ADDR_GROUP4 */
	uint64_t lens6;		/**< bit L: an IPv6 /L, L < FB_ADDR_GROUP6 */
};

/** The one place LMDB codes become words an operator can act on. */
void fb_lmdb_error(char *err, size_t errlen, const char *what,
	const char *dir, int rc);

/** meta table: read and write the generation (8 bytes big-endian in
 * schema 2, native order in schema 1). */
int fb_meta_generation(const struct fb_store *st, MDB_txn *txn,
	uint64_t *gen);
int fb_meta_bump_generation(struct fb_store *st, MDB_txn *txn,
	uint64_t *gen);
/** meta table: the store's random identity (zeros in schema 1). */
int fb_meta_store_id(const struct fb_store *st, MDB_txn *txn,
	uint8_t id[FB_STORE_ID_LEN]);

/** sources table: read one (0 found, MDB_NOTFOUND, or an LMDB error;
 * info is always filled, "source-<id>" when not found), write one. */
int fb_source_get(const struct fb_store *st, MDB_txn *txn, uint16_t id,
	struct fb_source_info *info);
int fb_source_put(struct fb_store *st, MDB_txn *txn,
	const struct fb_source_info *info);
/** Find a source by name; with create, give a new feed the next id.
 * @return 0, MDB_NOTFOUND, or an LMDB error. */
int fb_source_find(struct fb_store *st, MDB_txn *txn, const char *name,
	int create, struct fb_source_info *info);

/** Begin a write transaction on a store that is still the one in its
 * directory (a restore or compact may have swapped it while this process
 * waited for the writer lock).  @return 0 or an LMDB/errno code;
 * FB_ESTALE when the store was swapped. */
#define FB_ESTALE (-40000)
int fb_write_begin(struct fb_store *st, MDB_txn **txn);

/** bysource key: source id (2 bytes big-endian) then the name key. */
size_t fb_bysource_key(uint16_t src, const uint8_t *key, size_t len,
	uint8_t *out);
/** Add one record to names and bysource. */
int fb_entry_put(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const struct fb_entry *e);
/** Cursors for adding entries in key order (fb_entry_append). */
struct fb_appender {
	MDB_cursor *names, *bysource;
	/** appending still works: every key so far sorted after the
	 * table's last */
	int names_ok, bysource_ok;
};
/** Open (0 or an LMDB error; nothing to close then) and close. */
int fb_appender_open(struct fb_store *st, MDB_txn *txn,
	struct fb_appender *ap);
void fb_appender_close(struct fb_appender *ap);
/**
 * fb_entry_put for keys given in ascending order: while a key sorts after
 * every key of a table it is appended (MDB_APPEND: no search, and pages
 * filled, not split in half), from the first one that does not on it is
 * put as usual.  A first import into an empty store appends throughout.
 * ap NULL: fb_entry_put().
 */
int fb_entry_append(struct fb_store *st, MDB_txn *txn,
	struct fb_appender *ap, const uint8_t *key, size_t len,
	const struct fb_entry *e);
/** Remove one record (as stored: rec) from names and bysource. */
int fb_entry_del(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const uint8_t rec[FB_ENTRY_SIZE]);
/** Read the record source src has for key. @return 0, MDB_NOTFOUND, or
 * an error. */
int fb_entry_get(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *key, size_t len, uint8_t rec[FB_ENTRY_SIZE]);

/** chunks table (fb_chunk.h): write or delete one record (the tail
 * chunk when end is NULL; deleting an absent one is no error), delete all
 * of a source.  @return 0 or an LMDB error. */
struct fb_chunk_acc;
int fb_chunk_put(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *end, size_t len, const struct fb_chunk_acc *acc);
int fb_chunk_del(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *end, size_t len);
int fb_chunk_drop_all(struct fb_store *st, MDB_txn *txn, uint16_t src);

#endif /* FB_STORE_INT_H */
