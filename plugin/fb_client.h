/**
 * \file
 * Client policies in the module: which client-policy clause of
 * fraudblock.conf applies to a query's client (the longest prefix that
 * holds its address), and what that policy lets through.
 *
 * - The table is made once per module instance, in init(), from the
 *   config: per address family a sorted array of breakpoints (the
 *   configured networks, nested ones included, flattened into disjoint
 *   ranges, each with the policy of its longest prefix).  A lookup is
 *   one binary search: no allocation, lock or system call.  With no
 *   client-policy clause there is no table and a query costs one
 *   pointer test.
 * - The address is the client's as Unbound saw it after PROXYv2
 *   (comm_reply.client_addr).  An IPv4-mapped IPv6 address is looked
 *   up as the IPv4 address it carries.
 * - No client may get another client's outcome: identical queries of
 *   several clients share one mesh state in Unbound unless
 *   env->unique_mesh is set.  fb_clients_start() sets it whenever a
 *   client policy is configured (restored by fb_clients_stop(), since
 *   Unbound keeps the env across reloads), so every client query gets
 *   its own state and its own decision; the price is that identical
 *   queries in flight together are no longer merged into one upstream
 *   resolution.  The other half, keeping a real answer some policy let
 *   through out of the message cache, is fb_policy.c's.
 *
 * Thread safety: read-only after fb_clients_start(), from any thread.
 */
#ifndef FB_CLIENT_H
#define FB_CLIENT_H

#include <stdint.h>
#include <sys/socket.h>
#include "fb_config.h"

struct fb_module;
struct module_env;
struct module_qstate;
struct fb_clients;

/**
 * Build the table of m->cfg's client policies into m->clients (NULL when
 * there are none) and set env->unique_mesh if there are.  In init(),
 * before the workers start.
 * @return 1 on success, 0 when out of memory (logged).
 */
int fb_clients_start(struct fb_module *m, struct module_env *env);

/** Free m->clients and give env->unique_mesh back the value it had
 * before fb_clients_start(). */
void fb_clients_stop(struct fb_module *m, struct module_env *env);

/**
 * The client policy of an address.
 * @param c: the table; NULL gives NULL.
 * @return the clause of the longest configured prefix holding the
 *	address, or NULL (the default policy).
 */
const struct fb_client_conf *fb_clients_match(const struct fb_clients *c,
	const struct sockaddr_storage *ss, socklen_t len);

/**
 * The policy of the client waiting for a query: NULL (the default) when
 * none is configured, for a query with no client (Unbound's own) and for
 * a client in no configured network.  With unique_mesh set, a client
 * query's state has exactly one client.
 */
const struct fb_client_conf *fb_client_of(const struct fb_module *m,
	const struct module_qstate *qstate);

/** @return 1 if a block entry of this category blocks for clients of
 * policy p (NULL: the default policy, which blocks every category). */
static inline int fb_client_blocks(const struct fb_client_conf *p,
	uint8_t category)
{
	if(!p)
		return 1;
	if(p->mode == FB_CLIENT_EXEMPT)
		return 0;
	return p->categories == 0 ||
		(category < 32 && ((p->categories >> category) & 1));
}

#endif /* FB_CLIENT_H */
