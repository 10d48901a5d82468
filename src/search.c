#include "search.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "page.h"
#include "pool.h"
#include "rctx.h"
#include "searchcache.h"
#include "site.h"
#include "str.h"
#include "terms.h"

/* The varint and weight alphabet: 64 characters a JS string keeps as is. */
static const char alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/* ---- shard keys and postings ---- */

/* The key of the first nchars characters of tok. */
static void
shard_key(const char *tok, size_t n, size_t nchars, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)tok;
	size_t i = 0, k, c;

	for (c = 0; c < nchars && i < n; c++) {
		unsigned cp = term_decode(s + i, n - i, &k);

		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			buf_putc(out, (int)cp);
		else
			buf_printf(out, "_%x_", cp);	/* delimited: one way to read */
		i += k;
	}
}

void
search_shard_key(const char *tok, size_t n, size_t nchars, struct buf *out)
{
	shard_key(tok, n, nchars, out);
}

/* Writes the varint of v to d (room for 13); returns its length. */
static inline size_t
put_varint(char *d, unsigned long v)
{
	size_t n = 1, i;

	while (n < 13 && v >> (5 * n))
		n++;
	/* Most significant group first; all but the last are marked. */
	for (i = 0; i + 1 < n; i++)
		d[i] = alphabet[32 + ((v >> (5 * (n - 1 - i))) & 31)];
	d[n - 1] = alphabet[v & 31];
	return n;
}

void
search_put_varint(struct buf *b, unsigned long v)
{
	char d[16];

	buf_put(b, d, put_varint(d, v));
}

/* ---- the whole index ---- */

/*
 * A distinct term of the site, its postings encoded as they come: the
 * varint of the page minus the previous posting's page, then the weight.
 */
struct term {
	unsigned long long hash;
	char *post;
	size_t off;		/* of the term in strs */
	uint32_t plen, pcap;
	uint32_t last;		/* the page of the last posting */
	uint8_t len;		/* of the term */
};

struct tslot {
	uint32_t id;		/* index + 1 into terms, 0 when free */
	uint32_t h32;		/* the high half of its hash */
};

struct encoded;

struct builder {
	const struct site *s;
	const struct search_opts *o;
	struct term *terms;	/* in first-seen order */
	size_t n, cap, npostings;
	struct tslot *slots;	/* the term table */
	size_t nslots;
	struct buf strs;	/* every term, zero-padded (terms.h) */
	/* The page table chunks, made while the terms are merged. */
	struct search_file *docs;
	size_t ndocs;
	struct encoded *e;	/* the terms sorted and sharded */
	/*
	 * The search cache read (its dictionary is terms [0, ncached), in
	 * its order) and what the next one gets: each page's pairs, in the
	 * old cache's map or at an offset of fresh.
	 */
	const struct search_cache *cache;
	size_t ncached, nuncached;
	struct page_pairs *pairs;
	struct buf fresh;
};

struct page_pairs {
	const unsigned char *data;	/* NULL: at off in fresh */
	size_t off, len;
	uint32_t n;
};

static void
index_rehash(struct builder *b)
{
	size_t i, n = b->nslots ? b->nslots * 2 : 4096;

	free(b->slots);
	b->slots = xcalloc_probed(n, sizeof(*b->slots));
	b->nslots = n;
	for (i = 0; i < b->n; i++) {
		size_t k = (size_t)b->terms[i].hash & (n - 1);

		while (b->slots[k].id)
			k = (k + 1) & (n - 1);
		b->slots[k].id = (uint32_t)i + 1;
		b->slots[k].h32 = (uint32_t)(b->terms[i].hash >> 32);
	}
}

