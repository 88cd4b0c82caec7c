/**
 * \file
 * Query log records: formatting, privacy mapping, the hash key (see
 * fb_qlog.h; the schema is doc/querylog.md).
 *
 * Every writer below goes through struct out, which never writes past
 * its buffer and remembers an overflow, so a caller checks once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "fb_name.h"
#include "fb_qlog.h"

/** A bounded output buffer. */
struct out {
	char *buf;	/**< the buffer */
	size_t cap;	/**< its size */
	size_t len;	/**< bytes used, below cap (room for the NUL) */
	int full;	/**< something did not fit */
};

static void out_init(struct out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->full = cap == 0;
	if(cap)
		buf[0] = 0;
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	if(o->full || o->len + n >= o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_chr(struct out *o, char c)
{
	out_mem(o, &c, 1);
}

/** @return the length, or 0 when something did not fit. */
static size_t out_end(struct out *o)
{
	if(o->full) {
		if(o->cap)
			o->buf[0] = 0;
		return 0;
	}
	return o->len;
}

/** A JSON string's body: bytes escaped as fb_json_str() says. */
static void out_json_body(struct out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for(i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			out_mem(o, e, 2);
		} else if(c < 0x20 || c >= 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				hex[c & 15] };
			out_mem(o, e, 6);
		} else
			out_chr(o, (char)c);
	}
}

static void out_json(struct out *o, const char *s, size_t len)
{
	out_chr(o, '"');
	out_json_body(o, s, len);
	out_chr(o, '"');
}

size_t fb_json_str(const char *s, size_t len, char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	out_json(&o, s, len);
	return out_end(&o);
}

/** One byte of a label in presentation form, JSON-escaped. */
static void out_label_byte(struct out *o, unsigned char c)
{
	char e[8];

	if(c == '.' || c == ';' || c == '(' || c == ')') {
		/* presentation "\." is JSON "\\." */
		e[0] = '\\';
		e[1] = '\\';
		e[2] = (char)c;
		out_mem(o, e, 3);
	} else if(c == '\\') {
		out_mem(o, "\\\\\\\\", 4);
	} else if(c == '"') {
		out_mem(o, "\\\"", 2);
	} else if(c <= 0x20 || c >= 0x7f) {
		/* presentation "\DDD", JSON "\\DDD" */
		snprintf(e, sizeof(e), "\\\\%03u", (unsigned)c);
		out_mem(o, e, 5);
	} else
		out_chr(o, (char)c);
}

/** The name's presentation form, JSON-escaped, without quotes. */
static void out_name_body(struct out *o, const uint8_t *wire, size_t wlen)
{
	size_t pos = 0, i;
	int labels = 0;

	while(pos < wlen) {
		size_t n = wire[pos];
		if(n == 0) {
			if(labels == 0)
				out_chr(o, '.');
			return;
		}
		if(n > 63 || pos + 1 + n > wlen)
			break;
		if(labels++)
			out_chr(o, '.');
		for(i = 0; i < n; i++)
			out_label_byte(o, wire[pos + 1 + i]);
		pos += 1 + n;
	}
	if(wlen == 0 && labels == 0) {
		out_chr(o, '.');
		return;
	}
	/* ran off the end without the root label: say where it broke */
	out_mem(o, "\\\\#", 3);
}

size_t fb_qlog_name_json(const uint8_t *wire, size_t wlen, char *buf,
	size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	out_chr(&o, '"');
	out_name_body(&o, wire, wlen);
	out_chr(&o, '"');
	return out_end(&o);
}

/** The client member's value. */
static void out_client(struct out *o, enum fb_privacy mode,
	const struct fb_qlog_key *key, int family, const uint8_t addr[16])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN + 8];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t alen, i;

	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	/* bytes, not IN6_IS_ADDR_V4MAPPED: addr need not be aligned */
	if(family == AF_INET6 && memcmp(addr, mapped, sizeof(mapped)) == 0) {
		family = AF_INET;
		addr += 12;
	}
	if(mode == FB_PRIVACY_NONE || (family != AF_INET &&
		family != AF_INET6) || (mode == FB_PRIVACY_HASH &&
		(!key || key->len == 0))) {
		out_str(o, "null");
		return;
	}
	alen = family == AF_INET ? 4 : 16;
	memcpy(a, addr, alen);
	if(mode == FB_PRIVACY_HASH) {
		if(!HMAC(EVP_sha256(), key->k, (int)key->len, a, alen, md,
			&mdlen) || mdlen < 16) {
			out_str(o, "null");
			return;
		}
		out_str(o, "\"hmac:");
		for(i = 0; i < 16; i++) {
			out_chr(o, hex[md[i] >> 4]);
			out_chr(o, hex[md[i] & 15]);
		}
		out_chr(o, '"');
		return;
	}
	if(mode == FB_PRIVACY_TRUNCATE) {
		if(family == AF_INET)
			a[3] = 0;
		else
			memset(a + 6, 0, 10);
	}
	if(!inet_ntop(family, a, text, sizeof(text))) {
		out_str(o, "null");
		return;
	}
	if(mode == FB_PRIVACY_TRUNCATE)
		strcat(text, family == AF_INET ? "/24" : "/48");
	out_json(o, text, strlen(text));
}

