/**
 * \file
 * State of the fraudblock Unbound module shared by its parts.
 *
 * One struct fb_module exists per module instance (per Unbound start or
 * reload), made in init() and freed in deinit().  Unbound's worker threads
 * all see the same one (env->modinfo is shared), so everything in it is
 * either set before the workers start and read-only afterwards (cfg, epoch),
 * published once with an atomic store (store), or guarded by readers_lock,
 * which is taken only when a thread makes its reader, never per query.
 */
#ifndef FB_MODULE_H
#define FB_MODULE_H

#include <pthread.h>
#include "fb_config.h"
#include "fb_store.h"

struct fb_watch;

/** A reader made by one thread, kept on a list so deinit can free it. */
struct fb_reader_node {
	struct fb_reader *reader;
	struct fb_reader_node *next;
};

/** A store replaced by a newer one, kept open until deinit: a worker may
 * still be between begin and end on a reader of it. */
struct fb_store_node {
	struct fb_store *store;
	struct fb_store_node *next;
};

struct fb_module {
	/** settings, from fraudblock.conf */
	struct fb_config *cfg;
	/** the list in force; NULL until it could be opened.  Written by
	 * fb_module_open() only, with release order; read with acquire.
	 * Replaced (never freed before deinit) when the database directory
	 * gets a new data.mdb; each thread then makes a new reader. */
	struct fb_store *store;
	/** stores replaced while Unbound ran; under lock */
	struct fb_store_node *retired;
	/** differs between module instances, so a thread that outlives a
	 * reload (Unbound's main thread is worker 0) drops its old reader */
	unsigned epoch;
	/** guards readers, retired and the two *_logged flags */
	pthread_mutex_t lock;
	struct fb_reader_node *readers;
	/** the thread that watches for updates */
	struct fb_watch *watch;
	/** 1 once "cannot open the list" was logged: said once, not per poll */
	int store_error_logged;
	/** 1 once a failed read was logged: said once, not per query */
	int read_error_logged;
};

/**
 * Open the list if it is not open yet, or open it anew when
 * fb_store_is_current() says no (a new data.mdb in the directory, or a
 * file grown past the map), and publish it to the workers.  Logs one
 * error for the first failure and one line when it opens.  While a new
 * file cannot be opened the old store stays in force.
 * Called from init() and then from the watch thread only.
 * @return the store in force, or NULL while there is none.
 */
struct fb_store *fb_module_open(struct fb_module *m);

/** @return the published store or NULL (acquire load). */
static inline struct fb_store *fb_module_store(struct fb_module *m)
{
	return __atomic_load_n(&m->store, __ATOMIC_ACQUIRE);
}

#endif /* FB_MODULE_H */
