/**
 * \file
 * The per-thread context of the module: everything a worker thread keeps
 * between queries (its store reader, its fault guard, the EDE texts and
 * Structured DNS Error objects it has made, its counters), so that nothing on the query path takes a lock or
 * touches memory another thread writes.
 *
 * Quiescence: a thread marks itself "in a lookup" (one atomic store of its
 * own flag) and then reads the module's gate; the watch thread closes the
 * gate and then waits until no thread is in a lookup.  Either the thread
 * sees the gate closed, or the watch thread sees the thread inside and
 * waits: the store can be reopened or resized with no reader in flight
 * and no lock on the query path.
 */
#ifndef FB_THREAD_H
#define FB_THREAD_H

#include <stdint.h>
#include "fb_guard.h"
#include "fb_reader.h"
#include "fb_name.h"
#include "fb_metrics.h"
#include "fb_sde.h"

struct fb_module;
struct fb_ring;

/** EDE codes and texts one thread has made, by (store, list generation,
 * source, category). */
#define FB_TEXT_SLOTS 16
struct fb_text_slot {
	unsigned store_epoch;	/**< 0: empty */
	uint64_t list_gen;
	uint16_t source;
	uint8_t category;
	uint16_t ede;		/**< the source's EDE code */
	char text[FB_SOURCE_NAME_MAX + 48];
	/** the source's name, for the query log */
	char source_name[FB_SOURCE_NAME_MAX];
	/** with sde: yes, the Structured DNS Error objects (fb_sde.h) of
	 * the source's blocks: full, and short (for small UDP answers;
	 * sde_short_len 0 when it would be empty) */
	char sde[FB_SDE_JSON_MAX + 1];
	size_t sde_len;
	char sde_short[FB_SDE_JSON_MAX + 1];
	size_t sde_short_len;
};

/** Blocked names one thread has matched, by (store, LMDB transaction id,
 * sweep count, name): a blocked name asked again in the same version of
 * the list is not matched again.  The sweep count covers a store copied
 * over the live one in place, whose transaction id may be the same: the
 * watch thread sweeps (and so counts) when it sees another store there.  Direct-mapped by a hash of the name's key; names
 * with longer keys than FB_SEEN_KEY are always matched.  About 550 KB a
 * thread. */
#define FB_SEEN_SLOTS 4096
#define FB_SEEN_KEY 96
struct fb_seen_slot {
	unsigned store_epoch;	/**< 0: empty */
	uint64_t txnid;		/**< the snapshot's, fb_reader_txnid() */
	unsigned sweeps;	/**< fb_module.sweeps when it was matched */
	uint16_t len;		/**< bytes of key */
	uint8_t full;		/**< fb_qname.full of the name */
	uint8_t key[FB_SEEN_KEY];	/**< the name's key, as matched */
	struct fb_verdict v;	/**< its verdict: FB_BLOCK */
};

/** Counters of one thread: written by it alone (FB_COUNT), read by the
 * metrics writer (fb_metrics.c). */
struct fb_counters {
	uint64_t checked;	/**< names looked up */
	uint64_t blocked;	/**< client queries answered with a block */
	uint64_t failed_open;	/**< lookups skipped or failed: passed */
	uint64_t evicted;	/**< cache entries removed after the iterator */
};

struct fb_thread {
	struct fb_module *m;
	/** 1 while between fb_thread_begin() and fb_thread_end(); atomic */
	int in_lookup;
	/** the reader of m->store and the store_epoch it belongs to */
	struct fb_reader *reader;
	unsigned reader_epoch;
	struct fb_guard guard;
	struct fb_text_slot texts[FB_TEXT_SLOTS];
	struct fb_seen_slot seen[FB_SEEN_SLOTS];
	struct fb_counters count;
	/** this thread's query log ring (fb_log.h), or NULL when the log
	 * is off; made before the context is put on m->threads */
	struct fb_ring *ring;
	/** the other metrics counters, written by this thread alone */
	struct fb_thread_stats stats;
	/** on m->threads */
	struct fb_thread *next;
};

/** What fb_thread_lookup() found. */
struct fb_lookup {
	struct fb_verdict v;
	/** the EDE code and text for a BLOCK verdict */
	uint16_t ede;
	const char *text;
	/** BLOCK with sde: yes: the Structured DNS Error objects for the
	 * EDE text of a client that asked for them (fb_answer.c), NUL-
	 * terminated; sde_len 0 (and NULL) without them */
	const char *sde;
	size_t sde_len;
	const char *sde_short;
	size_t sde_short_len;
	/** the blocking source's name (FB_SOURCE_NAME_MAX bytes) */
	const char *source;
	/** BLOCK: the listed name whose entry decided, as the tail of the
	 * wire name looked up (a parent of it or the name itself) */
	const uint8_t *match;
	size_t match_len;	/**< bytes of match, root label included */
	/** the list generation the EDE text was made for (the SOA serial) */
	uint64_t list_gen;
	/** NULL, or (set by fb_policy, not by the lookup) the name of the
	 * answer's CNAME/DNAME chain the verdict is for, when it is not the
	 * query name: wire format, chain_len bytes */
	const uint8_t *chain;
	size_t chain_len;
	/** NULL, or (set by fb_policy) the name of the client policy that
	 * decided, for the query log */
	const char *policy;
	/** fb_thread_lookup_addr() BLOCK: the address of the answer that a
	 * listed prefix holds (v.depth is the prefix's length); family 0
	 * for a name's verdict */
	int addr_family;
	uint8_t addr[16];
};

/**
 * This thread's context in module m; made (and put on m->threads) the
 * first time.  @return NULL when out of memory.
 */
struct fb_thread *fb_thread_get(struct fb_module *m);

/**
 * Decide a name on this thread: enter (honouring the gate), take a
 * snapshot, match, make the EDE text of a block, release; guarded against
 * faults.  No allocation, lock or system call unless the gate is paused
 * or the thread needs a new reader.
 * @param wire, wlen: the name in wire format.
 * @param out: out: verdict (FB_PASS when the lookup could not be done).
 * @return 1 if the lookup was done, 0 if the query passes unchecked
 *	(no store, damaged store, a fault, a read error: all logged once).
 */
int fb_thread_lookup(struct fb_thread *t, const uint8_t *wire, size_t wlen,
	struct fb_lookup *out);

/**
 * Decide an address of an answer (an A or AAAA record's data) on this
 * thread, as fb_thread_lookup() decides a name: the longest listed prefix
 * holding it (fb_match_addr()).
 * @param family: AF_INET (addr: 4 bytes) or AF_INET6 (16 bytes).
 * @return as fb_thread_lookup().
 */
int fb_thread_lookup_addr(struct fb_thread *t, int family,
	const uint8_t *addr, struct fb_lookup *out);

/**
 * Keep every worker out of the store: close the gate (FB_GATE_PAUSED) and
 * wait until no thread is inside a lookup.  Watch thread only.
 */
void fb_threads_quiesce(struct fb_module *m);

/**
 * Free every thread's reader (while quiesced, before the store closes).
 */
void fb_threads_drop_readers(struct fb_module *m);

/** Free all contexts of m (deinit: workers are stopped). */
void fb_threads_free(struct fb_module *m);

#endif /* FB_THREAD_H */
