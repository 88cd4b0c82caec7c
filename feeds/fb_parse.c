/**
 * \file
 * Feed formats: the domains and hosts parsers declared in fb_parse.h.
 *
 * The buffer is walked line by line in place; nothing is copied but the
 * keys handed to the name set.  Every check that can refuse a line runs
 * before any name on it is added, except in hosts lines with several
 * names, where each name stands or falls alone.
 */
#include <string.h>
#include <strings.h>
#include "fb_parse.h"
#include "fb_name.h"

/** Bytes of the report text passed to the callback, at most. */
#define FB_PARSE_REPORT_MAX 80

/** State of one fb_parse_feed() call. */
struct parse_ctx {
	enum fb_format fmt;
	struct fb_nameset *ns;
	struct fb_parse_stats *st;
	fb_parse_report *report;
	void *arg;
	uint64_t lineno;
};

/** Count a refused line or name and tell the caller. */
static void
parse_refuse(struct parse_ctx *c, const char *reason, const char *text,
	size_t len)
{
	c->st->invalid++;
	if(!c->report)
		return;
	if(len > FB_PARSE_REPORT_MAX)
		len = FB_PARSE_REPORT_MAX;
	c->report(c->arg, c->lineno, reason, text, len);
}

/** @return 1 for the separators between fields of a line. */
static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/**
 * Take the next whitespace-separated field of [*p, end).
 * @return its length (0 when none is left); *tok points at it, *p past it.
 */
static size_t
next_field(const char **p, const char *end, const char **tok)
{
	const char *s = *p;
	while(s < end && is_blank(*s))
		s++;
	*tok = s;
	while(s < end && !is_blank(*s))
		s++;
	*p = s;
	return (size_t)(s - *tok);
}

/**
 * Cut a comment off a line.  A '#' starts a comment only at the start of
 * the line or after white space: one glued to a name is junk, and taking
 * it for a comment would turn an adblock rule like "example.com##.ad"
 * into a block of all of example.com.
 * @return the length of the line without its comment.
 */
static size_t
cut_comment(const char *line, size_t len)
{
	size_t i;
	for(i = 0; i < len; i++) {
		if(line[i] == '#' && (i == 0 || is_blank(line[i-1])))
			return i;
	}
	return len;
}

/**
 * Parse one name and add it to the set.
 * @return 0 when out of memory, else 1 (refused names are counted).
 */
static int
add_name(struct parse_ctx *c, const char *text, size_t len)
{
	struct fb_key key;
	uint8_t scope;
	enum fb_name_error e;

	/* flags 0: a lone top-level domain in a feed is a mistake or an
	 * attack, never something to block for every user */
	e = fb_name_parse(text, len, 0, &key, &scope);
	if(e != FB_NAME_OK) {
		parse_refuse(c, fb_name_strerror(e), text, len);
		return 1;
	}
	if(!fb_nameset_add(c->ns, &key, scope))
		return 0;
	c->st->names++;
	return 1;
}

/** A domains line: exactly one name. */
static int
domains_line(struct parse_ctx *c, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *tok, *rest;
	size_t n = next_field(&p, end, &tok);

	if(next_field(&p, end, &rest) != 0) {
		parse_refuse(c, "text after the name", line, len);
		return 1;
	}
	return add_name(c, tok, n);
}

/** Case-insensitive compare of a field with a NUL-terminated word. */
static int
field_is(const char *tok, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(tok, word, n) == 0;
}

/**
 * Names every hosts file carries for the machine itself; listing them
 * would break the resolver's own host, so they are passed over quietly.
 * Exact names only: a prefix such as "ip6-" would also pass over listed
 * names like ip6-evil-phish.example.
 */
static const char *const hosts_boilerplate_names[] = {
	"localhost", "localhost.localdomain", "local", "broadcasthost",
	"0.0.0.0",
	/* the IPv6 block of Debian's and most published hosts files */
	"ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
	"ip6-allnodes", "ip6-allrouters", "ip6-allhosts"
};

static int
hosts_boilerplate(const char *tok, size_t n)
{
	size_t i;
	for(i = 0; i < sizeof(hosts_boilerplate_names) /
		sizeof(hosts_boilerplate_names[0]); i++)
		if(field_is(tok, n, hosts_boilerplate_names[i]))
			return 1;
	return 0;
}

/** @return 1 if the address of a hosts line means "this name is blocked". */
static int
hosts_block_address(const char *tok, size_t n)
{
	return field_is(tok, n, "0.0.0.0") || field_is(tok, n, "127.0.0.1")
		|| field_is(tok, n, "::") || field_is(tok, n, "::1");
}

/** @return 1 if the fields from p on are all boilerplate (and some are). */
static int
hosts_all_boilerplate(const char *p, const char *end)
{
	const char *tok;
	size_t n;
	int seen = 0;
	while((n = next_field(&p, end, &tok)) != 0) {
		if(!hosts_boilerplate(tok, n))
			return 0;
		seen = 1;
	}
	return seen;
}

/** A hosts line: an address, then one or more names. */
static int
hosts_line(struct parse_ctx *c, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *tok;
	size_t n = next_field(&p, end, &tok);
	int names = 0;

	if(!hosts_block_address(tok, n)) {
		/* the header of a stock hosts file ("255.255.255.255
		 * broadcasthost", "ff02::1 ip6-allnodes") is not an error */
		if(hosts_all_boilerplate(p, end)) {
			c->st->skipped++;
			return 1;
		}
		parse_refuse(c, "address is not 0.0.0.0, 127.0.0.1, :: or ::1",
			line, len);
		return 1;
	}
	while((n = next_field(&p, end, &tok)) != 0) {
		names++;
		if(hosts_boilerplate(tok, n))
			c->st->skipped++;
		else if(!add_name(c, tok, n))
			return 0;
	}
	if(names == 0)
		parse_refuse(c, "no name after the address", line, len);
	return 1;
}

/** One line, without its line ending.  @return 0 on out of memory. */
static int
parse_line(struct parse_ctx *c, const char *line, size_t len)
{
	size_t s = 0;

	if(len > FB_PARSE_LINE_MAX) {
		parse_refuse(c, "line too long", line, len);
		return 1;
	}
	/* a NUL means binary data or a cut-and-splice; trust none of it */
	if(memchr(line, 0, len) != NULL) {
		parse_refuse(c, "NUL byte in line", line, len);
		return 1;
	}
	len = cut_comment(line, len);
	while(s < len && is_blank(line[s]))
		s++;
	while(len > s && is_blank(line[len-1]))
		len--;
	if(s == len) {
		c->st->skipped++;
		return 1;
	}
	if(c->fmt == FB_FORMAT_HOSTS)
		return hosts_line(c, line + s, len - s);
	return domains_line(c, line + s, len - s);
}

int
fb_parse_feed(enum fb_format fmt, const char *buf, size_t len,
	struct fb_nameset *ns, struct fb_parse_stats *st,
	fb_parse_report *report, void *arg)
{
	struct parse_ctx c;
	const char *p = buf, *end = buf + len, *nl;
	size_t n;

	memset(st, 0, sizeof(*st));
	c.fmt = fmt;
	c.ns = ns;
	c.st = st;
	c.report = report;
	c.arg = arg;
	c.lineno = 0;
	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while(p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		c.lineno++;
		st->lines++;
		if(n > 0 && p[n-1] == '\r')
			n--;
		if(!parse_line(&c, p, n))
			return 0;
		p = nl ? nl + 1 : end;
	}
	return 1;
}
