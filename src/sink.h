/*
 * sink: one big output file (the print book, the catalog) written a piece
 * at a time, so that it is never held whole in memory, with the pieces
 * rendered on the render pool a window at a time and written in order.
 *
 * A file sink writes as fs_write_staged does: while the new bytes match
 * the current file nothing is written; at the first difference a
 * temporary file takes the matched prefix and the rest, and is renamed
 * over the old one (never written through: the staged output shares its
 * files with the live site by hard links).  A memory sink appends to a
 * buf instead (`runbookc list --format json` prints the catalog).
 */
#ifndef RUNBOOKC_SINK_H
#define RUNBOOKC_SINK_H

#include <stddef.h>

#include "buf.h"

struct sink {
	char *path, *tmp;	/* file sink: the file, its temporary */
	int old, out;		/* their descriptors, -1 when not open */
	size_t matched;		/* bytes found equal to the old file's */
	char *ahead;		/* the old file's bytes read ahead */
	size_t alen, apos;	/* how many; how many compared */
	struct buf pending;	/* bytes for out not yet written */
	struct buf *mem;	/* memory sink: where the bytes go */
	int err;		/* the first errno */
};

/* A sink into the file at path (copied). */
void sink_open(struct sink *k, const char *path);
/* A sink that appends to b (borrowed; never fails). */
void sink_open_buf(struct sink *k, struct buf *b);
void sink_put(struct sink *k, const char *data, size_t len);
void sink_puts(struct sink *k, const char *s);
/*
 * The file being replaced, open for reading (-1 when there is none): for
 * a caller to check that the bytes it is about to name with
 * sink_copy_old() are the ones it means.
 */
int sink_old_fd(const struct sink *k);
/*
 * Appends len bytes of the file being replaced, from off: skipped over
 * while they are the very bytes in place, else copied in the kernel.
 * The old file must be the one sink_old_fd() gave.
 */
void sink_copy_old(struct sink *k, size_t off, size_t len);
/* Finishes the file and frees what k holds.  Returns 0 or an errno. */
int sink_close(struct sink *k);

/*
 * Appends pieces 0..n-1 to k in order.  fn(ud, i, out) appends piece i
 * to out (an empty buf); it runs on the render pool with up to jobs
 * threads, so it must only read shared data.  The pieces of one window
 * are held at once: a window holds about SINK_WINDOW_BYTES, judged from
 * the size of the pieces so far.
 */
typedef void (*sink_piece_fn)(void *ud, size_t i, struct buf *out);
void sink_put_pieces(struct sink *k, size_t n, int jobs, sink_piece_fn fn,
    void *ud);

/* 1 MB: the book and the catalog are streamed at once (book.h). */
#define SINK_WINDOW_BYTES	(1UL << 20)
#define SINK_WINDOW_MAX		1024	/* pieces in one window */

#endif
