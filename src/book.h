/*
 * book: print.html, every page in one document for printing and PDF.
 * A cover stamped with the build date and the git commit, a table of
 * contents by section, then each page as a chapter that starts on a new
 * sheet, with its runbook header.  Links between pages become links
 * inside the book; heading ids are made unique per chapter.
 */
#ifndef RUNBOOKC_BOOK_H
#define RUNBOOKC_BOOK_H

#include <stddef.h>

struct buf;
struct rctx;
struct book_job;

/*
 * The book is made beside the rest of the render (it is the largest file,
 * copied from the last one where it can be, a long wait on the kernel):
 * book_start() claims print.html and starts making it on a thread of its
 * own; book_finish() waits for it and notes what it wrote.  Between the
 * two, the render's context may only grow (claims, notes, diagnostics):
 * the book reads the site, the templates and the shared context.
 */
struct book_job *book_start(struct rctx *r);
int book_finish(struct rctx *r, struct book_job *j);

/*
 * Rewrites the body HTML of the page whose output is page_out for the
 * book at the site's root: ids and same-page anchors get the chapter's
 * prefix, links to a chapter become "#chapter" links (through
 * chapter_of, which returns the chapter id of an output path or NULL),
 * other relative URLs are made relative to the root.
 */
void book_rewrite(struct buf *out, const char *html, const char *page_out,
    const char *prefix, const char *(*chapter_of)(void *ud,
    const char *out_path), void *ud);

#endif
