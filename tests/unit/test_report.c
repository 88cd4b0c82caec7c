/**
 * \file
 * Unit tests of the query log reader (lib/fb_qlog_read.h) that
 * fraudblock-ctl top and report stand on, and of their count table
 * (tools/ctl_count.h): every member of a record read back, the JSON
 * escapes and doc/querylog.md's name escaping, each way a line is
 * refused (cut, garbage, another version, wrong types), times, the line
 * splitter fed in small pieces, and the table's cap.
 *
 * Lines are parsed from malloc()ed copies of exactly their length, so a
 * read past a line is an error under ASan.
 */
#include <stdlib.h>
#include <string.h>
#include "fb_qlog_read.h"
#include "ctl_count.h"
#include "tap.h"

/** The record of doc/querylog.md. */
#define DOC_REC "{\"v\":1,\"ts\":\"2026-12-01T03:04:05.678Z\"," \
	"\"event\":\"block\",\"client\":\"192.0.2.0/24\"," \
	"\"qname\":\"www.scam.example\",\"qtype\":\"A\",\"qclass\":\"IN\"," \
	"\"matched\":\"scam.example\",\"feed\":\"hostsvn\"," \
	"\"category\":\"scam\",\"action\":\"sinkhole\",\"ede\":15," \
	"\"generation\":123,\"thread\":0,\"cname\":false}"
/** 2026-12-01T03:04:05.678Z in unix milliseconds (python3 datetime). */
#define DOC_TS 1796094245678LL

/** The last parsed copy (freed by the next parse). */
static char *last;

/** Parse a copy of exactly strlen(s) bytes into e. */
static enum fb_qlog_bad
parse(const char *s, struct fb_qlog_entry *e)
{
	size_t n = strlen(s);

	free(last);
	last = malloc(n ? n : 1);
	memcpy(last, s, n);
	return fb_qlog_parse(last, n, e);
}

/** DOC_REC with member text "from" replaced by "to". */
static const char *
doc_with(const char *from, const char *to)
{
	static char buf[2048];
	const char *p = strstr(DOC_REC, from);

	if(!p)
		return "(no such member)";
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - DOC_REC), DOC_REC,
		to, p + strlen(from));
	return buf;
}

static void
test_record(void)
{
	struct fb_qlog_entry e;

	is_int(parse(DOC_REC, &e), FB_QLOG_GOOD, "the documented record");
	is_int(e.ts_ms, DOC_TS, "ts in unix milliseconds");
	is_int(e.event, FB_QLOG_EV_BLOCK, "event block");
	is_str(e.client, "192.0.2.0/24", "client");
	ok(e.key == NULL, "no key member: key NULL");
	is_str(e.qname, "www.scam.example", "qname");
	is_str(e.qtype, "A", "qtype");
	is_str(e.qclass, "IN", "qclass");
	is_str(e.matched, "scam.example", "matched");
	is_str(e.feed, "hostsvn", "feed");
	is_str(e.category, "scam", "category");
	is_str(e.action, "sinkhole", "action");
	is_int(e.ede, 15, "ede");
	is_int(e.generation, 123, "generation");
	is_int(e.thread, 0, "thread");
	is_int(e.cname, 0, "cname false");

	is_int(parse("{\"v\":1,\"ts\":\"2026-12-01T03:04:05.678Z\","
		"\"event\":\"pass\",\"client\":null,\"qname\":\"ok.example\","
		"\"qtype\":\"TYPE65534\",\"qclass\":\"IN\",\"matched\":null,"
		"\"feed\":null,\"category\":null,\"action\":null,\"ede\":null,"
		"\"generation\":18446744073709551615,\"thread\":7,"
		"\"cname\":true}", &e), FB_QLOG_GOOD, "a pass record");
	ok(e.event == FB_QLOG_EV_PASS && !e.client && !e.matched && !e.feed &&
		!e.category && !e.action && e.ede == -1,
		"pass: nulls read as NULL, ede -1");
	ok(e.generation == UINT64_MAX && e.thread == 7 && e.cname == 1,
		"generation up to 2^64-1, thread, cname true");
	is_str(e.qtype, "TYPE65534", "qtype TYPEnnn");

	is_int(parse(doc_with("\"client\":\"192.0.2.0/24\",",
		"\"client\":\"hmac:00112233445566778899aabbccddeeff\","
		"\"key\":\"0123abcd\","), &e), FB_QLOG_GOOD,
		"hash mode: key after client");
	is_str(e.key, "0123abcd", "key read");
	is_str(e.client, "hmac:00112233445566778899aabbccddeeff",
		"hash client read");
	is_int(parse(doc_with("\"event\":\"block\"",
		"\"event\":\"would-block\""), &e), FB_QLOG_GOOD,
		"event would-block");
	is_int(e.event, FB_QLOG_EV_WOULD_BLOCK, "would-block read");

	/* the schema lets members be added at the end; JSON allows spaces
	 * and any order */
	is_int(parse(doc_with("\"cname\":false}", "\"cname\":false,"
		"\"new\":[1,{\"a\":[true,null]},-2.5e3,\"x\"]}"), &e),
		FB_QLOG_GOOD, "an unknown member (nested) is ignored");
	is_int(parse(" { \"thread\" : 0 , \"v\":1,\"ts\":"
		"\"2026-12-01T03:04:05.678Z\",\"event\":\"block\",\"client\":"
		"null,\"qname\":\"a\",\"qtype\":\"A\",\"qclass\":\"IN\","
		"\"matched\":\"a\",\"feed\":\"f\",\"category\":\"c\","
		"\"action\":\"nxdomain\",\"ede\":17,\"generation\":0,"
		"\"cname\":false }\r\t", &e), FB_QLOG_GOOD,
		"spaces, CR and another member order");
	is_int(e.ede, 17, "ede 17 in the reordered record");
}

