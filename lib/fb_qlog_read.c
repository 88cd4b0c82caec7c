/**
 * \file
 * Reading the query log back: the line splitter and the record parser of
 * fb_qlog_read.h.  The parser is a small JSON reader of its own (no JSON
 * library is a dependency) that decodes strings in place, so a record
 * costs no allocation: a 1 GB log is read at the speed of memchr and one
 * pass over each line.
 */
#include <stdlib.h>
#include <string.h>
#include "fb_qlog_read.h"

/** Deepest nesting skipped inside a member a later version adds. */
#define PARSE_DEPTH 16

const char *
fb_qlog_bad_str(enum fb_qlog_bad why)
{
	switch(why) {
	case FB_QLOG_GOOD: return "a record";
	case FB_QLOG_BAD_JSON: return "not a JSON object";
	case FB_QLOG_BAD_VERSION: return "not schema version 1";
	case FB_QLOG_BAD_MISSING: return "a member is missing";
	case FB_QLOG_BAD_VALUE: return "a member has a wrong type or value";
	case FB_QLOG_BAD_DUPLICATE: return "a member is given twice";
	case FB_QLOG_BAD_LONG: return "line too long";
	case FB_QLOG_BAD_EMPTY: return "empty line";
	}
	return "unknown";
}

/* ---- times ------------------------------------------------------------ */

/** Read n decimal digits at s.  @return 1 with the value, or 0. */
static int
num(const char *s, int n, int *out)
{
	int v = 0, i;

	for(i = 0; i < n; i++) {
		if(s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (y >= 1970: no negative division). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/** @return 1 if "YYYY-MM-DD" at s (10 bytes) is a date; its day number. */
static int
date10(const char *s, int64_t *days)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int y, m, d;

	if(!num(s, 4, &y) || s[4] != '-' || !num(s + 5, 2, &m) ||
		s[7] != '-' || !num(s + 8, 2, &d))
		return 0;
	if(y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
		y % 400 == 0)))
		return 0;
	*days = days_from_civil(y, m, d);
	return 1;
}

int
fb_qlog_date_parse(const char *s, size_t len, int64_t *ms)
{
	int64_t days;

	if(len != 10 || !date10(s, &days))
		return 0;
	*ms = days * 86400000LL;
	return 1;
}

