/**
 * \file
 * Unit tests of the feed formats behind fb_parse_run() (feeds/fmt_*.c):
 * urls, adblock, csv, json and rpz, each with small hand-made inputs for the
 * edges of its spec, the config keys they need, and, with FB_DATA set to
 * the shared sample directory, the real lists with exact counts (skipped
 * cleanly without it).  domains and hosts are tested in test_parse.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "fb_parse.h"
#include "fb_addr.h"
#include "fb_name.h"
#include "fb_config.h"

/** Entries and reports remembered from one parse. */
#define MAX_SEEN 64
struct seen {
	struct fb_nameset *ns;
	int n;				/**< entries */
	/** "*." + key + " (self)", or address */
	char text[MAX_SEEN][FB_KEY_MAX + 10];
	unsigned flags[MAX_SEEN];
	int category[MAX_SEEN];
	int64_t date[MAX_SEEN];
	long recent;			/**< entries dated since_cutoff or later */
	int action[MAX_SEEN];
	uint64_t line[MAX_SEEN];
	int nrep;			/**< reports */
	uint64_t rline[MAX_SEEN];
	char reason[MAX_SEEN][80];
	long distinct;			/**< keys in the set */
	long addrs;			/**< distinct address texts */
	char err[256];
	enum fb_parse_status status;
	struct fb_parse_stats st;
};

/** Entries dated at or after this count in seen.recent. */
static int64_t since_cutoff;

static int
keep_entry(void *arg, const struct fb_parse_entry *e)
{
	struct seen *s = arg;
	char t[FB_KEY_MAX];

	if(e->date >= since_cutoff)
		s->recent++;
	if(!fb_nameset_add(s->ns, e->key, e->scope))
		return 0;
	if(s->n >= MAX_SEEN)
		return 1;
	if(e->flags & FB_ENTRY_ADDRESS) {
		if(!fb_addr_format(e->key->data, e->key->len, s->text[s->n],
			sizeof(s->text[0])) || e->scope != FB_SCOPE_TREE)
			snprintf(s->text[s->n], sizeof(s->text[0]), "BAD");
	} else {
		fb_key_to_text(e->key->data, e->key->len, t, sizeof(t));
		snprintf(s->text[s->n], sizeof(s->text[0]), "%s%s%s",
			e->scope == FB_SCOPE_BELOW ? "*." : "", t,
			e->scope == FB_SCOPE_SELF ? " (self)" : "");
	}
	s->flags[s->n] = e->flags;
	s->category[s->n] = (int)e->category;
	s->date[s->n] = e->date;
	s->action[s->n] = (int)e->action;
	s->line[s->n] = e->line;
	s->n++;
	return 1;
}

static void
keep_report(void *arg, uint64_t line, const char *reason, const char *text,
	size_t len)
{
	struct seen *s = arg;

	(void)text;
	if(len > 80)
		abort();
	if(s->nrep >= MAX_SEEN)
		return;
	s->rline[s->nrep] = line;
	snprintf(s->reason[s->nrep], sizeof(s->reason[0]), "%s", reason);
	s->nrep++;
}

/** Parse len bytes with options; results in *s. */
static void
run(const struct fb_parse_opts *o, const char *buf, size_t len,
	struct seen *s)
{
	memset(s, 0, sizeof(*s));
	if(!(s->ns = fb_nameset_new()))
		exit(1);
	s->status = fb_parse_run(o, buf, len, &s->st, keep_entry,
		keep_report, s, s->err, sizeof(s->err));
	fb_nameset_finish(s->ns);
	s->distinct = (long)fb_nameset_count(s->ns);
	fb_nameset_free(s->ns);
	s->ns = NULL;
}

/** Parse a string in a format without options. */
static void
run_str(enum fb_format fmt, const char *str, struct seen *s)
{
	struct fb_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.format = fmt;
	o.category = FB_CATEGORY_PHISHING;
	run(&o, str, strlen(str), s);
}

/** Parse len bytes in a format without options. */
static void
run_str_len(enum fb_format fmt, const char *buf, size_t len, struct seen *s)
{
	struct fb_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.format = fmt;
	run(&o, buf, len, s);
}

/** What lists declare in their header comments, and what is not a
 * declaration. */
static void
test_header(void)
{
	static const struct {
		enum fb_format fmt;
		const char *text;
		uint64_t version, declared;
		int has_declared;
		const char *what;
	} t[] = {
		{ FB_FORMAT_HOSTS, "# Title: x\n# Version: 2607231411\n"
		  "# Blocked: 4.966 domains\n#\n0.0.0.0 a.example\n",
		  2607231411ULL, 4966, 1, "hostsVN style" },
		{ FB_FORMAT_ADBLOCK, "[Adblock Plus 2.0]\n! Version: 202203140011"
		  "\n! Blocked: 1,234\n||a.example^\n", 202203140011ULL,
		  1234, 1, "adblock style after [Adblock Plus 2.0]" },
		{ FB_FORMAT_DOMAINS, "#version:7\n# BLOCKED:  12 345 names\n"
		  "a.example\n", 7, 12345, 1, "any case, space-grouped" },
		{ FB_FORMAT_DOMAINS, "# Version: 1.2.3\na.example\n", 0, 0, 0,
		  "a dotted version is not comparable: none" },
		{ FB_FORMAT_DOMAINS, "# Version: 12345678901234567890\n"
		  "a.example\n", 0, 0, 0, "20 digits: none" },
		{ FB_FORMAT_DOMAINS, "a.example\n# Version: 9\n"
		  "# Blocked: 1 domains\n", 0, 0, 0,
		  "comments after the first entry are not the header" },
		{ FB_FORMAT_DOMAINS, "# Blocked: many\na.example\n", 0, 0, 0,
		  "a count that is not a number: none" },
		{ FB_FORMAT_DOMAINS, "a.example\n", 0, 0, 0, "no header" },
	};
	struct seen s;
	size_t i;

	for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		run_str_len(t[i].fmt, t[i].text, strlen(t[i].text), &s);
		is_int(s.st.version, t[i].version, t[i].what);
		is_int(s.st.has_declared, t[i].has_declared, "... declared?");
		is_int(s.st.declared, t[i].declared, "... declared count");
	}
}

/** Parse a string as csv with columns. */
static void
run_csv(const char *col, const char *catcol, const char *str,
	struct seen *s)
{
	struct fb_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.format = FB_FORMAT_CSV;
	o.category = FB_CATEGORY_SCAM;
	o.column = col;
	o.category_column = catcol;
	run(&o, str, strlen(str), s);
}

