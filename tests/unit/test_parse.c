/**
 * \file
 * Unit tests of feeds/fb_parse.c: both feed formats fed hostile bytes
 * (NUL, CRLF, byte order marks, missing final newline, huge lines,
 * comments, hosts boilerplate, IP literals, lone labels), with the line
 * numbers of refused lines checked through the report callback.
 *
 * With FB_DATA set to the shared sample directory, the real hostsVN lists
 * are parsed too; without it those points are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tap.h"
#include "fb_parse.h"
#include "fb_name.h"

/** Refused lines remembered from one parse. */
#define MAX_REPORTS 32
struct reports {
	int n;
	uint64_t line[MAX_REPORTS];
	char reason[MAX_REPORTS][80];
	char text[MAX_REPORTS][100];
	size_t len[MAX_REPORTS];
};

/** fb_parse_report that keeps what it is told. */
static void
keep_report(void *arg, uint64_t line, const char *reason, const char *text,
	size_t len)
{
	struct reports *r = arg;
	if(r->n >= MAX_REPORTS)
		return;
	r->line[r->n] = line;
	snprintf(r->reason[r->n], sizeof(r->reason[0]), "%s", reason);
	memcpy(r->text[r->n], text, len < 99 ? len : 99);
	r->text[r->n][len < 99 ? len : 99] = 0;
	r->len[r->n] = len;
	r->n++;
}

/** Parse len bytes; @return the distinct names, or -1 on failure. */
static long
parse(enum fb_format fmt, const char *buf, size_t len,
	struct fb_parse_stats *st, struct reports *r)
{
	struct fb_nameset *ns = fb_nameset_new();
	long count;
	memset(r, 0, sizeof(*r));
	if(!ns)
		return -1;
	if(!fb_parse_feed(fmt, buf, len, ns, st, keep_report, r)) {
		fb_nameset_free(ns);
		return -1;
	}
	fb_nameset_finish(ns);
	count = (long)fb_nameset_count(ns);
	fb_nameset_free(ns);
	return count;
}

/** Parse a NUL-terminated literal. */
static long
parse_str(enum fb_format fmt, const char *s, struct fb_parse_stats *st,
	struct reports *r)
{
	return parse(fmt, s, strlen(s), st, r);
}

static void
test_domains_basic(void)
{
	struct fb_parse_stats st;
	struct reports r;
	long n;

	n = parse_str(FB_FORMAT_DOMAINS, "a.example.com\nB.Example.ORG\n",
		&st, &r);
	is_int(n, 2, "domains: two names");
	is_int(st.lines, 2, "domains: two lines");
	is_int(st.invalid, 0, "domains: nothing refused");

	n = parse_str(FB_FORMAT_DOMAINS, "a.example.com\r\nb.example.com\r\n",
		&st, &r);
	is_int(n, 2, "CRLF: both names accepted");
	is_int(st.invalid, 0, "CRLF: the CR is not part of the name");

	n = parse_str(FB_FORMAT_DOMAINS, "\xef\xbb\xbf" "a.example.com\n",
		&st, &r);
	is_int(n, 1, "BOM at the start is skipped");
	is_int(st.invalid, 0, "BOM: no refusal");

	/* unstripped, the BOM would glue onto the address and refuse it */
	n = parse_str(FB_FORMAT_HOSTS, "\xef\xbb\xbf" "0.0.0.0 a.example.com\n",
		&st, &r);
	is_int(n, 1, "BOM before a hosts address is skipped");
	n = parse_str(FB_FORMAT_DOMAINS, "\xef\xbb\xbf# comment\n", &st, &r);
	ok(st.skipped == 1 && st.invalid == 0, "BOM before a comment");

	n = parse_str(FB_FORMAT_DOMAINS, "a.example.com\nb.example.com",
		&st, &r);
	is_int(n, 2, "no final newline: last line still read");
	is_int(st.lines, 2, "no final newline: two lines");

	n = parse(FB_FORMAT_DOMAINS, "", 0, &st, &r);
	is_int(n, 0, "empty buffer: no names");
	is_int(st.lines, 0, "empty buffer: no lines");

	n = parse_str(FB_FORMAT_DOMAINS, "a.example.com\na.EXAMPLE.com.\n",
		&st, &r);
	is_int(n, 1, "duplicates in any case merge in the set");
	is_int(st.names, 2, "names counts before de-duplication");
}

