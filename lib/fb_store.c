/**
 * \file
 * Opening the store: file checks, the schema and its upgrade, errors.
 * The contract is in fb_store.h and doc/store.md.
 *
 * Durability: writers use LMDB's default (synchronous commits, no
 * MDB_NOSYNC/MDB_WRITEMAP).  Updates are rare and a list in force must
 * survive a crash or a kill at any instant; the price is one fsync per
 * update.  Readers (the module) open MDB_RDONLY | MDB_NOTLS: a read
 * transaction belongs to the object, not to the thread, so each worker's
 * reader can be renewed for every query.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/random.h>
#include "fb_store_int.h"
#include "fb_guard.h"

/** Named databases, at most. */
#define FB_MAXDBS 8
/** Reader slots: worker threads of a few resolvers plus the tools. */
#define FB_MAXREADERS 1024
/** Bytes of lock.mdb allocated before LMDB maps it: its reader table
 * (64 bytes a slot) and header, rounded up. */
#define FB_LOCK_BYTES (FB_MAXREADERS * 64 + 8192)

/* ---- errors --------------------------------------------------------- */

void fb_lmdb_error(char *err, size_t errlen, const char *what,
	const char *dir, int rc)
{
	const char *hint = "";
	if(!err || !errlen)
		return;
	if(rc == MDB_MAP_FULL)
		hint = " (raise max-db-size in fraudblock.conf)";
	else if(rc == ENOSPC)
		hint = " (the disk is full: free space, then run it again; "
			"the list in force is unchanged)";
	else if(rc == EIO)
		hint = " (a write failed: is the disk full? see df and the "
			"kernel log; the list in force is unchanged)";
	else if(rc == EACCES)
		hint = " (check the directory's owner and mode)";
	else if(rc == MDB_READERS_FULL)
		hint = " (too many readers; stale ones are cleared on open)";
	else if(rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ||
		rc == MDB_INVALID)
		hint = " (the store is damaged: run fraudblock-ctl verify, "
			"then restore a backup or remove the directory and "
			"sync anew)";
	else if(rc == FB_ESTALE)
		hint = " (the store was swapped by a restore or compact "
			"meanwhile; run it again)";
	snprintf(err, errlen, "%s %s: %s (%d)%s", what, dir,
		rc == FB_ESTALE ? "store replaced" : mdb_strerror(rc), rc, hint);
}

/* ---- the data file, checked without mapping it ---------------------- */

/* An LMDB 0.9 meta page on a 64-bit host: a 16-byte page header (flags at
 * byte 10), then MDB_meta: magic, version, address, mapsize, two MDB_db
 * of 48 bytes (the first one's md_pad holds the page size), last page
 * number, transaction id. */
#define META_FLAGS_OFF 10
#define META_P_META 0x08
#define META_MAGIC_OFF 16
#define META_VERSION_OFF 20
#define META_PSIZE_OFF 40
#define META_LAST_PG_OFF 136
#define META_TXNID_OFF 144
#define META_BYTES 152
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1

struct meta {
	uint32_t psize;
	uint64_t last_pg, txnid;
};

static uint32_t host32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t host64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/** Parse one meta page. @return 1 if it is one. */
static int meta_parse(const uint8_t *p, struct meta *m)
{
	uint16_t flags;
	memcpy(&flags, p + META_FLAGS_OFF, sizeof(flags));
	if(!(flags & META_P_META) || host32(p + META_MAGIC_OFF) != LMDB_MAGIC ||
	   host32(p + META_VERSION_OFF) != LMDB_DATA_VERSION)
		return 0;
	m->psize = host32(p + META_PSIZE_OFF);
	m->last_pg = host64(p + META_LAST_PG_OFF);
	m->txnid = host64(p + META_TXNID_OFF);
	/* LMDB pages are 4 KB .. 64 KB, a power of two */
	return m->psize >= 4096 && m->psize <= 65536 &&
		(m->psize & (m->psize - 1)) == 0 && m->last_pg >= 1 &&
		m->last_pg < ((uint64_t)1 << 40);
}

