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
 */
#ifndef FB_WATCH_H
#define FB_WATCH_H

struct fb_module;
struct slabhash;
struct fb_watch;

/**
 * Start the thread.
 * @param w: out.
 * @param m: the module; must outlive the thread.
 * @param msg_cache: Unbound's message cache (env->msg_cache).
 * @return 1 on success, 0 on error (logged).
 */
int fb_watch_start(struct fb_watch **w, struct fb_module *m,
	struct slabhash *msg_cache);

/** Stop and join the thread, free w.  NULL is fine. */
void fb_watch_stop(struct fb_watch *w);

#endif /* FB_WATCH_H */
