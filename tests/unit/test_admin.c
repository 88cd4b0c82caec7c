/**
 * \file
 * Unit tests of lib/fb_admin.c: backup, restore and compact (atomic
 * swap, refusals that leave the live store byte for byte as it was,
 * writers that find their store swapped, the writer lock held across a
 * compaction) and verify (a clean store, and stores broken on purpose by
 * writing records straight into LMDB).
 * Each test works in its own directory under $TMPDIR.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fb_store_int.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_manual.h"
#include "fb_admin.h"
#include "tap.h"

static char base[256];
static int dirs;

/** A fresh store directory path (not created). */
static const char *fresh_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/db%d", base, ++dirs);
	return buf;
}

static struct fb_store *open_mode(const char *dir, int mode)
{
	struct fb_store *st;
	char err[512];
	if(!fb_store_open(&st, dir, 64 << 20, mode, err, sizeof(err))) {
		printf("# open %s: %s\n", dir, err);
		return NULL;
	}
	return st;
}

static struct fb_store *open_rw(const char *dir)
{
	return open_mode(dir, FB_STORE_WRITE);
}

static void key_of(const char *name, struct fb_key *k)
{
	uint8_t s;
	if(fb_name_parse(name, strlen(name), FB_NAME_ALLOW_TLD, k, &s) !=
		FB_NAME_OK) {
		printf("# test bug: cannot parse %s\n", name);
		exit(2);
	}
}

/** Make feed's entries the names (NULL-terminated). */
static int feed(struct fb_store *st, const char *name,
	const char *const *names)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_update_spec spec;
	struct fb_update_result res;
	struct fb_key k;
	char err[512];
	enum fb_update_status s;
	for(; *names; names++) {
		key_of(*names, &k);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = name;
	spec.action = FB_ACTION_DEFAULT;
	spec.category = FB_CATEGORY_SCAM;
	spec.max_shrink = 100;
	spec.now = 1700000000;
	s = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	if(s != FB_UPDATE_OK)
		printf("# feed %s: %s\n", name, err);
	fb_nameset_free(ns);
	return s == FB_UPDATE_OK;
}

/** A feed of n generated names "hI.bulk.example". */
static int feed_bulk(struct fb_store *st, const char *name, int n)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_update_spec spec;
	struct fb_update_result res;
	struct fb_key k;
	char err[512], text[64];
	enum fb_update_status s;
	int i;
	for(i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "h%d.bulk.example", i);
		key_of(text, &k);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = name;
	spec.max_shrink = 100;
	spec.now = 1700000000;
	s = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	if(s != FB_UPDATE_OK)
		printf("# feed %s: %s\n", name, err);
	fb_nameset_free(ns);
	return s == FB_UPDATE_OK;
}

/** @return the verdict kind for name, -1 on error. */
static int verdict(struct fb_store *st, const char *name)
{
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_key k;
	struct fb_verdict v;
	char err[512];
	if(!fb_reader_new(st, &r, err, sizeof(err)))
		return -1;
	if(fb_reader_begin(r, NULL) != 0) {
		fb_reader_free(r);
		return -1;
	}
	key_of(name, &k);
	fb_qname_from_key(&k, &q);
	if(fb_match(r, &q, &v, NULL, NULL) != 0)
		v.kind = -1;
	fb_reader_end(r);
	fb_reader_free(r);
	return v.kind;
}

/** The verdict for name in the store in dir, opened read-only. */
static int verdict_in(const char *dir, const char *name)
{
	struct fb_store *st = open_mode(dir, FB_STORE_READ);
	int v = st ? verdict(st, name) : -1;
	fb_store_close(st);
	return v;
}

static uint64_t generation_in(const char *dir)
{
	struct fb_store *st = open_mode(dir, FB_STORE_READ);
	struct fb_reader *r;
	uint64_t g = 0;
	char err[512];
	if(st && fb_reader_new(st, &r, err, sizeof(err))) {
		if(fb_reader_begin(r, NULL) == 0) {
			fb_reader_generation(r, &g);
			fb_reader_end(r);
		}
		fb_reader_free(r);
	}
	fb_store_close(st);
	return g;
}

/** Verify the store in dir.  @return fb_store_verify's result. */
static int verify_in(const char *dir, struct fb_verify_result *vr)
{
	struct fb_store *st = open_mode(dir, FB_STORE_READ);
	char err[512];
	int v;
	if(!st)
		return -2;
	v = fb_store_verify(st, NULL, NULL, vr, err, sizeof(err));
	if(v < 0)
		printf("# verify: %s\n", err);
	fb_store_close(st);
	return v;
}

