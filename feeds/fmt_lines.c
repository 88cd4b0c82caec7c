/**
 * \file
 * The domains and hosts formats.
 *
 * domains: one name a line.  '#' at the start of a line or after white
 * space starts a comment (a '#' glued to a name, as in adblock's
 * "example.com##.ad", makes the line invalid rather than listing all of
 * example.com); blank lines are skipped; a line with more than one field
 * is refused ("text after the name"); "*.name" lists only the names below
 * name.  A line may hold an IP address or a CIDR prefix instead
 * ("192.0.2.1", "198.51.100.0/24", "2001:db8::/32"; host bits past the
 * prefix are ignored): an address entry, unless feeds may not list it
 * (fb_addr_refused: loopback, private, shorter than /16 or /32, ...),
 * then refused.  Other IP-looking text ("1.2.3") and lone top-level
 * domains are refused.
 *
 * hosts: "ADDRESS name [name ...]" with ADDRESS 0.0.0.0, 127.0.0.1, :: or
 * ::1; '#' comments as above; the exact names localhost,
 * localhost.localdomain, local, broadcasthost, 0.0.0.0, ip6-localhost,
 * ip6-loopback, ip6-localnet, ip6-mcastprefix, ip6-allnodes,
 * ip6-allrouters and ip6-allhosts are skipped, not counted as invalid
 * (other names starting with "ip6-" are names like any other), and so
 * are lines of other addresses that name only those (255.255.255.255
 * broadcasthost, ff02::1 ip6-allnodes).  Names are counted one by one: a
 * hosts line with three names counts three, and each stands or falls
 * alone.
 *
 * Both: lines end in LF or CRLF, the last needs none, a UTF-8 byte order
 * mark at the start is skipped, a NUL byte or a line over
 * FB_PARSE_LINE_MAX makes the line invalid (fb_fmt_lines()).
 */
#include <string.h>
#include <strings.h>
#include "fmt.h"

/**
 * Take the next whitespace-separated field of [*p, end).
 * @return its length (0 when none is left); *tok points at it, *p past it.
 */
static size_t
next_field(const char **p, const char *end, const char **tok)
{
	const char *s = *p;
	while(s < end && fb_fmt_blank(*s))
		s++;
	*tok = s;
	while(s < end && !fb_fmt_blank(*s))
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
		if(line[i] == '#' && (i == 0 || fb_fmt_blank(line[i-1])))
			return i;
	}
	return len;
}

/**
 * Cut the comment and the surrounding blanks off a line.
 * @return 0 if nothing is left (the line is counted as skipped).
 */
static int
trim_line(struct fb_fmt_ctx *c, const char **line, size_t *len)
{
	size_t s = 0, n = cut_comment(*line, *len);

	while(s < n && fb_fmt_blank((*line)[s]))
		s++;
	while(n > s && fb_fmt_blank((*line)[n-1]))
		n--;
	if(s == n) {
		c->st->skipped++;
		return 0;
	}
	*line += s;
	*len = n - s;
	return 1;
}

/** A domains line: exactly one name. */
static int
domains_line(struct fb_fmt_ctx *c, const char *line, size_t len)
{
	const char *p, *end, *tok, *rest;
	size_t n;

	if(!trim_line(c, &line, &len))
		return 1;
	p = line;
	end = line + len;
	n = next_field(&p, end, &tok);
	if(next_field(&p, end, &rest) != 0) {
		fb_fmt_refuse(c, "text after the name", line, len);
		return 1;
	}
	return fb_fmt_name_or_address(c, tok, n, 0);
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
hosts_line(struct fb_fmt_ctx *c, const char *line, size_t len)
{
	const char *p, *end, *tok;
	size_t n;
	int names = 0;

	if(!trim_line(c, &line, &len))
		return 1;
	p = line;
	end = line + len;
	n = next_field(&p, end, &tok);
	if(!hosts_block_address(tok, n)) {
		/* the header of a stock hosts file ("255.255.255.255
		 * broadcasthost", "ff02::1 ip6-allnodes") is not an error */
		if(hosts_all_boilerplate(p, end)) {
			c->st->skipped++;
			return 1;
		}
		fb_fmt_refuse(c, "address is not 0.0.0.0, 127.0.0.1, :: or ::1",
			line, len);
		return 1;
	}
	while((n = next_field(&p, end, &tok)) != 0) {
		names++;
		if(hosts_boilerplate(tok, n))
			c->st->skipped++;
		else if(!fb_fmt_name(c, tok, n, 0))
			return 0;
	}
	if(names == 0)
		fb_fmt_refuse(c, "no name after the address", line, len);
	return 1;
}

enum fb_parse_status
fb_fmt_domains(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	return fb_fmt_lines(c, buf, len, domains_line);
}

enum fb_parse_status
fb_fmt_hosts(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	return fb_fmt_lines(c, buf, len, hosts_line);
}
