/**
 * \file
 * The blocklist store: one LMDB environment shared by the Unbound module
 * (reader), fraudblock-sync and fraudblock-ctl (writers).  The schema is
 * documented in doc/store.md; this header is its contract.
 *
 * Named databases (schema version FB_SCHEMA_VERSION):
 * - "meta":     "schema" -> uint32, "generation" -> uint64 (native order).
 *               The generation is bumped by every commit that changes an
 *               entry; the module watches it to expire cached answers.
 * - "names":    name key (see fb_name.h) -> entry records, MDB_DUPSORT.
 *               One record per source that lists the name; records sort by
 *               source id, so hand-made allow (id 0) and block (id 1) come
 *               first.  This is the only table the query path reads.
 * - "bysource": source id (2 bytes big-endian) + name key -> empty.  Lets a
 *               feed update diff against its own entries and nothing else.
 * - "sources":  source id (2 bytes big-endian) -> struct fb_source_info.
 *
 * Matching (fb_match): the query name and each parent are looked up top
 * down.  An entry applies when it is at the query name with FB_SCOPE_SELF,
 * or at a parent with FB_SCOPE_BELOW.  Any applicable allow entry wins over
 * every block entry; otherwise the deepest block entry decides, the lowest
 * source id first at equal depth.  The walk stops as soon as no stored key
 * lies at or below the current prefix, so a miss costs one or two B-tree
 * seeks whatever the list size.
 *
 * Concurrency: LMDB gives one writer at a time (sync and ctl wait for each
 * other) and readers that never block nor see half a commit.  An fb_reader
 * is for one thread at a time; the module keeps one per worker thread.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "fb_name.h"

#define FB_SCHEMA_VERSION 1

/** Source ids.  Feeds get ids from FB_SOURCE_FIRST_FEED on. */
#define FB_SOURCE_ALLOW 0	/**< hand-made allow entries */
#define FB_SOURCE_BLOCK 1	/**< hand-made block entries */
#define FB_SOURCE_FIRST_FEED 2
#define FB_SOURCE_NAME_MAX 64

/** What a listed name gets.  Stored in entries; values are on disk. */
enum fb_action {
	FB_ACTION_DEFAULT = 0,	/**< the config's default-action */
	FB_ACTION_SINKHOLE = 1,	/**< A/AAAA -> sinkhole address, else NODATA */
	FB_ACTION_NXDOMAIN = 2,
	FB_ACTION_NODATA = 3,
	FB_ACTION_ALLOW = 4	/**< never blocked */
};

/** Why a name is listed.  Values are on disk. */
enum fb_category {
	FB_CATEGORY_UNSPECIFIED = 0,
	FB_CATEGORY_SCAM = 1,
	FB_CATEGORY_PHISHING = 2,
	FB_CATEGORY_MALWARE = 3,
	FB_CATEGORY_OTHER = 4
};

/** @return the config/CLI word for an action ("sinkhole", ...). */
const char *fb_action_name(enum fb_action a);
/** @return 1 and set *a if word names an action, else 0. */
int fb_action_parse(const char *word, enum fb_action *a);
/** @return the config/CLI word for a category. */
const char *fb_category_name(enum fb_category c);
/** @return 1 and set *c if word names a category, else 0. */
int fb_category_parse(const char *word, enum fb_category *c);

/** One record in "names" (12 bytes on disk, source id big-endian). */
struct fb_entry {
	uint16_t source;	/**< FB_SOURCE_* or a feed id */
	uint8_t scope;		/**< FB_SCOPE_* bits */
	uint8_t action;		/**< enum fb_action */
	uint8_t category;	/**< enum fb_category */
	uint32_t first_seen;	/**< unix time the source first listed it */
};

/** Bookkeeping of one source, in "sources". */
struct fb_source_info {
	uint16_t id;
	char name[FB_SOURCE_NAME_MAX];	/**< NUL-terminated */
	uint64_t entries;	/**< names it lists now */
	uint64_t invalid;	/**< lines refused in the last accepted update */
	int64_t last_attempt;	/**< unix time of the last update attempt */
	int64_t last_success;	/**< ... of the last accepted update */
	int64_t last_change;	/**< ... of the last one that changed entries */
	int32_t last_status;	/**< 0 ok, else the failure kind */
	char last_error[256];	/**< why the last attempt failed, or "" */
};

struct fb_store;
struct fb_reader;

