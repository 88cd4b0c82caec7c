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
#include <sys/socket.h>
#include "fmt.h"
#include "fb_addr.h"

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
	if(flags & FB_ENTRY_ADDRESS)
		c->st->addresses++;
	else
		c->st->names++;
	if(flags & FB_ENTRY_PATH)
		c->st->paths++;
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

/** Hand on an address key, unless feeds may not list it (fb_addr.h). */
static int
emit_address(struct fb_fmt_ctx *c, const struct fb_key *key, unsigned flags,
	const char *text, size_t len)
{
	const char *why = fb_addr_refused(key->data, key->len,
		FB_ADDR_FROM_FEED);

	if(why) {
		fb_fmt_refuse(c, why, text, len);
		return 1;
	}
	return emit(c, key, FB_SCOPE_TREE, flags | FB_ENTRY_ADDRESS, text,
		len);
}

int
fb_fmt_address(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags)
{
	struct fb_key key;
	const char *why;

	if(!fb_addr_parse(text, len, &key, &why)) {
		fb_fmt_refuse(c, why, text, len);
		return 1;
	}
	return emit_address(c, &key, flags, text, len);
}

/**
 * Read a URL host the way browsers read a numeric IPv4 host (the WHATWG
 * URL standard's IPv4 parser): one to four parts, each decimal, octal
 * (leading 0) or hex (0x); the last part fills the bytes the others left.
 * "0x7f.1", "3232235777", "0300.0250.0.1".  One trailing dot is allowed.
 * @param a: out: the address, network order.
 * @return 1 if it is one, else 0.
 */
static int
browser_ipv4(const char *t, size_t n, uint8_t a[4])
{
	uint64_t part[4];
	size_t i = 0, np = 0;
	uint32_t v;

	if(n > 0 && t[n - 1] == '.')
		n--;
	if(n == 0 || n > 64)
		return 0;
	while(i <= n) {
		unsigned base = 10, digits = 0;
		uint64_t x = 0;
		if(np == 4)
			return 0;
		if(i + 1 < n && t[i] == '0' && (t[i+1] == 'x' || t[i+1] == 'X')) {
			base = 16;
			i += 2;
		} else if(i + 1 < n && t[i] == '0' && t[i+1] != '.')
			base = 8;
		for(; i < n && t[i] != '.'; i++, digits++) {
			int d;
			char ch = t[i];
			if(ch >= '0' && ch <= '9')
				d = ch - '0';
			else if(ch >= 'a' && ch <= 'f')
				d = ch - 'a' + 10;
			else if(ch >= 'A' && ch <= 'F')
				d = ch - 'A' + 10;
			else
				return 0;
			if((unsigned)d >= base)
				return 0;
			x = x * base + (unsigned)d;
			if(x > 0xffffffffULL)
				return 0;
		}
		/* "0x" alone is 0; an empty part is not a number */
		if(digits == 0 && base != 16)
			return 0;
		part[np++] = x;
		i++;
	}
	for(i = 0; i + 1 < np; i++)
		if(part[i] > 255)
			return 0;
	if(part[np - 1] >= (1ULL << (8 * (5 - np))))
		return 0;
	v = (uint32_t)part[np - 1];
	for(i = 0; i + 1 < np; i++)
		v |= (uint32_t)part[i] << (8 * (3 - i));
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
	return 1;
}

int
fb_fmt_host(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags)
{
	struct fb_key key;
	uint8_t scope, a[4];
	enum fb_name_error e;

	/* an all-numeric last label: the host is an address (dotted
	 * decimal, or a numeric form browsers read as IPv4) or nothing a
	 * browser could reach */
	e = fb_name_parse(text, len, 0, &key, &scope);
	if(e != FB_NAME_ADDRESS)
		return fb_fmt_name(c, text, len, flags);
	if(!browser_ipv4(text, len, a)) {
		fb_fmt_refuse(c, "not an IPv4 address", text, len);
		return 1;
	}
	fb_addr_key(AF_INET, a, 32, &key);
	return emit_address(c, &key, flags, text, len);
}

/**
 * A name, or an address or prefix in presentation form ("192.0.2.1",
 * "198.51.100.0/24", "2001:db8::/32"), as a domains line or an adblock
 * rule gives it.
 */
int
fb_fmt_name_or_address(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags)
{
	struct fb_key key;

	if(fb_addr_parse(text, len, &key, NULL))
		return emit_address(c, &key, flags, text, len);
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

/** fb_parse_entry_cb of fb_parse_feed(): names and addresses into the
 * set. */
static int
entry_to_set(void *arg, const struct fb_parse_entry *e)
{
	struct fb_nameset *ns = arg;

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
