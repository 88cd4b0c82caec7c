/**
 * \file
 * The query log: per-thread rings and the writer thread (see fb_log.h).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "util/log.h"
#include "util/module.h"
#include "util/netevent.h"
#include "services/mesh.h"
#include "daemon/worker.h"
#include "sldns/wire2str.h"
#include "fb_module.h"
#include "fb_thread.h"
#include "fb_qlog.h"
#include "fb_log.h"

/** How often the writer drains the rings, in milliseconds. */
#define FB_LOG_TICK_MS 10
/** How often it looks for the reopen trigger, in ticks (100 ms). */
#define FB_LOG_TRIGGER_TICKS 10
/** How often it checks the file's and the key's identity (1 s). */
#define FB_LOG_CHECK_TICKS 100
/** Drops are reported at most this often (5 s). */
#define FB_LOG_REPORT_TICKS 500
/** The writer's output buffer: one round of records. */
#define FB_LOG_BUF (256 * 1024)

/** A single-producer single-consumer ring of records. */
struct fb_ring {
	/** next slot the producer fills; written by it (release) */
	uint64_t head;
	char pad1[56];		/**< keeps head and tail on their own lines */
	/** next slot the consumer reads; written by it (release) */
	uint64_t tail;
	char pad2[56];		/**< see pad1 */
	/** records dropped because the ring was full; written by the
	 * producer alone, read by the writer (relaxed) */
	uint64_t dropped;
	uint64_t size;		/**< slots, a power of two */
	struct fb_qlog_rec rec[];	/**< the slots */
};

struct fb_log {
	struct fb_module *m;
	/** the settings (m->cfg->log) */
	const struct fb_log_conf *conf;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/**< on CLOCK_MONOTONIC */
	int stop;		/**< set by fb_log_stop(), under lock */
	/** the file sink: fd (-1 while closed) and what it is */
	int fd;
	dev_t dev;
	ino_t ino;
	/** log-file + ".reopen" */
	char *trigger;
	/** the file could not be opened (logged once until it opens) */
	int open_failed;
	/** bytes formatted, not yet written to the file */
	char *buf;
	size_t len;
	/** the syslog socket, -1 while not connected */
	int sfd;
	int syslog_failed;	/**< logged once until it connects */
	char host[256];		/**< this host's name, for syslog */
	/** hash mode's key; len 0 while there is none */
	struct fb_qlog_key key;
	struct stat key_st;	/**< the key file the key was read from */
	int key_failed;		/**< logged once until the key loads */
	/** records handed to a sink, dropped by the writer (atomic) */
	uint64_t written;
	uint64_t sink_dropped;
	/** drops already reported in Unbound's log */
	uint64_t reported;
};

struct fb_ring *fb_ring_new(unsigned n)
{
	struct fb_ring *r;
	uint64_t size = 64;
	while(size < n)
		size <<= 1;
	r = calloc(1, sizeof(*r) + size * sizeof(r->rec[0]));
	if(r)
		r->size = size;
	return r;
}

void fb_ring_free(struct fb_ring *r)
{
	free(r);
}

