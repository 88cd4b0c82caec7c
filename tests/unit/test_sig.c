/**
 * \file
 * Unit tests of feeds/fb_sig.c: minisign keys and signatures, sha256sum
 * checksums.
 *
 * The known answers are in tests/data/sig/, made once with Debian's
 * minisign 0.11 (`minisign -G -W`, `minisign -S` prehashed and `-S -l`
 * legacy) and sha256sum: key.pub signed feed.txt into feed.txt.minisig
 * (trusted comment "timestamp:1700000000<TAB>file:feed.txt<TAB>version
 * 7") and feed-legacy.minisig ("legacy signature"); other.pub is a
 * second key.  Every malformed or tampered case is made from those in
 * memory.  Needs $FB_SRCDIR.
 */
#define _GNU_SOURCE	/* memrchr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "fb_sig.h"

/** Where the fixtures are. */
static char datadir[1024];

/** A file of the fixtures, NUL-terminated; exits when missing. */
static char *
fixture(const char *name, size_t *len)
{
	char path[1200];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", datadir, name);
	if(!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 ||
		(n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
		!(buf = malloc((size_t)n + 1)) ||
		fread(buf, 1, (size_t)n, f) != (size_t)n) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/** The fixtures every test uses. */
static struct fb_sig_pubkey key, other;
static char *feed, *sigtext, *legacy;
static size_t feedlen, siglen, legacylen;

/** fb_sig_check of text over data with key; err out. */
static int
check(const struct fb_sig_pubkey *pk, const char *text, size_t len,
	const char *data, size_t dlen, char *err, size_t errlen)
{
	char comment[256];

	err[0] = 0;
	return fb_sig_check(pk, text, len, data, dlen, comment,
		sizeof(comment), err, errlen);
}

/** @return 1 if err starts with want (and say what it was if not). */
static int
starts(const char *err, const char *want)
{
	if(strncmp(err, want, strlen(want)) == 0)
		return 1;
	printf("# got '%s', want it to start '%s'\n", err, want);
	return 0;
}

/** Replace line n (1-based) of the good signature file by repl. */
static char *
with_line(const char *text, int n, const char *repl)
{
	const char *s = text, *e;
	char *out;
	int i;

	for(i = 1; i < n; i++)
		s = strchr(s, '\n') + 1;
	e = strchr(s, '\n');
	out = malloc(strlen(text) + strlen(repl) + 1);
	memcpy(out, text, (size_t)(s - text));
	strcpy(out + (s - text), repl);
	strcat(out, e);
	return out;
}

/** The text of line n of the good signature file (static buffer). */
static const char *
line_of(const char *text, int n)
{
	static char buf[FB_SIG_FILE_MAX];
	const char *s = text;
	size_t len;
	int i;

	for(i = 1; i < n; i++)
		s = strchr(s, '\n') + 1;
	len = (size_t)(strchr(s, '\n') - s);
	memcpy(buf, s, len);
	buf[len] = 0;
	return buf;
}

/** Keys: the fixtures, and every way a key line can be wrong. */
static void
test_keys(void)
{
	char err[256], id[17], line[128], *text;
	struct fb_sig_pubkey pk;
	unsigned char blob[42];
	size_t len;

	text = fixture("key.pub", &len);
	ok(fb_sig_pubkey_file_parse(text, len, &key, err, sizeof(err)),
		"key.pub parses");
	fb_sig_keyid_text(key.keyid, id);
	is_str(id, "A588A53F6415104D", "key ID as minisign prints it");
	free(text);
	text = fixture("other.pub", &len);
	ok(fb_sig_pubkey_file_parse(text, len, &other, err, sizeof(err)),
		"other.pub parses");
	fb_sig_keyid_text(other.keyid, id);
	is_str(id, "8DD50487243DDE4", "short key ID without leading zero, "
		"as minisign");
	/* the key line alone, as signature-key: holds it */
	ok(fb_sig_pubkey_parse(strchr(text, '\n') + 1, 56, &pk, err,
		sizeof(err)) && memcmp(&pk, &other, sizeof(pk)) == 0,
		"the base64 line alone gives the same key");
	ok(fb_sig_pubkey_file_parse(strchr(text, '\n') + 1,
		len - (size_t)(strchr(text, '\n') + 1 - text), &pk, err,
		sizeof(err)), "a key file without comment line parses");
	free(text);

	ok(!fb_sig_pubkey_parse("RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5x"
		"ww4mJ6pz70X", 55, &pk, err, sizeof(err)) &&
		starts(err, "public key: 56 base64 characters expected, got 55"),
		"55-character key refused");
	ok(!fb_sig_pubkey_parse("RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5x"
		"ww4mJ6pz70X5=", 57, &pk, err, sizeof(err)),
		"57-character key refused");
	ok(!fb_sig_pubkey_parse("RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5x"
		"ww4mJ6pz70X!", 56, &pk, err, sizeof(err)) &&
		starts(err, "public key: not base64"), "non-base64 key refused");
	memset(blob, 7, sizeof(blob));
	memcpy(blob, "XX", 2);
	fb_b64_encode(blob, sizeof(blob), line, sizeof(line));
	ok(!fb_sig_pubkey_parse(line, strlen(line), &pk, err, sizeof(err)) &&
		starts(err, "public key: not a minisign Ed25519 key "
		"(algorithm bytes 58 58"), "key of another algorithm refused");
	ok(!fb_sig_pubkey_file_parse("untrusted comment: x\nRWRNEBVkP6WIpSJ0V"
		"JlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X5\nmore\n", 83, &pk, err,
		sizeof(err)) && starts(err, "public key file line 3: text "
		"after the key"), "text after the key refused with its line");
	ok(!fb_sig_pubkey_file_parse("untrusted comment: x\n", 21, &pk, err,
		sizeof(err)) && starts(err, "public key file line 2: missing"),
		"key file with the comment alone refused");
}

/** The minisign-made signatures verify, and say what they signed. */
static void
test_good(void)
{
	char err[256], comment[256];
	struct fb_sig sig;

	ok(fb_sig_check(&key, sigtext, siglen, feed, feedlen, comment,
		sizeof(comment), err, sizeof(err)),
		"minisign prehashed signature verifies");
	is_str(comment, "timestamp:1700000000\\x09file:feed.txt\\x09"
		"version 7", "trusted comment, tabs escaped");
	ok(fb_sig_parse(sigtext, siglen, &sig, err, sizeof(err)) &&
		sig.prehashed == 1 && sig.trusted_len == 44,
		"parsed as prehashed, comment length 44");
	ok(fb_sig_check(&key, legacy, legacylen, feed, feedlen, comment,
		sizeof(comment), err, sizeof(err)),
		"minisign legacy signature verifies");
	is_str(comment, "legacy signature", "legacy trusted comment");
	ok(fb_sig_parse(legacy, legacylen, &sig, err, sizeof(err)) &&
		sig.prehashed == 0, "parsed as legacy");
	/* CRLF line ends (a file passed through a Windows editor) */
	{
		char crlf[1024];
		size_t i, n = 0;
		for(i = 0; i < siglen; i++) {
			if(sigtext[i] == '\n')
				crlf[n++] = '\r';
			crlf[n++] = sigtext[i];
		}
		ok(check(&key, crlf, n, feed, feedlen, err, sizeof(err)),
			"CRLF signature file verifies");
	}
	/* no final newline, and trailing empty lines */
	ok(check(&key, sigtext, siglen - 1, feed, feedlen, err, sizeof(err)),
		"signature file without final newline verifies");
	{
		char *more = malloc(siglen + 3);
		memcpy(more, sigtext, siglen);
		memcpy(more + siglen, "\n\n", 2);
		ok(check(&key, more, siglen + 2, feed, feedlen, err,
			sizeof(err)), "trailing empty lines are fine");
		free(more);
	}
}

/** Changed content, comment, key or algorithm: refused, saying which. */
static void
test_tampered(void)
{
	char err[256], *bad, *t, b64[128];
	unsigned char blob[74];
	struct fb_sig_pubkey mixed;

	bad = malloc(feedlen + 1);
	memcpy(bad, feed, feedlen);
	bad[feedlen / 2] ^= 1;
	ok(!check(&key, sigtext, siglen, bad, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature: the content is not what key ID "
		"A588A53F6415104D signed"), "one bit of content changed");
	ok(!check(&key, sigtext, siglen, feed, feedlen - 1, err,
		sizeof(err)) && starts(err, "bad signature: the content"),
		"content truncated by one byte");
	ok(!check(&key, sigtext, siglen, feed, 0, err, sizeof(err)) &&
		starts(err, "bad signature: the content"), "empty content");
	ok(!check(&key, legacy, legacylen, bad, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature: the content"),
		"legacy: content changed");
	free(bad);

	t = with_line(sigtext, 3, "trusted comment: timestamp:1700000000\t"
		"file:feed.txt\tversion 8");
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature of the trusted comment"),
		"trusted comment changed");
	free(t);
	t = with_line(sigtext, 1, "untrusted comment: anything at all");
	ok(check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)),
		"untrusted comment may change");
	free(t);

	ok(!check(&other, sigtext, siglen, feed, feedlen, err, sizeof(err)) &&
		starts(err, "signature made by key ID A588A53F6415104D, "
		"expected 8DD50487243DDE4"), "another key: key IDs named");
	/* other's key id with key's public key: the id check must not be
	 * all there is */
	mixed = other;
	memcpy(mixed.keyid, key.keyid, sizeof(mixed.keyid));
	ok(!check(&mixed, sigtext, siglen, feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature: the content"),
		"right key ID, wrong public key");

	/* a prehashed signature relabelled legacy, and back */
	ok(fb_b64_decode(line_of(sigtext, 2), 100, blob, sizeof(blob)),
		"line 2 decodes to 74 bytes");
	memcpy(blob, "Ed", 2);
	fb_b64_encode(blob, sizeof(blob), b64, sizeof(b64));
	t = with_line(sigtext, 2, b64);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature: the content"),
		"prehashed signature claimed legacy");
	free(t);
	ok(fb_b64_decode(line_of(legacy, 2), 100, blob, sizeof(blob)),
		"legacy line 2 decodes");
	memcpy(blob, "ED", 2);
	fb_b64_encode(blob, sizeof(blob), b64, sizeof(b64));
	t = with_line(legacy, 2, b64);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature: the content"),
		"legacy signature claimed prehashed");
	free(t);
	memcpy(blob, "Xy", 2);
	fb_b64_encode(blob, sizeof(blob), b64, sizeof(b64));
	t = with_line(legacy, 2, b64);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 2: unknown "
		"signature algorithm (bytes 58 79"), "unknown algorithm");
	free(t);
	/* the global signature of another signature file */
	t = with_line(sigtext, 4, line_of(legacy, 4));
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature of the trusted comment"),
		"global signature swapped");
	free(t);
}