/** fb_store_open() modes. */
#define FB_STORE_READ  0	/**< read-only (the module); never creates */
#define FB_STORE_WRITE 1	/**< read-write; creates the directory/schema */

/**
 * Open the environment in directory dir.
 * @param st: out.
 * @param dir: the LMDB directory (data.mdb, lock.mdb).
 * @param map_size: LMDB map size in bytes (virtual; the file grows as
 *	needed up to it).  Readers and writers should use the same value.
 * @param mode: FB_STORE_READ or FB_STORE_WRITE.
 * @param err: out: what went wrong, naming dir.
 * @param errlen: size of err.
 * @return 1 on success, 0 on error.  A missing directory, or one with no
 *	schema yet, is an error in FB_STORE_READ mode.
 */
int fb_store_open(struct fb_store **st, const char *dir, uint64_t map_size,
	int mode, char *err, size_t errlen);

/** Close; all readers of st must be freed first.  NULL is fine. */
void fb_store_close(struct fb_store *st);

/**
 * Is the open store still the one in its directory, and readable?  False
 * once the directory's data.mdb was removed or replaced by another file (a
 * restore from backup, `rm -rf` and a fresh sync): the store stays
 * readable then, but it is no longer the list in force.  False too once a
 * reader met a file grown past this env's map (MDB_MAP_RESIZED, a writer
 * with a larger max-db-size): only a new env can read it.  Costs a stat()
 * and an fstat().
 * @return 1 if current, 0 if the store should be opened anew.
 */
int fb_store_is_current(struct fb_store *st);

/**
 * A reusable read transaction.  Create one per thread; call
 * fb_reader_begin() before and fb_reader_end() after each use so that no
 * old snapshot is pinned between queries.
 * @return 1 on success, 0 on error (logged into err).
 */
int fb_reader_new(struct fb_store *st, struct fb_reader **r, char *err,
	size_t errlen);
void fb_reader_free(struct fb_reader *r);
/** Take a fresh snapshot.  @return 1 on success, 0 on error. */
int fb_reader_begin(struct fb_reader *r);
/** Release the snapshot. */
void fb_reader_end(struct fb_reader *r);

/** The outcome of fb_match(). */
enum fb_verdict_kind {
	FB_PASS = 0,	/**< not listed */
	FB_BLOCK,	/**< blocked by verdict.entry */
	FB_ALLOW	/**< listed, but an allow entry wins */
};

struct fb_verdict {
	enum fb_verdict_kind kind;
	struct fb_entry entry;	/**< the deciding entry (BLOCK, ALLOW) */
	int depth;		/**< labels of the name that entry is at */
};

/**
 * Called by fb_match() for every applicable entry, for "why" output.
 * @param q: the name being matched; the entry's name is the key prefix
 *	q->key[0 .. q->ends[depth-1]).
 */
typedef void fb_match_cb(void *arg, const struct fb_qname *q, int depth,
	const struct fb_entry *e);

/**
 * Decide a name.  Between fb_reader_begin() and fb_reader_end().
 * No allocation, lock or system call.
 * @param r: reader with an open snapshot.
 * @param q: the name (fb_qname_from_wire / fb_qname_from_key).
 * @param v: out: the verdict; FB_PASS on error too.
 * @param cb: NULL, or called for each applicable entry.
 * @param arg: for cb.
 * @return 1 on success, 0 on a store error.
 */
int fb_match(struct fb_reader *r, const struct fb_qname *q,
	struct fb_verdict *v, fb_match_cb *cb, void *arg);

/** Read the generation in the reader's snapshot. @return 1 ok, 0 error. */
int fb_reader_generation(struct fb_reader *r, uint64_t *gen);

/**
 * Read a source's bookkeeping in the reader's snapshot.
 * @return 1 if found, 0 if not (info zeroed, name set to "source-<id>").
 */
int fb_reader_source(struct fb_reader *r, uint16_t id,
	struct fb_source_info *info);

/**
 * Call cb for every source in id order, in the reader's snapshot.
 * @return 1 on success, 0 on error.
 */
int fb_reader_sources(struct fb_reader *r,
	void (*cb)(void *arg, const struct fb_source_info *info), void *arg);

/** Environment statistics for `fraudblock-ctl status`. */
struct fb_store_stats {
	uint64_t names;		/**< distinct keys in "names" */
	uint64_t records;	/**< entry records in "names" */
	uint64_t file_bytes;	/**< pages in use times page size */
	uint64_t map_size;	/**< configured map size */
	uint32_t schema;
	uint64_t generation;
};
int fb_reader_stats(struct fb_reader *r, struct fb_store_stats *s);

