/**
 * \file
 * fraudblock-sync: read or download each configured feed (feed_input.h),
 * parse it and make the feed's entries in the store equal to it, one
 * write transaction a feed.
 *
 * Feeds are independent: one that cannot be read or downloaded, is still
 * being written (fb_source.h), parses badly or would shrink too much is
 * recorded as failed and leaves its entries in force; the others go on.
 * A download answered 304 Not Modified is not parsed and writes nothing.  The running
 * resolver picks committed changes up by itself, so nothing here signals
 * it.
 *
 * A full sync (no -f) also removes the entries of feeds the store holds
 * but the config no longer names, one transaction a feed, after the
 * configured feeds are in (a renamed feed never leaves a gap).  Unless
 * --prune is given it refuses when that would leave no feed entry at all:
 * a config with no feeds, or the wrong file, must not empty the list.
 *
 * Exit status, for cron scripts: 0 at least one feed changed and none
 * failed, 2 nothing changed and none failed, 1 any failure (usage too).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_guard.h"
#include "fb_parse.h"
#include "feed_input.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/** How many invalid lines of a feed are printed one by one. */
#define SYNC_SHOW_INVALID 5

static const char *progname = "fraudblock-sync";

/** Print usage to stderr and exit with status. */
static void
usage(int status)
{
	fprintf(stderr, "usage: %s [-c conf] [-f feed]... [--prune] [-q] [-V] "
		"[-h]\n"
		"  -c conf  configuration file (default: %s)\n"
		"  -f feed  sync only this feed; may be repeated\n"
		"  --prune  remove feeds no longer configured even when no "
		"feed entry\n"
		"           would be left\n"
		"  -q       no summary lines on stdout\n"
		"  -V       print the version and exit\n"
		"  -h       this help\n"
		"exit: 0 changed, 2 unchanged, 1 failed\n",
		progname, fb_config_default_path());
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

/** Print the kept invalid lines and the count of the others. */
static void
show_invalid(const struct show_ctx *c, const char *source, uint64_t invalid)
{
	uint64_t i;
	for(i = 0; i < c->n; i++) {
		fprintf(stderr, "%s:%llu: %s: '", source,
			(unsigned long long)c->bad[i].line, c->bad[i].reason);
		print_text(stderr, c->bad[i].text, c->bad[i].len);
		fprintf(stderr, "'\n");
	}
	if(invalid > c->n)
		fprintf(stderr, "%s: %llu more invalid lines not shown\n",
			source, (unsigned long long)(invalid - c->n));
}

/** Report a failed feed on stderr and record it in the store. */
static void
feed_failed(struct fb_store *st, const struct fb_feed_conf *f, int status,
	const char *why, int64_t now)
{
	char err[512];
	fprintf(stderr, "%s: feed %s: %s\n", progname, f->name, why);
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
	if(ps->names == 0) {
		snprintf(why, whylen, "no names in %s, refused: empty or "
			"truncated?", path);
		return FB_UPDATE_EMPTY;
	}
	return 0;
}

/** What the parser's callbacks of one feed share. */
struct parse_args {
	struct show_ctx show;	/**< first: keep_invalid() takes it */
	struct fb_nameset *ns;
	/** list the host of URLs with a path (url-paths: host) */
	int paths_host;
};

/** fb_parse_entry_cb: names go into the set; addresses are only
 * counted (by the parser) until the store can hold them. */
static int
add_entry(void *arg, const struct fb_parse_entry *e)
{
	struct parse_args *a = arg;

	if(!e->key)
		return 1;
	/* the harm of a URL with a path may be the page alone: its host is
	 * listed only when the feed says so (url-paths: host) */
	if((e->flags & FB_ENTRY_PATH) && !a->paths_host)
		return 1;
	return fb_nameset_add(a->ns, e->key, e->scope);
}

/**
 * Parse a feed's bytes into ns and judge whether the result is usable.
 * Invalid lines are shown unless quiet; always when the feed is refused,
 * since they are then the explanation.
 * @return 0 if usable, else an FB_UPDATE_* kind (why set) or -1 for OOM.
 */
static int
parse_source(const struct fb_feed_conf *f, const char *path,
	const char *buf, size_t len, struct fb_nameset *ns,
	struct fb_parse_stats *ps, int quiet, char *why, size_t whylen)
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
	o.field = f->field;
	a.show.n = 0;
	a.ns = ns;
	a.paths_host = f->url_paths_host;
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
	if(kind != 0 || !quiet)
		show_invalid(&a.show, path, ps->invalid);
	return kind;
}

