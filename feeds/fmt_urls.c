/**
 * \file
 * The urls format, and the URL reading csv and json values share.
 *
 * urls: one URL a line, as OpenPhish's feed.txt, or a bare host with or
 * without a path, as Chống Lừa Đảo's urls.txt.  Lines end in LF or CRLF
 * (fb_fmt_lines()); blank lines and lines whose first non-blank byte is
 * '#' are skipped (a '#' later on is a URL fragment); a line holds one
 * URL, with blanks around it only.
 *
 * A URL (fb_fmt_url()):
 * - zero-width characters (U+200B, U+200C, U+200D, U+FEFF) are removed
 *   first, anywhere: pasted lists carry them, and they are invisible;
 * - a control byte (below 0x20, or 0x7f) anywhere refuses it; blanks
 *   around it are dropped; a space inside is left to the part it is in
 *   (harmless in a path, PhishTank has some; refused in the host);
 * - "scheme://" (any scheme) or a leading "//" is dropped;
 * - the authority runs to the first '/', '?', '#' or '\' (browsers read
 *   '\' as '/'); userinfo up to its last '@' (only after "scheme://" or
 *   "//": "mailto:x@example.com" is no host) and a ":port" (digits only,
 *   may be empty) are dropped;
 * - the host is a name for fb_name_parse(): lowercased, IDN to A-labels,
 *   a leading "*." lists only the names below, one trailing dot allowed,
 *   nothing else rewritten ("www." is kept);
 * - a host that is an IP literal, "[IPv6]" or dotted IPv4 or a name with
 *   an all-numeric last label that browsers read as IPv4
 *   ("0056.0151.0121.0114", "3232235777", "0x7f.1"), is an address entry
 *   (a /32 or /128), not a name; an all-numeric last label browsers do
 *   not read as IPv4 ("example.123") is refused; addresses feeds may not
 *   list (fb_addr_refused: loopback, private, ...) are refused;
 * - the path is what follows the authority up to '?' or '#'; if it is
 *   anything but "", "/" or "/" followed by "*", the entry is flagged
 *   FB_ENTRY_PATH (a query or fragment alone sets no flag).
 */
#include <string.h>
#include <arpa/inet.h>
#include "fmt.h"

/**
 * Length of a zero-width character (U+200B..U+200D, U+FEFF) in UTF-8
 * at p, or 0.
 */
static size_t
zero_width(const unsigned char *p, const unsigned char *end)
{
	if(end - p < 3)
		return 0;
	if(p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x8b && p[2] <= 0x8d)
		return 3;
	if(p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return 3;
	return 0;
}

/** @return 1 for a byte that may begin or continue a URL scheme. */
static int
scheme_char(char ch, int first)
{
	if((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return 1;
	return !first && ((ch >= '0' && ch <= '9') || ch == '+' ||
		ch == '-' || ch == '.');
}

/** @return the length of a "scheme://" or "//" prefix of s, or 0. */
static size_t
scheme_len(const char *s, size_t len)
{
	size_t i = 0;

	if(len >= 2 && s[0] == '/' && s[1] == '/')
		return 2;
	while(i < len && scheme_char(s[i], i == 0))
		i++;
	if(i > 0 && len - i >= 3 && memcmp(s + i, "://", 3) == 0)
		return i + 3;
	return 0;
}

/** Check and hand on an "[IPv6]" host (inside the brackets). */
static int
url_ipv6(struct fb_fmt_ctx *c, const char *h, size_t n, const char *text,
	size_t len, unsigned flags)
{
	char ip[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if(n == 0 || n >= sizeof(ip)) {
		fb_fmt_refuse(c, "bad IPv6 address in URL", text, len);
		return 1;
	}
	memcpy(ip, h, n);
	ip[n] = 0;
	if(inet_pton(AF_INET6, ip, &a) != 1) {
		fb_fmt_refuse(c, "bad IPv6 address in URL", text, len);
		return 1;
	}
	return fb_fmt_address(c, h, n, flags);
}

/** @return 1 if [s, s+n) is a port: digits only, at most 5 (or none). */
static int
port_ok(const char *s, size_t n)
{
	size_t i;

	if(n > 5)
		return 0;
	for(i = 0; i < n; i++)
		if(s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
fb_fmt_url(struct fb_fmt_ctx *c, const char *text, size_t len)
{
	char buf[FB_PARSE_LINE_MAX + 1];
	const unsigned char *p = (const unsigned char *)text,
		*end = p + len;
	size_t n = 0, s, a, i, hs, he, ps, pe, z;
	unsigned flags = 0;

	if(len > FB_PARSE_LINE_MAX) {
		fb_fmt_refuse(c, "URL too long", text, len);
		return 1;
	}
	while(p < end) {
		if((z = zero_width(p, end)) != 0) {
			p += z;
			continue;
		}
		buf[n++] = (char)*p++;
	}
	s = 0;
	while(s < n && fb_fmt_blank(buf[s]))
		s++;
	while(n > s && fb_fmt_blank(buf[n-1]))
		n--;
	for(i = s; i < n; i++) {
		if((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			fb_fmt_refuse(c, "control byte in URL",
				text, len);
			return 1;
		}
	}
	z = scheme_len(buf + s, n - s);
	s += z;
	/* the authority: [s, a) */
	for(a = s; a < n; a++)
		if(buf[a] == '/' || buf[a] == '?' || buf[a] == '#' ||
			buf[a] == '\\')
			break;
	/* the path: [ps, pe) */
	ps = a;
	for(pe = ps; pe < n; pe++)
		if(buf[pe] == '?' || buf[pe] == '#')
			break;
	if(!(pe == ps || (pe - ps == 1 && (buf[ps] == '/' ||
		buf[ps] == '\\')) || (pe - ps == 2 && buf[ps+1] == '*' &&
		(buf[ps] == '/' || buf[ps] == '\\'))))
		flags |= FB_ENTRY_PATH;
	/* the host: [hs, he) after userinfo, before port */
	hs = s;
	for(i = s; z && i < a; i++)
		if(buf[i] == '@')
			hs = i + 1;
	if(hs < a && buf[hs] == '[') {
		for(he = hs; he < a && buf[he] != ']'; he++)
			;
		if(he == a || !(he + 1 == a || (buf[he+1] == ':' &&
			port_ok(buf + he + 2, a - he - 2)))) {
			fb_fmt_refuse(c, "bad IPv6 address in URL", text,
				len);
			return 1;
		}
		return url_ipv6(c, buf + hs + 1, he - hs - 1, text, len,
			flags);
	}
	for(he = a; he > hs && buf[he-1] != ':'; he--)
		;
	if(he > hs) {
		if(!port_ok(buf + he, a - he)) {
			fb_fmt_refuse(c, "bad port in URL", text, len);
			return 1;
		}
		he--;
	} else
		he = a;
	if(he == hs) {
		fb_fmt_refuse(c, "no host in URL", text, len);
		return 1;
	}
	return fb_fmt_host(c, buf + hs, he - hs, flags);
}

/** A urls line. */
static int
urls_line(struct fb_fmt_ctx *c, const char *line, size_t len)
{
	size_t s = 0;

	while(s < len && fb_fmt_blank(line[s]))
		s++;
	if(s == len || line[s] == '#') {
		c->st->skipped++;
		return 1;
	}
	return fb_fmt_url(c, line, len);
}

enum fb_parse_status
fb_fmt_urls(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	return fb_fmt_lines(c, buf, len, urls_line);
}
