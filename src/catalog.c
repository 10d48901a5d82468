#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "page.h"
#include "pool.h"
#include "rctx.h"
#include "render.h"
#include "sink.h"
#include "site.h"
#include "value.h"

#define CATALOG_OUT "catalog.json"
#define ALERTS_OUT "alerts.json"

/* "key": */
static void
key(struct buf *b, const char *k)
{
	buf_puts_json_str(b, k);
	buf_puts(b, ": ");
}

static void
str_or_null(struct buf *b, const char *s)
{
	if (s)
		buf_puts_json_str(b, s);
	else
		buf_puts(b, "null");
}

/* The URL of an output file: absolute under base_url, else relative to
 * the site's root. */
static void
url(const struct rctx *r, struct buf *b, const char *out)
{
	struct buf u = BUF_INIT;
	const char *base = r->cfg->base_url;

	if (base && *base) {
		buf_puts(&u, base);
		if (!str_ends(base, "/"))
			buf_putc(&u, '/');
	}
	rctx_put_url(&u, out, strlen(out));
	buf_puts_json_str(b, buf_cstr(&u));
	buf_free(&u);
}

static void
pstr_list(struct buf *b, const struct pstrv *v)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < v->n; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_puts_json_str(b, v->v[i].s);
	}
	buf_putc(b, ']');
}

/* A number YAML wrote that JSON can carry as a number. */
static bool
json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return false;
	if (!(*p >= '0' && *p <= '9'))
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (!(p[1] >= '0' && p[1] <= '9'))
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* The front matter as JSON; its depth is bounded by the YAML loader. */
static void
value_json(struct buf *b, const struct value *v)
{
	size_t i;

	switch (v->kind) {
	case VAL_NULL:
		buf_puts(b, "null");
		break;
	case VAL_BOOL:
		buf_puts(b, v->str && strcmp(v->str, "true") == 0 ? "true" :
		    "false");
		break;
	case VAL_NUM:
		if (v->str && json_number(v->str))
			buf_puts(b, v->str);
		else
			str_or_null(b, v->str);
		break;
	case VAL_STR:
		buf_puts_json_str(b, v->str ? v->str : "");
		break;
	case VAL_LIST:
	case VAL_MAP:
		buf_putc(b, v->kind == VAL_LIST ? '[' : '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				buf_puts(b, ", ");
			if (v->kind == VAL_MAP)
				key(b, v->items[i].key ? v->items[i].key : "");
			value_json(b, &v->items[i]);
		}
		buf_putc(b, v->kind == VAL_LIST ? ']' : '}');
		break;
	}
}

/* A decimal number (printf is slow, and the catalog writes many). */
static void
put_int(struct buf *b, int n)
{
	char d[16];
	size_t i = sizeof(d);
	unsigned u = n < 0 ? 0U - (unsigned)n : (unsigned)n;

	do
		d[--i] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		d[--i] = '-';
	buf_put(b, d + i, sizeof(d) - i);
}

