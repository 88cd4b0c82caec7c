/**
 * \file
 * The query log's records: the facts a resolver thread copies for one
 * query (struct fb_qlog_rec, fixed size, no pointers, so a thread fills
 * one without allocating), and the pure functions that turn them into one
 * JSON Lines record of the schema in doc/querylog.md, with the client
 * address mapped by the privacy mode.  Also the HMAC key of `hash` mode
 * (a file of random bytes) shared by the module and fraudblock-ctl.
 *
 * Everything that reaches a record from outside (the query name: raw wire
 * labels, any bytes; feed names read from the store) is escaped so a
 * record is always one line of valid, pure-ASCII JSON.  Query names are
 * written in DNS presentation form as dig and Unbound print them
 * (RFC 1035 section 5.1, sldns rules): bytes outside printable ASCII and
 * the space as \DDD (three decimal digits), '.', ';', '(', ')' and '\\'
 * inside a label as \c; then JSON-escaped, so a '\\' of the presentation
 * form is "\\\\" in the JSON text.  The decoded string is what dig shows
 * and names the same wire bytes, unlike any lossy form.
 *
 * Thread safety: all functions are reentrant; a key is read-only while
 * records are formatted with it.
 */
#ifndef FB_QLOG_H
#define FB_QLOG_H

#include <stddef.h>
#include <stdint.h>
#include "fb_config.h"
#include "fb_record.h"

/** The schema version written in every record ("v"). */
#define FB_QLOG_VERSION 1
/** Longest record formatted, newline included: a 255-byte name is at
 * most 4 x 255 presentation bytes, doubled by JSON escapes at worst. */
#define FB_QLOG_LINE_MAX 4096

/** fb_qlog_rec.event */
#define FB_QLOG_BLOCK 1		/**< a client query answered with a block */
#define FB_QLOG_PASS 2		/**< a checked query that was not blocked */
/** a client query its client policy let through that the default
 * policy blocks (the fields of a block: what it would have got) */
#define FB_QLOG_WOULD_BLOCK 3

/** Bytes of an HMAC key file: at least 32 and at most 64 random bytes. */
#define FB_QLOG_KEY_MIN 32
#define FB_QLOG_KEY_MAX 64
/** Hex digits of a key id. */
#define FB_QLOG_KEY_ID_LEN 8

/** The key of hash mode. */
struct fb_qlog_key {
	uint8_t k[FB_QLOG_KEY_MAX];	/**< the secret */
	size_t len;			/**< bytes in k; 0: no key */
	/** public id: the first 4 bytes of SHA-256("fraudblock-key-id" |
	 * key) in hex; tells keys apart in records, reveals nothing */
	char id[FB_QLOG_KEY_ID_LEN + 1];
};

/** The facts of one record, as a resolver thread copies them. */
struct fb_qlog_rec {
	int64_t ts_ms;		/**< unix time in milliseconds */
	uint64_t generation;	/**< the list's generation */
	uint16_t qtype, qclass;	/**< of the query */
	uint16_t ede;		/**< EDE code of the block */
	uint16_t thread;	/**< Unbound's worker number */
	uint8_t event;		/**< FB_QLOG_BLOCK, _PASS or _WOULD_BLOCK */
	uint8_t family;		/**< 0 (no client), AF_INET or AF_INET6 */
	uint8_t action;		/**< enum fb_action, resolved (block and
				 * would-block: the answer it would get) */
	uint8_t category;	/**< enum fb_category (block, would-block) */
	uint8_t depth;		/**< labels of the matching entry (block,
				 * would-block) */
	/** the block came through another name of the answer's CNAME or
	 * DNAME chain (chain[] holds it), not the query name */
	uint8_t cname;
	uint8_t qname_len;	/**< bytes in qname */
	uint8_t chain_len;	/**< bytes in chain (cname) */
	uint8_t addr[16];	/**< client address, network order */
	/** the block came from an address of the answer (raddr; depth is
	 * then the listed prefix's length): AF_INET or AF_INET6, else 0 */
	uint8_t raddr_family;
	uint8_t raddr[16];	/**< that address, network order */
	/** the blocking source's name, NUL-terminated (block) */
	char feed[FB_SOURCE_NAME_MAX];
	uint8_t qname[255];	/**< the query name, wire format */
	/** cname: the chain name the matching entry applies to, wire */
	uint8_t chain[255];
	/** the client policy that decided (a client-policy clause's name),
	 * NUL-terminated; "" for the default policy */
	char policy[FB_SOURCE_NAME_MAX];
};

