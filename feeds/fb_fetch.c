/**
 * \file
 * Downloading one feed; the contract is in fb_fetch.h.
 *
 * One curl easy handle per attempt; each attempt that gets a 200 starts a
 * new spool, so a retried transfer never appends to a partial one.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "fb_fetch.h"
#include "fb_spool.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/** Downloads smaller than this show no progress. */
#define FETCH_PROGRESS_MIN (1024 * 1024)
/** Least time between two progress updates, ms. */
#define FETCH_PROGRESS_MS 250

/** The state of one attempt, shared by curl's callbacks. */
struct xfer {
	CURL *curl;			/**< the transfer */
	const struct fb_fetch_opts *o;	/**< what and how */
	struct fb_fetch_result *r;	/**< headers land in r->http */
	struct fb_spool *spool;		/**< made at the first 200 body byte */
	uint64_t wire;			/**< body bytes received */
	/** why a callback stopped the transfer, "" if none did */
	char stop[256];
	int64_t progress_ms;		/**< when progress was last shown */
	int64_t byte_ms;		/**< when the last body byte came */
	curl_off_t dlnow;		/**< body bytes at byte_ms */
	int stalled;			/**< stopped for a stall (transient) */
	int conditional;		/**< validators were sent */
	int progress_shown;		/**< a progress line is on screen */
};

int
fb_fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int
fb_fetch_is_url(const char *source)
{
	return strncasecmp(source, "http://", 7) == 0 ||
		strncasecmp(source, "https://", 8) == 0;
}

/** @return monotonic milliseconds. */
static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** curl header callback: one line of the response header. */
static size_t
on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	fb_http_header_line(&x->r->http, line, n);
	return size * n;
}

/** @return 1 if the path of url (query and fragment cut) ends in ".gz". */
static int
url_is_gz(const char *url)
{
	size_t len = strcspn(url, "?#");

	return len >= 3 && strncasecmp(url + len - 3, ".gz", 3) == 0;
}

/** Start the spool of a 200 response.  @return 1, or 0 with x->stop. */
static int
start_spool(struct xfer *x)
{
	enum fb_spool_mode mode = FB_SPOOL_AUTO;
	char *url = NULL;

	if(x->r->http.encoding == FB_HTTP_ENC_OTHER) {
		snprintf(x->stop, sizeof(x->stop), "unsupported "
			"Content-Encoding '%s'", x->r->http.encoding_text);
		return 0;
	}
	/* the URL after redirects names the file the body is */
	if(curl_easy_getinfo(x->curl, CURLINFO_EFFECTIVE_URL, &url) !=
		CURLE_OK || !url)
		url = (char *)x->o->url;
	if(x->r->http.encoding == FB_HTTP_ENC_GZIP || url_is_gz(url))
		mode = FB_SPOOL_GZIP;
	x->spool = fb_spool_new(mode, x->o->max_size, x->stop,
		sizeof(x->stop));
	return x->spool != NULL;
}

/** curl write callback: body bytes.  Returning less than given aborts. */
static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	long code = 0;

	(void)size;	/* always 1 */
	if(n > x->o->max_download - x->wire) {
		snprintf(x->stop, sizeof(x->stop), "over max-download (%llu "
			"bytes on the wire)",
			(unsigned long long)x->o->max_download);
		return 0;
	}
	x->wire += n;
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
	/* the body of an error is of no use: counted, not kept */
	if(code != 200)
		return n;
	if(!x->spool && !start_spool(x))
		return 0;
	if(!fb_spool_write(x->spool, buf, n)) {
		snprintf(x->stop, sizeof(x->stop), "%s",
			fb_spool_error(x->spool));
		return 0;
	}
	return n;
}

