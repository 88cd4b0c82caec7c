/**
 * \file
 * fraudblock-ctl's query log commands:
 *
 * - log-reopen: make the module's log writer reopen log-file now (after a
 *   rotation, from logrotate's postrotate).  It creates the trigger file
 *   log-file + ".reopen", which the writer looks for every 100 ms and
 *   removes once the new file is open; the command waits for that (5 s at
 *   most), so when it returns 0 every later record is in the new file.
 *   No signal is involved: Unbound owns SIGHUP and SIGUSR1.
 * - log-prune: delete rotated log files (in log-file's directory, named
 *   log-file's name followed by '.' or '-': "querylog.json.1",
 *   "querylog.json.2.gz", "querylog.json-20261201") last modified more
 *   than log-retention-days days ago.  A rotated file's modification time
 *   is that of its newest record, so every record in a deleted file was
 *   older than the limit.  The live file is never rewritten (the writer
 *   appends to it): rotate it daily, so it never holds more than a day.
 * - log-key-rotate: replace hash mode's key file with a new random key
 *   (created if absent); the module takes it within a second.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fb_config.h"
#include "fb_qlog.h"
#include "ctl.h"

/** How long log-reopen waits for the writer, in 50 ms steps (5 s). */
#define REOPEN_STEPS 100

/** @return 1 if the config has a log file, else 0 after saying so. */
static int
need_file(const struct fb_config *cfg, const char *cmd)
{
	if(cfg->log.file)
		return 1;
	ctl_fail(cmd, "no log-file in the configuration");
	return 0;
}

int
ctl_cmd_log_reopen(const struct fb_config *cfg)
{
	struct timespec ts = { 0, 50 * 1000000L };
	char trigger[4200];
	int fd, i;

	if(!need_file(cfg, "log-reopen"))
		return CTL_ERROR;
	snprintf(trigger, sizeof(trigger), "%s.reopen", cfg->log.file);
	if((fd = open(trigger, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		0600)) < 0)
		return ctl_fail(trigger, strerror(errno));
	close(fd);
	for(i = 0; i < REOPEN_STEPS; i++) {
		if(access(trigger, F_OK) != 0) {
			printf("query log %s reopened\n", cfg->log.file);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	unlink(trigger);
	return ctl_fail("log-reopen", "no running module took the request "
		"within 5 s (is Unbound running with fraudblock and this "
		"log-file?)");
}

int
ctl_log_rotated(const char *name, const char *base)
{
	size_t n = strlen(base);

	if(strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-') ||
		name[n + 1] == 0)
		return 0;
	return strcmp(name + n, ".reopen") != 0;
}

int
ctl_cmd_log_prune(const struct fb_config *cfg)
{
	char dir[4200], path[8400];
	const char *base;
	struct dirent *de;
	struct stat st;
	time_t limit;
	DIR *d;
	int removed = 0, ret = 0;

	if(!need_file(cfg, "log-prune"))
		return CTL_ERROR;
	snprintf(dir, sizeof(dir), "%s", cfg->log.file);
	*strrchr(dir, '/') = 0;	/* log-file is absolute */
	base = strrchr(cfg->log.file, '/') + 1;
	if(!dir[0])
		strcpy(dir, "/");
	limit = time(NULL) - (time_t)cfg->log.retention_days * 86400;
	if(!(d = opendir(dir)))
		return ctl_fail(dir, strerror(errno));
	while((de = readdir(d))) {
		if(!ctl_log_rotated(de->d_name, base))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir :
			"", de->d_name);
		/* lstat: a symlink is not ours to follow */
		if(lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
			st.st_mtime >= limit)
			continue;
		if(unlink(path) != 0) {
			ret = ctl_fail(path, strerror(errno));
			continue;
		}
		printf("removed ");
		ctl_put_safe(stdout, path);
		printf("\n");
		removed++;
	}
	closedir(d);
	printf("%d rotated log file%s older than %u days removed\n", removed,
		removed == 1 ? "" : "s", cfg->log.retention_days);
	return ret;
}

int
ctl_cmd_log_key_rotate(const struct fb_config *cfg)
{
	struct fb_qlog_key k;
	char err[4400];

	if(!cfg->log.key_file)
		return ctl_fail("log-key-rotate", "no log-hash-key-file in the "
			"configuration");
	if(!fb_qlog_key_new(cfg->log.key_file, &k, err, sizeof(err)))
		return ctl_fail_msg(err);
	printf("new query log key %s in %s\n", k.id, cfg->log.key_file);
	fb_qlog_key_wipe(&k);
	return 0;
}
