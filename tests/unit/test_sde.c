/**
 * \file
 * Unit tests for lib/fb_sde.c: the Structured DNS Error object byte for
 * byte (escaping of hostile text, the short form, the size limit), the
 * sub-error rules of draft-ietf-dnsop-structured-dns-error-22 and the
 * checks of contact URIs, language tags and texts.  TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_config.h"
#include "fb_sde.h"
#include "tap.h"

/** A config with only the sde fields the object is made from. */
static void
conf(struct fb_config *cfg, const char *contact, const char *org,
	const char *lang)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sde = 1;
	cfg->sde_contact_json = (char *)contact;
	cfg->sde_organisation = (char *)org;
	snprintf(cfg->sde_language, sizeof(cfg->sde_language), "%s", lang);
}

/** The object: exact bytes for every member, in the draft's order. */
static void
test_json(void)
{
	struct fb_config cfg;
	char buf[FB_SDE_JSON_MAX + 1];
	size_t n;

	conf(&cfg, "\"c\":[\"mailto:abuse@example.net\",\"tel:+84-24-1\"]",
		"Acme DNS", "en");
	n = fb_sde_json(buf, sizeof(buf), &cfg, FB_SDE_JUSTIFICATION_DEFAULT,
		"fb-main", "scam", FB_SDE_SUB_PHISHING, 1);
	is_str(buf, "{\"c\":[\"mailto:abuse@example.net\",\"tel:+84-24-1\"],"
		"\"j\":\"listed as fraudulent by fb-main\",\"s\":2,"
		"\"o\":\"Acme DNS\",\"l\":\"en\"}", "full object, minified");
	is_int(n, strlen(buf), "length returned");
	n = fb_sde_json(buf, sizeof(buf), &cfg, FB_SDE_JUSTIFICATION_DEFAULT,
		"fb-main", "scam", FB_SDE_SUB_PHISHING, 0);
	is_str(buf, "{\"c\":[\"mailto:abuse@example.net\",\"tel:+84-24-1\"],"
		"\"s\":2}", "short object: c and s only");
	conf(&cfg, NULL, NULL, "vi");
	fb_sde_json(buf, sizeof(buf), &cfg, "{category} on {feed}; {x} {feed",
		"f", "phishing", FB_SDE_SUB_NONE, 1);
	is_str(buf, "{\"j\":\"phishing on f; {x} {feed\",\"l\":\"vi\"}",
		"no c, no s, no o; placeholders replaced, other braces kept");
	n = fb_sde_json(buf, sizeof(buf), &cfg, "x", "f", "scam",
		FB_SDE_SUB_NONE, 0);
	ok(n == 0 && buf[0] == 0, "short object with neither c nor s: none");
	n = fb_sde_json(buf, sizeof(buf), &cfg, "x", "f", "scam",
		FB_SDE_SUB_MALWARE, 0);
	is_str(buf, "{\"s\":1}", "short object with s alone");
}

/** Hostile text: every string is escaped, invalid UTF-8 replaced. */
static void
test_escape(void)
{
	struct fb_config cfg;
	char buf[FB_SDE_JSON_MAX + 1];

	conf(&cfg, NULL, "Q\"B\\S\tT\x01U\x7f\xc3\xa9\xe6\x97\xa5/", "en");
	fb_sde_json(buf, sizeof(buf), &cfg, "a\nb\r\b\f", "x\"\\\xff\xc3(",
		"scam", FB_SDE_SUB_NONE, 1);
	is_str(buf, "{\"j\":\"a\\nb\\r\\b\\f\",\"o\":\"Q\\\"B\\\\S\\tT"
		"\\u0001U\\u007f\xc3\xa9\xe6\x97\xa5/\",\"l\":\"en\"}",
		"organisation: quote, backslash, controls escaped; UTF-8 kept");
	fb_sde_json(buf, sizeof(buf), &cfg, "by {feed}", "x\"\\\xff\xc3(",
		"scam", FB_SDE_SUB_NONE, 1);
	ok(strstr(buf, "\"j\":\"by x\\\"\\\\\\ufffd\\ufffd(\"") != NULL,
		"feed name: quote and backslash escaped, broken UTF-8 becomes "
		"U+FFFD");
	fb_sde_json(buf, sizeof(buf), &cfg, "\xed\xa0\x80\xef\xbf\xbf"
		"\xf4\x90\x80\x80\xe0\x80\xaf", "f", "scam", FB_SDE_SUB_NONE, 1);
	ok(strncmp(buf, "{\"j\":\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
		"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\",", 85)
		== 0, "surrogate, noncharacter, over U+10FFFF, overlong: "
		"U+FFFD per byte");
}

/** The size limit: an object that does not fit is not made at all. */
static void
test_size(void)
{
	struct fb_config cfg;
	char buf[64];
	size_t n;

	conf(&cfg, NULL, NULL, "en");
	n = fb_sde_json(buf, sizeof(buf), &cfg, "x", "f", "scam",
		FB_SDE_SUB_NONE, 1);
	is_str(buf, "{\"j\":\"x\",\"l\":\"en\"}", "a small object");
	is_int(n, 18, "18 bytes");
	n = fb_sde_json(buf, 18, &cfg, "x", "f", "scam", FB_SDE_SUB_NONE, 1);
	ok(n == 0 && buf[0] == 0, "no room for its NUL: none, buffer empty");
	n = fb_sde_json(buf, 19, &cfg, "x", "f", "scam", FB_SDE_SUB_NONE, 1);
	is_int(n, 18, "exactly enough room");
}

