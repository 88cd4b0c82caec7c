/**
 * \file
 * Presentation text (feed lines, admin input) to store keys, IDN included
 * (libidn2).  The contract is fb_name_parse() in fb_name.h.  Not linked
 * into the module: queries arrive in wire format.
 */
#include <string.h>
#include <idn2.h>
#include "fb_name.h"

/** Most text bytes of a name, without its trailing dot (RFC 1035). */
#define FB_NAME_TEXT_MAX 253
/** Most bytes of one label (RFC 1035). */
#define FB_NAME_LABEL_MAX 63
/** Most input bytes looked at.  Real names in UTF-8, even decomposed,
 * stay far below this; refusing longer input before libidn2 sees it
 * bounds the work one hostile line can cause. */
#define FB_NAME_INPUT_MAX 4096

/** @return 1 if the bytes hold one that is not ASCII. */
static int
has_high(const uint8_t *t, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++)
		if(t[i] >= 0x80)
			return 1;
	return 0;
}

/**
 * Check ASCII text (no "*.", no trailing dot) and build its key.
 * Each label is written straight to its place in the reversed key: a label
 * that ends at text offset e starts at key offset n - e, because the key
 * holds, before it, exactly the labels and dots that follow it in the text.
 * @param t: the text.
 * @param n: its length.
 * @param flags: FB_NAME_ALLOW_TLD or 0.
 * @param key: out, only written on success.
 * @return FB_NAME_OK or why not.
 */
static enum fb_name_error
name_key(const uint8_t *t, size_t n, int flags, struct fb_key *key)
{
	struct fb_key k;
	size_t s = 0, e, i, labels = 0;
	int numeric = 0;
	uint8_t c;

	if(n == 0)
		return FB_NAME_EMPTY;
	if(n > FB_NAME_TEXT_MAX)
		return FB_NAME_TOO_LONG;
	while(s <= n) {
		for(e = s; e < n && t[e] != '.'; e++)
			;
		if(e == s)
			return FB_NAME_EMPTY_LABEL;
		if(e - s > FB_NAME_LABEL_MAX)
			return FB_NAME_LONG_LABEL;
		numeric = 1;
		for(i = s; i < e; i++) {
			if(!(c = fb_name_map[t[i]]))
				return FB_NAME_BAD_CHAR;
			if(c < '0' || c > '9')
				numeric = 0;
			k.data[n - e + (i - s)] = c;
		}
		k.data[n - s] = '.';
		labels++;
		s = e + 1;
	}
	/* a dotted quad, or a number a resolver library would read as one */
	if(numeric)
		return FB_NAME_ADDRESS;
	if(labels == 1 && !(flags & FB_NAME_ALLOW_TLD))
		return FB_NAME_SINGLE_LABEL;
	k.len = n + 1;
	memcpy(key, &k, sizeof(k));
	return FB_NAME_OK;
}

/** @return the fb_name_error for a libidn2 failure. */
static enum fb_name_error
idn_error(int rc)
{
	switch(rc) {
	case IDN2_TOO_BIG_DOMAIN:
		return FB_NAME_TOO_LONG;
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT:
		return FB_NAME_LONG_LABEL;
	default:
		return FB_NAME_BAD_IDN;
	}
}

/**
 * Append one label to the ASCII text, converting it with libidn2 if it
 * holds non-ASCII bytes.
 * @param lab: the label, NUL-terminated, no dots of its own.
 * @param ll: its length.
 * @param out: the text so far (FB_NAME_TEXT_MAX + 1 bytes).
 * @param n: in/out: bytes in out.
 * @return FB_NAME_OK or why not.
 */
static enum fb_name_error
label_to_ascii(const char *lab, size_t ll, char *out, size_t *n)
{
	char *a = NULL;
	int rc;

	if(!has_high((const uint8_t *)lab, ll)) {
		if(ll > FB_NAME_TEXT_MAX - *n)
			return FB_NAME_TOO_LONG;
		memcpy(out + *n, lab, ll);
		*n += ll;
		return FB_NAME_OK;
	}
	/* Nontransitional (IDNA2008 with UTS#46 mapping) is what browsers
	 * resolve: "straße" stays distinct from "strasse". */
	rc = idn2_to_ascii_8z(lab, &a, IDN2_NONTRANSITIONAL);
	if(rc != IDN2_OK)
		return idn_error(rc);
	ll = strlen(a);
	if(ll > FB_NAME_TEXT_MAX - *n) {
		idn2_free(a);
		return FB_NAME_TOO_LONG;
	}
	memcpy(out + *n, a, ll);
	*n += ll;
	idn2_free(a);
	return FB_NAME_OK;
}

