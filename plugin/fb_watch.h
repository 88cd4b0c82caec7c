/**
 * \file
 * The watch thread: keeps the module in step with the list without any
 * work on the query path.
 *
 * Every poll-interval it (1) opens the list if it was missing at start, and
 * (2) reads the store's generation; when it changed, it walks Unbound's
 * message cache once and expires every cached answer whose query name the
 * list now blocks, so cache hits (which never reach the module) cannot
 * serve a name listed after it was cached.  One walk covers any number of
 * changes; names still allowed keep their cached answers.
 *
 * A walk sets the entry's TTLs to the past, as `unbound-control
 * flush_zone` does, under the bin's lock, and then removes the entry:
 * with serve-expired (whose serve-expired-ttl is unlimited by default)
 * Unbound would go on serving an expired entry.
 *
 * Known limit: a reload (SIGHUP, unbound-control reload) that changes
 * msg-cache-size or msg-cache-slabs frees the cache before this thread is
 * stopped.  The walk checks that the cache is still the one it started
 * with, but a walk already under way at that instant could touch freed
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
 * @param env: Unbound's environment (its msg_cache is walked).
 * @return 1 on success, 0 on error (logged).
 */
int fb_watch_start(struct fb_watch **w, struct fb_module *m,
	struct module_env *env);

/** Stop and join the thread, free w.  NULL is fine. */
void fb_watch_stop(struct fb_watch *w);

#endif /* FB_WATCH_H */
