/**
 * \file
 * Protected names filter; the contract is in fb_protect.h.
 *
 * One hash set holds every key the lists protect, with a flag for each
 * way it is protected, so judging an entry costs one set lookup per
 * label (is it, or a parent of it, a critical name?) besides the libpsl
 * lookup of its text.
 */
#include <string.h>
#include <stdlib.h>
#include <libpsl.h>
#include "fb_protect.h"
#include "fb_keyset.h"
#include "fb_parse.h"
#include "fb_source.h"

/** Key flags in the set. */
#define PROT_CRITICAL 0x01	/**< a critical name */
#define PROT_CRIT_PARENT 0x02	/**< a strict parent of a critical name */
#define PROT_POPULAR 0x04	/**< a popular name or a parent of one */

struct fb_protect {
	/** the Public Suffix List, or NULL (no suffix is protected); may
	 * be libpsl's built-in list, which psl_free() leaves alone */
	psl_ctx_t *psl;
	/** protected keys and their PROT_* flags */
	struct fb_keyset *keys;
	/** 1 once a critical name is in keys: else no walk is needed */
	int has_critical;
};

struct fb_protect *
fb_protect_new(void)
{
	struct fb_protect *p = calloc(1, sizeof(*p));

	if(!p)
		return NULL;
	if(!(p->keys = fb_keyset_new())) {
		free(p);
		return NULL;
	}
	return p;
}

void
fb_protect_free(struct fb_protect *p)
{
	if(!p)
		return;
	/* psl_free() leaves the built-in context alone itself */
	psl_free(p->psl);
	fb_keyset_free(p->keys);
	free(p);
}

int
fb_protect_load_psl(struct fb_protect *p, const char *path, FILE *warn,
	char *err, size_t errlen)
{
	const char *dist = psl_dist_filename();
	psl_ctx_t *psl;

	if(path) {
		if(!(psl = psl_load_file(path))) {
			snprintf(err, errlen, "%s: cannot read it as a public "
				"suffix list", path);
			return 0;
		}
	} else if(!dist || !*dist || !(psl = psl_load_file(dist))) {
		if(!(psl = (psl_ctx_t *)psl_builtin())) {
			snprintf(err, errlen, "no public suffix list: %s "
				"unreadable and libpsl has none built in "
				"(apt-get install publicsuffix)",
				dist && *dist ? dist : "(no file)");
			return 0;
		}
		if(warn)
			fprintf(warn, "warning: %s unreadable, using libpsl's "
				"built-in public suffix list (apt-get install "
				"publicsuffix)\n", dist && *dist ? dist :
				"the distribution's public suffix list");
	}
	psl_free(p->psl);
	p->psl = psl;
	return 1;
}

/**
 * Add a key with flag self, and every strict parent of it with flag
 * parents.  @return 1, 0 when out of memory.
 */
static int
add_with_parents(struct fb_protect *p, const struct fb_key *key,
	uint8_t self, uint8_t parents)
{
	size_t i;

	for(i = 0; i + 1 < key->len; i++)
		if(key->data[i] == '.' && !fb_keyset_add(p->keys, key->data,
			i + 1, parents))
			return 0;
	return fb_keyset_add(p->keys, key->data, key->len, self);
}

/** What reading a protected-names file shares with its callbacks. */
struct critical_read {
	struct fb_protect *p;
	long names;
	/** the first invalid line, 0 if none */
	uint64_t bad_line;
	char bad_reason[64];
	int nomem;
};

/** fb_parse_entry_cb: each name of the file is critical. */
static int
critical_entry(void *arg, const struct fb_parse_entry *e)
{
	struct critical_read *c = arg;

	/* counted by the parser: the file is then refused */
	if(e->flags & FB_ENTRY_ADDRESS)
		return 1;
	if(!add_with_parents(c->p, e->key, PROT_CRITICAL, PROT_CRIT_PARENT)) {
		c->nomem = 1;
		return 0;
	}
	c->names++;
	return 1;
}

/** fb_parse_report: remember the first invalid line. */
static void
critical_invalid(void *arg, uint64_t line, const char *reason,
	const char *text, size_t len)
{
	struct critical_read *c = arg;

	(void)text;
	(void)len;
	if(c->bad_line == 0) {
		c->bad_line = line;
		snprintf(c->bad_reason, sizeof(c->bad_reason), "%s", reason);
	}
}

