/**
 * \file
 * The bytes of one feed; the contract is in feed_input.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "feed_input.h"
#include "fb_reader.h"
#include "fb_source.h"

/**
 * Where a source lives on disk.
 * @return the path, or NULL if source is a URL this program cannot read.
 */
static const char *
source_path(const char *source)
{
	if(strncmp(source, "file://", 7) == 0) {
		source += 7;
		if(strncmp(source, "localhost/", 10) == 0)
			source += 9;
		/* "file://host/x" names another machine's file */
		return source[0] == '/' ? source : NULL;
	}
	if(strstr(source, "://") != NULL)
		return NULL;
	return source;
}

/** A URL as messages show it: no userinfo, no query or fragment. */
static void
url_label(const char *url, char *buf, size_t len)
{
	const char *host = strstr(url, "://"), *at, *end;
	size_t scheme, n;

	if(!host) {
		snprintf(buf, len, "%s", url);
		return;
	}
	host += 3;
	scheme = (size_t)(host - url);
	end = host + strcspn(host, "/?#");
	/* user:password@ is dropped, whatever it holds */
	at = memchr(host, '@', (size_t)(end - host));
	if(at)
		host = at + 1;
	n = strcspn(host, "?#");
	snprintf(buf, len, "%.*s%.*s%s", (int)scheme, url, (int)n, host,
		host[n] ? "?..." : "");
}

/** What find_record() looks for and finds. */
struct record_find {
	const char *name;		/**< the feed */
	struct fb_source_info info;	/**< its record, if found */
	int found;			/**< 1 if found */
};

/** fb_reader_sources callback: keep the record of one feed. */
static void
record_match(void *arg, const struct fb_source_info *si)
{
	struct record_find *rf = arg;

	if(!rf->found && si->id >= FB_SOURCE_FIRST_FEED &&
		strcmp(si->name, rf->name) == 0) {
		rf->info = *si;
		rf->found = 1;
	}
}

/**
 * Read a feed's record.  A store that cannot be read here only costs the
 * conditional GET: the write that follows reports its problems.
 * @return 1 if found.
 */
static int
find_record(struct fb_store *st, const char *name, struct fb_source_info *si)
{
	struct record_find rf;
	struct fb_reader *r;
	char err[256];

	memset(&rf, 0, sizeof(rf));
	rf.name = name;
	if(!fb_reader_new(st, &r, err, sizeof(err)))
		return 0;
	if(fb_reader_begin(r, NULL) == 0) {
		if(!fb_reader_sources(r, record_match, &rf))
			rf.found = 0;
		fb_reader_end(r);
	}
	fb_reader_free(r);
	if(rf.found)
		*si = rf.info;
	return rf.found;
}

/**
 * Download a feed's source, or a file beside it, with the feed's TLS and
 * transfer settings.
 * @param st: NULL, or the store whose record of the feed gives the
 *	validators for a conditional GET (the feed's own source only).
 * @return a feed_input_status.
 */
static enum feed_input_status
input_fetch(struct fb_store *st, const struct fb_feed_conf *f,
	const char *url, uint64_t max_size, int progress,
	struct feed_input *in, char *why, size_t whylen)
{
	static int curl_ready;
	struct fb_fetch_opts o;
	struct fb_source_info si;
	enum fb_fetch_status s;
	char err[512];

	url_label(url, in->url_label, sizeof(in->url_label));
	in->label = in->url_label;
	if(!curl_ready && !(curl_ready = fb_fetch_init())) {
		snprintf(why, whylen, "%s: cannot initialise libcurl",
			in->label);
		return FEED_INPUT_FAILED;
	}
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.ca_file = f->ca_file;
	o.pin = f->pin;
	o.timeout = f->timeout;
	o.retries = f->retries;
	o.max_download = f->max_download;
	o.max_size = max_size;
	o.progress = progress ? f->name : NULL;
	if(st && find_record(st, f->name, &si) &&
		si.validators_of == fb_source_hash(url)) {
		o.etag = si.etag;
		o.last_modified = si.last_modified;
	}
	s = fb_fetch(&o, &in->fetch, err, sizeof(err));
	if(s == FB_FETCH_FAILED) {
		snprintf(why, whylen, "%s: %s", in->label, err);
		return FEED_INPUT_FAILED;
	}
	if(s == FB_FETCH_NOT_MODIFIED)
		return FEED_INPUT_NOT_MODIFIED;
	in->data = in->fetch.data;
	in->len = in->fetch.len;
	in->validators.url = url;
	in->validators.etag = in->fetch.http.etag;
	in->validators.last_modified = in->fetch.http.last_modified;
	in->http = &in->validators;
	return FEED_INPUT_OK;
}

/** feed_input_get() of any source of a feed, at most max_size bytes. */
static enum feed_input_status
input_get(struct fb_store *st, const struct fb_feed_conf *f,
	const char *source, uint64_t max_size, int progress,
	struct feed_input *in, char *why, size_t whylen)
{
	const char *path;

	memset(in, 0, sizeof(*in));
	in->data = "";
	in->label = source;
	in->fetch.data = "";
	if(fb_fetch_is_url(source))
		return input_fetch(st, f, source, max_size, progress, in, why,
			whylen);
	if(!(path = source_path(source))) {
		snprintf(why, whylen, "%s: not a local file (a path or "
			"file:///path) nor an http(s) URL", source);
		return FEED_INPUT_FAILED;
	}
	in->label = path;
	if(!fb_source_read(path, max_size, FB_SOURCE_RETRIES,
		FB_SOURCE_RETRY_MS, &in->owned, &in->len, why, whylen))
		return FEED_INPUT_FAILED;
	in->data = in->owned;
	return FEED_INPUT_OK;
}

enum feed_input_status
feed_input_get(struct fb_store *st, const struct fb_feed_conf *f,
	int progress, struct feed_input *in, char *why, size_t whylen)
{
	return input_get(st, f, f->source, f->max_size, progress, in, why,
		whylen);
}

int
feed_input_sidecar(const struct fb_feed_conf *f, const char *where,
	uint64_t max_size, struct feed_input *in, char *why, size_t whylen)
{
	return input_get(NULL, f, where, max_size, 0, in, why, whylen) ==
		FEED_INPUT_OK;
}

void
feed_input_release(struct feed_input *in)
{
	free(in->owned);
	in->owned = NULL;
	fb_fetch_release(&in->fetch);
	in->data = "";
	in->len = 0;
	in->http = NULL;
}
