/**
 * \file
 * Unit tests of lib/fb_qlog.h: the query name's escaping, the JSON string
 * writer, each privacy mode's client value (HMAC values computed apart
 * with Python's hmac module), a whole record against doc/querylog.md's
 * example, the key file (made, read, refused) and the rotation periods;
 * plus the log-* keys of fraudblock.conf.
 *
 * Files are made with mkdtemp under $TMPDIR (default /tmp).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "fb_qlog.h"
#include "fb_config.h"
#include "tap.h"
#include "../fuzz/json_check.h"

/** A name in wire form from a C string with explicit length bytes. */
static const char *
name_json(const char *wire, size_t len)
{
	static char out[FB_QLOG_LINE_MAX];

	if(fb_qlog_name_json((const uint8_t *)wire, len, out,
		sizeof(out)) == 0)
		return "(did not fit)";
	return out;
}

static void
test_names(void)
{
	char small[8];

	is_str(name_json("\3www\4scam\7example\0", 18),
		"\"www.scam.example\"", "plain name, no trailing dot");
	is_str(name_json("\0", 1), "\".\"", "the root is \".\"");
	is_str(name_json("", 0), "\".\"", "an empty name is the root");
	is_str(name_json("\3a.b\2ex\0", 8), "\"a\\\\.b.ex\"",
		"a dot inside a label: presentation \\. (JSON \\\\.)");
	is_str(name_json("\3a\\b\0", 5), "\"a\\\\\\\\b\"",
		"a backslash: presentation \\\\ (JSON \\\\\\\\)");
	is_str(name_json("\3a\"b\0", 5), "\"a\\\"b\"",
		"a quote: JSON \\\"");
	is_str(name_json("\4a\0\n\x7f\0", 6), "\"a\\\\000\\\\010\\\\127\"",
		"NUL, newline, DEL as \\DDD");
	is_str(name_json("\3\xc3\xa9 \0", 5), "\"\\\\195\\\\169\\\\032\"",
		"UTF-8 bytes and the space as \\DDD: pure ASCII JSON");
	is_str(name_json("\3;()\0", 5), "\"\\\\;\\\\(\\\\)\"",
		"; ( ) escaped as in zone files");
	is_str(name_json("\3www\5sc", 7), "\"www\\\\#\"",
		"a label past the end: cut, marked \\#");
	is_str(name_json("\3www", 4), "\"www\\\\#\"",
		"no root label: marked \\#");
	is_str(name_json("\xc0\x0c", 2), "\"\\\\#\"",
		"a compression pointer is not followed");
	is_int(fb_qlog_name_json((const uint8_t *)"\3www\0", 5, small, 5), 0,
		"a buffer too small: 0");
	is_str(small, "", "... and an empty string");
}

static void
test_json_str(void)
{
	char out[64];

	fb_json_str("a\"b\\c\x01\xff", 7, out, sizeof(out));
	is_str(out, "\"a\\\"b\\\\c\\u0001\\u00ff\"",
		"json string: quote, backslash, control and high bytes");
	is_int(fb_json_str("abc", 3, out, 5), 0, "json string: too small");
}

/** The client value of an address in text. */
static const char *
client(enum fb_privacy mode, const struct fb_qlog_key *k, const char *addr)
{
	static char out[128];
	uint8_t a[16];
	int fam = strchr(addr, ':') ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(a));
	if(*addr && inet_pton(fam, addr, a) != 1)
		return "(bad test address)";
	if(fb_qlog_client(mode, k, *addr ? fam : 0, a, out, sizeof(out)) == 0)
		return "(did not fit)";
	return out;
}

