#include "render.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "config.h"
#include "fsutil.h"
#include "pool.h"
#include "site.h"
#include "template.h"
#include "theme.h"
#include "value.h"

struct rctx {
	const struct site *s;
	const struct config *cfg;
	const struct theme *th;
	const struct render_opts *o;
	const struct tpl *t_page, *t_list;
	struct diag_list *diags;
	int *failed;		/* per page: write failed (errno) */
	char today[11];
};

/* ---- small helpers ---- */

/* URL from the output file `from` to the output file `to`, encoded. */
static char *
url_to(const char *from, const char *to)
{
	char *rel = path_relative(from, to);
	struct buf b = BUF_INIT;

	buf_put_url_path(&b, rel, strlen(rel));
	free(rel);
	return buf_detach(&b);
}

static void
add_url(struct value *v, const char *key, const char *from, const char *to)
{
	value_add_owned(v, key, url_to(from, to));
}

static const char *
page_title(const struct page *p)
{
	return p->title.s ? p->title.s : path_base(p->path);
}

static const char *
section_title(const struct rctx *r, const char *section)
{
	char *idx = xasprintf("%s/_index.md", section);
	const struct page *p = site_page(r->s, idx);

	free(idx);
	if (p == NULL) {
		idx = xasprintf("%s/index.md", section);
		p = site_page(r->s, idx);
		free(idx);
	}
	return p && p->title.s ? p->title.s : section;
}

static char *
section_index_out(const char *section)
{
	return *section ? xasprintf("%s/index.html", section) :
	    xstrdup("index.html");
}

static void
add_severity(struct rctx *r, struct value *v, const struct page *p,
    const char *from)
{
	const struct severity *sev;
	struct value *m;
	char *out;

	if (p->severity.s == NULL)
		return;
	sev = config_severity(r->cfg, p->severity.s);
	m = value_add(v, "severity", VAL_MAP);
	value_add_str(m, "id", sev ? sev->id : p->severity.s);
	value_add_str(m, "label", sev ? sev->label : p->severity.s);
	if (sev && sev->color)
		value_add_str(m, "color", sev->color);
	if (sev) {
		out = xasprintf("severity/%s.html", sev->id);
		add_url(m, "url", from, out);
		free(out);
		if (sev->mtta)
			value_add_str(m, "mtta", sev->mtta);
		if (sev->mttr)
			value_add_str(m, "mttr", sev->mttr);
		if (sev->update_every)
			value_add_str(m, "update_every", sev->update_every);
	}
}

static void
add_owner(struct rctx *r, struct value *v, const struct page *p,
    const char *from)
{
	const struct owner *o;
	struct value *m, *esc;
	char *out;
	size_t i;

	if (p->owner.s == NULL)
		return;
	o = config_owner(r->cfg, p->owner.s);
	m = value_add(v, "owner", VAL_MAP);
	value_add_str(m, "id", p->owner.s);
	value_add_str(m, "name", o && o->name ? o->name : p->owner.s);
	out = xasprintf("owners/%s.html", p->owner.s);
	add_url(m, "url", from, out);
	free(out);
	if (o == NULL)
		return;
	if (o->contact)
		value_add_str(m, "contact", o->contact);
	if (o->escalation.n) {
		esc = value_add(m, "escalation", VAL_LIST);
		for (i = 0; i < o->escalation.n; i++)
			value_add_str(esc, NULL, o->escalation.v[i]);
	}
}

static void
add_named_links(struct value *v, const char *key, const struct pstrv *names,
    const char *folder, const char *from)
{
	struct value *l;
	size_t i;

	if (names->n == 0)
		return;
	l = value_add(v, key, VAL_LIST);
	for (i = 0; i < names->n; i++) {
		struct value *it = value_add(l, NULL, VAL_MAP);
		char *out = xasprintf("%s/%s.html", folder, names->v[i].s);

		value_add_str(it, "name", names->v[i].s);
		add_url(it, "url", from, out);
		free(out);
	}
}

