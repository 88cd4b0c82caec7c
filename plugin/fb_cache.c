/**
 * \file
 * Removing listed names from Unbound's message cache (see fb_cache.h).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "util/storage/slabhash.h"
#include "util/storage/lruhash.h"
#include "util/data/msgreply.h"
#include "util/net_help.h"
#include "sldns/pkthdr.h"
#include "fb_cache.h"

int fb_cache_evict(struct slabhash *cache, const uint8_t *qname,
	size_t qname_len, uint16_t qtype, uint16_t qclass)
{
	static const uint16_t flags[2] = { 0, BIT_CD };
	struct query_info qi;
	int i, n = 0;
	memset(&qi, 0, sizeof(qi));
	qi.qname = (uint8_t *)qname;
	qi.qname_len = qname_len;
	qi.qtype = qtype;
	qi.qclass = qclass;
	for(i = 0; i < 2; i++) {
		hashvalue_type h = query_info_hash(&qi, flags[i]);
		struct lruhash_entry *e = slabhash_lookup(cache, h, &qi, 0);
		if(!e)
			continue;
		lock_rw_unlock(&e->lock);
		slabhash_remove(cache, h, &qi);
		n++;
	}
	return n;
}

/** A copied cache key. */
struct copied {
	hashvalue_type hash;
	uint32_t off;		/**< qname in the arena */
	uint16_t qtype, qclass;
	uint8_t len;
};

struct copies {
	struct copied *v;
	size_t n, cap;
	uint8_t *arena;
	size_t used, acap;
	int nomem;
};

/** Make room for one more key of len bytes (before taking a lock, so no
 * allocation happens under one).  @return 1, 0 on OOM. */
static int reserve(struct copies *c, size_t want, size_t bytes)
{
	if(c->n + want > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		void *p;
		while(cap < c->n + want)
			cap *= 2;
		if(!(p = realloc(c->v, cap * sizeof(*c->v))))
			return 0;
		c->v = p;
		c->cap = cap;
	}
	if(c->used + bytes > c->acap) {
		size_t cap = c->acap ? c->acap : 65536;
		void *p;
		while(cap < c->used + bytes)
			cap *= 2;
		if(!(p = realloc(c->arena, cap)))
			return 0;
		c->arena = p;
		c->acap = cap;
	}
	return 1;
}

/** Copy the keys of one bin; the caller holds its lock.  Nothing is
 * allocated here.  @return 0 if they all fit in the room reserved. */
static int copy_bin(struct copies *c, struct lruhash_bin *bin)
{
	struct lruhash_entry *e;
	for(e = bin->overflow_list; e; e = e->overflow_next) {
		struct msgreply_entry *k = (struct msgreply_entry *)e->key;
		struct copied *x;
		size_t len = k->key.qname_len;
		if(len == 0 || len > 255)
			continue;
		if(c->n == c->cap || c->used + len > c->acap)
			return -1;
		x = &c->v[c->n++];
		x->hash = e->hash;
		x->off = (uint32_t)c->used;
		x->len = (uint8_t)len;
		x->qtype = k->key.qtype;
		x->qclass = k->key.qclass;
		memcpy(c->arena + c->used, k->key.qname, len);
		c->used += len;
	}
	return 0;
}

/** Copy the keys of one table, one bin at a time. */
static void copy_table(struct copies *c, struct lruhash *t)
{
	size_t i, want = 16;
	for(i = 0; ; ) {
		struct lruhash_bin *bin;
		size_t n = c->n, used = c->used;
		int full;
		/* room for a bin, reserved with no lock held */
		if(!reserve(c, want, want * 256)) {
			c->nomem = 1;
			return;
		}
		lock_quick_lock(&t->lock);
		if(i >= t->size) {
			lock_quick_unlock(&t->lock);
			return;
		}
		bin = &t->array[i];
		lock_quick_lock(&bin->lock);
		lock_quick_unlock(&t->lock);
		full = copy_bin(c, bin);
		lock_quick_unlock(&bin->lock);
		if(full) {
			/* a long bin: this one again, with more room */
			c->n = n;
			c->used = used;
			want *= 2;
			continue;
		}
		i++;
	}
}

void fb_cache_sweep(struct slabhash *cache, fb_cache_blocked_fn *blocked,
	void *arg, struct fb_sweep_result *res)
{
	struct copies c;
	size_t s, i;
	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	for(s = 0; s < cache->size; s++) {
		struct lruhash *t = cache->array[s];
		size_t before, first = c.n;
		lock_quick_lock(&t->lock);
		before = t->size;
		lock_quick_unlock(&t->lock);
		copy_table(&c, t);
		lock_quick_lock(&t->lock);
		/* the table grew meanwhile and moved entries between bins:
		 * copy it again so that none is missed */
		if(t->size != before) {
			lock_quick_unlock(&t->lock);
			c.n = first;
			copy_table(&c, t);
		} else
			lock_quick_unlock(&t->lock);
	}
	res->seen = c.n;
	res->nomem = c.nomem;
	for(i = 0; i < c.n; i++) {
		struct copied *x = &c.v[i];
		struct query_info qi;
		if(!blocked(arg, c.arena + x->off, x->len))
			continue;
		memset(&qi, 0, sizeof(qi));
		qi.qname = c.arena + x->off;
		qi.qname_len = x->len;
		qi.qtype = x->qtype;
		qi.qclass = x->qclass;
		slabhash_remove(cache, x->hash, &qi);
		res->removed++;
	}
	free(c.v);
	free(c.arena);
}
