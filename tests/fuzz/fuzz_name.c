/**
 * \file
 * Fuzz harness for presentation names: fb_name_parse() with both flag
 * values, fb_key_to_text() and fb_qname_from_key() (lib/fb_name.h).
 *
 * Properties checked on every input, each a promise of the header:
 * - an accepted name has a well-formed key (labels of 1..63 bytes of
 *   [a-z0-9_-], each ended by '.', 254 bytes at most, a top-level label
 *   that is not all digits), and scope BELOW exactly when it began "*.";
 * - a refused name leaves the key untouched;
 * - FB_NAME_ALLOW_TLD only ever turns "top-level domain alone" into a
 *   success, and changes nothing else;
 * - round trip: the key written back as text parses to the same key;
 * - ASCII case and one trailing dot do not change the key;
 * - fb_qname_from_key() gives one strictly increasing prefix end per
 *   label, each just past a '.';
 * - as an address (fb_addr_parse): an accepted one is a well-formed
 *   address key that formats and reads back to itself;
 * - fb_key_to_text() and fb_qname_from_key() stay inside their buffers
 *   for any bytes posing as a key (a damaged store).
 */
#include <string.h>
#include "fuzz.h"
#include "fb_name.h"
#include "fb_addr.h"

/** Largest input fb_name_parse() looks at (its own limit, 4096), plus
 * room for the trailing dot added by the dot check. */
#define NAME_COPY_MAX 4097

/** @return 1 for the bytes a key label may hold: [a-z0-9_-]. */
static int
key_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '-';
}

/** Check the shape of a key fb_name_parse() accepted. */
static void
check_key(const struct fb_key *k, int flags)
{
	size_t i, lab = 0, labels = 0;
	int numeric = 1;

	FUZZ_CHECK(k->len >= 2 && k->len <= 254);
	FUZZ_CHECK(k->data[k->len - 1] == '.');
	for(i = 0; i < k->len; i++) {
		if(k->data[i] == '.') {
			FUZZ_CHECK(lab >= 1 && lab <= 63);
			lab = 0;
			labels++;
			continue;
		}
		FUZZ_CHECK(key_byte(k->data[i]));
		/* the top-level label comes first in a key */
		if(labels == 0 && (k->data[i] < '0' || k->data[i] > '9'))
			numeric = 0;
		lab++;
	}
	FUZZ_CHECK(!numeric);
	FUZZ_CHECK(labels >= 2 || (flags & FB_NAME_ALLOW_TLD));
}

/** Check a prefix list against the key it was made from (full length). */
static void
check_qname_of_key(const struct fb_key *k, const struct fb_qname *q)
{
	size_t i, dots = 0;
	int j;

	for(i = 0; i < k->len; i++)
		if(k->data[i] == '.')
			dots++;
	FUZZ_CHECK(q->full == 1);
	FUZZ_CHECK(q->nprefix >= 1 && (size_t)q->nprefix == dots);
	FUZZ_CHECK(memcmp(q->key, k->data, k->len) == 0);
	for(j = 0; j < q->nprefix; j++) {
		/* strictly increasing, and no label is empty */
		FUZZ_CHECK(q->ends[j] >= (j ? q->ends[j - 1] + 2 : 2));
		FUZZ_CHECK(q->key[q->ends[j] - 1] == '.');
	}
	FUZZ_CHECK(q->ends[q->nprefix - 1] == k->len);
}

/**
 * Write the key back as text: whole, and into buffers too small for it,
 * which must give a NUL-terminated prefix of the whole text.
 */
static void
check_key_text(const struct fb_key *k, char *text)
{
	char small[FB_KEY_MAX];
	size_t tlen, sizes[3], i, n;

	FUZZ_CHECK(fb_key_to_text(k->data, k->len, text, FB_KEY_MAX) == text);
	tlen = strlen(text);
	FUZZ_CHECK(tlen == k->len - 1);
	sizes[0] = 1;
	sizes[1] = 2;
	sizes[2] = tlen / 2 + 1;
	for(i = 0; i < 3; i++) {
		fb_key_to_text(k->data, k->len, small, sizes[i]);
		n = strlen(small);
		FUZZ_CHECK(n < sizes[i]);
		FUZZ_CHECK(memcmp(small, text, n) == 0);
	}
}

