/**
 * \file
 * Protected names: the filter between parsing a feed and applying it.
 * Some names must never be blocked by a feed, whatever it says:
 *
 * - public suffixes (the Public Suffix List through libpsl, its PRIVATE
 *   section included): an entry whose name is a suffix (`com.vn`,
 *   `vercel.app`, `*.vercel.app`) would block every registrant or every
 *   customer of a hosting platform.  `scam.vercel.app` is one customer
 *   and stays listed.  Dropped from every feed.
 * - critical names (config `protected-names: FILE`): an entry equal to
 *   one, below one (a critical zone is whole), or a parent of one whose
 *   scope covers the names below it.  Dropped from every feed.
 * - popular names (config `popular-names: FILE`, e.g. the Umbrella top
 *   list): an entry equal to one or to a parent of one.  Names below stay
 *   listable (`scam.blogspot.com`).  Dropped from feeds not marked
 *   `trusted: yes`: URL feeds list `accounts.google.com` for one bad page.
 *
 * Entries that allow (action allow) are never dropped: allowing is safe.
 *
 * File formats (every byte is outside input):
 * - protected-names: the `domains` feed format (fb_parse.h): one name a
 *   line, '#' comments; a leading "*." is ignored (a critical zone is
 *   whole).  Any invalid line refuses the whole file with file:line: a
 *   critical name silently skipped would be unprotected.
 * - popular-names: one name a line, or "rank,name" lines (Cisco
 *   Umbrella's top-1m.csv); blank lines and lines starting with '#'
 *   skipped; CRLF and a UTF-8 byte order mark accepted.  A line that is
 *   not a name is counted and skipped (third-party lists hold oddities),
 *   unless more than half of them are not: then the file is refused as
 *   not a popular list.
 * Either file with no name at all is refused.
 *
 * Cost: the lists become one hash set of keys (fb_keyset.h), parents of
 * popular and critical names included, built once per sync run.  A check
 * is one libpsl lookup and one set lookup per label of the entry; it
 * allocates nothing.
 *
 * Thread safety: build in one thread; fb_protect_check() on a built
 * filter is reentrant.
 */
#ifndef FB_PROTECT_H
#define FB_PROTECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "fb_name.h"
#include "fb_config.h"

/** Why an entry is dropped. */
enum fb_protect_reason {
	FB_PROTECT_NONE = 0,	/**< not protected: list it */
	FB_PROTECT_SUFFIX,	/**< a public suffix */
	FB_PROTECT_CRITICAL,	/**< a critical name, its parent or child */
	FB_PROTECT_POPULAR,	/**< a popular name or its parent */
	FB_PROTECT_NREASONS
};

/** Largest protected-names or popular-names file read. */
#define FB_PROTECT_FILE_MAX ((uint64_t)256 * 1024 * 1024)

struct fb_protect;

/** @return an empty filter (drops nothing), or NULL when out of memory. */
struct fb_protect *fb_protect_new(void);

/** Free a filter; NULL is fine. */
void fb_protect_free(struct fb_protect *p);

/**
 * Load the Public Suffix List.
 * @param p: the filter.
 * @param path: NULL for Debian's copy (libpsl's distribution file,
 *	/usr/share/publicsuffix/public_suffix_list.dafsa); when that cannot
 *	be read, libpsl's built-in list is used with a warning.  A path
 *	given is read (.dafsa or the .dat text) or it is an error.
 * @param warn: NULL or where warnings go.
 * @param err: out: why, on failure.
 * @param errlen: size of err.
 * @return 1 on success, 0 on failure.
 */
int fb_protect_load_psl(struct fb_protect *p, const char *path, FILE *warn,
	char *err, size_t errlen);

/**
 * Add the critical names of a protected-names file held in memory.
 * @param p: the filter.
 * @param file: its name, for messages.
 * @param buf: its bytes.
 * @param len: their number.
 * @param err: out: "file:line: why" on failure.
 * @param errlen: size of err.
 * @return the number of names, or -1 on failure (p may hold part).
 */
long fb_protect_add_critical(struct fb_protect *p, const char *file,
	const char *buf, size_t len, char *err, size_t errlen);

/**
 * Add the names of a popular-names file held in memory.
 * @param p: the filter.
 * @param file: its name, for messages.
 * @param buf: its bytes.
 * @param len: their number.
 * @param warn: NULL or where the count of skipped lines is reported.
 * @param err: out: why, on failure.
 * @param errlen: size of err.
 * @return the number of names, or -1 on failure (p may hold part).
 */
long fb_protect_add_popular(struct fb_protect *p, const char *file,
	const char *buf, size_t len, FILE *warn, char *err, size_t errlen);

/**
 * Build the filter a config asks for: the PSL (public-suffix-list or
 * Debian's), protected-names and popular-names when set.
 * @param cfg: the config.
 * @param out: out: the filter, to free with fb_protect_free().
 * @param warn: NULL or where warnings go.
 * @param err: out: why, on failure.
 * @param errlen: size of err.
 * @return 1 on success, 0 on failure (nothing allocated).
 */
int fb_protect_load(const struct fb_config *cfg, struct fb_protect **out,
	FILE *warn, char *err, size_t errlen);

/**
 * Judge one parsed entry.
 * @param p: the filter.
 * @param key: the entry's key.
 * @param scope: its FB_SCOPE_* bits.
 * @param action: its action; FB_ACTION_ALLOW is never dropped.
 * @param trusted: 1 if its feed is trusted (popular names do not apply).
 * @return FB_PROTECT_NONE, or why the entry must be dropped.
 */
enum fb_protect_reason fb_protect_check(const struct fb_protect *p,
	const struct fb_key *key, uint8_t scope, enum fb_action action,
	int trusted);

/** @return "public suffix", "critical" or "popular" ("" for NONE). */
const char *fb_protect_reason_name(enum fb_protect_reason r);

/** What the filter did to one feed. */
struct fb_protect_counts {
	/** entries judged */
	uint64_t checked;
	/** entries dropped, by reason (index FB_PROTECT_NONE unused) */
	uint64_t dropped[FB_PROTECT_NREASONS];
};

/**
 * Whether a feed dropped too many public-suffix and critical entries:
 * more than max_pct percent of those judged.  Popular drops do not
 * count: URL feeds are expected to name popular platforms.
 * @param c: the counts.
 * @param max_pct: the feed's max-protected.
 * @param why: out: the reason, when refused.
 * @param whylen: size of why.
 * @return 1 if the feed must be refused, else 0.
 */
int fb_protect_refuse(const struct fb_protect_counts *c, unsigned max_pct,
	char *why, size_t whylen);

/**
 * The summary text of the drops: "" when none, else e.g.
 * ", 3 protected names dropped: 1 public suffix, 2 popular".
 * @return buf.
 */
const char *fb_protect_summary(const struct fb_protect_counts *c,
	char *buf, size_t len);

#endif /* FB_PROTECT_H */
