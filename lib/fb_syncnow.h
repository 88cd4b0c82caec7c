/**
 * \file
 * The sync-now protocol between `fraudblock-ctl sync-now` and
 * `fraudblock-sync --daemon`, in files next to the daemon's pid file P
 * (the config's sync-pid-file or --pid-file):
 *
 * - P holds the daemon's pid and is flock()ed by it while it runs.  A
 *   P that nobody holds locked is stale: its pid may be another program's
 *   by now, so it is never signalled.
 * - A client writes P.sync-now.ID (ID: its own pid), one feed name a
 *   line or "*" for all, through a temporary name and rename(2), so the
 *   daemon reads a request whole or not at all; then it sends SIGUSR1
 *   with sigqueue(3).  A queued SIGUSR1 makes the daemon look for
 *   requests; a plain one (kill -USR1) syncs every feed.
 * - The daemon removes the request, syncs its feeds and answers with
 *   P.sync-now.ID.done (renamed into place too): one line a feed,
 *   "NAME ok", "NAME failed" or "NAME unknown" (not in its config).
 *   The client reads and removes the answer.  A client that gives up
 *   removes its request and the answer, whichever exists.
 *
 * Every byte of these files is treated as outside input: sizes are
 * bounded, names checked, file names matched exactly.
 *
 * Thread safety: reentrant; the daemon and the client are one thread.
 */
#ifndef FB_SYNCNOW_H
#define FB_SYNCNOW_H

#include <stddef.h>
#include <sys/types.h>

/** Largest request or answer file read. */
#define FB_SYNCNOW_MAX 65536
/** The request line that means every feed. */
#define FB_SYNCNOW_ALL "*"

/** The daemon's pid file, open and locked. */
struct fb_pidfile;

/**
 * Write this process's pid to path atomically and keep it locked.
 * @param out: out: to give to fb_pidfile_remove().
 * @param err: out: why not, naming the file; "already running (pid N)"
 *	when another daemon holds it.
 * @return 1 on success, 0 on failure.
 */
int fb_pidfile_create(const char *path, struct fb_pidfile **out,
	char *err, size_t errlen);

/** Remove the pid file if it is still this one, and free pf (NULL ok). */
void fb_pidfile_remove(struct fb_pidfile *pf);

/**
 * Is a daemon running with this pid file?
 * @param pid: out: its pid when it is.
 * @param err: out: why not, when not.
 * @return 1 running, 0 not.
 */
int fb_pidfile_running(const char *path, pid_t *pid, char *err,
	size_t errlen);

/**
 * Client: ask the daemon to sync feeds, at once.
 * @param feeds: the names; n 0 for all feeds.
 * @return 1 when the request is written and the signal sent, 0 on
 *	failure (err set, nothing left behind).
 */
int fb_syncnow_send(const char *pid_file, pid_t daemon,
	const char *const *feeds, size_t n, char *err, size_t errlen);

/** One line of an answer: a feed name and "ok", "failed" or "unknown". */
typedef void fb_syncnow_answer_cb(void *arg, const char *feed,
	const char *outcome);

/**
 * Client: wait for the answer to this process's request.
 * @param ms: how long at most.
 * @return 1 answered (cb called for each line), 0 no answer in time
 *	(request withdrawn), -1 on error (err set).
 */
int fb_syncnow_wait(const char *pid_file, unsigned ms,
	fb_syncnow_answer_cb *cb, void *arg, char *err, size_t errlen);

/**
 * Daemon: one waiting request, read and removed.
 * @param id: the client's id (for the answer).
 * @param feeds: the names, n of them; "*" means every feed.
 */
typedef void fb_syncnow_request_cb(void *arg, unsigned long id,
	char *const *feeds, size_t n);

/**
 * Daemon: take every waiting request.  A malformed one is removed and
 * reported in err_cb's way: through the log callback.
 * @param log: called with a message for each request refused.
 * @return the number of requests passed to cb.
 */
int fb_syncnow_take(const char *pid_file, fb_syncnow_request_cb *cb,
	void (*log)(void *arg, const char *msg), void *arg);

/**
 * Daemon: answer request id with text (lines "NAME OUTCOME").
 * @return 1 on success, 0 on failure (err set).
 */
int fb_syncnow_answer(const char *pid_file, unsigned long id,
	const char *text, size_t len, char *err, size_t errlen);

/**
 * Daemon, at start: remove requests and answers a previous daemon left.
 */
void fb_syncnow_clear(const char *pid_file);

#endif /* FB_SYNCNOW_H */