/** Malformed signature files: each line's faults, sizes, NUL bytes. */
static void
test_malformed(void)
{
	char err[256], *t, *big;
	char l2[128], l4[128];
	size_t n;

	snprintf(l2, sizeof(l2), "%s", line_of(sigtext, 2));
	snprintf(l4, sizeof(l4), "%s", line_of(sigtext, 4));
	ok(!check(&key, "", 0, feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 1: missing"),
		"empty file");
	n = (size_t)(strchr(strchr(sigtext, '\n') + 1, '\n') + 1 - sigtext);
	ok(!check(&key, sigtext, n, feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 3: missing"),
		"two lines only");
	n = (size_t)(strrchr(sigtext, '\n') - sigtext);
	n = (size_t)((const char *)memrchr(sigtext, '\n', n) - sigtext) + 1;
	ok(!check(&key, sigtext, n, feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 4: missing"),
		"three lines only");
	t = with_line(sigtext, 1, "untrusted: x");
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 1: does not start "
		"with 'untrusted comment: '"), "line 1 without its prefix");
	free(t);
	l2[99] = 0;
	t = with_line(sigtext, 2, l2);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 2: 100 base64 "
		"characters expected, got 99"), "line 2 one character short");
	free(t);
	snprintf(l2, sizeof(l2), "%sA", line_of(sigtext, 2));
	t = with_line(sigtext, 2, l2);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 2: 100 base64 "
		"characters expected, got 101"), "line 2 one character long");
	free(t);
	snprintf(l2, sizeof(l2), "%s", line_of(sigtext, 2));
	l2[10] = '*';
	t = with_line(sigtext, 2, l2);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 2: not base64"),
		"line 2 with a non-base64 character");
	free(t);
	t = with_line(sigtext, 3, "trusted: x");
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 3: does not start "
		"with 'trusted comment: '"), "line 3 without its prefix");
	free(t);
	l4[87] = 0;
	t = with_line(sigtext, 4, l4);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 4: 88 base64 "
		"characters expected, got 87"), "line 4 one character short");
	free(t);
	/* "...Q==": the unused low bits of the last digit must be zero */
	snprintf(l4, sizeof(l4), "%s", line_of(sigtext, 4));
	l4[85] = l4[85] == 'Q' ? 'R' : (char)(l4[85] + 1);
	t = with_line(sigtext, 4, l4);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 4: not base64"),
		"line 4 with non-zero unused bits (not canonical base64)");
	free(t);
	n = siglen + 20;
	t = malloc(n + 1);
	memcpy(t, sigtext, siglen);
	memcpy(t + siglen, "\nuntrusted comment:\n", 20);
	ok(!check(&key, t, n, feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 6: text after the "
		"signature"), "text after the signature");
	memcpy(t, sigtext, siglen);
	t[30] = 0;
	ok(!check(&key, t, siglen, feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 1: NUL byte"),
		"NUL byte in line 1");
	free(t);

	/* huge lines: just over each bound, and the file bound */
	big = malloc(FB_SIG_FILE_MAX + 200);
	memset(big, 'x', FB_SIG_FILE_MAX + 199);
	memcpy(big, "untrusted comment: ", 19);
	big[FB_SIG_COMMENT_MAX + 1] = 0;
	t = with_line(sigtext, 1, big);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 1: over 1024 "
		"bytes"), "untrusted comment line of 1025 bytes");
	free(t);
	memset(big, 'x', FB_SIG_FILE_MAX + 199);
	memcpy(big, "trusted comment: ", 17);
	big[17 + FB_SIG_TRUSTED_MAX + 1] = 0;
	t = with_line(sigtext, 3, big);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "malformed signature file line 3: trusted comment "
		"over 8192 bytes"), "trusted comment of 8193 bytes");
	free(t);
	big[17 + FB_SIG_TRUSTED_MAX] = 0;
	t = with_line(sigtext, 3, big);
	ok(!check(&key, t, strlen(t), feed, feedlen, err, sizeof(err)) &&
		starts(err, "bad signature of the trusted comment"),
		"trusted comment of exactly 8192 bytes is read (and checked)");
	free(t);
	memset(big, 'x', FB_SIG_FILE_MAX + 199);
	big[FB_SIG_FILE_MAX + 199] = 0;
	ok(!check(&key, big, FB_SIG_FILE_MAX + 1, feed, feedlen, err,
		sizeof(err)) && starts(err, "signature file over 16384 bytes"),
		"signature file of 16385 bytes");
	free(big);
}