static void
test_clients(void)
{
	struct fb_qlog_key k;
	int i;

	is_str(client(FB_PRIVACY_TRUNCATE, NULL, "192.0.2.7"),
		"\"192.0.2.0/24\"", "truncate: IPv4 /24");
	is_str(client(FB_PRIVACY_TRUNCATE, NULL, "2001:db8:1:2:3::1"),
		"\"2001:db8:1::/48\"", "truncate: IPv6 /48");
	is_str(client(FB_PRIVACY_TRUNCATE, NULL, "::1"), "\"::/48\"",
		"truncate: ::1");
	is_str(client(FB_PRIVACY_TRUNCATE, NULL, "::ffff:198.51.100.9"),
		"\"198.51.100.0/24\"", "truncate: a mapped IPv4 address is IPv4");
	is_str(client(FB_PRIVACY_FULL, NULL, "192.0.2.7"), "\"192.0.2.7\"",
		"full: IPv4");
	is_str(client(FB_PRIVACY_FULL, NULL, "::1"), "\"::1\"", "full: ::1");
	is_str(client(FB_PRIVACY_NONE, NULL, "192.0.2.7"), "null",
		"none: null");
	is_str(client(FB_PRIVACY_FULL, NULL, ""), "null",
		"no client (the resolver's own query): null");
	memset(&k, 0, sizeof(k));
	is_str(client(FB_PRIVACY_HASH, &k, "192.0.2.7"), "null",
		"hash without a key: null, never the address");
	for(i = 0; i < 32; i++)
		k.k[i] = (uint8_t)i;
	k.len = 32;
	is_str(client(FB_PRIVACY_HASH, &k, "192.0.2.7"),
		"\"hmac:49904e588c3b5db3de14eda7b9039c9b\"",
		"hash: HMAC-SHA-256 of the 4 address bytes, 16 bytes hex");
	is_str(client(FB_PRIVACY_HASH, &k, "2001:db8:1::1"),
		"\"hmac:3d51c5409a6592dc3a93eeab4ae4a25e\"",
		"hash: HMAC-SHA-256 of the 16 IPv6 bytes");
	is_str(client(FB_PRIVACY_HASH, &k, "::ffff:192.0.2.7"),
		"\"hmac:49904e588c3b5db3de14eda7b9039c9b\"",
		"hash: a mapped address hashes as its IPv4 address");
	k.k[0] = 1;
	ok(strcmp(client(FB_PRIVACY_HASH, &k, "192.0.2.7"),
		"\"hmac:49904e588c3b5db3de14eda7b9039c9b\"") != 0,
		"hash: another key, another value");
}

static void
test_record(void)
{
	char out[FB_QLOG_LINE_MAX];
	struct fb_qlog_rec r;
	struct fb_qlog_names nm = { "A", "IN" };
	size_t n;

	memset(&r, 0, sizeof(r));
	r.ts_ms = 1796094245678LL;	/* 2026-12-01T03:04:05.678Z */
	r.event = FB_QLOG_BLOCK;
	r.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.7", r.addr);
	memcpy(r.qname, "\3www\4scam\7example\0", 18);
	r.qname_len = 18;
	r.qtype = 1;
	r.qclass = 1;
	r.depth = 2;
	strcpy(r.feed, "hostsvn");
	r.category = FB_CATEGORY_SCAM;
	r.action = FB_ACTION_SINKHOLE;
	r.ede = 15;
	r.generation = 123;
	n = fb_qlog_format(&r, FB_PRIVACY_TRUNCATE, NULL, &nm, out,
		sizeof(out));
	is_str(out, "{\"v\":1,\"ts\":\"2026-12-01T03:04:05.678Z\","
		"\"event\":\"block\",\"client\":\"192.0.2.0/24\","
		"\"qname\":\"www.scam.example\",\"qtype\":\"A\","
		"\"qclass\":\"IN\",\"matched\":\"scam.example\","
		"\"feed\":\"hostsvn\",\"category\":\"scam\","
		"\"action\":\"sinkhole\",\"ede\":15,\"generation\":123,"
		"\"thread\":0,\"cname\":false,\"policy\":null}\n",
		"a block record: the example of doc/querylog.md");
	is_int(n, strlen(out), "returns the line's length");
	ok(json_valid(out, n), "... valid JSON");
	r.cname = 1;
	memcpy(r.chain, "\4scam\7example\0", 14);
	r.chain_len = 14;
	memcpy(r.qname, "\5alias\5other\0", 13);
	r.qname_len = 13;
	fb_qlog_format(&r, FB_PRIVACY_TRUNCATE, NULL, &nm, out, sizeof(out));
	ok(strstr(out, "\"qname\":\"alias.other\",") &&
		strstr(out, "\"matched\":\"scam.example\",") &&
		strstr(out, "\"cname\":true,"),
		"a chain block: matched is the chain name, cname true");
	r.cname = 0;
	memcpy(r.qname, "\3www\4scam\7example\0", 18);
	r.qname_len = 18;
	r.event = FB_QLOG_PASS;
	r.family = 0;
	r.thread = 3;
	fb_qlog_format(&r, FB_PRIVACY_FULL, NULL, &nm, out, sizeof(out));
	is_str(out, "{\"v\":1,\"ts\":\"2026-12-01T03:04:05.678Z\","
		"\"event\":\"pass\",\"client\":null,"
		"\"qname\":\"www.scam.example\",\"qtype\":\"A\","
		"\"qclass\":\"IN\",\"matched\":null,\"feed\":null,"
		"\"category\":null,\"action\":null,\"ede\":null,"
		"\"generation\":123,\"thread\":3,\"cname\":false,"
		"\"policy\":null}\n",
		"a pass record: block members null, no client");
	r.event = FB_QLOG_WOULD_BLOCK;
	r.family = AF_INET;
	r.thread = 0;
	strcpy(r.policy, "soc\"x");
	fb_qlog_format(&r, FB_PRIVACY_TRUNCATE, NULL, &nm, out, sizeof(out));
	is_str(out, "{\"v\":1,\"ts\":\"2026-12-01T03:04:05.678Z\","
		"\"event\":\"would-block\",\"client\":\"192.0.2.0/24\","
		"\"qname\":\"www.scam.example\",\"qtype\":\"A\","
		"\"qclass\":\"IN\",\"matched\":\"scam.example\","
		"\"feed\":\"hostsvn\",\"category\":\"scam\","
		"\"action\":\"sinkhole\",\"ede\":15,\"generation\":123,"
		"\"thread\":0,\"cname\":false,\"policy\":\"soc\\\"x\"}\n",
		"a would-block record: the block members, the policy named");
	r.policy[0] = 0;
	r.event = FB_QLOG_BLOCK;
	r.depth = 7;
	strcpy(r.feed, "bad\"feed\n");
	fb_qlog_format(&r, FB_PRIVACY_NONE, NULL, &nm, out, sizeof(out));
	ok(strstr(out, "\"matched\":null,\"feed\":\"bad\\\"feed\\u000a\"") !=
		NULL, "a depth past the name: matched null; feed escaped");
	ok(json_valid(out, strlen(out)), "... still valid JSON");
	is_int(fb_qlog_format(&r, FB_PRIVACY_NONE, NULL, &nm, out, 40), 0,
		"a buffer too small: 0");
}

