#include "site.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fsutil.h"
#include "markdown.h"
#include "pool.h"

static void
group_add(struct group_set *gs, const char *key, struct page *p)
{
	uintptr_t idx = (uintptr_t)hmap_get(&gs->index, key);
	struct group *g;

	if (idx == 0) {
		gs->v = xgrow(gs->v, &gs->cap, gs->n, sizeof(*gs->v));
		g = &gs->v[gs->n++];
		memset(g, 0, sizeof(*g));
		g->key = xstrdup(key);
		/* Keys are re-pointed after sorting; see group_set_sort. */
		hmap_put(&gs->index, g->key, (void *)(uintptr_t)gs->n);
	} else
		g = &gs->v[idx - 1];
	if (g->n > 0 && g->pages[g->n - 1] == p)
		return;
	g->pages = xgrow(g->pages, &g->cap, g->n, sizeof(*g->pages));
	g->pages[g->n++] = p;
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key,
	    ((const struct group *)b)->key);
}

static void
group_set_sort(struct group_set *gs)
{
	size_t i;

	if (gs->n > 1)
		qsort(gs->v, gs->n, sizeof(*gs->v), cmp_group);
	hmap_free(&gs->index);
	for (i = 0; i < gs->n; i++)
		hmap_put(&gs->index, gs->v[i].key, (void *)(uintptr_t)(i + 1));
}

static void
group_set_free(struct group_set *gs)
{
	size_t i;

	for (i = 0; i < gs->n; i++) {
		free(gs->v[i].key);
		free(gs->v[i].pages);
	}
	free(gs->v);
	hmap_free(&gs->index);
	memset(gs, 0, sizeof(*gs));
}

const struct group *
group_find(const struct group_set *gs, const char *key)
{
	uintptr_t idx = (uintptr_t)hmap_get(&gs->index, key);

	return idx ? &gs->v[idx - 1] : NULL;
}

char *
site_url_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *w = out;
	size_t i;

	for (i = 0; i < len; i++) {
		int h, l;

		if (s[i] == '%' && i + 2 < len &&
		    (h = str_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = str_hexval((unsigned char)s[i + 2])) >= 0) {
			*w++ = (char)(h * 16 + l);
			i += 2;
		} else
			*w++ = s[i];
	}
	*w = '\0';
	return out;
}

void
site_folders(const struct site *s, struct strv *out, struct hmap *seen)
{
	size_t i;

	for (i = 0; i < s->npages; i++) {
		char *dir = path_dir(s->pages[i]->path);
		char *slash;

		/* Folders above a page hold it too. */
		while (*dir && hmap_get(seen, dir) == NULL) {
			strv_push(out, dir);
			hmap_put(seen, out->v[out->n - 1], (void *)1);
			if ((slash = strrchr(dir, '/')) == NULL)
				break;
			*slash = '\0';
		}
		free(dir);
	}
}

struct page *
site_page(const struct site *s, const char *path)
{
	return hmap_get(&s->by_path, path);
}

size_t
site_page_index(const struct site *s, const struct page *p)
{
	return p->order < s->npages && s->pages[p->order] == p ? p->order :
	    (size_t)-1;
}

/* A folder link leads to the folder's index page when there is one. */
static struct page *
folder_index(const struct site *s, const char *dir)
{
	static const char *const names[] = {
		"_index.md", "index.md", "README.md", "readme.md",
		"index.html.md",	/* Middleman */
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = *dir ? path_join(dir, names[i]) : xstrdup(names[i]);
		struct page *pg = site_page(s, p);

		free(p);
		if (pg)
			return pg;
	}
	return NULL;
}

static bool
is_folder(const struct site *s, const char *path)
{
	return *path == '\0' || hmap_get(&s->folder_set, path) != NULL;
}

static void
resolve_link(const struct site *s, struct page *p, const char *url,
    struct target *t)
{
	const char *hash = strchr(url, '#');
	size_t plen = hash ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', plen);
	char *raw, *joined, *dir;

