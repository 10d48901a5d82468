#define _GNU_SOURCE	/* copy_file_range */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "pool.h"
#include "str.h"

/* The first window, before the pieces' size is known. */
#define SINK_WINDOW_FIRST	16
/* A piece buffer bigger than this is freed after use, not kept. */
#define SINK_KEEP_CAP		(64UL << 10)
/*
 * The old file is read, and the new one written, this much at a time:
 * the print book of 10,000 pages is 70 MB, and a write() per 7 KB
 * chapter cost 35 ms of the 75 it took on a virtual machine.
 */
#define SINK_IO			(1UL << 20)

/* The current file, when it is a regular one: anything else put there
 * (a FIFO, a symlink) is replaced, never read through or waited on. */
static int
open_old(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void
sink_open(struct sink *k, const char *path)
{
	memset(k, 0, sizeof(*k));
	k->path = xstrdup(path);
	k->tmp = xasprintf("%s.runbookc-tmp", k->path);
	k->old = open_old(k->path);
	k->out = -1;
}

void
sink_open_buf(struct sink *k, struct buf *b)
{
	memset(k, 0, sizeof(*k));
	k->mem = b;
	k->old = k->out = -1;
}

/* The old file's next bytes, read ahead: how many there are at
 * *p (0 at its end, or when it cannot be read). */
static size_t
old_ahead(struct sink *k, const char **p)
{
	if (k->apos == k->alen) {
		ssize_t n;

		if (k->ahead == NULL)
			k->ahead = xmalloc(SINK_IO);
		do
			n = read(k->old, k->ahead, SINK_IO);
		while (n < 0 && errno == EINTR);
		k->alen = n > 0 ? (size_t)n : 0;
		k->apos = 0;
	}
	*p = k->ahead + k->apos;
	return k->alen - k->apos;
}

/* How many of data's first len bytes are the old file's next ones, in
 * whole runs as read: the bytes after them are to be written. */
static size_t
old_matches(struct sink *k, const char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		const char *p;
		size_t n = old_ahead(k, &p);

		if (n == 0)
			break;
		if (n > len - done)
			n = len - done;
		if (memcmp(p, data + done, n) != 0)
			break;
		k->apos += n;
		done += n;
	}
	k->matched += done;
	return done;
}

