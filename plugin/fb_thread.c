/**
 * \file
 * Per-thread context and the guarded lookup (see fb_thread.h).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <lmdb.h>
#include "util/log.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_addr.h"
#include "fb_watch.h"
#include "fb_log.h"

/** How long a worker waits for a paused gate, in 100 us steps (200 ms):
 * a reopen or resize takes far less; past that the query passes. */
#define FB_GATE_WAIT_STEPS 2000
/** How long the watch thread waits for workers to leave, in 50 us steps
 * (5 s): a lookup takes microseconds. */
#define FB_QUIESCE_STEPS 100000

/** This thread's context and the module instance it belongs to. */
static __thread struct fb_thread *self;
static __thread unsigned self_epoch;

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000L };
	nanosleep(&ts, NULL);
}

struct fb_thread *fb_thread_get(struct fb_module *m)
{
	struct fb_thread *t;
	if(self && self_epoch == m->epoch)
		return self;
	if(!(t = calloc(1, sizeof(*t))))
		return NULL;
	t->m = m;
	if(m->log && !(t->ring = fb_ring_new(m->cfg->log.buffer)))
		log_err("fraudblock: out of memory for a query log buffer: "
			"this thread's queries are not logged");
	/* Unbound blocks every signal in its workers; a fault on a blocked
	 * SIGBUS would kill it past the guard */
	if(!fb_guard_thread_init())
		log_warn("fraudblock: cannot unblock SIGBUS in a worker; a "
			"store damaged while in use would stop Unbound");
	pthread_mutex_lock(&m->lock);
	t->next = m->threads;
	m->threads = t;
	pthread_mutex_unlock(&m->lock);
	self = t;
	self_epoch = m->epoch;
	return t;
}

/** Mark this thread inside a lookup if the gate lets it; wait while the
 * gate is paused.  @return 1 inside, 0 to pass the query unchecked. */
static int enter(struct fb_thread *t)
{
	int i, gate;
	for(i = 0; i < FB_GATE_WAIT_STEPS; i++) {
		/* store then load, both sequentially consistent: see the
		 * quiescence note in fb_thread.h */
		__atomic_store_n(&t->in_lookup, 1, __ATOMIC_SEQ_CST);
		gate = __atomic_load_n(&t->m->gate, __ATOMIC_SEQ_CST);
		if(gate == FB_GATE_OPEN)
			return 1;
		__atomic_store_n(&t->in_lookup, 0, __ATOMIC_RELEASE);
		if(gate == FB_GATE_CLOSED)
			return 0;
		pause_us(100);
	}
	return 0;
}

static void leave(struct fb_thread *t)
{
	__atomic_store_n(&t->in_lookup, 0, __ATOMIC_RELEASE);
}

/** The Structured DNS Error objects of a slot just filled: they depend on
 * the settings (read-only) and on the slot's source, category and code. */
static void sde_fill(const struct fb_config *cfg, struct fb_text_slot *s)
{
	const struct fb_feed_conf *f = fb_config_feed(cfg, s->source_name);
	const char *cat = fb_category_name((enum fb_category)s->category);
	const char *j = f && f->sde_justification ? f->sde_justification :
		cfg->sde_justification;
	int sub = fb_sde_sub_error(f, (enum fb_category)s->category, s->ede);
	/* the config was checked to fit with any feed name (sde_check) */
	s->sde_len = fb_sde_json(s->sde, sizeof(s->sde), cfg, j,
		s->source_name, cat, sub, 1);
	s->sde_short_len = fb_sde_json(s->sde_short, sizeof(s->sde_short),
		cfg, j, s->source_name, cat, sub, 0);
}

/** The EDE code and text of a blocking entry; the reader has a snapshot.
 * A source's id names the same source for the life of its store, and its
 * EDE code changes only with the list's generation, so (store, generation,
 * id, category) is looked up once per thread; so are the Structured DNS
 * Error objects, when on. */
static const struct fb_text_slot *ede_slot(struct fb_thread *t,
	const struct fb_entry *e)
{
	struct fb_source_info src;
	struct fb_text_slot *s = &t->texts[e->source % FB_TEXT_SLOTS];
	unsigned epoch = t->m->store_epoch;
	uint64_t gen = __atomic_load_n(&t->m->list_gen, __ATOMIC_RELAXED);
	if(s->store_epoch != epoch || s->list_gen != gen ||
	   s->source != e->source || s->category != e->category) {
		fb_reader_source(t->reader, e->source, &src);
		snprintf(s->text, sizeof(s->text),
			"blocked by fraudblock: %s (%s)", src.name,
			fb_category_name((enum fb_category)e->category));
		s->ede = src.ede ? src.ede : FB_EDE_BLOCKED;
		memcpy(s->source_name, src.name, sizeof(s->source_name));
		s->source_name[sizeof(s->source_name) - 1] = 0;
		s->store_epoch = epoch;
		s->list_gen = gen;
		s->source = e->source;
		s->category = e->category;
		if(t->m->cfg->sde)
			sde_fill(t->m->cfg, s);
	}
	return s;
}

