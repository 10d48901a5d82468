#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"

void
diag_add(struct diag_list *dl, const char *file, int line, int col,
    enum diag_severity sev, const char *rule, const char *fmt, ...)
{
	struct diag *d;
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	dl->v = xgrow(dl->v, &dl->cap, dl->n, sizeof(*dl->v));
	d = &dl->v[dl->n++];
	d->file = xstrdup(file);
	d->line = line;
	d->col = col;
	d->severity = sev;
	d->rule = xstrdup(rule);
	d->msg = buf_detach(&msg);
}

void
diag_move(struct diag_list *dst, struct diag_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		dst->v = xgrow(dst->v, &dst->cap, dst->n, sizeof(*dst->v));
		dst->v[dst->n++] = src->v[i];
	}
	free(src->v);
	src->v = NULL;
	src->n = src->cap = 0;
}

static int
cmp_diag(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	if ((c = strcmp(a->rule, b->rule)) != 0)
		return c;
	return strcmp(a->msg, b->msg);
}

static void
diag_release(struct diag *d)
{
	free(d->file);
	free(d->rule);
	free(d->msg);
}

void
diag_sort(struct diag_list *dl)
{
	size_t i, w = 0;

	if (dl->n > 1)
		qsort(dl->v, dl->n, sizeof(*dl->v), cmp_diag);
	for (i = 0; i < dl->n; i++) {
		if (w > 0 && cmp_diag(&dl->v[w - 1], &dl->v[i]) == 0 &&
		    dl->v[w - 1].severity == dl->v[i].severity) {
			diag_release(&dl->v[i]);
			continue;
		}
		dl->v[w++] = dl->v[i];
	}
	dl->n = w;
}

size_t
diag_count(const struct diag_list *dl, enum diag_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < dl->n; i++)
		if (dl->v[i].severity == sev)
			n++;
	return n;
}

void
diag_free(struct diag_list *dl)
{
	size_t i;

	for (i = 0; i < dl->n; i++)
		diag_release(&dl->v[i]);
	free(dl->v);
	dl->v = NULL;
	dl->n = dl->cap = 0;
}

int
diag_format_parse(const char *name, enum diag_format *fmt)
{
	static const struct {
		const char *name;
		enum diag_format fmt;
	} names[] = {
		{ "text", DIAG_TEXT }, { "json", DIAG_JSON },
		{ "sarif", DIAG_SARIF }, { "junit", DIAG_JUNIT },
		{ "github", DIAG_GITHUB },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return 0;
		}
	return -1;
}

static const char *
sev_name(enum diag_severity s)
{
	return s == DIAG_ERROR ? "error" : "warning";
}

static void
write_text(FILE *out, const struct diag_report *r)
{
	const struct diag_list *dl = r->diags;
	size_t i, ne, nw;

	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];
		const char *color = d->severity == DIAG_ERROR ? "\033[1;31m" :
		    "\033[1;35m";

		if (r->color)
			fprintf(out, "\033[1m%s:%d:%d:\033[0m %s%s:\033[0m %s "
			    "\033[2m[%s]\033[0m\n", d->file, d->line, d->col,
			    color, sev_name(d->severity), d->msg, d->rule);
		else
			fprintf(out, "%s:%d:%d: %s: %s [%s]\n", d->file,
			    d->line, d->col, sev_name(d->severity), d->msg,
			    d->rule);
	}
	ne = diag_count(dl, DIAG_ERROR);
	nw = diag_count(dl, DIAG_WARNING);
	if (ne || nw)
		fprintf(out, "%zu file%s checked: %zu error%s, %zu warning%s\n",
		    r->nfiles, r->nfiles == 1 ? "" : "s", ne, ne == 1 ? "" : "s",
		    nw, nw == 1 ? "" : "s");
}

static void
write_json(FILE *out, const struct diag_report *r)
{
	const struct diag_list *dl = r->diags;
	struct buf b = BUF_INIT;
	size_t i;

	buf_puts(&b, "{\"diagnostics\":[");
	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];

		buf_puts(&b, i ? ",\n{\"file\":" : "\n{\"file\":");
		buf_puts_json_str(&b, d->file);
		buf_printf(&b, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\","
		    "\"rule\":", d->line, d->col, sev_name(d->severity));
		buf_puts_json_str(&b, d->rule);
		buf_puts(&b, ",\"message\":");
		buf_puts_json_str(&b, d->msg);
		buf_putc(&b, '}');
	}
	buf_printf(&b, "%s],\"summary\":{\"files\":%zu,\"errors\":%zu,"
	    "\"warnings\":%zu}}\n", dl->n ? "\n" : "", r->nfiles,
	    diag_count(dl, DIAG_ERROR), diag_count(dl, DIAG_WARNING));
	fwrite(b.data, 1, b.len, out);
	buf_free(&b);
}

void
diag_write(FILE *out, enum diag_format fmt, const struct diag_report *r)
{
	switch (fmt) {
	case DIAG_TEXT:
		write_text(out, r);
		break;
	case DIAG_JSON:
		write_json(out, r);
		break;
	case DIAG_SARIF:
	case DIAG_JUNIT:
	case DIAG_GITHUB:
		/* Written by the check work (issue 3); JSON until then. */
		write_json(out, r);
		break;
	}
}

const char *
diag_rule_description(const char *rule)
{
	(void)rule;
	return "";
}
