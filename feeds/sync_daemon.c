/**
 * \file
 * fraudblock-sync --daemon: sync each feed on its own `refresh:`
 * interval, for as long as it runs.
 *
 * Schedule: a feed is due at its last attempt (the store's source record,
 * so a restart does not fetch every feed again at once) plus its refresh
 * interval, give or take a random 10% so that many resolvers started
 * together spread their fetches; a feed never attempted is due at once.
 * After each attempt the next one is that interval after its start.  One
 * feed is synced at a time, in one write transaction (sync_one() in
 * sync.c); between two, the daemon sleeps in poll() until the next feed
 * is due or a signal arrives (at most a minute, so a wall clock set
 * forward is noticed).
 *
 * Signals only write a byte to a pipe (the self-pipe trick); all work
 * happens in the loop, between two feeds:
 * - SIGTERM, SIGINT: finish the feed being synced, remove the pid file,
 *   exit 0.
 * - SIGHUP: read the config again; a config that does not load is
 *   logged with its file:line and the one in force is kept.
 * - SIGUSR1 from kill(1): sync every feed now.  SIGUSR1 from sigqueue(3)
 *   (fraudblock-ctl sync-now): take the requests fb_syncnow.h describes,
 *   sync the feeds they name now and answer each once all its feeds were
 *   attempted.
 *
 * Log: one line a feed an attempt (the summary or the reason it was
 * refused, from sync.c), and a line for each signal acted on.  stdout and
 * stderr are replaced by streams that write whole lines, to stderr with
 * a UTC timestamp or, with --syslog, to syslog (facility daemon).
 *
 * Feeds the config no longer names keep their entries until a one-shot
 * full sync removes them (it has the guard against emptying the list).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_guard.h"
#include "fb_syncnow.h"
#include "sync.h"

/** Longest sleep between two looks at the clock, milliseconds. */
#define DAEMON_MAX_SLEEP_MS 60000
/** Longest log line; a longer one is cut into pieces. */
#define LOG_LINE_MAX 1024

static const char *progname = "fraudblock-sync";

/** The write end is used by the signal handler, the read end by the loop. */
static int sig_pipe[2] = { -1, -1 };

/* ---- log streams ---------------------------------------------------- */

/** One of the daemon's stdout and stderr: whole lines to the log. */
struct log_stream {
	int use_syslog;	/**< else to file descriptor 2, timestamped */
	int prio;	/**< syslog priority of its lines */
	char buf[LOG_LINE_MAX];	/**< the line being written */
	size_t n;	/**< bytes in buf */
};

/** Write one line (without '\n') to where the log goes. */
static void
log_emit(struct log_stream *ls)
{
	char stamp[40], tail[8];
	struct timespec ts;
	struct tm tm;
	size_t len;

	if(ls->use_syslog) {
		syslog(ls->prio, "%.*s", (int)ls->n, ls->buf);
		ls->n = 0;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tail, sizeof(tail), ".%03dZ ", (int)(ts.tv_nsec / 1000000));
	snprintf(stamp + len, sizeof(stamp) - len, "%s", tail);
	/* a log on a closed or full pipe is no reason to stop syncing */
	(void)!write(2, stamp, strlen(stamp));
	ls->buf[ls->n] = '\n';
	(void)!write(2, ls->buf, ls->n + 1);
	ls->n = 0;
}

/** fopencookie write function: cut the bytes into lines. */
static ssize_t
log_write(void *cookie, const char *data, size_t len)
{
	struct log_stream *ls = cookie;
	size_t i;

	for(i = 0; i < len; i++) {
		if(data[i] == '\n') {
			log_emit(ls);
			continue;
		}
		ls->buf[ls->n++] = data[i];
		/* one byte is kept for the '\n' log_emit() adds */
		if(ls->n == sizeof(ls->buf) - 1)
			log_emit(ls);
	}
	return (ssize_t)len;
}

/** fopencookie close function: a last line without '\n' is kept. */
static int
log_close(void *cookie)
{
	struct log_stream *ls = cookie;

	if(ls->n)
		log_emit(ls);
	return 0;
}

/** The daemon's two streams and what they replaced. */
struct log_setup {
	struct log_stream out, err;
	FILE *old_out, *old_err;
};

/**
 * Send stdout and stderr to the log: the messages sync.c prints become
 * log lines without sync.c knowing.  @return 1, or 0 if not possible
 * (the old streams stay).
 */