static void
test_escapes(void)
{
	struct fb_qlog_entry e;

	/* doc/querylog.md: a label a.b is "a\\.b" in JSON, a\.b decoded */
	is_int(parse(doc_with("\"www.scam.example\"",
		"\"a\\\\.b\\\\000\\\"\\\\195\\\\169\\\\032\\\\;x\""), &e),
		FB_QLOG_GOOD, "presentation escapes in qname");
	is_str(e.qname, "a\\.b\\000\"\\195\\169\\032\\;x",
		"qname decoded to its presentation form");
	is_int(parse(doc_with("\"www.scam.example\"", "\"www\\\\#\""), &e),
		FB_QLOG_GOOD, "a cut name's \\# mark");
	is_str(e.qname, "www\\#", "cut name read");
	is_int(parse(doc_with("\"hostsvn\"",
		"\"f\\u00c3\\u0001\\\"\\\\\\/\\b\\f\\n\\r\\t\""), &e),
		FB_QLOG_GOOD, "JSON escapes in feed");
	is_str(e.feed, "f\xc3\x01\"\\/\b\f\n\r\t",
		"\\u00XX is byte XX (the module's form), the others as JSON");
	is_int(parse(doc_with("\"hostsvn\"", "\"\\u20ac\\ud83d\\ude00\""),
		&e), FB_QLOG_GOOD, "\\u above 0xff and a surrogate pair");
	is_str(e.feed, "\xe2\x82\xac\xf0\x9f\x98\x80", "... as UTF-8");
	is_int(parse(doc_with("\"hostsvn\"", "\"\\ud83d\""), &e),
		FB_QLOG_BAD_JSON, "a lone high surrogate is refused");
	is_int(parse(doc_with("\"hostsvn\"", "\"\\ude00\""), &e),
		FB_QLOG_BAD_JSON, "a lone low surrogate is refused");
	is_int(parse(doc_with("\"hostsvn\"", "\"a\\u0000b\""), &e),
		FB_QLOG_BAD_JSON, "\\u0000 is refused (no NUL inside)");
	is_int(parse(doc_with("\"hostsvn\"", "\"\\u12g4\""), &e),
		FB_QLOG_BAD_JSON, "a bad hex digit");
	is_int(parse(doc_with("\"hostsvn\"", "\"\\x41\""), &e),
		FB_QLOG_BAD_JSON, "an escape JSON does not have");
	is_int(parse(doc_with("\"hostsvn\"", "\"a\tb\""), &e),
		FB_QLOG_BAD_JSON, "a raw control byte in a string");
	is_int(parse(doc_with("\"www.scam.example\"", "\"a\\u0001b\""), &e),
		FB_QLOG_BAD_VALUE, "a control byte in qname: not a record");
	is_int(parse(doc_with("\"www.scam.example\"", "\"a b\""), &e),
		FB_QLOG_BAD_VALUE, "a space in qname (the module writes \\032)");
	is_int(parse(doc_with("\"www.scam.example\"", "\"\xc3\xa9\""), &e),
		FB_QLOG_BAD_VALUE, "raw UTF-8 in qname");
	is_int(parse(doc_with("\"scam.example\"", "\"sc\\u00ffam\""), &e),
		FB_QLOG_BAD_VALUE, "a byte above 0x7e in matched");
}

