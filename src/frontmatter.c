#include "frontmatter.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "page.h"
#include "value.h"

/* Length of the line at s (without its end), and where the next starts. */
static size_t
line_len(const char *s, size_t len, size_t *next)
{
	size_t i = 0;

	while (i < len && s[i] != '\n')
		i++;
	*next = i < len ? i + 1 : i;
	if (i > 0 && s[i - 1] == '\r')
		i--;
	return i;
}

static bool
is_fence(const char *s, size_t n, bool closing)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 3 && memcmp(s, "---", 3) == 0)
		return true;
	return closing && n == 3 && memcmp(s, "...", 3) == 0;
}

void
fm_split(const char *src, size_t len, struct fm_split *out)
{
	size_t off = 0, next, n;
	int line = 1;

	memset(out, 0, sizeof(*out));
	out->body_line = 1;
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	out->body_off = off;
	n = line_len(src + off, len - off, &next);
	if (!is_fence(src + off, n, false))
		return;
	out->present = true;
	off += next;
	line++;
	out->yaml_off = off;
	while (off < len) {
		n = line_len(src + off, len - off, &next);
		if (is_fence(src + off, n, true)) {
			out->closed = true;
			out->yaml_len = off - out->yaml_off;
			out->body_off = off + next;
			out->body_line = line + 1;
			return;
		}
		off += next;
		line++;
	}
	/* Unclosed: everything after the opening line is front matter. */
	out->yaml_len = len - out->yaml_off;
	out->body_off = len;
	out->body_line = line;
}

static void
type_error(struct page *p, const struct value *v, const char *what)
{
	diag_add(&p->diags, p->file, v->line, v->col, DIAG_ERROR, "field.type",
	    "'%s' must be %s", v->key, what);
}

static struct pos
pos_of(const struct value *v)
{
	struct pos pos = { v->line, v->col };

	return pos;
}

static void
take_str(struct page *p, const struct value *fm, const char *key,
    struct pstr *dst)
{
	const struct value *v = value_get(fm, key);

	if (v == NULL || v->kind == VAL_NULL)
		return;
	if (!value_is_scalar(v)) {
		type_error(p, v, "a single value");
		return;
	}
	free(dst->s);
	dst->s = xstrdup(v->str);
	dst->pos = pos_of(v);
}

/* A list of strings; a lone scalar counts as a one-item list. */
static void
take_list(struct page *p, const struct value *v, struct pstrv *dst)
{
	size_t i;

	if (v == NULL || v->kind == VAL_NULL)
		return;
	if (value_is_scalar(v)) {
		pstrv_push(dst, v->str, pos_of(v));
		return;
	}
	if (v->kind != VAL_LIST) {
		type_error(p, v, "a list of values");
		return;
	}
	for (i = 0; i < v->n; i++) {
		const struct value *it = &v->items[i];

		if (!value_is_scalar(it) || it->kind == VAL_NULL) {
			diag_add(&p->diags, p->file, it->line, it->col,
			    DIAG_ERROR, "field.type", "each item of '%s' must "
			    "be a single value", v->key);
			continue;
		}
		pstrv_push(dst, it->str, pos_of(it));
	}
}

static void
take_review_every(struct page *p, const struct value *fm)
{
	const struct value *v = value_get(fm, "review_every");
	int d;

	if (v == NULL || v->kind == VAL_NULL)
		return;
	p->review_every_pos = pos_of(v);
	if (!value_is_scalar(v) || (d = config_parse_days(v->str)) < 0) {
		type_error(p, v, "a number of days (90 or 90d)");
		return;
	}
	p->review_every_days = d;
}

void
fm_load(struct page *p, const struct config *cfg,
    const struct fm_split *sp)
{
	struct value_error err;
	const struct value *fm;

	(void)cfg;
	p->has_front_matter = sp->present;
	p->fm_pos.line = 1;
	p->fm_pos.col = 1;
	if (!sp->present)
		return;
	if (!sp->closed) {
		diag_add(&p->diags, p->file, 1, 1, DIAG_ERROR, "yaml.syntax",
		    "front matter opened with '---' is never closed");
		p->fm_invalid = true;
		return;
	}
	if (value_parse_yaml(p->src + sp->yaml_off, sp->yaml_len, 1, &p->fm,
	    &err) < 0) {
		diag_add(&p->diags, p->file, err.line, err.col, DIAG_ERROR,
		    "yaml.syntax", "%s", err.msg);
		p->fm_invalid = true;
		return;
	}
	fm = p->fm;
	if (fm->kind == VAL_NULL)
		return;
	if (fm->kind != VAL_MAP) {
		diag_add(&p->diags, p->file, fm->line, fm->col, DIAG_ERROR,
		    "field.type", "front matter must be a mapping of fields");
		return;
	}
	take_str(p, fm, "title", &p->title);
	take_str(p, fm, "kind", &p->kind);
	take_str(p, fm, "severity", &p->severity);
	take_str(p, fm, "owner", &p->owner);
	take_list(p, value_get(fm, "alerts"), &p->alerts);
	take_list(p, value_get(fm, "alert"), &p->alerts);
	take_list(p, value_get(fm, "tags"), &p->tags);
	take_list(p, value_get(fm, "services"), &p->services);
	take_list(p, value_get(fm, "scripts"), &p->scripts);
	take_list(p, value_get(fm, "aliases"), &p->aliases);
	take_str(p, fm, "last_reviewed", &p->last_reviewed);
	take_review_every(p, fm);
}
