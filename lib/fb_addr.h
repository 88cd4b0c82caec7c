/**
 * \file
 * IP addresses and prefixes as store keys ("response addresses").
 *
 * An address entry lives in the same tables as names ("names",
 * "bysource", the chunk index), in a key space no name key can enter.
 * Prefixes are cut into two tiers at the group length G (FB_ADDR_GROUP4
 * = 16 for IPv4, FB_ADDR_GROUP6 = 32 for IPv6: the shortest prefix a
 * feed may list, fb_addr_refused):
 *
 *	long  (prefix >= G): family byte (FB_ADDR_V4 0x04 or FB_ADDR_V6
 *	      0x06), FB_ADDR_LONG (0x01), the first G/8 bytes of the
 *	      address (the group), 32 or 128 minus the prefix length, the
 *	      other 2 or 12 bytes of the address masked to the prefix
 *	short (prefix < G, only the admin lists those): family byte,
 *	      FB_ADDR_SHORT (0x00), prefix length, the address masked to
 *	      the prefix, all 4 or 16 bytes
 *
 * Both are 7 bytes (IPv4) or 19 (IPv6).  Name keys start with a byte of
 * [a-z0-9_-] (fb_name.h), all above 0x2c, so every address key sorts
 * below every name key and the name walk (fb_match) never meets one.
 * Every long prefix holding an address sits in that address's group, and
 * there sorted longest first, then by address: a lookup (fb_match_addr,
 * fb_reader.h) seeks into the group once, which is all a miss costs when
 * the group is empty, each further seek names the next shorter length
 * present in the group, and the first hit is the longest.  The few short lengths present are learned once per
 * snapshot and probed one exact key each.
 *
 * Text forms (fb_addr_parse, fb_addr_format): "192.0.2.1",
 * "192.0.2.0/24", "2001:db8::/32", "2001:db8::1", "[2001:db8::1]",
 * "[2001:db8::]/32".  Host bits beyond the prefix are masked off
 * silently ("192.0.2.7/24" is 192.0.2.0/24): feeds and RPZ zones write
 * prefixes that way and mean the network.  A full-length prefix is
 * written without "/N".
 *
 * Thread safety: all functions are reentrant.  fb_addr_key,
 * fb_addr_unkey and fb_key_is_addr allocate nothing and make no system call (query path).
 */
#ifndef FB_ADDR_H
#define FB_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include "fb_name.h"

/** First byte of an IPv4 address key. */
#define FB_ADDR_V4 0x04
/** First byte of an IPv6 address key. */
#define FB_ADDR_V6 0x06
/** Second byte of the key of a prefix shorter than the group length. */
#define FB_ADDR_SHORT 0x00
/** Second byte of the key of a prefix at least the group length long. */
#define FB_ADDR_LONG 0x01
/** Group length of IPv4 prefixes, bits (a multiple of 8). */
#define FB_ADDR_GROUP4 16
/** Group length of IPv6 prefixes, bits (a multiple of 8). */
#define FB_ADDR_GROUP6 32
/** Length of an IPv4 address key: family, tier, 4 bytes, length byte. */
#define FB_ADDR_KEY4 7
/** Length of an IPv6 address key: family, tier, 16 bytes, length byte. */
#define FB_ADDR_KEY6 19
/** Room fb_addr_format() needs: an IPv6 text, "/128" and the NUL. */
#define FB_ADDR_TEXT_MAX 52

/**
 * Parse an address or prefix in presentation form into a key.
 * Hostile text: any bytes, bounded; no libc parser sees more than the
 * address part, and that NUL-terminated in a buffer of its own.
 * IPv4 is dotted decimal only (four parts, no leading zeros, as
 * inet_pton reads it); the length after '/' is decimal, no sign, no
 * leading zeros.  Surrounding blanks are not skipped.
 * @param text: the text; need not be NUL-terminated.
 * @param len: bytes in text.
 * @param key: out: the key (unchanged when refused).
 * @param why: out (may be NULL): why it was refused, a static text.
 * @return 1 ok, 0 refused.
 */
int fb_addr_parse(const char *text, size_t len, struct fb_key *key,
	const char **why);

