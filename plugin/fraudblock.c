/**
 * \file
 * fraudblock.so: the Unbound dynlib module that blocks listed names.  This
 * file holds the six entry points Unbound calls; the work is done in
 * fb_policy.c (decisions), fb_client.c (client policies), fb_thread.c
 * (per-thread lookups), fb_list.c (the store in force), fb_watch.c
 * (following updates) and fb_cache.c (Unbound's message cache).
 *
 * Load it with `module-config: "dynlib validator iterator"` and
 * `dynlib-file: ".../fraudblock.so"`; its own settings come from
 * fraudblock.conf ($FRAUDBLOCK_CONF or the built-in path), because a
 * dynlib module cannot add keys to unbound.conf.
 *
 * Fail-open: a missing, damaged or unreadable list lets queries pass.  A
 * blocklist must never take name resolution down.  A bad fraudblock.conf
 * stops Unbound from starting (an operator's mistake to see at once); on a
 * reload it is logged and the last good settings stay in force, so a
 * typo never stops a running resolver.  The module is linked with
 * -z nodelete, so those settings outlive the dlclose of a reload.
 */
#include "config.h"
#include <stdarg.h>
#include "util/module.h"
#include "util/log.h"
#include "util/config_file.h"
#include "dynlibmod/dynlibmod.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_list.h"
#include "fb_policy.h"
#include "fb_watch.h"
#include "fb_guard.h"
#include "fb_log.h"
#include "fb_metrics.h"
#include "fb_client.h"

/** The six entry points are all dynlibmod looks up with dlsym; every
 * other symbol is hidden (-fvisibility=hidden). */
#define EXPORT __attribute__((visibility("default")))

/** Counts module instances, see fb_module.epoch. */
static unsigned fb_epochs;
/** The settings in force: the last file that loaded without error.
 * Replaced only in init(), when no instance uses the old ones. */
static struct fb_config *fb_settings;

static struct fb_module *module_of(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	return de ? (struct fb_module *)de->dyn_env : NULL;
}

int fb_log_once(struct fb_module *m, int bit, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if(__atomic_fetch_or(&m->logged, bit, __ATOMIC_RELAXED) & bit)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	return 1;
}

void fb_log_clear(struct fb_module *m, int bit)
{
	if(__atomic_load_n(&m->logged, __ATOMIC_RELAXED) & bit)
		__atomic_fetch_and(&m->logged, ~bit, __ATOMIC_RELAXED);
}

/** Load fraudblock.conf into fb_settings, or keep the old settings on a
 * reload.  @return 1 if there are settings to run with. */
static int load_settings(void)
{
	const char *path = fb_config_default_path();
	struct fb_config *cfg;
	char err[512];
	if(!fb_config_load(path, &cfg, err, sizeof(err))) {
		if(!fb_settings) {
			log_err("fraudblock: %s", err);
			return 0;
		}
		log_err("fraudblock: %s; keeping the settings loaded from %s "
			"before (fix the file, check it with fraudblock-ctl "
			"check-config, then reload)", err, fb_settings->path);
		return 1;
	}
	fb_config_free(fb_settings);
	fb_settings = cfg;
	return 1;
}

EXPORT int init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	struct fb_module *m;
	if(!load_settings())
		return 0;
	if(!(m = calloc(1, sizeof(*m)))) {
		log_err("fraudblock: out of memory");
		return 0;
	}
	m->cfg = fb_settings;
	m->env = env;
	m->epoch = ++fb_epochs;
	pthread_mutex_init(&m->lock, NULL);
	if(!fb_guard_install(0))
		log_warn("fraudblock: cannot install the SIGBUS handler; a "
			"store damaged while in use would stop Unbound");
	/* no_aggregation: a query with the SDE option gets a mesh state of
	 * its own, so a client that asked for JSON and one that did not
	 * never share one answer (Unbound sends every client waiting on a
	 * state the one answer the module made for the first) */
	if(m->cfg->sde && !edns_register_option(m->cfg->sde_option_code, 0,
		1, env)) {
		log_err("fraudblock: cannot register the Structured DNS Error "
			"EDNS option %u", (unsigned)m->cfg->sde_option_code);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return 0;
	}
	/* open now so the very first queries are covered; if it fails the
	 * watch thread keeps trying and queries pass meanwhile */
	fb_list_open_first(m);
	de->dyn_env = m;
	if(!fb_clients_start(m, env) || !fb_log_start(&m->log, m) ||
	   !fb_watch_start(&m->watch, m, env)) {
		de->dyn_env = NULL;
		fb_log_stop(m->log);
		fb_clients_stop(m, env);
		fb_list_close(m);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return 0;
	}
	/* counting cache hits is worth nothing without a file to show
	 * them in; failing to, only loses that count */
	if(m->cfg->metrics_file && m->cfg->count_cache_hits)
		(void)fb_metrics_hits_start(m, env, id);
	verbose(VERB_OPS, "fraudblock: module started with %s",
		fb_settings->path);
	return 1;
}

EXPORT void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	struct fb_module *m = de ? (struct fb_module *)de->dyn_env : NULL;
	if(!m)
		return;
	/* workers are stopped by now; no cache hit is counted after this.
	 * The watch thread goes first: its last metrics file reads the log
	 * writer's counts and the store.  The log writer then drains the
	 * rings one last time, before the threads' contexts are freed with
	 * the store */
	fb_metrics_hits_stop(env, id);
	fb_watch_stop(m->watch);
	fb_log_stop(m->log);
	fb_clients_stop(m, env);
	fb_list_close(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
	de->dyn_env = NULL;
}

EXPORT void operate(struct module_qstate *qstate, enum module_ev event,
	int id, struct outbound_entry *outbound)
{
	struct fb_module *m = module_of(qstate->env, id);
	(void)outbound;
	if(event == module_event_new || event == module_event_pass) {
		if(event == module_event_new && m &&
		   fb_policy_query(m, qstate, id))
			return;
		qstate->ext_state[id] = module_wait_module;
	} else if(event == module_event_moddone) {
		if(m)
			(void)fb_policy_answer(m, qstate, id);
		qstate->ext_state[id] = module_finished;
	} else {
		qstate->ext_state[id] = module_error;
	}
}

EXPORT void inform_super(struct module_qstate *qstate, int id,
	struct module_qstate *super)
{
	(void)qstate;
	(void)id;
	(void)super;
}

EXPORT void clear(struct module_qstate *qstate, int id)
{
	/* per-query data lives in the query's region: nothing to free */
	if(qstate)
		qstate->minfo[id] = NULL;
}

EXPORT size_t get_mem(struct module_env *env, int id)
{
	struct fb_module *m = module_of(env, id);
	return m ? sizeof(*m) : 0;
}
