/**
 * \file
 * fraudblock-ctl: the admin's view of the blocklist store.
 *
 *	lookup NAME|ADDRESS	why is NAME (or an answer holding ADDRESS)
 *				blocked or not (exit 0 blocked, 1 not)
 *	block [-a ACT] [-s] NAME|PREFIX, allow NAME|PREFIX,
 *	unblock NAME|PREFIX	hand-made entries, committed at once; a
 *				PREFIX is an address or CIDR prefix
 *				(response addresses, fb_addr.h)
 *	status			schema, generation, size, the sources
 *	stats [--json]		the resolver's counters (ctl_stats.c)
 *	backup FILE, restore FILE, compact, verify, check-config [FILE]
 *				maintenance, in ctl_admin.c
 *	feeds [--json], sync-now [FEED...]
 *				the feeds in detail and a push to the
 *				sync daemon, in ctl_feeds.c
 *	top ..., report --day D ...
 *				figures from the query log, in
 *				ctl_report.c
 *
 * lookup and status open the store read-only, so they run beside the
 * resolver and a sync without waiting; the changes take LMDB's single
 * writer lock.  The resolver sees every commit by itself.
 *
 * Exit status: lookup 0/1; verify 0 clean, 1 problems; check-config 0
 * good, 1 refused; the others 0 on success; 2 on a usage error or any
 * failure (like grep).
 *
 * Every string from outside (arguments, the config path, messages that
 * quote them) reaches the terminal through ctl_put_safe(): raw control
 * bytes in an error message could retitle, recolour or clear the admin's
 * terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_reader.h"
#include "fb_manual.h"
#include "ctl.h"
#include "fb_guard.h"
#include "fb_name.h"
#include "fb_addr.h"
#include <sys/socket.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

static const char *progname = "fraudblock-ctl";

/* ctl_utf8_len: a C1 control (U+0080..U+009F) is refused too, since
 * some terminals act on it like ESC; s is NUL-terminated, and the NUL
 * ends any sequence. */
