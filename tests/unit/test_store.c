/**
 * \file
 * Unit tests of lib/fb_store.c: schema, feed updates (diff, isolation,
 * shrink guard, full map), hand-made entries and the matching rules.
 * Each test works in its own directory under $TMPDIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_manual.h"
#include "tap.h"


/** fb_store_replace_feed with the listing spelled out. */
static enum fb_update_status replace_full(struct fb_store *st,
	const char *feed, const struct fb_nameset *ns, enum fb_action action,
	enum fb_category category, unsigned shrink, uint64_t invalid,
	int64_t now, struct fb_update_result *res, char *err, size_t errlen)
{
	struct fb_update_spec spec;
	spec.feed = feed;
	spec.action = action;
	spec.category = category;
	spec.max_shrink = shrink;
	spec.invalid = invalid;
	spec.now = now;
	spec.http = NULL;
	return fb_store_replace_feed(st, &spec, ns, res, err, errlen);
}

static char base[256];
static int dirs;

/** A fresh store directory path (not created). */
static const char *fresh_dir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/db%d", base, ++dirs);
	return buf;
}

static struct fb_store *open_rw(const char *dir)
{
	struct fb_store *st;
	char err[512];
	if(!fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err,
		sizeof(err))) {
		printf("# open: %s\n", err);
		return NULL;
	}
	return st;
}

static void key_of(const char *name, struct fb_key *k, uint8_t *scope)
{
	uint8_t s;
	if(fb_name_parse(name, strlen(name), FB_NAME_ALLOW_TLD, k,
		scope ? scope : &s) != FB_NAME_OK) {
		printf("# test bug: cannot parse %s\n", name);
		exit(2);
	}
}

/** A set from a NULL-terminated list of names ("*." prefixes allowed). */
static struct fb_nameset *set_of(const char *const *names)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_key k;
	uint8_t scope;
	for(; *names; names++) {
		key_of(*names, &k, &scope);
		fb_nameset_add(ns, &k, scope);
	}
	fb_nameset_finish(ns);
	return ns;
}

static enum fb_update_status replace(struct fb_store *st, const char *feed,
	const char *const *names, enum fb_action action, unsigned shrink,
	struct fb_update_result *res, char *err)
{
	struct fb_nameset *ns = set_of(names);
	enum fb_update_status s = replace_full(st, feed, ns, action,
		FB_CATEGORY_SCAM, shrink, 0, 1700000000, res, err, 512);
	fb_nameset_free(ns);
	return s;
}

/** Match name; @return the verdict kind, and the entry in *e. */
static int verdict(struct fb_store *st, const char *name,
	struct fb_verdict *out)
{
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_key k;
	struct fb_verdict v;
	char err[512];
	if(!fb_reader_new(st, &r, err, sizeof(err)) || fb_reader_begin(r, NULL) != 0)
		return -1;
	key_of(name, &k, NULL);
	fb_qname_from_key(&k, &q);
	if(fb_match(r, &q, &v, NULL, NULL) != 0)
		v.kind = -1;
	fb_reader_end(r);
	fb_reader_free(r);
	if(out)
		*out = v;
	return v.kind;
}

static uint64_t generation(struct fb_store *st)
{
	struct fb_reader *r;
	uint64_t g = 0;
	char err[512];
	if(fb_reader_new(st, &r, err, sizeof(err)) && fb_reader_begin(r, NULL) == 0) {
		fb_reader_generation(r, &g);
		fb_reader_end(r);
		fb_reader_free(r);
	}
	return g;
}

static enum fb_store_state state_of(struct fb_store *st)
{
	char why[512];
	return fb_store_state(st, why, sizeof(why));
}

