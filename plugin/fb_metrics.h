/**
 * \file
 * The module's metrics: per-thread counters on the query path, and the
 * Prometheus text file the watch thread writes from them.
 *
 * Counting: every counter lives in the context of the thread that counts
 * it (struct fb_thread) and only that thread writes it, with FB_COUNT():
 * a relaxed atomic load and store, which on x86-64 and arm64 is a plain
 * add, never a locked instruction, and never touches a cache line another
 * thread writes.  The metrics writer reads them with relaxed atomic loads;
 * a sum may be a few queries behind, never torn.
 *
 * Cache hits never reach the module: with count-cache-hits they are
 * counted in Unbound's reply_cache inplace callback, on the worker that
 * answers, in the same per-thread context (fb_thread_get(): one
 * thread-local load and a compare).
 *
 * Export: the watch thread calls fb_metrics_write() every
 * metrics-interval seconds (and once when the module stops); it sums
 * every thread's counters, adds the store figures it read (generation,
 * entries and last success per source) and writes metrics-file in the
 * Prometheus text exposition format, as a temporary file in the same
 * directory renamed over the old one, so a reader (node_exporter's
 * textfile collector, fraudblock-ctl stats) never sees half a file.
 * doc/metrics.md lists every metric.
 *
 * Counters start at 0 when the module starts: a restart or a reload
 * (which makes a new module instance) resets them, which Prometheus
 * treats as a counter reset.
 */
#ifndef FB_METRICS_H
#define FB_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "fb_record.h"
#include "fb_config.h"

struct fb_module;
struct module_env;

/** Add n to a counter only this thread writes: no lock, no locked
 * read-modify-write, no torn read for the summing thread. */
#define FB_COUNT_ADD(c, n) __atomic_store_n(&(c), \
	__atomic_load_n(&(c), __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)
/** Add 1 to a counter only this thread writes. */
#define FB_COUNT(c) FB_COUNT_ADD(c, 1)

/** Source ids counted one by one; ids from FB_METRICS_SOURCES - 1 on
 * share the last slot (exported as feed="other-sources").  Ids are
 * handed out in order and few lists exist, so this is room to spare. */
#define FB_METRICS_SOURCES 64
/** Categories counted (enum fb_category; an unknown one counts as
 * other). */
#define FB_METRICS_CATEGORIES 5
/** Actions of an answered block: sinkhole, nxdomain, nodata. */
#define FB_METRICS_ACTIONS 3
/** The label of the shared last source slot. */
#define FB_METRICS_OTHER_SOURCES "other-sources"

/** The metrics counters of one thread (besides struct fb_counters):
 * written by that thread alone with FB_COUNT(). */
struct fb_thread_stats {
	/** client queries that reached the module (cache misses, class IN) */
	uint64_t queries;
	/** answers Unbound gave from its message cache (count-cache-hits) */
	uint64_t cache_hits;
	/** client queries an allow entry let through, by source slot */
	uint64_t allowed[FB_METRICS_SOURCES];
	/** client queries answered with a block, by source slot, category
	 * and action (the action done: default resolved) */
	uint64_t blocked[FB_METRICS_SOURCES][FB_METRICS_CATEGORIES]
		[FB_METRICS_ACTIONS];
	/** client queries their client policy let through that the
	 * default policy blocks, by policy (index in cfg->clients) and the
	 * entry's category */
	uint64_t would_block[FB_CLIENT_POLICY_MAX][FB_METRICS_CATEGORIES];
};

/** The counter slot of a source id. */
static inline unsigned fb_metrics_slot(uint16_t source)
{
	return source < FB_METRICS_SOURCES - 1 ? source :
		FB_METRICS_SOURCES - 1;
}

/** Count a client query answered with a block.
 * @param action: FB_ACTION_SINKHOLE, _NXDOMAIN or _NODATA. */
static inline void fb_stats_blocked(struct fb_thread_stats *s,
	uint16_t source, uint8_t category, enum fb_action action)
{
	unsigned c = category < FB_METRICS_CATEGORIES ? category :
		FB_CATEGORY_OTHER;
	unsigned a = action >= FB_ACTION_SINKHOLE &&
		action <= FB_ACTION_NODATA ? action - FB_ACTION_SINKHOLE : 0;
	FB_COUNT(s->blocked[fb_metrics_slot(source)][c][a]);
}

/** Count a would-block of client policy number policy. */
static inline void fb_stats_would_block(struct fb_thread_stats *s,
	size_t policy, uint8_t category)
{
	unsigned c = category < FB_METRICS_CATEGORIES ? category :
		FB_CATEGORY_OTHER;
	if(policy < FB_CLIENT_POLICY_MAX)
		FB_COUNT(s->would_block[policy][c]);
}

/** One source as the metrics file shows it. */
struct fb_metrics_source {
	uint16_t id;
	char name[FB_SOURCE_NAME_MAX];
	uint64_t entries;
	/** unix time of its last accepted update, 0 never */
	int64_t last_success;
};

/** Most sources exported; more are left out (and said so in the file). */
#define FB_METRICS_MAX_SOURCES 1024

/** What the watch thread read from the store for one metrics file. */
struct fb_metrics_store {
	/** 0: no list in force (or it could not be read) */
	int valid;
	uint64_t generation;
	/** FB_METRICS_MAX_SOURCES of them, n used */
	struct fb_metrics_source *src;
	size_t n;
	/** sources left out past FB_METRICS_MAX_SOURCES */
	size_t skipped;
};

/**
 * Count cache hits: register the reply_cache inplace callback.  In init(),
 * before the workers start.  @return 1 on success, 0 on error (logged).
 */
int fb_metrics_hits_start(struct fb_module *m, struct module_env *env,
	int id);

/** Remove the callback (deinit, workers stopped).  Safe when it was
 * never registered. */
void fb_metrics_hits_stop(struct module_env *env, int id);

/**
 * Sum every thread's counters and write the metrics file (watch thread
 * only).  Errors are logged once until a write succeeds again.
 * @param st: the store figures; st->valid 0 leaves them out.
 * @param failing: in/out: 1 while writes fail (the error was logged).
 * @return 1 written, 0 on error.
 */
int fb_metrics_write(struct fb_module *m, const struct fb_metrics_store *st,
	int *failing);

#endif /* FB_METRICS_H */