/* ---- writing ------------------------------------------------------- */

/** A sorted, duplicate-free set of (key, scope) built by a feed parser. */
struct fb_nameset;

/** @return a new empty set or NULL when out of memory. */
struct fb_nameset *fb_nameset_new(void);
void fb_nameset_free(struct fb_nameset *ns);
/** Add a key; scopes of a key added twice are merged. @return 1, 0 OOM. */
int fb_nameset_add(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope);
/** Sort and merge duplicates; call once, after the last add. */
void fb_nameset_finish(struct fb_nameset *ns);
/** @return the number of distinct keys (after finish). */
size_t fb_nameset_count(const struct fb_nameset *ns);

/** What a feed update did. */
struct fb_update_result {
	uint64_t before;	/**< entries of the feed before */
	uint64_t after;		/**< entries after (== before if refused) */
	uint64_t added, removed, changed;
	uint64_t generation;	/**< generation after the commit */
};

/** Why an update was refused or failed: fb_store_replace_feed()'s
 * result, and the status recorded by fb_store_feed_failed().  Values are
 * stored in fb_source_info.last_status. */
enum fb_update_status {
	FB_UPDATE_OK = 0,
	FB_UPDATE_SHRINK,	/**< would drop more than max_shrink % */
	FB_UPDATE_STORE,	/**< LMDB error (full disk, map full, ...) */
	FB_UPDATE_NOMEM,
	FB_UPDATE_SOURCE,	/**< the source could not be read */
	FB_UPDATE_FORMAT,	/**< most lines invalid: wrong format? */
	FB_UPDATE_EMPTY		/**< no names at all: empty or truncated */
};

/**
 * Replace all entries of one feed by the set ns, in one write transaction:
 * only the differences are written, other sources are not touched, and the
 * generation is bumped if anything changed.  The feed gets an id the first
 * time.  On refusal or error nothing changes but the feed's bookkeeping
 * (last attempt, status, error text), which is committed on its own.
 * @param st: opened FB_STORE_WRITE.
 * @param feed: feed name (1..63 chars).
 * @param ns: finished set.
 * @param action: action for the entries.
 * @param category: category for the entries.
 * @param max_shrink: refuse if the entry count would fall by more than this
 *	percentage (100 = never refuse).
 * @param invalid: lines the parser refused, recorded in the bookkeeping.
 * @param now: unix time.
 * @param res: out.
 * @param err: out: why, when not FB_UPDATE_OK.
 * @param errlen: size of err.
 * @return an fb_update_status.
 */
enum fb_update_status fb_store_replace_feed(struct fb_store *st,
	const char *feed, const struct fb_nameset *ns, enum fb_action action,
	enum fb_category category, unsigned max_shrink, uint64_t invalid,
	int64_t now, struct fb_update_result *res, char *err, size_t errlen);

/**
 * Record a failed attempt for a feed (download or parse failed) without
 * touching its entries.
 * @return 1 on success, 0 on store error (err set).
 */
int fb_store_feed_failed(struct fb_store *st, const char *feed,
	int status, const char *why, int64_t now, char *err, size_t errlen);

/**
 * Hand-made entry: source FB_SOURCE_ALLOW (action FB_ACTION_ALLOW) or
 * FB_SOURCE_BLOCK (any other action).  Setting one removes the other for
 * the same key.  Committed at once; bumps the generation if it changed.
 * @return 1 changed, 0 already so, -1 on error (err set).
 */
int fb_store_manual_set(struct fb_store *st, const struct fb_key *key,
	uint8_t scope, enum fb_action action, int64_t now, char *err,
	size_t errlen);

/**
 * Remove hand-made allow and block entries of exactly this key.
 * @return number removed (0..2), -1 on error (err set).
 */
int fb_store_manual_remove(struct fb_store *st, const struct fb_key *key,
	char *err, size_t errlen);

/** Encode/decode an entry record (12 bytes), for tools and tests. */
#define FB_ENTRY_SIZE 12
void fb_entry_encode(const struct fb_entry *e, uint8_t out[FB_ENTRY_SIZE]);
void fb_entry_decode(const uint8_t in[FB_ENTRY_SIZE], struct fb_entry *e);

#endif /* FB_STORE_H */
