/**
 * \file
 * The query log of the module (schema: doc/querylog.md): one record per
 * blocked client query, per client query a client policy let through
 * (would-block), and per checked one with log-all-queries, written
 * as JSON Lines to a file and/or syslog, without ever making a resolver
 * thread wait.
 *
 * - Each resolver thread owns a ring (struct fb_ring, in its fb_thread) of
 *   log-buffer fixed-size records.  fb_log_query() copies the facts of a
 *   query into the next free slot: no lock, no allocation, no system call,
 *   no formatting.  A full ring drops the record and counts it.
 *   Single producer (the thread), single consumer (the writer): the
 *   producer publishes a slot with a release store of head, the consumer
 *   frees it with a release store of tail; each reads the other's index
 *   with an acquire load.
 * - One writer thread, started in init() and stopped in deinit() like the
 *   watch thread, drains every ring every 10 ms, formats and privacy-maps
 *   the records (fb_qlog.c) and writes them with one buffered write per
 *   round.  The file is opened non-blocking (a FIFO nobody reads makes
 *   writes fail with EAGAIN, not wait); while its buffer cannot be written
 *   the writer stops draining, the rings fill and records are dropped and
 *   counted — the resolver threads never notice.
 * - The file is reopened when its path names another file (a logrotate
 *   rename, checked every second) and at once when fraudblock-ctl
 *   log-reopen creates the trigger file (log-file + ".reopen"; the writer
 *   removes it once the new file is open).  Records go to the old file
 *   until the new one is open: none are lost across a rotation.
 * - Drops are reported in Unbound's log ("fraudblock: query log dropped N
 *   records") at most every 5 seconds while they happen, and at stop.
 * - hash mode: the writer alone holds the key; it creates the key file if
 *   missing, reloads it when fraudblock-ctl log-key-rotate replaced it,
 *   and replaces it itself when log-hash-rotate's period changes (the old
 *   key is zeroed).
 *
 * A reload stops the writer (after a last drain of every ring) before the
 * threads' contexts are freed, and starts a new one with the new settings.
 */
#ifndef FB_LOG_H
#define FB_LOG_H

#include <stdint.h>

struct fb_module;
struct fb_thread;
struct fb_lookup;
struct fb_log;
struct fb_ring;
struct module_qstate;

/**
 * Start the writer if fraudblock.conf asks for a query log.
 * @param l: out: the writer, or NULL when no log is configured.
 * @param m: the module; must outlive the writer.
 * @return 1 on success (also when off), 0 when the thread cannot start.
 */
int fb_log_start(struct fb_log **l, struct fb_module *m);

/** Drain every ring one last time, stop and join the writer, free it.
 * The resolver threads must be stopped.  NULL is fine. */
void fb_log_stop(struct fb_log *l);

/** @return a ring of n records rounded up to a power of two, or NULL. */
struct fb_ring *fb_ring_new(unsigned n);

/** Free a ring; NULL is fine. */
void fb_ring_free(struct fb_ring *r);

/**
 * Queue a record of this query on the thread's ring, one per client
 * waiting for it (identical queries of several clients share one
 * state).  No lock, allocation or system call; drops when full.
 * @param t: the thread; nothing happens when it has no ring.
 * @param qstate: the query.
 * @param l: the lookup (feed, entry, EDE, the client policy's name);
 *	for a pass only the depth (0) and the policy are read.
 * @param action: the action answered, or for a would-block the one the
 *	default policy answers (enum fb_action, resolved).
 * @param event: FB_QLOG_BLOCK, FB_QLOG_PASS or FB_QLOG_WOULD_BLOCK.
 */
void fb_log_query(struct fb_thread *t, struct module_qstate *qstate,
	const struct fb_lookup *l, int action, int event);

/**
 * The writer's counts so far (for metrics): records handed to a sink,
 * and records dropped (rings full, sink errors).
 */
void fb_log_stats(struct fb_log *l, uint64_t *written, uint64_t *dropped);

#endif /* FB_LOG_H */
