/**
 * \file
 * Backup, restore and compaction (see fb_admin.h); verification is in
 * fb_verify.c.
 *
 * The swap: the new environment is made whole in "<dir>.new.XXXXXX"
 * beside the live directory (same parent, so same filesystem), its files
 * and the directory are fsynced, then renameat2(RENAME_EXCHANGE) trades
 * the two names in one step and the parent is fsynced.  The old files,
 * now under the temporary name, are removed; a process that still maps
 * them keeps a valid mapping until it reopens.  Renames act on the real
 * directory (realpath), never on a symbolic link that names it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include "fb_store_int.h"
#include "fb_admin.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/** Room for the real path of a store directory, for its siblings
 * ("<dir>.new.XXXXXX") and for a file in one of them: each fits in the
 * next, so no path is ever cut. */
#define REAL_ROOM 880
#define DIR_ROOM 900
#define PATH_ROOM 1024

/* ---- files and directories ------------------------------------------ */

/** renameat2() by system call: glibc before 2.28 has no wrapper. */
static int rename2(const char *from, const char *to, unsigned flags)
{
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		flags);
#else
	(void)from;
	(void)to;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/** fsync a file or directory by path.  @return 0 or an errno. */
static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	if(fd < 0)
		return errno;
	if(fsync(fd) != 0)
		rc = errno;
	close(fd);
	return rc;
}

/** The directory path lives in ("." or "/" at the ends). */
static void parent_of(const char *path, char *out, size_t outlen)
{
	char *slash;
	size_t n;
	snprintf(out, outlen, "%s", path);
	n = strlen(out);
	while(n > 1 && out[n - 1] == '/')
		out[--n] = 0;
	if(!(slash = strrchr(out, '/')))
		snprintf(out, outlen, ".");
	else if(slash == out)
		out[1] = 0;
	else
		*slash = 0;
}