static void test_open(void)
{
	char dir[300], err[512];
	struct fb_store *st;
	fresh_dir(dir, sizeof(dir));
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"read-only open of a missing directory fails");
	ok(strstr(err, dir) != NULL, "the error names the directory");
	mkdir(dir, 0755);
	ok(!fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"read-only open never creates a store");
	st = open_rw(dir);
	ok(st != NULL, "read-write open creates the store");
	fb_store_close(st);
	ok(fb_store_open(&st, dir, 0, FB_STORE_READ, err, sizeof(err)),
		"read-only open of a created store works");
	is_int(generation(st), 0, "a new store is at generation 0");
	ok(state_of(st) == FB_STORE_CURRENT, "an open store is current");
	{
		/* what a restore or `rm -rf` and a new sync does */
		char path[400], tmp[420];
		struct fb_store *w;
		snprintf(path, sizeof(path), "%s/data.mdb", dir);
		snprintf(tmp, sizeof(tmp), "%s.old", path);
		ok(rename(path, tmp) == 0, "data.mdb moved away");
		ok(state_of(st) == FB_STORE_REPLACED, "a store whose file is "
			"gone is replaced");
		w = open_rw(dir);
		ok(w != NULL, "a writer makes a new data.mdb");
		ok(state_of(st) == FB_STORE_REPLACED, "a store whose file "
			"was replaced is replaced");
		fb_store_close(w);
	}
	fb_store_close(st);
}

static void test_words(void)
{
	enum fb_action a;
	enum fb_category c;
	struct fb_entry e = { 0x0203, FB_SCOPE_BELOW, FB_ACTION_NXDOMAIN,
		FB_CATEGORY_PHISHING, 0x01020304 }, d;
	uint8_t rec[FB_ENTRY_SIZE];
	ok(fb_action_parse("nxdomain", &a) && a == FB_ACTION_NXDOMAIN,
		"action words parse");
	ok(!fb_action_parse("NXDOMAIN ", &a), "action words are exact");
	is_str(fb_action_name(FB_ACTION_SINKHOLE), "sinkhole", "action name");
	ok(fb_category_parse("phishing", &c) && c == FB_CATEGORY_PHISHING,
		"category words parse");
	ok(!fb_category_parse("", &c), "an empty category is refused");
	fb_entry_encode(&e, rec);
	is_int(rec[0], 0x02, "source id is stored big-endian (sorts)");
	fb_entry_decode(rec, &d);
	ok(d.source == e.source && d.scope == e.scope &&
		d.action == e.action && d.category == e.category &&
		d.first_seen == e.first_seen, "records round-trip");
}

static void test_nameset(void)
{
	static const char *const names[] = { "b.example", "a.example",
		"*.b.example", "a.example", NULL };
	struct fb_nameset *ns = set_of(names);
	is_int(fb_nameset_count(ns), 2, "duplicates merge");
	fb_nameset_free(ns);
}

/** Add name to ns with its own listing. */
static void add_listed(struct fb_nameset *ns, const char *name,
	enum fb_action a, enum fb_category c)
{
	struct fb_key k;
	uint8_t scope;
	key_of(name, &k, &scope);
	fb_nameset_add_listed(ns, &k, scope, a, c);
}

/** The i-th listing of ns as "action/category". */
static const char *listing_of(const struct fb_nameset *ns, size_t i,
	char *buf, size_t len)
{
	enum fb_action a;
	enum fb_category c;
	fb_nameset_listing(ns, i, &a, &c);
	snprintf(buf, len, "%s/%s", fb_action_name(a), fb_category_name(c));
	return buf;
}

