/**
 * \file
 * The list in force: the one store environment the module has open, and
 * its life.  The module keeps exactly one LMDB environment per process
 * (LMDB forbids two on the same files): it is opened at start (or when the
 * store first appears), adopts a larger map size in place after a writer
 * grew it, is closed and opened anew only when data.mdb or lock.mdb is
 * really another file (a restore, a fresh store) or a read faulted, and
 * is put out of use (queries pass unchecked) while its files are shorter
 * than they must be.  Every change happens with the workers kept out by
 * the gate (fb_thread.h), from init() or the watch thread only.
 */
#ifndef FB_LIST_H
#define FB_LIST_H

struct fb_module;
struct fb_reader;

/**
 * Open the store if it is there (init(): no workers yet).  Logs once if
 * it cannot; the gate stays closed then.
 */
void fb_list_open_first(struct fb_module *m);

/**
 * Keep the list in force in step with its files; the watch thread calls
 * it every poll.  A reader of the watch thread's own is freed (and set
 * NULL) before the store it reads is closed.
 * @return 1 if m->store was opened anew (or first opened) by this call.
 */
int fb_list_maintain(struct fb_module *m, struct fb_reader **watch_reader);

/** Close the store (deinit: workers and watch thread are stopped). */
void fb_list_close(struct fb_module *m);

#endif /* FB_LIST_H */
