/**
 * \file
 * Structured DNS Error (draft-ietf-dnsop-structured-dns-error-22, "the
 * draft" below): the JSON object a block answer carries in its EDE
 * EXTRA-TEXT for a client that sent the SDE EDNS option, and the checks of
 * the sde-* settings it is made from.  doc/answers.md has the rules and
 * the choices made where the draft leaves room.
 *
 * The object is minified I-JSON (RFC 7493), members in the draft's
 * order (section 8):
 *	{"c":["URI",...],"j":"TEXT","s":N,"o":"TEXT","l":"TAG"}
 * c	sde-contact, when set (section 4; schemes of section 11.3 only)
 * j	the feed's sde-justification or the global one, {feed} and
 *	{category} replaced
 * s	the sub-error (section 11.4) when one applies to the EDE code
 * o	sde-organisation, when set
 * l	sde-language; present because j always is (section 4: REQUIRED
 *	with j or o)
 * The short form {"c":[...],"s":N} is for a UDP answer the full one would
 * not fit (section 5.2: j and o go first).
 *
 * Every string is escaped here, whatever its origin: '"' and '\' get a
 * backslash, control bytes and DEL become \uXXXX (\t \n \r \b \f their
 * short forms), valid UTF-8 is copied as is, and a byte that is not part
 * of valid UTF-8, a surrogate or a noncharacter becomes \ufffd.  So the
 * output is valid I-JSON even from a damaged store's feed names; the
 * operator's own texts are checked at load (fb_sde_text_ok) so that none
 * of them is altered silently.
 *
 * Pure functions on caller memory: no allocation, thread safe.
 */
#ifndef FB_SDE_H
#define FB_SDE_H

#include <stddef.h>
#include <stdint.h>
#include "fb_record.h"

struct fb_config;
struct fb_feed_conf;

/** Default SDE EDNS option code: the draft's code is still "TBD"
 * (section 11.1), so one of the codes RFC 6891 section 9 keeps for local
 * and experimental use (65001-65534) until IANA assigns it. */
#define FB_SDE_OPTION_DEFAULT 65001
/** Longest JSON object, bytes: any config must fit it with the longest
 * feed name (checked at load). */
#define FB_SDE_JSON_MAX 1024
/** Longest sde-organisation and sde-justification value, bytes. */
#define FB_SDE_TEXT_MAX 255
/** Most URIs in sde-contact, and the longest one, bytes. */
#define FB_SDE_CONTACTS_MAX 4
#define FB_SDE_URI_MAX 200
/** Longest sde-language tag (RFC 5646 section 4.4.1's minimum buffer). */
#define FB_SDE_LANG_MAX 35
/** The default justification. */
#define FB_SDE_JUSTIFICATION_DEFAULT "listed as fraudulent by {feed}"

/** Sub-error codes of the draft's registry (section 11.4, Table 3). */
#define FB_SDE_SUB_NONE 0	/**< "s" left out (0 is reserved) */
#define FB_SDE_SUB_MALWARE 1
#define FB_SDE_SUB_PHISHING 2
#define FB_SDE_SUB_SPAM 3
#define FB_SDE_SUB_SPYWARE 4
#define FB_SDE_SUB_NETWORK_POLICY 5
#define FB_SDE_SUB_DNS_POLICY 6
#define FB_SDE_SUB_MAX 6
/** fb_feed_conf.sde_sub_error when the feed does not say: the category's
 * default (fb_sde_sub_error) */
#define FB_SDE_SUB_DEFAULT (-1)

/**
 * A sub-error word of the config: none, malware, phishing, spam,
 * spyware, network-operator-policy, dns-operator-policy, or 1 to 6.
 * @return 1 and *sub set, or 0 if word is none of those.
 */
int fb_sde_sub_parse(const char *word, int *sub);

/**
 * Whether the draft allows sub-error sub with EDE code ede: 1-4 with
 * Blocked and Filtered, 5-6 with Blocked only, none with Censored
 * (sections 5.2 and 11.4).  FB_SDE_SUB_NONE always fits.
 */
int fb_sde_sub_applies(int sub, uint16_t ede);

/**
 * The sub-error an answer carries: the feed's sde-sub-error, else its
 * category's default (scam and phishing: Phishing, malware: Malware,
 * others: none), FB_SDE_SUB_NONE when it does not apply to ede.
 * @param f: the feed's clause, or NULL (a manual source, a feed no
 *	longer in the config).
 */
int fb_sde_sub_error(const struct fb_feed_conf *f, enum fb_category cat,
	uint16_t ede);

/**
 * Check one sde-contact URI (NUL-terminated): a scheme of the draft's Contact URI Schemes
 * registry (section 11.3: sips, tel, mailto; any case), then only RFC
 * 3986 URI characters with valid %-escapes, at most FB_SDE_URI_MAX bytes;
 * mailto and sips need an '@', tel a '+' and a digit (a global number)
 * or a ";phone-context=" (RFC 3966).
 * @return 1 if good.
 */
int fb_sde_contact_ok(const char *uri);

/** @return 1 if tag is a well-formed language tag as far as checked:
 * 1 to FB_SDE_LANG_MAX bytes of '-'-separated subtags of 1 to 8 letters
 * and digits, the first 2 to 8 letters or the singleton x or i. */
int fb_sde_language_ok(const char *tag);

/** @return 1 if s is valid UTF-8 with no surrogate or noncharacter
 * (RFC 7493 section 2.1), so that it is copied into the JSON as is. */
int fb_sde_text_ok(const char *s);

/**
 * Write the JSON object for one block.
 * @param buf: out: the object, NUL-terminated.
 * @param size: bytes at buf.
 * @param cfg: the sde-* settings (cfg->sde_contact_json, ...).
 * @param justification: the j template (the feed's or the global one).
 * @param feed: the blocking feed's name (any bytes: escaped).
 * @param cat: its category's name.
 * @param sub: the sub-error, FB_SDE_SUB_NONE to leave "s" out.
 * @param full: 1 for the full object, 0 for the short one (c and s).
 * @return its length; 0 if it does not fit in size, or for the short
 *	form when it would have neither c nor s (an object a client must
 *	discard, section 5.3 step 5).
 */
size_t fb_sde_json(char *buf, size_t size, const struct fb_config *cfg,
	const char *justification, const char *feed, const char *cat,
	int sub, int full);

#endif /* FB_SDE_H */