/** The whole file, malloced; NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if(!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;
	if(!f)
		return 0;
	ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/** Is data.mdb of dir the same bytes as buf? */
static int data_is(const char *dir, const char *buf, size_t len)
{
	char path[600];
	size_t n;
	char *now;
	int same;
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	now = slurp(path, &n);
	same = now && n == len && memcmp(now, buf, len) == 0;
	free(now);
	return same;
}

static char *data_of(const char *dir, size_t *len)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	return slurp(path, len);
}

/** Entries of base whose name holds part (left-over siblings). */
static int leftovers(const char *part)
{
	DIR *d = opendir(base);
	struct dirent *e;
	int n = 0;
	if(!d)
		return -1;
	while((e = readdir(d)) != NULL)
		if(strstr(e->d_name, part))
			n++;
	closedir(d);
	return n;
}

static ino_t inode_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

static uint64_t size_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* ---- backup --------------------------------------------------------- */

static void test_backup(void)
{
	static const char *const names[] = { "a.example", "b.example", NULL };
	struct fb_store *st, *ro;
	char dir[300], bk[300], bad[400], restored[300], err[512];
	uint64_t bytes = 0;
	ino_t first;
	printf("# backup\n");
	fresh_dir(dir, sizeof(dir));
	if(!(st = open_rw(dir)))
		return;
	ok(feed(st, "f1", names), "a feed to back up");
	snprintf(bk, sizeof(bk), "%s/one.bak", base);
	ok(fb_store_backup(st, bk, &bytes, err, sizeof(err)), "backup made");
	is_int(bytes, size_of(bk), "the size reported is the file's");
	ok(bytes > 0, "the backup is not empty");
	is_int(leftovers("one.bak.tmp."), 0, "no temporary file left");

	/* a second backup replaces the file as a whole, by rename */
	first = inode_of(bk);
	ok(fb_store_backup(st, bk, NULL, err, sizeof(err)), "backup again");
	ok(inode_of(bk) != first, "the file was replaced, not rewritten");

	snprintf(bad, sizeof(bad), "%s/backup.mdb", dir);
	ok(!fb_store_backup(st, bad, NULL, err, sizeof(err)),
		"a backup into the store directory is refused");
	ok(strstr(err, "store directory") != NULL, "... saying why");
	ok(size_of(bad) == 0 && access(bad, F_OK) != 0,
		"... and nothing is written there");
	snprintf(bad, sizeof(bad), "%s/missing/x.bak", base);
	ok(!fb_store_backup(st, bad, NULL, err, sizeof(err)),
		"a backup into a missing directory fails");
	fb_store_close(st);

	/* read-only is enough: the module's user can take backups */
	if(!(ro = open_mode(dir, FB_STORE_READ)))
		return;
	snprintf(bad, sizeof(bad), "%s/ro.bak", base);
	ok(fb_store_backup(ro, bad, NULL, err, sizeof(err)),
		"backup of a store opened read-only");
	fb_store_close(ro);

	fresh_dir(restored, sizeof(restored));
	{
		struct fb_swap_result res;
		if(!ok(fb_store_restore(restored, bk, &res, err, sizeof(err)),
			"the backup restores into a new directory"))
			printf("# %s\n", err);
	}
	is_int(verdict_in(restored, "www.a.example"), FB_BLOCK,
		"the restored copy blocks what the store blocked");
	is_int(verdict_in(restored, "c.example"), FB_PASS,
		"... and passes the rest");
}

/* ---- restore -------------------------------------------------------- */

/** Build a store broken on purpose: a names record with no twin. */
static void break_store(struct fb_store *st)
{
	MDB_txn *txn;
	struct fb_key k;
	uint8_t rec[FB_ENTRY_SIZE];
	struct fb_entry e;
	MDB_val kv, dv = { FB_ENTRY_SIZE, rec };
	memset(&e, 0, sizeof(e));
	e.source = FB_SOURCE_BLOCK;
	e.scope = FB_SCOPE_TREE;
	e.action = FB_ACTION_DEFAULT;
	fb_entry_encode(&e, rec);
	key_of("lonely.example", &k);
	kv.mv_data = k.data;
	kv.mv_size = k.len;
	if(fb_write_begin(st, &txn) == 0) {
		mdb_put(txn, st->names, &kv, &dv, 0);
		mdb_txn_commit(txn);
	}
}

