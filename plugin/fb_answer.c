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
#include "services/mesh.h"
#include "sldns/rrdef.h"
#include "fb_answer.h"
#include "fb_thread.h"

/** SOA timers of block answers: no secondary ever transfers this "zone",
 * so they only need to be sane (RFC 1912 ranges). */
#define FB_SOA_REFRESH 3600
#define FB_SOA_RETRY 600
#define FB_SOA_EXPIRE 86400

/** A one-record RRset with room for rdlen bytes of rdata.
 * @param rdata: out: where the rdata goes.  @return NULL when out of
 * memory. */
static struct ub_packed_rrset_key *one_rrset(struct regional *region,
	uint8_t *owner, size_t owner_len, uint16_t type, uint16_t qclass,
	size_t rdlen, uint32_t ttl, uint8_t **rdata)
{
	struct ub_packed_rrset_key *k;
	struct packed_rrset_data *d;
	uint8_t *rr;
	if(!(k = regional_alloc_zero(region, sizeof(*k))) ||
	   !(d = regional_alloc_zero(region, sizeof(*d))) ||
	   !(d->rr_len = regional_alloc(region, sizeof(size_t))) ||
	   !(d->rr_ttl = regional_alloc(region, sizeof(time_t))) ||
	   !(d->rr_data = regional_alloc(region, sizeof(uint8_t *))) ||
	   !(rr = regional_alloc(region, 2 + rdlen)))
		return NULL;
	k->rk.dname = owner;
	k->rk.dname_len = owner_len;
	k->rk.type = htons(type);
	k->rk.rrset_class = htons(qclass);
	k->entry.key = k;
	k->entry.data = d;
	/* rdata is stored with its 2-byte length in front */
	rr[0] = (uint8_t)(rdlen >> 8);
	rr[1] = (uint8_t)rdlen;
	d->ttl = ttl;
	d->count = 1;
	d->trust = rrset_trust_prim_noglue;
	d->security = sec_status_insecure;
	d->rr_len[0] = 2 + rdlen;
	d->rr_ttl[0] = ttl;
	d->rr_data[0] = rr;
	*rdata = rr + 2;
	return k;
}

/** One-record RRset for the query name: the sinkhole address. */
static struct ub_packed_rrset_key *sinkhole_rrset(struct regional *region,
	const struct query_info *qi, const void *addr, size_t alen,
	uint32_t ttl)
{
	uint8_t *rd;
	struct ub_packed_rrset_key *k = one_rrset(region, qi->qname,
		qi->qname_len, qi->qtype, qi->qclass, alen, ttl, &rd);
	if(k)
		memcpy(rd, addr, alen);
	return k;
}

/** Write a 32-bit number in network order. */
static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

/** The SOA of a negative block answer (see fb_answer.h). */
static struct ub_packed_rrset_key *soa_rrset(struct regional *region,
	struct query_info *qi, const struct fb_config *cfg,
	const struct fb_lookup *l)
{
	uint8_t *owner = qi->qname, *rd;
	size_t owner_len = qi->qname_len;
	struct ub_packed_rrset_key *k;
	/* the matched name when it is a tail of the query name */
	if(l->match && l->match_len && l->match_len <= qi->qname_len &&
	   l->match == qi->qname + (qi->qname_len - l->match_len)) {
		owner = qi->qname + (qi->qname_len - l->match_len);
		owner_len = l->match_len;
	}
	if(!(k = one_rrset(region, owner, owner_len, LDNS_RR_TYPE_SOA,
		qi->qclass, cfg->soa_mname_len + cfg->soa_rname_len + 20,
		cfg->sinkhole_ttl, &rd)))
		return NULL;
	memcpy(rd, cfg->soa_mname, cfg->soa_mname_len);
	rd += cfg->soa_mname_len;
	memcpy(rd, cfg->soa_rname, cfg->soa_rname_len);
	rd += cfg->soa_rname_len;
	rd = put32(rd, (uint32_t)l->list_gen);
	rd = put32(rd, FB_SOA_REFRESH);
	rd = put32(rd, FB_SOA_RETRY);
	rd = put32(rd, FB_SOA_EXPIRE);
	(void)put32(rd, cfg->sinkhole_ttl);
	return k;
}