/** fb_match() with the thread's blocked names in front (fb_seen_slot):
 * the same snapshot version gives the same verdict, so a name found
 * blocked is taken from its slot while no commit has been made since.
 * Only blocks are kept: they are what is asked again and again (a
 * sinkholed client retries), and passes would push them out.
 * @return as fb_match(). */
static int match_name(struct fb_thread *t, const struct fb_qname *q,
	struct fb_verdict *v)
{
	size_t len = (size_t)q->ends[q->nprefix - 1], i;
	uint64_t txnid = fb_reader_txnid(t->reader);
	unsigned sweeps = __atomic_load_n(&t->m->sweeps, __ATOMIC_ACQUIRE);
	uint32_t h = 2166136261u ^ (uint32_t)q->full;
	struct fb_seen_slot *s;
	int rc;
	if(len > FB_SEEN_KEY)
		return fb_match(t->reader, q, v, NULL, NULL);
	for(i = 0; i < len; i++)
		h = (h ^ q->key[i]) * 16777619u;
	s = &t->seen[h % FB_SEEN_SLOTS];
	if(s->store_epoch == t->reader_epoch && s->txnid == txnid &&
	   s->sweeps == sweeps &&
	   s->len == len && s->full == (uint8_t)q->full &&
	   memcmp(s->key, q->key, len) == 0) {
		*v = s->v;
		return 0;
	}
	rc = fb_match(t->reader, q, v, NULL, NULL);
	if(rc == 0 && v->kind == FB_BLOCK) {
		s->store_epoch = t->reader_epoch;
		s->txnid = txnid;
		s->sweeps = sweeps;
		s->len = (uint16_t)len;
		s->full = (uint8_t)q->full;
		memcpy(s->key, q->key, len);
		s->v = *v;
	}
	return rc;
}

/** What one guarded attempt ended in. */
enum attempt {
	ATTEMPT_DONE, ATTEMPT_FAILED, ATTEMPT_RESIZED
};

/** What one lookup matches: a query name, or an address of an answer. */
struct probe {
	const struct fb_qname *q;	/**< the name, or NULL for ... */
	int family;			/**< ... an address: AF_INET(6) */
	const uint8_t *addr;		/**< 4 or 16 bytes, network order */
};

/** One lookup inside the gate, guarded against faults. */
static enum attempt attempt(struct fb_thread *t, const struct probe *p,
	struct fb_lookup *out)
{
	struct fb_module *m = t->m;
	char err[256];
	int rc, lrc = 0;
	fb_guard_arm(&t->guard);
	if(sigsetjmp(t->guard.jb, 0) != 0) {
		fb_guard_disarm(&t->guard);
		/* the reader's transaction was cut off mid-read: it is
		 * abandoned (closing the store releases its slot) */
		t->reader = NULL;
		memset(&out->v, 0, sizeof(out->v));
		__atomic_store_n(&m->fault_seen, 1, __ATOMIC_SEQ_CST);
		fb_watch_wake(m->watch);
		fb_log_once(m, FB_LOGGED_FAULT, "fraudblock: reading the "
			"blocklist database %s faulted (%s): it was truncated "
			"or damaged while in use; passing queries unchecked "
			"until it is whole and opened anew.  Never copy over "
			"or edit the live files: use fraudblock-ctl restore",
			m->cfg->database, t->guard.fault == FB_GUARD_ASSERT ?
			"LMDB assertion" : "SIGBUS");
		return ATTEMPT_FAILED;
	}
	if(!t->reader || t->reader_epoch != m->store_epoch) {
		t->reader = NULL;	/* freed by fb_threads_drop_readers */
		if(!fb_reader_new(m->store, &t->reader, err, sizeof(err))) {
			fb_guard_leave(&t->guard);
			fb_log_once(m, FB_LOGGED_READER, "fraudblock: %s; "
				"passing queries unchecked", err);
			return ATTEMPT_FAILED;
		}
		t->reader_epoch = m->store_epoch;
	}
	rc = fb_reader_begin(t->reader, &lrc);
	if(rc == FB_READ_RESIZED) {
		fb_guard_leave(&t->guard);
		return ATTEMPT_RESIZED;
	}
	if(rc == 0 && (lrc = p->q ? match_name(t, p->q, &out->v) :
	    fb_match_addr(t->reader, p->family, p->addr, &out->v,
	    NULL, NULL)) == 0 && out->v.kind == FB_BLOCK) {
		const struct fb_text_slot *s = ede_slot(t, &out->v.entry);
		out->text = s->text;
		out->ede = s->ede;
		out->source = s->source_name;
		out->list_gen = s->list_gen;
		if(s->sde_len) {
			out->sde = s->sde;
			out->sde_len = s->sde_len;
			out->sde_short = s->sde_short;
			out->sde_short_len = s->sde_short_len;
		}
	}
	if(rc == 0)
		fb_reader_end(t->reader);
	fb_guard_leave(&t->guard);
	if(lrc) {
		memset(&out->v, 0, sizeof(out->v));
		fb_log_once(m, FB_LOGGED_READ, "fraudblock: cannot read the "
			"blocklist database %s: %s (%d); passing queries "
			"unchecked while it fails", m->cfg->database,
			mdb_strerror(lrc), lrc);
		return ATTEMPT_FAILED;
	}
	return ATTEMPT_DONE;
}

