/**
 * \file
 * Metrics: the cache-hit callback and the metrics file (see fb_metrics.h).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util/log.h"
#include "util/module.h"
#include "dynlibmod/dynlibmod.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_metrics.h"
#include "fb_log.h"

/** Largest metrics file made: far above what 1024 sources and every
 * counter need; past it the write fails (and is logged). */
#define FB_METRICS_TEXT_MAX (4u * 1024 * 1024)

/** inplace_cb_reply_func_type for inplace_cb_reply_cache: count one
 * answer from the message cache on this worker.  Cannot change the
 * answer (Unbound ignores the return value); changes nothing. */
static int cache_hit(struct query_info *qinfo, struct module_qstate *qstate,
	struct reply_info *rep, int rcode, struct edns_data *edns,
	struct edns_option **opt_list_out, struct comm_reply *repinfo,
	struct regional *region, struct timeval *start_time, int id,
	void *arg)
{
	struct fb_thread *t = fb_thread_get((struct fb_module *)arg);
	(void)qinfo; (void)qstate; (void)rep; (void)rcode; (void)edns;
	(void)opt_list_out; (void)repinfo; (void)region; (void)start_time;
	(void)id;
	if(t)
		FB_COUNT(t->stats.cache_hits);
	return 1;
}

int fb_metrics_hits_start(struct fb_module *m, struct module_env *env,
	int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	/* dynlib's wrapper: Unbound calls only whitelisted callbacks */
	if(!de->inplace_cb_register_wrapped((void *)&cache_hit,
	    inplace_cb_reply_cache, m, env, id)) {
		log_err("fraudblock: cannot register the cache-hit counter");
		return 0;
	}
	return 1;
}

void fb_metrics_hits_stop(struct module_env *env, int id)
{
	struct dynlibmod_env *de = (struct dynlibmod_env *)env->modinfo[id];
	if(de && de->inplace_cb_delete_wrapped)
		de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
}

/** Every thread's counters added up. */
struct sum {
	uint64_t queries, cache_hits, lookups, failed_open, evicted;
	uint64_t allowed[FB_METRICS_SOURCES];
	uint64_t blocked[FB_METRICS_SOURCES][FB_METRICS_CATEGORIES]
		[FB_METRICS_ACTIONS];
	uint64_t would_block[FB_CLIENT_POLICY_MAX][FB_METRICS_CATEGORIES];
	unsigned threads;
};

/** Relaxed load of a counter another thread writes. */
#define LOAD(c) __atomic_load_n(&(c), __ATOMIC_RELAXED)

static void sum_threads(struct fb_module *m, struct sum *s)
{
	struct fb_thread *t;
	unsigned i, c, a;
	memset(s, 0, sizeof(*s));
	/* the lock keeps the list still while a thread registers; the
	 * counters themselves are read without it */
	pthread_mutex_lock(&m->lock);
	for(t = m->threads; t; t = t->next) {
		s->threads++;
		s->queries += LOAD(t->stats.queries);
		s->cache_hits += LOAD(t->stats.cache_hits);
		s->lookups += LOAD(t->count.checked);
		s->failed_open += LOAD(t->count.failed_open);
		s->evicted += LOAD(t->count.evicted);
		for(i = 0; i < FB_METRICS_SOURCES; i++) {
			s->allowed[i] += LOAD(t->stats.allowed[i]);
			for(c = 0; c < FB_METRICS_CATEGORIES; c++)
				for(a = 0; a < FB_METRICS_ACTIONS; a++)
					s->blocked[i][c][a] +=
						LOAD(t->stats.blocked[i][c][a]);
		}
		for(i = 0; i < FB_CLIENT_POLICY_MAX; i++)
			for(c = 0; c < FB_METRICS_CATEGORIES; c++)
				s->would_block[i][c] +=
					LOAD(t->stats.would_block[i][c]);
	}
	pthread_mutex_unlock(&m->lock);
}

/** The text being made. */
struct text {
	char *buf;
	size_t len, cap;
	int failed;	/**< out of memory or over FB_METRICS_TEXT_MAX */
};

static void put(struct text *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct text *x, const char *fmt, ...)
{
	va_list ap;
	int n;
	if(x->failed)
		return;
	for(;;) {
		va_start(ap, fmt);
		n = vsnprintf(x->buf + x->len, x->cap - x->len, fmt, ap);
		va_end(ap);
		if(n < 0) {
			x->failed = 1;
			return;
		}
		if((size_t)n < x->cap - x->len) {
			x->len += (size_t)n;
			return;
		}
		if(x->cap >= FB_METRICS_TEXT_MAX) {
			x->failed = 1;
			return;
		} else {
			size_t cap = x->cap * 2;
			char *nb = realloc(x->buf, cap);
			if(!nb) {
				x->failed = 1;
				return;
			}
			x->buf = nb;
			x->cap = cap;
		}
	}
}