int fb_store_check_file(const char *dir, char *err, size_t errlen)
{
	char path[600];
	uint8_t page[META_BYTES];
	struct meta m0, m1, *m = NULL;
	struct stat sb;
	uint64_t need;
	int fd, ok0, ok1 = 0;
	if(stat(dir, &sb) != 0) {
		snprintf(err, errlen, "store directory %s: %s (fraudblock-sync "
			"creates it)", dir, strerror(errno));
		return 0;
	}
	if(!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "database %s is not a directory", dir);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if(errno == ENOENT)
			snprintf(err, errlen, "no store in %s: data.mdb is "
				"missing (fraudblock-sync creates it, "
				"fraudblock-ctl restore brings a backup back)",
				dir);
		else
			snprintf(err, errlen, "cannot open %s: %s", path,
				strerror(errno));
		return 0;
	}
	if(fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		close(fd);
		return 0;
	}
	if(sb.st_size == 0) {
		snprintf(err, errlen, "%s is empty (0 bytes): a copy that "
			"failed or a full disk?  Restore a backup with "
			"fraudblock-ctl restore, or remove the directory and "
			"run fraudblock-sync", path);
		close(fd);
		return 0;
	}
	ok0 = pread(fd, page, sizeof(page), 0) == (ssize_t)sizeof(page) &&
		meta_parse(page, &m0);
	if(ok0)
		ok1 = pread(fd, page, sizeof(page), m0.psize) ==
			(ssize_t)sizeof(page) && meta_parse(page, &m1) &&
			m1.psize == m0.psize;
	close(fd);
	if(!ok0) {
		snprintf(err, errlen, "%s is not an LMDB store (no valid meta "
			"page): restore a backup with fraudblock-ctl restore, "
			"or remove the directory and run fraudblock-sync",
			path);
		return 0;
	}
	m = ok1 && m1.txnid > m0.txnid ? &m1 : &m0;
	need = (m->last_pg + 1) * (uint64_t)m->psize;
	if((uint64_t)sb.st_size < need) {
		snprintf(err, errlen, "%s is truncated: %llu bytes, but its "
			"meta page needs %llu (a partial copy, or a full "
			"disk?); refusing to map it.  Never copy over or edit "
			"the live files: use fraudblock-ctl restore", path,
			(unsigned long long)sb.st_size,
			(unsigned long long)need);
		return 0;
	}
	return 1;
}

/**
 * Make sure lock.mdb exists with its blocks allocated before LMDB maps it:
 * LMDB extends it with ftruncate, which leaves a sparse file, and a write
 * into a hole on a full disk is a SIGBUS, not an error.
 */
static int prepare_lock(const char *dir, char *err, size_t errlen)
{
	char path[600];
	struct stat sb;
	int fd, rc, created = 1;
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		0664);
	if(fd < 0 && errno == EEXIST) {
		created = 0;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if(fd < 0) {
		if(errno == EACCES || errno == EROFS)
			snprintf(err, errlen, "%s is missing or not writable "
				"and this user cannot make it (%s): readers "
				"register there; see the README on "
				"permissions", path, strerror(errno));
		else if(errno == ENOSPC)
			snprintf(err, errlen, "no room to create %s: the disk "
				"is full; free space and try again", path);
		else
			snprintf(err, errlen, "cannot open %s: %s", path,
				strerror(errno));
		return 0;
	}
	if(fstat(fd, &sb) == 0 && (uint64_t)sb.st_blocks * 512 >=
	   (uint64_t)FB_LOCK_BYTES) {
		close(fd);
		return 1;
	}
	rc = posix_fallocate(fd, 0, FB_LOCK_BYTES);
	close(fd);
	if(rc == ENOSPC) {
		/* leave no empty lock file behind for LMDB to extend */
		if(created)
			unlink(path);
		snprintf(err, errlen, "no room for %s (%d bytes): the disk "
			"is full; free space and try again", path,
			FB_LOCK_BYTES);
		return 0;
	}
	/* filesystems without fallocate: LMDB's own way is all there is */
	return 1;
}

