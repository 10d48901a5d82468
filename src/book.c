#include "book.h"

#include <stdlib.h>
#include <string.h>

#include "bookcache.h"
#include "buf.h"
#include "config.h"
#include "diag.h"
#include "digest.h"
#include "fsutil.h"
#include "hmap.h"
#include "markdown.h"
#include "page.h"
#include "pool.h"
#include "rctx.h"
#include "render.h"
#include "sink.h"
#include "site.h"
#include "template.h"
#include "theme.h"
#include "value.h"

#define BOOK_OUT "print.html"
/* Stands for the chapters in the frame; never in a template's text. */
#define BOOK_MARK "\x01runbookc-chapters\x01"

/* ---- links inside the book ---- */

/* Appends the entity-decoded form of s[0..n) (the few cmark writes). */
static void
unescape(struct buf *b, const char *s, size_t n)
{
	static const struct {
		const char *ent;
		size_t len;
		char c;
	} ents[] = {
		{ "&amp;", 5, '&' }, { "&quot;", 6, '"' }, { "&lt;", 4, '<' },
		{ "&gt;", 4, '>' }, { "&#39;", 5, '\'' }, { "&#x27;", 6, '\'' },
	};
	size_t i = 0, k, nents = sizeof(ents) / sizeof(ents[0]);

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t at = amp ? (size_t)(amp - s) : n;

		buf_put(b, s + i, at - i);
		if (amp == NULL)
			break;
		for (k = 0; k < nents; k++)
			if (n - at >= ents[k].len &&
			    memcmp(s + at, ents[k].ent, ents[k].len) == 0)
				break;
		buf_putc(b, k < nents ? ents[k].c : '&');
		i = at + (k < nents ? ents[k].len : 1);
	}
}

struct rewrite {
	const char *dir;	/* the page's output folder */
	const char *prefix;	/* "ch-12" */
	const char *(*chapter_of)(void *, const char *);
	void *ud;
	struct buf raw, nu, join;	/* scratch, reused for each attribute */
};

/* The new value of a URL attribute (unescaped), into out (unescaped). */
static void
rewrite_url(struct rewrite *rw, const char *url, struct buf *out)
{
	const char *hash = strchr(url, '#');
	size_t plen = hash ? (size_t)(hash - url) : strlen(url);
	char *norm, *dec;
	const char *ch;

	if (url[0] == '#') {
		buf_putc(out, '#');
		buf_puts(out, rw->prefix);
		buf_putc(out, '-');
		buf_puts(out, url + 1);
		return;
	}
	if (plen == 0 || url[0] == '/' || md_url_is_external(url)) {
		buf_puts(out, url);
		return;
	}
	/* path_join(dir, the path), without its allocations. */
	buf_truncate(&rw->join, 0);
	if (*rw->dir) {
		buf_puts(&rw->join, rw->dir);
		if (!str_ends(rw->dir, "/"))
			buf_putc(&rw->join, '/');
	}
	buf_put(&rw->join, url, plen);
	norm = path_normalize(buf_cstr(&rw->join));
	if (norm == NULL) {
		buf_puts(out, url);
		return;
	}
	dec = site_url_decode(norm, strlen(norm));
	if ((ch = rw->chapter_of(rw->ud, dec)) != NULL) {
		buf_putc(out, '#');
		buf_puts(out, ch);
		if (hash && hash[1]) {
			buf_putc(out, '-');
			buf_puts(out, hash + 1);
		}
	} else {
		buf_puts(out, norm);
		if (hash)
			buf_puts(out, hash);
	}
	free(dec);
	free(norm);
}

/*
 * The next id, href or src attribute at or after s (NULL when none);
 * *value is where its value starts, *kind which it is (0 id, 1 href,
 * 2 src).  One pass over the `="` of the page: the name before each
 * tells, and since no name holds a '=', the first `="` that has one of
 * the names before it is the first of the three attributes.
 */
