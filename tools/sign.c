/**
 * \file
 * fraudblock-sign: the publisher's side of signed feeds.  Makes minisign
 * key pairs, signs feed files (prehashed "ED" signatures) and verifies
 * them, with OpenSSL's libcrypto; the formats are in feeds/fb_sig.h.
 *
 * Keys and signatures interoperate with minisign: a signature made here
 * verifies with `minisign -V`, a key made by `minisign -G -W` signs here,
 * and keys made here are read by minisign 0.11.  The secret key is
 * written unencrypted (no password), like `minisign -G -W`, with the
 * checksum bytes zero as minisign 0.11 writes them for such keys: OpenSSL
 * 3.0 cannot compute the BLAKE2b-256 the checksum is (see fb_sig.h).
 *
 * Exit status: 0 done (-V: good signature), 1 bad signature (-V),
 * 2 usage, I/O or key error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "fb_sig.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/** Exit status of a bad signature. */
#define EXIT_BAD 1
/** Exit status of usage, I/O and key errors. */
#define EXIT_ERR 2
/** Largest file -V reads into memory. */
#define VERIFY_MAX ((size_t)1 << 34)
/** Bytes hashed at a time when signing. */
#define SIGN_CHUNK 65536

static const char *progname = "fraudblock-sign";

/** Print usage to stderr and exit with status. */
static void
usage(int status)
{
	fprintf(stderr, "usage: %s -G -p pubkey -s seckey [-f]\n"
		"       %s -S -s seckey -m file [-x sigfile] "
		"[-t trusted_comment]\n"
		"       %s -V (-p pubkey | -P key) -m file [-x sigfile] [-q]\n"
		"  -G  make a key pair (the secret key is NOT encrypted: "
		"keep it offline)\n"
		"  -S  sign file, prehashed minisign format, into file.minisig\n"
		"  -V  verify file's minisign signature\n"
		"  -f  with -G, overwrite existing key files\n"
		"  -q  with -V, print nothing when the signature is good\n"
		"  -v  print the version and exit\n"
		"exit: 0 done or good, 1 bad signature, 2 usage or I/O "
		"error\n", progname, progname, progname);
	exit(status);
}

/** Print "fraudblock-sign: msg" and return EXIT_ERR. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

/**
 * Read a whole file of at most max bytes.
 * @return 1 with *buf malloced (NUL-terminated), else 0 after saying why.
 */
static int
read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd;

	*buf = NULL;
	if((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		fail("%s: %s", path, strerror(errno));
		return 0;
	}
	if(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
		(uint64_t)st.st_size > max) {
		fail("%s: %s", path, !S_ISREG(st.st_mode) ? "not a regular "
			"file" : "too large");
		close(fd);
		return 0;
	}
	if(!(*buf = malloc((size_t)st.st_size + 1))) {
		fail("%s: out of memory", path);
		close(fd);
		return 0;
	}
	/* a file that grows while read is cut at its size from fstat */
	while(n < (size_t)st.st_size && (r = read(fd, *buf + n,
		(size_t)st.st_size - n)) != 0) {
		if(r < 0 && errno == EINTR)
			continue;
		if(r < 0) {
			fail("%s: %s", path, strerror(errno));
			free(*buf);
			*buf = NULL;
			close(fd);
			return 0;
		}
		n += (size_t)r;
	}
	close(fd);
	(*buf)[n] = 0;
	*len = n;
	return 1;
}

/**
 * Write text to path through a temporary file and rename(), so a reader
 * never sees half a key or signature.
 * @return 1, or 0 after saying why.
 */
static int
write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, ok;

	if((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
		(long)getpid()) >= sizeof(tmp)) {
		fail("%s: path too long", path);
		return 0;
	}
	/* O_EXCL and the mode at creation: a secret key is never readable
	 * by others, not even for a moment */
	if((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode))
		< 0) {
		fail("%s: %s", tmp, strerror(errno));
		return 0;
	}
	ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if(!ok || rename(tmp, path) != 0) {
		fail("%s: %s", ok ? path : tmp, strerror(errno));
		unlink(tmp);
		return 0;
	}
	return 1;
}

