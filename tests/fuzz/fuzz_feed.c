/**
 * \file
 * Fuzz harness for feed files: fb_parse_run() (feeds/fb_parse.h) in every
 * format, and fb_parse_feed() into a fresh fb_nameset that is then
 * finished, as fraudblock-sync does with a downloaded list.
 *
 * The first byte picks the format of the rest: 'D' domains, 'H' hosts,
 * 'U' urls, 'A' adblock, 'C' csv (column "url", category-column
 * "target"), 'c' csv (column 2), 'J' json (member "url"), 'j' json
 * (member "link"), 'R' rpz.  Any other first byte runs the whole input through
 * every format, so seeds without a format byte (the real lists) stay
 * useful as they are.
 *
 * Properties checked on every input:
 * - the result is OK, out of memory or malformed; malformed only for
 *   csv, json and rpz, with a message naming a byte offset inside the input,
 *   and then the entry and report callbacks were never called;
 * - line formats count the LF-ended lines plus a last one without LF,
 *   after a byte order mark;
 * - domains, urls, adblock, csv and json: every line (record, element)
 *   is exactly one of a name, an address, an invalid one or a skipped
 *   one; hosts: every line counts at least once, and nothing counts
 *   more often than there are bytes; rpz: counts the lines of the
 *   buffer, and no more records than lines;
 * - every accepted entry reaches the callback once, with a key: those
 *   flagged FB_ENTRY_ADDRESS are the addresses, each a well-formed
 *   address key (fb_key_is_addr) that feeds may list (fb_addr_refused)
 *   with scope tree, the others the names, never an address key; path
 *   flags add up to the path count;
 * - every refused line is reported once, with a reason and at most 80
 *   bytes of text, in order;
 * - the set after finish holds no more keys than entries were accepted,
 *   and some if any were; without callbacks the counts are the same.
 */
#include <stdio.h>
#include <string.h>
#include "fuzz.h"
#include "fb_parse.h"
#include "fb_store.h"
#include "fb_addr.h"

