/*
 * markdown: the page body through cmark-gfm (tables, strikethrough,
 * autolinks, task lists, tag filter).  Walks the tree once with an
 * iterator to collect headings (with GitHub-compatible ids), links, code
 * and script references, rewrites relative ".md" links to ".html", and
 * renders the body HTML.  The tree is freed before returning: only the
 * collected facts and the HTML stay in the page.
 */
#ifndef RUNBOOKC_MARKDOWN_H
#define RUNBOOKC_MARKDOWN_H

struct page;
struct config;

/* Must run once, before any thread calls md_compile(). */
void md_init(void);

/* Fills p's headings, links, code, script_refs, html and summary, and
 * appends the body's plain text to text; for text NULL, neither the
 * HTML nor the text (a parse for the checks alone). */
struct buf;
void md_compile(struct page *p, const struct config *cfg, struct buf *text);

/* True when url has a scheme ("https:", "mailto:") or starts with "//". */
int md_url_is_external(const char *url);

#endif
