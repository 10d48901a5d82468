#include "sink.h"

#include <errno.h>
#include <fcntl.h>
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

/* The current file, when it is a regular one: anything else put there
 * (a FIFO, a symlink) is replaced, never read through or waited on. */
static FILE *
open_old(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (f = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return NULL;
	}
	return f;
}

void
sink_open(struct sink *k, const char *path)
{
	memset(k, 0, sizeof(*k));
	k->path = xstrdup(path);
	k->tmp = xasprintf("%s.runbookc-tmp", k->path);
	k->old = open_old(k->path);
}

void
sink_open_buf(struct sink *k, struct buf *b)
{
	memset(k, 0, sizeof(*k));
	k->mem = b;
}

/* Opens the temporary file and copies the matched prefix into it. */
static void
sink_diverge(struct sink *k)
{
	char chunk[8192];
	long left = k->matched;

	if ((k->out = fopen(k->tmp, "wb")) == NULL) {
		k->err = errno;
		return;
	}
	if (k->old) {
		rewind(k->old);
		while (left > 0) {
			size_t n = left < (long)sizeof(chunk) ? (size_t)left :
			    sizeof(chunk);

			if (fread(chunk, 1, n, k->old) != n) {
				k->err = EIO;
				break;
			}
			fwrite(chunk, 1, n, k->out);
			left -= (long)n;
		}
		fclose(k->old);
		k->old = NULL;
	}
}

void
sink_put(struct sink *k, const char *data, size_t len)
{
	char chunk[8192];
	size_t done = 0;

	if (k->mem) {
		buf_put(k->mem, data, len);
		return;
	}
	while (k->out == NULL && k->err == 0 && done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done :
		    sizeof(chunk);

		if (k->old == NULL || fread(chunk, 1, n, k->old) != n ||
		    memcmp(chunk, data + done, n) != 0) {
			sink_diverge(k);
			break;
		}
		done += n;
		k->matched += (long)n;
	}
	if (k->out && k->err == 0 && len > done &&
	    fwrite(data + done, 1, len - done, k->out) != len - done)
		k->err = errno ? errno : EIO;
}

void
sink_puts(struct sink *k, const char *s)
{
	sink_put(k, s, strlen(s));
}

int
sink_close(struct sink *k)
{
	int err;

	if (k->mem)
		return 0;
	if (k->out == NULL && k->err == 0 && (k->old == NULL ||
	    fgetc(k->old) != EOF))
		sink_diverge(k);	/* the old file was longer, or none */
	if (k->old)
		fclose(k->old);
	if (k->out) {
		if (fclose(k->out) != 0 && k->err == 0)
			k->err = errno ? errno : EIO;
		if (k->err == 0 && rename(k->tmp, k->path) != 0)
			k->err = errno;
		if (k->err)
			remove(k->tmp);
	}
	err = k->err;
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