static void test_nameset_listing(void)
{
	struct fb_nameset *ns = fb_nameset_new();
	char buf[64];
	uint8_t scope;
	size_t len;
	/* keys sort as a.example, b.example, c.example, d.example */
	add_listed(ns, "b.example", FB_ACTION_NXDOMAIN, FB_CATEGORY_SCAM);
	add_listed(ns, "*.b.example", FB_ACTION_ALLOW, FB_CATEGORY_OTHER);
	add_listed(ns, "b.example", FB_ACTION_NODATA, FB_CATEGORY_MALWARE);
	add_listed(ns, "a.example", FB_ACTION_NODATA, FB_CATEGORY_PHISHING);
	add_listed(ns, "a.example", FB_ACTION_NXDOMAIN, FB_CATEGORY_SCAM);
	add_listed(ns, "c.example", FB_ACTION_SINKHOLE, FB_CATEGORY_MALWARE);
	add_listed(ns, "c.example", FB_ACTION_SINKHOLE, FB_CATEGORY_MALWARE);
	add_listed(ns, "d.example", FB_ACTION_DEFAULT,
		FB_CATEGORY_UNSPECIFIED);
	is_int(fb_nameset_finish(ns), 2, "two keys with differing listings");
	is_int(fb_nameset_count(ns), 4, "duplicates merge");
	is_str(listing_of(ns, 0, buf, sizeof(buf)), "nodata/phishing",
		"no allow among them: the first added wins");
	is_str(listing_of(ns, 1, buf, sizeof(buf)), "allow/other",
		"allow beats block whatever the order");
	fb_nameset_get(ns, 1, &len, &scope);
	is_int(scope, FB_SCOPE_TREE, "scopes of name and *.name join");
	is_str(listing_of(ns, 2, buf, sizeof(buf)), "sinkhole/malware",
		"equal duplicates are no conflict");
	is_str(listing_of(ns, 3, buf, sizeof(buf)), "default/unspecified",
		"fb_nameset_add gives no listing");
	fb_nameset_free(ns);
}

/** The stored entry of name in feed's listing, as "action/category". */
static const char *stored_listing(struct fb_store *st, const char *name,
	char *buf, size_t len)
{
	struct fb_verdict v;
	if(verdict(st, name, &v) != FB_BLOCK && v.kind != FB_ALLOW)
		snprintf(buf, len, "not listed");
	else
		snprintf(buf, len, "%s/%s",
			fb_action_name((enum fb_action)v.entry.action),
			fb_category_name((enum fb_category)v.entry.category));
	return buf;
}

/** Four names: one with its own action and category (own_action), one
 * with a category, one with an action, one with neither. */
static struct fb_nameset *listed_set(enum fb_action own_action)
{
	struct fb_nameset *ns = fb_nameset_new();
	add_listed(ns, "own.example", own_action, FB_CATEGORY_MALWARE);
	add_listed(ns, "cat.example", FB_ACTION_DEFAULT,
		FB_CATEGORY_PHISHING);
	add_listed(ns, "act.example", FB_ACTION_NXDOMAIN,
		FB_CATEGORY_UNSPECIFIED);
	add_listed(ns, "none.example", FB_ACTION_DEFAULT,
		FB_CATEGORY_UNSPECIFIED);
	fb_nameset_finish(ns);
	return ns;
}

static void test_entry_listing(void)
{
	struct fb_nameset *ns = listed_set(FB_ACTION_NODATA);
	struct fb_update_result res;
	char dir[300], err[512], buf[64];
	struct fb_store *st = open_rw(fresh_dir(dir, sizeof(dir)));
	if(!ok(st != NULL, "store for per-entry listings"))
		return;
	is_int(replace_full(st, "f", ns, FB_ACTION_SINKHOLE, FB_CATEGORY_SCAM,
		50, 0, 1700000000, &res, err, sizeof(err)), FB_UPDATE_OK,
		"import with per-entry listings");
	is_str(stored_listing(st, "own.example", buf, sizeof(buf)),
		"nodata/malware", "own action and category stored");
	is_str(stored_listing(st, "cat.example", buf, sizeof(buf)),
		"sinkhole/phishing", "own category, the feed's action");
	is_str(stored_listing(st, "act.example", buf, sizeof(buf)),
		"nxdomain/scam", "own action, the feed's category");
	is_str(stored_listing(st, "none.example", buf, sizeof(buf)),
		"sinkhole/scam", "no listing: the feed's");
	fb_nameset_free(ns);
	/* the same names, one listing changed: one record rewritten */
	ns = listed_set(FB_ACTION_ALLOW);
	is_int(replace_full(st, "f", ns, FB_ACTION_SINKHOLE, FB_CATEGORY_SCAM,
		50, 0, 1700000100, &res, err, sizeof(err)), FB_UPDATE_OK,
		"update of one entry's action");
	is_int(res.changed, 1, "one entry changed");
	is_int(res.added + res.removed, 0, "none added or removed");
	is_int(verdict(st, "own.example", NULL), FB_ALLOW,
		"the entry's own allow is in force");
	fb_nameset_free(ns);
	fb_store_close(st);
}

