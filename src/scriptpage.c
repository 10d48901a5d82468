#include "scriptpage.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "hmap.h"
#include "page.h"
#include "pool.h"
#include "rctx.h"
#include "render.h"
#include "site.h"
#include "template.h"
#include "value.h"

#define PARENT_PREFIX "_parent/"

char *
scriptpage_out(const struct script *sc)
{
	return xasprintf("scripts/%s.html", sc->id);
}

char *
scriptpage_raw_out(const struct script *sc)
{
	/* A script of the content folder is copied with the other files;
	 * one from the folder above it is copied beside its page. */
	if (str_starts(sc->id, PARENT_PREFIX))
		return xasprintf("scripts/%s", sc->id);
	return xstrdup(sc->id);
}

/* The language name for the code block's class, from the extension. */
static const char *
script_lang(const char *id)
{
	static const char *const langs[][2] = {
		{ ".sh", "bash" }, { ".bash", "bash" }, { ".ts", "typescript" },
		{ ".js", "javascript" }, { ".py", "python" }, { ".rb", "ruby" },
		{ ".sql", "sql" }, { ".ps1", "powershell" },
	};
	size_t i;

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (str_ends(id, langs[i][0]))
			return langs[i][1];
	return "text";
}

static void
add_lines(struct value *m, const char *data, size_t len)
{
	struct value *l = value_add(value_add(m, "lines", VAL_MAP), "items",
	    VAL_LIST);
	size_t i = 0, n = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		size_t te = e > i && data[e - 1] == '\r' ? e - 1 : e;
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_int(it, "n", (long)++n);
		value_add_strn(it, "text", data + i, te - i);
		i = e + 1;
	}
	value_add_int(m, "nlines", (long)n);
}

/* ---- the rows of the users ---- */

/*
 * A page's row on a script page (title, link, severity, owner, alerts)
 * depends only on the folder of the script page, since every URL in it
 * is relative to that folder.  Script pages are made a folder at a time
 * and a page that uses several scripts of the folder gets one row, made
 * once (on the pool) and shared by reference.
 */
struct rows {
	const char *from;	/* a script page in the folder */
	struct hmap by_page;	/* page out path -> its row's holder */
	struct row {
		const struct page *p;
		struct value *holder;	/* a list: the row is its item */
	} *v;
	size_t n, cap;
};

/* The holder of p's row, to be made by rows_make. */
static struct value *
rows_get(struct rows *rs, const struct page *p)
{
	struct value *h = hmap_get(&rs->by_page, p->out_path);

	if (h)
		return h;
	h = value_new(VAL_LIST);
	hmap_put(&rs->by_page, p->out_path, h);
	rs->v = xgrow(rs->v, &rs->cap, rs->n, sizeof(*rs->v));
	rs->v[rs->n].p = p;
	rs->v[rs->n++].holder = h;
	return h;
}

struct rows_run {
	const struct rctx *r;
	struct rows *rs;
};

static void
row_make(void *ud, size_t i)
{
	struct rows_run *rr = ud;
	struct row *w = &rr->rs->v[i];

	rctx_add_page_item(rr->r, w->holder, w->p, rr->rs->from);
}

static void
row_free(void *ud, size_t i)
{
	value_free(((struct rows_run *)ud)->rs->v[i].holder);
}

/* Makes, or frees, every row (on the pool: there are many). */
static void
rows_run(const struct rctx *r, struct rows *rs, pool_fn fn)
{
	struct rows_run rr;

	rr.r = r;
	rr.rs = rs;
	pool_run(rs->n, r->o->jobs, fn, &rr);
}

static void
rows_free(const struct rctx *r, struct rows *rs)
{
	rows_run(r, rs, row_free);
	hmap_free(&rs->by_page);
	free(rs->v);
}

/* ---- the script pages ---- */

/* Script pages made at once at most (their files are held together). */
#define SCRIPTPAGE_WINDOW 64

