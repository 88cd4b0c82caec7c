/**
 * \file
 * Unit tests of lib/fb_addr.c (addresses as keys: parsing hostile text,
 * masking, formatting, the protected ranges) and of fb_match_addr()
 * (lib/fb_reader.c: longest prefix, allow at equal length, families kept
 * apart, /0 to /32 and /128 edges, many lengths present, names unaffected).
 * Each store lives in its own directory under $TMPDIR.  TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include "fb_addr.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_update.h"
#include "fb_manual.h"
#include "fb_admin.h"
#include "tap.h"

static char base[256];
static int dirs;

/** Parse text (NUL-terminated) and format it back. @return 1 if parsed. */
static int roundtrip(const char *text, char *out, size_t outlen)
{
	struct fb_key k;
	const char *why = NULL;
	out[0] = 0;
	if(!fb_addr_parse(text, strlen(text), &k, &why))
		return 0;
	return fb_addr_format(k.data, k.len, out, outlen);
}

/** ok() that text parses and formats as want. */
static void good(const char *text, const char *want)
{
	char out[FB_ADDR_TEXT_MAX], what[200];
	snprintf(what, sizeof(what), "'%s' reads as %s", text, want);
	ok(roundtrip(text, out, sizeof(out)) && strcmp(out, want) == 0, what);
	if(strcmp(out, want) != 0)
		printf("# got '%s'\n", out);
}

/** ok() that text is refused with the reason want. */
static void bad(const char *text, size_t len, const char *want)
{
	struct fb_key k;
	const char *why = NULL;
	char what[200];
	k.len = 99;
	snprintf(what, sizeof(what), "'%.60s' refused: %s", text, want);
	ok(!fb_addr_parse(text, len, &k, &why) && why &&
		strcmp(why, want) == 0 && k.len == 99, what);
	if(why && strcmp(why, want) != 0)
		printf("# got '%s'\n", why);
}