static const char *
next_attr(const char *s, const char **value, int *kind)
{
	static const struct {
		const char *name;
		size_t len;
	} names[] = { { " id", 3 }, { " href", 5 }, { " src", 4 } };
	const char *q = s;
	int i;

	while ((q = strstr(q, "=\"")) != NULL) {
		for (i = 0; i < 3; i++)
			if ((size_t)(q - s) >= names[i].len &&
			    memcmp(q - names[i].len, names[i].name,
			    names[i].len) == 0) {
				*kind = i;
				*value = q + 2;
				return q - names[i].len;
			}
		q++;
	}
	return NULL;
}

/* The new value of the attribute of kind whose value is v[0..n). */
static void
rewrite_attr(struct rewrite *rw, int kind, const char *v, size_t n,
    struct buf *out)
{
	buf_truncate(&rw->raw, 0);
	buf_truncate(&rw->nu, 0);
	unescape(&rw->raw, v, n);
	if (kind == 0) {
		buf_puts(&rw->nu, rw->prefix);
		buf_putc(&rw->nu, '-');
		buf_put(&rw->nu, buf_cstr(&rw->raw), rw->raw.len);
	} else
		rewrite_url(rw, buf_cstr(&rw->raw), &rw->nu);
	buf_puts_html(out, buf_cstr(&rw->nu));
}

void
book_rewrite(struct buf *out, const char *html, const char *page_out,
    const char *prefix, const char *(*chapter_of)(void *ud,
    const char *out_path), void *ud)
{
	struct rewrite rw;
	char *dir = path_dir(page_out);
	const char *s = html, *v, *end;
	int kind = 0;

	memset(&rw, 0, sizeof(rw));
	rw.dir = dir;
	rw.prefix = prefix;
	rw.chapter_of = chapter_of;
	rw.ud = ud;
	while (next_attr(s, &v, &kind) != NULL &&
	    (end = strchr(v, '"')) != NULL) {
		buf_put(out, s, (size_t)(v - s));
		rewrite_attr(&rw, kind, v, (size_t)(end - v), out);
		s = end;
	}
	buf_puts(out, s);
	buf_free(&rw.raw);
	buf_free(&rw.nu);
	buf_free(&rw.join);
	free(dir);
}

/* ---- the book ---- */

struct chapters {
	struct hmap by_out;	/* out path -> chapter id */
	struct strv ids;	/* "ch-N", by page index */
	const struct page **order;	/* pages in book order */
	const char **order_ids;	/* their chapter ids */
	size_t n;
};

static const char *
chapter_of(void *ud, const char *out_path)
{
	return hmap_get(&((struct chapters *)ud)->by_out, out_path);
}

static void
plan_add(const struct rctx *r, struct chapters *c, const struct page *p)
{
	c->order_ids[c->n] = c->ids.v[site_page_index(r->s, p)];
	c->order[c->n++] = p;
}

/* Book order: sections in order, each with its own index page first. */
static void
plan(const struct rctx *r, struct chapters *c)
{
	const struct site *s = r->s;
	size_t i, j;

	c->order = xcalloc(s->npages + 1, sizeof(*c->order));
	c->order_ids = xcalloc(s->npages + 1, sizeof(*c->order_ids));
	for (i = 0; i < s->npages; i++)
		strv_push_owned(&c->ids, xasprintf("ch-%zu", i));
	for (i = 0; i < s->npages; i++)
		hmap_put(&c->by_out, s->pages[i]->out_path, c->ids.v[i]);
	for (i = 0; i < s->sections.n; i++) {
		const struct group *g = &s->sections.v[i];
		char *self = rctx_folder_out(g->key);

		for (j = 0; j < g->n; j++)
			if (strcmp(g->pages[j]->out_path, self) == 0)
				plan_add(r, c, g->pages[j]);
		for (j = 0; j < g->n; j++)
			if (strcmp(g->pages[j]->out_path, self) != 0)
				plan_add(r, c, g->pages[j]);
		free(self);
	}
}

