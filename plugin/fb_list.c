/**
 * \file
 * The list in force (see fb_list.h).
 */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "util/log.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_list.h"
#include "fb_guard.h"

/** Tell the fault guard where the store is mapped. */
static void guard_ranges(struct fb_module *m)
{
	uintptr_t lo[4], hi[4];
	int n = m->store ? fb_store_mappings(m->store, lo, hi, 4) : 0;
	fb_guard_set_ranges(lo, hi, n, m->cfg->database);
}

/** Open the store into m->store (gate not open).  @return 1 if open. */
static int open_store(struct fb_module *m)
{
	char err[512];
	struct fb_store *st = NULL;
	struct fb_guard g;
	int opened;
	/* opening reads the file's pages too: it may be cut meanwhile */
	memset(&g, 0, sizeof(g));
	fb_guard_arm(&g);
	if(sigsetjmp(g.jb, 0) != 0) {
		fb_guard_disarm(&g);
		/* the half-opened environment is left as it is: closing it
		 * could fault again */
		snprintf(err, sizeof(err), "%s changed while it was being "
			"opened (SIGBUS)", m->cfg->database);
		opened = 0;
	} else {
		opened = fb_store_open(&st, m->cfg->database,
			m->cfg->max_db_size, FB_STORE_READ, err, sizeof(err));
		fb_guard_leave(&g);
	}
	if(!opened) {
		fb_log_once(m, FB_LOGGED_OPEN, "fraudblock: cannot open the "
			"blocklist database, passing all queries unchecked "
			"until it can be: %s", err);
		return 0;
	}
	m->store = st;
	__atomic_store_n(&m->store_epoch, m->store_epoch + 1,
		__ATOMIC_RELEASE);
	guard_ranges(m);
	fb_log_clear(m, FB_LOGGED_OPEN);
	fb_log_clear(m, FB_LOGGED_FAULT);
	fb_log_clear(m, FB_LOGGED_DAMAGED);
	fb_log_clear(m, FB_LOGGED_READER);
	log_info("fraudblock: blocklist database %s open (schema %u)",
		m->cfg->database, (unsigned)fb_store_schema(st));
	if(fb_store_schema(st) != FB_SCHEMA_VERSION)
		log_warn("fraudblock: %s has store schema %u; the next "
			"fraudblock-sync or fraudblock-ctl edit upgrades it",
			m->cfg->database, (unsigned)fb_store_schema(st));
	return 1;
}

/** Forget every reader without touching the store (after a fault in
 * it: freeing them writes into lock.mdb's mapping). */
static void forget_readers(struct fb_module *m)
{
	struct fb_thread *t;
	pthread_mutex_lock(&m->lock);
	for(t = m->threads; t; t = t->next)
		t->reader = NULL;
	pthread_mutex_unlock(&m->lock);
}

/**
 * Free every reader of the store (the watch thread's too, if given);
 * workers are quiesced.  Freeing writes into lock.mdb's mapping, which may
 * be what faulted: if it faults again, the readers are forgotten instead.
 * @return 1 if freed, 0 if a fault left them (and the store) as they are.
 */
static int free_readers(struct fb_module *m, struct fb_reader **watch_reader)
{
	struct fb_guard g;
	memset(&g, 0, sizeof(g));
	fb_guard_arm(&g);
	if(sigsetjmp(g.jb, 0) != 0) {
		fb_guard_disarm(&g);
		forget_readers(m);
		if(watch_reader)
			*watch_reader = NULL;
		return 0;
	}
	if(watch_reader) {
		fb_reader_free(*watch_reader);
		*watch_reader = NULL;
	}
	fb_threads_drop_readers(m);
	fb_guard_leave(&g);
	return 1;
}

