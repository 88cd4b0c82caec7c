/**
 * \file
 * The watch thread (see fb_watch.h).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "util/log.h"
#include "util/module.h"
#include "fb_module.h"
#include "fb_watch.h"
#include "fb_addr.h"
#include "fb_list.h"
#include "fb_cache.h"
#include "fb_guard.h"
#include "fb_reader.h"
#include "fb_metrics.h"

/** How often a missing list is looked for, in milliseconds. */
#define FB_REOPEN_MS 500

struct fb_watch {
	struct fb_module *m;
	/** Unbound's environment: its msg_cache is read before each sweep */
	struct module_env *env;
	/** the message cache when the module started */
	struct slabhash *msg_cache;
	/** this thread's reader and guard */
	struct fb_reader *reader;
	struct fb_guard guard;
	/** a read faulted during a sweep */
	int faulted;
	/** the store figures of the metrics file (NULL: none yet) */
	struct fb_metrics_store mstore;
	/** when the metrics file is due next (CLOCK_MONOTONIC, s) */
	time_t metrics_due;
	/** writing the metrics file fails (and was logged) */
	int metrics_failing;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/**< on CLOCK_MONOTONIC */
	int stop;		/**< set by fb_watch_stop(), under lock */
	int woken;		/**< set by fb_watch_wake(), under lock */
};

/** A read of the watch thread faulted: have the store reopened. */
static void faulted(struct fb_watch *wt)
{
	fb_guard_disarm(&wt->guard);
	wt->reader = NULL;	/* abandoned: the reopen releases it */
	wt->faulted = 1;
	__atomic_store_n(&wt->m->fault_seen, 1, __ATOMIC_SEQ_CST);
	fb_log_once(wt->m, FB_LOGGED_FAULT, "fraudblock: reading the "
		"blocklist database %s faulted: it was truncated or damaged "
		"while in use", wt->m->cfg->database);
}

/** fb_cache_blocked_fn: the sweep's matcher, with the snapshot open. */
static int sweep_blocked(void *arg, const uint8_t *qname, size_t len)
{
	struct fb_watch *wt = arg;
	struct fb_qname q;
	struct fb_verdict v;
	int rc;
	if(wt->faulted)
		return 0;
	fb_qname_from_wire(qname, len, &q);
	if(q.nprefix == 0)
		return 0;
	fb_guard_arm(&wt->guard);
	if(sigsetjmp(wt->guard.jb, 0) != 0) {
		faulted(wt);
		return 0;
	}
	rc = fb_match(wt->reader, &q, &v, NULL, NULL);
	fb_guard_leave(&wt->guard);
	return rc == 0 && v.kind == FB_BLOCK;
}

/** fb_cache_addr_blocked_fn: as sweep_blocked(), for an address. */
static int sweep_addr_blocked(void *arg, int family, const uint8_t *addr)
{
	struct fb_watch *wt = arg;
	struct fb_verdict v;
	int rc;
	if(wt->faulted)
		return 0;
	fb_addr_unmap(&family, &addr);
	fb_guard_arm(&wt->guard);
	if(sigsetjmp(wt->guard.jb, 0) != 0) {
		faulted(wt);
		return 0;
	}
	rc = fb_match_addr(wt->reader, family, addr, &v, NULL, NULL);
	fb_guard_leave(&wt->guard);
	return rc == 0 && v.kind == FB_BLOCK;
}