/* ---- meta ----------------------------------------------------------- */

int fb_meta_generation(const struct fb_store *st, MDB_txn *txn,
	uint64_t *gen)
{
	MDB_val key = { 10, "generation" }, val;
	int rc = mdb_get(txn, st->meta, &key, &val);
	if(rc)
		return rc;
	if(val.mv_size != 8)
		return MDB_CORRUPTED;
	*gen = st->schema == 1 ? host64(val.mv_data) :
		fb_get_be64(val.mv_data);
	return 0;
}

static int put_generation(struct fb_store *st, MDB_txn *txn, uint64_t g)
{
	uint8_t b[8];
	MDB_val key = { 10, "generation" }, val = { 8, b };
	fb_put_be64(b, g);
	return mdb_put(txn, st->meta, &key, &val, 0);
}

int fb_meta_bump_generation(struct fb_store *st, MDB_txn *txn,
	uint64_t *gen)
{
	uint64_t g = 0;
	int rc = fb_meta_generation(st, txn, &g);
	if(rc && rc != MDB_NOTFOUND)
		return rc;
	g++;
	if(gen)
		*gen = g;
	return put_generation(st, txn, g);
}

static int put_schema(struct fb_store *st, MDB_txn *txn)
{
	uint8_t b[4] = { 0, 0, 0, FB_SCHEMA_VERSION };
	MDB_val key = { 6, "schema" }, val = { 4, b };
	return mdb_put(txn, st->meta, &key, &val, 0);
}

/** Give the store a random identity: a copy of another store over this
 * one (same generation, perhaps) must not pass for an unchanged list. */
static int put_store_id(struct fb_store *st, MDB_txn *txn)
{
	uint8_t id[FB_STORE_ID_LEN];
	MDB_val key = { 8, "store-id" }, val = { sizeof(id), id };
	size_t got = 0;
	while(got < sizeof(id)) {
		ssize_t n = getrandom(id + got, sizeof(id) - got, 0);
		if(n < 0 && errno != EINTR)
			return errno;
		if(n > 0)
			got += (size_t)n;
	}
	return mdb_put(txn, st->meta, &key, &val, 0);
}

int fb_meta_store_id(const struct fb_store *st, MDB_txn *txn,
	uint8_t id[FB_STORE_ID_LEN])
{
	MDB_val key = { 8, "store-id" }, val;
	int rc = mdb_get(txn, st->meta, &key, &val);
	memset(id, 0, FB_STORE_ID_LEN);
	if(rc)
		return rc;
	if(val.mv_size != FB_STORE_ID_LEN)
		return MDB_CORRUPTED;
	memcpy(id, val.mv_data, FB_STORE_ID_LEN);
	return 0;
}

/* ---- sources -------------------------------------------------------- */

/** A schema-1 source record: the C struct as written by version 0.1 on
 * this host, memcpy'd.  Read to upgrade and by readers of such stores. */
struct source_v1 {
	uint16_t id;
	char name[FB_SOURCE_NAME_MAX];
	uint64_t entries, invalid;
	int64_t last_attempt, last_success, last_change;
	int32_t last_status;
	char last_error[256];
};

static int decode_source(const struct fb_store *st, const MDB_val *v,
	uint16_t id, struct fb_source_info *info)
{
	struct source_v1 o;
	if(st->schema != 1)
		return fb_source_decode(v->mv_data, v->mv_size, id, info);
	memset(info, 0, sizeof(*info));
	info->id = id;
	if(v->mv_size != sizeof(o)) {
		snprintf(info->name, sizeof(info->name), "source-%u",
			(unsigned)id);
		return 0;
	}
	memcpy(&o, v->mv_data, sizeof(o));
	o.name[sizeof(o.name) - 1] = 0;
	o.last_error[sizeof(o.last_error) - 1] = 0;
	memcpy(info->name, o.name, sizeof(info->name));
	info->entries = o.entries;
	info->invalid = o.invalid;
	info->last_attempt = o.last_attempt;
	info->last_success = o.last_success;
	info->last_change = o.last_change;
	info->last_status = o.last_status;
	memcpy(info->last_error, o.last_error, sizeof(info->last_error));
	return 1;
}