/** The trusted comment shown: escaped and cut, never overflowing. */
static void
test_comment_show(void)
{
	struct fb_sig sig;
	char out[16], wide[32];

	memset(&sig, 0, sizeof(sig));
	memcpy(sig.trusted, "a\x1b[31m\\b", 8);
	sig.trusted_len = 8;
	fb_sig_comment_show(&sig, wide, sizeof(wide));
	is_str(wide, "a\\x1b[31m\\x5cb", "ESC and backslash escaped");
	memcpy(sig.trusted, "0123456789abcdefghij", 20);
	sig.trusted_len = 20;
	fb_sig_comment_show(&sig, out, sizeof(out));
	is_str(out, "0123456789ab...", "cut to fit with ...");
	sig.trusted_len = 0;
	fb_sig_comment_show(&sig, out, sizeof(out));
	is_str(out, "", "empty comment");
}

/** base64: exact lengths and canonical form both ways. */
static void
test_b64(void)
{
	unsigned char in[5] = { 0, 0xff, 0x10, 0x80, 0x7f }, out[5];
	char text[16];

	ok(fb_b64_encode(in, 5, text, sizeof(text)), "encode 5 bytes");
	is_str(text, "AP8QgH8=", "5 bytes, one '='");
	ok(fb_b64_decode(text, 8, out, 5) && memcmp(in, out, 5) == 0,
		"decodes back");
	ok(!fb_b64_decode(text, 8, out, 4), "not 4 bytes");
	ok(!fb_b64_decode("AP8QgH9=", 8, out, 5), "unused bits set");
	ok(!fb_b64_decode("AP8QgH8A", 8, out, 5), "padding missing");
	ok(!fb_b64_encode(in, 5, text, 8), "encode: no room for the NUL");
}

