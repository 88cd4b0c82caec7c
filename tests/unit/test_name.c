/**
 * \file
 * Unit tests for lib/fb_name.c: presentation text to keys (fb_name_parse),
 * keys back to text, and wire-format query names to prefix lists
 * (fb_qname_from_wire, fb_qname_from_key).  TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_name.h"
#include "tap.h"

/** Key bytes as a C string, for is_str(). */
static const char *
key_str(const struct fb_key *k)
{
	static char buf[FB_KEY_MAX + 1];

	memcpy(buf, k->data, k->len);
	buf[k->len] = 0;
	return buf;
}

/** Parse text of explicit length; check the result and, on success and
 * if wkey is not NULL, the key and scope. */
static void
parse_len(const char *text, size_t len, int flags, enum fb_name_error want,
	const char *wkey, uint8_t wscope, const char *what)
{
	struct fb_key k;
	uint8_t scope = 0xff;
	enum fb_name_error r;
	char msg[512];

	memset(&k, 0, sizeof(k));
	r = fb_name_parse(text, len, flags, &k, &scope);
	snprintf(msg, sizeof(msg), "%s: result %s", what,
		fb_name_strerror(want));
	is_int(r, want, msg);
	if(want != FB_NAME_OK || r != FB_NAME_OK || !wkey)
		return;
	snprintf(msg, sizeof(msg), "%s: key", what);
	is_str(key_str(&k), wkey, msg);
	snprintf(msg, sizeof(msg), "%s: scope", what);
	is_int(scope, wscope, msg);
}

/** parse_len() for a NUL-terminated text. */
static void
parse(const char *text, int flags, enum fb_name_error want, const char *wkey,
	uint8_t wscope, const char *what)
{
	parse_len(text, strlen(text), flags, want, wkey, wscope, what);
}

/** n copies of c, NUL-terminated, in a static buffer of the given slot. */
static char *
rep(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = 0;
	return buf;
}

static void
test_basic(void)
{
	parse("WWW.Bad.Example", 0, FB_NAME_OK, "example.bad.www.",
		FB_SCOPE_TREE, "case folded, labels reversed");
	parse("example.com", 0, FB_NAME_OK, "com.example.", FB_SCOPE_TREE,
		"plain name");
	parse("example.com.", 0, FB_NAME_OK, "com.example.", FB_SCOPE_TREE,
		"one trailing dot accepted");
	parse("example.com..", 0, FB_NAME_EMPTY_LABEL, NULL, 0,
		"two trailing dots");
	parse("*.example.com", 0, FB_NAME_OK, "com.example.", FB_SCOPE_BELOW,
		"*. means below only");
	parse("*.Example.COM.", 0, FB_NAME_OK, "com.example.", FB_SCOPE_BELOW,
		"*. with case and trailing dot");
	parse("www.facebook.com", 0, FB_NAME_OK, "com.facebook.www.",
		FB_SCOPE_TREE, "www. prefix kept");
	parse("a.b.c.d.e.f", 0, FB_NAME_OK, "f.e.d.c.b.a.", FB_SCOPE_TREE,
		"many labels");
	parse("_dmarc.example.com", 0, FB_NAME_OK, "com.example._dmarc.",
		FB_SCOPE_TREE, "underscore label accepted");
	parse("a_b.example.com", 0, FB_NAME_OK, "com.example.a_b.",
		FB_SCOPE_TREE, "underscore inside label accepted");
	parse("-foo.example.com", 0, FB_NAME_OK, "com.example.-foo.",
		FB_SCOPE_TREE, "leading hyphen accepted");
	parse("foo-.example.com", 0, FB_NAME_OK, "com.example.foo-.",
		FB_SCOPE_TREE, "trailing hyphen accepted");
	parse("ab--cd.example.com", 0, FB_NAME_OK, "com.example.ab--cd.",
		FB_SCOPE_TREE, "-- in 3rd/4th place accepted (not via IDNA)");
	parse("xn--garbage.example", 0, FB_NAME_OK, "example.xn--garbage.",
		FB_SCOPE_TREE, "ASCII xn-- label taken as is");
	parse("1.2.3.com", 0, FB_NAME_OK, "com.3.2.1.", FB_SCOPE_TREE,
		"numeric labels below a TLD");
	parse("example.1a", 0, FB_NAME_OK, "1a.example.", FB_SCOPE_TREE,
		"last label with a digit and a letter");
}

