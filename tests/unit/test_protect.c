/**
 * \file
 * Unit tests of the protected-names filter (feeds/fb_protect.h): the
 * exact judgement of each kind of entry against the Public Suffix List
 * Debian ships, a critical list and a popular list; the list file
 * readers; the max-protected rule and the summary text; and, with
 * FB_DATA set to the shared sample directory, the real OpenPhish and
 * PhishTank feeds against the Umbrella top-100k list with exact drop
 * counts per reason (skipped cleanly without it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "fb_protect.h"
#include "fb_parse.h"
#include "fb_source.h"
#include "fb_name.h"

/** Critical names of the tests: one zone and its parent's sibling. */
static const char critical_file[] =
	"# critical zones of the tests\n"
	"secure.bank.example\n"
	"*.gov.example   # a leading *. is the whole zone too\n";

/** A popular list in Umbrella's top-1m.csv form. */
static const char popular_file[] =
	"\xef\xbb\xbf" "1,google.com\r\n"
	"2,accounts.google.com\r\n"
	"3,blogspot.com\r\n"
	"# not a name, skipped\n"
	"4,www.facebook.com\n";

/** Judge name (presentation form) with the given scope, action, trust. */
static enum fb_protect_reason
judge(const struct fb_protect *p, const char *name, uint8_t scope,
	enum fb_action action, int trusted)
{
	struct fb_key key;
	uint8_t sc;

	if(fb_name_parse(name, strlen(name), 0, &key, &sc) != FB_NAME_OK) {
		printf("# cannot parse %s\n", name);
		return (enum fb_protect_reason)-1;
	}
	return fb_protect_check(p, &key, scope ? scope : sc, action, trusted);
}

/** Shorthands: an untrusted and a trusted feed's default action. */
#define UNTRUSTED(p, n) judge((p), (n), 0, FB_ACTION_DEFAULT, 0)
#define TRUSTED(p, n) judge((p), (n), 0, FB_ACTION_DEFAULT, 1)

/** @return a filter with the PSL and the lists above. */
static struct fb_protect *
make_filter(void)
{
	struct fb_protect *p = fb_protect_new();
	char err[512];

	if(!p)
		abort();
	ok(fb_protect_load_psl(p, NULL, stderr, err, sizeof(err)),
		"Debian's public suffix list loads");
	is_int(fb_protect_add_critical(p, "critical.txt", critical_file,
		sizeof(critical_file) - 1, err, sizeof(err)), 2,
		"2 critical names");
	is_int(fb_protect_add_popular(p, "popular.csv", popular_file,
		sizeof(popular_file) - 1, stderr, err, sizeof(err)), 4,
		"4 popular names, rank,name lines with CRLF and a BOM");
	return p;
}

static void
test_suffixes(const struct fb_protect *p)
{
	is_int(UNTRUSTED(p, "com.vn"), FB_PROTECT_SUFFIX, "com.vn: suffix");
	is_int(UNTRUSTED(p, "vercel.app"), FB_PROTECT_SUFFIX,
		"vercel.app (PRIVATE section): suffix");
	is_int(UNTRUSTED(p, "*.vercel.app"), FB_PROTECT_SUFFIX,
		"*.vercel.app, every customer: suffix");
	is_int(UNTRUSTED(p, "scam.vercel.app"), FB_PROTECT_NONE,
		"scam.vercel.app, one customer: listed");
	is_int(UNTRUSTED(p, "*.scam.vercel.app"), FB_PROTECT_NONE,
		"*.scam.vercel.app: listed");
	is_int(TRUSTED(p, "github.io"), FB_PROTECT_SUFFIX,
		"github.io from a trusted feed: still a suffix");
	is_int(UNTRUSTED(p, "blogspot.com"), FB_PROTECT_SUFFIX,
		"blogspot.com, suffix and popular: counted as suffix");
	is_int(UNTRUSTED(p, "x.blogspot.com"), FB_PROTECT_NONE,
		"x.blogspot.com below a popular suffix: listed");
	is_int(UNTRUSTED(p, "\xe5\x85\xac\xe5\x8f\xb8.cn"), FB_PROTECT_SUFFIX,
		"IDN suffix (its A-label xn--55qx5d.cn): suffix");
	is_int(UNTRUSTED(p, "xn--55qx5d.cn"), FB_PROTECT_SUFFIX,
		"the A-label itself: suffix");
	is_int(UNTRUSTED(p, "scam.xn--55qx5d.cn"), FB_PROTECT_NONE,
		"a name below the IDN suffix: listed");
	is_int(UNTRUSTED(p, "anything.ck"), FB_PROTECT_SUFFIX,
		"a name matched by the wildcard rule *.ck: suffix");
	is_int(UNTRUSTED(p, "www.ck"), FB_PROTECT_NONE,
		"the exception !www.ck: listed");
	/* weebly.com is not in Debian 12's list (2023): only popular */
	is_int(TRUSTED(p, "weebly.com"), FB_PROTECT_NONE,
		"weebly.com is no suffix in this PSL");
}

