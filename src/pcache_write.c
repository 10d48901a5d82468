/*
 * pcache_write: the parse cache's writing side (see pcache.h): the next
 * cache, written while pages are parsed.  The format: pcache_file.h.
 */
#include "pcache.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "fsutil.h"
#include "hmap.h"
#include "page.h"
#include "pcache_file.h"
#include "str.h"
#include "value.h"

/* Where a page's HTML and terms start, in a record or in the file (after
 * their lengths); 0 for none. */
struct blobs {
	size_t html, terms;
};

/* A record made in memory, then written where the file has room. */
struct wr {
	struct buf b;
	struct blobs at;	/* in b */
	bool bad;
};

static void
w_put(struct wr *w, const void *data, size_t n)
{
	buf_put(&w->b, data, n);
}

static void
w_u8(struct wr *w, unsigned v)
{
	unsigned char c = (unsigned char)v;

	w_put(w, &c, 1);
}

static void
w_u32(struct wr *w, uint32_t v)
{
	w_put(w, &v, sizeof(v));
}

static void
w_int(struct wr *w, int v)
{
	int32_t x = v;

	w_put(w, &x, sizeof(x));
}

static void
w_u64(struct wr *w, uint64_t v)
{
	w_put(w, &v, sizeof(v));
}

static void
w_str(struct wr *w, const char *s)
{
	size_t n;

	if (s == NULL) {
		w_u32(w, PCACHE_NO_STR);
		return;
	}
	n = strlen(s);
	if (n >= PCACHE_NO_STR) {
		/* Not a page any limit lets through; keep the file sound. */
		w->bad = true;
		return;
	}
	w_u32(w, (uint32_t)n);
	w_put(w, s, n + 1);
}

static void
w_pos(struct wr *w, struct pos p)
{
	w_int(w, p.line);
	w_int(w, p.col);
}

static void
w_pstr(struct wr *w, const struct pstr *ps)
{
	w_str(w, ps->s);
	w_pos(w, ps->pos);
}

static void
w_pstrv(struct wr *w, const struct pstrv *v)
{
	size_t i;

	w_u32(w, (uint32_t)v->n);
	for (i = 0; i < v->n; i++)
		w_pstr(w, &v->v[i]);
}

/* A node's own fields, then its members (each with its kind and key
 * first).  Depth is bounded by VALUE_MAX_DEPTH, as the parser made it. */
static void
w_value(struct wr *w, const struct value *v)
{
	size_t i;

	w_u8(w, (unsigned)v->quoted | (unsigned)v->raw << 1);
	w_int(w, v->line);
	w_int(w, v->col);
	w_int(w, v->key_line);
	w_int(w, v->key_col);
	w_str(w, v->str);
	w_u32(w, (uint32_t)v->n);
	for (i = 0; i < v->n; i++) {
		w_u8(w, (unsigned)v->items[i].kind);
		w_str(w, v->items[i].key);
		w_value(w, &v->items[i]);
	}
}

static void
w_tree(struct wr *w, const struct value *v)
{
	w_u8(w, v != NULL);
	if (v) {
		w_u8(w, (unsigned)v->kind);
		w_value(w, v);
	}
}

static void
w_body(struct wr *w, const struct page *p)
{
	size_t i;

	w_u32(w, (uint32_t)p->nheadings);
	for (i = 0; i < p->nheadings; i++) {
		w_int(w, p->headings[i].level);
		w_str(w, p->headings[i].text);
		w_str(w, p->headings[i].id);
		w_pos(w, p->headings[i].pos);
		w_u8(w, p->headings[i].has_content);
	}
	w_u32(w, (uint32_t)p->nlinks);
	for (i = 0; i < p->nlinks; i++) {
		w_u8(w, p->links[i].kind == LINK_IMAGE);
		w_str(w, p->links[i].url);
		w_str(w, p->links[i].text);
		w_pos(w, p->links[i].pos);
	}
	w_u32(w, (uint32_t)p->ncode);
	for (i = 0; i < p->ncode; i++) {
		w_u8(w, p->code[i].kind == CODE_BLOCK);
		w_str(w, p->code[i].lang);
		w_str(w, p->code[i].text);
		w_pos(w, p->code[i].pos);
	}
	w_pstrv(w, &p->script_refs);
	w->at.html = w->b.len + sizeof(uint32_t);	/* after its length */
	w_str(w, p->html ? p->html : "");
	w_str(w, p->summary);
	w->at.terms = w->b.len + sizeof(uint32_t);
	w_str(w, p->terms ? p->terms : "");
	w_str(w, p->snippet ? p->snippet : "");
	w_u32(w, (uint32_t)p->diags.n);
	for (i = 0; i < p->diags.n; i++) {
		const struct diag *d = &p->diags.v[i];

		w_str(w, d->file);
		w_int(w, d->line);
		w_int(w, d->col);
		w_u8(w, d->severity == DIAG_ERROR);
		w_str(w, d->rule);
		w_str(w, d->msg);
	}
}