/**
 * Write bytes as a JSON string value, quotes included: '"' and '\\'
 * escaped, control bytes, DEL and every byte >= 0x80 as \u00XX.
 * @return bytes written (out NUL-terminated), or 0 if outlen is too small.
 */
size_t fb_json_str(const char *s, size_t len, char *out, size_t outlen);

/**
 * Write a wire-format name as a JSON string value, quotes included, in
 * the presentation form described above ("." for the root, no trailing
 * dot otherwise).  A malformed name (label past wlen) is written up to
 * where it breaks, then "\\#" marks the break.
 * @return bytes written (out NUL-terminated), or 0 if outlen is too small.
 */
size_t fb_qlog_name_json(const uint8_t *wire, size_t wlen, char *out,
	size_t outlen);

/**
 * Write the client member value: null (no client, mode none), or the
 * address per the mode: truncate 192.0.2.0/24 and 2001:db8:1::/48, full
 * the address, hash "hmac:" and the first 16 bytes of HMAC-SHA-256(key,
 * address bytes) in lowercase hex.  An IPv4-mapped IPv6 address counts as
 * its IPv4 address.
 * @param key: the key (hash mode; a key of length 0 gives null).
 * @return bytes written (out NUL-terminated), or 0 if outlen is too small.
 */
size_t fb_qlog_client(enum fb_privacy mode, const struct fb_qlog_key *key,
	int family, const uint8_t addr[16], char *out, size_t outlen);

/** Mnemonics the caller looked up (Unbound's sldns tables). */
struct fb_qlog_names {
	const char *qtype;	/**< "A", "TYPE65534", ... */
	const char *qclass;	/**< "IN", "CLASS3", ... */
};

/**
 * Format one record: one line of JSON, '\n' ended, members in the order
 * of doc/querylog.md.
 * @param r: the facts.
 * @param mode: privacy mode of the client member.
 * @param key: hash mode's key (its id is written as "key"); else NULL.
 * @param nm: type and class mnemonics.
 * @param out: out: the line, NUL-terminated.
 * @param outlen: FB_QLOG_LINE_MAX always fits.
 * @return length of the line, 0 if it did not fit.
 */
size_t fb_qlog_format(const struct fb_qlog_rec *r, enum fb_privacy mode,
	const struct fb_qlog_key *key, const struct fb_qlog_names *nm,
	char *out, size_t outlen);

/**
 * Read a key file: FB_QLOG_KEY_MIN..MAX bytes, not readable or writable
 * by group or others.
 * @return 1 on success, 0 with "path: why" in err (k zeroed).
 */
int fb_qlog_key_load(const char *path, struct fb_qlog_key *k, char *err,
	size_t errlen);

/**
 * Make a new key of 32 random bytes (getrandom) and replace the key file
 * atomically (a 0600 temporary file beside it, synced, renamed over it).
 * @param k: out: the new key (zeroed on failure).
 * @return 1 on success, 0 with "path: why" in err.
 */
int fb_qlog_key_new(const char *path, struct fb_qlog_key *k, char *err,
	size_t errlen);

/** Zero a key in a way the compiler cannot drop. */
void fb_qlog_key_wipe(struct fb_qlog_key *k);

/**
 * @return the rotation period a unix time falls in: days since the epoch
 * (daily), weeks starting on Monday (weekly), 0 (never).
 */
int64_t fb_qlog_key_period(enum fb_hash_rotate rot, int64_t t);

#endif /* FB_QLOG_H */
