/**
 * \file
 * The answer to a blocked query: built in the query's region, handed to
 * Unbound as qstate->return_msg, never stored in Unbound's caches (so a
 * name taken off the list resolves normally on the next query).
 *
 * - sinkhole: A -> sinkhole-ipv4, AAAA -> sinkhole-ipv6, other types NODATA
 * - nxdomain: NXDOMAIN, no records
 * - nodata:   NOERROR, no records
 * All carry the feed's Extended DNS Error (15 Blocked, 16 Censored or 17
 * Filtered) with a short text when Unbound has `ede: yes` and the client
 * sent EDNS (Unbound decides that when it encodes).
 */
#ifndef FB_ANSWER_H
#define FB_ANSWER_H

#include <stdint.h>
#include "fb_config.h"

struct module_qstate;

/**
 * Answer the query and finish this module's part of it.
 * @param qstate: the query.
 * @param id: this module's index.
 * @param action: FB_ACTION_SINKHOLE, _NXDOMAIN or _NODATA (resolved, not
 *	FB_ACTION_DEFAULT).
 * @param cfg: sinkhole addresses and TTL.
 * @param ede: the EDE code (FB_EDE_*).
 * @param ede_text: text for the EDE option (copied into the region).
 * @return 1 on success; 0 when the region is out of memory (the caller
 *	lets the query pass rather than fail it).
 */
int fb_answer(struct module_qstate *qstate, int id, enum fb_action action,
	const struct fb_config *cfg, uint16_t ede, const char *ede_text);

#endif /* FB_ANSWER_H */
