/*
 * test_schema: the store's records, its upgrade from schema 1, and the
 * checks that keep a damaged or foreign file from being mapped or written.
 * Needs mdb_load (lmdb-utils) for the schema-1 store, and $FB_SRCDIR for
 * tests/data/store-schema1.dump (made by fraudblock 0.1's own sync and
 * ctl, dumped with mdb_dump -a -p).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <lmdb.h>
#include "tap.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_record.h"

static char base[256];
static int dirs;

static const char *fresh_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/db%d", base, ++dirs);
	return buf;
}

static void key_of(const char *name, struct fb_key *k)
{
	uint8_t s;
	if(fb_name_parse(name, strlen(name), 0, k, &s) != FB_NAME_OK) {
		printf("# test bug: cannot parse %s\n", name);
		exit(2);
	}
}

/** Match name in a fresh snapshot; @return the verdict kind or -1. */
static int kind_of(struct fb_store *st, const char *name,
	struct fb_verdict *out)
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
	if(out)
		*out = v;
	return (int)v.kind;
}

/** Read a source (by id) and the generation in a fresh snapshot. */
static int look(struct fb_store *st, uint16_t id,
	struct fb_source_info *info, uint64_t *gen)
{
	struct fb_reader *r;
	char err[512];
	int ok1 = 0;
	if(!fb_reader_new(st, &r, err, sizeof(err)))
		return 0;
	if(fb_reader_begin(r, NULL) == 0) {
		ok1 = fb_reader_source(r, id, info) &&
			fb_reader_generation(r, gen);
		fb_reader_end(r);
	}
	fb_reader_free(r);
	return ok1;
}

static void test_records(void)
{
	struct fb_source_info s, d;
	uint8_t rec[FB_SOURCE_REC_MAX], big[FB_SOURCE_REC_MAX + 8];
	size_t n;
	memset(&s, 0, sizeof(s));
	s.id = 7;
	strcpy(s.name, "national-list");
	s.entries = 1234567;
	s.last_attempt = 1700000000;
	s.last_status = -1;
	strcpy(s.last_error, "HTTP 503");
	strcpy(s.etag, "\"abc\"");
	strcpy(s.last_modified, "Mon, 30 Nov 2026 10:00:00 GMT");
	n = fb_source_encode(&s, rec);
	ok(fb_source_decode(rec, n, 7, &d), "a source record decodes");
	ok(d.id == 7 && strcmp(d.name, s.name) == 0 &&
		d.entries == s.entries && d.last_attempt == s.last_attempt &&
		d.last_status == -1 && strcmp(d.last_error, s.last_error) == 0 &&
		strcmp(d.etag, s.etag) == 0 &&
		strcmp(d.last_modified, s.last_modified) == 0,
		"every field survives the round trip");
	/* a newer version's field (tag 200) is skipped, not an error */
	memcpy(big, rec, n);
	big[n] = 200;
	big[n + 1] = 0;
	big[n + 2] = 2;
	big[n + 3] = 'x';
	big[n + 4] = 'y';
	ok(fb_source_decode(big, n + 5, 7, &d) &&
		strcmp(d.name, "national-list") == 0,
		"an unknown field is skipped");
	ok(!fb_source_decode(rec, n - 1, 7, &d), "a cut record is refused");
	is_str(d.name, "source-7", "a refused record reads as source-<id>");
	rec[0] = 9;
	ok(!fb_source_decode(rec, n, 7, &d), "an unknown format is refused");
}

/** Write a file of len bytes (from src, or zeros). */
static int write_file(const char *path, const void *src, size_t len)
{
	FILE *f = fopen(path, "w");
	int good;
	if(!f)
		return 0;
	good = len == 0 || fwrite(src, 1, len, f) == len;
	return fclose(f) == 0 && good;
}

