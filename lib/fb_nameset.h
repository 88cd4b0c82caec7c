/**
 * \file
 * A sorted, duplicate-free set of (key, scope, listing): what a feed
 * parser builds and a feed update applies.  Keys sort in LMDB's default
 * order (bytes, then length), the order of the store's tables.
 *
 * The listing is the entry's own action and category, for formats that
 * carry them per entry (rpz, csv's category column).  FB_ACTION_DEFAULT
 * and FB_CATEGORY_UNSPECIFIED mean "none given": the update puts the
 * feed's action and category there (fb_update.h).
 *
 * Duplicates of a key are merged into one: their scopes are joined, and
 * the listing is that of the first added allow entry, else that of the
 * first added entry (allow beats block, as in the store's matching, then
 * the order of the feed).  The store holds one entry per key and feed, so
 * an RPZ zone giving "name" and "*.name" different actions cannot be held
 * as written; fb_nameset_finish() counts such keys.
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
/** Add a key with no listing of its own.  @return 1, 0 OOM. */
int fb_nameset_add(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope);
/**
 * Add a key with its own listing.
 * @param action: an enum fb_action (FB_ACTION_DEFAULT: the feed's).
 * @param category: an enum fb_category (UNSPECIFIED: the feed's).
 * @return 1, 0 OOM.
 */
int fb_nameset_add_listed(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope, enum fb_action action, enum fb_category category);
/**
 * Sort and merge duplicates; call once, after the last add.
 * @return the number of keys whose duplicates had different listings
 *	(merged by the rule above).
 */
size_t fb_nameset_finish(struct fb_nameset *ns);
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
/**
 * The listing of the i-th key (after finish).
 * @param action: out: FB_ACTION_DEFAULT when none was given.
 * @param category: out: FB_CATEGORY_UNSPECIFIED when none was given.
 */
void fb_nameset_listing(const struct fb_nameset *ns, size_t i,
	enum fb_action *action, enum fb_category *category);

#endif /* FB_NAMESET_H */