/** Point out->match at the tail of wire that holds the deciding entry's
 * name: its last out->v.depth labels. */
static void set_match(const uint8_t *wire, size_t wlen,
	struct fb_lookup *out)
{
	size_t pos = 0, labels = 0, skip;
	while(pos < wlen && wire[pos] && labels < FB_WIRE_NAME_MAX) {
		pos += 1 + wire[pos];
		labels++;
	}
	skip = out->v.depth > 0 && (size_t)out->v.depth < labels ?
		labels - (size_t)out->v.depth : 0;
	for(pos = 0; skip && pos < wlen; skip--)
		pos += 1 + wire[pos];
	out->match = wire + pos;
	out->match_len = pos < wlen ? wlen - pos : 0;
}

/** fb_thread_lookup() and fb_thread_lookup_addr(): the probe's verdict.
 * @return 1 if the lookup was done (ATTEMPT_DONE). */
static int lookup(struct fb_thread *t, const struct probe *p,
	struct fb_lookup *out)
{
	struct fb_module *m = t->m;
	enum attempt a = ATTEMPT_FAILED;
	int i, w;
	FB_COUNT(t->count.checked);
	for(i = 0; i < 2; i++) {
		unsigned epoch;
		if(!enter(t))
			break;
		epoch = m->store_epoch;
		a = attempt(t, p, out);
		leave(t);
		if(a != ATTEMPT_RESIZED)
			break;
		/* a writer grew the map: the watch thread adopts the new
		 * size (no reader may be active then); wait for it, bounded,
		 * and try once more */
		__atomic_store_n(&m->resize_needed, 1, __ATOMIC_SEQ_CST);
		fb_watch_wake(m->watch);
		for(w = 0; w < FB_GATE_WAIT_STEPS &&
		    __atomic_load_n(&m->store_epoch, __ATOMIC_ACQUIRE) ==
		    epoch; w++)
			pause_us(100);
		if(__atomic_load_n(&m->store_epoch, __ATOMIC_ACQUIRE) == epoch)
			break;
	}
	if(a == ATTEMPT_DONE) {
		fb_log_clear(m, FB_LOGGED_READ);
		return 1;
	}
	FB_COUNT(t->count.failed_open);
	if(!__atomic_load_n(&m->unchecked, __ATOMIC_RELAXED))
		__atomic_store_n(&m->unchecked, 1, __ATOMIC_RELAXED);
	return 0;
}

int fb_thread_lookup(struct fb_thread *t, const uint8_t *wire, size_t wlen,
	struct fb_lookup *out)
{
	struct fb_qname q;
	struct probe p;
	memset(out, 0, sizeof(*out));
	fb_qname_from_wire(wire, wlen, &q);
	if(q.nprefix == 0)
		return 1;
	memset(&p, 0, sizeof(p));
	p.q = &q;
	if(!lookup(t, &p, out))
		return 0;
	if(out->v.kind == FB_BLOCK)
		set_match(wire, wlen, out);
	return 1;
}

int fb_thread_lookup_addr(struct fb_thread *t, int family,
	const uint8_t *addr, struct fb_lookup *out)
{
	struct probe p;
	memset(out, 0, sizeof(*out));
	fb_addr_unmap(&family, &addr);
	p.q = NULL;
	p.family = family;
	p.addr = addr;
	if(!lookup(t, &p, out))
		return 0;
	if(out->v.kind == FB_BLOCK) {
		out->addr_family = family;
		memcpy(out->addr, addr, family == AF_INET ? 4 : 16);
	}
	return 1;
}

void fb_threads_quiesce(struct fb_module *m)
{
	struct fb_thread *t;
	long steps = 0;
	__atomic_store_n(&m->gate, FB_GATE_PAUSED, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&m->lock);
	for(t = m->threads; t; t = t->next)
		while(__atomic_load_n(&t->in_lookup, __ATOMIC_SEQ_CST) &&
		    steps++ < FB_QUIESCE_STEPS)
			pause_us(50);
	pthread_mutex_unlock(&m->lock);
	if(steps >= FB_QUIESCE_STEPS)
		log_err("fraudblock: a worker stayed inside a lookup for 5 s; "
			"going on");
}

void fb_threads_drop_readers(struct fb_module *m)
{
	struct fb_thread *t;
	pthread_mutex_lock(&m->lock);
	for(t = m->threads; t; t = t->next) {
		fb_reader_free(t->reader);
		t->reader = NULL;
	}
	pthread_mutex_unlock(&m->lock);
}

void fb_threads_free(struct fb_module *m)
{
	struct fb_thread *t, *next;
	fb_threads_drop_readers(m);
	for(t = m->threads; t; t = next) {
		next = t->next;
		fb_ring_free(t->ring);
		free(t);
	}
	m->threads = NULL;
}