/* One record: its length first, so a reader can step over it. */
static void
w_page(struct wr *w, const struct page *p)
{
	size_t at = w->b.len;
	uint64_t len, sum;

	w_u64(w, 0);
	w_u64(w, 0);
	w_str(w, p->path);
	w_u64(w, p->hash);
	w_u64(w, p->len);
	w_u8(w, (unsigned)p->has_front_matter | (unsigned)p->fm_invalid << 1 |
	    (unsigned)p->title_from_heading << 2);
	w_pos(w, p->fm_pos);
	w_int(w, p->body_line);
	w_u64(w, p->body_off);
	w_tree(w, p->fm);
	w_pstr(w, &p->title);
	w_pstr(w, &p->kind);
	w_pstr(w, &p->severity);
	w_pstr(w, &p->owner);
	w_pstrv(w, &p->alerts);
	w_pstrv(w, &p->tags);
	w_pstrv(w, &p->services);
	w_pstrv(w, &p->scripts);
	w_pstrv(w, &p->aliases);
	w_pstr(w, &p->last_reviewed);
	w_int(w, p->review_every_days);
	w_pos(w, p->review_every_pos);
	w_body(w, p);
	len = w->b.len - at - sizeof(len);
	sum = str_hash(w->b.data + at + 2 * sizeof(len),
	    len - sizeof(sum), STR_HASH_SEED);
	memcpy(w->b.data + at, &len, sizeof(len));
	memcpy(w->b.data + at + sizeof(len), &sum, sizeof(sum));
}