int fb_source_get(const struct fb_store *st, MDB_txn *txn, uint16_t id,
	struct fb_source_info *info)
{
	uint8_t k[2];
	MDB_val key = { 2, k }, val;
	int rc;
	fb_put_be16(k, id);
	rc = mdb_get(txn, st->sources, &key, &val);
	if(rc == 0 && !decode_source(st, &val, id, info))
		rc = MDB_CORRUPTED;
	if(rc) {
		memset(info, 0, sizeof(*info));
		info->id = id;
		snprintf(info->name, sizeof(info->name), "source-%u",
			(unsigned)id);
	}
	return rc;
}

int fb_source_put(struct fb_store *st, MDB_txn *txn,
	const struct fb_source_info *info)
{
	uint8_t k[2], rec[FB_SOURCE_REC_MAX];
	MDB_val key = { 2, k }, val = { 0, rec };
	fb_put_be16(k, info->id);
	val.mv_size = fb_source_encode(info, rec);
	return mdb_put(txn, st->sources, &key, &val, 0);
}

int fb_source_find(struct fb_store *st, MDB_txn *txn, const char *name,
	int create, struct fb_source_info *info)
{
	MDB_cursor *c;
	MDB_val k, d;
	int rc, found = 0;
	uint16_t next = FB_SOURCE_FIRST_FEED;
	if((rc = mdb_cursor_open(txn, st->sources, &c)) != 0)
		return rc;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		uint16_t id;
		if(k.mv_size != 2)
			continue;
		id = fb_get_be16(k.mv_data);
		if(id >= next)
			next = (uint16_t)(id + 1);
		if(decode_source(st, &d, id, info) &&
		   strcmp(info->name, name) == 0) {
			found = 1;
			break;
		}
	}
	mdb_cursor_close(c);
	if(found)
		return 0;
	if(rc != MDB_NOTFOUND)
		return rc;
	if(!create || next == 0 || strlen(name) >= sizeof(info->name))
		return MDB_NOTFOUND;
	memset(info, 0, sizeof(*info));
	info->id = next;
	strcpy(info->name, name);
	return 0;
}

/* ---- schema --------------------------------------------------------- */

/** Write schema version, generation 0 and the two hand-made sources. */
static int init_schema(struct fb_store *st, MDB_txn *txn)
{
	struct fb_source_info info;
	int rc;
	st->schema = FB_SCHEMA_VERSION;
	if((rc = put_schema(st, txn)) != 0 ||
	   (rc = put_generation(st, txn, 0)) != 0 ||
	   (rc = put_store_id(st, txn)) != 0)
		return rc;
	memset(&info, 0, sizeof(info));
	info.id = FB_SOURCE_ALLOW;
	strcpy(info.name, "manual-allow");
	if((rc = fb_source_put(st, txn, &info)) != 0)
		return rc;
	info.id = FB_SOURCE_BLOCK;
	strcpy(info.name, "manual-block");
	return fb_source_put(st, txn, &info);
}

/**
 * Upgrade a schema-1 store in place, in the caller's write transaction:
 * the generation to big-endian, every source record to the field
 * encoding.  Entry records and keys did not change.
 */
