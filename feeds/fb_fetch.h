/**
 * \file
 * Downloading one feed over http:// or https:// (libcurl): its
 * decompressed bytes end up in a spool file (fb_spool.h) and the caller
 * gets a read-only mapping of them, so the feed is never held in
 * anonymous memory.
 *
 * Contract:
 * - TLS is always verified (peer and host name); opts->ca_file replaces
 *   the system's CAs, opts->pin ("sha256//BASE64[;sha256//...]") adds a
 *   public key pin.  A verification failure is an error for the feed.
 * - Conditional GET: opts->etag / opts->last_modified, when set, are sent
 *   as If-None-Match / If-Modified-Since; a 304 is FB_FETCH_NOT_MODIFIED
 *   (to a request without them, an error: it cannot mean "as before").
 * - Only status 200 (with a body) and 304 are accepted; any other is an
 *   error naming the code ("HTTP 404").
 * - Content-Encoding gzip (asked for with Accept-Encoding: gzip), a body
 *   whose URL path ends in ".gz", and any body that starts with the gzip
 *   magic are inflated while they stream in (curl's own decoding is off:
 *   one decoder, strict about truncation).  Other encodings are refused.
 * - Bounds: opts->max_download bytes on the wire, opts->max_size bytes
 *   after decompression; crossing either aborts the transfer.
 * - A transfer curl reports as incomplete is an error, never a short feed.
 * - Time: connect within opts->timeout seconds, no stall (no body byte,
 *   headers included: none yet) of opts->timeout seconds, the whole
 *   transfer within FB_FETCH_TOTAL_FACTOR times opts->timeout.
 * - Retries: opts->retries more attempts after transient failures only
 *   (cannot resolve or connect, time-outs and stalls, send/receive
 *   errors, partial bodies, HTTP 5xx), after 1 s, 2 s, 4 s ... (at most
 *   FB_FETCH_BACKOFF_MAX_MS).  Never after a 4xx, a TLS failure or a
 *   bound crossed.
 * - Redirects are followed, at most FB_FETCH_MAX_REDIRS, to http:// and
 *   https:// only (never file:// or another protocol).
 * - Proxies come from the environment, as curl reads them: http_proxy,
 *   https_proxy (or HTTPS_PROXY), all_proxy, no_proxy.
 * - User-Agent: fraudblock-sync/VERSION (the project has no home page URL
 *   yet to add as "(+URL)").
 *
 * Thread safety: call fb_fetch_init() once before any thread starts; then
 * one fetch per thread at a time.
 */
#ifndef FB_FETCH_H
#define FB_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include "fb_http.h"

/** Redirects followed at most. */
#define FB_FETCH_MAX_REDIRS 5
/** The whole transfer may take this many times the timeout. */
#define FB_FETCH_TOTAL_FACTOR 20
/** First pause before a retry, ms; it doubles each time. */
#define FB_FETCH_BACKOFF_MS 1000
/** Longest pause before a retry, ms. */
#define FB_FETCH_BACKOFF_MAX_MS 8000

/** What to fetch and how. */
struct fb_fetch_opts {
	const char *url;	/**< http:// or https:// */
	const char *ca_file;	/**< NULL: the system's CA store */
	const char *pin;	/**< NULL, or sha256//BASE64[;sha256//...] */
	const char *etag;	/**< NULL or "": no If-None-Match */
	const char *last_modified; /**< NULL or "": no If-Modified-Since */
	unsigned timeout;	/**< seconds, at least 1 */
	unsigned retries;	/**< more attempts after transient failures */
	uint64_t max_download;	/**< most bytes on the wire */
	uint64_t max_size;	/**< most bytes after decompression */
	/** name for progress lines (the feed's), NULL: none shown */
	const char *progress;
};

/** Outcome of fb_fetch(). */
enum fb_fetch_status {
	FB_FETCH_OK = 0,	/**< 200: data and len hold the feed */
	FB_FETCH_NOT_MODIFIED,	/**< 304: nothing to read */
	FB_FETCH_FAILED		/**< err says why */
};

struct fb_spool;

/** A download, as it ended. */
struct fb_fetch_result {
	int status;		/**< HTTP status of the last response, or 0 */
	/** ETag / Last-Modified of the response ("" if none or unfit) */
	struct fb_http_resp http;
	const char *data;	/**< FB_FETCH_OK: the decompressed bytes */
	size_t len;		/**< their number */
	uint64_t wire_bytes;	/**< body bytes received, last attempt */
	unsigned attempts;	/**< requests made */
	int gzip;		/**< the body was inflated */
	struct fb_spool *spool;	/**< holds data; fb_fetch_release() */
};

/** Initialise libcurl once per process.  @return 1, or 0 on failure. */
int fb_fetch_init(void);

/** @return 1 if source is an http:// or https:// URL (case-insensitive). */
int fb_fetch_is_url(const char *source);

/**
 * Download a feed (see the contract above).
 * @param o: what and how.
 * @param r: out: the result; release with fb_fetch_release() whatever
 *	the outcome.
 * @param err: out: one line, without the URL, on FB_FETCH_FAILED.
 * @param errlen: size of err.
 * @return an fb_fetch_status.
 */
enum fb_fetch_status fb_fetch(const struct fb_fetch_opts *o,
	struct fb_fetch_result *r, char *err, size_t errlen);

/** Unmap and close what a result holds; its data is gone after this. */
void fb_fetch_release(struct fb_fetch_result *r);

#endif /* FB_FETCH_H */