static void
plan_free(struct chapters *c)
{
	hmap_free(&c->by_out);
	strv_free(&c->ids);
	free(c->order);
	free(c->order_ids);
}

/*
 * A page's severity in the contents (brief, with URLs from print.html)
 * is the same for every page of that severity: made once per severity
 * name and shared by reference.
 */
struct toc_sevs {
	struct hmap by_name;	/* severity as written -> its "severity" */
	struct value **holders;	/* maps holding one "severity" each */
	size_t n, cap;
};

static const struct value *
toc_severity(const struct rctx *r, struct toc_sevs *ts, const char *name)
{
	struct value *h = hmap_get(&ts->by_name, name);

	if (h)
		return h;
	ts->holders = xgrow(ts->holders, &ts->cap, ts->n,
	    sizeof(*ts->holders));
	ts->holders[ts->n++] = h = value_new(VAL_MAP);
	rctx_add_severity(r, h, name, BOOK_OUT, RCTX_BRIEF);
	h = &h->items[0];
	hmap_put(&ts->by_name, name, h);
	return h;
}

static void
toc_sevs_free(struct toc_sevs *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		value_free(ts->holders[i]);
	free(ts->holders);
	hmap_free(&ts->by_name);
}

/* "#" + id.  Caller frees. */
static char *
chapter_href(const char *id)
{
	size_t n = strlen(id);
	char *h = xmalloc(n + 2);

	h[0] = '#';
	memcpy(h + 1, id, n + 1);
	return h;
}

/* The contents; ts must outlive book (its severities are shared). */
static void
add_toc(const struct rctx *r, const struct chapters *c, struct value *book,
    struct toc_sevs *ts)
{
	struct value *secs = value_add(value_add(book, "sections", VAL_MAP),
	    "items", VAL_LIST);
	struct value *items = NULL;
	const char *cur = NULL;
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct page *p = c->order[i];
		struct value *it;

		if (cur == NULL || strcmp(cur, p->section) != 0) {
			struct value *sec = value_add(secs, NULL, VAL_MAP);

			cur = p->section;
			value_add_owned(sec, "title", *cur ?
			    rctx_folder_title(r, cur) : xstrdup(""));
			items = value_add(value_add(sec, "pages", VAL_MAP),
			    "items", VAL_LIST);
		}
		it = value_add(items, NULL, VAL_MAP);
		value_add_str(it, "title", page_title(p));
		value_add_owned(it, "href", chapter_href(c->order_ids[i]));
		if (p->severity.s)
			value_add_ref(it, "severity",
			    toc_severity(r, ts, p->severity.s));
	}
}

struct book {
	const struct rctx *r;
	struct chapters c;
	const struct value *ui;	/* the UI strings, or NULL */
	/* With a site key: the last build's book, and each chapter's key
	 * and length in book order, for the next build's cache. */
	const struct book_cache *old;
	unsigned long long *keys;
	size_t *lens;
};

/* What chapter i is made from: its page's key (digest.h) and its id. */
static unsigned long long
chapter_key(const struct book *bk, size_t i)
{
	static const char tag[] = "chapter";
	unsigned long long k[2];

	k[0] = digest_page_key(bk->c.order[i], bk->r->site_key);
	k[1] = str_hash(bk->c.order_ids[i], strlen(bk->c.order_ids[i]),
	    STR_HASH_SEED);
	return str_hash(k, sizeof(k), str_hash(tag, sizeof(tag),
	    STR_HASH_SEED)) | 1;
}

/*
 * Chapter i of the book into out: the old book's bytes when its key did
 * not change, else its own template data (the UI strings and the
 * chapter) rendered with the chapter template.  Runs on the render pool:
 * reads the site, the plan and the old book only, and writes slot i.
 */
