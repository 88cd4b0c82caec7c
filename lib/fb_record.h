/**
 * \file
 * The records of the store as bytes on disk, and the words that name their
 * values.  Every record is encoded field by field here (never a memcpy of a
 * C struct), so the layout is the same whatever the compiler, and a record
 * written by a newer version can still be read: unknown fields of a source
 * record are skipped.  doc/store.md is the same contract for people.
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef FB_RECORD_H
#define FB_RECORD_H

#include <stddef.h>
#include <stdint.h>

/** Source ids.  Feeds get ids from FB_SOURCE_FIRST_FEED on. */
#define FB_SOURCE_ALLOW 0	/**< hand-made allow entries */
#define FB_SOURCE_BLOCK 1	/**< hand-made block entries */
#define FB_SOURCE_FIRST_FEED 2
#define FB_SOURCE_NAME_MAX 64

/** What a listed name gets.  Stored in entries; values are on disk. */
enum fb_action {
	FB_ACTION_DEFAULT = 0,	/**< the config's default-action */
	FB_ACTION_SINKHOLE = 1,	/**< A/AAAA -> sinkhole address, else NODATA */
	FB_ACTION_NXDOMAIN = 2,
	FB_ACTION_NODATA = 3,
	FB_ACTION_ALLOW = 4	/**< never blocked */
};

/** Why a name is listed.  Values are on disk. */
enum fb_category {
	FB_CATEGORY_UNSPECIFIED = 0,
	FB_CATEGORY_SCAM = 1,
	FB_CATEGORY_PHISHING = 2,
	FB_CATEGORY_MALWARE = 3,
	FB_CATEGORY_OTHER = 4
};

/** @return the config/CLI word for an action ("sinkhole", ...). */
const char *fb_action_name(enum fb_action a);
/** @return 1 and set *a if word names an action, else 0. */
int fb_action_parse(const char *word, enum fb_action *a);
/** @return the config/CLI word for a category. */
const char *fb_category_name(enum fb_category c);
/** @return 1 and set *c if word names a category, else 0. */
int fb_category_parse(const char *word, enum fb_category *c);

/** One record in "names" and "bysource" (FB_ENTRY_SIZE bytes on disk). */
struct fb_entry {
	uint16_t source;	/**< FB_SOURCE_* or a feed id */
	uint8_t scope;		/**< FB_SCOPE_* bits (fb_name.h) */
	uint8_t action;		/**< enum fb_action */
	uint8_t category;	/**< enum fb_category */
	uint32_t first_seen;	/**< unix time the source first listed it */
};

#define FB_ENTRY_SIZE 12
/** Encode an entry: source big-endian first, so duplicates of a key sort
 * by source id. */
void fb_entry_encode(const struct fb_entry *e, uint8_t out[FB_ENTRY_SIZE]);
void fb_entry_decode(const uint8_t in[FB_ENTRY_SIZE], struct fb_entry *e);
/** Same listing, ignoring when it was first seen. */
int fb_entry_same(const struct fb_entry *a, const struct fb_entry *b);

/** Bookkeeping of one source, in "sources". */
struct fb_source_info {
	uint16_t id;
	char name[FB_SOURCE_NAME_MAX];	/**< NUL-terminated */
	uint64_t entries;	/**< names it lists now */
	uint64_t invalid;	/**< lines refused in the last accepted update */
	int64_t last_attempt;	/**< unix time of the last update attempt */
	int64_t last_success;	/**< ... of the last accepted update */
	int64_t last_change;	/**< ... of the last one that changed entries */
	int32_t last_status;	/**< 0 ok, else an fb_update_status */
	char last_error[256];	/**< why the last attempt failed, or "" */
	char etag[256];		/**< HTTP ETag of the last good download */
	char last_modified[64];	/**< HTTP Last-Modified of it */
	/** Extended DNS Error code its blocks carry (RFC 8914: 15 Blocked,
	 * 16 Censored, 17 Filtered); 0 means 15 */
	uint16_t ede;
	/** the list's own version (its "Version:" header) in the last
	 * accepted update; 0 when it declares none */
	uint64_t version;
	/** fb_source_hash() of the URL etag and last_modified came from,
	 * 0 if none: validators of another URL are never sent */
	uint64_t validators_of;
};

/** EDE codes a feed may carry (RFC 8914). */
#define FB_EDE_BLOCKED 15
#define FB_EDE_CENSORED 16
#define FB_EDE_FILTERED 17
/** @return the config word of an EDE code ("blocked", ...). */
const char *fb_ede_name(uint16_t code);
/** @return 1 and set *code if word is blocked, censored, filtered or their
 * numbers 15, 16, 17; else 0. */
int fb_ede_parse(const char *word, uint16_t *code);

/**
 * A fixed 64-bit hash of a source URL (FNV-1a), to tell whether stored
 * validators belong to the URL configured now.
 * @return the hash, never 0.
 */
uint64_t fb_source_hash(const char *source);

/** Largest encoded source record. */
#define FB_SOURCE_REC_MAX 1024

/**
 * Encode a source record: a format byte (1), then fields as
 * (tag: 1 byte, length: 2 bytes big-endian, value).  Integers are 8 bytes
 * big-endian; texts are their bytes without NUL.  Empty texts and zero
 * numbers are left out.
 * @return the number of bytes written to out.
 */
size_t fb_source_encode(const struct fb_source_info *s,
	uint8_t out[FB_SOURCE_REC_MAX]);

/**
 * Decode a source record made by fb_source_encode() (any version: unknown
 * tags are skipped).
 * @param id: the record's key, stored in s->id.
 * @return 1, or 0 if the bytes are not a source record (s zeroed).
 */
int fb_source_decode(const uint8_t *in, size_t len, uint16_t id,
	struct fb_source_info *s);

/** Big-endian helpers for keys and values. */
void fb_put_be16(uint8_t *p, uint16_t v);
void fb_put_be64(uint8_t *p, uint64_t v);
uint16_t fb_get_be16(const uint8_t *p);
uint64_t fb_get_be64(const uint8_t *p);

/**
 * Grow the array *p (elements of size sz, capacity *cap) to hold need
 * elements, doubling from 1024.  Shared by the writers in lib/.
 * @return 1, or 0 when out of memory (*p unchanged).
 */
int fb_grow(void *p, size_t *cap, size_t need, size_t sz);

#endif /* FB_RECORD_H */
