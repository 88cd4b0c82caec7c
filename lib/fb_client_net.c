/**
 * \file
 * The networks of client-policy clauses (see fb_client_net.h): as text,
 * read from fraudblock.conf and written back in messages, and the
 * longest-prefix table the module looks client addresses up in.  A
 * network is an address and a prefix length with every host bit zero;
 * IPv4-mapped IPv6 networks of /96 or longer become the IPv4 network they
 * mean, since a client's IPv4-mapped address is looked up as IPv4.
 *
 * The table: networks are nested or disjoint, never overlapping
 * otherwise (two prefixes that share an address are one inside the
 * other).  Sorted by start address, shorter prefix first, an outer
 * network therefore comes before the networks inside it, and one sweep
 * with a stack of the open networks turns them into breakpoints: "from
 * this address on, policy P" (or none), each point holding until the
 * next one.  The longest prefix holding an address is then the policy of
 * the last breakpoint at or below it: one binary search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "fb_config.h"
#include "fb_client_net.h"
#include "fb_addr.h"

/** Longest network text read: an IPv6 address (45) plus "/128". */
#define FB_NET_TEXT_MAX 64

/** The 12 bytes that start an IPv4-mapped IPv6 address. */
static const uint8_t mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* ---- as text ---------------------------------------------------- */

/** Clear the bits of addr (bytes long) past the first prefix.
 * @return 1 if any was set. */
static int
clear_host_bits(uint8_t *addr, size_t bytes, unsigned prefix)
{
	size_t i;
	int set = 0;

	for(i = 0; i < bytes; i++) {
		unsigned keep = prefix >= 8 * (i + 1) ? 8 :
			prefix > 8 * i ? prefix - 8 * i : 0;
		uint8_t mask = (uint8_t)(keep ? 0xff << (8 - keep) : 0);

		if(addr[i] & ~mask)
			set = 1;
		addr[i] &= mask;
	}
	return set;
}

int
fb_client_net_parse(const char *text, struct fb_client_net *out,
	char *why, size_t whylen)
{
	char meant[FB_NET_TEXT_MAX + 8];
	const char *reason = NULL;
	int family, prefix;
	unsigned max;

	memset(out->addr, 0, sizeof(out->addr));
	if(!fb_addr_parse_net(text, strlen(text), &family, out->addr, &prefix,
	    &reason)) {
		snprintf(why, whylen, "%s", reason);
		return 0;
	}
	out->family = family;
	out->prefix = (unsigned)prefix;
	max = family == AF_INET ? 32 : 128;
	if(clear_host_bits(out->addr, max / 8, out->prefix)) {
		snprintf(why, whylen, "host bits set: the network is %s",
			fb_client_net_text(out, meant, sizeof(meant)));
		return 0;
	}
	if(out->family == AF_INET6 && out->prefix >= 96 &&
		memcmp(out->addr, mapped_prefix, 12) == 0) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = AF_INET;
		out->prefix -= 96;
	}
	return 1;
}