/* A page as an item of a list: enough to show a row of a listing. */
static void
add_page_item(struct rctx *r, struct value *list, const struct page *p,
    const char *from)
{
	struct value *it = value_add(list, NULL, VAL_MAP);

	value_add_str(it, "title", page_title(p));
	add_url(it, "url", from, p->out_path);
	value_add_str(it, "path", p->path);
	value_add_str(it, "kind", p->kind.s);
	if (p->summary && *p->summary)
		value_add_str(it, "summary", p->summary);
	add_severity(r, it, p, from);
	add_owner(r, it, p, from);
	add_named_links(it, "alerts", &p->alerts, "alerts", from);
}

/* What every page of the site shares: site, nav, UI strings, build. */
static struct value *
common_context(struct rctx *r, const char *out_path, const char *title)
{
	struct value *ctx = value_new(VAL_MAP), *site, *nav, *build, *ui;
	const struct value *strings = theme_strings(r->th, r->cfg->language);
	char *root = path_root_prefix(out_path);
	size_t i;

	site = value_add(ctx, "site", VAL_MAP);
	value_add_str(site, "title", r->cfg->title);
	if (r->cfg->description)
		value_add_str(site, "description", r->cfg->description);
	value_add_str(site, "language", r->cfg->language);
	value_add_str(ctx, "title", title);
	value_add_owned(ctx, "root", root);
	add_url(ctx, "home_url", out_path, "index.html");
	add_url(ctx, "search_url", out_path, "search.html");
	add_url(ctx, "print_url", out_path, "print.html");
	add_url(ctx, "alerts_url", out_path, "alerts/index.html");
	ui = value_add(ctx, "ui", VAL_MAP);
	if (strings)
		value_copy(ui, strings);
	nav = value_add(ctx, "nav", VAL_LIST);
	for (i = 0; i < r->s->sections.n; i++) {
		const char *sec = r->s->sections.v[i].key;
		struct value *it;
		char *out;

		if (*sec == '\0')
			continue;
		it = value_add(nav, NULL, VAL_MAP);
		value_add_str(it, "title", section_title(r, sec));
		out = section_index_out(sec);
		add_url(it, "url", out_path, out);
		value_add_bool(it, "active", str_starts(out_path, sec) &&
		    out_path[strlen(sec)] == '/');
		free(out);
	}
	build = value_add(ctx, "build", VAL_MAP);
	value_add_str(build, "date", r->today);
	value_add_str(build, "generator", r->o->version);
	if (r->o->commit)
		value_add_str(build, "commit", r->o->commit);
	return ctx;
}

/* ---- one Markdown page ---- */

static void
add_toc(struct value *pg, const struct page *p)
{
	struct value *toc;
	size_t i, n = 0;

	for (i = 0; i < p->nheadings; i++)
		if (p->headings[i].level >= 2 && p->headings[i].level <= 3)
			n++;
	if (n < 2)
		return;
	toc = value_add(pg, "toc", VAL_LIST);
	for (i = 0; i < p->nheadings; i++) {
		const struct heading *h = &p->headings[i];
		struct value *it;

		if (h->level < 2 || h->level > 3)
			continue;
		it = value_add(toc, NULL, VAL_MAP);
		value_add_str(it, "text", h->text);
		value_add_str(it, "id", h->id);
		value_add_int(it, "level", h->level);
		value_add_bool(it, "sub", h->level == 3);
	}
}

static void
add_breadcrumbs(struct rctx *r, struct value *pg, const struct page *p)
{
	struct value *bc = value_add(pg, "breadcrumbs", VAL_LIST);
	char *dir = path_dir(p->path);
	char *s = dir;

	while (*dir) {
		char *slash = strchr(s, '/');
		char *folder = slash ? xstrndup(dir, (size_t)(slash - dir)) :
		    xstrdup(dir);
		char *out = section_index_out(folder);
		struct value *it;

		if (strcmp(out, p->out_path) != 0) {
			it = value_add(bc, NULL, VAL_MAP);
			value_add_str(it, "title", section_title(r, folder));
			add_url(it, "url", p->out_path, out);
		}
		free(out);
		free(folder);
		if (slash == NULL)
			break;
		s = slash + 1;
	}
	free(dir);
}

