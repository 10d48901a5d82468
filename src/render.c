/*
 * render: the driver of the render stage, and the pages themselves.
 * Pages render in parallel; everything built from the whole site
 * (listings, alert pages, script pages, search index, catalog, print
 * book) renders after them, single-threaded, each in its own module.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "buf.h"
#include "catalog.h"
#include "check.h"
#include "config.h"
#include "digest.h"
#include "fsutil.h"
#include "listings.h"
#include "pool.h"
#include "progress.h"
#include "rctx.h"
#include "scriptpage.h"
#include "search.h"
#include "searchcache.h"
#include "site.h"
#include "str.h"
#include "template.h"
#include "theme.h"
#include "value.h"

/* ---- one Markdown page ---- */

/* What the pages read besides the site, made once before they render. */
struct page_job {
	const struct rctx *r;
	const struct page **prev, **next;	/* per page: neighbours */
	struct hmap crumbs;	/* folder -> struct crumb */
	struct strv crumb_keys;
	char **script_out, **script_raw;	/* per script: its pages */
	int *failed;		/* per page: the errno of a failed write */
	unsigned long long *key;	/* per page: its file's key */
	bool *kept;		/* per page: the staged file was kept */
};

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
	toc = value_add(value_add(pg, "toc", VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < p->nheadings; i++) {
		const struct heading *h = &p->headings[i];
		struct value *it;

		if (h->level < 2 || h->level > 3)
			continue;
		it = value_add(toc, NULL, VAL_MAP);
		value_add_borrowed(it, "text", h->text);
		rctx_add_fragment(it, "href", h->id);
		value_add_bool(it, "sub", h->level == 3);
	}
}

/* A folder's title and index page, made once per render for the pages. */
struct crumb {
	char *title, *out;
};

/* The crumb of every folder that holds a page (and those above it). */
static void
make_crumbs(const struct rctx *r, struct hmap *crumbs, struct strv *keys)
{
	size_t i;

	for (i = 0; i < r->s->npages; i++) {
		char *dir = path_dir(r->s->pages[i]->path), *slash;

		while (*dir && hmap_get(crumbs, dir) == NULL) {
			struct crumb *c = xcalloc(1, sizeof(*c));

			c->title = rctx_folder_title(r, dir);
			c->out = rctx_folder_out(dir);
			strv_push(keys, dir);
			hmap_put(crumbs, keys->v[keys->n - 1], c);
			if ((slash = strrchr(dir, '/')) == NULL)
				break;
			*slash = '\0';
		}
		free(dir);
	}
}

static void
free_crumbs(struct hmap *crumbs, struct strv *keys)
{
	size_t i;

	for (i = 0; i < keys->n; i++) {
		struct crumb *c = hmap_get(crumbs, keys->v[i]);

		free(c->title);
		free(c->out);
		free(c);
	}
	hmap_free(crumbs);
	strv_free(keys);
}

/* Home, then each folder above the page (linking its index page). */
static void
add_breadcrumbs(const struct rctx *r, const struct hmap *crumbs,
    struct value *pg, const struct page *p)
{
	struct value *bc = value_add(value_add(pg, "breadcrumbs", VAL_MAP),
	    "items", VAL_LIST);
	struct value *it = value_add(bc, NULL, VAL_MAP);
	char *dir = path_dir(p->path);
	const char *s = dir;

	value_add_borrowed(it, "title", r->cfg->title);
	rctx_add_url(it, "url", p->out_path, "index.html");
	while (*dir) {
		const char *slash = strchr(s, '/');
		char *folder = slash ? xstrndup(dir, (size_t)(slash - dir)) :
		    xstrdup(dir);
		const struct crumb *c = hmap_get(crumbs, folder);

		if (strcmp(c->out, p->out_path) != 0) {
			it = value_add(bc, NULL, VAL_MAP);
			value_add_borrowed(it, "title", c->title);
			rctx_add_url(it, "url", p->out_path, c->out);
		}
		free(folder);
		if (slash == NULL)
			break;
		s = slash + 1;
	}
	free(dir);
}

static void
add_link_to(struct value *pg, const char *key, const struct page *from,
    const struct page *to)
{
	struct value *v = value_add(pg, key, VAL_MAP);

	value_add_borrowed(v, "title", page_title(to));
	rctx_add_url(v, "url", from->out_path, to->out_path);
}

/*
 * Previous and next page of the same section, index pages aside, for
 * every page at once (by page index): one walk of each section instead
 * of one per page.
 */
