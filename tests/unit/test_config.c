/**
 * \file
 * Unit tests for lib/fb_config.c: every key, the defaults, the syntax
 * (quotes, comments, CRLF), and each error with its exact file:line.
 * Config files are written with mkstemp under $TMPDIR (default /tmp) and
 * removed again.  TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "fb_config.h"
#include "fb_client_net.h"
#include "tap.h"

/* the same fallbacks as lib/fb_config.c; a build that sets one sets it
 * for both */
#ifndef FB_CONF_DEFAULT
#define FB_CONF_DEFAULT "/etc/fraudblock/fraudblock.conf"
#endif
#ifndef FB_DB_DEFAULT
#define FB_DB_DEFAULT "/var/lib/fraudblock"
#endif
#ifndef FB_SYNC_PID_DEFAULT
#define FB_SYNC_PID_DEFAULT "/run/fraudblock/fraudblock-sync.pid"
#endif

#define MB ((uint64_t)1024 * 1024)

/** Path of the current temp file. */
static char conf_path[512];

/** Write len bytes to a new temp file named in conf_path. @return 1 ok. */
static int
write_conf(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if(!dir || !*dir)
		dir = "/tmp";
	snprintf(conf_path, sizeof(conf_path), "%s/fbconfXXXXXX", dir);
	if((fd = mkstemp(conf_path)) < 0) {
		printf("# mkstemp %s: %s\n", conf_path, strerror(errno));
		return 0;
	}
	if(write(fd, data, len) != (ssize_t)len) {
		close(fd);
		unlink(conf_path);
		return 0;
	}
	close(fd);
	return 1;
}

/** Load bytes as a config file.  @return fb_config_load's result. */
static int
load_len(const char *data, size_t len, struct fb_config **cfg, char *err,
	size_t errlen)
{
	int r;

	*cfg = NULL;
	if(!write_conf(data, len)) {
		snprintf(err, errlen, "could not write temp file");
		return -1;
	}
	r = fb_config_load(conf_path, cfg, err, errlen);
	unlink(conf_path);
	return r;
}

/** Load a text that must be accepted; NULL (and a failed test) if not. */
static struct fb_config *
load_good(const char *text, const char *what)
{
	struct fb_config *cfg;
	char err[512];
	int r = load_len(text, strlen(text), &cfg, err, sizeof(err));

	if(!ok(r == 1 && cfg != NULL, what))
		printf("# error: %s\n", err);
	return r == 1 ? cfg : NULL;
}

/** Load bytes that must be refused with "FILE:line: msg". */
static void
bad_len(const char *data, size_t len, int line, const char *msg,
	const char *what)
{
	struct fb_config *cfg = (struct fb_config *)&cfg;
	char err[1024], want[1200];
	int r = load_len(data, len, &cfg, err, sizeof(err));

	snprintf(want, sizeof(want), "%s:%d: %s", conf_path, line, msg);
	if(r != 0 || cfg != NULL) {
		ok(0, what);
		printf("# loaded (r=%d) but should fail: %s\n", r, want);
		fb_config_free(r == 1 ? cfg : NULL);
		return;
	}
	is_str(err, want, what);
}

/** bad_len() for a NUL-terminated text. */
static void
bad(const char *text, int line, const char *msg, const char *what)
{
	bad_len(text, strlen(text), line, msg, what);
}

static void
test_defaults(void)
{
	struct fb_config *cfg = load_good("", "empty file loads");
	char a[INET6_ADDRSTRLEN];

	if(!cfg)
		return;
	is_str(cfg->database, FB_DB_DEFAULT, "default database");
	ok(cfg->path && strncmp(cfg->path, conf_path, strlen(conf_path)) == 0,
		"path recorded");
	is_int(cfg->max_db_size, 4096 * MB, "default max-db-size 4096 MB");
	is_str(inet_ntop(AF_INET, &cfg->sinkhole_ipv4, a, sizeof(a)),
		"0.0.0.0", "default sinkhole-ipv4");
	is_str(inet_ntop(AF_INET6, &cfg->sinkhole_ipv6, a, sizeof(a)),
		"::", "default sinkhole-ipv6");
	is_int(cfg->sinkhole_ttl, 60, "default sinkhole-ttl");
	is_int(cfg->default_action, FB_ACTION_SINKHOLE,
		"default default-action");
	ok(cfg->soa_mname_len == 20 && memcmp(cfg->soa_mname,
		"\012fraudblock\007invalid", 20) == 0,
		"default sinkhole-soa-mname fraudblock.invalid.");
	ok(cfg->soa_rname_len == 31 && memcmp(cfg->soa_rname,
		"\012hostmaster\012fraudblock\007invalid", 31) == 0,
		"default sinkhole-soa-rname hostmaster.fraudblock.invalid.");
	is_int(cfg->poll_ms, 100, "default poll-interval");
	ok(cfg->metrics_file == NULL, "no metrics-file by default");
	is_int(cfg->metrics_interval, 5, "default metrics-interval 5 s");
	is_int(cfg->count_cache_hits, 0, "default count-cache-hits no");
	is_int(cfg->nfeeds, 0, "no feeds");
	ok(fb_config_feed(cfg, "x") == NULL, "no feed found in empty config");
	fb_config_free(cfg);

	cfg = load_good("metrics-file: \"/var/lib/node/fraudblock.prom\"\n"
		"metrics-interval: 3600\ncount-cache-hits: yes\n",
		"metrics keys load");
	if(cfg) {
		is_str(cfg->metrics_file, "/var/lib/node/fraudblock.prom",
			"metrics-file");
		is_int(cfg->metrics_interval, 3600, "metrics-interval 3600");
		is_int(cfg->count_cache_hits, 1, "count-cache-hits: yes");
	}
	fb_config_free(cfg);

	cfg = load_good("# only comments\n\n   \n\t# indented\n",
		"comments and blank lines only");
	if(cfg)
		is_int(cfg->poll_ms, 100, "still defaults");
	fb_config_free(cfg);
	fb_config_free(NULL);
	ok(1, "fb_config_free(NULL) is fine");
}

