/**
 * \file
 * Feed formats: the one entry point of fb_parse.h and what every format
 * parser shares (feeds/fmt.h).  The formats themselves are in
 * feeds/fmt_*.c.
 *
 * Document formats (csv, json) are parsed twice: once with every entry
 * thrown away, only to learn whether the document is whole, then for
 * real.  So a broken document never reaches the entry callback, not even
 * the part before the break; parsing is cheap next to storing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "fmt.h"

/** Bytes of the report text passed to the callback, at most. */
#define FB_PARSE_REPORT_MAX 80

void
fb_fmt_refuse(struct fb_fmt_ctx *c, const char *reason, const char *text,
	size_t len)
{
	c->st->invalid++;
	if(!c->report)
		return;
	if(len > FB_PARSE_REPORT_MAX)
		len = FB_PARSE_REPORT_MAX;
	c->report(c->arg, c->lineno, reason, text, len);
}

enum fb_parse_status
fb_fmt_malformed(struct fb_fmt_ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if(!c->err || c->errlen == 0)
		return FB_PARSE_MALFORMED;
	n = snprintf(c->err, c->errlen, "%s at byte %zu: ",
		fb_format_name(c->o->format), off);
	if(n < 0 || (size_t)n >= c->errlen)
		return FB_PARSE_MALFORMED;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return FB_PARSE_MALFORMED;
}

/** Hand an entry to the callback. */
static int
emit(struct fb_fmt_ctx *c, const struct fb_key *key, uint8_t scope,
	unsigned flags, const char *text, size_t len)
{
	struct fb_parse_entry e;

	e.key = key;
	e.scope = scope;
	e.flags = flags;
	e.category = c->category;
	e.date = c->date;
	e.action = c->action;
	e.line = c->lineno;
	e.host = text;
	e.hostlen = len;
	if(key) {
		c->st->names++;
		if(flags & FB_ENTRY_PATH)
			c->st->paths++;
	} else
		c->st->addresses++;
	return c->entry(c->arg, &e);
}

int
fb_fmt_name(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags)
{
	struct fb_key key;
	uint8_t scope;
	enum fb_name_error e;

	/* flags 0: a lone top-level domain in a feed is a mistake or an
	 * attack, never something to block for every user */
	e = fb_name_parse(text, len, 0, &key, &scope);
	if(e != FB_NAME_OK) {
		fb_fmt_refuse(c, fb_name_strerror(e), text, len);
		return 1;
	}
	if(c->exact && scope == FB_SCOPE_TREE)
		scope = FB_SCOPE_SELF;
	return emit(c, &key, scope, flags & ~FB_ENTRY_ADDRESS, text, len);
}

int
fb_fmt_address(struct fb_fmt_ctx *c, const char *text, size_t len)
{
	return emit(c, NULL, 0, FB_ENTRY_ADDRESS, text, len);
}

int
fb_fmt_host(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags)
{
	struct fb_key key;
	uint8_t scope;
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;

	if(len > 0 && len < sizeof(ip)) {
		memcpy(ip, text, len);
		ip[len] = 0;
		if(inet_pton(AF_INET, ip, &a) == 1)
			return fb_fmt_address(c, text, len);
	}
	/* "0056.0151.0121.0114", "3232235777": browsers read an
	 * all-numeric last label as an IPv4 address too */
	if(fb_name_parse(text, len, 0, &key, &scope) == FB_NAME_ADDRESS)
		return fb_fmt_address(c, text, len);
	return fb_fmt_name(c, text, len, flags);
}

/**
 * Read a number written with optional group separators ("4.966",
 * "1,234", "12 345") at the start of [p, end).
 * @return 1 and *v if there is one of at most 19 digits, else 0.
 */
static int
header_number(const char *p, const char *end, int groups, uint64_t *v)
{
	int digits = 0;

	*v = 0;
	for(; p < end; p++) {
		if(*p >= '0' && *p <= '9') {
			if(++digits > 19)
				return 0;
			*v = *v * 10 + (uint64_t)(*p - '0');
		} else if(groups && digits && (*p == '.' || *p == ',' ||
			*p == ' ') && p + 1 < end && p[1] >= '0' && p[1] <= '9')
			continue;
		else
			break;
	}
	/* "Version: 2607231411" must be all digits; "Blocked: N domains"
	 * may go on */
	return digits > 0 && (groups || p == end);
}

/**
 * Look at a line of a list's header (the comment lines before its first
 * entry) for what the list declares of itself: "Version: N" and
 * "Blocked: N ..." after '#' or '!' (hostsVN, adblock lists).  A version
 * that is not a plain number is not comparable and is ignored.
 */