static void
test_domains_comments(void)
{
	struct fb_parse_stats st;
	struct reports r;
	long n;

	n = parse_str(FB_FORMAT_DOMAINS,
		"# header\n\n   \n\ta.example.com  # why\n#x.example.com\n"
		"b.example.com#glued\n\r\n",
		&st, &r);
	is_int(n, 1, "comments: only the real name");
	is_int(st.skipped, 5, "comments: comment and blank lines skipped");
	is_int(st.lines, 7, "comments: every line counted");
	ok(r.n == 1 && r.line[0] == 6,
		"a '#' glued to a name is junk, reported at line 6");
	is_str(r.text[0], "b.example.com#glued", "report carries the text");

	n = parse_str(FB_FORMAT_DOMAINS, "example.com##.ad-banner\n", &st, &r);
	is_int(n, 0, "adblock cosmetic rule does not list example.com");

	n = parse_str(FB_FORMAT_DOMAINS, "a.example.com b.example.com\n",
		&st, &r);
	is_int(n, 0, "domains: two names on a line refused");
	is_int(st.invalid, 1, "domains: counted once");
	is_str(r.reason[0], "text after the name", "domains: reason");

	n = parse_str(FB_FORMAT_DOMAINS, "*.example.com\n", &st, &r);
	is_int(n, 1, "wildcard accepted");
}

static void
test_domains_hostile(void)
{
	static const char nul[] = "a.example.com\nb.exa\0mple.com\n"
		"c.example.com\n# comment \0 too\n";
	struct fb_parse_stats st;
	struct reports r;
	char *big;
	long n;

	n = parse(FB_FORMAT_DOMAINS, nul, sizeof(nul) - 1, &st, &r);
	is_int(n, 2, "NUL: the other lines survive");
	is_int(st.invalid, 2, "NUL: in a name and in a comment refused");
	ok(r.n == 2 && r.line[0] == 2 && r.line[1] == 4,
		"NUL lines reported at lines 2 and 4");

	/* 10 KB of one line, then a good one */
	big = malloc(10240 + 32);
	if(!big)
		exit(1);
	memset(big, 'a', 10240);
	strcpy(big + 10240, "\nok.example.com\n");
	n = parse_str(FB_FORMAT_DOMAINS, big, &st, &r);
	is_int(n, 1, "10 KB line: next line still parsed");
	ok(r.n == 1 && r.line[0] == 1, "10 KB line reported at line 1");
	ok(r.n == 1 && r.len[0] == 80, "report text capped at 80 bytes");
	is_str(r.reason[0], "line too long", "10 KB line: reason");

	/* exactly FB_PARSE_LINE_MAX is fine, one more is not */
	memset(big, ' ', FB_PARSE_LINE_MAX + 1);
	memcpy(big, "a.example.com", 13);
	big[FB_PARSE_LINE_MAX] = '\n';
	n = parse(FB_FORMAT_DOMAINS, big, FB_PARSE_LINE_MAX + 1, &st, &r);
	is_int(n, 1, "line of FB_PARSE_LINE_MAX bytes accepted");
	big[FB_PARSE_LINE_MAX] = ' ';
	n = parse(FB_FORMAT_DOMAINS, big, FB_PARSE_LINE_MAX + 1, &st, &r);
	is_int(n, 0, "line of FB_PARSE_LINE_MAX+1 bytes refused");
	free(big);

	n = parse_str(FB_FORMAT_DOMAINS,
		"192.168.1.1\ncom\nlocalhost\ngood.example.com\n"
		"a..example.com\n\xff\xfe.example.com\n", &st, &r);
	is_int(n, 1, "IP literal, single labels, junk refused");
	is_int(st.invalid, 5, "five refusals");
	ok(r.n == 5 && r.line[0] == 1 && r.line[1] == 2 && r.line[2] == 3
		&& r.line[3] == 5 && r.line[4] == 6, "at lines 1,2,3,5,6");
	is_str(r.reason[0], "overlaps 192.168.0.0/16 (private)",
		"a private address: not for a feed to list");
	is_str(r.reason[1], fb_name_strerror(FB_NAME_SINGLE_LABEL),
		"single label reason");
}

