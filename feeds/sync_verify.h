/**
 * \file
 * The integrity stage of fraudblock-sync: a feed's content checked against
 * its configured minisign signature key and SHA-256 checksum file before
 * it is parsed (fb_sig.h does the cryptography; the signature and checksum
 * files are read or downloaded through feed_input.h).
 */
#ifndef SYNC_VERIFY_H
#define SYNC_VERIFY_H

#include <stddef.h>
#include "fb_config.h"

/** Longest trusted comment shown in a summary line. */
#define SYNC_COMMENT_SHOW 200

/** What the integrity checks of a feed found, for its summary line. */
struct feed_integrity {
	/** ", signed: 'comment'" and/or ", sha256 ok", or "" */
	char note[SYNC_COMMENT_SHOW + 64];
};

/**
 * Check a feed's content against its configured signature key and
 * checksum file.  Runs on the content the parser would read (after any
 * decompression), so it applies the same to a feed however it came in.
 * Nothing configured: nothing to check.
 * @param f: the feed.
 * @param buf: its content.
 * @param len: its length.
 * @param fi: out: what to add to its summary line.
 * @param why: out: the one-line reason when refused.
 * @param whylen: size of why.
 * @return 1 if the feed may be used, 0 if refused.
 */
int verify_feed(const struct fb_feed_conf *f, const char *buf, size_t len,
	struct feed_integrity *fi, char *why, size_t whylen);

#endif /* SYNC_VERIFY_H */
