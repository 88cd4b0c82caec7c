/**
 * \file
 * minisign signatures and sha256sum checksums of feeds; the contract and
 * the formats are in fb_sig.h.
 *
 * Parsing never trusts a length it has not checked: each line is cut out
 * of the bounded input, its length compared with the exact length its
 * field has, and only then decoded.  The cryptography is libcrypto's:
 * BLAKE2b-512 for the prehash, Ed25519 for the signatures, SHA-256 for
 * checksums.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include "fb_sig.h"

/** Algorithm bytes of a prehashed signature (BLAKE2b-512, then Ed25519). */
#define SIG_ALG_HASHED "ED"
/** Algorithm bytes of a legacy signature and of every key. */
#define SIG_ALG_LEGACY "Ed"
/** Prefix of the first line of a minisign file. */
#define UNTRUSTED_PREFIX "untrusted comment: "
/** Prefix of the third line of a signature file. */
#define TRUSTED_PREFIX "trusted comment: "
/** Bytes of the second line of a signature file, decoded. */
#define SIG_BLOB_LEN (2 + FB_SIG_KEYID_LEN + FB_SIG_SIG_LEN)
/** Bytes of a public key, decoded. */
#define PUB_BLOB_LEN (2 + FB_SIG_KEYID_LEN + FB_SIG_PK_LEN)
/** Bytes of a SHA-256 digest. */
#define SHA256_LEN 32

/** Characters of base64 for n bytes, with padding. */
#define B64_LEN(n) (4 * (((n) + 2) / 3))

/** printf into err, if there is room.  @return 0, for `return say()`. */
static int say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if(!err || errlen == 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 0;
}

