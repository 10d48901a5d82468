#include "listings.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fsutil.h"
#include "page.h"
#include "rctx.h"
#include "site.h"
#include "value.h"

/* Pages the home page shows under each section before "all N". */
#define HOME_PAGES_PER_SECTION 12

/* ---- groups of page rows ---- */

static struct value *
new_group(struct value *groups, const char *title, const char *url)
{
	struct value *g = value_add(groups, NULL, VAL_MAP);

	value_add_str(g, "title", title ? title : "");
	if (url)
		value_add_str(g, "url", url);
	return g;
}

/* A group headed by folder: as new_group() with its title and link. */
static struct value *
folder_group(const struct rctx *r, struct value *groups, const char *folder,
    const char *from)
{
	struct value *g = value_add(groups, NULL, VAL_MAP);
	char *out = rctx_folder_out(folder);

	value_add_owned(g, "title", rctx_folder_title(r, folder));
	rctx_add_url(g, "url", from, out);
	free(out);
	return g;
}

/* Adds the rows of pages[0..n) to group g, at most max (0: all). */
static void
fill_group(const struct rctx *r, struct value *g, struct page *const *pages,
    size_t n, size_t max, const char *from)
{
	struct value *rows = value_add(value_add(g, "pages", VAL_MAP),
	    "items", VAL_LIST);
	size_t i;

	for (i = 0; i < n && (max == 0 || i < max); i++)
		rctx_add_page_item(r, rows, pages[i], from);
	value_add_int(g, "count", (long)n);
	if (max && n > max)
		value_add_int(g, "more", (long)n);
}

/* The range of pages below folder (sorted paths share a prefix). */
static void
folder_range(const struct site *s, const char *folder, size_t *lo,
    size_t *hi)
{
	size_t n = strlen(folder), a = 0, b = s->npages;

	if (n == 0) {
		*lo = 0;
		*hi = s->npages;
		return;
	}
	while (a < b) {
		size_t m = (a + b) / 2;
		int c = strncmp(s->pages[m]->path, folder, n);

		if (c < 0 || (c == 0 && s->pages[m]->path[n] < '/'))
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < s->npages && strncmp(s->pages[a]->path, folder, n) == 0 &&
	    s->pages[a]->path[n] == '/')
		a++;
	*hi = a;
}

static void
folder_groups(const struct rctx *r, struct value *groups, const char *folder,
    const char *from)
{
	const struct site *s = r->s;
	struct page **direct;
	size_t lo, hi, i, nd = 0, skip = *folder ? strlen(folder) + 1 : 0;
	char *self = rctx_folder_out(folder);

	folder_range(s, folder, &lo, &hi);
	direct = xcalloc(hi - lo + 1, sizeof(*direct));
	for (i = lo; i < hi; i++)
		if (strchr(s->pages[i]->path + skip, '/') == NULL &&
		    strcmp(s->pages[i]->out_path, self) != 0)
			direct[nd++] = s->pages[i];
	if (nd)
		fill_group(r, new_group(groups, NULL, NULL), direct, nd, 0,
		    from);
	for (i = lo; i < hi;) {
		const char *rest = s->pages[i]->path + skip;
		const char *slash = strchr(rest, '/');
		char *sub;
		size_t a, b;

		if (slash == NULL) {
			i++;
			continue;
		}
		sub = xstrndup(s->pages[i]->path, (size_t)(slash -
		    s->pages[i]->path));
		folder_range(s, sub, &a, &b);
		fill_group(r, folder_group(r, groups, sub, from), s->pages + a,
		    b - a, 0, from);
		free(sub);
		i = b > i ? b : i + 1;
	}
	free(direct);
	free(self);
}

/* Whether folder has a page besides its own index page. */
static bool
folder_has_rows(const struct site *s, const char *folder, const char *self)
{
	size_t lo, hi, i;

	folder_range(s, folder, &lo, &hi);
	for (i = lo; i < hi; i++)
		if (strcmp(s->pages[i]->out_path, self) != 0)
			return true;
	return false;
}

void
listings_add_folder(const struct rctx *r, struct value *parent,
    const char *key, const char *folder, const char *from)
{
	char *self = rctx_folder_out(folder);

	/* Built in place: "nothing" is known before anything is added. */
	if (folder_has_rows(r->s, folder, self))
		folder_groups(r, value_add(value_add(parent, key, VAL_MAP),
		    "items", VAL_LIST), folder, from);
	free(self);
}

/* pages grouped by their section, in site order. */
static void
add_by_section(const struct rctx *r, struct value *list,
    struct page *const *pages, size_t n, const char *from)
{
	struct value *groups = value_add(value_add(list, "groups", VAL_MAP),
	    "items", VAL_LIST);
	size_t i, j;