size_t
ctl_utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if(s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if(s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for(i = 1; i < n; i++) {
		if((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp < 0xa0)
		return 0;
	return n;
}

/**
 * Print an outside string with every byte below 0x20, 0x7f, '\\' and
 * every byte not part of a printable UTF-8 character written as \xNN.
 * The backslash is escaped too so that the output is unambiguous.
 */
void
ctl_put_safe(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while(*s) {
		if(*s >= 0x80 && (n = ctl_utf8_len(s)) != 0) {
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		if(*s < 0x20 || *s >= 0x7f || *s == '\\')
			fprintf(out, "\\x%02x", (unsigned)*s);
		else
			fputc(*s, out);
		s++;
	}
}

void
ctl_put_col(const char *s, size_t width)
{
	size_t len = strlen(s);
	ctl_put_safe(stdout, s);
	printf("%*s", (int)(len < width ? width - len : 0), "");
}

void
ctl_usage(int status)
{
	fprintf(stderr, "usage: %s [-c conf] [-V] [-h] command\n"
		"commands:\n"
		"  lookup NAME|ADDRESS         verdict and every entry that "
		"applies\n"
		"  block [-a ACTION] [-s] NAME block NAME and below (-s or "
		"\"*.NAME\": below only)\n"
		"                              ACTION: default, sinkhole, "
		"nxdomain, nodata\n"
		"  block [-a ACTION] PREFIX    block answers holding an "
		"address in PREFIX\n"
		"                              (192.0.2.1, 198.51.100.0/24, "
		"2001:db8::/32)\n"
		"  allow NAME|PREFIX           never block NAME nor below "
		"(PREFIX: its addresses)\n"
		"  unblock NAME|PREFIX         remove the hand-made entry of "
		"NAME or PREFIX\n"
		"  status                      store and source summary\n"
		"  feeds [--json]              every feed: counts, times, "
		"last error\n"
		"  sync-now [-w SECONDS] [-p PIDFILE] [FEED...]\n"
		"                              make fraudblock-sync --daemon "
		"sync now\n"
		"  stats [--json]              the resolver's counters (needs "
		"metrics-file)\n"
		"  backup FILE                 write a compacted copy of the "
		"store to FILE\n"
		"  restore FILE                make a backup the store in "
		"force\n"
		"  compact                     give back the space of "
		"removed entries\n"
		"  verify                      check every record of the "
		"store\n"
		"  check-config [FILE]         parse the configuration as "
		"the module does\n"
		"  log-reopen                  make the module reopen "
		"log-file (after rotation)\n"
		"  log-prune                   delete rotated logs older "
		"than log-retention-days\n"
		"  log-key-rotate              new key for log-privacy "
		"hash\n"
		"  top [-n N] [--since T] [--until T] [--by name|matched|"
		"feed|category|client]\n"
		"      [--json] [--max-keys N] [FILE...]\n"
		"                              most blocked, from the query "
		"log\n"
		"  report --day YYYY-MM-DD [--format table|csv|json] "
		"[FILE...]\n"
		"                              a day's blocks per feed and "
		"category\n"
		"  -c conf  configuration file (default: ", progname);
	/* $FRAUDBLOCK_CONF */
	ctl_put_safe(stderr, fb_config_default_path());
	fprintf(stderr, ")\n"
		"exit: lookup 0 blocked, 1 not blocked; verify 0 clean, "
		"1 problems;\n"
		"      check-config 0 good, 1 refused; sync-now 0 ok, 1 feed "
		"failed;\n      others 0 ok; 2 error\n");
	exit(status);
}

int
ctl_fail_msg(const char *why)
{
	fprintf(stderr, "%s: ", progname);
	ctl_put_safe(stderr, why);
	fputc('\n', stderr);
	return CTL_ERROR;
}

int
ctl_fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: ", progname);
	ctl_put_safe(stderr, what);
	fputs(": ", stderr);
	ctl_put_safe(stderr, why);
	fputc('\n', stderr);
	return CTL_ERROR;
}

/**
 * Report what getopt() refused (opterr is 0: glibc's own message would
 * echo the option byte raw) and exit with usage.
 * @param c: what getopt() returned, ':' for a missing argument.
 */
static void
bad_option(int c)
{
	char opt[2];

	opt[0] = (char)optopt;
	opt[1] = 0;
	fprintf(stderr, "%s: %s -", progname, c == ':' ?
		"missing argument to option" : "unknown option");
	ctl_put_safe(stderr, opt);
	fputc('\n', stderr);
	ctl_usage(CTL_ERROR);
}

const char *
ctl_iso_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if(t == 0 || !gmtime_r(&tt, &tm))
		return "never";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/** @return the word for a scope. */
static const char *
scope_name(uint8_t scope)
{
	switch(scope & FB_SCOPE_TREE) {
	case FB_SCOPE_SELF: return "self";
	case FB_SCOPE_BELOW: return "below";
	case FB_SCOPE_TREE: return "tree";
	}
	return "none";
}

/**
 * Parse an admin-given name or address: an address or CIDR prefix
 * (fb_addr_parse) is an address key, anything else a name, where a lone
 * top-level domain is allowed.
 * @param scope: out: the name's scope; FB_SCOPE_TREE for an address.
 * @return 1 on success, 0 after printing why not.
 */
static int
parse_name(const char *text, struct fb_key *key, uint8_t *scope)
{
	enum fb_name_error e;

	if(fb_addr_parse(text, strlen(text), key, NULL)) {
		*scope = FB_SCOPE_TREE;
		return 1;
	}
	e = fb_name_parse(text, strlen(text), FB_NAME_ALLOW_TLD, key, scope);
	if(e != FB_NAME_OK) {
		ctl_fail(text, fb_name_strerror(e));
		return 0;
	}
	return 1;
}

/** A key as text: a name, or an address or prefix ("192.0.2.0/24"). */
static const char *
key_text(const struct fb_key *key, char *buf, size_t len)
{
	if(fb_addr_format(key->data, key->len, buf, len))
		return buf;
	return fb_key_to_text(key->data, key->len, buf, len);
}

int
ctl_view_open(const struct fb_config *cfg, struct ctl_view *v)
{
	char err[512];
	int rc;
	v->st = NULL;
	v->r = NULL;
	if(!fb_store_open(&v->st, cfg->database, cfg->max_db_size,
		FB_STORE_READ, err, sizeof(err)) ||
		!fb_reader_new(v->st, &v->r, err, sizeof(err))) {
		ctl_fail_msg(err);
		fb_store_close(v->st);
		return 0;
	}
	fb_store_guard_exit(v->st, CTL_ERROR);
	if(fb_reader_begin(v->r, &rc) != 0) {
		ctl_fail(cfg->database, mdb_strerror(rc));
		fb_reader_free(v->r);
		fb_store_close(v->st);
		return 0;
	}
	return 1;
}

void
ctl_view_close(struct ctl_view *v)
{
	fb_reader_end(v->r);
	fb_reader_free(v->r);
	fb_store_close(v->st);
}

/* ---- lookup --------------------------------------------------------- */

/** Entries fb_match found, kept so the verdict can be printed first. */
struct found {
	struct fb_entry *e;
	int *depth;
	size_t n, cap;
	int nomem;
};

/** fb_match_cb: remember an applicable entry. */
static void
found_add(void *arg, const struct fb_qname *q, int depth,
	const struct fb_entry *e)
{
	struct found *f = arg;
	(void)q;
	if(f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct fb_entry *ne = realloc(f->e, cap * sizeof(*ne));
		int *nd;
		if(ne)
			f->e = ne;
		nd = ne ? realloc(f->depth, cap * sizeof(*nd)) : NULL;
		if(!nd) {
			f->nomem = 1;
			return;
		}
		f->depth = nd;
		f->cap = cap;
	}
	f->e[f->n] = *e;
	f->depth[f->n] = depth;
	f->n++;
}

/** The text of the name a match depth points at; for an address (q
 * NULL), of the prefix of that length holding the looked-up address. */
static const char *
listed_name(const struct fb_qname *q, const struct fb_key *addr, int depth,
	char *buf, size_t len)
{
	struct fb_key k;
	uint8_t a[16];
	int af, prefix;

	if(!q) {
		if(!fb_addr_unkey(addr->data, addr->len, &af, a, &prefix))
			k.len = 0;
		else
			fb_addr_key(af, a, depth, &k);
		return key_text(&k, buf, len);
	}
	return fb_key_to_text(q->key, q->ends[depth - 1], buf, len);
}

/** Print the verdict line. */
static void
print_verdict(const struct fb_config *cfg, struct fb_reader *r,
	const char *name, const struct fb_qname *q, const struct fb_key *addr,
	const struct fb_verdict *v)
{
	struct fb_source_info si;
	char at[FB_KEY_MAX];
	enum fb_action act;

	if(v->kind == FB_PASS) {
		printf("%s: not listed\n", name);
		return;
	}
	fb_reader_source(r, v->entry.source, &si);
	listed_name(q, addr, v->depth, at, sizeof(at));
	if(v->kind == FB_ALLOW) {
		printf("%s: allowed by %s at %s\n", name, si.name, at);
		return;
	}
	/* say what the resolver will do, not "default" */
	act = (enum fb_action)v->entry.action;
	if(act == FB_ACTION_DEFAULT)
		act = cfg->default_action;
	printf("%s: blocked (%s) by %s at %s\n", name, fb_action_name(act),
		si.name, at);
}

/** Print one applicable entry. */
static void
print_entry(struct fb_reader *r, const struct fb_qname *q,
	const struct fb_key *addr, int depth, const struct fb_entry *e)
{
	struct fb_source_info si;
	char at[FB_KEY_MAX], since[32];

	fb_reader_source(r, e->source, &si);
	printf("  %s  source %s  scope %s  action %s  category %s  since %s\n",
		listed_name(q, addr, depth, at, sizeof(at)), si.name,
		scope_name(e->scope),
		fb_action_name((enum fb_action)e->action),
		fb_category_name((enum fb_category)e->category),
		ctl_iso_time((int64_t)e->first_seen, since, sizeof(since)));
}

/** lookup NAME or ADDRESS.  @return 0 blocked, 1 not blocked, 2 error. */
static int
cmd_lookup(const struct fb_config *cfg, const char *text)
{
	struct fb_key key;
	struct fb_qname q, *qp = &q;
	struct fb_verdict v;
	struct found f;
	struct ctl_view vw;
	char name[FB_KEY_MAX];
	uint8_t scope;
	size_t i;
	uint8_t a[16];
	int rc, ret = CTL_ERROR, addr, af = 0, prefix = 0;

	if(!parse_name(text, &key, &scope))
		return CTL_ERROR;
	if(scope != FB_SCOPE_TREE)
		return ctl_fail(text, "lookup takes a name, not \"*.name\"");
	addr = fb_addr_unkey(key.data, key.len, &af, a, &prefix);
	/* an answer holds addresses: a prefix is no answer */
	if(addr && prefix != (af == AF_INET ? 32 : 128))
		return ctl_fail(text, "lookup takes an address, not a prefix");
	if(addr)
		qp = NULL;
	else
		fb_qname_from_key(&key, &q);
	key_text(&key, name, sizeof(name));
	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	memset(&f, 0, sizeof(f));
	if(addr)
		rc = fb_match_addr(vw.r, af, a, &v, found_add, &f);
	else
		rc = fb_match(vw.r, &q, &v, found_add, &f);
	if(rc != 0)
		ctl_fail(cfg->database, mdb_strerror(rc));
	else if(f.nomem)
		ctl_fail(text, "out of memory");
	else {
		print_verdict(cfg, vw.r, name, qp, &key, &v);
		for(i = 0; i < f.n; i++)
			print_entry(vw.r, qp, &key, f.depth[i], &f.e[i]);
		ret = v.kind == FB_BLOCK ? 0 : 1;
	}
	free(f.e);
	free(f.depth);
	ctl_view_close(&vw);
	return ret;
}

/* ---- changes -------------------------------------------------------- */

struct fb_store *
ctl_store_write(const struct fb_config *cfg)
{
	struct fb_store *st = NULL;
	char err[512];
	if(!fb_store_open(&st, cfg->database, cfg->max_db_size,
		FB_STORE_WRITE, err, sizeof(err))) {
		ctl_fail_msg(err);
		return NULL;
	}
	fb_store_guard_exit(st, CTL_ERROR);
	return st;
}

/** Set a hand-made entry and say what happened.  @return exit status. */
static int
manual_set(const struct fb_config *cfg, const char *text, uint8_t scope,
	enum fb_action act, const char *verb)
{
	struct fb_store *st;
	struct fb_key key;
	uint8_t kscope;
	char name[FB_KEY_MAX], err[512];
	const char *why;
	int rc;

	if(!parse_name(text, &key, &kscope))
		return CTL_ERROR;
	if(fb_key_is_addr(key.data, key.len)) {
		/* an address has nothing below it */
		if(scope != FB_SCOPE_TREE)
			return ctl_fail(text, "-s is for names, not addresses");
		if((why = fb_addr_refused(key.data, key.len,
			FB_ADDR_FROM_ADMIN)) != NULL)
			return ctl_fail(text, why);
	}
	if(kscope == FB_SCOPE_BELOW)
		scope = FB_SCOPE_BELOW;
	key_text(&key, name, sizeof(name));
	if(!(st = ctl_store_write(cfg)))
		return CTL_ERROR;
	rc = fb_store_manual_set(st, &key, scope, act, (int64_t)time(NULL),
		err, sizeof(err));
	fb_store_close(st);
	if(rc < 0)
		return ctl_fail(name, err);
	printf("%s: %s%s (scope %s, action %s)\n", name,
		rc ? "" : "already ", verb, scope_name(scope),
		fb_action_name(act));
	return 0;
}

/** block [-a ACTION] [-s] NAME. */
static int
cmd_block(const struct fb_config *cfg, int argc, char *argv[])
{
	enum fb_action act = FB_ACTION_DEFAULT;
	uint8_t scope = FB_SCOPE_TREE;
	int c;

	optind = 1;
	while((c = getopt(argc, argv, "+:a:s")) != -1) {
		switch(c) {
		case 'a':
			if(!fb_action_parse(optarg, &act) ||
				act == FB_ACTION_ALLOW)
				return ctl_fail(optarg, "not a block action ("
					"default, sinkhole, nxdomain, nodata)");
			break;
		case 's': scope = FB_SCOPE_BELOW; break;
		default: bad_option(c);
		}
	}
	if(argc - optind != 1)
		ctl_usage(CTL_ERROR);
	return manual_set(cfg, argv[optind], scope, act, "blocked");
}

/** unblock NAME: remove hand-made entries of exactly NAME. */
static int
cmd_unblock(const struct fb_config *cfg, const char *text)
{
	struct fb_store *st;
	struct fb_key key;
	uint8_t scope;
	char name[FB_KEY_MAX], err[512];
	int n;

	if(!parse_name(text, &key, &scope))
		return CTL_ERROR;
	key_text(&key, name, sizeof(name));
	if(!(st = ctl_store_write(cfg)))
		return CTL_ERROR;
	n = fb_store_manual_remove(st, &key, err, sizeof(err));
	fb_store_close(st);
	if(n < 0)
		return ctl_fail(name, err);
	/* nothing to remove is success: the wanted state holds */
	if(n == 0)
		printf("%s: no hand-made entry\n", name);
	else
		printf("%s: hand-made entry removed\n", name);
	return 0;
}

/* ---- status --------------------------------------------------------- */

/** Width of the source name column. */
#define NAME_COL 20

/** Print one table row. */
static void
print_row(const char *name, const char *id, uint64_t entries,
	uint64_t invalid, const char *success, const char *status)
{
	printf("%-*s %5s %10llu %8llu  %-20s  %s\n", NAME_COL, name, id,
		(unsigned long long)entries, (unsigned long long)invalid,
		success, status);
}

/** Print one source's row. */
static void
source_row(const struct ctl_source *s)
{
	const struct fb_source_info *si = &s->si;
	char id[8], when[32], status[32];
	const char *st = "ok";

	if(!s->in_store) {
		print_row(si->name, "-", 0, 0, "never", "not synced yet");
		return;
	}
	/* its entries block until a full sync removes them */
	if(si->id >= FB_SOURCE_FIRST_FEED && !s->conf)
		st = "orphan: no longer configured (a sync removes it)";
	else if(si->last_status != 0) {
		snprintf(status, sizeof(status), "error %d",
			(int)si->last_status);
		st = si->last_error[0] ? si->last_error : status;
	}
	snprintf(id, sizeof(id), "%u", (unsigned)si->id);
	print_row(si->name, id, si->entries, si->invalid,
		ctl_iso_time(si->last_success, when, sizeof(when)), st);
}

/** Print the source table, configured feeds never synced included. */
static int
print_sources(const struct fb_config *cfg, struct fb_reader *r)
{
	struct ctl_source *v = NULL;
	size_t i, n = 0;

	if(ctl_sources(cfg, r, &v, &n) != 0)
		return CTL_ERROR;
	printf("%-*s %5s %10s %8s  %-20s  %s\n", NAME_COL, "source", "id",
		"entries", "invalid", "last success", "status");
	for(i = 0; i < n; i++)
		source_row(&v[i]);
	free(v);
	return 0;
}

/** status. */
static int
cmd_status(const struct fb_config *cfg)
{
	struct fb_store_stats s;
	struct ctl_view vw;
	int ret;

	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	if(!fb_reader_stats(vw.r, &s)) {
		ctl_view_close(&vw);
		return ctl_fail(cfg->database, "cannot read store statistics");
	}
	printf("database %s\n", cfg->database);
	printf("schema %u\n", (unsigned)s.schema);
	printf("generation %llu\n", (unsigned long long)s.generation);
	printf("names %llu\n", (unsigned long long)s.names);
	printf("addresses %llu\n", (unsigned long long)s.addresses);
	printf("records %llu\n", (unsigned long long)s.records);
	printf("size %.1f MiB of %.1f MiB\n",
		(double)s.file_bytes / (1024.0 * 1024.0),
		(double)s.map_size / (1024.0 * 1024.0));
	ret = print_sources(cfg, vw.r);
	ctl_view_close(&vw);
	return ret;
}

/** Run a command.  @return the exit status. */
static int
run(const struct fb_config *cfg, int argc, char *argv[])
{
	const char *cmd = argv[0];

	if(strcmp(cmd, "block") == 0)
		return cmd_block(cfg, argc, argv);
	if(strcmp(cmd, "feeds") == 0)
		return ctl_cmd_feeds(cfg, argc, argv);
	if(strcmp(cmd, "sync-now") == 0)
		return ctl_cmd_sync_now(cfg, argc, argv);
	if(strncmp(cmd, "log-", 4) == 0 && argc == 1) {
		if(strcmp(cmd, "log-reopen") == 0)
			return ctl_cmd_log_reopen(cfg);
		if(strcmp(cmd, "log-prune") == 0)
			return ctl_cmd_log_prune(cfg);
		if(strcmp(cmd, "log-key-rotate") == 0)
			return ctl_cmd_log_key_rotate(cfg);
	}
	if(strcmp(cmd, "stats") == 0)
		return ctl_cmd_stats(cfg, argc, argv);
	if(strcmp(cmd, "top") == 0)
		return ctl_cmd_top(cfg, argc, argv);
	if(strcmp(cmd, "report") == 0)
		return ctl_cmd_report(cfg, argc, argv);
	if(strcmp(cmd, "status") == 0 || strcmp(cmd, "compact") == 0 ||
		strcmp(cmd, "verify") == 0) {
		if(argc != 1)
			ctl_usage(CTL_ERROR);
		if(cmd[0] == 's')
			return cmd_status(cfg);
		if(cmd[0] == 'c')
			return ctl_cmd_compact(cfg);
		return ctl_cmd_verify(cfg);
	}
	/* real names can start with '-'; "--" before them is accepted
	 * everywhere so scripts can always write it */
	if(argc == 3 && strcmp(argv[1], "--") == 0) {
		argv[1] = argv[2];
		argc = 2;
	}
	if(argc != 2)
		ctl_usage(CTL_ERROR);
	if(strcmp(cmd, "lookup") == 0)
		return cmd_lookup(cfg, argv[1]);
	if(strcmp(cmd, "allow") == 0)
		return manual_set(cfg, argv[1], FB_SCOPE_TREE,
			FB_ACTION_ALLOW, "allowed");
	if(strcmp(cmd, "unblock") == 0)
		return cmd_unblock(cfg, argv[1]);
	if(strcmp(cmd, "backup") == 0)
		return ctl_cmd_backup(cfg, argv[1]);
	if(strcmp(cmd, "restore") == 0)
		return ctl_cmd_restore(cfg, argv[1]);
	ctl_fail(cmd, "unknown command");
	ctl_usage(CTL_ERROR);
	return CTL_ERROR;
}

int
main(int argc, char *argv[])
{
	const char *conf = NULL;
	struct fb_config *cfg = NULL;
	char err[1024];
	int c, ret;

	opterr = 0;
	/* '+': options after the command belong to the command; ':': a
	 * missing argument is told apart from an unknown option */
	while((c = getopt(argc, argv, "+:c:Vh")) != -1) {
		switch(c) {
		case 'c': conf = optarg; break;
		case 'V':
			printf("%s %s\n", progname, PACKAGE_VERSION);
			return 0;
		case 'h': ctl_usage(0); break;
		default: bad_option(c);
		}
	}
	if(optind >= argc)
		ctl_usage(CTL_ERROR);
	if(!conf)
		conf = fb_config_default_path();
	/* the one command that must run when the config does not load */
	if(strcmp(argv[optind], "check-config") == 0) {
		if(argc - optind > 2)
			ctl_usage(CTL_ERROR);
		return ctl_cmd_check_config(argc - optind == 2 ?
			argv[optind + 1] : conf);
	}
	if(!fb_config_load(conf, &cfg, err, sizeof(err)))
		return ctl_fail_msg(err);
	ret = run(cfg, argc - optind, argv + optind);
	fb_config_free(cfg);
	return ret;
}
