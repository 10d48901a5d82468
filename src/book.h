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

int book_render(struct rctx *r);

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