static void
put_chapter(void *ud, size_t i, struct buf *out)
{
	struct book *bk = ud;
	const struct page *p = bk->c.order[i];
	const char *id = bk->c.order_ids[i], *body, *old;
	struct value *ctx, *ch;
	struct buf html = BUF_INIT;
	size_t n;

	if (bk->keys) {
		if (bk->keys[i] == 0)
			bk->keys[i] = chapter_key(bk, i);
		if ((old = book_cache_chapter(bk->old, bk->keys[i], &n))) {
			buf_put(out, old, n);
			book_cache_release(bk->old, old, n);
			bk->lens[i] = n;
			return;
		}
	}
	body = render_page_body(p);
	ctx = value_new(VAL_MAP);

	if (bk->ui)
		value_add_ref(ctx, "ui", bk->ui);
	ch = value_add(ctx, "chapter", VAL_MAP);
	value_add_str(ch, "id", id);
	render_page_data(bk->r, ch, p, BOOK_OUT);
	book_rewrite(&html, body, p->out_path, id, chapter_of, &bk->c);
	render_html_read(bk->r, p);
	value_add_owned(ch, "content", buf_detach(&html))->raw = true;
	tpl_render(bk->r->t.chapter, ctx, out);
	value_free(ctx);
	if (bk->lens)
		bk->lens[i] = out->len;
}

/* The frame: the whole book with BOOK_MARK where the chapters go. */
static void
render_frame(const struct rctx *r, const struct chapters *c,
    struct buf *frame)
{
	struct value *ctx = rctx_common(r, BOOK_OUT, rctx_ui(r, "print"));
	struct value *book = value_add(ctx, "book", VAL_MAP);
	struct toc_sevs ts;

	memset(&ts, 0, sizeof(ts));
	value_add_raw(book, "chapters", BOOK_MARK);
	add_toc(r, c, book, &ts);
	tpl_render(r->t.book, ctx, frame);
	value_free(ctx);
	toc_sevs_free(&ts);
}

/* The bytes around the chapters; false when the frame has no place for
 * them.  The old book's when the site's key says they are the same. */
struct frame {
	struct buf made;
	const char *head, *tail;
	size_t nhead, ntail;
};

static bool
get_frame(const struct rctx *r, struct book *bk, struct frame *f)
{
	const char *mark;

	if (book_cache_frame(bk->old, r->site_key, &f->head, &f->nhead,
	    &f->tail, &f->ntail))
		return true;
	render_frame(r, &bk->c, &f->made);
	f->head = buf_cstr(&f->made);
	if ((mark = strstr(f->head, BOOK_MARK)) == NULL) {
		f->nhead = f->made.len;
		f->tail = NULL;
		f->ntail = 0;
		return false;
	}
	f->nhead = (size_t)(mark - f->head);
	f->tail = mark + strlen(BOOK_MARK);
	f->ntail = f->made.len - f->nhead - strlen(BOOK_MARK);
	return true;
}

/* Chapters from, on: a run of them rendered as sink pieces. */
struct chapter_run {
	struct book *bk;
	size_t from;
};

static void
put_run_chapter(void *ud, size_t i, struct buf *out)
{
	const struct chapter_run *run = ud;

	put_chapter(run->bk, run->from + i, out);
}

static void
key_one(void *ud, size_t i)
{
	struct book *bk = ud;

	bk->keys[i] = chapter_key(bk, i);
}

/*
 * The chapters, when the file the sink replaces is the old book: those
 * it holds are copied from it a run at a time (the bytes stay in the
 * kernel, and are not even read while they sit where they were), the
 * others rendered on the pool.
 */