static void test_parse(void)
{
	struct fb_key k;
	const char *why;
	char big[200];

	good("192.0.2.1", "192.0.2.1");
	good("192.0.2.1/32", "192.0.2.1");
	good("192.0.2.0/24", "192.0.2.0/24");
	good("192.0.2.77/24", "192.0.2.0/24");	/* host bits masked */
	good("203.0.113.255/25", "203.0.113.128/25");
	good("198.51.100.9/0", "0.0.0.0/0");
	good("255.255.255.255/1", "128.0.0.0/1");
	good("2001:db8::1", "2001:db8::1");
	good("2001:DB8::/32", "2001:db8::/32");
	good("2001:db8:ffff::1/33", "2001:db8:8000::/33");
	good("[2001:db8::1]", "2001:db8::1");
	good("[2001:db8::5]/64", "2001:db8::/64");
	good("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	good("::/0", "::/0");

	fb_addr_parse("192.0.2.1", 9, &k, NULL);
	is_int(k.len, FB_ADDR_KEY4, "IPv4 key: 7 bytes");
	ok(k.len == 7 && memcmp(k.data, "\x04\x01\xc0\x00\x00\x02\x01", 7) == 0,
		"IPv4 long key: family, tier 1, group, 32 - length, the rest");
	fb_addr_parse("10.0.0.0/8", 10, &k, NULL);
	ok(k.len == 7 && memcmp(k.data, "\x04\x00\x08\x0a\x00\x00\x00", 7) == 0,
		"IPv4 short key (/8): family, tier 0, length, address");
	fb_addr_parse("198.51.0.0/16", 13, &k, NULL);
	ok(k.len == 7 && memcmp(k.data, "\x04\x01\xc6\x33\x10\x00\x00", 7) == 0,
		"/16 is the last long length (32 - 16)");
	fb_addr_parse("198.51.100.0/24", 15, &k, NULL);
	ok(k.len == 7 && memcmp(k.data, "\x04\x01\xc6\x33\x08\x64\x00", 7) == 0,
		"/24: sorts before the group's /16, after its /32s");
	fb_addr_parse("198.50.0.0/15", 13, &k, NULL);
	ok(k.len == 7 && memcmp(k.data, "\x04\x00\x0f\xc6\x32\x00\x00", 7) == 0,
		"/15 is the last short length");
	fb_addr_parse("2001:db8::/32", 13, &k, NULL);
	is_int(k.len, FB_ADDR_KEY6, "IPv6 key: 19 bytes");
	ok(k.data[0] == FB_ADDR_V6 && k.data[1] == FB_ADDR_LONG &&
		k.data[2] == 0x20 && k.data[5] == 0xb8 && k.data[6] == 96 &&
		k.data[18] == 0, "IPv6 long key bytes (/32)");
	fb_addr_parse("2001:db8::/31", 13, &k, NULL);
	ok(k.len == FB_ADDR_KEY6 && k.data[1] == FB_ADDR_SHORT &&
		k.data[2] == 31 && k.data[3] == 0x20 && k.data[6] == 0xb8,
		"IPv6 short key bytes (/31)");
	/* an address key sorts below every name key */
	ok(k.data[0] < '-' && FB_ADDR_V4 < '-', "below every name byte");

	bad("", 0, "empty address");
	bad("1.2.3", 5, "not an IPv4 address");
	bad("1.2.3.4.5", 9, "not an IPv4 address");
	bad("1.2.3.256", 9, "not an IPv4 address");
	bad("01.2.3.4", 8, "not an IPv4 address");	/* octal? refused */
	bad("0x7f.0.0.1", 10, "not an IPv4 address");
	bad("2130706433", 10, "not an IPv4 address");
	bad("1.2.3.4 ", 8, "not an IPv4 address");
	bad(" 1.2.3.4", 8, "not an IPv4 address");
	bad("1.2.3.4/", 8, "bad prefix length");
	bad("1.2.3.4/33", 10, "prefix length over 32");
	bad("1.2.3.4/024", 11, "bad prefix length");
	bad("1.2.3.4/-1", 10, "bad prefix length");
	bad("1.2.3.4/+8", 10, "bad prefix length");
	bad("1.2.3.4/1000", 12, "bad prefix length");
	bad("1.2.3.4/24/8", 12, "bad prefix length");
	bad("2001:db8::/129", 14, "prefix length over 128");
	bad("2001:db8:::1", 12, "not an IPv6 address");
	bad("fe80::1%eth0", 12, "not an IPv6 address");
	bad("[1.2.3.4]", 9, "not an IPv6 address");
	bad("[2001:db8::1", 12, "not an IPv6 address");
	bad("example.com", 11, "not an IPv4 address");
	bad("1.2.3.4\0junk", 12, "NUL byte in an address");
	memset(big, '1', sizeof(big));
	bad(big, 65, "address text too long");
	bad(big, sizeof(big), "address text too long");
	why = NULL;
	ok(!fb_addr_parse(NULL, 3, &k, &why) && why, "NULL text refused");
	ok(!fb_addr_parse("1.2.3", 5, &k, NULL), "why may be NULL");
}

static void test_key_and_format(void)
{
	struct fb_key k;
	uint8_t a4[4] = { 192, 0, 2, 255 }, a6[16];
	char out[FB_ADDR_TEXT_MAX];
	uint8_t back[16];
	int i, all = 1, af, prefix;

	fb_addr_key(AF_INET, a4, 31, &k);
	ok(fb_addr_format(k.data, k.len, out, sizeof(out)) &&
		strcmp(out, "192.0.2.254/31") == 0, "/31 masks the last bit");
	fb_addr_key(AF_INET, a4, 40, &k);
	ok(fb_addr_unkey(k.data, k.len, &af, back, &prefix) &&
		af == AF_INET && prefix == 32 && memcmp(back, a4, 4) == 0,
		"length clamped to 32, unkey reads it back");
	fb_addr_key(AF_INET, a4, -3, &k);
	ok(fb_addr_unkey(k.data, k.len, &af, back, &prefix) && prefix == 0,
		"negative length clamped to 0");
	ok(k.data[3] == 0 && k.data[6] == 0, "/0 keeps no bit");
	fb_addr_key(AF_UNIX, a4, 8, &k);
	is_int(k.len, 0, "another family gives no key");
	/* every length of both families formats and reads back */
	memset(a6, 0xff, sizeof(a6));
	for(i = 0; i <= 128; i++) {
		struct fb_key k2;
		fb_addr_key(AF_INET6, a6, i, &k);
		if(!fb_key_is_addr(k.data, k.len) ||
		   !fb_addr_format(k.data, k.len, out, sizeof(out)) ||
		   !fb_addr_parse(out, strlen(out), &k2, NULL) ||
		   k2.len != k.len || memcmp(k.data, k2.data, k.len) != 0)
			all = 0;
		if(i <= 32) {
			fb_addr_key(AF_INET, a6, i, &k);
			if(!fb_key_is_addr(k.data, k.len) ||
			   !fb_addr_format(k.data, k.len, out, sizeof(out)) ||
			   !fb_addr_parse(out, strlen(out), &k2, NULL) ||
			   k2.len != k.len ||
			   memcmp(k.data, k2.data, k.len) != 0)
				all = 0;
		}
	}
	ok(all, "/0../32 and /0../128: key, format, parse round trip");
	fb_addr_key(AF_INET6, a6, 128, &k);
	ok(fb_addr_format(k.data, k.len, out, sizeof(out)) && strcmp(out,
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 0,
		"full IPv6 without /128");
	ok(!fb_addr_format(k.data, k.len, out, 39) && out[0] == 0,
		"too small a buffer: refused, empty");
	fb_addr_key(AF_INET6, a6, 127, &k);
	ok(!fb_addr_format(k.data, k.len, out, 43) &&
		fb_addr_format(k.data, k.len, out, 44), "room for /127 exact");

	/* not address keys */
	ok(!fb_key_is_addr((const uint8_t *)"com.example.", 12), "a name key");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x01\x01\x02\x08\x03", 6),
		"IPv4 key one byte short");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x01\x01\x02\xff\x03\x04",
		7), "IPv4 length byte 255");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x01\x01\x02\x08\x03\x04",
		7), "host bits set past /24");
	ok(fb_key_is_addr((const uint8_t *)"\x04\x01\x01\x02\x08\x03\x00",
		7), "1.2.3.0/24 is one");
	ok(!fb_key_is_addr((const uint8_t *)"\x05\x01\x01\x02\x08\x03\x00",
		7), "unknown family byte");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x02\x01\x02\x08\x03\x00",
		7), "unknown tier byte");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x01\x01\x02\x11\x00\x00",
		7), "long tier with a /15");
	ok(fb_key_is_addr((const uint8_t *)"\x04\x00\x0f\x01\x02\x00\x00",
		7), "short tier /15 is one");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x00\x10\x01\x02\x00\x00",
		7), "short tier with a /16");
	ok(!fb_key_is_addr((const uint8_t *)"\x04\x18\x01\x02\x03\x00", 6),
		"the old layout (family, length, address) is none");
	ok(!fb_addr_unkey((const uint8_t *)"\x04\x01", 2, &af, back, &prefix),
		"two bytes: unkey refuses");
	ok(!fb_addr_format((const uint8_t *)"com.", 4, out, sizeof(out)),
		"a name does not format as an address");
}

