/**
 * \file
 * State of the fraudblock Unbound module shared by its parts.
 *
 * One struct fb_module exists per module instance (per Unbound start or
 * reload), made in init() and freed in deinit().  Unbound's worker threads
 * all see the same one (env->modinfo is shared), so everything in it is
 * either set before the workers start and read-only afterwards (cfg, env,
 * epoch), changed only while the workers are kept out by the gate
 * (store, store_epoch; see fb_list.h), atomic (gate, flags), or guarded by
 * lock, which is taken when a thread registers, never per query.
 */
#ifndef FB_MODULE_H
#define FB_MODULE_H

#include <pthread.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_metrics.h"

struct fb_watch;
struct fb_log;
struct fb_thread;
struct fb_clients;
struct module_env;

/** fb_module.gate: may a worker read the store? */
#define FB_GATE_OPEN 0		/**< yes */
#define FB_GATE_PAUSED 1	/**< not now: the store is being reopened or
				 * resized; wait a little, then read */
#define FB_GATE_CLOSED 2	/**< no store, or it is damaged: pass
				 * queries unchecked (fail-open) */

/** Things that were logged once and are not logged again until the
 * condition clears (bits of fb_module.logged). */
#define FB_LOGGED_OPEN 0x01	/**< the store cannot be opened */
#define FB_LOGGED_READ 0x02	/**< a read failed */
#define FB_LOGGED_FAULT 0x04	/**< a read faulted (SIGBUS, assertion) */
#define FB_LOGGED_DAMAGED 0x08	/**< the files are shorter than needed */
#define FB_LOGGED_READER 0x10	/**< a thread could not make its reader */

struct fb_module {
	/** settings, from fraudblock.conf (owned by fraudblock.c: the last
	 * good ones, kept across reloads) */
	const struct fb_config *cfg;
	/** Unbound's environment, for its caches */
	struct module_env *env;
	/** differs between module instances, so a thread that outlives a
	 * reload (Unbound's main thread is worker 0) drops its context */
	unsigned epoch;
	/** FB_GATE_*; atomic */
	int gate;
	/** the list in force, or NULL; only changed while the gate is not
	 * open and no worker is inside a lookup */
	struct fb_store *store;
	/** +1 each time store changes: threads then make new readers */
	unsigned store_epoch;
	/** the list's generation as the watch thread last saw it; threads
	 * remake their EDE texts when it moves (a feed's EDE code may have
	 * changed); atomic */
	uint64_t list_gen;
	/** +1 at the start of each cache sweep (the list or the store
	 * changed, as the watch thread saw it): the threads' remembered
	 * blocked names (fb_seen_slot) are forgotten; atomic */
	unsigned sweeps;
	/** set by a worker, acted on by the watch thread (atomic) */
	int resize_needed;	/**< a reader met MDB_MAP_RESIZED */
	int fault_seen;		/**< a read faulted: reopen the store */
	/** a client query passed unchecked (fail-open): its answer may be
	 * cached, so the next sweep must run even if the list is the same */
	int unchecked;
	/** FB_LOGGED_* bits; atomic */
	int logged;
	/** guards threads */
	pthread_mutex_t lock;
	/** every thread's context, for quiescing and freeing */
	struct fb_thread *threads;
	/** the thread that watches the store */
	struct fb_watch *watch;
	/** the query log's writer, or NULL when the log is off; set in
	 * init() before any worker runs */
	struct fb_log *log;
	/** the client policies' lookup table (fb_client.h), or NULL when
	 * none is configured; made in init(), read-only after */
	struct fb_clients *clients;
	/** env->unique_mesh before init() set it, given back in deinit() */
	int unique_mesh_before;
};

/** Log msg at error level unless bit is already set in m->logged; set it.
 * @return 1 if it logged. */
int fb_log_once(struct fb_module *m, int bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** Clear a logged bit: the condition is over, say it again next time. */
void fb_log_clear(struct fb_module *m, int bit);

#endif /* FB_MODULE_H */