/**
 * curl progress callback (about once a second, and as bytes come): cut a
 * stalled transfer, show a line on the terminal for big downloads.
 * curl's own low-speed check averages over several seconds, so a body
 * that stops after a first burst would run timeout + ~6 s; this one
 * counts from the last byte.
 * @return 0 to go on, 1 to abort the transfer.
 */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
	curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;
	int64_t now = mono_ms();
	unsigned t = x->o->timeout ? x->o->timeout : 1;

	(void)ultotal;
	(void)ulnow;
	if(dlnow != x->dlnow) {
		x->dlnow = dlnow;
		x->byte_ms = now;
	} else if(now - x->byte_ms >= (int64_t)t * 1000) {
		snprintf(x->stop, sizeof(x->stop), "stalled: no data for %u "
			"s (timeout)", t);
		x->stalled = 1;
		return 1;
	}
	if(!x->o->progress || dlnow < FETCH_PROGRESS_MIN)
		return 0;
	if(x->progress_shown && now - x->progress_ms < FETCH_PROGRESS_MS)
		return 0;
	x->progress_ms = now;
	x->progress_shown = 1;
	if(dltotal > 0)
		fprintf(stderr, "\rfeed %s: %lld of %lld bytes ", x->o->progress,
			(long long)dlnow, (long long)dltotal);
	else
		fprintf(stderr, "\rfeed %s: %lld bytes ", x->o->progress,
			(long long)dlnow);
	return 0;
}

/** Add "Name: value" to a header list.  @return 1, or 0 on OOM. */
static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	char line[FB_HTTP_ETAG_MAX + 32];
	struct curl_slist *n;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if(!(n = curl_slist_append(*list, line)))
		return 0;
	*list = n;
	return 1;
}

/**
 * The request headers of a fetch.
 * @param conditional: out: 1 if a validator is among them.
 * @return 1, or 0 on OOM.
 */
static int
request_headers(const struct fb_fetch_opts *o, struct curl_slist **list,
	int *conditional)
{
	*list = NULL;
	*conditional = 0;
	/* decoded by the spool, not by curl (see the contract) */
	if(!add_header(list, "Accept-Encoding", "gzip"))
		return 0;
	/* a stored validator unfit for a header line is not sent */
	if(o->etag && fb_http_value_ok(o->etag, FB_HTTP_ETAG_MAX)) {
		if(!add_header(list, "If-None-Match", o->etag))
			return 0;
		*conditional = 1;
	}
	if(o->last_modified &&
		fb_http_value_ok(o->last_modified, FB_HTTP_DATE_MAX)) {
		if(!add_header(list, "If-Modified-Since", o->last_modified))
			return 0;
		*conditional = 1;
	}
	return 1;
}

/** Set the options of one attempt.  @return 1, or 0 if curl refused. */
static int
setup(struct xfer *x, struct curl_slist *hdrs, char *errbuf)
{
	const struct fb_fetch_opts *o = x->o;
	CURL *c = x->curl;
	long t = (long)(o->timeout ? o->timeout : 1);
	int bad = 0;

#define SET(opt, val) bad |= curl_easy_setopt(c, opt, val) != CURLE_OK
	SET(CURLOPT_URL, o->url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	/* http and https only, also after a redirect: a server must not
	 * make us read file:// or talk another protocol */
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)FB_FETCH_MAX_REDIRS);
	SET(CURLOPT_USERAGENT, "fraudblock-sync/" PACKAGE_VERSION);
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_HTTP_CONTENT_DECODING, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if(o->ca_file) {
		SET(CURLOPT_CAINFO, o->ca_file);
		/* only that file: not also the system's CA directory */
		SET(CURLOPT_CAPATH, NULL);
	}
	if(o->pin)
		SET(CURLOPT_PINNEDPUBLICKEY, o->pin);
	SET(CURLOPT_CONNECTTIMEOUT, t);
	SET(CURLOPT_TIMEOUT, t * FB_FETCH_TOTAL_FACTOR);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(o->max_download >
		(uint64_t)INT64_MAX ? INT64_MAX : (int64_t)o->max_download));
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
#undef SET
	return !bad;
}