/** Run a restore in a child process: LMDB allows one environment on a
 * set of files per process, and the test holds the store open. */
static int restore_in_child(const char *dir, const char *file)
{
	pid_t pid;
	int status;
	fflush(stdout);
	pid = fork();
	if(pid == 0) {
		struct fb_swap_result res;
		char err[512];
		int ok = fb_store_restore(dir, file, &res, err, sizeof(err));
		if(!ok)
			printf("# child restore: %s\n", err);
		fflush(stdout);
		_exit(ok ? 0 : 1);
	}
	if(pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/** Restore file into dir and check it was refused without a change. */
static void refused(const char *dir, const char *file, const char *what,
	const char *word)
{
	struct fb_swap_result res;
	char err[512], desc[200];
	size_t len;
	char *before = data_of(dir, &len);
	int r = fb_store_restore(dir, file, &res, err, sizeof(err));
	snprintf(desc, sizeof(desc), "restore of %s is refused", what);
	ok(!r, desc);
	snprintf(desc, sizeof(desc), "... saying '%s'", word);
	if(!ok(strstr(err, word) != NULL, desc))
		printf("# err: %s\n", err);
	snprintf(desc, sizeof(desc), "... the live data.mdb is byte for "
		"byte unchanged (%s)", what);
	ok(before && data_is(dir, before, len), desc);
	snprintf(desc, sizeof(desc), "... and still opens and blocks (%s)",
		what);
	is_int(verdict_in(dir, "new.example"), FB_BLOCK, desc);
	snprintf(desc, sizeof(desc), "... no sibling left behind (%s)", what);
	is_int(leftovers(".new."), 0, desc);
	free(before);
}

static void test_restore(void)
{
	static const char *const old_names[] = { "old.example", NULL };
	static const char *const new_names[] = { "new.example", NULL };
	struct fb_store *st;
	struct fb_swap_result res;
	struct fb_key k;
	char dir[300], bk[300], path[400], err[512], other_dir[300];
	char *buf;
	size_t len;
	uint64_t gen;
	ino_t ino;
	printf("# restore\n");
	fresh_dir(dir, sizeof(dir));
	if(!(st = open_rw(dir)))
		return;
	feed(st, "f1", old_names);
	snprintf(bk, sizeof(bk), "%s/old.bak", base);
	ok(fb_store_backup(st, bk, NULL, err, sizeof(err)), "backup of the "
		"old list");
	feed(st, "f1", new_names);
	key_of("hand.example", &k);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_DEFAULT, 1, err,
		sizeof(err));
	fb_store_close(st);
	gen = generation_in(dir);

	/* ---- refusals first: the live store must not move */
	snprintf(path, sizeof(path), "%s/garbage", base);
	buf = malloc(100000);
	for(len = 0; len < 100000; len++)
		buf[len] = (char)(len * 7919 % 251);
	write_file(path, buf, 100000);
	refused(dir, path, "a garbage file", "not an LMDB");
	snprintf(path, sizeof(path), "%s/empty", base);
	write_file(path, "", 0);
	refused(dir, path, "an empty file", "empty");
	free(buf);
	buf = slurp(bk, &len);
	snprintf(path, sizeof(path), "%s/truncated", base);
	write_file(path, buf, len / 2);
	refused(dir, path, "a truncated backup", "truncated");
	free(buf);
	snprintf(path, sizeof(path), "%s/nothing-here", base);
	refused(dir, path, "a missing file", "cannot open");
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	refused(dir, path, "the live data.mdb itself", "store directory");

	/* an LMDB file, but another program's */
	fresh_dir(other_dir, sizeof(other_dir));
	{
		MDB_env *env;
		MDB_txn *txn;
		MDB_dbi dbi;
		MDB_val kv = { 3, "foo" }, dv = { 3, "bar" };
		mkdir(other_dir, 0755);
		mdb_env_create(&env);
		mdb_env_open(env, other_dir, 0, 0644);
		mdb_txn_begin(env, NULL, 0, &txn);
		mdb_dbi_open(txn, NULL, 0, &dbi);
		mdb_put(txn, dbi, &kv, &dv, 0);
		mdb_txn_commit(txn);
		mdb_env_close(env);
	}
	snprintf(path, sizeof(path), "%s/data.mdb", other_dir);
	refused(dir, path, "another program's LMDB file", "fraudblock");
	/* ... and a store directory that holds one is not replaced */
	{
		char *odata;
		size_t olen;
		odata = data_of(other_dir, &olen);
		ok(!fb_store_restore(other_dir, bk, &res, err, sizeof(err)),
			"restore over another program's LMDB is refused");
		ok(odata && data_is(other_dir, odata, olen),
			"... and leaves it as it was");
		free(odata);
	}

	/* a store that fails verification */
	{
		char broken[300], bbk[300];
		struct fb_store *b;
		fresh_dir(broken, sizeof(broken));
		if((b = open_rw(broken)) != NULL) {
			feed(b, "f1", new_names);
			break_store(b);
			snprintf(bbk, sizeof(bbk), "%s/broken.bak", base);
			fb_store_backup(b, bbk, NULL, err, sizeof(err));
			fb_store_close(b);
			refused(dir, bbk, "a backup that fails verification",
				"verification");
		}
	}

	/* ---- the restore, while this process holds the store open */
	chmod(dir, 0750);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	chmod(path, 0660);
	if(!(st = open_rw(dir)))
		return;
	ino = inode_of(dir);
	ok(restore_in_child(dir, bk), "restore of the old backup");
	is_int(fb_store_state(st, err, sizeof(err)), FB_STORE_REPLACED,
		"an open store sees its files replaced");
	ok(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_NXDOMAIN, 2,
		err, sizeof(err)) < 0, "a writer of the swapped store fails");
	if(!ok(strstr(err, "store replaced") != NULL,
		"... with 'store replaced' (FB_ESTALE)"))
		printf("# err: %s\n", err);
	fb_store_close(st);
	ok(inode_of(dir) != ino, "the directory was swapped, not rewritten");
	is_int(verdict_in(dir, "www.old.example"), FB_BLOCK,
		"a name only in the backup is blocked after the restore");
	is_int(verdict_in(dir, "new.example"), FB_PASS,
		"a name only in the newer list passes");
	is_int(verdict_in(dir, "hand.example"), FB_PASS,
		"a hand-made block made after the backup is gone");
	ok(generation_in(dir) > gen, "the generation went up, not back");
	{
		struct fb_verify_result vr;
		is_int(verify_in(dir, &vr), 1, "the restored store verifies");
	}
	{
		struct stat sb;
		stat(dir, &sb);
		is_int(sb.st_mode & 07777, 0750,
			"the directory keeps its mode");
		stat(path, &sb);
		is_int(sb.st_mode & 07777, 0660, "lock.mdb keeps its mode");
	}
	is_int(leftovers(".new."), 0, "no sibling left behind");
	is_int(leftovers(".old."), 0, "the old store was removed");

	/* ---- into a directory that does not exist yet */
	fresh_dir(other_dir, sizeof(other_dir));
	ok(fb_store_restore(other_dir, bk, &res, err, sizeof(err)),
		"restore into a missing directory");
	is_int(verdict_in(other_dir, "old.example"), FB_BLOCK,
		"... which then blocks the backup's names");
	is_int(res.bytes_before, 0, "... nothing was replaced");

	/* ---- over a damaged store: it is kept to look at */
	{
		char dmg[300], dpath[400];
		struct fb_store *d;
		fresh_dir(dmg, sizeof(dmg));
		if((d = open_rw(dmg)) != NULL) {
			feed_bulk(d, "big", 3000);
			fb_store_close(d);
		}
		snprintf(dpath, sizeof(dpath), "%s/data.mdb", dmg);
		if(truncate(dpath, 8192) != 0)
			printf("# truncate: %s\n", strerror(errno));
		ok(fb_store_restore(dmg, bk, &res, err, sizeof(err)),
			"restore over a truncated store");
		is_int(verdict_in(dmg, "old.example"), FB_BLOCK,
			"... which then blocks the backup's names");
		if(!ok(strstr(res.note, "kept in") != NULL,
			"... and says where the damaged one was kept"))
			printf("# note: '%s'\n", res.note);
		is_int(leftovers(".old."), 1, "... in a .old. sibling");
	}
}

