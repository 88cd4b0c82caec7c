/**
 * \file
 * Reading a feed's source file: one consistent snapshot of a regular
 * file, or a reason why not.
 *
 * Feed files are often rewritten in place by a download job while
 * fraudblock-sync runs.  A half-written file must never be taken: its
 * last line may be the first half of a longer name, which would then
 * block that name's parent (e.g. "login.microsoftonline.com" of
 * "login.microsoftonline.com.phish.example").  So a read is taken only
 * when
 * - the file did not change while it was read: st_dev, st_ino, st_size
 *   and st_mtim from fstat() before the read equal those of a stat() of
 *   the path after it, and all st_size bytes were read; and
 * - it does not end in an unterminated line written moments ago: a last
 *   line without '\n' is accepted only when the file's mtime is at least
 *   FB_SOURCE_SETTLE_MS away from now (a writer that paused mid-line).
 * Otherwise the file is read again after a pause, a bounded number of
 * times, and then refused.  A file that is simply missing its final
 * newline and nobody writes is accepted, at once or once it settled.
 *
 * Thread safety: reentrant; fb_source_read() sleeps between tries.
 */
#ifndef FB_SOURCE_H
#define FB_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/stat.h>

/** Reads after the first one, for a file that is still changing. */
#define FB_SOURCE_RETRIES 3
/** Pause between two reads of a changing file, milliseconds. */
#define FB_SOURCE_RETRY_MS 1000
/** How long an unterminated last line must have been left alone. */
#define FB_SOURCE_SETTLE_MS 2000
/** The same, for messages. */
#define FB_SOURCE_SETTLE_TEXT "2 s"

/**
 * Read a regular file of at most max_size bytes, without following a
 * symbolic link, as one consistent snapshot (see above).
 * @param path: the file.
 * @param max_size: refuse a larger file.
 * @param retries: reads after the first while the file is changing
 *	(FB_SOURCE_RETRIES; tests pass their own).
 * @param retry_ms: pause before each of them (FB_SOURCE_RETRY_MS).
 * @param out: out: malloced bytes (not NUL-terminated), on success.
 * @param outlen: out: their number.
 * @param err: out: "path: why", one line, on failure.
 * @param errlen: size of err.
 * @return 1 on success, 0 on failure.
 */
int fb_source_read(const char *path, uint64_t max_size, int retries,
	unsigned retry_ms, char **out, size_t *outlen, char *err,
	size_t errlen);

/**
 * Whether a file changed between two looks at it.
 * @param before: fstat() of the open file before it was read.
 * @param after: stat() of its path after it was read.
 * @return 1 if the path now names another file or the size or mtime
 *	changed, else 0.
 */
int fb_source_changed(const struct stat *before, const struct stat *after);

/**
 * Whether the bytes read end in a line that may still be being written.
 * @param buf: the bytes.
 * @param len: their number.
 * @param mtime: the file's modification time.
 * @param now: the current time (CLOCK_REALTIME).
 * @return 1 if the last byte is not '\n' and mtime is less than
 *	FB_SOURCE_SETTLE_MS before or after now (after: a file server's
 *	clock may run a little ahead), else 0.
 */
int fb_source_unsettled(const char *buf, size_t len,
	const struct timespec *mtime, const struct timespec *now);

#endif /* FB_SOURCE_H */