/* The term tok[0..n) with hash h, zero-padded, added when new. */
static struct term *
index_term(struct builder *b, const char *tok, size_t n,
    unsigned long long h)
{
	uint32_t h32 = (uint32_t)(h >> 32);
	struct term *t;
	size_t k, mask;

	if ((b->n + 1) * 2 > b->nslots)
		index_rehash(b);
	mask = b->nslots - 1;
	for (k = (size_t)h & mask; b->slots[k].id; k = (k + 1) & mask) {
		t = &b->terms[b->slots[k].id - 1];
		if (b->slots[k].h32 == h32 && t->len == n &&
		    term_same(b->strs.data + t->off, tok, n))
			return t;
	}
	if (b->n >= UINT32_MAX - 1)
		str_oom();
	b->terms = xgrow(b->terms, &b->cap, b->n, sizeof(*b->terms));
	t = &b->terms[b->n];
	memset(t, 0, sizeof(*t));
	t->hash = h;
	t->off = b->strs.len;
	t->len = (uint8_t)n;
	term_put_words(&b->strs, tok, n);
	b->slots[k].id = (uint32_t)++b->n;
	b->slots[k].h32 = h32;
	return t;
}

static void
term_add(struct term *t, uint32_t doc, uint8_t weight)
{
	/* A posting takes at most 8 bytes: 7 varint groups, the weight. */
	if (t->plen + 8 > t->pcap) {
		if (t->pcap > UINT32_MAX / 2)
			str_oom();
		t->pcap = t->pcap ? t->pcap * 2 : 16;
		t->post = xrealloc(t->post, t->pcap);
	}
	t->plen += (uint32_t)put_varint(t->post + t->plen, doc - t->last);
	t->post[t->plen++] = alphabet[weight & 63];
	t->last = doc;
}

/* A page the cache knows: its pairs name the dictionary's terms. */
static void
merge_cached(struct builder *b, const struct search_list *l, uint32_t doc)
{
	const unsigned char *d = l->data;
	struct page_pairs *pp = &b->pairs[doc];
	uint32_t i, t;
	uint8_t w;

	for (i = 0; i < l->n; i++) {
		search_pair_next(&d, &t, &w);
		term_add(&b->terms[t], doc, w);
	}
	pp->data = l->data;
	pp->len = l->len;
	pp->n = l->n;
	b->npostings += l->n;
}

/* A page the cache does not know: its own terms (terms.h). */
static void
merge_terms(struct builder *b, const struct page *p, uint32_t doc)
{
	struct page_pairs *pp = &b->pairs[doc];
	char tok[SEARCH_MAX_TERM + 8];
	const char *at = p->terms ? p->terms : "", *s;
	size_t n;
	uint32_t count = 0;
	uint8_t w;

	pp->off = b->fresh.len;
	while (terms_next(&at, &s, &n, &w)) {
		struct term *t;

		memcpy(tok, s, n);
		memset(tok + n, 0, 8);
		t = index_term(b, tok, n, term_hash(tok, n));
		term_add(t, doc, w);
		search_pair_put(&b->fresh, (uint32_t)(t - b->terms), w);
		count++;
	}
	pp->len = b->fresh.len - pp->off;
	pp->n = count;
	b->npostings += count;
	b->nuncached++;
	if (b->o->read && p->terms)
		b->o->read(b->o->read_ud, p->terms);
}

static void shard_terms(struct builder *b);
static void put_doc_chunk(struct builder *b, size_t c);

/* Every page in page order (the index is the same whatever -j), from
 * the cache where it knows the page; then the terms are sorted and
 * sharded. */
static void
merge_all(struct builder *b)
{
	struct search_list l;
	size_t i;

	for (i = 0; i < b->s->npages; i++) {
		const struct page *p = b->s->pages[i];

		if (b->cache && p->len && search_cache_page(b->cache, p->path,
		    p->hash, p->len, &l))
			merge_cached(b, &l, (uint32_t)i);
		else
			merge_terms(b, p, (uint32_t)i);
	}
	shard_terms(b);
}

/* Item 0 of the pool merges; the others make the page table chunks. */
static void
build_step(void *ud, size_t i)
{
	struct builder *b = ud;

	if (i == 0)
		merge_all(b);
	else
		put_doc_chunk(b, i - 1);
}