/* Writes all of data at off; false on an error. */
static bool
pwrite_all(int fd, const void *data, size_t len, uint64_t off)
{
	const char *d = data;

	while (len > 0) {
		ssize_t n = pwrite(fd, d, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		d += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return true;
}

struct pcache_writer {
	char *tmp;		/* the file being written */
	unsigned long long key;
	int fd;
	pthread_mutex_t lock;
	uint64_t end, count;	/* bytes and records so far */
	size_t added;		/* pages whose HTML went to the file */
	struct blobs *at;	/* page index -> its HTML and terms in the
				   file, or 0 */
	size_t cap;
	struct pcache_starts starts;	/* sorted once done */
	const struct pcache *old;	/* the cache read, once done */
	bool bad;
	int err;		/* the errno of the first failure */
	bool installed;		/* renamed into the stage */
	const unsigned char *map;	/* once finished */
	size_t len;
};

struct pcache_writer *
pcache_begin(const char *path, unsigned long long key)
{
	struct pcache_writer *w = xcalloc(1, sizeof(*w));
	unsigned char head[PCACHE_HEADER_LEN];
	uint64_t zero = 0;

	w->tmp = xstrdup(path);
	w->key = key;
	pthread_mutex_init(&w->lock, NULL);
	(void)unlink(w->tmp);
	w->fd = open(w->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	memcpy(head, PCACHE_MAGIC, 15);
	head[15] = (unsigned char)sizeof(long);
	memcpy(head + 16, &w->key, sizeof(uint64_t));
	memcpy(head + 24, &zero, sizeof(zero));	/* the count, at the end */
	w->bad = w->fd < 0 || !pwrite_all(w->fd, head, sizeof(head), 0);
	w->err = w->bad ? errno : 0;
	w->end = PCACHE_HEADER_LEN;
	return w;
}

/* Room in the file for n bytes: their offset (under the lock). */
static uint64_t
reserve(struct pcache_writer *w, size_t n, size_t i, struct blobs at)
{
	uint64_t off;

	pthread_mutex_lock(&w->lock);
	off = w->end;
	w->end += n;
	w->count++;
	pcache_add_start(&w->starts, off);
	if (i != (size_t)-1) {
		if (i >= w->cap) {
			size_t old = w->cap;

			w->at = xgrow(w->at, &w->cap, i, sizeof(*w->at));
			memset(w->at + old, 0, (w->cap - old) * sizeof(*w->at));
		}
		w->at[i].html = (size_t)off + at.html;
		w->at[i].terms = (size_t)off + at.terms;
	}
	pthread_mutex_unlock(&w->lock);
	return off;
}

static void
spoil(struct pcache_writer *w, size_t i)
{
	pthread_mutex_lock(&w->lock);
	if (!w->bad)
		w->err = errno;
	w->bad = true;
	if (i < w->cap)
		w->at[i].html = w->at[i].terms = 0;
	pthread_mutex_unlock(&w->lock);
}

void
pcache_add(struct pcache_writer *w, size_t i, struct page *p)
{
	struct wr r;
	uint64_t off;

	if (w == NULL || w->fd < 0)
		return;
	memset(&r, 0, sizeof(r));
	w_page(&r, p);
	if (r.bad) {
		spoil(w, (size_t)-1);
		buf_free(&r.b);
		return;
	}
	off = reserve(w, r.b.len, i, r.at);
	if (!pwrite_all(w->fd, r.b.data, r.b.len, off))
		spoil(w, i);
	else {
		/* From now on the file holds them (pcache_finish()): only
		 * the render reads them again. */
		free(p->html);
		p->html = NULL;
		free(p->terms);
		p->terms = NULL;
		pthread_mutex_lock(&w->lock);
		w->added++;
		pthread_mutex_unlock(&w->lock);
	}
	buf_free(&r.b);
}

/* The record of a page restored from old, as it is there, or NULL. */
static const unsigned char *
old_record(const struct pcache *old, const struct page *p, size_t *len)
{
	const struct pcache_cfile *f = p->origin == PAGE_CACHED_DELTA ?
	    &old->delta : &old->base;
	const unsigned char *rec = f->map ? hmap_get(&f->index, p->path) :
	    NULL;
	uint64_t n;

	if (rec == NULL)
		return NULL;
	memcpy(&n, rec - sizeof(n), sizeof(n));
	*len = sizeof(n) + (size_t)n;
	return rec - sizeof(n);
}

/* Copies the records of the restored pages the new file must hold too:
 * all of them for a base, those of the old delta for a delta. */
static void
carry(struct pcache_writer *w, const struct pcache *old,
    struct page *const *pages, size_t n, bool delta)
{
	static const struct blobs none = { 0, 0 };
	size_t i, len;

	for (i = 0; i < n && !w->bad; i++) {
		const struct page *p = pages[i];
		const unsigned char *rec;

		if (p->origin == PAGE_PARSED || (delta &&
		    p->origin != PAGE_CACHED_DELTA))
			continue;
		if (old == NULL || (rec = old_record(old, p, &len)) == NULL) {
			w->bad = true;	/* cannot be: it was restored */
			w->err = EINVAL;
		} else if (!pwrite_all(w->fd, rec, len, reserve(w, len,
		    (size_t)-1, none))) {
			w->bad = true;
			w->err = errno;
		} else {
			fs_map_read(p->origin == PAGE_CACHED_DELTA ?
			    old->delta.map : old->base.map,
			    p->origin == PAGE_CACHED_DELTA ? old->delta.len :
			    old->base.len, rec, len);
		}
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The string at off in the file (its length the 4 bytes before it),
 * onto the heap, or NULL. */
static char *
read_str_at(const struct pcache_writer *w, size_t off)
{
	uint32_t len;
	char *s;

	if (pread(w->fd, &len, sizeof(len), (off_t)(off - sizeof(len))) !=
	    (ssize_t)sizeof(len) || len >= w->end - off)
		return NULL;
	s = xmalloc((size_t)len + 1);
	if (pread(w->fd, s, len, (off_t)off) != (ssize_t)len) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

/* Where the file cannot be mapped: each page's HTML and terms read back
 * onto the heap. */
static int
read_back(struct pcache_writer *w, struct page *const *pages, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < w->cap; i++) {
		if (w->at[i].html == 0)
			continue;
		if ((pages[i]->html = read_str_at(w, w->at[i].html)) == NULL ||
		    (pages[i]->terms = read_str_at(w, w->at[i].terms)) == NULL)
			return -1;
	}
	return 0;
}

/* Maps the file and points each page it took at its HTML and terms
 * there. */
static int
map_back(struct pcache_writer *w, struct page *const *pages, size_t n)
{
	void *m;
	size_t i;

	if (w->added == 0)
		return 0;
	m = w->end > SIZE_MAX / 2 ? MAP_FAILED : mmap(NULL, (size_t)w->end,
	    PROT_READ, MAP_PRIVATE, w->fd, 0);
	if (m == MAP_FAILED)
		return read_back(w, pages, n);
	w->map = m;
	w->len = (size_t)w->end;
	qsort(w->starts.v, w->starts.n, sizeof(*w->starts.v), cmp_u64);
	for (i = 0; i < n && i < w->cap; i++)
		if (w->at[i].html) {
			pages[i]->html = (char *)w->map + w->at[i].html;
			pages[i]->terms = (char *)w->map + w->at[i].terms;
			pages[i]->html_mapped = true;
		}
	/* Rendering reads it again, a window at a time (pcache_read). */
	fs_map_release(w->map, w->len, w->map, w->len);
	return 0;
}

/* Whether the file at w->tmp is still the one written (another build
 * into the same folder may have replaced it). */
static bool
still_mine(const struct pcache_writer *w)
{
	struct stat mine, there;

	return w->fd >= 0 && fstat(w->fd, &mine) == 0 &&
	    lstat(w->tmp, &there) == 0 && mine.st_ino == there.st_ino &&
	    mine.st_dev == there.st_dev;
}

/* Gives the finished file its name in dir; false when it cannot. */
static bool
install(struct pcache_writer *w, const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	bool ok = still_mine(w) && rename(w->tmp, path) == 0;

	free(path);
	return ok;
}

int
pcache_finish(struct pcache_writer *w, const struct pcache *old,
    const char *dir, struct page *const *pages, size_t n, struct strv *keep)
{
	size_t i, ndelta = 0;
	bool delta;

	w->old = old;
	for (i = 0; i < n; i++)
		ndelta += pages[i]->origin != PAGE_CACHED;
	/* The base in dir is old's (the stage links the site in place): a
	 * delta beside it is enough while the pages not in it are few and
	 * it does not carry too many pages that are gone. */
	delta = old && old->key == w->key &&
	    ndelta <= PCACHE_DELTA_MIN + n / 8 &&
	    old->nbase <= n + n / 4 + PCACHE_DELTA_MIN;
	if (!w->bad)
		carry(w, old, pages, n, delta);
	if (!w->bad && !pwrite_all(w->fd, &w->count, sizeof(w->count), 24)) {
		w->bad = true;
		w->err = errno;
	}
	/* Without its map the pages it took have no HTML: the build stops
	 * (an error of the system, as failing to write the site is). */
	if (map_back(w, pages, n) < 0) {
		errno = errno ? errno : EIO;
		return -1;
	}
	strv_push(keep, PCACHE_FILE);
	if (w->bad) {
		errno = w->err ? w->err : EIO;
		return 1;	/* unlinked on close: a mapping outlives it */
	}
	if (delta && ndelta == 0 && old->delta.map == NULL)
		return 0;	/* the base says it all */
	if (delta)
		strv_push(keep, PCACHE_DELTA);
	w->installed = install(w, dir, delta ? PCACHE_DELTA : PCACHE_FILE);
	if (!w->installed)
		errno = errno ? errno : EEXIST;
	return w->installed ? 0 : 1;
}

void
pcache_read(const struct pcache_writer *w, const char *html)
{
	if (w == NULL)
		return;
	pcache_read_in(w->map, w->len, &w->starts, html);
	if (w->old) {
		pcache_read_in(w->old->base.map, w->old->base.len,
		    &w->old->base.starts, html);
		pcache_read_in(w->old->delta.map, w->old->delta.len,
		    &w->old->delta.starts, html);
	}
}

void
pcache_writer_close(struct pcache_writer *w)
{
	if (w == NULL)
		return;
	if (w->map)
		munmap((void *)w->map, w->len);
	if (!w->installed && still_mine(w))
		(void)unlink(w->tmp);
	if (w->fd >= 0)
		close(w->fd);
	pthread_mutex_destroy(&w->lock);
	free(w->at);
	free(w->starts.v);
	free(w->tmp);
	free(w);
}
