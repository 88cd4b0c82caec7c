/**
 * \file
 * The adblock format: the subset of Adblock Plus filter syntax that
 * blocks whole host names, as Chống Lừa Đảo's urls-ABP.txt.
 *
 * Lines end in LF or CRLF (fb_fmt_lines()); blanks around a rule are
 * ignored.  Per line, after trimming:
 * - empty: skipped;
 * - "!...": a comment, skipped;
 * - "[...]" (the "[Adblock Plus 2.0]" header): skipped;
 * - "@@...": an exception rule; a blocker by name cannot unblock part of
 *   a page, so skipped and counted as unsupported;
 * - a rule holding "##", "#@#", "#?#", "#$#" or "#%#": element hiding or
 *   scripting, nothing to do with names; skipped, counted unsupported;
 * - "||NAME^", optionally followed by "|" and by "$" with no options:
 *   NAME is blocked with everything below it, read by fb_name_parse()
 *   (lowercased, IDN to A-labels); an IP address as NAME is an address
 *   entry;
 * - "||NAME^$OPTIONS" with any option: the rule applies to some requests
 *   only (third-party, a content type, a domain), so blocking the name
 *   for every lookup would over-block; skipped, counted unsupported;
 * - anything else ("||NAME" without "^" matches "NAME.evil" and
 *   "NAMEx" too, "||NAME/path^", "|http://...", plain substrings,
 *   /regex/): skipped, counted unsupported;
 * - "||^", or a NAME fb_name_parse() refuses: invalid.
 */
#include <string.h>
#include "fmt.h"

/** @return 1 if the rule is element hiding or a snippet. */
static int
cosmetic(const char *s, size_t n)
{
	static const char *const seps[] = { "##", "#@#", "#?#", "#$#", "#%#" };
	size_t i, j, k;

	for(i = 0; i < n; i++) {
		if(s[i] != '#')
			continue;
		for(j = 0; j < sizeof(seps) / sizeof(seps[0]); j++) {
			k = strlen(seps[j]);
			if(n - i >= k && memcmp(s + i, seps[j], k) == 0)
				return 1;
		}
	}
	return 0;
}

/** Count a rule that is not a name block. */
static int
unsupported(struct fb_fmt_ctx *c)
{
	c->st->skipped++;
	c->st->unsupported++;
	return 1;
}

static int
adblock_line(struct fb_fmt_ctx *c, const char *line, size_t len)
{
	size_t s = 0, n = len, e;
	const char *r;

	while(s < n && fb_fmt_blank(line[s]))
		s++;
	while(n > s && fb_fmt_blank(line[n-1]))
		n--;
	line += s;
	n -= s;
	if(n == 0 || line[0] == '!' || (line[0] == '[' && line[n-1] == ']')) {
		c->st->skipped++;
		return 1;
	}
	if((n >= 2 && line[0] == '@' && line[1] == '@') || cosmetic(line, n))
		return unsupported(c);
	if(n < 2 || line[0] != '|' || line[1] != '|')
		return unsupported(c);
	for(e = 2; e < n; e++)
		if(strchr("^$/|:?*", line[e]))
			break;
	/* what may follow the name: "^", "^|", each with an empty "$" */
	r = line + e;
	switch(n - e) {
	case 1:
		if(r[0] != '^')
			return unsupported(c);
		break;
	case 2:
		if(memcmp(r, "^|", 2) != 0 && memcmp(r, "^$", 2) != 0)
			return unsupported(c);
		break;
	case 3:
		if(memcmp(r, "^|$", 3) != 0)
			return unsupported(c);
		break;
	default:
		return unsupported(c);
	}
	if(e == 2) {
		fb_fmt_refuse(c, "no name in rule", line, n);
		return 1;
	}
	return fb_fmt_host(c, line + 2, e - 2, 0);
}

enum fb_parse_status
fb_fmt_adblock(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	return fb_fmt_lines(c, buf, len, adblock_line);
}