static void
test_key(void)
{
	char tmpl[200], path[256], err[512];
	const char *tmp = getenv("TMPDIR");
	struct fb_qlog_key a, b;
	struct stat st;
	FILE *f;

	snprintf(tmpl, sizeof(tmpl), "%.150s/fb-test-qlog.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if(!mkdtemp(tmpl)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/key", tmpl);
	ok(fb_qlog_key_new(path, &a, err, sizeof(err)), "a new key file");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
		st.st_size == 32, "... mode 0600, 32 bytes");
	ok(fb_qlog_key_load(path, &b, err, sizeof(err)) && b.len == 32 &&
		memcmp(a.k, b.k, 32) == 0 && strcmp(a.id, b.id) == 0 &&
		strlen(a.id) == FB_QLOG_KEY_ID_LEN, "read back: same key and id");
	ok(fb_qlog_key_new(path, &b, err, sizeof(err)) &&
		memcmp(a.k, b.k, 32) != 0 && strcmp(a.id, b.id) != 0,
		"a second key differs, with another id");
	chmod(path, 0640);
	ok(!fb_qlog_key_load(path, &a, err, sizeof(err)) &&
		strstr(err, "0600") && a.len == 0,
		"a key readable by the group is refused");
	chmod(path, 0600);
	f = fopen(path, "w");
	fputs("short", f);
	fclose(f);
	ok(!fb_qlog_key_load(path, &a, err, sizeof(err)) &&
		strstr(err, "32 to 64"), "a key of 5 bytes is refused");
	memset(a.k, 0, sizeof(a.k));
	f = fopen(path, "w");
	fwrite(a.k, 1, 32, f);
	fclose(f);
	ok(fb_qlog_key_load(path, &a, err, sizeof(err)) &&
		strcmp(a.id, "7f5a9e52") != 0, "32 zero bytes load");
	{
		struct fb_qlog_key z;
		int i;
		memset(&z, 0, sizeof(z));
		for(i = 0; i < 32; i++)
			z.k[i] = (uint8_t)i;
		f = fopen(path, "w");
		fwrite(z.k, 1, 32, f);
		fclose(f);
		ok(fb_qlog_key_load(path, &z, err, sizeof(err)), "load 0..31");
		is_str(z.id, "6ef4ed07", "key id: SHA-256 of tag and key");
		fb_qlog_key_wipe(&z);
		ok(z.len == 0 && z.k[1] == 0 && z.id[0] == 0, "wipe zeroes");
	}
	unlink(path);
	ok(!fb_qlog_key_load(path, &a, err, sizeof(err)) &&
		strstr(err, "No such file"), "a missing key file: error");
	rmdir(tmpl);
}

