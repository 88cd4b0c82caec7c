/**
 * \file
 * The csv format: RFC 4180 comma-separated values, as PhishTank's
 * verified_online.csv.
 *
 * - Records end in LF or CRLF; the last needs none; a UTF-8 byte order
 *   mark at the start is skipped.  Fields are separated by ','.  A field
 *   starting with '"' is quoted: it runs to the next lone '"', may hold
 *   ',', CR and LF, and '""' inside stands for one '"'.
 * - The first record is the header.  The `column:` of the feed names
 *   the field holding a URL or host, by header name (compared without
 *   surrounding blanks, case-insensitively; the first match wins) or by
 *   1-based number; `category-column:` optionally names another field
 *   whose value (scam, phishing, malware or other, in any case) is the
 *   entry's category; any other value gives the feed's category.
 *   `date-column:` optionally names a field holding the date the row was
 *   listed ("YYYY-MM-DD", then optionally "THH:MM:SS" or " HH:MM:SS",
 *   then optionally "Z" or "+HH:MM"/"-HH:MM"; UTC when no offset is
 *   given), handed on with each entry; a row whose date is not such a
 *   date is refused ("date not understood").
 * - The URL field is read as a urls line (fb_fmt_url(), see
 *   fmt_urls.c): host kept, IP literals are addresses, paths flagged.
 * - An empty line is skipped.  A record with a '"' inside an unquoted
 *   field, text after a closing quote, too few fields, or a URL field
 *   over FB_PARSE_LINE_MAX bytes is refused (invalid), and reading goes
 *   on at the next line.
 * - The whole feed is refused (FB_PARSE_MALFORMED, with the byte offset)
 *   when a quote is still open at the end of the data (every record
 *   after it would be swallowed), or when the header lacks the named
 *   column or has fewer fields than its number.
 * stats.lines counts records, header included; the line of a report is
 * the line the record starts on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fmt.h"

/** Reading position in the buffer. */
struct csv {
	struct fb_fmt_ctx *c;
	const char *buf, *p, *end;
	/** physical line p is on, 1-based */
	uint64_t line;
	/** the decoded field */
	char val[FB_PARSE_LINE_MAX + 1];
	size_t vlen;
	/** 1 if the field did not fit val */
	int over;
};

/** How a field ended. */
enum csv_end {
	CSV_MORE,	/**< at ',': another field follows */
	CSV_EOR,	/**< at the end of the record */
	CSV_BAD,	/**< broken quoting: record skipped to the next LF */
	CSV_UNTERM	/**< a quote open at the end of the data */
};

/** Add a byte to the decoded field. */
static void
csv_put(struct csv *j, char ch)
{
	if(j->vlen < sizeof(j->val) - 1)
		j->val[j->vlen++] = ch;
	else
		j->over = 1;
}

/** @return 1 and step over a record end (LF or CRLF) at p, else 0. */
static int
csv_eol(struct csv *j)
{
	if(j->p < j->end && *j->p == '\n') {
		j->p++;
		j->line++;
		return 1;
	}
	if(j->end - j->p >= 2 && j->p[0] == '\r' && j->p[1] == '\n') {
		j->p += 2;
		j->line++;
		return 1;
	}
	return 0;
}

/** Skip the rest of a broken record, to just past the next LF. */
static enum csv_end
csv_skip(struct csv *j, const char **why, const char *reason)
{
	const char *nl = memchr(j->p, '\n', (size_t)(j->end - j->p));

	*why = reason;
	j->p = nl ? nl + 1 : j->end;
	if(nl)
		j->line++;
	return CSV_BAD;
}

/** Read one field into j->val. */
static enum csv_end
csv_field(struct csv *j, const char **why, size_t *open)
{
	j->vlen = 0;
	j->over = 0;
	if(j->p < j->end && *j->p == '"') {
		*open = (size_t)(j->p - j->buf);
		j->p++;
		for(;;) {
			if(j->p == j->end)
				return CSV_UNTERM;
			if(*j->p == '"') {
				if(j->end - j->p >= 2 && j->p[1] == '"') {
					csv_put(j, '"');
					j->p += 2;
					continue;
				}
				j->p++;
				break;
			}
			if(*j->p == '\n')
				j->line++;
			csv_put(j, *j->p++);
		}
		if(j->p == j->end || csv_eol(j))
			return CSV_EOR;
		if(*j->p == ',') {
			j->p++;
			return CSV_MORE;
		}
		return csv_skip(j, why, "text after a closing quote");
	}
	for(;;) {
		if(j->p == j->end || csv_eol(j))
			return CSV_EOR;
		if(*j->p == ',') {
			j->p++;
			return CSV_MORE;
		}
		if(*j->p == '"')
			return csv_skip(j, why, "quote inside an unquoted "
				"field");
		csv_put(j, *j->p++);
	}
}