static int
write_all(int fd, const char *d, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, d, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		d += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies the old file's n bytes at from to out: in the kernel where it
 * can (a reflink on file systems that share extents), else through
 * memory. */
static int
copy_range(int old, size_t from, int out, size_t n)
{
	off_t at = (off_t)from, end = (off_t)(from + n);
	char *chunk;
	int err = 0;

	while (at < end) {
		ssize_t got = copy_file_range(old, &at, out, NULL,
		    (size_t)(end - at), 0);

		if (got <= 0)
			break;
	}
	if (at == end)
		return 0;
	chunk = xmalloc(SINK_IO);
	while (err == 0 && at < end) {
		size_t want = (size_t)(end - at) < SINK_IO ?
		    (size_t)(end - at) : SINK_IO;
		ssize_t got = pread(old, chunk, want, at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			err = got < 0 ? errno : EIO;
		else {
			err = write_all(out, chunk, (size_t)got);
			at += got;
		}
	}
	free(chunk);
	return err;
}

/* Opens the temporary file and copies the matched prefix into it.  The
 * old file stays open: sink_copy_old() copies from it. */
static void
sink_diverge(struct sink *k)
{
	if ((k->out = open(k->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0) {
		k->err = errno;
		return;
	}
	if (k->old >= 0 && k->matched)
		k->err = copy_range(k->old, 0, k->out, k->matched);
	free(k->ahead);
	k->ahead = NULL;
	k->alen = k->apos = 0;
}

static void
flush_pending(struct sink *k)
{
	if (k->err == 0 && k->pending.len)
		k->err = write_all(k->out, k->pending.data, k->pending.len);
	buf_truncate(&k->pending, 0);
}

/* Bytes for the new file, gathered into writes of about SINK_IO. */
static void
out_put(struct sink *k, const char *data, size_t len)
{
	if (k->pending.len + len > SINK_IO)
		flush_pending(k);
	if (len >= SINK_IO) {
		if (k->err == 0)
			k->err = write_all(k->out, data, len);
	} else
		buf_put(&k->pending, data, len);
}

void
sink_put(struct sink *k, const char *data, size_t len)
{
	size_t done = 0;

	if (k->mem) {
		buf_put(k->mem, data, len);
		return;
	}
	if (k->err)
		return;
	if (k->out < 0) {
		done = old_matches(k, data, len);
		if (done == len)
			return;
		sink_diverge(k);
	}
	if (k->err == 0)
		out_put(k, data + done, len - done);
}

void
sink_puts(struct sink *k, const char *s)
{
	sink_put(k, s, strlen(s));
}

int
sink_old_fd(const struct sink *k)
{
	return k->old;
}

/* Steps over the old file's next n bytes, known to be the new ones. */
static void
skip_old(struct sink *k, size_t n)
{
	size_t ahead = k->alen - k->apos;

	k->matched += n;
	if (n <= ahead) {
		k->apos += n;
		return;
	}
	k->apos = k->alen = 0;
	if (lseek(k->old, (off_t)(n - ahead), SEEK_CUR) < 0)
		k->err = errno;
}

void
sink_copy_old(struct sink *k, size_t off, size_t len)
{
	if (k->mem || k->err || len == 0)
		return;
	if (k->out < 0) {
		if (k->old >= 0 && off == k->matched) {
			skip_old(k, len);	/* the very bytes, in place */
			return;
		}
		sink_diverge(k);
	}
	flush_pending(k);
	if (k->err == 0)
		k->err = k->old >= 0 ? copy_range(k->old, off, k->out, len) :
		    EBADF;
}

int
sink_close(struct sink *k)
{
	const char *p;
	int err;

	if (k->mem)
		return 0;
	/* Unchanged so far: changed after all if the old file was longer,
	 * or there was none. */
	if (k->out < 0 && k->err == 0 && (k->old < 0 || old_ahead(k, &p)))
		sink_diverge(k);
	if (k->old >= 0)
		close(k->old);
	if (k->out >= 0) {
		flush_pending(k);
		if (close(k->out) != 0 && k->err == 0)
			k->err = errno;
		if (k->err == 0 && rename(k->tmp, k->path) != 0)
			k->err = errno;
		if (k->err)
			unlink(k->tmp);
	}
	err = k->err;
	buf_free(&k->pending);
	free(k->ahead);
	free(k->path);
	free(k->tmp);
	return err;
}

/* ---- pieces rendered on the pool ---- */

struct window {
	sink_piece_fn fn;
	void *ud;
	size_t base;		/* the index of the window's first piece */
	struct buf *bufs;	/* [SINK_WINDOW_MAX], one per piece */
};

static void
window_one(void *ud, size_t i)
{
	struct window *w = ud;

	w->fn(w->ud, w->base + i, &w->bufs[i]);
}

/* How many pieces the next window takes, from the mean piece so far:
 * about SINK_WINDOW_BYTES, at least one a thread, at most the maximum. */
static size_t
window_size(size_t done, size_t bytes, int jobs)
{
	size_t mean = bytes / (done ? done : 1) + 1;
	size_t n = SINK_WINDOW_BYTES / mean, least = jobs > 1 ? (size_t)jobs : 1;

	if (n < least)
		n = least;
	return n > SINK_WINDOW_MAX ? SINK_WINDOW_MAX : n;
}

void
sink_put_pieces(struct sink *k, size_t n, int jobs, sink_piece_fn fn,
    void *ud)
{
	struct window w;
	size_t done = 0, bytes = 0, size = SINK_WINDOW_FIRST, cnt, i;

	w.fn = fn;
	w.ud = ud;
	w.bufs = xcalloc(SINK_WINDOW_MAX, sizeof(*w.bufs));
	while (done < n && k->err == 0) {
		cnt = n - done < size ? n - done : size;
		w.base = done;
		pool_run(cnt, jobs, window_one, &w);
		for (i = 0; i < cnt; i++) {
			struct buf *b = &w.bufs[i];

			sink_put(k, buf_cstr(b), b->len);
			bytes += b->len;
			if (b->cap > SINK_KEEP_CAP)
				buf_free(b);
			else
				buf_truncate(b, 0);
		}
		done += cnt;
		size = window_size(done, bytes, jobs);
	}
	for (i = 0; i < SINK_WINDOW_MAX; i++)
		buf_free(&w.bufs[i]);
	free(w.bufs);
}