/** Close m->store and every reader of it; workers are quiesced. */
static void close_store(struct fb_module *m, struct fb_reader **watch_reader)
{
	struct fb_guard g;
	volatile int closed = 0;
	if(free_readers(m, watch_reader)) {
		memset(&g, 0, sizeof(g));
		fb_guard_arm(&g);
		if(sigsetjmp(g.jb, 0) != 0)
			fb_guard_disarm(&g);
		else {
			fb_store_close(m->store);
			fb_guard_leave(&g);
			closed = 1;
		}
	}
	if(!closed)
		log_err("fraudblock: closing the damaged store faulted; its "
			"memory stays mapped until Unbound restarts");
	m->store = NULL;
	fb_guard_set_ranges(NULL, NULL, 0, NULL);
}

void fb_list_open_first(struct fb_module *m)
{
	(void)fb_guard_thread_init();
	m->gate = open_store(m) ? FB_GATE_OPEN : FB_GATE_CLOSED;
}

void fb_list_close(struct fb_module *m)
{
	if(m->store)
		close_store(m, NULL);
	fb_threads_free(m);
}

/** Reopen under quiescence.  @return 1 if a store is open after. */
static int reopen(struct fb_module *m, struct fb_reader **watch_reader)
{
	int ok;
	/* with no store the gate is closed and no worker reads: pausing
	 * it would only make queries wait for nothing */
	if(m->store) {
		fb_threads_quiesce(m);
		close_store(m, watch_reader);
	}
	__atomic_store_n(&m->fault_seen, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&m->resize_needed, 0, __ATOMIC_SEQ_CST);
	ok = open_store(m);
	__atomic_store_n(&m->gate, ok ? FB_GATE_OPEN : FB_GATE_CLOSED,
		__ATOMIC_SEQ_CST);
	return ok;
}

int fb_list_maintain(struct fb_module *m, struct fb_reader **watch_reader)
{
	char why[512], err[512];
	enum fb_store_state s;
	if(!m->store)
		return reopen(m, watch_reader);
	if(__atomic_load_n(&m->fault_seen, __ATOMIC_SEQ_CST))
		return reopen(m, watch_reader);
	s = fb_store_state(m->store, why, sizeof(why));
	if(s == FB_STORE_REPLACED) {
		/* the list in force stays until its successor is usable */
		if(!fb_store_check_file(m->cfg->database, err, sizeof(err))) {
			fb_log_once(m, FB_LOGGED_OPEN, "fraudblock: %s, but the "
				"new store cannot be used: %s; keeping the list "
				"in force", why, err);
			return 0;
		}
		log_info("fraudblock: %s; opening the store anew", why);
		return reopen(m, watch_reader);
	}
	if(s == FB_STORE_DAMAGED) {
		/* reading it would fault: pass queries until it is whole */
		__atomic_store_n(&m->gate, FB_GATE_CLOSED, __ATOMIC_SEQ_CST);
		fb_log_once(m, FB_LOGGED_DAMAGED, "fraudblock: %s; passing "
			"queries unchecked until it is whole again", why);
		return 0;
	}
	if(__atomic_load_n(&m->gate, __ATOMIC_SEQ_CST) == FB_GATE_CLOSED) {
		/* whole again, but maybe another environment copied over
		 * the same files: start from scratch */
		log_info("fraudblock: %s is whole again; opening it anew",
			m->cfg->database);
		return reopen(m, watch_reader);
	}
	if(__atomic_load_n(&m->resize_needed, __ATOMIC_SEQ_CST)) {
		fb_threads_quiesce(m);
		__atomic_store_n(&m->resize_needed, 0, __ATOMIC_SEQ_CST);
		if(free_readers(m, watch_reader) &&
		   fb_store_adopt_mapsize(m->store, err, sizeof(err))) {
			__atomic_store_n(&m->store_epoch, m->store_epoch + 1,
				__ATOMIC_RELEASE);
			guard_ranges(m);
			__atomic_store_n(&m->gate, FB_GATE_OPEN,
				__ATOMIC_SEQ_CST);
			log_info("fraudblock: %s grew past its map; adopted "
				"the new size", m->cfg->database);
			return 0;
		}
		log_err("fraudblock: %s grew past its map and the new size "
			"cannot be adopted; opening it anew", m->cfg->database);
		return reopen(m, watch_reader);
	}
	return 0;
}