/** 64-byte labels and names over 253 bytes. */
static void
test_domains_long_names(void)
{
	struct fb_parse_stats st;
	struct reports r;
	char buf[600];
	long n;
	int i;

	memset(buf, 'a', 64);
	strcpy(buf + 64, ".example.com\n");
	n = parse_str(FB_FORMAT_DOMAINS, buf, &st, &r);
	is_int(n, 0, "64-byte label refused");
	is_str(r.reason[0], fb_name_strerror(FB_NAME_LONG_LABEL),
		"64-byte label reason");

	buf[0] = 0;
	for(i = 0; i < 8; i++)
		strcat(buf, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(buf, "example.com\n");	/* 8*44 + 11 = 363 bytes */
	n = parse_str(FB_FORMAT_DOMAINS, buf, &st, &r);
	is_int(n, 0, "363-byte name refused");
	is_str(r.reason[0], fb_name_strerror(FB_NAME_TOO_LONG),
		"long name reason");
}

static void
test_hosts(void)
{
	static const char hosts[] =
		"127.0.0.1 localhost\n"				/* 1 */
		"127.0.0.1 localhost.localdomain\n"		/* 2 */
		"255.255.255.255 broadcasthost\n"		/* 3 */
		"::1 localhost ip6-localhost ip6-loopback\n"	/* 4 */
		"fe80::1%lo0 localhost\n"			/* 5 */
		"ff02::1 ip6-allnodes\n"			/* 6 */
		"0.0.0.0 0.0.0.0\n"				/* 7 */
		"0.0.0.0 a.example.com b.example.com \t c.example.com"
		" # three\r\n"					/* 8 */
		"0.0.0.0\tad.example.net\n"			/* 9 */
		"127.0.0.1 bad..name good.example.org\n"	/* 10 */
		"1.2.3.4 redirect.example.com\n"		/* 11 */
		"0.0.0.0\n"					/* 12 */
		"0.0.0.0 10.0.0.1\n"				/* 13 */
		"0.0.0.0 com\n"					/* 14 */
		"just-a-name.example.com\n"			/* 15 */
		"# 0.0.0.0 commented.example.com\n"		/* 16 */
		":: v6.example.com";				/* 17 */
	struct fb_parse_stats st;
	struct reports r;
	long n;

	n = parse_str(FB_FORMAT_HOSTS, hosts, &st, &r);
	is_int(n, 6, "hosts: six names (several a line, tab, ::)");
	is_int(st.names, 6, "hosts: names counted");
	is_int(st.lines, 17, "hosts: 17 lines");
	is_int(st.invalid, 6, "hosts: six refusals");
	is_int(st.skipped, 10, "hosts: boilerplate and comment skipped");
	ok(r.n == 6 && r.line[0] == 10 && r.line[1] == 11 && r.line[2] == 12
		&& r.line[3] == 13 && r.line[4] == 14 && r.line[5] == 15,
		"hosts: refusals at lines 10..15");
	is_str(r.text[0], "bad..name", "hosts: the bad name, not the line");
	is_str(r.reason[3], fb_name_strerror(FB_NAME_ADDRESS),
		"hosts: IP literal as name");
	is_str(r.reason[4], fb_name_strerror(FB_NAME_SINGLE_LABEL),
		"hosts: single label as name");

	n = parse_str(FB_FORMAT_HOSTS, "a.example.com\nb.example.com\n",
		&st, &r);
	is_int(n, 0, "domains list read as hosts: nothing accepted");
	is_int(st.invalid, 2, "domains list read as hosts: all refused");

	n = parse_str(FB_FORMAT_DOMAINS, "0.0.0.0 a.example.com\n", &st, &r);
	is_int(n, 0, "hosts line read as domains: refused");
}

/**
 * Only the exact names stock hosts files give ::1 and the IPv6 multicast
 * groups are boilerplate; a listed name that merely starts with "ip6-" is
 * a name like any other.
 */
static void
test_hosts_ip6(void)
{
	static const char stock[] =
		"::1 ip6-localhost ip6-loopback\n"
		"fe00::0 ip6-localnet\n"
		"ff00::0 ip6-mcastprefix\n"
		"ff02::1 ip6-allnodes\n"
		"ff02::2 IP6-AllRouters\n"
		"ff02::3 ip6-allhosts\n"
		"0.0.0.0 ip6-localhost\n";
	struct fb_parse_stats st;
	struct reports r;
	long n;

	n = parse_str(FB_FORMAT_HOSTS, stock, &st, &r);
	is_int(n, 0, "ip6 boilerplate: no names");
	is_int(st.invalid, 0, "ip6 boilerplate: nothing refused");
	is_int(st.skipped, 8, "ip6 boilerplate: every name skipped");

	n = parse_str(FB_FORMAT_HOSTS, "0.0.0.0 ip6-evil-phish.example\n"
		"127.0.0.1 IP6-Loopback.example.com ip6-localhost\n",
		&st, &r);
	is_int(n, 2, "names starting with ip6- are listed");
	is_int(st.skipped, 1, "... only the exact boilerplate is skipped");
	is_int(st.invalid, 0, "... nothing refused");

	/* a header-like line with a real name is not boilerplate */
	n = parse_str(FB_FORMAT_HOSTS, "ff02::1 ip6-allnodes.example.com\n",
		&st, &r);
	is_int(st.invalid, 1, "other address with an ip6- name refused");

	/* "ip6-" alone or with an unknown suffix is a single label */
	n = parse_str(FB_FORMAT_HOSTS, "0.0.0.0 ip6-\n0.0.0.0 ip6-foo\n",
		&st, &r);
	is_int(st.invalid, 2, "unknown single-label ip6- names refused");
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

/** One real list; the wanted counts are hard-coded from shell tools. */
static void
test_real_file(const char *dir, const char *file, enum fb_format fmt,
	long lines, long names, long distinct, long skipped)
{
	char path[1024], what[200];
	struct fb_parse_stats st;
	struct reports r;
	char *buf = NULL;
	size_t len = 0;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if(!ok(read_file(path, &buf, &len), path)) {
		free(buf);
		return;
	}
	n = parse(fmt, buf, len, &st, &r);
	snprintf(what, sizeof(what), "%s: %ld names accepted", file, names);
	is_int(st.names, names, what);
	is_int(n, distinct, "... distinct once IDNs are A-labels");
	is_int(st.invalid, 0, "... nothing refused");
	is_int(st.lines, lines, "... every line read");
	is_int(st.skipped, skipped, "... the comment header skipped");
	free(buf);
}

static void
test_real(void)
{
	const char *dir = getenv("FB_DATA");
	if(!dir || !*dir) {
		tap_count++;
		printf("ok %d # SKIP FB_DATA not set\n", tap_count);
		return;
	}
	/* hostsvn/threat-hosts: `wc -l` = 4977 lines, `grep -c '^#'` = 11
	 * header lines, `grep -c '^0\.0\.0\.0 '` = 4966 names (one a line,
	 * `awk '{print NF}' | sort | uniq -c`), all distinct as text
	 * (`awk '$1=="0.0.0.0"{print tolower($2)}' | sort -u | wc -l`).
	 * 4 are Unicode (`grep -cP '[^\x00-\x7f]'`); converted with
	 * Python's "idna" codec, 3 of them equal an xn-- name also listed
	 * (e.g. shopgcaothụ.vn = xn--shopgcaoth-043e.vn), so 4963 keys. */
	test_real_file(dir, "hostsvn/threat-hosts", FB_FORMAT_HOSTS,
		4977, 4966, 4963, 11);
	/* hostsvn/threat-domain.txt: the same 4966 names (`diff` against
	 * the awk output above is empty), 4966 lines, no header */
	test_real_file(dir, "hostsvn/threat-domain.txt", FB_FORMAT_DOMAINS,
		4966, 4966, 4963, 0);
}

int
main(void)
{
	test_domains_basic();
	test_domains_comments();
	test_domains_hostile();
	test_domains_long_names();
	test_hosts();
	test_hosts_ip6();
	test_real();
	return done_testing();
}