static void
test_critical(const struct fb_protect *p)
{
	is_int(TRUSTED(p, "secure.bank.example"), FB_PROTECT_CRITICAL,
		"a critical name, even from a trusted feed");
	is_int(UNTRUSTED(p, "bank.example"), FB_PROTECT_CRITICAL,
		"its parent, name and below: critical");
	is_int(judge(p, "*.bank.example", 0, FB_ACTION_DEFAULT, 0),
		FB_PROTECT_CRITICAL, "*.parent: critical");
	is_int(judge(p, "bank.example", FB_SCOPE_SELF, FB_ACTION_DEFAULT, 0),
		FB_PROTECT_NONE, "the parent alone (scope self) spares it");
	is_int(UNTRUSTED(p, "x.secure.bank.example"), FB_PROTECT_CRITICAL,
		"its child: critical (the zone is whole)");
	is_int(UNTRUSTED(p, "other.bank.example"), FB_PROTECT_NONE,
		"a sibling: listed");
	is_int(UNTRUSTED(p, "portal.gov.example"), FB_PROTECT_CRITICAL,
		"below a '*.' critical line: critical");
	is_int(UNTRUSTED(p, "gov.example"), FB_PROTECT_CRITICAL,
		"a '*.' critical line protects its name too");
}

static void
test_popular(const struct fb_protect *p)
{
	is_int(UNTRUSTED(p, "accounts.google.com"), FB_PROTECT_POPULAR,
		"a popular name from an untrusted feed: popular");
	is_int(TRUSTED(p, "accounts.google.com"), FB_PROTECT_NONE,
		"... from a trusted feed: listed");
	is_int(UNTRUSTED(p, "google.com"), FB_PROTECT_POPULAR,
		"its parent: popular");
	is_int(UNTRUSTED(p, "facebook.com"), FB_PROTECT_POPULAR,
		"facebook.com, parent of the listed www.facebook.com: popular");
	is_int(UNTRUSTED(p, "login.accounts.google.com"), FB_PROTECT_NONE,
		"its child: listed");
	is_int(UNTRUSTED(p, "*.google.com"), FB_PROTECT_POPULAR,
		"*.google.com: popular");
	is_int(UNTRUSTED(p, "google.com.evil.example"), FB_PROTECT_NONE,
		"a lookalike: listed");
}

static void
test_allow(const struct fb_protect *p)
{
	is_int(judge(p, "vercel.app", 0, FB_ACTION_ALLOW, 0), FB_PROTECT_NONE,
		"allowing a suffix is kept");
	is_int(judge(p, "secure.bank.example", 0, FB_ACTION_ALLOW, 0),
		FB_PROTECT_NONE, "allowing a critical name is kept");
	is_int(judge(p, "accounts.google.com", 0, FB_ACTION_ALLOW, 0),
		FB_PROTECT_NONE, "allowing a popular name is kept");
	is_int(judge(p, "vercel.app", 0, FB_ACTION_NXDOMAIN, 0),
		FB_PROTECT_SUFFIX, "nxdomain of a suffix is dropped");
}

