#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "str.h"

#define POOL_MAX_JOBS 256

struct pool {
	atomic_size_t next;
	size_t n;
	pool_fn fn;
	void *ud;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->ud, i);
	return NULL;
}

void
pool_run(size_t n, int jobs, pool_fn fn, void *ud)
{
	struct pool p;
	pthread_t *t;
	int i, started = 0;

	if (jobs > POOL_MAX_JOBS)
		jobs = POOL_MAX_JOBS;
	if ((size_t)jobs > n)
		jobs = (int)n;
	atomic_init(&p.next, 0);
	p.n = n;
	p.fn = fn;
	p.ud = ud;
	if (jobs <= 1) {
		worker(&p);
		return;
	}
	t = xcalloc((size_t)jobs, sizeof(*t));
	/* This thread works too; the others join it. */
	for (i = 0; i < jobs - 1; i++)
		if (pthread_create(&t[i], NULL, worker, &p) == 0)
			started++;
		else
			break;
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
}

static void *
task_main(void *arg)
{
	struct pool_task *t = arg;

	t->fn(t->ud);
	return NULL;
}

void
pool_task_start(struct pool_task *t, int jobs, void (*fn)(void *ud),
    void *ud)
{
	t->fn = fn;
	t->ud = ud;
	t->running = jobs > 1 &&
	    pthread_create(&t->thread, NULL, task_main, t) == 0;
	if (!t->running)
		fn(ud);
}

void
pool_task_join(struct pool_task *t)
{
	if (t->running)
		pthread_join(t->thread, NULL);
	t->running = false;
}

int
pool_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > POOL_MAX_JOBS ? POOL_MAX_JOBS : (int)n;
}