static void
test_all_keys(void)
{
	struct fb_config *cfg = load_good(
		"# every key\n"
		"database: /srv/fb/db\n"
		"max-db-size: 100\n"
		"sinkhole-ipv4: 192.0.2.66\n"
		"sinkhole-ipv6: 2001:db8::66\n"
		"sinkhole-ttl: 300\n"
		"default-action: nxdomain\n"
		"poll-interval: 250\n"
		"protected-names: /srv/fb/critical.txt\n"
		"popular-names: \"/srv/fb/top 1m.csv\"\n"
		"public-suffix-list: /srv/fb/psl.dat\n"
		"feed:\n"
		"\tname: hostsvn\n"
		"\tsource: /srv/feeds/threat-hosts\n"
		"\tformat: hosts\n"
		"\taction: nodata\n"
		"\tcategory: scam\n"
		"\tmax-shrink: 20\n"
		"\tmax-size: 16\n"
		"\tede: censored\n"
		"\tsubdomains: no\n"
		"\ttrusted: yes\n"
		"\tmax-protected: 0\n"
		"feed:\n"
		"\tname: local.list_2-b\n"
		"\tsource: file:///srv/feeds/local.txt\n", "all keys load");
	const struct fb_feed_conf *f;
	char a[INET6_ADDRSTRLEN];

	if(!cfg)
		return;
	is_str(cfg->database, "/srv/fb/db", "database");
	is_int(cfg->max_db_size, 100 * MB, "max-db-size in bytes");
	is_str(inet_ntop(AF_INET, &cfg->sinkhole_ipv4, a, sizeof(a)),
		"192.0.2.66", "sinkhole-ipv4");
	is_str(inet_ntop(AF_INET6, &cfg->sinkhole_ipv6, a, sizeof(a)),
		"2001:db8::66", "sinkhole-ipv6");
	is_int(cfg->sinkhole_ttl, 300, "sinkhole-ttl");
	is_int(cfg->default_action, FB_ACTION_NXDOMAIN, "default-action");
	is_int(cfg->poll_ms, 250, "poll-interval");
	is_str(cfg->protected_names, "/srv/fb/critical.txt", "protected-names");
	is_str(cfg->popular_names, "/srv/fb/top 1m.csv", "popular-names");
	is_str(cfg->public_suffix_list, "/srv/fb/psl.dat",
		"public-suffix-list");
	is_int(cfg->nfeeds, 2, "two feeds");
	f = fb_config_feed(cfg, "hostsvn");
	if(ok(f != NULL, "feed hostsvn found")) {
		is_str(f->source, "/srv/feeds/threat-hosts", "feed source");
		is_int(f->format, FB_FORMAT_HOSTS, "feed format");
		is_int(f->action, FB_ACTION_NODATA, "feed action");
		is_int(f->category, FB_CATEGORY_SCAM, "feed category");
		is_int(f->max_shrink, 20, "feed max-shrink");
		is_int(f->max_size, 16 * MB, "feed max-size in bytes");
		is_int(f->ede, FB_EDE_CENSORED, "ede: censored");
		is_int(f->subdomains, 0, "subdomains: no");
		is_int(f->trusted, 1, "trusted: yes");
		is_int(f->max_protected, 0, "max-protected 0");
		is_int(f->line, 12, "feed clause line");
	}
	f = fb_config_feed(cfg, "local.list_2-b");
	if(ok(f != NULL, "second feed found")) {
		is_str(f->source, "file:///srv/feeds/local.txt", "file:// URL");
		is_int(f->format, FB_FORMAT_DOMAINS, "default format");
		is_int(f->action, FB_ACTION_DEFAULT, "default action");
		is_int(f->category, FB_CATEGORY_UNSPECIFIED,
			"default category");
		is_int(f->max_shrink, 50, "default max-shrink");
		is_int(f->max_size, 256 * MB, "default max-size");
		is_int(f->ede, FB_EDE_BLOCKED, "default ede");
		is_int(f->subdomains, 1, "default subdomains: yes");
		is_int(f->trusted, 0, "default trusted: no");
		is_int(f->max_protected, 10, "default max-protected");
		is_int(f->line, 24, "second clause line");
	}
	ok(fb_config_feed(cfg, "HOSTSVN") == NULL, "feed lookup is exact");
	ok(fb_config_feed(cfg, NULL) == NULL, "NULL name");
	ok(fb_config_feed(NULL, "x") == NULL, "NULL config");
	fb_config_free(cfg);
}

/** What the messages say a source and a pin look like. */
#define SRC_EXPECT "a path, a file:// URL or an http:// or https:// URL"
#define PIN_EXPECT "sha256//BASE64 of a public key, several joined by ';'"
/** A well-formed base64 SHA-256. */
#define PIN_B64 "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

/** The keys of downloads: values, defaults, where they may stand. */
static void
test_http_keys(void)
{
	struct fb_config *cfg = load_good(
		"feed:\n"
		"\tname: national\n"
		"\tsource: HTTPS://lists.example/fraud.txt.gz?key=1\n"
		"\tca-file: /etc/fraudblock/ca.pem\n"
		"\tpin: \"sha256//" PIN_B64 ";sha256//" PIN_B64 "\"\n"
		"\ttimeout: 10\n"
		"\tretries: 0\n"
		"\tmax-download: 64\n"
		"feed:\n"
		"\tname: plain\n"
		"\tsource: http://127.0.0.1:8080/list\n", "http keys load");
	const struct fb_feed_conf *f;
	char msg[256];

	if(cfg) {
		f = &cfg->feeds[0];
		is_str(f->source, "HTTPS://lists.example/fraud.txt.gz?key=1",
			"https source, scheme in any case");
		is_str(f->ca_file, "/etc/fraudblock/ca.pem", "ca-file");
		is_str(f->pin, "sha256//" PIN_B64 ";sha256//" PIN_B64,
			"two pins");
		is_int(f->timeout, 10, "timeout");
		is_int(f->retries, 0, "retries 0");
		is_int(f->max_download, 64 * MB, "max-download in bytes");
		f = &cfg->feeds[1];
		ok(f->ca_file == NULL && f->pin == NULL,
			"no ca-file, no pin by default");
		is_int(f->timeout, 30, "default timeout 30 s");
		is_int(f->retries, 2, "default retries 2");
		is_int(f->max_download, 256 * MB, "default max-download");
		fb_config_free(cfg);
	}
	snprintf(msg, sizeof(msg), "feed 'f': ca-file is only for https:// "
		"sources");
	bad("feed:\nname: f\nsource: http://a.example/x\n"
		"ca-file: /ca.pem\n", 4, msg, "ca-file on http:// refused");
	snprintf(msg, sizeof(msg), "feed 'f': pin is only for https:// "
		"sources");
	bad("feed:\nname: f\npin: sha256//" PIN_B64 "\nsource: /x\n", 3,
		msg, "pin on a local file refused, at the pin's line");
}

static void
test_words(void)
{
	static const char *acts[] = { "sinkhole", "nxdomain", "nodata" };
	static const enum fb_action aval[] = { FB_ACTION_SINKHOLE,
		FB_ACTION_NXDOMAIN, FB_ACTION_NODATA };
	static const char *cats[] = { "unspecified", "scam", "phishing",
		"malware", "other" };
	char text[256], what[128];
	struct fb_config *cfg;
	int i;

	for(i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "default-action: %s\nfeed:\n"
			"name: f\nsource: /x\naction: %s\n", acts[i], acts[i]);
		snprintf(what, sizeof(what), "action word %s", acts[i]);
		if(!(cfg = load_good(text, what)))
			continue;
		ok(cfg->default_action == aval[i] &&
			cfg->feeds[0].action == aval[i], what);
		fb_config_free(cfg);
	}
	for(i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "feed:\nname: f\nsource: /x\n"
			"category: %s\n", cats[i]);
		snprintf(what, sizeof(what), "category word %s", cats[i]);
		if(!(cfg = load_good(text, what)))
			continue;
		is_int(cfg->feeds[0].category, i, what);
		fb_config_free(cfg);
	}
	if((cfg = load_good("feed:\nname: f\nsource: /x\nformat: domains\n"
		"action: default\n", "format domains, action default"))) {
		ok(cfg->feeds[0].format == FB_FORMAT_DOMAINS &&
			cfg->feeds[0].action == FB_ACTION_DEFAULT,
			"domains / default");
		fb_config_free(cfg);
	}
}

static void
test_ranges_ok(void)
{
	struct fb_config *cfg;

	cfg = load_good("max-db-size: 1\nsinkhole-ttl: 0\npoll-interval: 10\n"
		"feed:\nname: f\nsource: /x\nmax-shrink: 0\nmax-size: 1\n",
		"lowest values");
	if(cfg) {
		ok(cfg->max_db_size == MB && cfg->sinkhole_ttl == 0 &&
			cfg->poll_ms == 10 && cfg->feeds[0].max_shrink == 0 &&
			cfg->feeds[0].max_size == MB, "lowest values kept");
		fb_config_free(cfg);
	}
	cfg = load_good("max-db-size: 1048576\nsinkhole-ttl: 86400\n"
		"poll-interval: 60000\nfeed:\nname: f\nsource: /x\n"
		"max-shrink: 100\nmax-size: 65536\n", "highest values");
	if(cfg) {
		ok(cfg->max_db_size == 1048576 * MB &&
			cfg->sinkhole_ttl == 86400 && cfg->poll_ms == 60000 &&
			cfg->feeds[0].max_shrink == 100 &&
			cfg->feeds[0].max_size == 65536 * MB,
			"highest values kept");
		fb_config_free(cfg);
	}
	cfg = load_good("sinkhole-ipv6: ::ffff:192.0.2.1\n",
		"IPv4-mapped IPv6 sinkhole");
	fb_config_free(cfg);
}

