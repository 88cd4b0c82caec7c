/**
 * \file
 * Domain names as fraudblock stores and matches them: keys back to text,
 * and wire-format query names to the prefix list the matcher walks
 * (fb_qname_from_wire).  The contract is in fb_name.h; presentation text
 * is parsed in fb_name_parse.c, which the module does not link.
 *
 * Both directions share one 256-entry table (fb_name_map) that says which
 * bytes may stand in a label and folds them to lower case, so a name
 * parsed from a feed and the same name seen in a query always give the
 * same key bytes.
 */
#include <string.h>
#include "fb_name.h"

/** Byte -> its lower-case form if it may stand in a label
 * ([A-Za-z0-9_-]), else 0. */
const uint8_t fb_name_map[256] = {
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x08 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x18 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 */
	0, 0, 0, 0, 0, '-', 0, 0,	/* 0x28 */
	'0', '1', '2', '3', '4', '5', '6', '7',	/* 0x30 */
	'8', '9', 0, 0, 0, 0, 0, 0,	/* 0x38 */
	0, 'a', 'b', 'c', 'd', 'e', 'f', 'g',	/* 0x40 */
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',	/* 0x48 */
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',	/* 0x50 */
	'x', 'y', 'z', 0, 0, 0, 0, '_',	/* 0x58 */
	0, 'a', 'b', 'c', 'd', 'e', 'f', 'g',	/* 0x60 */
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',	/* 0x68 */
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',	/* 0x70 */
	'x', 'y', 'z', 0, 0, 0, 0, 0,	/* 0x78 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x88 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0x98 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xa8 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xb8 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xc8 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xd8 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe8 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xf0 */
	0, 0, 0, 0, 0, 0, 0, 0,	/* 0xf8 */
};

/** Append bytes to a NUL-terminated buffer, cutting what does not fit. */
static void
text_add(char *buf, size_t buflen, size_t *n, const uint8_t *p, size_t l)
{
	if(*n + 1 >= buflen)
		return;
	if(l > buflen - 1 - *n)
		l = buflen - 1 - *n;
	memcpy(buf + *n, p, l);
	*n += l;
}

char *
fb_key_to_text(const uint8_t *key, size_t klen, char *buf, size_t buflen)
{
	size_t end = klen, start, n = 0;

	if(!buf || buflen == 0)
		return buf;
	if(end > 0 && key[end - 1] == '.')
		end--;
	while(end > 0) {
		for(start = end; start > 0 && key[start - 1] != '.'; start--)
			;
		text_add(buf, buflen, &n, key + start, end - start);
		if(start == 0)
			break;
		text_add(buf, buflen, &n, (const uint8_t *)".", 1);
		end = start - 1;
	}
	buf[n] = 0;
	return buf;
}

/**
 * Find the labels of a wire name, left to right.
 * @param wire: the name.
 * @param wlen: its length.
 * @param off: out: offset of each label's length byte.
 * @return number of labels (0 for the root), or -1 if malformed.
 */
static int
wire_labels(const uint8_t *wire, size_t wlen, uint8_t off[FB_LABELS_MAX])
{
	size_t pos = 0;
	int n = 0;
	uint8_t l;

	/* 255 is the wire maximum; it also keeps offsets in a uint8_t and
	 * the key inside FB_KEY_MAX */
	if(!wire || wlen > 255)
		return -1;
	while(pos < wlen) {
		l = wire[pos];
		if(l == 0)
			return n;
		/* compression pointer or extended label type */
		if((l & 0xc0) || n == FB_LABELS_MAX || l >= wlen - pos)
			return -1;
		off[n++] = (uint8_t)pos;
		pos += 1 + (size_t)l;
	}
	return -1;	/* ran out before the root label */
}

void
fb_qname_from_wire(const uint8_t *wire, size_t wlen, struct fb_qname *q)
{
	uint8_t off[FB_LABELS_MAX];
	int n = wire_labels(wire, wlen, off), i;
	size_t k = 0, j;
	const uint8_t *p;
	uint8_t c;

	q->nprefix = 0;
	q->full = 0;
	if(n < 0)
		return;
	for(i = n - 1; i >= 0; i--) {
		p = wire + off[i];
		for(j = 1; j <= p[0]; j++) {
			/* parents stay matchable: a block of "bad.example"
			 * still covers "{weird}.bad.example" */
			if(!(c = fb_name_map[p[j]]))
				return;
			q->key[k++] = c;
		}
		q->key[k++] = '.';
		q->ends[q->nprefix++] = (uint16_t)k;
	}
	q->full = 1;
}

void
fb_qname_from_key(const struct fb_key *key, struct fb_qname *q)
{
	size_t i, len = key->len > FB_KEY_MAX ? FB_KEY_MAX : key->len;

	memcpy(q->key, key->data, len);
	q->nprefix = 0;
	q->full = 1;
	for(i = 0; i < len && q->nprefix < FB_LABELS_MAX; i++)
		if(key->data[i] == '.')
			q->ends[q->nprefix++] = (uint16_t)(i + 1);
}