/** fb_addr_refused() of text for from. */
static const char *refused(const char *text, int from)
{
	struct fb_key k;
	if(!fb_addr_parse(text, strlen(text), &k, NULL))
		return "unparsable";
	return fb_addr_refused(k.data, k.len, from);
}

static void test_refused(void)
{
	/* text, who, the reason (NULL: may be stored) */
	static const struct { const char *text; int from; const char *why; }
	t[] = {
	{ "198.51.100.7", FB_ADDR_FROM_FEED, NULL },
	{ "198.51.0.0/16", FB_ADDR_FROM_FEED, NULL },
	{ "198.50.0.0/15", FB_ADDR_FROM_FEED, "IPv4 prefix shorter than /16" },
	{ "198.0.0.0/8", FB_ADDR_FROM_ADMIN, NULL },
	{ "198.0.0.0/7", FB_ADDR_FROM_ADMIN, "IPv4 prefix shorter than /8" },
	{ "0.0.0.0", FB_ADDR_FROM_FEED, "overlaps 0.0.0.0/8 (unspecified)" },
	{ "0.0.0.0", FB_ADDR_FROM_ADMIN, "overlaps 0.0.0.0/8 (unspecified)" },
	{ "127.0.0.1", FB_ADDR_FROM_ADMIN, "overlaps 127.0.0.0/8 (loopback)" },
	{ "127.0.0.0/8", FB_ADDR_FROM_ADMIN,
		"overlaps 127.0.0.0/8 (loopback)" },
	{ "192.168.1.1", FB_ADDR_FROM_FEED,
		"overlaps 192.168.0.0/16 (private)" },
	{ "192.168.1.1", FB_ADDR_FROM_ADMIN, NULL },
	{ "172.31.255.255", FB_ADDR_FROM_FEED,
		"overlaps 172.16.0.0/12 (private)" },
	{ "172.32.0.1", FB_ADDR_FROM_FEED, NULL },
	{ "10.1.2.3", FB_ADDR_FROM_FEED, "overlaps 10.0.0.0/8 (private)" },
	{ "100.64.0.1", FB_ADDR_FROM_FEED,
		"overlaps 100.64.0.0/10 (shared address space)" },
	{ "169.254.1.1", FB_ADDR_FROM_FEED,
		"overlaps 169.254.0.0/16 (link-local)" },
	{ "224.0.0.1", FB_ADDR_FROM_FEED, "overlaps 224.0.0.0/4 (multicast)" },
	{ "255.255.255.255", FB_ADDR_FROM_FEED,
		"overlaps 240.0.0.0/4 (reserved, broadcast)" },
	{ "::", FB_ADDR_FROM_ADMIN, "overlaps ::/128 (unspecified)" },
	{ "::1", FB_ADDR_FROM_FEED, "overlaps ::1/128 (loopback)" },
	/* a prefix that holds a protected address is refused too */
	{ "::/16", FB_ADDR_FROM_ADMIN, "overlaps ::/128 (unspecified)" },
	{ "::ffff:198.51.100.7", FB_ADDR_FROM_ADMIN,
		"overlaps ::ffff:0:0/96 (IPv4-mapped)" },
	{ "fe80::1", FB_ADDR_FROM_FEED, "overlaps fe80::/10 (link-local)" },
	{ "fd00::1", FB_ADDR_FROM_FEED, "overlaps fc00::/7 (unique local)" },
	{ "ff02::1", FB_ADDR_FROM_FEED, "overlaps ff00::/8 (multicast)" },
	{ "2001:db8::/31", FB_ADDR_FROM_FEED, "IPv6 prefix shorter than /32" },
	{ "2001:db8::/32", FB_ADDR_FROM_FEED, NULL },
	{ "2001::/16", FB_ADDR_FROM_ADMIN, NULL },
	{ "2001::/15", FB_ADDR_FROM_ADMIN, "IPv6 prefix shorter than /16" }
	};
	size_t i;
	char what[200];
	for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *r = refused(t[i].text, t[i].from);
		snprintf(what, sizeof(what), "%s %s: %s", t[i].from ==
			FB_ADDR_FROM_FEED ? "feed" : "admin", t[i].text,
			t[i].why ? t[i].why : "stored");
		if(!ok(t[i].why ? r && strcmp(r, t[i].why) == 0 : r == NULL,
			what))
			printf("# got '%s'\n", r ? r : "(stored)");
	}
	is_str(fb_addr_refused((const uint8_t *)"com.", 4, FB_ADDR_FROM_FEED),
		"not an address", "a name key");
}

