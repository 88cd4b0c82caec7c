/**
 * \file
 * Domain names as fraudblock stores and matches them.
 *
 * A name is stored under its *key*: the labels in reverse order (top-level
 * domain first), lowercased, each followed by a '.'.  `www.Bad.Example.`
 * has the key `example.bad.www.`.  Every parent of a name then owns a key
 * that is a prefix of the name's key ending at a label boundary, so "is this
 * name or a parent listed?" is a walk over prefixes of one string, and all
 * names at or below a parent are one contiguous range in a sorted store.
 *
 * Labels in a key hold only [a-z0-9_-] (hostnames as seen in real feeds,
 * underscores and leading hyphens included).  Names with other bytes cannot
 * be listed; a query for such a name can still match a listed parent.
 *
 * Two directions, two functions:
 * - fb_name_parse(): hostile presentation text (feed line, admin input) to
 *   a key, with a reason when it is refused.  May call libidn2; allocates
 *   nothing that outlives the call.  Not for the query path.
 * - fb_qname_from_wire(): a query name in DNS wire format to the prefix
 *   list the matcher walks.  No allocation, no locks, no system calls: it
 *   runs for every query the module sees.
 *
 * Thread safety: all functions are reentrant.
 */
#ifndef FB_NAME_H
#define FB_NAME_H

#include <stddef.h>
#include <stdint.h>

/** Longest key: a 255-byte wire name has at most 253 text bytes + 1. */
#define FB_KEY_MAX 256
/** Most labels a wire name can have (255 bytes, 2 bytes a label). */
#define FB_LABELS_MAX 128

/** Scope bits of an entry: which names under its key it covers. */
#define FB_SCOPE_SELF  0x01	/**< the name itself */
#define FB_SCOPE_BELOW 0x02	/**< every name strictly below it */
#define FB_SCOPE_TREE  (FB_SCOPE_SELF | FB_SCOPE_BELOW)

/** A store key: reversed, lowercased labels, each ended by '.'. */
struct fb_key {
	/** key bytes, not NUL-terminated */
	uint8_t data[FB_KEY_MAX];
	/** bytes used in data */
	size_t len;
};

/** Why fb_name_parse() refused a name. */
enum fb_name_error {
	FB_NAME_OK = 0,
	FB_NAME_EMPTY,		/**< nothing, or only dots / "*." */
	FB_NAME_TOO_LONG,	/**< over 253 characters (255 on the wire) */
	FB_NAME_EMPTY_LABEL,	/**< ".." or a leading dot */
	FB_NAME_LONG_LABEL,	/**< a label over 63 characters */
	FB_NAME_BAD_CHAR,	/**< a byte outside [A-Za-z0-9_-] (NUL too) */
	FB_NAME_BAD_IDN,	/**< non-ASCII that is not a valid IDN */
	FB_NAME_SINGLE_LABEL,	/**< a top-level domain alone */
	FB_NAME_ADDRESS,	/**< all-numeric last label: an IP literal */
	FB_NAME_BAD_WILDCARD	/**< '*' anywhere but a leading "*." */
};

/** Options for fb_name_parse(). */
#define FB_NAME_ALLOW_TLD 0x01	/**< accept a single label (admin use) */

/**
 * Parse a name in presentation form into a key.
 *
 * Accepted: ASCII letters (folded to lower case), digits, '-', '_'; one
 * trailing dot; a leading "*." meaning "only the names below" (RPZ style);
 * UTF-8 (IDN) names, converted to their A-label (xn--) form with libidn2.
 * Nothing else is rewritten: a "www." prefix is kept, because stripping it
 * would turn `www.facebook.com` into all of facebook.com.
 *
 * @param text: the name; need not be NUL-terminated; may hold any bytes.
 * @param len: bytes in text.
 * @param flags: FB_NAME_ALLOW_TLD or 0.
 * @param key: out: the key (unchanged on error).
 * @param scope: out: FB_SCOPE_BELOW for "*.name", else FB_SCOPE_TREE.
 * @return FB_NAME_OK or the reason the name was refused.
 */
enum fb_name_error fb_name_parse(const char *text, size_t len, int flags,
	struct fb_key *key, uint8_t *scope);

/** @return a short English text for an fb_name_error. */
const char *fb_name_strerror(enum fb_name_error err);

/**
 * Write a key back in presentation form, without the trailing dot.
 * @param key: a key made by fb_name_parse() or read from the store.
 * @param klen: its length.
 * @param buf: out: NUL-terminated text (truncated to fit).
 * @param buflen: size of buf; FB_KEY_MAX always fits.
 * @return buf.
 */
char *fb_key_to_text(const uint8_t *key, size_t klen, char *buf,
	size_t buflen);

/**
 * A query name prepared for matching: its key, and where each prefix of the
 * key (one per parent, top-level domain first) ends.
 */
struct fb_qname {
	/** key of the deepest representable part of the name */
	uint8_t key[FB_KEY_MAX];
	/** ends[i] = length of the key of the parent with i+1 labels */
	uint16_t ends[FB_LABELS_MAX];
	/** number of prefixes in ends; 0 for the root or nothing matchable */
	int nprefix;
	/** 1 if the last prefix is the query name itself; 0 if a label of
	 * the query name below it could not be represented (bad byte), so
	 * only entries covering names *below* that prefix can match */
	int full;
};

/**
 * Prepare a wire-format query name for matching.
 * Labels are lowercased; a label with a byte outside [A-Za-z0-9_-] stops
 * the walk there (its parents stay matchable, see fb_qname.full).
 * @param wire: an uncompressed wire-format name (Unbound's qinfo.qname).
 * @param wlen: its length, at most 255; a malformed name (label running
 *	past wlen, compression pointer) gives nprefix 0.
 * @param q: out.
 */
void fb_qname_from_wire(const uint8_t *wire, size_t wlen,
	struct fb_qname *q);

/**
 * Prepare a key (from fb_name_parse) for matching, as if it were queried.
 * @param key: the key.
 * @param q: out; full is 1.
 */
void fb_qname_from_key(const struct fb_key *key, struct fb_qname *q);

/** Byte -> its lower-case form if it may stand in a label
 * ([A-Za-z0-9_-]), else 0.  Shared by the parser and the wire path. */
extern const uint8_t fb_name_map[256];

#endif /* FB_NAME_H */
