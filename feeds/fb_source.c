/**
 * \file
 * Reading a feed's source file; the contract is in fb_source.h.
 *
 * Each try opens the file anew: a writer that replaces the file by
 * rename() is then read from its new inode on the next try.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fb_source.h"

/** Outcome of one try. */
enum source_try {
	SOURCE_OK,		/**< a consistent snapshot */
	SOURCE_ERROR,		/**< cannot be read; err set */
	SOURCE_CHANGED,		/**< changed while it was read */
	SOURCE_UNSETTLED	/**< ends in a line written moments ago */
};

int
fb_source_changed(const struct stat *before, const struct stat *after)
{
	return before->st_dev != after->st_dev ||
		before->st_ino != after->st_ino ||
		before->st_size != after->st_size ||
		before->st_mtim.tv_sec != after->st_mtim.tv_sec ||
		before->st_mtim.tv_nsec != after->st_mtim.tv_nsec;
}

int
fb_source_unsettled(const char *buf, size_t len,
	const struct timespec *mtime, const struct timespec *now)
{
	const time_t near = FB_SOURCE_SETTLE_MS / 1000 + 1;
	int64_t ms;

	if(len == 0 || buf[len - 1] == '\n')
		return 0;
	/* whole seconds first, without subtracting a wild mtime (any
	 * value can be set) that could overflow */
	if(mtime->tv_sec < now->tv_sec - near ||
		mtime->tv_sec > now->tv_sec + near)
		return 0;
	ms = ((int64_t)now->tv_sec - (int64_t)mtime->tv_sec) * 1000 +
		((int64_t)now->tv_nsec - (int64_t)mtime->tv_nsec) / 1000000;
	return ms < FB_SOURCE_SETTLE_MS && ms > -FB_SOURCE_SETTLE_MS;
}

/** Read up to size bytes of fd into buf.  @return the count, -1 on error. */
static ssize_t
read_all(int fd, char *buf, size_t size)
{
	size_t have = 0;
	ssize_t got;

	while(have < size) {
		got = read(fd, buf + have, size - have);
		if(got == -1 && errno == EINTR)
			continue;
		if(got == -1)
			return -1;
		if(got == 0)
			break;
		have += (size_t)got;
	}
	return (ssize_t)have;
}

/** One try of fb_source_read(); *out is set only for SOURCE_OK. */
static enum source_try
read_once(const char *path, uint64_t max_size, char **out, size_t *outlen,
	char *err, size_t errlen)
{
	struct stat before, after;
	struct timespec now;
	ssize_t have;
	size_t size;
	char *buf;
	/* O_NOFOLLOW: a planted symlink must not make us read (and report
	 * lines of) another file; O_NONBLOCK: a FIFO must not hang us
	 * before fstat can refuse it */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if(fd == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == ELOOP ?
			"is a symbolic link, refused" : strerror(errno));
		return SOURCE_ERROR;
	}
	if(fstat(fd, &before) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return SOURCE_ERROR;
	}
	if(!S_ISREG(before.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return SOURCE_ERROR;
	}
	if((uint64_t)before.st_size > max_size) {
		snprintf(err, errlen, "%s: %llu bytes, more than max-size "
			"(%llu)", path, (unsigned long long)before.st_size,
			(unsigned long long)max_size);
		close(fd);
		return SOURCE_ERROR;
	}
	size = (size_t)before.st_size;
	if(!(buf = malloc(size ? size : 1))) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return SOURCE_ERROR;
	}
	if((have = read_all(fd, buf, size)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(buf);
		close(fd);
		return SOURCE_ERROR;
	}
	close(fd);
	/* the path, not fd: a writer that renamed a new file over it has
	 * changed what the feed is, too */
	if(stat(path, &after) == -1 || (size_t)have != size ||
		fb_source_changed(&before, &after)) {
		free(buf);
		return SOURCE_CHANGED;
	}
	if(clock_gettime(CLOCK_REALTIME, &now) == 0 &&
		fb_source_unsettled(buf, size, &before.st_mtim, &now)) {
		free(buf);
		return SOURCE_UNSETTLED;
	}
	*out = buf;
	*outlen = size;
	return SOURCE_OK;
}

/** Sleep ms milliseconds, signals or not. */
static void
pause_ms(unsigned ms)
{
	struct timespec ts, rem;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while(nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

int
fb_source_read(const char *path, uint64_t max_size, int retries,
	unsigned retry_ms, char **out, size_t *outlen, char *err,
	size_t errlen)
{
	enum source_try r;
	int tries = 0;

	for(;;) {
		r = read_once(path, max_size, out, outlen, err, errlen);
		tries++;
		if(r == SOURCE_OK)
			return 1;
		if(r == SOURCE_ERROR)
			return 0;
		if(tries > retries)
			break;
		pause_ms(retry_ms);
	}
	snprintf(err, errlen, "%s: still being written, refused: %s "
		"(%d reads, %u ms apart)", path, r == SOURCE_CHANGED ?
		"it changed while it was read" : "its last line has no "
		"newline and was written less than "
		FB_SOURCE_SETTLE_TEXT " before", tries, retry_ms);
	return 0;
}