	memset(t, 0, sizeof(*t));
	if (md_url_is_external(url)) {
		t->kind = TARGET_EXTERNAL;
		return;
	}
	if (hash && hash[1])
		t->anchor = site_url_decode(hash + 1, strlen(hash + 1));
	if (q)
		plen = (size_t)(q - url);
	if (plen == 0) {
		t->kind = TARGET_SELF;
		t->page = p;
		return;
	}
	raw = site_url_decode(url, plen);
	if (raw[0] == '/')
		joined = xstrdup(raw + 1);
	else {
		dir = path_dir(p->path);
		joined = *dir ? path_join(dir, raw) : xstrdup(raw);
		free(dir);
	}
	t->path = path_normalize(joined);
	free(joined);
	if (t->path == NULL) {
		t->kind = TARGET_OUTSIDE;
	} else if ((t->page = site_page(s, t->path)) != NULL) {
		t->kind = TARGET_PAGE;
	} else if (hmap_get(&s->asset_set, t->path)) {
		t->kind = TARGET_ASSET;
	} else if (str_ends(t->path, ".html")) {
		/* A link to the built page of a Markdown source: x.md, or
		 * x.html.md, or a folder's _index.md. */
		char *md = xasprintf("%.*s.md", (int)strlen(t->path) - 5,
		    t->path);

		t->page = hmap_get(&s->by_out, t->path);
		if (t->page == NULL)
			t->page = site_page(s, md);
		t->kind = t->page ? TARGET_PAGE : TARGET_MISSING;
		free(md);
	} else if (*t->path == '\0' || url[plen - 1] == '/' ||
	    is_folder(s, t->path)) {
		/* url, not raw: decoding shortens it, so raw[plen - 1]
		 * could be past its end. */
		t->page = folder_index(s, t->path);
		t->kind = t->page ? TARGET_PAGE : is_folder(s, t->path) ?
		    TARGET_FOLDER : TARGET_MISSING;
	} else {
		t->kind = TARGET_MISSING;
	}
	free(raw);
}

/*
 * Resolves a script reference against one root.  Roots: "." is the
 * page's folder, "/" the content root, ".." the folder above it, anything
 * else a folder relative to the content root.  On a hit, *id is the
 * output name and *file the path on disk.
 */
struct parent_memo {
	struct hmap known;	/* path -> (void *)1 file, (void *)2 not */
	struct strv keys;	/* owns the keys */
};

/* fs_is_file() of a path above the content root, asked once per path. */
static bool
parent_has(const struct site *s, const char *file)
{
	struct parent_memo *m = s->parent_files;
	void *v;
	bool is;

	if (m == NULL)
		return fs_is_file(file);
	if ((v = hmap_get(&m->known, file)) != NULL)
		return v == (void *)1;
	is = fs_is_file(file);
	strv_push(&m->keys, file);
	hmap_put(&m->known, m->keys.v[m->keys.n - 1], is ? (void *)1 :
	    (void *)2);
	return is;
}

static bool
try_root(const struct site *s, const struct page *p, const char *root,
    const char *ref, char **id, char **file, bool *outside)
{
	char *base, *joined, *norm;

	if (strcmp(root, "..") == 0) {
		norm = path_normalize(ref);
		if (norm == NULL) {
			*outside = true;
			return false;
		}
		*file = xasprintf("%s/../%s", s->content_dir, norm);
		if (!parent_has(s, *file)) {
			free(*file);
			free(norm);
			*file = NULL;
			return false;
		}
		*id = xasprintf("_parent/%s", norm);
		free(norm);
		return true;
	}
	if (strcmp(root, ".") == 0)
		base = path_dir(p->path);
	else if (strcmp(root, "/") == 0)
		base = xstrdup("");
	else
		base = xstrdup(root);
	joined = *base ? path_join(base, ref) : xstrdup(ref);
	norm = path_normalize(joined);
	free(joined);
	free(base);
	if (norm == NULL) {
		*outside = true;
		return false;
	}
	if (!hmap_get(&s->asset_set, norm)) {
		free(norm);
		return false;
	}
	*file = path_join(s->content_dir, norm);
	*id = norm;
	return true;
}

static struct script *
script_find(const struct site *s, const char *id)
{
	size_t lo = 0, hi = s->nscripts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->scripts[mid].id, id);

		if (c == 0)
			return &s->scripts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool
resolve_script(const struct site *s, const struct page *p, const char *ref,
    char **id, char **file, bool *outside)
{
	const struct config *cfg = s->cfg;
	size_t i;

	*id = *file = NULL;
	*outside = false;
	if (ref[0] == '/' || md_url_is_external(ref)) {
		*outside = true;
		return false;
	}
	/* "Outside" only when every root refused the path; a root that
	 * merely lacks the file makes it "not found". */
	*outside = cfg->script_roots.n > 0;
	for (i = 0; i < cfg->script_roots.n; i++) {
		bool out = false;

		if (try_root(s, p, cfg->script_roots.v[i], ref, id, file,
		    &out)) {
			*outside = false;
			return true;
		}
		if (!out)
			*outside = false;
	}
	return false;
}