/** Open a fresh writable store. */
static struct fb_store *fresh_store(void)
{
	char dir[300], err[512];
	struct fb_store *st;
	snprintf(dir, sizeof(dir), "%s/db%d", base, ++dirs);
	if(!fb_store_open(&st, dir, 64 << 20, FB_STORE_WRITE, err,
		sizeof(err))) {
		printf("# open: %s\n", err);
		exit(2);
	}
	return st;
}

/** Replace feed's entries with the addresses/prefixes in texts (and
 * names: a text that is not an address is a name). */
static void feed(struct fb_store *st, const char *name,
	const char *const *texts, enum fb_action action)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_update_spec spec;
	struct fb_update_result res;
	struct fb_key k;
	uint8_t scope;
	char err[512];
	for(; *texts; texts++) {
		if(!fb_addr_parse(*texts, strlen(*texts), &k, NULL) &&
		   fb_name_parse(*texts, strlen(*texts), 0, &k, &scope) !=
		   FB_NAME_OK) {
			printf("# test bug: %s\n", *texts);
			exit(2);
		}
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = name;
	spec.action = action;
	spec.category = FB_CATEGORY_SCAM;
	spec.max_shrink = 100;
	spec.now = 1700000000;
	if(fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err)) !=
		FB_UPDATE_OK) {
		printf("# replace: %s\n", err);
		exit(2);
	}
	fb_nameset_free(ns);
}

/** Room for every length of one address: /0../128. */
#define SEEN_MAX 129

/** What fb_match_addr's callback saw. */
struct seen {
	int n;
	int depth[SEEN_MAX];
	uint16_t source[SEEN_MAX];
};

static void seen_cb(void *arg, const struct fb_qname *q, int depth,
	const struct fb_entry *e)
{
	struct seen *s = arg;
	if(q != NULL || s->n == SEEN_MAX)
		return;
	s->depth[s->n] = depth;
	s->source[s->n++] = e->source;
}

/** Match an address (text); verdict kind, or -1 on error.  The verdict
 * with the callback must be the same as without. */
static int vaddr(struct fb_store *st, const char *text,
	struct fb_verdict *out, struct seen *seen)
{
	struct fb_reader *r;
	struct fb_verdict v, v2;
	struct seen s;
	uint8_t a[16];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;
	char err[512];
	if(inet_pton(af, text, a) != 1) {
		printf("# test bug: %s\n", text);
		exit(2);
	}
	if(!fb_reader_new(st, &r, err, sizeof(err)) ||
	   fb_reader_begin(r, NULL) != 0)
		return -1;
	memset(&s, 0, sizeof(s));
	if(fb_match_addr(r, af, a, &v, NULL, NULL) != 0 ||
	   fb_match_addr(r, af, a, &v2, seen_cb, &s) != 0)
		v.kind = -1;
	else if(v2.kind != v.kind || v2.depth != v.depth ||
		v2.entry.source != v.entry.source)
		v.kind = -2;
	fb_reader_end(r);
	fb_reader_free(r);
	if(out)
		*out = v;
	if(seen)
		*seen = s;
	return v.kind;
}

