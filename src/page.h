/*
 * page: the model of one Markdown page after parsing.  Knows nothing about
 * HTML templates or checks: the parse stage fills it, later stages read it.
 */
#ifndef RUNBOOKC_PAGE_H
#define RUNBOOKC_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "str.h"

struct config;
struct value;

struct pos {
	int line, col;		/* 1-based; 0 when unknown */
};

/* A string value with the place it was written. */
struct pstr {
	char *s;
	struct pos pos;
};

struct pstrv {
	struct pstr *v;
	size_t n, cap;
};

struct heading {
	int level;
	char *text;		/* plain text of the heading */
	char *id;		/* GitHub-compatible, unique within the page */
	struct pos pos;
	bool has_content;	/* a non-heading block before the next heading
				   of the same or a higher level */
};

enum link_kind {
	LINK_LINK,
	LINK_IMAGE,
};

struct link {
	enum link_kind kind;
	char *url;		/* as written (percent-decoding is the user's) */
	char *text;		/* the link text, plain */
	struct pos pos;
};

enum code_kind {
	CODE_INLINE,
	CODE_BLOCK,
};

/* Code as written; lines inside a block count from pos.line. */
struct code {
	enum code_kind kind;
	char *lang;		/* info string of a fenced block, or NULL */
	char *text;
	struct pos pos;		/* first character of the code itself */
};

enum page_origin {
	PAGE_PARSED,		/* read and parsed by this build */
	PAGE_CACHED,		/* restored from the parse cache's base */
	PAGE_CACHED_DELTA,	/* restored from its delta */
};

struct page {
	/* Identity. */
	char *path;		/* relative to the content root: "db/x.md" */
	char *file;		/* as shown in diagnostics: "content/db/x.md" */
	char *out_path;		/* "db/x.html" */
	char *section;		/* first folder ("" at the root) */
	size_t order;		/* its place among the site's pages, which
				   are sorted by path (site_link) */
	bool is_index;		/* _index.md, index.md or index.html.md */

	/* Source. */
	char *src;		/* whole file, NUL-terminated */
	size_t len;
	unsigned long long hash;	/* of the bytes */
	bool has_front_matter;
	bool fm_invalid;		/* present but unreadable (yaml.syntax) */
	struct pos fm_pos;		/* the opening '---' */
	struct value *fm;		/* front matter tree (map), or NULL */
	int body_line;			/* first line of the Markdown body */
	size_t body_off;		/* byte offset of the body in src */

	/* Typed front matter (NULL/empty when absent). */
	struct pstr title;	/* falls back to the first level-1 heading */
	bool title_from_heading;
	struct pstr kind;	/* defaults to the configuration's */
	struct pstr severity;	/* as written */
	struct pstr owner;
	struct pstrv alerts;
	struct pstrv tags;
	struct pstrv services;
	struct pstrv scripts;	/* front matter `scripts` */
	struct pstrv aliases;
	struct pstr last_reviewed;
	int review_every_days;	/* -1: the site default */
	struct pos review_every_pos;

	/* Body. */
	struct heading *headings;
	size_t nheadings;
	struct link *links;
	size_t nlinks;
	struct code *code;
	size_t ncode;
	struct pstrv script_refs;	/* found in code and links, in order */
	char *html;		/* rendered body (links rewritten .md→.html) */
	char *summary;		/* first paragraph, plain text */
	char *terms;		/* what search finds, packed (terms.h) */
	char *snippet;		/* what search shows */

	/* Problems found while reading and parsing this page. */
	struct diag_list diags;

	/* Where the parsed model came from.  A page restored from the parse
	 * cache (pcache.h) has no source (src NULL until
	 * page_reload_source()), and its html and terms point into the
	 * cache's mapping, which outlives the site. */
	enum page_origin origin;
	/* html and terms point into a parse cache's mapping (restored, or
	 * handed to the next cache once parsed: pcache_add()), not owned. */
	bool html_mapped;
};

void pstrv_push(struct pstrv *v, const char *s, struct pos pos);
void pstrv_free(struct pstrv *v);
/* Gives v's array back the room it does not use (a model is kept). */
void pstrv_fit(struct pstrv *v);

/* Creates a page for path (relative to the content root). */
struct page *page_new(const char *content_dir, const char *path);
void page_free(struct page *p);
/* Frees the parsed model, leaving p as page_new() made it. */
void page_clear_model(struct page *p);
/* Frees what only user rules read once a page is parsed: its source and
 * its code blocks and spans. */
void page_drop_source(struct page *p);

/* What a parse is for. */
enum page_use {
	PAGE_FOR_SITE,		/* everything, the HTML and search terms too */
	PAGE_FOR_CHECK,		/* what the checks and listings read: no HTML,
				 * no terms, no snippet */
};

/*
 * Reads and parses the page: front matter, typed fields, Markdown.
 * Never fails: every problem becomes a diagnostic in p->diags; false
 * when it was that the file could not be read.  Thread-safe for distinct
 * pages.
 */
bool page_load(struct page *p, const struct config *cfg, enum page_use use);

/*
 * Parses p->src (p->len bytes, NUL-terminated, owned by the page), as
 * page_load() does after reading the file.  For tests and fuzzers.
 */
void page_parse(struct page *p, const struct config *cfg);
void page_parse_for(struct page *p, const struct config *cfg,
    enum page_use use);

/*
 * Reads the source of a page restored from the parse cache back into
 * p->src, as parsing left it (bad UTF-8 replaced, body preprocessed), for
 * the checks that read the text.  False when the file is no longer the
 * one the cache parsed (p->hash) or cannot be read: then p->src is NULL.
 */
bool page_reload_source(struct page *p, const struct config *cfg);

/* The title: the front matter's or first heading's, else the file name. */
const char *page_title(const struct page *p);

/* Finds a heading by id; NULL when absent. */
const struct heading *page_heading(const struct page *p, const char *id);

#endif
