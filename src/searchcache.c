/*
 * searchcache: the search index's memory between builds (see
 * searchcache.h).
 *
 * The body of the file (cachefile.h): the term count, the page count,
 * the terms (a length byte and the bytes), then the pages: path and NUL
 * (so that a mapped path is a C string), hash and length of the page's
 * bytes, pair count, list length and the pairs.
 */
#include "searchcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cachefile.h"
#include "hmap.h"
#include "str.h"

#define MAGIC "runbookc-search2"	/* CACHEFILE_MAGIC_LEN bytes */
#define MAX_WEIGHT 63

struct term_ref {
	uint32_t off, len;	/* in the body */
};

struct search_cache {
	struct cachefile f;
	struct term_ref *terms;
	size_t nterms, npages;
	struct hmap pages;	/* path (in the map) -> its record */
};

/* ---- reading ---- */

/* Whether [p, end) holds exactly n pairs naming terms below nterms. */
static bool
list_ok(const unsigned char *p, const unsigned char *end, uint32_t n,
    size_t nterms)
{
	for (; n; n--) {
		uint32_t v = 0;
		unsigned shift = 0;

		for (;;) {
			if (p == end || shift > 28)
				return false;
			v |= (uint32_t)(*p & 0x7f) << shift;
			shift += 7;
			if (!(*p++ & 0x80))
				break;
		}
		if (v >= nterms || p == end || *p++ > MAX_WEIGHT)
			return false;
	}
	return p == end;
}

static bool
read_terms(struct search_cache *c, struct cachefile_rd *r)
{
	size_t i;

	c->terms = xcalloc(c->nterms ? c->nterms : 1, sizeof(*c->terms));
	for (i = 0; i < c->nterms && !r->bad; i++) {
		unsigned char n;

		cachefile_take(r, &n, 1);
		if (n == 0 || (size_t)(r->end - r->p) < n) {
			r->bad = true;
			break;
		}
		c->terms[i].off = (uint32_t)(r->p - c->f.body);
		c->terms[i].len = n;
		r->p += n;
	}
	return !r->bad;
}

/* Indexes the page records, checking each. */
static bool
read_pages(struct search_cache *c, struct cachefile_rd *r)
{
	size_t i;

	for (i = 0; i < c->npages && !r->bad; i++) {
		const unsigned char *rec = r->p;
		const unsigned char *nul = memchr(r->p, '\0',
		    (size_t)(r->end - r->p));
		uint32_t n, len;

		if (nul == NULL || nul == r->p)
			return false;
		r->p = nul + 1;
		cachefile_u64(r);
		cachefile_u64(r);
		n = cachefile_u32(r);
		len = cachefile_u32(r);
		if (r->bad || (size_t)(r->end - r->p) < len ||
		    !list_ok(r->p, r->p + len, n, c->nterms) ||
		    hmap_get(&c->pages, (const char *)rec) != NULL)
			return false;
		hmap_put(&c->pages, (const char *)rec, (void *)rec);
		r->p += len;
	}
	return !r->bad && r->p == r->end;
}

static bool
read_all(struct search_cache *c)
{
	struct cachefile_rd r = { c->f.body, c->f.body + c->f.body_len,
	    false };

	if (c->f.body_len > UINT32_MAX)
		return false;
	c->nterms = (size_t)cachefile_u64(&r);
	c->npages = (size_t)cachefile_u64(&r);
	if (r.bad || c->nterms > c->f.body_len || c->npages > c->f.body_len)
		return false;
	return read_terms(c, &r) && read_pages(c, &r);
}

struct search_cache *
search_cache_open(const char *dir, unsigned long long key)
{
	struct search_cache *c = xcalloc(1, sizeof(*c));

	if (!cachefile_open(&c->f, dir, SEARCH_CACHE_FILE, MAGIC, key) ||
	    !read_all(c)) {
		search_cache_close(c);
		return NULL;
	}
	return c;
}

void
search_cache_close(struct search_cache *c)
{
	if (c == NULL)
		return;
	cachefile_close(&c->f);
	free(c->terms);
	hmap_free(&c->pages);
	free(c);
}

size_t
search_cache_nterms(const struct search_cache *c)
{
	return c->nterms;
}

size_t
search_cache_npages(const struct search_cache *c)
{
	return c->npages;
}

const char *
search_cache_term(const struct search_cache *c, size_t i, size_t *n)
{
	*n = c->terms[i].len;
	return (const char *)c->f.body + c->terms[i].off;
}

bool
search_cache_page(const struct search_cache *c, const char *path,
    unsigned long long hash, size_t len, struct search_list *out)
{
	const unsigned char *rec = hmap_get(&c->pages, path);
	struct cachefile_rd r;

	if (rec == NULL)
		return false;
	r.p = rec + strlen((const char *)rec) + 1;
	r.end = c->f.body + c->f.body_len;
	r.bad = false;
	if (cachefile_u64(&r) != hash || cachefile_u64(&r) != len)
		return false;
	out->n = cachefile_u32(&r);
	out->len = cachefile_u32(&r);
	out->data = r.p;
	return true;
}

/* ---- writing ---- */

void
search_pair_put(struct buf *b, uint32_t term, uint8_t weight)
{
	unsigned char d[6];
	size_t n = 0;

	while (term >= 0x80) {
		d[n++] = (unsigned char)(term | 0x80);
		term >>= 7;
	}
	d[n++] = (unsigned char)term;
	d[n++] = weight;
	buf_put(b, (const char *)d, n);
}

void
search_cache_begin(struct search_cache_writer *w, unsigned long long key)
{
	uint64_t counts[2] = { 0, 0 };

	memset(w, 0, sizeof(*w));
	w->key = key;
	cachefile_begin(&w->b);
	buf_put(&w->b, counts, sizeof(counts));	/* filled in at the end */
}

void
search_cache_add_term(struct search_cache_writer *w, const char *s,
    size_t n)
{
	unsigned char len = (unsigned char)n;

	buf_put(&w->b, &len, 1);
	buf_put(&w->b, s, n);
	w->nterms++;
}

void
search_cache_add_page(struct search_cache_writer *w, const char *path,
    unsigned long long hash, size_t len, const struct search_list *l)
{
	uint64_t v[2] = { hash, len };
	uint32_t u[2] = { l->n, (uint32_t)l->len };

	buf_put(&w->b, path, strlen(path) + 1);
	buf_put(&w->b, v, sizeof(v));
	buf_put(&w->b, u, sizeof(u));
	buf_put(&w->b, l->data, l->len);
	w->npages++;
}

int
search_cache_finish(struct search_cache_writer *w, const char *dir)
{
	uint64_t counts[2] = { w->nterms, w->npages };

	memcpy(w->b.data + CACHEFILE_HEADER_LEN, counts, sizeof(counts));
	/* Too big to index as this reader does: better no cache. */
	if (w->b.len - CACHEFILE_HEADER_LEN > UINT32_MAX) {
		buf_free(&w->b);
		errno = EFBIG;
		return -1;
	}
	return cachefile_finish(&w->b, dir, SEARCH_CACHE_FILE, MAGIC, w->key);
}
