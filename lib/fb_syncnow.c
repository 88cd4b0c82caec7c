/**
 * \file
 * The sync-now protocol; the contract is in fb_syncnow.h, the user's
 * view in fraudblock-ctl(8) and fraudblock-sync(8).
 *
 * File names are built from the pid file's path: the directory it is in
 * holds the requests, so the daemon needs no other run directory and
 * a client with the daemon's pid file path finds everything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "fb_syncnow.h"

/** What follows the pid file's name in a request's file name. */
#define REQ_INFIX ".sync-now."
/** The answer's suffix after the request's name. */
#define ANSWER_SUFFIX ".done"
/** Most feed names in one request. */
#define REQ_MAX_FEEDS 1024
/** How often a client looks for its answer, milliseconds. */
#define WAIT_STEP_MS 20

struct fb_pidfile {
	char *path;	/**< where it was written */
	int fd;		/**< open and flock()ed while the daemon runs */
	struct stat st;	/**< its identity, to remove only our own */
};

/** @return the pid in a pid file's bytes, or 0 if they are not one. */
static pid_t
parse_pid(const char *buf, size_t len)
{
	long v = 0;
	size_t i;

	for(i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (buf[i] - '0');
		if(v > 0x3fffffff)
			return 0;
	}
	if(i == 0 || (i < len && buf[i] != '\n'))
		return 0;
	return (pid_t)v;
}

/**
 * Is fd's file locked by someone else?  @return 1 locked, 0 not, -1
 * error (errno set).
 */