static void test_feed_updates(void)
{
	static const char *const v1[] = { "bad.example", "evil.example",
		"*.wild.example", "x.y.example", NULL };
	static const char *const v2[] = { "bad.example", "evil.example",
		"wild.example", "new.example", NULL };
	static const char *const other[] = { "bad.example", "o.example",
		NULL };
	static const char *const tiny[] = { "bad.example", NULL };
	struct fb_update_result res;
	struct fb_verdict v;
	char dir[300], err[512];
	struct fb_store *st = open_rw(fresh_dir(dir, sizeof(dir)));
	uint64_t g;
	if(!ok(st != NULL, "store for feed tests"))
		return;
	is_int(replace(st, "a", v1, FB_ACTION_DEFAULT, 50, &res, err),
		FB_UPDATE_OK, "first import");
	is_int(res.added, 4, "first import adds every name");
	is_int(generation(st), 1, "a change bumps the generation");
	is_int(replace(st, "a", v1, FB_ACTION_DEFAULT, 50, &res, err),
		FB_UPDATE_OK, "same list again");
	ok(res.added + res.removed + res.changed == 0, "no change written");
	is_int(generation(st), 1, "no change, no new generation");
	is_int(replace(st, "b", other, FB_ACTION_NXDOMAIN, 50, &res, err),
		FB_UPDATE_OK, "second feed");
	is_int(replace(st, "a", v2, FB_ACTION_DEFAULT, 50, &res, err),
		FB_UPDATE_OK, "update of feed a");
	is_int(res.added, 1, "one name added");
	is_int(res.removed, 1, "one name removed");
	is_int(res.changed, 1, "one scope changed (*.wild -> wild)");
	is_int(verdict(st, "o.example", NULL), FB_BLOCK,
		"feed b untouched by feed a's update");
	is_int(verdict(st, "x.y.example", NULL), FB_PASS,
		"a removed name passes");
	is_int(verdict(st, "wild.example", NULL), FB_BLOCK,
		"changed scope now covers the name itself");
	/* both list bad.example: the lower source id decides */
	verdict(st, "bad.example", &v);
	is_int(v.entry.source, FB_SOURCE_FIRST_FEED,
		"equal depth: the first feed's entry decides");
	g = generation(st);
	is_int(replace(st, "a", tiny, FB_ACTION_DEFAULT, 50, &res, err),
		FB_UPDATE_SHRINK, "a list 75% smaller is refused");
	ok(strstr(err, "max-shrink") != NULL, "the refusal says why");
	is_int(verdict(st, "new.example", NULL), FB_BLOCK,
		"the list in force is kept after a refusal");
	is_int(generation(st), g, "a refusal changes no generation");
	is_int(replace(st, "a", tiny, FB_ACTION_DEFAULT, 100, &res, err),
		FB_UPDATE_OK, "max-shrink 100 accepts it");
	is_int(res.removed, 3, "and removes the rest");
	fb_store_close(st);
}