static int
cmp_script(const void *a, const void *b)
{
	return strcmp(((const struct script *)a)->id,
	    ((const struct script *)b)->id);
}

/*
 * Resolves a page's reference, adding the script it leads to when it is
 * new; the id it resolved to (the script's own string, which stays where
 * it is when the scripts are sorted), or NULL.
 */
static const char *
collect_ref(struct site *s, struct hmap *seen, struct page *p,
    const char *ref, bool *outside)
{
	char *id, *file;
	const char *known;
	struct script *sc;

	if (!resolve_script(s, p, ref, &id, &file, outside))
		return NULL;
	if ((known = hmap_get(seen, id)) != NULL) {
		free(id);
		free(file);
		return known;
	}
	s->scripts = xgrow(s->scripts, &s->scripts_cap, s->nscripts,
	    sizeof(*s->scripts));
	sc = &s->scripts[s->nscripts++];
	memset(sc, 0, sizeof(*sc));
	sc->ref = xstrdup(ref);
	sc->id = id;
	sc->file = file;
	hmap_put(seen, sc->id, sc->id);
	return sc->id;
}

/* Reference j of page p: its scripts, then its script_refs. */
static const char *
page_ref(const struct page *p, size_t j)
{
	return j < p->scripts.n ? p->scripts.v[j].s :
	    p->script_refs.v[j - p->scripts.n].s;
}

/* The scripts the page at index i uses, each once, in order. */
static void
add_page_scripts(struct site *s, size_t i, size_t n)
{
	struct page *p = s->pages[i];
	size_t j, k;

	s->page_scripts[i] = xcalloc(n + 1, sizeof(**s->page_scripts));
	for (j = 0; j < n; j++) {
		struct script *sc = s->script_uses[i][j].sc;

		if (sc == NULL)
			continue;
		for (k = 0; k < s->npage_scripts[i]; k++)
			if (s->page_scripts[i][k] == sc)
				break;
		if (k < s->npage_scripts[i])
			continue;
		s->page_scripts[i][s->npage_scripts[i]++] = sc;
		sc->users = xgrow(sc->users, &sc->cap, sc->nusers,
		    sizeof(*sc->users));
		sc->users[sc->nusers++] = p;
	}
}

/* Each reference is resolved once (a path normalized, a file looked up
 * for each root): the checks read what it led to. */
static void
link_scripts(struct site *s)
{
	struct hmap seen = HMAP_INIT;
	const char ***ids = xcalloc(s->npages + 1, sizeof(*ids));
	size_t i, j;

	s->script_uses = xcalloc(s->npages + 1, sizeof(*s->script_uses));
	for (i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];
		size_t n = p->scripts.n + p->script_refs.n;

		ids[i] = xcalloc(n + 1, sizeof(**ids));
		s->script_uses[i] = xcalloc(n + 1, sizeof(**s->script_uses));
		for (j = 0; j < n; j++)
			ids[i][j] = collect_ref(s, &seen, p, page_ref(p, j),
			    &s->script_uses[i][j].outside);
	}
	hmap_free(&seen);
	if (s->nscripts > 1)
		qsort(s->scripts, s->nscripts, sizeof(*s->scripts), cmp_script);
	s->page_scripts = xcalloc(s->npages, sizeof(*s->page_scripts));
	s->npage_scripts = xcalloc(s->npages, sizeof(*s->npage_scripts));
	for (i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];
		size_t n = p->scripts.n + p->script_refs.n;

		for (j = 0; j < n; j++)
			if (ids[i][j])
				s->script_uses[i][j].sc = script_find(s,
				    ids[i][j]);
		add_page_scripts(s, i, n);
		free(ids[i]);
	}
	free(ids);
}

static int
cmp_alert(const void *a, const void *b)
{
	return strcmp(((const struct alert_entry *)a)->id,
	    ((const struct alert_entry *)b)->id);
}