/* ---- compact -------------------------------------------------------- */

/** Child: hold the writer lock for ms, then add name and commit. */
static void hold_lock_then_write(const char *dir, int fd, int ms)
{
	struct fb_store *st = open_rw(dir);
	struct fb_source_info info;
	struct fb_entry e;
	struct fb_key k;
	MDB_txn *txn;
	int rc;
	if(!st || fb_write_begin(st, &txn) != 0)
		_exit(3);
	if(write(fd, "x", 1) != 1)
		_exit(3);
	usleep((useconds_t)ms * 1000);
	memset(&e, 0, sizeof(e));
	e.source = FB_SOURCE_BLOCK;
	e.scope = FB_SCOPE_TREE;
	key_of("late.example", &k);
	rc = fb_entry_put(st, txn, k.data, k.len, &e);
	fb_source_get(st, txn, FB_SOURCE_BLOCK, &info);
	info.entries++;
	if(rc == 0)
		rc = fb_source_put(st, txn, &info);
	if(rc == 0)
		rc = fb_meta_bump_generation(st, txn, NULL);
	if(rc == 0)
		rc = mdb_txn_commit(txn);
	fb_store_close(st);
	_exit(rc ? 4 : 0);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
		(t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_compact(void)
{
	static const char *const few[] = { "keep.example", NULL };
	struct fb_store *st;
	struct fb_swap_result res;
	struct fb_verify_result vr;
	struct fb_key k;
	char dir[300], path[400], err[512];
	uint64_t gen, before;
	ino_t ino;
	int p[2], status;
	struct timespec t0;
	pid_t pid;
	long waited;
	int olds = leftovers(".old.");
	printf("# compact\n");
	fresh_dir(dir, sizeof(dir));
	if(!(st = open_rw(dir)))
		return;
	ok(feed_bulk(st, "big", 20000), "20000 names");
	ok(feed(st, "big", few), "then one: the file keeps its size");
	fb_store_close(st);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	before = size_of(path);
	gen = generation_in(dir);

	if((st = open_mode(dir, FB_STORE_READ)) != NULL) {
		ok(!fb_store_compact(st, &res, err, sizeof(err)),
			"compact of a store opened read-only is refused");
		fb_store_close(st);
	}
	if(!(st = open_rw(dir)))
		return;
	ino = inode_of(dir);
	if(!ok(fb_store_compact(st, &res, err, sizeof(err)), "compact"))
		printf("# %s\n", err);
	printf("# data.mdb %llu -> %llu bytes\n",
		(unsigned long long)res.bytes_before,
		(unsigned long long)res.bytes_after);
	is_int(res.bytes_before, before, "size before is the old file's");
	is_int(res.bytes_after, size_of(path), "size after is the new file's");
	ok(res.bytes_after * 4 < res.bytes_before,
		"the compacted file is much smaller");
	ok(inode_of(dir) != ino, "the directory was swapped");
	key_of("x.example", &k);
	ok(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_DEFAULT, 1,
		err, sizeof(err)) < 0 && strstr(err, "store replaced"),
		"the compacting handle is stale afterwards (FB_ESTALE)");
	fb_store_close(st);
	is_int(generation_in(dir), gen, "compact keeps the generation");
	is_int(verdict_in(dir, "keep.example"), FB_BLOCK, "kept name blocked");
	is_int(verdict_in(dir, "h5.bulk.example"), FB_PASS,
		"removed name passes");
	is_int(verify_in(dir, &vr), 1, "the compacted store verifies");
	is_int(leftovers(".new."), 0, "no sibling left behind");
	is_int(leftovers(".old."), olds, "the old store was removed");

	/* a writer holding the lock: compact waits for its commit and
	 * copies it; nothing committed is lost */
	/* opened first: opening for writing takes the lock for a moment */
	if(!(st = open_rw(dir)) || pipe(p) != 0)
		return;
	fflush(stdout);
	if((pid = fork()) == 0) {
		close(p[0]);
		hold_lock_then_write(dir, p[1], 400);
	}
	close(p[1]);
	{
		char c;
		ok(read(p[0], &c, 1) == 1, "a writer holds the lock");
	}
	close(p[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(fb_store_compact(st, &res, err, sizeof(err)),
		"compact while another process writes");
	waited = ms_since(&t0);
	printf("# compact waited %ld ms for the writer\n", waited);
	ok(waited >= 300, "compact waited for the writer's commit");
	fb_store_close(st);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0, "the writer committed");
	is_int(verdict_in(dir, "late.example"), FB_BLOCK,
		"the commit made under compact's wait is in the new store");
	is_int(generation_in(dir), gen + 1, "with its generation");
	is_int(verify_in(dir, &vr), 1, "and the store verifies");
}

/** A feed of every tenth of the n names of feed_bulk. */
static int feed_tenth(struct fb_store *st, const char *name, int n)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_update_spec spec;
	struct fb_update_result res;
	struct fb_key k;
	char err[512], text[64];
	int i, ok;
	for(i = 0; i < n; i += 10) {
		snprintf(text, sizeof(text), "h%d.bulk.example", i);
		key_of(text, &k);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = name;
	spec.max_shrink = 100;
	spec.now = 1700000001;
	ok = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err)) ==
		FB_UPDATE_OK;
	fb_nameset_free(ns);
	return ok;
}