/**
 * Turn a name with non-ASCII bytes into ASCII text, one label at a time:
 * only labels with non-ASCII go through libidn2, because IDNA rules
 * refuse ASCII labels that real hostnames use (leading hyphens, "--" in
 * the third and fourth place).  A label may still map to several (an
 * ideographic full stop is a dot); name_key() checks the result.
 * @param text: the name, no "*.", no trailing dot, no NUL bytes.
 * @param len: its length, at most FB_NAME_INPUT_MAX.
 * @param out: out: ASCII text (FB_NAME_TEXT_MAX + 1 bytes).
 * @param outlen: out: its length.
 * @return FB_NAME_OK or why not.
 */
static enum fb_name_error
name_to_ascii(const char *text, size_t len, char *out, size_t *outlen)
{
	char lab[FB_NAME_INPUT_MAX + 1];
	size_t s = 0, e, n = 0;
	enum fb_name_error r;

	while(s <= len) {
		for(e = s; e < len && text[e] != '.'; e++)
			;
		memcpy(lab, text + s, e - s);
		lab[e - s] = 0;
		if((r = label_to_ascii(lab, e - s, out, &n)) != FB_NAME_OK)
			return r;
		if(e < len) {
			if(n >= FB_NAME_TEXT_MAX)
				return FB_NAME_TOO_LONG;
			out[n++] = '.';
		}
		s = e + 1;
	}
	*outlen = n;
	return FB_NAME_OK;
}

/** @return 1 if the text is nothing but dots (or nothing). */
static int
all_dots(const char *t, size_t n)
{
	size_t i;
	for(i = 0; i < n; i++)
		if(t[i] != '.')
			return 0;
	return 1;
}

enum fb_name_error
fb_name_parse(const char *text, size_t len, int flags, struct fb_key *key,
	uint8_t *scope)
{
	uint8_t sc = FB_SCOPE_TREE;
	char ascii[FB_NAME_TEXT_MAX + 1];
	size_t alen = 0;
	enum fb_name_error r;

	if(!text || len == 0)
		return FB_NAME_EMPTY;
	if(len > FB_NAME_INPUT_MAX)
		return FB_NAME_TOO_LONG;
	if(len >= 2 && text[0] == '*' && text[1] == '.') {
		text += 2;
		len -= 2;
		sc = FB_SCOPE_BELOW;
	}
	if(len > 0 && text[len - 1] == '.')
		len--;
	if(all_dots(text, len))
		return FB_NAME_EMPTY;
	if(memchr(text, '*', len))
		return FB_NAME_BAD_WILDCARD;
	/* libidn2 reads up to a NUL, so one would hide the rest of the name */
	if(memchr(text, 0, len))
		return FB_NAME_BAD_CHAR;
	if(!has_high((const uint8_t *)text, len))
		r = name_key((const uint8_t *)text, len, flags, key);
	else if((r = name_to_ascii(text, len, ascii, &alen)) == FB_NAME_OK)
		r = name_key((const uint8_t *)ascii, alen, flags, key);
	if(r == FB_NAME_OK && scope)
		*scope = sc;
	return r;
}

const char *
fb_name_strerror(enum fb_name_error err)
{
	switch(err) {
	case FB_NAME_OK:
		return "ok";
	case FB_NAME_EMPTY:
		return "empty name";
	case FB_NAME_TOO_LONG:
		return "name longer than 253";
	case FB_NAME_EMPTY_LABEL:
		return "empty label";
	case FB_NAME_LONG_LABEL:
		return "label longer than 63";
	case FB_NAME_BAD_CHAR:
		return "character not allowed in a name";
	case FB_NAME_BAD_IDN:
		return "invalid internationalized name";
	case FB_NAME_SINGLE_LABEL:
		return "top-level domain alone";
	case FB_NAME_ADDRESS:
		return "IP address, not a name";
	case FB_NAME_BAD_WILDCARD:
		return "'*' other than a leading \"*.\"";
	}
	return "unknown error";
}