static void
link_alerts(struct site *s)
{
	struct hmap seen = HMAP_INIT;
	size_t i, j, cap = 0;

	for (i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];

		for (j = 0; j < p->alerts.n; j++) {
			struct alert_entry *a;

			if (hmap_get(&seen, p->alerts.v[j].s))
				continue;
			s->alerts = xgrow(s->alerts, &cap, s->nalerts,
			    sizeof(*s->alerts));
			a = &s->alerts[s->nalerts++];
			a->id = xstrdup(p->alerts.v[j].s);
			a->page = p;
			a->pos = p->alerts.v[j].pos;
			hmap_put(&seen, p->alerts.v[j].s, (void *)1);
		}
	}
	hmap_free(&seen);
	if (s->nalerts > 1)
		qsort(s->alerts, s->nalerts, sizeof(*s->alerts), cmp_alert);
	for (i = 0; i < s->nalerts; i++)
		hmap_put(&s->alert_index, s->alerts[i].id, &s->alerts[i]);
}

/* What one group set is filled from: a page's keys for it. */
enum group_kind {
	GROUP_TAGS,
	GROUP_SERVICES,
	GROUP_SECTIONS,
	GROUP_SEVERITIES,
	GROUP_OWNERS,
	NGROUP_KINDS
};

/* Group set kind, filled from every page and sorted. */
static void
link_group(struct site *s, enum group_kind kind)
{
	struct group_set *gs = NULL;
	const struct severity *sev;
	size_t i, j;

	for (i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];

		switch (kind) {
		case GROUP_TAGS:
			gs = &s->by_tag;
			for (j = 0; j < p->tags.n; j++)
				group_add(gs, p->tags.v[j].s, p);
			break;
		case GROUP_SERVICES:
			gs = &s->by_service;
			for (j = 0; j < p->services.n; j++)
				group_add(gs, p->services.v[j].s, p);
			break;
		case GROUP_SECTIONS:
			gs = &s->sections;
			group_add(gs, p->section, p);
			break;
		case GROUP_SEVERITIES:
			gs = &s->by_severity;
			if (p->severity.s && (sev = config_severity(s->cfg,
			    p->severity.s)) != NULL)
				group_add(gs, sev->id, p);
			break;
		case GROUP_OWNERS:
			gs = &s->by_owner;
			if (p->owner.s)
				group_add(gs, p->owner.s, p);
			break;
		case NGROUP_KINDS:
			break;
		}
	}
	if (gs)
		group_set_sort(gs);
}

/*
 * Calls back each page that links to another, once per target however
 * often it links there (as group_add() has it), source pages in order.
 * last: scratch, one per page.
 */
static void
each_backlink(struct site *s, size_t *last,
    void (*fn)(struct site *s, size_t to, struct page *from, void *ud),
    void *ud)
{
	size_t i, j;

	for (i = 0; i < s->npages; i++)
		last[i] = (size_t)-1;
	for (i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];

		for (j = 0; j < p->nlinks; j++) {
			const struct target *t = &s->targets[i][j];

			if (t->kind != TARGET_PAGE || t->page == p ||
			    last[t->page->order] == i)
				continue;
			last[t->page->order] = i;
			fn(s, t->page->order, p, ud);
		}
	}
}

static void
count_backlink(struct site *s, size_t to, struct page *from, void *ud)
{
	size_t *count = ud;

	(void)s;
	(void)from;
	count[to]++;
}

static void
add_backlink(struct site *s, size_t to, struct page *from, void *ud)
{
	const size_t *slot = ud;
	struct group *g = &s->backlinks.v[slot[to]];

	g->pages[g->n++] = from;
}

/*
 * The pages that link to each page, without a lookup per link: counted
 * by the target's place, then filled; the groups come out in page
 * order, which is their keys' order (pages are sorted by path).
 */
static void
link_backlinks(struct site *s)
{
	struct group_set *gs = &s->backlinks;
	size_t *count = xcalloc(s->npages + 1, sizeof(*count));
	size_t *last = xcalloc(s->npages + 1, sizeof(*last));
	size_t i, j;

	each_backlink(s, last, count_backlink, count);
	for (i = 0; i < s->npages; i++)
		gs->n += count[i] > 0;
	gs->v = xcalloc(gs->n + 1, sizeof(*gs->v));
	gs->cap = gs->n;
	/* count[i] becomes page i's group, where it has one. */
	for (i = j = 0; i < s->npages; i++) {
		if (count[i] == 0)
			continue;
		gs->v[j].key = xstrdup(s->pages[i]->path);
		gs->v[j].pages = xcalloc(count[i], sizeof(struct page *));
		gs->v[j].cap = count[i];
		hmap_put(&gs->index, gs->v[j].key, (void *)(uintptr_t)(j + 1));
		count[i] = j++;
	}
	each_backlink(s, last, add_backlink, count);
	free(count);
	free(last);
}

