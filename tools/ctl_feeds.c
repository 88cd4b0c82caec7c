/**
 * \file
 * fraudblock-ctl: the feeds, as the store and the config see them.
 *
 *	feeds [--json]		per feed: source, format, counts, the times
 *				of the last attempt, success and change, the
 *				last error, ETag and Last-Modified, and when
 *				the daemon syncs it next
 *	sync-now [-w S] [-p PIDFILE] [FEED...]
 *				make fraudblock-sync --daemon sync FEED (or
 *				every feed) at once and wait, at most S
 *				seconds (30), for the outcome; exit 0 ok,
 *				1 a feed failed, 2 no daemon or no answer
 *
 * ctl_sources() is the one reader of source records for these and for
 * `status` (ctl.c): the sources of the store in id order, then the
 * configured feeds it has no record of yet.
 *
 * --json prints one object, {"feeds": [...]}, with every string escaped
 * (ctl_json_str): record fields come from feeds and servers (an error
 * message may quote their bytes) and must not break a script's parser.
 * Times are unix seconds, null for never.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_syncnow.h"
#include "ctl.h"

/** sync-now waits this long for the daemon by default, seconds. */
#define SYNC_NOW_WAIT 30
/** ... and at most this long. */
#define SYNC_NOW_WAIT_MAX 86400

/** Context of collect_source(). */
struct collect {
	const struct fb_config *cfg;
	struct ctl_source *v;
	size_t n, cap;
	int nomem;
};

/** @return a free slot in c->v, or NULL (c->nomem set). */
static struct ctl_source *
collect_slot(struct collect *c)
{
	if(!fb_grow(&c->v, &c->cap, c->n + 1, sizeof(*c->v))) {
		c->nomem = 1;
		return NULL;
	}
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	return &c->v[c->n++];
}

/** fb_reader_sources callback: one row per source in the store. */
static void
collect_source(void *arg, const struct fb_source_info *si)
{
	struct collect *c = arg;
	struct ctl_source *s;

	if(!(s = collect_slot(c)))
		return;
	s->si = *si;
	s->in_store = 1;
	if(si->id >= FB_SOURCE_FIRST_FEED)
		s->conf = fb_config_feed(c->cfg, si->name);
}

int
ctl_sources(const struct fb_config *cfg, struct fb_reader *r,
	struct ctl_source **out, size_t *n)
{
	struct collect c;
	struct ctl_source *s;
	size_t i, j;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	if(!fb_reader_sources(r, collect_source, &c)) {
		free(c.v);
		return ctl_fail(cfg->database, "cannot read the source table");
	}
	/* the configured feeds the store has never seen */
	for(i = 0; i < cfg->nfeeds && !c.nomem; i++) {
		for(j = 0; j < c.n; j++)
			if(c.v[j].conf == &cfg->feeds[i])
				break;
		if(j < c.n || !(s = collect_slot(&c)))
			continue;
		snprintf(s->si.name, sizeof(s->si.name), "%s",
			cfg->feeds[i].name);
		s->conf = &cfg->feeds[i];
	}
	if(c.nomem) {
		free(c.v);
		return ctl_fail(cfg->database, "out of memory");
	}
	*out = c.v;
	*n = c.n;
	return 0;
}

/* ---- JSON ----------------------------------------------------------- */