static void
add_neighbours(struct rctx *r, struct value *pg, const struct page *p)
{
	const struct group *g = group_find(&r->s->sections, p->section);
	const struct page *prev = NULL, *next = NULL;
	size_t i;
	bool seen = false;

	if (g == NULL || p->is_index)
		return;
	for (i = 0; i < g->n; i++) {
		if (g->pages[i]->is_index)
			continue;
		if (g->pages[i] == p)
			seen = true;
		else if (!seen)
			prev = g->pages[i];
		else {
			next = g->pages[i];
			break;
		}
	}
	if (prev) {
		struct value *v = value_add(pg, "prev", VAL_MAP);

		value_add_str(v, "title", page_title(prev));
		add_url(v, "url", p->out_path, prev->out_path);
	}
	if (next) {
		struct value *v = value_add(pg, "next", VAL_MAP);

		value_add_str(v, "title", page_title(next));
		add_url(v, "url", p->out_path, next->out_path);
	}
}

static void
add_backlinks(struct rctx *r, struct value *pg, const struct page *p)
{
	const struct group *g = group_find(&r->s->backlinks, p->path);
	struct value *l;
	size_t i;

	if (g == NULL)
		return;
	l = value_add(pg, "backlinks", VAL_LIST);
	for (i = 0; i < g->n; i++) {
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_str(it, "title", page_title(g->pages[i]));
		add_url(it, "url", p->out_path, g->pages[i]->out_path);
	}
}

static void
add_scripts(struct rctx *r, struct value *pg, const struct page *p,
    size_t pi)
{
	struct value *l;
	size_t i;

	if (r->s->npage_scripts[pi] == 0)
		return;
	l = value_add(pg, "scripts", VAL_LIST);
	for (i = 0; i < r->s->npage_scripts[pi]; i++) {
		const struct script *sc = r->s->page_scripts[pi][i];
		struct value *it = value_add(l, NULL, VAL_MAP);
		char *out = xasprintf("scripts/%s.html", sc->id);

		value_add_str(it, "name", sc->id);
		add_url(it, "url", p->out_path, out);
		free(out);
		out = xasprintf("scripts/%s", sc->id);
		add_url(it, "raw_url", p->out_path, out);
		free(out);
	}
}

static void
add_review(struct rctx *r, struct value *pg, const struct page *p)
{
	long d;
	int every;
	char due[11];

	if (p->last_reviewed.s == NULL)
		return;
	value_add_str(pg, "last_reviewed", p->last_reviewed.s);
	if ((d = check_parse_date(p->last_reviewed.s)) < 0)
		return;
	every = p->review_every_days >= 0 ? p->review_every_days :
	    r->cfg->review_every_days;
	check_format_date(d + every, due);
	value_add_str(pg, "review_due", due);
	value_add_bool(pg, "review_overdue", r->o->today - d > every);
}

/* Pages of an index page's folder (and its subfolders' index pages). */
static void
add_children(struct rctx *r, struct value *pg, const struct page *p)
{
	char *dir = path_dir(p->path);
	size_t dlen = strlen(dir), i;
	struct value *l = NULL;

	for (i = 0; i < r->s->npages; i++) {
		const struct page *c = r->s->pages[i];
		const char *rest;

		if (c == p || (dlen && (strncmp(c->path, dir, dlen) != 0 ||
		    c->path[dlen] != '/')))
			continue;
		rest = c->path + (dlen ? dlen + 1 : 0);
		/* Direct children, and the index pages one folder down. */
		if (strchr(rest, '/') != NULL && !(c->is_index &&
		    strchr(strchr(rest, '/') + 1, '/') == NULL))
			continue;
		if (l == NULL)
			l = value_add(pg, "children", VAL_LIST);
		add_page_item(r, l, c, p->out_path);
	}
	free(dir);
}

