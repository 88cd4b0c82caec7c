/**
 * \file
 * The count table of ctl_count.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "ctl_count.h"

/** Bytes of one block of key copies. */
#define KEY_BLOCK (1024 * 1024)

/** A block of key copies, chained for freeing. */
struct key_block {
	struct key_block *next;	/**< the block made before */
	size_t used;		/**< bytes of data taken */
	size_t size;		/**< bytes of data */
	char data[];		/**< the keys, each NUL-terminated */
};

struct ctl_count {
	uint64_t k0, k1;	/**< SipHash key */
	uint32_t *slots;	/**< item index + 1; 0: empty */
	size_t nslots;		/**< a power of two */
	struct ctl_count_item *items;	/**< in the order added */
	size_t n, cap;		/**< items used and allocated */
	size_t max_keys;	/**< the cap */
	struct key_block *keys;	/**< the newest block */
	int capped;		/**< a key was refused: full */
	int nomem;		/**< a key was refused: no memory */
};

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while(0)

/** SipHash-2-4 (Aumasson and Bernstein, 2012) of len bytes at p. */
static uint64_t
siphash(const struct ctl_count *t, const unsigned char *p, size_t len)
{
	uint64_t v0 = t->k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = t->k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = t->k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = t->k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;
	const unsigned char *end = p + len - left;

	for(; p < end; p += 8) {
		m = 0;
		for(i = 0; i < 8; i++)
			m |= (uint64_t)p[i] << (8 * i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for(i = 0; i < left; i++)
		b |= (uint64_t)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

struct ctl_count *
ctl_count_new(size_t max_keys)
{
	struct ctl_count *t = calloc(1, sizeof(*t));
	uint64_t k[2];

	if(!t)
		return NULL;
	t->nslots = 1024;
	if(!(t->slots = calloc(t->nslots, sizeof(*t->slots)))) {
		free(t);
		return NULL;
	}
	/* without randomness the table still works, only guessably */
	if(getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		k[0] = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
		k[1] = (uint64_t)getpid() ^ (uint64_t)(uintptr_t)t;
	}
	t->k0 = k[0];
	t->k1 = k[1];
	t->max_keys = max_keys > UINT32_MAX / 4 ? UINT32_MAX / 4 : max_keys;
	return t;
}

void
ctl_count_free(struct ctl_count *t)
{
	struct key_block *b, *next;

	if(!t)
		return;
	for(b = t->keys; b; b = next) {
		next = b->next;
		free(b);
	}
	free(t->items);
	free(t->slots);
	free(t);
}

/** Double the slots.  @return 1, or 0 out of memory. */
static int
grow(struct ctl_count *t)
{
	size_t ns = t->nslots * 2, i, j;
	uint32_t *s = calloc(ns, sizeof(*s));

	if(!s)
		return 0;
	for(i = 0; i < t->n; i++) {
		for(j = t->items[i].hash & (ns - 1); s[j]; j = (j + 1) & (ns - 1))
			;
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = s;
	t->nslots = ns;
	return 1;
}

/** A copy of the key in a block.  @return it, or NULL. */
static char *
copy_key(struct ctl_count *t, const void *key, size_t len)
{
	struct key_block *b = t->keys;
	char *p;

	if(!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > KEY_BLOCK ? len + 1 : KEY_BLOCK;
		if(!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->next = t->keys;
		b->used = 0;
		b->size = size;
		t->keys = b;
	}
	p = b->data + b->used;
	memcpy(p, key, len);
	p[len] = 0;
	b->used += len + 1;
	return p;
}

struct ctl_count_item *
ctl_count_get(struct ctl_count *t, const void *key, size_t len, int *added)
{
	uint64_t h = siphash(t, key, len);
	size_t j, mask = t->nslots - 1;
	struct ctl_count_item *it;

	if(added)
		*added = 0;
	for(j = h & mask; t->slots[j]; j = (j + 1) & mask) {
		it = &t->items[t->slots[j] - 1];
		if(it->hash == h && it->len == len &&
			memcmp(it->key, key, len) == 0)
			return it;
	}
	if(t->n >= t->max_keys) {
		t->capped = 1;
		return NULL;
	}
	if(t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct ctl_count_item *ni = realloc(t->items,
			cap * sizeof(*ni));
		if(!ni) {
			t->nomem = 1;
			return NULL;
		}
		t->items = ni;
		t->cap = cap;
	}
	it = &t->items[t->n];
	memset(it, 0, sizeof(*it));
	if(!(it->key = copy_key(t, key, len))) {
		t->nomem = 1;
		return NULL;
	}
	it->len = len;
	it->hash = h;
	t->slots[j] = (uint32_t)(++t->n);
	if(added)
		*added = 1;
	if(t->n * 2 > t->nslots && !grow(t)) {
		/* the key is in; no more are taken, so that the probe
		 * loop above always finds an empty slot */
		t->nomem = 1;
		t->max_keys = t->n;
	}
	return it;
}

size_t
ctl_count_size(const struct ctl_count *t)
{
	return t->n;
}

int
ctl_count_capped(const struct ctl_count *t)
{
	return t->capped;
}

int
ctl_count_nomem(const struct ctl_count *t)
{
	return t->nomem;
}

struct ctl_count_item **
ctl_count_sorted(struct ctl_count *t, int (*cmp)(const void *,
	const void *), size_t *n)
{
	struct ctl_count_item **v;
	size_t i;

	*n = 0;
	if(!t->n)
		return NULL;
	if(!(v = malloc(t->n * sizeof(*v)))) {
		*n = SIZE_MAX;
		return NULL;
	}
	for(i = 0; i < t->n; i++)
		v[i] = &t->items[i];
	qsort(v, t->n, sizeof(*v), cmp);
	*n = t->n;
	return v;
}