/** @return file + ".minisig", malloced, or NULL after saying why. */
static char *
default_sigfile(const char *file)
{
	char *path = malloc(strlen(file) + sizeof(".minisig"));

	if(!path)
		fail("out of memory");
	else
		sprintf(path, "%s.minisig", file);
	return path;
}

/** Make a key pair (-G).  @return exit status. */
static int
cmd_generate(const char *pubfile, const char *secfile, int force)
{
	unsigned char sec[FB_SIG_SEC_BLOB_LEN], pub[2 + FB_SIG_KEYID_LEN +
		FB_SIG_PK_LEN];
	unsigned char *keyid = sec + FB_SIG_SEC_KEYID_OFF;
	unsigned char *seed = keyid + FB_SIG_KEYID_LEN;
	char b64[256], text[512], idtext[2 * FB_SIG_KEYID_LEN + 1];
	size_t n = 32, pn = FB_SIG_PK_LEN;
	EVP_PKEY *key;
	int ret = EXIT_ERR;

	if(!force && (access(pubfile, F_OK) == 0 ||
		access(secfile, F_OK) == 0))
		return fail("%s exists; give -f to overwrite the key pair",
			access(pubfile, F_OK) == 0 ? pubfile : secfile);
	if(!(key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")))
		return fail("libcrypto cannot make an Ed25519 key");
	memset(sec, 0, sizeof(sec));
	memcpy(sec, "Ed\0\0B2", 6);	/* no KDF: not encrypted */
	if(RAND_bytes(keyid, FB_SIG_KEYID_LEN) != 1 ||
		EVP_PKEY_get_raw_private_key(key, seed, &n) != 1 || n != 32 ||
		EVP_PKEY_get_raw_public_key(key, seed + 32, &pn) != 1 ||
		pn != FB_SIG_PK_LEN) {
		fail("libcrypto cannot give the key's bytes");
		goto out;
	}
	/* the checksum (last 32 bytes) stays zero, see the file comment */
	memcpy(pub, "Ed", 2);
	memcpy(pub + 2, keyid, FB_SIG_KEYID_LEN);
	memcpy(pub + 2 + FB_SIG_KEYID_LEN, seed + 32, FB_SIG_PK_LEN);
	fb_sig_keyid_text(keyid, idtext);
	fb_b64_encode(sec, sizeof(sec), b64, sizeof(b64));
	snprintf(text, sizeof(text), "untrusted comment: fraudblock-sign "
		"unencrypted secret key %s\n%s\n", idtext, b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if(!write_file(secfile, text, 0600))
		goto out;
	fb_b64_encode(pub, sizeof(pub), b64, sizeof(b64));
	snprintf(text, sizeof(text), "untrusted comment: minisign public key "
		"%s\n%s\n", idtext, b64);
	if(!write_file(pubfile, text, 0644))
		goto out;
	printf("key ID %s\nsecret key: %s (not encrypted: keep it offline)\n"
		"public key: %s\nsignature-key: \"%s\"\n", idtext, secfile,
		pubfile, b64);
	ret = 0;
out:
	OPENSSL_cleanse(sec, sizeof(sec));
	OPENSSL_cleanse(text, sizeof(text));
	EVP_PKEY_free(key);
	return ret;
}

/** Ed25519-sign msg.  @return 1, or 0 after saying why. */
static int
ed25519_sign(EVP_PKEY *key, const unsigned char *msg, size_t len,
	unsigned char sig[FB_SIG_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = FB_SIG_SIG_LEN;
	int ok;

	ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
		EVP_DigestSign(ctx, sig, &n, msg, len) == 1 &&
		n == FB_SIG_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	if(!ok)
		fail("libcrypto cannot make an Ed25519 signature");
	return ok;
}

/** BLAKE2b-512 of a file, read in chunks.  @return 1, or 0 after saying
 * why. */
static int
hash_file(const char *path, unsigned char hash[64])
{
	unsigned char buf[SIGN_CHUNK];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	size_t r;
	FILE *f;
	int ok;

	if(!ctx || EVP_DigestInit_ex(ctx, EVP_blake2b512(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		fail("libcrypto cannot compute BLAKE2b-512");
		return 0;
	}
	if(!(f = fopen(path, "rb"))) {
		EVP_MD_CTX_free(ctx);
		fail("%s: %s", path, strerror(errno));
		return 0;
	}
	ok = 1;
	while(ok && (r = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, r) == 1;
	if(ferror(f))
		fail("%s: %s", path, strerror(errno));
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, hash, &n) == 1 &&
		n == 64;
	fclose(f);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/** The private key of a secret key file, checked against the public key
 * stored in it.  @return the key, or NULL after saying why. */
static EVP_PKEY *
load_seckey(const char *secfile, unsigned char keyid[FB_SIG_KEYID_LEN])
{
	struct fb_sig_seckey sk;
	unsigned char pk[FB_SIG_PK_LEN];
	size_t len, pn = sizeof(pk);
	char *text, err[256];
	EVP_PKEY *key = NULL;

	if(!read_file(secfile, FB_SIG_PUBFILE_MAX, &text, &len))
		return NULL;
	if(!fb_sig_seckey_parse(text, len, &sk, err, sizeof(err))) {
		fail("%s: %s", secfile, err);
	} else if(!(key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519,
		NULL, sk.seed, sizeof(sk.seed))) ||
		EVP_PKEY_get_raw_public_key(key, pk, &pn) != 1 ||
		memcmp(pk, sk.pk, sizeof(pk)) != 0) {
		/* stands in for the checksum OpenSSL cannot compute */
		fail("%s: damaged: its private key does not give its public "
			"key", secfile);
		EVP_PKEY_free(key);
		key = NULL;
	} else
		memcpy(keyid, sk.keyid, FB_SIG_KEYID_LEN);
	OPENSSL_cleanse(&sk, sizeof(sk));
	OPENSSL_cleanse(text, len);
	free(text);
	return key;
}

/** Sign a file (-S).  @return exit status. */
static int
cmd_sign(const char *secfile, const char *file, const char *sigfile,
	const char *comment)
{
	unsigned char hash[64], blob[2 + FB_SIG_KEYID_LEN + FB_SIG_SIG_LEN];
	unsigned char global[FB_SIG_SIG_LEN + FB_SIG_TRUSTED_MAX];
	unsigned char gsig[FB_SIG_SIG_LEN];
	char defcomment[512], b64sig[128], b64global[128];
	char *out = NULL, *path = NULL;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t clen, outlen;
	EVP_PKEY *key;
	int ret = EXIT_ERR;

	if(!comment) {
		snprintf(defcomment, sizeof(defcomment), "timestamp:%lld\t"
			"file:%s\thashed", (long long)time(NULL), base);
		comment = defcomment;
	}
	clen = strlen(comment);
	if(clen > FB_SIG_TRUSTED_MAX || strpbrk(comment, "\r\n"))
		return fail("-t: the trusted comment is one line of at most "
			"%d bytes", FB_SIG_TRUSTED_MAX);
	if(!(key = load_seckey(secfile, blob + 2)))
		return EXIT_ERR;
	memcpy(blob, "ED", 2);
	memcpy(global + FB_SIG_SIG_LEN, comment, clen);
	if(!hash_file(file, hash) ||
		!ed25519_sign(key, hash, sizeof(hash), blob + 2 +
			FB_SIG_KEYID_LEN))
		goto out;
	memcpy(global, blob + 2 + FB_SIG_KEYID_LEN, FB_SIG_SIG_LEN);
	if(!ed25519_sign(key, global, FB_SIG_SIG_LEN + clen, gsig))
		goto out;
	fb_b64_encode(blob, sizeof(blob), b64sig, sizeof(b64sig));
	fb_b64_encode(gsig, sizeof(gsig), b64global, sizeof(b64global));
	outlen = clen + 512;
	if(!sigfile && !(sigfile = path = default_sigfile(file)))
		goto out;
	if(!(out = malloc(outlen))) {
		fail("out of memory");
		goto out;
	}
	snprintf(out, outlen, "untrusted comment: signature from "
		"fraudblock-sign secret key\n%s\ntrusted comment: %s\n%s\n",
		b64sig, comment, b64global);
	if(write_file(sigfile, out, 0644))
		ret = 0;
out:
	free(out);
	free(path);
	EVP_PKEY_free(key);
	return ret;
}

/** Verify a file's signature (-V).  @return exit status. */
static int
cmd_verify(const char *pubfile, const char *pubkey, const char *file,
	const char *sigfile, int quiet)
{
	struct fb_sig_pubkey pk;
	char *text = NULL, *sig = NULL, *data = NULL, *path = NULL;
	char err[512], comment[FB_SIG_TRUSTED_MAX * 4 + 4];
	size_t len, siglen, datalen;
	int ret = EXIT_ERR;

	if(pubkey) {
		if(!fb_sig_pubkey_parse(pubkey, strlen(pubkey), &pk, err,
			sizeof(err)))
			return fail("-P: %s", err);
	} else {
		if(!read_file(pubfile, FB_SIG_PUBFILE_MAX, &text, &len))
			return EXIT_ERR;
		if(!fb_sig_pubkey_file_parse(text, len, &pk, err,
			sizeof(err))) {
			free(text);
			return fail("%s: %s", pubfile, err);
		}
		free(text);
	}
	if(!sigfile && !(sigfile = path = default_sigfile(file)))
		return EXIT_ERR;
	if(!read_file(sigfile, FB_SIG_FILE_MAX, &sig, &siglen) ||
		!read_file(file, VERIFY_MAX, &data, &datalen))
		goto out;
	if(!fb_sig_check(&pk, sig, siglen, data, datalen, comment,
		sizeof(comment), err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", progname, file, err);
		ret = EXIT_BAD;
		goto out;
	}
	if(!quiet)
		printf("Signature and trusted comment verified\n"
			"Trusted comment: %s\n", comment);
	ret = 0;
out:
	free(path);
	free(sig);
	free(data);
	return ret;
}

int
main(int argc, char *argv[])
{
	const char *pubfile = NULL, *pubkey = NULL, *secfile = NULL;
	const char *file = NULL, *sigfile = NULL, *comment = NULL;
	int c, mode = 0, force = 0, quiet = 0;

	while((c = getopt(argc, argv, "GSVp:P:s:m:x:t:fqvh")) != -1) {
		switch(c) {
		case 'G': case 'S': case 'V':
			if(mode && mode != c) {
				fail("give one of -G, -S and -V");
				usage(EXIT_ERR);
			}
			mode = c;
			break;
		case 'p': pubfile = optarg; break;
		case 'P': pubkey = optarg; break;
		case 's': secfile = optarg; break;
		case 'm': file = optarg; break;
		case 'x': sigfile = optarg; break;
		case 't': comment = optarg; break;
		case 'f': force = 1; break;
		case 'q': quiet = 1; break;
		case 'v':
			printf("%s %s\n", progname, PACKAGE_VERSION);
			return 0;
		case 'h': usage(0); break;
		default: usage(EXIT_ERR);
		}
	}
	if(optind != argc) {
		fail("unexpected argument '%s'", argv[optind]);
		usage(EXIT_ERR);
	}
	switch(mode) {
	case 'G':
		if(!pubfile || !secfile || file || sigfile || comment ||
			pubkey)
			usage(EXIT_ERR);
		return cmd_generate(pubfile, secfile, force);
	case 'S':
		if(!secfile || !file || pubfile || pubkey || force)
			usage(EXIT_ERR);
		return cmd_sign(secfile, file, sigfile, comment);
	case 'V':
		if(!file || !(!pubfile != !pubkey) || secfile || comment ||
			force)
			usage(EXIT_ERR);
		return cmd_verify(pubfile, pubkey, file, sigfile, quiet);
	default:
		fail("give one of -G, -S and -V");
		usage(EXIT_ERR);
	}
	return EXIT_ERR;
}