/** The dates of csv's date-column, exact, and what is not a date. */
static void
test_csv_dates(void)
{
	struct fb_parse_opts o;
	struct seen s;
	static const char *csv =
		"url,when\n"
		"a.example,2021-04-01T07:28:13+00:00\n"	/* PhishTank */
		"b.example,2022-03-14 00:11:32\n"		/* URLhaus */
		"c.example,2021-04-01\n"
		"d.example,2021-04-01T07:28:13+07:00\n"
		"e.example, 2021-04-01T07:28:13-02:30 \n"
		"f.example,2000-02-29T23:59:59Z\n"
		"g.example,2021-13-01\n"
		"h.example,yesterday\n"
		"i.example,2021-04-01T07:28\n"
		"j.example,1969-12-31\n"
		"k.example\n";

	memset(&o, 0, sizeof(o));
	o.format = FB_FORMAT_CSV;
	o.column = "url";
	o.date_column = "When";
	run(&o, csv, strlen(csv), &s);
	is_int(s.status, FB_PARSE_OK, "csv dates: parsed");
	is_int(s.n, 6, "csv dates: six rows with a date");
	is_int(s.date[0], 1617262093, "csv dates: PhishTank's form, UTC");
	is_int(s.date[1], 1647216692, "csv dates: URLhaus's form");
	is_int(s.date[2], 1617235200, "csv dates: a date alone is midnight");
	is_int(s.date[3], 1617236893, "csv dates: +07:00 offset");
	is_int(s.date[4], 1617271093, "csv dates: -02:30 offset, blanks");
	is_int(s.date[5], 951868799, "csv dates: Z, a leap day");
	is_int(s.nrep, 5, "csv dates: five rows refused");
	is_str(s.reason[0], "date not understood", "csv dates: month 13");
	is_str(s.reason[1], "date not understood", "csv dates: a word");
	is_str(s.reason[2], "date not understood", "csv dates: no seconds");
	is_str(s.reason[3], "date not understood", "csv dates: before 1970");
	is_str(s.reason[4], "too few fields", "csv dates: no date field");
	o.date_column = "since";
	run(&o, csv, strlen(csv), &s);
	is_int(s.status, FB_PARSE_MALFORMED, "csv dates: a date-column the "
		"header lacks refuses the feed");
}

/** Parse a string as json with a field (or NULL). */
static void
run_json(const char *field, const char *str, struct seen *s)
{
	struct fb_parse_opts o;

	memset(&o, 0, sizeof(o));
	o.format = FB_FORMAT_JSON;
	o.field = field;
	run(&o, str, strlen(str), s);
}

/** Each URL of a list of one a line gives the wanted host and flags. */
static void
test_urls_hosts(void)
{
	static const struct { const char *url, *want; unsigned flags; } t[] = {
		{ "https://Example.COM/", "example.com", 0 },
		{ "http://a.example.com", "a.example.com", 0 },
		{ "http://a.example.com/*", "a.example.com", 0 },
		{ "https://user:pw@b.example.com:8443/x?y#z", "b.example.com",
			FB_ENTRY_PATH },
		{ "c.example.com/login.php", "c.example.com", FB_ENTRY_PATH },
		{ "d.example.com?id=1", "d.example.com", 0 },
		{ "d.example.com/?id=1", "d.example.com", 0 },
		{ "e.example.com#frag/x", "e.example.com", 0 },
		{ "HXXP://f.example.com:/a", "f.example.com", FB_ENTRY_PATH },
		{ "//g.example.com/", "g.example.com", 0 },
		{ "h.example.com\\evil", "h.example.com", FB_ENTRY_PATH },
		{ "i.example.com//", "i.example.com", FB_ENTRY_PATH },
		{ "http://*.weebly-like.example/*", "*.weebly-like.example", 0 },
		{ "http://j.example.com./", "j.example.com", 0 },
		{ "ftp://a@b@k.example.com/f", "k.example.com", FB_ENTRY_PATH },
		{ "http://xn--cccc-0x5ac.vn/", "xn--cccc-0x5ac.vn", 0 },
		{ "cốccốc.vn", "xn--cccc-0x5ac.vn", 0 },
		{ "http://ex\xe2\x80\x8b" "ample.org/", "example.org", 0 },
		{ "\xef\xbb\xbfhttps://bom.example.net/", "bom.example.net", 0 },
		{ "https://l.example.com/a b", "l.example.com", FB_ENTRY_PATH },
		{ "http://1.2.3.4/x", "1.2.3.4",
			FB_ENTRY_ADDRESS | FB_ENTRY_PATH },
		{ "http://1.2.3.4:80", "1.2.3.4", FB_ENTRY_ADDRESS },
		{ "http://[2001:db8::1]:8080/p", "2001:db8::1",
			FB_ENTRY_ADDRESS | FB_ENTRY_PATH },
		{ "http://[2001:DB8::5]", "2001:db8::5", FB_ENTRY_ADDRESS },
		/* numeric hosts as browsers read them: octal, one number,
		 * hex parts, a last part filling the bytes left */
		{ "0056.0151.0121.0114/x", "46.105.81.76",
			FB_ENTRY_ADDRESS | FB_ENTRY_PATH },
		{ "http://3405803777/", "203.0.113.1", FB_ENTRY_ADDRESS },
		{ "http://0xCB.0.0x71.1/", "203.0.113.1", FB_ENTRY_ADDRESS },
		{ "http://203.29441/", "203.0.115.1", FB_ENTRY_ADDRESS },
		{ "http://203.0.113.1./", "203.0.113.1", FB_ENTRY_ADDRESS },
	};
	struct seen s;
	char what[200];
	size_t i;

	for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		run_str(FB_FORMAT_URLS, t[i].url, &s);
		snprintf(what, sizeof(what), "urls: %s -> %s", t[i].url,
			t[i].want);
		if(!ok(s.status == FB_PARSE_OK && s.n == 1 &&
			strcmp(s.text[0], t[i].want) == 0 &&
			s.flags[0] == t[i].flags, what))
			printf("# got %d entries, '%s' flags %u, %s\n", s.n,
				s.n ? s.text[0] : "", s.n ? s.flags[0] : 0,
				s.nrep ? s.reason[0] : "");
		is_int(s.st.addresses, (t[i].flags & FB_ENTRY_ADDRESS) ?
			1 : 0, "... address counted as such");
		is_int(s.st.paths, (t[i].flags & FB_ENTRY_PATH) ? 1 : 0,
			"... path counted");
	}
}

