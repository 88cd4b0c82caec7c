/**
 * \file
 * The chunk index of a feed: a summary of its entries in force that lets
 * a full replacement find what changed without reading every entry.
 *
 * A feed's entries, in key order, are cut into content-defined chunks: an
 * entry whose key hash has its top FB_CHUNK_BITS bits zero ends a chunk
 * (128 entries a chunk on average), and the entries after the last such
 * key form the tail chunk.  Because the cut depends only on the key, an
 * added or removed name changes one chunk (two merge, or one splits, when
 * the name is a boundary); every other chunk keeps its end key and hash.
 *
 * Table "chunks": source id (2 bytes big-endian) + end key -> hash of the
 * chunk's entries (8 bytes big-endian) + entry count (8 bytes
 * big-endian).  The tail chunk's end key is the single byte FB_CHUNK_TAIL,
 * which sorts after every name key.  The hash covers key, scope, action
 * and category of each entry in order, never first_seen.
 *
 * The records of a feed are in force only while its source record says
 * so (fb_source_info.chunks == FB_CHUNK_SCHEME).  Every writer of this
 * build that changes a feed's entries either keeps its chunk records
 * exact or drops them and that mark; a writer that does not know about
 * chunks rewrites the source record without the mark (unknown fields are
 * not kept).  So correctness never depends on them: without the mark an
 * update walks the whole feed and builds them anew.
 *
 * The module never reads this table.  Thread safety: the hash functions
 * are reentrant (and inline); the store functions run in the caller's transaction.
 */
#ifndef FB_CHUNK_H
#define FB_CHUNK_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "fb_record.h"

/** The hash, boundary rule and record layout, as stored in a feed's
 * source record: another value means the records are not in force. */
#define FB_CHUNK_SCHEME 1
/** Top bits of a key hash that must be zero for the key to end a chunk. */
#define FB_CHUNK_BITS 7
/** End key byte of the tail chunk: above every byte a name key holds. */
#define FB_CHUNK_TAIL 0xff
/** Bytes of a chunk record's value. */
#define FB_CHUNK_VAL_SIZE 16

/** The hash and count of a chunk being read, entry by entry. */
struct fb_chunk_acc {
	uint64_t hash;	/**< of the entries added so far */
	uint64_t count;	/**< entries added so far */
};

/* The hashes are inline: cutting a 10-million-name set into chunks is a
 * hash a key, and a call a key was a third of that time.
 *
 * The key hash reads the key 8 bytes at a time as little-endian numbers,
 * so a store's chunk records mean the same on every host (mdb_dump
 * output moves between machines): a multiply and a rotation a word, each
 * a bijection of the running hash.  The boundary rule reads the top bits,
 * which the last multiply makes depend on every byte.  No secret is
 * needed: a feed crafted to have few boundaries only makes its own
 * updates walk more of its entries. */

/** Odd constants: the golden ratio's, and a well-mixing multiplier. */
#define FB_CHUNK_K1 0x9e3779b97f4a7c15ULL
#define FB_CHUNK_K2 0xc2b2ae3d27d4eb4fULL

/** 1 to 8 bytes as a little-endian number. */
static inline uint64_t fb_chunk_load(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	while(n > 0)
		w = w << 8 | p[--n];
	return w;
}

/** A fixed 64-bit hash of key bytes, the same on every host. */
static inline uint64_t fb_chunk_keyhash(const uint8_t *key, size_t len)
{
	uint64_t h = (uint64_t)len * FB_CHUNK_K1, w;
	size_t i;
	for(i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, key + i, 8);
		h = (h ^ le64toh(w)) * FB_CHUNK_K2;
		h = h << 29 | h >> 35;
	}
	if(i < len) {
		if(len >= 8) {
			/* the last 8 bytes, shifted: one load */
			memcpy(&w, key + len - 8, 8);
			w = le64toh(w) >> (8 * (8 - (len - i)));
		} else
			w = fb_chunk_load(key + i, len - i);
		h = (h ^ w) * FB_CHUNK_K2;
	}
	return h ^ h >> 31;
}

/** @return 1 if a key of this hash ends a chunk. */
static inline int fb_chunk_boundary(uint64_t keyhash)
{
	return keyhash >> (64 - FB_CHUNK_BITS) == 0;
}

/** Start a chunk. */
static inline void fb_chunk_acc_init(struct fb_chunk_acc *acc)
{
	acc->hash = FB_CHUNK_K2;
	acc->count = 0;
}

/**
 * Add the next entry of a chunk (keys in order).  Chained, so the order
 * of entries counts; each step is a bijection of the running hash and of
 * the entry's value, so changing one entry of a chunk always changes the
 * chunk's hash.
 * @param keyhash: fb_chunk_keyhash() of its key.
 * @param e: its record; source and first_seen are not hashed.
 * @return 1 if this key ends the chunk (fb_chunk_boundary()).
 */
static inline int fb_chunk_acc_add(struct fb_chunk_acc *acc,
	uint64_t keyhash, const struct fb_entry *e)
{
	uint64_t listing = (uint64_t)e->scope << 40 |
		(uint64_t)e->action << 48 | (uint64_t)e->category << 56;
	uint64_t h = acc->hash ^ keyhash ^ listing * FB_CHUNK_K1;
	acc->hash = (h << 27 | h >> 37) * FB_CHUNK_K2;
	acc->count++;
	return fb_chunk_boundary(keyhash);
}

/** A chunk record's value. */
void fb_chunk_val_encode(const struct fb_chunk_acc *acc,
	uint8_t out[FB_CHUNK_VAL_SIZE]);
/** @return 1, or 0 if the value is not FB_CHUNK_VAL_SIZE bytes. */
int fb_chunk_val_decode(const void *val, size_t len,
	struct fb_chunk_acc *acc);

/**
 * A chunk record's key: source id, then the end key, or FB_CHUNK_TAIL
 * when end is NULL.
 * @param out: room for 2 + FB_KEY_MAX bytes.
 * @return its length.
 */
size_t fb_chunk_key(uint16_t src, const uint8_t *end, size_t len,
	uint8_t *out);

#endif /* FB_CHUNK_H */