static int
held_by_other(int fd)
{
	if(flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/**
 * Read up to max bytes of an open file, which it closes.
 * @return the count, -1 on error (errno set).
 */
static ssize_t
read_close(int fd, char *buf, size_t max)
{
	FILE *f = fdopen(fd, "r");
	size_t n;
	int bad;

	if(!f) {
		close(fd);
		return -1;
	}
	n = fread(buf, 1, max, f);
	bad = ferror(f);
	fclose(f);
	if(bad) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)n;
}

int
fb_pidfile_running(const char *path, pid_t *pid, char *err, size_t errlen)
{
	char buf[32];
	ssize_t n;
	int fd, held;

	*pid = 0;
	if((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return 0;
	}
	held = held_by_other(fd);
	n = read_close(fd, buf, sizeof(buf));
	if(held < 0) {
		snprintf(err, errlen, "%s: cannot check the lock: %s", path,
			strerror(errno));
		return 0;
	}
	if(held == 0) {
		snprintf(err, errlen, "%s: stale, no daemon holds it", path);
		return 0;
	}
	if(n <= 0 || (*pid = parse_pid(buf, (size_t)n)) <= 1) {
		snprintf(err, errlen, "%s: does not hold a pid", path);
		return 0;
	}
	return 1;
}

int
fb_pidfile_create(const char *path, struct fb_pidfile **out, char *err,
	size_t errlen)
{
	struct fb_pidfile *pf;
	char tmp[4096], line[32];
	pid_t other;
	int n;

	*out = NULL;
	if(fb_pidfile_running(path, &other, err, errlen)) {
		snprintf(err, errlen, "%s: already running (pid %ld)", path,
			(long)other);
		return 0;
	}
	if(!(pf = calloc(1, sizeof(*pf))) || !(pf->path = strdup(path))) {
		free(pf);
		snprintf(err, errlen, "%s: out of memory", path);
		return 0;
	}
	pf->fd = -1;
	n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if(n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		goto fail;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	/* the lock is taken before the name appears: a client never sees
	 * our pid file unlocked */
	if((pf->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		O_CLOEXEC, 0644)) < 0 || flock(pf->fd, LOCK_EX | LOCK_NB) != 0 ||
		write(pf->fd, line, (size_t)n) != n || fstat(pf->fd, &pf->st) ||
		rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write pid file %s: %s", path,
			strerror(errno));
		if(pf->fd >= 0)
			unlink(tmp);
		goto fail;
	}
	*out = pf;
	return 1;
fail:
	if(pf->fd >= 0)
		close(pf->fd);
	free(pf->path);
	free(pf);
	return 0;
}

void
fb_pidfile_remove(struct fb_pidfile *pf)
{
	struct stat st;

	if(!pf)
		return;
	/* another daemon may have replaced a file we thought gone */
	if(stat(pf->path, &st) == 0 && st.st_dev == pf->st.st_dev &&
		st.st_ino == pf->st.st_ino)
		unlink(pf->path);
	close(pf->fd);
	free(pf->path);
	free(pf);
}

/** Make the name of request id, or its answer.  @return 1, 0 too long. */
static int
req_path(char *buf, size_t len, const char *pid_file, unsigned long id,
	int answer)
{
	int n = snprintf(buf, len, "%s" REQ_INFIX "%lu%s", pid_file, id,
		answer ? ANSWER_SUFFIX : "");
	return n > 0 && (size_t)n < len;
}

/** Write len bytes to path through path.tmp.  @return 1, 0 (err set). */
static int
write_atomic(const char *path, const char *text, size_t len, char *err,
	size_t errlen)
{
	char tmp[4200];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if(n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return 0;
	}
	if((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return 0;
	}
	if(write(fd, text, len) != (ssize_t)len || close(fd) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return 0;
	}
	if(rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return 0;
	}
	return 1;
}

/** @return 1 if s is a feed name (fb_config.h) or "*". */
static int
name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	if(strcmp(s, FB_SYNCNOW_ALL) == 0)
		return 1;
	return s[n] == 0 && n >= 1 && n <= 63;
}

int
fb_syncnow_send(const char *pid_file, pid_t daemon, const char *const *feeds,
	size_t n, char *err, size_t errlen)
{
	char path[4096], *text;
	size_t i, len = 0, cap = 4;
	union sigval v;
	int ok;

	for(i = 0; i < n; i++) {
		if(!name_ok(feeds[i])) {
			snprintf(err, errlen, "'%s': not a feed name",
				feeds[i]);
			return 0;
		}
		cap += strlen(feeds[i]) + 1;
	}
	if(!req_path(path, sizeof(path), pid_file, (unsigned long)getpid(),
		0)) {
		snprintf(err, errlen, "%s: path too long", pid_file);
		return 0;
	}
	if(!(text = malloc(cap))) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	if(n == 0)
		len = (size_t)sprintf(text, "%s\n", FB_SYNCNOW_ALL);
	for(i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s\n", feeds[i]);
	/* an answer left by an earlier client with our pid is not ours */
	req_path(path, sizeof(path), pid_file, (unsigned long)getpid(), 1);
	unlink(path);
	req_path(path, sizeof(path), pid_file, (unsigned long)getpid(), 0);
	ok = write_atomic(path, text, len, err, errlen);
	free(text);
	if(!ok)
		return 0;
	v.sival_int = 1;
	if(sigqueue(daemon, SIGUSR1, v) != 0) {
		snprintf(err, errlen, "cannot signal the daemon (pid %ld): %s",
			(long)daemon, strerror(errno));
		unlink(path);
		return 0;
	}
	return 1;
}

/**
 * Read a small file whole, NUL-terminated.
 * @return the bytes (to free), or NULL (errno set; EFBIG when larger
 *	than FB_SYNCNOW_MAX).
 */
static char *
read_small(const char *path, size_t *len)
{
	char *buf;
	ssize_t n;
	int fd;

	if((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return NULL;
	if(!(buf = malloc(FB_SYNCNOW_MAX + 2))) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	n = read_close(fd, buf, FB_SYNCNOW_MAX + 1);
	if(n < 0 || n > FB_SYNCNOW_MAX) {
		free(buf);
		errno = n < 0 ? errno : EFBIG;
		return NULL;
	}
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/**
 * Split text into lines in place; a line with a NUL byte or a name that
 * name_ok() refuses ends the split.
 * @param v: out: up to max lines.
 * @return the number of lines, or -1 for a bad one.
 */
static int
split_lines(char *text, size_t len, char **v, int max)
{
	char *s = text, *e;
	int n = 0;

	if(strlen(text) != len)
		return -1;
	while(*s) {
		if(!(e = strchr(s, '\n')) || n == max)
			return -1;
		*e = 0;
		v[n++] = s;
		s = e + 1;
	}
	return n;
}

int
fb_syncnow_wait(const char *pid_file, unsigned ms, fb_syncnow_answer_cb *cb,
	void *arg, char *err, size_t errlen)
{
	char path[4096], *text, **lines, *sp;
	struct timespec step = { 0, WAIT_STEP_MS * 1000000L };
	unsigned waited = 0;
	size_t len;
	int i, n;

	req_path(path, sizeof(path), pid_file, (unsigned long)getpid(), 1);
	while(!(text = read_small(path, &len))) {
		if(errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			unlink(path);
			return -1;
		}
		if(waited >= ms) {
			/* withdrawn: a late answer must not be left over */
			req_path(path, sizeof(path), pid_file,
				(unsigned long)getpid(), 0);
			unlink(path);
			req_path(path, sizeof(path), pid_file,
				(unsigned long)getpid(), 1);
			unlink(path);
			return 0;
		}
		nanosleep(&step, NULL);
		waited += WAIT_STEP_MS;
	}
	unlink(path);
	if(!(lines = calloc(REQ_MAX_FEEDS, sizeof(*lines)))) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = split_lines(text, len, lines, REQ_MAX_FEEDS);
	for(i = 0; i < n; i++) {
		/* "NAME OUTCOME" */
		if(!(sp = strchr(lines[i], ' ')))
			break;
		*sp = 0;
		if(!name_ok(lines[i]))
			break;
		cb(arg, lines[i], sp + 1);
	}
	if(n < 0 || i < n)
		snprintf(err, errlen, "%s: malformed answer", path);
	free(lines);
	free(text);
	return (n < 0 || i < n) ? -1 : 1;
}

/** If name is "BASE.sync-now.ID" for a pid file named base, set *id.
 * @return 1 for a request, 2 for an answer or leftover temporary file,
 *	0 for anything else. */
static int
req_name(const char *name, const char *base, unsigned long *id)
{
	size_t bl = strlen(base), il = strlen(REQ_INFIX);
	const char *s;
	char *end;

	if(strncmp(name, base, bl) != 0 || strncmp(name + bl, REQ_INFIX, il))
		return 0;
	s = name + bl + il;
	if(*s < '0' || *s > '9')
		return 0;
	errno = 0;
	*id = strtoul(s, &end, 10);
	if(errno)
		return 0;
	return *end == 0 ? 1 : (*end == '.' ? 2 : 0);
}

/** The directory and the file name of a pid file, split in dir. */
static const char *
split_path(const char *pid_file, char *dir, size_t len)
{
	const char *slash = strrchr(pid_file, '/');

	if(!slash || (size_t)(slash - pid_file) + 2 > len) {
		snprintf(dir, len, ".");
		return slash ? slash + 1 : pid_file;
	}
	memcpy(dir, pid_file, (size_t)(slash - pid_file));
	dir[slash - pid_file] = 0;
	if(dir[0] == 0)
		snprintf(dir, len, "/");
	return slash + 1;
}

/** Read, check and hand over one request file. */
static void
take_one(const char *path, unsigned long id, fb_syncnow_request_cb *cb,
	void (*log)(void *arg, const char *msg), void *arg, int *taken)
{
	char msg[4500], *text, **lines;
	size_t len;
	int i, n;

	text = read_small(path, &len);
	/* removed first: a request that crashes us is not read again */
	unlink(path);
	if(!text) {
		snprintf(msg, sizeof(msg), "sync-now request %s: %s", path,
			strerror(errno));
		log(arg, msg);
		return;
	}
	if(!(lines = calloc(REQ_MAX_FEEDS, sizeof(*lines)))) {
		free(text);
		log(arg, "sync-now request: out of memory");
		return;
	}
	n = split_lines(text, len, lines, REQ_MAX_FEEDS);
	for(i = 0; i < n && name_ok(lines[i]); i++)
		;
	if(n <= 0 || i < n) {
		snprintf(msg, sizeof(msg), "sync-now request %s: malformed, "
			"ignored", path);
		log(arg, msg);
	} else {
		cb(arg, id, lines, (size_t)n);
		(*taken)++;
	}
	free(lines);
	free(text);
}

int
fb_syncnow_take(const char *pid_file, fb_syncnow_request_cb *cb,
	void (*log)(void *arg, const char *msg), void *arg)
{
	char dir[4096], path[4400], msg[4200];
	const char *base = split_path(pid_file, dir, sizeof(dir));
	struct dirent *de;
	unsigned long id;
	DIR *d;
	int taken = 0;

	if(!(d = opendir(dir))) {
		snprintf(msg, sizeof(msg), "sync-now: %s: %s", dir,
			strerror(errno));
		log(arg, msg);
		return 0;
	}
	while((de = readdir(d)) != NULL) {
		if(req_name(de->d_name, base, &id) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		take_one(path, id, cb, log, arg, &taken);
	}
	closedir(d);
	return taken;
}

int
fb_syncnow_answer(const char *pid_file, unsigned long id, const char *text,
	size_t len, char *err, size_t errlen)
{
	char path[4096];

	if(!req_path(path, sizeof(path), pid_file, id, 1)) {
		snprintf(err, errlen, "%s: path too long", pid_file);
		return 0;
	}
	return write_atomic(path, text, len, err, errlen);
}

void
fb_syncnow_clear(const char *pid_file)
{
	char dir[4096], path[4400];
	const char *base = split_path(pid_file, dir, sizeof(dir));
	struct dirent *de;
	unsigned long id;
	DIR *d;

	if(!(d = opendir(dir)))
		return;
	while((de = readdir(d)) != NULL) {
		if(req_name(de->d_name, base, &id) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}
