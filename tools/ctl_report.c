/**
 * \file
 * fraudblock-ctl top and report: figures read from the query log
 * (doc/querylog.md), for the operator and for the reports an ISP files.
 *
 *	top [-n N] [--since T] [--until T] [--by name|matched|feed|category|
 *	    client] [--json] [--max-keys N] [FILE...]
 *	report --day YYYY-MM-DD [--format table|csv|json] [--max-keys N]
 *	    [FILE...]
 *
 * Both count "block" records only.  Files are read as streams (zlib's
 * gzread, which reads plain files as they are and .gz files inflated),
 * one line at a time through lib/fb_qlog_read.h: memory is one buffer
 * plus the count tables, which grow with distinct keys only and are
 * capped (--max-keys, default 1000000 each); a capped table is said in
 * the output, its figures then being lower bounds.  Without FILE, the
 * config's log-file and its rotated copies (the names log-prune knows)
 * are read, except rotated copies last changed before the window starts:
 * a rotated file's time is that of its newest record.
 *
 * A line that is not a valid record (cut, damaged, another version) is
 * skipped and counted; the output names how many and the first one's
 * FILE:LINE and why.  A file that cannot be opened or read (damaged gzip
 * data included) is an error: exit 2 and no figures, since figures
 * missing part of a file would look complete.
 *
 * Output: strings from the log pass ctl_put_safe() (tables and CSV) or
 * ctl_json_str() (JSON); qname and matched are printable ASCII by the
 * reader's contract.  CSV is RFC 4180: a header row, CRLF line ends, a
 * field quoted when it holds a comma, a quote or a space at either end.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <zlib.h>
#include "fb_config.h"
#include "fb_qlog_read.h"
#include "ctl.h"
#include "ctl_count.h"

/** Default cap of each count table. */
#define MAX_KEYS_DEFAULT 1000000
/** Most files read in one run. */
#define MAX_FILES 4096

/** What top ranks by. */
enum by { BY_NAME, BY_MATCHED, BY_FEED, BY_CATEGORY, BY_CLIENT };
static const char *const by_words[] = { "name", "matched", "feed",
	"category", "client" };

/** The state of one run over the files. */
struct scan {
	char **files;		/**< the files to read */
	size_t nfiles;		/**< how many */
	int own_files;		/**< files and their names are malloc()ed */
	int64_t since;		/**< first ms counted (INT64_MIN: none) */
	int64_t until;		/**< first ms not counted (INT64_MAX: none) */
	uint64_t lines;		/**< lines read */
	uint64_t records;	/**< valid records read */
	uint64_t blocked;	/**< block records in the window */
	uint64_t skipped;	/**< lines that are not records */
	const char *bad_file;	/**< the first skipped line's file */
	uint64_t bad_line;	/**< ... its number */
	enum fb_qlog_bad bad_why;	/**< ... and why */
	/** called for each block record in the window */
	int (*on_block)(void *arg, const struct fb_qlog_entry *e);
	void *arg;		/**< its argument */
};

/** fb_qlog_read_fn over a gzFile. */
static long
gz_read(void *arg, char *buf, size_t len)
{
	int n = gzread((gzFile)arg, buf, len > INT_MAX ? INT_MAX :
		(unsigned)len), err;

	/* gzread ends a cut .gz like a whole one (with what it could
	 * inflate); only gzerror tells them apart */
	if(n == 0)
		(void)gzerror((gzFile)arg, &err);
	return n < 0 || (n == 0 && err != Z_OK) ? -1 : (long)n;
}

