/**
 * \file
 * What the format parsers (feeds/fmt_*.c) share with feeds/fb_parse.c.
 * Not installed, not for callers of fb_parse.h.
 *
 * A parser is one function that walks the whole buffer and tells the
 * context about each line: fb_fmt_name() / fb_fmt_host() / fb_fmt_url()
 * for an entry, fb_fmt_refuse() for a refused one, st->skipped++ for a
 * line without one.  Line formats let fb_fmt_lines() do the walking.
 */
#ifndef FB_FMT_H
#define FB_FMT_H

#include "fb_parse.h"
#include "fb_name.h"

/** State of one parse. */
struct fb_fmt_ctx {
	const struct fb_parse_opts *o;
	struct fb_parse_stats *st;
	fb_parse_entry_cb *entry;
	fb_parse_report *report;
	void *arg;
	/** line (or record, or element) being parsed, 1-based */
	uint64_t lineno;
	/** category for entries of the current line */
	enum fb_category category;
	/** date the current record gives its entries (csv date-column),
	 * unix time, or 0 */
	int64_t date;
	/** 1: a plain name means the name alone (FB_SCOPE_SELF, as in
	 * rpz), not the name and everything below it */
	int exact;
	/** action for entries of the current line (rpz); else
	 * FB_ACTION_DEFAULT, the feed's */
	enum fb_action action;
	/** where the error of FB_PARSE_MALFORMED goes */
	char *err;
	size_t errlen;
};

/** One line, without its line ending.  @return 0 on out of memory. */
typedef int fb_fmt_line_fn(struct fb_fmt_ctx *c, const char *line,
	size_t len);

/** A whole-buffer parser. */
typedef enum fb_parse_status fb_fmt_run_fn(struct fb_fmt_ctx *c,
	const char *buf, size_t len);

/** The parsers, one a format (fmt_*.c). */
fb_fmt_run_fn fb_fmt_domains, fb_fmt_hosts, fb_fmt_urls, fb_fmt_adblock,
	fb_fmt_csv, fb_fmt_json, fb_fmt_rpz;

/**
 * Walk the lines of a line format: skip a UTF-8 byte order mark, cut LF
 * or CRLF, count lines, refuse lines over FB_PARSE_LINE_MAX or with a NUL
 * byte; call fn for the others.
 */
enum fb_parse_status fb_fmt_lines(struct fb_fmt_ctx *c, const char *buf,
	size_t len, fb_fmt_line_fn *fn);

/** Count a refused line or entry and report it (text capped at 80). */
void fb_fmt_refuse(struct fb_fmt_ctx *c, const char *reason,
	const char *text, size_t len);

/**
 * Parse a name (fb_name_parse, no lone top-level domain) and hand it on;
 * refuse it with the parser's reason.
 * @param flags: FB_ENTRY_* for the entry.
 * @return 0 when the callback said stop, else 1.
 */
int fb_fmt_name(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags);

/**
 * Like fb_fmt_name(), but a URL host that is an IP literal (dotted IPv4,
 * or an all-numeric last label as browsers read it: "3232235777") is an
 * address entry; one that no browser reads as IPv4 is refused.
 */
int fb_fmt_host(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags);

/**
 * Parse an address or prefix in presentation form (fb_addr_parse) and
 * hand it on, unless feeds may not list it (fb_addr_refused): then, or
 * when it does not parse, it is refused with the reason.
 * @return 0 when the callback said stop, else 1.
 */
int fb_fmt_address(struct fb_fmt_ctx *c, const char *text, size_t len,
	unsigned flags);

/** An address or prefix if text reads as one (fb_fmt_address), else a
 * name (fb_fmt_name). */
int fb_fmt_name_or_address(struct fb_fmt_ctx *c, const char *text,
	size_t len, unsigned flags);

/**
 * One URL or bare host[/path], as the urls format defines it (see
 * fmt_urls.c), for urls lines and csv and json values.
 */
int fb_fmt_url(struct fb_fmt_ctx *c, const char *text, size_t len);

/** Set the error of FB_PARSE_MALFORMED.  @return FB_PARSE_MALFORMED. */
enum fb_parse_status fb_fmt_malformed(struct fb_fmt_ctx *c, size_t off,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** @return 1 for the blanks between fields of a line (space, tab). */
static inline int
fb_fmt_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

#endif /* FB_FMT_H */
