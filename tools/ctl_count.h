/**
 * \file
 * A table of counts keyed by byte strings, for fraudblock-ctl top and
 * report: memory bounded by the keys it holds, and by a cap on their
 * number.
 *
 * Keys come from the query log, so from DNS clients: the hash is
 * SipHash-2-4 with a random key per table, so that nobody can choose
 * names that all land in one chain and make a report take hours.
 * Open addressing, load at most 1/2; keys are copied into large blocks
 * (one allocation per MiB, not per key).
 *
 * When the table holds max_keys keys, a new key is not added:
 * ctl_count_get() returns NULL and the table remembers it was capped, so
 * the output can say that its figures are lower bounds.
 *
 * Not thread-safe.
 */
#ifndef FB_CTL_COUNT_H
#define FB_CTL_COUNT_H

#include <stddef.h>
#include <stdint.h>

/** One key and what is counted for it. */
struct ctl_count_item {
	const char *key;	/**< its bytes, NUL-terminated (may hold NULs) */
	size_t len;		/**< bytes in key, the terminating NUL not counted */
	uint64_t hash;		/**< SipHash of the key */
	uint64_t n[3];		/**< the caller's counters, 0 at first */
};

/** The table. */
struct ctl_count;

/** @return a new empty table for at most max_keys keys, or NULL. */
struct ctl_count *ctl_count_new(size_t max_keys);

/** Free a table (NULL is fine). */
void ctl_count_free(struct ctl_count *t);

/**
 * Find a key, adding it (counters 0) if it is new.
 * @param added: out (may be NULL): 1 if it was added now.
 * @return the item, valid until the next call; NULL when the key is new
 *	and the table is full (capped) or memory ran out (nomem).
 */
struct ctl_count_item *ctl_count_get(struct ctl_count *t, const void *key,
	size_t len, int *added);

/** @return the number of keys. */
size_t ctl_count_size(const struct ctl_count *t);

/** @return 1 if a key was refused because the table was full. */
int ctl_count_capped(const struct ctl_count *t);

/** @return 1 if a key was refused for lack of memory. */
int ctl_count_nomem(const struct ctl_count *t);

/**
 * The items, sorted.
 * @param cmp: qsort comparison of two (const struct ctl_count_item **).
 * @param n: out: how many.
 * @return an array of pointers into the table, to free(); NULL with *n 0
 *	when empty or out of memory (then *n is SIZE_MAX).
 */
struct ctl_count_item **ctl_count_sorted(struct ctl_count *t,
	int (*cmp)(const void *, const void *), size_t *n);

#endif /* FB_CTL_COUNT_H */