static void
link_neighbours(const struct site *s, const struct page **prev,
    const struct page **next)
{
	size_t i, j;

	for (i = 0; i < s->sections.n; i++) {
		const struct group *g = &s->sections.v[i];
		const struct page *last = NULL;
		size_t li = 0;

		for (j = 0; j < g->n; j++) {
			size_t pi;

			if (g->pages[j]->is_index)
				continue;
			pi = site_page_index(s, g->pages[j]);
			if (last) {
				prev[pi] = last;
				next[li] = g->pages[j];
			}
			last = g->pages[j];
			li = pi;
		}
	}
}

static void
add_neighbours(struct value *pg, const struct page *p,
    const struct page *prev, const struct page *next)
{
	if (p->is_index)
		return;
	if (prev)
		add_link_to(pg, "prev", p, prev);
	if (next)
		add_link_to(pg, "next", p, next);
}

static void
add_backlinks(const struct rctx *r, struct value *pg, const struct page *p)
{
	const struct group *g = group_find(&r->s->backlinks, p->path);
	struct value *l;
	size_t i;

	if (g == NULL || g->n == 0)
		return;
	l = value_add(value_add(pg, "backlinks", VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < g->n; i++)
		rctx_add_page_item(r, l, g->pages[i], p->out_path);
}

static void
add_scripts(const struct page_job *j, struct value *pg, const struct page *p,
    size_t pi)
{
	const struct site *s = j->r->s;
	struct value *l;
	size_t i;

	if (s->npage_scripts[pi] == 0)
		return;
	l = value_add(value_add(pg, "scripts", VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < s->npage_scripts[pi]; i++) {
		const struct script *sc = s->page_scripts[pi][i];
		size_t si = (size_t)(sc - s->scripts);
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_borrowed(it, "name", sc->id);
		if (sc->file) {
			rctx_add_url(it, "url", p->out_path, j->script_out[si]);
			rctx_add_url(it, "raw_url", p->out_path,
			    j->script_raw[si]);
		}
	}
}

static void
add_review(const struct rctx *r, struct value *pg, const struct page *p)
{
	struct value *rv;
	char due[11];
	bool overdue = false;

	if (p->last_reviewed.s == NULL)
		return;
	rv = value_add(pg, "review", VAL_MAP);
	value_add_borrowed(rv, "last", p->last_reviewed.s);
	if (rctx_review(r, p, due, &overdue)) {
		value_add_str(rv, "due", due);
		value_add_bool(rv, "overdue", overdue);
	}
}

/*
 * The template data of one page.  The book reuses it for each chapter
 * (with from set to "print.html" so links are right from there).
 */
struct value *
render_page_data(const struct rctx *r, struct value *pg,
    const struct page *p, const char *from)
{
	value_add_borrowed(pg, "title", page_title(p));
	value_add_borrowed(pg, "path", p->path);
	value_add_borrowed(pg, "kind", p->kind.s ? p->kind.s : "");
	value_add_bool(pg, "is_runbook", p->kind.s &&
	    strcmp(p->kind.s, "runbook") == 0);
	if (p->summary && *p->summary)
		value_add_borrowed(pg, "summary", p->summary);
	rctx_add_page_severity(r, pg, p, from, RCTX_FULL);
	rctx_add_page_owner(r, pg, p, from, RCTX_FULL);
	rctx_add_pstr_names(pg, "alerts", &p->alerts, "alerts", from);
	rctx_add_pstr_names(pg, "tags", &p->tags, "tags", from);
	rctx_add_pstr_names(pg, "services", &p->services, "services", from);
	add_review(r, pg, p);
	value_add_bool(pg, "has_meta", p->severity.s || p->owner.s ||
	    p->alerts.n || p->tags.n || p->services.n || p->last_reviewed.s);
	return pg;
}

void
render_html_read(const struct rctx *r, const struct page *p)
{
	if (r->o->read_html)
		r->o->read_html(r->o->read_html_ud, p->html);
}

const char *
render_page_body(const struct page *p)
{
	const char *html = p->html ? p->html : "", *end;

	if (p->nheadings == 0 || p->headings[0].level != 1 ||
	    strncmp(html, "<h1", 3) != 0 ||
	    strcmp(p->headings[0].text, page_title(p)) != 0 ||
	    (end = strstr(html, "</h1>")) == NULL)
		return html;
	end += 5;
	return *end == '\n' ? end + 1 : end;
}


static struct value *
page_context(const struct page_job *j, const struct page *p, size_t pi)
{
	const struct rctx *r = j->r;
	struct value *ctx = rctx_common(r, p->out_path, page_title(p));
	struct value *pg = value_add(ctx, "page", VAL_MAP);

	render_page_data(r, pg, p, p->out_path);
	/* The page outlives its context: borrowed, not copied. */
	value_add_borrowed(pg, "content", render_page_body(p))->raw = true;
	if (render_page_body(p) != p->html && p->html)
		value_add_borrowed(pg, "h1_id", p->headings[0].id);
	add_toc(pg, p);
	add_breadcrumbs(r, &j->crumbs, pg, p);
	add_neighbours(pg, p, j->prev[pi], j->next[pi]);
	add_backlinks(r, pg, p);
	add_scripts(j, pg, p, pi);
	if (strcmp(p->out_path, "index.html") == 0)
		listings_add_home(r, value_add(pg, "home", VAL_MAP),
		    "index.html");
	else if (p->is_index) {
		char *dir = path_dir(p->path);

		listings_add_folder(r, pg, "children", dir, p->out_path);
		free(dir);
	}
	/* An alias: the front matter is only read while pages render. */
	if (p->fm && p->fm->kind == VAL_MAP)
		value_add_ref(pg, "params", p->fm);
	return ctx;
}

static void
render_one(void *ud, size_t i)
{
	struct page_job *j = ud;
	const struct page *p = j->r->s->pages[i];
	struct value *ctx;
	struct buf b = BUF_INIT;

	if (j->r->key) {
		j->key[i] = digest_page_key(p, j->r->key);
		if ((j->kept[i] = rctx_can_keep(j->r, p->out_path,
		    j->key[i]))) {
			progress_tick(j->r->o->progress);
			return;
		}
	}
	ctx = page_context(j, p, i);
	/* The body plus the theme's frame, so the output rarely regrows. */
	buf_grow(&b, (p->html ? strlen(p->html) : 0) + 16384);
	tpl_render(j->r->t.page, ctx, &b);
	render_html_read(j->r, p);
	j->failed[i] = rctx_write_file(j->r, p->out_path, b.data, b.len);
	buf_free(&b);
	value_free(ctx);
	progress_tick(j->r->o->progress);
}

static int
render_pages(struct rctx *r)
{
	struct page_job j;
	size_t i;
	int rc = 0;

	j.r = r;
	j.failed = xcalloc(r->s->npages + 1, sizeof(*j.failed));
	j.key = xcalloc(r->s->npages + 1, sizeof(*j.key));
	j.kept = xcalloc(r->s->npages + 1, sizeof(*j.kept));
	j.prev = xcalloc(r->s->npages + 1, sizeof(*j.prev));
	j.next = xcalloc(r->s->npages + 1, sizeof(*j.next));
	link_neighbours(r->s, j.prev, j.next);
	memset(&j.crumbs, 0, sizeof(j.crumbs));
	memset(&j.crumb_keys, 0, sizeof(j.crumb_keys));
	make_crumbs(r, &j.crumbs, &j.crumb_keys);
	j.script_out = xcalloc(r->s->nscripts + 1, sizeof(*j.script_out));
	j.script_raw = xcalloc(r->s->nscripts + 1, sizeof(*j.script_raw));
	for (i = 0; i < r->s->nscripts; i++) {
		j.script_out[i] = scriptpage_out(&r->s->scripts[i]);
		j.script_raw[i] = scriptpage_raw_out(&r->s->scripts[i]);
	}
	progress_phase(r->o->progress, "render", r->s->npages);
	pool_run(r->s->npages, r->o->jobs, render_one, &j);
	progress_phase(r->o->progress, "render listings, search, book", 0);
	for (i = 0; i < r->s->npages; i++)
		rc |= rctx_record(r, r->s->pages[i]->out_path, j.failed[i],
		    j.key[i], j.kept[i]);
	free(j.failed);
	free(j.key);
	free(j.kept);
	free(j.prev);
	free(j.next);
	free_crumbs(&j.crumbs, &j.crumb_keys);
	for (i = 0; i < r->s->nscripts; i++) {
		free(j.script_out[i]);
		free(j.script_raw[i]);
	}
	free(j.script_out);
	free(j.script_raw);
	return rc;
}

/* ---- files that are not pages ---- */

static int
copy_file(struct rctx *r, const char *from, const char *out)
{
	char *data, err[256];
	size_t len;
	int rc;

	if (!rctx_claim(r, out))
		return 0;
	if (fs_read(from, r->cfg->max_file_size ? r->cfg->max_file_size :
	    FS_DEFAULT_MAX_FILE, &data, &len, err, sizeof(err)) != 0) {
		diag_add(r->diags, from, 1, 1, DIAG_ERROR, "file.read", "%s",
		    err);
		return -1;
	}
	rc = rctx_write(r, out, data, len);
	free(data);
	return rc;
}

static int
write_theme_assets(struct rctx *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->th->nfiles; i++) {
		const struct theme_file *f = &r->th->files[i];

		if (str_starts(f->name, "assets/") && rctx_claim(r, f->name))
			rc |= rctx_write(r, f->name, f->data, f->len);
	}
	return rc;
}

static int
write_content_assets(struct rctx *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->s->assets.n; i++) {
		char *from = path_join(r->s->content_dir, r->s->assets.v[i]);

		rc |= copy_file(r, from, r->s->assets.v[i]);
		free(from);
	}
	return rc;
}