static void
test_refused(void)
{
	static const char *const garbage[] = { "[]", "null", "\"x\"", "{",
		"}", "{\"v\":1", "{\"v\":1,}", "{\"v\" 1}", "{v:1}",
		"{\"v\":01}", "{\"v\":1.}", "{\"v\":-}", "{\"v\":1e}",
		"{\"v\":tru}", "{\"v\":1}}", "{\"v\":1} x", "{\"v\":\"1}",
		"\xff\xfe{}", "{\"v\":1,\"x\":[1,]}" };
	struct fb_qlog_entry e;
	char deep[200], cut[1024];
	size_t i, n, good = 0;

	for(i = 0; i < sizeof(garbage) / sizeof(*garbage); i++)
		if(parse(garbage[i], &e) == FB_QLOG_BAD_JSON)
			good++;
	is_int(good, sizeof(garbage) / sizeof(*garbage),
		"each kind of garbage is not JSON");
	is_int(parse("", &e), FB_QLOG_BAD_EMPTY, "empty line");
	is_int(parse(" \t ", &e), FB_QLOG_BAD_EMPTY, "blank line");
	is_int(parse("{}", &e), FB_QLOG_BAD_MISSING, "{}: members missing");
	/* every cut of the record is refused, none read past its end */
	n = strlen(DOC_REC);
	good = 0;
	for(i = 0; i < n; i++) {
		memcpy(cut, DOC_REC, i);
		cut[i] = 0;
		if(parse(cut, &e) != FB_QLOG_GOOD)
			good++;
	}
	is_int(good, n, "every one of the record's cut lines is refused");

	is_int(parse(doc_with("\"v\":1", "\"v\":2"), &e), FB_QLOG_BAD_VERSION,
		"v 2 refused as another version");
	is_int(parse("{\"v\":2,\"whatever\":true}", &e), FB_QLOG_BAD_VERSION,
		"v 2 with other members: version, not missing");
	is_int(parse(doc_with("\"v\":1", "\"v\":\"1\""), &e),
		FB_QLOG_BAD_VERSION, "v as a string");
	is_int(parse(doc_with("\"v\":1", "\"v\":1.0"), &e),
		FB_QLOG_BAD_VERSION, "v 1.0");
	is_int(parse(doc_with("\"v\":1,", ""), &e), FB_QLOG_BAD_MISSING,
		"no v");
	is_int(parse(doc_with("\"qtype\":\"A\",", ""), &e),
		FB_QLOG_BAD_MISSING, "no qtype");
	is_int(parse(doc_with(",\"cname\":false", ""), &e),
		FB_QLOG_BAD_MISSING, "no cname");
	is_int(parse(doc_with("\"ede\":15", "\"ede\":15,\"ede\":15"), &e),
		FB_QLOG_BAD_DUPLICATE, "a member twice");

	is_int(parse(doc_with("\"ede\":15", "\"ede\":\"15\""), &e),
		FB_QLOG_BAD_VALUE, "ede as a string");
	is_int(parse(doc_with("\"ede\":15", "\"ede\":65536"), &e),
		FB_QLOG_BAD_VALUE, "ede past 16 bits");
	is_int(parse(doc_with("\"generation\":123", "\"generation\":-1"),
		&e), FB_QLOG_BAD_VALUE, "a negative generation");
	is_int(parse(doc_with("\"generation\":123",
		"\"generation\":18446744073709551616"), &e), FB_QLOG_BAD_VALUE,
		"generation past 2^64-1");
	is_int(parse(doc_with("\"thread\":0", "\"thread\":0.5"), &e),
		FB_QLOG_BAD_VALUE, "a fractional thread");
	is_int(parse(doc_with("\"cname\":false", "\"cname\":0"), &e),
		FB_QLOG_BAD_VALUE, "cname as a number");
	is_int(parse(doc_with("\"event\":\"block\"", "\"event\":\"blocked\""),
		&e), FB_QLOG_BAD_VALUE, "an unknown event");
	is_int(parse(doc_with("\"feed\":\"hostsvn\"", "\"feed\":null"), &e),
		FB_QLOG_BAD_VALUE, "a block without a feed");
	is_int(parse(doc_with("\"client\":\"192.0.2.0/24\"", "\"client\":5"),
		&e), FB_QLOG_BAD_VALUE, "client as a number");
	is_int(parse(doc_with("\"qname\":\"www.scam.example\"",
		"\"qname\":\"\""), &e), FB_QLOG_BAD_VALUE, "an empty qname");
	is_int(parse(doc_with("2026-12-01T03:04:05.678Z",
		"2026-12-01 03:04:05"), &e), FB_QLOG_BAD_VALUE,
		"ts without a zone");
	is_int(parse(doc_with("2026-12-01T03:04:05.678Z",
		"2026-02-29T03:04:05Z"), &e), FB_QLOG_BAD_VALUE,
		"ts on a day that does not exist");

	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = 0;
	is_int(parse(doc_with("\"cname\":false}", "\"cname\":false,\"x\":[[]]}"),
		&e), FB_QLOG_GOOD, "shallow nesting in an unknown member");
	is_int(parse(doc_with("\"cname\":false}", "\"cname\":false,\"x\":"),
		&e), FB_QLOG_BAD_JSON, "a member without a value");
	snprintf(cut, sizeof(cut), "%.*s,\"x\":%s}", (int)strlen(DOC_REC) - 1,
		DOC_REC, deep);
	is_int(parse(cut, &e), FB_QLOG_BAD_JSON,
		"nesting 40 deep is refused (bounded)");
}

