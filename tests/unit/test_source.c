/**
 * \file
 * Unit tests of feeds/fb_source.c: when a feed file counts as changed
 * while it was read, when its unterminated last line counts as still
 * being written (around FB_SOURCE_SETTLE_MS, clocks ahead, wild mtimes),
 * and fb_source_read() on real files whose mtime is set by the test, so
 * nothing depends on timing but the short retry pauses it asks for.
 * Files live in a directory made with mkdtemp under $TMPDIR (default
 * /tmp) and are removed again.  TAP output.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "fb_source.h"

/** Pause the tests ask fb_source_read() for between reads, ms. */
#define RETRY_MS 10
/** The pause where no pause is wanted: a wrong one shows, however slow
 * the machine, and a right answer costs nothing. */
#define NO_PAUSE_MS 1000

/** The test directory. */
static char dir[512];

/** path = dir/name */
static void
path_of(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/%s", dir, name);
}

/**
 * Write a file and set its mtime to now + delta seconds.
 * @return 1 on success.
 */
static int
write_file(const char *path, const char *data, size_t len, time_t delta)
{
	struct timespec ts[2];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int ok = fd != -1;

	if(ok)
		ok = write(fd, data, len) == (ssize_t)len;
	if(ok) {
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		ts[0].tv_sec += delta;
		ts[1] = ts[0];
		ok = futimens(fd, ts) == 0;
	}
	if(fd != -1)
		close(fd);
	if(!ok)
		printf("# writing %s: %s\n", path, strerror(errno));
	return ok;
}

/** Milliseconds of CLOCK_MONOTONIC. */
static long long
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_changed(void)
{
	struct stat a, b;

	memset(&a, 0, sizeof(a));
	a.st_dev = 1;
	a.st_ino = 2;
	a.st_size = 10;
	a.st_mtim.tv_sec = 100;
	a.st_mtim.tv_nsec = 5;
	b = a;
	is_int(fb_source_changed(&a, &b), 0, "same file: unchanged");
	b.st_ctim.tv_sec = 200;
	b.st_mode = 0644;
	is_int(fb_source_changed(&a, &b), 0,
		"ctime and mode alone: unchanged (a chmod is no write)");
	b = a;
	b.st_size = 11;
	is_int(fb_source_changed(&a, &b), 1, "size grew: changed");
	b = a;
	b.st_mtim.tv_nsec = 6;
	is_int(fb_source_changed(&a, &b), 1,
		"mtime moved within the same second: changed");
	b = a;
	b.st_mtim.tv_sec = 101;
	is_int(fb_source_changed(&a, &b), 1, "mtime moved: changed");
	b = a;
	b.st_ino = 3;
	is_int(fb_source_changed(&a, &b), 1,
		"another inode (renamed over): changed");
	b = a;
	b.st_dev = 4;
	is_int(fb_source_changed(&a, &b), 1, "another device: changed");
}

static void
test_unsettled(void)
{
	struct timespec now, m;

	now.tv_sec = 1000000;
	now.tv_nsec = 500000000;
	m = now;
	is_int(fb_source_unsettled("a.example\n", 10, &m, &now), 0,
		"ends in a newline: settled however new");
	is_int(fb_source_unsettled("", 0, &m, &now), 0, "empty: settled");
	is_int(fb_source_unsettled("a.exa", 5, &m, &now), 1,
		"no newline, written now: unsettled");
	is_int(fb_source_unsettled("a.example\r", 10, &m, &now), 1,
		"CR of an unfinished CRLF: unsettled");
	m.tv_sec = now.tv_sec - 2;
	m.tv_nsec = now.tv_nsec + 1000000;
	is_int(fb_source_unsettled("a", 1, &m, &now), 1,
		"no newline, 1999 ms old: unsettled");
	m.tv_nsec = now.tv_nsec;
	is_int(fb_source_unsettled("a", 1, &m, &now), 0,
		"no newline, 2000 ms old: settled");
	m.tv_sec = now.tv_sec - 3600;
	is_int(fb_source_unsettled("a", 1, &m, &now), 0,
		"no newline, an hour old: settled");
	m.tv_sec = now.tv_sec + 1;
	is_int(fb_source_unsettled("a", 1, &m, &now), 1,
		"no newline, 1 s ahead (a server's clock): unsettled");
	m.tv_sec = now.tv_sec + 86400;
	is_int(fb_source_unsettled("a", 1, &m, &now), 0,
		"no newline, a day ahead: settled, not refused forever");
	m.tv_sec = (time_t)LLONG_MIN;
	is_int(fb_source_unsettled("a", 1, &m, &now), 0,
		"lowest possible mtime: settled, no overflow");
	m.tv_sec = (time_t)LLONG_MAX;
	is_int(fb_source_unsettled("a", 1, &m, &now), 0,
		"highest possible mtime: settled, no overflow");
}

