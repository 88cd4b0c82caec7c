/**
 * \file
 * Fuzz harness for the bytes a web server sends that fraudblock-sync
 * reads itself: response header lines (feeds/fb_http.h) and bodies
 * through the spool and its gzip inflater (feeds/fb_spool.h).
 *
 * The first byte picks what the rest is:
 * - 'H': header lines, split at '\n', given one by one;
 * - 'G': a body in FB_SPOOL_GZIP mode, 'A' in FB_SPOOL_AUTO mode, 'P'
 *   plain; the second byte, if any, sets the chunk size the body is cut
 *   into (1 to 256 bytes), as a network would;
 * - anything else: the whole input as header lines and as an AUTO body.
 *
 * Properties checked on every input:
 * - a kept validator is 1 to room - 1 bytes of printable ASCII and
 *   passes fb_http_value_ok(); the status is 0 or 100..599;
 * - a spool never holds more than its max-size (FUZZ_SPOOL_MAX), a
 *   failed spool says why, and a finished one maps exactly
 *   fb_spool_size() bytes.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_http.h"
#include "fb_spool.h"

/** max-size of the spools: small, so bombs are cut quickly. */
#define FUZZ_SPOOL_MAX 65536

/** Check the properties of a response's facts. */
static void
check_resp(const struct fb_http_resp *r)
{
	FUZZ_CHECK(r->status == 0 || (r->status >= 100 && r->status <= 599));
	FUZZ_CHECK(r->etag[0] == 0 ||
		fb_http_value_ok(r->etag, sizeof(r->etag)));
	FUZZ_CHECK(r->last_modified[0] == 0 ||
		fb_http_value_ok(r->last_modified, sizeof(r->last_modified)));
	FUZZ_CHECK(memchr(r->encoding_text, 0, sizeof(r->encoding_text)));
	FUZZ_CHECK(r->encoding <= FB_HTTP_ENC_OTHER);
}

/** Give the lines of data to a response, one by one. */
static void
run_headers(const uint8_t *data, size_t size)
{
	struct fb_http_resp r;
	const uint8_t *nl;
	size_t len;

	fb_http_resp_reset(&r);
	while(size > 0) {
		nl = memchr(data, '\n', size);
		len = nl ? (size_t)(nl - data) + 1 : size;
		fb_http_header_line(&r, (const char *)data, len);
		check_resp(&r);
		data += len;
		size -= len;
	}
}

/** Write data into a spool in chunks, then finish it. */
static void
run_spool(enum fb_spool_mode mode, size_t chunk, const uint8_t *data,
	size_t size)
{
	struct fb_spool *s;
	const char *out;
	char err[256];
	size_t n, len;
	int ok = 1;

	if(!(s = fb_spool_new(mode, FUZZ_SPOOL_MAX, err, sizeof(err)))) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	while(size > 0 && ok) {
		n = size < chunk ? size : chunk;
		ok = fb_spool_write(s, data, n);
		FUZZ_CHECK(fb_spool_size(s) <= FUZZ_SPOOL_MAX);
		data += n;
		size -= n;
	}
	if(ok && fb_spool_finish(s, &out, &len)) {
		FUZZ_CHECK(len == fb_spool_size(s));
		/* the whole mapping is readable */
		if(len > 0) {
			volatile char last = out[len - 1];
			(void)last;
		}
	} else
		FUZZ_CHECK(fb_spool_error(s)[0] != 0);
	fb_spool_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk = 4096, skip;

	if(size == 0)
		return 0;
	/* the mode byte, and the chunk size byte when there is one */
	skip = size >= 2 ? 2 : 1;
	if(skip == 2)
		chunk = (size_t)data[1] + 1;
	switch(data[0]) {
	case 'H':
		run_headers(data + 1, size - 1);
		break;
	case 'G':
		run_spool(FB_SPOOL_GZIP, chunk, data + skip, size - skip);
		break;
	case 'A':
		run_spool(FB_SPOOL_AUTO, chunk, data + skip, size - skip);
		break;
	case 'P':
		run_spool(FB_SPOOL_PLAIN, chunk, data + skip, size - skip);
		break;
	default:
		run_headers(data, size);
		run_spool(FB_SPOOL_AUTO, 4096, data, size);
		break;
	}
	return 0;
}
