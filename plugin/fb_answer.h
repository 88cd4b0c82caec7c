/**
 * \file
 * The answer to a blocked query: built in the query's region, handed to
 * Unbound as qstate->return_msg, never stored in Unbound's caches (so a
 * name taken off the list resolves normally on the next query).
 *
 * - sinkhole: A -> sinkhole-ipv4, AAAA -> sinkhole-ipv6, other types NODATA
 * - nxdomain: NXDOMAIN
 * - nodata:   NOERROR, no answer records
 * Every NXDOMAIN and NODATA answer carries one SOA in its authority section
 * (RFC 2308), so that resolvers and forwarders downstream cache the
 * negative answer for sinkhole-ttl and no longer:
 *	owner	the listed name whose entry decided (the query name or a
 *		parent of it: in bailiwick); the query name itself when the
 *		entry is at another name (a CNAME target)
 *	TTL	sinkhole-ttl
 *	MNAME	sinkhole-soa-mname, RNAME sinkhole-soa-rname
 *	SERIAL	the list generation mod 2^32
 *	REFRESH 3600, RETRY 600, EXPIRE 86400 (never used: no zone transfer)
 *	MINIMUM	sinkhole-ttl
 * All carry the feed's Extended DNS Error (15 Blocked, 16 Censored or 17
 * Filtered) with a short text when the client sent EDNS (Unbound decides
 * that when it encodes; its `ede:` setting does not apply to a module's
 * EDE).  With `sde: yes`, a
 * client whose query carries the SDE EDNS option (sde-option-code) gets
 * a Structured DNS Error JSON object as that text instead (fb_sde.h), or
 * over UDP the short object or no text when the full one would not fit
 * its size (doc/answers.md); every other client gets the plain text.
 */
#ifndef FB_ANSWER_H
#define FB_ANSWER_H

#include <stdint.h>
#include "fb_config.h"

struct module_qstate;
struct fb_lookup;

/**
 * Answer the query and finish this module's part of it.
 * @param qstate: the query.
 * @param id: this module's index.
 * @param action: FB_ACTION_SINKHOLE, _NXDOMAIN or _NODATA (resolved, not
 *	FB_ACTION_DEFAULT).
 * @param cfg: sinkhole addresses, TTL and SOA names.
 * @param l: the BLOCK lookup of the query name: its EDE code and text
 *	and SDE objects (copied into the region), the matched name and the
 *	list generation.
 * @return 1 on success; 0 when the region is out of memory (the caller
 *	lets the query pass rather than fail it).
 */
int fb_answer(struct module_qstate *qstate, int id, enum fb_action action,
	const struct fb_config *cfg, const struct fb_lookup *l);

#endif /* FB_ANSWER_H */
