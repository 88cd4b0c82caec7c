/**
 * \file
 * fraudblock-ctl stats [--json]: the resolver's figures, as a table or as
 * one JSON object.
 *
 * The counters live in the resolver's memory, in another process; the
 * module writes them to metrics-file every metrics-interval seconds
 * (plugin/fb_metrics.c), so that file is where stats reads them: without
 * metrics-file in fraudblock.conf there is nothing to show.  The file is
 * read with a strict parser of the Prometheus text the module writes
 * (bounded in size, line length, label count and length; anything else
 * is refused with file:line).  The feed figures (entries, last accepted
 * update) come from the store itself, read-only, so they are current even
 * when the file is a few seconds old.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fb_config.h"
#include "fb_reader.h"
#include "ctl.h"

/** Largest metrics file read (the module writes at most 4 MiB). */
#define STATS_FILE_MAX (4L * 1024 * 1024)
/** Longest line. */
#define STATS_LINE_MAX 4096
/** Longest label value (feed names are up to 63 bytes). */
#define STATS_LABEL_MAX 256
/** Most samples kept. */
#define STATS_SAMPLES_MAX 100000

/** One sample line. */
struct sample {
	char name[96];
	char feed[STATS_LABEL_MAX];
	char category[STATS_LABEL_MAX];
	char action[STATS_LABEL_MAX];
	/** the value, as an integer when it is one */
	unsigned long long u;
	double d;
	int is_int;
};

/** The parsed file. */
struct stats {
	struct sample *s;
	size_t n, cap;
};

/** Parse a label value at *p (just after the opening quote) into out.
 * @return 1, or 0 if malformed. */
static int
parse_label_value(const char **p, char *out)
{
	const char *s = *p;
	size_t n = 0;
	for(;;) {
		char c = *s++;
		if(c == 0 || c == '\n')
			return 0;
		if(c == '"')
			break;
		if(c == '\\') {
			c = *s++;
			if(c == 'n')
				c = '\n';
			else if(c != '\\' && c != '"')
				return 0;
		}
		if(n + 1 >= STATS_LABEL_MAX)
			return 0;
		out[n++] = c;
	}
	out[n] = 0;
	*p = s;
	return 1;
}

/** Parse the value at the end of a sample line. */
static int
parse_value(const char *v, struct sample *smp)
{
	char *end;
	size_t digits = strspn(v, "0123456789");
	if(digits > 0 && v[digits] == 0 && digits <= 20) {
		errno = 0;
		smp->u = strtoull(v, &end, 10);
		if(errno)
			return 0;
		smp->d = (double)smp->u;
		smp->is_int = 1;
		return 1;
	}
	/* a timestamp with milliseconds, or a negative unix time */
	if(!(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) ||
		strspn(v + 1, "0123456789.") != strlen(v + 1))
		return 0;
	errno = 0;
	smp->d = strtod(v, &end);
	if(errno || *end)
		return 0;
	smp->is_int = 0;
	return 1;
}

/** Parse one sample line: name{label="value",...} value. */
static int
parse_sample(const char *line, struct sample *smp)
{
	const char *p = line;
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:");
	memset(smp, 0, sizeof(*smp));
	if(n == 0 || n >= sizeof(smp->name) || (p[0] >= '0' && p[0] <= '9'))
		return 0;
	memcpy(smp->name, p, n);
	p += n;
	if(*p == '{') {
		int nlabels = 0;
		p++;
		while(*p != '}') {
			char *dst;
			if(nlabels++ == 3)
				return 0;
			if(strncmp(p, "feed=\"", 6) == 0) {
				dst = smp->feed;
				p += 6;
			} else if(strncmp(p, "category=\"", 10) == 0) {
				dst = smp->category;
				p += 10;
			} else if(strncmp(p, "action=\"", 8) == 0) {
				dst = smp->action;
				p += 8;
			} else
				return 0;
			if(!parse_label_value(&p, dst))
				return 0;
			if(*p == ',')
				p++;
			else if(*p != '}')
				return 0;
		}
		p++;
	}
	if(*p++ != ' ')
		return 0;
	return parse_value(p, smp);
}

