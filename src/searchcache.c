/*
 * searchcache: the search index's memory between builds (see
 * searchcache.h).
 *
 * The file: a header (magic with a byte-order mark, key, term count,
 * page count, checksum of the rest), the terms (a length byte and the
 * bytes), then the pages: path and NUL (so that a mapped path is a C
 * string), hash and length of the page's bytes, pair count, list length
 * and the pairs.  Integers are in the machine's byte order.
 */
#include "searchcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "hmap.h"
#include "str.h"

#define MAGIC "runbookc-search1"	/* 16 bytes; the last is replaced */
#define HEADER_LEN 48
#define MAX_WEIGHT 63

struct term_ref {
	uint32_t off, len;	/* in the map */
};

struct search_cache {
	const unsigned char *map;
	size_t len;
	struct term_ref *terms;
	size_t nterms, npages;
	struct hmap pages;	/* path (in the map) -> its record */
};

static void
put_magic(char *m)
{
	memcpy(m, MAGIC, 16);
	m[15] = (char)('0' + sizeof(long));	/* not another machine's */
}

/* ---- reading ---- */

struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static void
take(struct rd *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p, n);
	r->p += n;
}

static uint64_t
r_u64(struct rd *r)
{
	uint64_t v;

	take(r, &v, sizeof(v));
	return v;
}

static uint32_t
r_u32(struct rd *r)
{
	uint32_t v;

	take(r, &v, sizeof(v));
	return v;
}

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
read_terms(struct search_cache *c, struct rd *r)
{
	size_t i;

	c->terms = xcalloc(c->nterms ? c->nterms : 1, sizeof(*c->terms));
	for (i = 0; i < c->nterms && !r->bad; i++) {
		unsigned char n;

		take(r, &n, 1);
		if (n == 0 || (size_t)(r->end - r->p) < n) {
			r->bad = true;
			break;
		}
		c->terms[i].off = (uint32_t)(r->p - c->map);
		c->terms[i].len = n;
		r->p += n;
	}
	return !r->bad;
}

/* Indexes the page records, checking each. */
static bool
read_pages(struct search_cache *c, struct rd *r)
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
		r_u64(r);
		r_u64(r);
		n = r_u32(r);
		len = r_u32(r);
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
read_all(struct search_cache *c, unsigned long long key)
{
	struct rd r = { c->map, c->map + c->len, false };
	char magic[16], want[16];
	uint64_t sum;

	put_magic(want);
	take(&r, magic, sizeof(magic));
	if (r.bad || memcmp(magic, want, sizeof(want)) != 0 ||
	    r_u64(&r) != key)
		return false;
	c->nterms = (size_t)r_u64(&r);
	c->npages = (size_t)r_u64(&r);
	sum = r_u64(&r);
	if (r.bad || c->nterms > c->len || c->npages > c->len ||
	    c->nterms > UINT32_MAX ||
	    str_hash(r.p, (size_t)(r.end - r.p), STR_HASH_SEED) != sum)
		return false;
	return read_terms(c, &r) && read_pages(c, &r);
}

struct search_cache *
search_cache_open(const char *dir, unsigned long long key)
{
	char *path = path_join(dir, SEARCH_CACHE_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct search_cache *c;
	struct stat st;
	void *map;

	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < HEADER_LEN || (uint64_t)st.st_size > UINT32_MAX) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->map = map;
	c->len = (size_t)st.st_size;
	if (!read_all(c, key)) {
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
	if (c->map)
		munmap((void *)c->map, c->len);
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
	return (const char *)c->map + c->terms[i].off;
}

bool
search_cache_page(const struct search_cache *c, const char *path,
    unsigned long long hash, size_t len, struct search_list *out)
{
	const unsigned char *rec = hmap_get(&c->pages, path);
	struct rd r;

	if (rec == NULL)
		return false;
	r.p = rec + strlen((const char *)rec) + 1;
	r.end = c->map + c->len;
	r.bad = false;
	if (r_u64(&r) != hash || r_u64(&r) != len)
		return false;
	out->n = r_u32(&r);
	out->len = r_u32(&r);
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
	memset(w, 0, sizeof(*w));
	w->key = key;
	buf_reserve(&w->b, HEADER_LEN);
	w->b.len = HEADER_LEN;	/* filled in by search_cache_finish() */
}

void
search_cache_add_term(struct search_cache_writer *w, const char *s,
    size_t n)
{
	unsigned char len = (unsigned char)n;

	buf_put(&w->b, (const char *)&len, 1);
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
	buf_put(&w->b, (const char *)v, sizeof(v));
	buf_put(&w->b, (const char *)u, sizeof(u));
	buf_put(&w->b, (const char *)l->data, l->len);
	w->npages++;
}

int
search_cache_finish(struct search_cache_writer *w, const char *dir)
{
	char *path = path_join(dir, SEARCH_CACHE_FILE);
	unsigned char *h = (unsigned char *)w->b.data;
	uint64_t v[4];
	int rc;

	put_magic((char *)h);
	v[0] = w->key;
	v[1] = w->nterms;
	v[2] = w->npages;
	v[3] = str_hash(h + HEADER_LEN, w->b.len - HEADER_LEN, STR_HASH_SEED);
	memcpy(h + 16, v, sizeof(v));
	/* Too big to map as this reader does: better no cache. */
	if (w->b.len > UINT32_MAX) {
		errno = EFBIG;
		rc = -1;
	} else
		rc = fs_write_staged(path, w->b.data, w->b.len) < 0 ? -1 : 0;
	free(path);
	buf_free(&w->b);
	return rc;
}