/** sha256sum files. */
static void
test_checksum(void)
{
	const char *hex = "dc0ece1fdec074d90fbb00642e2f91c54422fb1f50ac4aadcd"
		"134f6975ea41e7";
	char err[256], text[512], *sum;
	size_t len;

	sum = fixture("feed.txt.sha256", &len);
	ok(fb_sum_check(sum, len, "/srv/feeds/feed.txt", feed, feedlen, err,
		sizeof(err)), "sha256sum output of feed.txt matches");
	ok(!fb_sum_check(sum, len, "feed.txt", feed, feedlen - 1, err,
		sizeof(err)) && starts(err, "checksum mismatch: the content's "
		"SHA-256 is "), "changed content: mismatch");
	free(sum);
	ok(fb_sum_check(hex, 64, NULL, feed, feedlen, err, sizeof(err)),
		"bare digest");
	snprintf(text, sizeof(text), "%s\n", hex);
	text[0] = 'D';
	text[1] = 'C';
	ok(fb_sum_check(text, strlen(text), NULL, feed, feedlen, err,
		sizeof(err)), "upper-case digest");
	snprintf(text, sizeof(text), "%s *feed.txt\r\n", hex);
	ok(fb_sum_check(text, strlen(text), "feed.txt", feed, feedlen, err,
		sizeof(err)), "binary-mode line, CRLF");
	snprintf(text, sizeof(text), "%064d  a.txt\n%s  dir/feed.txt\n%064d  "
		"b.txt\n", 0, hex, 0);
	ok(fb_sum_check(text, strlen(text), "file:///x/feed.txt", feed,
		feedlen, err, sizeof(err)), "the line naming the feed of three");
	ok(!fb_sum_check(text, strlen(text), "other.txt", feed, feedlen, err,
		sizeof(err)) && starts(err, "checksum file has 3 digests and "
		"none for 'other.txt'"), "no line for the feed");
	snprintf(text, sizeof(text), "%064d  a.txt\n\n%s  a.txt\n", 0, hex);
	ok(!fb_sum_check(text, strlen(text), "a.txt", feed, feedlen, err,
		sizeof(err)) && starts(err, "checksum file lines 1 and 3 both "
		"name a.txt"), "two lines for the feed");
	snprintf(text, sizeof(text), "%.63s  feed.txt\n", hex);
	ok(!fb_sum_check(text, strlen(text), "feed.txt", feed, feedlen, err,
		sizeof(err)) && starts(err, "checksum file line 1: not a "
		"SHA-256 digest"), "63 hex digits");
	snprintf(text, sizeof(text), "%s feed.txt\n", hex);
	ok(!fb_sum_check(text, strlen(text), "feed.txt", feed, feedlen, err,
		sizeof(err)) && starts(err, "checksum file line 1: expected"),
		"one space only");
	ok(!fb_sum_check("\n\n", 2, "feed.txt", feed, feedlen, err,
		sizeof(err)) && starts(err, "checksum file holds no digest"),
		"empty checksum file");
}

