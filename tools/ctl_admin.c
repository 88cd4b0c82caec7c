/**
 * \file
 * fraudblock-ctl maintenance commands (lib/fb_admin.h does the work):
 *
 *	backup FILE		a compacted copy of the store as one file;
 *				read-only, runs beside the resolver and sync
 *	restore FILE		swap a backup in; the resolver reopens by
 *				itself
 *	compact			swap in a compacted copy; prints the size
 *				of data.mdb before and after
 *	verify			walk every record; exit 0 clean, 1 problems
 *	check-config [FILE]	parse fraudblock.conf as the module does;
 *				exit 0 good, 1 refused
 *
 * Failures print "fraudblock-ctl: why" (fb_admin's messages name the file
 * or directory) and exit CTL_ERROR.  A store
 * swapped by another restore or compact while this one waited for the
 * writer lock is reported as "store replaced ... run it again".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fb_config.h"
#include "fb_store.h"
#include "fb_admin.h"
#include "ctl.h"

/** Bytes as an exact count and in MiB. */
static void print_size(const char *label, uint64_t bytes)
{
	printf("%s %llu bytes (%.1f MiB)\n", label, (unsigned long long)bytes,
		(double)bytes / (1024.0 * 1024.0));
}

/** Print the note of a swap that worked but has something to say. */
static void print_note(const struct fb_swap_result *res)
{
	if(!res->note[0])
		return;
	printf("note: ");
	ctl_put_safe(stdout, res->note);
	putchar('\n');
}

int ctl_cmd_backup(const struct fb_config *cfg, const char *file)
{
	struct ctl_view vw;
	uint64_t bytes = 0;
	char err[1024];
	int ok;

	/* read-only: a backup never waits for a writer */
	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	ok = fb_store_backup(vw.st, file, &bytes, err, sizeof(err));
	ctl_view_close(&vw);
	if(!ok)
		return ctl_fail_msg(err);
	printf("backup of %s written to ", cfg->database);
	ctl_put_safe(stdout, file);
	printf(" (%llu bytes)\n", (unsigned long long)bytes);
	return 0;
}

int ctl_cmd_restore(const struct fb_config *cfg, const char *file)
{
	struct fb_swap_result res;
	char err[1024];

	if(!fb_store_restore(cfg->database, file, &res, err, sizeof(err)))
		return ctl_fail_msg(err);
	ctl_put_safe(stdout, file);
	printf(" restored into %s, generation %llu\n", cfg->database,
		(unsigned long long)res.generation);
	print_size("data.mdb before", res.bytes_before);
	print_size("data.mdb after ", res.bytes_after);
	print_note(&res);
	return 0;
}

int ctl_cmd_compact(const struct fb_config *cfg)
{
	struct fb_swap_result res;
	struct fb_store *st;
	char err[1024];
	int ok;

	if(!(st = ctl_store_write(cfg)))
		return CTL_ERROR;
	ok = fb_store_compact(st, &res, err, sizeof(err));
	/* stale after a swap: its files are gone from the directory */
	fb_store_close(st);
	if(!ok)
		return ctl_fail_msg(err);
	printf("compacted %s, generation %llu\n", cfg->database,
		(unsigned long long)res.generation);
	print_size("data.mdb before", res.bytes_before);
	print_size("data.mdb after ", res.bytes_after);
	print_note(&res);
	return 0;
}

/** fb_verify_cb: one line per problem told. */
static void print_problem(void *arg, enum fb_verify_kind kind,
	const char *what)
{
	(void)arg;
	printf("problem: %s: ", fb_verify_kind_name(kind));
	ctl_put_safe(stdout, what);
	putchar('\n');
}

int ctl_cmd_verify(const struct fb_config *cfg)
{
	struct fb_verify_result res;
	struct ctl_view vw;
	char err[1024];
	int v, k;

	if(!ctl_view_open(cfg, &vw))
		return CTL_ERROR;
	v = fb_store_verify(vw.st, print_problem, NULL, &res, err,
		sizeof(err));
	ctl_view_close(&vw);
	if(v < 0)
		return ctl_fail_msg(err);
	for(k = 0; k < FB_VERIFY_NKINDS; k++)
		if(res.kind[k] > FB_VERIFY_SHOW)
			printf("problem: %s: %llu more not shown\n",
				fb_verify_kind_name((enum fb_verify_kind)k),
				(unsigned long long)(res.kind[k] -
				FB_VERIFY_SHOW));
	printf("%s: generation %llu, %llu names, %llu records, %llu in "
		"bysource, %llu sources, %llu chunk records (index in force "
		"for %llu feeds): ", cfg->database,
		(unsigned long long)res.generation,
		(unsigned long long)res.keys,
		(unsigned long long)res.records,
		(unsigned long long)res.bysource,
		(unsigned long long)res.sources,
		(unsigned long long)res.chunks,
		(unsigned long long)res.chunked);
	if(v == 1) {
		printf("clean\n");
		return 0;
	}
	printf("%llu problems (", (unsigned long long)res.problems);
	for(k = 0; k < FB_VERIFY_NKINDS; k++)
		printf("%s%s %llu", k ? ", " : "",
			fb_verify_kind_name((enum fb_verify_kind)k),
			(unsigned long long)res.kind[k]);
	printf(")\n");
	return 1;
}

int ctl_cmd_check_config(const char *path)
{
	struct fb_config *cfg;
	char err[1024];

	/* the same call the module makes at start and on every reload */
	if(!fb_config_load(path, &cfg, err, sizeof(err))) {
		/* "file:line: what", as compilers say it, for editors */
		ctl_put_safe(stderr, err);
		fputc('\n', stderr);
		return 1;
	}
	fb_config_free(cfg);
	ctl_put_safe(stdout, path);
	printf(": ok\n");
	return 0;
}
