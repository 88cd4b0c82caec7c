/**
 * \file
 * The module's decisions (see fb_policy.h).
 */
#include "config.h"
#include <string.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include "util/module.h"
#include "util/log.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/data/dname.h"
#include "services/mesh.h"
#include "services/cache/dns.h"
#include "services/cache/rrset.h"
#include "sldns/rrdef.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_answer.h"
#include "fb_cache.h"
#include "fb_policy.h"
#include "fb_log.h"
#include "fb_qlog.h"
#include "fb_client.h"

/** Most distinct names of one answer remembered to skip repeats: a
 * chain longer than Unbound follows (it stops at 11 CNAMEs), its targets
 * and the query name.  Names past it are looked up without the check. */
#define FB_CHAIN_MAX 32

/** A query a client is waiting for, as opposed to one Unbound made. */
static int from_client(struct module_qstate *qstate)
{
	return qstate->mesh_info && qstate->mesh_info->reply_list &&
		!qstate->is_priming && !qstate->is_valrec;
}

/** Set as qstate->minfo[id] when the query phase let a listed query name
 * through for the client's policy and logged it: the answer phase does
 * not log it again.  Only its address is used. */
static char passed_by_policy;

/** The action the default policy answers a block entry with. */
static enum fb_action entry_action(const struct fb_module *m,
	const struct fb_lookup *l)
{
	return l->v.entry.action == FB_ACTION_DEFAULT ?
		m->cfg->default_action : (enum fb_action)l->v.entry.action;
}

/** Answer a blocked client query, with the action of its client policy
 * when that has one.  @return 1 if answered. */
static int block(struct fb_module *m, struct fb_thread *t,
	struct module_qstate *qstate, int id, struct fb_lookup *l,
	const struct fb_client_conf *cp)
{
	enum fb_action action = cp && cp->action != FB_ACTION_DEFAULT ?
		cp->action : entry_action(m, l);
	l->policy = cp ? cp->name : NULL;
	if(!fb_answer(qstate, id, action, m->cfg, l))
		return 0;
	FB_COUNT(t->count.blocked);
	fb_stats_blocked(&t->stats, l->v.entry.source, l->v.entry.category,
		action);
	fb_log_query(t, qstate, l, action, FB_QLOG_BLOCK);
	return 1;
}

/** The client's policy lets a blocked name through: count it and log
 * would-block with what the default policy would have answered. */
static void would_block(struct fb_module *m, struct fb_thread *t,
	struct module_qstate *qstate, struct fb_lookup *l,
	const struct fb_client_conf *cp)
{
	l->policy = cp->name;
	fb_stats_would_block(&t->stats, (size_t)(cp - m->cfg->clients),
		l->v.entry.category);
	fb_log_query(t, qstate, l, entry_action(m, l), FB_QLOG_WOULD_BLOCK);
}

int fb_policy_query(struct fb_module *m, struct module_qstate *qstate,
	int id)
{
	const struct fb_client_conf *cp;
	struct fb_thread *t;
	struct fb_lookup l;
	int client;
	if(qstate->qinfo.qclass != LDNS_RR_CLASS_IN || !(t = fb_thread_get(m)))
		return 0;
	if((client = from_client(qstate)))
		FB_COUNT(t->stats.queries);
	if(!fb_thread_lookup(t, qstate->qinfo.qname, qstate->qinfo.qname_len,
	    &l))
		return 0;
	if(l.v.kind == FB_ALLOW && client)
		FB_COUNT(t->stats.allowed[fb_metrics_slot(l.v.entry.source)]);
	if(l.v.kind != FB_BLOCK) {
		if(m->cfg->log.all_queries && client) {
			cp = fb_client_of(m, qstate);
			l.policy = cp ? cp->name : NULL;
			fb_log_query(t, qstate, &l, 0, FB_QLOG_PASS);
		}
		return 0;
	}
	if(!client) {
		/* the resolver needs this answer, no client may get it */
		qstate->no_cache_store = 1;
		return 0;
	}
	cp = fb_client_of(m, qstate);
	if(!fb_client_blocks(cp, l.v.entry.category)) {
		/* this client's policy gets it the real answer; no other
		 * client may get that from the cache (the iterator then
		 * stores neither it nor any step of its chain) */
		qstate->no_cache_store = 1;
		would_block(m, t, qstate, &l, cp);
		qstate->minfo[id] = &passed_by_policy;
		return 0;
	}
	return block(m, t, qstate, id, &l, cp);
}