static void test_compact_packs(void)
{
	struct fb_store *st;
	struct fb_swap_result res;
	struct fb_verify_result vr;
	char dir[300], bk[300], err[512];
	uint64_t lmdb_copy = 0;
	printf("# compact packs pages\n");
	fresh_dir(dir, sizeof(dir));
	if(!(st = open_rw(dir)))
		return;
	/* removals spread over the whole key range leave every page
	 * partly empty: LMDB's compacting copy keeps them so */
	ok(feed_bulk(st, "big", 30000) && feed_tenth(st, "big", 30000),
		"30000 names, then every tenth");
	snprintf(bk, sizeof(bk), "%s/sparse.bak", base);
	ok(fb_store_backup(st, bk, &lmdb_copy, err, sizeof(err)),
		"a backup (LMDB's compacting copy)");
	if(!ok(fb_store_compact(st, &res, err, sizeof(err)), "compact"))
		printf("# %s\n", err);
	fb_store_close(st);
	printf("# data.mdb %llu, LMDB's compacting copy %llu, compact %llu "
		"bytes\n", (unsigned long long)res.bytes_before,
		(unsigned long long)lmdb_copy,
		(unsigned long long)res.bytes_after);
	ok(res.bytes_after * 2 < lmdb_copy,
		"compact rebuilds full pages: less than half LMDB's copy");
	is_int(verdict_in(dir, "h20.bulk.example"), FB_BLOCK,
		"a kept name is blocked");
	is_int(verdict_in(dir, "h21.bulk.example"), FB_PASS,
		"a removed name passes");
	is_int(verify_in(dir, &vr), 1, "the rebuilt store verifies");
	is_int(vr.records, 3000, "... with its 3000 records");

	/* a table this build does not know: LMDB's copy keeps it */
	if(!(st = open_rw(dir)))
		return;
	{
		MDB_txn *txn;
		MDB_dbi dbi;
		MDB_val k = { 5, "later" }, d = { 4, "data" }, got;
		int rc = fb_write_begin(st, &txn);
		if(rc == 0) {
			if((rc = mdb_dbi_open(txn, "future", MDB_CREATE,
				&dbi)) == 0 &&
				(rc = mdb_put(txn, dbi, &k, &d, 0)) == 0)
				rc = mdb_txn_commit(txn);
			else
				mdb_txn_abort(txn);
		}
		ok(rc == 0, "a table of a later version added");
		ok(fb_store_compact(st, &res, err, sizeof(err)),
			"compact of a store with a table it does not know");
		fb_store_close(st);
		if(!(st = open_mode(dir, FB_STORE_READ)))
			return;
		txn = NULL;
		rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
		if(rc == 0 && (rc = mdb_dbi_open(txn, "future", 0, &dbi)) == 0)
			rc = mdb_get(txn, dbi, &k, &got);
		ok(rc == 0 && got.mv_size == 4 &&
			memcmp(got.mv_data, "data", 4) == 0,
			"... keeps that table and its record");
		if(txn)
			mdb_txn_abort(txn);
		fb_store_close(st);
	}
	is_int(verdict_in(dir, "h20.bulk.example"), FB_BLOCK,
		"... and the entries");
}