/** @return the value of a base64 digit, or -1. */
static int
b64_val(unsigned char c)
{
	if(c >= 'A' && c <= 'Z')
		return c - 'A';
	if(c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if(c >= '0' && c <= '9')
		return c - '0' + 52;
	if(c == '+')
		return 62;
	if(c == '/')
		return 63;
	return -1;
}

int
fb_b64_decode(const char *s, size_t len, unsigned char *out, size_t want)
{
	size_t i, n = 0, pad = want % 3 ? 3 - want % 3 : 0;
	uint32_t acc = 0;
	int bits = 0, v;

	if(len != B64_LEN(want))
		return 0;
	for(i = 0; i < len - pad; i++) {
		if((v = b64_val((unsigned char)s[i])) < 0)
			return 0;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if(bits >= 8) {
			bits -= 8;
			if(n >= want)
				return 0;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	for(; i < len; i++)
		if(s[i] != '=')
			return 0;
	/* the unused low bits of the last digit must be zero, so one
	 * content has one text */
	return n == want && (acc & ((1u << bits) - 1)) == 0;
}

int
fb_b64_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	if(outlen < B64_LEN(len) + 1)
		return 0;
	for(i = 0; i < len; i += 3) {
		v = (uint32_t)in[i] << 16;
		if(i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if(i + 2 < len)
			v |= in[i + 2];
		out[o++] = digits[(v >> 18) & 63];
		out[o++] = digits[(v >> 12) & 63];
		out[o++] = i + 1 < len ? digits[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? digits[v & 63] : '=';
	}
	out[o] = 0;
	return 1;
}

void
fb_sig_keyid_text(const unsigned char id[FB_SIG_KEYID_LEN],
	char out[2 * FB_SIG_KEYID_LEN + 1])
{
	uint64_t v = 0;
	int i;

	/* as minisign prints it: the id read as a little-endian number,
	 * in hex without leading zeros */
	for(i = FB_SIG_KEYID_LEN - 1; i >= 0; i--)
		v = v << 8 | id[i];
	snprintf(out, 2 * FB_SIG_KEYID_LEN + 1, "%" PRIX64, v);
}

/** A line of a bounded text. */
struct line {
	const char *s;	/**< its first byte */
	size_t len;	/**< without "\n" or "\r\n" */
	int nul;	/**< 1 if it holds a NUL byte */
};

/**
 * Cut the next line out of text.
 * @return 1 with a line, 0 at the end.
 */
static int
next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *nl;
	size_t n;

	if(*pos >= len)
		return 0;
	l->s = text + *pos;
	nl = memchr(l->s, '\n', len - *pos);
	n = nl ? (size_t)(nl - l->s) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if(n > 0 && l->s[n - 1] == '\r')
		n--;
	l->len = n;
	l->nul = memchr(l->s, 0, n) != NULL;
	return 1;
}

/** @return 1 if the rest of text holds empty lines only. */
static int
only_blank(const char *text, size_t len, size_t pos, int *lineno)
{
	struct line l;

	while(next_line(text, len, &pos, &l)) {
		(*lineno)++;
		if(l.len != 0)
			return 0;
	}
	return 1;
}

/** @return 1 if the line starts with prefix. */
static int
has_prefix(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->s, prefix, n) == 0;
}

/** Decode the base64 line of a public key into pk. */
int
fb_sig_pubkey_parse(const char *s, size_t len, struct fb_sig_pubkey *pk,
	char *err, size_t errlen)
{
	unsigned char blob[PUB_BLOB_LEN];

	if(len != FB_SIG_PUB_B64_LEN)
		return say(err, errlen, "public key: %d base64 characters "
			"expected, got %zu", FB_SIG_PUB_B64_LEN, len);
	if(!fb_b64_decode(s, len, blob, sizeof(blob)))
		return say(err, errlen, "public key: not base64");
	if(memcmp(blob, SIG_ALG_LEGACY, 2) != 0)
		return say(err, errlen, "public key: not a minisign Ed25519 "
			"key (algorithm bytes %02x %02x, expected \"Ed\")",
			blob[0], blob[1]);
	memcpy(pk->keyid, blob + 2, FB_SIG_KEYID_LEN);
	memcpy(pk->pk, blob + 2 + FB_SIG_KEYID_LEN, FB_SIG_PK_LEN);
	return 1;
}

int
fb_sig_pubkey_file_parse(const char *text, size_t len,
	struct fb_sig_pubkey *pk, char *err, size_t errlen)
{
	char why[128];
	struct line l;
	size_t pos = 0;
	int lineno = 1;

	if(len > FB_SIG_PUBFILE_MAX)
		return say(err, errlen, "public key file over %d bytes",
			FB_SIG_PUBFILE_MAX);
	if(!next_line(text, len, &pos, &l))
		return say(err, errlen, "public key file is empty");
	if(has_prefix(&l, UNTRUSTED_PREFIX)) {
		if(l.len > FB_SIG_COMMENT_MAX)
			return say(err, errlen, "public key file line 1: "
				"comment over %d bytes", FB_SIG_COMMENT_MAX);
		lineno++;
		if(!next_line(text, len, &pos, &l))
			return say(err, errlen, "public key file line 2: "
				"missing the key");
	}
	if(l.nul || !fb_sig_pubkey_parse(l.s, l.len, pk, why, sizeof(why)))
		return say(err, errlen, "public key file line %d: %s", lineno,
			l.nul ? "NUL byte" : why);
	if(!only_blank(text, len, pos, &lineno))
		return say(err, errlen, "public key file line %d: text after "
			"the key", lineno);
	return 1;
}

int
fb_sig_seckey_parse(const char *text, size_t len, struct fb_sig_seckey *sk,
	char *err, size_t errlen)
{
	unsigned char blob[FB_SIG_SEC_BLOB_LEN];
	const unsigned char *k = blob + FB_SIG_SEC_KEYID_OFF;
	struct line l;
	size_t pos = 0;
	int lineno = 2, ok = 0;

	if(len > FB_SIG_PUBFILE_MAX)
		return say(err, errlen, "secret key file over %d bytes",
			FB_SIG_PUBFILE_MAX);
	if(!next_line(text, len, &pos, &l) ||
		!has_prefix(&l, UNTRUSTED_PREFIX))
		return say(err, errlen, "secret key file line 1: does not "
			"start with '%s'", UNTRUSTED_PREFIX);
	if(!next_line(text, len, &pos, &l))
		return say(err, errlen, "secret key file line 2: missing");
	/* from here on blob may hold secret bytes: wiped on every way out */
	if(l.len != B64_LEN(FB_SIG_SEC_BLOB_LEN) ||
		!fb_b64_decode(l.s, l.len, blob, sizeof(blob)))
		say(err, errlen, "secret key file line 2: not base64 of a "
			"%d-byte minisign secret key", FB_SIG_SEC_BLOB_LEN);
	else if(!only_blank(text, len, pos, &lineno))
		say(err, errlen, "secret key file line %d: text after the "
			"key", lineno);
	else if(memcmp(blob, SIG_ALG_LEGACY, 2) != 0 ||
		memcmp(blob + 4, "B2", 2) != 0)
		say(err, errlen, "secret key file: not a minisign Ed25519 "
			"secret key");
	else if(blob[2] != 0 || blob[3] != 0)
		say(err, errlen, "secret key file: encrypted with a "
			"password; only unencrypted keys are read (make one "
			"with fraudblock-sign -G or minisign -G -W)");
	else {
		memcpy(sk->keyid, k, FB_SIG_KEYID_LEN);
		memcpy(sk->seed, k + FB_SIG_KEYID_LEN, sizeof(sk->seed));
		memcpy(sk->pk, k + FB_SIG_KEYID_LEN + sizeof(sk->seed),
			FB_SIG_PK_LEN);
		ok = 1;
	}
	OPENSSL_cleanse(blob, sizeof(blob));
	return ok;
}

/** Report a malformed signature file line.  @return 0. */
static int bad_line(char *err, size_t errlen, int lineno, const char *fmt,
	...) __attribute__((format(printf, 4, 5)));

static int
bad_line(char *err, size_t errlen, int lineno, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return say(err, errlen, "malformed signature file line %d: %s",
		lineno, why);
}

/** Line 2: algorithm, key id, signature of the content. */
static int
parse_sig_line(const struct line *l, struct fb_sig *sig, char *err,
	size_t errlen)
{
	unsigned char blob[SIG_BLOB_LEN];

	if(l->len != B64_LEN(SIG_BLOB_LEN))
		return bad_line(err, errlen, 2, "%d base64 characters "
			"expected, got %zu", (int)B64_LEN(SIG_BLOB_LEN),
			l->len);
	if(!fb_b64_decode(l->s, l->len, blob, sizeof(blob)))
		return bad_line(err, errlen, 2, "not base64");
	if(memcmp(blob, SIG_ALG_HASHED, 2) == 0)
		sig->prehashed = 1;
	else if(memcmp(blob, SIG_ALG_LEGACY, 2) == 0)
		sig->prehashed = 0;
	else
		return bad_line(err, errlen, 2, "unknown signature algorithm "
			"(bytes %02x %02x, expected \"ED\" or \"Ed\")",
			blob[0], blob[1]);
	memcpy(sig->keyid, blob + 2, FB_SIG_KEYID_LEN);
	memcpy(sig->sig, blob + 2 + FB_SIG_KEYID_LEN, FB_SIG_SIG_LEN);
	return 1;
}

int
fb_sig_parse(const char *text, size_t len, struct fb_sig *sig, char *err,
	size_t errlen)
{
	size_t pos = 0, n;
	struct line l[4];
	int i, lineno = 4;

	memset(sig, 0, sizeof(*sig));
	if(len > FB_SIG_FILE_MAX)
		return say(err, errlen, "signature file over %d bytes",
			FB_SIG_FILE_MAX);
	for(i = 0; i < 4; i++) {
		if(!next_line(text, len, &pos, &l[i]))
			return bad_line(err, errlen, i + 1, "missing (a "
				"signature file has 4 lines)");
		if(l[i].nul)
			return bad_line(err, errlen, i + 1, "NUL byte");
	}
	if(!has_prefix(&l[0], UNTRUSTED_PREFIX))
		return bad_line(err, errlen, 1, "does not start with '%s'",
			UNTRUSTED_PREFIX);
	if(l[0].len > FB_SIG_COMMENT_MAX)
		return bad_line(err, errlen, 1, "over %d bytes",
			FB_SIG_COMMENT_MAX);
	if(!parse_sig_line(&l[1], sig, err, errlen))
		return 0;
	if(!has_prefix(&l[2], TRUSTED_PREFIX))
		return bad_line(err, errlen, 3, "does not start with '%s'",
			TRUSTED_PREFIX);
	n = l[2].len - strlen(TRUSTED_PREFIX);
	if(n > FB_SIG_TRUSTED_MAX)
		return bad_line(err, errlen, 3, "trusted comment over %d "
			"bytes", FB_SIG_TRUSTED_MAX);
	memcpy(sig->trusted, l[2].s + strlen(TRUSTED_PREFIX), n);
	sig->trusted[n] = 0;
	sig->trusted_len = n;
	if(l[3].len != B64_LEN(FB_SIG_SIG_LEN))
		return bad_line(err, errlen, 4, "%d base64 characters "
			"expected, got %zu", (int)B64_LEN(FB_SIG_SIG_LEN),
			l[3].len);
	if(!fb_b64_decode(l[3].s, l[3].len, sig->global, FB_SIG_SIG_LEN))
		return bad_line(err, errlen, 4, "not base64");
	if(!only_blank(text, len, pos, &lineno))
		return bad_line(err, errlen, lineno, "text after the "
			"signature");
	return 1;
}

/**
 * Ed25519-verify sig over msg with the raw public key pk.
 * @return 1 good, 0 bad, -1 libcrypto could not run the check.
 */
static int
ed25519_verify(const unsigned char *pk, const unsigned char *sig,
	const unsigned char *msg, size_t len)
{
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = NULL;
	int r = -1;

	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
		FB_SIG_PK_LEN);
	if(key && (ctx = EVP_MD_CTX_new()) != NULL &&
		EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		/* a key that is no curve point fails here, as bad */
		r = EVP_DigestVerify(ctx, sig, FB_SIG_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	ERR_clear_error();
	return r;
}

int
fb_sig_verify(const struct fb_sig_pubkey *pk, const struct fb_sig *sig,
	const void *data, size_t len, char *err, size_t errlen)
{
	unsigned char hash[EVP_MAX_MD_SIZE];
	unsigned char global[FB_SIG_SIG_LEN + FB_SIG_TRUSTED_MAX];
	char got[2 * FB_SIG_KEYID_LEN + 1], want[2 * FB_SIG_KEYID_LEN + 1];
	const unsigned char *msg = data;
	unsigned int hlen = 0;
	int r;

	if(memcmp(sig->keyid, pk->keyid, FB_SIG_KEYID_LEN) != 0) {
		fb_sig_keyid_text(sig->keyid, got);
		fb_sig_keyid_text(pk->keyid, want);
		return say(err, errlen, "signature made by key ID %s, "
			"expected %s", got, want);
	}
	if(sig->prehashed) {
		if(EVP_Digest(data, len, hash, &hlen, EVP_blake2b512(),
			NULL) != 1 || hlen != 64) {
			ERR_clear_error();
			return say(err, errlen, "libcrypto cannot compute "
				"BLAKE2b-512");
		}
		msg = hash;
		len = hlen;
	}
	r = ed25519_verify(pk->pk, sig->sig, msg, len);
	if(r < 0)
		return say(err, errlen, "libcrypto cannot verify Ed25519 "
			"signatures");
	if(r == 0) {
		fb_sig_keyid_text(pk->keyid, want);
		return say(err, errlen, "bad signature: the content is not "
			"what key ID %s signed", want);
	}
	if(sig->trusted_len > FB_SIG_TRUSTED_MAX)
		return say(err, errlen, "trusted comment too long");
	memcpy(global, sig->sig, FB_SIG_SIG_LEN);
	memcpy(global + FB_SIG_SIG_LEN, sig->trusted, sig->trusted_len);
	r = ed25519_verify(pk->pk, sig->global, global,
		FB_SIG_SIG_LEN + sig->trusted_len);
	if(r < 0)
		return say(err, errlen, "libcrypto cannot verify Ed25519 "
			"signatures");
	if(r == 0)
		return say(err, errlen, "bad signature of the trusted "
			"comment: it was changed after signing");
	return 1;
}

void
fb_sig_comment_show(const struct fb_sig *sig, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned char c;

	for(i = 0; i < sig->trusted_len; i++) {
		c = (unsigned char)sig->trusted[i];
		if(c < 0x20 || c == 0x7f || c == '\\') {
			if(o + 4 + 4 > outlen)
				break;
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			if(o + 1 + 4 > outlen)
				break;
			out[o++] = (char)c;
		}
	}
	if(i < sig->trusted_len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = 0;
}

int
fb_sig_check(const struct fb_sig_pubkey *pk, const char *sigtext,
	size_t siglen, const void *data, size_t len, char *comment,
	size_t commentlen, char *err, size_t errlen)
{
	struct fb_sig sig;

	if(!fb_sig_parse(sigtext, siglen, &sig, err, errlen) ||
		!fb_sig_verify(pk, &sig, data, len, err, errlen))
		return 0;
	if(comment && commentlen >= 4)
		fb_sig_comment_show(&sig, comment, commentlen);
	return 1;
}

/** @return the value of a hex digit, or -1. */
static int
hex_val(unsigned char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/** @return the part of s after its last '/'. */
static const char *
base_name(const char *s, size_t len, size_t *blen)
{
	size_t i = len;

	while(i > 0 && s[i - 1] != '/')
		i--;
	*blen = len - i;
	return s + i;
}

/** One line of a checksum file. */
struct sum_line {
	unsigned char digest[SHA256_LEN];
	const char *name;	/**< NULL for a bare digest */
	size_t namelen;
	int lineno;
};

/**
 * Read one non-empty line of a checksum file.
 * @return 1, or 0 with err set.
 */
static int
parse_sum_line(const struct line *l, struct sum_line *out, char *err,
	size_t errlen)
{
	int i, hi, lo;

	if(l->nul)
		return say(err, errlen, "checksum file line %d: NUL byte",
			out->lineno);
	for(i = 0; i < SHA256_LEN; i++) {
		if((size_t)(2 * i + 1) >= l->len ||
			(hi = hex_val((unsigned char)l->s[2 * i])) < 0 ||
			(lo = hex_val((unsigned char)l->s[2 * i + 1])) < 0)
			return say(err, errlen, "checksum file line %d: not "
				"a SHA-256 digest (64 hex digits)",
				out->lineno);
		out->digest[i] = (unsigned char)(hi << 4 | lo);
	}
	out->name = NULL;
	out->namelen = 0;
	if(l->len == 2 * SHA256_LEN)
		return 1;
	if(l->len < 2 * SHA256_LEN + 3 || l->s[2 * SHA256_LEN] != ' ' ||
		(l->s[2 * SHA256_LEN + 1] != ' ' &&
		l->s[2 * SHA256_LEN + 1] != '*'))
		return say(err, errlen, "checksum file line %d: expected "
			"\"DIGEST  NAME\" or \"DIGEST *NAME\" (sha256sum "
			"output)", out->lineno);
	out->name = l->s + 2 * SHA256_LEN + 2;
	out->namelen = l->len - 2 * SHA256_LEN - 2;
	return 1;
}

/**
 * Find the line of a checksum file that applies to name.
 * @return 1 with *pick set, or 0 with err set.
 */
static int
pick_sum_line(const char *text, size_t textlen, const char *name,
	struct sum_line *pick, char *err, size_t errlen)
{
	struct sum_line cur;
	struct line l;
	size_t pos = 0, blen = 0, clen;
	const char *base = name ? base_name(name, strlen(name), &blen) : NULL;
	const char *cbase;
	int lines = 0, found = 0;

	memset(&cur, 0, sizeof(cur));
	while(next_line(text, textlen, &pos, &l)) {
		cur.lineno++;
		if(l.len == 0)
			continue;
		if(!parse_sum_line(&l, &cur, err, errlen))
			return 0;
		lines++;
		if(lines == 1)
			*pick = cur;
		if(!base || !cur.name)
			continue;
		cbase = base_name(cur.name, cur.namelen, &clen);
		if(clen == blen && memcmp(cbase, base, blen) == 0) {
			if(found)
				return say(err, errlen, "checksum file lines "
					"%d and %d both name %.*s",
					pick->lineno, cur.lineno, (int)blen,
					base);
			*pick = cur;
			found = 1;
		}
	}
	if(lines == 0)
		return say(err, errlen, "checksum file holds no digest");
	if(lines > 1 && !found)
		return say(err, errlen, "checksum file has %d digests and "
			"none for '%.*s'", lines, base ? (int)blen : 0,
			base ? base : "");
	return 1;
}

int
fb_sum_check(const char *text, size_t textlen, const char *name,
	const void *data, size_t len, char *err, size_t errlen)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	char hex[2 * SHA256_LEN + 1];
	struct sum_line pick;
	unsigned int dlen = 0;
	int i;

	if(textlen > FB_SUM_FILE_MAX)
		return say(err, errlen, "checksum file over %d bytes",
			FB_SUM_FILE_MAX);
	if(!pick_sum_line(text, textlen, name, &pick, err, errlen))
		return 0;
	if(EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL) != 1 ||
		dlen != SHA256_LEN) {
		ERR_clear_error();
		return say(err, errlen, "libcrypto cannot compute SHA-256");
	}
	if(CRYPTO_memcmp(digest, pick.digest, SHA256_LEN) != 0) {
		for(i = 0; i < SHA256_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", digest[i]);
		return say(err, errlen, "checksum mismatch: the content's "
			"SHA-256 is %s, not the one on checksum file line %d",
			hex, pick.lineno);
	}
	return 1;
}
