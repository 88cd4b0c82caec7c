/**
 * \file
 * The module's decisions (see fb_policy.h).
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/data/dname.h"
#include "services/mesh.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_answer.h"
#include "fb_cache.h"
#include "fb_policy.h"
#include "fb_log.h"
#include "fb_qlog.h"

/** Most distinct owner names of one answer looked at: a chain longer
 * than Unbound follows (it stops at 11 CNAMEs) plus the query name. */
#define FB_CHAIN_MAX 16

/** A query a client is waiting for, as opposed to one Unbound made. */
static int from_client(struct module_qstate *qstate)
{
	return qstate->mesh_info && qstate->mesh_info->reply_list &&
		!qstate->is_priming && !qstate->is_valrec;
}

/** Answer a blocked client query.  @return 1 if answered. */
static int block(struct fb_module *m, struct fb_thread *t,
	struct module_qstate *qstate, int id, const struct fb_lookup *l)
{
	enum fb_action action = l->v.entry.action == FB_ACTION_DEFAULT ?
		m->cfg->default_action : (enum fb_action)l->v.entry.action;
	if(!fb_answer(qstate, id, action, m->cfg, l))
		return 0;
	FB_COUNT(t->count.blocked);
	fb_stats_blocked(&t->stats, l->v.entry.source, l->v.entry.category,
		action);
	fb_log_query(t, qstate, l, action, FB_QLOG_BLOCK);
	return 1;
}

int fb_policy_query(struct fb_module *m, struct module_qstate *qstate,
	int id)
{
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
		if(m->cfg->log.all_queries && client)
			fb_log_query(t, qstate, &l, 0, FB_QLOG_PASS);
		return 0;
	}
	if(!client) {
		/* the resolver needs this answer, no client may get it */
		qstate->no_cache_store = 1;
		return 0;
	}
	return block(m, t, qstate, id, &l);
}

int fb_policy_answer(struct fb_module *m, struct module_qstate *qstate,
	int id)
{
	struct reply_info *rep = qstate->return_msg ?
		qstate->return_msg->rep : NULL;
	struct query_info *qi = &qstate->qinfo;
	const uint8_t *seen[FB_CHAIN_MAX];
	size_t i, nseen = 0;
	struct fb_thread *t;
	struct fb_lookup l;
	int qname_blocked = 0;
	if(qi->qclass != LDNS_RR_CLASS_IN || !(t = fb_thread_get(m)))
		return 0;
	/* the query name first, then each owner of the answer section */
	for(i = 0; i <= (rep ? rep->an_numrrsets : 0); i++) {
		const uint8_t *name = i == 0 ? qi->qname :
			rep->rrsets[i - 1]->rk.dname;
		size_t len = i == 0 ? qi->qname_len :
			rep->rrsets[i - 1]->rk.dname_len;
		size_t j;
		if(nseen == FB_CHAIN_MAX)
			break;
		for(j = 0; j < nseen; j++)
			if(query_dname_compare((uint8_t *)seen[j],
			    (uint8_t *)name) == 0)
				break;
		if(j < nseen)
			continue;
		seen[nseen++] = name;
		if(!fb_thread_lookup(t, name, len, &l) || l.v.kind != FB_BLOCK)
			continue;
		/* resolved on the way and cached under its own name */
		FB_COUNT_ADD(t->count.evicted, fb_cache_evict(
			qstate->env->msg_cache, name, len, qi->qtype,
			qi->qclass));
		if(i == 0)
			qname_blocked = 1;
	}
	if(!qname_blocked)
		return 0;
	/* listed while it was being resolved */
	if(!from_client(qstate))
		return 0;
	if(!fb_thread_lookup(t, qi->qname, qi->qname_len, &l) ||
	   l.v.kind != FB_BLOCK)
		return 0;
	return block(m, t, qstate, id, &l);
}