	for (i = 0; i < n; i = j) {
		const char *sec = pages[i]->section;
		struct value *g = value_add(groups, NULL, VAL_MAP);
		char *out;

		for (j = i; j < n && strcmp(pages[j]->section, sec) == 0; j++)
			;
		/* As new_group(): the title, then the section's link. */
		if (*sec) {
			rctx_add_section_title(r, g, "title", sec);
			out = rctx_folder_out(sec);
			rctx_add_url(g, "url", from, out);
			free(out);
		} else
			value_add_str(g, "title", "");
		fill_group(r, g, pages + i, j - i, 0, from);
	}
}

static struct value *
list_context(const struct rctx *r, const char *out, const char *title,
    const char *kind)
{
	struct value *ctx = rctx_common(r, out, title);
	struct value *list = value_add(ctx, "list", VAL_MAP);

	value_add_str(list, "title", title);
	value_add_bool(list, kind, true);
	return ctx;
}

/* ---- home ---- */

static void
add_severity_counts(const struct rctx *r, struct value *m, const char *from)
{
	struct value *l = value_add(value_add(m, "severities", VAL_MAP),
	    "items", VAL_LIST);
	size_t i;

	for (i = 0; i < r->cfg->nseverities; i++) {
		const struct severity *sev = &r->cfg->severities[i];
		const struct group *g = group_find(&r->s->by_severity, sev->id);
		struct value *it = value_add(l, NULL, VAL_MAP);

		rctx_add_severity(r, it, sev->id, from, RCTX_BRIEF);
		value_add_int(it, "count", g ? (long)g->n : 0);
	}
}

static void
add_entry(struct value *l, const char *key, const char *url, long count)
{
	struct value *it = value_add(l, NULL, VAL_MAP);

	value_add_bool(it, key, true);
	value_add_str(it, "url", url);
	if (count >= 0)
		value_add_int(it, "count", count);
}

static void
add_entries(const struct rctx *r, struct value *m, const char *from)
{
	static const struct {
		const char *key, *out;
	} e[] = {
		{ "e_alerts", "alerts/index.html" },
		{ "e_search", "search.html" },
		{ "e_print", "print.html" },
		{ "e_owners", "owners/index.html" },
		{ "e_tags", "tags/index.html" },
		{ "e_services", "services/index.html" },
		{ "e_scripts", "scripts/index.html" },
	};
	const struct site *s = r->s;
	long counts[] = { (long)s->nalerts, -1, -1, (long)s->by_owner.n,
		(long)s->by_tag.n, (long)s->by_service.n, (long)s->nscripts };
	struct value *l = value_add(value_add(m, "entries", VAL_MAP), "items",
	    VAL_LIST);
	size_t i;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		char *url;

		if (counts[i] == 0)
			continue;
		url = rctx_url(from, e[i].out);
		add_entry(l, e[i].key, url, counts[i]);
		free(url);
	}
}

static bool
is_runbook(const struct page *p)
{
	return p->kind.s && strcmp(p->kind.s, "runbook") == 0;
}

void
listings_add_home(const struct rctx *r, struct value *m, const char *from)
{
	struct value *groups;
	size_t i;

	add_severity_counts(r, m, from);
	add_entries(r, m, from);
	value_add_int(m, "pages", (long)r->s->npages);
	groups = value_add(value_add(m, "sections", VAL_MAP), "items",
	    VAL_LIST);
	for (i = 0; i < r->s->sections.n; i++) {
		const struct group *g = &r->s->sections.v[i];
		char *title = NULL, *out, *url = NULL;
		struct page **pages = xcalloc(g->n + 1, sizeof(*pages));
		size_t j, n = 0;

		/* Runbooks first, then the rest; the section's own index
		 * page is the group's link, not a row. */
		out = rctx_folder_out(g->key);
		for (j = 0; j < g->n; j++)
			if (strcmp(g->pages[j]->out_path, out) != 0 &&
			    is_runbook(g->pages[j]))
				pages[n++] = g->pages[j];
		for (j = 0; j < g->n; j++)
			if (strcmp(g->pages[j]->out_path, out) != 0 &&
			    !is_runbook(g->pages[j]))
				pages[n++] = g->pages[j];
		if (*g->key) {
			title = rctx_folder_title(r, g->key);
			url = rctx_url(from, out);
		}
		if (n)
			fill_group(r, new_group(groups, title, url), pages, n,
			    HOME_PAGES_PER_SECTION, from);
		free(out);
		free(title);
		free(url);
		free(pages);
	}
}