static void test_matching(void)
{
	static const char *const feed[] = { "bad.example", "*.wild.example",
		"deep.a.bad.example", "ok.bad.example", NULL };
	struct fb_update_result res;
	struct fb_verdict v;
	struct fb_key k;
	char dir[300], err[512];
	struct fb_store *st = open_rw(fresh_dir(dir, sizeof(dir)));
	if(!ok(st != NULL, "store for matching tests"))
		return;
	replace(st, "f", feed, FB_ACTION_DEFAULT, 50, &res, err);
	is_int(verdict(st, "bad.example", NULL), FB_BLOCK, "listed name");
	is_int(verdict(st, "www.bad.example", NULL), FB_BLOCK, "its child");
	is_int(verdict(st, "a.b.c.bad.example", NULL), FB_BLOCK,
		"a deep descendant");
	is_int(verdict(st, "example", NULL), FB_PASS, "the parent passes");
	is_int(verdict(st, "notbad.example", NULL), FB_PASS,
		"a name ending in the same letters passes");
	is_int(verdict(st, "wild.example", NULL), FB_PASS,
		"*.name does not cover name");
	is_int(verdict(st, "x.wild.example", NULL), FB_BLOCK,
		"*.name covers names below");
	verdict(st, "x.deep.a.bad.example", &v);
	is_int(v.depth, 4, "the deepest entry (deep.a.bad.example) decides");
	key_of("ok.bad.example", &k, NULL);
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW,
		1, err, sizeof(err)), 1, "hand-made allow");
	is_int(verdict(st, "www.ok.bad.example", NULL), FB_ALLOW,
		"allow below a block wins");
	key_of("bad.example", &k, NULL);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW, 1, err,
		sizeof(err));
	is_int(verdict(st, "x.deep.a.bad.example", NULL), FB_BLOCK,
		"a deeper feed entry beats the allow of a parent");
	is_int(verdict(st, "x.a.bad.example", NULL), FB_ALLOW,
		"the allow of the parent holds where nothing deeper is");
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW,
		1, err, sizeof(err)), 0, "setting it again changes nothing");
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE,
		FB_ACTION_NXDOMAIN, 1, err, sizeof(err)), 1,
		"hand block replaces the hand allow");
	verdict(st, "bad.example", &v);
	ok(v.kind == FB_BLOCK && v.entry.source == FB_SOURCE_BLOCK &&
		v.entry.action == FB_ACTION_NXDOMAIN,
		"hand-made block sorts before feeds");
	is_int(fb_store_manual_remove(st, &k, err, sizeof(err)), 1,
		"unblock removes it");
	verdict(st, "bad.example", &v);
	is_int(v.entry.source, FB_SOURCE_FIRST_FEED,
		"the feed entry is in force again");
	is_int(fb_store_manual_remove(st, &k, err, sizeof(err)), 0,
		"unblock of nothing removes nothing");
	fb_store_close(st);
}

/** Count the applicable entries fb_match() reports. */
static void count_cb(void *arg, const struct fb_qname *q, int depth,
	const struct fb_entry *e)
{
	(void)q;
	(void)depth;
	(void)e;
	(*(int *)arg)++;
}

/** The matching rule of doc/matching.md: the most specific entry wins,
 * allow beats block at equal depth, manual entries follow the same rule. */