static int upgrade_from_1(struct fb_store *st, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, d;
	struct fb_source_info *all = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t gen = 0;
	int rc;
	if((rc = fb_meta_generation(st, txn, &gen)) != 0 &&
	   rc != MDB_NOTFOUND)
		return rc;
	/* read them all first: rewriting a record under a cursor with a
	 * value of another size moves the cursor */
	if((rc = mdb_cursor_open(txn, st->sources, &c)) != 0)
		return rc;
	while((rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) == 0) {
		if(!fb_grow(&all, &cap, n + 1, sizeof(*all))) {
			rc = ENOMEM;
			break;
		}
		if(k.mv_size != 2 ||
		   !decode_source(st, &d, fb_get_be16(k.mv_data), &all[n])) {
			rc = MDB_CORRUPTED;
			break;
		}
		n++;
	}
	mdb_cursor_close(c);
	st->schema = FB_SCHEMA_VERSION;
	if(rc == MDB_NOTFOUND)
		rc = 0;
	for(i = 0; i < n && rc == 0; i++)
		rc = fb_source_put(st, txn, &all[i]);
	free(all);
	if(rc == 0)
		rc = put_generation(st, txn, gen);
	if(rc == 0)
		rc = put_store_id(st, txn);
	if(rc == 0)
		rc = put_schema(st, txn);
	return rc;
}

/** Is the unnamed database empty (not another program's LMDB)? */
static int main_db_empty(MDB_txn *txn)
{
	MDB_stat ms;
	MDB_dbi main_dbi;
	return mdb_dbi_open(txn, NULL, 0, &main_dbi) == 0 &&
		mdb_stat(txn, main_dbi, &ms) == 0 && ms.ms_entries == 0;
}

