/**
 * \file
 * fraudblock.conf reader.  The contract is in fb_config.h, the reference
 * for users in doc/fraudblock.conf.5.
 *
 * The file is read one line at a time into a fixed buffer, so a hostile
 * file costs at most one line of memory per line, and every key is looked
 * up in one table that says which clause it belongs to (none, feed:,
 * client-policy:) and what range its number may take.  Any error frees everything built so far.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "fb_config.h"
#include "fb_client_net.h"

#ifndef FB_CONF_DEFAULT
#define FB_CONF_DEFAULT "/etc/fraudblock/fraudblock.conf"
#endif
#ifndef FB_DB_DEFAULT
#define FB_DB_DEFAULT "/var/lib/fraudblock"
#endif
#ifndef FB_SYNC_PID_DEFAULT
#define FB_SYNC_PID_DEFAULT "/run/fraudblock/fraudblock-sync.pid"
#endif

/** Longest line, without its line end. */
#define FB_CONF_LINE_MAX 4096
/** Most of a value quoted back in an error message. */
#define FB_CONF_SHOW_MAX 64
/** Bytes in a megabyte, as the size keys count them. */
#define FB_MB ((uint64_t)1024 * 1024)

/** Parser state for one file. */
struct conf_parse {
	/** the file name, for messages */
	const char *file;
	/** current line number */
	int line;
	/** the config being built */
	struct fb_config *cfg;
	/** the clause being read: CLAUSE_FEED (the last of cfg->feeds),
	 * CLAUSE_CLIENT (the last of cfg->clients) or CLAUSE_NONE */
	int clause;
	/** 1 once a BOM was looked for at the start of line 1 */
	int bom_checked;
	/** line each key was first seen on (clause keys: in this clause) */
	int *seen;
	/** error output */
	char *err;
	/** size of err */
	size_t errlen;
};

/** conf_key.clause and conf_parse.clause: where a key belongs. */
#define CLAUSE_NONE 0		/**< global */
#define CLAUSE_FEED 1		/**< feed: */
#define CLAUSE_CLIENT 2		/**< client-policy: */

struct conf_key;
/** Store a key's value.  @return 1 on success, 0 with the error set. */
typedef int conf_set_type(struct conf_parse *p, const struct conf_key *k,
	const char *val);

/** One key of the file. */
struct conf_key {
	/** as written in the file */
	const char *name;
	/** CLAUSE_*: where it may stand (a clause key name may be used by
	 * several clauses, e.g. name and action) */
	int clause;
	/** stores the value */
	conf_set_type *set;
	/** range of a number */
	uint64_t min, max;
	/** what a good value looks like, for messages */
	const char *expect;
};