/** The names of an answer's chain as fb_policy_answer() judges them. */
struct chain {
	/** distinct names looked up so far (the query name first) */
	const uint8_t *seen[FB_CHAIN_MAX];
	size_t nseen;
	/** the first blocked name in chain order, NULL if none */
	const uint8_t *hit;
	size_t hit_len;
	/** the client's policy (NULL: the default) */
	const struct fb_client_conf *cp;
	/** the first blocked name whose entry's category that policy
	 * blocks (hit, for the default), NULL if none */
	const uint8_t *sel;
	size_t sel_len;
	/** with block-response-addresses: the first blocked address of the
	 * answer's A and AAAA records, and the first whose entry's category
	 * the client's policy blocks (family 0: none) */
	struct {
		int family;
		uint8_t bytes[16];
	} addr_hit, addr_sel;
};

/** Judge one name of the chain: look it up once, remove the cached
 * answers of a blocked one and remember the first blocked. */
static void chain_name(struct chain *c, struct fb_thread *t,
	struct module_qstate *qstate, const uint8_t *name, size_t len)
{
	struct query_info *qi = &qstate->qinfo;
	struct fb_lookup l;
	size_t j;
	for(j = 0; j < c->nseen; j++)
		if(query_dname_compare((uint8_t *)c->seen[j],
		    (uint8_t *)name) == 0)
			return;
	if(c->nseen < FB_CHAIN_MAX)
		c->seen[c->nseen++] = name;
	if(!fb_thread_lookup(t, name, len, &l) || l.v.kind != FB_BLOCK)
		return;
	/* resolved on the way and cached under its own name (for the
	 * query name: the chain's real answer, cached for it) */
	FB_COUNT_ADD(t->count.evicted, fb_cache_evict(qstate->env->msg_cache,
		name, len, qi->qtype, qi->qclass));
	if(!c->hit) {
		c->hit = name;
		c->hit_len = len;
	}
	if(!c->sel && fb_client_blocks(c->cp, l.v.entry.category)) {
		c->sel = name;
		c->sel_len = len;
	}
}

/** Judge the CNAME/DNAME targets of one answer RRset: each RR's rdata is
 * a name (packed form: 2-byte length, then the uncompressed name). */
static void chain_targets(struct chain *c, struct fb_thread *t,
	struct module_qstate *qstate, struct ub_packed_rrset_key *rrset)
{
	struct packed_rrset_data *d = (struct packed_rrset_data *)
		rrset->entry.data;
	uint16_t type = ntohs(rrset->rk.type);
	size_t j;
	if((type != LDNS_RR_TYPE_CNAME && type != LDNS_RR_TYPE_DNAME) || !d)
		return;
	for(j = 0; j < d->count; j++) {
		size_t len;
		if(d->rr_len[j] < 3)
			continue;
		len = dname_valid(d->rr_data[j] + 2, d->rr_len[j] - 2);
		if(len)
			chain_name(c, t, qstate, d->rr_data[j] + 2, len);
	}
}

/** Judge the addresses of one A or AAAA RRset of the answer.  A listed
 * one takes the RRset out of Unbound's RRset cache: every cached message
 * holding it (its owner's answer, any alias's chain) is no longer served,
 * and its owner's cached answer goes at once.  Remembers the first
 * blocked address and the first the client's policy blocks. */