/** Open the four tables; create them (and the schema) when writing. */
static int open_tables(struct fb_store *st, char *err, size_t errlen)
{
	int writing = st->mode == FB_STORE_WRITE;
	unsigned c = writing ? MDB_CREATE : 0;
	MDB_txn *txn;
	MDB_val key = { 6, "schema" }, val;
	int rc = mdb_txn_begin(st->env, NULL, writing ? 0 : MDB_RDONLY, &txn);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot read", st->dir, rc);
		return 0;
	}
	rc = mdb_dbi_open(txn, "meta", 0, &st->meta);
	if(rc == MDB_NOTFOUND && writing) {
		/* another program's LMDB is not ours to fill */
		if(!main_db_empty(txn)) {
			mdb_txn_abort(txn);
			snprintf(err, errlen, "%s holds an LMDB database that "
				"is not a fraudblock store; refusing to write "
				"into it (check database: in fraudblock.conf)",
				st->dir);
			return 0;
		}
		rc = mdb_dbi_open(txn, "meta", c, &st->meta);
	}
	if(rc == 0)
		rc = mdb_dbi_open(txn, "names", c | MDB_DUPSORT | MDB_DUPFIXED,
			&st->names);
	if(rc == 0)
		rc = mdb_dbi_open(txn, "bysource", c, &st->bysource);
	if(rc == 0)
		rc = mdb_dbi_open(txn, "sources", c, &st->sources);
	/* optional: a store made before it has none until a writer opens
	 * it, and nothing depends on it (fb_chunk.h) */
	if(rc == 0) {
		int crc = mdb_dbi_open(txn, "chunks", c, &st->chunks);
		st->has_chunks = crc == 0;
		if(crc && crc != MDB_NOTFOUND)
			rc = crc;
	}
	if(rc) {
		mdb_txn_abort(txn);
		if(rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			snprintf(err, errlen, "no fraudblock store in %s%s",
				st->dir, writing ? "" : " yet (fraudblock-sync "
				"creates it)");
		else
			fb_lmdb_error(err, errlen, "cannot open tables in",
				st->dir, rc);
		return 0;
	}
	rc = mdb_get(txn, st->meta, &key, &val);
	if(rc == MDB_NOTFOUND && writing)
		rc = init_schema(st, txn);
	else if(rc == 0) {
		const uint8_t *b = val.mv_data;
		/* schema 1 wrote a native uint32; 2 and later big-endian */
		if(val.mv_size != 4) {
			mdb_txn_abort(txn);
			snprintf(err, errlen, "%s: damaged schema record",
				st->dir);
			return 0;
		}
		st->schema = host32(b) == 1 ? 1 :
			((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			(uint32_t)b[2] << 8 | b[3]);
		if(st->schema != 1 && st->schema != FB_SCHEMA_VERSION) {
			mdb_txn_abort(txn);
			snprintf(err, errlen, "%s has store schema %u; this "
				"build reads schemas 1 and %u", st->dir,
				(unsigned)st->schema, FB_SCHEMA_VERSION);
			return 0;
		}
		if(st->schema == 1 && writing)
			rc = upgrade_from_1(st, txn);
	}
	if(rc) {
		mdb_txn_abort(txn);
		if(rc == MDB_NOTFOUND)
			snprintf(err, errlen, "no fraudblock store in %s yet "
				"(fraudblock-sync creates it)", st->dir);
		else
			fb_lmdb_error(err, errlen, "cannot set up", st->dir, rc);
		return 0;
	}
	/* committing keeps the table handles for the life of the env */
	if((rc = mdb_txn_commit(txn)) != 0) {
		fb_lmdb_error(err, errlen, "cannot set up", st->dir, rc);
		return 0;
	}
	return 1;
}

/* ---- opening -------------------------------------------------------- */

/** Remember which files were opened, for fb_store_state(). */
static void note_identity(struct fb_store *st)
{
	char path[600];
	struct stat sb;
	int fd;
	if(mdb_env_get_fd(st->env, &fd) == 0 && fstat(fd, &sb) == 0) {
		st->data_dev = sb.st_dev;
		st->data_ino = sb.st_ino;
	}
	snprintf(path, sizeof(path), "%s/lock.mdb", st->dir);
	if(stat(path, &sb) == 0) {
		st->lock_dev = sb.st_dev;
		st->lock_ino = sb.st_ino;
		st->lock_size = sb.st_size;
	}
}

int fb_store_open(struct fb_store **out, const char *dir, uint64_t map_size,
	int mode, char *err, size_t errlen)
{
	struct fb_store *st;
	unsigned flags = MDB_NOTLS;
	char path[600];
	struct stat sb;
	int rc;
	*out = NULL;
	if(strlen(dir) >= sizeof(st->dir)) {
		snprintf(err, errlen, "database path too long: %.64s...", dir);
		return 0;
	}
	if(mode == FB_STORE_WRITE) {
		if(mkdir(dir, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir,
				strerror(errno));
			return 0;
		}
		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		/* a new store is made by LMDB; an old one must be whole */
		if((stat(path, &sb) == 0 || errno != ENOENT) &&
		   !fb_store_check_file(dir, err, errlen))
			return 0;
	} else {
		flags |= MDB_RDONLY | MDB_NORDAHEAD;
		if(!fb_store_check_file(dir, err, errlen))
			return 0;
	}
	if(!prepare_lock(dir, err, errlen))
		return 0;
	if(!(st = calloc(1, sizeof(*st)))) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	st->mode = mode;
	strcpy(st->dir, dir);
	if((rc = mdb_env_create(&st->env)) != 0 ||
	   (rc = mdb_env_set_maxdbs(st->env, FB_MAXDBS)) != 0 ||
	   (rc = mdb_env_set_maxreaders(st->env, FB_MAXREADERS)) != 0 ||
	   (rc = mdb_env_set_assert(st->env, fb_guard_lmdb_assert)) != 0 ||
	   (map_size && (rc = mdb_env_set_mapsize(st->env,
		(size_t)map_size)) != 0) ||
	   (rc = mdb_env_open(st->env, dir, flags, 0664)) != 0) {
		fb_lmdb_error(err, errlen, "cannot open", dir, rc);
		goto fail;
	}
	/* readers left by killed processes would pin old pages forever */
	(void)mdb_reader_check(st->env, NULL);
	if(!open_tables(st, err, errlen))
		goto fail;
	note_identity(st);
	*out = st;
	return 1;
fail:
	if(st->env)
		mdb_env_close(st->env);
	free(st);
	return 0;
}

void fb_store_close(struct fb_store *st)
{
	if(!st)
		return;
	mdb_env_close(st->env);
	free(st);
}

const char *fb_store_dir(const struct fb_store *st)
{
	return st->dir;
}

uint32_t fb_store_schema(const struct fb_store *st)
{
	return st->schema;
}

enum fb_store_state fb_store_state(struct fb_store *st, char *why,
	size_t whylen)
{
	char path[600];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
	if(stat(path, &sb) != 0 || sb.st_dev != st->data_dev ||
	   sb.st_ino != st->data_ino) {
		snprintf(why, whylen, "%s was removed or replaced", path);
		return FB_STORE_REPLACED;
	}
	snprintf(path, sizeof(path), "%s/lock.mdb", st->dir);
	if(stat(path, &sb) != 0 || sb.st_dev != st->lock_dev ||
	   sb.st_ino != st->lock_ino) {
		snprintf(why, whylen, "%s was removed or replaced", path);
		return FB_STORE_REPLACED;
	}
	if(sb.st_size < st->lock_size) {
		/* the reader table is gone: only a new environment (which
		 * allocates the file anew) can read again */
		snprintf(why, whylen, "%s was truncated (%lld bytes, was "
			"%lld)", path, (long long)sb.st_size,
			(long long)st->lock_size);
		return FB_STORE_REPLACED;
	}
	if(!fb_store_check_file(st->dir, why, whylen))
		return FB_STORE_DAMAGED;
	return FB_STORE_CURRENT;
}

int fb_store_adopt_mapsize(struct fb_store *st, char *err, size_t errlen)
{
	int rc = mdb_env_set_mapsize(st->env, 0);
	if(rc) {
		fb_lmdb_error(err, errlen, "cannot adopt the new map size of",
			st->dir, rc);
		return 0;
	}
	return 1;
}

int fb_store_mappings(const struct fb_store *st, uintptr_t *lo,
	uintptr_t *hi, int max)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[1024];
	int n = 0;
	if(!f)
		return 0;
	while(n < max && fgets(line, sizeof(line), f)) {
		unsigned long long a, b, ino;
		unsigned maj, mnr;
		if(sscanf(line, "%llx-%llx %*s %*s %x:%x %llu", &a, &b, &maj,
		    &mnr, &ino) != 5)
			continue;
		if((ino == (unsigned long long)st->data_ino && ino != 0) ||
		   (ino == (unsigned long long)st->lock_ino && ino != 0)) {
			lo[n] = (uintptr_t)a;
			hi[n] = (uintptr_t)b;
			n++;
		}
	}
	fclose(f);
	return n;
}

