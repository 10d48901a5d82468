#include "page.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "frontmatter.h"
#include "fsutil.h"
#include "markdown.h"
#include "preprocess.h"
#include "terms.h"
#include "value.h"

void
pstrv_push(struct pstrv *v, const char *s, struct pos pos)
{
	v->v = xgrow(v->v, &v->cap, v->n, sizeof(*v->v));
	v->v[v->n].s = xstrdup(s);
	v->v[v->n].pos = pos;
	v->n++;
}

/* *p, an array of n elements of size sz grown by doubling, at its size. */
static void *
fit(void *p, size_t n, size_t sz)
{
	if (n == 0) {
		free(p);
		return NULL;
	}
	return xrealloc(p, n * sz);
}

void
pstrv_fit(struct pstrv *v)
{
	v->v = fit(v->v, v->n, sizeof(*v->v));
	v->cap = v->n;
}

/* The model is kept all build: its arrays shrink to what they hold. */
static void
page_fit(struct page *p)
{
	pstrv_fit(&p->alerts);
	pstrv_fit(&p->tags);
	pstrv_fit(&p->services);
	pstrv_fit(&p->scripts);
	pstrv_fit(&p->aliases);
	pstrv_fit(&p->script_refs);
	p->headings = fit(p->headings, p->nheadings, sizeof(*p->headings));
	p->links = fit(p->links, p->nlinks, sizeof(*p->links));
	p->code = fit(p->code, p->ncode, sizeof(*p->code));
}

void
pstrv_free(struct pstrv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i].s);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

struct page *
page_new(const char *content_dir, const char *path)
{
	struct page *p = xcalloc(1, sizeof(*p));
	const char *slash = strchr(path, '/');
	const char *base = path_base(path);

	p->path = xstrdup(path);
	p->file = path_join(content_dir, path);
	p->out_path = path_md_to_html(path);
	p->section = slash ? xstrndup(path, (size_t)(slash - path)) :
	    xstrdup("");
	p->is_index = strcmp(base, "_index.md") == 0 ||
	    strcmp(base, "index.md") == 0 ||
	    strcmp(base, "index.html.md") == 0;
	if (strcmp(base, "_index.md") == 0) {
		/* _index.md renders as its folder's index.html */
		free(p->out_path);
		p->out_path = xasprintf("%.*sindex.html",
		    (int)(base - path), path);
	}
	p->review_every_days = -1;
	return p;
}

static void
pstr_free(struct pstr *s)
{
	free(s->s);
	s->s = NULL;
}

void
page_clear_model(struct page *p)
{
	size_t i;

	free(p->src);
	value_free(p->fm);
	pstr_free(&p->title);
	pstr_free(&p->kind);
	pstr_free(&p->severity);
	pstr_free(&p->owner);
	pstrv_free(&p->alerts);
	pstrv_free(&p->tags);
	pstrv_free(&p->services);
	pstrv_free(&p->scripts);
	pstrv_free(&p->aliases);
	pstr_free(&p->last_reviewed);
	for (i = 0; i < p->nheadings; i++) {
		free(p->headings[i].text);
		free(p->headings[i].id);
	}
	free(p->headings);
	for (i = 0; i < p->nlinks; i++) {
		free(p->links[i].url);
		free(p->links[i].text);
	}
	free(p->links);
	for (i = 0; i < p->ncode; i++) {
		free(p->code[i].lang);
		free(p->code[i].text);
	}
	free(p->code);
	pstrv_free(&p->script_refs);
	if (!p->html_mapped)
		free(p->html);
	if (p->origin == PAGE_PARSED && !p->html_mapped)
		free(p->terms);
	free(p->summary);
	free(p->snippet);
	diag_free(&p->diags);
	/* Back to what page_new() made. */
	p->src = NULL;
	p->len = 0;
	p->hash = 0;
	p->has_front_matter = p->fm_invalid = p->title_from_heading = false;
	memset(&p->fm_pos, 0, sizeof(p->fm_pos));
	p->fm = NULL;
	p->body_line = 0;
	p->body_off = 0;
	p->review_every_days = -1;
	memset(&p->review_every_pos, 0, sizeof(p->review_every_pos));
	p->headings = NULL;
	p->nheadings = 0;
	p->links = NULL;
	p->nlinks = 0;
	p->code = NULL;
	p->ncode = 0;
	p->html = p->summary = p->terms = p->snippet = NULL;
	p->origin = PAGE_PARSED;
	p->html_mapped = false;
}

void
page_drop_source(struct page *p)
{
	size_t k;

	free(p->src);
	p->src = NULL;
	for (k = 0; k < p->ncode; k++) {
		free(p->code[k].lang);
		free(p->code[k].text);
	}
	free(p->code);
	p->code = NULL;
	p->ncode = 0;
}

