/**
 * \file
 * A strict JSON validator (RFC 8259) for the query log's tests: the
 * harness tests/fuzz/fuzz_qlog.c and tests/unit/test_qlog.c check with it
 * that every record is one valid JSON text.  Small on purpose: objects,
 * arrays, strings with every escape, numbers, true, false, null; nesting
 * bounded.  Static functions only: include it in one file per program.
 */
#ifndef FB_JSON_CHECK_H
#define FB_JSON_CHECK_H

#include <stddef.h>
#include <string.h>

/** Deepest nesting accepted. */
#define JC_DEPTH 32

/** Skip white space. */
static const char *jc_ws(const char *p, const char *e)
{
	while(p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int jc_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		(c >= 'A' && c <= 'F');
}

/** A string at p ('"').  @return past it, or NULL. */
static const char *jc_string(const char *p, const char *e)
{
	if(p >= e || *p++ != '"')
		return NULL;
	while(p < e) {
		unsigned char c = (unsigned char)*p++;
		if(c == '"')
			return p;
		if(c < 0x20)
			return NULL;
		if(c == '\\') {
			if(p >= e)
				return NULL;
			c = (unsigned char)*p++;
			if(c == 'u') {
				int i;
				for(i = 0; i < 4; i++)
					if(p >= e || !jc_hex(*p++))
						return NULL;
			} else if(!strchr("\"\\/bfnrt", c) || c == 0)
				return NULL;
		}
	}
	return NULL;
}

static const char *jc_digits(const char *p, const char *e)
{
	const char *s = p;
	while(p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const char *jc_number(const char *p, const char *e)
{
	if(p < e && *p == '-')
		p++;
	if(p < e && *p == '0')
		p++;
	else if(!(p = jc_digits(p, e)))
		return NULL;
	if(p < e && *p == '.' && !(p = jc_digits(p + 1, e)))
		return NULL;
	if(p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if(p < e && (*p == '+' || *p == '-'))
			p++;
		if(!(p = jc_digits(p, e)))
			return NULL;
	}
	return p;
}

static const char *jc_value(const char *p, const char *e, int depth);

/** An object or array at p.  @return past it, or NULL. */
static const char *jc_container(const char *p, const char *e, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int obj = *p == '{';
	if(depth >= JC_DEPTH)
		return NULL;
	p = jc_ws(p + 1, e);
	if(p < e && *p == close)
		return p + 1;
	for(;;) {
		if(obj) {
			if(!(p = jc_string(p, e)))
				return NULL;
			p = jc_ws(p, e);
			if(p >= e || *p++ != ':')
				return NULL;
		}
		if(!(p = jc_value(p, e, depth + 1)))
			return NULL;
		p = jc_ws(p, e);
		if(p < e && *p == ',') {
			p = jc_ws(p + 1, e);
			continue;
		}
		if(p < e && *p == close)
			return p + 1;
		return NULL;
	}
}

static const char *jc_value(const char *p, const char *e, int depth)
{
	p = jc_ws(p, e);
	if(p >= e)
		return NULL;
	if(*p == '{' || *p == '[')
		return jc_container(p, e, depth);
	if(*p == '"')
		return jc_string(p, e);
	if((size_t)(e - p) >= 4 && memcmp(p, "null", 4) == 0)
		return p + 4;
	if((size_t)(e - p) >= 4 && memcmp(p, "true", 4) == 0)
		return p + 4;
	if((size_t)(e - p) >= 5 && memcmp(p, "false", 5) == 0)
		return p + 5;
	return jc_number(p, e);
}

/** @return 1 if s[0..len) is exactly one JSON value (white space
 * around it allowed). */
static int json_valid(const char *s, size_t len)
{
	const char *e = s + len, *p = jc_value(s, e, 0);
	return p && jc_ws(p, e) == e;
}

#endif /* FB_JSON_CHECK_H */