static void
test_empty(void)
{
	parse("", 0, FB_NAME_EMPTY, NULL, 0, "empty");
	parse_len(NULL, 0, 0, FB_NAME_EMPTY, NULL, 0, "NULL text");
	parse(".", 0, FB_NAME_EMPTY, NULL, 0, "only a dot");
	parse("..", 0, FB_NAME_EMPTY, NULL, 0, "only dots");
	parse("*.", 0, FB_NAME_EMPTY, NULL, 0, "only *.");
	parse("*..", 0, FB_NAME_EMPTY, NULL, 0, "*. and dots");
	parse("a..com", 0, FB_NAME_EMPTY_LABEL, NULL, 0, "empty middle label");
	parse(".a.com", 0, FB_NAME_EMPTY_LABEL, NULL, 0, "leading dot");
	parse("*..a.com", 0, FB_NAME_EMPTY_LABEL, NULL, 0, "*. then a dot");
}

static void
test_wildcard(void)
{
	parse("*", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "* alone");
	parse("*example.com", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "*label");
	parse("a.*.com", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "* in the middle");
	parse("*.*.com", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "two wildcards");
	parse("**.com", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "**.");
	parse("www.example.*", 0, FB_NAME_BAD_WILDCARD, NULL, 0, "* as TLD");
	parse("*.com", 0, FB_NAME_SINGLE_LABEL, NULL, 0,
		"*.tld refused without flag");
	parse("*.com", FB_NAME_ALLOW_TLD, FB_NAME_OK, "com.", FB_SCOPE_BELOW,
		"*.tld accepted with flag");
}