/** Add text's address (inet_pton form) at every length lo..hi. */
static void add_lengths(struct fb_nameset *ns, const char *text, int lo,
	int hi)
{
	struct fb_key k;
	uint8_t a[16];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET, i;
	inet_pton(af, text, a);
	for(i = lo; i <= hi; i++) {
		fb_addr_key(af, a, i, &k);
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
}

/** Store ns (freed) as feed name's entries.  @return 1 ok. */
static int store_set(struct fb_store *st, const char *name,
	struct fb_nameset *ns)
{
	struct fb_update_spec spec;
	struct fb_update_result res;
	char err[512];
	int rc;
	fb_nameset_finish(ns);
	memset(&spec, 0, sizeof(spec));
	spec.feed = name;
	spec.action = FB_ACTION_SINKHOLE;
	spec.max_shrink = 100;
	spec.now = 1700000000;
	rc = fb_store_replace_feed(st, &spec, ns, &res, err, sizeof(err)) ==
		FB_UPDATE_OK;
	fb_nameset_free(ns);
	return rc;
}

/** Flip bit i (from the left, 0-based) of text's address for i = lo..
 * hi-1: with text listed at every length, only lengths <= i still hold
 * it.  @return 1 if each decides at /i. */
static int flips(struct fb_store *st, const char *text, int lo, int hi)
{
	struct fb_verdict v;
	char t[INET6_ADDRSTRLEN];
	uint8_t a[16];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET, i, all = 1;
	for(i = lo; i < hi; i++) {
		inet_pton(af, text, a);
		a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		inet_ntop(af, a, t, sizeof(t));
		if(vaddr(st, t, &v, NULL) != FB_BLOCK || v.depth != i) {
			printf("# bit %d: %s depth %d\n", i, t, v.depth);
			all = 0;
		}
	}
	return all;
}

static void test_match(void)
{
	struct fb_store *st = fresh_store();
	struct fb_verdict v;
	struct seen s;
	char err[512];
	struct fb_key k;
	static const char *const a[] = { "198.51.100.0/24", "203.0.113.7",
		"2001:db8::/32", "2001:db8:1::/48", "example.com", NULL };
	static const char *const b[] = { "198.51.100.0/24", "198.51.0.0/16",
		"2001:db8:1:2::/64", NULL };
	static const char *const allow[] = { "198.51.100.128/25",
		"203.0.113.0/24", NULL };

	is_int(vaddr(st, "198.51.100.7", &v, NULL), FB_PASS, "empty store");
	feed(st, "a", a, FB_ACTION_NXDOMAIN);
	is_int(vaddr(st, "198.51.100.7", &v, &s), FB_BLOCK, "inside a /24");
	is_int(v.depth, 24, "decided at /24");
	is_int(v.entry.action, FB_ACTION_NXDOMAIN, "with the feed's action");
	is_int(s.n, 1, "one applicable entry");
	is_int(vaddr(st, "198.51.101.7", NULL, NULL), FB_PASS, "next /24");
	is_int(vaddr(st, "203.0.113.7", &v, NULL), FB_BLOCK, "a /32");
	is_int(v.depth, 32, "at /32");
	is_int(vaddr(st, "203.0.113.8", NULL, NULL), FB_PASS, "its neighbour");
	is_int(vaddr(st, "2001:db8:1::5", &v, NULL), FB_BLOCK, "v6 in /48");
	is_int(v.depth, 48, "the longest: /48, not /32");
	is_int(vaddr(st, "2001:db8:2::5", &v, NULL), FB_BLOCK, "v6 in /32");
	is_int(v.depth, 32, "at /32");
	is_int(vaddr(st, "2001:db9::1", NULL, NULL), FB_PASS, "v6 outside");
	/* v4 and v6 never mix: ::c633:6407 holds the bytes of 198.51.100.7 */
	is_int(vaddr(st, "::c633:6407", NULL, NULL), FB_PASS,
		"v6 with v4's bytes: no match");
	is_int(vaddr(st, "::ffff:198.51.100.7", NULL, NULL), FB_PASS,
		"v4-mapped v6: no match");
	is_int(vaddr(st, "32.1.13.184", NULL, NULL), FB_PASS,
		"v4 with v6 prefix bytes: no match");

	/* a second feed: same /24 (lowest source id decides), a /16 */
	feed(st, "b", b, FB_ACTION_SINKHOLE);
	is_int(vaddr(st, "198.51.100.7", &v, &s), FB_BLOCK, "two feeds");
	is_int(v.entry.action, FB_ACTION_NXDOMAIN, "feed a (lower id) wins");
	is_int(s.n, 3, "three applicable entries");
	ok(s.depth[0] == 24 && s.depth[1] == 24 && s.depth[2] == 16,
		"callback: longest prefix first");
	ok(s.source[0] < s.source[1], "same prefix: in source order");
	is_int(vaddr(st, "198.51.7.7", &v, NULL), FB_BLOCK, "only in the /16");
	is_int(v.entry.action, FB_ACTION_SINKHOLE, "feed b's action");
	is_int(v.depth, 16, "at /16");
	is_int(vaddr(st, "2001:db8:1:2::1", &v, NULL), FB_BLOCK, "/64");
	is_int(v.depth, 64, "at /64");

	/* allow: longer beats shorter block; equal length beats block */
	feed(st, "ok", allow, FB_ACTION_ALLOW);
	is_int(vaddr(st, "198.51.100.200", &v, NULL), FB_ALLOW,
		"allow /25 inside a blocked /24");
	is_int(v.depth, 25, "at /25");
	is_int(vaddr(st, "198.51.100.100", &v, NULL), FB_BLOCK,
		"other half of the /24 still blocked");
	is_int(vaddr(st, "203.0.113.7", &v, NULL), FB_BLOCK,
		"a /32 block beats a shorter /24 allow");
	is_int(vaddr(st, "203.0.113.9", &v, NULL), FB_ALLOW,
		"the /24 allow elsewhere");
	fb_addr_parse("198.51.100.0/24", 15, &k, NULL);
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW,
		1700000000, err, sizeof(err)), 1, "manual allow of the /24");
	is_int(vaddr(st, "198.51.100.100", &v, NULL), FB_ALLOW,
		"equal length: allow beats two blocks");
	is_int(v.entry.source, FB_SOURCE_ALLOW, "by manual-allow");
	is_int(v.depth, 24, "at /24");
	is_int(fb_store_manual_remove(st, &k, err, sizeof(err)), 1,
		"manual allow removed");
	is_int(vaddr(st, "198.51.100.100", NULL, NULL), FB_BLOCK,
		"blocked again (a new snapshot: lengths relearned)");
	fb_addr_parse("198.51.100.100", 14, &k, NULL);
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_NODATA,
		1700000000, err, sizeof(err)), 1, "manual block of a /32");
	is_int(vaddr(st, "198.51.100.100", &v, NULL), FB_BLOCK, "manual /32");
	ok(v.entry.source == FB_SOURCE_BLOCK && v.depth == 32 &&
		v.entry.action == FB_ACTION_NODATA, "by manual-block at /32");
	fb_store_close(st);
}

