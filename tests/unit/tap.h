/**
 * \file
 * A minimal TAP (Test Anything Protocol) producer for the unit tests.
 * Automake's tap-driver.sh reads the output, counts every "ok"/"not ok"
 * line and reports each failure with the file:line printed here.
 *
 *	ok(cond, "what must hold");
 *	is_int(got, want, "what");
 *	is_str(got, want, "what");
 *	return done_testing();
 *
 * Not thread-safe; one test program, one thread.
 */
#ifndef FB_TAP_H
#define FB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

/** Record one test point. @return cond, so callers can skip follow-ups. */
static int tap_ok(int cond, const char *file, int line, const char *what)
{
	tap_count++;
	if(!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, what);
	if(!cond)
		printf("# failed at %s:%d\n", file, line);
	return cond;
}

#define ok(cond, what) tap_ok(!!(cond), __FILE__, __LINE__, (what))

#define is_int(got, want, what) do { \
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want); \
	if(!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__, (what))) \
		printf("# got %lld, want %lld\n", tap_g_, tap_w_); \
	} while(0)

#define is_str(got, want, what) do { \
	const char *tap_g_ = (got), *tap_w_ = (want); \
	if(!tap_ok(tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0, \
	    __FILE__, __LINE__, (what))) \
		printf("# got '%s', want '%s'\n", tap_g_ ? tap_g_ : "(null)", \
		    tap_w_ ? tap_w_ : "(null)"); \
	} while(0)

/** Print the plan; @return the exit status for main(). */
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* FB_TAP_H */
