/**
 * \file
 * Fuzz harness for the signature and checksum readers of feeds/fb_sig.h:
 * fb_sig_parse() and fb_sig_check(), fb_sig_pubkey_parse(),
 * fb_sig_pubkey_file_parse(), fb_sig_seckey_parse() and fb_sum_check().
 *
 * The first byte picks the reader of the rest: 'S' signature file, 'P'
 * public key file, 'K' public key line, 'k' secret key file, 'C'
 * checksum file; any other first byte runs the whole input through
 * every reader.
 *
 * Properties checked on every input:
 * - every reader returns 1, or 0 with a one-line, non-empty reason;
 * - an accepted signature has a trusted comment within
 *   FB_SIG_TRUSTED_MAX, NUL-terminated at its length, and its display
 *   form holds no control byte and fits its buffer;
 * - an accepted signature never verifies with a fixed key over fixed
 *   content (nobody holds that key's secret: its public key is made up);
 * - fb_b64_decode accepts only canonical text: what it accepts, encoded
 *   again, is the same text;
 * - a checksum file that matches fixed content holds at least a digest.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_sig.h"

/** Content the signatures and checksums are checked over. */
static const char content[] = "phish.example\n";

/** A reason must be one non-empty line. */
static void
check_reason(const char *err)
{
	FUZZ_CHECK(err[0] != 0);
	FUZZ_CHECK(strchr(err, '\n') == NULL);
}

/** Signature files. */
static void
fuzz_sigfile(const char *s, size_t n)
{
	struct fb_sig_pubkey pk;
	struct fb_sig sig;
	char err[512], show[64];
	size_t i;

	err[0] = 0;
	if(!fb_sig_parse(s, n, &sig, err, sizeof(err))) {
		check_reason(err);
		return;
	}
	FUZZ_CHECK(sig.trusted_len <= FB_SIG_TRUSTED_MAX);
	FUZZ_CHECK(sig.trusted[sig.trusted_len] == 0);
	fb_sig_comment_show(&sig, show, sizeof(show));
	FUZZ_CHECK(strlen(show) < sizeof(show));
	for(i = 0; show[i]; i++)
		FUZZ_CHECK((unsigned char)show[i] >= 0x20 && show[i] != 0x7f);
	/* a made-up key: its id may be the signature's, never its maker */
	memset(&pk, 0x5a, sizeof(pk));
	memcpy(pk.keyid, sig.keyid, sizeof(pk.keyid));
	err[0] = 0;
	FUZZ_CHECK(!fb_sig_verify(&pk, &sig, content, sizeof(content) - 1,
		err, sizeof(err)));
	check_reason(err);
}

/** Public key lines and files, secret key files. */
static void
fuzz_keys(char which, const char *s, size_t n)
{
	struct fb_sig_pubkey pk;
	struct fb_sig_seckey sk;
	char err[512], again[128];
	unsigned char blob[42];
	int r;

	err[0] = 0;
	if(which == 'K') {
		r = fb_sig_pubkey_parse(s, n, &pk, err, sizeof(err));
		if(r) {
			/* canonical: the key encodes back to its text */
			memcpy(blob, "Ed", 2);
			memcpy(blob + 2, pk.keyid, 8);
			memcpy(blob + 10, pk.pk, 32);
			FUZZ_CHECK(fb_b64_encode(blob, 42, again,
				sizeof(again)));
			FUZZ_CHECK(n == 56 && memcmp(again, s, 56) == 0);
		}
	} else if(which == 'P')
		r = fb_sig_pubkey_file_parse(s, n, &pk, err, sizeof(err));
	else
		r = fb_sig_seckey_parse(s, n, &sk, err, sizeof(err));
	if(!r)
		check_reason(err);
}

/** Checksum files. */
static void
fuzz_sum(const char *s, size_t n)
{
	char err[512];
	int r;

	err[0] = 0;
	r = fb_sum_check(s, n, "feed.txt", content, sizeof(content) - 1, err,
		sizeof(err));
	if(!r) {
		check_reason(err);
		return;
	}
	/* the only digest that matches is the content's own */
	FUZZ_CHECK(n >= 64);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if(size == 0)
		return 0;
	switch(data[0]) {
	case 'S': fuzz_sigfile(s, n); break;
	case 'K': case 'P': case 'k': fuzz_keys((char)data[0], s, n); break;
	case 'C': fuzz_sum(s, n); break;
	default:
		s = (const char *)data;
		n = size;
		fuzz_sigfile(s, n);
		fuzz_keys('K', s, n);
		fuzz_keys('P', s, n);
		fuzz_keys('k', s, n);
		fuzz_sum(s, n);
	}
	return 0;
}
