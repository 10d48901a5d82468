/*
 * pool: runs fn(i) for i in [0, n) on up to jobs threads.  Items are
 * handed out one at a time from a shared counter, so uneven pages balance
 * themselves.  fn must only touch item i's own data.
 */
#ifndef RUNBOOKC_POOL_H
#define RUNBOOKC_POOL_H

#include <stddef.h>

typedef void (*pool_fn)(void *ud, size_t i);

void pool_run(size_t n, int jobs, pool_fn fn, void *ud);
/* The number of online processors (at least 1). */
int pool_default_jobs(void);

#endif
