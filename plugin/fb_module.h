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

struct fb_module {
	/** settings, from fraudblock.conf */
	struct fb_config *cfg;
	/** the list; NULL until it could be opened.  Written once, by
	 * fb_module_open(), with release order; read with acquire. */
	struct fb_store *store;
	/** differs between module instances, so a thread that outlives a
	 * reload (Unbound's main thread is worker 0) drops its old reader */
	unsigned epoch;
	/** guards readers and store_error_logged */
	pthread_mutex_t lock;
	struct fb_reader_node *readers;
	/** the thread that watches for updates */
	struct fb_watch *watch;
	/** 1 once "cannot open the list" was logged: said once, not per poll */
	int store_error_logged;
};

/**
 * Open the list if it is not open yet, and publish it to the workers.
 * Logs one error for the first failure and one line when it opens.
 * Called from init() and then from the watch thread only.
 * @return the store, or NULL while it cannot be opened.
 */
struct fb_store *fb_module_open(struct fb_module *m);

/** @return the published store or NULL (acquire load). */
static inline struct fb_store *fb_module_store(struct fb_module *m)
{
	return __atomic_load_n(&m->store, __ATOMIC_ACQUIRE);
}

#endif /* FB_MODULE_H */