long
fb_protect_add_critical(struct fb_protect *p, const char *file,
	const char *buf, size_t len, char *err, size_t errlen)
{
	struct fb_parse_opts o;
	struct fb_parse_stats st;
	struct critical_read c;
	enum fb_parse_status r;

	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.format = FB_FORMAT_DOMAINS;
	c.p = p;
	r = fb_parse_run(&o, buf, len, &st, critical_entry, critical_invalid,
		&c, err, errlen);
	if(r == FB_PARSE_NOMEM || c.nomem) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	if(c.bad_line != 0) {
		snprintf(err, errlen, "%s:%llu: %s: not a name (every line "
			"of a protected-names file must be one)", file,
			(unsigned long long)c.bad_line, c.bad_reason);
		return -1;
	}
	if(r != FB_PARSE_OK || st.addresses != 0) {
		snprintf(err, errlen, "%s: not a list of names", file);
		return -1;
	}
	if(c.names == 0) {
		snprintf(err, errlen, "%s: no names in it", file);
		return -1;
	}
	p->has_critical = 1;
	return c.names;
}

/**
 * The name of a popular-names line: without blanks around it and
 * without a "rank," in front.  @return its length, 0 for a line to skip.
 */
static size_t
popular_name(const char *line, size_t len, const char **name)
{
	size_t i = 0;

	while(len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
		line[len - 1] == '\t'))
		len--;
	while(len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if(len == 0 || *line == '#')
		return 0;
	while(i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if(i > 0 && i < len && line[i] == ',') {
		line += i + 1;
		len -= i + 1;
	}
	*name = line;
	return len;
}

long
fb_protect_add_popular(struct fb_protect *p, const char *file,
	const char *buf, size_t len, FILE *warn, char *err, size_t errlen)
{
	const char *line = buf, *end = buf + len, *nl, *name = NULL;
	uint64_t lineno = 0, bad = 0, first_bad = 0;
	enum fb_name_error e, first_err = FB_NAME_OK;
	struct fb_key key;
	uint8_t scope;
	size_t n;
	long names = 0;

	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	while(line < end) {
		lineno++;
		if(!(nl = memchr(line, '\n', (size_t)(end - line))))
			nl = end;
		n = popular_name(line, (size_t)(nl - line), &name);
		line = nl + 1;
		if(n == 0)
			continue;
		e = fb_name_parse(name, n, 0, &key, &scope);
		/* "*.name" would say less than the name: not this format */
		if(e == FB_NAME_OK && scope != FB_SCOPE_TREE)
			e = FB_NAME_BAD_WILDCARD;
		if(e != FB_NAME_OK) {
			if(bad++ == 0) {
				first_bad = lineno;
				first_err = e;
			}
			continue;
		}
		if(!add_with_parents(p, &key, PROT_POPULAR, PROT_POPULAR)) {
			snprintf(err, errlen, "%s: out of memory", file);
			return -1;
		}
		names++;
	}
	if(bad > (uint64_t)names) {
		snprintf(err, errlen, "%s: %llu of %llu names invalid (first "
			"at line %llu: %s): not a popular-names list?", file,
			(unsigned long long)bad,
			(unsigned long long)(bad + (uint64_t)names),
			(unsigned long long)first_bad,
			fb_name_strerror(first_err));
		return -1;
	}
	if(names == 0) {
		snprintf(err, errlen, "%s: no names in it", file);
		return -1;
	}
	if(bad > 0 && warn)
		fprintf(warn, "warning: %s: %llu lines are not names, skipped "
			"(first at line %llu: %s)\n", file,
			(unsigned long long)bad, (unsigned long long)first_bad,
			fb_name_strerror(first_err));
	return names;
}

/** Read one list file and add it with add.  @return 1 or 0. */
static int
load_list(struct fb_protect *p, const char *path, int critical, FILE *warn,
	char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	long n;

	if(!fb_source_read(path, FB_PROTECT_FILE_MAX, FB_SOURCE_RETRIES,
		FB_SOURCE_RETRY_MS, &buf, &len, err, errlen))
		return 0;
	if(critical)
		n = fb_protect_add_critical(p, path, buf, len, err, errlen);
	else
		n = fb_protect_add_popular(p, path, buf, len, warn, err,
			errlen);
	free(buf);
	return n >= 0;
}

int
fb_protect_load(const struct fb_config *cfg, struct fb_protect **out,
	FILE *warn, char *err, size_t errlen)
{
	struct fb_protect *p;

	*out = NULL;
	if(!(p = fb_protect_new())) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	if(!fb_protect_load_psl(p, cfg->public_suffix_list, warn, err,
		errlen) ||
		(cfg->protected_names && !load_list(p, cfg->protected_names,
		1, warn, err, errlen)) ||
		(cfg->popular_names && !load_list(p, cfg->popular_names, 0,
		warn, err, errlen))) {
		fb_protect_free(p);
		return 0;
	}
	*out = p;
	return 1;
}

enum fb_protect_reason
fb_protect_check(const struct fb_protect *p, const struct fb_key *key,
	uint8_t scope, enum fb_action action, int trusted)
{
	char text[FB_KEY_MAX];
	uint8_t flags;
	size_t i;

	if(action == FB_ACTION_ALLOW || key->len == 0)
		return FB_PROTECT_NONE;
	/* the name itself a suffix: `vercel.app`, or `*.vercel.app`, all
	 * of the platform's customers.  libpsl counts the base of a
	 * wildcard rule (`compute.amazonaws.com` of `*.compute...`) too */
	if(p->psl) {
		fb_key_to_text(key->data, key->len, text, sizeof(text));
		if(psl_is_public_suffix2(p->psl, text, PSL_TYPE_ANY))
			return FB_PROTECT_SUFFIX;
	}
	flags = fb_keyset_get(p->keys, key->data, key->len);
	if(p->has_critical) {
		/* the name or one of its parents is critical */
		for(i = 0; i + 1 < key->len; i++)
			if(key->data[i] == '.' && (fb_keyset_get(p->keys,
				key->data, i + 1) & PROT_CRITICAL))
				return FB_PROTECT_CRITICAL;
		if(flags & PROT_CRITICAL)
			return FB_PROTECT_CRITICAL;
		/* a parent of a critical name, blocked with its children */
		if((flags & PROT_CRIT_PARENT) && (scope & FB_SCOPE_BELOW))
			return FB_PROTECT_CRITICAL;
	}
	if(!trusted && (flags & PROT_POPULAR))
		return FB_PROTECT_POPULAR;
	return FB_PROTECT_NONE;
}

const char *
fb_protect_reason_name(enum fb_protect_reason r)
{
	switch(r) {
	case FB_PROTECT_SUFFIX: return "public suffix";
	case FB_PROTECT_CRITICAL: return "critical";
	case FB_PROTECT_POPULAR: return "popular";
	default: return "";
	}
}

int
fb_protect_refuse(const struct fb_protect_counts *c, unsigned max_pct,
	char *why, size_t whylen)
{
	uint64_t bad = c->dropped[FB_PROTECT_SUFFIX] +
		c->dropped[FB_PROTECT_CRITICAL];

	/* bad / checked > max_pct / 100, without a division */
	if(bad == 0 || bad * 100 <= (uint64_t)max_pct * c->checked)
		return 0;
	snprintf(why, whylen, "%llu of %llu entries are public suffixes or "
		"critical names (over max-protected %u%%), refused: a wrong "
		"or hostile feed?", (unsigned long long)bad,
		(unsigned long long)c->checked, max_pct);
	return 1;
}

const char *
fb_protect_summary(const struct fb_protect_counts *c, char *buf, size_t len)
{
	uint64_t total = 0;
	size_t n;
	int r, first = 1;

	buf[0] = 0;
	for(r = FB_PROTECT_NONE + 1; r < FB_PROTECT_NREASONS; r++)
		total += c->dropped[r];
	if(total == 0 || len == 0)
		return buf;
	n = (size_t)snprintf(buf, len, ", %llu protected name%s dropped:",
		(unsigned long long)total, total == 1 ? "" : "s");
	for(r = FB_PROTECT_NONE + 1; r < FB_PROTECT_NREASONS && n < len; r++) {
		if(c->dropped[r] == 0)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s %llu %s",
			first ? "" : ",", (unsigned long long)c->dropped[r],
			fb_protect_reason_name((enum fb_protect_reason)r));
		first = 0;
	}
	return buf;
}