static void test_rule(void)
{
	static const char *const feed[] = { "scam.vercel.app",
		"*.evil.example", "c.a.b.example", "both.example",
		"self.example", NULL };
	static const char *const allow[] = { "vercel.app", "evil.example",
		"a.b.example", "d.c.a.b.example", NULL };
	struct fb_update_result res;
	struct fb_verdict v;
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_key k;
	char dir[300], err[512];
	int n = 0;
	struct fb_store *st = open_rw(fresh_dir(dir, sizeof(dir)));
	if(!ok(st != NULL, "store for the matching rule"))
		return;
	replace(st, "block", feed, FB_ACTION_DEFAULT, 50, &res, err);
	replace(st, "allow", allow, FB_ACTION_ALLOW, 50, &res, err);
	/* a shared platform allowed, a scam on it listed */
	is_int(verdict(st, "scam.vercel.app", &v), FB_BLOCK,
		"allowing vercel.app does not unblock listed scam.vercel.app");
	is_int(v.depth, 3, "... the listing at depth 3 decides");
	is_int(verdict(st, "www.scam.vercel.app", NULL), FB_BLOCK,
		"... nor a name below it");
	is_int(verdict(st, "good.vercel.app", &v), FB_ALLOW,
		"another name on the platform: allowed");
	is_int(v.depth, 2, "... by the allow at depth 2");
	is_int(verdict(st, "vercel.app", NULL), FB_ALLOW,
		"the platform itself: allowed");
	/* *.name below vs an allow of name: both at name's depth */
	is_int(verdict(st, "x.evil.example", NULL), FB_ALLOW,
		"block *.evil and allow evil at the same name: allow wins");
	/* alternating depths */
	is_int(verdict(st, "x.a.b.example", NULL), FB_ALLOW,
		"below allow a.b: allowed");
	is_int(verdict(st, "e.c.a.b.example", NULL), FB_BLOCK,
		"below block c.a.b (deeper than allow a.b): blocked");
	is_int(verdict(st, "f.d.c.a.b.example", NULL), FB_ALLOW,
		"below allow d.c.a.b (deeper than block c.a.b): allowed");
	/* hand-made entries follow the same rule */
	key_of("both.example", &k, NULL);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW, 1, err,
		sizeof(err));
	is_int(verdict(st, "both.example", &v), FB_ALLOW,
		"manual allow at the listed name itself: allow wins");
	is_int(v.entry.source, FB_SOURCE_ALLOW, "... the manual-allow entry");
	key_of("www.both.example", &k, NULL);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_NXDOMAIN, 1, err,
		sizeof(err));
	is_int(verdict(st, "www.both.example", &v), FB_BLOCK,
		"manual block below a manual allow: blocked");
	is_int(v.entry.action, FB_ACTION_NXDOMAIN, "... with its action");
	key_of("self.example", &k, NULL);
	fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW, 1, err,
		sizeof(err));
	is_int(verdict(st, "www.self.example", NULL), FB_ALLOW,
		"manual allow of a listed tree covers names below it");
	/* every applicable entry is still reported for `lookup` */
	if(!ok(fb_reader_new(st, &r, err, sizeof(err)) &&
	    fb_reader_begin(r, NULL) == 0, "reader for the callback"))
		return;
	key_of("f.d.c.a.b.example", &k, NULL);
	fb_qname_from_key(&k, &q);
	is_int(fb_match(r, &q, &v, count_cb, &n), 0, "match with a callback");
	is_int(n, 3, "the callback sees allow a.b, block c.a.b, allow d.c.a.b");
	is_int(v.kind, FB_ALLOW, "... and the verdict is the same");
	fb_reader_end(r);
	fb_reader_free(r);
	fb_store_close(st);
}

