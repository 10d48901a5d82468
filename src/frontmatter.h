/*
 * frontmatter: finds the YAML block between a first line "---" and the
 * next "---" (or "..."), parses it with positions, and fills the page's
 * typed fields.  Type problems are diagnostics; required fields, enums and
 * patterns are left to the check stage.
 */
#ifndef RUNBOOKC_FRONTMATTER_H
#define RUNBOOKC_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

struct page;
struct config;

struct fm_split {
	bool present;		/* the file starts with a "---" line */
	bool closed;		/* ... and a closing line was found */
	size_t yaml_off, yaml_len;	/* the YAML text */
	size_t body_off;	/* where the Markdown starts */
	int body_line;		/* its line number (1-based) */
};

/* Splits src (after any BOM) into front matter and body. */
void fm_split(const char *src, size_t len, struct fm_split *out);

/* Parses the front matter of p (already read) into p->fm and its fields. */
void fm_load(struct page *p, const struct config *cfg,
    const struct fm_split *sp);

#endif