/** URLs that give no entry. */
static void
test_urls_refused(void)
{
	static const char *const bad[] = {
		"http://",			/* no host */
		"http://user@/x",		/* no host */
		"http://a.example.com:80x/",	/* bad port */
		"http://a.example.com:123456/",	/* port too long */
		"http://[2001:db8::1/",		/* unclosed bracket */
		"http://[zz::1]/",		/* not IPv6 */
		"http://[::1]x/",		/* junk after bracket */
		"http://a.exa mple.com/",	/* space in host */
		"http://a.example.com/\x01",	/* control byte */
		"http://com/",			/* lone top-level domain */
		"http://a..example.com/",	/* empty label */
		"http://a.%65xample.com/",	/* percent in host */
		"\xe2\x80\x8b\xe2\x80\x8c",	/* only zero-width */
		"mailto:x@example.com",		/* no "//": no userinfo */
		"x@example.com/",		/* no "//": no userinfo */
		"http://[::1]/",		/* loopback: never listed */
		"http://[::ffff:c633:6407]/",	/* IPv4-mapped */
		"http://127.0.0.1:8080/",	/* loopback */
		"http://3232235777/",		/* 192.168.1.1: private */
		"http://0x7f.1/",		/* 127.0.0.1 */
		"http://0.0.0.0/",		/* unspecified */
		"http://example.123/",		/* numeric, not IPv4 */
		"http://1.2.3.4.5/",		/* five parts */
		"http://1.256.0.1/",		/* a part over 255 */
		"http://1.2.65536/",		/* last part too big */
		"http://09.1.1.1/",		/* 9 is no octal digit */
	};
	struct seen s;
	size_t i;

	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_str(FB_FORMAT_URLS, bad[i], &s);
		ok(s.status == FB_PARSE_OK && s.n == 0 && s.st.invalid == 1 &&
			s.nrep == 1 && s.rline[0] == 1, bad[i]);
	}
}

static void
test_urls_lines(void)
{
	struct seen s;

	run_str(FB_FORMAT_URLS, "# OpenPhish\n\n  \nhttps://a.example.com/x\r\n"
		"  b.example.com  \n#c.example.com\nhttps://A.example.com/\n"
		"bad..example.com\nhttp://9.9.9.9/", &s);
	is_int(s.st.lines, 9, "urls: lines");
	is_int(s.st.skipped, 4, "urls: comments and blanks skipped");
	is_int(s.st.names, 3, "urls: three names");
	is_int(s.distinct, 3, "urls: three keys (two names, one address)");
	is_int(s.st.addresses, 1, "urls: one address");
	is_int(s.st.paths, 1, "urls: one with a path");
	is_int(s.st.invalid, 1, "urls: one refused");
	ok(s.nrep == 1 && s.rline[0] == 8, "urls: refused at line 8");
	ok(s.n == 4 && s.line[0] == 4 && s.line[3] == 9,
		"urls: entries carry their line");
	ok(s.category[0] == FB_CATEGORY_PHISHING,
		"urls: entries get the feed's category");
	is_int(s.st.lines, s.st.names + s.st.addresses + s.st.invalid +
		s.st.skipped, "urls: every line one outcome");
}

/** The shortcut fills a set with names and addresses. */
static void
test_feed_shortcut(void)
{
	struct fb_parse_stats st;
	struct fb_nameset *ns = fb_nameset_new();
	static const char in[] = "http://1.2.3.4/\nhttp://a.example.com/x\n";

	if(!ns)
		exit(1);
	ok(fb_parse_feed(FB_FORMAT_URLS, in, sizeof(in) - 1, ns, &st, NULL,
		NULL), "fb_parse_feed reads urls");
	fb_nameset_finish(ns);
	is_int(fb_nameset_count(ns), 2, "... the name and the address");
	is_int(st.addresses, 1, "... address counted");
	fb_nameset_free(ns);
	ns = fb_nameset_new();
	if(!ns)
		exit(1);
	ok(!fb_parse_feed(FB_FORMAT_CSV, "url\nx.example.com\n", 18, ns, &st,
		NULL, NULL), "fb_parse_feed: csv without column refused");
	fb_nameset_free(ns);
}

static void
test_adblock(void)
{
	static const char in[] =
		"[Adblock Plus 2.0]\n"			/* 1 header */
		"! Title: test\n"			/* 2 comment */
		"||a.example.com^\n"			/* 3 name */
		"||B.Example.com^|\r\n"			/* 4 name */
		"||c.example.com^$\n"			/* 5 name */
		"||d.example.com^$third-party\n"	/* 6 unsupported */
		"@@||e.example.com^\n"			/* 7 unsupported */
		"example.com##.ad\n"			/* 8 unsupported */
		"example.com#@#.ad\n"			/* 9 unsupported */
		"||f.example.com\n"			/* 10 unsupported */
		"||g.example.com/path^\n"		/* 11 unsupported */
		"|http://h.example.com/\n"		/* 12 unsupported */
		"/banner/*\n"				/* 13 unsupported */
		"||^\n"					/* 14 invalid */
		"||bad..example.com^\n"			/* 15 invalid */
		"||1.2.3.4^\n"				/* 16 address */
		"||cốccốc.vn^\n"			/* 17 IDN name */
		"\n"					/* 18 blank */
		"  ||i.example.com^  ";			/* 19 name */
	struct seen s;

	run_str(FB_FORMAT_ADBLOCK, in, &s);
	is_int(s.st.lines, 19, "adblock: lines");
	is_int(s.st.names, 5, "adblock: five names");
	is_int(s.st.unsupported, 8, "adblock: eight unsupported");
	is_int(s.st.skipped, 11, "adblock: header, comment, blank and "
		"unsupported skipped");
	is_int(s.st.invalid, 2, "adblock: two refused");
	is_int(s.st.addresses, 1, "adblock: one address");
	ok(s.nrep == 2 && s.rline[0] == 14 && s.rline[1] == 15,
		"adblock: refused at 14 and 15");
	ok(s.n == 6 && strcmp(s.text[0], "a.example.com") == 0 &&
		strcmp(s.text[1], "b.example.com") == 0 &&
		strcmp(s.text[2], "c.example.com") == 0 &&
		strcmp(s.text[3], "1.2.3.4") == 0 &&
		s.flags[3] == FB_ENTRY_ADDRESS &&
		strcmp(s.text[4], "xn--cccc-0x5ac.vn") == 0 &&
		strcmp(s.text[5], "i.example.com") == 0, "adblock: entries");
	is_int(s.st.lines, s.st.names + s.st.addresses + s.st.invalid +
		s.st.skipped, "adblock: every line one outcome");
}

