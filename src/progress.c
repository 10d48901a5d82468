/*
 * progress: a terminal progress line drawn by its own thread (see
 * progress.h).  The counters are C11 atomics: stages bump them from the
 * pool's threads while the drawing thread reads them.
 */
#include "progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "str.h"

#define TICK_NS 100000000L	/* redrawn ten times a second */

struct progress {
	pthread_t thread;
	pthread_mutex_t lock;	/* around drawing and erasing */
	_Atomic(const char *) what;
	atomic_size_t done, total;
	atomic_bool stop;
	double after;		/* seconds before the line appears */
	struct timespec start;
	bool shown;		/* only the drawing thread touches it */
};

static double
elapsed(const struct progress *pr)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - pr->start.tv_sec) +
	    (double)(now.tv_nsec - pr->start.tv_nsec) / 1e9;
}

static void
draw(struct progress *pr)
{
	const char *what;
	size_t done, total;
	double t = elapsed(pr);

	if (t < pr->after)
		return;
	/* Under the lock: a phase hidden meanwhile is not drawn again. */
	pthread_mutex_lock(&pr->lock);
	what = atomic_load(&pr->what);
	done = atomic_load(&pr->done);
	total = atomic_load(&pr->total);
	if (what && total)
		fprintf(stderr, "\rrunbookc: %s %zu/%zu, %.1f s\033[K", what,
		    done < total ? done : total, total, t);
	else if (what)
		fprintf(stderr, "\rrunbookc: %s, %.1f s\033[K", what, t);
	if (what) {
		fflush(stderr);
		pr->shown = true;
	}
	pthread_mutex_unlock(&pr->lock);
}

static void
erase(struct progress *pr)
{
	pthread_mutex_lock(&pr->lock);
	if (pr->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		pr->shown = false;
	}
	pthread_mutex_unlock(&pr->lock);
}

static void *
run(void *arg)
{
	struct progress *pr = arg;
	struct timespec tick = { 0, TICK_NS };

	while (!atomic_load(&pr->stop)) {
		nanosleep(&tick, NULL);
		if (!atomic_load(&pr->stop))
			draw(pr);
	}
	erase(pr);
	return NULL;
}

struct progress *
progress_open(void)
{
	struct progress *pr;
	const char *after = getenv("RUNBOOKC_PROGRESS_AFTER");

	if (!isatty(2) || getenv("TERM") == NULL)
		return NULL;
	pr = xcalloc(1, sizeof(*pr));
	pr->after = after && *after ? atof(after) : 1.0;
	clock_gettime(CLOCK_MONOTONIC, &pr->start);
	atomic_init(&pr->what, NULL);
	atomic_init(&pr->done, 0);
	atomic_init(&pr->total, 0);
	atomic_init(&pr->stop, false);
	pthread_mutex_init(&pr->lock, NULL);
	if (pthread_create(&pr->thread, NULL, run, pr) != 0) {
		pthread_mutex_destroy(&pr->lock);
		free(pr);
		return NULL;
	}
	return pr;
}

void
progress_close(struct progress *pr)
{
	if (pr == NULL)
		return;
	atomic_store(&pr->stop, true);
	pthread_join(pr->thread, NULL);
	pthread_mutex_destroy(&pr->lock);
	free(pr);
}

void
progress_phase(struct progress *pr, const char *what, size_t total)
{
	if (pr == NULL)
		return;
	atomic_store(&pr->total, total);
	atomic_store(&pr->done, 0);
	atomic_store(&pr->what, what);
	draw(pr);	/* now, not at the next tick */
}

void
progress_hide(struct progress *pr)
{
	if (pr == NULL)
		return;
	atomic_store(&pr->what, NULL);
	erase(pr);
}

void
progress_tick(struct progress *pr)
{
	if (pr)
		atomic_fetch_add_explicit(&pr->done, 1, memory_order_relaxed);
}
