/*
 * pcache: the parse cache (see pcache.h), its reading side: opening a
 * cache and restoring pages from it.  The format: pcache_file.h; the
 * writing side: pcache_write.c.
 */
#include "pcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"
#include "fsutil.h"
#include "hmap.h"
#include "page.h"
#include "pcache_file.h"
#include "terms.h"
#include "value.h"

/* ---- reading ---- */

struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static bool
take(struct rd *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	return true;
}

static unsigned
r_u8(struct rd *r)
{
	unsigned char v;

	take(r, &v, 1);
	return v;
}

static uint32_t
r_u32(struct rd *r)
{
	uint32_t v;

	take(r, &v, sizeof(v));
	return v;
}

static int
r_int(struct rd *r)
{
	int32_t v;

	take(r, &v, sizeof(v));
	return v;
}

static uint64_t
r_u64(struct rd *r)
{
	uint64_t v;

	take(r, &v, sizeof(v));
	return v;
}

/* A string in place (NUL-terminated in the map), or NULL. */
static const char *
r_mapped(struct rd *r)
{
	uint32_t n = r_u32(r);
	const char *s;

	if (r->bad || n == PCACHE_NO_STR)
		return NULL;
	if ((size_t)(r->end - r->p) < (size_t)n + 1 || r->p[n] != '\0') {
		r->bad = true;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += (size_t)n + 1;
	return s;
}

static char *
r_str(struct rd *r)
{
	const char *s = r_mapped(r);

	return s ? xstrdup(s) : NULL;
}

static struct pos
r_pos(struct rd *r)
{
	struct pos p;

	p.line = r_int(r);
	p.col = r_int(r);
	return p;
}

static void
r_pstr(struct rd *r, struct pstr *ps)
{
	ps->s = r_str(r);
	ps->pos = r_pos(r);
}

/* A count of items of at least min bytes each that the rest can hold. */
static size_t
r_count(struct rd *r, size_t min)
{
	uint32_t n = r_u32(r);

	if (r->bad || (size_t)n > (size_t)(r->end - r->p) / min) {
		r->bad = true;
		return 0;
	}
	return n;
}

static void
r_pstrv(struct rd *r, struct pstrv *v)
{
	size_t i, n = r_count(r, 12);

	for (i = 0; i < n && !r->bad; i++) {
		const char *s = r_mapped(r);
		struct pos pos = r_pos(r);

		if (s)
			pstrv_push(v, s, pos);
	}
	pstrv_fit(v);
}

/* One value node's own fields into v (a node value_new/value_add made),
 * then its members. */
static void
r_value(struct rd *r, struct value *v, int depth)
{
	size_t i, n;
	unsigned flags;

	flags = r_u8(r);
	v->quoted = flags & 1;
	v->raw = (flags >> 1) & 1;
	v->line = r_int(r);
	v->col = r_int(r);
	v->key_line = r_int(r);
	v->key_col = r_int(r);
	v->str = r_str(r);
	n = r_count(r, 2);
	if (depth > VALUE_MAX_DEPTH)
		r->bad = true;
	for (i = 0; i < n && !r->bad; i++) {
		enum value_kind kind = (enum value_kind)r_u8(r);
		const char *key = r_mapped(r);

		if (kind > VAL_MAP) {
			r->bad = true;
			break;
		}
		r_value(r, value_add(v, key, kind), depth + 1);
	}
	value_fit(v);
}

static struct value *
r_tree(struct rd *r)
{
	enum value_kind kind;
	struct value *v;

	if (r_u8(r) == 0)
		return NULL;
	kind = (enum value_kind)r_u8(r);
	if (r->bad || kind > VAL_MAP) {
		r->bad = true;
		return NULL;
	}
	v = value_new(kind);
	r_value(r, v, 1);
	return v;
}

static void
r_headings(struct rd *r, struct page *p)
{
	size_t i, n = r_count(r, 22);

	p->headings = xcalloc(n + 1, sizeof(*p->headings));
	for (i = 0; i < n && !r->bad; i++) {
		struct heading *h = &p->headings[i];

		h->level = r_int(r);
		h->text = r_str(r);
		h->id = r_str(r);
		h->pos = r_pos(r);
		h->has_content = r_u8(r) != 0;
		p->nheadings = i + 1;
		if (h->text == NULL || h->id == NULL)
			r->bad = true;
	}
}

static void
r_links(struct rd *r, struct page *p)
{
	size_t i, n = r_count(r, 17);

	p->links = xcalloc(n + 1, sizeof(*p->links));
	for (i = 0; i < n && !r->bad; i++) {
		struct link *l = &p->links[i];

		l->kind = r_u8(r) ? LINK_IMAGE : LINK_LINK;
		l->url = r_str(r);
		l->text = r_str(r);
		l->pos = r_pos(r);
		p->nlinks = i + 1;
		if (l->url == NULL || l->text == NULL)
			r->bad = true;
	}
}

/* The page's code; only read past (checked, not copied) unless keep. */
static void
r_code(struct rd *r, struct page *p, bool keep)
{
	size_t i, n = r_count(r, 17);

	if (!keep) {
		for (i = 0; i < n && !r->bad; i++) {
			r_u8(r);
			r_mapped(r);
			if (r_mapped(r) == NULL)
				r->bad = true;
			r_pos(r);
		}
		return;
	}
	p->code = xcalloc(n + 1, sizeof(*p->code));
	for (i = 0; i < n && !r->bad; i++) {
		struct code *c = &p->code[i];

		c->kind = r_u8(r) ? CODE_BLOCK : CODE_INLINE;
		c->lang = r_str(r);
		c->text = r_str(r);
		c->pos = r_pos(r);
		p->ncode = i + 1;
		if (c->text == NULL)
			r->bad = true;
	}
}

static void
r_diags(struct rd *r, struct page *p)
{
	size_t i, n = r_count(r, 22);

	for (i = 0; i < n && !r->bad; i++) {
		const char *file = r_mapped(r);
		int line = r_int(r), col = r_int(r);
		enum diag_severity sev = r_u8(r) ? DIAG_ERROR : DIAG_WARNING;
		const char *rule = r_mapped(r), *msg = r_mapped(r);

		if (file && rule && msg)
			diag_add(&p->diags, file, line, col, sev, rule, "%s",
			    msg);
		else
			r->bad = true;
	}
}

/* The model of a record (after its path, hash and length) into p. */
static void
r_page(struct rd *r, struct page *p, bool code)
{
	unsigned flags = r_u8(r);

	p->has_front_matter = flags & 1;
	p->fm_invalid = (flags >> 1) & 1;
	p->title_from_heading = (flags >> 2) & 1;
	p->fm_pos = r_pos(r);
	p->body_line = r_int(r);
	p->body_off = (size_t)r_u64(r);
	p->fm = r_tree(r);
	r_pstr(r, &p->title);
	r_pstr(r, &p->kind);
	r_pstr(r, &p->severity);
	r_pstr(r, &p->owner);
	r_pstrv(r, &p->alerts);
	r_pstrv(r, &p->tags);
	r_pstrv(r, &p->services);
	r_pstrv(r, &p->scripts);
	r_pstrv(r, &p->aliases);
	r_pstr(r, &p->last_reviewed);
	p->review_every_days = r_int(r);
	p->review_every_pos = r_pos(r);
	r_headings(r, p);
	r_links(r, p);
	r_code(r, p, code);
	r_pstrv(r, &p->script_refs);
	p->html = (char *)r_mapped(r);
	p->html_mapped = true;
	p->summary = r_str(r);
	p->terms = (char *)r_mapped(r);
	p->snippet = r_str(r);	/* every build's page table reads it */
	r_diags(r, p);
	if (p->html == NULL || p->kind.s == NULL || p->terms == NULL ||
	    p->snippet == NULL || !terms_valid(p->terms))
		r->bad = true;
}

/* ---- opening ---- */

static void
cfile_close(struct pcache_cfile *f)
{
	if (f->map)
		munmap((void *)f->map, f->len);
	hmap_free(&f->index);
	free(f->starts.v);
	memset(f, 0, sizeof(*f));
}

void
pcache_add_start(struct pcache_starts *st, uint64_t off)
{
	st->v = xgrow(st->v, &st->cap, st->n, sizeof(*st->v));
	st->v[st->n++] = off;
}

void
pcache_read_in(const unsigned char *map, size_t len,
    const struct pcache_starts *st, const char *html)
{
	uintptr_t at = (uintptr_t)html, base = (uintptr_t)map;
	uint64_t off, end;
	size_t lo = 0, hi = st->n;

	if (map == NULL || html == NULL || at < base || at >= base + len ||
	    st->n == 0)
		return;
	off = (uint64_t)(at - base);
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->v[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (st->v[lo] > off)
		return;
	end = lo + 1 < st->n ? st->v[lo + 1] : (uint64_t)len;
	fs_map_read(map, len, map + st->v[lo], (size_t)(end - st->v[lo]));
}

/* Indexes the records of a mapped file; false when it is not one. */
static bool
index_records(struct pcache_cfile *f, unsigned long long key, size_t *count)
{
	struct rd r;
	char magic[16];
	uint64_t k, n, i;

	r.p = f->map;
	r.end = f->map + f->len;
	r.bad = false;
	take(&r, magic, sizeof(magic));
	k = r_u64(&r);
	n = r_u64(&r);
	if (r.bad || memcmp(magic, PCACHE_MAGIC, 15) != 0 ||
	    magic[15] != (char)sizeof(long) || k != key ||
	    n > f->len / PCACHE_HEADER_LEN)
		return false;
	for (i = 0; i < n; i++) {
		uint64_t len = r_u64(&r);
		const unsigned char *rec = r.p;
		const char *path;

		if (r.bad || len < sizeof(uint64_t) ||
		    len > (uint64_t)(r.end - r.p))
			return false;
		r_u64(&r);	/* the checksum: checked on restore */
		path = r_mapped(&r);
		if (path == NULL)
			return false;
		hmap_put(&f->index, path, (void *)rec);
		pcache_add_start(&f->starts,
		    (uint64_t)(rec - sizeof(len) - f->map));
		r.p = rec + len;
	}
	*count = (size_t)n;
	return r.p == r.end;
}

static bool
cfile_open(struct pcache_cfile *f, const char *dir, const char *name,
    unsigned long long key, size_t *count)
{
	struct stat st;
	const unsigned char *map = fs_map(dir, name, PCACHE_HEADER_LEN, &st);

	memset(f, 0, sizeof(*f));
	if (map == NULL)
		return false;
	f->map = map;
	f->len = (size_t)st.st_size;
	if (!index_records(f, key, count)) {
		cfile_close(f);
		return false;
	}
	/* Restoring reads each record again; what it reads is let go. */
	fs_map_release(f->map, f->len, f->map, f->len);
	return true;
}

struct pcache *
pcache_open(const char *dir, unsigned long long key)
{
	struct pcache *c = xcalloc(1, sizeof(*c));
	size_t n = 0;

	c->key = key;
	if (!cfile_open(&c->base, dir, PCACHE_FILE, key, &c->nbase)) {
		free(c);
		return NULL;
	}
	/* A delta is only ever read over the base it was written beside. */
	cfile_open(&c->delta, dir, PCACHE_DELTA, key, &n);
	return c;
}

void
pcache_close(struct pcache *c)
{
	if (c == NULL)
		return;
	cfile_close(&c->base);
	cfile_close(&c->delta);
	free(c);
}

/* Clears what a failed restore left in p: it is as page_new() made it. */
static void
undo(struct page *p)
{
	p->origin = PAGE_CACHED;	/* html and terms are the map's */
	page_clear_model(p);
}

static bool
read_record(const unsigned char *rec, struct page *p,
    unsigned long long hash, size_t len, bool code)
{
	struct rd r;
	uint64_t len_rec, sum;

	/* The record's length and checksum sit just before it; a record
	 * whose bytes were damaged is a miss, not a wrong page. */
	memcpy(&len_rec, rec - sizeof(len_rec), sizeof(len_rec));
	memcpy(&sum, rec, sizeof(sum));
	r.p = rec + sizeof(sum);
	r.end = rec + len_rec;
	r.bad = false;
	if (str_hash(r.p, (size_t)(r.end - r.p), STR_HASH_SEED) != sum)
		return false;
	r_mapped(&r);
	if (r_u64(&r) != hash || r_u64(&r) != len || r.bad)
		return false;
	r_page(&r, p, code);
	if (r.bad) {
		undo(p);
		return false;
	}
	p->hash = hash;
	p->len = len;
	return true;
}

/*
 * p's record in f into p.  The record is let go of the mapping once
 * read: a restored page's HTML and terms point into it, but
 * most are not read again (the output they made is kept), and those
 * that are come back from the file.
 */
static bool
restore_from(const struct pcache_cfile *f, struct page *p,
    unsigned long long hash, size_t len, bool code)
{
	const unsigned char *rec = f->map ? hmap_get(&f->index, p->path) :
	    NULL;
	uint64_t len_rec;
	bool ok;

	if (rec == NULL)
		return false;
	ok = read_record(rec, p, hash, len, code);
	memcpy(&len_rec, rec - sizeof(len_rec), sizeof(len_rec));
	fs_map_read(f->map, f->len, rec - sizeof(len_rec),
	    sizeof(len_rec) + len_rec);
	return ok;
}

bool
pcache_restore(const struct pcache *c, struct page *p,
    unsigned long long hash, size_t len, bool code)
{
	if (c == NULL)
		return false;
	if (restore_from(&c->delta, p, hash, len, code)) {
		p->origin = PAGE_CACHED_DELTA;
		return true;
	}
	if (restore_from(&c->base, p, hash, len, code)) {
		p->origin = PAGE_CACHED;
		return true;
	}
	return false;
}