static void
test_files(void)
{
	struct fb_protect *p = fb_protect_new();
	char err[512];
	static const char half_bad[] = "a.example\nnot a name\nb..example\n";
	static const char bad_critical[] = "bank.example\n\nnot a name\n";

	if(!p)
		abort();
	is_int(fb_protect_add_popular(p, "p.txt", "# only\n\n", 8, NULL, err,
		sizeof(err)), -1, "a popular list with no name: refused");
	is_str(err, "p.txt: no names in it", "... saying so");
	is_int(fb_protect_add_popular(p, "p.txt", half_bad,
		sizeof(half_bad) - 1, NULL, err, sizeof(err)), -1,
		"a popular list mostly not names: refused");
	is_str(err, "p.txt: 2 of 3 names invalid (first at line 2: character "
		"not allowed in a name): not a popular-names list?", "... saying so");
	is_int(fb_protect_add_popular(p, "p.txt", "x.example\n*.y.example\n"
		"3,z.example", 33, NULL, err, sizeof(err)), 2,
		"'*.' in a popular list is skipped, the rest kept");
	is_int(fb_protect_add_critical(p, "c.txt", bad_critical,
		sizeof(bad_critical) - 1, err, sizeof(err)), -1,
		"a critical list with an invalid line: refused");
	is_str(err, "c.txt:3: text after the name: not a name (every line of a "
		"protected-names file must be one)", "... with file:line");
	is_int(fb_protect_add_critical(p, "c.txt", "http://1.2.3.4/\n", 16,
		err, sizeof(err)), -1, "a critical list of an address: refused");
	fb_protect_free(p);

	p = fb_protect_new();
	ok(!fb_protect_load_psl(p, "/nonexistent/psl.dat", NULL, err,
		sizeof(err)), "a configured PSL file that is missing: error");
	is_str(err, "/nonexistent/psl.dat: cannot read it as a public suffix "
		"list", "... saying so");
	fb_protect_free(p);
}

static void
test_refuse_summary(void)
{
	struct fb_protect_counts c;
	char why[256], buf[128];

	memset(&c, 0, sizeof(c));
	c.checked = 100;
	c.dropped[FB_PROTECT_SUFFIX] = 6;
	c.dropped[FB_PROTECT_CRITICAL] = 4;
	c.dropped[FB_PROTECT_POPULAR] = 80;
	is_int(fb_protect_refuse(&c, 10, why, sizeof(why)), 0,
		"10 of 100 at max-protected 10: kept (popular not counted)");
	c.dropped[FB_PROTECT_CRITICAL] = 5;
	is_int(fb_protect_refuse(&c, 10, why, sizeof(why)), 1,
		"11 of 100: refused");
	is_str(why, "11 of 100 entries are public suffixes or critical names "
		"(over max-protected 10%), refused: a wrong or hostile feed?",
		"... saying why");
	is_int(fb_protect_refuse(&c, 100, why, sizeof(why)), 0,
		"max-protected 100: never refused");
	is_str(fb_protect_summary(&c, buf, sizeof(buf)),
		", 91 protected names dropped: 6 public suffix, 5 critical, "
		"80 popular", "summary of all three");
	memset(&c, 0, sizeof(c));
	is_str(fb_protect_summary(&c, buf, sizeof(buf)), "",
		"no drop, no summary");
	c.dropped[FB_PROTECT_POPULAR] = 1;
	is_str(fb_protect_summary(&c, buf, sizeof(buf)),
		", 1 protected name dropped: 1 popular", "one drop");
}

/** Counts of one real feed through the filter, as sync applies it. */
struct real_run {
	const struct fb_protect *p;
	struct fb_protect_counts c;
	uint64_t entries;	/**< names offered to the filter */
	FILE *log;		/**< NULL or where drops are written */
};

static int
real_entry(void *arg, const struct fb_parse_entry *e)
{
	struct real_run *r = arg;
	enum fb_protect_reason why;

	/* the names filter is for names (sync skips addresses too) */
	if(e->flags & FB_ENTRY_ADDRESS)
		return 1;
	r->entries++;
	r->c.checked++;
	why = fb_protect_check(r->p, e->key, e->scope, FB_ACTION_DEFAULT, 0);
	r->c.dropped[why]++;
	if(why != FB_PROTECT_NONE && r->log)
		fprintf(r->log, "%s %.*s\n", fb_protect_reason_name(why),
			(int)e->hostlen, e->host);
	return 1;
}

