/**
 * \file
 * Structured DNS Error JSON and the checks of its settings (see
 * fb_sde.h).
 */
#include <string.h>
#include <strings.h>
#include "fb_sde.h"
#include "fb_config.h"

/** Sub-error words, index = code (0: none). */
static const char *const sub_words[] = {
	"none", "malware", "phishing", "spam", "spyware",
	"network-operator-policy", "dns-operator-policy", NULL
};

int
fb_sde_sub_parse(const char *word, int *sub)
{
	int i;

	for(i = 0; sub_words[i]; i++)
		if(strcmp(word, sub_words[i]) == 0) {
			*sub = i;
			return 1;
		}
	if(word[0] >= '1' && word[0] <= '0' + FB_SDE_SUB_MAX && !word[1]) {
		*sub = word[0] - '0';
		return 1;
	}
	return 0;
}

int
fb_sde_sub_applies(int sub, uint16_t ede)
{
	if(sub == FB_SDE_SUB_NONE)
		return 1;
	if(sub < FB_SDE_SUB_NONE || sub > FB_SDE_SUB_MAX)
		return 0;
	if(ede == FB_EDE_BLOCKED)
		return 1;
	if(ede == FB_EDE_FILTERED)
		return sub <= FB_SDE_SUB_SPYWARE;
	return 0;	/* Censored, and any other code */
}

int
fb_sde_sub_error(const struct fb_feed_conf *f, enum fb_category cat,
	uint16_t ede)
{
	int sub;

	if(f && f->sde_sub_error != FB_SDE_SUB_DEFAULT)
		sub = f->sde_sub_error;
	else if(cat == FB_CATEGORY_SCAM || cat == FB_CATEGORY_PHISHING)
		/* the registry has no fraud code: Phishing is the closest
		 * (doc/answers.md) */
		sub = FB_SDE_SUB_PHISHING;
	else if(cat == FB_CATEGORY_MALWARE)
		sub = FB_SDE_SUB_MALWARE;
	else
		sub = FB_SDE_SUB_NONE;
	return fb_sde_sub_applies(sub, ede) ? sub : FB_SDE_SUB_NONE;
}

/** @return 1 if c may stand in a URI outside a %-escape (RFC 3986
 * unreserved and reserved characters). */
static int
uri_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || (c && strchr("-._~:/?#[]@!$&'()*+,;=",
		c) != NULL);
}

/** @return 1 if c is a hex digit. */
static int
hex_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

int
fb_sde_contact_ok(const char *uri)
{
	static const char *const schemes[] = { "sips", "tel", "mailto" };
	const char *rest = NULL;
	size_t i, n = 0, rlen, len = strlen(uri);

	if(len == 0 || len > FB_SDE_URI_MAX)
		return 0;
	for(i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if(len > n + 1 && uri[n] == ':' &&
			strncasecmp(uri, schemes[i], n) == 0) {
			rest = uri + n + 1;
			break;
		}
	}
	if(!rest)
		return 0;
	rlen = len - n - 1;
	for(i = 0; i < rlen; i++) {
		unsigned char c = (unsigned char)rest[i];
		if(c == '%') {
			if(i + 2 >= rlen || !hex_char(rest[i + 1]) ||
				!hex_char(rest[i + 2]))
				return 0;
			i += 2;
		} else if(!uri_char(c))
			return 0;
	}
	if(n == 3) {	/* tel: a global number, or a local one in context */
		size_t d = strcspn(rest, ";");
		if(rest[0] == '+' && strcspn(rest, "0123456789") < d)
			return 1;
		return strstr(rest, ";phone-context=") != NULL &&
			strcspn(rest, "0123456789") < d;
	}
	/* mailto and sips name a mailbox or user at a host */
	return strchr(rest, '@') != NULL;
}

/** @return 1 if c is an ASCII letter. */
static int
alpha_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
fb_sde_language_ok(const char *tag)
{
	size_t len = strlen(tag), i, start = 0;
	int first = 1;

	if(len == 0 || len > FB_SDE_LANG_MAX)
		return 0;
	for(i = 0; i <= len; i++) {
		size_t n, j;
		if(tag[i] && tag[i] != '-')
			continue;
		n = i - start;
		if(n < 1 || n > 8)
			return 0;
		for(j = start; j < i; j++)
			if(!alpha_char(tag[j]) && !(tag[j] >= '0' &&
				tag[j] <= '9'))
				return 0;
		if(first) {
			/* a language (2-8 letters), or private use / a
			 * grandfathered tag (x-..., i-...) */
			for(j = start; j < i; j++)
				if(!alpha_char(tag[j]))
					return 0;
			if(n == 1 && ((tag[start] | 0x20) != 'x' &&
				(tag[start] | 0x20) != 'i'))
				return 0;
			if(n == 1 && !tag[i])
				return 0;
			first = 0;
		}
		start = i + 1;
	}
	return 1;
}

