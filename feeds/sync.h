/**
 * \file
 * What the two halves of fraudblock-sync share: sync.c (the per-feed
 * work, one-shot runs and the command line) and sync_daemon.c (the
 * --daemon loop, which calls the per-feed work on each feed's schedule).
 */
#ifndef FB_SYNC_H
#define FB_SYNC_H

#include "fb_config.h"
#include "fb_store.h"
#include "fb_protect.h"

/**
 * Sync one feed and print its one-line outcome (summary on stdout, or
 * the reason it was refused on stderr), with the time it took.
 * @param st: the store, opened for writing.
 * @param f: the feed.
 * @param protect: the protected-names filter of the config in force.
 * @param quiet: no summary line (failures are always printed).
 * @param changed: set to 1 if entries changed.
 * @return 1 on success, 0 on failure (reported and recorded in the
 *	feed's source record).
 */
int sync_one(struct fb_store *st, const struct fb_feed_conf *f,
	const struct fb_protect *protect, int quiet, int *changed);

/** How fraudblock-sync --daemon was asked to run. */
struct sync_daemon_opts {
	/** the config file, read again on SIGHUP */
	const char *conf;
	/** NULL or --pid-file, over the config's sync-pid-file */
	const char *pid_file;
	/** log to syslog (facility daemon) rather than to stderr */
	int use_syslog;
	/** no summary lines for feeds that synced */
	int quiet;
};

/**
 * Run until SIGTERM or SIGINT: each feed on its own refresh interval,
 * SIGHUP re-reads the config, SIGUSR1 syncs now (sync_daemon.c).
 * @return the exit status: 0 after a signal to stop, 1 when it could
 *	not start.
 */
int sync_daemon(const struct sync_daemon_opts *o);

#endif /* FB_SYNC_H */