/** Secret keys: the layout fraudblock-sign writes and minisign -W. */
static void
test_seckey(void)
{
	unsigned char blob[FB_SIG_SEC_BLOB_LEN];
	char text[400], err[256];
	struct fb_sig_seckey sk;

	memset(blob, 0, sizeof(blob));
	memcpy(blob, "Ed\0\0B2", 6);
	memset(blob + FB_SIG_SEC_KEYID_OFF, 0x11, 8);
	memset(blob + FB_SIG_SEC_KEYID_OFF + 8, 0x22, 32);
	memset(blob + FB_SIG_SEC_KEYID_OFF + 40, 0x33, 32);
	strcpy(text, "untrusted comment: k\n");
	fb_b64_encode(blob, sizeof(blob), text + 21, sizeof(text) - 21);
	ok(fb_sig_seckey_parse(text, strlen(text), &sk, err, sizeof(err)) &&
		sk.keyid[0] == 0x11 && sk.seed[31] == 0x22 && sk.pk[0] == 0x33,
		"unencrypted secret key: id, seed and public key");
	memcpy(blob + 2, "Sc", 2);
	fb_b64_encode(blob, sizeof(blob), text + 21, sizeof(text) - 21);
	ok(!fb_sig_seckey_parse(text, strlen(text), &sk, err, sizeof(err)) &&
		starts(err, "secret key file: encrypted with a password"),
		"password-encrypted key refused");
	ok(!fb_sig_seckey_parse(text, 100, &sk, err, sizeof(err)) &&
		starts(err, "secret key file line 2: not base64"),
		"cut secret key refused");
}

int
main(void)
{
	const char *src = getenv("FB_SRCDIR");

	if(!src || !*src) {
		printf("1..0 # SKIP FB_SRCDIR not set\n");
		return 0;
	}
	snprintf(datadir, sizeof(datadir), "%s/tests/data/sig", src);
	feed = fixture("feed.txt", &feedlen);
	sigtext = fixture("feed.txt.minisig", &siglen);
	legacy = fixture("feed-legacy.minisig", &legacylen);
	test_keys();
	test_good();
	test_tampered();
	test_malformed();
	test_comment_show();
	test_b64();
	test_checksum();
	test_seckey();
	free(feed);
	free(sigtext);
	free(legacy);
	return done_testing();
}
