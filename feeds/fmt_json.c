/**
 * \file
 * The json format: a JSON document (RFC 8259) whose top level is an
 * array, as Chống Lừa Đảo's blacklist-2021.json.
 *
 * - Each element of the array is one entry: a string is a URL; an object
 *   gives the string value of its member named by the feed's `field:`
 *   ("url" when not set; the first such member counts) as the URL.  URLs
 *   are read as urls lines (fb_fmt_url(), see fmt_urls.c): zero-width
 *   characters removed, host kept, IP literals are addresses, paths
 *   flagged.
 * - An element of another type (number, true, false, null, array), an
 *   object without the member or with a non-string one, and a string
 *   over FB_PARSE_LINE_MAX bytes once decoded are refused (invalid);
 *   the other elements still count.
 * - The document itself is read strictly, and anything wrong in it
 *   refuses the whole feed (FB_PARSE_MALFORMED, with the byte offset):
 *   a top level that is not one array, text after it, a missing or
 *   extra ',' or ':', an object key that is not a string, a control
 *   byte or an invalid escape in a string, a \u escape naming half a
 *   surrogate pair, invalid UTF-8 (overlong forms, surrogates, above
 *   U+10FFFF), a number outside the JSON grammar, a misspelt literal,
 *   nesting deeper than JSON_DEPTH_MAX, or the end of the data inside a
 *   value.  White space is space, tab, CR and LF; a UTF-8 byte order
 *   mark at the start is skipped.
 * stats.lines counts the array's elements; the line of an entry or a
 *   report is the 1-based index of its element.
 */
#include <stdlib.h>
#include <string.h>
#include "fmt.h"

/** Deepest nesting of arrays and objects accepted. */
#define JSON_DEPTH_MAX 64
/** Longest object key compared with the field name; longer ones are
 * still read, but cannot match. */
#define JSON_KEY_MAX 256

/** A decoded string. */
struct jstr {
	char *buf;	/**< NULL: decode nothing, only check */
	size_t cap;
	size_t len;
	int over;	/**< 1 if it did not fit */
};

/** Tokenizer state. */
struct json {
	struct fb_fmt_ctx *c;
	const char *buf, *p, *end;
	int depth;
};

/** Record a broken document.  @return 0. */
static int
jfail(struct json *j, const char *what)
{
	fb_fmt_malformed(j->c, (size_t)(j->p - j->buf), "%s", what);
	return 0;
}