const char *
fb_client_net_text(const struct fb_client_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if(!inet_ntop(n->family, n->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, n->prefix);
	return buf;
}

/* ---- the longest-prefix table ------------------------------------- */

/** An address of either family as a 128-bit number (IPv4 in lo). */
struct u128 {
	uint64_t hi, lo;
};

/** "From at on, policy" (policy -1: no client policy). */
struct point {
	struct u128 at;
	int policy;
};

/** One family's breakpoints, sorted by at; the first is at 0. */
struct table {
	struct point *p;
	size_t n;
};

/** A configured network as a range. */
struct range {
	struct u128 start, end;
	unsigned prefix;
	int policy;
};

static int
u128_cmp(struct u128 a, struct u128 b)
{
	if(a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if(a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;
	for(i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/** An address of family (AF_INET: 4 bytes, else 16) as a number. */
static struct u128
u128_of(int family, const uint8_t *a)
{
	struct u128 v;
	if(family == AF_INET) {
		v.hi = 0;
		v.lo = ((uint64_t)a[0] << 24) | ((uint64_t)a[1] << 16) |
			((uint64_t)a[2] << 8) | a[3];
	} else {
		v.hi = be64(a);
		v.lo = be64(a + 8);
	}
	return v;
}

/** The last address of a network: start with its host bits set. */
static struct u128
range_end(struct u128 start, unsigned hostbits)
{
	if(hostbits >= 64) {
		start.lo = ~(uint64_t)0;
		if(hostbits >= 128)
			start.hi = ~(uint64_t)0;
		else if(hostbits > 64)
			start.hi |= ((uint64_t)1 << (hostbits - 64)) - 1;
	} else if(hostbits > 0)
		start.lo |= ((uint64_t)1 << hostbits) - 1;
	return start;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	int c = u128_cmp(x->start, y->start);
	if(c)
		return c;
	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

/** Append "from at on, policy"; a point at the same address as the last
 * one replaces it (a network ends where the next begins). */
static void
emit(struct table *t, struct u128 at, int policy)
{
	if(t->n && u128_cmp(t->p[t->n - 1].at, at) == 0) {
		t->p[t->n - 1].policy = policy;
		return;
	}
	t->p[t->n].at = at;
	t->p[t->n].policy = policy;
	t->n++;
}

/** Close the innermost open network: the one around it applies again
 * right after its end (nothing follows the last address). */
static void
close_top(struct table *t, struct range **stack, int *depth,
	unsigned width)
{
	struct range *top = stack[--*depth];
	struct u128 next = top->end;
	if(width == 32 ? next.lo == 0xffffffffu :
	   (next.hi == ~(uint64_t)0 && next.lo == ~(uint64_t)0))
		return;
	if(++next.lo == 0)
		next.hi++;
	emit(t, next, *depth ? stack[*depth - 1]->policy : -1);
}

/** Make one family's table from its ranges (sorted here).
 * @return 1, or 0 when out of memory. */
static int
build(struct table *t, struct range *r, size_t n,
	unsigned width)
{
	/* one point for the start, one after each end, one at 0 */
	struct range *stack[129];
	int depth = 0;
	size_t i;
	t->n = 0;
	t->p = malloc((2 * n + 1) * sizeof(*t->p));
	if(!t->p)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	emit(t, (struct u128){0, 0}, -1);
	for(i = 0; i < n; i++) {
		while(depth && u128_cmp(stack[depth - 1]->end, r[i].start) < 0)
			close_top(t, stack, &depth, width);
		emit(t, r[i].start, r[i].policy);
		/* nested at most width + 1 deep: prefixes 0..width, each at
		 * most once per start (duplicates are refused by the config) */
		stack[depth++] = &r[i];
	}
	while(depth)
		close_top(t, stack, &depth, width);
	return 1;
}

struct fb_client_table {
	struct table v4, v6;
};

int
fb_client_table_new(const struct fb_client_net *nets, size_t n,
	struct fb_client_table **out)
{
	struct fb_client_table *c = calloc(1, sizeof(*c));
	struct range *r4 = malloc((n + 1) * sizeof(*r4));
	struct range *r6 = malloc((n + 1) * sizeof(*r6));
	size_t i, n4 = 0, n6 = 0;
	int ok = 0;

	*out = NULL;
	if(!c || !r4 || !r6)
		goto done;
	for(i = 0; i < n; i++) {
		int v4 = nets[i].family == AF_INET;
		struct range *r = v4 ? &r4[n4++] : &r6[n6++];
		unsigned width = v4 ? 32 : 128;

		r->start = u128_of(nets[i].family, nets[i].addr);
		r->end = range_end(r->start, width - nets[i].prefix);
		r->prefix = nets[i].prefix;
		r->policy = (int)nets[i].policy;
	}
	if(!build(&c->v4, r4, n4, 32) || !build(&c->v6, r6, n6, 128))
		goto done;
	*out = c;
	c = NULL;
	ok = 1;
done:
	free(r4);
	free(r6);
	fb_client_table_free(c);
	return ok;
}

void
fb_client_table_free(struct fb_client_table *t)
{
	if(!t)
		return;
	free(t->v4.p);
	free(t->v6.p);
	free(t);
}

size_t
fb_client_table_points(const struct fb_client_table *t, int family)
{
	return family == AF_INET ? t->v4.n : t->v6.n;
}

/** The policy of the last breakpoint at or below a. */
static int
find(const struct table *t, struct u128 a)
{
	size_t lo = 0, hi = t->n;
	/* invariant: p[lo].at <= a (p[0].at is 0); answer in [lo, hi) */
	while(hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if(u128_cmp(t->p[mid].at, a) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return t->n ? t->p[lo].policy : -1;
}

int
fb_client_table_find(const struct fb_client_table *t, int family,
	const uint8_t *addr)
{
	if(family == AF_INET)
		return find(&t->v4, u128_of(AF_INET, addr));
	if(memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0)
		return find(&t->v4, u128_of(AF_INET, addr + 12));
	return find(&t->v6, u128_of(AF_INET6, addr));
}
