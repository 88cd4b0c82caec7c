/**
 * \file
 * Removing listed names from Unbound's message cache (see fb_cache.h).
 */
#include "config.h"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "util/storage/slabhash.h"
#include "util/storage/lruhash.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/data/dname.h"
#include "util/locks.h"
#include "util/net_help.h"
#include "sldns/rrdef.h"
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

/** Most answer RRsets of one cached message looked at: a CNAME chain
 * longer than Unbound follows (11) with its DNAMEs. */
#define FB_SWEEP_RRSETS 24
/** Most CNAME/DNAME targets of one RRset looked at. */
#define FB_SWEEP_TARGETS 4

/** Kinds of the items that follow a copied query name in the arena, each
 * as a kind byte, a length byte and that many bytes. */
#define ITEM_NAME 0	/**< a wire name of the chain */
#define ITEM_ADDR 1	/**< an A (4 bytes) or AAAA (16) record's data */

/** A copied cache key. */
struct copied {
	hashvalue_type hash;
	uint32_t off;		/**< qname in the arena */
	/** the other names of its answer's chain and, when addresses are
	 * judged, its A and AAAA records' data: items after the qname in
	 * the arena (ITEM_NAME, ITEM_ADDR) */
	uint16_t nchain;
	uint16_t qtype, qclass;
	uint8_t len;
};

struct copies {
	struct copied *v;
	size_t n, cap;
	uint8_t *arena;
	size_t used, acap;
	int nomem;
	/** copy the A and AAAA records of answers too */
	int addrs;
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

/** Append an item to x.  @return 0 if it does not fit in the room
 * reserved. */
static int add_item(struct copies *c, struct copied *x, uint8_t kind,
	const uint8_t *data, size_t len)
{
	if(c->used + 2 + len > c->acap)
		return 0;
	c->arena[c->used] = kind;
	c->arena[c->used + 1] = (uint8_t)len;
	memcpy(c->arena + c->used + 2, data, len);
	c->used += 2 + len;
	x->nchain++;
	return 1;
}

/** Append a chain name of x unless it is its query name or the name
 * appended last (a CNAME's target is the next RRset's owner).
 * @return 0 if it does not fit in the room reserved. */
static int add_name(struct copies *c, struct copied *x, uint8_t **last,
	uint8_t *name, size_t len)
{
	if(len == 0 || len > 255 || query_dname_compare(c->arena + x->off,
	   name) == 0 || (*last && query_dname_compare(*last, name) == 0))
		return 1;
	if(!add_item(c, x, ITEM_NAME, name, len))
		return 0;
	*last = c->arena + c->used - len;
	return 1;
}

/** Append the data of every record of an A or AAAA RRset.
 * @return 0 if it does not fit in the room reserved. */
static int add_addrs(struct copies *c, struct copied *x,
	const struct packed_rrset_data *d, size_t alen)
{
	size_t j;
	for(j = 0; j < d->count; j++)
		if(d->rr_len[j] == 2 + alen &&
		   !add_item(c, x, ITEM_ADDR, d->rr_data[j] + 2, alen))
			return 0;
	return 1;
}

/** Copy the names of a cached message's answer chain (the owners of its
 * answer RRsets and the targets of its CNAMEs and DNAMEs) that are not
 * its query name.  Called under the bin lock: while the message is in
 * the bin, the memory of the RRset keys it points to is not freed
 * (Unbound empties the message cache before it frees its RRset keys).
 * Each RRset is read under its own lock and only if it is still the one
 * the message was cached with (its id), as a cache hit reads them.
 * @return 0 if the names do not fit in the room reserved. */
static int copy_chain(struct copies *c, struct copied *x,
	const struct reply_info *rep)
{
	size_t i, j, n = rep->an_numrrsets;
	int fits = 1;
	uint8_t *last = NULL;
	if(n > FB_SWEEP_RRSETS)
		n = FB_SWEEP_RRSETS;
	for(i = 0; i < n && i < rep->rrset_count && fits; i++) {
		struct ub_packed_rrset_key *k = rep->rrsets[i];
		struct packed_rrset_data *d;
		uint16_t type;
		for(j = 0; j < rep->rrset_count; j++)
			if(rep->ref[j].key == k)
				break;
		if(j == rep->rrset_count)
			continue;
		lock_rw_rdlock(&k->entry.lock);
		if(k->id != rep->ref[j].id || !k->rk.dname) {
			lock_rw_unlock(&k->entry.lock);
			continue;
		}
		d = (struct packed_rrset_data *)k->entry.data;
		type = ntohs(k->rk.type);
		fits = add_name(c, x, &last, k->rk.dname, k->rk.dname_len);
		if(d && (type == LDNS_RR_TYPE_CNAME ||
		   type == LDNS_RR_TYPE_DNAME))
			for(j = 0; fits && j < d->count &&
			    j < FB_SWEEP_TARGETS; j++) {
				if(d->rr_len[j] <= 2)
					continue;
				fits = add_name(c, x, &last, d->rr_data[j] + 2,
					dname_valid(d->rr_data[j] + 2,
					d->rr_len[j] - 2));
			}
		if(d && c->addrs && fits && (type == LDNS_RR_TYPE_A ||
		   type == LDNS_RR_TYPE_AAAA))
			fits = add_addrs(c, x, d,
				type == LDNS_RR_TYPE_A ? 4 : 16);
		lock_rw_unlock(&k->entry.lock);
	}
	return fits;
}

/** Copy the keys of one bin; the caller holds its lock.  Nothing is
 * allocated here.  An entry's data (its reply_info) is read under the
 * bin lock alone: Unbound replaces and frees it only while holding that
 * bin lock (lruhash_insert, lruhash_remove, reclaim).
 * @return 0 if they all fit in the room reserved. */
static int copy_bin(struct copies *c, struct lruhash_bin *bin)
{
	struct lruhash_entry *e;
	for(e = bin->overflow_list; e; e = e->overflow_next) {
		struct msgreply_entry *k = (struct msgreply_entry *)e->key;
		struct reply_info *rep = (struct reply_info *)e->data;
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
		x->nchain = 0;
		x->qtype = k->key.qtype;
		x->qclass = k->key.qclass;
		memcpy(c->arena + c->used, k->key.qname, len);
		c->used += len;
		if(rep && rep->an_numrrsets && !copy_chain(c, x, rep))
			return -1;
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
			/* a long bin or a long chain: this bin again, with
			 * more room */
			c->n = n;
			c->used = used;
			want *= 2;
			continue;
		}
		i++;
	}
}

