/**
 * \file
 * Unit tests of feeds/fb_spool.c (the unnamed spool file and its
 * streaming gzip inflater) and feeds/fb_http.c (the header lines
 * fraudblock-sync reads).  gzip streams are made here with zlib; the
 * spools live in a directory made with mkdtemp under $TMPDIR (default
 * /tmp), which must stay empty: the spool file has no name.  TAP output.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "tap.h"
#include "fb_spool.h"
#include "fb_http.h"

/** The spool directory of the tests. */
static char dir[512];

/** gzip one member of len bytes into out.  @return its size, 0 on error. */
static size_t
gzip_member(const void *in, size_t len, unsigned char *out, size_t room)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
		Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)room;
	if(deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		return 0;
	}
	n = room - z.avail_out;
	deflateEnd(&z);
	return n;
}

/**
 * Write buf into a new spool chunk bytes at a time and finish it.
 * @param got: out: a copy of the result (NUL-terminated), or the error.
 * @return 1 if the spool took it all, 0 if it refused.
 */
static int
spool_run(enum fb_spool_mode mode, uint64_t max, const void *buf,
	size_t len, size_t chunk, char *got, size_t gotlen, uint64_t *size)
{
	const unsigned char *p = buf;
	struct fb_spool *s;
	const char *data;
	size_t n, dlen;
	int ok = 1;

	got[0] = 0;
	if(!(s = fb_spool_new(mode, max, got, gotlen)))
		return 0;
	while(len > 0 && ok) {
		n = len < chunk ? len : chunk;
		ok = fb_spool_write(s, p, n);
		p += n;
		len -= n;
	}
	if(ok)
		ok = fb_spool_finish(s, &data, &dlen);
	if(ok)
		snprintf(got, gotlen, "%.*s", (int)dlen, data);
	else
		snprintf(got, gotlen, "%s", fb_spool_error(s));
	if(size)
		*size = fb_spool_size(s);
	fb_spool_free(s);
	return ok;
}