void fb_store_guard_exit(const struct fb_store *st, int exit_status)
{
	uintptr_t lo[4], hi[4];
	int n = fb_store_mappings(st, lo, hi, 4);
	(void)fb_guard_install(exit_status);
	fb_guard_set_ranges(lo, hi, n, st->dir);
}

int fb_write_begin(struct fb_store *st, MDB_txn **txn)
{
	char why[8];
	int rc = mdb_txn_begin(st->env, NULL, 0, txn);
	if(rc) {
		*txn = NULL;
		return rc;
	}
	/* waiting for the writer lock, this process may have missed a
	 * restore or compact that swapped the directory's files */
	if(fb_store_state(st, why, sizeof(why)) == FB_STORE_REPLACED) {
		mdb_txn_abort(*txn);
		*txn = NULL;
		return FB_ESTALE;
	}
	return 0;
}

/* ---- entries -------------------------------------------------------- */

size_t fb_bysource_key(uint16_t src, const uint8_t *key, size_t len,
	uint8_t *out)
{
	fb_put_be16(out, src);
	if(len)	/* key may be NULL for the bare prefix */
		memcpy(out + 2, key, len);
	return 2 + len;
}

int fb_entry_put(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const struct fb_entry *e)
{
	return fb_entry_append(st, txn, NULL, key, len, e);
}

