/**
 * \file
 * Feed formats: turn the bytes of a downloaded or local list into store
 * keys.  Every byte is outside input.  A line that is not a usable name is
 * counted and reported (line number, reason), never fatal: one bad line
 * must not cost the rest of the list.  The one exception is a document
 * format (json, and csv's quoting and header) whose structure is broken:
 * then the whole feed is refused (FB_PARSE_MALFORMED), never a partial
 * list, and the entry callback has seen nothing.
 *
 * One interface for every format: fb_parse_run() hands each accepted
 * entry to a callback (struct fb_parse_entry: the key, or an IP address
 * for URLs naming one, and flags), so later stages can look at every
 * entry; fb_parse_feed() is the old shortcut that only fills a name set.
 * Each format lives in its own file whose header comment is its spec:
 * fmt_lines.c (domains, hosts), fmt_urls.c (urls), fmt_adblock.c,
 * fmt_csv.c, fmt_json.c, fmt_rpz.c.  In short:
 *
 * - domains: one name, IP address or CIDR prefix a line; '#' at the
 *   start of a line or after white
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
 * - urls:    one URL or bare host[/path] a line; the host is kept, an IP
 *   literal host is an address entry, a path is flagged.
 * Address entries (fb_addr.h) that feeds may not list (fb_addr_refused:
 * loopback, private, too short a prefix, ...) are refused lines.
 * - adblock: "||name^" and "||address^" rules; comments, header, cosmetic and exception
 *   rules and rules with options skipped (counted as unsupported).
 * - csv:     RFC 4180 with a header row; one column holds a URL or host,
 *   parsed like a urls line; optionally a category column and a date
 *   column.
 * - json:    an array of URL strings or of objects with a URL member.
 * - rpz:     a Response Policy Zone file (read with ldns); QNAME triggers
 *   and rpz-ip (response address) triggers with their own actions; see
 *   fmt_rpz.c.
 * Line formats: comment lines before the first entry may declare the
 * list's version ("# Version: 2607231411", also after '!') and size
 * ("# Blocked: 4.966 domains"); both are returned in the stats for the
 * caller to judge (fraudblock-sync refuses a version older than the one in
 * force and a size that disagrees with the body).
 * All formats: lines (csv records) may end in LF or CRLF, the last needs
 * no newline, and a UTF-8 byte order mark at the start is skipped.  In
 * the line formats (domains, hosts, urls, adblock) a NUL byte or a line
 * longer than FB_PARSE_LINE_MAX makes that line invalid; csv and json
 * refuse a URL value longer than that, and a NUL in it.
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
	uint64_t lines;		/**< lines read (csv: records, json:
				 * array elements) */
	uint64_t names;		/**< names accepted (before de-duplication) */
	uint64_t invalid;	/**< names or lines refused */
	uint64_t skipped;	/**< blank, comment and hosts-boilerplate,
				 * and the unsupported ones below */
	uint64_t addresses;	/**< addresses and prefixes accepted (IP
				 * literal URL hosts, address lines, rpz-ip
				 * triggers), before de-duplication */
	uint64_t paths;		/**< accepted entries that came with a path */
	uint64_t unsupported;	/**< adblock rules skipped as not a plain
				 * name block, rpz triggers of other kinds
				 * (also counted in skipped) */
	uint64_t localdata;	/**< rpz local data records: answered with
				 * the sinkhole, not the zone's records */
	uint64_t drops;		/**< rpz-drop triggers, listed as nxdomain */
	/** what a line format's header declares (comment lines before
	 * the first entry): "Version: N" (0 when absent or not a plain
	 * number) and "Blocked: N domains" (group separators allowed); for
	 * rpz, version is the SOA serial and version_is_serial is set (it
	 * is compared in serial number arithmetic, RFC 1982) */
	uint64_t version;
	int version_is_serial;
	uint64_t declared;
	int has_declared;
};

/** Entry flags. */
#define FB_ENTRY_ADDRESS 0x01	/**< an address or prefix: key is an
				 * address key (fb_addr.h) */