/** /0 and /32 (/128) edges, and every length present at once. */
static void test_edges(void)
{
	struct fb_store *st = fresh_store();
	struct fb_verdict v;
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_key k;
	uint8_t a[16];

	/* the store API itself takes any length (the limits are the
	 * feeds' and the tools'): /0 of each family */
	memset(a, 0, sizeof(a));
	fb_addr_key(AF_INET, a, 0, &k);
	fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	fb_addr_key(AF_INET6, a, 0, &k);
	fb_nameset_add_listed(ns, &k, FB_SCOPE_TREE, FB_ACTION_NODATA,
		FB_CATEGORY_UNSPECIFIED);
	/* 203.0.113.0 at every length 1..32 */
	add_lengths(ns, "203.0.113.0", 1, 32);
	ok(store_set(st, "all", ns), "34 prefixes stored");

	is_int(vaddr(st, "1.1.1.1", &v, NULL), FB_BLOCK, "/0 holds all");
	is_int(v.depth, 0, "at /0 (depth 0, kind BLOCK)");
	is_int(vaddr(st, "::1", &v, NULL), FB_BLOCK, "v6 /0 holds all");
	ok(v.depth == 0 && v.entry.action == FB_ACTION_NODATA,
		"v6 /0 with its own action");
	is_int(vaddr(st, "203.0.113.0", &v, NULL), FB_BLOCK, "exact /32");
	is_int(v.depth, 32, "at /32");
	/* 203.0.113.0 = 11001011 00000000 01110001 00000000 */
	ok(flips(st, "203.0.113.0", 0, 32),
		"flipping bit i: the longest match is /i, for i = 0..31");
	fb_store_close(st);
}

/** ok() that text matches at depth want (-1: passes), the callback
 * seeing the lengths in order (0-terminated, or NULL not to check). */
