/**
 * \file
 * Fuzz harness for the query log reader (lib/fb_qlog_read.h): any bytes
 * as a log file, split into lines and parsed as records.
 *
 * The first byte is the size of the pieces the splitter is fed in (1 to
 * 256: lines cut across reads), the rest is the file.  Properties checked,
 * each a promise of the header:
 * - the lines handed out, with their newlines, are exactly the file (a
 *   too-long line by its length only) and their numbers count from 1;
 * - a line is never longer than FB_QLOG_READ_LINE_MAX;
 * - a record that parses has qname (and matched when set) of printable
 *   ASCII, a block has matched, feed, category and action, ede fits in
 *   16 bits, and every string lies inside the line, NUL-terminated there.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_qlog_read.h"

/** The input, fed in pieces. */
struct feed {
	const uint8_t *p;	/**< next byte */
	size_t left;		/**< bytes left */
	size_t piece;		/**< most bytes per read */
};

/** fb_qlog_read_fn over struct feed. */
static long
feed_read(void *arg, char *buf, size_t len)
{
	struct feed *f = arg;
	size_t n = f->left < f->piece ? f->left : f->piece;

	if(n > len)
		n = len;
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (long)n;
}

/** @return 1 if s is printable ASCII without the space, non-empty. */
static int
printable(const char *s)
{
	if(!*s)
		return 0;
	for(; *s; s++)
		if((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/** @return 1 if s is NULL or a string inside [lo, hi). */
static int
inside(const char *s, const char *lo, const char *hi)
{
	return !s || (s >= lo && s + strlen(s) < hi);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char copy[FB_QLOG_READ_LINE_MAX + 1];
	struct feed f;
	struct fb_qlog_lines *ls;
	struct fb_qlog_entry e;
	uint64_t lineno, want = 0;
	size_t len, pos = 0;
	char *line;
	int rc;

	if(size < 1)
		return 0;
	f.piece = (size_t)data[0] + 1;
	f.p = data + 1;
	f.left = size - 1;
	FUZZ_CHECK((ls = fb_qlog_lines_new(feed_read, &f)) != NULL);
	while((rc = fb_qlog_lines_next(ls, &line, &len, &lineno)) == 1) {
		FUZZ_CHECK(lineno == ++want);
		FUZZ_CHECK(pos + len <= size - 1);
		if(line) {
			FUZZ_CHECK(len <= FB_QLOG_READ_LINE_MAX);
			FUZZ_CHECK(memcmp(line, data + 1 + pos, len) == 0);
			memcpy(copy, line, len);
			copy[len] = 0x7f;	/* a read past the line shows */
			if(fb_qlog_parse(copy, len, &e) == FB_QLOG_GOOD) {
				FUZZ_CHECK(printable(e.qname));
				FUZZ_CHECK(!e.matched || printable(e.matched));
				FUZZ_CHECK(e.ede >= -1 && e.ede <= 65535);
				FUZZ_CHECK(e.event != FB_QLOG_EV_BLOCK ||
					(e.matched && e.feed && e.category &&
					e.action));
				FUZZ_CHECK(inside(e.qname, copy, copy + len) &&
					inside(e.client, copy, copy + len) &&
					inside(e.feed, copy, copy + len) &&
					inside(e.qtype, copy, copy + len));
			}
			FUZZ_CHECK(copy[len] == 0x7f);
		} else
			FUZZ_CHECK(len > FB_QLOG_READ_LINE_MAX);
		pos += len;
		if(pos < size - 1) {
			FUZZ_CHECK(data[1 + pos] == '\n');
			pos++;
		}
	}
	FUZZ_CHECK(rc == 0 && pos == size - 1);
	fb_qlog_lines_free(ls);
	return 0;
}