static struct value *
page_context(struct rctx *r, const struct page *p, size_t pi)
{
	struct value *ctx = common_context(r, p->out_path, page_title(p));
	struct value *pg = value_add(ctx, "page", VAL_MAP);

	value_add_str(pg, "title", page_title(p));
	value_add_str(pg, "path", p->path);
	value_add_str(pg, "kind", p->kind.s);
	value_add_bool(pg, "is_runbook", strcmp(p->kind.s, "runbook") == 0);
	value_add_raw(pg, "content", p->html ? p->html : "");
	add_severity(r, pg, p, p->out_path);
	add_owner(r, pg, p, p->out_path);
	add_named_links(pg, "alerts", &p->alerts, "alerts", p->out_path);
	add_named_links(pg, "tags", &p->tags, "tags", p->out_path);
	add_named_links(pg, "services", &p->services, "services",
	    p->out_path);
	add_review(r, pg, p);
	add_toc(pg, p);
	add_breadcrumbs(r, pg, p);
	add_neighbours(r, pg, p);
	add_backlinks(r, pg, p);
	add_scripts(r, pg, p, pi);
	if (p->is_index)
		add_children(r, pg, p);
	if (p->fm && p->fm->kind == VAL_MAP)
		value_copy(value_add(pg, "params", VAL_MAP), p->fm);
	return ctx;
}

static int
emit(struct rctx *r, const char *rel, const struct buf *b)
{
	char *path = path_join(r->o->out_dir, rel);
	int rc = fs_write_if_changed(path, b->data ? b->data : "", b->len);

	free(path);
	return rc < 0 ? errno ? errno : EIO : 0;
}

static void
render_one(void *ud, size_t i)
{
	struct rctx *r = ud;
	const struct page *p = r->s->pages[i];
	struct value *ctx = page_context(r, p, i);
	struct buf b = BUF_INIT;

	tpl_render(r->t_page, ctx, &b);
	r->failed[i] = emit(r, p->out_path, &b);
	buf_free(&b);
	value_free(ctx);
}

/* ---- generated listings ---- */

static int
render_list(struct rctx *r, const char *out, const char *title,
    struct value *ctx, struct strv *written)
{
	struct buf b = BUF_INIT;
	int rc;

	(void)title;
	tpl_render(r->t_list, ctx, &b);
	rc = emit(r, out, &b);
	buf_free(&b);
	value_free(ctx);
	if (rc) {
		diag_add(r->diags, out, 1, 1, DIAG_ERROR, "file.read",
		    "cannot write: %s", strerror(rc));
		return -1;
	}
	strv_push(written, out);
	return 0;
}

static void
add_section_group(struct rctx *r, struct value *groups, const char *sec,
    const char *from)
{
	const struct group *g = group_find(&r->s->sections, sec);
	struct value *grp, *pages;
	char *out;
	size_t i;

	if (g == NULL)
		return;
	grp = value_add(groups, NULL, VAL_MAP);
	value_add_str(grp, "title", *sec ? section_title(r, sec) : "");
	out = section_index_out(sec);
	if (*sec)
		add_url(grp, "url", from, out);
	free(out);
	pages = value_add(grp, "pages", VAL_LIST);
	/* The section's own index page is the group's link, not a row. */
	out = section_index_out(sec);
	for (i = 0; i < g->n; i++)
		if (strcmp(g->pages[i]->out_path, out) != 0)
			add_page_item(r, pages, g->pages[i], from);
	free(out);
}

static int
render_home(struct rctx *r, struct strv *written)
{
	struct value *ctx, *list, *groups, *counts;
	size_t i;

	if (site_page(r->s, "_index.md") || site_page(r->s, "index.md"))
		return 0;	/* the content's own home page */
	ctx = common_context(r, "index.html", r->cfg->title);
	list = value_add(ctx, "list", VAL_MAP);
	value_add_str(list, "title", r->cfg->title);
	if (r->cfg->description)
		value_add_str(list, "intro", r->cfg->description);
	value_add_bool(list, "is_home", true);
	counts = value_add(list, "severities", VAL_LIST);
	for (i = 0; i < r->cfg->nseverities; i++) {
		const struct severity *sev = &r->cfg->severities[i];
		const struct group *g = group_find(&r->s->by_severity, sev->id);
		struct value *it = value_add(counts, NULL, VAL_MAP);
		char *out = xasprintf("severity/%s.html", sev->id);

		value_add_str(it, "id", sev->id);
		value_add_str(it, "label", sev->label);
		if (sev->color)
			value_add_str(it, "color", sev->color);
		value_add_int(it, "count", g ? (long)g->n : 0);
		add_url(it, "url", "index.html", out);
		free(out);
	}
	groups = value_add(list, "groups", VAL_LIST);
	for (i = 0; i < r->s->sections.n; i++)
		add_section_group(r, groups, r->s->sections.v[i].key,
		    "index.html");
	return render_list(r, "index.html", r->cfg->title, ctx, written);
}