/** A label value, escaped as the exposition format wants: backslash,
 * double quote and line feed. */
static void put_label(struct text *x, const char *label, const char *val)
{
	put(x, "%s=\"", label);
	for(; *val; val++) {
		if(*val == '\\')
			put(x, "\\\\");
		else if(*val == '"')
			put(x, "\\\"");
		else if(*val == '\n')
			put(x, "\\n");
		else
			put(x, "%c", *val);
	}
	put(x, "\"");
}

/** HELP and TYPE lines of a metric. */
static void put_head(struct text *x, const char *name, const char *type,
	const char *help)
{
	put(x, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/** A metric without labels. */
static void put_one(struct text *x, const char *name, const char *type,
	const char *help, uint64_t v)
{
	put_head(x, name, type, help);
	put(x, "%s %llu\n", name, (unsigned long long)v);
}

/** A sample with a feed label and, when not NULL, category and action. */
static void put_sample(struct text *x, const char *name, const char *feed,
	const char *category, const char *action, uint64_t v)
{
	put(x, "%s{", name);
	put_label(x, "feed", feed);
	if(category) {
		put(x, ",");
		put_label(x, "category", category);
	}
	if(action) {
		put(x, ",");
		put_label(x, "action", action);
	}
	put(x, "} %llu\n", (unsigned long long)v);
}

/** The label value of a source slot: its name in the store, or
 * "source-ID" for a source the store no longer has. */
static const char *slot_name(const struct fb_metrics_store *st,
	unsigned slot, char *buf, size_t len)
{
	size_t i;
	if(slot == FB_METRICS_SOURCES - 1)
		return FB_METRICS_OTHER_SOURCES;
	for(i = 0; st->valid && i < st->n; i++)
		if(st->src[i].id == slot)
			return st->src[i].name;
	snprintf(buf, len, "source-%u", slot);
	return buf;
}

/** Render the whole file. */
static void render(struct text *x, struct fb_module *m, const struct sum *s,
	const struct fb_metrics_store *st)
{
	static const enum fb_action actions[FB_METRICS_ACTIONS] = {
		FB_ACTION_SINKHOLE, FB_ACTION_NXDOMAIN, FB_ACTION_NODATA };
	struct timespec now;
	uint64_t log_written, log_dropped;
	char nb[32];
	unsigned i, c, a;
	size_t k;
	clock_gettime(CLOCK_REALTIME, &now);
	fb_log_stats(m->log, &log_written, &log_dropped);

	put_one(x, "fraudblock_queries_checked_total", "counter",
		"Client queries the module checked (cache misses, class IN).",
		s->queries);
	if(m->cfg->count_cache_hits)
		put_one(x, "fraudblock_cache_hits_total", "counter",
			"Answers Unbound gave from its message cache "
			"(they never reach the module).", s->cache_hits);
	put_one(x, "fraudblock_lookups_total", "counter",
		"Names looked up in the list: query names, names of CNAME "
		"chains, Unbound's own queries.", s->lookups);
	put_head(x, "fraudblock_blocked_total", "counter",
		"Client queries answered with a block, by the deciding "
		"entry's feed and category and the action done.");
	for(i = 0; i < FB_METRICS_SOURCES; i++)
		for(c = 0; c < FB_METRICS_CATEGORIES; c++)
			for(a = 0; a < FB_METRICS_ACTIONS; a++) {
				if(s->blocked[i][c][a])
					put_sample(x, "fraudblock_blocked_total",
						slot_name(st, i, nb, sizeof(nb)),
						fb_category_name(
						(enum fb_category)c),
						fb_action_name(actions[a]),
						s->blocked[i][c][a]);
			}
	put_head(x, "fraudblock_allowed_total", "counter",
		"Client queries an allow entry let through, by the entry's "
		"source.");
	for(i = 0; i < FB_METRICS_SOURCES; i++)
		if(s->allowed[i])
			put_sample(x, "fraudblock_allowed_total",
				slot_name(st, i, nb, sizeof(nb)), NULL, NULL,
				s->allowed[i]);
	put_head(x, "fraudblock_would_block_total", "counter",
		"Client queries their client policy let through that the "
		"default policy blocks, by client policy and the entry's "
		"category.");
	for(k = 0; k < m->cfg->nclients && k < FB_CLIENT_POLICY_MAX; k++)
		for(c = 0; c < FB_METRICS_CATEGORIES; c++) {
			if(!s->would_block[k][c])
				continue;
			put(x, "fraudblock_would_block_total{");
			put_label(x, "policy", m->cfg->clients[k].name);
			put(x, ",");
			put_label(x, "category",
				fb_category_name((enum fb_category)c));
			put(x, "} %llu\n",
				(unsigned long long)s->would_block[k][c]);
		}
	put_one(x, "fraudblock_lookup_errors_total", "counter",
		"Lookups that could not be done (no list, damaged list, read "
		"error): the query passed unchecked.", s->failed_open);
	put_one(x, "fraudblock_cache_evicted_total", "counter",
		"Cached answers of listed names removed after the iterator "
		"cached them.", s->evicted);
	put_one(x, "fraudblock_log_records_written_total", "counter",
		"Query log records handed to the log sink.",
		log_written);
	put_one(x, "fraudblock_log_records_dropped_total", "counter",
		"Query log records dropped because the sink was slow or "
		"failing.", log_dropped);
	put_one(x, "fraudblock_list_loaded", "gauge",
		"1 while a list is in force, 0 while queries pass unchecked.",
		(uint64_t)(st->valid != 0));
	if(st->valid) {
		put_one(x, "fraudblock_list_generation", "gauge",
			"The list's generation: one more for every commit that "
			"changed it.", st->generation);
		put_head(x, "fraudblock_feed_entries", "gauge",
			"Names a source lists now.");
		for(k = 0; k < st->n; k++)
			put_sample(x, "fraudblock_feed_entries",
				st->src[k].name, NULL, NULL,
				st->src[k].entries);
		put_head(x, "fraudblock_feed_last_success_timestamp_seconds",
			"gauge", "Unix time of the source's last accepted "
			"update, 0 never.");
		for(k = 0; k < st->n; k++) {
			put(x, "fraudblock_feed_last_success_timestamp_seconds{");
			put_label(x, "feed", st->src[k].name);
			put(x, "} %lld\n", (long long)st->src[k].last_success);
		}
		put_head(x, "fraudblock_feed_sync_age_seconds", "gauge",
			"Seconds from the source's last accepted update to the "
			"writing of this file (sources never updated are left "
			"out).");
		for(k = 0; k < st->n; k++) {
			int64_t age = (int64_t)now.tv_sec -
				st->src[k].last_success;
			if(st->src[k].last_success <= 0)
				continue;
			put(x, "fraudblock_feed_sync_age_seconds{");
			put_label(x, "feed", st->src[k].name);
			put(x, "} %lld\n", (long long)(age < 0 ? 0 : age));
		}
		if(st->skipped)
			put(x, "# %llu more sources left out\n",
				(unsigned long long)st->skipped);
	}
	put_one(x, "fraudblock_worker_threads", "gauge",
		"Resolver threads whose counters are summed here.",
		(uint64_t)s->threads);
	put_head(x, "fraudblock_metrics_timestamp_seconds", "gauge",
		"Unix time this file was written.");
	put(x, "fraudblock_metrics_timestamp_seconds %lld.%03ld\n",
		(long long)now.tv_sec, now.tv_nsec / 1000000L);
}

/** Write text to a new file beside path and rename it over path.
 * @return 0, or an errno value. */
static int replace_file(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char tmp[4096];
	size_t off = 0;
	int fd, e = 0;
	/* hidden and not *.prom: node_exporter's textfile collector never
	 * reads the file while it is written */
	if(snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)dirlen, path,
	    path + dirlen) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	if((fd = mkstemp(tmp)) < 0)
		return errno;
	/* mkstemp makes it 0600: node_exporter runs as another user */
	if(fchmod(fd, 0644) != 0)
		e = errno;
	while(!e && off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if(n < 0 && errno == EINTR)
			continue;
		if(n <= 0)
			e = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	if(close(fd) != 0 && !e)
		e = errno;
	if(!e && rename(tmp, path) != 0)
		e = errno;
	if(e)
		unlink(tmp);
	return e;
}

int fb_metrics_write(struct fb_module *m, const struct fb_metrics_store *st,
	int *failing)
{
	struct sum *s = malloc(sizeof(*s));
	struct text x;
	int e;
	memset(&x, 0, sizeof(x));
	x.cap = 16384;
	x.buf = malloc(x.cap);
	if(!s || !x.buf) {
		e = ENOMEM;
	} else {
		sum_threads(m, s);
		render(&x, m, s, st);
		e = x.failed ? ENOMEM : replace_file(m->cfg->metrics_file,
			x.buf, x.len);
	}
	free(s);
	free(x.buf);
	if(e) {
		if(!*failing)
			log_err("fraudblock: cannot write the metrics file "
				"%s: %s (said once until it works again)",
				m->cfg->metrics_file, strerror(e));
		*failing = 1;
		return 0;
	}
	if(*failing)
		log_info("fraudblock: metrics file %s written again",
			m->cfg->metrics_file);
	*failing = 0;
	return 1;
}
