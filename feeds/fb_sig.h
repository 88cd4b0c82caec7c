/**
 * \file
 * Feed integrity: minisign signatures and sha256sum checksums, verified
 * through OpenSSL's libcrypto.
 *
 * Why minisign: its public key is one line of base64 that fits in the
 * config file, Debian ships `minisign` (0.11) for publishers, and its
 * prehashed mode ("ED") signs BLAKE2b-512 of the file, so a verifier can
 * hash a feed as it streams in.  Its formats, as read here:
 *
 * - public key: an optional `untrusted comment: ` line, then base64 of
 *   "Ed" || key id (8 bytes) || Ed25519 public key (32 bytes);
 * - signature file, four lines: `untrusted comment: ...`; base64 of
 *   algorithm (2 bytes: "ED" prehashed with BLAKE2b-512, or legacy "Ed"
 *   over the whole content) || key id (8) || Ed25519 signature (64);
 *   `trusted comment: TEXT`; base64 of the global signature (64), an
 *   Ed25519 signature over signature (64) || TEXT.  Empty lines may
 *   follow; nothing else may.
 *
 * A good signature needs all three: the key ids equal, the content
 * signature good and the global signature good (so the trusted comment
 * is the publisher's too).  Every line and field is bounded and checked
 * before any cryptography runs; each failure is a one-line reason.
 *
 * What is signed is a feed's decompressed content, the bytes the parser
 * reads: one `.minisig` then holds whether the publisher serves the list
 * plain, with Content-Encoding gzip or as a .gz file.
 *
 * Thread safety: reentrant; no global state beyond libcrypto's own.
 */
#ifndef FB_SIG_H
#define FB_SIG_H

#include <stddef.h>
#include <stdint.h>

/** Bytes of a minisign key id. */
#define FB_SIG_KEYID_LEN 8
/** Bytes of an Ed25519 public key. */
#define FB_SIG_PK_LEN 32
/** Bytes of an Ed25519 signature. */
#define FB_SIG_SIG_LEN 64
/** Longest untrusted comment line, prefix included (minisign's limit). */
#define FB_SIG_COMMENT_MAX 1024
/** Longest trusted comment text (minisign's limit). */
#define FB_SIG_TRUSTED_MAX 8192
/** Largest signature file read: four bounded lines and some blank ones. */
#define FB_SIG_FILE_MAX 16384
/** Largest public key file read. */
#define FB_SIG_PUBFILE_MAX 4096
/** Largest checksum file read (sha256sum output for many files). */
#define FB_SUM_FILE_MAX 65536
/** Characters of a public key in base64 (42 bytes, no padding). */
#define FB_SIG_PUB_B64_LEN 56

/** A minisign public key. */
struct fb_sig_pubkey {
	/** key id, as stored (minisign prints it as a little-endian
	 * 64-bit number in hex) */
	unsigned char keyid[FB_SIG_KEYID_LEN];
	/** Ed25519 public key */
	unsigned char pk[FB_SIG_PK_LEN];
};

/** A parsed minisign signature file. */
struct fb_sig {
	/** 1: "ED", over BLAKE2b-512 of the content; 0: legacy "Ed" */
	int prehashed;
	/** id of the key that made it */
	unsigned char keyid[FB_SIG_KEYID_LEN];
	/** signature of the content (or of its hash) */
	unsigned char sig[FB_SIG_SIG_LEN];
	/** the trusted comment, as signed; NUL-terminated for display
	 * only: its length is trusted_len */
	char trusted[FB_SIG_TRUSTED_MAX + 1];
	/** bytes of trusted */
	size_t trusted_len;
	/** signature of sig || trusted */
	unsigned char global[FB_SIG_SIG_LEN];
};

/** A minisign secret key, as fraudblock-sign reads it. */
struct fb_sig_seckey {
	/** key id */
	unsigned char keyid[FB_SIG_KEYID_LEN];
	/** Ed25519 private key (the 32-byte seed) */
	unsigned char seed[32];
	/** the public key the file stores next to it */
	unsigned char pk[FB_SIG_PK_LEN];
};

/** Bytes of a minisign secret key, decoded: algorithms "Ed", KDF (two
 * zero bytes when not encrypted), checksum "B2", KDF salt (32), opslimit
 * (8), memlimit (8), key id (8), seed || public key (64), checksum (32). */
#define FB_SIG_SEC_BLOB_LEN 158
/** Where the key id starts in it. */
#define FB_SIG_SEC_KEYID_OFF 54

/**
 * Decode strict base64 (RFC 4648 alphabet, '=' padding to a multiple of
 * four, zero unused bits) of exactly want bytes.
 * @param s: the text.
 * @param len: its length.
 * @param out: out: the bytes.
 * @param want: how many bytes the text must hold.
 * @return 1 if s is canonical base64 of exactly want bytes, else 0.
 */
int fb_b64_decode(const char *s, size_t len, unsigned char *out,
	size_t want);

/**
 * Encode base64 with padding.
 * @param in: the bytes.
 * @param len: their number.
 * @param out: out: NUL-terminated text.
 * @param outlen: size of out; at least 4 * ((len + 2) / 3) + 1.
 * @return 1, or 0 if out is too small.
 */
int fb_b64_encode(const unsigned char *in, size_t len, char *out,
	size_t outlen);

