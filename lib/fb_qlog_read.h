/**
 * \file
 * Reading the query log back (schema version 1, doc/querylog.md): a line
 * splitter over any byte stream and a strict parser of one record.  Used
 * by fraudblock-ctl top and report; nothing here is in the module.
 *
 * The log is written by the module, but files get cut (a crash, a full
 * disk, a copy in progress) or damaged, and the query names in it were
 * chosen by clients: every line is untrusted.  The contract:
 *
 * - fb_qlog_lines_next() hands out one line at a time from a fixed buffer
 *   (FB_QLOG_READ_BUF bytes): memory does not grow with the file.  A line
 *   longer than FB_QLOG_READ_LINE_MAX is not handed out whole: it is
 *   reported as too long and skipped up to its newline.  A last line
 *   without a newline is handed out like the others (the parser decides).
 * - fb_qlog_parse() accepts a line only if it is one JSON object (RFC 8259,
 *   white space allowed, members in any order, each at most once) with
 *   "v": 1 and every member of version 1 of the right type; members it
 *   does not know are checked as JSON and ignored (the schema lets new
 *   ones be added at the end).  Anything else is refused with a reason,
 *   never a crash, never a read past the line.  It parses in place:
 *   string values are decoded into the line's own bytes, so the entry's
 *   pointers are valid while the line is (until the next call of
 *   fb_qlog_lines_next()).
 * - Decoded strings never hold a NUL (a "\u0000" refuses the record).
 *   "\u00XX" gives the byte XX (that is how the module escapes odd bytes
 *   of a feed name), other "\uXXXX" (and surrogate pairs) give UTF-8.
 *   qname and matched must be printable ASCII once decoded: the module
 *   writes them in DNS presentation form (\DDD for any other byte), so
 *   they are safe to print as they are; other strings are not, and a
 *   printer must escape them.
 *
 * Thread safety: none shared; one reader per thread.
 */
#ifndef FB_QLOG_READ_H
#define FB_QLOG_READ_H

#include <stddef.h>
#include <stdint.h>

/** Longest line parsed (the module writes at most FB_QLOG_LINE_MAX,
 * 4096; room is left for members a later version adds). */
#define FB_QLOG_READ_LINE_MAX 16384
/** Bytes of a splitter's buffer: one read() and the line it cuts. */
#define FB_QLOG_READ_BUF (256 * 1024 + FB_QLOG_READ_LINE_MAX)

/** A record's event member. */
enum fb_qlog_event {
	FB_QLOG_EV_BLOCK = 1,	/**< "block" */
	FB_QLOG_EV_PASS,	/**< "pass" */
	FB_QLOG_EV_WOULD_BLOCK	/**< "would-block": a client policy let it
				 * through */
};

/** One record.  Strings point into the parsed line; NULL is JSON null. */
struct fb_qlog_entry {
	int64_t ts_ms;		/**< "ts" as unix time in milliseconds */
	enum fb_qlog_event event;	/**< "event" */
	const char *client;	/**< "client", NULL when null */
	const char *key;	/**< "key", NULL when null or absent */
	const char *qname;	/**< presentation form, printable ASCII */
	const char *qtype;	/**< "qtype" */
	const char *qclass;	/**< "qclass" */
	/** the listed name, printable ASCII; NULL for pass */
	const char *matched;
	const char *feed;	/**< NULL for pass */
	const char *category;	/**< NULL for pass */
	const char *action;	/**< NULL for pass */
	int ede;		/**< "ede", -1 when null */
	uint64_t generation;	/**< "generation" */
	uint64_t thread;	/**< "thread" */
	int cname;		/**< "cname": 0 or 1 */
};

/** Why a line is not a record (0: it is one). */
enum fb_qlog_bad {
	FB_QLOG_GOOD = 0,
	FB_QLOG_BAD_JSON,	/**< not one JSON object */
	FB_QLOG_BAD_VERSION,	/**< "v" is not 1 */
	FB_QLOG_BAD_MISSING,	/**< a member of version 1 is missing */
	FB_QLOG_BAD_VALUE,	/**< a member of the wrong type or value */
	FB_QLOG_BAD_DUPLICATE,	/**< a member given twice */
	FB_QLOG_BAD_LONG,	/**< longer than FB_QLOG_READ_LINE_MAX */
	FB_QLOG_BAD_EMPTY	/**< an empty line */
};

/** @return a short English reason for a value of enum fb_qlog_bad. */
const char *fb_qlog_bad_str(enum fb_qlog_bad why);

/**
 * Parse one line (without its newline) as a record.
 * @param line: the bytes; changed in place (strings decoded, NULs put).
 * @param len: their number; the parser never looks at line[len].
 * @param e: out: the record; its strings point into line.
 * @return FB_QLOG_GOOD, or why not (e is then undefined).
 */
enum fb_qlog_bad fb_qlog_parse(char *line, size_t len,
	struct fb_qlog_entry *e);

/**
 * Parse an RFC 3339 time: "YYYY-MM-DDTHH:MM:SS", an optional fraction
 * (1 to 9 digits, cut to milliseconds), then "Z" or "+HH:MM"/"-HH:MM";
 * 't', 'z' and a space for 'T' are taken too.  Years 1970 to 9999.
 * @param s: the text, exactly len bytes (not NUL-terminated).
 * @param ms: out: unix time in milliseconds.
 * @return 1, or 0 if it is not such a time.
 */
int fb_qlog_time_parse(const char *s, size_t len, int64_t *ms);

/**
 * Parse a day "YYYY-MM-DD" (nothing after it).
 * @param ms: out: its first millisecond, UTC, as unix time.
 * @return 1, or 0 if it is not a valid date of 1970 to 9999.
 */
int fb_qlog_date_parse(const char *s, size_t len, int64_t *ms);

/**
 * What feeds a splitter.  Like read(2): @return bytes put in buf (at most
 * len), 0 at the end, -1 on an error.
 */
typedef long (*fb_qlog_read_fn)(void *arg, char *buf, size_t len);

/** A line splitter: one buffer, no allocation after fb_qlog_lines_new. */
struct fb_qlog_lines;

/** @return a new splitter reading with fn(arg), or NULL (no memory). */
struct fb_qlog_lines *fb_qlog_lines_new(fb_qlog_read_fn fn, void *arg);

/** Free a splitter (NULL is fine). */
void fb_qlog_lines_free(struct fb_qlog_lines *ls);

/**
 * The next line.
 * @param line: out: its first byte (in the splitter's buffer, valid until
 *	the next call, writable), or NULL for a line too long to return.
 * @param len: out: its length, the newline not counted.
 * @param lineno: out: its number in the stream, from 1.
 * @return 1 a line (or a too-long one, line NULL), 0 the end, -1 when fn
 *	failed (lines read before were all handed out).
 */
int fb_qlog_lines_next(struct fb_qlog_lines *ls, char **line, size_t *len,
	uint64_t *lineno);

#endif /* FB_QLOG_READ_H */