/*
 * The cache's terms become terms [0, ncached) of the index, in its
 * order, so that its pages' pairs name them as they are.  False for a
 * dictionary no build writes (a term twice, or too long): then the
 * cache is not used.
 */
static bool
load_dictionary(struct builder *b)
{
	char tok[SEARCH_MAX_TERM + 8];
	size_t i, n, nterms = search_cache_nterms(b->cache);

	for (i = 0; i < nterms; i++) {
		const char *s = search_cache_term(b->cache, i, &n);
		struct term *t;

		if (n > SEARCH_MAX_TERM)
			return false;
		memcpy(tok, s, n);
		memset(tok + n, 0, 8);
		t = index_term(b, tok, n, term_hash(tok, n));
		if ((size_t)(t - b->terms) != i)
			return false;
	}
	b->ncached = nterms;
	return true;
}

static void
use_cache(struct builder *b, const struct search_cache *c)
{
	b->cache = c;
	if (c && !load_dictionary(b)) {
		free(b->terms);
		free(b->slots);
		buf_free(&b->strs);
		b->terms = NULL;
		b->slots = NULL;
		b->n = b->cap = b->nslots = 0;
		b->cache = NULL;
	}
}

/*
 * Shards adapt to the index.  All the terms start in one shard (key "");
 * a shard bigger than SEARCH_SHARD_BYTES splits by the next character of
 * its terms, again and again up to SEARCH_MAX_KEY characters, so that
 * terms sharing a long prefix (alert ids) still end up in small files.
 * The keys are prefixes of the terms' keys, and search.js loads the
 * shards whose key is a prefix of its word's key or starts with it.
 */
struct sterm {
	unsigned long long prefix;	/* the first 8 bytes, big-endian */
	const char *s;
	struct term *t;
};

struct shard {
	size_t from, to;	/* terms [from, to) */
	char *key;
};

struct encoded {
	struct sterm *terms;	/* sorted */
	size_t n;
	size_t *off;		/* [i] where term i's "term":"postings" starts
				 * in the terms' concatenation; [n] its end */
	struct shard *shards;
	size_t nshards, cap;
	struct search_file *files;	/* one per shard */
};

