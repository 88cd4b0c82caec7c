/**
 * \file
 * Maintenance of the store: backup, restore, compaction, verification.
 * For fraudblock-ctl; the module never calls these.
 *
 * Contract:
 * - A backup is ONE file, a compacted LMDB data file made from one read
 *   snapshot.  It is written beside its final path and renamed into place
 *   after an fsync, so the path holds the previous file or the whole new
 *   one, never half of it.
 * - Restore and compact never write into the live directory.  They build
 *   a whole new environment in a sibling directory ("<dir>.new.XXXXXX"),
 *   check that it opens as a fraudblock store, and swap it with the live
 *   directory in one renameat2(RENAME_EXCHANGE).  Any path lookup of
 *   "<dir>/data.mdb" sees the old store or the new one, whole.  On any
 *   failure before the swap the live store is not touched and the sibling
 *   is removed.
 * - Both hold the live store's writer lock from before the copy (compact)
 *   or the check of the live store (restore) until after the swap, so no
 *   commit is lost in the old files.  A writer that waited meanwhile finds
 *   its store swapped and gets FB_ESTALE ("store replaced ... run it
 *   again").  Readers (the Unbound module) see other data.mdb/lock.mdb
 *   inodes and reopen by themselves; their old mapping stays valid.
 * - Verification walks one read snapshot and changes nothing.  It finds
 *   what the records say that they cannot (a record without its twin, a
 *   count off, a key no name can have); LMDB keeps no checksums, so a
 *   flipped bit inside a value that still decodes is not found.
 *
 * Not thread safe with other users of the same fb_store.
 */
#ifndef FB_ADMIN_H
#define FB_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include "fb_store.h"

/**
 * Write a compacted, consistent copy of the store to path, as one file.
 * The store may be opened read-only.  path must not be in the store's
 * directory.
 * @param st: the open store.
 * @param path: the backup file; replaced atomically if it exists.
 * @param bytes: out, NULL or: size of the backup.
 * @param err: out: why, on failure.
 * @param errlen: size of err.
 * @return 1 on success, 0 on failure (no file left at path or beside it;
 *	an older file at path is kept).
 */
int fb_store_backup(struct fb_store *st, const char *path, uint64_t *bytes,
	char *err, size_t errlen);

/** What a restore or compaction did. */
struct fb_swap_result {
	uint64_t bytes_before;	/**< data.mdb replaced (0 if none) */
	uint64_t bytes_after;	/**< data.mdb in force now */
	uint64_t generation;	/**< generation in force now */
	/** empty, or what the operator should know though it worked (the
	 * old directory kept, an owner that could not be copied) */
	char note[512];
};

/**
 * Replace the store in dir by the backup file, swapping directories.
 * The backup must pass fb_store_check_file(), open as a fraudblock store
 * and pass fb_store_verify(); else nothing changes.  Its generation is set
 * above both its own and the live store's, so every watcher sees a change.
 * dir may be missing; a live directory that holds another program's LMDB
 * is refused.  Owner, group and modes of the live directory and files are
 * given to the new ones where this user may.
 * @param dir: the store directory (from the config).
 * @param file: a file made by fb_store_backup().
 * @param res: out.
 * @return 1 on success, 0 on failure (err set; the live store unchanged).
 */
int fb_store_restore(const char *dir, const char *file,
	struct fb_swap_result *res, char *err, size_t errlen);

/**
 * Compact the store: under its writer lock, rebuild it table by table
 * from that write transaction's view with MDB_APPEND (full pages, where
 * LMDB's compacting copy keeps the half-empty pages removals leave), and
 * swap the copy in.  A store holding a table this build does not know is
 * copied with LMDB's compacting copy instead, which keeps it.  The copy
 * is checked to hold the same generation and the same number of records
 * in every table before the swap.
 * @param st: opened FB_STORE_WRITE.  Stale afterwards (its files are gone
 *	from the directory): close it.
 * @param res: out.
 * @return 1 on success, 0 on failure (err set; the live store unchanged).
 */
int fb_store_compact(struct fb_store *st, struct fb_swap_result *res,
	char *err, size_t errlen);

/** Problems fb_store_verify() tells apart. */
enum fb_verify_kind {
	FB_VERIFY_META = 0,	/**< schema or generation missing or bad */
	FB_VERIFY_RECORD,	/**< an entry record: size, scope, action,
				 * category, reserved bytes */
	FB_VERIFY_KEY,		/**< a key no name can have */
	FB_VERIFY_TWIN,		/**< names and bysource disagree */
	FB_VERIFY_SOURCE,	/**< a source record missing, unreadable or
				 * named twice */
	FB_VERIFY_COUNT,	/**< a source's entries differs from its
				 * records in bysource */
	FB_VERIFY_TREE,		/**< LMDB itself reported damage; the walk
				 * of that table stopped there */
	FB_VERIFY_CHUNK,	/**< a feed's chunk index in force disagrees
				 * with its entries (fb_chunk.h) */
	FB_VERIFY_NKINDS
};

/** Problems of each kind passed to the callback; the rest are counted. */
#define FB_VERIFY_SHOW 10

/** @return a short word for a kind ("meta", "record", ...). */
const char *fb_verify_kind_name(enum fb_verify_kind kind);

/** What fb_store_verify() walked and found. */
struct fb_verify_result {
	uint64_t generation;
	uint64_t keys;		/**< distinct keys in names */
	uint64_t records;	/**< records in names */
	uint64_t bysource;	/**< records in bysource */
	uint64_t sources;	/**< source records */
	uint64_t chunked;	/**< feeds whose chunk index is in force */
	uint64_t chunks;	/**< chunk records (of any source) */
	uint64_t problems;	/**< all kinds */
	uint64_t kind[FB_VERIFY_NKINDS];
};

/**
 * Called for each of the first FB_VERIFY_SHOW problems of each kind.
 * @param what: one line, printable ASCII, no newline.
 */
typedef void fb_verify_cb(void *arg, enum fb_verify_kind kind,
	const char *what);

/**
 * Check the whole store in one read snapshot: meta schema and generation
 * well-formed; every names record FB_ENTRY_SIZE bytes with a valid scope,
 * action and category (allow only in manual-allow and always there);
 * every key a valid key (labels of [a-z0-9_-] of 1..63 bytes, each ended
 * by '.', at most FB_KEY_MAX bytes); names and bysource holding the same
 * (source, key, record) set; a source record for every source used, each
 * readable and named once; each source's entries equal to its records in
 * bysource; for each feed whose chunk index is in force, its chunk records
 * exactly the chunks its entries cut into (records of a feed whose index
 * is not in force are left over from an older writer and ignored).
 * @param st: the open store, any mode.
 * @param cb: NULL or: told about each of the first problems.
 * @param arg: for cb.
 * @param res: out: counts.
 * @return 1 clean, 0 problems found, -1 could not walk (err set).
 */
int fb_store_verify(struct fb_store *st, fb_verify_cb *cb, void *arg,
	struct fb_verify_result *res, char *err, size_t errlen);

#endif /* FB_ADMIN_H */