/**
 * Decode one UTF-8 sequence.
 * @return its length (1-4) if it is valid and not a surrogate nor a
 *	noncharacter, else 0.
 */
static size_t
utf8_one(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if(s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if(s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if(n < len)
		return 0;
	for(i = 1; i < len; i++) {
		if((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	/* noncharacters (RFC 7493 section 2.1) */
	if((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return 0;
	return len;
}

int
fb_sde_text_ok(const char *s)
{
	size_t n = strlen(s), i = 0, k;

	while(i < n) {
		if(!(k = utf8_one((const unsigned char *)s + i, n - i)))
			return 0;
		i += k;
	}
	return 1;
}

/** Output buffer of the JSON writer. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	int over;	/**< 1 once something did not fit */
};

/** Append n bytes. */
static void
put(struct out *o, const char *s, size_t n)
{
	if(o->over || n >= o->size - o->len) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

/** Append a NUL-terminated string as is. */
static void
puts_raw(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/** Append n bytes of s escaped for the inside of a JSON string. */
static void
put_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while(i < n) {
		unsigned char c = u[i];
		char e[7];
		if(c == '"' || c == '\\') {
			e[0] = '\\';
			e[1] = (char)c;
			put(o, e, 2);
			i++;
		} else if(c < 0x20 || c == 0x7f) {
			const char *sh = c == '\t' ? "\\t" : c == '\n' ? "\\n" :
				c == '\r' ? "\\r" : c == '\b' ? "\\b" :
				c == '\f' ? "\\f" : NULL;
			if(sh)
				puts_raw(o, sh);
			else {
				memcpy(e, "\\u00", 4);
				e[4] = hex[c >> 4];
				e[5] = hex[c & 15];
				put(o, e, 6);
			}
			i++;
		} else if((k = utf8_one(u + i, n - i)) != 0) {
			put(o, s + i, k);
			i += k;
		} else {
			/* not I-JSON text: the replacement character */
			puts_raw(o, "\\ufffd");
			i++;
		}
	}
}

/** Append the j template with {feed} and {category} replaced. */
static void
put_justification(struct out *o, const char *tmpl, const char *feed,
	const char *cat)
{
	const char *p = tmpl, *b;

	while((b = strchr(p, '{')) != NULL) {
		put_escaped(o, p, (size_t)(b - p));
		if(strncmp(b, "{feed}", 6) == 0) {
			put_escaped(o, feed, strlen(feed));
			p = b + 6;
		} else if(strncmp(b, "{category}", 10) == 0) {
			put_escaped(o, cat, strlen(cat));
			p = b + 10;
		} else {
			put(o, "{", 1);
			p = b + 1;
		}
	}
	put_escaped(o, p, strlen(p));
}

size_t
fb_sde_json(char *buf, size_t size, const struct fb_config *cfg,
	const char *justification, const char *feed, const char *cat,
	int sub, int full)
{
	struct out o = { buf, size, 0, 0 };
	const char *sep = "";
	char num[8];

	if(size == 0)
		return 0;
	buf[0] = 0;
	if(!full && !cfg->sde_contact_json && sub == FB_SDE_SUB_NONE)
		return 0;
	put(&o, "{", 1);
	if(cfg->sde_contact_json) {
		puts_raw(&o, cfg->sde_contact_json);
		sep = ",";
	}
	if(full) {
		puts_raw(&o, sep);
		puts_raw(&o, "\"j\":\"");
		put_justification(&o, justification, feed, cat);
		put(&o, "\"", 1);
		sep = ",";
	}
	if(sub > FB_SDE_SUB_NONE && sub <= FB_SDE_SUB_MAX) {
		num[0] = (char)('0' + sub);
		num[1] = 0;
		puts_raw(&o, sep);
		puts_raw(&o, "\"s\":");
		puts_raw(&o, num);
	}
	if(full) {
		if(cfg->sde_organisation) {
			puts_raw(&o, ",\"o\":\"");
			put_escaped(&o, cfg->sde_organisation,
				strlen(cfg->sde_organisation));
			put(&o, "\"", 1);
		}
		/* j is always there, so l is REQUIRED (draft section 4) */
		puts_raw(&o, ",\"l\":\"");
		put_escaped(&o, cfg->sde_language, strlen(cfg->sde_language));
		put(&o, "\"", 1);
	}
	put(&o, "}", 1);
	if(o.over) {
		buf[0] = 0;
		return 0;
	}
	return o.len;
}