static void chain_addresses(struct chain *c, struct fb_thread *t,
	struct module_qstate *qstate, struct ub_packed_rrset_key *rrset)
{
	struct packed_rrset_data *d = (struct packed_rrset_data *)
		rrset->entry.data;
	uint16_t type = ntohs(rrset->rk.type);
	int family = type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
	size_t j, alen = family == AF_INET ? 4 : 16;
	struct fb_lookup l;
	int evicted = 0;
	if((type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA) || !d ||
	   ntohs(rrset->rk.rrset_class) != LDNS_RR_CLASS_IN)
		return;
	for(j = 0; j < d->count && !(evicted && c->addr_sel.family); j++) {
		if(d->rr_len[j] != 2 + alen ||
		   !fb_thread_lookup_addr(t, family, d->rr_data[j] + 2, &l) ||
		   l.v.kind != FB_BLOCK)
			continue;
		if(!evicted) {
			rrset_cache_remove(qstate->env->rrset_cache,
				rrset->rk.dname, rrset->rk.dname_len, type,
				LDNS_RR_CLASS_IN, rrset->rk.flags);
			FB_COUNT_ADD(t->count.evicted, fb_cache_evict(
				qstate->env->msg_cache, rrset->rk.dname,
				rrset->rk.dname_len, type, LDNS_RR_CLASS_IN));
			evicted = 1;
		}
		if(!c->addr_hit.family) {
			c->addr_hit.family = family;
			memcpy(c->addr_hit.bytes, d->rr_data[j] + 2, alen);
		}
		if(fb_client_blocks(c->cp, l.v.entry.category)) {
			c->addr_sel.family = family;
			memcpy(c->addr_sel.bytes, d->rr_data[j] + 2, alen);
		}
	}
}

int fb_policy_answer(struct fb_module *m, struct module_qstate *qstate,
	int id)
{
	struct reply_info *rep = qstate->return_msg ?
		qstate->return_msg->rep : NULL;
	struct query_info *qi = &qstate->qinfo;
	struct fb_thread *t;
	struct fb_lookup l;
	struct chain c;
	size_t i;
	if(qi->qclass != LDNS_RR_CLASS_IN || !(t = fb_thread_get(m)))
		return 0;
	memset(&c, 0, sizeof(c));
	c.cp = from_client(qstate) ? fb_client_of(m, qstate) : NULL;
	/* the query name first, then each owner of the answer section and
	 * the target of each CNAME and DNAME: a plain answer costs one
	 * lookup (its owner is the query name) */
	chain_name(&c, t, qstate, qi->qname, qi->qname_len);
	for(i = 0; rep && i < rep->an_numrrsets; i++) {
		chain_name(&c, t, qstate, rep->rrsets[i]->rk.dname,
			rep->rrsets[i]->rk.dname_len);
		chain_targets(&c, t, qstate, rep->rrsets[i]);
		if(m->cfg->block_response_addresses)
			chain_addresses(&c, t, qstate, rep->rrsets[i]);
	}
	if(!c.hit && !c.addr_hit.family)
		return 0;
	/* a listed chain name: the alias's real answer is cached under the
	 * query name too (removed above when the query name itself is
	 * listed); whoever asked, no client may get it from the cache */
	if(c.hit != qi->qname)
		FB_COUNT_ADD(t->count.evicted, fb_cache_evict(
			qstate->env->msg_cache, qi->qname, qi->qname_len,
			qi->qtype, qi->qclass));
	/* a query Unbound made needs its answer, as in the query phase */
	if(!from_client(qstate))
		return 0;
	/* what decides for this client: the first blocked name of the chain
	 * its policy blocks, else the first such address; when its policy
	 * lets every one through, the first blocked name or address, for
	 * the would-block record (unless the query phase wrote it) */
	if(!c.sel && !c.addr_sel.family) {
		if(qstate->minfo[id] == &passed_by_policy)
			return 0;	/* logged in the query phase */
		c.sel = c.hit;
		c.sel_len = c.hit_len;
		c.addr_sel = c.addr_hit;
	}
	/* again, for the EDE text: later lookups may have reused its slot */
	if(c.sel) {
		if(!fb_thread_lookup(t, c.sel, c.sel_len, &l) ||
		   l.v.kind != FB_BLOCK)
			return 0;
		if(c.sel != qi->qname) {
			l.chain = c.sel;
			l.chain_len = c.sel_len;
		}
	} else if(!fb_thread_lookup_addr(t, c.addr_sel.family,
	    c.addr_sel.bytes, &l) || l.v.kind != FB_BLOCK)
		return 0;
	if(!fb_client_blocks(c.cp, l.v.entry.category)) {
		would_block(m, t, qstate, &l, c.cp);
		return 0;
	}
	return block(m, t, qstate, id, &l, c.cp);
}