/*
 * The site's indexes, one job each on the pool, the longest first (at
 * 10,000 pages the scripts' and the alerts' take about 16 ms each): each
 * reads the pages and their resolved links and fills a part of the site
 * no other job touches (the scripts, the alerts, one group set).
 */
static void
link_index(void *ud, size_t i)
{
	struct site *s = ud;

	if (i == 0)
		link_scripts(s);
	else if (i == 1)
		link_alerts(s);
	else if (i == 2)
		link_backlinks(s);
	else
		link_group(s, (enum group_kind)(i - 3));
}

/* Page i's links, on the pool: resolving only reads the site. */
static void
resolve_page_links(void *ud, size_t i)
{
	struct site *s = ud;
	struct page *p = s->pages[i];
	size_t j;

	s->targets[i] = xcalloc(p->nlinks + 1, sizeof(**s->targets));
	for (j = 0; j < p->nlinks; j++)
		resolve_link(s, p, p->links[j].url, &s->targets[i][j]);
}

/* A copy of v, and the set of its strings. */
static void
copy_set(struct strv *dst, struct hmap *set, const struct strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		strv_push(dst, v->v[i]);
	for (i = 0; i < dst->n; i++)
		hmap_put(set, dst->v[i], (void *)1);
}

void
site_link(struct site *s, const struct config *cfg, const char *content_dir,
    struct page **pages, size_t npages, const struct strv *assets,
    const struct strv *folders, int jobs)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->content_dir = xstrdup(content_dir);
	s->parent_files = xcalloc(1, sizeof(*s->parent_files));
	s->pages = pages;
	s->npages = npages;
	for (i = 0; i < npages; i++) {
		pages[i]->order = i;
		hmap_put(&s->by_path, pages[i]->path, pages[i]);
		hmap_put(&s->by_out, pages[i]->out_path, pages[i]);
	}
	copy_set(&s->assets, &s->asset_set, assets);
	copy_set(&s->folders, &s->folder_set, folders);
	s->targets = xcalloc(npages, sizeof(*s->targets));
	pool_run(npages, jobs, resolve_page_links, s);
	pool_run(NGROUP_KINDS + 3, jobs, link_index, s);
}

const struct strv *
site_outside_paths(const struct site *s)
{
	static const struct strv none = STRV_INIT;

	return s->parent_files ? &s->parent_files->keys : &none;
}

void
site_drop_sources(struct site *s)
{
	size_t i;

	for (i = 0; i < s->npages; i++)
		page_drop_source(s->pages[i]);
}

void
site_free(struct site *s)
{
	size_t i, j;

	for (i = 0; i < s->npages; i++) {
		for (j = 0; j < s->pages[i]->nlinks; j++) {
			free(s->targets[i][j].path);
			free(s->targets[i][j].anchor);
		}
		free(s->targets[i]);
		if (s->page_scripts)
			free(s->page_scripts[i]);
		if (s->script_uses)
			free(s->script_uses[i]);
		page_free(s->pages[i]);
	}
	free(s->targets);
	free(s->page_scripts);
	free(s->script_uses);
	free(s->npage_scripts);
	free(s->pages);
	for (i = 0; i < s->nscripts; i++) {
		free(s->scripts[i].ref);
		free(s->scripts[i].id);
		free(s->scripts[i].file);
		free(s->scripts[i].users);
	}
	free(s->scripts);
	for (i = 0; i < s->nalerts; i++)
		free(s->alerts[i].id);
	free(s->alerts);
	hmap_free(&s->alert_index);
	hmap_free(&s->by_path);
	hmap_free(&s->by_out);
	hmap_free(&s->asset_set);
	hmap_free(&s->folder_set);
	strv_free(&s->folders);
	if (s->parent_files) {
		hmap_free(&s->parent_files->known);
		strv_free(&s->parent_files->keys);
		free(s->parent_files);
	}
	strv_free(&s->assets);
	group_set_free(&s->backlinks);
	group_set_free(&s->sections);
	group_set_free(&s->by_severity);
	group_set_free(&s->by_owner);
	group_set_free(&s->by_tag);
	group_set_free(&s->by_service);
	free(s->content_dir);
}
