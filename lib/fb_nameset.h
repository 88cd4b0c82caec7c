/**
 * \file
 * A sorted, duplicate-free set of (key, scope): what a feed parser builds
 * and a feed update applies.  Keys sort in LMDB's default order (bytes,
 * then length), the order of the store's tables.
 *
 * Not thread safe: one set per thread; fb_nameset_finish() is not
 * reentrant (qsort has no context argument).
 */
#ifndef FB_NAMESET_H
#define FB_NAMESET_H

#include <stddef.h>
#include <stdint.h>
#include "fb_name.h"
#include "fb_record.h"

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
/**
 * The i-th key in order (after finish), i < fb_nameset_count().
 * @param len: out: its length.
 * @param scope: out, NULL or: its scope bits.
 * @return the key bytes, valid until the set changes.
 */
const uint8_t *fb_nameset_get(const struct fb_nameset *ns, size_t i,
	size_t *len, uint8_t *scope);

#endif /* FB_NAMESET_H */