static void
test_times(void)
{
	int64_t ms;
	const char *s;

	s = "2026-12-01T10:04:05.678+07:00";
	ok(fb_qlog_time_parse(s, strlen(s), &ms) && ms == DOC_TS,
		"an offset: +07:00 is 7 hours before UTC");
	s = "2026-12-01t03:04:05.678123456z";
	ok(fb_qlog_time_parse(s, strlen(s), &ms) && ms == DOC_TS,
		"lower-case t and z, nine fraction digits cut to ms");
	s = "2026-12-01T03:04:05.6Z";
	ok(fb_qlog_time_parse(s, strlen(s), &ms) && ms == DOC_TS - 78,
		"one fraction digit is tenths");
	s = "1970-01-01T00:00:00Z";
	ok(fb_qlog_time_parse(s, strlen(s), &ms) && ms == 0, "the epoch");
	s = "9999-12-31T23:59:59.999Z";
	ok(fb_qlog_time_parse(s, strlen(s), &ms) && ms == 253402300799999LL,
		"the last millisecond of 9999");
	s = "2000-02-29";
	ok(fb_qlog_date_parse(s, strlen(s), &ms) &&
		ms == 951868799000LL - 86399000LL, "2000-02-29 (a leap year)");
	s = "2100-02-29";
	ok(!fb_qlog_date_parse(s, strlen(s), &ms), "2100-02-29 is no date");
	s = "1969-12-31";
	ok(!fb_qlog_date_parse(s, strlen(s), &ms), "before 1970 refused");
	s = "2026-12-01T24:00:00Z";
	ok(!fb_qlog_time_parse(s, strlen(s), &ms), "hour 24 refused");
	s = "2026-12-01T03:04:05.Z";
	ok(!fb_qlog_time_parse(s, strlen(s), &ms), "an empty fraction");
	s = "2026-12-01T03:04:05Z ";
	ok(!fb_qlog_time_parse(s, strlen(s), &ms), "text after the zone");
	s = "2026-12-01";
	ok(!fb_qlog_time_parse(s, strlen(s), &ms), "a day is not a time");
}

/** Bytes fed to a splitter in pieces, optionally failing at the end. */
struct src {
	const char *p;	/**< next byte */
	size_t left;	/**< bytes left */
	size_t piece;	/**< at most this many per read */
	int fail;	/**< return -1 at the end instead of 0 */
};

/** fb_qlog_read_fn over struct src. */
static long
src_read(void *arg, char *buf, size_t len)
{
	struct src *s = arg;
	size_t n = s->left < s->piece ? s->left : s->piece;

	if(!n)
		return s->fail ? -1 : 0;
	if(n > len)
		n = len;
	memcpy(buf, s->p, n);
	s->p += n;
	s->left -= n;
	return (long)n;
}

/** Split text in pieces; describe the lines as "len:text|" ("len:-|" for
 * a too-long one) with the end's status. */
static const char *
split(const char *text, size_t len, size_t piece, int fail)
{
	static char out[4096];
	struct src s = { text, len, piece, fail };
	struct fb_qlog_lines *ls = fb_qlog_lines_new(src_read, &s);
	uint64_t lineno, want = 0;
	size_t n, o = 0, l;
	char *line;
	int rc;

	out[0] = 0;
	while((rc = fb_qlog_lines_next(ls, &line, &l, &lineno)) == 1) {
		if(lineno != ++want)
			return "(line numbers wrong)";
		n = (size_t)snprintf(out + o, sizeof(out) - o, "%zu:%.*s|", l,
			line ? (int)(l > 40 ? 40 : l) : 1, line ? line : "-");
		o += n;
	}
	snprintf(out + o, sizeof(out) - o, "end %d", rc);
	fb_qlog_lines_free(ls);
	return out;
}

