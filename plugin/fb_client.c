/**
 * \file
 * Client policies in the module (see fb_client.h); the longest-prefix
 * table itself is lib/fb_client_net.c's.
 */
#include "config.h"
#include <stdlib.h>
#include <netinet/in.h>
#include "util/module.h"
#include "util/log.h"
#include "util/netevent.h"
#include "services/mesh.h"
#include "fb_module.h"
#include "fb_client_net.h"
#include "fb_client.h"

struct fb_clients {
	const struct fb_config *cfg;	/**< its clients[] are the policies */
	struct fb_client_table *table;	/**< of cfg->client_nets */
};

int fb_clients_start(struct fb_module *m, struct module_env *env)
{
	const struct fb_config *cfg = m->cfg;
	struct fb_clients *c;
	m->clients = NULL;
	m->unique_mesh_before = env->unique_mesh;
	if(cfg->nclients == 0)
		return 1;
	if(!(c = calloc(1, sizeof(*c))) || !fb_client_table_new(
	    cfg->client_nets, cfg->nclient_nets, &c->table)) {
		log_err("fraudblock: out of memory for the client policies");
		free(c);
		return 0;
	}
	c->cfg = cfg;
	m->clients = c;
	/* every client query its own mesh state, so its own decision */
	env->unique_mesh = 1;
	verbose(VERB_OPS, "fraudblock: %zu client policies, %zu networks "
		"(%zu IPv4 and %zu IPv6 ranges); identical client queries are "
		"no longer merged", cfg->nclients, cfg->nclient_nets,
		fb_client_table_points(c->table, AF_INET),
		fb_client_table_points(c->table, AF_INET6));
	return 1;
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
	fb_client_table_free(c->table);
	free(c);
	m->clients = NULL;
}

const struct fb_client_conf *fb_clients_match(const struct fb_clients *c,
	const struct sockaddr_storage *ss, socklen_t len)
{
	int pol = -1;
	if(!c)
		return NULL;
	if(ss->ss_family == AF_INET &&
	   len >= (socklen_t)sizeof(struct sockaddr_in))
		pol = fb_client_table_find(c->table, AF_INET, (const uint8_t *)
			&((const struct sockaddr_in *)ss)->sin_addr);
	else if(ss->ss_family == AF_INET6 &&
	   len >= (socklen_t)sizeof(struct sockaddr_in6))
		pol = fb_client_table_find(c->table, AF_INET6,
			((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr);
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