/** Parse one name with one flag value and check it all. */
static enum fb_name_error
check_parse(const uint8_t *data, size_t size, int flags, struct fb_key *key,
	uint8_t *scope)
{
	static char buf[NAME_COPY_MAX];
	struct fb_key before, k2;
	struct fb_qname q;
	char text[FB_KEY_MAX];
	uint8_t sc2 = 0;
	enum fb_name_error r, r2;
	size_t i;
	int ascii = 1;

	/* a pattern no parse writes, to see that a refusal writes nothing */
	memset(&before, 0xa5, sizeof(before));
	memcpy(key, &before, sizeof(*key));
	*scope = 0;
	r = fb_name_parse((const char *)data, size, flags, key, scope);
	FUZZ_CHECK(fb_name_strerror(r) != NULL);
	FUZZ_CHECK(strcmp(fb_name_strerror(r), "unknown error") != 0);
	if(r != FB_NAME_OK) {
		FUZZ_CHECK(memcmp(key, &before, sizeof(*key)) == 0);
		return r;
	}
	check_key(key, flags);
	if(size >= 2 && data[0] == '*' && data[1] == '.')
		FUZZ_CHECK(*scope == FB_SCOPE_BELOW);
	else
		FUZZ_CHECK(*scope == FB_SCOPE_TREE);

	fb_qname_from_key(key, &q);
	check_qname_of_key(key, &q);

	/* round trip; "*." is not part of the key, so the text is the
	 * whole tree */
	check_key_text(key, text);
	r2 = fb_name_parse(text, strlen(text), flags, &k2, &sc2);
	FUZZ_CHECK(r2 == FB_NAME_OK);
	FUZZ_CHECK(sc2 == FB_SCOPE_TREE);
	FUZZ_CHECK(k2.len == key->len);
	FUZZ_CHECK(memcmp(k2.data, key->data, key->len) == 0);

	if(size >= NAME_COPY_MAX - 1)
		return r;
	/* upper case must not matter (ASCII only: a UTF-8 name would no
	 * longer be the same text) */
	for(i = 0; i < size; i++) {
		if(data[i] >= 0x80)
			ascii = 0;
		buf[i] = (data[i] >= 'a' && data[i] <= 'z') ?
			(char)(data[i] - 'a' + 'A') : (char)data[i];
	}
	if(ascii) {
		r2 = fb_name_parse(buf, size, flags, &k2, &sc2);
		FUZZ_CHECK(r2 == FB_NAME_OK && sc2 == *scope);
		FUZZ_CHECK(k2.len == key->len &&
			memcmp(k2.data, key->data, key->len) == 0);
	}
	/* one trailing dot is allowed and means nothing */
	if(data[size - 1] != '.') {
		memcpy(buf, data, size);
		buf[size] = '.';
		r2 = fb_name_parse(buf, size + 1, flags, &k2, &sc2);
		FUZZ_CHECK(r2 == FB_NAME_OK && sc2 == *scope);
		FUZZ_CHECK(k2.len == key->len &&
			memcmp(k2.data, key->data, key->len) == 0);
	}
	return r;
}

/** Any bytes posing as a stored key: nothing may be written out of
 * bounds, and whatever comes out keeps its shape. */
static void
check_raw_key(const uint8_t *data, size_t size)
{
	struct fb_key k;
	struct fb_qname q;
	char text[FB_KEY_MAX];
	int j;

	k.len = size < FB_KEY_MAX ? size : FB_KEY_MAX;
	memcpy(k.data, data, k.len);
	fb_key_to_text(k.data, k.len, text, sizeof(text));
	FUZZ_CHECK(strlen(text) < sizeof(text));
	fb_qname_from_key(&k, &q);
	FUZZ_CHECK(q.nprefix >= 0 && q.nprefix <= FB_LABELS_MAX);
	for(j = 0; j < q.nprefix; j++) {
		FUZZ_CHECK(q.ends[j] >= 1 && q.ends[j] <= k.len);
		FUZZ_CHECK(j == 0 || q.ends[j] > q.ends[j - 1]);
		FUZZ_CHECK(q.key[q.ends[j] - 1] == '.');
	}
}

/**
 * The same bytes as an address or prefix (fb_addr_parse): accepted, a
 * well-formed address key that formats and reads back to itself, and
 * never a name key; refused, the key untouched and a reason given.  Any
 * bytes as an address key: fb_addr_format stays inside its buffer.
 */
static void
check_addr(const uint8_t *data, size_t size)
{
	struct fb_key k, k2;
	const char *why = NULL;
	char text[FB_ADDR_TEXT_MAX];

	k.len = 7777;
	if(!fb_addr_parse((const char *)data, size, &k, &why)) {
		FUZZ_CHECK(k.len == 7777 && why != NULL);
	} else {
		FUZZ_CHECK(fb_key_is_addr(k.data, k.len));
		FUZZ_CHECK(k.data[0] < '-');
		FUZZ_CHECK(fb_addr_format(k.data, k.len, text,
			sizeof(text)));
		FUZZ_CHECK(fb_addr_parse(text, strlen(text), &k2, NULL));
		FUZZ_CHECK(k2.len == k.len &&
			memcmp(k2.data, k.data, k.len) == 0);
	}
	if(fb_addr_format(data, size, text, sizeof(text)))
		FUZZ_CHECK(strlen(text) < sizeof(text) &&
			fb_key_is_addr(data, size));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_key k0, kt;
	uint8_t s0, st;
	enum fb_name_error r0, rt;

	r0 = check_parse(data, size, 0, &k0, &s0);
	rt = check_parse(data, size, FB_NAME_ALLOW_TLD, &kt, &st);
	if(r0 == FB_NAME_OK) {
		/* allowing a lone TLD cannot change a name with more */
		FUZZ_CHECK(rt == FB_NAME_OK && st == s0);
		FUZZ_CHECK(kt.len == k0.len &&
			memcmp(kt.data, k0.data, k0.len) == 0);
	} else
		FUZZ_CHECK(rt == r0 ||
			(r0 == FB_NAME_SINGLE_LABEL && rt == FB_NAME_OK));
	check_raw_key(data, size);
	check_addr(data, size);
	return 0;
}