static void
test_lines(void)
{
	static const char text[] = "a\nbc\n\r\n\nlast";
	char *big;
	size_t i, same = 0;

	for(i = 1; i <= 7; i++)
		if(strcmp(split(text, sizeof(text) - 1, i, 0),
			"1:a|2:bc|1:\r|0:|4:last|end 0") == 0)
			same++;
	is_int(same, 7, "lines split alike in pieces of 1 to 7 bytes; the "
		"last one without a newline is handed out");
	is_str(split("x\n", 2, 100, 0), "1:x|end 0", "no empty last line");
	is_str(split("", 0, 100, 0), "end 0", "an empty file has no line");
	is_str(split("a\nb", 3, 2, 1), "1:a|1:b|end -1",
		"a read error: the lines before, then -1");

	/* a line one byte too long, then one exactly at the limit */
	big = malloc(2 * FB_QLOG_READ_LINE_MAX + 16);
	memset(big, 'x', 2 * FB_QLOG_READ_LINE_MAX + 16);
	big[FB_QLOG_READ_LINE_MAX + 1] = '\n';
	big[2 * FB_QLOG_READ_LINE_MAX + 2] = '\n';
	memcpy(big + 2 * FB_QLOG_READ_LINE_MAX + 3, "ok\n", 3);
	for(i = 0, same = 0; i < 3; i++) {
		char want[256];
		snprintf(want, sizeof(want), "%d:-|%d:%.40s|2:ok|end 0",
			FB_QLOG_READ_LINE_MAX + 1, FB_QLOG_READ_LINE_MAX,
			big + FB_QLOG_READ_LINE_MAX + 2);
		if(strcmp(split(big, 2 * FB_QLOG_READ_LINE_MAX + 6,
			i == 0 ? 3 : i == 1 ? 4096 : 1000000, 0), want) == 0)
			same++;
	}
	is_int(same, 3, "a too-long line is told (line NULL, its length), "
		"the next ones are whole, in any piece size");
	is_str(split(big, FB_QLOG_READ_LINE_MAX + 5, 5000, 0),
		"16385:-|3:xxx|end 0", "too long then a short last line");
	big[FB_QLOG_READ_LINE_MAX + 1] = 'x';
	is_str(split(big, FB_QLOG_READ_LINE_MAX + 5, 5000, 0),
		"16389:-|end 0", "a too-long last line without a newline");
	free(big);
}

/** qsort: by count, most first. */
static int
by_count(const void *a, const void *b)
{
	const struct ctl_count_item *x = *(const struct ctl_count_item *
		const *)a, *y = *(const struct ctl_count_item *const *)b;

	return x->n[0] < y->n[0] ? 1 : x->n[0] > y->n[0] ? -1 : 0;
}

static void
test_count(void)
{
	struct ctl_count *t = ctl_count_new(3000);
	struct ctl_count_item *it, **v;
	char key[32];
	size_t i, n, found = 0;
	int added;

	for(i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		it = ctl_count_get(t, key, strlen(key), &added);
		if(it && added)
			it->n[0] = i;
	}
	is_int(ctl_count_size(t), 3000, "3000 keys added (the table grew)");
	for(i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		it = ctl_count_get(t, key, strlen(key), &added);
		if(it && !added && it->n[0] == i && strcmp(it->key, key) == 0)
			found++;
	}
	is_int(found, 3000, "each found again with its count");
	it = ctl_count_get(t, "a\0b", 3, &added);
	ok(it == NULL && ctl_count_capped(t) && !ctl_count_nomem(t),
		"the 3001st key is refused: capped");
	v = ctl_count_sorted(t, by_count, &n);
	ok(n == 3000 && v[0]->n[0] == 2999 && v[2999]->n[0] == 0,
		"sorted by count");
	free(v);
	ctl_count_free(t);
	t = ctl_count_new(10);
	ok(ctl_count_get(t, "a\0b", 3, &added) && added, "a key with a NUL");
	ok(ctl_count_get(t, "a\0c", 3, &added) && added,
		"told apart from one differing after the NUL");
	ok(ctl_count_get(t, "a", 1, &added) && added,
		"and from its prefix");
	is_int(ctl_count_size(t), 3, "three keys");
	ctl_count_free(t);
}

int
main(void)
{
	test_record();
	test_escapes();
	test_refused();
	test_times();
	test_lines();
	test_count();
	free(last);
	return done_testing();
}