/* One script page: decided in order, made on the pool, recorded in order. */
struct job {
	const struct script *sc;
	char *out, *raw;
	char *data;		/* the script's bytes */
	size_t len;
	bool read;		/* data was read: the page is listed */
	bool page, copy;	/* the page, the raw copy: claimed */
	/* Their keys (0 without a site key) and whether the staged files
	 * can stay as they are. */
	unsigned long long page_key, copy_key;
	bool page_kept, copy_kept;
	int page_err, copy_err;	/* errno of their writes */
	struct value **rows;	/* [user] holders of the users' rows */
};

/*
 * A script's raw copy is its bytes; its page shows them and the site's
 * face (its users' rows): the site key says the rest.
 */
static void
job_keys(const struct rctx *r, struct job *j)
{
	unsigned long long k[2];

	if (r->site_key == 0)
		return;
	k[0] = str_hash(j->data, j->len, STR_HASH_SEED);
	k[1] = r->site_key;
	j->copy_key = k[0] | 1;
	j->page_key = str_hash(k, sizeof(k), STR_HASH_SEED) | 1;
	j->page_kept = j->page && rctx_can_keep(r, j->out, j->page_key);
	j->copy_kept = j->copy && rctx_can_keep(r, j->raw, j->copy_key);
}

/*
 * Reads the script and claims its page and raw copy, in the order the
 * pages were always made in; a page that is kept needs no rows.  Returns
 * -1 when the file cannot be read.
 */
static int
job_start(struct rctx *r, struct job *j, const struct script *sc,
    struct rows *rs)
{
	char err[256];
	size_t i;

	j->sc = sc;
	j->out = scriptpage_out(sc);
	j->raw = scriptpage_raw_out(sc);
	if (fs_read(sc->file, r->cfg->max_file_size ? r->cfg->max_file_size :
	    FS_DEFAULT_MAX_FILE, &j->data, &j->len, err, sizeof(err)) != 0) {
		diag_add(r->diags, sc->file, 1, 1, DIAG_ERROR, "file.read",
		    "%s", err);
		return -1;
	}
	j->read = true;
	j->page = rctx_claim(r, j->out);
	j->copy = str_starts(sc->id, PARENT_PREFIX) && rctx_claim(r, j->raw);
	job_keys(r, j);
	if (!j->page || j->page_kept)
		return 0;
	if (rs->from == NULL)
		rs->from = j->out;
	j->rows = xcalloc(sc->nusers + 1, sizeof(*j->rows));
	for (i = 0; i < sc->nusers; i++)
		j->rows[i] = rows_get(rs, sc->users[i]);
	return 0;
}