void
page_free(struct page *p)
{
	if (p == NULL)
		return;
	free(p->path);
	free(p->file);
	free(p->out_path);
	free(p->section);
	page_clear_model(p);
	free(p);
}

/* Line and column of byte offset off in src. */
static struct pos
pos_at(const char *src, size_t off)
{
	struct pos pos = { 1, 1 };
	size_t i, ls = 0;

	for (i = 0; i < off; i++)
		if (src[i] == '\n') {
			pos.line++;
			ls = i + 1;
		}
	pos.col = utf8_column(src + ls, off - ls);
	return pos;
}

/*
 * Reports the first invalid UTF-8 sequence (or NUL byte) and replaces
 * every bad byte with '?', so the rest of the page can still be read and
 * offsets do not move.
 */
static void
check_utf8(struct page *p, bool report)
{
	size_t off = utf8_invalid_at(p->src, p->len), next;
	struct pos pos;

	if (off == (size_t)-1)
		return;
	pos = pos_at(p->src, off);
	if (report)
		diag_add(&p->diags, p->file, pos.line, pos.col, DIAG_ERROR,
		    "encoding.utf8", p->src[off] == '\0' ?
		    "NUL byte in the text" : "invalid UTF-8 byte 0x%02x",
		    (unsigned char)p->src[off]);
	while (off != (size_t)-1) {
		p->src[off] = '?';
		next = utf8_invalid_at(p->src + off + 1, p->len - off - 1);
		off = next == (size_t)-1 ? next : off + 1 + next;
	}
}

/*
 * Collections that name each runbook after its alert
 * (alerts/<Operator>/<AlertName>.md) carry no front matter: with
 * alert_from_filename set, a runbook that lists no alerts answers the
 * alert its file is named after.
 */
static void
alert_from_filename(struct page *p, const struct config *cfg)
{
	struct pos one = { 1, 1 };
	const char *base = path_base(p->path);
	char *id;

	if (!cfg->alert_from_filename || p->alerts.n > 0 || p->is_index ||
	    strcmp(p->kind.s, "runbook") != 0 || !str_ends(base, ".md"))
		return;
	id = xstrndup(base, strlen(base) - 3);
	if (*id)
		pstrv_push(&p->alerts, id, one);
	free(id);
}

void
page_parse_for(struct page *p, const struct config *cfg, enum page_use use)
{
	struct fm_split sp;
	struct buf text = BUF_INIT;
	bool site = use == PAGE_FOR_SITE;

	p->hash = str_hash(p->src, p->len, STR_HASH_SEED);
	check_utf8(p, true);
	fm_split(p->src, p->len, &sp);
	p->body_off = sp.body_off;
	p->body_line = sp.body_line;
	fm_load(p, cfg, &sp);
	pre_process(p->src + p->body_off, p->len - p->body_off);
	md_compile(p, cfg, site ? &text : NULL);
	if (p->kind.s == NULL)
		p->kind.s = xstrdup(config_kind_for_path(cfg, p->path));
	alert_from_filename(p, cfg);
	/* The body's text is read once, here: the model keeps its terms. */
	if (site)
		terms_make(p, buf_cstr(&text));
	buf_free(&text);
	page_fit(p);
}

void
page_parse(struct page *p, const struct config *cfg)
{
	page_parse_for(p, cfg, PAGE_FOR_SITE);
}

bool
page_load(struct page *p, const struct config *cfg, enum page_use use)
{
	char err[256];
	int rc;

	rc = fs_read(p->file, cfg->max_file_size, &p->src, &p->len, err,
	    sizeof(err));
	if (rc != 0) {
		diag_add(&p->diags, p->file, 1, 1, DIAG_ERROR, "file.read",
		    "%s", err);
		p->src = xstrdup("");
		p->len = 0;
		p->kind.s = xstrdup(config_kind_for_path(cfg, p->path));
		if (use == PAGE_FOR_SITE)
			terms_make(p, "");
		return false;
	}
	page_parse_for(p, cfg, use);
	return true;
}

bool
page_reload_source(struct page *p, const struct config *cfg)
{
	char err[256];

	if (fs_read(p->file, cfg->max_file_size, &p->src, &p->len, err,
	    sizeof(err)) != 0)
		return false;
	if (str_hash(p->src, p->len, STR_HASH_SEED) != p->hash ||
	    p->body_off > p->len) {
		free(p->src);
		p->src = NULL;
		return false;
	}
	/* As page_parse() left it; its diagnostics are the cache's. */
	check_utf8(p, false);
	pre_process(p->src + p->body_off, p->len - p->body_off);
	return true;
}

const char *
page_title(const struct page *p)
{
	return p->title.s ? p->title.s : path_base(p->path);
}

const struct heading *
page_heading(const struct page *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->nheadings; i++)
		if (strcmp(p->headings[i].id, id) == 0)
			return &p->headings[i];
	return NULL;
}