/** @return 1 if a curl error may go away when tried again. */
static int
transient(CURLcode rc)
{
	switch(rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/** @return 1 if a curl error is about TLS (verification, handshake). */
static int
tls_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
		rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
		rc == CURLE_SSL_CACERT_BADFILE ||
		rc == CURLE_SSL_CONNECT_ERROR ||
		rc == CURLE_SSL_CERTPROBLEM;
}

/**
 * Judge an attempt.
 * @param retry: out: 1 if it may be tried again.
 * @return an fb_fetch_status (err set on FB_FETCH_FAILED).
 */
static enum fb_fetch_status
judge(struct xfer *x, CURLcode rc, const char *errbuf, int *retry,
	char *err, size_t errlen)
{
	struct fb_fetch_result *r = x->r;
	long code = 0;

	*retry = 0;
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
	r->status = (int)code;
	if(x->stop[0]) {
		/* a bound crossed, bad gzip, a spool error: final; a stall
		 * may pass */
		*retry = x->stalled;
		snprintf(err, errlen, "%s", x->stop);
		return FB_FETCH_FAILED;
	}
	if(rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "over max-download (%llu bytes on the "
			"wire): the server announces more",
			(unsigned long long)x->o->max_download);
		return FB_FETCH_FAILED;
	}
	if(rc != CURLE_OK) {
		*retry = transient(rc);
		snprintf(err, errlen, "%s%s%s%s", tls_error(rc) ? "TLS: " : "",
			curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
		return FB_FETCH_FAILED;
	}
	if(code == 304 && x->conditional)
		return FB_FETCH_NOT_MODIFIED;
	if(code == 304) {
		/* nothing was asked that 304 could answer: not a feed */
		snprintf(err, errlen, "HTTP 304 to a request without "
			"If-None-Match or If-Modified-Since");
		return FB_FETCH_FAILED;
	}
	if(code != 200) {
		*retry = code >= 500 && code <= 599;
		snprintf(err, errlen, "HTTP %ld", code);
		return FB_FETCH_FAILED;
	}
	r->gzip = x->spool && fb_spool_gzip(x->spool);
	if(x->spool && !fb_spool_finish(x->spool, &r->data, &r->len)) {
		snprintf(err, errlen, "%s", fb_spool_error(x->spool));
		return FB_FETCH_FAILED;
	}
	return FB_FETCH_OK;
}

/** One attempt.  @return an fb_fetch_status; *retry as judge(). */
static enum fb_fetch_status
attempt(const struct fb_fetch_opts *o, struct curl_slist *hdrs,
	int conditional, struct fb_fetch_result *r, int *retry, char *err,
	size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	enum fb_fetch_status s;
	struct xfer x;
	CURLcode rc;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.r = r;
	x.byte_ms = mono_ms();
	x.conditional = conditional;
	errbuf[0] = 0;
	fb_http_resp_reset(&r->http);
	*retry = 0;
	if(!(x.curl = curl_easy_init())) {
		snprintf(err, errlen, "cannot start libcurl");
		return FB_FETCH_FAILED;
	}
	if(!setup(&x, hdrs, errbuf)) {
		snprintf(err, errlen, "libcurl refused an option (built "
			"without https or older than 7.85?)");
		curl_easy_cleanup(x.curl);
		return FB_FETCH_FAILED;
	}
	rc = curl_easy_perform(x.curl);
	if(x.progress_shown)
		fprintf(stderr, "\n");
	r->attempts++;
	r->wire_bytes = x.wire;
	s = judge(&x, rc, errbuf, retry, err, errlen);
	curl_easy_cleanup(x.curl);
	if(s == FB_FETCH_OK)
		r->spool = x.spool;
	else
		fb_spool_free(x.spool);
	return s;
}

enum fb_fetch_status
fb_fetch(const struct fb_fetch_opts *o, struct fb_fetch_result *r,
	char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	enum fb_fetch_status s;
	unsigned pause = FB_FETCH_BACKOFF_MS, tries;
	int retry, conditional;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->data = "";
	if(!request_headers(o, &hdrs, &conditional)) {
		curl_slist_free_all(hdrs);
		snprintf(err, errlen, "out of memory");
		return FB_FETCH_FAILED;
	}
	for(tries = 0; ; tries++) {
		s = attempt(o, hdrs, conditional, r, &retry, err, errlen);
		if(s != FB_FETCH_FAILED || !retry || tries >= o->retries)
			break;
		/* a signal may cut the pause short: no harm to a backoff */
		(void)poll(NULL, 0, (int)pause);
		pause = pause * 2 > FB_FETCH_BACKOFF_MAX_MS ?
			FB_FETCH_BACKOFF_MAX_MS : pause * 2;
	}
	curl_slist_free_all(hdrs);
	if(s == FB_FETCH_FAILED && r->attempts > 1 &&
		(n = strlen(err)) < errlen)
		snprintf(err + n, errlen - n, " (after %u attempts)",
			r->attempts);
	return s;
}

void
fb_fetch_release(struct fb_fetch_result *r)
{
	fb_spool_free(r->spool);
	r->spool = NULL;
	r->data = "";
	r->len = 0;
}