/** @return 1 if the directories a and b are the same one. */
static int same_dir(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/**
 * The real path of store directory dir: renames must move the directory,
 * never a symbolic link to it.  A directory that does not exist yet is
 * its parent's real path plus its last name.
 * @param exists: out: whether dir exists.
 * @return 1, or 0 (err set).
 */
static int real_dir(const char *dir, char *out, size_t outlen, int *exists,
	char *err, size_t errlen)
{
	char parent[DIR_ROOM], *r;
	const char *base;
	struct stat sb;
	*exists = 0;
	if((r = realpath(dir, NULL)) != NULL) {
		if(stat(r, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "%s is not a directory", dir);
			free(r);
			return 0;
		}
		*exists = 1;
		if(snprintf(out, outlen, "%s", r) >= (int)outlen) {
			snprintf(err, errlen, "path too long: %s", r);
			free(r);
			return 0;
		}
		free(r);
		return 1;
	}
	if(errno != ENOENT || lstat(dir, &sb) == 0) {
		/* a dangling symbolic link is not a place to create */
		snprintf(err, errlen, "cannot resolve %s: %s", dir,
			errno == ENOENT ? "a symbolic link to nothing" :
			strerror(errno));
		return 0;
	}
	parent_of(dir, parent, sizeof(parent));
	base = dir + strlen(dir);
	while(base > dir && base[-1] == '/')
		base--;
	while(base > dir && base[-1] != '/')
		base--;
	if(!(r = realpath(parent, NULL))) {
		snprintf(err, errlen, "cannot resolve %s: %s", parent,
			strerror(errno));
		return 0;
	}
	if(snprintf(out, outlen, "%s/%.*s", strcmp(r, "/") == 0 ? "" : r,
	   (int)strcspn(base, "/"), base) >= (int)outlen) {
		snprintf(err, errlen, "path too long: %s", dir);
		free(r);
		return 0;
	}
	free(r);
	return 1;
}

/** Remove a store directory this code made or swapped out: its two
 * files, then the directory.  @return 0 or the errno of rmdir. */
static int remove_store_dir(const char *dir)
{
	char path[PATH_ROOM];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	(void)unlink(path);
	return rmdir(dir) == 0 ? 0 : errno;
}

/** Append a sentence to a note. */
static void add_note(char *note, size_t len, const char *fmt, ...)
{
	size_t n = strlen(note);
	va_list ap;
	if(n && n + 2 < len) {
		strcpy(note + n, "; ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(note + n, len - n, fmt, ap);
	va_end(ap);
}

/**
 * Give to the owner, group and mode from: the module's user must find
 * the new files as it found the old ones (lock.mdb group-writable).
 * What this user may not change goes into the note.
 */
static void copy_owner(const char *from, const char *to, char *note,
	size_t notelen)
{
	struct stat a, b;
	if(stat(from, &a) != 0 || stat(to, &b) != 0)
		return;
	if((a.st_uid != b.st_uid || a.st_gid != b.st_gid) &&
	   chown(to, a.st_uid, a.st_gid) != 0)
		(void)chown(to, (uid_t)-1, a.st_gid);
	/* after chown, which may clear set-id bits */
	(void)chmod(to, a.st_mode & 07777);
	if(stat(to, &b) == 0 && (a.st_uid != b.st_uid ||
	   a.st_gid != b.st_gid))
		add_note(note, notelen, "%s is owned by %u:%u, not %u:%u as "
			"before (run as root or as the store's owner)", to,
			(unsigned)b.st_uid, (unsigned)b.st_gid,
			(unsigned)a.st_uid, (unsigned)a.st_gid);
}

/** Owner and modes of the live directory and files onto the new ones. */
static void copy_owners(const char *live, const char *fresh, char *note,
	size_t notelen)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	char a[PATH_ROOM], b[PATH_ROOM];
	size_t i;
	copy_owner(live, fresh, note, notelen);
	for(i = 0; i < 2; i++) {
		snprintf(a, sizeof(a), "%s/%s", live, files[i]);
		snprintf(b, sizeof(b), "%s/%s", fresh, files[i]);
		copy_owner(a, b, note, notelen);
	}
}

/** The process's umask, read by setting it back: the tools are one
 * thread. */
static mode_t current_umask(void)
{
	mode_t mask = umask(022);
	umask(mask);
	return mask;
}

/** A new store directory where there was none: the mode fb_store_open()
 * would give it (mkdtemp makes it 0700, which the module could not
 * read). */
static void open_up(const char *dir)
{
	(void)chmod(dir, 0755 & ~current_umask());
}

/** Size of dir/data.mdb, 0 if none. */
static uint64_t data_size(const char *dir)
{
	char path[PATH_ROOM];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/**
 * Make the sibling directory "<live>.new.XXXXXX".
 * @return 1, or 0 (err set).
 */
static int make_sibling(const char *live, char *out, size_t outlen,
	char *err, size_t errlen)
{
	char parent[PATH_ROOM];
	if(snprintf(out, outlen, "%s.new.XXXXXX", live) >= (int)outlen) {
		snprintf(err, errlen, "path too long: %s", live);
		return 0;
	}
	if(!mkdtemp(out)) {
		parent_of(live, parent, sizeof(parent));
		snprintf(err, errlen, "cannot make a directory in %s: %s (the "
			"new store is built beside the live one: run as a "
			"user who may write there)", parent, strerror(errno));
		out[0] = 0;
		return 0;
	}
	return 1;
}

/**
 * Put fresh in the place of live: one exchange when live exists, else a
 * rename that never replaces; then fsync the parent.  fresh must be
 * complete and fsynced.  @return 1, or 0 (err set; nothing moved).
 */
static int swap_in(const char *fresh, const char *live, int live_exists,
	char *note, size_t notelen, char *err, size_t errlen)
{
	char parent[PATH_ROOM];
	int rc;
	if((rc = fsync_path(fresh)) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", fresh,
			strerror(rc));
		return 0;
	}
	if(rename2(fresh, live, live_exists ? RENAME_EXCHANGE :
	   RENAME_NOREPLACE) != 0) {
		rc = errno;
		if(rc == EINVAL || rc == ENOSYS)
			snprintf(err, errlen, "cannot swap %s into %s: this "
				"kernel or filesystem cannot exchange two "
				"directories atomically (renameat2 "
				"RENAME_EXCHANGE: %s); the live store is "
				"unchanged", fresh, live, strerror(rc));
		else
			snprintf(err, errlen, "cannot swap %s into %s: %s; the "
				"live store is unchanged", fresh, live,
				strerror(rc));
		return 0;
	}
	parent_of(live, parent, sizeof(parent));
	if((rc = fsync_path(parent)) != 0)
		add_note(note, notelen, "swapped, but syncing %s failed (%s): "
			"a crash now could bring the old store back", parent,
			strerror(rc));
	return 1;
}

/**
 * After a swap: remove the old store, now under the sibling's name.  A
 * directory with other files in it is kept, renamed "<live>.old.XXXXXX".
 */
static void drop_old(const char *old, const char *live, char *note,
	size_t notelen)
{
	char kept[DIR_ROOM];
	const char *suffix;
	int rc = remove_store_dir(old);
	if(rc == 0 || rc == ENOENT)
		return;
	suffix = old + strlen(old) - 6;
	snprintf(kept, sizeof(kept), "%s.old.%s", live, suffix);
	if(rc == ENOTEMPTY || rc == EEXIST) {
		if(rename(old, kept) == 0)
			add_note(note, notelen, "the old directory held other "
				"files; they are in %s", kept);
		else
			add_note(note, notelen, "the old directory held other "
				"files; they are in %s", old);
		return;
	}
	add_note(note, notelen, "cannot remove the old directory %s: %s", old,
		strerror(rc));
}

/* ---- backup --------------------------------------------------------- */

/** Copy the environment into fd: compacted, or as it is when LMDB cannot
 * compact it (a page leak).  @return 0 or an LMDB/errno code. */
static int copy_into(struct fb_store *st, int fd)
{
	int rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
	if(rc != MDB_INCOMPATIBLE)
		return rc;
	/* the plain copy takes the writer lock for a moment: fine here,
	 * this process holds no transaction */
	if(ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return errno;
	return mdb_env_copyfd2(st->env, fd, 0);
}

int fb_store_backup(struct fb_store *st, const char *path, uint64_t *bytes,
	char *err, size_t errlen)
{
	char parent[PATH_ROOM], tmp[PATH_ROOM];
	struct stat sb;
	int fd, rc;
	if(bytes)
		*bytes = 0;
	parent_of(path, parent, sizeof(parent));
	/* a backup in the store directory could be taken for its files */
	if(same_dir(parent, st->dir)) {
		snprintf(err, errlen, "%s is in the store directory %s: write "
			"backups elsewhere", path, st->dir);
		return 0;
	}
	if(snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	   (int)sizeof(tmp)) {
		snprintf(err, errlen, "path too long: %s", path);
		return 0;
	}
	if((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "cannot create a file in %s: %s",
			parent, strerror(errno));
		return 0;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* mkstemp's 0600 would surprise: a backup is an ordinary file */
	(void)fchmod(fd, 0666 & ~current_umask());
	if((rc = copy_into(st, fd)) != 0) {
		fb_lmdb_error(err, errlen, "cannot copy", st->dir, rc);
		goto fail;
	}
	/* the rename must not be durable before the bytes are */
	if(fsync(fd) != 0 || fstat(fd, &sb) != 0) {
		rc = errno;
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			strerror(rc));
		goto fail;
	}
	if(close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			strerror(errno));
		goto fail;
	}
	fd = -1;
	if(rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
			strerror(errno));
		goto fail;
	}
	(void)fsync_path(parent);
	if(bytes)
		*bytes = (uint64_t)sb.st_size;
	return 1;
fail:
	if(fd >= 0)
		close(fd);
	unlink(tmp);
	return 0;
}

/* ---- restore -------------------------------------------------------- */

/** Copy a regular file to a new file to, fsynced.  @return 1 or 0. */
static int copy_file(const char *from, const char *to, char *err,
	size_t errlen)
{
	char buf[65536];
	struct stat sb;
	ssize_t n;
	int in, out, ok = 0;
	if((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", from,
			strerror(errno));
		return 0;
	}
	if(fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", from);
		close(in);
		return 0;
	}
	if((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0664)) <
	   0) {
		snprintf(err, errlen, "cannot create %s: %s", to,
			strerror(errno));
		close(in);
		return 0;
	}
	for(;;) {
		char *p = buf;
		n = read(in, buf, sizeof(buf));
		if(n < 0 && errno == EINTR)
			continue;
		if(n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", from,
				strerror(errno));
			goto done;
		}
		if(n == 0)
			break;
		while(n > 0) {
			ssize_t w = write(out, p, (size_t)n);
			if(w < 0 && errno == EINTR)
				continue;
			if(w < 0) {
				snprintf(err, errlen, "cannot write %s: %s",
					to, strerror(errno));
				goto done;
			}
			p += w;
			n -= w;
		}
	}
	if(fsync(out) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", to,
			strerror(errno));
		goto done;
	}
	ok = 1;