/* Folders with pages but no index page get a generated one. */
static int
render_section_indexes(struct rctx *r, struct strv *written)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->s->sections.n; i++) {
		const char *sec = r->s->sections.v[i].key;
		struct value *ctx, *list, *groups;
		char *out;

		if (*sec == '\0')
			continue;
		out = section_index_out(sec);
		if (hmap_get(&r->s->by_out, out)) {
			free(out);
			continue;
		}
		ctx = common_context(r, out, section_title(r, sec));
		list = value_add(ctx, "list", VAL_MAP);
		value_add_str(list, "title", section_title(r, sec));
		groups = value_add(list, "groups", VAL_LIST);
		add_section_group(r, groups, sec, out);
		rc |= render_list(r, out, sec, ctx, written);
		free(out);
	}
	return rc;
}

static int
copy_file(struct rctx *r, const char *from, const char *rel,
    struct strv *written)
{
	char *data, err[256], *to;
	size_t len;
	int rc;

	if (fs_read(from, SIZE_MAX, &data, &len, err, sizeof(err)) != 0) {
		diag_add(r->diags, from, 1, 1, DIAG_ERROR, "file.read", "%s",
		    err);
		return -1;
	}
	to = path_join(r->o->out_dir, rel);
	rc = fs_write_if_changed(to, data, len);
	free(to);
	free(data);
	if (rc < 0) {
		diag_add(r->diags, rel, 1, 1, DIAG_ERROR, "file.read",
		    "cannot write: %s", strerror(errno));
		return -1;
	}
	strv_push(written, rel);
	return 0;
}

static int
write_assets(struct rctx *r, struct strv *written)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->th->nfiles; i++) {
		const struct theme_file *f = &r->th->files[i];
		struct buf b = BUF_INIT;

		if (!str_starts(f->name, "assets/"))
			continue;
		buf_put(&b, f->data, f->len);
		if (emit(r, f->name, &b) != 0)
			rc = -1;
		else
			strv_push(written, f->name);
		buf_free(&b);
	}
	for (i = 0; i < r->s->assets.n; i++) {
		char *from = path_join(r->s->content_dir, r->s->assets.v[i]);

		rc |= copy_file(r, from, r->s->assets.v[i], written);
		free(from);
	}
	return rc;
}

static const struct tpl *
get_tpl(struct tpl_env *env, const char *name, struct diag_list *diags)
{
	struct tpl_error e;
	const struct tpl *t = tpl_env_get(env, name, &e);

	if (t == NULL)
		diag_add(diags, *e.name ? e.name : name, e.line ? e.line : 1,
		    e.col ? e.col : 1, DIAG_ERROR, "file.read",
		    "template: %s", e.msg);
	return t;
}

int
render_site(const struct site *s, const struct theme *th,
    const struct render_opts *o, struct strv *written,
    struct diag_list *diags)
{
	struct rctx r;
	struct tpl_env *env = tpl_env_new(theme_tpl_loader, (void *)th);
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.cfg = s->cfg;
	r.th = th;
	r.o = o;
	r.diags = diags;
	check_format_date(o->today, r.today);
	r.t_page = get_tpl(env, "page", diags);
	r.t_list = get_tpl(env, "list", diags);
	if (r.t_page == NULL || r.t_list == NULL) {
		tpl_env_free(env);
		return -1;
	}
	r.failed = xcalloc(s->npages + 1, sizeof(*r.failed));
	pool_run(s->npages, o->jobs, render_one, &r);
	for (i = 0; i < s->npages; i++) {
		if (r.failed[i]) {
			diag_add(diags, s->pages[i]->out_path, 1, 1,
			    DIAG_ERROR, "file.read", "cannot write: %s",
			    strerror(r.failed[i]));
			rc = -1;
		} else
			strv_push(written, s->pages[i]->out_path);
	}
	free(r.failed);
	rc |= render_home(&r, written);
	rc |= render_section_indexes(&r, written);
	rc |= write_assets(&r, written);
	tpl_env_free(env);
	return rc ? -1 : 0;
}
