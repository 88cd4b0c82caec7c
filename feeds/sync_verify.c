/**
 * \file
 * A feed's signature and checksum checks (see sync_verify.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "feed_input.h"
#include "fb_sig.h"
#include "sync_verify.h"

/**
 * Read a feed's signature or checksum file (a path, file:// or http(s)
 * URL, see feed_input_sidecar()).
 * @return 1 with *buf malloced, or 0 with why set.
 */
static int
read_sidecar(const struct fb_feed_conf *f, const char *what,
	const char *where, uint64_t max, char **buf, size_t *len, char *why,
	size_t whylen)
{
	struct feed_input in;
	char err[400];
	int ok;

	ok = feed_input_sidecar(f, where, max, &in, err, sizeof(err));
	if(!ok)
		snprintf(why, whylen, "%s: %s", what, err);
	else if(!(*buf = malloc(in.len ? in.len : 1))) {
		snprintf(why, whylen, "%s: out of memory", what);
		ok = 0;
	} else {
		memcpy(*buf, in.data, in.len);
		*len = in.len;
	}
	feed_input_release(&in);
	return ok;
}

int
verify_feed(const struct fb_feed_conf *f, const char *buf, size_t len,
	struct feed_integrity *fi, char *why, size_t whylen)
{
	struct fb_sig_pubkey pk;
	char *text = NULL, *where = NULL, comment[SYNC_COMMENT_SHOW];
	char err[400];
	size_t tlen, n = 0;
	int ok;

	fi->note[0] = 0;
	if(f->signature_key) {
		/* fb_config checked the key; this cannot fail */
		if(!fb_sig_pubkey_parse(f->signature_key,
			strlen(f->signature_key), &pk, err, sizeof(err))) {
			snprintf(why, whylen, "signature-key: %s", err);
			return 0;
		}
		if(!f->signature) {
			if(!(where = malloc(strlen(f->source) + 9))) {
				snprintf(why, whylen, "out of memory");
				return 0;
			}
			sprintf(where, "%s.minisig", f->source);
		}
		ok = read_sidecar(f, "signature", where ? where : f->signature,
			FB_SIG_FILE_MAX, &text, &tlen, why, whylen);
		free(where);
		if(!ok)
			return 0;
		ok = fb_sig_check(&pk, text, tlen, buf, len, comment,
			sizeof(comment), err, sizeof(err));
		free(text);
		if(!ok) {
			snprintf(why, whylen, "signature: %s, refused", err);
			return 0;
		}
		n = (size_t)snprintf(fi->note, sizeof(fi->note),
			", signed: '%s'", comment);
	}
	if(f->checksum) {
		if(!read_sidecar(f, "checksum", f->checksum, FB_SUM_FILE_MAX,
			&text, &tlen, why, whylen))
			return 0;
		ok = fb_sum_check(text, tlen, f->source, buf, len, err,
			sizeof(err));
		free(text);
		if(!ok) {
			snprintf(why, whylen, "checksum %s: %s, refused",
				f->checksum, err);
			return 0;
		}
		if(n < sizeof(fi->note))
			snprintf(fi->note + n, sizeof(fi->note) - n,
				", sha256 ok");
	}
	return 1;
}