static int
log_open(struct log_setup *l, int use_syslog)
{
	cookie_io_functions_t fn = { NULL, log_write, NULL, log_close };
	FILE *o, *e;

	memset(&l->out, 0, sizeof(l->out));
	memset(&l->err, 0, sizeof(l->err));
	l->out.use_syslog = l->err.use_syslog = use_syslog;
	l->out.prio = LOG_INFO;
	l->err.prio = LOG_WARNING;
	if(use_syslog)
		openlog(progname, LOG_PID, LOG_DAEMON);
	o = fopencookie(&l->out, "w", fn);
	e = o ? fopencookie(&l->err, "w", fn) : NULL;
	if(!e) {
		if(o)
			fclose(o);
		return 0;
	}
	setvbuf(o, NULL, _IOLBF, 0);
	setvbuf(e, NULL, _IOLBF, 0);
	fflush(stdout);
	l->old_out = stdout;
	l->old_err = stderr;
	stdout = o;
	stderr = e;
	return 1;
}

/** Put the old streams back. */
static void
log_close_all(struct log_setup *l)
{
	fclose(stdout);
	fclose(stderr);
	stdout = l->old_out;
	stderr = l->old_err;
	if(l->out.use_syslog)
		closelog();
}

/* ---- signals -------------------------------------------------------- */