static void
test_csv(void)
{
	struct seen s;

	run_csv("url", NULL, "id,url,x\r\n1,http://a.example.com/p,z\r\n"
		"2,\"https://b.example.com/?a=1,b=\"\"2\"\"\",z\r\n"
		"3,\"http://c.example.com/multi\",\"z\nz\"\r\n"
		"\r\n"
		"4,\"http://d.example.com/\"\r\n"
		"5\r\n"
		"6,http://e.exa\"mple.com/,z\r\n"
		"7,\"http://f.example.com/\"x,z\r\n"
		"8,http://9.9.9.9/,z", &s);
	is_int(s.status, FB_PARSE_OK, "csv: parsed");
	is_int(s.st.lines, 10, "csv: ten records (header, blank included)");
	is_int(s.st.skipped, 2, "csv: header and blank record skipped");
	is_int(s.st.names, 4, "csv: four names");
	is_int(s.st.addresses, 1, "csv: one address");
	is_int(s.st.paths, 2, "csv: two with a path");
	is_int(s.st.invalid, 3, "csv: three records refused");
	ok(s.n == 5 && strcmp(s.text[1], "b.example.com") == 0 &&
		strcmp(s.text[2], "c.example.com") == 0 &&
		strcmp(s.text[3], "d.example.com") == 0, "csv: quoted fields");
	ok(s.n == 5 && s.line[3] == 7 && s.line[4] == 11,
		"csv: entries carry the line their record starts on");
	ok(s.nrep == 3 && s.rline[0] == 8 && s.rline[1] == 9 &&
		s.rline[2] == 10, "csv: refused at lines 8, 9, 10");
	is_str(s.reason[0], "too few fields", "csv: short record");
	is_str(s.reason[1], "quote inside an unquoted field",
		"csv: stray quote");
	is_str(s.reason[2], "text after a closing quote",
		"csv: text after quote");

	run_csv("2", "Kind", "a,b,kind\n1,x.example.com,Phishing\n"
		"2,y.example.com, malware \n3,z.example.com,PayPal\n"
		"4,w.example.com,\n", &s);
	ok(s.n == 4 && s.category[0] == FB_CATEGORY_PHISHING &&
		s.category[1] == FB_CATEGORY_MALWARE &&
		s.category[2] == FB_CATEGORY_SCAM &&
		s.category[3] == FB_CATEGORY_SCAM,
		"csv: column by number, category column by name");

	run_csv("URL", NULL, "\xef\xbb\xbf" "Url\nx.example.com", &s);
	ok(s.n == 1, "csv: BOM, header name matched without case");
	run_csv("url", NULL, "", &s);
	ok(s.status == FB_PARSE_OK && s.st.lines == 0, "csv: empty data");
}

static void
test_csv_malformed(void)
{
	struct seen s;

	run_csv("url", NULL, "id,link\n1,a.example.com\n", &s);
	ok(s.status == FB_PARSE_MALFORMED && s.n == 0 && s.nrep == 0,
		"csv: named column missing refuses the feed");
	is_str(s.err, "csv at byte 0: no column 'url' in the header",
		"csv: its message");
	run_csv("3", NULL, "id,url\n1,a.example.com,b.example.com\n", &s);
	ok(s.status == FB_PARSE_MALFORMED, "csv: column past the header");
	run_csv("url", "type", "id,url\n1,a.example.com\n", &s);
	ok(s.status == FB_PARSE_MALFORMED, "csv: category column missing");
	run_csv("url", NULL, "url\na.example.com\nb.example.com\n"
		"\"c.example.com\nd.example.com\n", &s);
	ok(s.status == FB_PARSE_MALFORMED && s.n == 0 && s.nrep == 0,
		"csv: unclosed quote refuses the feed, no entry seen");
	is_str(s.err, "csv at byte 32: quote opened on line 4 is never "
		"closed", "csv: its message");
}

static void
test_json(void)
{
	struct seen s;

	run_json(NULL, " [ \"http://a.example.com/*\" ,\n"
		"{\"_id\":\"1\",\"url\":\"https:\\/\\/b.example.com\\/x\","
		"\"meta\":{\"url\":\"nested.example\"}},"
		"{\"URL\":\"c.example.com\"},"
		"{\"url\":7},"
		"42, null, [\"d.example.com\"],"
		"\"\\u0065.example.com\","
		"\"f.ex\\u200bample.com\","
		"\"xn--cccc-0x5ac.vn\", \"c\\u1ed1cc\\u1ed1c.vn\","
		"{\"url\":\"g.example.com\",\"url\":\"h.example.com\"},"
		"\"\\ud83d\\ude00.example.com\","
		"\"http://[2001:db8::2]/\","
		"\"\", \"\\t.example.com\" ]\r\n", &s);
	is_int(s.status, FB_PARSE_OK, "json: parsed");
	is_int(s.st.lines, 16, "json: sixteen elements");
	is_int(s.st.names, 7, "json: seven names");
	is_int(s.distinct, 7, "json: seven keys (IDN twins merge, one "
		"address)");
	is_int(s.st.addresses, 1, "json: one address");
	is_int(s.st.paths, 1, "json: one with a path");
	is_int(s.st.invalid, 8, "json: eight refused");
	ok(s.n == 8 && strcmp(s.text[0], "a.example.com") == 0 &&
		strcmp(s.text[1], "b.example.com") == 0 &&
		strcmp(s.text[2], "e.example.com") == 0 &&
		strcmp(s.text[3], "f.example.com") == 0 &&
		strcmp(s.text[5], "xn--cccc-0x5ac.vn") == 0 &&
		strcmp(s.text[6], "g.example.com") == 0 &&
		strcmp(s.text[7], "2001:db8::2") == 0, "json: entries");
	ok(s.n == 8 && s.line[1] == 2 && s.line[6] == 12,
		"json: entries carry their element index");
	ok(s.nrep == 8 && s.rline[0] == 3 && s.rline[1] == 4 &&
		s.rline[2] == 5 && s.rline[3] == 6 && s.rline[4] == 7 &&
		s.rline[5] == 13 && s.rline[6] == 15 && s.rline[7] == 16,
		"json: refused elements 3-7, 13, 15, 16");
	is_int(s.st.lines, s.st.names + s.st.addresses + s.st.invalid,
		"json: every element one outcome");

	run_json("link", "[{\"url\":\"a.example.com\","
		"\"link\":\"b.example.com\"}]", &s);
	ok(s.n == 1 && strcmp(s.text[0], "b.example.com") == 0,
		"json: field picks the member");
	run_json(NULL, "[]", &s);
	ok(s.status == FB_PARSE_OK && s.st.lines == 0, "json: empty array");
	run_json(NULL, "\xef\xbb\xbf[\"a.example.com\"]", &s);
	ok(s.status == FB_PARSE_OK && s.n == 1, "json: BOM skipped");
	run_json(NULL, "[1, -0.5e+3, 0, true, false, {\"a\":[{}, []]}]", &s);
	ok(s.status == FB_PARSE_OK && s.st.invalid == 6,
		"json: other values are refused elements");
}