/** Read and parse the file.  @return 1, or 0 after printing why not. */
static int
stats_read(const char *path, struct stats *st)
{
	char line[STATS_LINE_MAX + 2];
	FILE *f = fopen(path, "r");
	long total = 0;
	int lineno = 0;
	char where[64];
	memset(st, 0, sizeof(*st));
	if(!f) {
		if(errno == ENOENT)
			ctl_fail(path, "no metrics file (yet): is the "
				"resolver running with the module, and has "
				"metrics-interval passed?");
		else
			ctl_fail(path, strerror(errno));
		return 0;
	}
	while(fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		lineno++;
		snprintf(where, sizeof(where), "line %d", lineno);
		total += (long)len;
		if(total > STATS_FILE_MAX) {
			ctl_fail(path, "larger than 4 MiB: not a metrics file "
				"the module wrote");
			goto fail;
		}
		if(len == 0 || line[len - 1] != '\n' || len > STATS_LINE_MAX) {
			fprintf(stderr, "fraudblock-ctl: ");
			ctl_put_safe(stderr, path);
			fprintf(stderr, ":%d: line too long or not ended\n",
				lineno);
			goto fail;
		}
		line[len - 1] = 0;
		if(line[0] == '#')
			continue;
		if(st->n == st->cap) {
			size_t cap = st->cap ? st->cap * 2 : 64;
			struct sample *ns;
			if(cap > STATS_SAMPLES_MAX) {
				ctl_fail(path, "too many samples");
				goto fail;
			}
			if(!(ns = realloc(st->s, cap * sizeof(*ns)))) {
				ctl_fail(path, "out of memory");
				goto fail;
			}
			st->s = ns;
			st->cap = cap;
		}
		if(!parse_sample(line, &st->s[st->n])) {
			fprintf(stderr, "fraudblock-ctl: ");
			ctl_put_safe(stderr, path);
			fprintf(stderr, ":%d: not a metric line the module "
				"writes: ", lineno);
			ctl_put_safe(stderr, line);
			fputc('\n', stderr);
			goto fail;
		}
		st->n++;
	}
	if(ferror(f)) {
		ctl_fail(path, strerror(errno));
		goto fail;
	}
	fclose(f);
	return 1;
fail:
	fclose(f);
	free(st->s);
	st->s = NULL;
	return 0;
}

/** @return the first sample named name, or NULL. */
static const struct sample *
find(const struct stats *st, const char *name)
{
	size_t i;
	for(i = 0; i < st->n; i++)
		if(strcmp(st->s[i].name, name) == 0)
			return &st->s[i];
	return NULL;
}

/** @return the sum of every sample named name (0 when none). */
static unsigned long long
total(const struct stats *st, const char *name)
{
	unsigned long long t = 0;
	size_t i;
	for(i = 0; i < st->n; i++)
		if(strcmp(st->s[i].name, name) == 0)
			t += st->s[i].u;
	return t;
}

