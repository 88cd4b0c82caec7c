/**
 * \file
 * Fuzz harness for the query log's escaping (lib/fb_qlog.h): any bytes as
 * a query name in wire form and as a feed name.
 *
 * Properties checked on every input, each a promise of the header:
 * - fb_qlog_name_json() and fb_json_str() give one valid JSON string of
 *   printable ASCII, never longer than their buffer;
 * - a well-formed wire name's presentation form reads back (\DDD, \c) to
 *   exactly its labels;
 * - fb_qlog_format() gives one line of valid JSON ending in '\n', with no
 *   other line end, in every privacy mode.
 */
#include <string.h>
#include <sys/socket.h>
#include "fuzz.h"
#include "json_check.h"
#include "fb_qlog.h"

/** @return 1 if s is printable ASCII only. */
static int
printable(const char *s, size_t n)
{
	size_t i;

	for(i = 0; i < n; i++)
		if((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/**
 * Read the presentation form back into wire form: the JSON string's body
 * (only \" and \\ escapes occur in it) then \DDD and \c.
 * @return the wire length, or 0 when it does not read.
 */
static size_t
unpresent(const char *js, size_t n, uint8_t *w, size_t wmax)
{
	char pres[2048];
	size_t i, k = 0, wl = 0, lab = 0;

	/* JSON body -> presentation text */
	for(i = 1; i + 1 < n; i++) {
		if(js[i] == '\\')
			i++;
		if(k + 1 >= sizeof(pres))
			return 0;
		pres[k++] = js[i];
	}
	if(k == 1 && pres[0] == '.') {
		w[0] = 0;
		return 1;
	}
	w[wl++] = 0;	/* length of the first label, set below */
	for(i = 0; i < k; i++) {
		uint8_t c;
		if(pres[i] == '.') {
			w[lab] = (uint8_t)(wl - lab - 1);
			lab = wl;
			if(wl >= wmax)
				return 0;
			w[wl++] = 0;
			continue;
		}
		if(pres[i] == '\\') {
			if(i + 1 < k && pres[i + 1] >= '0' && pres[i + 1] <= '9') {
				if(i + 3 >= k)
					return 0;
				c = (uint8_t)((pres[i + 1] - '0') * 100 +
					(pres[i + 2] - '0') * 10 +
					(pres[i + 3] - '0'));
				i += 3;
			} else if(i + 1 < k) {
				c = (uint8_t)pres[++i];
			} else
				return 0;
		} else
			c = (uint8_t)pres[i];
		if(wl >= wmax)
			return 0;
		w[wl++] = c;
	}
	w[lab] = (uint8_t)(wl - lab - 1);
	if(wl >= wmax)
		return 0;
	w[wl++] = 0;
	return wl;
}

/** @return 1 if wire[0..len) is a well-formed name ending at its root. */
static int
well_formed(const uint8_t *wire, size_t len)
{
	size_t pos = 0;

	while(pos < len) {
		if(wire[pos] == 0)
			return pos + 1 == len;
		if(wire[pos] > 63)
			return 0;
		pos += 1 + wire[pos];
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[FB_QLOG_LINE_MAX];
	uint8_t back[512];
	struct fb_qlog_rec r;
	struct fb_qlog_key key;
	struct fb_qlog_names nm = { "A", "IN" };
	size_t n, wlen = size > 255 ? 255 : size;
	int mode;

	n = fb_qlog_name_json(data, wlen, out, sizeof(out));
	FUZZ_CHECK(n > 0 && n < sizeof(out) && strlen(out) == n);
	FUZZ_CHECK(printable(out, n) && json_valid(out, n));
	if(well_formed(data, wlen)) {
		size_t bl = unpresent(out, n, back, sizeof(back));
		FUZZ_CHECK(bl == wlen && memcmp(back, data, wlen) == 0);
	}
	/* small buffers: never past them */
	n = fb_qlog_name_json(data, wlen, out, 8);
	FUZZ_CHECK(n < 8);
	n = fb_json_str((const char *)data, size, out, sizeof(out));
	FUZZ_CHECK(n == 0 || (printable(out, n) && json_valid(out, n)));

	memset(&r, 0, sizeof(r));
	memset(&key, 0, sizeof(key));
	key.len = 32;
	memcpy(key.id, "0123abcd", 9);
	r.event = size && (data[0] & 1) ? FB_QLOG_BLOCK : FB_QLOG_PASS;
	r.family = size > 1 && (data[1] & 1) ? AF_INET6 : AF_INET;
	r.depth = size > 2 ? data[2] % 130 : 0;
	r.action = size > 3 ? data[3] : 0;
	r.category = size > 4 ? data[4] : 0;
	r.ts_ms = 1796094245678LL;
	r.qname_len = (uint8_t)wlen;
	memcpy(r.qname, data, wlen);
	memcpy(r.addr, data, size < 16 ? size : 16);
	n = size < sizeof(r.feed) ? size : sizeof(r.feed) - 1;
	memcpy(r.feed, data, n);
	for(mode = FB_PRIVACY_TRUNCATE; mode <= FB_PRIVACY_FULL; mode++) {
		n = fb_qlog_format(&r, (enum fb_privacy)mode, &key, &nm, out,
			sizeof(out));
		FUZZ_CHECK(n > 1 && out[n - 1] == '\n');
		FUZZ_CHECK(memchr(out, '\n', n - 1) == NULL);
		FUZZ_CHECK(printable(out, n - 1) && json_valid(out, n - 1));
	}
	return 0;
}
