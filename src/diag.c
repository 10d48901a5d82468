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
diag_copy(struct diag_list *dst, const struct diag_list *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		diag_add(dst, src->v[i].file, src->v[i].line, src->v[i].col,
		    src->v[i].severity, src->v[i].rule, "%s", src->v[i].msg);
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
		fprintf(out, "%zu file%s checked: %zu error%s, %zu "
		    "warning%s%s\n", r->nfiles, r->nfiles == 1 ? "" : "s", ne,
		    ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s",
		    r->werror && nw ? " (warnings fail: --werror)" : "");
}

/*
 * s with every byte that is not part of valid UTF-8 replaced by '?': a
 * file name on disk can be any bytes, and JSON and XML must be UTF-8.
 * Returns s itself when it is clean, else a copy kept in tmp.
 */
static const char *
utf8_clean(const char *s, struct buf *tmp)
{
	size_t len = strlen(s), off = 0, bad;

	if (utf8_invalid_at(s, len) == (size_t)-1)
		return s;
	buf_truncate(tmp, 0);
	while ((bad = utf8_invalid_at(s + off, len - off)) != (size_t)-1) {
		buf_put(tmp, s + off, bad);
		buf_putc(tmp, '?');
		off += bad + 1;
	}
	buf_put(tmp, s + off, len - off);
	return buf_cstr(tmp);
}

/* A JSON string of s, UTF-8 guaranteed. */
static void
put_json(struct buf *b, const char *s)
{
	struct buf tmp = BUF_INIT;

	buf_puts_json_str(b, utf8_clean(s, &tmp));
	buf_free(&tmp);
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
		put_json(&b, d->file);
		buf_printf(&b, ",\"line\":%d,\"column\":%d,\"severity\":\"%s\","
		    "\"rule\":", d->line, d->col, sev_name(d->severity));
		put_json(&b, d->rule);
		buf_puts(&b, ",\"message\":");
		put_json(&b, d->msg);
		buf_putc(&b, '}');
	}
	buf_printf(&b, "%s],\"summary\":{\"files\":%zu,\"errors\":%zu,"
	    "\"warnings\":%zu}}\n", dl->n ? "\n" : "", r->nfiles,
	    diag_count(dl, DIAG_ERROR), diag_count(dl, DIAG_WARNING));
	fwrite(b.data, 1, b.len, out);
	buf_free(&b);
}

/* The rule ids of DESIGN.md, in its order, with what each one means. */
static const struct {
	const char *id;
	const char *what;
} known_rules[] = {
	{ "yaml.syntax", "front matter or a configuration file is not valid "
	    "YAML" },
	{ "front-matter.missing", "a page of a kind that needs front matter "
	    "has none" },
	{ "field.required", "a required front matter field is missing" },
	{ "field.type", "a field has the wrong type (a list where one value "
	    "is expected, or the reverse)" },
	{ "field.enum", "a value is not one of those allowed (severity, "
	    "kind)" },
	{ "field.pattern", "a value does not match its pattern (alert ids)" },
	{ "owner.unknown", "the owner is not one of the owners listed in "
	    "site.yml" },
	{ "section.required", "a required section is missing (or out of "
	    "order when the kind is ordered)" },
	{ "section.recommended", "a recommended section is missing" },
	{ "section.empty", "a section has nothing under its heading" },
	{ "script.missing", "a referenced script exists in none of the script "
	    "roots" },
	{ "script.not-executable", "a referenced shell script is not "
	    "executable" },
	{ "link.broken", "a relative link leads to nothing inside the content "
	    "folder, or a runbook link to the wrong page" },
	{ "link.anchor", "a link's #anchor names no heading of its target "
	    "page" },
	{ "alert.duplicate", "an alert id is answered by more than one "
	    "runbook" },
	{ "alert.uncovered", "an alerting rule has no runbook" },
	{ "alert.unknown", "a runbook answers an alert that no alerting rule "
	    "defines" },
	{ "review.stale", "the last review is older than the review "
	    "interval" },
	{ "review.date", "last_reviewed is not a date, or is in the future" },
	{ "encoding.utf8", "the file is not valid UTF-8" },
	{ "file.read", "a file cannot be read (missing, too large, outside "
	    "the content folder)" },
};

#define NKNOWN (sizeof(known_rules) / sizeof(known_rules[0]))

const char *
diag_rule_description(const char *rule)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known_rules[i].id, rule) == 0)
			return known_rules[i].what;
	if (str_starts(rule, "rule."))
		return "a lint rule of site.yml";
	return "";
}

/* True when a diagnostic of this severity fails the run. */
static bool
fails(const struct diag_report *r, enum diag_severity sev)
{
	return sev == DIAG_ERROR || r->werror;
}

/* ---- SARIF 2.1.0 ---- */

