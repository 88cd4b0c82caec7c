/**
 * \file
 * fraudblock-sync: read or download each configured feed (feed_input.h),
 * parse it and make the feed's entries in the store equal to it, one
 * write transaction a feed.
 *
 * Feeds are independent: one that cannot be read or downloaded, is still
 * being written (fb_source.h), fails its signature or checksum
 * (sync_verify.h), parses badly or would shrink too much is recorded as failed
 * and leaves its entries in force; the others go on.  A download answered
 * 304 Not Modified is not parsed and writes nothing.  The running
 * resolver picks committed changes up by itself, so nothing here signals
 * it.
 *
 * Between parsing and applying, every entry passes the protected-names
 * filter (fb_protect.h, loaded once a run): public suffixes, critical
 * names and, for feeds not trusted, popular names are dropped, counted
 * and shown like invalid lines; a feed with more than max-protected
 * percent of suffixes and critical names is refused whole.  If the
 * filter's lists cannot be read, no feed is synced.
 *
 * A full sync (no -f) also removes the entries of feeds the store holds
 * but the config no longer names, one transaction a feed, after the
 * configured feeds are in (a renamed feed never leaves a gap).  Unless
 * --prune is given it refuses when that would leave no feed entry at all:
 * a config with no feeds, or the wrong file, must not empty the list.
 *
 * Exit status, for cron scripts: 0 at least one feed changed and none
 * failed, 2 nothing changed and none failed, 1 any failure (usage too).
 *
 * --daemon hands over to sync_daemon.c, which calls sync_one() for each
 * feed when it is due; everything above main() serves both modes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fb_config.h"
#include "fb_addr.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_guard.h"
#include "fb_parse.h"
#include "fb_source.h"
#include "feed_input.h"
#include "fb_protect.h"
#include "sync.h"
#include "sync_verify.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/** How many invalid lines of a feed are printed one by one. */
#define SYNC_SHOW_INVALID 5

static const char *progname = "fraudblock-sync";

/** When the feed being synced started (CLOCK_MONOTONIC), for the time
 * its outcome line reports; set by sync_one(). */
static struct timespec feed_started;

/** @return milliseconds since feed_started. */
static unsigned long long
feed_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long long)((now.tv_sec - feed_started.tv_sec) *
		1000LL + (now.tv_nsec - feed_started.tv_nsec) / 1000000);
}

/** Print usage to stderr and exit with status. */
static void
usage(int status)
{
	fprintf(stderr, "usage: %s [-c conf] [-f feed]... [--prune] [-q] [-V] "
		"[-h]\n"
		"       %s --daemon [--pid-file file] [--syslog] [-c conf] "
		"[-q]\n"
		"  -c conf  configuration file (default: %s)\n"
		"  -f feed  sync only this feed; may be repeated\n"
		"  --prune  remove feeds no longer configured even when no "
		"feed entry\n"
		"           would be left\n"
		"  -q       no summary lines on stdout\n"
		"  --daemon keep running: each feed every `refresh:`, SIGHUP "
		"re-reads\n"
		"           the config, SIGUSR1 syncs all feeds now\n"
		"  --pid-file file  where the daemon writes its pid (default: "
		"sync-pid-file)\n"
		"  --syslog log to syslog, not to stderr\n"
		"  -V       print the version and exit\n"
		"  -h       this help\n"
		"exit: 0 changed, 2 unchanged, 1 failed; --daemon: 0 stopped "
		"by a signal\n", progname, progname,
		fb_config_default_path());
	exit(status);
}

/** The first invalid lines of a feed, kept until it is judged. */
struct show_ctx {
	uint64_t n;	/**< kept, at most SYNC_SHOW_INVALID */
	struct {
		uint64_t line;
		char reason[64];
		char text[80];	/**< fb_parse caps reports at 80 bytes */
		size_t len;
	} bad[SYNC_SHOW_INVALID];
};

