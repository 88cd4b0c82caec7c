/**
 * \file
 * Feed updates: each feed's entries are kept apart from every other
 * source's, and each update is one write transaction that writes only the
 * differences and bumps the generation when anything changed.  On refusal
 * or error nothing changes but the feed's bookkeeping (last attempt,
 * status, error text), which is committed on its own.
 *
 * For fraudblock-sync (full replacement of a feed, delta updates, removal
 * of a feed no longer configured) and fraudblock-ctl.
 */
#ifndef FB_UPDATE_H
#define FB_UPDATE_H

#include <stddef.h>
#include <stdint.h>
#include "fb_store.h"
#include "fb_nameset.h"

/** What a feed update did. */
struct fb_update_result {
	uint64_t before;	/**< entries of the feed before */
	uint64_t after;		/**< entries after (== before if refused) */
	uint64_t added, removed, changed;
	/** 1 if the feed's EDE code changed (a change of every block
	 * answer of the feed, though no entry changed) */
	int ede_changed;
	uint64_t generation;	/**< generation after the commit */
};

/** Why an update was refused or failed.  Values are stored in
 * fb_source_info.last_status. */
enum fb_update_status {
	FB_UPDATE_OK = 0,
	FB_UPDATE_SHRINK,	/**< would drop more than max_shrink % */
	FB_UPDATE_STORE,	/**< LMDB error (full disk, map full, ...) */
	FB_UPDATE_NOMEM,
	FB_UPDATE_SOURCE,	/**< the source could not be read */
	FB_UPDATE_FORMAT,	/**< most lines invalid: wrong format? */
	FB_UPDATE_EMPTY,	/**< no names at all: empty or truncated */
	FB_UPDATE_VERSION,	/**< the list's version went backwards, or its
				 * declared count disagrees with its body */
	FB_UPDATE_PROTECTED,	/**< too many public suffixes or critical
				 * names (max-protected) */
	FB_UPDATE_INTEGRITY	/**< signature or checksum absent or bad */
};

/** Validators of the HTTP download an update comes from. */
struct fb_update_http {
	const char *url;		/**< the feed's source URL */
	const char *etag;		/**< its ETag, "" if none */
	const char *last_modified;	/**< its Last-Modified, "" if none */
};

/** The feed's listing: every entry of one update gets this action and
 * category unless the set gives the entry its own (fb_nameset.h). */
struct fb_update_spec {
	const char *feed;	/**< feed name (1..63 chars) */
	enum fb_action action;
	enum fb_category category;
	/** refuse if the entry count would fall by more than this
	 * percentage (100 = never refuse) */
	unsigned max_shrink;
	uint64_t invalid;	/**< lines the parser refused */
	int64_t now;		/**< unix time */
	/** EDE code the feed's blocks carry (FB_EDE_*); 0 keeps the one
	 * recorded.  A change counts as a change of the list. */
	uint16_t ede;
	/** the version the list declares, or 0; a replacement older than
	 * the version in force is refused (FB_UPDATE_VERSION) */
	uint64_t version;
	/** version is a 32-bit zone serial, compared in serial number
	 * arithmetic (RFC 1982): an RPZ zone's may wrap around */
	int version_is_serial;
	/** stored with an accepted update, for the next conditional GET;
	 * NULL (not an HTTP download) clears what was stored.  A refused
	 * or failed update stores nothing */
	const struct fb_update_http *http;
};

/**
 * Make one feed's entries equal to the set ns.  The feed gets an id the
 * first time.
 * @param st: opened FB_STORE_WRITE.
 * @param spec: feed, listing and limits.
 * @param ns: finished set.
 * @param res: out.
 * @param err: out: why, when not FB_UPDATE_OK.
 * @return an fb_update_status.
 */
enum fb_update_status fb_store_replace_feed(struct fb_store *st,
	const struct fb_update_spec *spec, const struct fb_nameset *ns,
	struct fb_update_result *res, char *err, size_t errlen);

/**
 * Apply a delta to one feed: add (or change to the spec's listing) the
 * keys of add, remove the keys of del.  Costs a lookup per key, whatever
 * the feed's size: the entry point for sources that send changes.
 * @param add, del: finished sets, either may be NULL.
 * @return an fb_update_status (max_shrink applies as for a replacement).
 */
enum fb_update_status fb_store_apply_delta(struct fb_store *st,
	const struct fb_update_spec *spec, const struct fb_nameset *add,
	const struct fb_nameset *del, struct fb_update_result *res,
	char *err, size_t errlen);

/**
 * Record a failed attempt for a feed (download or parse failed) without
 * touching its entries.
 * @return 1 on success, 0 on store error (err set).
 */
int fb_store_feed_failed(struct fb_store *st, const char *feed,
	int status, const char *why, int64_t now, char *err, size_t errlen);

/**
 * Remove a feed: all its entries and its record, in one transaction.
 * Hand-made sources cannot be removed.
 * @param removed: out: entries removed.
 * @return 1 done, 0 no such feed, -1 on error (err set).
 */
int fb_store_remove_feed(struct fb_store *st, const char *feed,
	uint64_t *removed, char *err, size_t errlen);

#endif /* FB_UPDATE_H */
