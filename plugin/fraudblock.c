/**
 * \file
 * fraudblock.so: the Unbound dynlib module that blocks listed names.
 *
 * Load it with `module-config: "dynlib validator iterator"` and
 * `dynlib-file: ".../fraudblock.so"`; its own settings come from
 * fraudblock.conf ($FRAUDBLOCK_CONF or the built-in path), because a
 * dynlib module cannot add keys to unbound.conf.
 *
 * Per query (module_event_new): prepare the name without allocating, take
 * this thread's reader, match, release.  A blocked client query is answered
 * here (fb_answer.c); a blocked query that Unbound makes on its own (NS
 * address lookups, priming, validation) is not answered — the resolver
 * needs those — but is kept out of the message cache so no client is later
 * served that answer from cache.  Anything else passes on untouched.
 *
 * Fail-open: a missing or unreadable list, or a store error on a query,
 * lets the query pass.  A blocklist must never take name resolution down.
 * A bad fraudblock.conf, in contrast, stops Unbound from starting: that is
 * an operator's mistake to see at once, not a condition to run with.
 */
#include "config.h"
#include "util/module.h"
#include "util/log.h"
#include "util/regional.h"
#include "util/data/msgreply.h"
#include "services/mesh.h"
#include "dynlibmod/dynlibmod.h"
#include "fb_module.h"
#include "fb_answer.h"
#include "fb_watch.h"
#include "fb_name.h"

/** Exported symbols are what dynlibmod looks up with dlsym. */
#define EXPORT __attribute__((visibility("default")))

/** Counts module instances, see fb_module.epoch. */
static unsigned fb_epochs;

/** This thread's reader, valid while its epoch is the module's and its
 * store the one in force. */
static __thread struct {
	unsigned epoch;
	struct fb_store *store;
	struct fb_reader *reader;
} fb_tls;

static struct fb_module *module_of(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	return de ? (struct fb_module *)de->dyn_env : NULL;
}

struct fb_store *fb_module_open(struct fb_module *m)
{
	struct fb_store *cur = fb_module_store(m), *st;
	struct fb_store_node *old;
	char err[512];
	if(cur && fb_store_is_current(cur))
		return cur;
	if(!fb_store_open(&st, m->cfg->database, m->cfg->max_db_size,
		FB_STORE_READ, err, sizeof(err))) {
		pthread_mutex_lock(&m->lock);
		if(!m->store_error_logged)
			log_err("fraudblock: cannot open the blocklist "
				"database, %s: %s", cur ? "keeping the list "
				"already open" : "passing all queries until "
				"it appears", err);
		m->store_error_logged = 1;
		pthread_mutex_unlock(&m->lock);
		return cur;
	}
	if(cur && !(old = calloc(1, sizeof(*old)))) {
		fb_store_close(st);
		return cur;
	}
	pthread_mutex_lock(&m->lock);
	if(cur) {
		old->store = cur;
		old->next = m->retired;
		m->retired = old;
	}
	m->store_error_logged = 0;
	m->read_error_logged = 0;
	pthread_mutex_unlock(&m->lock);
	log_info("fraudblock: blocklist database %s %s", m->cfg->database,
		cur ? "changed (replaced, or grown past its map); reading it "
		"anew" : "open");
	__atomic_store_n(&m->store, st, __ATOMIC_RELEASE);
	return st;
}

/** This thread's reader of the store in force; made when it changes. */
static struct fb_reader *thread_reader(struct fb_module *m)
{
	struct fb_store *st = fb_module_store(m);
	struct fb_reader_node *node;
	char err[512];
	if(fb_tls.reader && fb_tls.epoch == m->epoch && fb_tls.store == st)
		return fb_tls.reader;
	if(!st)
		return NULL;
	if(!(node = calloc(1, sizeof(*node)))) {
		log_err("fraudblock: out of memory");
		return NULL;
	}
	if(!fb_reader_new(st, &node->reader, err, sizeof(err))) {
		log_err("fraudblock: %s", err);
		free(node);
		return NULL;
	}
	pthread_mutex_lock(&m->lock);
	node->next = m->readers;
	m->readers = node;
	pthread_mutex_unlock(&m->lock);
	fb_tls.epoch = m->epoch;
	fb_tls.store = st;
	fb_tls.reader = node->reader;
	return node->reader;
}

/** EDE texts this thread has made.  A source's id names the same source
 * for the life of its store, so the text of (store, id, category) is made
 * once rather than read and formatted for every blocked query. */
#define FB_TEXT_SLOTS 16
static __thread struct {
	unsigned epoch;		/**< 0: empty slot */
	struct fb_store *store;
	uint16_t source;
	uint8_t category;
	char text[FB_SOURCE_NAME_MAX + 48];
} fb_texts[FB_TEXT_SLOTS];

