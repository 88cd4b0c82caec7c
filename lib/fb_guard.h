/**
 * \file
 * The fault guard: a store file truncated or rewritten under a running
 * process makes reads of its mapping fault (SIGBUS), and LMDB asserts
 * (abort) on some damaged pages.  Neither may take a resolver down.
 *
 * A thread arms its guard around code that reads the store:
 *
 *	fb_guard_arm(&g);
 *	if(sigsetjmp(g.jb, 0) != 0) {
 *		fb_guard_disarm(&g);
 *		...the read faulted: fail open; g.fault says how...
 *	} else {
 *		...read the store...
 *		fb_guard_leave(&g);
 *	}
 *
 * (sigsetjmp must be called in the frame that stays alive, so this cannot
 * be a function.)  A SIGBUS while this thread's guard is armed, at an
 * address inside the store's mappings (fb_guard_set_ranges) or past the
 * end of a mapped file (BUS_ADRERR: a store being opened), or an LMDB
 * assertion on an env whose assert callback is fb_guard_lmdb_assert while
 * armed, jumps back to the sigsetjmp, which then returns 1.  Any other fault is handed on to
 * the action that was in place before (by default: the process dies, as
 * it should for a bug).  Arming costs a sigsetjmp without the signal mask
 * (no system call): the handler runs with SA_NODEFER, so the mask needs
 * no restoring after the jump.
 *
 * Programs that never jump (the tools) use fb_guard_install(STATUS): a
 * fault in the store's mappings then ends the program with a message
 * naming the store and that exit status, instead of a crash with no word
 * of why.
 */
#ifndef FB_GUARD_H
#define FB_GUARD_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <lmdb.h>

struct fb_guard {
	sigjmp_buf jb;
	/** 1 while the thread is inside the guarded code */
	volatile sig_atomic_t armed;
	/** what ended the last guarded section early: SIGBUS, or
	 * FB_GUARD_ASSERT for an LMDB assertion */
	volatile sig_atomic_t fault;
};
#define FB_GUARD_ASSERT (-1)

/** Make g this thread's guard and arm it. */
void fb_guard_arm(struct fb_guard *g);
/** Leave the guarded code. */
void fb_guard_leave(struct fb_guard *g);
/** Forget this thread's guard after a fault. */
void fb_guard_disarm(struct fb_guard *g);

/**
 * Install the SIGBUS handler once per process (later calls only change
 * the exit status).
 * @param exit_status: 0 for the module; a tool's exit status for an
 *	unguarded fault in the store's mappings, which then prints a message
 *	and exits.
 * @return 1 on success, 0 if sigaction failed.
 */
int fb_guard_install(int exit_status);

/**
 * Let SIGBUS reach this thread.  A synchronous fault on a blocked signal
 * kills the process whatever handler is installed, and Unbound blocks
 * every signal in its worker threads: each thread that arms a guard calls
 * this once (a system call, so never per query).
 * @return 1 on success.
 */
int fb_guard_thread_init(void);

/**
 * Say where the store's files are mapped: faults outside these ranges
 * are never taken for store faults.  Call while no guard is armed (the
 * module quiesces its workers around a reopen).
 * @param n: ranges (at most 8); 0 clears.
 * @param what: the store's directory, for the tools' message.
 */
void fb_guard_set_ranges(const uintptr_t *lo, const uintptr_t *hi, int n,
	const char *what);

/** An MDB_assert_func: jump out when armed; otherwise say what LMDB found
 * and let it abort. */
void fb_guard_lmdb_assert(MDB_env *env, const char *msg);

#endif /* FB_GUARD_H */