/** Read one file.  @return 1, or 0 after printing why not. */
static int
scan_file(struct scan *sc, const char *path)
{
	struct fb_qlog_lines *ls;
	struct fb_qlog_entry e;
	enum fb_qlog_bad why;
	uint64_t lineno;
	size_t len;
	char *line;
	gzFile gz;
	int rc, errnum;

	errno = 0;
	if(!(gz = gzopen(path, "rb")))
		return ctl_fail(path, errno ? strerror(errno) : "out of "
			"memory"), 0;
	gzbuffer(gz, 256 * 1024);
	if(!(ls = fb_qlog_lines_new(gz_read, gz))) {
		gzclose(gz);
		return ctl_fail(path, "out of memory"), 0;
	}
	while((rc = fb_qlog_lines_next(ls, &line, &len, &lineno)) == 1) {
		sc->lines++;
		why = line ? fb_qlog_parse(line, len, &e) : FB_QLOG_BAD_LONG;
		if(why != FB_QLOG_GOOD) {
			if(sc->skipped++ == 0) {
				sc->bad_file = path;
				sc->bad_line = lineno;
				sc->bad_why = why;
			}
			continue;
		}
		sc->records++;
		if(e.event != FB_QLOG_EV_BLOCK || e.ts_ms < sc->since ||
			e.ts_ms >= sc->until)
			continue;
		sc->blocked++;
		if(!sc->on_block(sc->arg, &e))
			break;
	}
	fb_qlog_lines_free(ls);
	if(rc < 0) {
		const char *msg = gzerror(gz, &errnum);
		size_t plen = strlen(path);
		char why[600];
		/* zlib's message starts with the path, which ctl_fail says */
		if(strncmp(msg, path, plen) == 0 && strncmp(msg + plen, ": ",
			2) == 0)
			msg += plen + 2;
		snprintf(why, sizeof(why), "read error after line %llu: %s",
			(unsigned long long)sc->lines, errnum == Z_ERRNO ?
			strerror(errno) : msg);
		gzclose(gz);
		return ctl_fail(path, why), 0;
	}
	gzclose(gz);
	return rc >= 0;
}

/** qsort: file names in byte order. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/**
 * The files to read when none are named: log-file and its rotated copies
 * changed at or after since.  @return 1, or 0 after printing why not.
 */
static int
default_files(const struct fb_config *cfg, struct scan *sc)
{
	const char *file = cfg->log.file, *base;
	char dir[4200], *path;
	struct dirent *de;
	struct stat st;
	size_t plen;
	DIR *d;

	if(!file) {
		ctl_fail(cfg->path, "no log-file in the configuration: name "
			"the log files to read");
		return 0;
	}
	if(!(sc->files = calloc(MAX_FILES, sizeof(char *))))
		return ctl_fail(file, "out of memory"), 0;
	sc->own_files = 1;
	snprintf(dir, sizeof(dir), "%s", file);
	*strrchr(dir, '/') = 0;	/* log-file is absolute */
	base = strrchr(file, '/') + 1;
	if(!(d = opendir(dir[0] ? dir : "/")))
		return ctl_fail(dir[0] ? dir : "/", strerror(errno)), 0;
	while((de = readdir(d))) {
		if(strcmp(de->d_name, base) != 0 &&
			!ctl_log_rotated(de->d_name, base))
			continue;
		plen = strlen(dir) + strlen(de->d_name) + 2;
		if(sc->nfiles == MAX_FILES || !(path = malloc(plen))) {
			closedir(d);
			return ctl_fail(dir, "too many log files"), 0;
		}
		snprintf(path, plen, "%s/%s", dir, de->d_name);
		/* lstat: a symlink is not ours to follow; an old rotated
		 * file holds no record of the window */
		if(lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
			(strcmp(de->d_name, base) != 0 &&
			sc->since != INT64_MIN &&
			(int64_t)st.st_mtime * 1000 < sc->since - 999)) {
			free(path);
			continue;
		}
		sc->files[sc->nfiles++] = path;
	}
	closedir(d);
	if(!sc->nfiles) {
		ctl_fail(file, "no such log file");
		return 0;
	}
	qsort(sc->files, sc->nfiles, sizeof(char *), cmp_str);
	return 1;
}

/** Read every file.  @return 1, or 0 after printing why not. */
static int
scan_all(struct scan *sc)
{
	size_t i;

	for(i = 0; i < sc->nfiles; i++)
		if(!scan_file(sc, sc->files[i]))
			return 0;
	return 1;
}