static void
test_json_malformed(void)
{
	static const struct { const char *doc; size_t off; } bad[] = {
		{ "", 0 },
		{ "   ", 3 },
		{ "{\"url\":\"a.example.com\"}", 0 },
		{ "[\"a.example.com\"", 16 },
		{ "[\"a.example.com\",]", 17 },
		{ "[\"a.example.com\"] x", 18 },
		{ "[\"a.example.com\"][]", 17 },
		{ "[\"a.example.com\" \"b.example.com\"]", 17 },
		{ "[\"a.example.com", 15 },
		{ "[\"a\x01.example.com\"]", 3 },
		{ "[\"a\\x.example.com\"]", 4 },
		{ "[\"\\u12\"]", 4 },
		{ "[\"\\ud800\"]", 8 },
		{ "[\"\\ud800\\u0041\"]", 14 },
		{ "[\"\\udc00\"]", 8 },
		{ "[\"\xc0\xaf\"]", 2 },
		{ "[\"\xed\xa0\x80\"]", 2 },
		{ "[\"\xf4\x90\x80\x80\"]", 2 },
		{ "[\"\xe2\x80\"]", 2 },
		{ "[01]", 2 },
		{ "[1.]", 3 },
		{ "[-]", 2 },
		{ "[1e]", 3 },
		{ "[tru]", 1 },
		{ "[nul]", 1 },
		{ "[{\"a\" 1}]", 6 },
		{ "[{a:1}]", 2 },
		{ "[{\"a\":1,}]", 8 },
		{ "[{\"a\":1]", 7 },
		{ "['a.example.com']", 1 },
	};
	struct seen s;
	char what[120], want[40];
	size_t i;
	int d;
	char deep[200];

	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_json(NULL, bad[i].doc, &s);
		snprintf(what, sizeof(what), "json malformed #%zu refused "
			"whole, at byte %zu", i, bad[i].off);
		snprintf(want, sizeof(want), "json at byte %zu: ", bad[i].off);
		if(!ok(s.status == FB_PARSE_MALFORMED && s.n == 0 &&
			s.nrep == 0 && strncmp(s.err, want, strlen(want)) == 0,
			what))
			printf("# status %d, %d entries, err '%s'\n",
				(int)s.status, s.n, s.err);
	}
	/* an entry before the break is not seen either */
	run_json(NULL, "[\"a.example.com\", \"b.example.com\", 0x1]", &s);
	ok(s.status == FB_PARSE_MALFORMED && s.n == 0 && s.st.names == 0,
		"json: entries before the break are not handed on");
	/* 64 levels are fine, 65 are not */
	for(d = 0; d < 64; d++)
		deep[d] = '[';
	for(d = 0; d < 64; d++)
		deep[64 + d] = ']';
	deep[128] = 0;
	run_json(NULL, deep, &s);
	ok(s.status == FB_PARSE_OK && s.st.invalid == 1, "json: depth 64");
	memmove(deep + 1, deep, 129);
	deep[0] = '[';
	deep[129] = ']';
	deep[130] = 0;
	run_json(NULL, deep, &s);
	ok(s.status == FB_PARSE_MALFORMED && strstr(s.err, "too deep"),
		"json: depth 65 refused");
}

/** Write a config to a temporary file under $TMPDIR and load it. */
static int
load_conf(const char *text, struct fb_config **cfg, char *err, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char path[1024];
	int fd, r;

	snprintf(path, sizeof(path), "%s/fb-test-formats-XXXXXX",
		dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if(fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("# cannot write %s\n", path);
		exit(1);
	}
	close(fd);
	r = fb_config_load(path, cfg, err, len);
	unlink(path);
	/* keep only "line: message" */
	if(!r) {
		char *c = strchr(err, ':');
		if(c)
			memmove(err, c + 1, strlen(c + 1) + 1);
	}
	return r;
}

static void
test_config(void)
{
	static const struct { const char *conf, *err; } bad[] = {
		{ "feed:\nname: f\nsource: /x\nformat: csv\n",
			"1: feed 'f': format csv needs column" },
		{ "feed:\nname: f\nsource: /x\ncolumn: url\n",
			"4: feed 'f': column is only for format csv" },
		{ "feed:\nname: f\nsource: /x\nformat: json\ncolumn: 2\n",
			"5: feed 'f': column is only for format csv" },
		{ "feed:\nname: f\nsource: /x\nformat: urls\n"
			"category-column: type\n", "5: feed 'f': "
			"category-column is only for format csv" },
		{ "feed:\nname: f\nsource: /x\nfield: url\nformat: csv\n"
			"column: 1\n", "4: feed 'f': field is only for "
			"format json" },
		{ "feed:\nname: f\nsource: /x\nformat: csv\ncolumn: 0\n",
			"5: bad value for column: '0' (a header name or a "
			"column number, 1 to 4096)" },
		{ "feed:\nname: f\nsource: /x\nformat: csv\ncolumn: 4097\n",
			"5: bad value for column: '4097' (a header name or a "
			"column number, 1 to 4096)" },
		{ "feed:\nname: f\nsource: /x\nformat: Json\n",
			"4: bad value for format: 'Json' (domains, hosts, urls, "
			"adblock, csv or json)" },
		{ "column: url\n", "1: feed key 'column' outside a feed "
			"clause" },
		{ "feed:\nname: f\nsource: /x\nformat: urls\n"
			"date-column: 3\n", "5: feed 'f': date-column is only "
			"for format csv" },
		{ "feed:\nname: f\nsource: /x\nformat: csv\ncolumn: 1\n"
			"max-age: 30\n", "6: feed 'f': max-age needs the date "
			"of each entry (csv with date-column)" },
		{ "feed:\nname: f\nsource: /x\nformat: csv\ncolumn: 1\n"
			"date-column: 2\nmax-age: 36501\n", "7: bad value for "
			"max-age: '36501' (days, 1 to 36500)" },
	};
	struct fb_config *cfg;
	char err[256];
	size_t i;

	for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = load_conf(bad[i].conf, &cfg, err, sizeof(err));
		ok(!r, bad[i].err);
		if(!r)
			is_str(err, bad[i].err, "... message");
		fb_config_free(cfg);
	}
	ok(load_conf("feed:\nname: a\nsource: /a\nformat: urls\n"
		"feed:\nname: b\nsource: /b\ncolumn: url\n"
		"category-column: 8\nformat: csv\ndate-column: when\n"
		"max-age: 90\n"
		"feed:\nname: c\nsource: /c\nformat: json\nfield: link\n"
		"feed:\nname: d\nsource: /d\nformat: json\n"
		"feed:\nname: e\nsource: /e\nformat: adblock\n", &cfg, err,
		sizeof(err)), "format keys load");
	if(cfg) {
		ok(cfg->feeds[0].format == FB_FORMAT_URLS, "urls");
		ok(cfg->feeds[1].format == FB_FORMAT_CSV &&
			strcmp(cfg->feeds[1].column, "url") == 0 &&
			strcmp(cfg->feeds[1].category_column, "8") == 0 &&
			strcmp(cfg->feeds[1].date_column, "when") == 0 &&
			cfg->feeds[1].max_age == 90 * 86400,
			"csv with its columns and max-age in seconds");
		ok(cfg->feeds[2].format == FB_FORMAT_JSON &&
			strcmp(cfg->feeds[2].field, "link") == 0,
			"json with field");
		ok(cfg->feeds[3].field == NULL, "json without field");
		ok(cfg->feeds[4].format == FB_FORMAT_ADBLOCK, "adblock");
	}
	fb_config_free(cfg);
	is_str(fb_format_name(FB_FORMAT_JSON), "json", "fb_format_name");
}