static int
cmp_sterm(const void *a, const void *b)
{
	const struct sterm *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* The bytes of the first nchars characters of the folded term s. */
static size_t
prefix_bytes(const char *s, size_t nchars)
{
	size_t i = 0;

	while (nchars-- && s[i]) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/*
 * Terms [from, to) share their first depth characters; shard them.  The
 * terms are folded UTF-8 as str_fold() writes it, where a character has
 * one encoding and shard_key() one key, so comparing the characters is
 * comparing the keys.
 */
static void
split_shard(struct encoded *e, size_t from, size_t to, size_t depth)
{
	struct buf key = BUF_INIT;
	struct shard *sh;
	size_t i, j, n;

	if (e->off[to] - e->off[from] <= SEARCH_SHARD_BYTES ||
	    depth >= SEARCH_MAX_KEY) {
		shard_key(e->terms[from].s, strlen(e->terms[from].s), depth,
		    &key);
		e->shards = xgrow(e->shards, &e->cap, e->nshards,
		    sizeof(*e->shards));
		sh = &e->shards[e->nshards++];
		sh->from = from;
		sh->to = to;
		sh->key = buf_detach(&key);
		return;
	}
	for (i = from; i < to; i = j) {
		n = prefix_bytes(e->terms[i].s, depth + 1);
		for (j = i + 1; j < to; j++)
			if (prefix_bytes(e->terms[j].s, depth + 1) != n ||
			    memcmp(e->terms[j].s, e->terms[i].s, n) != 0)
				break;
		split_shard(e, i, j, depth + 1);
	}
}

/* Sorts the terms and measures each one's "term":"postings". */
static void
sort_terms(struct builder *b, struct encoded *e)
{
	struct buf j = BUF_INIT;
	size_t i, k;

	e->terms = xcalloc(b->n ? b->n : 1, sizeof(*e->terms));
	for (i = 0; i < b->n; i++) {
		struct sterm *st;
		unsigned long long prefix = 0;

		/* A term of the cache's dictionary no page has now. */
		if (b->terms[i].plen == 0)
			continue;
		st = &e->terms[e->n++];
		st->t = &b->terms[i];
		st->s = b->strs.data + st->t->off;
		for (k = 0; k < 8; k++)
			prefix = prefix << 8 | (k < st->t->len ?
			    (unsigned char)st->s[k] : 0);
		/* Set, not updated: a member of a fresh calloc() read
		 * first costs a page copy (str.h, xcalloc_probed). */
		st->prefix = prefix;
	}
	if (e->n > 1)
		qsort(e->terms, e->n, sizeof(*e->terms), cmp_sterm);
	e->off = xcalloc(e->n + 1, sizeof(*e->off));
	for (i = 0; i < e->n; i++) {
		buf_truncate(&j, 0);
		buf_puts_json_str(&j, e->terms[i].s);
		e->off[i + 1] = e->off[i] + j.len + 3 + e->terms[i].t->plen;
	}
	buf_free(&j);
}

/* Once every page is merged: drops the term table, sorts, shards. */
static void
shard_terms(struct builder *b)
{
	free(b->slots);
	b->slots = NULL;
	b->nslots = 0;
	sort_terms(b, b->e);
	if (b->e->n)
		split_shard(b->e, 0, b->e->n, 0);
}

static void
fill_shard(void *ud, size_t k)
{
	static const char head[] = "runbookcSearch.terms(", tail[] = "});\n";
	struct encoded *e = ud;
	const struct shard *sh = &e->shards[k];
	struct search_file *f = &e->files[k];
	struct buf key = BUF_INIT;
	size_t i;

	f->name = *sh->key ? xasprintf("search-index/t-%s.js", sh->key) :
	    xstrdup("search-index/t.js");
	buf_puts_json_str(&key, sh->key);
	/* Exactly: the entries, "\n" before the first and ",\n" before the
	 * others. */
	buf_reserve(&f->data, sizeof(head) - 1 + key.len + 2 +
	    e->off[sh->to] - e->off[sh->from] + 2 * (sh->to - sh->from) - 1 +
	    sizeof(tail) - 1);
	buf_put(&f->data, head, sizeof(head) - 1);
	buf_put(&f->data, key.data, key.len);
	buf_puts(&f->data, ",{");
	for (i = sh->from; i < sh->to; i++) {
		struct term *t = e->terms[i].t;

		buf_puts(&f->data, i > sh->from ? ",\n" : "\n");
		buf_puts_json_str(&f->data, e->terms[i].s);
		buf_puts(&f->data, ":\"");
		buf_put(&f->data, t->post, t->plen);
		buf_putc(&f->data, '"');
		free(t->post);	/* written: the postings are done with */
		t->post = NULL;
	}
	buf_put(&f->data, tail, sizeof(tail) - 1);
	buf_free(&key);
}

static void
put_doc(struct buf *b, const struct site *s, const struct page *p)
{
	const struct severity *sev = p->severity.s ?
	    config_severity(s->cfg, p->severity.s) : NULL;
	struct buf u = BUF_INIT;
	size_t i;

	buf_putc(b, '[');
	buf_puts_json_str(b, page_title(p));
	buf_putc(b, ',');
	rctx_put_url(&u, p->out_path, strlen(p->out_path));
	buf_puts_json_str(b, buf_cstr(&u));
	buf_putc(b, ',');
	buf_puts_json_str(b, sev ? sev->id : "");
	buf_putc(b, ',');
	buf_puts_json_str(b, p->snippet ? p->snippet : "");
	buf_putc(b, ',');
	buf_truncate(&u, 0);
	for (i = 0; i < p->alerts.n; i++) {
		if (i)
			buf_putc(&u, ' ');
		buf_puts(&u, p->alerts.v[i].s);
	}
	buf_puts_json_str(b, buf_cstr(&u));
	buf_putc(b, ']');
	buf_free(&u);
}

/* Page table chunk c, made in a scratch buffer and kept at its size. */
static void
put_doc_chunk(struct builder *b, size_t c)
{
	const struct site *s = b->s;
	struct search_file *f = &b->docs[c];
	struct buf t = BUF_INIT;
	size_t i;

	f->name = xasprintf("search-index/d-%zu.js", c);
	buf_printf(&t, "runbookcSearch.docs(%zu,[", c);
	for (i = c * SEARCH_DOC_CHUNK; i < s->npages &&
	    i < (c + 1) * SEARCH_DOC_CHUNK; i++) {
		buf_puts(&t, i % SEARCH_DOC_CHUNK ? ",\n" : "\n");
		put_doc(&t, s, s->pages[i]);
	}
	buf_puts(&t, "]);\n");
	buf_reserve(&f->data, t.len);
	buf_put(&f->data, t.data, t.len);
	buf_free(&t);
}

static void
put_meta(const struct site *s, const struct encoded *e,
    struct search_file *f)
{
	struct buf *b = &f->data;
	size_t i;

	f->name = xstrdup("search-index/index.js");
	buf_printf(b, "runbookcSearch.index({\"v\":1,\"pages\":%zu,"
	    "\"chunk\":%d,\"min\":%d,\"max\":%d,\n\"severities\":{",
	    s->npages, SEARCH_DOC_CHUNK, SEARCH_MIN_TERM, SEARCH_MAX_TERM);
	for (i = 0; i < s->cfg->nseverities; i++) {
		const struct severity *sev = &s->cfg->severities[i];
		const char *ink, *color = rctx_css_color(sev->color, &ink);

		if (i)
			buf_putc(b, ',');
		buf_puts_json_str(b, sev->id);
		buf_puts(b, ":{\"label\":");
		buf_puts_json_str(b, sev->label);
		if (color) {
			buf_puts(b, ",\"color\":");
			buf_puts_json_str(b, color);
			buf_puts(b, ",\"ink\":");
			buf_puts_json_str(b, ink);
		}
		buf_putc(b, '}');
	}
	buf_puts(b, "},\n\"shards\":[");
	for (i = 0; i < e->nshards; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts_json_str(b, e->shards[i].key);
	}
	buf_puts(b, "]});\n");
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct search_file *)a)->name,
	    ((const struct search_file *)b)->name);
}

