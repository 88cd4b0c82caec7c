/**
 * \file
 * Read snapshots of the store and matching: everything the Unbound module
 * needs from the store, and what the tools use to look.
 *
 * Matching (fb_match): the query name and each parent are looked up top
 * down.  An entry applies when it is at the query name with FB_SCOPE_SELF,
 * or at a parent with FB_SCOPE_BELOW.  The most specific entry wins: the
 * applicable entries at the deepest name decide, and there an allow entry
 * beats every block entry (at equal depth allow wins); among blocks the
 * lowest source id (manual-block first, then feeds in id order) decides.
 * So allowing a shared platform (vercel.app) does not unblock a listed
 * name below it (scam.vercel.app); doc/matching.md has the whole rule.
 * The walk stops as soon as no stored key lies at or below the current
 * prefix, so a miss costs one or two B-tree seeks whatever the list size.
 *
 * An fb_reader is for one thread at a time; the module keeps one per
 * worker thread and renews it around each lookup, so no old snapshot is
 * pinned between queries.
 */
#ifndef FB_READER_H
#define FB_READER_H

#include <stddef.h>
#include <stdint.h>
#include "fb_store.h"

struct fb_reader;

/**
 * A reusable read transaction.
 * @return 1 on success, 0 on error (err says why).
 */
int fb_reader_new(struct fb_store *st, struct fb_reader **r, char *err,
	size_t errlen);
void fb_reader_free(struct fb_reader *r);

/** fb_reader_begin() results besides 0 (success). */
#define FB_READ_RESIZED 1	/**< a writer grew the map: adopt it first */
#define FB_READ_ERROR 2		/**< another LMDB error */

/**
 * Take a fresh snapshot.
 * @param rc: out, NULL or: the LMDB code of a failure.
 * @return 0 on success, FB_READ_RESIZED or FB_READ_ERROR.
 */
int fb_reader_begin(struct fb_reader *r, int *rc);
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
	/** fb_match: labels of the name that entry is at; fb_match_addr:
	 * the prefix length of the deciding entry (0 is a real /0 there:
	 * tell a match by kind, never by depth) */
	int depth;
};

/**
 * Called by fb_match() and fb_match_addr() for every applicable entry,
 * for "why" output.
 * @param q: fb_match: the name being matched; the entry's name is the
 *	key prefix q->key[0 .. q->ends[depth-1]).  fb_match_addr: NULL.
 * @param depth: fb_match: labels of the entry's name; fb_match_addr:
 *	the entry's prefix length (its key: fb_addr_key(family, addr,
 *	depth)).
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
 * @return 0 on success, else the LMDB error code.
 */
int fb_match(struct fb_reader *r, const struct fb_qname *q,
	struct fb_verdict *v, fb_match_cb *cb, void *arg);

/**
 * Decide an address (an A or AAAA record of an answer) against the
 * address entries (fb_addr.h).  The address form of the name rule
 * (doc/matching.md): the longest listed prefix containing the address
 * decides; at that length an allow entry beats every block; among blocks
 * the lowest source id decides.  IPv4 and IPv6 never match each other
 * (an IPv4-mapped IPv6 address is IPv6).  The scope bits of address
 * entries are not looked at.  Between fb_reader_begin() and
 * fb_reader_end(); no allocation, lock or system call.
 *
 * Cost (fb_addr.h, doc/store.md): one B-tree seek when no prefix of
 * the group length or longer holds the address's group (most misses),
 * else up to one seek per length present in the group, longest first,
 * all in its few leaf pages, stopping at the first that holds the
 * address unless cb is set; plus one exact seek per shorter (admin)
 * prefix length present when no longer prefix matched, learned once per
 * committed store version a reader sees.
 *
 * @param r: reader with an open snapshot.
 * @param family: AF_INET or AF_INET6; another family passes.
 * @param addr: 4 or 16 bytes, network order.
 * @param v: out: the verdict, depth = the deciding prefix length;
 *	FB_PASS on error too.
 * @param cb: NULL, or called for every applicable entry, longest prefix
 *	first, with q NULL and depth the entry's prefix length.
 * @param arg: for cb.
 * @return 0 on success, else the LMDB error code.
 */
int fb_match_addr(struct fb_reader *r, int family, const uint8_t *addr,
	struct fb_verdict *v, fb_match_cb *cb, void *arg);

/** The LMDB transaction id of the reader's snapshot: every commit to the
 * store makes a new one, so it names the version of the list the snapshot
 * sees.  No allocation, lock or system call. */
uint64_t fb_reader_txnid(struct fb_reader *r);

/** Read the generation in the reader's snapshot. @return 1 ok, 0 error. */
int fb_reader_generation(struct fb_reader *r, uint64_t *gen);

/** Read the store's identity in the reader's snapshot (zeros for a
 * schema-1 store). @return 1 ok, 0 error. */
int fb_reader_store_id(struct fb_reader *r, uint8_t id[FB_STORE_ID_LEN]);

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
	uint64_t names;		/**< distinct name keys in "names" */
	uint64_t addresses;	/**< distinct address keys (fb_addr.h) */
	uint64_t records;	/**< entry records in "names" */
	uint64_t file_bytes;	/**< pages in use times page size */
	uint64_t map_size;	/**< configured map size */
	uint32_t schema;
	uint64_t generation;
};
int fb_reader_stats(struct fb_reader *r, struct fb_store_stats *s);

#endif /* FB_READER_H */
