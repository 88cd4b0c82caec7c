/**
 * \file
 * Hash set of keys with flags; the contract is in fb_keyset.h.
 */
#include <stdlib.h>
#include <string.h>
#include "fb_keyset.h"

/** First table size, a power of two. */
#define KEYSET_MIN_SLOTS 1024

struct fb_keyset {
	/** records [flags][len][len bytes], one after another */
	uint8_t *arena;
	/** bytes used in arena */
	size_t used;
	/** bytes allocated for arena */
	size_t cap;
	/** slots: 0 empty, else (hash >> 32) << 32 | (offset + 1) */
	uint64_t *slot;
	/** number of slots, a power of two */
	size_t nslots;
	/** keys in the set */
	size_t count;
};

/** FNV-1a, 64 bits: keys are short and already spread by their text. */
static uint64_t
keyset_hash(const uint8_t *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for(i = 0; i < len; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct fb_keyset *
fb_keyset_new(void)
{
	struct fb_keyset *ks = calloc(1, sizeof(*ks));

	if(!ks)
		return NULL;
	ks->nslots = KEYSET_MIN_SLOTS;
	if(!(ks->slot = calloc(ks->nslots, sizeof(*ks->slot)))) {
		free(ks);
		return NULL;
	}
	return ks;
}

void
fb_keyset_free(struct fb_keyset *ks)
{
	if(!ks)
		return;
	free(ks->arena);
	free(ks->slot);
	free(ks);
}

/**
 * Find the slot of a key, or the empty slot where it would go.
 * @return the slot index.
 */
static size_t
keyset_find(const struct fb_keyset *ks, const uint8_t *key, size_t len,
	uint64_t h)
{
	size_t mask = ks->nslots - 1, i = (size_t)h & mask;
	uint64_t tag = h >> 32, s;
	const uint8_t *rec;

	/* at most half full, so an empty slot ends every probe */
	while((s = ks->slot[i]) != 0) {
		if((s >> 32) == tag) {
			rec = ks->arena + (uint32_t)s - 1;
			if(rec[1] == len && memcmp(rec + 2, key, len) == 0)
				return i;
		}
		i = (i + 1) & mask;
	}
	return i;
}

/** Double the table.  @return 1, 0 when out of memory. */
static int
keyset_grow(struct fb_keyset *ks)
{
	size_t n = ks->nslots * 2, i, j, mask = n - 1;
	uint64_t *ns = calloc(n, sizeof(*ns)), s;
	const uint8_t *rec;

	if(!ns)
		return 0;
	for(i = 0; i < ks->nslots; i++) {
		if((s = ks->slot[i]) == 0)
			continue;
		rec = ks->arena + (uint32_t)s - 1;
		j = (size_t)keyset_hash(rec + 2, rec[1]) & mask;
		while(ns[j] != 0)
			j = (j + 1) & mask;
		ns[j] = s;
	}
	free(ks->slot);
	ks->slot = ns;
	ks->nslots = n;
	return 1;
}

int
fb_keyset_add(struct fb_keyset *ks, const uint8_t *key, size_t len,
	uint8_t flags)
{
	uint64_t h = keyset_hash(key, len);
	size_t i, need = len + 2, ncap;
	uint8_t *na;

	if(len == 0 || len > 255)
		return 0;
	i = keyset_find(ks, key, len, h);
	if(ks->slot[i] != 0) {
		ks->arena[(uint32_t)ks->slot[i] - 1] |= flags;
		return 1;
	}
	/* offsets are 32 bits: a few million names use far less */
	if(ks->used + need >= UINT32_MAX)
		return 0;
	if(ks->used + need > ks->cap) {
		ncap = ks->cap ? ks->cap * 2 : 65536;
		while(ncap < ks->used + need)
			ncap *= 2;
		if(!(na = realloc(ks->arena, ncap)))
			return 0;
		ks->arena = na;
		ks->cap = ncap;
	}
	if((ks->count + 1) * 2 > ks->nslots) {
		if(!keyset_grow(ks))
			return 0;
		i = keyset_find(ks, key, len, h);
	}
	ks->arena[ks->used] = flags;
	ks->arena[ks->used + 1] = (uint8_t)len;
	memcpy(ks->arena + ks->used + 2, key, len);
	ks->slot[i] = ((h >> 32) << 32) | (uint64_t)(ks->used + 1);
	ks->used += need;
	ks->count++;
	return 1;
}

uint8_t
fb_keyset_get(const struct fb_keyset *ks, const uint8_t *key, size_t len)
{
	size_t i;

	if(ks->count == 0 || len == 0 || len > 255)
		return 0;
	i = keyset_find(ks, key, len, keyset_hash(key, len));
	if(ks->slot[i] == 0)
		return 0;
	return ks->arena[(uint32_t)ks->slot[i] - 1];
}

size_t
fb_keyset_count(const struct fb_keyset *ks)
{
	return ks->count;
}