/** Free what default_files() made. */
static void
scan_free(struct scan *sc)
{
	size_t i;

	if(!sc->own_files)
		return;
	for(i = 0; i < sc->nfiles; i++)
		free(sc->files[i]);
	free(sc->files);
}

/* ---- options ---------------------------------------------------------- */

/**
 * Parse a time for --since/--until: RFC 3339, YYYY-MM-DD (midnight UTC),
 * or N followed by s, m, h, d or w: that long before now.
 * @return 1, or 0 after printing why not.
 */
static int
parse_when(const char *opt, const char *s, int64_t *ms)
{
	static const char units[] = "smhdw";
	static const int64_t unit_ms[] = { 1000, 60000, 3600000, 86400000,
		604800000 };
	size_t len = strlen(s), digits = strspn(s, "0123456789");
	const char *u;

	if(fb_qlog_date_parse(s, len, ms) || fb_qlog_time_parse(s, len, ms))
		return 1;
	if(digits > 0 && digits <= 6 && len == digits + 1 &&
		(u = strchr(units, s[digits])) && *u) {
		*ms = (int64_t)time(NULL) * 1000 - atol(s) *
			unit_ms[u - units];
		return 1;
	}
	fprintf(stderr, "fraudblock-ctl: %s ", opt);
	ctl_put_safe(stderr, s);
	fprintf(stderr, ": not a time (RFC 3339, YYYY-MM-DD, or like 24h, "
		"7d)\n");
	return 0;
}

/** Parse a count in 1..max.  @return 1, or 0 after printing why not. */
static int
parse_count(const char *opt, const char *s, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if(s[0] < '0' || s[0] > '9' || *end || errno || v < 1 || v > max) {
		fprintf(stderr, "fraudblock-ctl: %s ", opt);
		ctl_put_safe(stderr, s);
		fprintf(stderr, ": not a number from 1 to %zu\n", max);
		return 0;
	}
	*out = (size_t)v;
	return 1;
}

/** Report what getopt_long() refused and exit with usage. */
static void
bad_opt(int c, char *argv[])
{
	ctl_fail(argv[optind - 1], c == ':' ? "missing argument" :
		"unknown option");
	ctl_usage(CTL_ERROR);
}

/** Format ms as RFC 3339 UTC (milliseconds only when not 0). */
static const char *
when_str(int64_t ms, char *buf, size_t len)
{
	time_t tt = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	if(ms < 0 || !gmtime_r(&tt, &tm) || !(n = strftime(buf, len,
		"%Y-%m-%dT%H:%M:%S", &tm)))
		return "?";
	if(ms % 1000)
		snprintf(buf + n, len - n, ".%03dZ", (int)(ms % 1000));
	else
		snprintf(buf + n, len - n, "Z");
	return buf;
}

/** Print the skipped-lines note: "N lines skipped ..." without a line
 * end. */
static void
put_skipped(FILE *out, const struct scan *sc)
{
	fprintf(out, "%llu line%s skipped (not a valid record), first at ",
		(unsigned long long)sc->skipped, sc->skipped == 1 ? "" : "s");
	ctl_put_safe(out, sc->bad_file);
	fprintf(out, ":%llu: %s", (unsigned long long)sc->bad_line,
		fb_qlog_bad_str(sc->bad_why));
}

/** Print the JSON members every output shares (after a ","). */
static void
json_scan(const struct scan *sc)
{
	size_t i;

	printf("\n  \"files\": [");
	for(i = 0; i < sc->nfiles; i++) {
		printf("%s", i ? ", " : "");
		ctl_json_str(stdout, sc->files[i]);
	}
	printf("],\n  \"lines\": %llu,\n  \"records\": %llu,\n"
		"  \"skipped_lines\": %llu,\n  \"first_skipped\": ",
		(unsigned long long)sc->lines,
		(unsigned long long)sc->records,
		(unsigned long long)sc->skipped);
	if(!sc->skipped)
		printf("null");
	else {
		printf("{\"file\": ");
		ctl_json_str(stdout, sc->bad_file);
		printf(", \"line\": %llu, \"why\": \"%s\"}",
			(unsigned long long)sc->bad_line,
			fb_qlog_bad_str(sc->bad_why));
	}
}

