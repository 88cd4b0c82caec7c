/**
 * \file
 * Records of the store as bytes (see fb_record.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_record.h"

static const char *const action_words[] = {
	"default", "sinkhole", "nxdomain", "nodata", "allow"
};
static const char *const category_words[] = {
	"unspecified", "scam", "phishing", "malware", "other"
};
#define NWORDS(a) (sizeof(a) / sizeof((a)[0]))

const char *fb_action_name(enum fb_action a)
{
	return (unsigned)a < NWORDS(action_words) ? action_words[a] : "?";
}

int fb_action_parse(const char *word, enum fb_action *a)
{
	size_t i;
	for(i = 0; i < NWORDS(action_words); i++)
		if(strcmp(word, action_words[i]) == 0) {
			*a = (enum fb_action)i;
			return 1;
		}
	return 0;
}

const char *fb_category_name(enum fb_category c)
{
	return (unsigned)c < NWORDS(category_words) ? category_words[c] : "?";
}

int fb_category_parse(const char *word, enum fb_category *c)
{
	size_t i;
	for(i = 0; i < NWORDS(category_words); i++)
		if(strcmp(word, category_words[i]) == 0) {
			*c = (enum fb_category)i;
			return 1;
		}
	return 0;
}

/** EDE codes 15, 16, 17 by their config words. */
static const char *const ede_words[] = { "blocked", "censored", "filtered" };

const char *fb_ede_name(uint16_t code)
{
	if(code >= FB_EDE_BLOCKED && code <= FB_EDE_FILTERED)
		return ede_words[code - FB_EDE_BLOCKED];
	return ede_words[0];
}

int fb_ede_parse(const char *word, uint16_t *code)
{
	size_t i;
	for(i = 0; i < NWORDS(ede_words); i++) {
		char num[4];
		snprintf(num, sizeof(num), "%u", (unsigned)(FB_EDE_BLOCKED + i));
		if(strcmp(word, ede_words[i]) == 0 || strcmp(word, num) == 0) {
			*code = (uint16_t)(FB_EDE_BLOCKED + i);
			return 1;
		}
	}
	return 0;
}