static int
render_home(struct rctx *r)
{
	struct value *ctx, *list;

	if (hmap_get(&r->s->by_out, "index.html") || rctx_kept(r, "index.html"))
		return 0;	/* the content's own home page, or unchanged */
	ctx = list_context(r, "index.html", r->cfg->title, "is_home");
	list = (struct value *)value_get(ctx, "list");
	if (r->cfg->description)
		value_add_str(list, "intro", r->cfg->description);
	listings_add_home(r, value_add(list, "home", VAL_MAP), "index.html");
	return rctx_render(r, r->t.list, ctx, "index.html");
}

/* ---- folder indexes ---- */

/* Every folder that holds a page, at any depth, sorted and unique. */
static void
collect_folders(const struct site *s, struct strv *out)
{
	struct hmap seen = HMAP_INIT;

	site_folders(s, out, &seen);
	hmap_free(&seen);
	strv_sort(out);
}

static char *
folder_name(const struct rctx *r, size_t i, void *ud)
{
	(void)r;
	return rctx_folder_out(((const struct strv *)ud)->v[i]);
}

static struct value *
folder_build(const struct rctx *r, size_t i, const char *out, void *ud)
{
	const char *folder = ((const struct strv *)ud)->v[i];
	char *title = rctx_folder_title(r, folder);
	struct value *ctx = list_context(r, out, title, "is_folder");

	listings_add_folder(r, (struct value *)value_get(ctx, "list"),
	    "groups", folder, out);
	free(title);
	return ctx;
}

static int
render_folder_indexes(struct rctx *r)
{
	struct strv folders = STRV_INIT;
	struct rctx_batch b;
	int rc;

	collect_folders(r->s, &folders);
	b.t = r->t.list;
	b.name = folder_name;
	b.build = folder_build;
	b.ud = &folders;
	rc = rctx_render_batch(r, &b, folders.n);
	strv_free(&folders);
	return rc;
}

/* ---- facets: severity, owner, tag, service ---- */

struct facet {
	const char *folder;	/* "tags" */
	const char *kind;	/* "is_tag" */
	const char *index_key;	/* the UI string naming the index */
	const struct group_set *gs;
};

static void
add_facet_detail(const struct rctx *r, struct value *list,
    const struct facet *f, const char *key, const char *out)
{
	if (strcmp(f->folder, "severity") == 0)
		rctx_add_severity(r, list, key, out, RCTX_FULL);
	else if (strcmp(f->folder, "owners") == 0)
		rctx_add_owner(r, list, key, out, RCTX_FULL);
}

static const char *
facet_title(const struct rctx *r, const struct facet *f, const char *key)
{
	const struct severity *sev;
	const struct owner *o;

	if (strcmp(f->folder, "severity") == 0 &&
	    (sev = config_severity(r->cfg, key)) != NULL)
		return sev->label;
	if (strcmp(f->folder, "owners") == 0 &&
	    (o = config_owner(r->cfg, key)) != NULL && o->name)
		return o->name;
	return key;
}

/* One facet's pages: the keys in index order, their groups. */
struct facet_run {
	const struct facet *f;
	struct strv keys;
	const struct group **groups;
};

static char *
facet_name(const struct rctx *r, size_t i, void *ud)
{
	const struct facet_run *fr = ud;

	(void)r;
	return rctx_facet_out(fr->f->folder, fr->keys.v[i]);
}

static struct value *
facet_build(const struct rctx *r, size_t i, const char *out, void *ud)
{
	const struct facet_run *fr = ud;
	const char *key = fr->keys.v[i];
	const struct group *g = fr->groups[i];
	struct value *ctx = list_context(r, out, facet_title(r, fr->f, key),
	    fr->f->kind);
	struct value *list = (struct value *)value_get(ctx, "list");

	add_facet_detail(r, list, fr->f, key, out);
	if (g && g->n)
		add_by_section(r, list, g->pages, g->n, out);
	return ctx;
}

/* The row of a key on the facet's index page. */
static void
add_facet_row(const struct rctx *r, const struct facet *f, const char *key,
    const struct group *g, struct value *index)
{
	struct value *it = value_add(index, NULL, VAL_MAP);
	char *from = xasprintf("%s/index.html", f->folder);
	char *out = rctx_facet_out(f->folder, key);

	value_add_str(it, "name", facet_title(r, f, key));
	rctx_add_url(it, "url", from, out);
	value_add_int(it, "count", g ? (long)g->n : 0);
	if (strcmp(f->folder, "severity") == 0)
		rctx_add_severity(r, it, key, from, RCTX_FULL);
	free(out);
	free(from);
}