/** Read a whole file into memory; @return 1 on success. */
static int
read_file(const char *path, char **buf, size_t *len)
{
	struct stat sb;
	ssize_t got;
	size_t have = 0;
	int fd = open(path, O_RDONLY);
	if(fd == -1)
		return 0;
	if(fstat(fd, &sb) == -1 || !(*buf = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		return 0;
	}
	while(have < (size_t)sb.st_size &&
		(got = read(fd, *buf + have, (size_t)sb.st_size - have)) > 0)
		have += (size_t)got;
	close(fd);
	*len = have;
	return have == (size_t)sb.st_size;
}

/** Counts wanted of one real list. */
/** seen.recent of the last test_real_file(). */
static long last_recent;

struct want {
	long lines, names, distinct, invalid, skipped, addresses, paths;
};

static void
test_real_file(const char *dir, const char *file,
	const struct fb_parse_opts *o, const struct want *w)
{
	char path[1024], what[200];
	struct seen s;
	char *buf = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if(!ok(read_file(path, &buf, &len), path)) {
		free(buf);
		return;
	}
	run(o, buf, len, &s);
	snprintf(what, sizeof(what), "%s as %s: parsed", file,
		fb_format_name(o->format));
	is_int(s.status, FB_PARSE_OK, what);
	is_int(s.st.lines, w->lines, "... lines (records, elements)");
	is_int(s.st.names, w->names, "... names accepted");
	is_int(s.distinct, w->distinct, "... distinct keys");
	is_int(s.st.invalid, w->invalid, "... invalid");
	is_int(s.st.skipped, w->skipped, "... skipped");
	is_int(s.st.addresses, w->addresses, "... addresses");
	is_int(s.st.paths, w->paths, "... entries with a path");
	last_recent = s.recent;
	free(buf);
}

/** hostsVN's header: "# Version: 2607231411", "# Blocked: 4.966
 * domains", and a body of exactly 4,966 names. */
static void
test_real_header(const char *dir)
{
	char path[1024];
	struct seen s;
	char *buf = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/hostsvn/threat-hosts", dir);
	if(!ok(read_file(path, &buf, &len), path)) {
		free(buf);
		return;
	}
	run_str_len(FB_FORMAT_HOSTS, buf, len, &s);
	is_int(s.st.version, 2607231411ULL, "hostsVN: its Version: header");
	is_int(s.st.has_declared, 1, "hostsVN: it declares its size");
	is_int(s.st.declared, 4966, "... as 4.966 domains");
	is_int(s.st.names + s.st.invalid, 4966, "... which its body holds");
	free(buf);
}

static void
test_real(void)
{
	const char *dir = getenv("FB_DATA");
	struct fb_parse_opts o;

	if(!dir || !*dir) {
		tap_count++;
		printf("ok %d # SKIP FB_DATA not set\n", tap_count);
		return;
	}
	memset(&o, 0, sizeof(o));
	/* openphish/feed.txt: 500 URLs, no final newline; `awk -F/ '{print
	 * tolower($3)}' | sort -u | wc -l` = 475 hosts, no IP literal;
	 * 358 have a path other than "/" (awk over the part after the
	 * host, query cut off) */
	o.format = FB_FORMAT_URLS;
	test_real_file(dir, "openphish/feed.txt", &o,
		&(struct want){ 500, 500, 475, 0, 0, 0, 358 });
	/* chongluadao/urls.txt: 34,468 lines, no scheme; `awk -F/ '{print
	 * tolower($1)}' | sort -u` = 34,372 texts, of which 10 are Unicode
	 * IDNs whose A-label is listed too (Python's idna codec) and two
	 * carry a port (sn99.cc:100, www.sn99.cc:100, also listed
	 * without), so 34,365 keys; 109 lines have a path */
	o.format = FB_FORMAT_URLS;
	test_real_file(dir, "chongluadao/urls.txt", &o,
		&(struct want){ 34468, 34468, 34365, 0, 0, 0, 109 });
	/* chongluadao/urls-ABP.txt: every line is "||host^" (`grep -vc
	 * '^||[^/^$]*\^$'` = 0), 34,370 of them; the same 34,365 keys as
	 * urls.txt: the conversion cut the paths off */
	o.format = FB_FORMAT_ADBLOCK;
	test_real_file(dir, "chongluadao/urls-ABP.txt", &o,
		&(struct want){ 34370, 34370, 34365, 0, 0, 0, 0 });
	/* phishtank/verified_online-2021-04-01.csv: 11,810 records after
	 * the header.  Python's csv + urlsplit().hostname gives 6,927
	 * distinct hosts, as the README says: 84 IP addresses (139
	 * records) and 6,843 names, which are exactly our distinct keys.
	 * 16 URLs hold a literal space in their path; they are kept (the
	 * host is fine).  8,134 names come with a path.  The 84 addresses
	 * are all public (Python's ipaddress: none private, loopback,
	 * reserved, multicast or link-local), so each is a key: 6,927
	 * keys; 114 of their 139 URLs have a path: 8,248 entries. */
	o.format = FB_FORMAT_CSV;
	o.column = "url";
	o.category_column = "target";
	test_real_file(dir, "phishtank/verified_online-2021-04-01.csv", &o,
		&(struct want){ 11811, 11671, 6927, 0, 1, 139, 8248 });
	/* the same with its submission_time: every row's date is read
	 * (nothing more refused), and Python's csv + fromisoformat count
	 * 2,797 records submitted on 2021-03-25 or later */
	o.date_column = "submission_time";
	since_cutoff = 1616630400;	/* 2021-03-25T00:00:00Z */
	test_real_file(dir, "phishtank/verified_online-2021-04-01.csv", &o,
		&(struct want){ 11811, 11671, 6927, 0, 1, 139, 8248 });
	is_int(last_recent, 2797, "... of which 2,797 dated since 2021-03-25");
	since_cutoff = 0;
	o.date_column = NULL;
	/* chongluadao/blacklist-2021.json: 807 objects, `url` always
	 * "http(s)://host/..."; 709 distinct lowercased authorities by
	 * awk, one of them sn99.cc:100 (sn99.cc is also listed), two are
	 * IPv4 (14.182.113.62, 3.84.109.91), public: 708 keys, 706 of them
	 * names.  53 urls do not
	 * end in slash-star, 99 have a real path.  This copy holds no
	 * zero-width character, "*." prefix or trailing slash. */
	memset(&o, 0, sizeof(o));
	o.format = FB_FORMAT_JSON;
	test_real_file(dir, "chongluadao/blacklist-2021.json", &o,
		&(struct want){ 807, 805, 708, 0, 0, 2, 99 });
	test_real_header(dir);
	/* urlhaus/urlhaus-filter-rpz-2022-03-14.conf: 6,108 lines, ending
	 * in a newline; $TTL, "@ IN SOA" (no $ORIGIN), " NS localhost."
	 * (skipped: 2), then 6,097 "owner CNAME ." records (`awk '!/^;/ &&
	 * $2 == "CNAME"'`), no "*." owner, no owner listed twice (`sort |
	 * uniq -d`, lowercased).  Refused: five single-label owners
	 * (0x5bf076a8, 0x5cff39c3, 0xb907d607, 0xc12a24f5, ttp: `grep -vc
	 * '\.'`) and 0056.0151.0121.0114, an IPv4 address in octal. */
	o.format = FB_FORMAT_RPZ;
	test_real_file(dir, "urlhaus/urlhaus-filter-rpz-2022-03-14.conf", &o,
		&(struct want){ 6108, 6091, 6091, 6, 2, 0, 0 });
}

/** An entry of an rpz parse: "text action line". */
static int
rpz_entry_is(const struct seen *s, int i, const char *text, int action,
	uint64_t line)
{
	if(i >= s->n)
		return 0;
	if(strcmp(s->text[i], text) == 0 && s->action[i] == action &&
	   s->line[i] == line)
		return 1;
	printf("# entry %d: '%s' %s line %llu\n", i, s->text[i],
		fb_action_name((enum fb_action)s->action[i]),
		(unsigned long long)s->line[i]);
	return 0;
}

/** An entry an rpz parse must give, in order. */
struct rpz_want {
	const char *text;	/**< as keep_entry writes it */
	int action;
	uint64_t line;
	const char *what;	/**< the test point */
};

/** One test point per wanted entry. */
static void
rpz_entries_are(const struct seen *s, const struct rpz_want *want,
	size_t n)
{
	size_t i;
	for(i = 0; i < n; i++)
		ok(rpz_entry_is(s, (int)i, want[i].text, want[i].action,
			want[i].line), want[i].what);
}

static void
test_rpz(void)
{
	static const char in[] =
		"; a policy zone\n"				/* 1 */
		"$TTL 300\n"					/* 2 */
		"@ SOA ns.rpz.invalid. h.rpz.invalid. (\n"	/* 3 */
		"\t2024010101 3600 600 86400 60 )\n"		/* 4 */
		"  NS localhost.\n"				/* 5 */
		"nx.example CNAME .\n"				/* 6 */
		"*.nx.example CNAME .\n"			/* 7 */
		"nodata.example CNAME *.\n"			/* 8 */
		"ok.example CNAME rpz-passthru.\n"		/* 9 */
		"drop.example CNAME rpz-drop.\n"		/* 10 */
		"tcp.example CNAME rpz-tcp-only.\n"		/* 11 */
		"bad.example CNAME rpz-bogus.\n"		/* 12 */
		"local.example A 192.0.2.1\n"			/* 13 */
		"local.example TXT \"x\"\n"			/* 14 */
		"redir.example CNAME walled.example.net.\n"	/* 15 */
		"24.0.2.0.192.rpz-ip CNAME .\n"		/* 16 */
		"ns.example.rpz-nsdname CNAME .\n"		/* 17 */
		"32.1.0.0.10.rpz-client-ip CNAME .\n"		/* 18 */
		"32.1.0.0.10.rpz-nsip CNAME .\n"		/* 19 */
		"outside.example. CNAME .\n"			/* 20 */
		"com CNAME .\n"				/* 21 */
		"$ORIGIN sub.rpz.invalid.\n"			/* 22 */
		"rel CNAME .\n"				/* 23 */
		"Upper.Example.rpz.invalid. AAAA ::1\n"		/* 24 */
		"this is not a record\n"			/* 25 */
		"$INCLUDE /etc/passwd\n"			/* 26 */
		"sig.example RRSIG A 8 2 300 20300101000000 "
		"20200101000000 1 rpz.invalid. AAAA\n"		/* 27 */
		"last.example CNAME .";				/* 28 */
	static const struct rpz_want want[] = {
		{ "nx.example (self)", FB_ACTION_NXDOMAIN, 6,
			"rpz: CNAME . is nxdomain for the name alone" },
		{ "*.nx.example", FB_ACTION_NXDOMAIN, 7,
			"rpz: *.name is the names below only" },
		{ "nodata.example (self)", FB_ACTION_NODATA, 8,
			"rpz: CNAME *. is nodata" },
		{ "ok.example (self)", FB_ACTION_ALLOW, 9,
			"rpz: rpz-passthru is allow" },
		{ "drop.example (self)", FB_ACTION_NXDOMAIN, 10,
			"rpz: rpz-drop is listed as nxdomain" },
		{ "local.example (self)", FB_ACTION_SINKHOLE, 13,
			"rpz: local data (A) is sinkhole" },
		{ "local.example (self)", FB_ACTION_SINKHOLE, 14,
			"rpz: local data (TXT) is sinkhole" },
		{ "redir.example (self)", FB_ACTION_SINKHOLE, 15,
			"rpz: a CNAME elsewhere is local data" },
		{ "192.0.2.0/24", FB_ACTION_NXDOMAIN, 16,
			"rpz: an rpz-ip trigger is an address entry" },
		{ "rel.sub (self)", FB_ACTION_NXDOMAIN, 23,
			"rpz: a name relative to $ORIGIN, below the apex" },
		{ "upper.example (self)", FB_ACTION_SINKHOLE, 24,
			"rpz: an absolute owner, case folded" },
		{ "last.example.sub (self)", FB_ACTION_NXDOMAIN, 28,
			"rpz: the last record needs no newline" },
	};
	struct seen s;

	run_str(FB_FORMAT_RPZ, in, &s);
	is_int(s.status, FB_PARSE_OK, "rpz: parsed");
	ok(s.st.version_is_serial && s.st.version == 2024010101u,
		"rpz: the SOA serial read");
	is_int(s.st.lines, 28, "rpz: lines");
	rpz_entries_are(&s, want, sizeof(want) / sizeof(want[0]));
	is_int(s.n, 12, "rpz: twelve entries");
	is_int(s.st.names, 11, "rpz: eleven names");
	is_int(s.st.addresses, 1, "rpz: one address");
	is_int(s.distinct, 10, "rpz: ten keys (nx.example and *.nx.example "
		"are one, and so are local.example's records)");
	is_int(s.st.drops, 1, "rpz: one rpz-drop counted");
	is_int(s.st.localdata, 4, "rpz: four local data records counted");
	is_int(s.st.unsupported, 4, "rpz: tcp-only and rpz-nsdname, "
		"-client-ip, -nsip triggers unsupported");
	is_int(s.st.skipped, 7, "rpz: SOA, NS, RRSIG and the unsupported "
		"skipped");
	is_int(s.st.invalid, 5, "rpz: five refused");
	ok(s.nrep == 5 && s.rline[0] == 12 && s.rline[1] == 20 &&
		s.rline[2] == 21 && s.rline[3] == 25 && s.rline[4] == 26,
		"rpz: refused: unknown rpz- action, outside the apex, a lone "
		"top-level domain, a bad record, $INCLUDE");
	if(s.nrep == 5)
		printf("# %s | %s | %s | %s | %s\n", s.reason[0], s.reason[1],
			s.reason[2], s.reason[3], s.reason[4]);
}

/** rpz-ip triggers: the RPZ draft's reversed address labels. */
static void
test_rpz_ip(void)
{
	static const char in[] =
		"@ SOA ns.rpz.invalid. h.rpz.invalid. 1 3600 600 86400 60\n"
		"32.4.3.2.1.rpz-ip CNAME .\n"			/* 2 */
		"24.0.3.2.1.rpz-ip CNAME *.\n"			/* 3 */
		"24.9.3.2.1.rpz-ip CNAME .\n"			/* 4: masked */
		"128.zz.1.0.db8.2001.rpz-ip CNAME .\n"		/* 5 */
		"48.zz.db8.2001.rpz-ip CNAME rpz-passthru.\n"	/* 6 */
		"128.1.zz.db8.2001.rpz-ip A 192.0.2.1\n"	/* 7 */
		"128.8.7.6.5.4.3.2.2001.rpz-ip CNAME .\n"	/* 8 */
		"32.1.0.0.127.rpz-ip CNAME .\n"		/* 9: loopback */
		"8.0.0.0.11.rpz-ip CNAME .\n"			/* 10: /8 */
		"*.32.4.3.2.1.rpz-ip CNAME .\n"		/* 11 */
		"33.4.3.2.1.rpz-ip CNAME .\n"			/* 12 */
		"32.3.2.1.rpz-ip CNAME .\n"			/* 13 */
		"128.zz.1.zz.2001.rpz-ip CNAME .\n"		/* 14 */
		"rpz-ip CNAME .\n"				/* 15 */
		"32.1.0.0.10.rpz-nsip CNAME .\n";		/* 16 */
	static const struct rpz_want want[] = {
		{ "1.2.3.4", FB_ACTION_NXDOMAIN, 2, "rpz-ip: 32.4.3.2.1 /32" },
		{ "1.2.3.0/24", FB_ACTION_NODATA, 3, "rpz-ip: a /24, nodata" },
		{ "1.2.3.0/24", FB_ACTION_NXDOMAIN, 4,
			"rpz-ip: host bits past the prefix masked" },
		{ "2001:db8:0:1::", FB_ACTION_NXDOMAIN, 5,
			"rpz-ip: IPv6 with a trailing zz" },
		{ "2001:db8::/48", FB_ACTION_ALLOW, 6,
			"rpz-ip: rpz-passthru is an allow" },
		{ "2001:db8::1", FB_ACTION_SINKHOLE, 7,
			"rpz-ip: zz in the middle; local data is sinkhole" },
		{ "2001:2:3:4:5:6:7:8", FB_ACTION_NXDOMAIN, 8,
			"rpz-ip: eight IPv6 words" },
	};
	struct seen s;

	run_str(FB_FORMAT_RPZ, in, &s);
	is_int(s.status, FB_PARSE_OK, "rpz-ip: parsed");
	rpz_entries_are(&s, want, sizeof(want) / sizeof(want[0]));
	is_int(s.n, 7, "rpz-ip: seven entries");
	is_int(s.st.addresses, 7, "rpz-ip: all addresses");
	is_int(s.st.names, 0, "rpz-ip: no names");
	is_int(s.distinct, 6, "rpz-ip: six keys (two give 1.2.3.0/24)");
	is_int(s.st.unsupported, 1, "rpz-ip: rpz-nsip still unsupported");
	is_int(s.st.invalid, 7, "rpz-ip: seven refused");
	ok(s.nrep == 7 && s.rline[0] == 9 && s.rline[1] == 10 &&
		s.rline[2] == 11 && s.rline[3] == 12 && s.rline[4] == 13 &&
		s.rline[5] == 14 && s.rline[6] == 15,
		"rpz-ip: refused at lines 9 to 15");
	if(s.nrep == 7) {
		is_str(s.reason[0], "overlaps 127.0.0.0/8 (loopback)",
			"rpz-ip: loopback refused");
		is_str(s.reason[1], "IPv4 prefix shorter than /16",
			"rpz-ip: a /8 refused");
		is_str(s.reason[2], "bad rpz-ip trigger", "rpz-ip: *. refused");
		is_str(s.reason[3], "prefix length over 32",
			"rpz-ip: /33 refused");
		is_str(s.reason[4], "not an IPv6 address",
			"rpz-ip: three IPv4 labels are no address");
		is_str(s.reason[5], "not an IPv6 address",
			"rpz-ip: two zz refused");
		is_str(s.reason[6], "bad rpz-ip trigger",
			"rpz-ip: no labels refused");
	}
}

/** Zones refused whole, with no entry or report seen. */
static void
test_rpz_malformed(void)
{
	static const struct { const char *in, *why, *what; } t[] = {
		{ "", "no SOA", "rpz: empty" },
		{ "; only a comment\n", "no SOA", "rpz: only comments" },
		{ "a.example CNAME .\n@ SOA a. b. 1 2 3 4 5\n",
			"not the SOA", "rpz: a record before the SOA" },
		{ "$INCLUDE x\n@ SOA a. b. 1 2 3 4 5\n",
			"before the SOA", "rpz: $INCLUDE before the SOA" },
		{ "@ SOA a. b. 1 2 3 4 5\na.example CNAME .\n\0x CNAME .\n",
			"NUL byte", "rpz: a NUL byte" },
	};
	struct seen s;
	size_t i;

	for(i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fb_parse_opts o;

		memset(&o, 0, sizeof(o));
		o.format = FB_FORMAT_RPZ;
		/* the last one holds a NUL: its length is 51 */
		run(&o, t[i].in, i == 4 ? 51 : strlen(t[i].in), &s);
		if(!ok(s.status == FB_PARSE_MALFORMED && s.n == 0 &&
			s.nrep == 0 && strstr(s.err, t[i].why) != NULL,
			t[i].what))
			printf("# status %d, %d entries, err '%s'\n",
				(int)s.status, s.n, s.err);
	}
}

int
main(void)
{
	test_urls_hosts();
	test_urls_refused();
	test_urls_lines();
	test_feed_shortcut();
	test_adblock();
	test_csv();
	test_csv_malformed();
	test_csv_dates();
	test_json();
	test_json_malformed();
	test_config();
	test_header();
	test_rpz();
	test_rpz_ip();
	test_rpz_malformed();
	test_real();
	return done_testing();
}