/** @return 1 if the client asked for Structured DNS Errors: its query
 * carries the SDE option.  Any length counts: the draft (section 5.4)
 * has a server ignore OPTION-DATA, not the option. */
static int sde_asked(const struct module_qstate *qstate, uint16_t code)
{
	const struct edns_option *o;
	for(o = qstate->edns_opts_front_in; o; o = o->next)
		if(o->opt_code == code)
			return 1;
	return 0;
}

/** @return the bytes of the EDNS options in list. */
static size_t opts_size(const struct edns_option *list)
{
	size_t n = 0;
	for(; list; list = list->next)
		n += 4 + list->opt_len;
	return n;
}

/**
 * Room for EDE text in the reply: the client's size limit (its EDNS UDP
 * size after Unbound's max-udp-size and harden-short-bufsize, 65535 over
 * TCP) less an upper bound of everything else the reply holds (no name
 * compression counted).  A query asking for SDE has a mesh state of its
 * own (the option is registered with no_aggregation), so one client.
 * @return the room, 0 when there is none.
 */
static size_t ede_room(const struct module_qstate *qstate,
	const struct ub_packed_rrset_key *rrset)
{
	const struct packed_rrset_data *d = (const struct packed_rrset_data *)
		rrset->entry.data;
	const struct mesh_reply *r;
	size_t limit = 65535, opts = 0, used;
	if(qstate->mesh_info)
		for(r = qstate->mesh_info->reply_list; r; r = r->next) {
			if(r->edns.udp_size < limit)
				limit = r->edns.udp_size;
			if(opts_size(r->edns.opt_list_out) > opts)
				opts = opts_size(r->edns.opt_list_out);
		}
	used = LDNS_HEADER_SIZE + qstate->qinfo.qname_len + 4 +
		rrset->rk.dname_len + 8 + d->rr_len[0] +
		11 /* the OPT RR */ + opts +
		opts_size(qstate->edns_opts_front_out) + 4 + 2 /* EDE */;
	return used < limit ? limit - used : 0;
}

/**
 * The EDE text for this client: the plain text, or for a client that
 * sent the SDE option the Structured DNS Error object; over UDP, when it
 * would not fit the client's size, the short object without "j", "o" and
 * "l", else no text at all (the draft, section 5.2), so the answer itself
 * is never truncated for it.
 */
static const char *ede_text(const struct module_qstate *qstate,
	const struct fb_config *cfg, const struct fb_lookup *l,
	const struct ub_packed_rrset_key *rrset)
{
	size_t room;
	if(!cfg->sde || !l->sde_len ||
	   !sde_asked(qstate, cfg->sde_option_code))
		return l->text;
	room = ede_room(qstate, rrset);
	if(l->sde_len <= room)
		return l->sde;
	if(l->sde_short_len && l->sde_short_len <= room)
		return l->sde_short;
	return NULL;
}

int fb_answer(struct module_qstate *qstate, int id, enum fb_action action,
	const struct fb_config *cfg, const struct fb_lookup *l)
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
	} else if(!(rrset = soa_rrset(qstate->region, qi, cfg, l)))
		return 0;
	msg->rep->flags = BIT_QR | BIT_RA | (action == FB_ACTION_NXDOMAIN ?
		LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR);
	msg->rep->ttl = msg->rep->prefetch_ttl = msg->rep->serve_expired_ttl =
		cfg->sinkhole_ttl;
	msg->rep->security = sec_status_insecure;
	msg->rep->rrsets[0] = rrset;
	msg->rep->rrset_count = 1;
	if(ntohs(rrset->rk.type) == LDNS_RR_TYPE_SOA)
		msg->rep->ns_numrrsets = 1;
	else	msg->rep->an_numrrsets = 1;
	/* an answer made here is policy, not data: keep it out of caches */
	qstate->no_cache_store = 1;
	(void)edns_opt_list_append_ede(&qstate->edns_opts_front_out,
		qstate->region, (sldns_ede_code)l->ede,
		ede_text(qstate, cfg, l, rrset));
	qstate->return_msg = msg;
	qstate->return_rcode = LDNS_RCODE_NOERROR;
	qstate->ext_state[id] = module_finished;
	return 1;
}