/** @return 1 if the decoded field, without blanks around it, is word. */
static int
csv_val_is(const struct csv *j, const char *word)
{
	size_t s = 0, n = j->vlen;

	while(s < n && fb_fmt_blank(j->val[s]))
		s++;
	while(n > s && fb_fmt_blank(j->val[n-1]))
		n--;
	return n - s == strlen(word) && strncasecmp(j->val + s, word,
		n - s) == 0;
}

/** A column of the configuration: its number, or its name to look up. */
struct csv_col {
	const char *spec;	/**< as configured; NULL when not */
	size_t idx;		/**< 0-based, once known */
	int found;
};

/** Number columns are known before the header is read. */
static void
csv_col_init(struct csv_col *col, const char *spec)
{
	size_t n;

	memset(col, 0, sizeof(*col));
	col->spec = spec;
	if(!spec || !*spec)
		return;
	n = strspn(spec, "0123456789");
	if(spec[n] == 0 && n <= 6 && n > 0) {
		col->idx = (size_t)strtoul(spec, NULL, 10);
		col->found = col->idx > 0;
		if(col->idx > 0)
			col->idx--;
	}
}

/** The category a field names, or the feed's. */
static enum fb_category
csv_category(const struct csv *j)
{
	if(csv_val_is(j, "scam"))
		return FB_CATEGORY_SCAM;
	if(csv_val_is(j, "phishing"))
		return FB_CATEGORY_PHISHING;
	if(csv_val_is(j, "malware"))
		return FB_CATEGORY_MALWARE;
	if(csv_val_is(j, "other"))
		return FB_CATEGORY_OTHER;
	return j->c->o->category;
}

/** The columns a feed may name, in this order in the array. */
enum { COL_URL, COL_CATEGORY, COL_DATE, NCOLS };

/** Read the header and find the columns.  @return FB_PARSE_*. */
static enum fb_parse_status
csv_header(struct csv *j, struct csv_col *cols)
{
	enum csv_end e;
	const char *why = NULL;
	size_t i = 0, open = 0, k;
	int named[NCOLS];

	for(k = 0; k < NCOLS; k++)
		named[k] = cols[k].spec && !cols[k].found;
	do {
		e = csv_field(j, &why, &open);
		if(e == CSV_UNTERM)
			return fb_fmt_malformed(j->c, open, "quote opened in "
				"the header is never closed");
		if(e == CSV_BAD)
			return fb_fmt_malformed(j->c, 0, "header: %s", why);
		for(k = 0; k < NCOLS; k++)
			if(named[k] && !cols[k].found &&
			   csv_val_is(j, cols[k].spec)) {
				cols[k].idx = i;
				cols[k].found = 1;
			}
		i++;
	} while(e == CSV_MORE);
	for(k = 0; k < NCOLS; k++) {
		if(!cols[k].spec)
			continue;
		if(!cols[k].found)
			return fb_fmt_malformed(j->c, 0, "no column '%s' in "
				"the header", cols[k].spec);
		if(cols[k].idx >= i)
			return fb_fmt_malformed(j->c, 0, "column %s: the "
				"header has %zu columns", cols[k].spec, i);
	}
	return FB_PARSE_OK;
}

