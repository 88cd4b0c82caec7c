/**
 * \file
 * A hash set of store keys (fb_name.h), each with a few flag bits: what
 * the protected-names filter (fb_protect.h) looks every feed entry up in.
 *
 * Built once, from lists of up to a few million names; then looked up
 * once or a few times for each entry of every feed, so a lookup hashes
 * the key once and allocates nothing.  Keys live one after another in a
 * single growing buffer ([flags][length][bytes]); the table holds the
 * hash and the offset of each, open addressing with linear probing, at
 * most half full.
 *
 * Not thread safe while adding; lookups on a finished set may run in
 * any number of threads.
 */
#ifndef FB_KEYSET_H
#define FB_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct fb_keyset;

/** @return a new empty set, or NULL when out of memory. */
struct fb_keyset *fb_keyset_new(void);

/** Free a set; NULL is fine. */
void fb_keyset_free(struct fb_keyset *ks);

/**
 * Add a key, or OR flags into those of a key already in the set.
 * @param ks: the set.
 * @param key: the key bytes; at most 255 of them.
 * @param len: their number, 1 to 255.
 * @param flags: bits to set, not 0.
 * @return 1, or 0 when out of memory or the key is too long.
 */
int fb_keyset_add(struct fb_keyset *ks, const uint8_t *key, size_t len,
	uint8_t flags);

/**
 * Look a key up.
 * @param ks: the set.
 * @param key: the key bytes.
 * @param len: their number.
 * @return its flags, 0 when it is not in the set.
 */
uint8_t fb_keyset_get(const struct fb_keyset *ks, const uint8_t *key,
	size_t len);

/** @return the number of distinct keys. */
size_t fb_keyset_count(const struct fb_keyset *ks);

#endif /* FB_KEYSET_H */