static void
page_headings(struct buf *b, const struct page *p)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < p->nheadings; i++) {
		buf_puts(b, i ? ", {" : "{");
		key(b, "level");
		put_int(b, p->headings[i].level);
		buf_puts(b, ", ");
		key(b, "text");
		buf_puts_json_str(b, p->headings[i].text);
		buf_puts(b, ", ");
		key(b, "id");
		buf_puts_json_str(b, p->headings[i].id);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

static void
page_refs(const struct rctx *r, struct buf *b, const struct page *p,
    size_t pi)
{
	const struct group *g = group_find(&r->s->backlinks, p->path);
	size_t i;

	key(b, "scripts");
	buf_putc(b, '[');
	for (i = 0; i < r->s->npage_scripts[pi]; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_puts_json_str(b, r->s->page_scripts[pi][i]->id);
	}
	buf_puts(b, "], ");
	key(b, "referenced_by");
	buf_putc(b, '[');
	for (i = 0; g && i < g->n; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_puts_json_str(b, g->pages[i]->path);
	}
	buf_puts(b, "], ");
}

static void
page_fields(const struct rctx *r, struct buf *b, const struct page *p)
{
	const struct severity *sev = p->severity.s ?
	    config_severity(r->cfg, p->severity.s) : NULL;

	key(b, "title");
	buf_puts_json_str(b, page_title(p));
	buf_puts(b, ", ");
	key(b, "kind");
	str_or_null(b, p->kind.s);
	buf_puts(b, ", ");
	key(b, "severity");
	str_or_null(b, sev ? sev->id : p->severity.s);
	buf_puts(b, ", ");
	key(b, "owner");
	str_or_null(b, p->owner.s);
	buf_puts(b, ", ");
	key(b, "alerts");
	pstr_list(b, &p->alerts);
	buf_puts(b, ", ");
	key(b, "tags");
	pstr_list(b, &p->tags);
	buf_puts(b, ", ");
	key(b, "services");
	pstr_list(b, &p->services);
	buf_puts(b, ", ");
	key(b, "aliases");
	pstr_list(b, &p->aliases);
	buf_puts(b, ", ");
}

static void
page_json(const struct rctx *r, struct buf *b, const struct page *p,
    size_t pi)
{
	char due[11];
	bool overdue = false, has_due = rctx_review(r, p, due, &overdue);

	buf_puts(b, "    {");
	key(b, "path");
	buf_puts_json_str(b, p->path);
	buf_puts(b, ", ");
	key(b, "url");
	url(r, b, p->out_path);
	buf_puts(b, ", ");
	page_fields(r, b, p);
	key(b, "last_reviewed");
	str_or_null(b, p->last_reviewed.s);
	buf_puts(b, ", ");
	key(b, "review_due");
	str_or_null(b, has_due ? due : NULL);
	buf_puts(b, ", ");
	key(b, "review_overdue");
	buf_puts(b, overdue ? "true, " : "false, ");
	key(b, "summary");
	str_or_null(b, p->summary && *p->summary ? p->summary : NULL);
	buf_puts(b, ", ");
	page_refs(r, b, p, pi);
	key(b, "headings");
	page_headings(b, p);
	buf_puts(b, ", ");
	key(b, "front_matter");
	if (p->fm && p->fm->kind == VAL_MAP)
		value_json(b, p->fm);
	else
		buf_puts(b, "{}");
	buf_putc(b, '}');
}

static void
site_json(const struct rctx *r, struct buf *b)
{
	buf_puts(b, "  ");
	key(b, "site");
	buf_putc(b, '{');
	key(b, "title");
	buf_puts_json_str(b, r->cfg->title);
	buf_puts(b, ", ");
	key(b, "description");
	str_or_null(b, r->cfg->description);
	buf_puts(b, ", ");
	key(b, "language");
	buf_puts_json_str(b, r->cfg->language);
	buf_puts(b, ", ");
	key(b, "base_url");
	str_or_null(b, r->cfg->base_url);
	buf_puts(b, ", ");
	key(b, "built");
	buf_puts_json_str(b, r->today);
	buf_puts(b, ", ");
	key(b, "commit");
	str_or_null(b, r->o->commit);
	buf_puts(b, ", ");
	key(b, "generator");
	str_or_null(b, r->o->version);
	buf_puts(b, "},\n");
}

/*
 * The catalog being written: the site, and the URL of each alert page as
 * a JSON string (catalog.json and alerts.json both carry it).
 */
struct catalog {
	const struct rctx *r;
	struct buf *alert_urls;	/* [alert] */
};

static void
alert_url_one(void *ud, size_t i)
{
	struct catalog *c = ud;
	char *out = rctx_facet_out("alerts", c->r->s->alerts[i].id);

	url(c->r, &c->alert_urls[i], out);
	free(out);
}

static void
catalog_open(struct catalog *c, const struct rctx *r)
{
	c->r = r;
	c->alert_urls = xcalloc(r->s->nalerts + 1, sizeof(*c->alert_urls));
	pool_run(r->s->nalerts, r->o->jobs, alert_url_one, c);
}

static void
catalog_close(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->r->s->nalerts; i++)
		buf_free(&c->alert_urls[i]);
	free(c->alert_urls);
}

