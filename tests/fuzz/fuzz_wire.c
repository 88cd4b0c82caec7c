/**
 * \file
 * Fuzz harness for query names in wire format: fb_qname_from_wire()
 * (lib/fb_name.h), the one parser that runs on every query the module
 * sees.
 *
 * Properties checked on every input:
 * - whatever the bytes, nprefix is 0..FB_LABELS_MAX, the prefix ends are
 *   strictly increasing, each just past a '.', the last within
 *   FB_KEY_MAX, and the key up to it holds only [a-z0-9_-.];
 * - against a small reference walk written here from RFC 1035: a
 *   malformed name gives nothing; a well-formed one gives exactly the
 *   labels, top-level first, up to the first that holds a byte outside
 *   [A-Za-z0-9_-], and full says whether that was all of them;
 * - the same labels written as text and read by fb_name_parse() plus
 *   fb_qname_from_key() give the very same key and prefix ends, so a
 *   name listed from a feed matches the query for it.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_name.h"

/** Longest wire name (RFC 1035). */
#define WIRE_MAX 255

/** @return 1 for a byte fb_qname_from_wire() can keep in a label. */
static int
label_byte(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-';
}

/**
 * Reference walk: find the labels of an uncompressed wire name.
 * @return the number of labels (0 for the root), -1 if malformed.
 */
static int
ref_labels(const uint8_t *w, size_t len, size_t off[FB_LABELS_MAX])
{
	size_t pos = 0;
	int n = 0;

	if(len > WIRE_MAX)
		return -1;
	while(pos < len) {
		if(w[pos] == 0)
			return n;
		/* 0x40 and up: compression pointers, extended label types */
		if(w[pos] > 63 || n == FB_LABELS_MAX)
			return -1;
		/* the label and at least the root byte after it */
		if(pos + 1 + w[pos] >= len)
			return -1;
		off[n++] = pos;
		pos += 1 + (size_t)w[pos];
	}
	return -1;
}

/** What holds for any result, malformed input included. */
static void
check_shape(const struct fb_qname *q)
{
	int j;
	size_t i, end;

	FUZZ_CHECK(q->nprefix >= 0 && q->nprefix <= FB_LABELS_MAX);
	FUZZ_CHECK(q->full == 0 || q->full == 1);
	if(q->nprefix == 0)
		return;
	for(j = 0; j < q->nprefix; j++) {
		FUZZ_CHECK(q->ends[j] >= (j ? q->ends[j - 1] + 2 : 2));
		FUZZ_CHECK(q->key[q->ends[j] - 1] == '.');
	}
	end = q->ends[q->nprefix - 1];
	FUZZ_CHECK(end <= FB_KEY_MAX);
	for(i = 0; i < end; i++)
		FUZZ_CHECK(q->key[i] == '.' || (label_byte(q->key[i]) &&
			!(q->key[i] >= 'A' && q->key[i] <= 'Z')));
}

/** Compare with the reference walk and with the text path. */
static void
check_against_reference(const uint8_t *w, size_t len,
	const struct fb_qname *q)
{
	size_t off[FB_LABELS_MAX], k = 0, t = 0, i;
	char text[WIRE_MAX + 1];
	struct fb_key key;
	struct fb_qname qk;
	enum fb_name_error r;
	int n = ref_labels(w, len, off), m, j, digits = 1;
	uint8_t c, scope;

	if(n < 0) {
		FUZZ_CHECK(q->nprefix == 0 && q->full == 0);
		return;
	}
	/* representable labels, counted from the top-level one down */
	for(m = 0; m < n; m++) {
		const uint8_t *lab = w + off[n - 1 - m];
		for(i = 1; i <= lab[0]; i++)
			if(!label_byte(lab[i]))
				break;
		if(i <= lab[0])
			break;
	}
	FUZZ_CHECK(q->nprefix == m);
	FUZZ_CHECK(q->full == (m == n));
	for(j = 0; j < m; j++) {
		const uint8_t *lab = w + off[n - 1 - j];
		for(i = 1; i <= lab[0]; i++) {
			c = lab[i];
			if(c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			FUZZ_CHECK(q->key[k++] == c);
		}
		FUZZ_CHECK(q->key[k++] == '.');
		FUZZ_CHECK(q->ends[j] == k);
	}
	if(m == 0)
		return;

	/* the same labels as text, deepest first */
	for(j = n - m; j < n; j++) {
		memcpy(text + t, w + off[j] + 1, w[off[j]]);
		t += w[off[j]];
		if(j < n - 1)
			text[t++] = '.';
	}
	for(i = 0; i < w[off[n - 1]]; i++)
		if(w[off[n - 1] + 1 + i] < '0' || w[off[n - 1] + 1 + i] > '9')
			digits = 0;
	r = fb_name_parse(text, t, FB_NAME_ALLOW_TLD, &key, &scope);
	if(digits) {
		/* an all-numeric top level reads as an address in text */
		FUZZ_CHECK(r == FB_NAME_ADDRESS);
		return;
	}
	FUZZ_CHECK(r == FB_NAME_OK);
	FUZZ_CHECK(key.len == k);
	FUZZ_CHECK(memcmp(key.data, q->key, k) == 0);
	fb_qname_from_key(&key, &qk);
	FUZZ_CHECK(qk.nprefix == m && qk.full == 1);
	FUZZ_CHECK(memcmp(qk.ends, q->ends, (size_t)m * sizeof(q->ends[0]))
		== 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_qname q;
	size_t len = size < WIRE_MAX ? size : WIRE_MAX;

	/* garbage first: every field must be written on every path */
	memset(&q, 0xa5, sizeof(q));
	fb_qname_from_wire(data, len, &q);
	check_shape(&q);
	check_against_reference(data, len, &q);

	if(size > WIRE_MAX) {
		/* beyond the wire limit: the caller broke the contract, but
		 * the function must still stay inside the buffers */
		memset(&q, 0xa5, sizeof(q));
		fb_qname_from_wire(data, size, &q);
		check_shape(&q);
	}
	return 0;
}
