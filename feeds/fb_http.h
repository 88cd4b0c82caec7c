/**
 * \file
 * The few facts of an HTTP response that fraudblock-sync reads itself
 * from its header lines: the validators for the next conditional GET
 * (ETag, Last-Modified) and the Content-Encoding.  libcurl does the
 * protocol; these lines come from the server and are outside input.
 *
 * Rules: a header line is "Name: value" (name case-insensitive, value
 * trimmed of spaces and tabs).  A status line ("HTTP/...") starts a new
 * response and forgets what the previous one (a redirect, a 100
 * Continue) said.  A validator is kept only if it is 1 to
 * FB_HTTP_ETAG_MAX - 1 (ETag) or FB_HTTP_DATE_MAX - 1 (Last-Modified)
 * bytes of printable ASCII (0x20..0x7e): it is stored in the feed's
 * record and sent back in a request header later, so a control byte or
 * an overlong value is dropped (and counted), never kept or cut.
 *
 * Thread safety: reentrant.
 */
#ifndef FB_HTTP_H
#define FB_HTTP_H

#include <stddef.h>

/** Room for an ETag with its NUL (fb_source_info.etag). */
#define FB_HTTP_ETAG_MAX 256
/** Room for a Last-Modified with its NUL (fb_source_info.last_modified). */
#define FB_HTTP_DATE_MAX 64

/** Content-Encoding of a response. */
enum fb_http_encoding {
	FB_HTTP_ENC_NONE = 0,	/**< absent or identity */
	FB_HTTP_ENC_GZIP,	/**< gzip or x-gzip */
	FB_HTTP_ENC_OTHER	/**< anything else: not supported */
};

/** What the header lines of the current response said. */
struct fb_http_resp {
	/** code of the last status line, 0 before one came */
	int status;
	/** ETag, "" when absent or dropped */
	char etag[FB_HTTP_ETAG_MAX];
	/** Last-Modified, "" when absent or dropped */
	char last_modified[FB_HTTP_DATE_MAX];
	/** Content-Encoding */
	enum fb_http_encoding encoding;
	/** FB_HTTP_ENC_OTHER: the value, printable, maybe cut */
	char encoding_text[32];
	/** validators dropped as malformed in this response */
	int dropped;
};

/** Forget everything: a new response. */
void fb_http_resp_reset(struct fb_http_resp *r);

/**
 * Take one header line as the server sent it (the CRLF may be there).
 * @param r: the response so far.
 * @param line: the bytes; not NUL-terminated, may hold any byte.
 * @param len: their number.
 */
void fb_http_header_line(struct fb_http_resp *r, const char *line,
	size_t len);

/**
 * Whether a stored validator may be sent back in a request header.
 * @param v: NUL-terminated.
 * @param room: the size of the field it came from.
 * @return 1 if v is 1 to room - 1 bytes of printable ASCII, else 0.
 */
int fb_http_value_ok(const char *v, size_t room);

#endif /* FB_HTTP_H */