static void
test_periods(void)
{
	/* 2026-11-29 is a Sunday, 2026-11-30 a Monday */
	int64_t sun = 1796083199LL - 86400 * 1;	/* Sun 23:59:59 UTC */
	int64_t mon = sun + 1;

	ok(fb_qlog_key_period(FB_ROTATE_DAILY, mon) ==
		fb_qlog_key_period(FB_ROTATE_DAILY, sun) + 1,
		"daily: the period changes at 00:00 UTC");
	ok(fb_qlog_key_period(FB_ROTATE_WEEKLY, mon) ==
		fb_qlog_key_period(FB_ROTATE_WEEKLY, sun) + 1,
		"weekly: the period changes on Monday");
	ok(fb_qlog_key_period(FB_ROTATE_WEEKLY, mon + 6 * 86400) ==
		fb_qlog_key_period(FB_ROTATE_WEEKLY, mon),
		"weekly: the same through Sunday");
	is_int(fb_qlog_key_period(FB_ROTATE_NEVER, mon), 0, "never: 0");
}

/** Load a config from text.  @return it, or NULL with err set. */
static struct fb_config *
conf_of(const char *text, char *err, size_t errlen)
{
	char path[256];
	const char *tmp = getenv("TMPDIR");
	struct fb_config *cfg = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/fb-test-qlog-conf.XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if((fd = mkstemp(path)) < 0)
		return NULL;
	if(write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	fb_config_load(path, &cfg, err, errlen);
	unlink(path);
	return cfg;
}

static void
test_config(void)
{
	char err[512];
	struct fb_config *c;

	c = conf_of("database: /tmp/x\n", err, sizeof(err));
	ok(c && !c->log.file && !c->log.syslog && c->log.privacy ==
		FB_PRIVACY_TRUNCATE && c->log.retention_days == 30 &&
		c->log.buffer == 4096 && c->log.facility == 16 &&
		strcmp(c->log.syslog_socket, "/dev/log") == 0 &&
		c->log.rotate == FB_ROTATE_DAILY,
		"log defaults: off, truncate, 30 days, local0, /dev/log");
	fb_config_free(c);
	c = conf_of("log-file: /var/log/fb.json\nlog-syslog: yes\n"
		"log-syslog-facility: local5\nlog-all-queries: yes\n"
		"log-privacy: hash\nlog-hash-key-file: /etc/k\n"
		"log-hash-rotate: weekly\nlog-retention-days: 7\n"
		"log-buffer: 64\nlog-syslog-socket: /run/s\n", err,
		sizeof(err));
	ok(c && strcmp(c->log.file, "/var/log/fb.json") == 0 &&
		c->log.syslog && c->log.facility == 21 &&
		c->log.all_queries && c->log.privacy == FB_PRIVACY_HASH &&
		strcmp(c->log.key_file, "/etc/k") == 0 &&
		c->log.rotate == FB_ROTATE_WEEKLY &&
		c->log.retention_days == 7 && c->log.buffer == 64 &&
		strcmp(c->log.syslog_socket, "/run/s") == 0,
		"every log key read");
	fb_config_free(c);
	c = conf_of("log-privacy: hash\n", err, sizeof(err));
	ok(!c && strstr(err, ":1: log-privacy hash needs log-hash-key-file"),
		"hash without a key file: refused at its line");
	c = conf_of("\nlog-file: fb.json\n", err, sizeof(err));
	ok(!c && strstr(err, ":2: log-file must be an absolute path"),
		"a relative log-file is refused");
	c = conf_of("log-privacy: partial\n", err, sizeof(err));
	ok(!c && strstr(err, "bad value for log-privacy"),
		"an unknown privacy mode is refused");
	c = conf_of("log-buffer: 10\n", err, sizeof(err));
	ok(!c && strstr(err, "bad value for log-buffer"),
		"log-buffer under 64 is refused");
	c = conf_of("log-syslog-facility: kern\n", err, sizeof(err));
	ok(!c && strstr(err, "bad value for log-syslog-facility"),
		"facility kern is refused");
	is_str(fb_privacy_name(FB_PRIVACY_HASH), "hash", "privacy name");
}

int
main(void)
{
	test_names();
	test_json_str();
	test_clients();
	test_record();
	test_key();
	test_periods();
	test_config();
	return done_testing();
}