/** A label the store cannot hold stops the walk, parents still match. */
static void test_wire(void)
{
	static const char *const feed[] = { "bad.example", NULL };
	static const uint8_t below[] = { 3, 'a', '/', 'b', 3, 'b', 'a', 'd',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static const uint8_t self[] = { 3, 'b', '/', 'd',
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	struct fb_update_result res;
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_verdict v;
	char dir[300], err[512];
	struct fb_store *st = open_rw(fresh_dir(dir, sizeof(dir)));
	if(!ok(st != NULL, "store for wire tests"))
		return;
	replace(st, "f", feed, FB_ACTION_DEFAULT, 50, &res, err);
	fb_reader_new(st, &r, err, sizeof(err));
	fb_reader_begin(r, NULL);
	fb_qname_from_wire(below, sizeof(below), &q);
	fb_match(r, &q, &v, NULL, NULL);
	is_int(v.kind, FB_BLOCK, "odd label below a listed name: blocked");
	fb_qname_from_wire(self, sizeof(self), &q);
	fb_match(r, &q, &v, NULL, NULL);
	is_int(v.kind, FB_PASS, "odd label under an unlisted name: passes");
	fb_reader_end(r);
	fb_reader_free(r);
	fb_store_close(st);
}

/** A map too small for the update: clear error, list in force kept. */
static void test_map_full(void)
{
	static const char *const first[] = { "keep.example", NULL };
	struct fb_update_result res;
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_store *st;
	struct fb_key k;
	char dir[300], err[512], name[64];
	int i;
	fresh_dir(dir, sizeof(dir));
	if(!ok(fb_store_open(&st, dir, 256 * 1024, FB_STORE_WRITE, err,
		sizeof(err)), "store with a 256 KB map"))
		return;
	replace(st, "f", first, FB_ACTION_DEFAULT, 100, &res, err);
	for(i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "name%d.example", i);
		key_of(name, &k, NULL);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	is_int(replace_full(st, "f", ns, FB_ACTION_DEFAULT,
		FB_CATEGORY_SCAM, 100, 0, 1, &res, err, sizeof(err)),
		FB_UPDATE_STORE, "an update larger than the map fails");
	if(!ok(strstr(err, "max-db-size") != NULL, "the error names the fix"))
		printf("# err: %s\n", err);
	is_int(verdict(st, "keep.example", NULL), FB_BLOCK,
		"the list in force survives");
	is_int(verdict(st, "name5.example", NULL), FB_PASS,
		"nothing of the failed update is visible");
	fb_nameset_free(ns);
	fb_store_close(st);
}

/** Many names: every one found, misses miss, removal of every other. */
static void test_bulk(void)
{
	enum { N = 50000 };
	struct fb_update_result res;
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_store *st;
	struct fb_key k;
	char dir[300], err[512], name[64];
	int i, found = 0, missed = 0;
	st = open_rw(fresh_dir(dir, sizeof(dir)));
	if(!ok(st != NULL, "store for bulk tests"))
		return;
	for(i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "h%d.zone%d.example", i, i % 97);
		key_of(name, &k, NULL);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	is_int(replace_full(st, "bulk", ns, FB_ACTION_DEFAULT,
		FB_CATEGORY_SCAM, 50, 0, 1, &res, err, sizeof(err)),
		FB_UPDATE_OK, "bulk import");
	if(res.added != N)
		printf("# %s\n", err);
	is_int(res.added, N, "every name added");
	fb_nameset_free(ns);
	for(i = 0; i < N; i += 7) {
		snprintf(name, sizeof(name), "www.h%d.zone%d.example", i,
			i % 97);
		found += verdict(st, name, NULL) == FB_BLOCK;
		snprintf(name, sizeof(name), "h%d.zone%d.example", i + N,
			i % 97);
		missed += verdict(st, name, NULL) == FB_PASS;
	}
	is_int(found, (N + 6) / 7, "every listed name's child is blocked");
	is_int(missed, (N + 6) / 7, "every unlisted name passes");
	/* removals interleaved with kept names exercise the merge */
	ns = fb_nameset_new();
	for(i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "h%d.zone%d.example", i, i % 97);
		key_of(name, &k, NULL);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	is_int(replace_full(st, "bulk", ns, FB_ACTION_DEFAULT,
		FB_CATEGORY_SCAM, 50, 0, 2, &res, err, sizeof(err)),
		FB_UPDATE_OK, "half removed");
	is_int(res.removed, N / 2, "removed count");
	is_int(verdict(st, "h1.zone1.example", NULL), FB_PASS,
		"a removed name passes");
	is_int(verdict(st, "h2.zone2.example", NULL), FB_BLOCK,
		"a kept name is blocked");
	fb_nameset_free(ns);
	fb_store_close(st);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof(base), "%s/fbstore.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(base)) {
		perror("mkdtemp");
		return 2;
	}
	test_open();
	test_words();
	test_nameset();
	test_nameset_listing();
	test_entry_listing();
	test_feed_updates();
	test_matching();
	test_rule();
	test_wire();
	test_map_full();
	test_bulk();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if(system(cmd) != 0)
			printf("# could not remove %s\n", base);
	}
	return done_testing();
}
