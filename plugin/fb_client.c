/**
 * \file
 * Client policies: the longest-prefix table (see fb_client.h).
 *
 * Networks are nested or disjoint, never overlapping otherwise (two
 * prefixes that share an address are one inside the other).  Sorted by
 * start address, shorter prefix first, an outer network therefore comes
 * before the networks inside it, and one sweep with a stack of the open
 * networks turns them into breakpoints: "from this address on, policy
 * P" (or none), each point holding until the next one.  The longest
 * prefix holding an address is then the policy of the last breakpoint at
 * or below it.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "util/module.h"
#include "util/log.h"
#include "util/netevent.h"
#include "services/mesh.h"
#include "fb_module.h"
#include "fb_client.h"

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

struct fb_clients {
	const struct fb_config *cfg;	/**< its clients[] are the policies */
	struct table v4, v6;
};

/** A configured network as a range. */
struct range {
	struct u128 start, end;
	unsigned prefix;
	int policy;
};

static int u128_cmp(struct u128 a, struct u128 b)
{
	if(a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if(a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;
	for(i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/** An address of family (AF_INET: 4 bytes, else 16) as a number. */
static struct u128 u128_of(int family, const uint8_t *a)
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
static struct u128 range_end(struct u128 start, unsigned hostbits)
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

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	int c = u128_cmp(x->start, y->start);
	if(c)
		return c;
	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

/** Append "from at on, policy"; a point at the same address as the last
 * one replaces it (a network ends where the next begins). */
static void emit(struct table *t, struct u128 at, int policy)
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
static void close_top(struct table *t, struct range **stack, int *depth,
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
static int build(struct table *t, struct range *r, size_t n,
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

int fb_clients_start(struct fb_module *m, struct module_env *env)
{
	const struct fb_config *cfg = m->cfg;
	struct fb_clients *c;
	struct range *r4 = NULL, *r6 = NULL;
	size_t i, n4 = 0, n6 = 0;
	m->clients = NULL;
	m->unique_mesh_before = env->unique_mesh;
	if(cfg->nclients == 0)
		return 1;
	c = calloc(1, sizeof(*c));
	r4 = malloc((cfg->nclient_nets + 1) * sizeof(*r4));
	r6 = malloc((cfg->nclient_nets + 1) * sizeof(*r6));
	if(!c || !r4 || !r6)
		goto oom;
	c->cfg = cfg;
	for(i = 0; i < cfg->nclient_nets; i++) {
		const struct fb_client_net *net = &cfg->client_nets[i];
		int v4 = net->family == AF_INET;
		struct range *r = v4 ? &r4[n4++] : &r6[n6++];
		unsigned width = v4 ? 32 : 128;
		r->start = u128_of(net->family, net->addr);
		r->end = range_end(r->start, width - net->prefix);
		r->prefix = net->prefix;
		r->policy = (int)net->policy;
	}
	if(!build(&c->v4, r4, n4, 32) || !build(&c->v6, r6, n6, 128))
		goto oom;
	free(r4);
	free(r6);
	m->clients = c;
	/* every client query its own mesh state, so its own decision */
	env->unique_mesh = 1;
	verbose(VERB_OPS, "fraudblock: %zu client policies, %zu networks "
		"(%zu IPv4 and %zu IPv6 ranges); identical client queries are "
		"no longer merged", cfg->nclients, cfg->nclient_nets,
		c->v4.n, c->v6.n);
	return 1;
oom:
	log_err("fraudblock: out of memory for the client policies");
	free(r4);
	free(r6);
	if(c) {
		free(c->v4.p);
		free(c->v6.p);
		free(c);
	}
	return 0;
}

void fb_clients_stop(struct fb_module *m, struct module_env *env)
{
	struct fb_clients *c = m->clients;
	if(!c)
		return;
	/* Unbound keeps env across a reload, and the next settings may have
	 * no client policy; another module that wants it set sets it again
	 * in its own init, which comes after every deinit */
	env->unique_mesh = m->unique_mesh_before;
	free(c->v4.p);
	free(c->v6.p);
	free(c);
	m->clients = NULL;
}

/** The policy of the last breakpoint at or below a. */
static int find(const struct table *t, struct u128 a)
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

/** The first 12 bytes of an IPv4-mapped IPv6 address. */
static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

const struct fb_client_conf *fb_clients_match(const struct fb_clients *c,
	const struct sockaddr_storage *ss, socklen_t len)
{
	int pol = -1;
	if(!c)
		return NULL;
	if(ss->ss_family == AF_INET &&
	   len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		pol = find(&c->v4, u128_of(AF_INET,
			(const uint8_t *)&s4->sin_addr));
	} else if(ss->ss_family == AF_INET6 &&
	   len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const uint8_t *a = ((const struct sockaddr_in6 *)ss)->
			sin6_addr.s6_addr;
		if(memcmp(a, mapped, sizeof(mapped)) == 0)
			pol = find(&c->v4, u128_of(AF_INET, a + 12));
		else
			pol = find(&c->v6, u128_of(AF_INET6, a));
	}
	return pol < 0 ? NULL : &c->cfg->clients[pol];
}

const struct fb_client_conf *fb_client_of(const struct fb_module *m,
	const struct module_qstate *qstate)
{
	const struct comm_reply *cr;
	if(!m->clients || !qstate->mesh_info ||
	   !qstate->mesh_info->reply_list)
		return NULL;
	cr = &qstate->mesh_info->reply_list->query_reply;
	return fb_clients_match(m->clients, &cr->client_addr,
		cr->client_addrlen);
}