static void test_file_checks(void)
{
	char dir[300], path[400], err[512];
	char junk[8192];
	struct fb_store *st;
	struct stat sb;
	fresh_dir(dir, sizeof(dir));
	mkdir(dir, 0755);
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)) &&
		strstr(err, "data.mdb is missing") != NULL,
		"empty directory: data.mdb is missing");
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	write_file(path, NULL, 0);
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)) &&
		strstr(err, "is empty (0 bytes)") != NULL,
		"zero-length data.mdb: said so");
	ok(!fb_store_open(&st, dir, 0, FB_STORE_WRITE, err, sizeof(err)) &&
		strstr(err, "is empty") != NULL,
		"a writer refuses the zero-length file too (never overwrites)");
	memset(junk, 'j', sizeof(junk));
	write_file(path, junk, sizeof(junk));
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)) &&
		strstr(err, "not an LMDB store") != NULL,
		"garbage data.mdb: not an LMDB store");
	/* a real store, then cut */
	fresh_dir(dir, sizeof(dir));
	if(!ok(fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err,
		sizeof(err)), "a new store"))
		return;
	{
		struct fb_nameset *ns = fb_nameset_new();
		struct fb_update_result res;
		struct fb_update_spec spec = { .feed = "f",
			.action = FB_ACTION_DEFAULT, .category = FB_CATEGORY_SCAM,
			.max_shrink = 100, .now = 1 };
		struct fb_key k;
		char name[64];
		int i;
		for(i = 0; i < 3000; i++) {
			snprintf(name, sizeof(name), "n%d.example", i);
			key_of(name, &k);
			fb_nameset_add(ns, &k, FB_SCOPE_TREE);
		}
		fb_nameset_finish(ns);
		is_int(fb_store_replace_feed(st, &spec, ns, &res, err,
			sizeof(err)), FB_UPDATE_OK, "3000 names");
		fb_nameset_free(ns);
	}
	fb_store_close(st);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	ok(fb_store_check_file(dir, err, sizeof(err)), "the whole file passes");
	stat(path, &sb);
	ok(truncate(path, 8192) == 0, "cut to 8 KB");
	ok(!fb_store_check_file(dir, err, sizeof(err)) &&
		strstr(err, "is truncated: 8192 bytes") != NULL,
		"a truncated file is refused before it is mapped");
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"and cannot be opened (no fault)");
	ok(!fb_store_open(&st, dir, 0, FB_STORE_WRITE, err, sizeof(err)),
		"not by a writer either");
}

static void test_foreign(void)
{
	char dir[300], err[512];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { 3, "key" }, v = { 5, "value" };
	struct fb_store *st;
	struct fb_source_info info;
	fresh_dir(dir, sizeof(dir));
	mkdir(dir, 0755);
	if(mdb_env_create(&env) || mdb_env_open(env, dir, 0, 0664) ||
	   mdb_txn_begin(env, NULL, 0, &txn) ||
	   mdb_dbi_open(txn, NULL, 0, &dbi) || mdb_put(txn, dbi, &k, &v, 0) ||
	   mdb_txn_commit(txn)) {
		ok(0, "another program's LMDB");
		return;
	}
	mdb_env_close(env);
	if(!ok(!fb_store_open(&st, dir, 0, FB_STORE_WRITE, err, sizeof(err)) &&
		strstr(err, "not a fraudblock store") != NULL,
		"a writer refuses to put its schema into another LMDB"))
		printf("# err: %s\n", err);
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"a reader refuses it too");
	/* a writer's begin failing must not abort a transaction it never had */
	fresh_dir(dir, sizeof(dir));
	if((st = NULL, fb_store_open(&st, dir, 0, FB_STORE_WRITE, err,
	    sizeof(err))))
		fb_store_close(st);
	if(!ok(fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"a store opened read-only"))
		return;
	ok(!fb_store_feed_failed(st, "f", FB_UPDATE_SOURCE, "why", 1, err,
		sizeof(err)), "recording a failure in a read-only store fails "
		"cleanly (no abort of a transaction never begun)");
	ok(look(st, FB_SOURCE_ALLOW, &info, &(uint64_t){ 0 }) &&
		strcmp(info.name, "manual-allow") == 0,
		"and the store is still readable");
	fb_store_close(st);
}