void
ctl_json_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', out);
	while(*s) {
		if(*s >= 0x80) {
			/* valid printable UTF-8 as is; any other byte is not
			 * text, and JSON must be UTF-8: U+FFFD for it */
			if((n = ctl_utf8_len(s)) != 0) {
				fwrite(s, 1, n, out);
				s += n;
			} else {
				fputs("\\ufffd", out);
				s++;
			}
			continue;
		}
		if(*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if(*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\u%04x", (unsigned)*s);
		else
			fputc(*s, out);
		s++;
	}
	fputc('"', out);
}

/** A time member: unix seconds, or null for never. */
static void
json_time(const char *key, int64_t t)
{
	if(t == 0)
		printf("\"%s\": null", key);
	else
		printf("\"%s\": %lld", key, (long long)t);
}

/** @return when the daemon syncs a feed next (without its jitter), or 0
 * for at once / not configured. */
static int64_t
next_due(const struct ctl_source *s)
{
	if(!s->conf || s->si.last_attempt == 0)
		return 0;
	return s->si.last_attempt + (int64_t)s->conf->refresh;
}

/** One feed as a JSON object. */
static void
json_feed(const struct ctl_source *s, int last)
{
	const struct fb_source_info *si = &s->si;

	printf("    {\"name\": ");
	ctl_json_str(stdout, si->name);
	printf(", \"configured\": %s, \"source\": ", s->conf ? "true" :
		"false");
	if(s->conf)
		ctl_json_str(stdout, s->conf->source);
	else
		printf("null");
	printf(", \"format\": ");
	if(s->conf)
		ctl_json_str(stdout, fb_format_name(s->conf->format));
	else
		printf("null");
	printf(",\n     \"entries\": %llu, \"invalid\": %llu, ",
		(unsigned long long)si->entries,
		(unsigned long long)si->invalid);
	json_time("last_attempt", si->last_attempt);
	printf(", ");
	json_time("last_success", si->last_success);
	printf(", ");
	json_time("last_change", si->last_change);
	printf(",\n     \"last_status\": %d, \"last_error\": ",
		(int)si->last_status);
	ctl_json_str(stdout, si->last_error);
	printf(", \"etag\": ");
	ctl_json_str(stdout, si->etag);
	printf(", \"last_modified\": ");
	ctl_json_str(stdout, si->last_modified);
	printf(",\n     \"refresh\": ");
	if(s->conf)
		printf("%u", s->conf->refresh);
	else
		printf("null");
	printf(", ");
	json_time("next_due", next_due(s));
	printf("}%s\n", last ? "" : ",");
}

/* ---- text ----------------------------------------------------------- */

/** One "  key  value" line, the value escaped; "-" for "". */
static void
text_line(const char *key, const char *val)
{
	printf("  %-14s", key);
	ctl_put_safe(stdout, val[0] ? val : "-");
	fputc('\n', stdout);
}

/** The outcome of a feed's last attempt, for people. */
static const char *
outcome(const struct ctl_source *s, char *buf, size_t len)
{
	if(!s->in_store)
		return "not synced yet";
	if(s->si.last_status == 0)
		return s->si.last_attempt ? "ok" : "never attempted";
	snprintf(buf, len, "failed (status %d): %s", (int)s->si.last_status,
		s->si.last_error);
	return buf;
}

/** One feed as a block of text. */
static void
text_feed(const struct ctl_source *s)
{
	const struct fb_source_info *si = &s->si;
	char buf[512], t[32];

	printf("feed ");
	ctl_put_safe(stdout, si->name);
	fputc('\n', stdout);
	if(!s->conf)
		text_line("configured", "no: an orphan, a full sync removes "
			"its entries");
	text_line("source", s->conf ? s->conf->source : "");
	text_line("format", s->conf ? fb_format_name(s->conf->format) : "");
	printf("  %-14s%llu\n", "entries", (unsigned long long)si->entries);
	printf("  %-14s%llu\n", "invalid", (unsigned long long)si->invalid);
	text_line("last attempt", ctl_iso_time(si->last_attempt, t,
		sizeof(t)));
	text_line("last success", ctl_iso_time(si->last_success, t,
		sizeof(t)));
	text_line("last change", ctl_iso_time(si->last_change, t,
		sizeof(t)));
	text_line("last status", outcome(s, buf, sizeof(buf)));
	text_line("etag", si->etag);
	text_line("last-modified", si->last_modified);
	if(!s->conf)
		return;
	printf("  %-14s%u s\n", "refresh", s->conf->refresh);
	if(next_due(s))
		printf("  %-14s%s (give or take 10%%, when the daemon runs)\n",
			"next due", ctl_iso_time(next_due(s), t, sizeof(t)));
	else
		text_line("next due", "at once when the daemon runs");
}

/** feeds [--json]. */
int
ctl_cmd_feeds(const struct fb_config *cfg, int argc, char *argv[])
{
	struct ctl_source *v = NULL;
	struct ctl_view vw;
	size_t i, n = 0, last = 0;
	int json = 0, ret;

	if(argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if(argc != 1)
		ctl_usage(CTL_ERROR);
	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	ret = ctl_sources(cfg, vw.r, &v, &n);
	ctl_view_close(&vw);
	if(ret != 0)
		return ret;
	for(i = 0; i < n; i++)
		if(v[i].si.id >= FB_SOURCE_FIRST_FEED || !v[i].in_store)
			last = i;
	if(json)
		printf("{\"feeds\": [\n");
	for(i = 0; i < n; i++) {
		/* the hand-made sources are not feeds */
		if(v[i].in_store && v[i].si.id < FB_SOURCE_FIRST_FEED)
			continue;
		if(json)
			json_feed(&v[i], i == last);
		else
			text_feed(&v[i]);
	}
	if(json)
		printf("]}\n");
	free(v);
	return 0;
}

/* ---- sync-now ------------------------------------------------------- */

/** The daemon's answer, kept until the store is read. */
struct answers {
	struct {
		char name[FB_SOURCE_NAME_MAX];
		char outcome[16];
	} *v;
	size_t n, cap;
	int nomem;
};

/** fb_syncnow_answer_cb: keep one line. */
static void
keep_answer(void *arg, const char *feed, const char *what)
{
	struct answers *a = arg;

	if(!fb_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v))) {
		a->nomem = 1;
		return;
	}
	snprintf(a->v[a->n].name, sizeof(a->v[0].name), "%s", feed);
	snprintf(a->v[a->n].outcome, sizeof(a->v[0].outcome), "%s", what);
	a->n++;
}