static int
write_search(struct rctx *r)
{
	static const char tag[] = "search";
	struct search_opts so;
	struct search_index ix;
	size_t i;
	int rc = 0;

	so.jobs = r->o->jobs;
	so.cache_dir = r->o->parse ? r->o->out_dir : NULL;
	so.cache_key = str_hash(tag, sizeof(tag), r->o->parse);
	so.read = r->o->read_html;
	so.read_ud = r->o->read_html_ud;
	search_build(r->s, &so, &ix);
	r->uncached = ix.nuncached;
	if (ix.cache_ok)
		strv_push(r->written, SEARCH_CACHE_FILE);
	for (i = 0; i < ix.n; i++)
		if (rctx_claim(r, ix.files[i].name))
			rc |= rctx_write(r, ix.files[i].name,
			    ix.files[i].data.data, ix.files[i].data.len);
	search_index_free(&ix);
	return rc | listings_search_page(r);
}

/* ---- the driver ---- */

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

static int
compile_templates(struct tpl_env *env, struct rtpls *t,
    struct diag_list *diags)
{
	t->page = get_tpl(env, "page", diags);
	t->list = get_tpl(env, "list", diags);
	t->redirect = get_tpl(env, "redirect", diags);
	t->script = get_tpl(env, "script", diags);
	t->search = get_tpl(env, "search", diags);
	t->book = get_tpl(env, "book", diags);
	t->chapter = get_tpl(env, "book-chapter", diags);
	return t->page && t->list && t->redirect && t->script && t->search &&
	    t->book && t->chapter ? 0 : -1;
}