static void
test_syntax(void)
{
	struct fb_config *cfg;
	char line[5000];

	cfg = load_good("  database:   \"/path with # hash\"   # comment\n"
		"feed: # a clause\n"
		"  name:\"q\"\n"
		"  source: /plain/path#comment right after\n"
		"  format: hosts   \t\n", "quotes, comments, blanks");
	if(cfg) {
		is_str(cfg->database, "/path with # hash",
			"quoted value keeps '#' and spaces");
		is_str(cfg->feeds[0].name, "q", "no space after colon");
		is_str(cfg->feeds[0].source, "/plain/path",
			"unquoted value ends at '#'");
		is_int(cfg->feeds[0].format, FB_FORMAT_HOSTS,
			"trailing blanks trimmed");
		fb_config_free(cfg);
	}
	cfg = load_good("database: /a b c  \n", "unquoted value with spaces");
	if(cfg) {
		is_str(cfg->database, "/a b c", "inner spaces kept");
		fb_config_free(cfg);
	}
	cfg = load_good("database: /db\r\nfeed:\r\nname: crlf\r\n"
		"source: /s\r\nsinkhole-ttl: 5\r\n\r\n# c\r\n",
		"CRLF line ends");
	if(cfg) {
		is_str(cfg->database, "/db", "CRLF: no \\r in value");
		ok(fb_config_feed(cfg, "crlf") != NULL, "CRLF: feed name");
		is_str(cfg->feeds[0].source, "/s", "CRLF: source");
		is_int(cfg->sinkhole_ttl, 5, "CRLF: number");
		fb_config_free(cfg);
	}
	cfg = load_good("database: /no-final-newline", "no final newline");
	if(cfg) {
		is_str(cfg->database, "/no-final-newline", "last line read");
		fb_config_free(cfg);
	}
	/* exactly 4096 bytes, with either line end */
	memset(line, 'x', sizeof(line));
	line[0] = '#';
	memcpy(line + 4096, "\ndatabase: /d\n", 15);
	cfg = load_good(line, "4096-byte line accepted");
	if(cfg) {
		is_str(cfg->database, "/d", "line after a 4096-byte line");
		fb_config_free(cfg);
	}
	memcpy(line + 4096, "\r\ndatabase: /d\n", 16);
	cfg = load_good(line, "4096-byte line plus CRLF accepted");
	fb_config_free(cfg);
}

static void
test_errors(void)
{
	bad("database: /d\nbogus: 1\n", 2, "unknown key 'bogus'",
		"unknown key");
	bad("Database: /d\n", 1, "unknown key 'Database'",
		"keys are case-sensitive");
	bad("\n\n   max-db-size 10\n", 3, "expected 'key: value'",
		"missing colon");
	bad(": value\n", 1, "expected 'key: value'", "missing key");
	bad("database /d: x\n", 1, "expected 'key: value'", "space in key");
	bad("database:\n", 1, "missing value for database", "empty value");
	bad("database: \"\"\n", 1, "missing value for database",
		"empty quoted value");
	bad("database:   # nothing\n", 1, "missing value for database",
		"only a comment as value");
	bad("database: \"/d\n", 1, "unterminated quote",
		"unterminated quote");
	bad("# x\ndatabase: \"/d\" extra\n", 2, "text after closing quote",
		"text after closing quote");
	bad("database: /a\ndatabase: /b\n", 2,
		"database given twice (first at line 1)",
		"duplicate global key");
	bad("feed: now\n", 1, "'feed:' takes no value", "feed: with a value");

	bad("name: x\n", 1, "feed key 'name' outside a feed clause",
		"name outside a feed clause");
	bad("# c\nsource: /x\n", 2, "feed key 'source' outside a feed clause",
		"source outside a feed clause");
	bad("max-shrink: 5\nfeed:\n", 1,
		"feed key 'max-shrink' outside a feed clause",
		"max-shrink outside a feed clause");
	bad("feed:\nname: a\nsource: /a\nname: b\n", 4,
		"name given twice (first at line 2)", "name twice in a clause");
	bad("feed:\nname: a\nsource: /a\nfeed:\nname: b\nsource: /b\n"
		"feed:\nname: a\nsource: /c\n", 8,
		"duplicate feed name 'a' (first in the feed at line 1)",
		"duplicate feed name");
	bad("feed:\nname: a\n\n# end\n", 1, "feed 'a' without source",
		"missing source at end of file");
	bad("poll-interval: 20\n\nfeed:\nname: a\nfeed:\nname: b\nsource: /b\n",
		3, "feed 'a' without source",
		"missing source before next feed");
	bad("feed:\nsource: /a\n", 1, "feed clause without name",
		"missing name");
	bad("feed:\n", 1, "feed clause without name", "empty clause");
}

/**
 * Unbound chdirs to its directory: a relative database would name one
 * place for the module and another for the tools run from a shell.
 */
static void
test_database_path(void)
{
	struct fb_config *cfg;

	bad("database: db\n", 1, "database must be an absolute path",
		"relative database refused");
	bad("# c\ndatabase: \"./var/lib/fraudblock\"\n", 2,
		"database must be an absolute path", "./ database refused");
	bad("database: ../db\n", 1, "database must be an absolute path",
		"../ database refused");
	bad("database: ~/db\n", 1, "database must be an absolute path",
		"~ is not expanded, so refused");
	bad("database: \" /db\"\n", 1, "database must be an absolute path",
		"quoted leading blank is not absolute");
	cfg = load_good("database: /\n", "root directory is absolute");
	if(cfg) {
		is_str(cfg->database, "/", "database /");
		fb_config_free(cfg);
	}
}

/**
 * Editors on Windows start UTF-8 files with a byte order mark, and feeds
 * accept one: so does the config, at the very start of the file only.
 */
static void
test_bom(void)
{
	struct fb_config *cfg;
	char line[5000];

	cfg = load_good("\xef\xbb\xbf" "database: /bom\nsinkhole-ttl: 7\n",
		"BOM before the first key");
	if(cfg) {
		is_str(cfg->database, "/bom", "BOM: first key read");
		is_int(cfg->sinkhole_ttl, 7, "BOM: second line read");
		fb_config_free(cfg);
	}
	cfg = load_good("\xef\xbb\xbf", "file of only a BOM");
	fb_config_free(cfg);
	cfg = load_good("\xef\xbb\xbf# comment\r\ndatabase: /c\r\n",
		"BOM before a comment, CRLF line ends");
	fb_config_free(cfg);
	bad("\xef\xbb\xbf" "bogus: 1\n", 1, "unknown key 'bogus'",
		"BOM: errors still on line 1, BOM not in the key");
	bad("database: /d\n\xef\xbb\xbf" "sinkhole-ttl: 5\n", 2,
		"unknown key '\xef\xbb\xbf" "sinkhole-ttl'",
		"BOM at the start of line 2 is not skipped");
	bad("#\n\xef\xbb\xbf" "x: 1\n", 2, "unknown key '\xef\xbb\xbf" "x'",
		"BOM after a short first line is not skipped");
	bad("\xef\xbb\xbf\xef\xbb\xbf" "database: /d\n", 1,
		"unknown key '\xef\xbb\xbf" "database'",
		"only one BOM is skipped");
	bad("\xef\xbb" "database: /d\n", 1, "unknown key '\xef\xbb"
		"database'", "half a BOM is not skipped");
	/* the BOM does not count against the length of line 1 */
	memset(line, 'x', sizeof(line));
	memcpy(line, "\xef\xbb\xbf#", 4);
	memcpy(line + 4099, "\ndatabase: /d\n", 15);
	cfg = load_good(line, "BOM and a 4096-byte first line accepted");
	fb_config_free(cfg);
}