/** The EDE text for a blocking entry; r has an open snapshot. */
static const char *ede_text(struct fb_reader *r, const struct fb_entry *e)
{
	struct fb_source_info src;
	int i = e->source % FB_TEXT_SLOTS;
	if(fb_texts[i].epoch != fb_tls.epoch ||
	   fb_texts[i].store != fb_tls.store ||
	   fb_texts[i].source != e->source ||
	   fb_texts[i].category != e->category) {
		fb_reader_source(r, e->source, &src);
		snprintf(fb_texts[i].text, sizeof(fb_texts[i].text),
			"blocked by fraudblock: %s (%s)", src.name,
			fb_category_name((enum fb_category)e->category));
		fb_texts[i].epoch = fb_tls.epoch;
		fb_texts[i].store = fb_tls.store;
		fb_texts[i].source = e->source;
		fb_texts[i].category = e->category;
	}
	return fb_texts[i].text;
}

/** A snapshot or lookup failed: say so once, let queries pass. */
static void read_failed(struct fb_module *m)
{
	pthread_mutex_lock(&m->lock);
	if(!m->read_error_logged)
		log_err("fraudblock: cannot read the blocklist database %s "
			"(grown past its map, or damaged?); passing queries "
			"unchecked until it is opened anew", m->cfg->database);
	m->read_error_logged = 1;
	pthread_mutex_unlock(&m->lock);
}

/** A query a client is waiting for, as opposed to one Unbound made. */
static int from_client(struct module_qstate *qstate)
{
	return qstate->mesh_info && qstate->mesh_info->reply_list &&
		!qstate->is_priming && !qstate->is_valrec;
}

/**
 * Check the query against the list and answer it if it is blocked.
 * @return 1 if answered (module finished), 0 to pass it on.
 */
static int fb_check(struct module_qstate *qstate, int id)
{
	struct fb_module *m = module_of(qstate->env, id);
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_verdict v;
	enum fb_action action;
	const char *text;
	if(!m || !(r = thread_reader(m)))
		return 0;
	fb_qname_from_wire(qstate->qinfo.qname, qstate->qinfo.qname_len, &q);
	if(q.nprefix == 0)
		return 0;
	if(!fb_reader_begin(r)) {
		read_failed(m);
		return 0;
	}
	if(!fb_match(r, &q, &v, NULL, NULL)) {
		fb_reader_end(r);
		read_failed(m);
		return 0;
	}
	if(v.kind != FB_BLOCK) {
		fb_reader_end(r);
		return 0;
	}
	if(!from_client(qstate)) {
		fb_reader_end(r);
		/* the resolver needs this answer, no client may get it */
		qstate->no_cache_store = 1;
		return 0;
	}
	text = ede_text(r, &v.entry);
	fb_reader_end(r);
	action = v.entry.action == FB_ACTION_DEFAULT ?
		m->cfg->default_action : (enum fb_action)v.entry.action;
	return fb_answer(qstate, id, action, m->cfg, text);
}

EXPORT int init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	struct fb_module *m;
	const char *path = fb_config_default_path();
	char err[512];
	if(!(m = calloc(1, sizeof(*m)))) {
		log_err("fraudblock: out of memory");
		return 0;
	}
	if(!fb_config_load(path, &m->cfg, err, sizeof(err))) {
		log_err("fraudblock: %s", err);
		free(m);
		return 0;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->epoch = ++fb_epochs;
	if(!env->cfg->ede)
		log_warn("fraudblock: ede is off in unbound.conf; blocked "
			"answers will carry no Extended DNS Error");
	/* open now so the very first queries are covered; if it fails the
	 * watch thread keeps trying and queries pass meanwhile */
	(void)fb_module_open(m);
	de->dyn_env = m;
	if(!fb_watch_start(&m->watch, m, env)) {
		de->dyn_env = NULL;
		fb_store_close(m->store);
		fb_config_free(m->cfg);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return 0;
	}
	verbose(VERB_OPS, "fraudblock: module started with %s", path);
	return 1;
}

EXPORT void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	struct fb_module *m = de ? (struct fb_module *)de->dyn_env : NULL;
	struct fb_reader_node *node, *next;
	struct fb_store_node *old, *next_old;
	if(!m)
		return;
	/* workers are stopped by now; the watch thread goes first since
	 * it uses the store too */
	fb_watch_stop(m->watch);
	for(node = m->readers; node; node = next) {
		next = node->next;
		fb_reader_free(node->reader);
		free(node);
	}
	for(old = m->retired; old; old = next_old) {
		next_old = old->next;
		fb_store_close(old->store);
		free(old);
	}
	fb_store_close(m->store);
	fb_config_free(m->cfg);
	pthread_mutex_destroy(&m->lock);
	free(m);
	de->dyn_env = NULL;
}

EXPORT void operate(struct module_qstate *qstate, enum module_ev event,
	int id, struct outbound_entry *outbound)
{
	(void)outbound;
	if(event == module_event_new || event == module_event_pass) {
		if(event == module_event_new && fb_check(qstate, id))
			return;
		qstate->ext_state[id] = module_wait_module;
	} else if(event == module_event_moddone) {
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