done:
	close(in);
	if(close(out) != 0 && ok) {
		snprintf(err, errlen, "cannot write %s: %s", to,
			strerror(errno));
		ok = 0;
	}
	return ok;
}

/** fb_verify_cb keeping the first problem, for a refusal message. */
static void first_problem(void *arg, enum fb_verify_kind kind,
	const char *what)
{
	char *first = arg;
	if(!first[0])
		snprintf(first, 256, "%s: %s", fb_verify_kind_name(kind),
			what);
}

/**
 * Say why fb_store_check_file() refused the copy of a backup in terms of
 * the backup: its text names the copy and gives advice for a live store.
 * @param why: its text, "<fresh>/data.mdb is ...: advice".
 * @param out: holds the backup's name; the reason is appended.
 */
static void backup_why(char *why, const char *fresh, char *out,
	size_t outlen)
{
	static const char *const advice[] = { ": restore", "  Restore",
		"; refusing" };
	char copy[PATH_ROOM];
	const char *reason = why;
	size_t i, n = strlen(out);
	char *cut;
	snprintf(copy, sizeof(copy), "%s/data.mdb", fresh);
	if(strncmp(why, copy, strlen(copy)) == 0)
		reason = why + strlen(copy);
	else if(n + 2 < outlen) {
		memcpy(out + n, ": ", 3);
		n += 2;
	}
	for(i = 0; i < sizeof(advice) / sizeof(advice[0]); i++)
		if((cut = strstr(why, advice[i])) != NULL)
			*cut = 0;
	snprintf(out + n, outlen - n, "%s; not restored, the store in force "
		"is unchanged", reason);
}