size_t fb_qlog_client(enum fb_privacy mode, const struct fb_qlog_key *key,
	int family, const uint8_t addr[16], char *buf, size_t cap)
{
	struct out o;

	out_init(&o, buf, cap);
	out_client(&o, mode, key, family, addr);
	return out_end(&o);
}

/** "YYYY-MM-DDTHH:MM:SS.mmmZ" of a unix time in ms. */
static void out_time(struct out *o, int64_t ms)
{
	char text[64];
	struct tm tm;
	time_t s;

	if(ms < 0)
		ms = 0;
	s = (time_t)(ms / 1000);
	if(!gmtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	snprintf(text, sizeof(text), "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	out_str(o, text);
}

/** The listed prefix an address of the answer is in: the address masked
 * to depth bits, "/depth" after it. */
static void out_prefix(struct out *o, const struct fb_qlog_rec *r)
{
	uint8_t a[16];
	char text[INET6_ADDRSTRLEN + 8];
	size_t alen = r->raddr_family == AF_INET ? 4 : 16, i;
	unsigned bits = r->depth;

	memcpy(a, r->raddr, alen);
	for(i = 0; i < alen; i++, bits = bits > 8 ? bits - 8 : 0)
		if(bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	if(!inet_ntop(r->raddr_family, a, text, INET6_ADDRSTRLEN)) {
		out_str(o, "null");
		return;
	}
	snprintf(text + strlen(text), 8, "/%u", (unsigned)r->depth);
	out_json(o, text, strlen(text));
}

/** The listed name that matched: the first depth labels of the name
 * blocked (the query name, or the chain name of a cname block); or the
 * listed prefix of an address block. */
static void out_matched(struct out *o, const struct fb_qlog_rec *r)
{
	struct fb_qname q;
	char text[FB_KEY_MAX];

	if(r->raddr_family) {
		out_prefix(o, r);
		return;
	}
	if(r->cname)
		fb_qname_from_wire(r->chain, r->chain_len, &q);
	else
		fb_qname_from_wire(r->qname, r->qname_len, &q);
	if(r->depth == 0 || r->depth > q.nprefix) {
		out_str(o, "null");
		return;
	}
	fb_key_to_text(q.key, q.ends[r->depth - 1], text, sizeof(text));
	out_json(o, text, strlen(text));
}

/** ,"name": then a JSON string of text, or null. */
static void out_member_str(struct out *o, const char *name, const char *text)
{
	out_str(o, ",\"");
	out_str(o, name);
	out_str(o, "\":");
	if(text)
		out_json(o, text, strlen(text));
	else
		out_str(o, "null");
}

size_t fb_qlog_format(const struct fb_qlog_rec *r, enum fb_privacy mode,
	const struct fb_qlog_key *key, const struct fb_qlog_names *nm,
	char *buf, size_t cap)
{
	char num[64];
	struct out o;
	int block = r->event == FB_QLOG_BLOCK ||
		r->event == FB_QLOG_WOULD_BLOCK;
	size_t feedlen = strnlen(r->feed, sizeof(r->feed));

	out_init(&o, buf, cap);
	snprintf(num, sizeof(num), "{\"v\":%d,\"ts\":", FB_QLOG_VERSION);
	out_str(&o, num);
	out_time(&o, r->ts_ms);
	out_member_str(&o, "event", r->event == FB_QLOG_BLOCK ? "block" :
		r->event == FB_QLOG_WOULD_BLOCK ? "would-block" : "pass");
	out_str(&o, ",\"client\":");
	out_client(&o, mode, key, r->family, r->addr);
	if(mode == FB_PRIVACY_HASH)
		out_member_str(&o, "key", key && key->len ? key->id : NULL);
	out_str(&o, ",\"qname\":\"");
	out_name_body(&o, r->qname, r->qname_len);
	out_chr(&o, '"');
	out_member_str(&o, "qtype", nm->qtype);
	out_member_str(&o, "qclass", nm->qclass);
	if(block) {
		out_str(&o, ",\"matched\":");
		out_matched(&o, r);
		out_str(&o, ",\"feed\":");
		out_json(&o, r->feed, feedlen);
		out_member_str(&o, "category", fb_category_name(
			(enum fb_category)r->category));
		out_member_str(&o, "action", fb_action_name(
			(enum fb_action)r->action));
		snprintf(num, sizeof(num), ",\"ede\":%u", (unsigned)r->ede);
		out_str(&o, num);
	} else
		out_str(&o, ",\"matched\":null,\"feed\":null,\"category\":null,"
			"\"action\":null,\"ede\":null");
	snprintf(num, sizeof(num), ",\"generation\":%llu,\"thread\":%u,"
		"\"cname\":%s,\"policy\":", (unsigned long long)r->generation,
		(unsigned)r->thread, r->cname ? "true" : "false");
	out_str(&o, num);
	if(r->policy[0])
		out_json(&o, r->policy, strnlen(r->policy, sizeof(r->policy)));
	else
		out_str(&o, "null");
	if(block && r->raddr_family) {
		char text[INET6_ADDRSTRLEN];
		out_member_str(&o, "address", inet_ntop(r->raddr_family,
			r->raddr, text, sizeof(text)));
	}
	out_str(&o, "}\n");
	return out_end(&o);
}

/* ---- the key -------------------------------------------------------- */

void fb_qlog_key_wipe(struct fb_qlog_key *k)
{
	explicit_bzero(k, sizeof(*k));
}

/** Set k->id from k->k. */
static int key_id(struct fb_qlog_key *k)
{
	static const char tag[] = "fraudblock-key-id";
	static const char hex[] = "0123456789abcdef";
	uint8_t in[sizeof(tag) - 1 + FB_QLOG_KEY_MAX];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i, ok;

	memcpy(in, tag, sizeof(tag) - 1);
	memcpy(in + sizeof(tag) - 1, k->k, k->len);
	ok = EVP_Digest(in, sizeof(tag) - 1 + k->len, md, &mdlen,
		EVP_sha256(), NULL) && mdlen >= FB_QLOG_KEY_ID_LEN / 2;
	explicit_bzero(in, sizeof(in));
	if(!ok)
		return 0;
	for(i = 0; i < FB_QLOG_KEY_ID_LEN / 2; i++) {
		k->id[2 * i] = hex[md[i] >> 4];
		k->id[2 * i + 1] = hex[md[i] & 15];
	}
	k->id[FB_QLOG_KEY_ID_LEN] = 0;
	return 1;
}

/** "path: why" into err.  @return 0. */
static int key_err(char *err, size_t errlen, const char *path,
	const char *why)
{
	if(err && errlen)
		snprintf(err, errlen, "%s: %s", path, why);
	return 0;
}

int fb_qlog_key_load(const char *path, struct fb_qlog_key *k, char *err,
	size_t errlen)
{
	struct stat st;
	ssize_t n;
	uint8_t extra;
	int fd;

	fb_qlog_key_wipe(k);
	if((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return key_err(err, errlen, path, strerror(errno));
	if(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return key_err(err, errlen, path, "not a regular file");
	}
	if(st.st_mode & 077) {
		close(fd);
		return key_err(err, errlen, path, "readable or writable by "
			"group or others (it must be mode 0600)");
	}
	n = read(fd, k->k, sizeof(k->k));
	/* one more byte tells a file that is too long */
	if(n == (ssize_t)sizeof(k->k) && read(fd, &extra, 1) != 0)
		n = -2;
	close(fd);
	if(n < FB_QLOG_KEY_MIN) {
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, n == -1 ? strerror(errno) :
			"a key file holds 32 to 64 random bytes");
	}
	k->len = (size_t)n;
	if(!key_id(k)) {
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, "cannot hash the key");
	}
	return 1;
}

int fb_qlog_key_new(const char *path, struct fb_qlog_key *k, char *err,
	size_t errlen)
{
	char tmp[4096];
	size_t got = 0;
	int fd, ok;

	fb_qlog_key_wipe(k);
	while(got < FB_QLOG_KEY_MIN) {
		ssize_t n = getrandom(k->k + got, FB_QLOG_KEY_MIN - got, 0);
		if(n < 0 && errno == EINTR)
			continue;
		if(n <= 0)
			return key_err(err, errlen, path, "no random bytes "
				"(getrandom failed)");
		got += (size_t)n;
	}
	k->len = FB_QLOG_KEY_MIN;
	if(!key_id(k)) {
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, "cannot hash the key");
	}
	if(snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, "path too long");
	}
	/* mkstemp makes it 0600 */
	if((fd = mkstemp(tmp)) < 0) {
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, strerror(errno));
	}
	ok = write(fd, k->k, k->len) == (ssize_t)k->len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if(!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		fb_qlog_key_wipe(k);
		return key_err(err, errlen, path, strerror(e));
	}
	return 1;
}

int64_t fb_qlog_key_period(enum fb_hash_rotate rot, int64_t t)
{
	int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;

	if(rot == FB_ROTATE_DAILY)
		return day;
	/* 1970-01-01 was a Thursday: +3 makes weeks start on Monday */
	if(rot == FB_ROTATE_WEEKLY)
		return day + 3 >= 0 ? (day + 3) / 7 : (day + 3 - 6) / 7;
	return 0;
}
