/**
 * \file
 * The fault guard (see fb_guard.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include "fb_guard.h"

#define MAX_RANGES 8

/** The thread's armed guard, or NULL.  Touched by the thread before it
 * arms, so the signal handler never makes the TLS block allocate. */
static __thread struct fb_guard *current;

static struct sigaction previous;
static int installed, exit_status;
static uintptr_t range_lo[MAX_RANGES], range_hi[MAX_RANGES];
static volatile sig_atomic_t nranges;
static char range_what[256];

void fb_guard_arm(struct fb_guard *g)
{
	g->fault = 0;
	current = g;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	g->armed = 1;
}

void fb_guard_leave(struct fb_guard *g)
{
	g->armed = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	current = NULL;
}

void fb_guard_disarm(struct fb_guard *g)
{
	g->armed = 0;
	current = NULL;
}

static int in_ranges(uintptr_t a)
{
	int i;
	for(i = 0; i < nranges; i++)
		if(a >= range_lo[i] && a < range_hi[i])
			return 1;
	return 0;
}

/** write(2) a message from a signal handler. */
static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));
	(void)r;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct fb_guard *g = current;
	int ours = in_ranges((uintptr_t)si->si_addr);
	/* armed, the thread runs only store code: an access past the end
	 * of a mapped file is the store's even where no range is known yet
	 * (a store being opened) */
	if(g && g->armed && (ours || si->si_code == BUS_ADRERR)) {
		g->armed = 0;
		g->fault = sig;
		siglongjmp(g->jb, 1);
	}
	if(ours && exit_status) {
		say("fraudblock: the store ");
		say(range_what);
		say(" was truncated or damaged while in use (SIGBUS reading "
			"it); never copy over or edit the live files: run "
			"fraudblock-ctl verify, and fraudblock-ctl restore a "
			"backup if it fails\n");
		_exit(exit_status);
	}
	/* not ours: what was in place before decides */
	if(previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, uc);
		return;
	}
	if(previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	/* the default action: returning re-runs the faulting access */
	signal(sig, SIG_DFL);
}

int fb_guard_thread_init(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGBUS);
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0;
}

int fb_guard_install(int status)
{
	struct sigaction sa;
	if(status)
		exit_status = status;
	if(__atomic_exchange_n(&installed, 1, __ATOMIC_SEQ_CST))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, &previous) == 0;
}

void fb_guard_set_ranges(const uintptr_t *lo, const uintptr_t *hi, int n,
	const char *what)
{
	int i;
	nranges = 0;
	if(n > MAX_RANGES)
		n = MAX_RANGES;
	for(i = 0; i < n; i++) {
		range_lo[i] = lo[i];
		range_hi[i] = hi[i];
	}
	snprintf(range_what, sizeof(range_what), "%s", what ? what : "");
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	nranges = n;
}

void fb_guard_lmdb_assert(MDB_env *env, const char *msg)
{
	struct fb_guard *g = current;
	(void)env;
	if(g && g->armed) {
		g->armed = 0;
		g->fault = FB_GUARD_ASSERT;
		siglongjmp(g->jb, 1);
	}
	fprintf(stderr, "fraudblock: LMDB found the store damaged (%s); run "
		"fraudblock-ctl verify, and restore a backup if it fails\n",
		msg);
}