/**
 * Check the backup copied into fresh: a whole LMDB file, a fraudblock
 * store of a schema this build reads, and consistent.
 * @param gen: out: its generation.
 * @return 1 if usable, 0 (err set) if not.
 */
static int check_backup(const char *fresh, const char *file, uint64_t *gen,
	char *err, size_t errlen)
{
	struct fb_store *st;
	struct fb_verify_result vr;
	char why[512], first[256];
	int v;
	if(!fb_store_check_file(fresh, why, sizeof(why))) {
		snprintf(err, errlen, "%s", file);
		backup_why(why, fresh, err, errlen);
		return 0;
	}
	if(!fb_store_open(&st, fresh, 0, FB_STORE_READ, why, sizeof(why))) {
		snprintf(err, errlen, "%s is not a fraudblock store backup: %s",
			file, why);
		return 0;
	}
	first[0] = 0;
	v = fb_store_verify(st, first_problem, first, &vr, why, sizeof(why));
	fb_store_close(st);
	if(v < 0) {
		snprintf(err, errlen, "%s cannot be checked: %s", file, why);
		return 0;
	}
	if(v == 0) {
		snprintf(err, errlen, "%s fails verification with %llu "
			"problems (first: %s); not restored", file,
			(unsigned long long)vr.problems, first);
		return 0;
	}
	*gen = vr.generation;
	return 1;
}

