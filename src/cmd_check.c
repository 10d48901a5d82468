/*
 * runbookc check [CONTENT_DIR [FILE...]]: validate and report.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "fsutil.h"
#include "hmap.h"
#include "page.h"
#include "site.h"

/* FILE as a content-relative page path: "content/db/x.md" → "db/x.md". */
static struct page *
named_page(const struct site *s, const char *root, const char *file)
{
	char *real = realpath(file, NULL);
	struct page *p = NULL;
	size_t n = strlen(root);
	size_t i;

	if (real && strncmp(real, root, n) == 0 && real[n] == '/')
		p = site_page(s, real + n + 1);
	free(real);
	/* A page as written in diagnostics, or relative to the content. */
	for (i = 0; p == NULL && i < s->npages; i++) {
		const char *f = s->pages[i]->file;

		while (f[0] == '.' && f[1] == '/')
			f += 2;
		while (file[0] == '.' && file[1] == '/')
			file += 2;
		if (strcmp(f, file) == 0 || strcmp(s->pages[i]->path,
		    file) == 0)
			p = s->pages[i];
	}
	return p;
}

/*
 * Keeps only the diagnostics of the named pages (the whole site was read,
 * so links into other pages and alerts claimed elsewhere still count).
 * files gets the named pages' file names, sorted.
 */
static void
select_files(const struct opts *o, const struct site *s,
    struct diag_list *dl, struct strv *files)
{
	struct diag_list keep = DIAG_LIST_INIT;
	struct hmap chosen;
	char *root = realpath(o->content, NULL);
	size_t i;

	memset(&chosen, 0, sizeof(chosen));
	for (i = 0; i < o->files.n; i++) {
		struct page *p = named_page(s, root ? root : "", o->files.v[i]);

		if (p == NULL) {
			if (!o->quiet)
				fprintf(stderr, "runbookc: %s: not a page of "
				    "%s; skipped\n", o->files.v[i], o->content);
			continue;
		}
		if (hmap_get(&chosen, p->file) == NULL) {
			hmap_put(&chosen, p->file, p);
			strv_push(files, p->file);
		}
	}
	strv_sort(files);
	for (i = 0; i < dl->n; i++)
		if (hmap_get(&chosen, dl->v[i].file))
			diag_add(&keep, dl->v[i].file, dl->v[i].line,
			    dl->v[i].col, dl->v[i].severity, dl->v[i].rule,
			    "%s", dl->v[i].msg);
	diag_free(dl);
	*dl = keep;
	hmap_free(&chosen);
	free(root);
}

/* --quiet: errors only (warnings stay when --werror makes them count). */
static void
drop_warnings(struct diag_list *dl)
{
	struct diag_list keep = DIAG_LIST_INIT;
	size_t i;

	for (i = 0; i < dl->n; i++)
		if (dl->v[i].severity == DIAG_ERROR)
			diag_add(&keep, dl->v[i].file, dl->v[i].line,
			    dl->v[i].col, DIAG_ERROR, dl->v[i].rule, "%s",
			    dl->v[i].msg);
	diag_free(dl);
	*dl = keep;
}

int
cmd_check(const struct opts *o)
{
	struct pipeline pl;
	struct diag_report r;
	struct strv named = STRV_INIT;
	const struct strv *files;
	enum diag_format fmt = DIAG_TEXT;
	size_t ne, nw;
	int rc;

	if (o->format && diag_format_parse(o->format, &fmt) < 0) {
		fprintf(stderr, "runbookc: unknown format '%s' (text, json, "
		    "sarif, junit, github)\nTry 'runbookc check --help'.\n",
		    o->format);
		return EXIT_USAGE;
	}
	if ((rc = cmd_load(o, &pl)) != 0) {
		pipeline_free(&pl);
		return rc;
	}
	files = &pl.files;
	if (o->files.n > 0) {
		select_files(o, &pl.site, &pl.diags, &named);
		files = &named;
	}
	if (o->quiet && !o->werror)
		drop_warnings(&pl.diags);
	memset(&r, 0, sizeof(r));
	r.diags = &pl.diags;
	r.files = (const char *const *)files->v;
	r.nfiles = files->n;
	r.tool_version = o->version;
	r.color = fmt == DIAG_TEXT && o->color_out;
	r.werror = o->werror;
	diag_write(stdout, fmt, &r);
	ne = diag_count(&pl.diags, DIAG_ERROR);
	nw = diag_count(&pl.diags, DIAG_WARNING);
	strv_free(&named);
	pipeline_leave(&pl);
	if (fflush(stdout) != 0 || ferror(stdout))
		return EXIT_USAGE;
	return ne || (o->werror && nw) ? EXIT_FINDINGS : 0;
}