int fb_appender_open(struct fb_store *st, MDB_txn *txn,
	struct fb_appender *ap)
{
	int rc;
	memset(ap, 0, sizeof(*ap));
	if((rc = mdb_cursor_open(txn, st->names, &ap->names)) != 0)
		return rc;
	if((rc = mdb_cursor_open(txn, st->bysource, &ap->bysource)) != 0) {
		mdb_cursor_close(ap->names);
		return rc;
	}
	ap->names_ok = ap->bysource_ok = 1;
	return 0;
}

void fb_appender_close(struct fb_appender *ap)
{
	mdb_cursor_close(ap->names);
	mdb_cursor_close(ap->bysource);
}

/** Append k/d to a table while that works (append_ok NULL: never),
 * else put it. */
static int append_or_put(MDB_txn *txn, MDB_dbi dbi, MDB_cursor *c,
	int *append_ok, MDB_val *k, MDB_val *d)
{
	if(append_ok && *append_ok) {
		/* LMDB writes nothing and says MDB_KEYEXIST when the key
		 * does not sort after the last one */
		int rc = mdb_cursor_put(c, k, d, MDB_APPEND);
		if(rc != MDB_KEYEXIST)
			return rc;
		*append_ok = 0;
	}
	return mdb_put(txn, dbi, k, d, 0);
}

int fb_entry_append(struct fb_store *st, MDB_txn *txn,
	struct fb_appender *ap, const uint8_t *key, size_t len,
	const struct fb_entry *e)
{
	uint8_t bk[2 + FB_KEY_MAX], rec[FB_ENTRY_SIZE];
	MDB_val k = { len, (void *)key }, d = { FB_ENTRY_SIZE, rec };
	MDB_val bkv;
	int rc;
	if(len > FB_KEY_MAX)
		return MDB_BAD_VALSIZE;
	fb_entry_encode(e, rec);
	bkv.mv_data = bk;
	bkv.mv_size = fb_bysource_key(e->source, key, len, bk);
	if((rc = append_or_put(txn, st->names, ap ? ap->names : NULL,
	    ap ? &ap->names_ok : NULL, &k, &d)) != 0)
		return rc;
	return append_or_put(txn, st->bysource, ap ? ap->bysource : NULL,
		ap ? &ap->bysource_ok : NULL, &bkv, &d);
}

int fb_entry_del(struct fb_store *st, MDB_txn *txn, const uint8_t *key,
	size_t len, const uint8_t rec[FB_ENTRY_SIZE])
{
	uint8_t bk[2 + FB_KEY_MAX];
	MDB_val k = { len, (void *)key }, d = { FB_ENTRY_SIZE, (void *)rec };
	MDB_val bkv;
	int rc;
	if(len > FB_KEY_MAX)
		return MDB_BAD_VALSIZE;
	bkv.mv_data = bk;
	bkv.mv_size = fb_bysource_key(fb_get_be16(rec), key, len, bk);
	if((rc = mdb_del(txn, st->names, &k, &d)) != 0)
		return rc;
	return mdb_del(txn, st->bysource, &bkv, NULL);
}

int fb_entry_get(struct fb_store *st, MDB_txn *txn, uint16_t src,
	const uint8_t *key, size_t len, uint8_t rec[FB_ENTRY_SIZE])
{
	uint8_t bk[2 + FB_KEY_MAX];
	MDB_val k, d;
	int rc;
	if(len > FB_KEY_MAX)
		return MDB_BAD_VALSIZE;
	k.mv_data = bk;
	k.mv_size = fb_bysource_key(src, key, len, bk);
	if((rc = mdb_get(txn, st->bysource, &k, &d)) != 0)
		return rc;
	if(d.mv_size != FB_ENTRY_SIZE)
		return MDB_CORRUPTED;
	memcpy(rec, d.mv_data, FB_ENTRY_SIZE);
	return 0;
}