/** A bad value must name the key, quote the value, say what is wanted. */
static void
test_bad_values(void)
{
	static const struct {
		const char *conf;	/* the value goes on line 1 or 4 */
		const char *msg;
	} c[] = {
	{ "max-db-size: 0", "bad value for max-db-size: '0' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: 1048577", "bad value for max-db-size: '1048577' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: -1", "bad value for max-db-size: '-1' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: +5", "bad value for max-db-size: '+5' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: \" 5\"", "bad value for max-db-size: ' 5' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: 0x10", "bad value for max-db-size: '0x10' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: 10x", "bad value for max-db-size: '10x' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: 10 MB", "bad value for max-db-size: '10 MB' "
		"(megabytes, 1 to 1048576)" },
	{ "max-db-size: 18446744073709551616", "bad value for max-db-size: "
		"'18446744073709551616' (megabytes, 1 to 1048576)" },
	{ "max-db-size: 99999999999999999999999", "bad value for "
		"max-db-size: '99999999999999999999999' (megabytes, 1 to "
		"1048576)" },
	{ "sinkhole-ipv4: 1.2.3", "bad value for sinkhole-ipv4: '1.2.3' "
		"(an IPv4 address)" },
	{ "sinkhole-ipv4: 1.2.3.256", "bad value for sinkhole-ipv4: "
		"'1.2.3.256' (an IPv4 address)" },
	{ "sinkhole-ipv4: ::1", "bad value for sinkhole-ipv4: '::1' "
		"(an IPv4 address)" },
	{ "sinkhole-ipv6: 1.2.3.4", "bad value for sinkhole-ipv6: "
		"'1.2.3.4' (an IPv6 address)" },
	{ "sinkhole-ipv6: ::g", "bad value for sinkhole-ipv6: '::g' "
		"(an IPv6 address)" },
	{ "sinkhole-ttl: 86401", "bad value for sinkhole-ttl: '86401' "
		"(seconds, 0 to 86400)" },
	{ "sinkhole-ttl: 4294967356", "bad value for sinkhole-ttl: "
		"'4294967356' (seconds, 0 to 86400)" },
	{ "default-action: default", "bad value for default-action: "
		"'default' (sinkhole, nxdomain or nodata)" },
	{ "default-action: allow", "bad value for default-action: "
		"'allow' (sinkhole, nxdomain or nodata)" },
	{ "poll-interval: 9", "bad value for poll-interval: '9' "
		"(milliseconds, 10 to 60000)" },
	{ "poll-interval: 60001", "bad value for poll-interval: '60001' "
		"(milliseconds, 10 to 60000)" },
	{ "feed:\nsource: /x\n#\nformat: xml", "bad value for format: "
		"'xml' (domains, hosts, urls, adblock, csv or json)" },
	{ "feed:\nsource: /x\n#\naction: block", "bad value for action: "
		"'block' (default, sinkhole, nxdomain, nodata or allow)" },
	{ "feed:\nsource: /x\n#\nede: 18", "bad value for ede: "
		"'18' (blocked, censored or filtered (or 15, 16, 17))" },
	{ "feed:\nsource: /x\n#\nede: Censored", "bad value for ede: "
		"'Censored' (blocked, censored or filtered (or 15, 16, 17))" },
	{ "feed:\nsource: /x\n#\nsubdomains: true", "bad value for "
		"subdomains: 'true' (yes or no)" },
	{ "feed:\nsource: /x\n#\ncategory: fraud", "bad value for "
		"category: 'fraud' (unspecified, scam, phishing, malware or "
		"other)" },
	{ "feed:\nsource: /x\n#\nmax-shrink: 101", "bad value for "
		"max-shrink: '101' (percent, 0 to 100)" },
	{ "feed:\nsource: /x\n#\nmax-size: 0", "bad value for max-size: "
		"'0' (megabytes, 1 to 65536)" },
	{ "feed:\nsource: /x\n#\nmax-size: 65537", "bad value for "
		"max-size: '65537' (megabytes, 1 to 65536)" },
	{ "feed:\nname: f\n#\nsource: ftp://example.com/list", "bad "
		"value for source: 'ftp://example.com/list' (" SRC_EXPECT ")" },
	{ "feed:\nname: f\n#\nsource: file://", "bad value for source: "
		"'file://' (" SRC_EXPECT ")" },
	{ "feed:\nname: f\n#\nsource: https://", "bad value for source: "
		"'https://' (" SRC_EXPECT ")" },
	{ "feed:\nname: f\n#\nsource: http:///list", "bad value for "
		"source: 'http:///list' (" SRC_EXPECT ")" },
	{ "feed:\nname: f\n#\nsource: \"http://a.example/b c\"", "bad "
		"value for source: 'http://a.example/b c' (" SRC_EXPECT ")" },
	{ "feed:\nsource: /x\n#\ntimeout: 0", "bad value for timeout: "
		"'0' (seconds, 1 to 3600)" },
	{ "feed:\nsource: /x\n#\ntimeout: 3601", "bad value for timeout: "
		"'3601' (seconds, 1 to 3600)" },
	{ "feed:\nsource: /x\n#\nretries: 11", "bad value for retries: "
		"'11' (a count, 0 to 10)" },
	{ "feed:\nsource: /x\n#\nretries: -1", "bad value for retries: "
		"'-1' (a count, 0 to 10)" },
	{ "feed:\nsource: /x\n#\nmax-download: 0", "bad value for "
		"max-download: '0' (megabytes, 1 to 65536)" },
	{ "feed:\nsource: /x\n#\nca-file: ca.pem", "bad value for "
		"ca-file: 'ca.pem' (an absolute path)" },
	{ "feed:\nsource: /x\n#\npin: sha256//abc=", "bad value for pin: "
		"'sha256//abc=' (" PIN_EXPECT ")" },
	{ "feed:\nsource: /x\n#\npin: sha1//" PIN_B64, "bad value for pin: "
		"'sha1//" PIN_B64 "' (" PIN_EXPECT ")" },
	{ "feed:\nsource: /x\n#\npin: sha256//" PIN_B64 ";", "bad value for "
		"pin: 'sha256//" PIN_B64 ";' (" PIN_EXPECT ")" },
	};
	char text[256], what[300], *p;
	size_t i;
	int line;

	for(i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(text, sizeof(text), "%s\n", c[i].conf);
		line = strchr(c[i].conf, '\n') ? 4 : 1;
		/* one TAP line: show the clause's line ends as '|' */
		snprintf(what, sizeof(what), "refused: %s", c[i].conf);
		for(p = what; (p = strchr(p, '\n')); )
			*p = '|';
		bad(text, line, c[i].msg, what);
	}
}

/** refresh: the units, the range, the floor of remote feeds; and
 * sync-pid-file. */