/** Copy a client address into a record. */
static void copy_addr(struct fb_qlog_rec *rec, const struct comm_reply *cr)
{
	const struct sockaddr_storage *ss = &cr->client_addr;
	if(ss->ss_family == AF_INET && cr->client_addrlen >=
	   (socklen_t)sizeof(struct sockaddr_in)) {
		rec->family = AF_INET;
		memcpy(rec->addr, &((const struct sockaddr_in *)ss)->sin_addr,
			4);
	} else if(ss->ss_family == AF_INET6 && cr->client_addrlen >=
	   (socklen_t)sizeof(struct sockaddr_in6)) {
		rec->family = AF_INET6;
		memcpy(rec->addr,
			&((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else
		rec->family = 0;
}

/** Fill one slot and publish it.  @return 0 if the ring was full. */
static int push(struct fb_ring *r, struct module_qstate *qstate,
	const struct fb_lookup *l, int action, int event,
	const struct comm_reply *cr, uint64_t gen)
{
	uint64_t h = r->head;
	uint64_t tl = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	const struct timeval *tv = qstate->env->now_tv;
	struct fb_qlog_rec *rec;
	size_t pol;
	if(h - tl >= r->size) {
		__atomic_store_n(&r->dropped, r->dropped + 1, __ATOMIC_RELAXED);
		return 0;
	}
	rec = &r->rec[h & (r->size - 1)];
	rec->ts_ms = (int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000;
	rec->generation = gen;
	rec->qtype = qstate->qinfo.qtype;
	rec->qclass = qstate->qinfo.qclass;
	rec->thread = qstate->env->worker ?
		(uint16_t)qstate->env->worker->thread_num : 0;
	rec->event = (uint8_t)event;
	rec->cname = 0;
	rec->raddr_family = 0;
	if(cr)
		copy_addr(rec, cr);
	else
		rec->family = 0;
	pol = l->policy ? strnlen(l->policy, sizeof(rec->policy) - 1) : 0;
	if(pol)
		memcpy(rec->policy, l->policy, pol);
	rec->policy[pol] = 0;
	if(event == FB_QLOG_BLOCK || event == FB_QLOG_WOULD_BLOCK) {
		rec->action = (uint8_t)action;
		rec->category = l->v.entry.category;
		rec->depth = (uint8_t)l->v.depth;
		rec->ede = l->ede;
		memcpy(rec->feed, l->source, sizeof(rec->feed));
		if(l->addr_family) {
			rec->raddr_family = (uint8_t)l->addr_family;
			memcpy(rec->raddr, l->addr, sizeof(rec->raddr));
		} else if(l->chain && l->chain_len <= sizeof(rec->chain)) {
			rec->cname = 1;
			rec->chain_len = (uint8_t)l->chain_len;
			memcpy(rec->chain, l->chain, l->chain_len);
		}
	} else {
		rec->depth = 0;
		rec->feed[0] = 0;
	}
	rec->qname_len = qstate->qinfo.qname_len > sizeof(rec->qname) ?
		0 : (uint8_t)qstate->qinfo.qname_len;
	memcpy(rec->qname, qstate->qinfo.qname, rec->qname_len);
	__atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
	return 1;
}

void fb_log_query(struct fb_thread *t, struct module_qstate *qstate,
	const struct fb_lookup *l, int action, int event)
{
	struct mesh_reply *rep;
	uint64_t gen;
	if(!t->ring)
		return;
	gen = __atomic_load_n(&t->m->list_gen, __ATOMIC_RELAXED);
	rep = qstate->mesh_info ? qstate->mesh_info->reply_list : NULL;
	if(!rep) {
		(void)push(t->ring, qstate, l, action, event, NULL, gen);
		return;
	}
	for(; rep; rep = rep->next)
		(void)push(t->ring, qstate, l, action, event,
			&rep->query_reply, gen);
}

/* ---- the writer ------------------------------------------------------ */

/** Count '\n' in n bytes: the records they complete. */
static uint64_t count_lines(const char *s, size_t n)
{
	uint64_t c = 0;
	const char *e = s + n, *p;
	while(s < e && (p = memchr(s, '\n', (size_t)(e - s)))) {
		c++;
		s = p + 1;
	}
	return c;
}

static void add(uint64_t *counter, uint64_t n)
{
	if(n)
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/** Open the log file (non-blocking, append).  @return the fd or -1. */
static int open_file(struct fb_log *lw)
{
	struct stat st;
	int fd = open(lw->conf->file, O_WRONLY | O_APPEND | O_CREAT |
		O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0640);
	if(fd < 0) {
		if(!lw->open_failed)
			log_err("fraudblock: cannot open the query log %s: %s; "
				"records are dropped until it opens",
				lw->conf->file, strerror(errno));
		lw->open_failed = 1;
		return -1;
	}
	if(fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if(lw->open_failed)
		log_info("fraudblock: query log %s open", lw->conf->file);
	lw->open_failed = 0;
	lw->dev = st.st_dev;
	lw->ino = st.st_ino;
	return fd;
}

/**
 * Write what the buffer holds.  Stops at EAGAIN (a full pipe: the rest
 * waits for the next round); a real error (a full disk) drops what is
 * buffered, counted.  A record cut by a partial write is finished by the
 * next round, so lines stay whole.
 */
static void flush(struct fb_log *lw)
{
	size_t off = 0;
	if(lw->fd < 0 || lw->len == 0)
		return;
	while(off < lw->len) {
		ssize_t n = write(lw->fd, lw->buf + off, lw->len - off);
		if(n > 0) {
			add(&lw->written, count_lines(lw->buf + off,
				(size_t)n));
			off += (size_t)n;
			continue;
		}
		if(n < 0 && errno == EINTR)
			continue;
		if(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		log_err("fraudblock: writing the query log %s failed: %s; "
			"records dropped", lw->conf->file,
			n < 0 ? strerror(errno) : "nothing written");
		add(&lw->sink_dropped, count_lines(lw->buf + off,
			lw->len - off));
		off = lw->len;
	}
	memmove(lw->buf, lw->buf + off, lw->len - off);
	lw->len -= off;
}

/** Switch to a newly opened file: what is buffered goes to the old one
 * first, so a rotation loses nothing. */
static void reopen(struct fb_log *lw)
{
	int fd = open_file(lw);
	if(fd < 0)
		return;
	if(lw->fd >= 0) {
		flush(lw);
		/* only a pipe nobody reads (or a full disk) leaves bytes:
		 * a record cut in two would not parse, so they go */
		if(lw->len) {
			add(&lw->sink_dropped, count_lines(lw->buf, lw->len));
			lw->len = 0;
		}
		close(lw->fd);
	}
	lw->fd = fd;
	verbose(VERB_OPS, "fraudblock: query log %s (re)opened",
		lw->conf->file);
}

/** Once a second: reopen when the path names another file (rotated),
 * or open a file that could not be opened before. */
static void check_file(struct fb_log *lw)
{
	struct stat st;
	if(!lw->conf->file)
		return;
	if(lw->fd < 0 || stat(lw->conf->file, &st) != 0 ||
	   st.st_dev != lw->dev || st.st_ino != lw->ino)
		reopen(lw);
}

/** fraudblock-ctl log-reopen: reopen now, then remove its trigger. */
static void check_trigger(struct fb_log *lw)
{
	if(!lw->trigger || access(lw->trigger, F_OK) != 0)
		return;
	reopen(lw);
	if(unlink(lw->trigger) != 0 && errno != ENOENT)
		log_err("fraudblock: cannot remove %s: %s", lw->trigger,
			strerror(errno));
}

/* ---- syslog ---------------------------------------------------------- */

static void syslog_connect(struct fb_log *lw)
{
	struct sockaddr_un sa;
	int fd;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if(strlen(lw->conf->syslog_socket) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, lw->conf->syslog_socket);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		lw->sfd = fd;
		lw->syslog_failed = 0;
		return;
	}
	if(!lw->syslog_failed)
		log_err("fraudblock: cannot connect to syslog at %s: %s; "
			"records for syslog are dropped until it answers",
			lw->conf->syslog_socket, strerror(errno));
	lw->syslog_failed = 1;
	if(fd >= 0)
		close(fd);
}

/**
 * Send one record as an RFC 5424 message: <PRI>1 TIMESTAMP HOSTNAME
 * fraudblock PID query - JSON.  Never waits: a full socket drops it.
 */
static void syslog_send(struct fb_log *lw, const char *line, size_t len)
{
	char msg[FB_QLOG_LINE_MAX + 512];
	const char *ts = strstr(line, "\"ts\":\"");
	int n;
	if(lw->sfd < 0) {
		add(&lw->sink_dropped, 1);
		return;
	}
	/* the record's own time, severity info (6) */
	n = snprintf(msg, sizeof(msg), "<%d>1 %.24s %s fraudblock %d query - ",
		lw->conf->facility * 8 + 6, ts ? ts + 6 : "-", lw->host,
		(int)getpid());
	if(n < 0 || (size_t)n + len > sizeof(msg)) {
		add(&lw->sink_dropped, 1);
		return;
	}
	memcpy(msg + n, line, len - 1);	/* without the '\n' */
	if(send(lw->sfd, msg, (size_t)n + len - 1, MSG_DONTWAIT |
	   MSG_NOSIGNAL) < 0) {
		add(&lw->sink_dropped, 1);
		if(errno != EAGAIN && errno != EWOULDBLOCK &&
		   errno != ENOBUFS) {
			/* syslogd restarted: connect again next second */
			close(lw->sfd);
			lw->sfd = -1;
		}
		return;
	}
	if(!lw->conf->file)
		add(&lw->written, 1);
}

/* ---- the key of hash mode --------------------------------------------- */

/** Take a new key (the old one is zeroed). */
static void key_adopt(struct fb_log *lw, struct fb_qlog_key *k)
{
	fb_qlog_key_wipe(&lw->key);
	lw->key = *k;
	fb_qlog_key_wipe(k);
	if(stat(lw->conf->key_file, &lw->key_st) != 0)
		memset(&lw->key_st, 0, sizeof(lw->key_st));
	lw->key_failed = 0;
	verbose(VERB_OPS, "fraudblock: query log key %s in use", lw->key.id);
}

/** Once a second in hash mode: make the key file if missing, read it
 * when it was replaced, replace it when its period is over. */
static void check_key(struct fb_log *lw)
{
	const struct fb_log_conf *c = lw->conf;
	struct fb_qlog_key k;
	struct stat st;
	char err[512];
	int have;
	if(c->privacy != FB_PRIVACY_HASH)
		return;
	have = stat(c->key_file, &st) == 0;
	if(have && lw->key.len && st.st_ino == lw->key_st.st_ino &&
	   st.st_dev == lw->key_st.st_dev &&
	   st.st_mtim.tv_sec == lw->key_st.st_mtim.tv_sec &&
	   st.st_mtim.tv_nsec == lw->key_st.st_mtim.tv_nsec &&
	   fb_qlog_key_period(c->rotate, st.st_mtim.tv_sec) ==
	   fb_qlog_key_period(c->rotate, time(NULL)))
		return;
	if(have && fb_qlog_key_period(c->rotate, st.st_mtim.tv_sec) ==
	   fb_qlog_key_period(c->rotate, time(NULL))) {
		if(fb_qlog_key_load(c->key_file, &k, err, sizeof(err))) {
			key_adopt(lw, &k);
			return;
		}
	} else if(fb_qlog_key_new(c->key_file, &k, err, sizeof(err))) {
		/* a new period (or no file): nothing links it to the last */
		key_adopt(lw, &k);
		log_info("fraudblock: query log key rotated, now %s",
			lw->key.id);
		return;
	}
	if(!lw->key_failed)
		log_err("fraudblock: query log key: %s; client addresses are "
			"logged as null until it is fixed", err);
	lw->key_failed = 1;
	/* never keep using a key that was replaced or expired */
	fb_qlog_key_wipe(&lw->key);
}

/* ---- draining ---------------------------------------------------------- */

/** Format one record into the buffer (and send it to syslog). */
static void emit(struct fb_log *lw, const struct fb_qlog_rec *rec)
{
	char tbuf[32], cbuf[32];
	struct fb_qlog_names nm;
	size_t n;
	sldns_wire2str_type_buf(rec->qtype, tbuf, sizeof(tbuf));
	sldns_wire2str_class_buf(rec->qclass, cbuf, sizeof(cbuf));
	nm.qtype = tbuf;
	nm.qclass = cbuf;
	n = fb_qlog_format(rec, lw->conf->privacy, &lw->key, &nm,
		lw->buf + lw->len, FB_LOG_BUF - lw->len);
	if(n == 0) {
		add(&lw->sink_dropped, 1);
		return;
	}
	if(lw->conf->syslog)
		syslog_send(lw, lw->buf + lw->len, n);
	if(lw->conf->file)
		lw->len += n;
}

/**
 * Move records from every ring into the buffer while it has room.
 * @return records taken.
 */
static uint64_t drain(struct fb_log *lw)
{
	struct fb_thread *t;
	uint64_t taken = 0;
	pthread_mutex_lock(&lw->m->lock);
	t = lw->m->threads;
	pthread_mutex_unlock(&lw->m->lock);
	/* contexts are only ever added at the head and freed after this
	 * thread stopped, so the list can be walked without the lock */
	for(; t; t = t->next) {
		struct fb_ring *r = t->ring;
		uint64_t tl, h;
		if(!r)
			continue;
		tl = r->tail;
		h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		while(tl != h && FB_LOG_BUF - lw->len > FB_QLOG_LINE_MAX) {
			emit(lw, &r->rec[tl & (r->size - 1)]);
			tl++;
			taken++;
		}
		__atomic_store_n(&r->tail, tl, __ATOMIC_RELEASE);
	}
	return taken;
}

/** @return every drop so far: full rings and sink errors. */
static uint64_t total_dropped(struct fb_log *lw)
{
	struct fb_thread *t;
	uint64_t d = __atomic_load_n(&lw->sink_dropped, __ATOMIC_RELAXED);
	pthread_mutex_lock(&lw->m->lock);
	for(t = lw->m->threads; t; t = t->next)
		if(t->ring)
			d += __atomic_load_n(&t->ring->dropped,
				__ATOMIC_RELAXED);
	pthread_mutex_unlock(&lw->m->lock);
	return d;
}

static void report_drops(struct fb_log *lw)
{
	uint64_t d = total_dropped(lw);
	if(d == lw->reported)
		return;
	log_warn("fraudblock: query log dropped %llu records (%llu since "
		"start): the sink is slow, stalled or failing",
		(unsigned long long)(d - lw->reported), (unsigned long long)d);
	lw->reported = d;
}

/** Sleep one tick unless told to stop.  @return 1 to go on, 0 stop. */
static int nap(struct fb_log *lw)
{
	struct timespec until;
	int go;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += FB_LOG_TICK_MS * 1000000L;
	if(until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lw->lock);
	while(!lw->stop && pthread_cond_timedwait(&lw->wake, &lw->lock,
		&until) != ETIMEDOUT)
		;
	go = !lw->stop;
	pthread_mutex_unlock(&lw->lock);
	return go;
}

/** The last round at stop: drain and write until the rings are empty or
 * the sink takes no more; what is left is dropped and counted. */
static void final_round(struct fb_log *lw)
{
	struct fb_thread *t;
	int i;
	for(i = 0; i < 10000; i++) {
		size_t before = lw->len;
		uint64_t taken = drain(lw);
		flush(lw);
		if(taken == 0 && lw->len == 0)
			break;
		if(taken == 0 && lw->len == before)
			break;	/* the sink takes nothing */
	}
	add(&lw->sink_dropped, count_lines(lw->buf, lw->len));
	lw->len = 0;
	for(t = lw->m->threads; t; t = t->next)
		if(t->ring)
			add(&lw->sink_dropped, __atomic_load_n(&t->ring->head,
				__ATOMIC_ACQUIRE) - t->ring->tail);
	report_drops(lw);
	log_info("fraudblock: query log stopped: %llu records written, "
		"%llu dropped", (unsigned long long)__atomic_load_n(
		&lw->written, __ATOMIC_RELAXED), (unsigned long long)lw->reported);
}

static void *log_main(void *arg)
{
	struct fb_log *lw = arg;
	unsigned long tick = 0;
	sigset_t all;
	/* Unbound handles signals in its main thread only */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	check_key(lw);
	check_file(lw);
	if(lw->conf->syslog)
		syslog_connect(lw);
	while(nap(lw)) {
		tick++;
		if(tick % FB_LOG_TRIGGER_TICKS == 0)
			check_trigger(lw);
		if(tick % FB_LOG_CHECK_TICKS == 0) {
			check_file(lw);
			check_key(lw);
			if(lw->conf->syslog && lw->sfd < 0)
				syslog_connect(lw);
		}
		if(tick % FB_LOG_REPORT_TICKS == 0)
			report_drops(lw);
		(void)drain(lw);
		flush(lw);
	}
	final_round(lw);
	return NULL;
}

int fb_log_start(struct fb_log **out, struct fb_module *m)
{
	const struct fb_log_conf *c = &m->cfg->log;
	struct fb_log *lw;
	pthread_condattr_t ca;
	int rc;
	*out = NULL;
	if(!c->file && !c->syslog)
		return 1;
	if(!(lw = calloc(1, sizeof(*lw))) || !(lw->buf = malloc(FB_LOG_BUF)) ||
	   (c->file && !(lw->trigger = malloc(strlen(c->file) + 8)))) {
		log_err("fraudblock: out of memory");
		if(lw)
			free(lw->buf);
		free(lw);
		return 0;
	}
	lw->m = m;
	lw->conf = c;
	lw->fd = -1;
	lw->sfd = -1;
	if(lw->trigger)
		sprintf(lw->trigger, "%s.reopen", c->file);
	if(gethostname(lw->host, sizeof(lw->host) - 1) != 0 || !lw->host[0] ||
	   strpbrk(lw->host, " \t\n"))
		strcpy(lw->host, "-");
	if(c->privacy == FB_PRIVACY_FULL)
		log_warn("fraudblock: query log stores full client addresses "
			"(log-privacy: full): personal data; see the README's "
			"\"Query log and privacy\"");
	pthread_mutex_init(&lw->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lw->wake, &ca);
	pthread_condattr_destroy(&ca);
	if((rc = pthread_create(&lw->thread, NULL, log_main, lw)) != 0) {
		log_err("fraudblock: cannot start the query log thread: %s",
			strerror(rc));
		pthread_cond_destroy(&lw->wake);
		pthread_mutex_destroy(&lw->lock);
		free(lw->trigger);
		free(lw->buf);
		free(lw);
		return 0;
	}
	verbose(VERB_OPS, "fraudblock: query log to %s%s%s, privacy %s",
		c->file ? c->file : "", c->file && c->syslog ? " and " : "",
		c->syslog ? "syslog" : "", fb_privacy_name(c->privacy));
	*out = lw;
	return 1;
}

void fb_log_stop(struct fb_log *lw)
{
	if(!lw)
		return;
	pthread_mutex_lock(&lw->lock);
	lw->stop = 1;
	pthread_cond_signal(&lw->wake);
	pthread_mutex_unlock(&lw->lock);
	pthread_join(lw->thread, NULL);
	if(lw->fd >= 0)
		close(lw->fd);
	if(lw->sfd >= 0)
		close(lw->sfd);
	fb_qlog_key_wipe(&lw->key);
	pthread_cond_destroy(&lw->wake);
	pthread_mutex_destroy(&lw->lock);
	free(lw->trigger);
	free(lw->buf);
	free(lw);
}

void fb_log_stats(struct fb_log *lw, uint64_t *written, uint64_t *dropped)
{
	*written = lw ? __atomic_load_n(&lw->written, __ATOMIC_RELAXED) : 0;
	*dropped = lw ? total_dropped(lw) : 0;
}