/** Sub-errors: the registry's applicability and the category defaults. */
static void
test_sub(void)
{
	struct fb_feed_conf f;
	int s = -5;

	ok(fb_sde_sub_parse("phishing", &s) && s == 2, "word phishing: 2");
	ok(fb_sde_sub_parse("dns-operator-policy", &s) && s == 6,
		"word dns-operator-policy: 6");
	ok(fb_sde_sub_parse("none", &s) && s == 0, "none: 0");
	ok(fb_sde_sub_parse("4", &s) && s == 4, "number 4");
	ok(!fb_sde_sub_parse("0", &s) && !fb_sde_sub_parse("7", &s) &&
		!fb_sde_sub_parse("fraud", &s) && !fb_sde_sub_parse("12", &s),
		"0 (reserved), 7, fraud, 12 refused");
	ok(fb_sde_sub_applies(1, 15) && fb_sde_sub_applies(4, 17) &&
		fb_sde_sub_applies(6, 15), "malware with blocked, spyware "
		"with filtered, dns policy with blocked");
	ok(!fb_sde_sub_applies(5, 17) && !fb_sde_sub_applies(6, 17),
		"operator policies not with filtered");
	ok(!fb_sde_sub_applies(1, 16) && !fb_sde_sub_applies(2, 16) &&
		fb_sde_sub_applies(0, 16), "nothing but none with censored");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_SCAM, 15), 2,
		"scam: Phishing (closest of the registry)");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_PHISHING, 17), 2,
		"phishing with filtered: Phishing");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_MALWARE, 15), 1,
		"malware: Malware");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_OTHER, 15), 0,
		"other: none");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_UNSPECIFIED, 15), 0,
		"unspecified: none");
	is_int(fb_sde_sub_error(NULL, FB_CATEGORY_SCAM, 16), 0,
		"censored: none, whatever the category");
	memset(&f, 0, sizeof(f));
	f.sde_sub_error = FB_SDE_SUB_SPAM;
	is_int(fb_sde_sub_error(&f, FB_CATEGORY_SCAM, 15), 3,
		"the feed's sub-error beats the category's");
	f.sde_sub_error = FB_SDE_SUB_NONE;
	is_int(fb_sde_sub_error(&f, FB_CATEGORY_SCAM, 15), 0,
		"a feed may say none");
	f.sde_sub_error = FB_SDE_SUB_DEFAULT;
	is_int(fb_sde_sub_error(&f, FB_CATEGORY_MALWARE, 17), 1,
		"feed default: the category's");
}

/** Contact URIs, language tags and texts. */
static void
test_checks(void)
{
	char big[FB_SDE_URI_MAX + 8];

	ok(fb_sde_contact_ok("mailto:abuse@example.net"), "mailto");
	ok(fb_sde_contact_ok("MailTo:abuse@example.net?subject=FP%20report"),
		"mailto, any case, with a %-escaped header");
	ok(fb_sde_contact_ok("tel:+84-24-3555-0100"), "tel global number");
	ok(fb_sde_contact_ok("tel:5550100;phone-context=+84-24"),
		"tel local number with phone-context");
	ok(fb_sde_contact_ok("sips:desk@voice.example.net"), "sips");
	ok(!fb_sde_contact_ok("sip:desk@voice.example.net"),
		"sip (not sips) refused: not in the registry");
	ok(!fb_sde_contact_ok("https://example.net/fp"), "https refused");
	ok(!fb_sde_contact_ok("mailto:"), "empty mailto refused");
	ok(!fb_sde_contact_ok("tel:+"), "tel without a digit refused");
	ok(!fb_sde_contact_ok("tel:5550100"), "local tel without context "
		"refused");
	ok(!fb_sde_contact_ok("mailto:a b@example.net") &&
		!fb_sde_contact_ok("mailto:a\\b@example.net") &&
		!fb_sde_contact_ok("mailto:a\xc3\xa9@example.net"),
		"blank, backslash, raw UTF-8 refused");
	ok(!fb_sde_contact_ok("mailto:a@example.net%") &&
		!fb_sde_contact_ok("mailto:a@example.net%2"),
		"cut %-escapes refused");
	memcpy(big, "mailto:a@", 9);
	memset(big + 9, 'b', FB_SDE_URI_MAX - 9);
	big[FB_SDE_URI_MAX] = 0;
	ok(fb_sde_contact_ok(big), "a 200-byte URI");
	big[FB_SDE_URI_MAX] = 'b';
	big[FB_SDE_URI_MAX + 1] = 0;
	ok(!fb_sde_contact_ok(big), "a 201-byte URI refused");
	ok(fb_sde_language_ok("en") && fb_sde_language_ok("vi") &&
		fb_sde_language_ok("zh-Hant-TW") &&
		fb_sde_language_ok("x-fraud") && fb_sde_language_ok("es-419"),
		"language tags");
	ok(!fb_sde_language_ok("") && !fb_sde_language_ok("e") &&
		!fb_sde_language_ok("en-") && !fb_sde_language_ok("en--us") &&
		!fb_sde_language_ok("x") && !fb_sde_language_ok("en_US") &&
		!fb_sde_language_ok("123"), "bad language tags refused");
	ok(fb_sde_text_ok("Ng\xc3\xa2n h\xc3\xa0ng \xf0\x9f\x9b\xa1 \"x\""),
		"UTF-8 text with an emoji and quotes");
	ok(!fb_sde_text_ok("\xc0\xaf") && !fb_sde_text_ok("\xc3") &&
		!fb_sde_text_ok("\xef\xb7\x90") && !fb_sde_text_ok("\x80"),
		"overlong, cut, noncharacter U+FDD0, stray continuation "
		"refused");
}

int
main(void)
{
	test_json();
	test_escape();
	test_size();
	test_sub();
	test_checks();
	return done_testing();
}
