/*
 * inputs: stat-then-hash records of a build's input files (see inputs.h).
 */
#include "inputs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsutil.h"
#include "pool.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long
ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

void
inputs_add(struct input_set *s, const struct input_file *f)
{
	size_t i = hmap_index(&s->index, f->path);

	if (i != HMAP_NONE) {
		char *path = s->v[i].path;

		s->v[i] = *f;
		s->v[i].path = path;
		return;
	}
	s->v = xgrow(s->v, &s->cap, s->n, sizeof(*s->v));
	s->v[s->n] = *f;
	s->v[s->n].path = xstrdup(f->path);
	s->n++;
	/* The index borrows the path (a string of its own, which does not
	 * move when the array does) and stores a position. */
	hmap_put_index(&s->index, s->v[s->n - 1].path, s->n - 1);
}

const struct input_file *
inputs_get(const struct input_set *s, const char *path)
{
	size_t i = hmap_index(&s->index, path);

	return i != HMAP_NONE ? &s->v[i] : NULL;
}

struct input_file *
inputs_find(struct input_set *s, const char *path)
{
	size_t i = hmap_index(&s->index, path);

	return i != HMAP_NONE ? &s->v[i] : NULL;
}

void
inputs_free(struct input_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	hmap_free(&s->index);
	memset(s, 0, sizeof(*s));
}

/* prev's record of f, when the file system still says the same and the
 * record was taken safely after the file's last change. */
static const struct input_file *
trusted(const struct input_set *prev, const struct input_file *f)
{
	const struct input_file *r = prev ? inputs_get(prev, f->path) : NULL;

	if (r == NULL || r->size != f->size || r->mtime_ns != f->mtime_ns ||
	    r->ctime_ns != f->ctime_ns || r->ino != f->ino ||
	    r->dev != f->dev)
		return NULL;
	return r->ctime_ns + INPUTS_RACY_NS < r->taken_ns ? r : NULL;
}

/* The record of content/rel into *out (its path is rel's); -1 when the
 * file cannot be read.  Reads only prev: safe on the pool. */
static int
take_one(struct input_file *out, const char *content, const char *rel,
    size_t max, const struct input_set *prev, bool defer)
{
	struct input_file f;
	const struct input_file *r;
	struct stat st;
	char *path = path_join(content, rel), *data, err[256];
	size_t len;

	memset(&f, 0, sizeof(f));
	f.path = (char *)rel;
	f.taken_ns = now_ns();
	/* A file over the limit is one the build cannot read, whatever a
	 * record says of it: no fingerprint then, as in a cold build. */
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size > max) {
		free(path);
		return -1;
	}
	f.size = (long long)st.st_size;
	f.mtime_ns = ts_ns(&st.st_mtim);
	f.ctime_ns = ts_ns(&st.st_ctim);
	f.ino = (unsigned long long)st.st_ino;
	f.dev = (unsigned long long)st.st_dev;
	f.mode = (unsigned)st.st_mode & 07777;
	if ((r = trusted(prev, &f)) != NULL) {
		f.hash = r->hash;
		f.taken_ns = r->taken_ns;
	} else if (defer && (unsigned long long)st.st_size <= max) {
		f.pending = true;
	} else {
		if (fs_read(path, max, &data, &len, err, sizeof(err)) != 0) {
			free(path);
			return -1;
		}
		f.hash = str_hash(data, len, STR_HASH_SEED);
		free(data);
	}
	free(path);
	*out = f;
	return 0;
}

struct take_job {
	const char *content;
	const struct strv *paths;
	size_t max;
	const struct input_set *prev;
	bool defer;
	struct input_file *got;
	int *rc;
};

static void
take_at(void *ud, size_t i)
{
	struct take_job *j = ud;

	j->rc[i] = take_one(&j->got[i], j->content, j->paths->v[i], j->max,
	    j->prev, j->defer);
}

int
inputs_take(struct input_set *now, const char *content,
    const struct strv *paths, size_t max, const struct input_set *prev,
    bool defer, int jobs)
{
	struct take_job j = { content, paths, max, prev, defer, NULL, NULL };
	size_t i;
	int rc = 0;

	j.got = xcalloc(paths->n + 1, sizeof(*j.got));
	j.rc = xcalloc(paths->n + 1, sizeof(*j.rc));
	/* A stat of each file, and a read of those it does not vouch for:
	 * on the pool, then recorded in order. */
	pool_run(paths->n, jobs, take_at, &j);
	for (i = 0; i < paths->n && rc == 0; i++) {
		if (j.rc[i] < 0)
			rc = -1;
		else
			inputs_add(now, &j.got[i]);
	}
	free(j.got);
	free(j.rc);
	return rc;
}
