/**
 * \file
 * Build the answer to a blocked query in the query's region (see
 * fb_answer.h).  Everything here is region memory: nothing to free, and
 * nothing that Unbound's caches keep.
 */
#include "config.h"
#include <arpa/inet.h>
#include "util/module.h"
#include "util/regional.h"
#include "util/net_help.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "fb_answer.h"

/** One-record RRset for the query name: the sinkhole address. */
static struct ub_packed_rrset_key *sinkhole_rrset(struct regional *region,
	const struct query_info *qi, const void *addr, size_t alen,
	uint32_t ttl)
{
	struct ub_packed_rrset_key *k;
	struct packed_rrset_data *d;
	uint8_t *rr;
	if(!(k = regional_alloc_zero(region, sizeof(*k))) ||
	   !(d = regional_alloc_zero(region, sizeof(*d))) ||
	   !(d->rr_len = regional_alloc(region, sizeof(size_t))) ||
	   !(d->rr_ttl = regional_alloc(region, sizeof(time_t))) ||
	   !(d->rr_data = regional_alloc(region, sizeof(uint8_t *))) ||
	   !(rr = regional_alloc(region, 2 + alen)))
		return NULL;
	k->rk.dname = qi->qname;
	k->rk.dname_len = qi->qname_len;
	k->rk.type = htons(qi->qtype);
	k->rk.rrset_class = htons(qi->qclass);
	k->entry.key = k;
	k->entry.data = d;
	/* rdata is stored with its 2-byte length in front */
	rr[0] = (uint8_t)(alen >> 8);
	rr[1] = (uint8_t)alen;
	memcpy(rr + 2, addr, alen);
	d->ttl = ttl;
	d->count = 1;
	d->trust = rrset_trust_prim_noglue;
	d->security = sec_status_insecure;
	d->rr_len[0] = 2 + alen;
	d->rr_ttl[0] = ttl;
	d->rr_data[0] = rr;
	return k;
}

int fb_answer(struct module_qstate *qstate, int id, enum fb_action action,
	const struct fb_config *cfg, uint16_t ede, const char *ede_text)
{
	struct query_info *qi = &qstate->qinfo;
	struct dns_msg *msg;
	struct ub_packed_rrset_key *rrset = NULL;
	msg = dns_msg_create(qi->qname, qi->qname_len, qi->qtype, qi->qclass,
		qstate->region, 1);
	if(!msg)
		return 0;
	if(action == FB_ACTION_SINKHOLE && qi->qtype == LDNS_RR_TYPE_A) {
		if(!(rrset = sinkhole_rrset(qstate->region, qi,
			&cfg->sinkhole_ipv4, 4, cfg->sinkhole_ttl)))
			return 0;
	} else if(action == FB_ACTION_SINKHOLE &&
		qi->qtype == LDNS_RR_TYPE_AAAA) {
		if(!(rrset = sinkhole_rrset(qstate->region, qi,
			&cfg->sinkhole_ipv6, 16, cfg->sinkhole_ttl)))
			return 0;
	}
	msg->rep->flags = BIT_QR | BIT_RA | (action == FB_ACTION_NXDOMAIN ?
		LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR);
	msg->rep->ttl = msg->rep->prefetch_ttl = msg->rep->serve_expired_ttl =
		cfg->sinkhole_ttl;
	msg->rep->security = sec_status_insecure;
	if(rrset) {
		msg->rep->rrsets[0] = rrset;
		msg->rep->an_numrrsets = 1;
		msg->rep->rrset_count = 1;
	}
	/* an answer made here is policy, not data: keep it out of caches */
	qstate->no_cache_store = 1;
	(void)edns_opt_list_append_ede(&qstate->edns_opts_front_out,
		qstate->region, (sldns_ede_code)ede, ede_text);
	qstate->return_msg = msg;
	qstate->return_rcode = LDNS_RCODE_NOERROR;
	qstate->ext_state[id] = module_finished;
	return 1;
}
