/**
 * \file
 * Feed formats: turn the bytes of a downloaded or local list into a set of
 * store keys.  Every byte is outside input.  A line that is not a usable
 * name is counted and reported (line number, reason), never fatal: one
 * bad line must not cost the rest of the list.
 *
 * Formats (enum fb_format in fb_config.h):
 * - domains: one name a line; '#' at the start of a line or after white
 *   space starts a comment (a '#' glued to a name, as in adblock's
 *   "example.com##.ad", makes the line invalid rather than listing all of
 *   example.com); blank lines skipped; "*.name" lists only the names below
 *   name.
 * - hosts:   "ADDRESS name [name ...]" with ADDRESS 0.0.0.0, 127.0.0.1,
 *   :: or ::1; '#' comments; the exact names localhost,
 *   localhost.localdomain, local, broadcasthost, 0.0.0.0, ip6-localhost,
 *   ip6-loopback, ip6-localnet, ip6-mcastprefix, ip6-allnodes,
 *   ip6-allrouters and ip6-allhosts are skipped, not counted as invalid
 *   (other names starting with "ip6-" are names like any other), and so
 *   are lines of other addresses that name only those
 *   (255.255.255.255 broadcasthost, ff02::1 ip6-allnodes).  Names are
 *   counted one by one: a hosts line with three names counts three.
 * Lines may end in LF or CRLF; the last line needs no newline; a UTF-8
 * byte order mark at the start is skipped.  A NUL byte or a line longer
 * than FB_PARSE_LINE_MAX makes that line invalid.
 *
 * Thread safety: reentrant.
 */
#ifndef FB_PARSE_H
#define FB_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_nameset.h"

/** Longest line accepted (a name is at most 253 bytes; hosts lines hold
 * several). */
#define FB_PARSE_LINE_MAX 4096

/** Counts of one parse. */
struct fb_parse_stats {
	uint64_t lines;		/**< lines read */
	uint64_t names;		/**< names accepted (before de-duplication) */
	uint64_t invalid;	/**< names or lines refused */
	uint64_t skipped;	/**< blank, comment and hosts-boilerplate */
};

/**
 * Called for each refused line (each refused name, on hosts lines).
 * @param arg: caller's.
 * @param line: 1-based line number.
 * @param reason: short English reason (fb_name_strerror() or a format one).
 * @param text: the offending bytes (not NUL-terminated, may be binary).
 * @param len: their length (capped at 80).
 */
typedef void fb_parse_report(void *arg, uint64_t line, const char *reason,
	const char *text, size_t len);

/**
 * Parse a whole feed held in memory and add its names to ns.
 * @param fmt: the format.
 * @param buf: the bytes (need not be NUL-terminated).
 * @param len: their number.
 * @param ns: the set names are added to (not finished here).
 * @param st: out: counts.
 * @param report: NULL or called for every refused line.
 * @param arg: for report.
 * @return 1 on success, 0 when out of memory.
 */
int fb_parse_feed(enum fb_format fmt, const char *buf, size_t len,
	struct fb_nameset *ns, struct fb_parse_stats *st,
	fb_parse_report *report, void *arg);

#endif /* FB_PARSE_H */