static void test_upgrade(void)
{
	char dir[300], cmd[1200], err[512];
	const char *src = getenv("FB_SRCDIR");
	struct fb_store *st;
	struct fb_source_info info;
	struct fb_verdict v;
	uint64_t gen = 0;
	fresh_dir(dir, sizeof(dir));
	mkdir(dir, 0755);
	snprintf(cmd, sizeof(cmd), "mdb_load -f '%s/tests/data/"
		"store-schema1.dump' '%s' 2>&1", src ? src : ".", dir);
	if(system(cmd) != 0) {
		ok(0, "mdb_load of the schema-1 store (lmdb-utils)");
		return;
	}
	if(!ok(fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"a schema-1 store opens read-only"))
		return;
	is_int(fb_store_schema(st), 1, "as schema 1");
	ok(look(st, 2, &info, &gen) && strcmp(info.name, "legacy-feed") == 0 &&
		info.entries == 3, "its feed record reads (legacy-feed, 3)");
	is_int(gen, 3, "its generation reads (3)");
	is_int(kind_of(st, "www.bad-one.example", &v), FB_BLOCK,
		"its names block");
	is_int(v.entry.category, FB_CATEGORY_PHISHING, "with their category");
	is_int(kind_of(st, "good.bad-one.example", NULL), FB_ALLOW,
		"its allow entry allows");
	fb_store_close(st);
	if(!ok(fb_store_open(&st, dir, 0, FB_STORE_WRITE, err, sizeof(err)),
		"a writer opens it"))
		return;
	is_int(fb_store_schema(st), FB_SCHEMA_VERSION, "and upgrades it");
	fb_store_close(st);
	if(!ok(fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"the upgraded store opens read-only"))
		return;
	is_int(fb_store_schema(st), FB_SCHEMA_VERSION, "as the new schema");
	if(!ok(look(st, 2, &info, &gen) &&
		strcmp(info.name, "legacy-feed") == 0 && info.entries == 3 &&
		info.last_success != 0, "the feed record survived the upgrade"))
		printf("# name %s entries %llu last_success %lld\n", info.name,
			(unsigned long long)info.entries,
			(long long)info.last_success);
	is_int(gen, 3, "the generation survived the upgrade");
	ok(look(st, 1, &info, &gen) && strcmp(info.name, "manual-block") == 0 &&
		info.entries == 1, "the hand-made block source too");
	is_int(kind_of(st, "hand-blocked.example", NULL), FB_BLOCK,
		"hand-made blocks still block");
	is_int(kind_of(st, "bad-two.example", NULL), FB_BLOCK,
		"feed names still block");
	is_int(kind_of(st, "wild.example", NULL), FB_PASS,
		"*.wild.example still covers only the names below");
	is_int(kind_of(st, "a.wild.example", NULL), FB_BLOCK,
		"and those names");
	fb_store_close(st);
}

static void test_delta_and_removal(void)
{
	char dir[300], err[512];
	struct fb_store *st;
	struct fb_update_result res;
	struct fb_update_spec spec = { .feed = "d",
		.action = FB_ACTION_DEFAULT, .category = FB_CATEGORY_SCAM,
		.max_shrink = 50, .now = 1 };
	struct fb_nameset *add = fb_nameset_new(), *del = fb_nameset_new();
	struct fb_source_info info;
	struct fb_key k;
	uint64_t gen0 = 0, gen1 = 0, removed = 0;
	fresh_dir(dir, sizeof(dir));
	if(!ok(fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err,
		sizeof(err)), "a store for deltas"))
		return;
	key_of("a.example", &k);
	fb_nameset_add(add, &k, FB_SCOPE_TREE);
	key_of("b.example", &k);
	fb_nameset_add(add, &k, FB_SCOPE_TREE);
	key_of("c.example", &k);
	fb_nameset_add(add, &k, FB_SCOPE_TREE);
	fb_nameset_finish(add);
	fb_nameset_finish(del);
	is_int(fb_store_apply_delta(st, &spec, add, del, &res, err,
		sizeof(err)), FB_UPDATE_OK, "a delta adding three names");
	ok(res.added == 3 && res.after == 3, "three added");
	fb_nameset_free(add);
	fb_nameset_free(del);
	add = fb_nameset_new();
	del = fb_nameset_new();
	key_of("d.example", &k);
	fb_nameset_add(add, &k, FB_SCOPE_TREE);
	key_of("a.example", &k);
	fb_nameset_add(del, &k, FB_SCOPE_TREE);
	key_of("zz.example", &k);	/* not listed: nothing to remove */
	fb_nameset_add(del, &k, FB_SCOPE_TREE);
	fb_nameset_finish(add);
	fb_nameset_finish(del);
	look(st, FB_SOURCE_ALLOW, &info, &gen0);
	is_int(fb_store_apply_delta(st, &spec, add, del, &res, err,
		sizeof(err)), FB_UPDATE_OK, "a delta of one add, one remove");
	ok(res.added == 1 && res.removed == 1 && res.after == 3,
		"one added, one removed, three in force");
	look(st, FB_SOURCE_ALLOW, &info, &gen1);
	is_int(gen1, gen0 + 1, "the generation moved once");
	is_int(kind_of(st, "a.example", NULL), FB_PASS, "a removed name passes");
	is_int(kind_of(st, "d.example", NULL), FB_BLOCK, "an added name blocks");
	fb_nameset_free(add);
	fb_nameset_free(del);
	/* a delta removing most of the feed meets the shrink guard */
	add = fb_nameset_new();
	del = fb_nameset_new();
	key_of("b.example", &k);
	fb_nameset_add(del, &k, FB_SCOPE_TREE);
	key_of("c.example", &k);
	fb_nameset_add(del, &k, FB_SCOPE_TREE);
	fb_nameset_finish(add);
	fb_nameset_finish(del);
	is_int(fb_store_apply_delta(st, &spec, add, del, &res, err,
		sizeof(err)), FB_UPDATE_SHRINK,
		"a delta dropping 2 of 3 is refused by max-shrink 50");
	is_int(kind_of(st, "b.example", NULL), FB_BLOCK,
		"and the list in force is kept");
	fb_nameset_free(add);
	fb_nameset_free(del);
	is_int(fb_store_remove_feed(st, "d", &removed, err, sizeof(err)), 1,
		"the feed is removed");
	is_int(removed, 3, "with its three names");
	is_int(kind_of(st, "b.example", NULL), FB_PASS,
		"its names pass afterwards");
	is_int(fb_store_remove_feed(st, "d", &removed, err, sizeof(err)), 0,
		"removing it again finds nothing");
	is_int(fb_store_remove_feed(st, "manual-block", &removed, err,
		sizeof(err)), 0, "hand-made sources cannot be removed");
	fb_store_close(st);
}