/*
 * The key of everything made from the site's face alone (listings, alert
 * pages, the catalog), and through digest_page_key() of each page: 0
 * (nothing is kept) unless the build knows its global inputs.
 */
static unsigned long long
site_key(const struct site *s, const struct render_opts *o)
{
	if (o->global == 0)
		return 0;
	return digest_site_key(o->global, o->face ? o->face :
	    digest_site_face(s, o->jobs));
}

int
render_site(const struct site *s, const struct theme *th,
    const struct render_opts *o, struct strv *written,
    struct diag_list *diags, struct render_stats *stats)
{
	unsigned long long key;
	struct book_job *book;
	struct rctx r;
	struct tpl_env *env = tpl_env_new(theme_tpl_loader, (void *)th);
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.cfg = s->cfg;
	r.th = th;
	r.o = o;
	r.diags = diags;
	r.written = written;
	r.prev = o->prev;
	r.keys = o->keys;
	key = site_key(s, o);
	r.site_key = key;
	check_format_date(o->today, r.today);
	if (compile_templates(env, &r.t, diags) < 0) {
		tpl_env_free(env);
		return -1;
	}
	rctx_share(&r);
	/* Pages first: a page keeps its path against anything generated;
	 * then the theme's files, then what is made from the whole site. */
	/* Pages, listings and the catalog show the model alone: they carry
	 * keys.  The search index and the book show every page's text, and
	 * script pages and assets files outside it: they are always made
	 * (and written only where their bytes changed). */
	r.key = key;
	rc |= render_pages(&r);
	r.key = 0;
	rc |= write_theme_assets(&r);
	/* The book is made on its own thread while the rest is; nothing
	 * but a page or a theme file can take its path before it. */
	book = book_start(&r);
	rc |= write_search(&r);
	r.key = key;
	rc |= catalog_render(&r);
	rc |= listings_render(&r);
	r.key = 0;
	rc |= scriptpage_render(&r);
	rc |= book_finish(&r, book);
	rc |= write_content_assets(&r);
	/* Aliases last: an old path never hides anything current. */
	r.key = key;
	rc |= listings_aliases(&r);
	rctx_record_end(&r);
	if (stats) {
		stats->made = r.made;
		stats->kept = r.kept;
		stats->uncached = r.uncached;
	}
	rctx_unshare(&r);
	hmap_free(&r.claimed);
	strv_free(&r.claimed_keys);
	tpl_env_free(env);
	return rc ? -1 : 0;
}