/** Write generation gen into the store in dir (schema 2 after open). */
static int set_generation(const char *dir, uint64_t gen, char *err,
	size_t errlen)
{
	struct fb_store *st;
	MDB_txn *txn;
	uint8_t b[8];
	MDB_val key = { 10, "generation" }, val = { 8, b };
	int rc;
	if(!fb_store_open(&st, dir, 0, FB_STORE_WRITE, err, errlen))
		return 0;
	fb_put_be64(b, gen);
	if((rc = fb_write_begin(st, &txn)) == 0) {
		if((rc = mdb_put(txn, st->meta, &key, &val, 0)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if(rc)
		fb_lmdb_error(err, errlen, "cannot write", dir, rc);
	fb_store_close(st);
	return rc == 0;
}

/**
 * The live store, opened for writing with its writer lock held, when it
 * is a usable store.  A live directory that is missing, empty or damaged
 * gives no lock (nothing can write it anyway); one that holds another
 * program's LMDB, or a store this build cannot read, is refused.
 * @param live: out: NULL or the open store.
 * @param txn: out: its write transaction, holding the lock.
 * @param gen: out: its generation (0 without a store).
 * @param usable: out: whether a store was found there.
 * @return 1 to go on, 0 to refuse (err set).
 */
static int lock_live(const char *dir, struct fb_store **live, MDB_txn **txn,
	uint64_t *gen, int *usable, char *err, size_t errlen)
{
	char why[512];
	int rc, ours;
	*live = NULL;
	*txn = NULL;
	*gen = 0;
	*usable = 0;
	if(!fb_store_check_file(dir, why, sizeof(why)))
		return 1;
	/* read-only first: it refuses an LMDB without our tables, where
	 * a write open would add them */
	ours = fb_store_open(live, dir, 0, FB_STORE_READ, why, sizeof(why));
	fb_store_close(*live);
	*live = NULL;
	if(!ours || !fb_store_open(live, dir, 0, FB_STORE_WRITE, why,
	   sizeof(why))) {
		snprintf(err, errlen, "%s cannot be opened as a fraudblock "
			"store, refusing to replace it: %s", dir, why);
		return 0;
	}
	*usable = 1;
	if((rc = fb_write_begin(*live, txn)) != 0 ||
	   ((rc = fb_meta_generation(*live, *txn, gen)) != 0 &&
	   rc != MDB_NOTFOUND)) {
		fb_lmdb_error(err, errlen, "cannot lock", dir, rc);
		if(*txn)
			mdb_txn_abort(*txn);
		*txn = NULL;
		fb_store_close(*live);
		*live = NULL;
		return 0;
	}
	return 1;
}

int fb_store_restore(const char *dir, const char *file,
	struct fb_swap_result *res, char *err, size_t errlen)
{
	char real[REAL_ROOM], fresh[DIR_ROOM], path[PATH_ROOM];
	char fparent[PATH_ROOM];
	struct fb_store *live = NULL;
	MDB_txn *txn = NULL;
	uint64_t bgen = 0, lgen = 0;
	int exists, usable = 0;
	memset(res, 0, sizeof(*res));
	fresh[0] = 0;
	if(!real_dir(dir, real, sizeof(real), &exists, err, errlen))
		return 0;
	/* the live data.mdb, copied while a writer commits, is torn */
	parent_of(file, fparent, sizeof(fparent));
	if(exists && same_dir(fparent, real)) {
		snprintf(err, errlen, "%s is in the store directory: restore a "
			"file made by fraudblock-ctl backup", file);
		return 0;
	}
	if(!make_sibling(real, fresh, sizeof(fresh), err, errlen))
		return 0;
	snprintf(path, sizeof(path), "%s/data.mdb", fresh);
	if(!copy_file(file, path, err, errlen) ||
	   !check_backup(fresh, file, &bgen, err, errlen))
		goto fail;
	if(exists && !lock_live(real, &live, &txn, &lgen, &usable, err,
	   errlen))
		goto fail;
	/* a restore changes entries: watchers must see a new number */
	res->generation = (bgen > lgen ? bgen : lgen) + 1;
	if(!set_generation(fresh, res->generation, err, errlen))
		goto fail;
	res->bytes_before = exists ? data_size(real) : 0;
	res->bytes_after = data_size(fresh);
	if(exists)
		copy_owners(real, fresh, res->note, sizeof(res->note));
	else
		open_up(fresh);
	if(!swap_in(fresh, real, exists, res->note, sizeof(res->note), err,
	   errlen))
		goto fail;
	/* writers that waited for the lock now find the store swapped */
	if(txn)
		mdb_txn_abort(txn);
	fb_store_close(live);
	if(exists && !usable) {
		char kept[DIR_ROOM];
		snprintf(kept, sizeof(kept), "%s.old.%s", real,
			fresh + strlen(fresh) - 6);
		/* whatever was there could not be read: keep it to look at */
		if(data_size(fresh) > 0 && rename(fresh, kept) == 0)
			add_note(res->note, sizeof(res->note), "the store "
				"replaced could not be opened; it is kept in "
				"%s", kept);
		else if(data_size(fresh) > 0)
			add_note(res->note, sizeof(res->note), "the store "
				"replaced could not be opened; it is kept in "
				"%s", fresh);
		else
			drop_old(fresh, real, res->note, sizeof(res->note));
	} else if(exists)
		drop_old(fresh, real, res->note, sizeof(res->note));
	return 1;
fail:
	if(txn)
		mdb_txn_abort(txn);
	fb_store_close(live);
	if(fresh[0])
		(void)remove_store_dir(fresh);
	return 0;
}

/* ---- compact -------------------------------------------------------- */

/** The tables of a fraudblock store, for a rebuild and its check. */
struct table {
	const char *name;
	MDB_dbi dbi;
	unsigned flags;
};

/** Tables a rebuild copies: the four of schema 2, and the chunk index
 * (fb_chunk.h), copied too so that the source records that say it is in
 * force stay true. */
#define NTABLES 5

static void tables_of(const struct fb_store *st, struct table t[NTABLES])
{
	t[0].name = "meta";
	t[0].dbi = st->meta;
	t[0].flags = 0;
	t[1].name = "names";
	t[1].dbi = st->names;
	t[1].flags = MDB_DUPSORT | MDB_DUPFIXED;
	t[2].name = "bysource";
	t[2].dbi = st->bysource;
	t[2].flags = 0;
	t[3].name = "sources";
	t[3].dbi = st->sources;
	t[3].flags = 0;
	t[4].name = "chunks";
	t[4].dbi = st->chunks;
	t[4].flags = 0;
}

/** Generation and record counts of the tables in txn (a store opened
 * read-only may have no chunks table: 0 records). */
static int snapshot_counts(struct fb_store *st, MDB_txn *txn,
	uint64_t out[NTABLES + 1])
{
	struct table t[NTABLES];
	MDB_stat ms;
	int i, rc;
	tables_of(st, t);
	if((rc = fb_meta_generation(st, txn, &out[0])) != 0)
		return rc;
	for(i = 0; i < NTABLES; i++) {
		out[i + 1] = 0;
		if(t[i].dbi == st->chunks && !st->has_chunks)
			continue;
		if((rc = mdb_stat(txn, t[i].dbi, &ms)) != 0)
			return rc;
		out[i + 1] = ms.ms_entries;
	}
	return 0;
}

/** Open the copy in dir and compare it with the counts of the original.
 * @return 1 if the same, 0 (err set) if not. */
static int check_copy(const char *dir, const uint64_t want[NTABLES + 1],
	char *err, size_t errlen)
{
	struct fb_store *st;
	MDB_txn *txn;
	uint64_t got[NTABLES + 1];
	char why[512];
	int rc, i;
	if(!fb_store_check_file(dir, why, sizeof(why)) ||
	   !fb_store_open(&st, dir, 0, FB_STORE_READ, why, sizeof(why))) {
		snprintf(err, errlen, "the compacted copy is not usable: %s",
			why);
		return 0;
	}
	if((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)) == 0) {
		rc = snapshot_counts(st, txn, got);
		mdb_txn_abort(txn);
	}
	fb_store_close(st);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot read the copy in", dir, rc);
		return 0;
	}
	for(i = 0; i < NTABLES + 1; i++)
		if(got[i] != want[i]) {
			snprintf(err, errlen, "the compacted copy differs from "
				"the store (%s %llu, want %llu); nothing "
				"changed", i == 0 ? "generation" : "records",
				(unsigned long long)got[i],
				(unsigned long long)want[i]);
			return 0;
		}
	return 1;
}

/** Does the main table hold exactly our tables (nothing a rebuild would
 * leave out)?  @return 1, 0, or -1 on an LMDB error. */
static int only_our_tables(const struct fb_store *st, MDB_txn *txn)
{
	struct table t[NTABLES];
	MDB_cursor *c;
	MDB_val k, d;
	MDB_dbi main;
	int rc, i, n = 0, ours = 1;
	tables_of(st, t);
	if(mdb_dbi_open(txn, NULL, 0, &main) != 0 ||
	   mdb_cursor_open(txn, main, &c) != 0)
		return -1;
	while(ours && (rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		n++;
		for(i = 0; i < NTABLES; i++)
			if(k.mv_size == strlen(t[i].name) &&
			   memcmp(k.mv_data, t[i].name, k.mv_size) == 0)
				break;
		ours = i < NTABLES;
	}
	mdb_cursor_close(c);
	return ours && n == NTABLES ? 1 :
		(ours && rc != MDB_NOTFOUND ? -1 : 0);
}

/** Copy one table in key order with MDB_APPEND: every page filled. */
static int copy_table(MDB_txn *from, MDB_dbi src, MDB_txn *to, MDB_dbi dst,
	unsigned flags)
{
	MDB_cursor *in, *out;
	MDB_val k, d;
	unsigned put = MDB_APPEND | (flags & MDB_DUPSORT ? MDB_APPENDDUP : 0);
	int rc;
	if((rc = mdb_cursor_open(from, src, &in)) != 0)
		return rc;
	if((rc = mdb_cursor_open(to, dst, &out)) != 0) {
		mdb_cursor_close(in);
		return rc;
	}
	while((rc = mdb_cursor_get(in, &k, &d, MDB_NEXT)) == 0)
		if((rc = mdb_cursor_put(out, &k, &d, put)) != 0)
			break;
	mdb_cursor_close(out);
	mdb_cursor_close(in);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/**
 * Rebuild the store seen by txn into a new environment in dir, table by
 * table, in one write transaction of the new environment.
 * @return 0 or an LMDB/errno code.
 */
static int rebuild(struct fb_store *st, MDB_txn *txn, const char *dir)
{
	struct table t[NTABLES];
	MDB_envinfo ei;
	MDB_env *env;
	MDB_txn *out;
	MDB_dbi dbi;
	int rc, i;
	tables_of(st, t);
	if((rc = mdb_env_info(st->env, &ei)) != 0 ||
	   (rc = mdb_env_create(&env)) != 0)
		return rc;
	if((rc = mdb_env_set_maxdbs(env, 8)) != 0 ||
	   (rc = mdb_env_set_mapsize(env, ei.me_mapsize)) != 0 ||
	   (rc = mdb_env_open(env, dir, 0, 0664)) != 0 ||
	   (rc = mdb_txn_begin(env, NULL, 0, &out)) != 0) {
		mdb_env_close(env);
		return rc;
	}
	for(i = 0; i < NTABLES && rc == 0; i++)
		if((rc = mdb_dbi_open(out, t[i].name, MDB_CREATE | t[i].flags,
		   &dbi)) == 0)
			rc = copy_table(txn, t[i].dbi, out, dbi, t[i].flags);
	/* a synchronous commit: the file is on disk before the swap */
	if(rc == 0)
		rc = mdb_txn_commit(out);
	else
		mdb_txn_abort(out);
	mdb_env_close(env);
	return rc;
}

/** Copy with LMDB's compacting copy, into dir/data.mdb.  Keeps pages as
 * they are, less the free ones.  @return 0 or an LMDB/errno code. */
static int copy_compacted(struct fb_store *st, const char *dir)
{
	char path[PATH_ROOM];
	int fd, rc;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0664)) <
	   0)
		return errno;
	/* it reads in a transaction of its own and never takes the writer
	 * lock, which this thread holds: it sees the newest commit, the
	 * one the caller's write transaction started from */
	rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
	if(rc == 0 && fsync(fd) != 0)
		rc = errno;
	if(close(fd) != 0 && rc == 0)
		rc = errno;
	return rc;
}