/** A bysource key longer than any name (a foreign or damaged file) must
 * be an error in the diff, not a copy past a key buffer. */
static void test_long_key(void)
{
	char dir[300], err[512];
	struct fb_store *st;
	struct fb_update_result res;
	struct fb_update_spec spec = { .feed = "f",
		.action = FB_ACTION_DEFAULT, .category = FB_CATEGORY_SCAM,
		.max_shrink = 100, .now = 1 };
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_key k;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	uint8_t key[2 + 400], rec[FB_ENTRY_SIZE];
	MDB_val kv = { sizeof(key), key }, dv = { sizeof(rec), rec };
	fresh_dir(dir, sizeof(dir));
	if(!fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err, sizeof(err)))
		return;
	key_of("one.example", &k);
	fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	fb_nameset_finish(ns);
	fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err));
	fb_store_close(st);
	/* a 400-byte "name" in feed 2's range, written behind our back */
	memset(key, 'a', sizeof(key));
	key[0] = 0;
	key[1] = 2;
	memset(rec, 0, sizeof(rec));
	rec[1] = 2;
	if(mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
	   mdb_env_open(env, dir, 0, 0664) || mdb_txn_begin(env, NULL, 0, &txn) ||
	   mdb_dbi_open(txn, "bysource", 0, &dbi) ||
	   mdb_put(txn, dbi, &kv, &dv, 0) || mdb_txn_commit(txn)) {
		ok(0, "a damaged bysource record");
		mdb_env_close(env);
		fb_nameset_free(ns);
		return;
	}
	mdb_env_close(env);
	if(!fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err,
	    sizeof(err))) {
		fb_nameset_free(ns);
		return;
	}
	fb_nameset_free(ns);
	ns = fb_nameset_new();
	fb_nameset_finish(ns);
	is_int(fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err)),
		FB_UPDATE_STORE, "a key longer than any name is an error");
	ok(strstr(err, "damaged") != NULL, "that says the store is damaged");
	fb_nameset_free(ns);
	fb_store_close(st);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];
	snprintf(base, sizeof(base), "%s/fbschema.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(base)) {
		perror("mkdtemp");
		return 2;
	}
	test_records();
	test_file_checks();
	test_foreign();
	test_upgrade();
	test_delta_and_removal();
	test_long_key();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if(system(cmd) != 0)
		printf("# could not remove %s\n", base);
	return done_testing();
}
