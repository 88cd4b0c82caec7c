/**
 * \file
 * Hand-made entries (fraudblock-ctl allow, block, unblock), kept apart
 * from every feed: source FB_SOURCE_ALLOW for allow entries and
 * FB_SOURCE_BLOCK for blocks.  Each call is one committed transaction that
 * bumps the generation when it changed anything.
 */
#ifndef FB_MANUAL_H
#define FB_MANUAL_H

#include <stddef.h>
#include <stdint.h>
#include "fb_store.h"

/**
 * Set a hand-made entry: allow (action FB_ACTION_ALLOW) or block (any
 * other action).  Setting one removes the other for the same key.
 * @return 1 changed, 0 already so, -1 on error (err set).
 */
int fb_store_manual_set(struct fb_store *st, const struct fb_key *key,
	uint8_t scope, enum fb_action action, int64_t now, char *err,
	size_t errlen);

/**
 * Remove hand-made allow and block entries of exactly this key.
 * @return number removed (0..2), -1 on error (err set).
 */
int fb_store_manual_remove(struct fb_store *st, const struct fb_key *key,
	char *err, size_t errlen);

#endif /* FB_MANUAL_H */