/**
 * Format a key id the way minisign prints it: the id read as a
 * little-endian number, in upper-case hex without leading zeros.
 * @param id: the key id.
 * @param out: out: the text, 17 bytes with the NUL.
 */
void fb_sig_keyid_text(const unsigned char id[FB_SIG_KEYID_LEN],
	char out[2 * FB_SIG_KEYID_LEN + 1]);

/**
 * Read a public key given as its base64 line (what minisign -P takes and
 * what `signature-key:` holds).
 * @param s: the text, without line end.
 * @param len: its length.
 * @param pk: out: the key.
 * @param err: out: why not, one line.
 * @param errlen: size of err.
 * @return 1 on success, 0 if malformed.
 */
int fb_sig_pubkey_parse(const char *s, size_t len, struct fb_sig_pubkey *pk,
	char *err, size_t errlen);

/**
 * Read a public key file: an optional `untrusted comment:` line, then the
 * base64 line, then nothing but empty lines.
 * @param text: the file's bytes (at most FB_SIG_PUBFILE_MAX).
 * @param len: their number.
 * @param pk: out: the key.
 * @param err: out: why not ("line 2: ..."), one line.
 * @param errlen: size of err.
 * @return 1 on success, 0 if malformed.
 */
int fb_sig_pubkey_file_parse(const char *text, size_t len,
	struct fb_sig_pubkey *pk, char *err, size_t errlen);

/**
 * Read an unencrypted minisign secret key file (`minisign -G -W`, or
 * fraudblock-sign -G): an `untrusted comment:` line, then the base64
 * line.  Its BLAKE2b-256 checksum is not checked: OpenSSL 3.0 computes
 * BLAKE2b only with a 64-byte output (and keyed), and minisign 0.11
 * itself writes zeros there for unencrypted keys and ignores it; the
 * caller checks instead that the seed gives the stored public key.
 * @param text: the file's bytes (at most FB_SIG_PUBFILE_MAX).
 * @param len: their number.
 * @param sk: out: the key; the caller wipes it after use.
 * @param err: out: why not, one line.
 * @param errlen: size of err.
 * @return 1 on success, 0 if malformed or password-encrypted.
 */
int fb_sig_seckey_parse(const char *text, size_t len,
	struct fb_sig_seckey *sk, char *err, size_t errlen);

/**
 * Read a minisign signature file.
 * @param text: the file's bytes (at most FB_SIG_FILE_MAX).
 * @param len: their number.
 * @param sig: out: the signature.
 * @param err: out: why not ("malformed signature file line 2: ...").
 * @param errlen: size of err.
 * @return 1 on success, 0 if malformed.
 */
int fb_sig_parse(const char *text, size_t len, struct fb_sig *sig,
	char *err, size_t errlen);

/**
 * Verify a parsed signature of data with a key: key ids, the content
 * signature, the global signature over the trusted comment.
 * @param pk: the key the data must be signed with.
 * @param sig: the signature.
 * @param data: the content (a feed's decompressed bytes).
 * @param len: their number.
 * @param err: out: why not, e.g. "signature made by key ID X, expected
 *	Y" or "bad signature".
 * @param errlen: size of err.
 * @return 1 if good, 0 if not (or libcrypto failed; err says which).
 */
int fb_sig_verify(const struct fb_sig_pubkey *pk, const struct fb_sig *sig,
	const void *data, size_t len, char *err, size_t errlen);

/**
 * Parse and verify in one: the form sync and fraudblock-sign -V use.
 * @param pk: the key.
 * @param sigtext: the signature file's bytes.
 * @param siglen: their number.
 * @param data: the content.
 * @param len: its length.
 * @param comment: out: the trusted comment for display (see
 *	fb_sig_comment_show), set only when good; may be NULL.
 * @param commentlen: size of comment.
 * @param err: out: why not.
 * @param errlen: size of err.
 * @return 1 if good, else 0.
 */
int fb_sig_check(const struct fb_sig_pubkey *pk, const char *sigtext,
	size_t siglen, const void *data, size_t len, char *comment,
	size_t commentlen, char *err, size_t errlen);

/**
 * The trusted comment for a log or terminal: bytes below 0x20 (tab
 * included), 0x7f and '\\' as \xHH; cut with "..." to fit out.
 * @param sig: the signature.
 * @param out: out: NUL-terminated text.
 * @param outlen: size of out (at least 4).
 */
void fb_sig_comment_show(const struct fb_sig *sig, char *out, size_t outlen);

/**
 * Check data against a SHA-256 checksum file: a bare 64-hex digest, or
 * sha256sum lines ("HEX  name" or "HEX *name").  With one digest line
 * that line is used; with several, the one whose name (its last '/'
 * component) equals the last '/' component of name.
 * @param text: the checksum file's bytes (at most FB_SUM_FILE_MAX).
 * @param textlen: their number.
 * @param name: the feed's file name or URL, to pick the line; may be
 *	NULL when the file holds one digest.
 * @param data: the content.
 * @param len: its length.
 * @param err: out: why not, naming the line for a malformed one.
 * @param errlen: size of err.
 * @return 1 if the digest matches, else 0.
 */
int fb_sum_check(const char *text, size_t textlen, const char *name,
	const void *data, size_t len, char *err, size_t errlen);

#endif /* FB_SIG_H */
