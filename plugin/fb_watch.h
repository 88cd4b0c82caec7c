/**
 * \file
 * The watch thread: keeps the module in step with the list without any
 * work on the query path.
 *
 * Every poll-interval it (1) keeps the list in force in step with its
 * files (fb_list_maintain: opens a list that appeared, reopens a replaced
 * one, adopts a grown map, stops using a damaged one), and (2) reads the
 * store's generation; when it changed, it sweeps Unbound's message cache
 * once and removes every cached answer whose query name the list now
 * blocks (fb_cache_sweep, which never holds a cache lock while matching),
 * so cache hits (which never reach the module) cannot serve a name listed
 * after it was cached.  One sweep covers any number of changes.  (3) With
 * metrics-file, every metrics-interval seconds and once when it stops, it
 * writes the metrics file (fb_metrics.h) from the threads' counters and
 * the store's generation and sources.
 *
 * Workers wake it at once when they meet a grown map or a fault.
 *
 * Known limit: a reload (SIGHUP, unbound-control reload) that changes
 * msg-cache-size or msg-cache-slabs frees the cache before this thread is
 * stopped.  The sweep checks that the cache is still the one it started
 * with, but a sweep already under way at that instant could touch freed
 * memory: restart Unbound, rather than reload it, to resize its cache.
 */
#ifndef FB_WATCH_H
#define FB_WATCH_H

struct fb_module;
struct module_env;
struct fb_watch;

/**
 * Start the thread.
 * @param w: out.
 * @param m: the module; must outlive the thread.
 * @param env: Unbound's environment (its msg_cache is swept).
 * @return 1 on success, 0 on error (logged).
 */
int fb_watch_start(struct fb_watch **w, struct fb_module *m,
	struct module_env *env);

/** Wake the thread now (any thread; a lock, so never per query).
 * NULL is fine. */
void fb_watch_wake(struct fb_watch *w);

/** Stop and join the thread, free w.  NULL is fine. */
void fb_watch_stop(struct fb_watch *w);

#endif /* FB_WATCH_H */
