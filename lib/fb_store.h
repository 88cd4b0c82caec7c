/**
 * \file
 * The blocklist store: one LMDB environment shared by the Unbound module
 * (reader), fraudblock-sync and fraudblock-ctl (writers).  The schema is
 * documented in doc/store.md; this header and the ones it names are its
 * contract:
 * - fb_record.h  the records as bytes, action and category words
 * - fb_reader.h  snapshots and matching: all the module needs
 * - fb_nameset.h sorted key sets built by the feed parsers
 * - fb_update.h  feed updates: full replacement, deltas, removal
 * - fb_manual.h  hand-made allow and block entries
 * - fb_admin.h   backup, restore, compact, verify
 *
 * Named databases (schema version FB_SCHEMA_VERSION):
 * - "meta":     "schema" -> 4 bytes big-endian, "generation" -> 8 bytes
 *               big-endian, "store-id" -> 16 random bytes given when the
 *               store is made.  The generation is bumped by every commit
 *               that changes an entry; the module watches it and the id
 *               (another store copied over this one is a change too).
 * - "names":    name key (fb_name.h) -> entry records, MDB_DUPSORT.
 * - "bysource": source id (2 bytes big-endian) + name key -> entry record.
 * - "sources":  source id (2 bytes big-endian) -> source record.
 *
 * Safety: before LMDB maps a store, fb_store_open() checks data.mdb against
 * its own meta pages (a file shorter than the meta pages say would make
 * every reader fault) and refuses, with a message an operator can act on,
 * an empty directory, a zero-length or foreign file, and a read-only open
 * that would have to create lock.mdb.  Writers create lock.mdb with its
 * blocks allocated, so a full disk is an error at open, never a fault.
 *
 * Concurrency: LMDB gives one writer at a time and readers that never
 * block nor see half a commit.  An fb_store is used by one process, opened
 * once: LMDB forbids a second environment on the same files in a process.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "fb_name.h"
#include "fb_record.h"

/** Schema written by this build; schema 1 is read and upgraded. */
#define FB_SCHEMA_VERSION 2
/** Bytes of the random identity a store gets when it is made. */
#define FB_STORE_ID_LEN 16

struct fb_store;

/** fb_store_open() modes. */
#define FB_STORE_READ  0	/**< read-only (the module); never creates */
#define FB_STORE_WRITE 1	/**< read-write; creates the directory/schema,
				 * upgrades an older schema */

/**
 * Open the environment in directory dir.
 * @param st: out.
 * @param dir: the LMDB directory (data.mdb, lock.mdb); absolute.
 * @param map_size: LMDB map size in bytes (virtual; the file grows as
 *	needed up to it).  A reader adopts a larger size a writer set.
 * @param mode: FB_STORE_READ or FB_STORE_WRITE.
 * @param err: out: what went wrong and what to do, naming the file.
 * @param errlen: size of err.
 * @return 1 on success, 0 on error.  A missing directory, or one with no
 *	schema yet, is an error in FB_STORE_READ mode.
 */
int fb_store_open(struct fb_store **st, const char *dir, uint64_t map_size,
	int mode, char *err, size_t errlen);

/** Close; all readers of st must be freed first.  NULL is fine. */
void fb_store_close(struct fb_store *st);

/** @return the directory the store was opened from. */
const char *fb_store_dir(const struct fb_store *st);

/** @return the schema version of the store as it was opened. */
uint32_t fb_store_schema(const struct fb_store *st);

/**
 * Check the data file of the store in dir without mapping it: it exists,
 * is an LMDB file, and is at least as long as its newest meta page says
 * the environment needs.  Costs an open, an fstat and two 4 KB reads.
 * @return 1 if usable, 0 if not (err says why and what to do).
 */
int fb_store_check_file(const char *dir, char *err, size_t errlen);

/** What fb_store_state() found. */
enum fb_store_state {
	FB_STORE_CURRENT = 0,	/**< the files are the ones opened, whole */
	FB_STORE_REPLACED,	/**< data.mdb or lock.mdb is another file now,
				 * or lock.mdb was truncated: open the store
				 * anew */
	FB_STORE_DAMAGED	/**< same files, but shorter than needed (a
				 * truncation or an in-place copy): unusable
				 * until they are whole again */
};

/**
 * Is the open store still the one in its directory, and whole?  Costs two
 * stat()s and fb_store_check_file(); the module's watch thread calls it
 * every poll, never a query.
 * @param why: out: the reason when not FB_STORE_CURRENT.
 */
enum fb_store_state fb_store_state(struct fb_store *st, char *why,
	size_t whylen);

/**
 * Adopt the map size a writer set after a reader met MDB_MAP_RESIZED.
 * No transaction of this process may be active (the module quiesces its
 * workers first).  @return 1 on success, 0 on error (err set).
 */
int fb_store_adopt_mapsize(struct fb_store *st, char *err, size_t errlen);

/**
 * The address ranges LMDB mapped for this store (data and lock file), read
 * from /proc/self/maps, for the fault guard (fb_guard.h).
 * @param lo, hi: out: up to max ranges [lo, hi).
 * @return the number found.
 */
int fb_store_mappings(const struct fb_store *st, uintptr_t *lo,
	uintptr_t *hi, int max);

/**
 * For the tools: a fault in this store's mappings (a file truncated under
 * the running program) ends the program with exit_status and a message
 * naming the store, rather than a crash without a word (fb_guard.h).  Not
 * for the module, which fails the lookup open instead.
 */
void fb_store_guard_exit(const struct fb_store *st, int exit_status);

#endif /* FB_STORE_H */