static void
test_chars(void)
{
	parse("exa mple.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "space");
	parse("example.com ", 0, FB_NAME_BAD_CHAR, NULL, 0, "trailing space");
	parse("http://example.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "URL");
	parse("example.com/path", 0, FB_NAME_BAD_CHAR, NULL, 0, "path");
	parse("a:b.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "colon");
	parse("a@b.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "at sign");
	parse("a\tb.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "tab");
	parse("a\x7f.com", 0, FB_NAME_BAD_CHAR, NULL, 0, "DEL byte");
	parse("::1", 0, FB_NAME_BAD_CHAR, NULL, 0, "IPv6 literal");
	parse("[::1]", 0, FB_NAME_BAD_CHAR, NULL, 0, "bracketed IPv6");
	parse_len("exa\0mple.com", 12, 0, FB_NAME_BAD_CHAR, NULL, 0,
		"NUL inside");
	parse_len("example.com\0", 12, 0, FB_NAME_BAD_CHAR, NULL, 0,
		"NUL at the end");
	parse_len("\0", 1, 0, FB_NAME_BAD_CHAR, NULL, 0, "NUL alone");
	parse_len("b\xc3\xbc\0cher.de", 11, 0, FB_NAME_BAD_CHAR, NULL, 0,
		"NUL inside a non-ASCII name (would cut the libidn2 input)");
	parse_len("example.comXYZ", 11, 0, FB_NAME_OK, "com.example.",
		FB_SCOPE_TREE, "text need not be NUL-terminated");
}

static void
test_address(void)
{
	parse("1.2.3.4", 0, FB_NAME_ADDRESS, NULL, 0, "dotted quad");
	parse("192.168.1.1.", 0, FB_NAME_ADDRESS, NULL, 0,
		"dotted quad with dot");
	parse("*.10.0.0.1", 0, FB_NAME_ADDRESS, NULL, 0, "*. dotted quad");
	/* from the URLhaus RPZ sample: a pseudo-IP name */
	parse("0056.0151.0121.0114", 0, FB_NAME_ADDRESS, NULL, 0,
		"zero-padded quad");
	parse("example.123", 0, FB_NAME_ADDRESS, NULL, 0,
		"numeric TLD");
	parse("1234", FB_NAME_ALLOW_TLD, FB_NAME_ADDRESS, NULL, 0,
		"single number, even with flag");
	parse("com", 0, FB_NAME_SINGLE_LABEL, NULL, 0, "TLD refused");
	parse("com.", 0, FB_NAME_SINGLE_LABEL, NULL, 0, "TLD. refused");
	parse("localhost", 0, FB_NAME_SINGLE_LABEL, NULL, 0,
		"single label refused");
	parse("COM", FB_NAME_ALLOW_TLD, FB_NAME_OK, "com.", FB_SCOPE_TREE,
		"TLD accepted with flag");
	parse("com.", FB_NAME_ALLOW_TLD, FB_NAME_OK, "com.", FB_SCOPE_TREE,
		"TLD. accepted with flag");
}

static void
test_lengths(void)
{
	char a[64], b[64], c[64], d[70], name[400];

	rep(a, 'a', 63);
	rep(b, 'b', 63);
	rep(c, 'c', 63);
	rep(d, 'd', 61);
	/* 63 * 3 + 61 + 3 dots = 253 */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", a, b, c, d);
	is_int(strlen(name), 253, "253-char name built");
	parse(name, 0, FB_NAME_OK, NULL, 0, "253 chars accepted");
	strcat(name, ".");
	parse(name, 0, FB_NAME_OK, NULL, 0, "253 chars + dot accepted");
	rep(d, 'd', 62);
	snprintf(name, sizeof(name), "%s.%s.%s.%s", a, b, c, d);
	is_int(strlen(name), 254, "254-char name built");
	parse(name, 0, FB_NAME_TOO_LONG, NULL, 0, "254 chars refused");
	strcat(name, ".");
	parse(name, 0, FB_NAME_TOO_LONG, NULL, 0, "254 chars + dot refused");
	snprintf(name, sizeof(name), "*.%s.%s.%s.%s", a, b, c, "dd");
	parse(name, 0, FB_NAME_OK, NULL, 0, "*. not counted in the length");

	snprintf(name, sizeof(name), "%s.com", a);
	parse(name, 0, FB_NAME_OK, NULL, 0, "63-char label accepted");
	rep(d, 'd', 64);
	snprintf(name, sizeof(name), "%s.com", d);
	parse(name, 0, FB_NAME_LONG_LABEL, NULL, 0, "64-char label refused");
	snprintf(name, sizeof(name), "www.%s", d);
	parse(name, FB_NAME_ALLOW_TLD, FB_NAME_LONG_LABEL, NULL, 0,
		"64-char TLD refused");
	rep(d, 'd', 69);
	snprintf(name, sizeof(name), "x.%s.com", d);
	parse(name, 0, FB_NAME_LONG_LABEL, NULL, 0, "69-char label refused");
}

static void
test_253_key(void)
{
	char a[64], name[300], back[FB_KEY_MAX];
	struct fb_key k;
	uint8_t sc;
	int i;

	rep(a, 'A', 63);
	snprintf(name, sizeof(name), "%s.%s.%s.", a, a, a);
	rep(a, 'z', 61);
	strcat(name, a);
	is_int(fb_name_parse(name, strlen(name), 0, &k, &sc), FB_NAME_OK,
		"253-char name parses");
	is_int(k.len, 254, "its key has 254 bytes");
	fb_key_to_text(k.data, k.len, back, sizeof(back));
	for(i = 0; name[i]; i++)
		if(name[i] >= 'A' && name[i] <= 'Z')
			name[i] += 'a' - 'A';
	is_str(back, name, "key back to text, lowercased");
}

static void
test_long_input(void)
{
	size_t n = 100 * 1024, i;
	char *big = malloc(n);
	struct fb_key k;
	uint8_t sc;

	if(!ok(big != NULL, "malloc 100 KB"))
		return;
	memset(big, 'a', n);
	is_int(fb_name_parse(big, n, 0, &k, &sc), FB_NAME_TOO_LONG,
		"100 KB of letters");
	for(i = 0; i + 1 < n; i += 2) {
		big[i] = 'a';
		big[i + 1] = '.';
	}
	is_int(fb_name_parse(big, n, 0, &k, &sc), FB_NAME_TOO_LONG,
		"100 KB of one-letter labels");
	for(i = 0; i + 1 < n; i += 2) {
		big[i] = (char)0xc3;	/* U+00FC, u with diaeresis */
		big[i + 1] = (char)0xbc;
	}
	is_int(fb_name_parse(big, n, 0, &k, &sc), FB_NAME_TOO_LONG,
		"100 KB of UTF-8");
	/* soft hyphens, which IDNA mapping deletes, then a name: refused
	 * for its size before libidn2 sees it */
	for(i = 0; i < 5000; i += 2) {
		big[i] = (char)0xc2;
		big[i + 1] = (char)0xad;
	}
	memcpy(big + 5000, "ab.de", 5);
	is_int(fb_name_parse(big, 5005, 0, &k, &sc), FB_NAME_TOO_LONG,
		"5005 bytes that IDNA mapping would shrink");
	free(big);
}

static void
test_idn(void)
{
	char buf[300];
	size_t i;

	/* Expected A-labels below were computed with Python 3 and the
	 * `idna` package 3.13:
	 *   idna.encode(s, uts46=True, transitional=False)
	 * 'cốccốc.vn' -> b'xn--cccc-0x5ac.vn'
	 * 'straße.de' -> b'xn--strae-oqa.de'
	 * 'bücher.de' -> b'xn--bcher-kva.de'
	 * 'ü'         -> b'xn--tda'
	 * 'ｅｘａｍｐｌｅ。com' -> b'example.com' */
	parse("c\xe1\xbb\x91" "cc\xe1\xbb\x91" "c.vn", 0, FB_NAME_OK,
		"vn.xn--cccc-0x5ac.", FB_SCOPE_TREE, "cốccốc.vn (NFC)");
	parse("C\xe1\xbb\x90" "CC\xe1\xbb\x90" "C.VN", 0, FB_NAME_OK,
		"vn.xn--cccc-0x5ac.", FB_SCOPE_TREE,
		"CỐCCỐC.VN upper case");
	/* NFD: o, U+0302 combining circumflex, U+0301 combining acute */
	parse("co\xcc\x82\xcc\x81" "cco\xcc\x82\xcc\x81" "c.vn", 0,
		FB_NAME_OK, "vn.xn--cccc-0x5ac.", FB_SCOPE_TREE,
		"cốccốc.vn decomposed (NFD)");
	parse("*.c\xe1\xbb\x91" "cc\xe1\xbb\x91" "c.vn.", 0, FB_NAME_OK,
		"vn.xn--cccc-0x5ac.", FB_SCOPE_BELOW, "*.cốccốc.vn.");
	parse("stra\xc3\x9f" "e.de", 0, FB_NAME_OK, "de.xn--strae-oqa.",
		FB_SCOPE_TREE, "straße.de nontransitional (not strasse)");
	parse("_dmarc.b\xc3\xbc" "cher.de", 0, FB_NAME_OK,
		"de.xn--bcher-kva._dmarc.", FB_SCOPE_TREE,
		"underscore label beside an IDN label");
	parse("-x.b\xc3\xbc" "cher.de", 0, FB_NAME_OK,
		"de.xn--bcher-kva.-x.", FB_SCOPE_TREE,
		"leading hyphen label beside an IDN label");
	parse("\xef\xbd\x85\xef\xbd\x98\xef\xbd\x81\xef\xbd\x8d\xef\xbd\x90"
		"\xef\xbd\x8c\xef\xbd\x85\xe3\x80\x82" "com", 0, FB_NAME_OK,
		"com.example.", FB_SCOPE_TREE,
		"full-width letters and ideographic full stop");
	/* UTS#46 maps a soft hyphen to nothing, as browsers do */
	parse("pay\xc2\xadpal.com", 0, FB_NAME_OK, "com.paypal.",
		FB_SCOPE_TREE, "soft hyphen deleted like a browser does");
	parse("\xc2\xad.com", 0, FB_NAME_EMPTY_LABEL, NULL, 0,
		"label of only a soft hyphen is empty");
	parse("\xc3\xbc", 0, FB_NAME_SINGLE_LABEL, NULL, 0,
		"IDN single label refused");
	parse("\xc3\xbc", FB_NAME_ALLOW_TLD, FB_NAME_OK, "xn--tda.",
		FB_SCOPE_TREE, "IDN single label with flag");
	parse("\xc3\xbc.123", 0, FB_NAME_ADDRESS, NULL, 0,
		"IDN with numeric TLD");
	parse("a..\xc3\xbc.de", 0, FB_NAME_EMPTY_LABEL, NULL, 0,
		"IDN name with empty label");
	parse("*.\xc3\xbc.*.de", 0, FB_NAME_BAD_WILDCARD, NULL, 0,
		"IDN name with inner *");
	parse("a b.\xc3\xbc.de", 0, FB_NAME_BAD_CHAR, NULL, 0,
		"IDN name with space in an ASCII label");
	/* ideographic full stop at the end makes an empty last label */
	parse("a.\xc3\xbc\xe3\x80\x82", 0, FB_NAME_EMPTY_LABEL, NULL, 0,
		"IDN name ending in ideographic full stop");

	parse("\xff.vn", 0, FB_NAME_BAD_IDN, NULL, 0, "0xff byte");
	parse("\x80" "abc.vn", 0, FB_NAME_BAD_IDN, NULL, 0,
		"lone continuation byte");
	parse("abc\xc3.vn", 0, FB_NAME_BAD_IDN, NULL, 0,
		"truncated UTF-8 sequence");
	parse("\xc0\xaf.vn", 0, FB_NAME_BAD_IDN, NULL, 0, "overlong UTF-8");
	parse("\xed\xa0\x80.vn", 0, FB_NAME_BAD_IDN, NULL, 0,
		"UTF-8 surrogate");
	parse("\xe2\x80\x8d.de", 0, FB_NAME_BAD_IDN, NULL, 0,
		"lone zero width joiner (CONTEXTJ)");
	parse("-\xc3\xbc.de", 0, FB_NAME_BAD_IDN, NULL, 0,
		"IDN label with leading hyphen");
	/* libidn2 follows IDNA2008 here; Python's idna refuses it too */
	parse("\xe2\x98\x83.com", 0, FB_NAME_BAD_IDN, NULL, 0,
		"snowman symbol refused (IDNA2008 disallowed)");

	for(i = 0; i < 70; i++) {
		buf[2 * i] = (char)0xc3;
		buf[2 * i + 1] = (char)0xbc;
	}
	memcpy(buf + 140, ".de", 4);
	parse(buf, 0, FB_NAME_LONG_LABEL, NULL, 0,
		"IDN label whose A-label exceeds 63");
}

static void
test_unchanged_on_error(void)
{
	struct fb_key k;
	uint8_t sc = 0x77;

	memset(&k, 0x5a, sizeof(k));
	k.len = 3;
	fb_name_parse("a..b", 4, 0, &k, &sc);
	ok(k.len == 3 && k.data[0] == 0x5a && k.data[FB_KEY_MAX - 1] == 0x5a,
		"key unchanged on error");
	is_int(sc, 0x77, "scope unchanged on error");
	fb_name_parse("1.2.3.4", 7, 0, &k, &sc);
	ok(k.len == 3 && k.data[0] == 0x5a, "key unchanged on ADDRESS");
	is_int(fb_name_parse("a.com", 5, 0, &k, NULL), FB_NAME_OK,
		"scope pointer may be NULL");
}

static void
test_strerror(void)
{
	int e, distinct = 1, f;

	for(e = FB_NAME_OK; e <= FB_NAME_BAD_WILDCARD; e++) {
		const char *s = fb_name_strerror((enum fb_name_error)e);
		if(!s || !*s)
			distinct = 0;
		for(f = FB_NAME_OK; distinct && f < e; f++)
			if(strcmp(s, fb_name_strerror(
				(enum fb_name_error)f)) == 0)
				distinct = 0;
	}
	ok(distinct, "every error has its own non-empty text");
	ok(fb_name_strerror((enum fb_name_error)99) != NULL,
		"unknown error code has a text");
}

static void
test_key_to_text(void)
{
	char buf[FB_KEY_MAX];
	const uint8_t *k = (const uint8_t *)"example.bad.www.";

	is_str(fb_key_to_text(k, 16, buf, sizeof(buf)), "www.bad.example",
		"key to text");
	is_str(fb_key_to_text((const uint8_t *)"com.", 4, buf, sizeof(buf)),
		"com", "one-label key to text");
	is_str(fb_key_to_text(k, 0, buf, sizeof(buf)), "", "empty key");
	is_str(fb_key_to_text(k, 16, buf, 5), "www.", "truncated to 5");
	is_str(fb_key_to_text(k, 16, buf, 1), "", "buffer of 1");
	is_str(fb_key_to_text((const uint8_t *)"com.example", 11, buf,
		sizeof(buf)), "example.com", "key without final dot");
}

/** Build wire format from dotted text ("" for the root). */
static size_t
make_wire(const char *text, uint8_t *wire)
{
	size_t n = 0, l;
	const char *dot;

	while(*text) {
		dot = strchr(text, '.');
		l = dot ? (size_t)(dot - text) : strlen(text);
		wire[n++] = (uint8_t)l;
		memcpy(wire + n, text, l);
		n += l;
		text += l + (dot ? 1 : 0);
	}
	wire[n++] = 0;
	return n;
}

/** Key prefix of q with i + 1 labels, as a string. */
static const char *
prefix_str(const struct fb_qname *q, int i)
{
	static char buf[FB_KEY_MAX + 1];

	memcpy(buf, q->key, q->ends[i]);
	buf[q->ends[i]] = 0;
	return buf;
}

static void
test_wire(void)
{
	uint8_t w[300];
	struct fb_qname q;
	size_t n;

	n = make_wire("www.Bad.EXAMPLE", w);
	fb_qname_from_wire(w, n, &q);
	is_int(q.nprefix, 3, "three prefixes");
	is_int(q.full, 1, "full");
	is_int(q.ends[0], 8, "ends[0]");
	is_int(q.ends[1], 12, "ends[1]");
	is_int(q.ends[2], 16, "ends[2]");
	is_str(prefix_str(&q, 2), "example.bad.www.", "lowercased key");
	is_str(prefix_str(&q, 0), "example.", "TLD prefix");

	n = make_wire("_x-y.Com", w);
	fb_qname_from_wire(w, n, &q);
	ok(q.nprefix == 2 && q.full == 1, "underscore and hyphen on wire");
	is_str(prefix_str(&q, 1), "com._x-y.", "key with _ and -");

	n = make_wire("www.b!d.example", w);
	fb_qname_from_wire(w, n, &q);
	is_int(q.nprefix, 1, "bad byte in middle label: parent kept");
	is_int(q.full, 0, "bad byte in middle label: not full");
	is_str(prefix_str(&q, 0), "example.", "bad byte: parent key");

	n = make_wire("a b.bad.example", w);
	fb_qname_from_wire(w, n, &q);
	ok(q.nprefix == 2 && q.full == 0, "bad byte in first label");
	is_str(prefix_str(&q, 1), "example.bad.", "both parents kept");

	n = make_wire("x.y.c*m", w);
	fb_qname_from_wire(w, n, &q);
	ok(q.nprefix == 0 && q.full == 0, "bad byte in TLD: nothing");

	/* a '.' inside a wire label must not make a label boundary */
	memcpy(w, "\003a.b\007example\003com\000", 17);
	fb_qname_from_wire(w, 17, &q);
	ok(q.nprefix == 2 && q.full == 0, "dot inside a wire label stops");

	memcpy(w, "\003a\000b\007example\003com\000", 17);
	fb_qname_from_wire(w, 17, &q);
	ok(q.nprefix == 2 && q.full == 0, "NUL inside a wire label stops");

	memcpy(w, "\003a\303\274\002de\000", 8);
	fb_qname_from_wire(w, 8, &q);
	ok(q.nprefix == 1 && q.full == 0, "non-ASCII wire label stops");
}

static void
test_wire_malformed(void)
{
	uint8_t w[300];
	struct fb_qname q;
	int i;

	w[0] = 0;
	fb_qname_from_wire(w, 1, &q);
	is_int(q.nprefix, 0, "root: no prefix");
	fb_qname_from_wire(w, 0, &q);
	ok(q.nprefix == 0 && q.full == 0, "wlen 0");
	fb_qname_from_wire(NULL, 5, &q);
	ok(q.nprefix == 0 && q.full == 0, "NULL wire");
	memcpy(w, "\005abc", 4);
	fb_qname_from_wire(w, 4, &q);
	ok(q.nprefix == 0 && q.full == 0, "label length past wlen");
	memcpy(w, "\003com\000", 5);
	fb_qname_from_wire(w, 4, &q);
	ok(q.nprefix == 0 && q.full == 0, "wlen cuts the root label");
	memcpy(w, "\003www\007example\003com", 16);
	fb_qname_from_wire(w, 16, &q);
	ok(q.nprefix == 0, "no root label");
	memcpy(w, "\300\014", 2);
	fb_qname_from_wire(w, 2, &q);
	ok(q.nprefix == 0 && q.full == 0, "compression pointer 0xC0");
	memcpy(w, "\003www\300\014", 6);
	fb_qname_from_wire(w, 6, &q);
	ok(q.nprefix == 0 && q.full == 0, "pointer after a label");
	/* 0x41 would be a fitting 65-byte label if the type bits were
	 * ignored */
	w[0] = 0x41;
	memset(w + 1, 'a', 65);
	w[66] = 0;
	fb_qname_from_wire(w, 67, &q);
	ok(q.nprefix == 0 && q.full == 0, "extended label type 0x40");
	w[0] = 0x80;
	memset(w + 1, 'a', 128);
	w[129] = 0;
	fb_qname_from_wire(w, 130, &q);
	ok(q.nprefix == 0 && q.full == 0, "reserved label type 0x80");
	/* four 63-byte labels: 257 bytes, two over the wire maximum */
	for(i = 0; i < 4; i++) {
		w[64 * i] = 63;
		memset(w + 64 * i + 1, 'a', 63);
	}
	w[256] = 0;
	fb_qname_from_wire(w, 257, &q);
	ok(q.nprefix == 0 && q.full == 0, "257-byte wire name refused");
}

static void
test_wire_max(void)
{
	uint8_t w[300];
	char text[300], a[64], b[64];
	struct fb_qname q, q2;
	struct fb_key k;
	size_t n, i;
	uint8_t sc;

	snprintf(text, sizeof(text), "%s.%s.%s.%s", rep(a, 'A', 63),
		rep(b, 'b', 63), a, "c");
	strcat(text, rep(b, 'c', 60));
	n = make_wire(text, w);
	is_int(n, 255, "255-byte wire name built");
	fb_qname_from_wire(w, n, &q);
	ok(q.nprefix == 4 && q.full == 1, "max wire name: 4 prefixes, full");
	is_int(q.ends[3], 254, "max wire name: key of 254 bytes");
	fb_name_parse(text, strlen(text), 0, &k, &sc);
	ok(k.len == q.ends[3] && memcmp(k.data, q.key, k.len) == 0,
		"wire key equals parsed key");

	/* 127 one-letter labels: 127 * 2 + 1 = 255 bytes */
	for(i = 0; i < 127; i++) {
		text[2 * i] = 'q';
		text[2 * i + 1] = '.';
	}
	text[253] = 0;
	n = make_wire(text, w);
	is_int(n, 255, "127-label wire name built");
	fb_qname_from_wire(w, n, &q);
	ok(q.nprefix == 127 && q.full == 1, "127 prefixes");
	ok(q.ends[0] == 2 && q.ends[126] == 254, "ends of 127 labels");
	is_int(fb_name_parse(text, 253, 0, &k, &sc), FB_NAME_OK,
		"127 labels parse");
	fb_qname_from_key(&k, &q2);
	ok(q2.nprefix == 127 && q2.full == 1 &&
		memcmp(q2.ends, q.ends, sizeof(q.ends[0]) * 127) == 0 &&
		memcmp(q2.key, q.key, 254) == 0, "from_key equals from_wire");
}

static void
test_from_key(void)
{
	struct fb_key k;
	struct fb_qname q;
	uint8_t sc;

	fb_name_parse("WWW.bad.example", 15, 0, &k, &sc);
	fb_qname_from_key(&k, &q);
	ok(q.nprefix == 3 && q.full == 1, "from_key: 3 prefixes, full");
	ok(q.ends[0] == 8 && q.ends[1] == 12 && q.ends[2] == 16,
		"from_key: ends");
	is_str(prefix_str(&q, 2), "example.bad.www.", "from_key: key");
	k.len = 0;
	fb_qname_from_key(&k, &q);
	is_int(q.nprefix, 0, "from_key: empty key");
}

/** Every byte value in a label: allowed ones fold, others stop. */
static void
test_wire_bytes(void)
{
	uint8_t w[8] = { 1, 0, 3, 'c', 'o', 'm', 0 };
	struct fb_qname q;
	int b, bad = 0, allowed, want;

	for(b = 0; b < 256; b++) {
		w[1] = (uint8_t)b;
		fb_qname_from_wire(w, 7, &q);
		allowed = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
			(b >= 'A' && b <= 'Z') || b == '-' || b == '_';
		want = (b >= 'A' && b <= 'Z') ? b + 32 : b;
		if(allowed && (q.nprefix != 2 || !q.full || q.key[4] != want))
			bad++;
		if(!allowed && (q.nprefix != 1 || q.full))
			bad++;
	}
	is_int(bad, 0, "all 256 byte values in a wire label");
}

/** Random bytes: no crash (ASan), and results keep their invariants. */
static void
test_random(void)
{
	uint8_t buf[300];
	struct fb_qname q;
	struct fb_key k;
	unsigned seed = 12345;
	int i, j, bad = 0;
	size_t n, m;
	uint8_t sc;

	for(i = 0; i < 20000; i++) {
		n = (size_t)(rand_r(&seed) % 300);
		for(m = 0; m < n; m++) {
			/* mostly small values: more plausible label lengths */
			buf[m] = (uint8_t)(rand_r(&seed) % (i & 1 ? 256 : 64));
		}
		fb_qname_from_wire(buf, n, &q);
		for(j = 0; j < q.nprefix; j++)
			if(q.ends[j] > FB_KEY_MAX - 2 ||
				(j > 0 && q.ends[j] <= q.ends[j - 1]) ||
				q.key[q.ends[j] - 1] != '.')
				bad++;
		k.len = 0;
		if(fb_name_parse((char *)buf, n, 0, &k, &sc) == FB_NAME_OK &&
			(k.len < 2 || k.len > 254 || k.data[k.len - 1] != '.'))
			bad++;
	}
	is_int(bad, 0, "20000 random inputs keep invariants");
}

int
main(void)
{
	test_basic();
	test_empty();
	test_wildcard();
	test_chars();
	test_address();
	test_lengths();
	test_253_key();
	test_long_input();
	test_idn();
	test_unchanged_on_error();
	test_strerror();
	test_key_to_text();
	test_wire();
	test_wire_malformed();
	test_wire_max();
	test_from_key();
	test_wire_bytes();
	test_random();
	return done_testing();
}
