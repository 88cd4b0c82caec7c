/**
 * \file
 * Fuzz harness for fraudblock.conf: fb_config_load() and fb_config_free()
 * (lib/fb_config.h).  The parser reads a file, so each input is written
 * to one temporary file, made once per process and rewritten every time.
 *
 * Properties checked on every input:
 * - a refusal returns NULL and a message naming the file;
 * - an accepted file holds only values the contract allows: the database
 *   is an absolute path, every feed has a name (well-formed, unique,
 *   findable by fb_config_feed()) and a source, every number is inside
 *   its documented range, and TLS settings (ca-file, pin) belong to an
 *   https:// source.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "fuzz.h"
#include "fb_config.h"

/** The temporary file, and its descriptor (-1 before the first input). */
static char conf_path[512];
static int conf_fd = -1;

/** atexit: leave no temporary file behind. */
static void
remove_conf(void)
{
	if(conf_fd != -1)
		unlink(conf_path);
}

/** Make the temporary file; a harness that cannot is of no use. */
static void
make_conf(void)
{
	const char *dir = getenv("TMPDIR");

	if(!dir || !*dir)
		dir = P_tmpdir;
	snprintf(conf_path, sizeof(conf_path), "%s/fb-fuzz-conf-XXXXXX", dir);
	if((conf_fd = mkstemp(conf_path)) == -1) {
		fprintf(stderr, "fuzz_config: mkstemp %s: %s\n", conf_path,
			strerror(errno));
		abort();
	}
	atexit(remove_conf);
}

/**
 * Replace the file's contents by the input.  Written over, then cut to
 * size: truncating to zero first would make ext4 start writing the file
 * out at every close (its auto_da_alloc guard), a disk write per input.
 */
static void
write_conf(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t w;

	while(done < size) {
		w = pwrite(conf_fd, data + done, size - done, (off_t)done);
		if(w == -1 && errno == EINTR)
			continue;
		if(w <= 0) {
			fprintf(stderr, "fuzz_config: write %s: %s\n",
				conf_path, strerror(errno));
			abort();
		}
		done += (size_t)w;
	}
	if(ftruncate(conf_fd, (off_t)size) == -1) {
		fprintf(stderr, "fuzz_config: ftruncate %s: %s\n", conf_path,
			strerror(errno));
		abort();
	}
}

/** Check one feed clause of an accepted file. */
static void
check_feed(const struct fb_config *cfg, size_t i)
{
	const struct fb_feed_conf *f = &cfg->feeds[i];
	size_t n, j;

	FUZZ_CHECK(f->name != NULL && f->source != NULL);
	n = strlen(f->name);
	FUZZ_CHECK(n >= 1 && n <= 63);
	FUZZ_CHECK(strspn(f->name, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n);
	FUZZ_CHECK(strcasecmp(f->name, "manual-allow") != 0 &&
		strcasecmp(f->name, "manual-block") != 0);
	for(j = 0; j < i; j++)
		FUZZ_CHECK(strcmp(cfg->feeds[j].name, f->name) != 0);
	FUZZ_CHECK(fb_config_feed(cfg, f->name) == f);
	FUZZ_CHECK(f->source[0] != 0);
	FUZZ_CHECK(f->format == FB_FORMAT_DOMAINS ||
		f->format == FB_FORMAT_HOSTS);
	FUZZ_CHECK(f->action <= FB_ACTION_NODATA);
	FUZZ_CHECK(f->category <= FB_CATEGORY_OTHER);
	FUZZ_CHECK(f->max_shrink <= 100);
	FUZZ_CHECK(f->max_size >= (uint64_t)1 << 20 &&
		f->max_size <= (uint64_t)65536 << 20);
	FUZZ_CHECK(f->max_download >= (uint64_t)1 << 20 &&
		f->max_download <= (uint64_t)65536 << 20);
	FUZZ_CHECK(f->timeout >= 1 && f->timeout <= 3600);
	FUZZ_CHECK(f->retries <= 10);
	/* TLS settings only on https sources, and well-formed */
	FUZZ_CHECK((!f->ca_file && !f->pin) ||
		strncasecmp(f->source, "https://", 8) == 0);
	FUZZ_CHECK(!f->ca_file || f->ca_file[0] == '/');
	FUZZ_CHECK(!f->pin || strncmp(f->pin, "sha256//", 8) == 0);
	FUZZ_CHECK(f->line >= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* not NULL, so a failure must be seen to clear it */
	static struct fb_config sentinel;
	struct fb_config *cfg = &sentinel;
	char err[256];
	size_t i;

	if(conf_fd == -1)
		make_conf();
	write_conf(data, size);
	memset(err, 0xa5, sizeof(err));
	if(!fb_config_load(conf_path, &cfg, err, sizeof(err))) {
		FUZZ_CHECK(cfg == NULL);
		FUZZ_CHECK(memchr(err, 0, sizeof(err)) != NULL);
		/* every error names the file */
		FUZZ_CHECK(strncmp(err, conf_path, strlen(conf_path)) == 0);
		FUZZ_CHECK(err[strlen(conf_path)] == ':');
		return 0;
	}
	FUZZ_CHECK(cfg != NULL);
	FUZZ_CHECK(cfg->path != NULL && strcmp(cfg->path, conf_path) == 0);
	FUZZ_CHECK(cfg->database != NULL && cfg->database[0] == '/');
	FUZZ_CHECK(cfg->max_db_size >= (uint64_t)1 << 20 &&
		cfg->max_db_size <= (uint64_t)1048576 << 20);
	FUZZ_CHECK(cfg->sinkhole_ttl <= 86400);
	FUZZ_CHECK(cfg->poll_ms >= 10 && cfg->poll_ms <= 60000);
	FUZZ_CHECK(cfg->default_action == FB_ACTION_SINKHOLE ||
		cfg->default_action == FB_ACTION_NXDOMAIN ||
		cfg->default_action == FB_ACTION_NODATA);
	FUZZ_CHECK(cfg->nfeeds == 0 || cfg->feeds != NULL);
	for(i = 0; i < cfg->nfeeds; i++)
		check_feed(cfg, i);
	FUZZ_CHECK(fb_config_feed(cfg, "") == NULL);
	fb_config_free(cfg);
	return 0;
}