/** @return the number of entries in dir, "." and ".." aside. */
static int
dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if(!d)
		return -1;
	while((e = readdir(d)) != NULL)
		if(strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_plain(void)
{
	char got[256];
	struct fb_spool *s;

	ok(spool_run(FB_SPOOL_PLAIN, 100, "a.example\nb.example\n", 20, 3,
		got, sizeof(got), NULL), "plain bytes are spooled");
	is_str(got, "a.example\nb.example\n", "... as they came");
	ok(spool_run(FB_SPOOL_AUTO, 100, "x", 1, 1, got, sizeof(got), NULL),
		"auto: one byte in all is plain");
	is_str(got, "x", "... and kept");
	ok(spool_run(FB_SPOOL_AUTO, 100, "", 0, 1, got, sizeof(got), NULL),
		"auto: no byte at all is an empty feed");
	is_str(got, "", "... of no bytes");
	ok(!spool_run(FB_SPOOL_PLAIN, 10, "0123456789a", 11, 4, got,
		sizeof(got), NULL), "plain: one byte over max-size is refused");
	is_str(got, "over max-size (10 bytes)", "... saying so");
	ok(spool_run(FB_SPOOL_PLAIN, 10, "0123456789", 10, 4, got,
		sizeof(got), NULL), "plain: exactly max-size is taken");
	/* the file has no name while it is in use */
	s = fb_spool_new(FB_SPOOL_PLAIN, 10, got, sizeof(got));
	ok(s && fb_spool_write(s, "abc", 3), "a spool takes bytes");
	is_int(dir_entries(), 0, "... and its file has no name in $TMPDIR");
	fb_spool_free(s);
}

static void
test_gzip(void)
{
	static const char one[] = "phish.example\nscam.example\n";
	static const char two[] = "third.example\n";
	unsigned char gz[1024], bad[65536];
	size_t n1, n2, chunk;
	char got[256], *zeros;
	uint64_t size = 0;
	int all = 1;

	n1 = gzip_member(one, strlen(one), gz, sizeof(gz));
	n2 = gzip_member(two, strlen(two), gz + n1, sizeof(gz) - n1);
	ok(n1 > 0 && n2 > 0, "zlib made two gzip members");
	ok(spool_run(FB_SPOOL_GZIP, 1000, gz, n1, 4096, got, sizeof(got),
		NULL), "one gzip member is inflated");
	is_str(got, one, "... to its text");
	ok(spool_run(FB_SPOOL_AUTO, 1000, gz, n1, 4096, got, sizeof(got),
		NULL), "auto: the gzip magic means gzip");
	is_str(got, one, "... inflated");
	/* members back to back, cut anywhere, as a network would */
	for(chunk = 1; chunk <= 17; chunk++) {
		if(!spool_run(FB_SPOOL_GZIP, 1000, gz, n1 + n2, chunk, got,
			sizeof(got), NULL) || strcmp(got, "phish.example\n"
			"scam.example\nthird.example\n") != 0)
			all = 0;
	}
	ok(all, "two members in chunks of 1 to 17 bytes give both texts");
	ok(!spool_run(FB_SPOOL_GZIP, 1000, gz, n1 - 5, 7, got, sizeof(got),
		NULL), "a member cut in its trailer is refused");
	ok(strncmp(got, "truncated gzip stream", 21) == 0,
		"... as a truncated gzip stream");
	ok(!spool_run(FB_SPOOL_GZIP, 1000, gz, n1 + n2 / 2, 7, got,
		sizeof(got), NULL), "a second member cut short is refused");
	ok(strncmp(got, "truncated gzip stream", 21) == 0,
		"... as truncated too");
	ok(!spool_run(FB_SPOOL_GZIP, 1000, "", 0, 1, got, sizeof(got),
		NULL), "gzip mode and no byte at all is refused");
	memcpy(bad, gz, n1);
	bad[n1 - 8] ^= 0x55;	/* the CRC-32 of the trailer */
	ok(!spool_run(FB_SPOOL_GZIP, 1000, bad, n1, 4096, got, sizeof(got),
		NULL), "a wrong CRC is refused");
	ok(strncmp(got, "bad gzip data in member 1", 25) == 0,
		"... as bad gzip data in member 1");
	memcpy(bad, gz, n1);
	memcpy(bad + n1, "trailing text\n", 14);
	ok(!spool_run(FB_SPOOL_GZIP, 1000, bad, n1 + 14, 4096, got,
		sizeof(got), NULL), "text after a member is refused");
	ok(strncmp(got, "bad gzip data in member 2", 25) == 0,
		"... as bad data where member 2 would start");
	/* a bomb: 8 MB of zeros in a few kB, cut at max-size */
	if(!(zeros = calloc(1, 8 << 20)))
		return;
	n1 = gzip_member(zeros, 8 << 20, bad, sizeof(bad));
	free(zeros);
	ok(n1 > 0 && n1 < 16384, "8 MB of zeros gzip to under 16 kB");
	ok(!spool_run(FB_SPOOL_AUTO, 1 << 20, bad, n1, 4096, got,
		sizeof(got), &size), "a gzip bomb is refused");
	is_str(got, "over max-size (1048576 bytes) after decompression: "
		"gzip bomb?", "... saying what it looks like");
	ok(size <= (1 << 20), "... having written no more than max-size");
}

static void
test_headers(void)
{
	struct fb_http_resp r;
	char line[400];

	fb_http_resp_reset(&r);
	fb_http_header_line(&r, "HTTP/1.1 301 Moved\r\n", 20);
	is_int(r.status, 301, "status line read");
	fb_http_header_line(&r, "ETag: \"old\"\r\n", 13);
	is_str(r.etag, "\"old\"", "ETag read");
	fb_http_header_line(&r, "HTTP/2 200\r\n", 12);
	is_int(r.status, 200, "HTTP/2 status line read");
	is_str(r.etag, "", "a new status line forgets the redirect's ETag");
	fb_http_header_line(&r, "etag:\t W/\"5f-1b\" \r\n", 19);
	is_str(r.etag, "W/\"5f-1b\"", "name case ignored, value trimmed");
	fb_http_header_line(&r, "Last-Modified: Mon, 30 Nov 2026 10:00:00 "
		"GMT\r\n", 46);
	is_str(r.last_modified, "Mon, 30 Nov 2026 10:00:00 GMT",
		"Last-Modified read");
	fb_http_header_line(&r, "ETag: \"a\x01" "b\"\r\n", 14);
	is_str(r.etag, "", "an ETag with a control byte is dropped");
	is_int(r.dropped, 1, "... and counted");
	memset(line, 'x', sizeof(line));
	memcpy(line, "ETag: ", 6);
	fb_http_header_line(&r, line, 6 + FB_HTTP_ETAG_MAX);
	is_str(r.etag, "", "an ETag that does not fit is dropped, not cut");
	fb_http_header_line(&r, line, 6 + FB_HTTP_ETAG_MAX - 1);
	is_int((int)strlen(r.etag), FB_HTTP_ETAG_MAX - 1,
		"the longest ETag that fits is kept");
	fb_http_header_line(&r, "Content-Encoding: GZIP\r\n", 24);
	is_int(r.encoding, FB_HTTP_ENC_GZIP, "Content-Encoding gzip, any case");
	fb_http_header_line(&r, "Content-Encoding: identity", 26);
	is_int(r.encoding, FB_HTTP_ENC_NONE, "identity is no encoding");
	fb_http_header_line(&r, "Content-Encoding: br\x1b\r\n", 23);
	is_int(r.encoding, FB_HTTP_ENC_OTHER, "br is not supported");
	is_str(r.encoding_text, "br?", "... and named without control bytes");
	fb_http_header_line(&r, "HTTP/1.1 2000 Odd\r\n", 19);
	is_int(r.status, 0, "a four-digit status is no status");
	ok(fb_http_value_ok("\"x\"", 8), "a stored validator may be sent");
	ok(!fb_http_value_ok("a\r\nX: y", 64), "... not with CR LF in it");
	ok(!fb_http_value_ok("", 64), "... not when empty");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/fb-test-spool.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if(!mkdtemp(dir)) {
		printf("Bail out! mkdtemp %s failed\n", dir);
		return 1;
	}
	setenv("TMPDIR", dir, 1);
	test_plain();
	test_gzip();
	test_headers();
	is_int(dir_entries(), 0, "no spool file is left behind");
	rmdir(dir);
	return done_testing();
}