void fb_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void fb_put_be64(uint8_t *p, uint64_t v)
{
	int i;
	for(i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint16_t fb_get_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint64_t fb_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;
	for(i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void fb_entry_encode(const struct fb_entry *e, uint8_t out[FB_ENTRY_SIZE])
{
	fb_put_be16(out, e->source);
	out[2] = e->scope;
	out[3] = e->action;
	out[4] = e->category;
	out[5] = out[6] = out[7] = 0;
	out[8] = (uint8_t)(e->first_seen >> 24);
	out[9] = (uint8_t)(e->first_seen >> 16);
	out[10] = (uint8_t)(e->first_seen >> 8);
	out[11] = (uint8_t)e->first_seen;
}

void fb_entry_decode(const uint8_t in[FB_ENTRY_SIZE], struct fb_entry *e)
{
	e->source = fb_get_be16(in);
	e->scope = in[2];
	e->action = in[3];
	e->category = in[4];
	e->first_seen = ((uint32_t)in[8] << 24) | ((uint32_t)in[9] << 16) |
		((uint32_t)in[10] << 8) | (uint32_t)in[11];
}

int fb_entry_same(const struct fb_entry *a, const struct fb_entry *b)
{
	return a->source == b->source && a->scope == b->scope &&
		a->action == b->action && a->category == b->category;
}

/* ---- source records ------------------------------------------------- */

/** Format byte of a source record. */
#define SRC_FORMAT 1

/** Tags of a source record's fields.  Values are on disk: never reuse. */
enum src_tag {
	TAG_NAME = 1, TAG_ENTRIES, TAG_INVALID, TAG_LAST_ATTEMPT,
	TAG_LAST_SUCCESS, TAG_LAST_CHANGE, TAG_LAST_STATUS, TAG_LAST_ERROR,
	TAG_ETAG, TAG_LAST_MODIFIED, TAG_EDE, TAG_VERSION, TAG_VALIDATORS_OF
};

/** Append one field if it fits; texts longer than the room are cut. */
static void put_field(uint8_t *out, size_t *n, int tag, const void *v,
	size_t len)
{
	if(len == 0 || *n + 3 + len > FB_SOURCE_REC_MAX)
		return;
	out[*n] = (uint8_t)tag;
	fb_put_be16(out + *n + 1, (uint16_t)len);
	memcpy(out + *n + 3, v, len);
	*n += 3 + len;
}

static void put_text(uint8_t *out, size_t *n, int tag, const char *s,
	size_t room)
{
	put_field(out, n, tag, s, strnlen(s, room - 1));
}

static void put_num(uint8_t *out, size_t *n, int tag, uint64_t v)
{
	uint8_t b[8];
	if(v == 0)
		return;
	fb_put_be64(b, v);
	put_field(out, n, tag, b, 8);
}

size_t fb_source_encode(const struct fb_source_info *s,
	uint8_t out[FB_SOURCE_REC_MAX])
{
	size_t n = 0;
	out[n++] = SRC_FORMAT;
	put_text(out, &n, TAG_NAME, s->name, sizeof(s->name));
	put_num(out, &n, TAG_ENTRIES, s->entries);
	put_num(out, &n, TAG_INVALID, s->invalid);
	put_num(out, &n, TAG_LAST_ATTEMPT, (uint64_t)s->last_attempt);
	put_num(out, &n, TAG_LAST_SUCCESS, (uint64_t)s->last_success);
	put_num(out, &n, TAG_LAST_CHANGE, (uint64_t)s->last_change);
	put_num(out, &n, TAG_LAST_STATUS, (uint64_t)(int64_t)s->last_status);
	put_text(out, &n, TAG_LAST_ERROR, s->last_error, sizeof(s->last_error));
	put_text(out, &n, TAG_ETAG, s->etag, sizeof(s->etag));
	put_text(out, &n, TAG_LAST_MODIFIED, s->last_modified,
		sizeof(s->last_modified));
	put_num(out, &n, TAG_EDE, s->ede);
	put_num(out, &n, TAG_VERSION, s->version);
	put_num(out, &n, TAG_VALIDATORS_OF, s->validators_of);
	return n;
}

/** Copy a text field into dst (room bytes), NUL-terminated. */
static void get_text(char *dst, size_t room, const uint8_t *v, size_t len)
{
	if(len > room - 1)
		len = room - 1;
	memcpy(dst, v, len);
	dst[len] = 0;
}

int fb_source_decode(const uint8_t *in, size_t len, uint16_t id,
	struct fb_source_info *s)
{
	size_t i = 1;
	memset(s, 0, sizeof(*s));
	s->id = id;
	if(len < 1 || in[0] != SRC_FORMAT)
		goto bad;
	while(i < len) {
		size_t flen;
		const uint8_t *v;
		uint64_t num = 0;
		if(len - i < 3)
			goto bad;
		flen = fb_get_be16(in + i + 1);
		if(len - i - 3 < flen)
			goto bad;
		v = in + i + 3;
		if(flen == 8)
			num = fb_get_be64(v);
		switch(in[i]) {
		case TAG_NAME:
			/* a NUL inside would print as a shorter name */
			if(memchr(v, 0, flen))
				goto bad;
			get_text(s->name, sizeof(s->name), v, flen);
			break;
		case TAG_ENTRIES: s->entries = num; break;
		case TAG_INVALID: s->invalid = num; break;
		case TAG_LAST_ATTEMPT: s->last_attempt = (int64_t)num; break;
		case TAG_LAST_SUCCESS: s->last_success = (int64_t)num; break;
		case TAG_LAST_CHANGE: s->last_change = (int64_t)num; break;
		case TAG_LAST_STATUS:
			s->last_status = (int32_t)(int64_t)num; break;
		case TAG_LAST_ERROR:
			get_text(s->last_error, sizeof(s->last_error), v,
				flen);
			break;
		case TAG_ETAG:
			get_text(s->etag, sizeof(s->etag), v, flen); break;
		case TAG_LAST_MODIFIED:
			get_text(s->last_modified, sizeof(s->last_modified),
				v, flen);
			break;
		case TAG_EDE: s->ede = (uint16_t)num; break;
		case TAG_VERSION: s->version = num; break;
		case TAG_VALIDATORS_OF: s->validators_of = num; break;
		default:	/* a newer version's field */
			break;
		}
		i += 3 + flen;
	}
	if(s->name[0] == 0)
		goto bad;
	return 1;
bad:
	memset(s, 0, sizeof(*s));
	s->id = id;
	snprintf(s->name, sizeof(s->name), "source-%u", (unsigned)id);
	return 0;
}

uint64_t fb_source_hash(const char *source)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a offset basis */
	for(; *source; source++) {
		h ^= (uint8_t)*source;
		h *= 0x100000001b3ULL;		/* FNV-1a prime */
	}
	return h ? h : 1;
}

int fb_grow(void *p, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap ? *cap : 1024;
	void *n;
	if(need <= *cap)
		return 1;
	while(c < need)
		c *= 2;
	if(!(n = realloc(*(void **)p, c * sz)))
		return 0;
	*(void **)p = n;
	*cap = c;
	return 1;
}