static void
test_refresh(void)
{
	static const struct { const char *val; unsigned secs; } good[] = {
		{ "1", 1 }, { "90", 90 }, { "90s", 90 }, { "15m", 900 },
		{ "2h", 7200 }, { "168h", 604800 }, { "0000060", 60 }
	};
	static const char *const badv[] = { "0", "0m", "169h", "604801",
		"1d", "5 m", "m", "-1", "1hh", "99999999", "1.5h" };
	char text[256], what[128], msg[256];
	struct fb_config *cfg;
	size_t i;

	cfg = load_good("feed:\nname: f\nsource: /x\n", "no refresh given");
	if(cfg)
		is_int(cfg->feeds[0].refresh, 3600, "default refresh 1h");
	if(cfg)
		is_str(cfg->sync_pid_file, FB_SYNC_PID_DEFAULT,
			"default sync-pid-file");
	fb_config_free(cfg);
	for(i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "feed:\nname: f\nsource: /x\n"
			"refresh: %s\n", good[i].val);
		snprintf(what, sizeof(what), "refresh: %s loads", good[i].val);
		if((cfg = load_good(text, what)) != NULL)
			is_int(cfg->feeds[0].refresh, good[i].secs, what);
		fb_config_free(cfg);
	}
	for(i = 0; i < sizeof(badv) / sizeof(badv[0]); i++) {
		snprintf(text, sizeof(text), "feed:\nname: f\nsource: /x\n"
			"refresh: %s\n", badv[i]);
		snprintf(msg, sizeof(msg), "bad value for refresh: '%s' "
			"(seconds with an optional s, m or h suffix, 1s to "
			"168h)", badv[i]);
		snprintf(what, sizeof(what), "refresh: %s refused", badv[i]);
		bad(text, 4, msg, what);
	}
	/* local files may be read every second, file:// URLs too */
	cfg = load_good("feed:\nname: f\nrefresh: 1\nsource: file:///x\n",
		"refresh: 1 for a file:// source");
	fb_config_free(cfg);
	cfg = load_good("sync-pid-file: /run/x/s.pid\n", "sync-pid-file");
	if(cfg)
		is_str(cfg->sync_pid_file, "/run/x/s.pid",
			"sync-pid-file taken");
	fb_config_free(cfg);
	bad("sync-pid-file: run/s.pid\n", 1, "sync-pid-file must be an "
		"absolute path", "a relative sync-pid-file is refused");
}

static void
test_feed_names(void)
{
	static const char *badnames[] = { "\"a b\"", "a/b", "manual-allow",
		"manual-block", "Manual-Allow", ".", "..", "a\xc3\xbc" };
	char name[80], text[256], msg[256], what[128];
	struct fb_config *cfg;
	size_t i;

	memset(name, 'n', 63);
	name[63] = 0;
	snprintf(text, sizeof(text), "feed:\nname: %s\nsource: /x\n", name);
	cfg = load_good(text, "63-char feed name accepted");
	fb_config_free(cfg);
	strcat(name, "n");
	snprintf(text, sizeof(text), "feed:\nname: %s\nsource: /x\n", name);
	snprintf(msg, sizeof(msg), "bad value for name: '%s' (1 to 63 of "
		"A-Z a-z 0-9 _ . -, not manual-allow or manual-block)", name);
	bad(text, 2, msg, "64-char feed name refused");
	for(i = 0; i < sizeof(badnames) / sizeof(badnames[0]); i++) {
		snprintf(text, sizeof(text), "feed:\nname: %s\nsource: /x\n",
			badnames[i]);
		snprintf(msg, sizeof(msg), "bad value for name: '%s' (1 to 63 "
			"of A-Z a-z 0-9 _ . -, not manual-allow or "
			"manual-block)", strcmp(badnames[i], "\"a b\"") == 0 ?
			"a b" : badnames[i]);
		snprintf(what, sizeof(what), "feed name %s refused",
			badnames[i]);
		bad(text, 2, msg, what);
	}
}

static void
test_hostile(void)
{
	char *big = malloc(6000);
	char msg[256], want[256];

	if(!ok(big != NULL, "malloc"))
		return;
	/* 5000-byte line on line 3 */
	memcpy(big, "# a\n# b\ndatabase: ", 18);
	memset(big + 18, 'd', 5000);
	memcpy(big + 5018, "\nsinkhole-ttl: 1\n", 18);
	bad(big, 3, "line too long (over 4096 bytes)", "5000-byte line");
	/* 4097 bytes (a comment) */
	memset(big, 'x', 4097);
	big[0] = '#';
	memcpy(big + 4097, "\n", 2);
	bad(big, 1, "line too long (over 4096 bytes)", "4097-byte line");
	/* 4097 bytes ending in \r without \n is not a CRLF line end */
	big[4096] = '\r';
	big[4097] = 'y';
	big[4098] = '\n';
	big[4099] = 0;
	bad(big, 1, "line too long (over 4096 bytes)",
		"\\r not at line end does not excuse length");
	/* no newline at all, 5000 bytes */
	memset(big, 'z', 5000);
	big[5000] = 0;
	bad(big, 1, "line too long (over 4096 bytes)", "long last line");
	free(big);

	bad_len("database: /d\nsinkhole-ttl: 6\0 0\n", 32, 2,
		"NUL byte in line", "NUL byte on line 2");
	bad_len("\0", 1, 1, "NUL byte in line", "file of one NUL byte");
	bad_len("# c\n\n#\0comment\n", 15, 3, "NUL byte in line",
		"NUL byte in a comment");
	bad("feed:\nname: \x1b[31mred\n", 2, "bad value for name: "
		"'?[31mred' (1 to 63 of A-Z a-z 0-9 _ . -, not manual-allow "
		"or manual-block)", "control bytes shown as '?'");
	/* the message shows 64 bytes of it and "..." */
	memset(msg, 'k', 100);
	memcpy(msg + 100, ": 1\n", 5);
	memcpy(want, "unknown key '", 13);
	memset(want + 13, 'k', 64);
	memcpy(want + 77, "...'", 5);
	bad(msg, 1, want, "long key cut in the message");
	bad("database: /d\n\xff\xfe: x\n", 2, "unknown key '\xff\xfe'",
		"non-ASCII key");
}

static void
test_files(void)
{
	struct fb_config *cfg = (struct fb_config *)&cfg;
	char err[512], want[512], small[16];
	const char *dir = getenv("TMPDIR");

	if(!dir || !*dir)
		dir = "/tmp";
	is_int(fb_config_load("/nonexistent/fraudblock.conf", &cfg, err,
		sizeof(err)), 0, "missing file refused");
	ok(cfg == NULL, "out is NULL on error");
	is_str(err, "/nonexistent/fraudblock.conf: No such file or directory",
		"missing file message");
	is_int(fb_config_load(dir, &cfg, err, sizeof(err)), 0,
		"directory refused");
	snprintf(want, sizeof(want), "%s: Is a directory", dir);
	is_str(err, want, "directory message");

	/* a small buffer is cut, not overrun; no buffer at all is fine */
	memset(small, 'S', sizeof(small));
	is_int(load_len("bogus: 1\n", 9, &cfg, small, 10), 0,
		"error with a 10-byte buffer");
	ok(memchr(small, 0, 10) != NULL && small[10] == 'S',
		"message cut to the buffer");
	is_int(load_len("bogus: 1\n", 9, &cfg, NULL, 0), 0,
		"error with no buffer");
	small[0] = 'S';
	is_int(load_len("bogus: 1\n", 9, &cfg, small, 0), 0,
		"error with errlen 0");
	is_int(small[0], 'S', "errlen 0 writes nothing");
}

static void
test_env(void)
{
	unsetenv(FB_CONF_ENV);
	is_str(fb_config_default_path(), FB_CONF_DEFAULT,
		"built-in path without the environment");
	setenv(FB_CONF_ENV, "/run/test/fb.conf", 1);
	is_str(fb_config_default_path(), "/run/test/fb.conf",
		"FRAUDBLOCK_CONF overrides");
	setenv(FB_CONF_ENV, "", 1);
	is_str(fb_config_default_path(), FB_CONF_DEFAULT,
		"empty FRAUDBLOCK_CONF ignored");
	unsetenv(FB_CONF_ENV);
	is_str(FB_CONF_ENV, "FRAUDBLOCK_CONF", "variable name");
}