static int
render_facet(struct rctx *r, const struct facet *f, const struct strv *first)
{
	struct facet_run fr;
	struct rctx_batch b;
	struct value *ctx, *index;
	struct hmap seen = HMAP_INIT;
	char *out = xasprintf("%s/index.html", f->folder);
	size_t i;
	int rc;

	/* Configured keys first (severities in their order), then the
	 * other keys in use, sorted. */
	memset(&fr, 0, sizeof(fr));
	fr.f = f;
	for (i = 0; i < first->n; i++)
		if (hmap_put(&seen, first->v[i], (void *)1) == NULL)
			strv_push(&fr.keys, first->v[i]);
	for (i = 0; i < f->gs->n; i++)
		if (hmap_get(&seen, f->gs->v[i].key) == NULL)
			strv_push(&fr.keys, f->gs->v[i].key);
	hmap_free(&seen);
	fr.groups = xcalloc(fr.keys.n + 1, sizeof(*fr.groups));
	for (i = 0; i < fr.keys.n; i++)
		fr.groups[i] = group_find(f->gs, fr.keys.v[i]);
	b.t = r->t.list;
	b.name = facet_name;
	b.build = facet_build;
	b.ud = &fr;
	rc = rctx_render_batch(r, &b, fr.keys.n);
	/* The index after its entries: they claim their names first. */
	if (fr.keys.n && !rctx_kept(r, out)) {
		/* Severities are a table: their targets and descriptions. */
		ctx = list_context(r, out, rctx_ui(r, f->index_key),
		    strcmp(f->folder, "severity") == 0 ? "is_severity_index" :
		    "is_facet_index");
		index = value_add(value_add((struct value *)value_get(ctx,
		    "list"), strcmp(f->folder, "severity") == 0 ?
		    "severities" : "facets", VAL_MAP), "items", VAL_LIST);
		for (i = 0; i < fr.keys.n; i++)
			add_facet_row(r, f, fr.keys.v[i], fr.groups[i], index);
		rc |= rctx_render(r, r->t.list, ctx, out);
	}
	strv_free(&fr.keys);
	free(fr.groups);
	free(out);
	return rc;
}

static int
render_facets(struct rctx *r)
{
	const struct site *s = r->s;
	const struct facet facets[] = {
		{ "severity", "is_severity", "severities", &s->by_severity },
		{ "owners", "is_owner", "owners", &s->by_owner },
		{ "tags", "is_tag", "tags", &s->by_tag },
		{ "services", "is_service", "services", &s->by_service },
	};
	struct strv sevs = STRV_INIT, owners = STRV_INIT, none = STRV_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->cfg->nseverities; i++)
		strv_push(&sevs, r->cfg->severities[i].id);
	/* Escalation links lead to every configured owner. */
	for (i = 0; i < r->cfg->nowners; i++)
		strv_push(&owners, r->cfg->owners[i].id);
	rc |= render_facet(r, &facets[0], &sevs);
	rc |= render_facet(r, &facets[1], &owners);
	rc |= render_facet(r, &facets[2], &none);
	rc |= render_facet(r, &facets[3], &none);
	strv_free(&sevs);
	strv_free(&owners);
	return rc;
}

/* ---- alerts ---- */

/* What a redirect page shows besides its title and target: the same
 * for every redirect page of one folder. */
static void
add_redirect_common(const struct rctx *r, struct value *ctx, const char *out)
{
	static const char *const ui_keys[] = { "alert", "runbook", "moved" };
	struct value *site, *ui;
	size_t i;

	site = value_add(ctx, "site", VAL_MAP);
	value_add_str(site, "title", r->cfg->title);
	value_add_str(site, "language", r->cfg->language);
	value_add_owned(ctx, "root", path_root_prefix(out));
	rctx_add_url(ctx, "home_url", out, "index.html");
	ui = value_add(ctx, "ui", VAL_MAP);
	for (i = 0; i < sizeof(ui_keys) / sizeof(ui_keys[0]); i++)
		value_add_str(ui, ui_keys[i], rctx_ui(r, ui_keys[i]));
}

/*
 * A redirect page's data: only what redirect.mustache shows, which keeps
 * tens of thousands of alert pages cheap.  common, when not NULL, is
 * add_redirect_common() of out's folder, shared instead of copied.  The
 * "redirect" map is the last member, for the caller to add to.
 */