/** Drop cached answers the list blocks; the reader has a snapshot. */
static void sweep(struct fb_watch *wt, uint64_t gen)
{
	struct fb_sweep_result res;
	struct fb_cache_judge judge;
	struct timespec t0, t1;
	/* before the sweep, so no verdict remembered from the old list
	 * outlives it */
	__atomic_add_fetch(&wt->m->sweeps, 1, __ATOMIC_RELEASE);
	judge.name = sweep_blocked;
	judge.addr = wt->m->cfg->block_response_addresses ?
		sweep_addr_blocked : NULL;
	judge.arg = wt;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fb_cache_sweep(wt->msg_cache, &judge, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if(res.nomem)
		log_err("fraudblock: out of memory during a cache sweep; some "
			"listed names stay cached until their TTL ends");
	verbose(VERB_OPS, "fraudblock: list generation %llu, swept %lu "
		"cached answers in %.1f ms, removed %lu",
		(unsigned long long)gen, (unsigned long)res.seen,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		(unsigned long)res.removed);
}

/** What a sweep was last made for: the store's identity and generation
 * (a store copied over the live one may have the same generation), and
 * data.mdb's modification time: bytes written into the file in place,
 * outside LMDB, change neither, yet lookups meanwhile may have given
 * wrong answers that Unbound cached. */
struct seen {
	int valid;	/**< 0 until the first look at this store */
	uint8_t id[FB_STORE_ID_LEN];
	uint64_t gen;
	struct timespec mtime;
};

/** The modification time of the store's data.mdb, or zero. */
static struct timespec data_mtime(const struct fb_module *m)
{
	struct timespec zero = { 0, 0 };
	struct stat st;
	char path[4096];
	if((size_t)snprintf(path, sizeof(path), "%s/data.mdb",
	    m->cfg->database) >= sizeof(path) || stat(path, &st) != 0)
		return zero;
	return st.st_mtim;
}

/**
 * Look at the generation and identity; sweep when either changed.
 * @param seen: in/out: what the last sweep was for.
 */
static void check_generation(struct fb_watch *wt, struct seen *seen)
{
	struct fb_module *m = wt->m;
	char err[256];
	uint8_t id[FB_STORE_ID_LEN];
	uint64_t gen = 0;
	struct timespec mtime;
	int ok, unchecked;
	wt->faulted = 0;
	fb_guard_arm(&wt->guard);
	if(sigsetjmp(wt->guard.jb, 0) != 0) {
		faulted(wt);
		return;
	}
	if(!wt->reader && !fb_reader_new(m->store, &wt->reader, err,
	    sizeof(err))) {
		fb_guard_leave(&wt->guard);
		fb_log_once(m, FB_LOGGED_READER, "fraudblock: %s", err);
		return;
	}
	if(fb_reader_begin(wt->reader, NULL) != 0) {
		fb_guard_leave(&wt->guard);
		/* a grown map: the next maintain adopts it */
		__atomic_store_n(&m->resize_needed, 1, __ATOMIC_SEQ_CST);
		return;
	}
	ok = fb_reader_generation(wt->reader, &gen) &&
		fb_reader_store_id(wt->reader, id);
	fb_guard_leave(&wt->guard);
	/* queries passed unchecked meanwhile may have cached a listed name
	 * although the list itself did not change */
	unchecked = __atomic_exchange_n(&m->unchecked, 0, __ATOMIC_RELAXED);
	mtime = data_mtime(m);
	if(ok)
		__atomic_store_n(&m->list_gen, gen, __ATOMIC_RELAXED);
	/* also on the first look: answers cached before the list was
	 * opened (it may have appeared late) are checked too.  A reload
	 * that resizes the cache replaces it before this module is
	 * stopped: never sweep another cache */
	if(ok && (unchecked || !seen->valid || gen != seen->gen ||
	   memcmp(id, seen->id, sizeof(id)) != 0 ||
	   mtime.tv_sec != seen->mtime.tv_sec ||
	   mtime.tv_nsec != seen->mtime.tv_nsec) && wt->msg_cache &&
	   wt->env->msg_cache == wt->msg_cache) {
		sweep(wt, gen);
		if(!wt->faulted) {
			seen->gen = gen;
			seen->mtime = mtime;
			memcpy(seen->id, id, sizeof(id));
			seen->valid = 1;
		}
	}
	if((!ok || wt->faulted) && unchecked)
		__atomic_store_n(&m->unchecked, 1, __ATOMIC_RELAXED);
	if(wt->reader && !wt->faulted)
		fb_reader_end(wt->reader);
}

/** fb_reader_sources callback: keep one source for the metrics file. */
static void metrics_source(void *arg, const struct fb_source_info *si)
{
	struct fb_metrics_store *st = arg;
	struct fb_metrics_source *s;
	if(st->n == FB_METRICS_MAX_SOURCES) {
		st->skipped++;
		return;
	}
	s = &st->src[st->n++];
	s->id = si->id;
	memcpy(s->name, si->name, sizeof(s->name));
	s->name[sizeof(s->name) - 1] = 0;
	s->entries = si->entries;
	s->last_success = si->last_success;
}

/** Read the generation and the sources into wt->mstore, guarded;
 * mstore.valid 0 when there is no list or it cannot be read. */
static void metrics_read_store(struct fb_watch *wt)
{
	struct fb_module *m = wt->m;
	struct fb_metrics_store *st = &wt->mstore;
	char err[256];
	st->valid = 0;
	st->n = st->skipped = 0;
	if(!m->store || __atomic_load_n(&m->gate, __ATOMIC_SEQ_CST) ==
	   FB_GATE_CLOSED)
		return;
	wt->faulted = 0;
	fb_guard_arm(&wt->guard);
	if(sigsetjmp(wt->guard.jb, 0) != 0) {
		faulted(wt);
		st->valid = 0;
		return;
	}
	if(!wt->reader && !fb_reader_new(m->store, &wt->reader, err,
	    sizeof(err))) {
		fb_guard_leave(&wt->guard);
		return;
	}
	if(fb_reader_begin(wt->reader, NULL) != 0) {
		fb_guard_leave(&wt->guard);
		return;
	}
	st->valid = fb_reader_generation(wt->reader, &st->generation) &&
		fb_reader_sources(wt->reader, metrics_source, st);
	fb_reader_end(wt->reader);
	fb_guard_leave(&wt->guard);
}

/** Write the metrics file when it is due (or now, when final). */
static void metrics_step(struct fb_watch *wt, int final)
{
	struct fb_module *m = wt->m;
	struct timespec now;
	if(!m->cfg->metrics_file || !wt->mstore.src)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if(!final && now.tv_sec < wt->metrics_due)
		return;
	wt->metrics_due = now.tv_sec + (time_t)m->cfg->metrics_interval;
	metrics_read_store(wt);
	(void)fb_metrics_write(m, &wt->mstore, &wt->metrics_failing);
}

/** Sleep ms unless told to stop or woken. @return 1 to go on, 0 stop. */
static int nap(struct fb_watch *wt, unsigned ms)
{
	struct timespec until;
	int go;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if(until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wt->lock);
	while(!wt->stop && !wt->woken && pthread_cond_timedwait(&wt->wake,
		&wt->lock, &until) != ETIMEDOUT)
		;
	wt->woken = 0;
	go = !wt->stop;
	pthread_mutex_unlock(&wt->lock);
	return go;
}

static void *watch_main(void *arg)
{
	struct fb_watch *wt = arg;
	struct fb_module *m = wt->m;
	struct seen seen;
	memset(&seen, 0, sizeof(seen));
	(void)fb_guard_thread_init();
	do {
		if(fb_list_maintain(m, &wt->reader))
			seen.valid = 0;	/* a new store: sweep whatever */
		if(m->store && __atomic_load_n(&m->gate, __ATOMIC_SEQ_CST) !=
		   FB_GATE_CLOSED)
			check_generation(wt, &seen);
		metrics_step(wt, 0);
	} while(nap(wt, m->store ? m->cfg->poll_ms : FB_REOPEN_MS));
	/* the last counts of this module instance */
	metrics_step(wt, 1);
	fb_reader_free(wt->reader);
	wt->reader = NULL;
	return NULL;
}

int fb_watch_start(struct fb_watch **out, struct fb_module *m,
	struct module_env *env)
{
	struct fb_watch *wt = calloc(1, sizeof(*wt));
	pthread_condattr_t ca;
	int rc;
	*out = NULL;
	if(!wt) {
		log_err("fraudblock: out of memory");
		return 0;
	}
	wt->m = m;
	wt->env = env;
	wt->msg_cache = env->msg_cache;
	if(m->cfg->metrics_file && !(wt->mstore.src = calloc(
	    FB_METRICS_MAX_SOURCES, sizeof(*wt->mstore.src))))
		log_err("fraudblock: out of memory; no metrics file");
	pthread_mutex_init(&wt->lock, NULL);
	/* a wall clock set back would stretch a nap to hours */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wt->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* published before the thread runs: workers may wake it */
	*out = wt;
	if((rc = pthread_create(&wt->thread, NULL, watch_main, wt)) != 0) {
		log_err("fraudblock: cannot start the watch thread: %s",
			strerror(rc));
		*out = NULL;
		pthread_cond_destroy(&wt->wake);
		pthread_mutex_destroy(&wt->lock);
		free(wt->mstore.src);
		free(wt);
		return 0;
	}
	return 1;
}

void fb_watch_wake(struct fb_watch *wt)
{
	if(!wt)
		return;
	pthread_mutex_lock(&wt->lock);
	wt->woken = 1;
	pthread_cond_signal(&wt->wake);
	pthread_mutex_unlock(&wt->lock);
}

void fb_watch_stop(struct fb_watch *wt)
{
	if(!wt)
		return;
	pthread_mutex_lock(&wt->lock);
	wt->stop = 1;
	pthread_cond_signal(&wt->wake);
	pthread_mutex_unlock(&wt->lock);
	pthread_join(wt->thread, NULL);
	pthread_cond_destroy(&wt->wake);
	pthread_mutex_destroy(&wt->lock);
	free(wt->mstore.src);
	free(wt);
}