/** The integrity keys of a feed: signature-key, signature, checksum. */
static void
test_integrity(void)
{
	struct fb_config *cfg;
	const char *key = "RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X5";

	cfg = load_good("feed:\n name: a\n source: /f/a.txt\n"
		" signature-key: \"RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X5\"\n"
		"feed:\n name: b\n source: /f/b.txt\n"
		" signature-key: RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X5\n"
		" signature: file:///f/b.sig\n checksum: /f/b.sha256\n"
		"feed:\n name: c\n source: /f/c.txt\n", "integrity keys");
	if(cfg) {
		is_str(cfg->feeds[0].signature_key, key, "key, quoted");
		ok(cfg->feeds[0].signature == NULL &&
			cfg->feeds[0].checksum == NULL,
			"no signature path, no checksum: defaults");
		is_str(cfg->feeds[1].signature, "file:///f/b.sig",
			"signature path");
		is_str(cfg->feeds[1].checksum, "/f/b.sha256", "checksum");
		ok(cfg->feeds[2].signature_key == NULL, "unsigned feed");
	}
	fb_config_free(cfg);
	bad("feed:\n name: a\n source: /f/a\n signature-key: RWRNEBVk\n", 4,
		"bad value for signature-key: 'RWRNEBVk' (a minisign public key: "
		"the 56-character base64 line starting RW of its .pub file)",
		"key too short");
	bad("feed:\n name: a\n source: /f/a\n signature-key: "
		"RURNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X5\n", 4,
		"bad value for signature-key: 'RURNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8U"
		"BZM2Xcrf5xww4mJ6pz70X5' (a minisign public key: the 56-character "
		"base64 line starting RW of its .pub file)",
		"a signature line is no key");
	bad("feed:\n name: a\n source: /f/a\n signature-key: "
		"RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8UBZM2Xcrf5xww4mJ6pz70X=\n", 4,
		"bad value for signature-key: 'RWRNEBVkP6WIpSJ0VJlAFhVW0wegyGLZ8U"
		"BZM2Xcrf5xww4mJ6pz70X=' (a minisign public key: the 56-character "
		"base64 line starting RW of its .pub file)", "padding in a key");
	bad("feed:\n name: a\n source: /f/a\n signature: /f/a.minisig\n"
		" checksum: /f/a.sum\n", 4,
		"feed 'a': signature needs signature-key",
		"signature without key, named at its line");
	bad("feed:\n name: a\n source: /f/a\n checksum: http:///a.sum\n", 4,
		"bad value for checksum: 'http:///a.sum' (a path, file:// or "
		"http(s) URL)", "a checksum URL without a host");
}

/** sinkhole-soa-mname/-rname: names to wire form, hostile ones refused. */
static void
test_soa_names(void)
{
	struct fb_config *cfg;
	uint8_t w[FB_WIRE_NAME_MAX];
	char big[300];
	size_t n = 0;

	cfg = load_good("sinkhole-soa-mname: NS1.Example.org\n"
		"sinkhole-soa-rname: \"abuse.example.org.\"\n",
		"SOA names load");
	if(cfg) {
		ok(cfg->soa_mname_len == 17 && memcmp(cfg->soa_mname,
			"\003ns1\007example\003org", 17) == 0,
			"mname in wire form, lower case, root added");
		ok(cfg->soa_rname_len == 19 && memcmp(cfg->soa_rname,
			"\005abuse\007example\003org", 19) == 0,
			"rname with its trailing dot");
	}
	fb_config_free(cfg);
	bad("sinkhole-soa-mname: .\n", 1, "bad value for sinkhole-soa-mname:"
		" '.' (a domain name: labels of A-Z a-z 0-9 - _, up to 63 bytes "
		"each)", "root alone refused");
	bad("sinkhole-soa-rname: a\\.b.example\n", 1, "bad value for "
		"sinkhole-soa-rname: 'a\\.b.example' (a mailbox as a domain "
		"name (hostmaster.example.org.): labels of A-Z a-z 0-9 - _, up "
		"to 63 bytes each)", "an escaped dot refused");
	ok(!fb_config_name_wire("a..b", w, &n), "empty label refused");
	ok(!fb_config_name_wire("a b", w, &n), "blank refused");
	ok(!fb_config_name_wire("\"q\".x", w, &n), "quote refused");
	ok(!fb_config_name_wire("a\001b.x", w, &n), "control byte refused");
	memset(big, 'a', 63);
	strcpy(big + 63, ".x");
	ok(fb_config_name_wire(big, w, &n) && n == 67, "63-byte label fits");
	memset(big, 'a', 64);
	strcpy(big + 64, ".x");
	ok(!fb_config_name_wire(big, w, &n), "64-byte label refused");
	/* 4 labels of 63 bytes: 256 bytes of wire, one too many */
	snprintf(big, sizeof(big), "%.63s.%.63s.%.63s.%.61s", w, w, w, w);
	memset(big, 'b', 63 * 4 + 3);
	big[63] = big[127] = big[191] = '.';
	big[63 * 4 + 3] = 0;
	ok(!fb_config_name_wire(big, w, &n), "a 256-byte name refused");
	big[63 * 4 + 1] = 0;
	ok(fb_config_name_wire(big, w, &n) && n == 255,
		"a 255-byte name fits");
}

/** What sde-contact expects, as error messages quote it. */
#define CONTACT_EXPECT "(1 to 4 URIs separated by blanks, each a sips:, " \
	"tel: or mailto: URI of at most 200 bytes (tel: +NUMBER, mailto: " \
	"and sips: with an @))"

/** The Structured DNS Error keys: values kept, the "c" member made at
 * load, and each refusal with its exact file:line. */