static void at(struct fb_store *st, const char *text, int want,
	const int *order, const char *what)
{
	struct fb_verdict v;
	struct seen s;
	int kind = vaddr(st, text, &v, &s), i, good;

	good = want < 0 ? kind == FB_PASS : kind == FB_BLOCK && v.depth == want;
	for(i = 0; good && order && (i < s.n || order[i]); i++)
		good = i < s.n && order[i] == s.depth[i] && s.depth[i];
	if(!ok(good, what))
		printf("# %s: kind %d depth %d, callback saw %d\n", text, kind,
			v.depth, s.n);
}

/** The two tiers (fb_addr.h): group boundaries, crowded groups, misses
 * in populated and empty groups, short prefixes beside long ones. */
static void test_tiers(void)
{
	struct fb_store *st = fresh_store();
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_verdict v;
	struct fb_key k;
	char err[512];
	int i, order[130];
	static const char *const b[] = { "60.0.0.0/15", "60.2.0.0/16",
		"60.3.0.0/17", "61.0.0.0/15", "61.0.0.0/16", "61.0.0.0/17",
		"2001:db8::/31", "2001:dba::/32", "2001:dbc::/33",
		"2001:db8::/32", "2001:db8::/33", "45.0.0.0/8",
		"198.51.100.0/24", "198.51.100.77", NULL };
	static const int o_61[] = { 17, 16, 15, 0 }, o_v6[] = { 33, 32, 31, 0 },
		o_16[] = { 16, 15, 0 }, o_45[] = { 16, 8, 0 },
		o_one[] = { 24, 0 };

	/* a crowded group: 198.51.255.255 at every length 17..32, beside
	 * 198.51.100.0/24 and 198.51.100.77 (feed "b"); 2a00:1450::200e at
	 * every length 32..128 */
	add_lengths(ns, "198.51.255.255", 17, 32);
	add_lengths(ns, "2a00:1450::200e", 32, 128);
	ok(store_set(st, "crowd", ns), "16 + 97 prefixes stored");

	at(st, "45.1.2.3", -1, NULL, "no short prefix yet: empty group");
	at(st, "198.51.0.1", -1, NULL, "miss in a populated group");
	at(st, "198.51.255.255", 32, NULL, "crowded group: the /32");
	for(i = 0; i < 16; i++)
		order[i] = 32 - i;
	order[16] = 0;
	at(st, "198.51.255.255", 32, order,
		"callback: all 16 lengths, longest first");
	at(st, "198.51.127.255", -1, NULL, "bit 16 flipped: a miss");
	ok(flips(st, "198.51.255.255", 17, 32), "crowded v4 group: flipping bit i gives /i, i = 17..31");
	ok(flips(st, "2a00:1450::200e", 32, 128), "crowded v6 group: flipping bit i gives /i, i = 32..127");
	for(i = 0; i < 97; i++)
		order[i] = 128 - i;
	order[97] = 0;
	at(st, "2a00:1450::200e", 128, order,
		"callback: all 97 IPv6 lengths, longest first");
	at(st, "2a00:1451::200e", -1, NULL, "v6: the next group is empty");

	feed(st, "b", b, FB_ACTION_NXDOMAIN);
	at(st, "198.51.100.77", 32, NULL, "crowded group, another /32");
	at(st, "198.51.100.78", 24, o_one, "its /24, nothing else holds it");
	at(st, "198.51.0.1", -1, NULL, "still a miss in the group");
	/* tier boundaries */
	at(st, "60.0.1.1", 15, NULL, "v4 /15 (short tier)");
	at(st, "60.1.255.1", 15, NULL, "v4 /15, its other /16");
	at(st, "60.2.1.1", 16, NULL, "v4 /16 (first long length)");
	at(st, "60.3.1.1", 17, NULL, "v4 /17");
	at(st, "60.3.200.1", -1, NULL, "v4: past the /17, group populated");
	at(st, "61.0.0.1", 17, o_61, "nested /17 /16 /15: longest first");
	at(st, "61.0.200.1", 16, o_16, "nested: the /16");
	at(st, "61.1.0.1", 15, NULL, "nested: the /15 only");
	at(st, "2001:db8::1", 33, o_v6, "v6 nested /33 /32 /31");
	at(st, "2001:db8:8000::1", 32, NULL, "v6 /32");
	at(st, "2001:db9::1", 31, NULL, "v6 /31 (short tier)");
	at(st, "2001:dba::1", 32, NULL, "v6 /32 alone");
	at(st, "2001:dbc::1", 33, NULL, "v6 /33 alone");
	at(st, "2001:dbc:8000::1", -1, NULL, "v6: past the /33");
	at(st, "2001:dbb::1", -1, NULL, "v6: empty group between");
	/* short prefixes present, their groups empty */
	at(st, "45.1.2.3", 8, NULL, "empty group, a short /8 holds it");
	at(st, "46.1.2.3", -1, NULL, "empty group, short ones present");
	fb_addr_parse("45.1.0.0/16", 11, &k, NULL);
	is_int(fb_store_manual_set(st, &k, FB_SCOPE_TREE, FB_ACTION_ALLOW,
		1700000000, err, sizeof(err)), 1, "manual allow 45.1.0.0/16");
	is_int(vaddr(st, "45.1.2.3", &v, NULL), FB_ALLOW,
		"a long allow beats a short block");
	at(st, "45.2.2.3", 8, NULL, "the /8 elsewhere");
	{
		struct seen s;
		vaddr(st, "45.1.2.3", &v, &s);
		ok(s.n == 2 && s.depth[0] == o_45[0] &&
			s.depth[1] == o_45[1], "callback: the /16, then the /8");
	}
	fb_store_close(st);
}

