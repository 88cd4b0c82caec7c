/**
 * \file
 * The watch thread (see fb_watch.h).
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include "util/log.h"
#include "util/module.h"
#include "util/storage/slabhash.h"
#include "util/data/msgreply.h"
#include "fb_module.h"
#include "fb_watch.h"
#include "fb_name.h"

/** How often a missing list is looked for, in milliseconds. */
#define FB_REOPEN_MS 500

struct fb_watch {
	struct fb_module *m;
	/** Unbound's environment: its msg_cache is read before each walk */
	struct module_env *env;
	/** the message cache when the module started */
	struct slabhash *msg_cache;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;		/**< set by fb_watch_stop(), under lock */
};

/** A cached answer to drop: a copy of its key, made under the bin lock. */
struct doomed {
	hashvalue_type hash;
	struct query_info qinfo;
	uint8_t qname[FB_KEY_MAX];
};

/** State of one walk over the message cache. */
struct expire_walk {
	struct fb_reader *reader;
	time_t expired;		/**< the TTL to set: in the past */
	struct doomed *v;	/**< entries to remove after the walk */
	size_t n, cap;
	int nomem;		/**< a removal was not recorded */
};

/** slabhash_traverse callback; the entry is write-locked. */
static void expire_if_blocked(struct lruhash_entry *e, void *arg)
{
	struct expire_walk *w = arg;
	struct msgreply_entry *k = (struct msgreply_entry *)e->key;
	struct reply_info *d = (struct reply_info *)e->data;
	struct fb_qname q;
	struct fb_verdict v;
	struct doomed *x;
	if(!d || k->key.qname_len > FB_KEY_MAX)
		return;
	fb_qname_from_wire(k->key.qname, k->key.qname_len, &q);
	if(q.nprefix == 0 || !fb_match(w->reader, &q, &v, NULL, NULL) ||
	   v.kind != FB_BLOCK)
		return;
	/* unusable at once, for every worker ... */
	d->ttl = w->expired;
	d->prefetch_ttl = w->expired;
	d->serve_expired_ttl = w->expired;
	/* ... and removed after the walk: with serve-expired and its
	 * default unlimited serve-expired-ttl, Unbound would otherwise go
	 * on serving the expired answer */
	if(w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		void *nv = realloc(w->v, cap * sizeof(*w->v));
		if(!nv) {
			w->nomem = 1;
			return;
		}
		w->v = nv;
		w->cap = cap;
	}
	x = &w->v[w->n++];
	x->hash = e->hash;
	x->qinfo = k->key;
	memcpy(x->qname, k->key.qname, k->key.qname_len);
}

/** Drop cached answers the list blocks at its current generation. */
static void expire_blocked(struct fb_watch *wt, struct fb_reader *r,
	uint64_t gen)
{
	struct expire_walk w;
	size_t i;
	memset(&w, 0, sizeof(w));
	w.reader = r;
	w.expired = time(NULL) - 3;
	slabhash_traverse(wt->msg_cache, 1, &expire_if_blocked, &w);
	for(i = 0; i < w.n; i++) {
		/* the cache compares keys as struct query_info */
		w.v[i].qinfo.qname = w.v[i].qname;
		slabhash_remove(wt->msg_cache, w.v[i].hash, &w.v[i].qinfo);
	}
	if(w.nomem)
		log_err("fraudblock: out of memory; some expired answers "
			"stay in the cache until their TTL ends");
	verbose(VERB_OPS, "fraudblock: list generation %llu, dropped %lu "
		"cached answers", (unsigned long long)gen, (unsigned long)w.n);
	free(w.v);
}

/** Sleep ms unless told to stop. @return 1 to go on, 0 to stop. */
static int nap(struct fb_watch *wt, unsigned ms)
{
	struct timespec until;
	int go;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if(until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wt->lock);
	while(!wt->stop && pthread_cond_timedwait(&wt->wake, &wt->lock,
		&until) != ETIMEDOUT)
		;
	go = !wt->stop;
	pthread_mutex_unlock(&wt->lock);
	return go;
}

static void *watch_main(void *arg)
{
	struct fb_watch *wt = arg;
	struct fb_module *m = wt->m;
	struct fb_reader *r = NULL;
	struct fb_store *reading = NULL;
	uint64_t gen, seen = 0;
	int have_seen = 0;
	char err[512];
	do {
		struct fb_store *st = fb_module_open(m);
		if(!st)
			continue;
		if(st != reading) {
			/* a new store (first open, or the file was replaced):
			 * a new reader, and a walk whatever its generation */
			fb_reader_free(r);
			reading = NULL;
			have_seen = 0;
			if(!fb_reader_new(st, &r, err, sizeof(err))) {
				log_err("fraudblock: %s", err);
				continue;
			}
			reading = st;
		}
		if(!fb_reader_begin(r))
			continue;
		/* also on the first look: answers cached before the list
		 * was opened (it may have appeared late) are checked too */
		if(fb_reader_generation(r, &gen) &&
		   (!have_seen || gen != seen)) {
			/* a reload that resizes the cache replaces it before
			 * this module is stopped: never walk another cache */
			if(wt->msg_cache && wt->env->msg_cache == wt->msg_cache)
				expire_blocked(wt, r, gen);
			seen = gen;
			have_seen = 1;
		}
		fb_reader_end(r);
	} while(nap(wt, fb_module_store(m) ? m->cfg->poll_ms : FB_REOPEN_MS));
	fb_reader_free(r);
	return NULL;
}

int fb_watch_start(struct fb_watch **out, struct fb_module *m,
	struct module_env *env)
{
	struct fb_watch *wt = calloc(1, sizeof(*wt));
	int rc;
	*out = NULL;
	if(!wt) {
		log_err("fraudblock: out of memory");
		return 0;
	}
	wt->m = m;
	wt->env = env;
	wt->msg_cache = env->msg_cache;
	pthread_mutex_init(&wt->lock, NULL);
	pthread_cond_init(&wt->wake, NULL);
	if((rc = pthread_create(&wt->thread, NULL, watch_main, wt)) != 0) {
		log_err("fraudblock: cannot start the watch thread: %s",
			strerror(rc));
		pthread_cond_destroy(&wt->wake);
		pthread_mutex_destroy(&wt->lock);
		free(wt);
		return 0;
	}
	*out = wt;
	return 1;
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
	free(wt);
}