static void
jws(struct json *j)
{
	while(j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
		*j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void
jput(struct jstr *s, unsigned char ch)
{
	if(!s->buf)
		return;
	if(s->len < s->cap)
		s->buf[s->len++] = (char)ch;
	else
		s->over = 1;
}

/** Append a code point as UTF-8. */
static void
jput_cp(struct jstr *s, unsigned long cp)
{
	if(cp < 0x80)
		jput(s, (unsigned char)cp);
	else if(cp < 0x800) {
		jput(s, (unsigned char)(0xc0 | (cp >> 6)));
		jput(s, (unsigned char)(0x80 | (cp & 0x3f)));
	} else if(cp < 0x10000) {
		jput(s, (unsigned char)(0xe0 | (cp >> 12)));
		jput(s, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		jput(s, (unsigned char)(0x80 | (cp & 0x3f)));
	} else {
		jput(s, (unsigned char)(0xf0 | (cp >> 18)));
		jput(s, (unsigned char)(0x80 | ((cp >> 12) & 0x3f)));
		jput(s, (unsigned char)(0x80 | ((cp >> 6) & 0x3f)));
		jput(s, (unsigned char)(0x80 | (cp & 0x3f)));
	}
}

/**
 * Length of the valid UTF-8 sequence at p (first byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if(p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if(p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if(p[0] == 0xe0)
			lo = 0xa0;
		else if(p[0] == 0xed)
			hi = 0x9f;
	} else if(p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if(p[0] == 0xf0)
			lo = 0x90;
		else if(p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for(i = 2; i < n; i++)
		if(p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/** Four hex digits at p into *u.  @return 1, or 0 if they are not. */
static int
jhex4(struct json *j, unsigned long *u)
{
	int i;
	char ch;

	if(j->end - j->p < 4)
		return 0;
	*u = 0;
	for(i = 0; i < 4; i++) {
		ch = j->p[i];
		*u <<= 4;
		if(ch >= '0' && ch <= '9')
			*u |= (unsigned long)(ch - '0');
		else if(ch >= 'a' && ch <= 'f')
			*u |= (unsigned long)(ch - 'a' + 10);
		else if(ch >= 'A' && ch <= 'F')
			*u |= (unsigned long)(ch - 'A' + 10);
		else
			return 0;
	}
	j->p += 4;
	return 1;
}

/** A \u escape (p just past the 'u'), surrogate pairs joined. */
static int
jescape_u(struct json *j, struct jstr *s)
{
	unsigned long hi, lo;

	if(!jhex4(j, &hi))
		return jfail(j, "bad \\u escape");
	if(hi >= 0xdc00 && hi <= 0xdfff)
		return jfail(j, "\\u escape of a lone low surrogate");
	if(hi >= 0xd800 && hi <= 0xdbff) {
		if(j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return jfail(j, "high surrogate without a low one");
		j->p += 2;
		if(!jhex4(j, &lo))
			return jfail(j, "bad \\u escape");
		if(lo < 0xdc00 || lo > 0xdfff)
			return jfail(j, "high surrogate without a low one");
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	jput_cp(s, hi);
	return 1;
}

/** A string (p at its '"'), decoded into s.  @return 1, 0 if broken. */
static int
jstring(struct json *j, struct jstr *s)
{
	const unsigned char *u;
	size_t n;

	s->len = 0;
	s->over = 0;
	j->p++;
	for(;;) {
		if(j->p >= j->end)
			return jfail(j, "end of data inside a string");
		u = (const unsigned char *)j->p;
		if(*u == '"') {
			j->p++;
			return 1;
		}
		if(*u < 0x20)
			return jfail(j, "control byte in a string");
		if(*u >= 0x80) {
			n = utf8_len(u, (const unsigned char *)j->end);
			if(n == 0)
				return jfail(j, "invalid UTF-8 in a string");
			while(n--)
				jput(s, *u++);
			j->p = (const char *)u;
			continue;
		}
		if(*u != '\\') {
			jput(s, *u);
			j->p++;
			continue;
		}
		if(j->end - j->p < 2) {
			j->p++;
			return jfail(j, "end of data inside a string");
		}
		j->p += 2;
		switch(u[1]) {
		case '"': jput(s, '"'); break;
		case '\\': jput(s, '\\'); break;
		case '/': jput(s, '/'); break;
		case 'b': jput(s, '\b'); break;
		case 'f': jput(s, '\f'); break;
		case 'n': jput(s, '\n'); break;
		case 'r': jput(s, '\r'); break;
		case 't': jput(s, '\t'); break;
		case 'u':
			if(!jescape_u(j, s))
				return 0;
			break;
		default:
			j->p--;
			return jfail(j, "invalid escape in a string");
		}
	}
}

/** @return 1 if p is at a digit. */
static int
jdigit(const struct json *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

/** A number, to the JSON grammar. */
static int
jnumber(struct json *j)
{
	if(j->p < j->end && *j->p == '-')
		j->p++;
	if(!jdigit(j))
		return jfail(j, "bad number");
	if(*j->p == '0')
		j->p++;
	else
		while(jdigit(j))
			j->p++;
	if(j->p < j->end && *j->p == '.') {
		j->p++;
		if(!jdigit(j))
			return jfail(j, "bad number");
		while(jdigit(j))
			j->p++;
	}
	if(j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if(j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if(!jdigit(j))
			return jfail(j, "bad number");
		while(jdigit(j))
			j->p++;
	}
	/* "01", "1x": the next byte must end the number */
	if(jdigit(j))
		return jfail(j, "bad number");
	return 1;
}

/** true, false or null. */
static int
jliteral(struct json *j)
{
	static const char *const lits[] = { "true", "false", "null" };
	size_t i, n;

	for(i = 0; i < 3; i++) {
		n = strlen(lits[i]);
		if((size_t)(j->end - j->p) >= n &&
			memcmp(j->p, lits[i], n) == 0) {
			j->p += n;
			return 1;
		}
	}
	return jfail(j, "unexpected byte, not a JSON value");
}

static int jvalue(struct json *j);

/** Enter an array or object.  @return 0 if too deep. */
static int
jenter(struct json *j)
{
	if(++j->depth > JSON_DEPTH_MAX)
		return jfail(j, "nesting too deep");
	j->p++;
	jws(j);
	return 1;
}

/**
 * After a member or element: a ',' (skipped, with the white space after
 * it) or the closing byte.
 * @return 1 for another member, 2 when closed (the close byte skipped),
 *	0 on anything else (recorded with what).
 */
static int
jnext(struct json *j, char close, const char *what)
{
	jws(j);
	if(j->p < j->end && *j->p == ',') {
		j->p++;
		jws(j);
		return 1;
	}
	if(j->p < j->end && *j->p == close) {
		j->p++;
		return 2;
	}
	return jfail(j, what);
}

/**
 * The members of an object (p at '{').  With want set, the string value
 * of the first member named want goes into val (*found 1), or *found is
 * -1 if that member is not a string.
 */
static int
jobject(struct json *j, const char *want, struct jstr *val, int *found)
{
	char kbuf[JSON_KEY_MAX];
	struct jstr key;
	int match;

	if(!jenter(j))
		return 0;
	if(j->p < j->end && *j->p == '}') {
		j->p++;
		j->depth--;
		return 1;
	}
	for(;;) {
		if(j->p >= j->end || *j->p != '"')
			return jfail(j, "expected a string as object key");
		key.buf = want ? kbuf : NULL;
		key.cap = sizeof(kbuf);
		if(!jstring(j, &key))
			return 0;
		match = want && *found == 0 && !key.over &&
			key.len == strlen(want) &&
			memcmp(kbuf, want, key.len) == 0;
		jws(j);
		if(j->p >= j->end || *j->p != ':')
			return jfail(j, "expected ':' after object key");
		j->p++;
		jws(j);
		if(match && j->p < j->end && *j->p == '"') {
			if(!jstring(j, val))
				return 0;
			*found = 1;
		} else {
			if(match)
				*found = -1;
			if(!jvalue(j))
				return 0;
		}
		switch(jnext(j, '}', "expected ',' or '}' in object")) {
		case 1:
			continue;
		case 2:
			j->depth--;
			return 1;
		default:
			return 0;
		}
	}
}

/** The elements of a nested array (p at '['). */
static int
jarray(struct json *j)
{
	if(!jenter(j))
		return 0;
	if(j->p < j->end && *j->p == ']') {
		j->p++;
		j->depth--;
		return 1;
	}
	for(;;) {
		if(!jvalue(j))
			return 0;
		switch(jnext(j, ']', "expected ',' or ']' in array")) {
		case 1:
			continue;
		case 2:
			j->depth--;
			return 1;
		default:
			return 0;
		}
	}
}

/** Any value, checked and skipped. */
static int
jvalue(struct json *j)
{
	struct jstr none;
	int found = 0;

	if(j->p >= j->end)
		return jfail(j, "end of data where a value belongs");
	switch(*j->p) {
	case '{':
		return jobject(j, NULL, NULL, &found);
	case '[':
		return jarray(j);
	case '"':
		memset(&none, 0, sizeof(none));
		return jstring(j, &none);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return jnumber(j);
	default:
		return jliteral(j);
	}
}

/**
 * One element of the top array.
 * @return FB_PARSE_OK, FB_PARSE_NOMEM or FB_PARSE_MALFORMED.
 */
static enum fb_parse_status
jelement(struct json *j, struct jstr *url)
{
	struct fb_fmt_ctx *c = j->c;
	const char *start = j->p;
	const char *field = c->o->field ? c->o->field : "url";
	int found = 0;

	c->st->lines++;
	c->lineno++;
	if(j->p < j->end && *j->p == '"') {
		if(!jstring(j, url))
			return FB_PARSE_MALFORMED;
		found = 1;
	} else if(j->p < j->end && *j->p == '{') {
		if(!jobject(j, field, url, &found))
			return FB_PARSE_MALFORMED;
	} else {
		if(!jvalue(j))
			return FB_PARSE_MALFORMED;
		fb_fmt_refuse(c, "element is not a string or an object",
			start, (size_t)(j->p - start));
		return FB_PARSE_OK;
	}
	if(found == 0)
		fb_fmt_refuse(c, "object without the URL member", start,
			(size_t)(j->p - start));
	else if(found < 0)
		fb_fmt_refuse(c, "URL member is not a string", start,
			(size_t)(j->p - start));
	else if(url->over)
		fb_fmt_refuse(c, "URL too long", start,
			(size_t)(j->p - start));
	else if(!fb_fmt_url(c, url->buf, url->len))
		return FB_PARSE_NOMEM;
	return FB_PARSE_OK;
}

/** The top-level array. */
static enum fb_parse_status
jtop(struct json *j, struct jstr *url)
{
	enum fb_parse_status r;
	int n;

	jws(j);
	if(j->p >= j->end)
		return fb_fmt_malformed(j->c, (size_t)(j->p - j->buf),
			"no JSON value");
	if(*j->p != '[')
		return fb_fmt_malformed(j->c, (size_t)(j->p - j->buf),
			"the top level is not an array");
	if(!jenter(j))
		return FB_PARSE_MALFORMED;
	if(j->p < j->end && *j->p == ']')
		j->p++;
	else for(;;) {
		if((r = jelement(j, url)) != FB_PARSE_OK)
			return r;
		n = jnext(j, ']', "expected ',' or ']' in the top array");
		if(n == 0)
			return FB_PARSE_MALFORMED;
		if(n == 2)
			break;
	}
	jws(j);
	if(j->p != j->end)
		return fb_fmt_malformed(j->c, (size_t)(j->p - j->buf),
			"text after the top array");
	return FB_PARSE_OK;
}

enum fb_parse_status
fb_fmt_json(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	struct json j;
	struct jstr url;
	enum fb_parse_status r;

	memset(&j, 0, sizeof(j));
	j.c = c;
	j.buf = j.p = buf;
	j.end = buf + len;
	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		j.p += 3;
	memset(&url, 0, sizeof(url));
	url.cap = FB_PARSE_LINE_MAX;
	if(!(url.buf = malloc(url.cap)))
		return FB_PARSE_NOMEM;
	r = jtop(&j, &url);
	free(url.buf);
	return r;
}