/** Print feed bytes in quotes; anything unprintable as \xHH. */
static void
print_text(FILE *out, const char *text, size_t len)
{
	size_t i;
	unsigned char ch;
	for(i = 0; i < len; i++) {
		ch = (unsigned char)text[i];
		if(ch < 0x20 || ch >= 0x7f || ch == '\'' || ch == '\\')
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
}

/** fb_parse_report: keep the first few invalid lines. */
static void
keep_invalid(void *arg, uint64_t line, const char *reason, const char *text,
	size_t len)
{
	struct show_ctx *c = arg;
	if(c->n >= SYNC_SHOW_INVALID)
		return;
	if(len > sizeof(c->bad[0].text))
		len = sizeof(c->bad[0].text);
	c->bad[c->n].line = line;
	snprintf(c->bad[c->n].reason, sizeof(c->bad[0].reason), "%s", reason);
	memcpy(c->bad[c->n].text, text, len);
	c->bad[c->n].len = len;
	c->n++;
}

/** Print the kept invalid lines and the count of the others.
 * @param what: what they are, plural ("invalid lines"). */
static void
show_invalid(const struct show_ctx *c, const char *source, uint64_t invalid,
	const char *what)
{
	uint64_t i;
	for(i = 0; i < c->n; i++) {
		fprintf(stderr, "%s:%llu: %s: '", source,
			(unsigned long long)c->bad[i].line, c->bad[i].reason);
		print_text(stderr, c->bad[i].text, c->bad[i].len);
		fprintf(stderr, "'\n");
	}
	if(invalid > c->n)
		fprintf(stderr, "%s: %llu more %s not shown\n",
			source, (unsigned long long)(invalid - c->n), what);
}

/** Report a failed feed on stderr and record it in the store. */
static void
feed_failed(struct fb_store *st, const struct fb_feed_conf *f, int status,
	const char *why, int64_t now)
{
	char err[512];
	fprintf(stderr, "%s: feed %s: %s (%llu ms)\n", progname, f->name, why,
		feed_ms());
	if(!fb_store_feed_failed(st, f->name, status, why, now, err,
		sizeof(err)))
		fprintf(stderr, "%s: feed %s: recording the failure: %s\n",
			progname, f->name, err);
}

/**
 * Whether a parse result may replace the feed's entries.
 * @return 0 if so, else an FB_UPDATE_* kind with why set.
 */
static int
judge_parse(const struct fb_feed_conf *f, const char *path,
	const struct fb_parse_stats *ps, char *why, size_t whylen)
{
	uint64_t candidates;

	/* each name, address or line the parser judged is a candidate;
	 * blank, comment, hosts boilerplate and unsupported lines are not */
	candidates = ps->names + ps->addresses + ps->invalid;
	if(ps->invalid * 2 > candidates) {
		snprintf(why, whylen, "%llu of %llu lines invalid, refused: "
			"not a %s list?", (unsigned long long)ps->invalid,
			(unsigned long long)candidates,
			fb_format_name(f->format));
		return FB_UPDATE_FORMAT;
	}
	/* an address list (an IP blocklist) is a list too */
	if(ps->names + ps->addresses == 0) {
		snprintf(why, whylen, "no names in %s, refused: empty or "
			"truncated?", path);
		return FB_UPDATE_EMPTY;
	}
	/* a list that says how long it is and is not: cut or spliced */
	if(ps->has_declared && ps->declared != ps->names + ps->addresses +
		ps->invalid) {
		snprintf(why, whylen, "%s declares %llu entries but holds "
			"%llu, refused: truncated or corrupted?", path,
			(unsigned long long)ps->declared,
			(unsigned long long)(ps->names + ps->addresses +
			ps->invalid));
		return FB_UPDATE_VERSION;
	}
	return 0;
}

/** What this program's own stages did with a feed's parsed entries, for
 * its judgement and summary. */
struct sync_counts {
	uint64_t kept;		/**< entries put in the set */
	uint64_t too_old;	/**< dated longer ago than max-age */
	struct fb_protect_counts protect; /**< what the filter dropped */
};

/** What the parser's callbacks of one feed share. */
struct parse_args {
	struct show_ctx show;	/**< first: keep_invalid() takes it */
	struct fb_nameset *ns;
	const struct fb_feed_conf *f;
	/** entries the feed dates before this are left out (max-age) */
	int64_t oldest;
	struct sync_counts *counts;
	/** the protected-names filter and the first entries it dropped */
	const struct fb_protect *protect;
	struct show_ctx drops;
};

/** Whether the filter drops an entry; counts and keeps the drops. */
static int
protected_entry(struct parse_args *a, const struct fb_parse_entry *e,
	uint8_t scope)
{
	enum fb_protect_reason r;
	char why[64];

	a->counts->protect.checked++;
	r = fb_protect_check(a->protect, e->key, scope, a->f->action,
		a->f->trusted);
	if(r == FB_PROTECT_NONE)
		return 0;
	a->counts->protect.dropped[r]++;
	snprintf(why, sizeof(why), "protected name (%s), not listed",
		fb_protect_reason_name(r));
	keep_invalid(&a->drops, e->line, why, e->host, e->hostlen);
	return 1;
}

/** fb_parse_entry_cb: names and addresses go into the set. */
static int
add_entry(void *arg, const struct fb_parse_entry *e)
{
	struct parse_args *a = arg;
	uint8_t scope;

	/* the harm of a URL with a path may be the page alone: its host is
	 * listed only when the feed says so (url-paths: host) */
	if((e->flags & FB_ENTRY_PATH) && !a->f->url_paths_host)
		return 1;
	/* an archive's old entry drops out unless a newer row lists it */
	if(a->f->max_age && e->date < a->oldest) {
		a->counts->too_old++;
		return 1;
	}
	/* "*.name" stays below-only; a plain name may mean itself alone.
	 * An address has no names below it; the parser already refused the
	 * ones feeds may not list, and the names filter is not for them */
	scope = e->scope == FB_SCOPE_TREE && !a->f->subdomains ?
		FB_SCOPE_SELF : e->scope;
	if(e->flags & FB_ENTRY_ADDRESS)
		scope = FB_SCOPE_TREE;
	else if(protected_entry(a, e, scope))
		return 1;
	a->counts->kept++;
	/* each entry's own listing: csv's category column, rpz actions */
	return fb_nameset_add_listed(a->ns, e->key, scope, e->action,
		e->category);
}

/**
 * Parse a feed's bytes into ns and judge whether the result is usable.
 * Invalid lines are shown unless quiet; always when the feed is refused,
 * since they are then the explanation.
 * @return 0 if usable, else an FB_UPDATE_* kind (why set) or -1 for OOM.
 */
static int
parse_source(const struct fb_feed_conf *f, const char *path,
	const char *buf, size_t len, int64_t now, struct fb_nameset *ns,
	struct fb_parse_stats *ps, const struct fb_protect *protect,
	struct sync_counts *counts, int quiet, char *why, size_t whylen)
{
	struct fb_parse_opts o;
	struct parse_args a;
	enum fb_parse_status r;
	char err[256];
	int kind;

	memset(&o, 0, sizeof(o));
	o.format = f->format;
	o.category = f->category;
	o.column = f->column;
	o.category_column = f->category_column;
	o.date_column = f->date_column;
	o.field = f->field;
	a.show.n = 0;
	a.ns = ns;
	a.f = f;
	a.oldest = now - f->max_age;
	a.counts = counts;
	memset(counts, 0, sizeof(*counts));
	a.protect = protect;
	a.drops.n = 0;
	r = fb_parse_run(&o, buf, len, ps, add_entry, keep_invalid, &a, err,
		sizeof(err));
	if(r == FB_PARSE_NOMEM)
		return -1;
	if(r == FB_PARSE_MALFORMED) {
		/* a broken document is refused whole, never half-listed */
		snprintf(why, whylen, "%s: %s, refused", path, err);
		return FB_UPDATE_FORMAT;
	}
	kind = judge_parse(f, path, ps, why, whylen);
	if(kind == 0 && counts->kept == 0 && counts->too_old != 0) {
		snprintf(why, whylen, "all %llu entries of %s are older than "
			"max-age, refused", (unsigned long long)
			counts->too_old, path);
		kind = FB_UPDATE_EMPTY;
	}
	if(kind == 0 && fb_protect_refuse(&counts->protect, f->max_protected,
		why, whylen))
		kind = FB_UPDATE_PROTECTED;
	if(kind != 0 || !quiet) {
		show_invalid(&a.show, path, ps->invalid, "invalid lines");
		show_invalid(&a.drops, path,
			counts->protect.dropped[FB_PROTECT_SUFFIX] +
			counts->protect.dropped[FB_PROTECT_CRITICAL] +
			counts->protect.dropped[FB_PROTECT_POPULAR],
			"protected names");
	}
	return kind;
}

/** The counts of entries not listed, for the summary: "" when none. */
static const char *
unlisted_counts(const struct fb_feed_conf *f,
	const struct fb_parse_stats *ps, const struct sync_counts *counts,
	char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if(ps->paths != 0)
		n = (size_t)snprintf(buf, len, ", %llu with a path%s",
			(unsigned long long)ps->paths, f->url_paths_host ?
			" (host listed)" : " not listed (url-paths: skip)");
	if(ps->unsupported != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %llu unsupported "
			"rules skipped", (unsigned long long)ps->unsupported);
	/* rpz: what fraudblock answers differently from the zone */
	if(ps->localdata != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %llu local-data "
			"records answered with the sinkhole instead",
			(unsigned long long)ps->localdata);
	if(ps->drops != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %llu rpz-drop "
			"answered nxdomain", (unsigned long long)ps->drops);
	if(counts->too_old != 0 && n < len)
		snprintf(buf + n, len - n, ", %llu older than max-age left out",
			(unsigned long long)counts->too_old);
	return buf;
}

/** "N names", or "N names, M addresses" when the feed lists addresses:
 * their keys sort before every name's (fb_addr.h), so they are counted
 * from the start of the finished set. */
static const char *
entry_counts(const struct fb_nameset *ns, uint64_t after, char *buf,
	size_t len)
{
	size_t i, n = fb_nameset_count(ns), klen;
	uint64_t addrs = 0;
	const uint8_t *k;

	for(i = 0; i < n; i++) {
		k = fb_nameset_get(ns, i, &klen, NULL);
		if(!fb_key_is_addr(k, klen))
			break;
		addrs++;
	}
	if(addrs == 0 || addrs > after)
		snprintf(buf, len, "%llu names", (unsigned long long)after);
	else
		snprintf(buf, len, "%llu names, %llu addresses",
			(unsigned long long)(after - addrs),
			(unsigned long long)addrs);
	return buf;
}

/** Print the summary line of a feed update. */
static void
print_summary(const struct fb_feed_conf *f, const struct fb_update_result *r,
	const struct fb_parse_stats *ps, const struct sync_counts *counts,
	const struct feed_integrity *fi, const struct fb_nameset *ns)
{
	char urls[256], prot[128], cnt[64];

	fb_protect_summary(&counts->protect, prot, sizeof(prot));
	if(r->ede_changed)
		printf("feed %s: its blocks now carry EDE %u (%s)\n", f->name,
			(unsigned)f->ede, fb_ede_name(f->ede));
	if(r->added + r->removed + r->changed == 0) {
		printf("feed %s: unchanged (%s%s%s)%s, %llu ms\n",
			f->name, entry_counts(ns, r->after, cnt, sizeof(cnt)),
			unlisted_counts(f, ps, counts, urls, sizeof(urls)), prot,
			fi->note, feed_ms());
		return;
	}
	printf("feed %s: %s (+%llu -%llu ~%llu), %llu invalid%s%s, "
		"generation %llu%s, %llu ms\n", f->name,
		entry_counts(ns, r->after, cnt, sizeof(cnt)),
		(unsigned long long)r->added, (unsigned long long)r->removed,
		(unsigned long long)r->changed,
		(unsigned long long)ps->invalid,
		unlisted_counts(f, ps, counts, urls, sizeof(urls)), prot,
		(unsigned long long)r->generation, fi->note, feed_ms());
}

/** Replace the feed's entries by ns; http: the download's validators,
 * or NULL.  @return 1 on success. */
static int
store_feed(struct fb_store *st, const struct fb_feed_conf *f,
	struct fb_nameset *ns, const struct fb_parse_stats *ps,
	const struct sync_counts *counts, const struct feed_integrity *fi,
	int64_t now, int quiet, int *changed, const struct fb_update_http *http)
{
	struct fb_update_result res;
	struct fb_update_spec spec;
	enum fb_update_status s;
	char err[512];
	size_t conflicts;

	/* the store holds one entry per name and feed */
	if((conflicts = fb_nameset_finish(ns)) != 0)
		fprintf(stderr, "%s: feed %s: %zu names listed more than once "
			"with different actions or categories: the allow, "
			"else the first, is kept\n", progname, f->name,
			conflicts);
	memset(&res, 0, sizeof(res));
	memset(&spec, 0, sizeof(spec));
	spec.feed = f->name;
	spec.action = f->action;
	spec.category = f->category;
	spec.max_shrink = f->max_shrink;
	spec.invalid = ps->invalid;
	spec.now = now;
	spec.ede = f->ede;
	spec.version = ps->version;
	spec.version_is_serial = ps->version_is_serial;
	spec.http = http;
	s = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	if(s != FB_UPDATE_OK) {
		/* fb_store_replace_feed has recorded the failure itself */
		fprintf(stderr, "%s: feed %s: %s (%llu ms)\n", progname,
			f->name, err, feed_ms());
		return 0;
	}
	if(res.added + res.removed + res.changed != 0 || res.ede_changed)
		*changed = 1;
	if(!quiet)
		print_summary(f, &res, ps, counts, fi, ns);
	return 1;
}

/**
 * Sync one feed.
 * @param st: the store, opened for writing.
 * @param f: the feed.
 * @param protect: the protected-names filter.
 * @param quiet: no summary line.
 * @param changed: set to 1 if entries changed.
 * @return 1 on success, 0 on failure (reported and recorded).
 */
static int
sync_feed(struct fb_store *st, const struct fb_feed_conf *f,
	const struct fb_protect *protect, int quiet, int *changed)
{
	struct fb_parse_stats ps;
	struct sync_counts counts;
	struct feed_integrity fi;
	struct fb_nameset *ns = NULL;
	struct feed_input in;
	enum feed_input_status got;
	int64_t now = (int64_t)time(NULL);
	char why[1024];
	int kind, ret = 0;

	/* progress only for someone watching a terminal */
	got = feed_input_get(st, f, !quiet && isatty(2), &in, why,
		sizeof(why));
	if(got == FEED_INPUT_FAILED) {
		feed_failed(st, f, FB_UPDATE_SOURCE, why, now);
		feed_input_release(&in);
		return 0;
	}
	if(got == FEED_INPUT_NOT_MODIFIED) {
		/* nothing to parse and nothing to write */
		if(!quiet)
			printf("feed %s: not modified (304), %llu ms\n",
				f->name, feed_ms());
		feed_input_release(&in);
		return 1;
	}
	if(!verify_feed(f, in.data, in.len, &fi, why, sizeof(why))) {
		feed_failed(st, f, FB_UPDATE_INTEGRITY, why, now);
		feed_input_release(&in);
		return 0;
	}
	if(!(ns = fb_nameset_new())) {
		feed_failed(st, f, FB_UPDATE_NOMEM, "out of memory", now);
		feed_input_release(&in);
		return 0;
	}
	kind = parse_source(f, in.label, in.data, in.len, now, ns, &ps,
		protect, &counts, quiet, why, sizeof(why));
	if(kind == -1)
		feed_failed(st, f, FB_UPDATE_NOMEM, "out of memory", now);
	else if(kind != 0)
		feed_failed(st, f, kind, why, now);
	else
		ret = store_feed(st, f, ns, &ps, &counts, &fi, now, quiet,
			changed, in.http);
	feed_input_release(&in);
	fb_nameset_free(ns);
	return ret;
}

int
sync_one(struct fb_store *st, const struct fb_feed_conf *f,
	const struct fb_protect *protect, int quiet, int *changed)
{
	int ok;

	clock_gettime(CLOCK_MONOTONIC, &feed_started);
	ok = sync_feed(st, f, protect, quiet, changed);
	/* one line a feed as it happens, also when stdout is a file */
	fflush(stdout);
	return ok;
}

/** @return 1 if name is among the first n entries of list. */
static int
seen_before(char **list, int n, const char *name)
{
	int i;
	for(i = 0; i < n; i++)
		if(strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/** Feeds in the store that the config no longer names. */
struct orphans {
	const struct fb_config *cfg;
	struct {
		char name[FB_SOURCE_NAME_MAX];
		uint64_t entries;
	} *v;
	size_t n, cap;
	uint64_t entries;	/**< theirs, all together */
	uint64_t kept;		/**< entries of the configured feeds */
	int nomem;
};

/** fb_reader_sources callback: sort the feeds into kept and orphans. */
static void
collect_orphan(void *arg, const struct fb_source_info *si)
{
	struct orphans *o = arg;
	void *nv;

	if(si->id < FB_SOURCE_FIRST_FEED)
		return;
	if(fb_config_feed(o->cfg, si->name)) {
		o->kept += si->entries;
		return;
	}
	if(o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 8;
		if(!(nv = realloc(o->v, o->cap * sizeof(*o->v)))) {
			o->nomem = 1;
			return;
		}
		o->v = nv;
	}
	memcpy(o->v[o->n].name, si->name, sizeof(o->v[0].name));
	o->v[o->n].entries = si->entries;
	o->entries += si->entries;
	o->n++;
}

/** Read the orphans, as of now.  @return 1, or 0 after saying why. */
static int
find_orphans(struct fb_store *st, struct orphans *o)
{
	struct fb_reader *r;
	char err[512];
	int ok;

	if(!fb_reader_new(st, &r, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return 0;
	}
	ok = fb_reader_begin(r, NULL) == 0;
	if(ok) {
		ok = fb_reader_sources(r, collect_orphan, o) && !o->nomem;
		fb_reader_end(r);
	}
	fb_reader_free(r);
	if(!ok)
		fprintf(stderr, "%s: %s: cannot read the source table%s\n",
			progname, fb_store_dir(st), o->nomem ?
			" (out of memory)" : "");
	return ok;
}

/** Print the refusal to empty the list. */
static void
refuse_prune(const struct fb_config *cfg, const struct orphans *o)
{
	size_t i;

	fprintf(stderr, "%s: not removing %zu feed%s no longer in %s (",
		progname, o->n, o->n == 1 ? "" : "s", cfg->path);
	for(i = 0; i < o->n && i < 5; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", o->v[i].name);
	fprintf(stderr, "%s: %llu names): no feed entry would be left.  Is "
		"this the right config file?  Run with --prune to remove "
		"them anyway\n", o->n > 5 ? ", ..." : "",
		(unsigned long long)o->entries);
}

/**
 * Remove the entries of every feed the config no longer names.
 * @param prune: also when no feed entry would be left.
 * @return 1 on success or nothing to do, 0 on refusal or failure.
 */
static int
prune_orphans(const struct fb_config *cfg, struct fb_store *st, int prune,
	int quiet, int *changed)
{
	struct orphans o;
	char err[512];
	uint64_t removed;
	size_t i;
	int ok = 1, r;

	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	if(!find_orphans(st, &o)) {
		free(o.v);
		return 0;
	}
	/* the counts come from the source records: a feed that failed
	 * this run still counts with the entries it keeps */
	if(o.n > 0 && o.entries > 0 && o.kept == 0 && !prune) {
		refuse_prune(cfg, &o);
		free(o.v);
		return 0;
	}
	for(i = 0; i < o.n; i++) {
		r = fb_store_remove_feed(st, o.v[i].name, &removed, err,
			sizeof(err));
		if(r < 0) {
			fprintf(stderr, "%s: feed %s: %s\n", progname,
				o.v[i].name, err);
			ok = 0;
			continue;
		}
		/* 0: another run removed it meanwhile */
		if(r == 0)
			continue;
		*changed = 1;
		if(!quiet)
			printf("feed %s: removed, no longer configured, %llu "
				"names\n", o.v[i].name,
				(unsigned long long)removed);
	}
	free(o.v);
	return ok;
}

/** Sync the feeds named on the command line, or all.  @return exit code. */
static int
sync_all(struct fb_config *cfg, struct fb_store *st, char **only, int nonly,
	int quiet, int prune)
{
	struct fb_protect *protect;
	int changed = 0, failed = 0;
	char err[1024];
	size_t i;
	int j;

	/* without its protected names no feed is applied: a missing
	 * critical list must not let a feed block the national bank */
	if(!fb_protect_load(cfg, &protect, stderr, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: no feed synced\n", progname, err);
		return 1;
	}
	if(nonly == 0) {
		for(i = 0; i < cfg->nfeeds; i++)
			if(!sync_one(st, &cfg->feeds[i], protect, quiet, &changed))
				failed = 1;
		if(!prune_orphans(cfg, st, prune, quiet, &changed))
			failed = 1;
	}
	for(j = 0; j < nonly; j++) {
		if(seen_before(only, j, only[j]))
			continue;
		if(!sync_one(st, fb_config_feed(cfg, only[j]), protect,
			quiet, &changed))
			failed = 1;
	}
	fb_protect_free(protect);
	if(failed)
		return 1;
	return changed ? 0 : 2;
}

int
main(int argc, char *argv[])
{
	const char *conf = NULL;
	struct fb_config *cfg = NULL;
	struct fb_store *st = NULL;
	static const struct option longopts[] = {
		{ "prune", no_argument, NULL, 'P' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "syslog", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_daemon_opts dopt;
	char err[1024], **only;
	int c, nonly = 0, quiet = 0, prune = 0, daemon = 0, i, ret;

	if(!(only = calloc((size_t)argc + 1, sizeof(*only)))) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	memset(&dopt, 0, sizeof(dopt));
	while((c = getopt_long(argc, argv, "c:f:qVh", longopts, NULL)) != -1) {
		switch(c) {
		case 'c': conf = optarg; break;
		case 'f': only[nonly++] = optarg; break;
		case 'q': quiet = 1; break;
		case 'P': prune = 1; break;
		case 'D': daemon = 1; break;
		case 'p': dopt.pid_file = optarg; break;
		case 'S': dopt.use_syslog = 1; break;
		case 'V':
			printf("%s %s\n", progname, PACKAGE_VERSION);
			free(only);
			return 0;
		case 'h': usage(0); break;
		default: usage(1);
		}
	}
	if(optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", progname,
			argv[optind]);
		usage(1);
	}
	/* feeds not named with -f are not judged, orphans neither */
	if(prune && nonly) {
		fprintf(stderr, "%s: --prune goes with a full sync, not with "
			"-f\n", progname);
		usage(1);
	}
	if(!conf)
		conf = fb_config_default_path();
	/* the daemon syncs every feed on its own schedule; it never
	 * prunes (a full one-shot sync does) */
	if(daemon && (nonly || prune)) {
		fprintf(stderr, "%s: --daemon syncs every feed; no -f or "
			"--prune with it\n", progname);
		usage(1);
	}
	if(!daemon && (dopt.pid_file || dopt.use_syslog)) {
		fprintf(stderr, "%s: --pid-file and --syslog go with "
			"--daemon\n", progname);
		usage(1);
	}
	if(daemon) {
		free(only);
		dopt.conf = conf;
		dopt.quiet = quiet;
		return sync_daemon(&dopt);
	}
	if(!fb_config_load(conf, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		free(only);
		return 1;
	}
	for(i = 0; i < nonly; i++) {
		if(!fb_config_feed(cfg, only[i])) {
			fprintf(stderr, "%s: -f %s: no such feed in %s\n",
				progname, only[i], conf);
			ret = 1;
			goto out;
		}
	}
	if(cfg->nfeeds == 0 && !quiet)
		fprintf(stderr, "%s: %s: no feed configured\n", progname,
			conf);
	if(!fb_store_open(&st, cfg->database, cfg->max_db_size,
		FB_STORE_WRITE, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", progname, err);
		ret = 1;
		goto out;
	}
	fb_store_guard_exit(st, 1);
	ret = sync_all(cfg, st, only, nonly, quiet, prune);
out:
	fb_store_close(st);
	fb_config_free(cfg);
	free(only);
	return ret;
}
