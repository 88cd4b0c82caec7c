/**
 * \file
 * The spool of one download: the decompressed bytes of a feed, written as
 * they arrive into an unnamed temporary file and handed back as one
 * read-only mapping of it.
 *
 * Why a file: a feed can be hundreds of megabytes once decompressed, and
 * fraudblock-sync's memory must stay bounded; pages of a file mapping are
 * page cache the kernel can drop, never anonymous memory.  The file has no
 * name (O_TMPFILE, else mkstemp() and unlink() at once) in $TMPDIR, else
 * /var/tmp, else /tmp, so nothing is left behind by a crash and nobody else
 * can open it by a path.
 *
 * gzip: in FB_SPOOL_GZIP mode the bytes written are a gzip stream (one or
 * more members, back to back, as RFC 1952 allows) and the spool holds what
 * they inflate to; FB_SPOOL_AUTO decides by the first two bytes (the gzip
 * magic 1f 8b).  A stream that ends inside a member, a bad checksum,
 * anything but gzip members in a gzip stream is an error, never a short
 * feed.
 *
 * Bounds: more than max_size decompressed bytes is an error at the write
 * that crosses it (a gzip bomb is cut off, not inflated); the caller bounds
 * the bytes it writes (bytes on the wire).
 *
 * Errors are one line without the file name (the caller names the URL),
 * kept in the spool until it is freed.
 *
 * Thread safety: a spool is used by one thread at a time.
 */
#ifndef FB_SPOOL_H
#define FB_SPOOL_H

#include <stddef.h>
#include <stdint.h>

/** How the written bytes are read. */
enum fb_spool_mode {
	FB_SPOOL_PLAIN = 0,	/**< taken as they are */
	FB_SPOOL_GZIP,		/**< a gzip stream, inflated */
	FB_SPOOL_AUTO		/**< gzip if they start with 1f 8b */
};

struct fb_spool;

/**
 * Make a spool: an unnamed temporary file (see above).
 * @param mode: how the bytes written are read.
 * @param max_size: most decompressed bytes accepted.
 * @param err: out: why not, one line.
 * @param errlen: size of err.
 * @return the spool, or NULL (err set).
 */
struct fb_spool *fb_spool_new(enum fb_spool_mode mode, uint64_t max_size,
	char *err, size_t errlen);

/**
 * Add bytes as they arrive (compressed ones in gzip mode).
 * @return 1, or 0 on error (fb_spool_error() says why; the spool takes
 *	no more bytes).
 */
int fb_spool_write(struct fb_spool *s, const void *buf, size_t len);

/**
 * End the input: check that a gzip stream is complete and map the
 * result read-only.
 * @param data: out: the decompressed bytes, valid until fb_spool_free();
 *	"" when there are none.
 * @param len: out: their number.
 * @return 1, or 0 on error (fb_spool_error()).
 */
int fb_spool_finish(struct fb_spool *s, const char **data, size_t *len);

/** @return why the last call failed, or "" if none did. */
const char *fb_spool_error(const struct fb_spool *s);

/** @return decompressed bytes so far. */
uint64_t fb_spool_size(const struct fb_spool *s);

/** @return 1 if the bytes are inflated as gzip (known once 2 came). */
int fb_spool_gzip(const struct fb_spool *s);

/** Unmap, close and free; NULL is fine. */
void fb_spool_free(struct fb_spool *s);

#endif /* FB_SPOOL_H */