static struct value *
redirect_context(const struct rctx *r, const char *out, const char *title,
    const struct page *to, const struct value *common)
{
	struct value *ctx = value_new_arena(VAL_MAP), *rd;

	/* Both callers pass a string of the model (an id, a title). */
	value_add_borrowed(ctx, "title", title);
	if (common)
		value_set_base(ctx, common);
	else
		add_redirect_common(r, ctx, out);
	rd = value_add(ctx, "redirect", VAL_MAP);
	rctx_add_url(rd, "url", out, to->out_path);
	value_add_borrowed(rd, "title", page_title(to));
	return ctx;
}

static char *
alert_name(const struct rctx *r, size_t i, void *ud)
{
	(void)ud;
	return rctx_alert_out(r, i);
}

static struct value *
alert_build(const struct rctx *r, size_t i, const char *out, void *ud)
{
	const struct alert_entry *a = &r->s->alerts[i];
	struct value *ctx = redirect_context(r, out, a->id, a->page, ud);
	/* The last member redirect_context() added. */
	struct value *rd = &ctx->items[ctx->n - 1];

	value_add_borrowed(rd, "alert", a->id);
	rctx_add_page_severity(r, rd, a->page, out, RCTX_BRIEF);
	return ctx;
}

/* Row i of the alerts index. */
static struct value *
alert_row(void *ud, size_t i)
{
	const struct rctx *r = ud;
	const struct alert_entry *a = &r->s->alerts[i];
	struct value *it = value_new_arena(VAL_MAP);

	value_add_borrowed(it, "id", a->id);
	rctx_add_alert_url(r, it, "url", "alerts/index.html", i);
	value_add_borrowed(it, "title", page_title(a->page));
	rctx_add_url(it, "runbook_url", "alerts/index.html",
	    a->page->out_path);
	rctx_add_page_severity(r, it, a->page, "alerts/index.html",
	    RCTX_BRIEF);
	rctx_add_page_owner(r, it, a->page, "alerts/index.html", RCTX_BRIEF);
	return it;
}

static int
render_alerts(struct rctx *r)
{
	struct value *ctx, *list, *common;
	struct value_gen rows;
	struct rctx_batch b;
	int rc;

	if (r->s->nalerts == 0)
		return 0;
	/* Every alert page is in alerts/: one copy of what they share. */
	common = value_new_arena(VAL_MAP);
	add_redirect_common(r, common, "alerts/index.html");
	value_mark_plain(common);
	b.t = r->t.redirect;
	b.name = alert_name;
	b.build = alert_build;
	b.ud = common;
	rc = rctx_render_batch(r, &b, r->s->nalerts);
	value_free(common);
	if (rctx_kept(r, "alerts/index.html"))
		return rc;
	ctx = list_context(r, "alerts/index.html", rctx_ui(r, "alerts"),
	    "is_alerts");
	list = (struct value *)value_get(ctx, "list");
	/* A row per alert of the site: made as the table is written, each
	 * dropped once written, never the whole table at once. */
	rows.make = alert_row;
	rows.ud = r;
	value_add_generated(value_add(list, "alerts", VAL_MAP), "items",
	    r->s->nalerts, &rows);
	return rc | rctx_render(r, r->t.list, ctx, "alerts/index.html");
}

/* ---- search page and aliases ---- */

int
listings_search_page(struct rctx *r)
{
	struct value *ctx = rctx_common(r, "search.html",
	    rctx_ui(r, "search"));

	value_add(ctx, "search", VAL_MAP);
	return rctx_render(r, r->t.search, ctx, "search.html");
}

/* The output path of an alias ("old/name.md" -> "old/name.html"), or
 * NULL when it is not a path inside the site. */
static char *
alias_out(const char *alias)
{
	char *norm, *out;

	while (*alias == '/')
		alias++;
	if ((norm = path_normalize(alias)) == NULL || *norm == '\0' ||
	    strpbrk(norm, "\\\r\n\t") != NULL) {
		free(norm);
		return NULL;
	}
	if (str_ends(norm, ".html"))
		return norm;
	out = path_md_to_html(norm);
	free(norm);
	return out;
}

int
listings_aliases(struct rctx *r)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < r->s->npages; i++) {
		const struct page *p = r->s->pages[i];
		char *out;

		for (j = 0; j < p->aliases.n; j++) {
			if ((out = alias_out(p->aliases.v[j].s)) != NULL)
				rc |= rctx_render(r, r->t.redirect,
				    redirect_context(r, out,
				    page_title(p), p, NULL), out);
			free(out);
		}
	}
	return rc;
}

int
listings_render(struct rctx *r)
{
	int rc = 0;

	rc |= render_home(r);
	rc |= render_folder_indexes(r);
	rc |= render_facets(r);
	rc |= render_alerts(r);
	return rc;
}