static void
header_line(struct fb_fmt_ctx *c, const char *p, size_t n)
{
	const char *end = p + n;

	if(n == 0 || (*p != '#' && *p != '!'))
		return;
	while(p < end && (*p == '#' || *p == '!' || fb_fmt_blank(*p)))
		p++;
	while(end > p && fb_fmt_blank(end[-1]))
		end--;
	if(end - p > 8 && strncasecmp(p, "version:", 8) == 0) {
		for(p += 8; p < end && fb_fmt_blank(*p); p++)
			;
		if(!header_number(p, end, 0, &c->st->version))
			c->st->version = 0;
	} else if(end - p > 8 && strncasecmp(p, "blocked:", 8) == 0) {
		for(p += 8; p < end && fb_fmt_blank(*p); p++)
			;
		c->st->has_declared = header_number(p, end, 1,
			&c->st->declared);
	}
}

/** @return 1 if a line may still be part of a list's header: blank, a
 * comment, or adblock's "[Adblock Plus 2.0]". */
static int
header_continues(const char *p, size_t n)
{
	while(n > 0 && fb_fmt_blank(*p)) {
		p++;
		n--;
	}
	return n == 0 || *p == '#' || *p == '!' || *p == '[';
}

enum fb_parse_status
fb_fmt_lines(struct fb_fmt_ctx *c, const char *buf, size_t len,
	fb_fmt_line_fn *fn)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n;
	int in_header = 1;

	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while(p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		c->lineno++;
		c->st->lines++;
		c->category = c->o->category;
		if(n > 0 && p[n-1] == '\r')
			n--;
		if(n > FB_PARSE_LINE_MAX)
			fb_fmt_refuse(c, "line too long", p, n);
		/* a NUL means binary data or a cut-and-splice; trust none
		 * of it */
		else if(memchr(p, 0, n) != NULL)
			fb_fmt_refuse(c, "NUL byte in line", p, n);
		else {
			if(in_header && (in_header = header_continues(p, n)))
				header_line(c, p, n);
			if(!fn(c, p, n))
				return FB_PARSE_NOMEM;
		}
		p = nl ? nl + 1 : end;
	}
	return FB_PARSE_OK;
}

/** The parser of each format, in enum fb_format order. */
static fb_fmt_run_fn *const parsers[] = {
	fb_fmt_domains, fb_fmt_hosts, fb_fmt_urls, fb_fmt_adblock,
	fb_fmt_csv, fb_fmt_json, fb_fmt_rpz
};

/** fb_parse_entry_cb of the checking pass: takes everything. */
static int
entry_ignore(void *arg, const struct fb_parse_entry *e)
{
	(void)arg;
	(void)e;
	return 1;
}

enum fb_parse_status
fb_parse_run(const struct fb_parse_opts *o, const char *buf, size_t len,
	struct fb_parse_stats *st, fb_parse_entry_cb *entry,
	fb_parse_report *report, void *arg, char *err, size_t errlen)
{
	struct fb_fmt_ctx c;
	enum fb_parse_status r;

	memset(st, 0, sizeof(*st));
	if(err && errlen)
		err[0] = 0;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.st = st;
	c.err = err;
	c.errlen = errlen;
	c.category = o->category;
	if((size_t)o->format >= sizeof(parsers) / sizeof(parsers[0]))
		return fb_fmt_malformed(&c, 0, "unknown format");
	if(o->format == FB_FORMAT_CSV || o->format == FB_FORMAT_JSON) {
		c.entry = entry_ignore;
		r = parsers[o->format](&c, buf, len);
		memset(st, 0, sizeof(*st));
		if(r != FB_PARSE_OK)
			return r;
		c.lineno = 0;
		c.category = o->category;
	}
	c.entry = entry;
	c.report = report;
	c.arg = arg;
	return parsers[o->format](&c, buf, len);
}

/** fb_parse_entry_cb of fb_parse_feed(): names into the set. */
static int
entry_to_set(void *arg, const struct fb_parse_entry *e)
{
	struct fb_nameset *ns = arg;

	if(!e->key)
		return 1;
	return fb_nameset_add_listed(ns, e->key, e->scope, e->action,
		e->category);
}

/** fb_parse_feed()'s callbacks: the set and the caller's report. */
struct feed_args {
	struct fb_nameset *ns;
	fb_parse_report *report;
	void *arg;
};

static int
feed_entry(void *arg, const struct fb_parse_entry *e)
{
	return entry_to_set(((struct feed_args *)arg)->ns, e);
}

static void
feed_report(void *arg, uint64_t line, const char *reason, const char *text,
	size_t len)
{
	struct feed_args *a = arg;

	if(a->report)
		a->report(a->arg, line, reason, text, len);
}

int
fb_parse_feed(enum fb_format fmt, const char *buf, size_t len,
	struct fb_nameset *ns, struct fb_parse_stats *st,
	fb_parse_report *report, void *arg)
{
	struct fb_parse_opts o;
	struct feed_args a;

	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.category = FB_CATEGORY_UNSPECIFIED;
	a.ns = ns;
	a.report = report;
	a.arg = arg;
	return fb_parse_run(&o, buf, len, st, feed_entry,
		report ? feed_report : NULL, &a, NULL, 0) == FB_PARSE_OK;
}
