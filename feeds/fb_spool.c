/**
 * \file
 * The spool of one download; the contract is in fb_spool.h.
 */
/* O_TMPFILE and mkostemp() */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>
#include "fb_spool.h"

/** Inflated bytes handed to write() at a time. */
#define SPOOL_CHUNK 65536

struct fb_spool {
	int fd;			/**< the unnamed file */
	enum fb_spool_mode mode; /**< AUTO until the magic was seen */
	uint64_t max_size;	/**< most decompressed bytes */
	uint64_t size;		/**< decompressed bytes written */
	int failed;		/**< an error happened: no more input */
	unsigned char head[2];	/**< AUTO: the first bytes, until 2 came */
	size_t nhead;		/**< how many of them */
	z_stream z;		/**< the inflater, in gzip mode */
	int z_init;		/**< z was initialised */
	int in_member;		/**< inside a gzip member (not at its end) */
	uint64_t members;	/**< gzip members completed */
	void *map;		/**< the mapping after fb_spool_finish() */
	size_t maplen;		/**< its length */
	char err[256];		/**< why the last call failed */
};

/** Set the spool's error.  @return 0, for `return spool_err()`. */
static int spool_err(struct fb_spool *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
spool_err(struct fb_spool *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	s->failed = 1;
	return 0;
}

/** The directory of temporary files: $TMPDIR, /var/tmp or /tmp. */
static const char *
spool_dir(void)
{
	const char *d = getenv("TMPDIR");
	struct stat st;

	if(d && d[0] == '/')
		return d;
	/* /var/tmp is on disk where /tmp may be a small tmpfs (memory) */
	if(stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
		access("/var/tmp", W_OK | X_OK) == 0)
		return "/var/tmp";
	return "/tmp";
}

/** Open an unnamed file in dir.  @return fd, or -1 with errno set. */
static int
spool_open(const char *dir)
{
	char path[4096];
	int fd;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if(fd != -1)
		return fd;
	/* the file system may not know O_TMPFILE: fall back */
#endif
	if((size_t)snprintf(path, sizeof(path), "%s/fraudblock-spool.XXXXXX",
		dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(path);
	return fd;
}

struct fb_spool *
fb_spool_new(enum fb_spool_mode mode, uint64_t max_size, char *err,
	size_t errlen)
{
	struct fb_spool *s = calloc(1, sizeof(*s));
	const char *dir = spool_dir();

	if(!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if((s->fd = spool_open(dir)) == -1) {
		snprintf(err, errlen, "cannot make a temporary file in %s: %s",
			dir, strerror(errno));
		free(s);
		return NULL;
	}
	s->mode = mode;
	s->max_size = max_size;
	return s;
}

/** Append decompressed bytes to the file, within max_size.  @return 1/0. */
static int
spool_put(struct fb_spool *s, const unsigned char *buf, size_t len)
{
	ssize_t n;

	if(len > s->max_size - s->size) {
		if(s->mode == FB_SPOOL_GZIP)
			return spool_err(s, "over max-size (%llu bytes) after "
				"decompression: gzip bomb?",
				(unsigned long long)s->max_size);
		return spool_err(s, "over max-size (%llu bytes)",
			(unsigned long long)s->max_size);
	}
	while(len > 0) {
		n = write(s->fd, buf, len);
		if(n == -1 && errno == EINTR)
			continue;
		if(n == -1)
			return spool_err(s, "temporary file: %s",
				strerror(errno));
		buf += n;
		len -= (size_t)n;
		s->size += (uint64_t)n;
	}
	return 1;
}

/** Inflate len bytes of a gzip stream into the file.  @return 1/0. */
static int
spool_inflate(struct fb_spool *s, const unsigned char *buf, size_t len)
{
	unsigned char out[SPOOL_CHUNK];
	int rc;

	if(!s->z_init) {
		memset(&s->z, 0, sizeof(s->z));
		/* 16 + MAX_WBITS: a gzip wrapper, not zlib or raw */
		if(inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			return spool_err(s, "gzip: cannot start the inflater");
		s->z_init = 1;
	}
	while(len > 0) {
		size_t used;
		if(!s->in_member) {
			/* the next member of a multi-member stream */
			if(s->members > 0 && inflateReset(&s->z) != Z_OK)
				return spool_err(s, "gzip: inflateReset failed");
			s->in_member = 1;
		}
		/* uInt: feed at most 1 GB a round */
		s->z.next_in = (unsigned char *)buf;
		s->z.avail_in = len > (1u << 30) ? (1u << 30) : (uInt)len;
		do {
			size_t have;
			s->z.next_out = out;
			s->z.avail_out = sizeof(out);
			rc = inflate(&s->z, Z_NO_FLUSH);
			if(rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
				return spool_err(s, "bad gzip data in member "
					"%llu: %s", (unsigned long long)
					s->members + 1, s->z.msg ? s->z.msg :
					"inflate failed");
			have = sizeof(out) - s->z.avail_out;
			if(have && !spool_put(s, out, have))
				return 0;
			if(rc == Z_STREAM_END) {
				s->in_member = 0;
				s->members++;
				break;
			}
			if(rc == Z_BUF_ERROR && have == 0)
				break;	/* needs more input */
		} while(s->z.avail_in > 0 || s->z.avail_out == 0);
		used = (size_t)(s->z.next_in - buf);
		/* no byte taken and no member ended: zlib is stuck */
		if(used == 0 && s->in_member)
			return spool_err(s, "bad gzip data: inflate made no "
				"progress");
		len -= used;
		buf += used;
	}
	return 1;
}

int
fb_spool_write(struct fb_spool *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	unsigned char head[2];
	size_t nhead;

	if(s->failed)
		return 0;
	if(s->mode == FB_SPOOL_AUTO) {
		/* hold the first two bytes back until the magic is known */
		while(s->nhead < 2 && len > 0) {
			s->head[s->nhead++] = *p++;
			len--;
		}
		if(s->nhead < 2)
			return 1;
		s->mode = (s->head[0] == 0x1f && s->head[1] == 0x8b) ?
			FB_SPOOL_GZIP : FB_SPOOL_PLAIN;
		memcpy(head, s->head, 2);
		nhead = 2;
		s->nhead = 0;
		if(!fb_spool_write(s, head, nhead))
			return 0;
	}
	if(len == 0)
		return 1;
	if(s->mode == FB_SPOOL_GZIP)
		return spool_inflate(s, p, len);
	return spool_put(s, p, len);
}

int
fb_spool_finish(struct fb_spool *s, const char **data, size_t *len)
{
	struct stat st;
	unsigned char head[2];

	*data = "";
	*len = 0;
	if(s->failed)
		return 0;
	if(s->mode == FB_SPOOL_AUTO && s->nhead > 0) {
		/* one byte in all: too short for the magic, so plain */
		s->mode = FB_SPOOL_PLAIN;
		memcpy(head, s->head, s->nhead);
		if(!spool_put(s, head, s->nhead))
			return 0;
	}
	if(s->mode == FB_SPOOL_GZIP && (s->in_member || s->members == 0))
		return spool_err(s, "truncated gzip stream (%llu bytes "
			"inflated so far)", (unsigned long long)s->size);
	if(s->size == 0)
		return 1;
	if(fstat(s->fd, &st) == -1 || (uint64_t)st.st_size != s->size ||
		s->size > (uint64_t)SIZE_MAX)
		return spool_err(s, "temporary file: size changed or unknown");
	s->map = mmap(NULL, (size_t)s->size, PROT_READ, MAP_SHARED, s->fd, 0);
	if(s->map == MAP_FAILED) {
		s->map = NULL;
		return spool_err(s, "temporary file: mmap: %s",
			strerror(errno));
	}
	s->maplen = (size_t)s->size;
	*data = s->map;
	*len = s->maplen;
	return 1;
}

const char *
fb_spool_error(const struct fb_spool *s)
{
	return s->err;
}

uint64_t
fb_spool_size(const struct fb_spool *s)
{
	return s->size;
}

int
fb_spool_gzip(const struct fb_spool *s)
{
	return s->mode == FB_SPOOL_GZIP;
}

void
fb_spool_free(struct fb_spool *s)
{
	if(!s)
		return;
	if(s->map)
		munmap(s->map, s->maplen);
	if(s->z_init)
		inflateEnd(&s->z);
	close(s->fd);
	free(s);
}
