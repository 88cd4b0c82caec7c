/**
 * \file
 * Keeping Unbound's message cache free of listed names.  Cache hits never
 * reach a module, so a listed name's answer must not be in the cache:
 * - fb_cache_evict() removes the entries of one name, for the names an
 *   answer coming back through the module shows were resolved on the way
 *   (a CNAME chain, a sub-query) although they are listed.
 * - fb_cache_sweep() removes every entry whose query name, or any other
 *   name of its answer's CNAME/DNAME chain (owners of the answer RRsets,
 *   CNAME and DNAME targets), the list blocks, after the list changed: an
 *   alias cached before its target was listed goes too.  With
 *   block-response-addresses, so does every entry whose answer holds an
 *   A or AAAA record in a listed prefix.  It never holds
 *   a lock of the cache while it matches: it copies the names of one hash
 *   bin at a time under that bin's lock (as a lookup holds it; the chain
 *   names and addresses under each RRset's read lock, as a cache hit
 *   reads them),
 *   matches the copies with no lock held, and then removes the blocked
 *   ones one by one.  A cache hit waits at most for the copying of one
 *   bin.  A plain answer adds one RRset read lock to its copy and no
 *   lookup (its owner is the query name).
 */
#ifndef FB_CACHE_H
#define FB_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct slabhash;

/**
 * Remove the cached answers to (name, type, class), with and without the
 * CD bit.
 * @param cache: Unbound's message cache (env->msg_cache).
 * @return how many entries were there.
 */
int fb_cache_evict(struct slabhash *cache, const uint8_t *qname,
	size_t qname_len, uint16_t qtype, uint16_t qclass);

/** Decides a name of a cached answer (its query name or a name of its
 * chain): 1 if the answer must go. */
typedef int fb_cache_blocked_fn(void *arg, const uint8_t *qname,
	size_t qname_len);

/** Decides an address of a cached answer (an A or AAAA record's data,
 * family AF_INET with 4 bytes or AF_INET6 with 16): 1 if it must go. */
typedef int fb_cache_addr_blocked_fn(void *arg, int family,
	const uint8_t *addr);

/** What a sweep asks of the list, called with no cache lock held. */
struct fb_cache_judge {
	fb_cache_blocked_fn *name;
	/** NULL: addresses are not judged (nor copied) */
	fb_cache_addr_blocked_fn *addr;
	void *arg;
};

/** What a sweep did. */
struct fb_sweep_result {
	size_t seen;		/**< entries looked at */
	size_t removed;
	int nomem;		/**< some names could not be copied */
};

/**
 * Remove every cached answer for which the judge says its query name, a
 * name of its chain or (judge->addr set) an address of its answer must go.
 * @param cache: the message cache.
 * @param judge: its functions are called with no cache lock held.
 * @param res: out.
 */
void fb_cache_sweep(struct slabhash *cache,
	const struct fb_cache_judge *judge, struct fb_sweep_result *res);

#endif /* FB_CACHE_H */