/** Record an error at a given line.  @return 0, for `return conf_err_at()`. */
static int conf_err_at(struct conf_parse *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
conf_err_at(struct conf_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if(!p->err || p->errlen == 0)
		return 0;
	n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, line);
	if(n < 0 || (size_t)n >= p->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return 0;
}

/**
 * Copy text from the file into a message: control bytes could rewrite
 * the admin's terminal, and a long value would push out the reason.
 */
static const char *
conf_show(const char *s, char *buf, size_t buflen)
{
	size_t i;

	for(i = 0; s[i] && i + 4 < buflen && i < FB_CONF_SHOW_MAX; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
			'?' : s[i];
	buf[i] = 0;
	if(s[i])
		strcpy(buf + i, "...");
	return buf;
}

/** Report a value that does not fit its key.  @return 0. */
static int
conf_bad(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	char show[FB_CONF_SHOW_MAX + 4];

	return conf_err_at(p, p->line, "bad value for %s: '%s' (%s)",
		k->name, conf_show(val, show, sizeof(show)), k->expect);
}

/** Report lack of memory.  @return 0. */
static int
conf_oom(struct conf_parse *p)
{
	return conf_err_at(p, p->line, "out of memory");
}

/** The feed clause being read (only while p->clause is CLAUSE_FEED). */
static struct fb_feed_conf *
conf_feed(struct conf_parse *p)
{
	return &p->cfg->feeds[p->cfg->nfeeds - 1];
}

/**
 * Read a decimal number within the key's range.  Only digits: strtoull
 * alone would take "-1", " 5" and "0x10".
 */
static int
conf_num(struct conf_parse *p, const struct conf_key *k, const char *val,
	uint64_t *out)
{
	unsigned long long n;
	char *end;

	if(val[0] < '0' || val[0] > '9')
		return conf_bad(p, k, val);
	errno = 0;
	n = strtoull(val, &end, 10);
	if(errno || *end || n < k->min || n > k->max)
		return conf_bad(p, k, val);
	*out = n;
	return 1;
}

/** Replace a string setting by a copy of val. */
static int
conf_str(struct conf_parse *p, char **dst, const char *val)
{
	char *s = strdup(val);

	if(!s)
		return conf_oom(p);
	free(*dst);
	*dst = s;
	return 1;
}

/**
 * Absolute only: Unbound chdirs to its own directory before it loads the
 * module, so a relative path would name one store for the resolver and
 * another for the tools run from an admin's shell.
 */
static int
set_database(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	(void)k;
	if(val[0] != '/')
		return conf_err_at(p, p->line,
			"database must be an absolute path");
	return conf_str(p, &p->cfg->database, val);
}

/**
 * A list file fraudblock-sync reads (protected-names, ...): absolute,
 * since cron and systemd run it from another directory than the admin's.
 */
static int
set_list_file(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	char **dst;

	if(val[0] != '/')
		return conf_bad(p, k, val);
	if(strcmp(k->name, "protected-names") == 0)
		dst = &p->cfg->protected_names;
	else if(strcmp(k->name, "popular-names") == 0)
		dst = &p->cfg->popular_names;
	else
		dst = &p->cfg->public_suffix_list;
	return conf_str(p, dst, val);
}

/** Absolute too: the daemon and fraudblock-ctl run from anywhere. */
static int
set_sync_pid_file(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	(void)k;
	if(val[0] != '/')
		return conf_err_at(p, p->line,
			"sync-pid-file must be an absolute path");
	return conf_str(p, &p->cfg->sync_pid_file, val);
}

static int
set_max_db_size(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	p->cfg->max_db_size = n * FB_MB;
	return 1;
}

static int
set_ipv4(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(inet_pton(AF_INET, val, &p->cfg->sinkhole_ipv4) != 1)
		return conf_bad(p, k, val);
	return 1;
}

static int
set_ipv6(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(inet_pton(AF_INET6, val, &p->cfg->sinkhole_ipv6) != 1)
		return conf_bad(p, k, val);
	return 1;
}

static int
set_ttl(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	p->cfg->sinkhole_ttl = (uint32_t)n;
	return 1;
}

int
fb_config_name_wire(const char *text, uint8_t *wire, size_t *len)
{
	size_t n = 0, lab;
	const char *t = text;

	while(*t) {
		lab = strspn(t, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		if(lab < 1 || lab > 63 || (t[lab] != '.' && t[lab] != 0) ||
			n + 1 + lab + 1 > FB_WIRE_NAME_MAX)
			return 0;
		wire[n++] = (uint8_t)lab;
		for(; lab; lab--, t++)
			wire[n++] = (uint8_t)((*t >= 'A' && *t <= 'Z') ?
				*t - 'A' + 'a' : *t);
		if(*t == '.')
			t++;
	}
	if(n == 0)
		return 0;
	wire[n++] = 0;
	*len = n;
	return 1;
}

/** sinkhole-soa-mname and -rname: a host name, a mailbox as a name. */
static int
set_soa_name(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	int m = strcmp(k->name, "sinkhole-soa-mname") == 0;

	if(!fb_config_name_wire(val, m ? p->cfg->soa_mname :
		p->cfg->soa_rname, m ? &p->cfg->soa_mname_len :
		&p->cfg->soa_rname_len))
		return conf_bad(p, k, val);
	return 1;
}

/** An action for blocked names: "default" and "allow" are not that. */
static int
set_default_action(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	enum fb_action a;

	if(!fb_action_parse(val, &a) || a == FB_ACTION_DEFAULT ||
		a == FB_ACTION_ALLOW)
		return conf_bad(p, k, val);
	p->cfg->default_action = a;
	return 1;
}

static int
set_poll(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	p->cfg->poll_ms = (unsigned)n;
	return 1;
}

/** Absolute, like database: Unbound writes it from its own directory. */
static int
set_metrics_file(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	(void)k;
	if(val[0] != '/')
		return conf_err_at(p, p->line,
			"metrics-file must be an absolute path");
	if(val[strlen(val) - 1] == '/')
		return conf_err_at(p, p->line,
			"metrics-file must name a file, not a directory");
	return conf_str(p, &p->cfg->metrics_file, val);
}

static int
set_metrics_interval(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	p->cfg->metrics_interval = (unsigned)n;
	return 1;
}

/** @return 1 if name is a well-formed feed name. */
static int
feed_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	if(name[n] || n < 1 || n > 63)
		return 0;
	/* the hand-made sources carry these names in the store */
	if(strcasecmp(name, "manual-allow") == 0 ||
		strcasecmp(name, "manual-block") == 0)
		return 0;
	/* a feed name may end up in a file name */
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int
set_name(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	size_t i;

	if(!feed_name_ok(val))
		return conf_bad(p, k, val);
	for(i = 0; i + 1 < p->cfg->nfeeds; i++) {
		if(strcmp(p->cfg->feeds[i].name, val) == 0)
			return conf_err_at(p, p->line, "duplicate feed name "
				"'%s' (first in the feed at line %d)", val,
				p->cfg->feeds[i].line);
	}
	return conf_str(p, &conf_feed(p)->name, val);
}

/** @return 1 if s starts with prefix, ASCII case ignored. */
static int
prefix_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/** @return 1 if a source is an http:// or https:// URL. */
static int
source_is_http(const char *src)
{
	return prefix_nocase(src, "http://") || prefix_nocase(src, "https://");
}

/**
 * A local path, a file:// URL or an http:// or https:// URL with a host.
 * A URL is sent as it is: no blank or control byte may be in it.
 */
static int
source_ok(const char *val)
{
	const char *rest = strstr(val, "://");
	size_t i;

	if(!rest)
		return 1;
	if(!source_is_http(val))
		return strncmp(val, "file://", 7) == 0 && val[7] != 0;
	rest += 3;
	if(*rest == 0 || *rest == '/' || *rest == '?' || *rest == '#')
		return 0;
	for(i = 0; val[i]; i++)
		if((unsigned char)val[i] <= 0x20 ||
			(unsigned char)val[i] >= 0x7f)
			return 0;
	return 1;
}

static int
set_source(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(!source_ok(val))
		return conf_bad(p, k, val);
	return conf_str(p, &conf_feed(p)->source, val);
}

/** Where a feed's signature or checksum file is: as for source. */
static int
set_sidecar(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	char **dst = strcmp(k->name, "signature") == 0 ?
		&conf_feed(p)->signature : &conf_feed(p)->checksum;

	if(!source_ok(val))
		return conf_bad(p, k, val);
	return conf_str(p, dst, val);
}

/**
 * A minisign public key's base64 line: 56 characters holding 42 bytes
 * exactly (no padding, no unused bits), the first two "Ed", so "RW" and
 * one of Q R S T.  Checked here in full so a typo is named at its line;
 * the feeds code decodes it (feeds/fb_sig.h).
 */
static int
set_signature_key(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	if(strlen(val) != 56 || strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/") != 56 ||
		strncmp(val, "RW", 2) != 0 || !strchr("QRST", val[2]))
		return conf_bad(p, k, val);
	return conf_str(p, &conf_feed(p)->signature_key, val);
}

/** Config words of the formats, in enum fb_format order. */
static const char *const format_names[] = {
	"domains", "hosts", "urls", "adblock", "csv", "json", "rpz"
};
#define FORMAT_NNAMES (sizeof(format_names) / sizeof(format_names[0]))

const char *
fb_format_name(enum fb_format fmt)
{
	if((size_t)fmt >= FORMAT_NNAMES)
		return "unknown";
	return format_names[fmt];
}

int
fb_format_parse(const char *word, enum fb_format *fmt)
{
	size_t i;

	for(i = 0; i < FORMAT_NNAMES; i++) {
		if(strcmp(word, format_names[i]) == 0) {
			*fmt = (enum fb_format)i;
			return 1;
		}
	}
	return 0;
}

static int
set_format(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(!fb_format_parse(val, &conf_feed(p)->format))
		return conf_bad(p, k, val);
	return 1;
}

/**
 * A csv column: a header name (any text but a number) or a 1-based
 * column number.  Whether the name is in the header is only known when
 * the feed is read.
 */
static int
set_column(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	struct fb_feed_conf *f = conf_feed(p);
	char **dst = strcmp(k->name, "column") == 0 ? &f->column :
		strcmp(k->name, "date-column") == 0 ? &f->date_column :
		&f->category_column;
	size_t n = strspn(val, "0123456789");

	if(strlen(val) > 255)
		return conf_bad(p, k, val);
	if(val[n] == 0) {
		uint64_t num = 0;
		if(!conf_num(p, k, val, &num))
			return 0;
	}
	return conf_str(p, dst, val);
}

/** A json member name: any text up to 255 bytes. */
static int
set_field(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(strlen(val) > 255)
		return conf_bad(p, k, val);
	return conf_str(p, &conf_feed(p)->field, val);
}

/** A choice of two words: *dst = 0 for word0, 1 for word1. */
static int
conf_choice(struct conf_parse *p, const struct conf_key *k, const char *val,
	const char *word0, const char *word1, int *dst)
{
	if(strcmp(val, word0) == 0)
		*dst = 0;
	else if(strcmp(val, word1) == 0)
		*dst = 1;
	else
		return conf_bad(p, k, val);
	return 1;
}

static int
set_count_cache_hits(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	return conf_choice(p, k, val, "no", "yes",
		&p->cfg->count_cache_hits);
}

/** sde: yes or no. */
static int
set_sde(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	return conf_choice(p, k, val, "no", "yes", &p->cfg->sde);
}

/** sde-option-code: a number in the key's range. */
static int
set_sde_option_code(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	p->cfg->sde_option_code = (uint16_t)n;
	return 1;
}

/**
 * sde-contact: URIs separated by blanks, each checked (fb_sde_contact_ok);
 * the "c" member is made here, once, with the scheme in lower case.
 */
static int
set_sde_contact(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	char json[FB_SDE_CONTACTS_MAX * (FB_SDE_URI_MAX + 3) + 8];
	char uri[FB_SDE_URI_MAX + 1];
	size_t n, len = 0, count = 0, i;
	const char *s = val;

	len = (size_t)snprintf(json, sizeof(json), "\"c\":[");
	while(*(s += strspn(s, " \t"))) {
		n = strcspn(s, " \t");
		if(n > FB_SDE_URI_MAX || count == FB_SDE_CONTACTS_MAX)
			return conf_bad(p, k, val);
		memcpy(uri, s, n);
		uri[n] = 0;
		if(!fb_sde_contact_ok(uri))
			return conf_bad(p, k, uri);
		for(i = 0; uri[i] != ':'; i++)
			if(uri[i] >= 'A' && uri[i] <= 'Z')
				uri[i] = (char)(uri[i] - 'A' + 'a');
		len += (size_t)snprintf(json + len, sizeof(json) - len,
			"%s\"%s\"", count ? "," : "", uri);
		count++;
		s += n;
	}
	(void)snprintf(json + len, sizeof(json) - len, "]");
	return conf_str(p, &p->cfg->sde_contact_json, json);
}

/** A text copied into the JSON: at most FB_SDE_TEXT_MAX bytes of UTF-8
 * that I-JSON allows.  @return 1 if good, else 0 with the error set. */
static int
sde_text(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(strlen(val) > FB_SDE_TEXT_MAX || !fb_sde_text_ok(val))
		return conf_bad(p, k, val);
	return 1;
}

/** sde-organisation and sde-justification (global). */
static int
set_sde_text(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	if(!sde_text(p, k, val))
		return 0;
	return conf_str(p, strcmp(k->name, "sde-organisation") == 0 ?
		&p->cfg->sde_organisation : &p->cfg->sde_justification, val);
}

/** sde-language: a language tag (fb_sde_language_ok). */
static int
set_sde_language(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	if(!fb_sde_language_ok(val))
		return conf_bad(p, k, val);
	memcpy(p->cfg->sde_language, val, strlen(val) + 1);
	return 1;
}

/** The feed's sde-sub-error; checked against its ede at the end of the
 * clause (feed_close). */
static int
set_sde_sub_error(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	if(!fb_sde_sub_parse(val, &conf_feed(p)->sde_sub_error))
		return conf_bad(p, k, val);
	return 1;
}

/** The feed's justification: the "j" text of its blocks. */
static int
set_feed_justification(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	struct fb_feed_conf *f = conf_feed(p);

	if(!sde_text(p, k, val))
		return 0;
	f->sde_justification_line = p->line;
	return conf_str(p, &f->sde_justification, val);
}

static int
set_block_response_addresses(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	return conf_choice(p, k, val, "no", "yes",
		&p->cfg->block_response_addresses);
}

/** What a URL with a path lists: "skip" (nothing) or "host". */
static int
set_url_paths(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	return conf_choice(p, k, val, "skip", "host",
		&conf_feed(p)->url_paths_host);
}

/** Whether the feed may block popular names: "yes" or "no". */
static int
set_trusted(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	return conf_choice(p, k, val, "no", "yes", &conf_feed(p)->trusted);
}

/**
 * Seconds, with an optional s, m or h suffix ("90", "15m", "1h").  The
 * floor for feeds from another machine needs the source, which may come
 * later in the clause: feed_close() checks it.
 */
static int
set_refresh(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	size_t n = strspn(val, "0123456789");
	uint64_t v, unit = 1;

	/* seven digits pass k->max already, and cannot overflow below */
	if(n == 0 || n > 7)
		return conf_bad(p, k, val);
	if(val[n] == 'm')
		unit = 60;
	else if(val[n] == 'h')
		unit = 3600;
	else if(val[n] != 's' && val[n] != 0)
		return conf_bad(p, k, val);
	if(val[n] && val[n + 1])
		return conf_bad(p, k, val);
	v = strtoull(val, NULL, 10) * unit;
	if(v < k->min || v > k->max)
		return conf_bad(p, k, val);
	conf_feed(p)->refresh = (unsigned)v;
	return 1;
}

/** A feed blocks, or (action allow) is an allowlist. */
static int
set_action(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	enum fb_action a;

	if(!fb_action_parse(val, &a))
		return conf_bad(p, k, val);
	conf_feed(p)->action = a;
	return 1;
}

static int
set_category(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	enum fb_category c;

	if(!fb_category_parse(val, &c))
		return conf_bad(p, k, val);
	conf_feed(p)->category = c;
	return 1;
}

/** The EDE code of the feed's blocks: blocked, censored or filtered. */
static int
set_ede(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(!fb_ede_parse(val, &conf_feed(p)->ede))
		return conf_bad(p, k, val);
	return 1;
}

/** Whether a plain line lists the name and all below it (yes) or the
 * name alone (no). */
static int
set_subdomains(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	return conf_choice(p, k, val, "no", "yes", &conf_feed(p)->subdomains);
}

static int
set_max_shrink(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	conf_feed(p)->max_shrink = (unsigned)n;
	return 1;
}

/** Entries the feed dated longer ago than this many days drop out. */
static int
set_max_age(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	conf_feed(p)->max_age = (int64_t)n * 86400;
	return 1;
}

static int
set_max_protected(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	conf_feed(p)->max_protected = (unsigned)n;
	return 1;
}

/** max-size and max-download: megabytes, kept in bytes. */
static int
set_max_bytes(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	if(strcmp(k->name, "max-size") == 0)
		conf_feed(p)->max_size = n * FB_MB;
	else
		conf_feed(p)->max_download = n * FB_MB;
	return 1;
}

/** timeout (seconds) and retries: plain numbers in the key's range. */
static int
set_feed_uint(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	if(strcmp(k->name, "timeout") == 0)
		conf_feed(p)->timeout = (unsigned)n;
	else
		conf_feed(p)->retries = (unsigned)n;
	return 1;
}

/** The CA file of an https feed: an absolute path, like database. */
static int
set_ca_file(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(val[0] != '/' || strlen(val) > 4095)
		return conf_bad(p, k, val);
	return conf_str(p, &conf_feed(p)->ca_file, val);
}

/** @return 1 if s[0..len) is a base64 SHA-256: 43 symbols and '='. */
static int
pin_hash_ok(const char *s, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	if(len != 44 || s[43] != '=')
		return 0;
	for(i = 0; i < 43; i++)
		if(!s[i] || !strchr(b64, s[i]))
			return 0;
	return 1;
}

/**
 * Public key pins as curl takes them: sha256//BASE64, several joined by
 * ';' (any of them may match), at most FB_PIN_MAX.
 */
static int
set_pin(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	const char *s = val, *end;
	size_t n = 0, len;

	for(;;) {
		end = strchr(s, ';');
		len = end ? (size_t)(end - s) : strlen(s);
		if(len < 8 || strncmp(s, "sha256//", 8) != 0 ||
			!pin_hash_ok(s + 8, len - 8) || ++n > FB_PIN_MAX)
			return conf_bad(p, k, val);
		if(!end)
			break;
		s = end + 1;
	}
	return conf_str(p, &conf_feed(p)->pin, val);
}

/* ---- the query log (log-* keys) ---------------------------------- */

/** An absolute path (the module runs in another directory than the
 * tools, see set_database), for the log keys. */
static int
set_log_path(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	if(val[0] != '/')
		return conf_err_at(p, p->line, "%s must be an absolute path",
			k->name);
	if(strlen(val) > 1024)
		return conf_bad(p, k, val);
	return conf_str(p, strcmp(k->name, "log-file") == 0 ?
		&p->cfg->log.file : strcmp(k->name, "log-hash-key-file") == 0 ?
		&p->cfg->log.key_file : &p->cfg->log.syslog_socket, val);
}

/** log-syslog and log-all-queries: yes or no. */
static int
set_log_flag(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	return conf_choice(p, k, val, "no", "yes",
		strcmp(k->name, "log-syslog") == 0 ? &p->cfg->log.syslog :
		&p->cfg->log.all_queries);
}

/** Index of word in a NULL-ended list, or -1. */
static int
word_index(const char *const *words, const char *val)
{
	int i;

	for(i = 0; words[i]; i++)
		if(strcmp(words[i], val) == 0)
			return i;
	return -1;
}

/** Privacy mode words, in enum fb_privacy order. */
static const char *const privacy_words[] = {
	"truncate", "none", "hash", "full", NULL
};

const char *
fb_privacy_name(enum fb_privacy m)
{
	if((unsigned)m > FB_PRIVACY_FULL)
		return "unknown";
	return privacy_words[m];
}

static int
set_log_privacy(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	int i = word_index(privacy_words, val);

	if(i < 0)
		return conf_bad(p, k, val);
	p->cfg->log.privacy = (enum fb_privacy)i;
	return 1;
}

static int
set_log_rotate(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	static const char *const words[] = {
		"daily", "weekly", "never", NULL
	};
	int i = word_index(words, val);

	if(i < 0)
		return conf_bad(p, k, val);
	p->cfg->log.rotate = (enum fb_hash_rotate)i;
	return 1;
}

/** A syslog facility by name (RFC 5424 numbers). */
static int
set_log_facility(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	static const char *const words[] = {
		"user", "daemon", "local0", "local1", "local2", "local3",
		"local4", "local5", "local6", "local7", NULL
	};
	static const int numbers[] = { 1, 3, 16, 17, 18, 19, 20, 21, 22, 23 };
	int i = word_index(words, val);

	if(i < 0)
		return conf_bad(p, k, val);
	p->cfg->log.facility = numbers[i];
	return 1;
}

/** log-retention-days and log-buffer: numbers within the key's range. */
static int
set_log_num(struct conf_parse *p, const struct conf_key *k, const char *val)
{
	uint64_t n = 0;

	if(!conf_num(p, k, val, &n))
		return 0;
	if(strcmp(k->name, "log-buffer") == 0)
		p->cfg->log.buffer = (unsigned)n;
	else
		p->cfg->log.retention_days = (unsigned)n;
	return 1;
}

/* ---- client-policy clauses --------------------------------------- */

/** The client-policy clause being read (p->clause is CLAUSE_CLIENT). */
static struct fb_client_conf *
conf_client(struct conf_parse *p)
{
	return &p->cfg->clients[p->cfg->nclients - 1];
}

/** A client policy's name: as a feed name, unique among the policies
 * (it labels metrics and query log records). */
static int
set_client_name(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	size_t i;

	if(!feed_name_ok(val))
		return conf_bad(p, k, val);
	for(i = 0; i + 1 < p->cfg->nclients; i++)
		if(strcmp(p->cfg->clients[i].name, val) == 0)
			return conf_err_at(p, p->line, "duplicate client-policy "
				"name '%s' (first in the clause at line %d)",
				val, p->cfg->clients[i].line);
	return conf_str(p, &conf_client(p)->name, val);
}

/** One or more networks, separated by blanks; the key may repeat. */
static int
set_client_network(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	char word[128], why[128], show[FB_CONF_SHOW_MAX + 4];
	struct fb_client_net *nets;
	const char *v = val;
	size_t n;

	(void)k;
	for(v += strspn(v, " \t"); *v; v += strspn(v, " \t")) {
		n = strcspn(v, " \t");
		if(n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, v, n);
		word[n] = 0;
		v += strcspn(v, " \t");
		if(p->cfg->nclient_nets >= FB_CLIENT_NETS_MAX)
			return conf_err_at(p, p->line, "more than %d client "
				"networks", FB_CLIENT_NETS_MAX);
		nets = realloc(p->cfg->client_nets, (p->cfg->nclient_nets + 1) *
			sizeof(*nets));
		if(!nets)
			return conf_oom(p);
		p->cfg->client_nets = nets;
		nets += p->cfg->nclient_nets;
		if(!fb_client_net_parse(word, nets, why, sizeof(why)))
			return conf_err_at(p, p->line, "bad network '%s': %s",
				conf_show(word, show, sizeof(show)), why);
		nets->policy = p->cfg->nclients - 1;
		nets->line = p->line;
		p->cfg->nclient_nets++;
	}
	return 1;
}

static int
set_client_policy(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	int exempt = 0;

	if(!conf_choice(p, k, val, "block", "exempt", &exempt))
		return 0;
	conf_client(p)->mode = exempt ? FB_CLIENT_EXEMPT : FB_CLIENT_BLOCK;
	return 1;
}

/** The categories a block policy blocks: one or more category words. */
static int
set_client_categories(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	char word[32];
	const char *v = val;
	enum fb_category c;
	unsigned bits = 0;
	size_t n;

	for(v += strspn(v, " \t"); *v; v += strspn(v, " \t")) {
		n = strcspn(v, " \t");
		if(n >= sizeof(word))
			return conf_bad(p, k, val);
		memcpy(word, v, n);
		word[n] = 0;
		v += n;
		if(!fb_category_parse(word, &c))
			return conf_bad(p, k, val);
		bits |= 1u << c;
	}
	conf_client(p)->categories = bits;
	return 1;
}

/** The action every block of the policy's clients gets. */
static int
set_client_action(struct conf_parse *p, const struct conf_key *k,
	const char *val)
{
	enum fb_action a;

	if(!fb_action_parse(val, &a) || a == FB_ACTION_DEFAULT ||
		a == FB_ACTION_ALLOW)
		return conf_bad(p, k, val);
	conf_client(p)->action = a;
	return 1;
}

/** Every key; doc/fraudblock.conf.5.in describes the same. */
static const struct conf_key conf_keys[] = {
	{ "database", 0, set_database, 0, 0, "an absolute path" },
	{ "max-db-size", 0, set_max_db_size, 1, 1048576,
		"megabytes, 1 to 1048576" },
	{ "sinkhole-ipv4", 0, set_ipv4, 0, 0, "an IPv4 address" },
	{ "sinkhole-ipv6", 0, set_ipv6, 0, 0, "an IPv6 address" },
	{ "sinkhole-ttl", 0, set_ttl, 0, 86400, "seconds, 0 to 86400" },
	{ "sinkhole-soa-mname", 0, set_soa_name, 0, 0, "a domain name: "
		"labels of A-Z a-z 0-9 - _, up to 63 bytes each" },
	{ "sinkhole-soa-rname", 0, set_soa_name, 0, 0, "a mailbox as a "
		"domain name (hostmaster.example.org.): labels of A-Z a-z "
		"0-9 - _, up to 63 bytes each" },
	{ "default-action", 0, set_default_action, 0, 0,
		"sinkhole, nxdomain or nodata" },
	{ "poll-interval", 0, set_poll, 10, 60000,
		"milliseconds, 10 to 60000" },
	{ "protected-names", 0, set_list_file, 0, 0, "an absolute path" },
	{ "popular-names", 0, set_list_file, 0, 0, "an absolute path" },
	{ "public-suffix-list", 0, set_list_file, 0, 0, "an absolute path" },
	{ "sync-pid-file", 0, set_sync_pid_file, 0, 0, "an absolute path" },
	{ "metrics-file", 0, set_metrics_file, 0, 0,
		"an absolute path of a file" },
	{ "metrics-interval", 0, set_metrics_interval, 1, 3600,
		"seconds, 1 to 3600" },
	{ "count-cache-hits", 0, set_count_cache_hits, 0, 0, "yes or no" },
	{ "sde", 0, set_sde, 0, 0, "yes or no" },
	{ "sde-option-code", 0, set_sde_option_code, 20, 65534,
		"an EDNS option code, 20 to 65534 (0 to 19 are other "
		"options')" },
	{ "sde-contact", 0, set_sde_contact, 0, 0, "1 to 4 URIs separated "
		"by blanks, each a sips:, tel: or mailto: URI of at most 200 "
		"bytes (tel: +NUMBER, mailto: and sips: with an @)" },
	{ "sde-organisation", 0, set_sde_text, 0, 0,
		"UTF-8 text of at most 255 bytes" },
	{ "sde-justification", 0, set_sde_text, 0, 0,
		"UTF-8 text of at most 255 bytes" },
	{ "sde-language", 0, set_sde_language, 0, 0, "a language tag such "
		"as en, vi or pt-BR" },
	{ "block-response-addresses", 0, set_block_response_addresses, 0, 0,
		"yes or no" },
	{ "name", 1, set_name, 0, 0, "1 to 63 of A-Z a-z 0-9 _ . -, "
		"not manual-allow or manual-block" },
	{ "source", 1, set_source, 0, 0,
		"a path, a file:// URL or an http:// or https:// URL" },
	{ "format", 1, set_format, 0, 0,
		"domains, hosts, urls, adblock, csv or json" },
	{ "column", 1, set_column, 1, 4096,
		"a header name or a column number, 1 to 4096" },
	{ "category-column", 1, set_column, 1, 4096,
		"a header name or a column number, 1 to 4096" },
	{ "date-column", 1, set_column, 1, 4096,
		"a header name or a column number, 1 to 4096" },
	{ "max-age", 1, set_max_age, 1, 36500, "days, 1 to 36500" },
	{ "field", 1, set_field, 0, 0, "a member name, up to 255 bytes" },
	{ "url-paths", 1, set_url_paths, 0, 0, "skip or host" },
	{ "action", 1, set_action, 0, 0,
		"default, sinkhole, nxdomain, nodata or allow" },
	{ "ede", 1, set_ede, 0, 0,
		"blocked, censored or filtered (or 15, 16, 17)" },
	{ "subdomains", 1, set_subdomains, 0, 0, "yes or no" },
	{ "category", 1, set_category, 0, 0,
		"unspecified, scam, phishing, malware or other" },
	{ "max-shrink", 1, set_max_shrink, 0, 100, "percent, 0 to 100" },
	{ "max-size", 1, set_max_bytes, 1, 65536, "megabytes, 1 to 65536" },
	{ "max-download", 1, set_max_bytes, 1, 65536,
		"megabytes, 1 to 65536" },
	{ "timeout", 1, set_feed_uint, 1, 3600, "seconds, 1 to 3600" },
	{ "retries", 1, set_feed_uint, 0, 10, "a count, 0 to 10" },
	{ "ca-file", 1, set_ca_file, 0, 0, "an absolute path" },
	{ "pin", 1, set_pin, 0, 0, "sha256//BASE64 of a public key, "
		"several joined by ';'" },
	{ "trusted", 1, set_trusted, 0, 0, "yes or no" },
	{ "max-protected", 1, set_max_protected, 0, 100,
		"percent, 0 to 100" },
	{ "signature-key", 1, set_signature_key, 0, 0, "a minisign public "
		"key: the 56-character base64 line starting RW of its .pub "
		"file" },
	{ "signature", 1, set_sidecar, 0, 0,
		"a path, file:// or http(s) URL" },
	{ "checksum", 1, set_sidecar, 0, 0,
		"a path, file:// or http(s) URL" },
	{ "refresh", 1, set_refresh, 1, 604800,
		"seconds with an optional s, m or h suffix, 1s to 168h" },
	{ "sde-sub-error", 1, set_sde_sub_error, 0, 0, "none, malware, "
		"phishing, spam, spyware, network-operator-policy, "
		"dns-operator-policy or 1 to 6" },
	{ "justification", 1, set_feed_justification, 0, 0,
		"UTF-8 text of at most 255 bytes" },
	{ "log-file", 0, set_log_path, 0, 0, "an absolute path" },
	{ "log-syslog", 0, set_log_flag, 0, 0, "yes or no" },
	{ "log-syslog-facility", 0, set_log_facility, 0, 0,
		"user, daemon or local0 to local7" },
	{ "log-syslog-socket", 0, set_log_path, 0, 0, "an absolute path" },
	{ "log-all-queries", 0, set_log_flag, 0, 0, "yes or no" },
	{ "log-privacy", 0, set_log_privacy, 0, 0,
		"none, truncate, hash or full" },
	{ "log-hash-key-file", 0, set_log_path, 0, 0, "an absolute path" },
	{ "log-hash-rotate", 0, set_log_rotate, 0, 0,
		"daily, weekly or never" },
	{ "log-retention-days", 0, set_log_num, 1, 36500,
		"days, 1 to 36500" },
	{ "log-buffer", 0, set_log_num, 64, 1048576,
		"records, 64 to 1048576" },
	{ "name", CLAUSE_CLIENT, set_client_name, 0, 0, "1 to 63 of "
		"A-Z a-z 0-9 _ . -, not manual-allow or manual-block" },
	{ "network", CLAUSE_CLIENT, set_client_network, 0, 0,
		"IPv4 or IPv6 addresses or address/prefix, blank separated" },
	{ "policy", CLAUSE_CLIENT, set_client_policy, 0, 0,
		"block or exempt" },
	{ "categories", CLAUSE_CLIENT, set_client_categories, 0, 0,
		"one or more of unspecified, scam, phishing, malware, other" },
	{ "action", CLAUSE_CLIENT, set_client_action, 0, 0,
		"sinkhole, nxdomain or nodata" }
};
#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

/** @return the line a key of that clause (CLAUSE_*) was given on (in the
 * clause read last), or 0. */
static int
clause_key_line(const struct conf_parse *p, int clause, const char *name)
{
	size_t i;

	for(i = 0; i < CONF_NKEYS; i++)
		if(conf_keys[i].clause == clause &&
			strcmp(conf_keys[i].name, name) == 0)
			return p->seen[i];
	return 0;
}

/** @return the line a feed or global key was given on, or 0. */
static int
key_line(const struct conf_parse *p, const char *name)
{
	int line = clause_key_line(p, CLAUSE_FEED, name);

	return line ? line : clause_key_line(p, CLAUSE_NONE, name);
}

/** Forget which keys of a clause kind were seen: a new clause starts. */
static void
clause_keys_reset(struct conf_parse *p, int clause)
{
	size_t i;

	for(i = 0; i < CONF_NKEYS; i++)
		if(conf_keys[i].clause == clause)
			p->seen[i] = 0;
}

static int clause_close(struct conf_parse *p);

/** Check that the open feed clause has its required keys. */
static int
feed_close(struct conf_parse *p)
{
	struct fb_feed_conf *f;

	if(p->clause != CLAUSE_FEED)
		return 1;
	p->clause = CLAUSE_NONE;
	f = conf_feed(p);
	if(!f->name)
		return conf_err_at(p, f->line, "feed clause without name");
	if(!f->source)
		return conf_err_at(p, f->line, "feed '%s' without source",
			f->name);
	/* the format may come after these keys, so they are checked here,
	 * at the line of the key that does not fit */
	if(f->format == FB_FORMAT_CSV && !f->column)
		return conf_err_at(p, f->line, "feed '%s': format csv needs "
			"column", f->name);
	if(f->format != FB_FORMAT_CSV && f->column)
		return conf_err_at(p, key_line(p, "column"), "feed '%s': "
			"column is only for format csv", f->name);
	if(f->format != FB_FORMAT_CSV && f->category_column)
		return conf_err_at(p, key_line(p, "category-column"),
			"feed '%s': category-column is only for format csv",
			f->name);
	if(f->format != FB_FORMAT_CSV && f->date_column)
		return conf_err_at(p, key_line(p, "date-column"),
			"feed '%s': date-column is only for format csv",
			f->name);
	if(f->max_age && !f->date_column)
		return conf_err_at(p, key_line(p, "max-age"), "feed '%s': "
			"max-age needs the date of each entry (csv with "
			"date-column)", f->name);
	if(f->format != FB_FORMAT_JSON && f->field)
		return conf_err_at(p, key_line(p, "field"), "feed '%s': "
			"field is only for format json", f->name);
	if(f->signature && !f->signature_key)
		return conf_err_at(p, key_line(p, "signature"), "feed '%s': "
			"signature needs signature-key", f->name);
	/* a publisher's server is not polled every second; a local file,
	 * which a push job rewrites, may be */
	if(f->refresh < FB_REFRESH_MIN_REMOTE && strstr(f->source, "://") &&
		strncmp(f->source, "file://", 7) != 0)
		return conf_err_at(p, key_line(p, "refresh"), "feed '%s': "
			"refresh under %ds is only for local files", f->name,
			FB_REFRESH_MIN_REMOTE);
	/* the draft's registry says which sub-errors go with which EDE
	 * code, and none with Censored (doc/answers.md) */
	if(!fb_sde_sub_applies(f->sde_sub_error == FB_SDE_SUB_DEFAULT ?
		FB_SDE_SUB_NONE : f->sde_sub_error, f->ede))
		return conf_err_at(p, key_line(p, "sde-sub-error"), "feed "
			"'%s': sde-sub-error %d does not go with ede %u (%s)",
			f->name, f->sde_sub_error, (unsigned)f->ede,
			f->ede == FB_EDE_CENSORED ? "no sub-error with censored" :
			"network- and dns-operator-policy only with blocked");
	/* TLS settings on a plain or local source would be silently
	 * useless: an admin who set them expects them to protect */
	if(!prefix_nocase(f->source, "https://") && (f->ca_file || f->pin))
		return conf_err_at(p, key_line(p, f->ca_file ? "ca-file" :
			"pin"), "feed '%s': %s is only for https:// sources",
			f->name, f->ca_file ? "ca-file" : "pin");
	return 1;
}

/** Start a feed clause, with the defaults of its keys. */
static int
feed_open(struct conf_parse *p)
{
	struct fb_config *cfg = p->cfg;
	struct fb_feed_conf *feeds, *f;

	if(!clause_close(p))
		return 0;
	feeds = realloc(cfg->feeds, (cfg->nfeeds + 1) * sizeof(*feeds));
	if(!feeds)
		return conf_oom(p);
	cfg->feeds = feeds;
	f = &feeds[cfg->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->format = FB_FORMAT_DOMAINS;
	f->action = FB_ACTION_DEFAULT;
	f->category = FB_CATEGORY_UNSPECIFIED;
	f->max_shrink = 50;
	f->max_size = 256 * FB_MB;
	f->ede = FB_EDE_BLOCKED;
	f->subdomains = 1;
	f->max_protected = 10;
	f->refresh = FB_REFRESH_DEFAULT;
	f->max_download = 256 * FB_MB;
	f->timeout = 30;
	f->retries = 2;
	f->sde_sub_error = FB_SDE_SUB_DEFAULT;
	f->line = p->line;
	clause_keys_reset(p, CLAUSE_FEED);
	p->clause = CLAUSE_FEED;
	return 1;
}

/** Check that the open client-policy clause is whole. */
static int
client_close(struct conf_parse *p)
{
	struct fb_client_conf *c;
	size_t i;
	int nets = 0;

	if(p->clause != CLAUSE_CLIENT)
		return 1;
	p->clause = CLAUSE_NONE;
	c = conf_client(p);
	if(!c->name)
		return conf_err_at(p, c->line, "client-policy clause without "
			"name");
	for(i = 0; i < p->cfg->nclient_nets; i++)
		if(p->cfg->client_nets[i].policy == p->cfg->nclients - 1)
			nets++;
	if(!nets)
		return conf_err_at(p, c->line, "client-policy '%s' without "
			"network", c->name);
	/* an exempt client is never blocked: a selection or an action
	 * would be silently useless */
	if(c->mode == FB_CLIENT_EXEMPT && (c->categories ||
		c->action != FB_ACTION_DEFAULT))
		return conf_err_at(p, clause_key_line(p, CLAUSE_CLIENT,
			c->categories ? "categories" : "action"),
			"client-policy '%s': %s is only for policy block",
			c->name, c->categories ? "categories" : "action");
	return 1;
}

/** Close whichever clause is open. */
static int
clause_close(struct conf_parse *p)
{
	return feed_close(p) && client_close(p);
}

/** Start a client-policy clause: policy block, all categories, the
 * entries' own actions. */
static int
client_open(struct conf_parse *p)
{
	struct fb_config *cfg = p->cfg;
	struct fb_client_conf *c;

	if(!clause_close(p))
		return 0;
	if(cfg->nclients >= FB_CLIENT_POLICY_MAX)
		return conf_err_at(p, p->line, "more than %d client-policy "
			"clauses", FB_CLIENT_POLICY_MAX);
	c = realloc(cfg->clients, (cfg->nclients + 1) * sizeof(*c));
	if(!c)
		return conf_oom(p);
	cfg->clients = c;
	c = &c[cfg->nclients++];
	memset(c, 0, sizeof(*c));
	c->mode = FB_CLIENT_BLOCK;
	c->action = FB_ACTION_DEFAULT;
	c->line = p->line;
	clause_keys_reset(p, CLAUSE_CLIENT);
	p->clause = CLAUSE_CLIENT;
	return 1;
}

/** Order of networks for finding one given twice: family, prefix,
 * address, then line. */
static int
net_cmp(const void *a, const void *b)
{
	const struct fb_client_net *x = a, *y = b;
	int c;

	if(x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if(x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	if((c = memcmp(x->addr, y->addr, sizeof(x->addr))) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/** No network may be given twice (in one clause or two): which policy
 * applies would depend on the order of lines. */
static int
client_nets_check(struct conf_parse *p)
{
	const struct fb_config *cfg = p->cfg;
	struct fb_client_net *sorted;
	char text[64];
	size_t i;

	if(cfg->nclient_nets < 2)
		return 1;
	sorted = malloc(cfg->nclient_nets * sizeof(*sorted));
	if(!sorted)
		return conf_oom(p);
	memcpy(sorted, cfg->client_nets, cfg->nclient_nets * sizeof(*sorted));
	qsort(sorted, cfg->nclient_nets, sizeof(*sorted), net_cmp);
	for(i = 1; i < cfg->nclient_nets; i++) {
		const struct fb_client_net *a = &sorted[i - 1],
			*b = &sorted[i];

		if(a->family != b->family || a->prefix != b->prefix ||
			memcmp(a->addr, b->addr, sizeof(a->addr)) != 0)
			continue;
		conf_err_at(p, b->line, "network %s given twice (first at "
			"line %d, client-policy '%s')", fb_client_net_text(b,
			text, sizeof(text)), a->line,
			cfg->clients[a->policy].name);
		free(sorted);
		return 0;
	}
	free(sorted);
	return 1;
}

/** Apply one `key: value`. */
static int
conf_set(struct conf_parse *p, const char *key, const char *val)
{
	char show[FB_CONF_SHOW_MAX + 4];
	size_t i;

	int other = -1;

	if(strcmp(key, "feed") == 0 || strcmp(key, "client-policy") == 0) {
		if(*val)
			return conf_err_at(p, p->line,
				"'%s:' takes no value", key);
		return key[0] == 'f' ? feed_open(p) : client_open(p);
	}
	/* a global key, or a key of the open clause; a name several clauses
	 * use (name, action) is the open clause's */
	for(i = 0; i < CONF_NKEYS; i++) {
		if(strcmp(key, conf_keys[i].name) != 0)
			continue;
		if(conf_keys[i].clause == CLAUSE_NONE ||
			conf_keys[i].clause == p->clause)
			break;
		if(other < 0)
			other = conf_keys[i].clause;
	}
	if(i == CONF_NKEYS && other < 0)
		return conf_err_at(p, p->line, "unknown key '%s'",
			conf_show(key, show, sizeof(show)));
	if(i == CONF_NKEYS)
		return conf_err_at(p, p->line, "%s key '%s' outside a %s "
			"clause", other == CLAUSE_FEED ? "feed" :
			"client-policy", key, other == CLAUSE_FEED ? "feed" :
			"client-policy");
	if(!*val)
		return conf_err_at(p, p->line, "missing value for %s", key);
	/* network is the one key that may repeat: each line adds */
	if(p->seen[i] && conf_keys[i].set != set_client_network)
		return conf_err_at(p, p->line, "%s given twice (first at "
			"line %d)", key, p->seen[i]);
	p->seen[i] = p->line;
	return conf_keys[i].set(p, &conf_keys[i], val);
}

/**
 * Cut the value out of the rest of a line: a double-quoted string taken
 * as is, or the text up to a '#' with trailing blanks removed.
 */
static int
conf_value(struct conf_parse *p, char *s, char **val)
{
	char *e;

	s += strspn(s, " \t");
	if(*s == '"') {
		if(!(e = strchr(s + 1, '"')))
			return conf_err_at(p, p->line, "unterminated quote");
		*e++ = 0;
		e += strspn(e, " \t");
		if(*e && *e != '#')
			return conf_err_at(p, p->line, "text after closing "
				"quote");
		*val = s + 1;
		return 1;
	}
	e = s + strcspn(s, "#");
	while(e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = 0;
	*val = s;
	return 1;
}

/** Handle one line (NUL-terminated, no line end). */
static int
conf_line(struct conf_parse *p, char *s)
{
	char *key, *val = NULL;

	s += strspn(s, " \t");
	if(*s == 0 || *s == '#')
		return 1;
	key = s;
	s += strcspn(s, ": \t#\"");
	if(*s != ':' || s == key)
		return conf_err_at(p, p->line, "expected 'key: value'");
	*s++ = 0;
	if(!conf_value(p, s, &val))
		return 0;
	return conf_set(p, key, val);
}

/** Report a line over FB_CONF_LINE_MAX.  @return -1. */
static int
conf_too_long(struct conf_parse *p)
{
	conf_err_at(p, p->line, "line too long (over %d bytes)",
		FB_CONF_LINE_MAX);
	return -1;
}

/**
 * Read the next line into buf (FB_CONF_LINE_MAX + 2 bytes), without its
 * "\n" or "\r\n", and count it.  A NUL byte is refused: the rest of the
 * line would be invisible to the string functions.  A UTF-8 byte order
 * mark at the very start of the file is dropped (Windows editors write
 * one, and feeds accept it too); anywhere else it is text.
 * @return 1 with a line, 0 at the end of the file, -1 on error.
 */
static int
conf_getline(struct conf_parse *p, FILE *f, char *buf)
{
	size_t n = 0;
	int c;

	p->line++;
	while((c = getc(f)) != EOF && c != '\n') {
		if(c == 0) {
			conf_err_at(p, p->line, "NUL byte in line");
			return -1;
		}
		/* one byte over the limit may be the '\r' of "\r\n" */
		if(n > FB_CONF_LINE_MAX)
			return conf_too_long(p);
		buf[n++] = (char)c;
		if(n == 3 && p->line == 1 && !p->bom_checked) {
			p->bom_checked = 1;
			/* dropped before the length check sees the next
			 * byte, so line 1 gets its full FB_CONF_LINE_MAX */
			if(memcmp(buf, "\xef\xbb\xbf", 3) == 0)
				n = 0;
		}
	}
	if(ferror(f)) {
		if(p->err && p->errlen)
			snprintf(p->err, p->errlen, "%s: %s", p->file,
				strerror(errno));
		return -1;
	}
	if(c == EOF && n == 0)
		return 0;
	if(n > 0 && buf[n - 1] == '\r')
		n--;
	if(n > FB_CONF_LINE_MAX)
		return conf_too_long(p);
	buf[n] = 0;
	return 1;
}

/** The log keys that only make sense together. */
static int
log_check(struct conf_parse *p)
{
	const struct fb_log_conf *l = &p->cfg->log;

	if(l->privacy == FB_PRIVACY_HASH && !l->key_file)
		return conf_err_at(p, key_line(p, "log-privacy"),
			"log-privacy hash needs log-hash-key-file");
	return 1;
}

/**
 * Every Structured DNS Error object this config can make must fit
 * FB_SDE_JSON_MAX bytes: try the longest one, with a feed name of the
 * most bytes, each escaped to six (a name from a damaged store).
 */
static int
sde_check(struct conf_parse *p)
{
	struct fb_config *cfg = p->cfg;
	char feed[FB_SOURCE_NAME_MAX], json[FB_SDE_JSON_MAX + 1];
	size_t i;

	memset(feed, 1, sizeof(feed) - 1);
	feed[sizeof(feed) - 1] = 0;
	if(!fb_sde_json(json, sizeof(json), cfg, cfg->sde_justification, feed,
		"unspecified", FB_SDE_SUB_MAX, 1)) {
		int line = key_line(p, "sde-justification");
		if(!line)
			line = key_line(p, "sde-organisation");
		if(!line)
			line = key_line(p, "sde-contact");
		return conf_err_at(p, line, "sde-contact, sde-organisation "
			"and sde-justification make a Structured DNS Error "
			"longer than %d bytes with a %d-byte feed name: shorten "
			"them", FB_SDE_JSON_MAX, FB_SOURCE_NAME_MAX - 1);
	}
	for(i = 0; i < cfg->nfeeds; i++) {
		const struct fb_feed_conf *f = &cfg->feeds[i];
		if(f->sde_justification && !fb_sde_json(json, sizeof(json),
			cfg, f->sde_justification, feed, "unspecified",
			FB_SDE_SUB_MAX, 1))
			return conf_err_at(p, f->sde_justification_line,
				"feed '%s': justification makes a Structured "
				"DNS Error longer than %d bytes with the global "
				"sde-contact and sde-organisation: shorten it",
				f->name, FB_SDE_JSON_MAX);
	}
	return 1;
}

/** Read all lines of an open file into p->cfg. */
static int
conf_read(struct conf_parse *p, FILE *f)
{
	char buf[FB_CONF_LINE_MAX + 2];
	int r;

	while((r = conf_getline(p, f, buf)) == 1)
		if(!conf_line(p, buf))
			return 0;
	if(r < 0)
		return 0;
	if(!clause_close(p))
		return 0;
	return log_check(p) && sde_check(p) && client_nets_check(p);
}

/** @return a config with the defaults, or NULL when out of memory. */
static struct fb_config *
conf_defaults(const char *path)
{
	struct fb_config *cfg = calloc(1, sizeof(*cfg));

	if(!cfg)
		return NULL;
	cfg->path = strdup(path);
	cfg->database = strdup(FB_DB_DEFAULT);
	cfg->sync_pid_file = strdup(FB_SYNC_PID_DEFAULT);
	if(!cfg->path || !cfg->database || !cfg->sync_pid_file) {
		fb_config_free(cfg);
		return NULL;
	}
	cfg->max_db_size = 4096 * FB_MB;
	cfg->sinkhole_ipv4.s_addr = htonl(INADDR_ANY);
	cfg->sinkhole_ipv6 = in6addr_any;
	cfg->sinkhole_ttl = 60;
	if(!fb_config_name_wire(FB_SOA_MNAME_DEFAULT, cfg->soa_mname,
		&cfg->soa_mname_len) || !fb_config_name_wire(
		FB_SOA_RNAME_DEFAULT, cfg->soa_rname, &cfg->soa_rname_len)) {
		fb_config_free(cfg);
		return NULL;
	}
	cfg->default_action = FB_ACTION_SINKHOLE;
	cfg->poll_ms = 100;
	cfg->log.facility = 16;		/* local0 */
	cfg->log.privacy = FB_PRIVACY_TRUNCATE;
	cfg->log.rotate = FB_ROTATE_DAILY;
	cfg->log.retention_days = 30;
	cfg->log.buffer = 4096;
	if(!(cfg->log.syslog_socket = strdup("/dev/log"))) {
		fb_config_free(cfg);
		return NULL;
	}
	cfg->metrics_interval = 5;
	cfg->sde_option_code = FB_SDE_OPTION_DEFAULT;
	memcpy(cfg->sde_language, "en", 3);
	if(!(cfg->sde_justification = strdup(FB_SDE_JUSTIFICATION_DEFAULT))) {
		fb_config_free(cfg);
		return NULL;
	}
	return cfg;
}

int
fb_config_load(const char *path, struct fb_config **out, char *err,
	size_t errlen)
{
	int seen[CONF_NKEYS];
	struct conf_parse p;
	FILE *f;
	int ok;

	*out = NULL;
	if(err && errlen)
		err[0] = 0;
	memset(&p, 0, sizeof(p));
	memset(seen, 0, sizeof(seen));
	p.file = path;
	p.seen = seen;
	p.err = err;
	p.errlen = errlen;
	if(!(p.cfg = conf_defaults(path))) {
		if(err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return 0;
	}
	if(!(f = fopen(path, "r"))) {
		if(err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fb_config_free(p.cfg);
		return 0;
	}
	ok = conf_read(&p, f);
	fclose(f);
	if(!ok) {
		fb_config_free(p.cfg);
		return 0;
	}
	*out = p.cfg;
	return 1;
}

void
fb_config_free(struct fb_config *cfg)
{
	size_t i;

	if(!cfg)
		return;
	for(i = 0; i < cfg->nfeeds; i++) {
		free(cfg->feeds[i].name);
		free(cfg->feeds[i].source);
		free(cfg->feeds[i].column);
		free(cfg->feeds[i].category_column);
		free(cfg->feeds[i].date_column);
		free(cfg->feeds[i].field);
		free(cfg->feeds[i].signature_key);
		free(cfg->feeds[i].signature);
		free(cfg->feeds[i].checksum);
		free(cfg->feeds[i].ca_file);
		free(cfg->feeds[i].pin);
		free(cfg->feeds[i].sde_justification);
	}
	free(cfg->feeds);
	for(i = 0; i < cfg->nclients; i++)
		free(cfg->clients[i].name);
	free(cfg->clients);
	free(cfg->client_nets);
	free(cfg->log.file);
	free(cfg->log.syslog_socket);
	free(cfg->log.key_file);
	free(cfg->path);
	free(cfg->database);
	free(cfg->protected_names);
	free(cfg->popular_names);
	free(cfg->public_suffix_list);
	free(cfg->sync_pid_file);
	free(cfg->metrics_file);
	free(cfg->sde_contact_json);
	free(cfg->sde_organisation);
	free(cfg->sde_justification);
	free(cfg);
}

const struct fb_feed_conf *
fb_config_feed(const struct fb_config *cfg, const char *name)
{
	size_t i;

	if(!cfg || !name)
		return NULL;
	for(i = 0; i < cfg->nfeeds; i++)
		if(cfg->feeds[i].name && strcmp(cfg->feeds[i].name, name) == 0)
			return &cfg->feeds[i];
	return NULL;
}

const char *
fb_config_default_path(void)
{
	const char *env = getenv(FB_CONF_ENV);

	if(env && *env)
		return env;
	return FB_CONF_DEFAULT;
}
