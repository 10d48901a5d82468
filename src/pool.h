/*
 * pool: runs fn(i) for i in [0, n) on up to jobs threads.  Items are
 * handed out one at a time from a shared counter, so uneven pages balance
 * themselves.  fn must only touch item i's own data.
 */
#ifndef RUNBOOKC_POOL_H
#define RUNBOOKC_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef void (*pool_fn)(void *ud, size_t i);

void pool_run(size_t n, int jobs, pool_fn fn, void *ud);

/*
 * One job beside the caller: pool_task_start() runs fn(ud) on a thread of
 * its own when jobs > 1 and one can be made, else at once (-j 1 means one
 * thread); pool_task_join() returns when it has run.
 */
struct pool_task {
	void (*fn)(void *ud);
	void *ud;
	pthread_t thread;
	bool running;
};

void pool_task_start(struct pool_task *t, int jobs, void (*fn)(void *ud),
    void *ud);
void pool_task_join(struct pool_task *t);
/* The number of online processors (at least 1). */
int pool_default_jobs(void);

#endif