static void
test_sde(void)
{
	struct fb_config *cfg;
	char big[600];

	cfg = load_good("# nothing\n", "no sde keys");
	if(cfg) {
		ok(!cfg->sde, "sde off by default");
		is_int(cfg->sde_option_code, FB_SDE_OPTION_DEFAULT,
			"default option code 65001");
		ok(cfg->sde_contact_json == NULL && cfg->sde_organisation ==
			NULL, "no contact, no organisation by default");
		is_str(cfg->sde_justification, "listed as fraudulent by "
			"{feed}", "default justification");
		is_str(cfg->sde_language, "en", "default language en");
	}
	fb_config_free(cfg);
	cfg = load_good("sde: yes\nsde-option-code: 65432\n"
		"sde-contact: MAILTO:abuse@example.net  tel:+84-24-555-0100 "
		"sips:desk@voice.example.net\n"
		"sde-organisation: Acme \"Safe\" \\ DNS # a comment\n"
		"sde-language: pt-BR\n"
		"sde-justification: on {feed}'s {category} list\n"
		"feed:\nname: f1\nsource: /x\nede: filtered\n"
		"sde-sub-error: spyware\njustification: seen by {feed}\n"
		"feed:\nname: f2\nsource: /y\nsde-sub-error: 6\n",
		"every sde key");
	if(cfg) {
		ok(cfg->sde == 1, "sde: yes");
		is_int(cfg->sde_option_code, 65432, "option code");
		is_str(cfg->sde_contact_json, "\"c\":[\"mailto:abuse@example."
			"net\",\"tel:+84-24-555-0100\",\"sips:desk@voice.example."
			"net\"]", "contact member, scheme lower-cased");
		is_str(cfg->sde_organisation, "Acme \"Safe\" \\ DNS",
			"organisation kept as written, unquoted (escaped only "
			"in the JSON)");
		is_str(cfg->sde_language, "pt-BR", "language");
		is_str(cfg->sde_justification, "on {feed}'s {category} list",
			"global justification");
		is_int(cfg->feeds[0].sde_sub_error, FB_SDE_SUB_SPYWARE,
			"feed sub-error by word");
		is_str(cfg->feeds[0].sde_justification, "seen by {feed}",
			"feed justification");
		is_int(cfg->feeds[1].sde_sub_error, FB_SDE_SUB_DNS_POLICY,
			"feed sub-error by number");
		ok(cfg->feeds[1].sde_justification == NULL,
			"no feed justification: the global one");
	}
	fb_config_free(cfg);
	bad("sde: maybe\n", 1, "bad value for sde: 'maybe' (yes or no)",
		"sde: yes or no only");
	bad("\nsde-option-code: 15\n", 2, "bad value for sde-option-code: "
		"'15' (an EDNS option code, 20 to 65534 (0 to 19 are other "
		"options'))", "option code of EDE refused");
	bad("sde-option-code: 65535\n", 1, "bad value for sde-option-code: "
		"'65535' (an EDNS option code, 20 to 65534 (0 to 19 are other "
		"options'))", "reserved option code 65535 refused");
	bad("sde: yes\nsde-contact: mailto:a@example.net "
		"https://example.net/report\n", 2, "bad value for sde-contact: "
		"'https://example.net/report' " CONTACT_EXPECT,
		"https is not a contact scheme of the draft");
	bad("sde-contact: tel:0123\n", 1, "bad value for sde-contact: "
		"'tel:0123' " CONTACT_EXPECT, "tel: without + refused");
	bad("sde-contact: mailto:abuse\n", 1, "bad value for sde-contact: "
		"'mailto:abuse' " CONTACT_EXPECT, "mailto: without @ refused");
	bad("sde-contact: mailto:a\"b@example.net\n", 1, "bad value for "
		"sde-contact: 'mailto:a\"b@example.net' " CONTACT_EXPECT,
		"a quote in a URI refused");
	bad("sde-contact: mailto:a%4@example.net\n", 1, "bad value for "
		"sde-contact: 'mailto:a%4@example.net' " CONTACT_EXPECT,
		"a broken %-escape refused");
	bad("sde-contact: tel:+1 tel:+2 tel:+3 tel:+4 tel:+5\n", 1,
		"bad value for sde-contact: 'tel:+1 tel:+2 tel:+3 tel:+4 "
		"tel:+5' " CONTACT_EXPECT, "a fifth URI refused");
	bad("sde-organisation: Caf\xc3\n", 1, "bad value for "
		"sde-organisation: 'Caf\xc3' (UTF-8 text of at most 255 bytes)",
		"broken UTF-8 organisation refused");
	bad("sde-justification: \xed\xa0\x80\n", 1, "bad value for "
		"sde-justification: '\xed\xa0\x80' (UTF-8 text of at most 255 "
		"bytes)", "a surrogate refused (not I-JSON)");
	bad("sde-organisation: \xef\xbf\xbe\n", 1, "bad value for "
		"sde-organisation: '\xef\xbf\xbe' (UTF-8 text of at most 255 "
		"bytes)", "a noncharacter refused (not I-JSON)");
	bad("sde-language: englishlanguage\n", 1, "bad value for "
		"sde-language: 'englishlanguage' (a language tag such as en, "
		"vi or pt-BR)", "a subtag over 8 letters refused");
	bad("sde-language: e1\n", 1, "bad value for sde-language: 'e1' (a "
		"language tag such as en, vi or pt-BR)",
		"a digit in the language subtag refused");
	bad("feed:\nname: f\nsource: /x\nede: censored\n"
		"sde-sub-error: phishing\n", 5, "feed 'f': sde-sub-error 2 does "
		"not go with ede 16 (no sub-error with censored)",
		"no sub-error with censored (draft section 5.2)");
	bad("feed:\nname: f\nsource: /x\nsde-sub-error: network-operator-"
		"policy\nede: filtered\n", 4, "feed 'f': sde-sub-error 5 does "
		"not go with ede 17 (network- and dns-operator-policy only with "
		"blocked)", "operator policy only with blocked (section 11.4)");
	bad("feed:\nname: f\nsource: /x\nsde-sub-error: 0\n", 4, "bad value "
		"for sde-sub-error: '0' (none, malware, phishing, spam, spyware,"
		" network-operator-policy, dns-operator-policy or 1 to 6)",
		"reserved sub-error 0 refused");
	bad("sde-sub-error: malware\n", 1, "feed key 'sde-sub-error' outside "
		"a feed clause", "sde-sub-error is a feed key");
	memset(big, 'x', 256);
	memcpy(big, "sde-organisation: ", 18);
	strcpy(big + 18 + 256, "\n");
	bad(big, 1, "bad value for sde-organisation: 'xxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (UTF-8 text of "
		"at most 255 bytes)", "a 256-byte organisation refused");
	/* 255 control bytes each escaped to 6: too long for the object */
	memcpy(big, "sde-contact: tel:+1\nsde-organisation: ", 38);
	memset(big + 38, 1, 255);
	strcpy(big + 38 + 255, "\n");
	bad(big, 2, "sde-contact, sde-organisation and sde-justification "
		"make a Structured DNS Error longer than 1024 bytes with a "
		"63-byte feed name: shorten them",
		"an object over 1024 bytes refused at the organisation");
	memcpy(big, "feed:\nname: f\nsource: /x\njustification: ", 40);
	memset(big + 40, 1, 200);
	strcpy(big + 40 + 200, "\n");
	bad(big, 4, "feed 'f': justification makes a Structured DNS Error "
		"longer than 1024 bytes with the global sde-contact and "
		"sde-organisation: shorten it",
		"a feed's justification too long, at its line");
}

