/**
 * \file
 * What the parts of fraudblock-ctl share: ctl.c (lookup, hand-made
 * entries, status, the command line), ctl_admin.c (backup, restore,
 * compact, verify, check-config), ctl_feeds.c (feeds, sync-now, the
 * source records all of them show), ctl_log.c (the query log's upkeep),
 * ctl_report.c (top and report, read from the query log) and ctl_stats.c
 * (stats).
 *
 * Every string from outside reaches the terminal through ctl_put_safe().
 */
#ifndef FB_CTL_H
#define FB_CTL_H

#include <stdio.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_reader.h"

/** Exit status of a usage error or failure. */
#define CTL_ERROR 2

/**
 * Print an outside string with control bytes, DEL, '\\' and bytes that
 * are not part of a printable UTF-8 character written as \xNN.
 */
void ctl_put_safe(FILE *out, const char *str);

/** ctl_put_safe() to stdout, then spaces up to width columns (counted
 * in bytes of str). */
void ctl_put_col(const char *s, size_t width);

/**
 * Length of the UTF-8 sequence at s if it is valid and prints as a
 * character (not overlong, no surrogate, no C1 control).
 * @return 2 to 4, or 0 if s does not start such a sequence.
 */
size_t ctl_utf8_len(const unsigned char *s);

/**
 * Print str as a JSON string: quotes, '\\' and control bytes escaped,
 * valid printable UTF-8 as is, any other byte as U+FFFD.
 */
void ctl_json_str(FILE *out, const char *str);

/** Format a unix time as ISO 8601 UTC, or "never" for 0. */
const char *ctl_iso_time(int64_t t, char *buf, size_t len);

/** Print "fraudblock-ctl: why", escaped.  @return CTL_ERROR. */
int ctl_fail_msg(const char *why);

/** Print "fraudblock-ctl: what: why", escaped.  @return CTL_ERROR. */
int ctl_fail(const char *what, const char *why);

/** Print the usage text to stderr and exit with status. */
void ctl_usage(int status);

/** An open store with one reader snapshot. */
struct ctl_view {
	struct fb_store *st;
	struct fb_reader *r;
};

/** Open the store read-only and take a snapshot.
 * @return 1 on success, 0 after printing why not. */
int ctl_view_open(const struct fb_config *cfg, struct ctl_view *v);

/** End the snapshot and close the store. */
void ctl_view_close(struct ctl_view *v);

/** Open the store for writing.  @return NULL after printing why not. */
struct fb_store *ctl_store_write(const struct fb_config *cfg);

/**
 * The commands of ctl_admin.c.  Each prints its own errors.
 * @return the exit status.
 */
int ctl_cmd_backup(const struct fb_config *cfg, const char *file);
int ctl_cmd_restore(const struct fb_config *cfg, const char *file);
int ctl_cmd_compact(const struct fb_config *cfg);
/** @return 0 clean, 1 problems found, CTL_ERROR when it could not look. */
int ctl_cmd_verify(const struct fb_config *cfg);
/** stats [--json]: the resolver's counters from metrics-file and the
 * feeds from the store (ctl_stats.c). */
int ctl_cmd_stats(const struct fb_config *cfg, int argc, char *argv[]);
/** Parse path as the module does.  Needs no config loaded before.
 * @return 0 good, 1 refused. */
int ctl_cmd_check_config(const char *path);

/** A source as the commands show it: its record, its clause, or both. */
struct ctl_source {
	/** the store's record; zero but the name when not in_store */
	struct fb_source_info si;
	/** 1 when the store has a record of it */
	int in_store;
	/** its feed clause; NULL for hand-made sources and orphans */
	const struct fb_feed_conf *conf;
};

/**
 * Every source of the reader's snapshot in id order, then the configured
 * feeds the store has no record of yet.
 * @param out: out: the array, to free().
 * @param n: out: its length.
 * @return 0, or CTL_ERROR after printing why.
 */
int ctl_sources(const struct fb_config *cfg, struct fb_reader *r,
	struct ctl_source **out, size_t *n);

/** The commands of ctl_feeds.c; argv[0] is the command.
 * @return the exit status. */
int ctl_cmd_feeds(const struct fb_config *cfg, int argc, char *argv[]);
/** @return 0 synced, 1 a feed failed, CTL_ERROR no daemon or answer. */
int ctl_cmd_sync_now(const struct fb_config *cfg, int argc, char *argv[]);
/** The query log commands of ctl_log.c.  @return the exit status. */
int ctl_cmd_log_reopen(const struct fb_config *cfg);
int ctl_cmd_log_prune(const struct fb_config *cfg);
int ctl_cmd_log_key_rotate(const struct fb_config *cfg);
/** @return 1 if name is a rotated copy of the log named base (base
 * followed by '.' or '-' and more, not the reopen trigger). */
int ctl_log_rotated(const char *name, const char *base);
/** top and report (ctl_report.c); argv[0] is the command.
 * @return 0, or CTL_ERROR on a usage or read error. */
int ctl_cmd_top(const struct fb_config *cfg, int argc, char *argv[]);
int ctl_cmd_report(const struct fb_config *cfg, int argc, char *argv[]);

#endif /* FB_CTL_H */
