/**
 * \file
 * Sorted key sets (see fb_nameset.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fb_nameset.h"

struct ns_item {
	uint32_t off;	/**< into the arena */
	uint16_t len;
	uint8_t scope;
};

struct fb_nameset {
	uint8_t *arena;
	size_t used, cap;
	struct ns_item *items;
	size_t n, ncap;
};

struct fb_nameset *fb_nameset_new(void)
{
	return calloc(1, sizeof(struct fb_nameset));
}

void fb_nameset_free(struct fb_nameset *ns)
{
	if(!ns)
		return;
	free(ns->arena);
	free(ns->items);
	free(ns);
}

int fb_nameset_add(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope)
{
	struct ns_item *it;
	/* offsets are 32-bit: 4 GB of keys is far beyond any max-size */
	if(ns->used + key->len > UINT32_MAX ||
	   !fb_grow(&ns->arena, &ns->cap, ns->used + key->len, 1) ||
	   !fb_grow(&ns->items, &ns->ncap, ns->n + 1, sizeof(*ns->items)))
		return 0;
	memcpy(ns->arena + ns->used, key->data, key->len);
	it = &ns->items[ns->n++];
	it->off = (uint32_t)ns->used;
	it->len = (uint16_t)key->len;
	it->scope = scope;
	ns->used += key->len;
	return 1;
}

/** qsort has no context argument; one sort at a time per process is
 * all the tools need (the module never builds sets). */
static const uint8_t *sort_arena;

static int item_cmp(const void *a, const void *b)
{
	const struct ns_item *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(sort_arena + x->off, sort_arena + y->off, n);
	if(c)
		return c;
	return (int)x->len - (int)y->len;
}

/**
 * Lay the keys out in the arena in their sorted order.  Every later pass
 * (chunk hashes, the diff, the writes) reads the keys in that order: a
 * 10-million-key set read in the order the feed listed them is a cache
 * miss a key.  Costs a second arena for a moment; without the memory it
 * is skipped (only slower).
 */
static void arena_in_order(struct fb_nameset *ns)
{
	uint8_t *a;
	size_t i, used = 0;
	if(ns->used == 0 || !(a = malloc(ns->used)))
		return;
	for(i = 0; i < ns->n; i++) {
		memcpy(a + used, ns->arena + ns->items[i].off,
			ns->items[i].len);
		ns->items[i].off = (uint32_t)used;
		used += ns->items[i].len;
	}
	free(ns->arena);
	ns->arena = a;
	ns->used = ns->cap = used;
}

void fb_nameset_finish(struct fb_nameset *ns)
{
	size_t i, j = 0;
	if(ns->n == 0)
		return;
	sort_arena = ns->arena;
	qsort(ns->items, ns->n, sizeof(*ns->items), item_cmp);
	sort_arena = NULL;
	for(i = 1; i < ns->n; i++) {
		struct ns_item *last = &ns->items[j];
		struct ns_item *it = &ns->items[i];
		if(it->len == last->len && memcmp(ns->arena + it->off,
		    ns->arena + last->off, it->len) == 0)
			last->scope |= it->scope;
		else
			ns->items[++j] = *it;
	}
	ns->n = j + 1;
	arena_in_order(ns);
}

size_t fb_nameset_count(const struct fb_nameset *ns)
{
	return ns->n;
}

const uint8_t *fb_nameset_get(const struct fb_nameset *ns, size_t i,
	size_t *len, uint8_t *scope)
{
	*len = ns->items[i].len;
	if(scope)
		*scope = ns->items[i].scope;
	return ns->arena + ns->items[i].off;
}