/** @return the value of n digits at p, or -1 if one is not a digit. */
static int
csv_digits(const char *p, int n)
{
	int v = 0;

	for(; n > 0; n--, p++) {
		if(*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/**
 * Read the date of a date column: "YYYY-MM-DD", optionally followed by
 * 'T' or ' ' and "HH:MM:SS", optionally followed by "Z" or "+HH:MM" /
 * "-HH:MM" (PhishTank's "2021-04-01T07:28:13+00:00", URLhaus's
 * "2022-03-14 00:11:32", read as UTC when no offset is given).
 * @return 1 and *t (unix time), or 0 if the field is not such a date.
 */
static int
csv_date(const struct csv *j, int64_t *t)
{
	const char *p = j->val, *end = j->val + j->vlen;
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	int64_t days;

	while(p < end && fb_fmt_blank(*p))
		p++;
	while(end > p && fb_fmt_blank(end[-1]))
		end--;
	if(end - p < 10 || p[4] != '-' || p[7] != '-' ||
	   (y = csv_digits(p, 4)) < 1970 || (mo = csv_digits(p + 5, 2)) < 1 ||
	   mo > 12 || (d = csv_digits(p + 8, 2)) < 1 || d > 31)
		return 0;
	p += 10;
	if(p < end) {
		if(end - p < 9 || (*p != 'T' && *p != ' ') || p[3] != ':' ||
		   p[6] != ':' || (h = csv_digits(p + 1, 2)) < 0 || h > 23 ||
		   (mi = csv_digits(p + 4, 2)) < 0 || mi > 59 ||
		   (se = csv_digits(p + 7, 2)) < 0 || se > 60)
			return 0;
		p += 9;
	}
	if(p < end && *p == 'Z')
		p++;
	else if(end - p == 6 && (*p == '+' || *p == '-') && p[3] == ':' &&
		(oh = csv_digits(p + 1, 2)) >= 0 && oh <= 23 &&
		(om = csv_digits(p + 4, 2)) >= 0 && om <= 59) {
		int sign = *p == '+' ? 1 : -1;
		h -= sign * oh;
		mi -= sign * om;
		p = end;
	}
	if(p != end)
		return 0;
	/* days since 1970-01-01 of the civil date (proleptic Gregorian),
	 * without timegm's dependence on the process's time zone */
	{
		int yy = mo <= 2 ? y - 1 : y;
		int era = yy / 400, yoe = yy - era * 400;
		int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		days = (int64_t)era * 146097 + doe - 719468;
	}
	*t = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
	return 1;
}

/** Read one data record and hand on its URL.  @return FB_PARSE_*. */
static enum fb_parse_status
csv_record(struct csv *j, const struct csv_col *cols, char *urlbuf)
{
	struct fb_fmt_ctx *c = j->c;
	const char *start = j->p, *why = NULL;
	enum csv_end e;
	size_t i = 0, ulen = 0, open = 0;
	int have = 0, over = 0, baddate = 0;

	c->category = c->o->category;
	c->date = 0;
	do {
		e = csv_field(j, &why, &open);
		if(e == CSV_UNTERM)
			return fb_fmt_malformed(c, open, "quote opened on "
				"line %llu is never closed",
				(unsigned long long)c->lineno);
		if(e == CSV_BAD)
			break;
		if(i == cols[COL_URL].idx) {
			memcpy(urlbuf, j->val, j->vlen);
			ulen = j->vlen;
			over = j->over;
			have = 1;
		}
		if(cols[COL_CATEGORY].spec && i == cols[COL_CATEGORY].idx)
			c->category = csv_category(j);
		if(cols[COL_DATE].spec && i == cols[COL_DATE].idx &&
		   !csv_date(j, &c->date))
			baddate = 1;
		i++;
	} while(e == CSV_MORE);
	if(e == CSV_BAD)
		fb_fmt_refuse(c, why, start, (size_t)(j->p - start));
	else if(!have || (cols[COL_DATE].spec && i <= cols[COL_DATE].idx))
		fb_fmt_refuse(c, "too few fields", start,
			(size_t)(j->p - start));
	else if(over)
		fb_fmt_refuse(c, "URL field too long", start,
			(size_t)(j->p - start));
	else if(baddate)
		fb_fmt_refuse(c, "date not understood", start,
			(size_t)(j->p - start));
	else if(!fb_fmt_url(c, urlbuf, ulen))
		return FB_PARSE_NOMEM;
	return FB_PARSE_OK;
}

enum fb_parse_status
fb_fmt_csv(struct fb_fmt_ctx *c, const char *buf, size_t len)
{
	struct csv *j;
	struct csv_col cols[NCOLS];
	enum fb_parse_status r = FB_PARSE_OK;
	char *urlbuf = NULL;
	int header = 1;

	if(!c->o->column || !*c->o->column)
		return fb_fmt_malformed(c, 0, "no column configured");
	if(!(j = malloc(sizeof(*j))) ||
		!(urlbuf = malloc(FB_PARSE_LINE_MAX + 1))) {
		free(j);
		return FB_PARSE_NOMEM;
	}
	memset(j, 0, sizeof(*j));
	j->c = c;
	j->buf = j->p = buf;
	j->end = buf + len;
	j->line = 1;
	if(len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		j->p += 3;
	csv_col_init(&cols[COL_URL], c->o->column);
	csv_col_init(&cols[COL_CATEGORY], c->o->category_column);
	csv_col_init(&cols[COL_DATE], c->o->date_column);
	while(r == FB_PARSE_OK && j->p < j->end) {
		c->st->lines++;
		c->lineno = j->line;
		if(csv_eol(j)) {
			c->st->skipped++;
			continue;
		}
		if(header) {
			header = 0;
			c->st->skipped++;
			r = csv_header(j, cols);
			continue;
		}
		r = csv_record(j, cols, urlbuf);
	}
	free(urlbuf);
	free(j);
	return r;
}