/** Lower-case a query name into buf (names are case-blind).
 * @return its length. */
static size_t
fold(const char *s, char *buf)
{
	size_t n = 0;

	for(; *s; s++) {
		char c = *s;
		buf[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	buf[n] = 0;
	return n;
}

/* ---- top -------------------------------------------------------------- */

/** What top counts. */
struct top {
	struct ctl_count *t;	/**< key -> n[0] records */
	enum by by;		/**< the key */
	uint64_t uncounted;	/**< records of new keys after the cap */
	uint64_t no_client;	/**< (by client) records with client null */
	char buf[FB_QLOG_READ_LINE_MAX + 1];	/**< the folded name */
};

/** scan.on_block of top. */
static int
top_block(void *arg, const struct fb_qlog_entry *e)
{
	struct top *tp = arg;
	struct ctl_count_item *it;
	const char *key = NULL;
	size_t len = 0;

	switch(tp->by) {
	case BY_NAME:
		len = fold(e->qname, tp->buf);
		key = tp->buf;
		break;
	case BY_MATCHED: key = e->matched; break;
	case BY_FEED: key = e->feed; break;
	case BY_CATEGORY: key = e->category; break;
	case BY_CLIENT: key = e->client; break;
	}
	if(!key) {
		tp->no_client++;
		return 1;
	}
	if(tp->by != BY_NAME)
		len = strlen(key);
	if((it = ctl_count_get(tp->t, key, len, NULL)))
		it->n[0]++;
	else
		tp->uncounted++;
	return !ctl_count_nomem(tp->t);
}

/** qsort: most records first, then keys in byte order. */
static int
cmp_top(const void *a, const void *b)
{
	const struct ctl_count_item *x = *(const struct ctl_count_item *
		const *)a, *y = *(const struct ctl_count_item *const *)b;

	if(x->n[0] != y->n[0])
		return x->n[0] > y->n[0] ? -1 : 1;
	return strcmp(x->key, y->key);
}

/** Print the window, for the table header. */
static void
put_window(const struct scan *sc)
{
	char b1[40], b2[40];

	if(sc->since == INT64_MIN && sc->until == INT64_MAX)
		printf("all records");
	else if(sc->until == INT64_MAX)
		printf("since %s", when_str(sc->since, b1, sizeof(b1)));
	else if(sc->since == INT64_MIN)
		printf("before %s", when_str(sc->until, b2, sizeof(b2)));
	else
		printf("%s to %s", when_str(sc->since, b1, sizeof(b1)),
			when_str(sc->until, b2, sizeof(b2)));
}

/** Print top's result as a table. */
static void
top_table(const struct scan *sc, const struct top *tp,
	struct ctl_count_item **v, size_t n)
{
	size_t i;

	printf("%llu blocked queries, ", (unsigned long long)sc->blocked);
	put_window(sc);
	printf(", %zu file%s; %zu distinct %s%s\n", sc->nfiles,
		sc->nfiles == 1 ? "" : "s", ctl_count_size(tp->t),
		by_words[tp->by], tp->by == BY_NAME ? "s (case folded)" :
		tp->by == BY_MATCHED ? " names" : tp->by == BY_CATEGORY ?
		" categories" : "s");
	printf("%12s  %s\n", "blocked", by_words[tp->by]);
	for(i = 0; i < n; i++) {
		printf("%12llu  ", (unsigned long long)v[i]->n[0]);
		/* names are printable ASCII in presentation form (the
		 * reader checks): as is, so that \DDD reads as dig's */
		if(tp->by == BY_NAME || tp->by == BY_MATCHED)
			fputs(v[i]->key, stdout);
		else
			ctl_put_safe(stdout, v[i]->key);
		putchar('\n');
	}
	if(tp->no_client)
		printf("%llu blocked queries without a client (log-privacy "
			"none) are not ranked\n",
			(unsigned long long)tp->no_client);
	if(ctl_count_capped(tp->t))
		printf("capped: more than %zu distinct keys; %llu records "
			"of later new keys are not ranked (--max-keys)\n",
			ctl_count_size(tp->t),
			(unsigned long long)tp->uncounted);
	if(sc->skipped) {
		put_skipped(stdout, sc);
		putchar('\n');
	}
}

/** Print top's result as JSON. */
static void
top_json(const struct scan *sc, const struct top *tp,
	struct ctl_count_item **v, size_t n)
{
	char b[40];
	size_t i;

	printf("{\n  \"by\": \"%s\",\n  \"since\": ", by_words[tp->by]);
	if(sc->since == INT64_MIN)
		printf("null");
	else
		printf("\"%s\"", when_str(sc->since, b, sizeof(b)));
	printf(",\n  \"until\": ");
	if(sc->until == INT64_MAX)
		printf("null");
	else
		printf("\"%s\"", when_str(sc->until, b, sizeof(b)));
	printf(",");
	json_scan(sc);
	printf(",\n  \"blocked\": %llu,\n  \"distinct\": %zu,\n"
		"  \"without_client\": %llu,\n  \"capped\": %s,\n"
		"  \"uncounted\": %llu,\n  \"top\": [",
		(unsigned long long)sc->blocked, ctl_count_size(tp->t),
		(unsigned long long)tp->no_client,
		ctl_count_capped(tp->t) ? "true" : "false",
		(unsigned long long)tp->uncounted);
	for(i = 0; i < n; i++) {
		printf("%s\n    {\"%s\": ", i ? "," : "", by_words[tp->by]);
		ctl_json_str(stdout, v[i]->key);
		printf(", \"blocked\": %llu}", (unsigned long long)v[i]->n[0]);
	}
	printf("%s]\n}\n", n ? "\n  " : "");
}

int
ctl_cmd_top(const struct fb_config *cfg, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "by", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "max-keys", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct scan sc;
	struct top tp;
	struct ctl_count_item **v = NULL;
	size_t n = 0, top_n = 10, max_keys = MAX_KEYS_DEFAULT, i;
	int c, json = 0, ret = CTL_ERROR;

	memset(&sc, 0, sizeof(sc));
	memset(&tp, 0, sizeof(tp));
	sc.since = INT64_MIN;
	sc.until = INT64_MAX;
	optind = 1;
	while((c = getopt_long(argc, argv, "+:n:", longopts, NULL)) != -1) {
		switch(c) {
		case 'n':
			if(!parse_count("-n", optarg, 1000000, &top_n))
				return CTL_ERROR;
			break;
		case 's':
			if(!parse_when("--since", optarg, &sc.since))
				return CTL_ERROR;
			break;
		case 'u':
			if(!parse_when("--until", optarg, &sc.until))
				return CTL_ERROR;
			break;
		case 'b':
			for(i = 0; i < sizeof(by_words) / sizeof(*by_words);
				i++)
				if(strcmp(optarg, by_words[i]) == 0)
					break;
			if(i == sizeof(by_words) / sizeof(*by_words))
				return ctl_fail(optarg, "--by takes name, "
					"matched, feed, category or client");
			tp.by = (enum by)i;
			break;
		case 'j': json = 1; break;
		case 'k':
			if(!parse_count("--max-keys", optarg, 100000000,
				&max_keys))
				return CTL_ERROR;
			break;
		default: bad_opt(c, argv);
		}
	}
	if(sc.since >= sc.until)
		return ctl_fail("top", "--since is not before --until");
	sc.files = argv + optind;
	sc.nfiles = (size_t)(argc - optind);
	if(!sc.nfiles && !default_files(cfg, &sc))
		goto out;
	if(!(tp.t = ctl_count_new(max_keys))) {
		ctl_fail("top", "out of memory");
		goto out;
	}
	sc.on_block = top_block;
	sc.arg = &tp;
	if(!scan_all(&sc))
		goto out;
	v = ctl_count_sorted(tp.t, cmp_top, &n);
	if(ctl_count_nomem(tp.t) || n == SIZE_MAX) {
		ctl_fail("top", "out of memory");
		goto out;
	}
	if(n > top_n)
		n = top_n;
	if(json)
		top_json(&sc, &tp, v, n);
	else
		top_table(&sc, &tp, v, n);
	ret = 0;
out:
	free(v);
	ctl_count_free(tp.t);
	scan_free(&sc);
	return ret;
}

/* ---- report ----------------------------------------------------------- */

/** Row kinds, by the bits of a row key's first byte. */
#define ROW_FEED 1	/**< the row is of one feed */
#define ROW_CAT 2	/**< the row is of one category */

/** What report counts.  A row key is a kind byte, the feed (or
 * nothing), NUL, the category (or nothing); n[0] blocked, n[1] distinct
 * names, n[2] distinct clients.  Name and client sets are keyed by the
 * row key, NUL, the folded name or the client. */
struct report {
	struct ctl_count *rows;		/**< the rows */
	struct ctl_count *names;	/**< row + name pairs seen */
	struct ctl_count *clients;	/**< row + client pairs seen */
	/** a row key and what follows it */
	char key[2 * FB_QLOG_READ_LINE_MAX + 8];
};

/** Count one record in the row of kind.  @return 0 out of memory. */
static int
report_row(struct report *rp, int kind, const struct fb_qlog_entry *e)
{
	struct ctl_count_item *row;
	size_t n = 0, len;
	int added;

	rp->key[n++] = (char)kind;
	if(kind & ROW_FEED) {
		len = strlen(e->feed);
		memcpy(rp->key + n, e->feed, len);
		n += len;
	}
	rp->key[n++] = 0;
	if(kind & ROW_CAT) {
		len = strlen(e->category);
		memcpy(rp->key + n, e->category, len);
		n += len;
	}
	if(!(row = ctl_count_get(rp->rows, rp->key, n, NULL)))
		return !ctl_count_nomem(rp->rows);
	row->n[0]++;
	rp->key[n] = 0;
	len = fold(e->qname, rp->key + n + 1);
	if(ctl_count_get(rp->names, rp->key, n + 1 + len, &added) && added)
		row->n[1]++;
	if(e->client) {
		len = strlen(e->client);
		memcpy(rp->key + n + 1, e->client, len);
		if(ctl_count_get(rp->clients, rp->key, n + 1 + len, &added) &&
			added)
			row->n[2]++;
	}
	return !ctl_count_nomem(rp->names) && !ctl_count_nomem(rp->clients);
}

/** scan.on_block of report. */
static int
report_block(void *arg, const struct fb_qlog_entry *e)
{
	struct report *rp = arg;
	int kind;

	for(kind = 0; kind < 4; kind++)
		if(!report_row(rp, kind, e))
			return 0;
	return 1;
}

/** qsort: rows of feed and category, of a feed, of a category, the
 * total; each kind by feed then category. */
static int
cmp_row(const void *a, const void *b)
{
	static const int rank[4] = { 3, 1, 2, 0 };
	const struct ctl_count_item *x = *(const struct ctl_count_item *
		const *)a, *y = *(const struct ctl_count_item *const *)b;
	int rx = rank[(unsigned char)x->key[0] & 3];
	int ry = rank[(unsigned char)y->key[0] & 3];
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if(rx != ry)
		return rx - ry;
	if((c = memcmp(x->key + 1, y->key + 1, n - 1)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/** A row's feed and category (NULL for "all"). */
static void
row_names(const struct ctl_count_item *it, const char **feed,
	const char **cat)
{
	int kind = (unsigned char)it->key[0];

	*feed = kind & ROW_FEED ? it->key + 1 : NULL;
	*cat = kind & ROW_CAT ? it->key + 2 + strlen(it->key + 1) : NULL;
}

/** Print one CSV field (RFC 4180), escaped like ctl_put_safe(). */
static void
csv_field(const char *s)
{
	size_t len = strlen(s);
	const char *q;
	char part[FB_QLOG_READ_LINE_MAX + 1];

	if(!strpbrk(s, ",\"") && !(len && (s[0] == ' ' ||
		s[len - 1] == ' '))) {
		ctl_put_safe(stdout, s);
		return;
	}
	putchar('"');
	while(*s) {
		q = strchr(s, '"');
		len = q ? (size_t)(q - s) : strlen(s);
		if(len > FB_QLOG_READ_LINE_MAX)
			len = FB_QLOG_READ_LINE_MAX;
		memcpy(part, s, len);
		part[len] = 0;
		ctl_put_safe(stdout, part);
		s += len;
		if(*s == '"') {
			fputs("\"\"", stdout);
			s++;
		}
	}
	putchar('"');
}

/** The notes of a capped table, for every output but JSON. */
static void
report_notes(FILE *out, const struct report *rp, const struct scan *sc)
{
	if(ctl_count_capped(rp->rows) || ctl_count_capped(rp->names) ||
		ctl_count_capped(rp->clients))
		fprintf(out, "capped: more distinct keys than --max-keys; "
			"the figures are lower bounds\n");
	if(sc->skipped) {
		put_skipped(out, sc);
		fputc('\n', out);
	}
}

/** Print the report as a table. */
static void
report_table(const char *day, const struct scan *sc, const struct report *rp,
	struct ctl_count_item **v, size_t n)
{
	const char *feed, *cat;
	size_t i;

	printf("report for %s (UTC): %llu blocked queries, %zu file%s\n",
		day, (unsigned long long)sc->blocked, sc->nfiles,
		sc->nfiles == 1 ? "" : "s");
	printf("%-24s %-13s %10s %10s %10s\n", "feed", "category", "blocked",
		"names", "clients");
	for(i = 0; i < n; i++) {
		row_names(v[i], &feed, &cat);
		ctl_put_col(feed ? feed : "(all)", 25);
		ctl_put_col(cat ? cat : "(all)", 14);
		printf("%10llu %10llu %10llu\n",
			(unsigned long long)v[i]->n[0],
			(unsigned long long)v[i]->n[1],
			(unsigned long long)v[i]->n[2]);
	}
	report_notes(stdout, rp, sc);
}

/** Print the report as CSV: the "(all)" of a row is an empty field. */
static void
report_csv(const char *day, const struct scan *sc, const struct report *rp,
	struct ctl_count_item **v, size_t n)
{
	const char *feed, *cat;
	size_t i;

	printf("day,feed,category,blocked,distinct_names,distinct_clients\r\n");
	for(i = 0; i < n; i++) {
		row_names(v[i], &feed, &cat);
		printf("%s,", day);
		csv_field(feed ? feed : "");
		putchar(',');
		csv_field(cat ? cat : "");
		printf(",%llu,%llu,%llu\r\n", (unsigned long long)v[i]->n[0],
			(unsigned long long)v[i]->n[1],
			(unsigned long long)v[i]->n[2]);
	}
	/* the notes are not CSV: they go where a person reads them */
	report_notes(stderr, rp, sc);
}

/** Print the rows of one kind as a JSON array's members. */
static void
json_rows(struct ctl_count_item **v, size_t n, int kind)
{
	const char *feed, *cat;
	size_t i;
	int first = 1;

	printf("[");
	for(i = 0; i < n; i++) {
		if(((unsigned char)v[i]->key[0] & 3) != kind)
			continue;
		row_names(v[i], &feed, &cat);
		printf("%s\n    {", first ? "" : ",");
		first = 0;
		if(feed) {
			printf("\"feed\": ");
			ctl_json_str(stdout, feed);
			printf(", ");
		}
		if(cat) {
			printf("\"category\": ");
			ctl_json_str(stdout, cat);
			printf(", ");
		}
		printf("\"blocked\": %llu, \"distinct_names\": %llu, "
			"\"distinct_clients\": %llu}",
			(unsigned long long)v[i]->n[0],
			(unsigned long long)v[i]->n[1],
			(unsigned long long)v[i]->n[2]);
	}
	printf("%s]", first ? "" : "\n  ");
}

/** Print the report as one JSON object. */
static void
report_json(const char *day, const struct scan *sc, const struct report *rp,
	struct ctl_count_item **v, size_t n)
{
	uint64_t total[3] = { 0, 0, 0 };
	char b1[40], b2[40];
	size_t i;

	for(i = 0; i < n; i++)
		if(v[i]->key[0] == 0)
			memcpy(total, v[i]->n, sizeof(total));
	printf("{\n  \"day\": \"%s\",\n  \"since\": \"%s\",\n"
		"  \"until\": \"%s\",", day,
		when_str(sc->since, b1, sizeof(b1)),
		when_str(sc->until, b2, sizeof(b2)));
	json_scan(sc);
	printf(",\n  \"capped\": %s,\n  \"blocked\": %llu,\n"
		"  \"distinct_names\": %llu,\n  \"distinct_clients\": %llu,\n"
		"  \"by_feed_category\": ",
		ctl_count_capped(rp->rows) || ctl_count_capped(rp->names) ||
		ctl_count_capped(rp->clients) ? "true" : "false",
		(unsigned long long)total[0], (unsigned long long)total[1],
		(unsigned long long)total[2]);
	json_rows(v, n, ROW_FEED | ROW_CAT);
	printf(",\n  \"by_feed\": ");
	json_rows(v, n, ROW_FEED);
	printf(",\n  \"by_category\": ");
	json_rows(v, n, ROW_CAT);
	printf("\n}\n");
}

int
ctl_cmd_report(const struct fb_config *cfg, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "day", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "max-keys", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct scan sc;
	struct report rp;
	struct ctl_count_item **v = NULL;
	const char *day = NULL, *format = "table";
	size_t n = 0, max_keys = MAX_KEYS_DEFAULT;
	int c, ret = CTL_ERROR;

	memset(&sc, 0, sizeof(sc));
	memset(&rp, 0, sizeof(rp));
	optind = 1;
	while((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch(c) {
		case 'd': day = optarg; break;
		case 'f': format = optarg; break;
		case 'k':
			if(!parse_count("--max-keys", optarg, 100000000,
				&max_keys))
				return CTL_ERROR;
			break;
		default: bad_opt(c, argv);
		}
	}
	if(!day)
		return ctl_fail("report", "--day YYYY-MM-DD is required");
	if(!fb_qlog_date_parse(day, strlen(day), &sc.since))
		return ctl_fail(day, "--day takes a date YYYY-MM-DD");
	if(strcmp(format, "table") && strcmp(format, "csv") &&
		strcmp(format, "json"))
		return ctl_fail(format, "--format takes table, csv or json");
	sc.until = sc.since + 86400000LL;
	sc.files = argv + optind;
	sc.nfiles = (size_t)(argc - optind);
	if(!sc.nfiles && !default_files(cfg, &sc))
		goto out;
	if(!(rp.rows = ctl_count_new(max_keys)) ||
		!(rp.names = ctl_count_new(max_keys)) ||
		!(rp.clients = ctl_count_new(max_keys))) {
		ctl_fail("report", "out of memory");
		goto out;
	}
	/* the total row, there even when nothing was blocked */
	(void)ctl_count_get(rp.rows, "\0", 2, NULL);
	sc.on_block = report_block;
	sc.arg = &rp;
	if(!scan_all(&sc))
		goto out;
	v = ctl_count_sorted(rp.rows, cmp_row, &n);
	if(ctl_count_nomem(rp.rows) || ctl_count_nomem(rp.names) ||
		ctl_count_nomem(rp.clients) || n == SIZE_MAX) {
		ctl_fail("report", "out of memory");
		goto out;
	}
	if(format[0] == 't')
		report_table(day, &sc, &rp, v, n);
	else if(format[0] == 'c')
		report_csv(day, &sc, &rp, v, n);
	else
		report_json(day, &sc, &rp, v, n);
	ret = 0;
out:
	free(v);
	ctl_count_free(rp.rows);
	ctl_count_free(rp.names);
	ctl_count_free(rp.clients);
	scan_free(&sc);
	return ret;
}