#define FB_ENTRY_PATH    0x02	/**< the URL had a path: more than a slash
				 * or a slash and a star */

/** One accepted entry, valid during the callback only. */
struct fb_parse_entry {
	/** the name's key, or the address key (fb_addr.h) of an address
	 * entry; never NULL */
	const struct fb_key *key;
	/** FB_SCOPE_* of the name ("*.name": below only); FB_SCOPE_TREE
	 * for an address */
	uint8_t scope;
	/** FB_ENTRY_* */
	unsigned flags;
	/** the entry's category: the feed's, or csv's category column */
	enum fb_category category;
	/** when the feed says the entry was listed (csv's date-column),
	 * unix time; 0 when it does not say */
	int64_t date;
	/** the entry's own action (rpz), or FB_ACTION_DEFAULT: the feed's */
	enum fb_action action;
	/** 1-based line (csv: line the record starts on; json: index of
	 * the array element) */
	uint64_t line;
	/** the host or line as written (for a URL's address: the literal,
	 * without the brackets of IPv6); not NUL-terminated */
	const char *host;
	size_t hostlen;
};

/**
 * Called for each accepted entry.
 * @return 1 to go on, 0 to stop the parse (out of memory).
 */
typedef int fb_parse_entry_cb(void *arg, const struct fb_parse_entry *e);

/** What a parse needs to know of its feed. */
struct fb_parse_opts {
	enum fb_format format;
	/** the feed's category, given to entries without one of their own */
	enum fb_category category;
	/** csv: header name or 1-based number of the URL column */
	const char *column;
	/** csv: NULL or header name or number of the category column */
	const char *category_column;
	/** csv: NULL or header name or number of a column giving the date
	 * each row was listed */
	const char *date_column;
	/** json: NULL ("url") or the member of objects holding the URL */
	const char *field;
};

/** Results of fb_parse_run(). */
enum fb_parse_status {
	FB_PARSE_OK = 0,
	FB_PARSE_NOMEM,		/**< out of memory, or the callback said stop */
	FB_PARSE_MALFORMED	/**< the document is broken; err says where */
};

/**
 * Called for each refused line (each refused name, on hosts lines).
 * @param arg: caller's.
 * @param line: 1-based line number (csv: the line the record starts on;
 *	json: the index of the array element).
 * @param reason: short English reason (fb_name_strerror() or a format one).
 * @param text: the offending bytes (not NUL-terminated, may be binary).
 * @param len: their length (capped at 80).
 */
typedef void fb_parse_report(void *arg, uint64_t line, const char *reason,
	const char *text, size_t len);

/**
 * Parse a whole feed held in memory, entry by entry.
 * @param o: format and its options.
 * @param buf: the bytes (need not be NUL-terminated).
 * @param len: their number.
 * @param st: out: counts.
 * @param entry: called for every accepted entry, in file order.
 * @param report: NULL or called for every refused line or entry.
 * @param arg: for entry and report.
 * @param err: out on FB_PARSE_MALFORMED: what and the byte offset.
 * @param errlen: size of err.
 * @return FB_PARSE_OK, FB_PARSE_NOMEM or FB_PARSE_MALFORMED.
 */
enum fb_parse_status fb_parse_run(const struct fb_parse_opts *o,
	const char *buf, size_t len, struct fb_parse_stats *st,
	fb_parse_entry_cb *entry, fb_parse_report *report, void *arg,
	char *err, size_t errlen);

/**
 * Parse a whole feed held in memory and add its names and addresses to
 * ns; formats that need options (csv) are refused.
 * @param fmt: the format.
 * @param buf: the bytes (need not be NUL-terminated).
 * @param len: their number.
 * @param ns: the set names are added to (not finished here).
 * @param st: out: counts.
 * @param report: NULL or called for every refused line.
 * @param arg: for report.
 * @return 1 on success, 0 when out of memory or malformed.
 */
int fb_parse_feed(enum fb_format fmt, const char *buf, size_t len,
	struct fb_nameset *ns, struct fb_parse_stats *st,
	fb_parse_report *report, void *arg);

#endif /* FB_PARSE_H */