/** Parse a real feed (every host, as url-paths: host) through p. */
static void
test_real_feed(const struct fb_protect *p, const char *dir, const char *file,
	const struct fb_parse_opts *o, long entries, long suffix,
	long popular)
{
	struct fb_parse_stats st;
	struct real_run r;
	char path[1024], err[256], what[256];
	char *buf = NULL;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	r.p = p;
	r.log = getenv("FB_PROTECT_LOG") ? stdout : NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if(!ok(fb_source_read(path, FB_PROTECT_FILE_MAX, 0, 0, &buf, &len,
		err, sizeof(err)), path))
		return;
	is_int(fb_parse_run(o, buf, len, &st, real_entry, NULL, &r, err,
		sizeof(err)), FB_PARSE_OK, "... parsed");
	free(buf);
	snprintf(what, sizeof(what), "%s: %ld names judged", file, entries);
	is_int(r.entries, entries, what);
	snprintf(what, sizeof(what), "%s: %ld public suffixes", file, suffix);
	is_int(r.c.dropped[FB_PROTECT_SUFFIX], suffix, what);
	is_int(r.c.dropped[FB_PROTECT_CRITICAL], 0, "... no critical name");
	snprintf(what, sizeof(what), "%s: %ld popular", file, popular);
	is_int(r.c.dropped[FB_PROTECT_POPULAR], popular, what);
	printf("# %s: %llu names, %llu public suffix, %llu popular\n", file,
		(unsigned long long)r.entries,
		(unsigned long long)r.c.dropped[FB_PROTECT_SUFFIX],
		(unsigned long long)r.c.dropped[FB_PROTECT_POPULAR]);
}

static void
test_real(void)
{
	const char *dir = getenv("FB_DATA");
	struct fb_protect *p;
	struct fb_parse_opts o;
	char path[1024], err[512], *buf = NULL;
	size_t len = 0;

	if(!dir || !*dir) {
		tap_count++;
		printf("ok %d # SKIP FB_DATA not set\n", tap_count);
		return;
	}
	if(!(p = fb_protect_new()))
		abort();
	ok(fb_protect_load_psl(p, NULL, stderr, err, sizeof(err)),
		"PSL for the real feeds");
	snprintf(path, sizeof(path), "%s/benign/umbrella-top-100k.txt", dir);
	ok(fb_source_read(path, FB_PROTECT_FILE_MAX, 0, 0, &buf, &len, err,
		sizeof(err)), "umbrella-top-100k.txt read");
	/* 100,000 lines, one name each; none refused by fb_name_parse */
	is_int(fb_protect_add_popular(p, "umbrella", buf, len, stderr, err,
		sizeof(err)), 100000, "Umbrella top-100k: 100,000 names");
	free(buf);

	memset(&o, 0, sizeof(o));
	/* openphish/feed.txt: no host is in the Umbrella top-100k (`grep
	 * -Fxf` of its 475 hosts: none) and none is a suffix; its
	 * platform hosts are customers (120 x.vercel.app, 12 x.github.io),
	 * which stay listed */
	o.format = FB_FORMAT_URLS;
	test_real_feed(p, dir, "openphish/feed.txt", &o, 500, 0, 0);
	is_int(UNTRUSTED(p, "smartadtech.vercel.app"), FB_PROTECT_NONE,
		"OpenPhish's smartadtech.vercel.app stays listed");
	is_int(UNTRUSTED(p, "shahriar-mahmud-rakib.github.io"),
		FB_PROTECT_NONE, "... and its x.github.io");
	/* PhishTank: 683 records name 43 popular hosts, the platforms the
	 * phish is hosted on or redirected through: docs.google.com 134,
	 * linktr.ee 97, forms.office.com 73, bit.ly 62,
	 * firebasestorage.googleapis.com 57, sites.google.com 32,
	 * onedrive.live.com 31, drive.google.com 23, ... accounts.google.com
	 * 8, github.com 2.  2 hosts are suffixes by a wildcard rule of the
	 * PRIVATE section: ec2-54-197-237-181.compute-1.amazonaws.com
	 * (*.compute-1.amazonaws.com) and ams3.digitaloceanspaces.com
	 * (*.digitaloceanspaces.com) */
	o.format = FB_FORMAT_CSV;
	o.column = "url";
	test_real_feed(p, dir, "phishtank/verified_online-2021-04-01.csv", &o,
		11671, 2, 683);
	is_int(UNTRUSTED(p, "docs.google.com"), FB_PROTECT_POPULAR,
		"PhishTank's docs.google.com: popular");
	is_int(UNTRUSTED(p, "ams3.digitaloceanspaces.com"), FB_PROTECT_SUFFIX,
		"PhishTank's ams3.digitaloceanspaces.com: suffix");
	fb_protect_free(p);
}

int
main(void)
{
	struct fb_protect *p = make_filter();

	test_suffixes(p);
	test_critical(p);
	test_popular(p);
	test_allow(p);
	fb_protect_free(p);
	test_files();
	test_refuse_summary();
	test_real();
	return done_testing();
}
