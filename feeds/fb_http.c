/**
 * \file
 * HTTP response header lines; the contract is in fb_http.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "fb_http.h"

void
fb_http_resp_reset(struct fb_http_resp *r)
{
	memset(r, 0, sizeof(*r));
}

/** @return 1 if the len bytes at v are printable ASCII. */
static int
printable(const char *v, size_t len)
{
	size_t i;

	for(i = 0; i < len; i++)
		if((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return 0;
	return 1;
}

int
fb_http_value_ok(const char *v, size_t room)
{
	size_t len = strnlen(v, room);

	return len > 0 && len < room && printable(v, len);
}

/** Keep a validator in dst (room bytes) if it is fit to be sent back. */
static void
take_validator(struct fb_http_resp *r, char *dst, size_t room,
	const char *v, size_t len)
{
	if(len == 0 || len >= room || !printable(v, len)) {
		dst[0] = 0;
		r->dropped++;
		return;
	}
	memcpy(dst, v, len);
	dst[len] = 0;
}

/** Read the code of a status line "HTTP/x[.y] NNN ...".  @return it or 0. */
static int
status_code(const char *line, size_t len)
{
	size_t i = 5;

	while(i < len && line[i] != ' ')
		i++;
	if(len - i < 4 || line[i + 1] < '1' || line[i + 1] > '5' ||
		line[i + 2] < '0' || line[i + 2] > '9' ||
		line[i + 3] < '0' || line[i + 3] > '9')
		return 0;
	if(len - i > 4 && line[i + 4] != ' ' && line[i + 4] != '\r' &&
		line[i + 4] != '\n')
		return 0;
	return (line[i + 1] - '0') * 100 + (line[i + 2] - '0') * 10 +
		(line[i + 3] - '0');
}

/** Record a Content-Encoding value. */
static void
take_encoding(struct fb_http_resp *r, const char *v, size_t len)
{
	size_t i, n;

	if(len == 0 || (len == 8 && strncasecmp(v, "identity", 8) == 0)) {
		r->encoding = FB_HTTP_ENC_NONE;
		return;
	}
	if((len == 4 && strncasecmp(v, "gzip", 4) == 0) ||
		(len == 6 && strncasecmp(v, "x-gzip", 6) == 0)) {
		r->encoding = FB_HTTP_ENC_GZIP;
		return;
	}
	r->encoding = FB_HTTP_ENC_OTHER;
	n = len < sizeof(r->encoding_text) - 1 ? len :
		sizeof(r->encoding_text) - 1;
	for(i = 0; i < n; i++)
		r->encoding_text[i] = printable(v + i, 1) ? v[i] : '?';
	r->encoding_text[n] = 0;
}

void
fb_http_header_line(struct fb_http_resp *r, const char *line, size_t len)
{
	const char *colon, *v;
	size_t nlen, vlen;

	while(len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if(len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		fb_http_resp_reset(r);
		r->status = status_code(line, len);
		return;
	}
	if(!(colon = memchr(line, ':', len)))
		return;
	nlen = (size_t)(colon - line);
	v = colon + 1;
	vlen = len - nlen - 1;
	while(vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while(vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if(nlen == 4 && strncasecmp(line, "ETag", 4) == 0)
		take_validator(r, r->etag, sizeof(r->etag), v, vlen);
	else if(nlen == 13 && strncasecmp(line, "Last-Modified", 13) == 0)
		take_validator(r, r->last_modified, sizeof(r->last_modified),
			v, vlen);
	else if(nlen == 16 && strncasecmp(line, "Content-Encoding", 16) == 0)
		take_encoding(r, v, vlen);
}