/** client-policy clauses: what is kept, and every bad value at its line. */
static void
test_client_policies(void)
{
	struct fb_config *cfg;
	char text[64];

	cfg = load_good("database: /d\n"
		"client-policy:\n"
		"  name: soc\n"
		"  network: 10.1.2.0/24 2001:db8:1::/48\n"
		"  network: 192.0.2.7\n"
		"  policy: exempt\n"
		"feed:\n name: f\n source: /x\n action: nxdomain\n"
		"client-policy:\n"
		"  name: staff\n"
		"  network: 10.0.0.0/8 ::ffff:198.51.100.0/120\n"
		"  categories: scam  phishing\n"
		"  action: nodata\n"
		"client-policy:\n"
		"  name: plain\n"
		"  network: ::1\n",
		"two client policies around a feed clause");
	if(cfg) {
		ok(cfg->nclients == 3 && cfg->nclient_nets == 6 &&
			cfg->nfeeds == 1, "3 policies, 6 networks, 1 feed");
		is_str(cfg->clients[0].name, "soc", "first name");
		ok(cfg->clients[0].mode == FB_CLIENT_EXEMPT &&
			cfg->clients[0].categories == 0 &&
			cfg->clients[0].action == FB_ACTION_DEFAULT,
			"soc: exempt, no selection, no action");
		ok(cfg->clients[1].mode == FB_CLIENT_BLOCK &&
			cfg->clients[1].categories == ((1u << FB_CATEGORY_SCAM) |
			(1u << FB_CATEGORY_PHISHING)) &&
			cfg->clients[1].action == FB_ACTION_NODATA,
			"staff: block scam and phishing with nodata");
		ok(cfg->clients[2].mode == FB_CLIENT_BLOCK &&
			cfg->clients[2].categories == 0 &&
			cfg->clients[2].action == FB_ACTION_DEFAULT,
			"plain: the defaults");
		ok(cfg->feeds[0].action == FB_ACTION_NXDOMAIN,
			"the feed's action is the feed's");
		is_str(fb_client_net_text(&cfg->client_nets[1], text,
			sizeof(text)), "2001:db8:1::/48", "an IPv6 network");
		is_str(fb_client_net_text(&cfg->client_nets[2], text,
			sizeof(text)), "192.0.2.7/32", "an address is a /32");
		is_str(fb_client_net_text(&cfg->client_nets[4], text,
			sizeof(text)), "198.51.100.0/24",
			"an IPv4-mapped network is the IPv4 one");
		is_str(fb_client_net_text(&cfg->client_nets[5], text,
			sizeof(text)), "::1/128", "::1 is a /128");
		ok(cfg->client_nets[0].policy == 0 &&
			cfg->client_nets[2].policy == 0 &&
			cfg->client_nets[3].policy == 1 &&
			cfg->client_nets[5].policy == 2 &&
			cfg->client_nets[2].line == 5,
			"networks know their clause and line");
		fb_config_free(cfg);
	}
	cfg = load_good("client-policy:\nname: all\nnetwork: 0.0.0.0/0 ::/0\n",
		"the whole address space");
	fb_config_free(cfg);

	bad("client-policy:\nname: a\nnetwork: 10.1.2.5/24\n", 3,
		"bad network '10.1.2.5/24': host bits set: the network is "
		"10.1.2.0/24", "host bits set: refused, the network named");
	bad("client-policy:\nname: a\nnetwork: 2001:db8::1/32\n", 3,
		"bad network '2001:db8::1/32': host bits set: the network is "
		"2001:db8::/32", "IPv6 host bits set");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/33\n", 3,
		"bad network '10.0.0.0/33': prefix length over 32",
		"IPv4 prefix past 32");
	bad("client-policy:\nname: a\nnetwork: ::/129\n", 3,
		"bad network '::/129': prefix length over 128",
		"IPv6 prefix past 128");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/+8\n", 3,
		"bad network '10.0.0.0/+8': bad prefix length",
		"a signed prefix");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/\n", 3,
		"bad network '10.0.0.0/': bad prefix length",
		"an empty prefix");
	bad("client-policy:\nname: a\nnetwork: 10.0.0/8\n", 3,
		"bad network '10.0.0/8': not an IPv4 address",
		"a short IPv4 address");
	bad("client-policy:\nname: a\nnetwork: host.example\n", 3,
		"bad network 'host.example': not an IPv4 address",
		"a host name");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/8,10.1.0.0/16\n", 3,
		"bad network '10.0.0.0/8,10.1.0.0/16': bad prefix length",
		"commas are no separator");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/8\n"
		"client-policy:\nname: b\nnetwork: 192.0.2.0/24 10.0.0.0/8\n", 6,
		"network 10.0.0.0/8 given twice (first at line 3, "
		"client-policy 'a')", "one network in two clauses");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/8\n"
		"network: ::ffff:10.0.0.0/104\n", 4,
		"network 10.0.0.0/8 given twice (first at line 3, "
		"client-policy 'a')", "the same network as IPv4-mapped");
	bad("client-policy:\nname: a\nnetwork: 10.0.0.0/8\n"
		"client-policy:\nname: a\nnetwork: 10.0.0.0/9\n", 5,
		"duplicate client-policy name 'a' (first in the clause at "
		"line 1)", "a name given twice");
	bad("client-policy:\nnetwork: 10.0.0.0/8\n", 1,
		"client-policy clause without name", "no name");
	bad("client-policy:\nname: a\npolicy: exempt\nfeed:\nname: f\n"
		"source: /x\n", 1, "client-policy 'a' without network",
		"no network (checked when the next clause opens)");
	bad("client-policy:\nname: a\nnetwork: ::1\npolicy: allow\n", 4,
		"bad value for policy: 'allow' (block or exempt)",
		"policy allow");
	bad("client-policy:\nname: a\nnetwork: ::1\ncategories: scam fraud\n",
		4, "bad value for categories: 'scam fraud' (one or more of "
		"unspecified, scam, phishing, malware, other)",
		"an unknown category");
	bad("client-policy:\nname: a\nnetwork: ::1\naction: allow\n", 4,
		"bad value for action: 'allow' (sinkhole, nxdomain or nodata)",
		"action allow");
	bad("client-policy:\nname: a\nnetwork: ::1\naction: default\n", 4,
		"bad value for action: 'default' (sinkhole, nxdomain or "
		"nodata)", "action default");
	bad("client-policy:\nname: a\nnetwork: ::1\npolicy: exempt\n"
		"categories: scam\n", 5, "client-policy 'a': categories is "
		"only for policy block", "exempt with categories");
	bad("client-policy:\nname: a\nnetwork: ::1\naction: nxdomain\n"
		"policy: exempt\n", 4, "client-policy 'a': action is only for "
		"policy block", "exempt with an action");
	bad("client-policy:\nname: a\nnetwork: ::1\npolicy: block\n"
		"policy: block\n", 5, "policy given twice (first at line 4)",
		"policy given twice");
	bad("client-policy:\nname: a\nnetwork: ::1\nsource: /x\n", 4,
		"feed key 'source' outside a feed clause",
		"a feed key in a client-policy clause");
	bad("feed:\nname: f\nsource: /x\nnetwork: ::1\n", 4,
		"client-policy key 'network' outside a client-policy clause",
		"a client key in a feed clause");
	bad("policy: exempt\n", 1,
		"client-policy key 'policy' outside a client-policy clause",
		"a client key outside any clause");
	bad("client-policy: x\n", 1, "'client-policy:' takes no value",
		"client-policy: with a value");
}

/** The longest-prefix table: nested networks, networks ending where
 * their parent ends, the ends of both address spaces, IPv4-mapped. */
static void
test_client_table(void)
{
	static const char *const nets[] = {
		"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3",
		"10.255.255.255/32", "0.0.0.0/0", "255.255.255.255",
		"::/0", "2001:db8::/32", "2001:db8:1::/48",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128"
	};
	static const struct { const char *addr; int policy; } want[] = {
		{ "10.1.2.3", 3 }, { "10.1.2.4", 2 }, { "10.1.2.2", 2 },
		{ "10.1.3.0", 1 }, { "10.2.0.0", 0 }, { "10.255.255.254", 0 },
		{ "10.255.255.255", 4 }, { "11.0.0.0", 5 },
		{ "9.255.255.255", 5 }, { "0.0.0.0", 5 },
		{ "255.255.255.254", 5 }, { "255.255.255.255", 6 },
		{ "::ffff:10.1.2.3", 3 }, { "::ffff:11.0.0.1", 5 },
		{ "2001:db8:1::5", 9 }, { "2001:db8:2::", 8 },
		{ "2001:db9::", 7 }, { "::", 7 }, { "::1", 7 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 10 },
		{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 7 },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 11 },
		{ "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 8 },
		{ "2001:db8:0:1:ffff:ffff:ffff:ffff", 8 },
		{ "2001:db9::1", 7 }
	};
	struct fb_client_net n[sizeof(nets) / sizeof(nets[0])];
	struct fb_client_table *t;
	uint8_t a[16];
	char why[128], desc[128];
	size_t i;
	int fam, parsed = 1;

	for(i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		if(!fb_client_net_parse(nets[i], &n[i], why, sizeof(why)))
			parsed = 0;
		n[i].policy = i;
		n[i].line = (int)i + 1;
	}
	ok(parsed, "the table's networks parse");
	if(!ok(fb_client_table_new(n, sizeof(nets) / sizeof(nets[0]), &t) &&
		t, "table made"))
		return;
	for(i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		fam = strchr(want[i].addr, ':') ? AF_INET6 : AF_INET;
		inet_pton(fam, want[i].addr, a);
		snprintf(desc, sizeof(desc), "%s: the policy of network %d",
			want[i].addr, want[i].policy);
		is_int(fb_client_table_find(t, fam, a), want[i].policy, desc);
	}
	fb_client_table_free(t);

	/* IPv6 networks only: an IPv4 client matches none */
	if(ok(fb_client_table_new(&n[8], 2, &t) && t, "IPv6-only table")) {
		inet_pton(AF_INET, "10.1.2.3", a);
		is_int(fb_client_table_find(t, AF_INET, a), -1,
			"no IPv4 network: -1");
		inet_pton(AF_INET6, "2001:db9::", a);
		is_int(fb_client_table_find(t, AF_INET6, a), -1,
			"outside every IPv6 network: -1");
		inet_pton(AF_INET6, "2001:db8:1::", a);
		is_int(fb_client_table_find(t, AF_INET6, a), 9,
			"the nested /48");
		fb_client_table_free(t);
	}
}

int
main(void)
{
	test_soa_names();
	test_sde();
	test_defaults();
	test_all_keys();
	test_http_keys();
	test_words();
	test_ranges_ok();
	test_syntax();
	test_errors();
	test_database_path();
	test_bom();
	test_bad_values();
	test_feed_names();
	test_refresh();
	test_hostile();
	test_files();
	test_env();
	test_integrity();
	test_client_policies();
	test_client_table();
	return done_testing();
}