static struct value *
job_context(const struct rctx *r, const struct job *j)
{
	const struct script *sc = j->sc;
	struct value *ctx = rctx_common(r, j->out, sc->id);
	struct value *m = value_add(ctx, "script", VAL_MAP), *users;
	size_t i;

	value_add_str(m, "name", sc->id);
	value_add_str(m, "base", path_base(sc->id));
	value_add_str(m, "lang", script_lang(sc->id));
	value_add_int(m, "bytes", (long)j->len);
	rctx_add_url(m, "raw_url", j->out, j->raw);
	add_lines(m, j->data, j->len);
	users = value_add(value_add(m, "users", VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < sc->nusers; i++)
		value_add_ref(users, NULL, &j->rows[i]->items[0]);
	return ctx;
}

struct jobs_run {
	const struct rctx *r;
	struct job *jobs;
};

/* Renders and writes one page and its raw copy (on the pool). */
static void
job_one(void *ud, size_t i)
{
	struct jobs_run *jr = ud;
	struct job *j = &jr->jobs[i];
	struct value *ctx;
	struct buf b = BUF_INIT;

	if (j->page && !j->page_kept) {
		ctx = job_context(jr->r, j);
		tpl_render(jr->r->t.script, ctx, &b);
		j->page_err = rctx_write_file(jr->r, j->out, b.data, b.len);
		buf_free(&b);
		value_free(ctx);
	}
	if (j->copy && !j->copy_kept)
		j->copy_err = rctx_write_file(jr->r, j->raw, j->data, j->len);
}

/* Records what a job wrote, adds its row to the index (and to the
 * index's key, *ikey), frees it. */
static int
job_finish(struct rctx *r, struct job *j, struct value *index,
    unsigned long long *ikey)
{
	struct value *row;
	int rc = 0;

	if (j->page)
		rc |= rctx_record(r, j->out, j->page_err, j->page_key,
		    j->page_kept);
	if (j->copy)
		rc |= rctx_record(r, j->raw, j->copy_err, j->copy_key,
		    j->copy_kept);
	if (j->read) {
		row = value_add(index, NULL, VAL_MAP);
		value_add_str(row, "name", j->sc->id);
		rctx_add_url(row, "url", "scripts/index.html", j->out);
		value_add_int(row, "count", (long)j->sc->nusers);
		*ikey = str_hash(j->sc->id, strlen(j->sc->id) + 1, *ikey);
	}
	free(j->rows);
	free(j->data);
	free(j->out);
	free(j->raw);
	return rc;
}

/* True when the ids a and b are in one folder (so are their pages). */
static bool
same_folder(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;

	return na == nb && memcmp(a, b, na) == 0;
}

/* The end of the window that starts at script from: the scripts after
 * it in the same folder, up to SCRIPTPAGE_WINDOW. */
static size_t
window_end(const struct site *s, size_t from)
{
	size_t to = from + 1;

	while (to < s->nscripts && to - from < SCRIPTPAGE_WINDOW &&
	    same_folder(s->scripts[from].id, s->scripts[to].id))
		to++;
	return to;
}

/* The pages of the scripts [from, to) that have a file (one folder). */
static int
render_window(struct rctx *r, size_t from, size_t to, struct value *index,
    unsigned long long *ikey)
{
	struct job *jobs = xcalloc(to - from + 1, sizeof(*jobs));
	struct rows rs;
	struct jobs_run jr;
	size_t i, n = 0;
	int rc = 0;

	memset(&rs, 0, sizeof(rs));
	for (i = from; i < to; i++)
		if (r->s->scripts[i].file)
			rc |= job_start(r, &jobs[n++], &r->s->scripts[i], &rs);
	rows_run(r, &rs, row_make);
	jr.r = r;
	jr.jobs = jobs;
	pool_run(n, r->o->jobs, job_one, &jr);
	for (i = 0; i < n; i++)
		rc |= job_finish(r, &jobs[i], index, ikey);
	rows_free(r, &rs);
	free(jobs);
	return rc;
}

int
scriptpage_render(struct rctx *r)
{
	struct value *ctx, *list, *index;
	unsigned long long ikey = r->site_key;
	size_t i, to;
	int rc = 0;

	if (r->s->nscripts == 0)
		return 0;
	ctx = rctx_common(r, "scripts/index.html", rctx_ui(r, "scripts"));
	list = value_add(ctx, "list", VAL_MAP);
	value_add_str(list, "title", rctx_ui(r, "scripts"));
	value_add_bool(list, "is_facet_index", true);
	index = value_add(value_add(list, "facets", VAL_MAP), "items",
	    VAL_LIST);
	for (i = 0; i < r->s->nscripts; i = to) {
		to = window_end(r->s, i);
		rc |= render_window(r, i, to, index, &ikey);
	}
	if (index->n == 0) {
		value_free(ctx);
		return rc;
	}
	/* The index shows the site's face and which scripts could be read
	 * (the counts are the face's). */
	r->key = r->site_key ? ikey | 1 : 0;
	rc |= rctx_render(r, r->t.list, ctx, "scripts/index.html");
	r->key = 0;
	return rc;
}