/** What the callbacks saw. */
struct seen {
	uint64_t reports;
	uint64_t last_line;
	uint64_t keys, addresses, paths, entries;
	uint64_t last_entry;
	struct fb_nameset *ns;
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

/** fb_parse_entry_cb that checks each entry and adds names to the set. */
static int
check_entry(void *arg, const struct fb_parse_entry *e)
{
	struct seen *s = arg;

	FUZZ_CHECK(e->line >= 1 && e->line >= s->last_entry);
	s->last_entry = e->line;
	FUZZ_CHECK(e->host != NULL && e->hostlen > 0);
	FUZZ_CHECK((unsigned)e->category <= FB_CATEGORY_OTHER);
	s->entries++;
	FUZZ_CHECK(e->key != NULL);
	FUZZ_CHECK(e->key->len > 0 && e->key->len <= FB_KEY_MAX);
	if(e->flags & FB_ENTRY_PATH)
		s->paths++;
	if(e->flags & FB_ENTRY_ADDRESS) {
		FUZZ_CHECK(fb_key_is_addr(e->key->data, e->key->len));
		FUZZ_CHECK(fb_addr_refused(e->key->data, e->key->len,
			FB_ADDR_FROM_FEED) == NULL);
		FUZZ_CHECK(e->scope == FB_SCOPE_TREE);
		s->addresses++;
		return fb_nameset_add(s->ns, e->key, e->scope);
	}
	FUZZ_CHECK(!fb_key_is_addr(e->key->data, e->key->len));
	/* rpz lists plain names alone (self) */
	FUZZ_CHECK(e->scope == FB_SCOPE_TREE || e->scope == FB_SCOPE_BELOW ||
		e->scope == FB_SCOPE_SELF);
	FUZZ_CHECK((unsigned)e->action <= FB_ACTION_ALLOW);
	s->keys++;
	return fb_nameset_add(s->ns, e->key, e->scope);
}

/** @return the lines a line format must see in the buffer. */
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

/** Parse with options and check the counts. */
static void
check_format(const struct fb_parse_opts *o, const uint8_t *data,
	size_t size)
{
	struct fb_parse_stats st, st2;
	enum fb_parse_status r, r2;
	struct seen s;
	uint64_t total;
	size_t count, off;
	char err[256];
	const char *at;
	int rpz = o->format == FB_FORMAT_RPZ;
	int doc = o->format == FB_FORMAT_CSV || o->format == FB_FORMAT_JSON ||
		rpz;

	memset(&s, 0, sizeof(s));
	/* no memory is no finding; there is nothing to check */
	if(!(s.ns = fb_nameset_new()))
		return;
	memset(&st, 0xa5, sizeof(st));
	r = fb_parse_run(o, (const char *)data, size, &st, check_entry,
		check_report, &s, err, sizeof(err));
	FUZZ_CHECK(r == FB_PARSE_OK || r == FB_PARSE_NOMEM ||
		r == FB_PARSE_MALFORMED);
	if(r == FB_PARSE_NOMEM) {
		fb_nameset_free(s.ns);
		return;
	}
	if(r == FB_PARSE_MALFORMED) {
		FUZZ_CHECK(doc);
		FUZZ_CHECK(s.entries == 0 && s.reports == 0);
		at = strstr(err, " at byte ");
		FUZZ_CHECK(at != NULL);
		FUZZ_CHECK(sscanf(at, " at byte %zu:", &off) == 1);
		FUZZ_CHECK(off <= size);
		fb_nameset_free(s.ns);
		return;
	}
	total = st.names + st.addresses + st.invalid + st.skipped;
	if(!doc || rpz)
		FUZZ_CHECK(st.lines == count_lines(data, size));
	FUZZ_CHECK(s.reports == st.invalid);
	FUZZ_CHECK(s.keys == st.names && s.addresses == st.addresses);
	FUZZ_CHECK(s.paths == st.paths &&
		st.paths <= st.names + st.addresses);
	FUZZ_CHECK(st.unsupported <= st.skipped);
	if(o->format != FB_FORMAT_CSV)
		FUZZ_CHECK(s.last_line <= st.lines &&
			s.last_entry <= st.lines);
	if(o->format == FB_FORMAT_HOSTS)
		FUZZ_CHECK(total >= st.lines);
	else if(rpz)	/* a record per line at most; blanks not counted */
		FUZZ_CHECK(total <= st.lines);
	else
		FUZZ_CHECK(total == st.lines);
	FUZZ_CHECK(total <= size);
	/* a name takes at least "a.b" */
	FUZZ_CHECK(st.names * 3 <= size);

	fb_nameset_finish(s.ns);
	count = fb_nameset_count(s.ns);
	FUZZ_CHECK(count <= st.names + st.addresses);
	FUZZ_CHECK((count == 0) == (st.names + st.addresses == 0));
	fb_nameset_free(s.ns);

	/* the report callback is optional and must not change the counts */
	memset(&s, 0, sizeof(s));
	if(!(s.ns = fb_nameset_new()))
		return;
	r2 = fb_parse_run(o, (const char *)data, size, &st2, check_entry,
		NULL, &s, NULL, 0);
	if(r2 == FB_PARSE_OK)
		FUZZ_CHECK(memcmp(&st, &st2, sizeof(st)) == 0);
	fb_nameset_free(s.ns);

	/* and the shortcut into a set agrees */
	if(o->format == FB_FORMAT_CSV || !(s.ns = fb_nameset_new()))
		return;
	if(fb_parse_feed(o->format, (const char *)data, size, s.ns, &st2,
		NULL, NULL) && o->field == NULL)
		FUZZ_CHECK(memcmp(&st, &st2, sizeof(st)) == 0);
	fb_nameset_free(s.ns);
}

/** Run one format, its options picked by a letter. */
static void
run_letter(char letter, const uint8_t *data, size_t size)
{
	struct fb_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.category = FB_CATEGORY_PHISHING;
	switch(letter) {
	case 'D': o.format = FB_FORMAT_DOMAINS; break;
	case 'H': o.format = FB_FORMAT_HOSTS; break;
	case 'U': o.format = FB_FORMAT_URLS; break;
	case 'A': o.format = FB_FORMAT_ADBLOCK; break;
	case 'C':
		o.format = FB_FORMAT_CSV;
		o.column = "url";
		o.category_column = "target";
		break;
	case 'c':
		o.format = FB_FORMAT_CSV;
		o.column = "2";
		break;
	case 'J': o.format = FB_FORMAT_JSON; break;
	case 'R': o.format = FB_FORMAT_RPZ; break;
	case 'j':
		o.format = FB_FORMAT_JSON;
		o.field = "link";
		break;
	default:
		return;
	}
	check_format(&o, data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char letters[] = "DHUACcJjR";
	size_t i;

	if(size > 0 && memchr(letters, data[0], sizeof(letters) - 1)) {
		run_letter((char)data[0], data + 1, size - 1);
		return 0;
	}
	for(i = 0; i < sizeof(letters) - 1; i++)
		run_letter(letters[i], data, size);
	return 0;
}