/** fb_source_read() of at most 1024 bytes. */
static int
rd(const char *path, int retries, unsigned ms, char **buf, size_t *len,
	char *err, size_t errlen)
{
	*buf = NULL;
	*len = 0;
	err[0] = 0;
	return fb_source_read(path, 1024, retries, ms, buf, len, err, errlen);
}

static void
test_read(void)
{
	char path[600], link[600], want[800], err[800], *buf;
	size_t len;
	long long t0, t1;
	int r;

	path_of(path, sizeof(path), "list.txt");
	if(!write_file(path, "a.example\nb.example", 19, -10))
		return;
	t0 = mono_ms();
	r = rd(path, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
	t1 = mono_ms();
	is_int(r, 1, "old file without a final newline: read");
	ok(len == 19 && buf && memcmp(buf, "a.example\nb.example", 19) == 0,
		"... all of it");
	ok(t1 - t0 < NO_PAUSE_MS, "... at the first read");
	free(buf);

	if(!write_file(path, "a.example\nlogin.microsoftonline.com", 35, 0))
		return;
	t0 = mono_ms();
	r = rd(path, 3, RETRY_MS, &buf, &len, err, sizeof(err));
	t1 = mono_ms();
	is_int(r, 0, "new file ending mid-line: refused");
	ok(buf == NULL, "... nothing handed out");
	snprintf(want, sizeof(want), "%s: still being written, refused: its "
		"last line has no newline and was written less than %s "
		"before (4 reads, %d ms apart)", path, FB_SOURCE_SETTLE_TEXT,
		RETRY_MS);
	is_str(err, want, "... with the reason, one line");
	ok(strchr(err, '\n') == NULL, "... no newline in it");
	ok(t1 - t0 >= 3 * RETRY_MS, "... after three pauses");

	r = rd(path, 0, RETRY_MS, &buf, &len, err, sizeof(err));
	is_int(r, 0, "no retries: refused at once");

	if(!write_file(path, "a.example\n", 10, 0))
		return;
	t0 = mono_ms();
	r = rd(path, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
	t1 = mono_ms();
	ok(r == 1 && len == 10, "new file ending in a newline: read");
	ok(t1 - t0 < NO_PAUSE_MS, "... at the first read");
	free(buf);

	if(!write_file(path, "", 0, 0))
		return;
	r = rd(path, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
	ok(r == 1 && len == 0, "empty file: read (judged by the caller)");
	free(buf);

	if(!write_file(path, "a.example\n", 10, -10))
		return;
	r = fb_source_read(path, 9, 3, RETRY_MS, &buf, &len, err,
		sizeof(err));
	snprintf(want, sizeof(want), "%s: 10 bytes, more than max-size (9)",
		path);
	ok(r == 0, "larger than max-size: refused");
	is_str(err, want, "... with the sizes");

	path_of(link, sizeof(link), "link.txt");
	if(symlink(path, link) == 0) {
		r = rd(link, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
		snprintf(want, sizeof(want), "%s: is a symbolic link, refused",
			link);
		ok(r == 0, "symbolic link: refused");
		is_str(err, want, "... and said so");
		unlink(link);
	} else
		ok(0, "symlink");
	r = rd(dir, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	ok(r == 0, "directory: refused");
	is_str(err, want, "... and said so");
	unlink(path);
	r = rd(path, 3, NO_PAUSE_MS, &buf, &len, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: %s", path, strerror(ENOENT));
	ok(r == 0, "missing file: refused");
	is_str(err, want, "... with strerror");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	if(!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/fbsrcXXXXXX", tmp);
	if(!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	test_changed();
	test_unsettled();
	test_read();
	rmdir(dir);
	return done_testing();
}
