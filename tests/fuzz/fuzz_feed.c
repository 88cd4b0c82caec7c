/**
 * \file
 * Fuzz harness for feed files: fb_parse_feed() (feeds/fb_parse.h) in both
 * formats, each into a fresh fb_nameset that is then finished, as
 * fraudblock-sync does with a downloaded list.
 *
 * Properties checked on every input:
 * - the line count is the number of LF-ended lines plus a last one
 *   without LF, after a byte order mark;
 * - domains: every line is exactly one of a name, an invalid line or a
 *   skipped line; hosts: every line counts at least once, and nothing
 *   counts more often than there are bytes;
 * - every refused line is reported once, with a line number in range, a
 *   reason and at most 80 bytes of text;
 * - the set after finish holds no more keys than names were accepted,
 *   and some if any were.
 */
#include <string.h>
#include "fuzz.h"
#include "fb_parse.h"
#include "fb_store.h"

/** What the report callback saw. */
struct seen {
	uint64_t reports;
	uint64_t last_line;
};

/** fb_parse_report that checks each report and counts it. */
static void
check_report(void *arg, uint64_t line, const char *reason, const char *text,
	size_t len)
{
	struct seen *s = arg;

	FUZZ_CHECK(reason != NULL && reason[0] != 0);
	FUZZ_CHECK(text != NULL || len == 0);
	FUZZ_CHECK(len <= 80);
	/* reports come in file order */
	FUZZ_CHECK(line >= 1 && line >= s->last_line);
	s->last_line = line;
	s->reports++;
}

/** @return the lines fb_parse_feed() must see in the buffer. */
static uint64_t
count_lines(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size, *nl;
	uint64_t n = 0;

	if(size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while(p < end) {
		n++;
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return n;
}

/** Parse in one format and check the counts. */
static void
check_format(enum fb_format fmt, const uint8_t *data, size_t size,
	uint64_t lines)
{
	struct fb_nameset *ns = fb_nameset_new();
	struct fb_parse_stats st, st2;
	struct seen s;
	uint64_t total;
	size_t count;

	/* no memory is no finding; there is nothing to check */
	if(!ns)
		return;
	memset(&s, 0, sizeof(s));
	memset(&st, 0xa5, sizeof(st));
	if(!fb_parse_feed(fmt, (const char *)data, size, ns, &st,
		check_report, &s)) {
		fb_nameset_free(ns);
		return;
	}
	total = st.names + st.invalid + st.skipped;
	FUZZ_CHECK(st.lines == lines);
	FUZZ_CHECK(s.reports == st.invalid);
	FUZZ_CHECK(s.last_line <= st.lines);
	if(fmt == FB_FORMAT_DOMAINS)
		FUZZ_CHECK(total == st.lines);
	else
		FUZZ_CHECK(total >= st.lines);
	FUZZ_CHECK(total <= size);
	/* a name takes at least "a.b" */
	FUZZ_CHECK(st.names * 3 <= size);

	fb_nameset_finish(ns);
	count = fb_nameset_count(ns);
	FUZZ_CHECK(count <= st.names);
	FUZZ_CHECK((count == 0) == (st.names == 0));
	fb_nameset_free(ns);

	/* the callback is optional and must not change the counts */
	if(!(ns = fb_nameset_new()))
		return;
	if(fb_parse_feed(fmt, (const char *)data, size, ns, &st2, NULL, NULL))
		FUZZ_CHECK(memcmp(&st, &st2, sizeof(st)) == 0);
	fb_nameset_free(ns);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t lines = count_lines(data, size);

	check_format(FB_FORMAT_DOMAINS, data, size, lines);
	check_format(FB_FORMAT_HOSTS, data, size, lines);
	return 0;
}