int
fb_qlog_time_parse(const char *s, size_t len, int64_t *ms)
{
	int64_t days, frac = 0, off = 0;
	int h, mi, sec, oh, om, nd = 0;
	size_t i = 19;

	if(len < 20 || !date10(s, &days) || (s[10] != 'T' && s[10] != 't' &&
		s[10] != ' ') || !num(s + 11, 2, &h) || s[13] != ':' ||
		!num(s + 14, 2, &mi) || s[16] != ':' || !num(s + 17, 2, &sec) ||
		h > 23 || mi > 59 || sec > 60)
		return 0;
	if(s[i] == '.') {
		/* milliseconds: the first three digits, the rest checked */
		for(i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++)
			if(nd < 3)
				frac = frac * 10 + (s[i] - '0');
		if(nd == 0 || nd > 9)
			return 0;
		for(; nd < 3; nd++)
			frac *= 10;
	}
	if(i + 1 == len && (s[i] == 'Z' || s[i] == 'z'))
		off = 0;
	else if(i + 6 == len && (s[i] == '+' || s[i] == '-') &&
		num(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		num(s + i + 4, 2, &om) && oh <= 23 && om <= 59)
		off = (s[i] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
	else
		return 0;
	*ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + frac;
	return 1;
}

/* ---- JSON ------------------------------------------------------------- */

/** Where the parser is in a line. */
struct ps {
	char *p;	/**< the next byte */
	char *e;	/**< one past the line's last byte */
};

/** The kinds of JSON value. */
enum jt { JT_BAD = 0, JT_STR, JT_NUM, JT_TRUE, JT_FALSE, JT_NULL, JT_NEST };

/** One value as parsed. */
struct jv {
	enum jt t;	/**< its kind; JT_BAD: not JSON */
	char *s;	/**< JT_STR: decoded, NUL-terminated */
	uint64_t u;	/**< JT_NUM: the value when is_uint */
	int is_uint;	/**< JT_NUM: a plain integer >= 0 that fits */
};

/** Skip JSON white space. */
static void
ws(struct ps *ps)
{
	while(ps->p < ps->e && (*ps->p == ' ' || *ps->p == '\t' ||
		*ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/** Four hex digits at p.  @return the value, or -1. */
static long
hex4(const char *p)
{
	long v = 0;
	int i;

	for(i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if(c >= '0' && c <= '9')
			v |= c - '0';
		else if(c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if(c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/** Write code point cp as UTF-8 at w.  @return past it. */
static char *
put_utf8(char *w, long cp)
{
	if(cp < 0x800) {
		*w++ = (char)(0xc0 | (cp >> 6));
	} else if(cp < 0x10000) {
		*w++ = (char)(0xe0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
	} else {
		*w++ = (char)(0xf0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
	}
	*w++ = (char)(0x80 | (cp & 0x3f));
	return w;
}

/**
 * Decode the string at ps->p ('"') in place: the decoded bytes start at
 * its first byte and are never longer than the text they come from, so
 * the write never passes the read.
 * @return the decoded string, NUL-terminated, or NULL if malformed.
 */
static char *
str(struct ps *ps)
{
	char *r = ps->p + 1, *w, *start = r;
	long cp, lo;

	/* most strings have no escape: find their end without copying */
	while(r < ps->e && *r != '"' && *r != '\\' &&
		(unsigned char)*r >= 0x20)
		r++;
	w = r;
	while(r < ps->e) {
		unsigned char c = (unsigned char)*r++;
		if(c == '"') {
			*w = 0;
			ps->p = r;
			return start;
		}
		if(c < 0x20)
			return NULL;
		if(c != '\\') {
			*w++ = (char)c;
			continue;
		}
		if(r >= ps->e)
			return NULL;
		switch(*r++) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u':
			if(ps->e - r < 4 || (cp = hex4(r)) <= 0)
				return NULL;	/* \u0000 too: no NUL inside */
			r += 4;
			if(cp < 0x100) {
				/* the module's \u00XX is byte XX */
				*w++ = (char)cp;
				break;
			}
			if(cp >= 0xdc00 && cp <= 0xdfff)
				return NULL;
			if(cp >= 0xd800 && cp <= 0xdbff) {
				if(ps->e - r < 6 || r[0] != '\\' ||
					r[1] != 'u' || (lo = hex4(r + 2)) <
					0xdc00 || lo > 0xdfff)
					return NULL;
				r += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
					(lo - 0xdc00);
			}
			w = put_utf8(w, cp);
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

/** A number at ps->p, RFC 8259's grammar; v->u set for plain integers.
 * @return 1, or 0 if malformed. */
static int
number(struct ps *ps, struct jv *v)
{
	char *p = ps->p, *e = ps->e;
	uint64_t u = 0;
	int ok_uint = 1;

	if(p < e && *p == '-') {
		ok_uint = 0;
		p++;
	}
	if(p >= e || *p < '0' || *p > '9')
		return 0;
	if(*p == '0')
		p++;
	else {
		for(; p < e && *p >= '0' && *p <= '9'; p++) {
			unsigned d = (unsigned)(*p - '0');
			if(u > (UINT64_MAX - d) / 10)
				ok_uint = 0;
			else
				u = u * 10 + d;
		}
	}
	if(p < e && *p == '.') {
		ok_uint = 0;
		if(++p >= e || *p < '0' || *p > '9')
			return 0;
		while(p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if(p < e && (*p == 'e' || *p == 'E')) {
		ok_uint = 0;
		p++;
		if(p < e && (*p == '+' || *p == '-'))
			p++;
		if(p >= e || *p < '0' || *p > '9')
			return 0;
		while(p < e && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;
	v->t = JT_NUM;
	v->u = u;
	v->is_uint = ok_uint;
	return 1;
}

/** @return 1 after the literal word at ps->p, else 0. */
static int
word(struct ps *ps, const char *w, size_t n)
{
	if((size_t)(ps->e - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

static int value(struct ps *ps, struct jv *v, int depth);

/** An object or array at ps->p, checked and skipped. */
static int
nested(struct ps *ps, int depth)
{
	char close = *ps->p == '{' ? '}' : ']';
	struct jv v;

	if(depth >= PARSE_DEPTH)
		return 0;
	ps->p++;
	ws(ps);
	if(ps->p < ps->e && *ps->p == close) {
		ps->p++;
		return 1;
	}
	for(;;) {
		if(close == '}') {
			if(ps->p >= ps->e || *ps->p != '"' || !str(ps))
				return 0;
			ws(ps);
			if(ps->p >= ps->e || *ps->p++ != ':')
				return 0;
			ws(ps);
		}
		if(!value(ps, &v, depth + 1))
			return 0;
		ws(ps);
		if(ps->p >= ps->e)
			return 0;
		if(*ps->p == close) {
			ps->p++;
			return 1;
		}
		if(*ps->p++ != ',')
			return 0;
		ws(ps);
	}
}

/** Any value at ps->p.  @return 1, or 0 if malformed. */
static int
value(struct ps *ps, struct jv *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if(ps->p >= ps->e)
		return 0;
	switch(*ps->p) {
	case '"':
		v->t = JT_STR;
		return (v->s = str(ps)) != NULL;
	case '{':
	case '[':
		v->t = JT_NEST;
		return nested(ps, depth);
	case 't':
		v->t = JT_TRUE;
		return word(ps, "true", 4);
	case 'f':
		v->t = JT_FALSE;
		return word(ps, "false", 5);
	case 'n':
		v->t = JT_NULL;
		return word(ps, "null", 4);
	}
	return number(ps, v);
}

/* ---- records ---------------------------------------------------------- */

/** The members of version 1, in the order the module writes them. */
enum member {
	M_V, M_TS, M_EVENT, M_CLIENT, M_KEY, M_QNAME, M_QTYPE, M_QCLASS,
	M_MATCHED, M_FEED, M_CATEGORY, M_ACTION, M_EDE, M_GENERATION,
	M_THREAD, M_CNAME, M_COUNT
};
static const char *const member_names[M_COUNT] = {
	"v", "ts", "event", "client", "key", "qname", "qtype", "qclass",
	"matched", "feed", "category", "action", "ede", "generation",
	"thread", "cname"
};
/** Members every record has ("key" only in hash mode). */
#define REQUIRED (((1u << M_COUNT) - 1) & ~(1u << M_KEY))

/**
 * @param prev: the member before it (the likely answer is prev + 1).
 * @return the member named s, or M_COUNT for one this version ignores.
 */
static enum member
member_of(const char *s, int prev)
{
	int i;

	if(prev + 1 < M_COUNT && strcmp(s, member_names[prev + 1]) == 0)
		return (enum member)(prev + 1);
	if(prev + 2 < M_COUNT && strcmp(s, member_names[prev + 2]) == 0)
		return (enum member)(prev + 2);
	for(i = 0; i < M_COUNT; i++)
		if(strcmp(s, member_names[i]) == 0)
			return (enum member)i;
	return M_COUNT;
}

/** @return 1 if s is a non-empty string of printable ASCII (no space). */
static int
printable_name(const char *s)
{
	if(!*s)
		return 0;
	for(; *s; s++)
		if((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/** @return a string member's value, "" for null when nullable, or NULL
 * when it has the wrong type. */
static int
str_or_null(const struct jv *v, const char **out)
{
	if(v->t == JT_NULL) {
		*out = NULL;
		return 1;
	}
	if(v->t != JT_STR)
		return 0;
	*out = v->s;
	return 1;
}

/** Check one member's value and store it.  @return 1, or 0 if wrong. */
static int
take(struct fb_qlog_entry *e, enum member m, const struct jv *v)
{
	switch(m) {
	case M_V:
		return v->t == JT_NUM;	/* its value is checked apart */
	case M_TS:
		return v->t == JT_STR &&
			fb_qlog_time_parse(v->s, strlen(v->s), &e->ts_ms);
	case M_EVENT:
		if(v->t != JT_STR)
			return 0;
		if(strcmp(v->s, "block") == 0)
			e->event = FB_QLOG_EV_BLOCK;
		else if(strcmp(v->s, "pass") == 0)
			e->event = FB_QLOG_EV_PASS;
		else if(strcmp(v->s, "would-block") == 0)
			e->event = FB_QLOG_EV_WOULD_BLOCK;
		else
			return 0;
		return 1;
	case M_CLIENT: return str_or_null(v, &e->client);
	case M_KEY: return str_or_null(v, &e->key);
	case M_QNAME:
		e->qname = v->s;
		return v->t == JT_STR && printable_name(v->s);
	case M_QTYPE:
		e->qtype = v->s;
		return v->t == JT_STR && *v->s;
	case M_QCLASS:
		e->qclass = v->s;
		return v->t == JT_STR && *v->s;
	case M_MATCHED:
		return str_or_null(v, &e->matched) && (!e->matched ||
			printable_name(e->matched));
	case M_FEED: return str_or_null(v, &e->feed);
	case M_CATEGORY: return str_or_null(v, &e->category);
	case M_ACTION: return str_or_null(v, &e->action);
	case M_EDE:
		if(v->t == JT_NULL) {
			e->ede = -1;
			return 1;
		}
		e->ede = (int)v->u;
		return v->t == JT_NUM && v->is_uint && v->u <= 65535;
	case M_GENERATION:
		e->generation = v->u;
		return v->t == JT_NUM && v->is_uint;
	case M_THREAD:
		e->thread = v->u;
		return v->t == JT_NUM && v->is_uint;
	case M_CNAME:
		e->cname = v->t == JT_TRUE;
		return v->t == JT_TRUE || v->t == JT_FALSE;
	case M_COUNT:
		break;
	}
	return 1;
}

enum fb_qlog_bad
fb_qlog_parse(char *line, size_t len, struct fb_qlog_entry *e)
{
	struct ps ps;
	struct jv v;
	unsigned seen = 0;
	enum fb_qlog_bad bad = FB_QLOG_GOOD;
	int prev = -1, version_ok = 0;

	if(len > FB_QLOG_READ_LINE_MAX)
		return FB_QLOG_BAD_LONG;
	memset(e, 0, sizeof(*e));
	ps.p = line;
	ps.e = line + len;
	ws(&ps);
	if(ps.p >= ps.e)
		return FB_QLOG_BAD_EMPTY;
	if(*ps.p++ != '{')
		return FB_QLOG_BAD_JSON;
	ws(&ps);
	if(ps.p < ps.e && *ps.p == '}')
		ps.p++;
	else for(;;) {
		enum member m;
		char *name;

		if(ps.p >= ps.e || *ps.p != '"' || !(name = str(&ps)))
			return FB_QLOG_BAD_JSON;
		ws(&ps);
		if(ps.p >= ps.e || *ps.p++ != ':')
			return FB_QLOG_BAD_JSON;
		ws(&ps);
		if(!value(&ps, &v, 1))
			return FB_QLOG_BAD_JSON;
		m = member_of(name, prev);
		if(m != M_COUNT) {
			/* the first problem found is the one told, but
			 * the line is read to its end: not JSON wins */
			if(seen & (1u << m)) {
				if(!bad)
					bad = FB_QLOG_BAD_DUPLICATE;
			} else if(!take(e, m, &v) && !bad)
				bad = FB_QLOG_BAD_VALUE;
			if(m == M_V)
				version_ok = v.t == JT_NUM && v.is_uint &&
					v.u == 1;
			seen |= 1u << m;
			prev = (int)m;
		}
		ws(&ps);
		if(ps.p >= ps.e)
			return FB_QLOG_BAD_JSON;
		if(*ps.p == '}') {
			ps.p++;
			break;
		}
		if(*ps.p++ != ',')
			return FB_QLOG_BAD_JSON;
		ws(&ps);
	}
	ws(&ps);
	if(ps.p != ps.e)
		return FB_QLOG_BAD_JSON;
	/* a later version may mean anything by the other members */
	if((seen & (1u << M_V)) && !version_ok)
		return FB_QLOG_BAD_VERSION;
	if(bad)
		return bad;
	if((seen & REQUIRED) != REQUIRED)
		return FB_QLOG_BAD_MISSING;
	/* a would-block names what would have blocked, as a block does */
	if((e->event == FB_QLOG_EV_BLOCK ||
		e->event == FB_QLOG_EV_WOULD_BLOCK) && (!e->matched ||
		!e->feed || !e->category || !e->action))
		return FB_QLOG_BAD_VALUE;
	return FB_QLOG_GOOD;
}

/* ---- lines ------------------------------------------------------------ */

/** A splitter (fb_qlog_read.h). */
struct fb_qlog_lines {
	fb_qlog_read_fn fn;	/**< where bytes come from */
	void *arg;		/**< its argument */
	char *buf;		/**< FB_QLOG_READ_BUF bytes */
	size_t start;		/**< first byte not handed out */
	size_t end;		/**< one past the last byte read */
	uint64_t lineno;	/**< lines handed out */
	int eof;		/**< fn said the end (or failed) */
	int err;		/**< fn failed */
	int skipping;		/**< inside a too-long line, until '\n' */
	size_t dropped;		/**< bytes of that line dropped so far */
};

struct fb_qlog_lines *
fb_qlog_lines_new(fb_qlog_read_fn fn, void *arg)
{
	struct fb_qlog_lines *ls = calloc(1, sizeof(*ls));

	if(!ls || !(ls->buf = malloc(FB_QLOG_READ_BUF))) {
		free(ls);
		return NULL;
	}
	ls->fn = fn;
	ls->arg = arg;
	return ls;
}

void
fb_qlog_lines_free(struct fb_qlog_lines *ls)
{
	if(!ls)
		return;
	free(ls->buf);
	free(ls);
}

int
fb_qlog_lines_next(struct fb_qlog_lines *ls, char **line, size_t *len,
	uint64_t *lineno)
{
	for(;;) {
		char *s = ls->buf + ls->start;
		size_t have = ls->end - ls->start;
		char *nl = have ? memchr(s, '\n', have) : NULL;
		long n;

		if(nl) {
			ls->start += (size_t)(nl - s) + 1;
			*lineno = ++ls->lineno;
			*len = (size_t)(nl - s) + ls->dropped;
			*line = s;
			if(ls->skipping || *len > FB_QLOG_READ_LINE_MAX) {
				ls->skipping = 0;
				ls->dropped = 0;
				*line = NULL;
			}
			return 1;
		}
		/* a line longer than the limit is not kept: its bytes are
		 * dropped as they come, up to its newline */
		if(ls->skipping || have > FB_QLOG_READ_LINE_MAX) {
			ls->skipping = 1;
			ls->dropped += have;
			ls->start = ls->end = 0;
			have = 0;
		}
		if(ls->eof) {
			if(!have && !ls->skipping)
				return ls->err ? -1 : 0;
			*lineno = ++ls->lineno;
			*len = have + ls->dropped;
			*line = ls->skipping ? NULL : s;
			ls->start = ls->end;
			ls->skipping = 0;
			ls->dropped = 0;
			return 1;
		}
		if(ls->start) {
			memmove(ls->buf, s, have);
			ls->start = 0;
			ls->end = have;
		}
		n = ls->fn(ls->arg, ls->buf + ls->end,
			FB_QLOG_READ_BUF - ls->end);
		if(n < 0)
			ls->err = 1;
		if(n <= 0)
			ls->eof = 1;
		else
			ls->end += (size_t)n;
	}
}