/*
 * The rules a SARIF run describes: every known id, then the user rules
 * that fired, sorted; results point into it by index.
 */
static void
sarif_rules(const struct diag_list *dl, struct strv *ids)
{
	struct strv extra = STRV_INIT;
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		strv_push(ids, known_rules[i].id);
	for (i = 0; i < dl->n; i++)
		if (!strv_has(ids, dl->v[i].rule) &&
		    !strv_has(&extra, dl->v[i].rule))
			strv_push(&extra, dl->v[i].rule);
	strv_sort(&extra);
	for (i = 0; i < extra.n; i++)
		strv_push(ids, extra.v[i]);
	strv_free(&extra);
}

static size_t
index_of(const struct strv *ids, const char *id)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (strcmp(ids->v[i], id) == 0)
			return i;
	return 0;
}

/* A file name as a URI reference: percent-encoded, file:// if absolute. */
static void
sarif_uri(struct buf *b, const char *file)
{
	struct buf u = BUF_INIT;

	if (file[0] == '/')
		buf_puts(&u, "file://");
	buf_put_url_path(&u, file, strlen(file));
	put_json(b, buf_cstr(&u));
	buf_free(&u);
}

static void
sarif_driver(struct buf *b, const struct diag_report *r,
    const struct strv *ids)
{
	size_t i;

	buf_puts(b, "{\"driver\":{\"name\":\"runbookc\",\"version\":");
	buf_puts_json_str(b, r->tool_version ? r->tool_version : "");
	buf_puts(b, ",\"rules\":[");
	for (i = 0; i < ids->n; i++) {
		const char *what = diag_rule_description(ids->v[i]);

		buf_puts(b, i ? ",\n{\"id\":" : "\n{\"id\":");
		put_json(b, ids->v[i]);
		buf_puts(b, ",\"shortDescription\":{\"text\":");
		put_json(b, *what ? what : ids->v[i]);
		buf_puts(b, "}}");
	}
	buf_puts(b, "]}}");
}

static void
sarif_result(struct buf *b, const struct diag *d, const struct strv *ids)
{
	buf_puts(b, "{\"ruleId\":");
	put_json(b, d->rule);
	buf_printf(b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":"
	    "{\"text\":", index_of(ids, d->rule), sev_name(d->severity));
	put_json(b, d->msg);
	buf_puts(b, "},\"locations\":[{\"physicalLocation\":"
	    "{\"artifactLocation\":{\"uri\":");
	sarif_uri(b, d->file);
	buf_putc(b, '}');
	if (d->line > 0)
		buf_printf(b, ",\"region\":{\"startLine\":%d,"
		    "\"startColumn\":%d}", d->line, d->col > 0 ? d->col : 1);
	buf_puts(b, "}}]}");
}