/** Print a string as a JSON string. */
static void
json_str(const char *s)
{
	putchar('"');
	for(; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if(c == '"' || c == '\\')
			printf("\\%c", c);
		else if(c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/** The counters both outputs show, in order: JSON key, table text,
 * metric name. */
static const char *const counters[][3] = {
	{ "queries_checked", "queries checked (cache misses)",
		"fraudblock_queries_checked_total" },
	{ "cache_hits", "cache hits", "fraudblock_cache_hits_total" },
	{ "lookups", "names looked up", "fraudblock_lookups_total" },
	{ "blocked", "blocked", "fraudblock_blocked_total" },
	{ "allowed", "allowed by an allow entry", "fraudblock_allowed_total" },
	{ "lookup_errors", "lookup errors (passed unchecked)",
		"fraudblock_lookup_errors_total" },
	{ "cache_evicted", "cached answers evicted",
		"fraudblock_cache_evicted_total" },
	{ "log_records_written", "log records written",
		"fraudblock_log_records_written_total" },
	{ "log_records_dropped", "log records dropped",
		"fraudblock_log_records_dropped_total" },
	{ "list_generation", "list generation", "fraudblock_list_generation" },
	{ "worker_threads", "worker threads", "fraudblock_worker_threads" }
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

/** @return 1 if counter i has a value: it is in the file, or it is a
 * labelled one (no line yet means 0). */
static int
has_counter(const struct stats *st, size_t i)
{
	return find(st, counters[i][2]) || strcmp(counters[i][0],
		"blocked") == 0 || strcmp(counters[i][0], "allowed") == 0;
}

/** What the JSON and table printers share. */
struct view {
	const struct fb_config *cfg;
	const struct stats *st;
	double written;
	int64_t now;
	int first;	/**< no source printed yet */
};

/** fb_reader_sources callback: one feed, as a JSON object. */
static void
json_source(void *arg, const struct fb_source_info *si)
{
	struct view *v = arg;
	printf("%s\n    {\"name\": ", v->first ? "" : ",");
	v->first = 0;
	json_str(si->name);
	printf(", \"id\": %u, \"entries\": %llu, \"last_success\": %lld, "
		"\"sync_age_seconds\": ", (unsigned)si->id,
		(unsigned long long)si->entries, (long long)si->last_success);
	if(si->last_success > 0)
		printf("%lld}", (long long)(v->now - si->last_success));
	else
		printf("null}");
}

/** fb_reader_sources callback: one feed, as a table row. */
static void
table_source(void *arg, const struct fb_source_info *si)
{
	struct view *v = arg;
	char when[32], age[32];
	time_t tt = (time_t)si->last_success;
	struct tm tm;
	if(v->first)
		printf("\n%-24s %5s %10s  %-20s  %s\n", "feed", "id",
			"entries", "last success", "sync age");
	v->first = 0;
	if(si->last_success > 0 && gmtime_r(&tt, &tm)) {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(age, sizeof(age), "%lld s",
			(long long)(v->now - si->last_success));
	} else {
		snprintf(when, sizeof(when), "never");
		snprintf(age, sizeof(age), "-");
	}
	ctl_put_col(si->name, 24);
	printf(" %5u %10llu  %-20s  %s\n", (unsigned)si->id,
		(unsigned long long)si->entries, when, age);
}

/** Print the samples named name as JSON objects and close the array.
 * @param full: with their category and action. */
static void
json_samples(const struct stats *st, const char *name, int full)
{
	size_t i;
	int first = 1;
	for(i = 0; i < st->n; i++) {
		const struct sample *s = &st->s[i];
		if(strcmp(s->name, name) != 0)
			continue;
		printf("%s\n    {\"feed\": ", first ? "" : ",");
		first = 0;
		json_str(s->feed);
		if(full) {
			printf(", \"category\": ");
			json_str(s->category);
			printf(", \"action\": ");
			json_str(s->action);
		}
		printf(", \"queries\": %llu}", s->u);
	}
	printf("%s]", first ? "" : "\n  ");
}

/** Print the figures as one JSON object. */
static void
print_json(struct view *v, struct fb_reader *r)
{
	const struct stats *st = v->st;
	size_t i;
	printf("{\n  \"metrics_file\": ");
	json_str(v->cfg->metrics_file);
	printf(",\n  \"written\": %.3f,\n  \"written_age_seconds\": %lld",
		v->written, (long long)(v->now - (int64_t)v->written));
	for(i = 0; i < NCOUNTERS; i++) {
		printf(",\n  \"%s\": ", counters[i][0]);
		if(has_counter(st, i))
			printf("%llu", total(st, counters[i][2]));
		else
			printf("null");
	}
	printf(",\n  \"blocked_by\": [");
	json_samples(st, "fraudblock_blocked_total", 1);
	printf(",\n  \"allowed_by\": [");
	json_samples(st, "fraudblock_allowed_total", 0);
	printf(",\n  \"feeds\": [");
	v->first = 1;
	(void)fb_reader_sources(r, json_source, v);
	printf("%s]\n}\n", v->first ? "" : "\n  ");
}

/** Print the figures as a table. */
static void
print_table(struct view *v, struct fb_reader *r)
{
	const struct stats *st = v->st;
	size_t i;
	int first = 1;
	printf("metrics file ");
	ctl_put_safe(stdout, v->cfg->metrics_file);
	printf(", written %lld s ago\n",
		(long long)(v->now - (int64_t)v->written));
	for(i = 0; i < NCOUNTERS; i++) {
		printf("%-34s ", counters[i][1]);
		if(has_counter(st, i))
			printf("%llu\n", total(st, counters[i][2]));
		else if(strcmp(counters[i][0], "cache_hits") == 0)
			printf("- (count-cache-hits: no)\n");
		else
			printf("-\n");
	}
	for(i = 0; i < st->n; i++) {
		const struct sample *s = &st->s[i];
		if(strcmp(s->name, "fraudblock_blocked_total") != 0)
			continue;
		if(first)
			printf("\n%-24s %-12s %-9s %12s\n", "blocked by feed",
				"category", "action", "queries");
		first = 0;
		ctl_put_col(s->feed, 25);
		ctl_put_col(s->category, 13);
		ctl_put_col(s->action, 10);
		printf("%12llu\n", s->u);
	}
	first = 1;
	for(i = 0; i < st->n; i++) {
		const struct sample *s = &st->s[i];
		if(strcmp(s->name, "fraudblock_allowed_total") != 0)
			continue;
		if(first)
			printf("\n%-24s %12s\n", "allowed by", "queries");
		first = 0;
		ctl_put_col(s->feed, 25);
		printf("%12llu\n", s->u);
	}
	v->first = 1;
	(void)fb_reader_sources(r, table_source, v);
}

int
ctl_cmd_stats(const struct fb_config *cfg, int argc, char *argv[])
{
	struct stats st;
	struct ctl_view vw;
	struct view v;
	const struct sample *ts;
	int json = 0;

	if(argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if(argc != 1)
		ctl_usage(CTL_ERROR);
	if(!cfg->metrics_file)
		return ctl_fail(cfg->path, "stats needs metrics-file: the "
			"counters are in the resolver, which writes them "
			"only there");
	if(!stats_read(cfg->metrics_file, &st))
		return CTL_ERROR;
	if(!(ts = find(&st, "fraudblock_metrics_timestamp_seconds")) ||
		!find(&st, "fraudblock_queries_checked_total")) {
		free(st.s);
		return ctl_fail(cfg->metrics_file, "not a metrics file of "
			"the fraudblock module (its timestamp or query count "
			"is missing)");
	}
	if(!ctl_view_open(cfg, &vw)) {
		free(st.s);
		return CTL_ERROR;
	}
	v.cfg = cfg;
	v.st = &st;
	v.written = ts->d;
	v.now = (int64_t)time(NULL);
	if(json)
		print_json(&v, vw.r);
	else
		print_table(&v, vw.r);
	ctl_view_close(&vw);
	free(st.s);
	return 0;
}