static void
copy_chapters(const struct rctx *r, struct book *bk, struct sink *k)
{
	struct chapter_run run;
	size_t i = 0, j, n = bk->c.n, off, len, at, more;

	pool_run(n, r->o->jobs, key_one, bk);
	run.bk = bk;
	while (i < n) {
		if (book_cache_find(bk->old, bk->keys[i], &off, &len)) {
			bk->lens[i] = len;
			at = off + len;
			for (j = i + 1; j < n && book_cache_find(bk->old,
			    bk->keys[j], &more, &len) && more == at; j++) {
				bk->lens[j] = len;
				at += len;
			}
			sink_copy_old(k, off, at - off);
		} else {
			for (j = i + 1; j < n && !book_cache_find(bk->old,
			    bk->keys[j], &more, &len); j++)
				;
			run.from = i;
			sink_put_pieces(k, j - i, r->o->jobs, put_run_chapter,
			    &run);
		}
		i = j;
	}
}

/* Streams the frame with the chapters in place of the mark, rendered a
 * window at a time on the pool.  Returns 0 or an errno. */
static int
write_book(const struct rctx *r, struct book *bk, const struct frame *f,
    bool chapters)
{
	struct sink k;
	char *path = path_join(r->o->out_dir, BOOK_OUT);
	bool copy;

	sink_open(&k, path);
	free(path);
	copy = bk->keys && book_cache_is(bk->old, sink_old_fd(&k));
	sink_put(&k, f->head, f->nhead);
	book_cache_release(bk->old, f->head, f->nhead);
	if (chapters) {
		if (copy)
			copy_chapters(r, bk, &k);
		else
			sink_put_pieces(&k, bk->c.n, r->o->jobs, put_chapter,
			    bk);
		sink_put(&k, f->tail, f->ntail);
		book_cache_release(bk->old, f->tail, f->ntail);
	}
	return sink_close(&k);
}

/* The book being made on a thread of its own (book_start). */
struct book_job {
	const struct rctx *r;
	struct pool_task task;
	int err;		/* 0 or an errno */
	bool cached;		/* its cache was left beside it */
};

/* Makes the book; reads the render's context only (the thread that
 * started it goes on rendering the rest, and notes what this wrote). */
static void
make_book(void *ud)
{
	struct book_job *j = ud;
	const struct rctx *r = j->r;
	struct book bk;
	struct frame f;
	struct book_cache *old = NULL;
	bool chapters;

	memset(&bk, 0, sizeof(bk));
	memset(&f, 0, sizeof(f));
	bk.r = r;
	bk.ui = theme_strings(r->th, r->cfg->language);
	plan(r, &bk.c);
	if (r->site_key) {
		bk.old = old = book_cache_open(r->o->out_dir, BOOK_OUT);
		bk.keys = xcalloc(bk.c.n + 1, sizeof(*bk.keys));
		bk.lens = xcalloc(bk.c.n + 1, sizeof(*bk.lens));
	}
	chapters = get_frame(r, &bk, &f);
	j->err = write_book(r, &bk, &f, chapters);
	/* The old book's bytes are copied: it can go. */
	book_cache_close(old);
	/* Without its cache, the next build renders every chapter. */
	j->cached = j->err == 0 && chapters && bk.keys &&
	    book_cache_write(r->o->out_dir, BOOK_OUT, r->site_key, f.nhead,
	    f.ntail, bk.keys, bk.lens, bk.c.n) == 0;
	buf_free(&f.made);
	free(bk.keys);
	free(bk.lens);
	plan_free(&bk.c);
}

struct book_job *
book_start(struct rctx *r)
{
	struct book_job *j;

	if (!rctx_claim(r, BOOK_OUT))
		return NULL;
	j = xcalloc(1, sizeof(*j));
	j->r = r;
	pool_task_start(&j->task, r->o->jobs, make_book, j);
	return j;
}

int
book_finish(struct rctx *r, struct book_job *j)
{
	int err;

	if (j == NULL)
		return 0;
	pool_task_join(&j->task);
	err = j->err;
	if (j->cached)
		strv_push(r->written, BOOK_CACHE_FILE);
	free(j);
	return rctx_record(r, BOOK_OUT, err, 0, false);
}