/** Does a copied entry have to go: its query name, another name of its
 * answer's chain or an address of its answer blocked?  No cache lock is
 * held. */
static int entry_blocked(const struct copies *c, const struct copied *x,
	const struct fb_cache_judge *judge)
{
	const uint8_t *p = c->arena + x->off;
	size_t i;
	if(judge->name(judge->arg, p, x->len))
		return 1;
	for(p += x->len, i = 0; i < x->nchain; i++, p += 2 + p[1]) {
		if(p[0] == ITEM_NAME ? judge->name(judge->arg, p + 2, p[1]) :
		   judge->addr(judge->arg, p[1] == 4 ? AF_INET : AF_INET6,
		   p + 2))
			return 1;
	}
	return 0;
}

void fb_cache_sweep(struct slabhash *cache,
	const struct fb_cache_judge *judge, struct fb_sweep_result *res)
{
	struct copies c;
	size_t s, i;
	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.addrs = judge->addr != NULL;
	for(s = 0; s < cache->size; s++) {
		struct lruhash *t = cache->array[s];
		size_t before, first = c.n, used = c.used;
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
			c.used = used;
			copy_table(&c, t);
		} else
			lock_quick_unlock(&t->lock);
	}
	res->seen = c.n;
	res->nomem = c.nomem;
	for(i = 0; i < c.n; i++) {
		struct copied *x = &c.v[i];
		struct query_info qi;
		if(!entry_blocked(&c, x, judge))
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