/**
 * Print each answered feed's outcome from the store's record.
 * @return 0 all ok, 1 any failed or unknown, CTL_ERROR on error.
 */
static int
print_answers(const struct fb_config *cfg, const struct answers *a)
{
	struct ctl_source *v = NULL;
	struct ctl_view vw;
	size_t i, j, n = 0;
	char t[32], buf[512];
	int ret = 0;

	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	if(ctl_sources(cfg, vw.r, &v, &n) != 0) {
		ctl_view_close(&vw);
		return CTL_ERROR;
	}
	ctl_view_close(&vw);
	for(i = 0; i < a->n; i++) {
		for(j = 0; j < n; j++)
			if(strcmp(v[j].si.name, a->v[i].name) == 0)
				break;
		printf("feed ");
		ctl_put_safe(stdout, a->v[i].name);
		if(strcmp(a->v[i].outcome, "unknown") == 0 || j == n) {
			printf(": not a feed of the running daemon (after "
				"editing the config, send it SIGHUP)\n");
			ret = 1;
			continue;
		}
		if(strcmp(a->v[i].outcome, "ok") != 0)
			ret = 1;
		printf(": %s, %llu entries, last change ",
			strcmp(a->v[i].outcome, "ok") == 0 ? "ok" :
			outcome(&v[j], buf, sizeof(buf)),
			(unsigned long long)v[j].si.entries);
		ctl_put_safe(stdout, ctl_iso_time(v[j].si.last_change, t,
			sizeof(t)));
		fputc('\n', stdout);
	}
	free(v);
	return ret;
}

/** Parse -w's value.  @return seconds, or 0 when not a number in range. */
static unsigned
wait_secs(const char *s)
{
	char *end;
	unsigned long v;

	if(*s < '0' || *s > '9')
		return 0;
	v = strtoul(s, &end, 10);
	if(*end || v == 0 || v > SYNC_NOW_WAIT_MAX)
		return 0;
	return (unsigned)v;
}

/** sync-now [-w SECONDS] [-p PIDFILE] [FEED...]. */
int
ctl_cmd_sync_now(const struct fb_config *cfg, int argc, char *argv[])
{
	const char *pid_file = cfg->sync_pid_file;
	struct answers a;
	unsigned secs = SYNC_NOW_WAIT;
	char err[4400];
	pid_t pid;
	int c, r, i, ret;

	optind = 1;
	while((c = getopt(argc, argv, "+:w:p:")) != -1) {
		switch(c) {
		case 'w':
			if(!(secs = wait_secs(optarg)))
				return ctl_fail(optarg, "-w takes seconds, "
					"1 to 86400");
			break;
		case 'p': pid_file = optarg; break;
		default: ctl_usage(CTL_ERROR);
		}
	}
	for(i = optind; i < argc; i++)
		if(!fb_config_feed(cfg, argv[i]))
			return ctl_fail(argv[i], "no such feed in the config");
	if(!fb_pidfile_running(pid_file, &pid, err, sizeof(err))) {
		ctl_fail(err, "no fraudblock-sync --daemon running");
		fprintf(stderr, "without one, `fraudblock-sync -f FEED` syncs "
			"a feed once\n");
		return CTL_ERROR;
	}
	if(!fb_syncnow_send(pid_file, pid, (const char *const *)argv +
		optind, (size_t)(argc - optind), err, sizeof(err)))
		return ctl_fail_msg(err);
	memset(&a, 0, sizeof(a));
	r = fb_syncnow_wait(pid_file, secs * 1000, keep_answer, &a, err,
		sizeof(err));
	if(r == 0) {
		free(a.v);
		snprintf(err, sizeof(err), "no answer from fraudblock-sync "
			"(pid %ld) within %u s", (long)pid, secs);
		return ctl_fail_msg(err);
	}
	if(r < 0 || a.nomem) {
		free(a.v);
		return ctl_fail_msg(a.nomem ? "out of memory" : err);
	}
	ret = print_answers(cfg, &a);
	free(a.v);
	return ret;
}