/* Page i's pairs, renumbered through id when it is not NULL. */
static struct search_list
page_pairs(const struct builder *b, size_t i, const uint32_t *id,
    struct buf *tmp)
{
	const struct page_pairs *pp = &b->pairs[i];
	struct search_list l;
	const unsigned char *d;
	uint32_t k, t;
	uint8_t w;

	l.data = pp->data ? pp->data :
	    (const unsigned char *)b->fresh.data + pp->off;
	l.len = pp->len;
	l.n = pp->n;
	if (id == NULL)
		return l;
	buf_truncate(tmp, 0);
	for (d = l.data, k = 0; k < l.n; k++) {
		search_pair_next(&d, &t, &w);
		search_pair_put(tmp, id[t], w);
	}
	l.data = (const unsigned char *)tmp->data;
	l.len = tmp->len;
	return l;
}

/*
 * Leaves the cache for the next build in o->cache_dir: the terms some
 * page has (renumbered when others died) and every page's pairs.  The
 * cache read is left as it is when it already says all that.
 */
static int
write_cache(const struct builder *b, const struct search_opts *o)
{
	struct search_cache_writer w;
	struct buf tmp = BUF_INIT;
	uint32_t *id = NULL, k = 0;
	size_t i, live = 0;

	for (i = 0; i < b->n; i++)
		live += b->terms[i].plen > 0;
	if (b->cache && b->nuncached == 0 && live == b->n &&
	    search_cache_npages(b->cache) == b->s->npages)
		return 0;
	if (live < b->n) {
		id = xcalloc(b->n, sizeof(*id));
		for (i = 0; i < b->n; i++)
			id[i] = b->terms[i].plen ? k++ : UINT32_MAX;
	}
	search_cache_begin(&w, o->cache_key);
	for (i = 0; i < b->n; i++)
		if (b->terms[i].plen)
			search_cache_add_term(&w, b->strs.data +
			    b->terms[i].off, b->terms[i].len);
	for (i = 0; i < b->s->npages; i++) {
		const struct page *p = b->s->pages[i];
		struct search_list l = page_pairs(b, i, id, &tmp);

		search_cache_add_page(&w, p->path, p->hash, p->len, &l);
	}
	buf_free(&tmp);
	free(id);
	return search_cache_finish(&w, o->cache_dir);
}