static void
write_sarif(FILE *out, const struct diag_report *r)
{
	const struct diag_list *dl = r->diags;
	struct strv ids = STRV_INIT;
	struct buf b = BUF_INIT;
	size_t i;

	sarif_rules(dl, &ids);
	buf_puts(&b, "{\"$schema\":\"https://json.schemastore.org/"
	    "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":");
	sarif_driver(&b, r, &ids);
	/* Columns count characters, not bytes or UTF-16 units. */
	buf_puts(&b, ",\n\"columnKind\":\"unicodeCodePoints\","
	    "\"invocations\":[{\"executionSuccessful\":true}],\"results\":[");
	for (i = 0; i < dl->n; i++) {
		buf_puts(&b, i ? ",\n" : "\n");
		sarif_result(&b, &dl->v[i], &ids);
	}
	buf_puts(&b, "]}]}\n");
	fwrite(b.data, 1, b.len, out);
	buf_free(&b);
	strv_free(&ids);
}

/* ---- JUnit XML ---- */

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every file checked, and every other file a diagnostic names (site.yml,
 * a rules file), sorted.  Diagnostics come sorted by file, so each new
 * name is looked up once.
 */
static void
junit_files(const struct diag_report *r, struct strv *files)
{
	const struct diag_list *dl = r->diags;
	size_t i, nchecked;

	for (i = 0; i < r->nfiles; i++)
		strv_push(files, r->files[i]);
	strv_sort(files);
	nchecked = files->n;
	for (i = 0; i < dl->n; i++) {
		const char *f = dl->v[i].file;

		if (i > 0 && strcmp(dl->v[i - 1].file, f) == 0)
			continue;
		if (nchecked == 0 || bsearch(&f, files->v, nchecked,
		    sizeof(*files->v), cmp_strp) == NULL)
			strv_push(files, f);
	}
	strv_sort(files);
}

/* XML text of s, UTF-8 guaranteed. */
static void
put_xml(struct buf *b, const char *s)
{
	struct buf tmp = BUF_INIT;

	s = utf8_clean(s, &tmp);
	buf_put_xml(b, s, strlen(s));
	buf_free(&tmp);
}

static void
junit_line(struct buf *b, const struct diag *d)
{
	struct buf t = BUF_INIT;

	buf_printf(&t, "%s:%d:%d: %s: %s [%s]\n", d->file, d->line, d->col,
	    sev_name(d->severity), d->msg, d->rule);
	put_xml(b, buf_cstr(&t));
	buf_free(&t);
}

/*
 * One testcase: a <failure> listing every diagnostic of the file when one
 * of them fails the run, else the warnings in <system-out>.  Diagnostics
 * are sorted by file, so the file's own start at *at.
 */
static bool
junit_case(struct buf *b, const struct diag_report *r, const char *file,
    size_t *at)
{
	const struct diag_list *dl = r->diags;
	size_t i, end, ne = 0, nw = 0;
	bool failed = false;

	for (end = *at; end < dl->n && strcmp(dl->v[end].file, file) == 0;
	    end++) {
		if (dl->v[end].severity == DIAG_ERROR)
			ne++;
		else
			nw++;
		failed = failed || fails(r, dl->v[end].severity);
	}
	buf_puts(b, "<testcase classname=\"runbookc\" name=\"");
	put_xml(b, file);
	buf_puts(b, "\"");
	if (end == *at) {
		buf_puts(b, "/>\n");
		return false;
	}
	if (failed)
		buf_printf(b, ">\n<failure message=\"%zu error%s, %zu "
		    "warning%s\" type=\"runbookc\">", ne, ne == 1 ? "" : "s",
		    nw, nw == 1 ? "" : "s");
	else
		buf_puts(b, ">\n<system-out>");
	for (i = *at; i < end; i++)
		junit_line(b, &dl->v[i]);
	buf_puts(b, failed ? "</failure>\n</testcase>\n" :
	    "</system-out>\n</testcase>\n");
	*at = end;
	return failed;
}

static void
write_junit(FILE *out, const struct diag_report *r)
{
	struct strv files = STRV_INIT;
	struct buf cases = BUF_INIT;
	size_t i, at = 0, nfail = 0;

	junit_files(r, &files);
	for (i = 0; i < files.n; i++) {
		/* Diagnostics are sorted by file with strcmp, as files are. */
		while (at < r->diags->n && strcmp(r->diags->v[at].file,
		    files.v[i]) < 0)
			at++;
		if (junit_case(&cases, r, files.v[i], &at))
			nfail++;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"runbookc\" tests=\"%zu\" failures=\"%zu\" "
	    "errors=\"0\">\n<testsuite name=\"runbookc\" tests=\"%zu\" "
	    "failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", files.n, nfail,
	    files.n, nfail);
	fwrite(cases.data ? cases.data : "", 1, cases.len, out);
	fprintf(out, "</testsuite>\n</testsuites>\n");
	buf_free(&cases);
	strv_free(&files);
}

/* ---- GitHub Actions workflow commands ---- */

/* Escapes a command's message (or, with prop, a property value). */
static void
gh_escape(FILE *out, const char *s, bool prop)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (prop && *s == ':')
			fputs("%3A", out);
		else if (prop && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

/*
 * GitHub shows only the first 10 error and 10 warning annotations of a
 * step, so a one-line summary (a notice, which takes no error or warning
 * slot) comes first and points to SARIF for the full list.
 */
static void
write_github(FILE *out, const struct diag_report *r)
{
	const struct diag_list *dl = r->diags;
	size_t i, ne = diag_count(dl, DIAG_ERROR), nw = diag_count(dl,
	    DIAG_WARNING);

	fprintf(out, "::notice title=runbookc::%zu file%s checked: %zu "
	    "error%s, %zu warning%s%s%s\n", r->nfiles, r->nfiles == 1 ? "" :
	    "s", ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s",
	    r->werror && nw ? " (warnings fail: --werror)" : "",
	    ne > 10 || nw > 10 ? "; GitHub shows the first 10 of each, run "
	    "'runbookc check --format sarif' for all" : "");
	for (i = 0; i < dl->n; i++) {
		const struct diag *d = &dl->v[i];

		fprintf(out, "::%s file=", sev_name(d->severity));
		gh_escape(out, d->file, true);
		if (d->line > 0)
			fprintf(out, ",line=%d,col=%d", d->line, d->col);
		fputs(",title=", out);
		gh_escape(out, d->rule, true);
		fputs("::", out);
		gh_escape(out, d->msg, false);
		fputc('\n', out);
	}
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
		write_sarif(out, r);
		break;
	case DIAG_JUNIT:
		write_junit(out, r);
		break;
	case DIAG_GITHUB:
		write_github(out, r);
		break;
	}
}
