/*
 * theme: the templates, stylesheets, scripts and UI strings a site is
 * rendered with.  The default theme (themes/default) is compiled into the
 * binary; a site's own theme folder (site.yml `theme`) overrides it file
 * by file.
 */
#ifndef RUNBOOKC_THEME_H
#define RUNBOOKC_THEME_H

#include <stddef.h>

#include "diag.h"

struct value;

struct theme_file {
	char *name;		/* "page.mustache", "assets/site.css" */
	const char *data;
	size_t len;
	char *owned;		/* data when read from a theme folder */
};

struct theme {
	struct theme_file *files;	/* sorted by name */
	size_t nfiles;
	struct value *strings;	/* i18n.yml: language -> key -> text */
	unsigned long long hash;	/* of every file, for the build cache */
};

/* Loads the built-in theme, then dir over it (dir may be NULL). */
int theme_open(struct theme *th, const char *dir, struct diag_list *diags);
void theme_close(struct theme *th);
const struct theme_file *theme_find(const struct theme *th, const char *name);
/* tpl_loader_fn: "page" -> the text of page.mustache. */
const char *theme_tpl_loader(void *th, const char *name, size_t *len);
/* The UI strings of a language (falls back to "en"). */
const struct value *theme_strings(const struct theme *th, const char *lang);

#endif
