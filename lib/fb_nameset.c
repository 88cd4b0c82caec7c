/**
 * \file
 * Sorted key sets (see fb_nameset.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fb_nameset.h"

/** Action (low nibble) and category (high nibble) in one byte: the
 * item stays 8 bytes, which matters for sets of 10 million names. */
#define LISTING(a, c) ((uint8_t)(((unsigned)(a) & 0x0f) | \
	(((unsigned)(c) & 0x0f) << 4)))
#define LISTING_ACTION(l) ((enum fb_action)((l) & 0x0f))
#define LISTING_CATEGORY(l) ((enum fb_category)((l) >> 4))

struct ns_item {
	uint32_t off;	/**< into the arena; grows with each add, so it
			 * also gives the order the keys were added in */
	uint16_t len;	/**< of the key */
	uint8_t scope;	/**< FB_SCOPE_* bits */
	uint8_t listing;	/**< LISTING(action, category) */
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
	return fb_nameset_add_listed(ns, key, scope, FB_ACTION_DEFAULT,
		FB_CATEGORY_UNSPECIFIED);
}

int fb_nameset_add_listed(struct fb_nameset *ns, const struct fb_key *key,
	uint8_t scope, enum fb_action action, enum fb_category category)
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
	it->listing = LISTING(action, category);
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
	if(x->len != y->len)
		return (int)x->len - (int)y->len;
	/* qsort is not stable: the order of adding decides duplicates */
	return x->off < y->off ? -1 : (x->off > y->off ? 1 : 0);
}

size_t fb_nameset_finish(struct fb_nameset *ns)
{
	size_t i, j = 0, conflicts = 0;
	int conflict = 0;
	if(ns->n == 0)
		return 0;
	sort_arena = ns->arena;
	qsort(ns->items, ns->n, sizeof(*ns->items), item_cmp);
	sort_arena = NULL;
	for(i = 1; i < ns->n; i++) {
		struct ns_item *last = &ns->items[j];
		struct ns_item *it = &ns->items[i];
		if(it->len == last->len && memcmp(ns->arena + it->off,
		    ns->arena + last->off, it->len) == 0) {
			last->scope |= it->scope;
			if(it->listing == last->listing)
				continue;
			conflict = 1;
			/* allow beats block; else the first added stays */
			if(LISTING_ACTION(it->listing) == FB_ACTION_ALLOW &&
			   LISTING_ACTION(last->listing) != FB_ACTION_ALLOW)
				last->listing = it->listing;
		} else {
			conflicts += conflict;
			conflict = 0;
			ns->items[++j] = *it;
		}
	}
	ns->n = j + 1;
	return conflicts + conflict;
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

void fb_nameset_listing(const struct fb_nameset *ns, size_t i,
	enum fb_action *action, enum fb_category *category)
{
	*action = LISTING_ACTION(ns->items[i].listing);
	*category = LISTING_CATEGORY(ns->items[i].listing);
}