/** The signal handler: one byte to the pipe, nothing else. */
static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;
	char c;

	(void)ctx;
	if(sig == SIGTERM || sig == SIGINT)
		c = 'T';
	else if(sig == SIGHUP)
		c = 'H';
	else
		c = (si && si->si_code == SI_QUEUE) ? 'R' : 'U';
	/* a full pipe already holds enough wake-ups */
	(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

/** Make the pipe and install the handlers.  @return 1, or 0 (errno). */
static int
signals_init(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	struct sigaction sa;
	size_t i;

	if(pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	/* the feed being synced goes on undisturbed */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for(i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if(sigaction(sigs[i], &sa, NULL) != 0)
			return 0;
	signal(SIGPIPE, SIG_IGN);
	return 1;
}

/** Default handlers again, then close the pipe. */
static void
signals_done(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
}

/* ---- state ---------------------------------------------------------- */

/** When a configured feed is synced next. */
struct sched {
	const struct fb_feed_conf *f;	/**< in daemon.cfg */
	int64_t due_ms;		/**< unix time, milliseconds */
	int now;		/**< asked for by a signal: before any due */
};

/** What a sync-now request waits for. */
enum req_state { REQ_PENDING = 0, REQ_OK, REQ_FAILED, REQ_UNKNOWN };

/** A sync-now request not answered yet. */
struct request {
	unsigned long id;	/**< the client's, for the answer's name */
	size_t n;		/**< feeds it names */
	char (*names)[FB_SOURCE_NAME_MAX];
	enum req_state *state;	/**< per name */
	struct request *next;
};

/** The daemon. */
struct daemon {
	const struct sync_daemon_opts *o;
	struct fb_config *cfg;	/**< in force */
	/** the protected-names filter of cfg, loaded with it */
	struct fb_protect *protect;
	struct fb_store *st;	/**< opened for writing, cfg->database */
	char *pid_path;		/**< fixed at start */
	struct sched *s;	/**< one per cfg->feeds[] */
	struct request *reqs;
	int stop;		/**< SIGTERM or SIGINT seen */
};

/** @return the wall clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** @return a feed's refresh interval in ms, give or take 10%. */
static int64_t
jittered_ms(const struct fb_feed_conf *f)
{
	int64_t base = (int64_t)f->refresh * 1000, j = base / 10;

	return base - j + (int64_t)(random() % (2 * j + 1));
}

/** Context of set_due(). */
struct due_ctx {
	struct daemon *d;
	int64_t now;
};

/** fb_reader_sources callback: schedule a configured feed from its
 * last attempt. */
static void
set_due(void *arg, const struct fb_source_info *si)
{
	struct due_ctx *c = arg;
	struct daemon *d = c->d;
	int64_t due, latest;
	size_t i;

	for(i = 0; i < d->cfg->nfeeds; i++) {
		if(strcmp(d->s[i].f->name, si->name) != 0 ||
			si->last_attempt <= 0)
			continue;
		due = si->last_attempt * 1000 + jittered_ms(d->s[i].f);
		/* an attempt "in the future" means the clock went back */
		latest = c->now + (int64_t)d->s[i].f->refresh * 1100;
		d->s[i].due_ms = due < latest ? due : latest;
	}
}

/**
 * Make d->s for d->cfg: every feed due now, then the ones the store has
 * attempted before at their last attempt plus refresh.
 * @param old, nold: the schedule of the previous config, whose "now"
 *	flags carry over by feed name.
 * @return 1, or 0 when out of memory.
 */
static int
sched_build(struct daemon *d, const struct sched *old, size_t nold)
{
	struct fb_reader *r = NULL;
	struct due_ctx c;
	char err[512];
	size_t i, j;

	if(!(d->s = calloc(d->cfg->nfeeds + 1, sizeof(*d->s))))
		return 0;
	c.d = d;
	c.now = now_ms();
	for(i = 0; i < d->cfg->nfeeds; i++) {
		d->s[i].f = &d->cfg->feeds[i];
		d->s[i].due_ms = c.now;
		for(j = 0; j < nold; j++)
			if(strcmp(old[j].f->name, d->s[i].f->name) == 0)
				d->s[i].now = old[j].now;
	}
	/* without the store's record every feed is simply due now */
	if(!fb_reader_new(d->st, &r, err, sizeof(err)))
		fprintf(stderr, "%s: %s; syncing every feed now\n", progname,
			err);
	else if(fb_reader_begin(r, NULL) != 0)
		fprintf(stderr, "%s: %s: cannot read; syncing every feed now\n",
			progname, fb_store_dir(d->st));
	else {
		if(!fb_reader_sources(r, set_due, &c))
			fprintf(stderr, "%s: %s: cannot read the source table; "
				"syncing every feed now\n", progname,
				fb_store_dir(d->st));
		fb_reader_end(r);
	}
	fb_reader_free(r);
	return 1;
}

/* ---- sync-now requests ---------------------------------------------- */

/** Free one request. */
static void
req_free(struct request *q)
{
	free(q->names);
	free(q->state);
	free(q);
}

/** Answer every request whose feeds were all attempted. */
static void
req_answer_done(struct daemon *d)
{
	struct request **p = &d->reqs, *q;
	char *text, err[512];
	size_t i, len;
	static const char *const word[] = { "pending", "ok", "failed",
		"unknown" };

	while((q = *p) != NULL) {
		for(i = 0; i < q->n && q->state[i] != REQ_PENDING; i++)
			;
		if(i < q->n) {
			p = &q->next;
			continue;
		}
		*p = q->next;
		if(!(text = malloc(q->n * (FB_SOURCE_NAME_MAX + 10) + 1))) {
			fprintf(stderr, "%s: sync-now: out of memory\n",
				progname);
			req_free(q);
			continue;
		}
		for(i = 0, len = 0; i < q->n; i++)
			len += (size_t)sprintf(text + len, "%s %s\n",
				q->names[i], word[q->state[i]]);
		if(!fb_syncnow_answer(d->pid_path, q->id, text, len, err,
			sizeof(err)))
			fprintf(stderr, "%s: sync-now: %s\n", progname, err);
		free(text);
		req_free(q);
	}
}

/** Record a feed's attempt in the requests waiting for it. */
static void
req_feed_done(struct daemon *d, const char *name, int ok)
{
	struct request *q;
	size_t i;

	for(q = d->reqs; q; q = q->next)
		for(i = 0; i < q->n; i++)
			if(q->state[i] == REQ_PENDING &&
				strcmp(q->names[i], name) == 0)
				q->state[i] = ok ? REQ_OK : REQ_FAILED;
}

/** @return the schedule index of a configured feed, or -1. */
static int
sched_find(const struct daemon *d, const char *name)
{
	size_t i;

	for(i = 0; i < d->cfg->nfeeds; i++)
		if(strcmp(d->s[i].f->name, name) == 0)
			return (int)i;
	return -1;
}

/** fb_syncnow_take callback: queue one request. */
static void
req_add(void *arg, unsigned long id, char *const *feeds, size_t n)
{
	struct daemon *d = arg;
	struct request *q;
	size_t i, k = 0, total = 0;
	int all = 0, at;

	for(i = 0; i < n; i++)
		if(strcmp(feeds[i], FB_SYNCNOW_ALL) == 0)
			all = 1;
	total = all ? d->cfg->nfeeds : n;
	if(!(q = calloc(1, sizeof(*q))) ||
		!(q->names = calloc(total + 1, sizeof(*q->names))) ||
		!(q->state = calloc(total + 1, sizeof(*q->state)))) {
		if(q)
			req_free(q);
		fprintf(stderr, "%s: sync-now: out of memory\n", progname);
		return;
	}
	q->id = id;
	q->n = total;
	for(i = 0; i < total; i++) {
		snprintf(q->names[k], FB_SOURCE_NAME_MAX, "%s", all ?
			d->cfg->feeds[i].name : feeds[i]);
		if((at = sched_find(d, q->names[k])) < 0)
			q->state[k] = REQ_UNKNOWN;
		else
			d->s[at].now = 1;
		k++;
	}
	fprintf(stderr, "%s: sync-now request %lu: %s%s\n", progname, id,
		all ? "all feeds" : feeds[0], !all && n > 1 ? " and more" : "");
	q->next = d->reqs;
	d->reqs = q;
}

/** fb_syncnow_take log callback. */
static void
req_log(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s: %s\n", progname, msg);
}

/* ---- config reload -------------------------------------------------- */

/**
 * SIGHUP: read the config again.  A config that does not load, or whose
 * store cannot be opened, changes nothing.
 */
static void
reload(struct daemon *d)
{
	struct fb_config *cfg = NULL, *oldcfg = d->cfg;
	struct fb_protect *protect = NULL;
	struct fb_store *st = d->st, *oldst = d->st;
	struct sched *olds = d->s;
	struct request *q;
	char err[1024];
	size_t i;

	if(!fb_config_load(d->o->conf, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: SIGHUP: %s; keeping the config in "
			"force\n", progname, err);
		return;
	}
	/* the new config's protected names, or the old config stays */
	if(!fb_protect_load(cfg, &protect, stderr, err, sizeof(err))) {
		fprintf(stderr, "%s: SIGHUP: %s; keeping the config in "
			"force\n", progname, err);
		fb_config_free(cfg);
		return;
	}
	if(strcmp(cfg->database, oldcfg->database) != 0) {
		/* LMDB allows one environment of the same files in a
		 * process: the old one is closed first, reopened on error */
		fb_store_close(oldst);
		d->st = NULL;
		if(!fb_store_open(&st, cfg->database, cfg->max_db_size,
			FB_STORE_WRITE, err, sizeof(err))) {
			fprintf(stderr, "%s: SIGHUP: %s; keeping the config "
				"in force\n", progname, err);
			fb_config_free(cfg);
			fb_protect_free(protect);
			if(!fb_store_open(&d->st, oldcfg->database,
				oldcfg->max_db_size, FB_STORE_WRITE, err,
				sizeof(err))) {
				fprintf(stderr, "%s: %s; stopping\n",
					progname, err);
				d->stop = 1;
			} else
				fb_store_guard_exit(d->st, 1);
			return;
		}
		fb_store_guard_exit(st, 1);
	}
	d->st = st;
	d->cfg = cfg;
	if(!sched_build(d, olds, oldcfg->nfeeds)) {
		fprintf(stderr, "%s: SIGHUP: out of memory; stopping\n",
			progname);
		d->s = olds;
		d->cfg = oldcfg;
		fb_config_free(cfg);
		fb_protect_free(protect);
		d->stop = 1;
		return;
	}
	fb_protect_free(d->protect);
	d->protect = protect;
	if(strcmp(cfg->sync_pid_file, oldcfg->sync_pid_file) != 0 &&
		!d->o->pid_file)
		fprintf(stderr, "%s: SIGHUP: sync-pid-file changed; the pid "
			"file stays %s until a restart\n", progname,
			d->pid_path);
	/* a requested feed the new config lacks is answered as unknown */
	for(q = d->reqs; q; q = q->next)
		for(i = 0; i < q->n; i++)
			if(q->state[i] == REQ_PENDING &&
				sched_find(d, q->names[i]) < 0)
				q->state[i] = REQ_UNKNOWN;
	free(olds);
	fb_config_free(oldcfg);
	fprintf(stderr, "%s: SIGHUP: reloaded %s, %zu feed%s\n", progname,
		cfg->path, cfg->nfeeds, cfg->nfeeds == 1 ? "" : "s");
	req_answer_done(d);
}

/* ---- the loop ------------------------------------------------------- */

/** Act on the signals that arrived since the last look. */
static void
take_signals(struct daemon *d)
{
	char buf[64];
	ssize_t n, i;
	int hup = 0, all = 0, req = 0;
	size_t k;

	while((n = read(sig_pipe[0], buf, sizeof(buf))) > 0) {
		for(i = 0; i < n; i++) {
			if(buf[i] == 'T')
				d->stop = 1;
			else if(buf[i] == 'H')
				hup = 1;
			else if(buf[i] == 'U')
				all = 1;
			else
				req = 1;
		}
	}
	if(d->stop)
		return;
	if(hup)
		reload(d);
	if(all) {
		fprintf(stderr, "%s: SIGUSR1: syncing every feed now\n",
			progname);
		for(k = 0; k < d->cfg->nfeeds; k++)
			d->s[k].now = 1;
	}
	if(req) {
		fb_syncnow_take(d->pid_path, req_add, req_log, d);
		req_answer_done(d);
	}
}

/**
 * The feed to sync next: one asked for now, else the longest overdue.
 * @param wait: out: when none is due, milliseconds until one is.
 * @return its index, or -1.
 */
static int
next_feed(const struct daemon *d, int64_t now, int64_t *wait)
{
	int64_t first = INT64_MAX;
	size_t i;
	int best = -1;

	for(i = 0; i < d->cfg->nfeeds; i++) {
		if(d->s[i].now)
			return (int)i;
		if(d->s[i].due_ms < first) {
			first = d->s[i].due_ms;
			best = (int)i;
		}
	}
	if(best >= 0 && first <= now)
		return best;
	*wait = best < 0 ? DAEMON_MAX_SLEEP_MS : first - now;
	if(*wait > DAEMON_MAX_SLEEP_MS)
		*wait = DAEMON_MAX_SLEEP_MS;
	return -1;
}

/** Sync feed i and schedule its next attempt. */
static void
run_feed(struct daemon *d, int i)
{
	struct sched *s = &d->s[i];
	int64_t start = now_ms();
	int changed = 0, ok;

	s->now = 0;
	ok = sync_one(d->st, s->f, d->protect, d->o->quiet, &changed);
	s->due_ms = start + jittered_ms(s->f);
	req_feed_done(d, s->f->name, ok);
	req_answer_done(d);
}

/** Sleep until a feed is due or a signal arrives. */
static void
sleep_until(int64_t ms)
{
	struct pollfd p;

	p.fd = sig_pipe[0];
	p.events = POLLIN;
	p.revents = 0;
	/* EINTR: a signal, which the pipe holds now */
	(void)poll(&p, 1, (int)ms);
}

/** Everything before the loop.  @return 1, or 0 after saying why. */
static int
daemon_start(struct daemon *d)
{
	char err[1024];

	if(!signals_init()) {
		fprintf(stderr, "%s: signals: %s\n", progname, strerror(errno));
		return 0;
	}
	if(!fb_store_open(&d->st, d->cfg->database, d->cfg->max_db_size,
		FB_STORE_WRITE, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return 0;
	}
	fb_store_guard_exit(d->st, 1);
	if(!(d->pid_path = strdup(d->o->pid_file ? d->o->pid_file :
		d->cfg->sync_pid_file))) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 0;
	}
	if(!sched_build(d, NULL, 0)) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 0;
	}
	return 1;
}

int
sync_daemon(const struct sync_daemon_opts *o)
{
	struct fb_pidfile *pf = NULL;
	struct log_setup logs;
	struct daemon d;
	struct request *q;
	char err[1024];
	int64_t now, wait = 0;
	int i, ret = 1, logging;

	memset(&d, 0, sizeof(d));
	d.o = o;
	if(!fb_config_load(o->conf, &d.cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return 1;
	}
	/* without its protected names no feed is applied */
	if(!fb_protect_load(d.cfg, &d.protect, stderr, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		fb_config_free(d.cfg);
		return 1;
	}
	logging = log_open(&logs, o->use_syslog);
	if(!logging)
		fprintf(stderr, "%s: cannot set up the log streams; logging "
			"to stdout and stderr as they are\n", progname);
	srandom((unsigned)now_ms() ^ (unsigned)getpid());
	if(!daemon_start(&d))
		goto out;
	if(!fb_pidfile_create(d.pid_path, &pf, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		goto out;
	}
	/* whoever asked a daemon before us gave up already */
	fb_syncnow_clear(d.pid_path);
	fprintf(stderr, "%s: running, %zu feed%s from %s, pid file %s\n",
		progname, d.cfg->nfeeds, d.cfg->nfeeds == 1 ? "" : "s",
		d.cfg->path, d.pid_path);
	while(1) {
		take_signals(&d);
		if(d.stop)
			break;
		now = now_ms();
		if((i = next_feed(&d, now, &wait)) >= 0)
			run_feed(&d, i);
		else
			sleep_until(wait);
	}
	fprintf(stderr, "%s: stopping on a signal\n", progname);
	ret = 0;
out:
	fb_pidfile_remove(pf);
	while((q = d.reqs) != NULL) {
		d.reqs = q->next;
		req_free(q);
	}
	free(d.s);
	free(d.pid_path);
	fb_store_close(d.st);
	fb_protect_free(d.protect);
	fb_config_free(d.cfg);
	if(sig_pipe[0] >= 0)
		signals_done();
	if(logging)
		log_close_all(&logs);
	return ret;
}
