/*
 * watch: waits for a change under a set of folders and files, for
 * `runbookc build --watch`.  inotify on Linux (every folder of each tree
 * is watched, new folders as they appear); elsewhere, or when inotify is
 * out of watches, a scan of modification times twice a second.
 *
 * Editor droppings (hidden files, "x~", "#x#", vim's "4913") do not count
 * as changes, and neither does anything under the skip path (the output
 * folder, when it lies inside the content).
 */
#ifndef RUNBOOKC_WATCH_H
#define RUNBOOKC_WATCH_H

#include <stddef.h>

struct watch;

/*
 * Starts watching paths[0..n) (folders are watched whole; a path that
 * does not exist is left out).  skip may be NULL.  Returns NULL with a
 * reason in err when nothing can be watched.
 */
struct watch *watch_open(const char *const *paths, size_t n,
    const char *skip, char *err, size_t errlen);

/*
 * Blocks until something changes, then until nothing has changed for
 * settle_ms (editors save in several steps).  Writes the first changed
 * path to what.  Returns 0, or -1 on an error (err filled).
 */
int watch_wait(struct watch *w, int settle_ms, char *what, size_t whatlen,
    char *err, size_t errlen);

void watch_close(struct watch *w);

#endif