/** The counts of URL and adblock feeds for the summary: "" when none. */
static const char *
url_counts(const struct fb_feed_conf *f, const struct fb_parse_stats *ps,
	char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if(ps->addresses + ps->paths != 0)
		n = (size_t)snprintf(buf, len, ", %llu addresses not listed, "
			"%llu with a path%s", (unsigned long long)ps->addresses,
			(unsigned long long)ps->paths, f->url_paths_host ?
			" (host listed)" : " not listed (url-paths: skip)");
	if(ps->unsupported != 0 && n < len)
		snprintf(buf + n, len - n, ", %llu unsupported rules skipped",
			(unsigned long long)ps->unsupported);
	return buf;
}

/** Print the summary line of a feed update. */
static void
print_summary(const struct fb_feed_conf *f, const struct fb_update_result *r,
	const struct fb_parse_stats *ps)
{
	char urls[128];

	if(r->added + r->removed + r->changed == 0) {
		printf("feed %s: unchanged (%llu names%s)\n", f->name,
			(unsigned long long)r->after,
			url_counts(f, ps, urls, sizeof(urls)));
		return;
	}
	printf("feed %s: %llu names (+%llu -%llu ~%llu), %llu invalid%s, "
		"generation %llu\n", f->name, (unsigned long long)r->after,
		(unsigned long long)r->added, (unsigned long long)r->removed,
		(unsigned long long)r->changed,
		(unsigned long long)ps->invalid,
		url_counts(f, ps, urls, sizeof(urls)),
		(unsigned long long)r->generation);
}

/** Replace the feed's entries by ns; http: the download's validators,
 * or NULL.  @return 1 on success. */
static int
store_feed(struct fb_store *st, const struct fb_feed_conf *f,
	struct fb_nameset *ns, const struct fb_parse_stats *ps, int64_t now,
	int quiet, int *changed, const struct fb_update_http *http)
{
	struct fb_update_result res;
	struct fb_update_spec spec;
	enum fb_update_status s;
	char err[512];

	fb_nameset_finish(ns);
	memset(&res, 0, sizeof(res));
	spec.feed = f->name;
	spec.action = f->action;
	spec.category = f->category;
	spec.max_shrink = f->max_shrink;
	spec.invalid = ps->invalid;
	spec.now = now;
	spec.http = http;
	s = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	if(s != FB_UPDATE_OK) {
		/* fb_store_replace_feed has recorded the failure itself */
		fprintf(stderr, "%s: feed %s: %s\n", progname, f->name, err);
		return 0;
	}
	if(res.added + res.removed + res.changed != 0)
		*changed = 1;
	if(!quiet)
		print_summary(f, &res, ps);
	return 1;
}

/**
 * Sync one feed.
 * @param st: the store, opened for writing.
 * @param f: the feed.
 * @param quiet: no summary line.
 * @param changed: set to 1 if entries changed.
 * @return 1 on success, 0 on failure (reported and recorded).
 */
static int
sync_feed(struct fb_store *st, const struct fb_feed_conf *f, int quiet,
	int *changed)
{
	struct fb_parse_stats ps;
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
			printf("feed %s: not modified (304)\n", f->name);
		feed_input_release(&in);
		return 1;
	}
	if(!(ns = fb_nameset_new())) {
		feed_failed(st, f, FB_UPDATE_NOMEM, "out of memory", now);
		feed_input_release(&in);
		return 0;
	}
	kind = parse_source(f, in.label, in.data, in.len, ns, &ps, quiet,
		why, sizeof(why));
	if(kind == -1)
		feed_failed(st, f, FB_UPDATE_NOMEM, "out of memory", now);
	else if(kind != 0)
		feed_failed(st, f, kind, why, now);
	else
		ret = store_feed(st, f, ns, &ps, now, quiet, changed, in.http);
	feed_input_release(&in);
	fb_nameset_free(ns);
	return ret;
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
	int changed = 0, failed = 0;
	size_t i;
	int j;

	if(nonly == 0) {
		for(i = 0; i < cfg->nfeeds; i++)
			if(!sync_feed(st, &cfg->feeds[i], quiet, &changed))
				failed = 1;
		if(!prune_orphans(cfg, st, prune, quiet, &changed))
			failed = 1;
	}
	for(j = 0; j < nonly; j++) {
		if(seen_before(only, j, only[j]))
			continue;
		if(!sync_feed(st, fb_config_feed(cfg, only[j]), quiet,
			&changed))
			failed = 1;
	}
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
		{ NULL, 0, NULL, 0 }
	};
	char err[1024], **only;
	int c, nonly = 0, quiet = 0, prune = 0, i, ret;

	if(!(only = calloc((size_t)argc + 1, sizeof(*only)))) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	while((c = getopt_long(argc, argv, "c:f:qVh", longopts, NULL)) != -1) {
		switch(c) {
		case 'c': conf = optarg; break;
		case 'f': only[nonly++] = optarg; break;
		case 'q': quiet = 1; break;
		case 'P': prune = 1; break;
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