/* Page i of catalog.json and what follows it: a piece (on the pool). */
static void
page_piece(void *ud, size_t i, struct buf *b)
{
	const struct catalog *c = ud;
	const struct site *s = c->r->s;

	page_json(c->r, b, s->pages[i], i);
	buf_puts(b, i + 1 < s->npages ? ",\n" : "\n  ");
}

/* Alert i of catalog.json and what follows it: a piece (on the pool). */
static void
alert_piece(void *ud, size_t i, struct buf *b)
{
	const struct catalog *c = ud;
	const struct alert_entry *a = &c->r->s->alerts[i];

	buf_puts(b, "    {");
	key(b, "id");
	buf_puts_json_str(b, a->id);
	buf_puts(b, ", ");
	key(b, "url");
	buf_put(b, buf_cstr(&c->alert_urls[i]), c->alert_urls[i].len);
	buf_puts(b, ", ");
	key(b, "page");
	buf_puts_json_str(b, a->page->path);
	buf_puts(b, ", ");
	key(b, "page_url");
	url(c->r, b, a->page->out_path);
	buf_putc(b, '}');
	buf_puts(b, i + 1 < c->r->s->nalerts ? ",\n" : "\n  ");
}

static void
put_catalog(struct catalog *c, struct sink *k)
{
	const struct rctx *r = c->r;
	struct buf b = BUF_INIT;

	buf_puts(&b, "{\n");
	site_json(r, &b);
	buf_puts(&b, "  ");
	key(&b, "pages");
	buf_puts(&b, r->s->npages ? "[\n" : "[");
	sink_put(k, buf_cstr(&b), b.len);
	sink_put_pieces(k, r->s->npages, r->o->jobs, page_piece, c);
	buf_truncate(&b, 0);
	buf_puts(&b, "],\n  ");
	key(&b, "alerts");
	buf_puts(&b, r->s->nalerts ? "[\n" : "[");
	sink_put(k, buf_cstr(&b), b.len);
	sink_put_pieces(k, r->s->nalerts, r->o->jobs, alert_piece, c);
	sink_puts(k, "]\n}\n");
	buf_free(&b);
}

void
catalog_json(const struct rctx *r, struct buf *b)
{
	struct catalog c;
	struct sink k;

	catalog_open(&c, r);
	sink_open_buf(&k, b);
	put_catalog(&c, &k);
	sink_close(&k);
	catalog_close(&c);
}

static void
put_alerts_json(const struct catalog *c, struct buf *b)
{
	const struct site *s = c->r->s;
	size_t i;

	buf_puts(b, "{");
	for (i = 0; i < s->nalerts; i++) {
		buf_puts(b, i ? ",\n  " : "\n  ");
		key(b, s->alerts[i].id);
		buf_put(b, buf_cstr(&c->alert_urls[i]), c->alert_urls[i].len);
	}
	buf_puts(b, s->nalerts ? "\n}\n" : "}\n");
}

/* Streams catalog.json into the output folder; 0 or -1. */
static int
write_catalog(struct rctx *r, struct catalog *c)
{
	struct sink k;
	char *path = path_join(r->o->out_dir, CATALOG_OUT);

	sink_open(&k, path);
	free(path);
	put_catalog(c, &k);
	return rctx_record(r, CATALOG_OUT, sink_close(&k), r->key, false);
}

int
catalog_render(struct rctx *r)
{
	struct catalog c;
	struct buf b = BUF_INIT;
	/* Both show the site's face alone (r->key): a rebuild that did not
	 * change it keeps them. */
	bool cat = !rctx_kept(r, CATALOG_OUT) && rctx_claim(r, CATALOG_OUT);
	bool al = !rctx_kept(r, ALERTS_OUT) && rctx_claim(r, ALERTS_OUT);
	int rc = 0;

	if (!cat && !al)
		return 0;
	catalog_open(&c, r);
	if (cat)
		rc |= write_catalog(r, &c);
	if (al) {
		put_alerts_json(&c, &b);
		rc |= rctx_write(r, ALERTS_OUT, b.data, b.len);
	}
	buf_free(&b);
	catalog_close(&c);
	return rc;
}