/* ---- verify --------------------------------------------------------- */

/** Count callback calls per kind. */
struct seen {
	int calls[FB_VERIFY_NKINDS];
};

static void count_cb(void *arg, enum fb_verify_kind kind, const char *what)
{
	struct seen *s = arg;
	(void)what;
	s->calls[kind]++;
}

/** Put raw key/value pairs in a table in one transaction. */
static int put_raw(struct fb_store *st, MDB_dbi dbi, const void *key,
	size_t klen, const void *val, size_t vlen)
{
	MDB_txn *txn;
	MDB_val kv = { klen, (void *)key }, dv = { vlen, (void *)val };
	int rc = fb_write_begin(st, &txn);
	if(rc)
		return rc;
	if((rc = mdb_put(txn, dbi, &kv, &dv, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/** Add an entry to both tables and count it in its source: consistent
 * apart from what rec itself holds. */
static int put_pair(struct fb_store *st, const uint8_t *key, size_t klen,
	const struct fb_entry *e)
{
	struct fb_source_info info;
	MDB_txn *txn;
	int rc = fb_write_begin(st, &txn);
	if(rc)
		return rc;
	rc = fb_entry_put(st, txn, key, klen, e);
	if(rc == 0 && fb_source_get(st, txn, e->source, &info) == 0) {
		info.entries++;
		rc = fb_source_put(st, txn, &info);
	}
	if(rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/** A store with a feed of three names, a hand block and a hand allow. */
static struct fb_store *good_store(char *dir, size_t len)
{
	static const char *const names[] = { "a.example", "b.example",
		"*.c.example", NULL };
	struct fb_store *st;
	struct fb_key k;
	char err[512];
	fresh_dir(dir, len);
	if(!(st = open_rw(dir)))
		return NULL;
	feed(st, "f1", names);
	key_of("hand.example", &k);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_NXDOMAIN, 1, err,
		sizeof(err));
	key_of("ok.a.example", &k);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW, 1, err,
		sizeof(err));
	return st;
}

/** Run verify; check it found exactly want problems of kind. */
static void expect(struct fb_store *st, const char *what,
	enum fb_verify_kind kind, uint64_t want, uint64_t total)
{
	struct fb_verify_result vr;
	struct seen s;
	char err[512], desc[200];
	int v;
	memset(&s, 0, sizeof(s));
	v = fb_store_verify(st, count_cb, &s, &vr, err, sizeof(err));
	snprintf(desc, sizeof(desc), "verify finds %s", what);
	is_int(v, 0, desc);
	snprintf(desc, sizeof(desc), "... as %llu %s problem(s)",
		(unsigned long long)want, fb_verify_kind_name(kind));
	is_int(vr.kind[kind], want, desc);
	snprintf(desc, sizeof(desc), "... and %llu in all",
		(unsigned long long)total);
	is_int(vr.problems, total, desc);
}

static void test_verify(void)
{
	struct fb_store *st;
	struct fb_verify_result vr;
	struct fb_entry e;
	struct fb_source_info info;
	struct fb_key k;
	struct seen s;
	uint8_t rec[FB_ENTRY_SIZE], bk[2 + FB_KEY_MAX];
	char dir[300], err[512];
	MDB_txn *txn;
	int i;
	printf("# verify\n");
	if(!(st = good_store(dir, sizeof(dir))))
		return;
	memset(&s, 0, sizeof(s));
	is_int(fb_store_verify(st, count_cb, &s, &vr, err, sizeof(err)), 1,
		"a good store verifies clean");
	is_int(vr.problems, 0, "... no problem");
	is_int(vr.keys, 5, "... 5 keys");
	is_int(vr.records, 5, "... 5 records in names");
	is_int(vr.bysource, 5, "... the same 5 in bysource");
	is_int(vr.sources, 3, "... 3 sources");
	fb_store_close(st);

	memset(&e, 0, sizeof(e));
	e.source = FB_SOURCE_BLOCK;
	e.scope = FB_SCOPE_TREE;
	e.action = FB_ACTION_DEFAULT;

	/* a names record without its bysource twin */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		key_of("lonely.example", &k);
		fb_entry_encode(&e, rec);
		put_raw(st, st->names, k.data, k.len, rec, FB_ENTRY_SIZE);
		expect(st, "a names record without its bysource twin",
			FB_VERIFY_TWIN, 1, 1);
		fb_store_close(st);
	}
	/* a bysource record without its names twin: its source's count
	 * in bysource is one more than the record says, too */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		key_of("lonely.example", &k);
		fb_entry_encode(&e, rec);
		put_raw(st, st->bysource, bk, fb_bysource_key(e.source, k.data,
			k.len, bk), rec, FB_ENTRY_SIZE);
		expect(st, "a bysource record without its names twin",
			FB_VERIFY_TWIN, 1, 2);
		fb_store_close(st);
	}
	/* twins that differ */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		struct fb_entry e2 = e;
		key_of("hand.example", &k);
		e2.action = FB_ACTION_SINKHOLE;
		fb_entry_encode(&e2, rec);
		put_raw(st, st->bysource, bk, fb_bysource_key(e.source, k.data,
			k.len, bk), rec, FB_ENTRY_SIZE);
		/* one side each way: names has a record bysource lacks and
		 * bysource one names lacks */
		expect(st, "twins that differ", FB_VERIFY_TWIN, 2, 2);
		fb_store_close(st);
	}
	/* a source's count off by one */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		if(fb_write_begin(st, &txn) == 0) {
			fb_source_find(st, txn, "f1", 0, &info);
			info.entries++;
			fb_source_put(st, txn, &info);
			mdb_txn_commit(txn);
		}
		expect(st, "a source count off by one", FB_VERIFY_COUNT, 1, 1);
		fb_store_close(st);
	}
	/* bad records, in both tables and counted */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		struct fb_entry b = e;
		b.action = 9;
		key_of("act.example", &k);
		put_pair(st, k.data, k.len, &b);
		b = e;
		b.scope = 0;
		key_of("scope.example", &k);
		put_pair(st, k.data, k.len, &b);
		b = e;
		b.category = 77;
		key_of("cat.example", &k);
		put_pair(st, k.data, k.len, &b);
		b = e;
		b.action = FB_ACTION_ALLOW;	/* allow outside manual-allow */
		key_of("allow.example", &k);
		put_pair(st, k.data, k.len, &b);
		expect(st, "records with a bad action, scope, category and an "
			"allow in manual-block", FB_VERIFY_RECORD, 4, 4);
		fb_store_close(st);
	}
	/* a record of the wrong size */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		static const uint8_t shortrec[5] = { 0, 1, 3, 0, 0 };
		static const uint8_t key[] = "short.example.";
		put_raw(st, st->bysource, bk, fb_bysource_key(1, key,
			sizeof(key) - 1, bk), shortrec, sizeof(shortrec));
		expect(st, "a bysource record of 5 bytes", FB_VERIFY_TWIN, 1,
			1);
		fb_store_close(st);
	}
	/* keys no name can have */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		static const char *const bad[] = { "example.Upper.",
			"example.nodot", "example..empty.", "example.sp ace.",
			"example.x\001y." };
		for(i = 0; i < 5; i++)
			put_pair(st, (const uint8_t *)bad[i], strlen(bad[i]),
				&e);
		expect(st, "keys with a capital, no final dot, an empty label, "
			"a space and a control byte", FB_VERIFY_KEY, 5, 5);
		fb_store_close(st);
	}
	/* an entry of a source with no record */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		struct fb_entry b = e;
		b.source = 77;
		key_of("orphan.example", &k);
		put_pair(st, k.data, k.len, &b);
		expect(st, "entries of a source with no source record",
			FB_VERIFY_SOURCE, 1, 1);
		fb_store_close(st);
	}
	/* two sources of the same name */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		if(fb_write_begin(st, &txn) == 0) {
			fb_source_find(st, txn, "f1", 0, &info);
			info.id = 50;
			info.entries = 0;
			fb_source_put(st, txn, &info);
			mdb_txn_commit(txn);
		}
		expect(st, "two sources named f1", FB_VERIFY_SOURCE, 1, 1);
		fb_store_close(st);
	}
	/* meta */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		put_raw(st, st->meta, "generation", 10, "1234", 4);
		expect(st, "a generation of 4 bytes", FB_VERIFY_META, 1, 1);
		fb_store_close(st);
	}
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		MDB_val kv = { 6, "schema" };
		if(fb_write_begin(st, &txn) == 0) {
			mdb_del(txn, st->meta, &kv, NULL);
			mdb_txn_commit(txn);
		}
		expect(st, "a missing schema record", FB_VERIFY_META, 1, 1);
		fb_store_close(st);
	}
	/* many problems: the first few are told, all are counted */
	if((st = good_store(dir, sizeof(dir))) != NULL) {
		char name[64];
		fb_entry_encode(&e, rec);
		for(i = 0; i < 25; i++) {
			snprintf(name, sizeof(name), "n%d.example", i);
			key_of(name, &k);
			put_raw(st, st->names, k.data, k.len, rec,
				FB_ENTRY_SIZE);
		}
		memset(&s, 0, sizeof(s));
		is_int(fb_store_verify(st, count_cb, &s, &vr, err, sizeof(err)),
			0, "25 names records without a twin");
		is_int(vr.kind[FB_VERIFY_TWIN], 25, "... all 25 counted");
		is_int(s.calls[FB_VERIFY_TWIN], FB_VERIFY_SHOW,
			"... the first FB_VERIFY_SHOW told");
		fb_store_close(st);
	}
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof(base), "%s/fbadmin.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(base)) {
		perror("mkdtemp");
		return 2;
	}
	test_backup();
	test_restore();
	test_compact();
	test_compact_packs();
	test_verify();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if(system(cmd) != 0)
			printf("# could not remove %s\n", base);
	}
	return done_testing();
}
