/*
 * runbookc list [CONTENT_DIR] [--format text|json]: the handbook at a
 * glance.  Text is aligned columns on a terminal and tab-separated values
 * otherwise (for cut, awk, sort); json is catalog.json, from the builder
 * the site's own catalog.json comes from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "check.h"
#include "cmd.h"
#include "config.h"
#include "page.h"
#include "rctx.h"
#include "render.h"
#include "site.h"

#define LIST_MAX_TITLE 48	/* characters, on a terminal */
#define LIST_MAX_ALERTS 32

enum col {
	COL_PATH, COL_TITLE, COL_KIND, COL_SEVERITY, COL_OWNER, COL_ALERTS,
	COL_REVIEWED, COL_OVERDUE, COL__COUNT
};

static const char *const headers[COL__COUNT] = {
	"PATH", "TITLE", "KIND", "SEVERITY", "OWNER", "ALERTS",
	"LAST REVIEW", "OVERDUE",
};

/* One cell: no tabs or line breaks; "-" when empty. */
static char *
cell(const char *s)
{
	char *c, *p;

	if (s == NULL || *s == '\0')
		return xstrdup("-");
	c = xstrdup(s);
	for (p = c; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return c;
}

static char *
alerts_cell(const struct page *p)
{
	struct buf b = BUF_INIT;
	char *c;
	size_t i;

	for (i = 0; i < p->alerts.n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, p->alerts.v[i].s);
	}
	c = cell(buf_cstr(&b));
	buf_free(&b);
	return c;
}

/*
 * The row of page p.  The review state is the one catalog.json and the
 * page itself show (rctx_review), so the three never disagree.
 */
static void
row_cells(const struct rctx *r, const struct page *p, char **cells,
    bool *overdue)
{
	const struct severity *sev = p->severity.s ?
	    config_severity(r->cfg, p->severity.s) : NULL;
	char due[11];
	bool reviewed;

	*overdue = false;
	reviewed = rctx_review(r, p, due, overdue);
	cells[COL_PATH] = cell(p->file);
	cells[COL_TITLE] = cell(page_title(p));
	cells[COL_KIND] = cell(p->kind.s);
	cells[COL_SEVERITY] = cell(sev ? sev->id : p->severity.s);
	cells[COL_OWNER] = cell(p->owner.s);
	cells[COL_ALERTS] = alerts_cell(p);
	cells[COL_REVIEWED] = cell(p->last_reviewed.s);
	cells[COL_OVERDUE] = cell(!reviewed ? (p->last_reviewed.s ? "?" :
	    "-") : *overdue ? "yes" : "no");
}

/* Width in characters (UTF-8 continuation bytes take no column). */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Cuts *s to max characters, the last being "…". */
static void
shorten(char **s, size_t max)
{
	char *c = *s;
	size_t w = 0, i;

	if (width(c) <= max)
		return;
	for (i = 0; c[i]; i++)
		if (((unsigned char)c[i] & 0xc0) != 0x80 && ++w == max)
			break;
	*s = xasprintf("%.*s…", (int)i, c);
	free(c);
}

static void
print_padded(const char *s, size_t w, bool last)
{
	size_t n = width(s);

	fputs(s, stdout);
	if (!last)
		for (; n < w + 2; n++)
			putchar(' ');
}

static void
print_table(const struct opts *o, char ***rows, const bool *overdue,
    size_t n)
{
	size_t w[COL__COUNT], i, c;
	bool color = o->color_out;

	for (c = 0; c < COL__COUNT; c++)
		w[c] = width(headers[c]);
	for (i = 0; i < n; i++)
		for (c = 0; c < COL__COUNT; c++) {
			if (c == COL_TITLE)
				shorten(&rows[i][c], LIST_MAX_TITLE);
			if (c == COL_ALERTS)
				shorten(&rows[i][c], LIST_MAX_ALERTS);
			if (width(rows[i][c]) > w[c])
				w[c] = width(rows[i][c]);
		}
	if (color)
		fputs("\033[1m", stdout);
	for (c = 0; c < COL__COUNT; c++)
		print_padded(headers[c], w[c], c + 1 == COL__COUNT);
	fputs(color ? "\033[0m\n" : "\n", stdout);
	for (i = 0; i < n; i++) {
		for (c = 0; c < COL__COUNT; c++) {
			bool red = color && c == COL_OVERDUE && overdue[i];

			if (red)
				fputs("\033[1;31m", stdout);
			print_padded(rows[i][c], w[c], c + 1 == COL__COUNT);
			if (red)
				fputs("\033[0m", stdout);
		}
		putchar('\n');
	}
}

static void
print_tsv(char ***rows, size_t n)
{
	size_t i, c;

	for (c = 0; c < COL__COUNT; c++)
		printf("%s%c", headers[c], c + 1 == COL__COUNT ? '\n' : '\t');
	for (i = 0; i < n; i++)
		for (c = 0; c < COL__COUNT; c++)
			printf("%s%c", rows[i][c], c + 1 == COL__COUNT ?
			    '\n' : '\t');
}

static void
list_text(const struct opts *o, const struct rctx *r, bool aligned)
{
	const struct site *s = r->s;
	char ***rows = xcalloc(s->npages + 1, sizeof(*rows));
	bool *overdue = xcalloc(s->npages + 1, sizeof(*overdue));
	size_t i, c;

	for (i = 0; i < s->npages; i++) {
		rows[i] = xcalloc(COL__COUNT, sizeof(**rows));
		row_cells(r, s->pages[i], rows[i], &overdue[i]);
	}
	if (aligned)
		print_table(o, rows, overdue, s->npages);
	else
		print_tsv(rows, s->npages);
	for (i = 0; i < s->npages; i++) {
		for (c = 0; c < COL__COUNT; c++)
			free(rows[i][c]);
		free(rows[i]);
	}
	free(rows);
	free(overdue);
}

int
cmd_list(const struct opts *o)
{
	struct pipeline pl;
	struct render_opts ro;
	struct rctx r;
	bool json = false;
	int rc;

	if (o->format && strcmp(o->format, "json") == 0)
		json = true;
	else if (o->format && strcmp(o->format, "text") != 0) {
		fprintf(stderr, "runbookc: unknown format '%s' (text, json)\n"
		    "Try 'runbookc list --help'.\n", o->format);
		return EXIT_USAGE;
	}
	if ((rc = cmd_load(o, &pl)) != 0) {
		pipeline_free(&pl);
		return rc;
	}
	/* A render context with no theme and no output folder: all that
	 * the catalog and the review state read. */
	memset(&ro, 0, sizeof(ro));
	ro.today = pl.today;
	ro.version = o->version;
	ro.commit = cmd_content_commit(o->content);
	memset(&r, 0, sizeof(r));
	r.s = &pl.site;
	r.cfg = &pl.cfg;
	r.o = &ro;
	check_format_date(pl.today, r.today);
	if (json) {
		struct buf b = BUF_INIT;

		catalog_json(&r, &b);
		if (b.len == 0 || b.data[b.len - 1] != '\n')
			buf_putc(&b, '\n');
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
	} else
		list_text(o, &r, o->tty_out);
	free((char *)ro.commit);
	pipeline_leave(&pl);
	return fflush(stdout) != 0 || ferror(stdout) ? EXIT_USAGE : 0;
}