/* The last steps, on the pool: item 0 leaves the search cache (it reads
 * the terms' names and the pages' pairs), the others fill the shards (which
 * use up the terms' postings). */
struct finish {
	const struct builder *b;
	struct encoded *e;
	const struct search_opts *o;
	bool cache_ok;
};

static void
finish_step(void *ud, size_t i)
{
	struct finish *f = ud;

	if (i > 0)
		fill_shard(f->e, i - 1);
	else if (f->o->cache_dir)
		f->cache_ok = write_cache(f->b, f->o) == 0;
}

/*
 * Tokenizing (of the pages the cache does not know), merging and the
 * page table run on the pool (see build_step); then the terms are
 * sorted and split into shards, and the shard files are written on the
 * pool, each at its exact size, while the search cache is left.
 */
void
search_build(const struct site *s, const struct search_opts *o,
    struct search_index *ix)
{
	struct search_cache *cache = NULL;
	struct builder b;
	struct encoded e;
	struct finish fin;
	size_t i;

	memset(ix, 0, sizeof(*ix));
	memset(&b, 0, sizeof(b));
	memset(&e, 0, sizeof(e));
	b.s = s;
	b.o = o;
	b.ndocs = (s->npages + SEARCH_DOC_CHUNK - 1) / SEARCH_DOC_CHUNK;
	b.docs = xcalloc(b.ndocs ? b.ndocs : 1, sizeof(*b.docs));
	b.pairs = xcalloc(s->npages ? s->npages : 1, sizeof(*b.pairs));
	b.e = &e;
	if (o->cache_dir)
		cache = search_cache_open(o->cache_dir, o->cache_key);
	use_cache(&b, cache);
	pool_run(1 + b.ndocs, o->jobs, build_step, &b);
	ix->n = e.nshards + b.ndocs + 1;
	ix->files = xcalloc(ix->n, sizeof(*ix->files));
	e.files = ix->files;
	fin.b = &b;
	fin.e = &e;
	fin.o = o;
	fin.cache_ok = false;
	pool_run(e.nshards + 1, o->jobs, finish_step, &fin);
	memcpy(ix->files + e.nshards, b.docs, b.ndocs * sizeof(*b.docs));
	put_meta(s, &e, &ix->files[ix->n - 1]);
	if (ix->n > 1)
		qsort(ix->files, ix->n, sizeof(*ix->files), cmp_file);
	ix->nterms = e.n;
	ix->npostings = b.npostings;
	ix->nuncached = b.nuncached;
	ix->cache_ok = fin.cache_ok;
	search_cache_close(cache);
	free(b.pairs);
	buf_free(&b.fresh);
	for (i = 0; i < e.nshards; i++)
		free(e.shards[i].key);
	free(e.shards);
	free(e.terms);
	free(e.off);
	free(b.docs);
	free(b.terms);
	buf_free(&b.strs);
}

void
search_index_free(struct search_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		free(ix->files[i].name);
		buf_free(&ix->files[i].data);
	}
	free(ix->files);
	memset(ix, 0, sizeof(*ix));
}