int fb_store_compact(struct fb_store *st, struct fb_swap_result *res,
	char *err, size_t errlen)
{
	char real[REAL_ROOM], fresh[DIR_ROOM];
	uint64_t want[NTABLES + 1];
	MDB_txn *txn = NULL;
	int rc, exists, ours;
	memset(res, 0, sizeof(*res));
	fresh[0] = 0;
	if(st->mode != FB_STORE_WRITE) {
		snprintf(err, errlen, "%s: compact needs the store opened for "
			"writing", st->dir);
		return 0;
	}
	if(!real_dir(st->dir, real, sizeof(real), &exists, err, errlen))
		return 0;
	/* from here until the swap no writer can commit */
	if((rc = fb_write_begin(st, &txn)) != 0 ||
	   (rc = snapshot_counts(st, txn, want)) != 0) {
		fb_lmdb_error(err, errlen, "cannot compact", st->dir, rc);
		goto fail;
	}
	if(!make_sibling(real, fresh, sizeof(fresh), err, errlen))
		goto fail;
	/* a rebuild with MDB_APPEND fills every page, where LMDB's copy
	 * keeps the half-empty pages removals leave; it copies only the
	 * tables this build knows, so anything else takes LMDB's copy */
	if((ours = only_our_tables(st, txn)) < 0) {
		fb_lmdb_error(err, errlen, "cannot read", st->dir,
			MDB_CORRUPTED);
		goto fail;
	}
	rc = ours ? rebuild(st, txn, fresh) : copy_compacted(st, fresh);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot copy", st->dir, rc);
		goto fail;
	}
	if(!check_copy(fresh, want, err, errlen))
		goto fail;
	res->generation = want[0];
	res->bytes_before = data_size(real);
	res->bytes_after = data_size(fresh);
	copy_owners(real, fresh, res->note, sizeof(res->note));
	if(!swap_in(fresh, real, 1, res->note, sizeof(res->note), err,
	   errlen))
		goto fail;
	mdb_txn_abort(txn);
	drop_old(fresh, real, res->note, sizeof(res->note));
	return 1;
fail:
	if(txn)
		mdb_txn_abort(txn);
	if(fresh[0])
		(void)remove_store_dir(fresh);
	return 0;
}
