/*
 * progress: the line a long build keeps up to date on a terminal
 * ("runbookc: render 4,213/10,000 pages, 2.1 s").  It appears once the
 * build has run for a second (RUNBOOKC_PROGRESS_AFTER seconds), is
 * redrawn ten times a second by a thread of its own, and is erased when
 * the build ends; it never appears when stderr is not a terminal.
 *
 * Stages name a phase and count their items from any thread; a NULL
 * progress ignores every call, so callers need not care whether it shows.
 */
#ifndef RUNBOOKC_PROGRESS_H
#define RUNBOOKC_PROGRESS_H

#include <stddef.h>

struct progress;

/* A progress line on stderr when it is a terminal, else NULL. */
struct progress *progress_open(void);
/* Erases the line and stops its thread. */
void progress_close(struct progress *pr);

/* A new phase: what (a static string) and how many items (0: unknown). */
void progress_phase(struct progress *pr, const char *what, size_t total);
/* Erases the line until the next phase, before other output. */
void progress_hide(struct progress *pr);
/* One more item of the phase done (thread-safe). */
void progress_tick(struct progress *pr);

#endif