/**
 * The same text as fb_addr_parse(), read into its parts and not masked,
 * for a caller that judges host bits itself (client-policy networks in
 * fraudblock.conf refuse them).
 * @param family: out: AF_INET or AF_INET6.
 * @param addr: out: 4 or 16 bytes, as written.
 * @param prefix: out: the length after '/', else the full length.
 * @return as fb_addr_parse() (the outputs are unchanged when refused).
 */
int fb_addr_parse_net(const char *text, size_t len, int *family,
	uint8_t addr[16], int *prefix, const char **why);

/**
 * Build the key of a prefix.
 * @param family: AF_INET or AF_INET6.
 * @param addr: 4 or 16 bytes in network order; bits past the prefix
 *	are masked off in the key.
 * @param prefix: 0..32 or 0..128 (clamped to the family's length).
 * @param key: out.  For another family, key->len is 0.
 */
void fb_addr_key(int family, const uint8_t *addr, int prefix,
	struct fb_key *key);

/**
 * Write an address key in presentation form: "192.0.2.0/24",
 * "2001:db8::/32", "192.0.2.1" (no "/N" at full length).  fb_addr_parse
 * reads it back to the same key.
 * @param key: the key bytes.
 * @param len: its length.
 * @param out: out: NUL-terminated text ("" on failure).
 * @param outlen: size of out; FB_ADDR_TEXT_MAX always fits.
 * @return 1 ok, 0 if key is not an address key or out is too small.
 */
int fb_addr_format(const uint8_t *key, size_t len, char *out,
	size_t outlen);

/**
 * Is this a well-formed address key (family byte, tier, prefix length in
 * the tier's range, the right length, no bit set past the prefix)?  A
 * key whose first byte is below '-' but that fails this is neither a
 * name nor an address: fraudblock-ctl verify reports it.
 * @return 1 if it is, else 0.
 */
int fb_key_is_addr(const uint8_t *key, size_t len);

/**
 * Read an address key back: the inverse of fb_addr_key().  No
 * allocation, no system call.
 * @param key: the key bytes (any: hostile bytes are refused).
 * @param len: its length.
 * @param family: out: AF_INET or AF_INET6.
 * @param addr: out: 16 bytes of room; the masked address, 4 or 16 bytes.
 * @param prefix: out: the prefix length.
 * @return 1 if key is a well-formed address key (fb_key_is_addr), else
 *	0 (the outputs then mean nothing).
 */
int fb_addr_unkey(const uint8_t *key, size_t len, int *family,
	uint8_t *addr, int *prefix);

/** Who wants to store an address entry, for fb_addr_refused(). */
#define FB_ADDR_FROM_FEED 0	/**< fraudblock-sync: the stricter rule */
#define FB_ADDR_FROM_ADMIN 1	/**< fraudblock-ctl block/allow */

/**
 * May this address entry be stored?  Feeds may not list prefixes
 * shorter than /16 (IPv4) or /32 (IPv6), nor anything overlapping
 * unspecified, loopback, IPv4-mapped, private, link-local, multicast or
 * reserved space (a sinkhole address or a local answer would then be
 * blocked); the admin may go down to /8 and /16 and list private space,
 * but not the unspecified, loopback and IPv4-mapped ranges.  The rule
 * is the same whatever the entry's action.  doc/feeds.md has the list.
 * @param key: an address key (fb_key_is_addr).
 * @param len: its length.
 * @param from: FB_ADDR_FROM_FEED or FB_ADDR_FROM_ADMIN.
 * @return NULL if it may, else why not (a static text).
 */
const char *fb_addr_refused(const uint8_t *key, size_t len, int from);

/**
 * An address of an answer as the module judges it: an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d in an AAAA record) is the IPv4 address a
 * dual-stack client connects to through it, so it is judged as that
 * (entries never hold mapped prefixes).  No allocation, no system call.
 * @param family: in/out: AF_INET or AF_INET6.
 * @param addr: in/out: 4 or 16 bytes; a mapped one then points at its
 *	last 4 bytes.
 */
void fb_addr_unmap(int *family, const uint8_t **addr);

#endif /* FB_ADDR_H */
