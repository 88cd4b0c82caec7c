/**
 * \file
 * The bytes of one feed, for fraudblock-sync: read from a local file
 * (fb_source.h) or downloaded over http:// or https:// (fb_fetch.h),
 * with the feed's settings.
 *
 * A download sends the validators stored with the feed's last accepted
 * update (If-None-Match, If-Modified-Since), but only while the feed's
 * source is still the URL they came from; a 304 is FEED_INPUT_NOT_MODIFIED
 * and costs no write to the store.  After a 200, in.http holds the new
 * validators for fb_update_spec.http, to be stored only if the update is
 * accepted.
 *
 * Messages name the source: a path, or a URL without its userinfo and
 * query (they may carry credentials and end up in logs and the store).
 */
#ifndef FEED_INPUT_H
#define FEED_INPUT_H

#include <stddef.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_update.h"
#include "fb_fetch.h"

/** Outcome of feed_input_get(). */
enum feed_input_status {
	FEED_INPUT_OK = 0,	/**< data and len hold the feed */
	FEED_INPUT_NOT_MODIFIED,	/**< HTTP 304: nothing to parse */
	FEED_INPUT_FAILED	/**< why set */
};

/** The bytes of a feed and where they came from. */
struct feed_input {
	const char *data;	/**< the feed; valid until release */
	size_t len;		/**< its bytes */
	const char *label;	/**< the source as messages name it */
	/** NULL for a local file, else the validators of the download */
	const struct fb_update_http *http;
	/** private: the label of a URL */
	char url_label[256];
	/** private: a local file's bytes (malloced) */
	char *owned;
	/** private: a download */
	struct fb_fetch_result fetch;
	/** private: what http points to */
	struct fb_update_http validators;
};

/**
 * Get a feed's bytes.
 * @param st: the store (its record of the feed gives the validators).
 * @param f: the feed.
 * @param progress: show download progress (a terminal is watching).
 * @param in: out: release with feed_input_release() whatever the outcome.
 * @param why: out: "source: why", one line, on FEED_INPUT_FAILED.
 * @param whylen: size of why.
 * @return a feed_input_status.
 */
enum feed_input_status feed_input_get(struct fb_store *st,
	const struct fb_feed_conf *f, int progress, struct feed_input *in,
	char *why, size_t whylen);

/**
 * Get a file that goes with a feed (its signature or checksum file): a
 * path, a file:// URL or an http(s) URL, downloaded with the feed's TLS
 * and transfer settings but never conditionally (it must match this
 * download of the feed).
 * @param f: the feed.
 * @param where: the file.
 * @param max_size: refuse more bytes than this.
 * @param in: out: release with feed_input_release() whatever the outcome.
 * @param why: out: "where: why", one line, on failure.
 * @param whylen: size of why.
 * @return 1 on success, 0 on failure.
 */
int feed_input_sidecar(const struct fb_feed_conf *f, const char *where,
	uint64_t max_size, struct feed_input *in, char *why, size_t whylen);

/** Free what feed_input_get() or feed_input_sidecar() kept. */
void feed_input_release(struct feed_input *in);

#endif /* FEED_INPUT_H */