/** A store holding keys of the unreleased first layout ([family][length]
 * [address], 6 or 18 bytes): lookups run past them, verify reports them. */
static void test_old_layout(void)
{
	struct fb_store *st = fresh_store();
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_verify_result vr;
	struct fb_key k;
	char err[512];
	static const uint8_t old[3][18] = {
		{ 0x04, 24, 198, 51, 100, 0 },
		{ 0x04, 32, 198, 51, 100, 7 },
		{ 0x06, 32, 0x20, 0x01, 0x0d, 0xb8 } };
	static const size_t oldlen[3] = { 6, 6, 18 };
	int i;

	for(i = 0; i < 3; i++) {
		memcpy(k.data, old[i], oldlen[i]);
		k.len = oldlen[i];
		fb_nameset_add(ns, &k, FB_SCOPE_TREE);
	}
	add_lengths(ns, "198.51.100.9", 32, 32);
	ok(store_set(st, "old", ns), "three old-layout keys and a new one");
	at(st, "198.51.100.7", -1, NULL, "an old /32 key matches nothing");
	at(st, "198.51.100.9", 32, NULL, "the new key beside them matches");
	at(st, "2001:db8::1", -1, NULL, "an old IPv6 key matches nothing");
	memset(&vr, 0, sizeof(vr));
	fb_store_verify(st, NULL, NULL, &vr, err, sizeof(err));
	is_int((int)vr.kind[FB_VERIFY_KEY], 3, "verify: three bad keys");
	fb_store_close(st);
}

/** Address entries do not disturb names, and names not addresses. */
static void test_names_apart(void)
{
	struct fb_store *st = fresh_store();
	struct fb_reader *r;
	struct fb_qname q;
	struct fb_key k;
	struct fb_verdict v;
	uint8_t scope;
	char err[512];
	static const char *const l[] = { "198.51.100.7", "2001:db8::1",
		"bad.example", NULL };

	feed(st, "l", l, FB_ACTION_SINKHOLE);
	if(!fb_reader_new(st, &r, err, sizeof(err)) ||
	   fb_reader_begin(r, NULL) != 0) {
		ok(0, "reader");
		return;
	}
	fb_name_parse("x.bad.example", 13, 0, &k, &scope);
	fb_qname_from_key(&k, &q);
	ok(fb_match(r, &q, &v, NULL, NULL) == 0 && v.kind == FB_BLOCK &&
		v.depth == 2, "a name below a listed name: blocked");
	fb_name_parse("good.example", 12, 0, &k, &scope);
	fb_qname_from_key(&k, &q);
	ok(fb_match(r, &q, &v, NULL, NULL) == 0 && v.kind == FB_PASS,
		"an unlisted name passes");
	fb_name_parse("0.example", 9, 0, &k, &scope);
	fb_qname_from_key(&k, &q);
	ok(fb_match(r, &q, &v, NULL, NULL) == 0 && v.kind == FB_PASS,
		"a name of digits passes");
	is_int(fb_match_addr(r, AF_INET, (const uint8_t *)"\xc6\x33\x64\x08",
		&v, NULL, NULL), 0, "lookup of a neighbour");
	is_int(v.kind, FB_PASS, "neighbour passes");
	is_int(fb_match_addr(r, AF_UNIX, (const uint8_t *)"\xc6\x33\x64\x07",
		&v, NULL, NULL), 0, "another family: no error");
	is_int(v.kind, FB_PASS, "another family passes");
	fb_reader_end(r);
	fb_reader_free(r);
	fb_store_close(st);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof(base), "%s/fbaddr.XXXXXX", tmp ? tmp : "/tmp");
	if(!mkdtemp(base)) {
		perror("mkdtemp");
		return 2;
	}
	test_parse();
	test_key_and_format();
	test_refused();
	test_match();
	test_edges();
	test_tiers();
	test_old_layout();
	test_names_apart();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if(system(cmd) != 0)
			printf("# could not remove %s\n", base);
	}
	return done_testing();
}
