#include "search.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hmap.h"
#include "page.h"
#include "pool.h"
#include "rctx.h"
#include "site.h"
#include "str.h"

/* Pages tokenized at once: bounds the memory the per-page lists hold. */
#define SEARCH_BATCH 256

/* The varint and weight alphabet: 64 characters a JS string keeps as is. */
static const char alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/* ---- tokens ---- */

/* Decodes one code point of valid UTF-8; 0 for a bad byte (a separator). */
static unsigned
decode(const unsigned char *s, size_t len, size_t *n)
{
	unsigned c = s[0], cp;
	size_t k, i;

	*n = 1;
	if (c < 0x80)
		return c;
	k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (k == 0 || k > len)
		return 0;
	cp = c & (0xff >> (k + 1));
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*n = k;
	return cp;
}

/*
 * The characters a token is made of (after folding).  assets/search.js
 * has the same test: keep the two in step.
 */
static bool
is_token_char(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		    (cp >= 'A' && cp <= 'Z') || cp == '_';
	return !(cp <= 0xbf || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x2000 && cp <= 0x2bff) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	    cp == 0xfeff || (cp >= 0xff00 && cp <= 0xff0f) ||
	    (cp >= 0x1f000 && cp <= 0x1faff));
}

static void
emit_token(const char *s, size_t n, size_t chars,
    void (*fn)(void *, const char *, size_t), void *ud)
{
	if (chars < SEARCH_MIN_TERM)
		return;
	if (n > SEARCH_MAX_TERM) {
		n = SEARCH_MAX_TERM;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	fn(ud, s, n);
}

void
search_tokens(const char *text, size_t len,
    void (*fn)(void *ud, const char *tok, size_t n), void *ud)
{
	struct buf f = BUF_INIT;
	const unsigned char *s;
	size_t i = 0, start = 0, chars = 0, n;

	str_fold(&f, text, len);
	s = (const unsigned char *)buf_cstr(&f);
	while (i < f.len) {
		unsigned cp = decode(s + i, f.len - i, &n);

		if (is_token_char(cp)) {
			if (chars++ == 0)
				start = i;
		} else if (chars) {
			emit_token((const char *)s + start, i - start, chars,
			    fn, ud);
			chars = 0;
		}
		i += n;
	}
	if (chars)
		emit_token((const char *)s + start, f.len - start, chars, fn,
		    ud);
	buf_free(&f);
}

/* The key of the first nchars characters of tok. */
static void
shard_key(const char *tok, size_t n, size_t nchars, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)tok;
	size_t i = 0, k, c;

	for (c = 0; c < nchars && i < n; c++) {
		unsigned cp = decode(s + i, n - i, &k);

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

void
search_put_varint(struct buf *b, unsigned long v)
{
	int g[16], n = 0;

	do {
		g[n++] = (int)(v & 31);
		v >>= 5;
	} while (v);
	/* Most significant group first; all but the last are marked. */
	while (n > 1)
		buf_putc(b, alphabet[32 + g[--n]]);
	buf_putc(b, alphabet[g[0]]);
}

/* ---- one page's terms ---- */

/*
 * A page's distinct terms, deduplicated as they come by a small
 * open-addressing table over offsets into text (offsets survive the
 * buffer growing; pointers would not).
 */
struct pterm {
	size_t off;		/* of the NUL-terminated term in text */
	unsigned long long hash;
	uint32_t body;		/* occurrences in the body */
	uint8_t mask;		/* SEARCH_F_* bits */
};

struct page_terms {
	struct buf text;
	struct pterm *v;	/* the distinct terms, in first-seen order */
	size_t n, cap;
	size_t *slots;		/* index + 1 into v, 0 when free */
	size_t nslots;
	uint8_t field;		/* of the tokens being added */
};

static void
pt_rehash(struct page_terms *pt)
{
	size_t i, n = pt->nslots ? pt->nslots * 2 : 256;

	free(pt->slots);
	pt->slots = xcalloc(n, sizeof(*pt->slots));
	pt->nslots = n;
	for (i = 0; i < pt->n; i++) {
		size_t k = (size_t)pt->v[i].hash & (n - 1);

		while (pt->slots[k])
			k = (k + 1) & (n - 1);
		pt->slots[k] = i + 1;
	}
}

static void
collect(void *ud, const char *tok, size_t n)
{
	struct page_terms *pt = ud;
	unsigned long long h = str_hash(tok, n, STR_HASH_SEED);
	struct pterm *t;
	size_t k;

	if (pt->nslots == 0 || (pt->n + 1) * 2 > pt->nslots)
		pt_rehash(pt);
	for (k = (size_t)h & (pt->nslots - 1); pt->slots[k];
	    k = (k + 1) & (pt->nslots - 1)) {
		t = &pt->v[pt->slots[k] - 1];
		if (t->hash == h && strncmp(pt->text.data + t->off, tok, n) == 0 &&
		    pt->text.data[t->off + n] == '\0')
			break;
	}
	if (pt->slots[k] == 0) {
		pt->v = xgrow(pt->v, &pt->cap, pt->n, sizeof(*pt->v));
		t = &pt->v[pt->n];
		memset(t, 0, sizeof(*t));
		t->off = pt->text.len;
		t->hash = h;
		buf_put(&pt->text, tok, n);
		buf_putc(&pt->text, '\0');
		pt->slots[k] = ++pt->n;
	}
	t = &pt->v[pt->slots[k] - 1];
	t->mask |= pt->field;
	t->body += pt->field == SEARCH_F_BODY;
}

static void
add_text(struct page_terms *pt, const char *s, uint8_t field)
{
	pt->field = field;
	if (s)
		search_tokens(s, strlen(s), collect, pt);
}

/* "KafkaConsumerLagHigh" also reads "Kafka Consumer Lag High". */
static void
add_alert(struct page_terms *pt, const char *id)
{
	struct buf b = BUF_INIT;
	size_t i;

	add_text(pt, id, SEARCH_F_TITLE);
	for (i = 0; id[i]; i++) {
		char c = id[i], prev = i ? id[i - 1] : 0;

		if (i && ((c >= 'A' && c <= 'Z' && prev >= 'a' &&
		    prev <= 'z') || (c >= '0' && c <= '9' && !(prev >= '0' &&
		    prev <= '9'))))
			buf_putc(&b, ' ');
		buf_putc(&b, c);
	}
	if (strcmp(buf_cstr(&b), id) != 0)
		add_text(pt, buf_cstr(&b), SEARCH_F_TITLE);
	buf_free(&b);
}

static uint8_t
tf_bucket(size_t tf)
{
	uint8_t b = 0;

	while (tf && b < 7) {
		b++;
		tf >>= 1;
	}
	return b;
}

static uint8_t
pterm_weight(const struct pterm *t)
{
	return (uint8_t)(t->mask * 8 + tf_bucket(t->body));
}

struct tok_job {
	const struct site *s;
	size_t first;
	struct page_terms *pages;
};

static void
tokenize_page(void *ud, size_t i)
{
	struct tok_job *j = ud;
	const struct page *p = j->s->pages[j->first + i];
	struct page_terms *pt = &j->pages[i];
	size_t k;

	add_text(pt, rctx_page_title(p), SEARCH_F_TITLE);
	for (k = 0; k < p->alerts.n; k++)
		add_alert(pt, p->alerts.v[k].s);
	for (k = 0; k < p->nheadings; k++)
		add_text(pt, p->headings[k].text, SEARCH_F_HEADING);
	for (k = 0; k < p->tags.n; k++)
		add_text(pt, p->tags.v[k].s, SEARCH_F_HEADING);
	for (k = 0; k < p->services.n; k++)
		add_text(pt, p->services.v[k].s, SEARCH_F_HEADING);
	add_text(pt, p->owner.s, SEARCH_F_BODY);
	add_text(pt, p->text, SEARCH_F_BODY);
	free(pt->slots);
	pt->slots = NULL;
	pt->nslots = 0;
}

/* ---- the whole index ---- */

struct posting {
	uint32_t doc;
	uint8_t weight;
};

struct term {
	char *s;
	struct posting *p;
	size_t n, cap;
};

struct builder {
	struct hmap map;	/* term -> struct term * */
	struct term **terms;
	size_t n, cap, npostings;
};

static void
merge_page(struct builder *b, const struct page_terms *pt, uint32_t doc)
{
	size_t i;

	for (i = 0; i < pt->n; i++) {
		const char *s = pt->text.data + pt->v[i].off;
		struct term *t = hmap_get(&b->map, s);

		if (t == NULL) {
			t = xcalloc(1, sizeof(*t));
			t->s = xstrdup(s);
			hmap_put(&b->map, t->s, t);
			b->terms = xgrow(b->terms, &b->cap, b->n,
			    sizeof(*b->terms));
			b->terms[b->n++] = t;
		}
		t->p = xgrow(t->p, &t->cap, t->n, sizeof(*t->p));
		t->p[t->n].doc = doc;
		t->p[t->n].weight = pterm_weight(&pt->v[i]);
		t->n++;
		b->npostings++;
	}
}

static void
page_terms_free(struct page_terms *pt)
{
	buf_free(&pt->text);
	free(pt->v);
	free(pt->slots);
	memset(pt, 0, sizeof(*pt));
}

static void
tokenize_all(const struct site *s, int jobs, struct builder *b)
{
	struct page_terms *batch = xcalloc(SEARCH_BATCH, sizeof(*batch));
	struct tok_job j;
	size_t first, n, i;

	j.s = s;
	j.pages = batch;
	for (first = 0; first < s->npages; first += n) {
		n = s->npages - first < SEARCH_BATCH ? s->npages - first :
		    SEARCH_BATCH;
		j.first = first;
		pool_run(n, jobs, tokenize_page, &j);
		for (i = 0; i < n; i++) {
			merge_page(b, &batch[i], (uint32_t)(first + i));
			page_terms_free(&batch[i]);
		}
	}
	free(batch);
}

static int
cmp_term(const void *a, const void *b)
{
	return strcmp((*(struct term *const *)a)->s,
	    (*(struct term *const *)b)->s);
}

static struct search_file *
new_file(struct search_index *ix, size_t *cap, char *name)
{
	struct search_file *f;

	ix->files = xgrow(ix->files, cap, ix->n, sizeof(*ix->files));
	f = &ix->files[ix->n++];
	memset(f, 0, sizeof(*f));
	f->name = name;
	return f;
}

static void
put_postings(struct buf *b, const struct term *t)
{
	uint32_t prev = 0;
	size_t i;

	buf_putc(b, '"');
	for (i = 0; i < t->n; i++) {
		search_put_varint(b, t->p[i].doc - prev);
		buf_putc(b, alphabet[t->p[i].weight & 63]);
		prev = t->p[i].doc;
	}
	buf_putc(b, '"');
}

/*
 * Shards adapt to the index.  All the terms start in one shard (key "");
 * a shard bigger than SEARCH_SHARD_BYTES splits by the next character of
 * its terms, again and again up to SEARCH_MAX_KEY characters, so that
 * terms sharing a long prefix (alert ids) still end up in small files.
 * The keys are prefixes of the terms' keys, and search.js loads the
 * shards whose key is a prefix of its word's key or starts with it.
 */
struct encoded {
	struct buf data;	/* every term's "term":"postings" */
	size_t *off;		/* [i] where term i starts; [n] the end */
	struct term **terms;
	size_t n;
};

static void
encode_terms(struct builder *b, struct encoded *e)
{
	size_t i;

	e->terms = b->terms;
	e->n = b->n;
	e->off = xcalloc(b->n + 1, sizeof(*e->off));
	for (i = 0; i < b->n; i++) {
		e->off[i] = e->data.len;
		buf_puts_json_str(&e->data, b->terms[i]->s);
		buf_putc(&e->data, ':');
		put_postings(&e->data, b->terms[i]);
	}
	e->off[b->n] = e->data.len;
}

static void
put_shard(struct search_index *ix, size_t *cap, struct strv *keys,
    const struct encoded *e, const char *key, size_t from, size_t to)
{
	struct search_file *f;
	size_t i;

	f = new_file(ix, cap, *key ? xasprintf("search-index/t-%s.js", key) :
	    xstrdup("search-index/t.js"));
	strv_push(keys, key);
	buf_puts(&f->data, "runbookcSearch.terms(");
	buf_puts_json_str(&f->data, key);
	buf_puts(&f->data, ",{");
	for (i = from; i < to; i++) {
		buf_puts(&f->data, i > from ? ",\n" : "\n");
		buf_put(&f->data, e->data.data + e->off[i],
		    e->off[i + 1] - e->off[i]);
	}
	buf_puts(&f->data, "});\n");
}

static void
term_key(const struct encoded *e, size_t i, size_t depth, struct buf *out)
{
	buf_truncate(out, 0);
	shard_key(e->terms[i]->s, strlen(e->terms[i]->s), depth, out);
}

/* Terms [from, to) share their key at depth; shard them. */
static void
split_shard(struct search_index *ix, size_t *cap, struct strv *keys,
    const struct encoded *e, size_t from, size_t to, size_t depth)
{
	struct buf key = BUF_INIT, k2 = BUF_INIT;
	size_t i, j;

	term_key(e, from, depth, &key);
	if (e->off[to] - e->off[from] <= SEARCH_SHARD_BYTES ||
	    depth >= SEARCH_MAX_KEY) {
		put_shard(ix, cap, keys, e, buf_cstr(&key), from, to);
		buf_free(&key);
		return;
	}
	for (i = from; i < to; i = j) {
		term_key(e, i, depth + 1, &key);
		for (j = i + 1; j < to; j++) {
			term_key(e, j, depth + 1, &k2);
			if (strcmp(k2.data, key.data) != 0)
				break;
		}
		split_shard(ix, cap, keys, e, i, j, depth + 1);
	}
	buf_free(&key);
	buf_free(&k2);
}

static void
write_shards(struct builder *b, struct search_index *ix, size_t *cap,
    struct strv *keys)
{
	struct encoded e;

	memset(&e, 0, sizeof(e));
	if (b->n > 1)
		qsort(b->terms, b->n, sizeof(*b->terms), cmp_term);
	encode_terms(b, &e);
	if (b->n)
		split_shard(ix, cap, keys, &e, 0, b->n, 0);
	buf_free(&e.data);
	free(e.off);
}

/* The snippet: the summary, or the start of the text, cut at a
 * character boundary. */
static void
put_snippet(struct buf *b, const struct page *p)
{
	const char *s = p->summary && *p->summary ? p->summary :
	    p->text ? p->text : "";
	struct buf t = BUF_INIT;
	bool space = false;

	for (; *s && t.len < SEARCH_SNIPPET; s++) {
		if (*s == '\n' || *s == '\t' || *s == '\r' || *s == ' ') {
			space = t.len > 0;
			continue;
		}
		if (space)
			buf_putc(&t, ' ');
		space = false;
		buf_putc(&t, *s);
	}
	while (t.len && *s && ((unsigned char)*s & 0xc0) == 0x80) {
		buf_putc(&t, *s);	/* finish the character */
		s++;
	}
	if (*s)
		buf_puts(&t, "…");
	buf_puts_json_str(b, buf_cstr(&t));
	buf_free(&t);
}

static void
put_doc(struct buf *b, const struct site *s, const struct page *p)
{
	const struct severity *sev = p->severity.s ?
	    config_severity(s->cfg, p->severity.s) : NULL;
	struct buf u = BUF_INIT;
	size_t i;

	buf_putc(b, '[');
	buf_puts_json_str(b, rctx_page_title(p));
	buf_putc(b, ',');
	rctx_put_url(&u, p->out_path, strlen(p->out_path));
	buf_puts_json_str(b, buf_cstr(&u));
	buf_putc(b, ',');
	buf_puts_json_str(b, sev ? sev->id : "");
	buf_putc(b, ',');
	put_snippet(b, p);
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

static void
write_docs(const struct site *s, struct search_index *ix, size_t *cap)
{
	size_t c, i;

	for (c = 0; c * SEARCH_DOC_CHUNK < s->npages; c++) {
		struct search_file *f = new_file(ix, cap,
		    xasprintf("search-index/d-%zu.js", c));

		buf_printf(&f->data, "runbookcSearch.docs(%zu,[", c);
		for (i = c * SEARCH_DOC_CHUNK; i < s->npages &&
		    i < (c + 1) * SEARCH_DOC_CHUNK; i++) {
			buf_puts(&f->data, i % SEARCH_DOC_CHUNK ? ",\n" : "\n");
			put_doc(&f->data, s, s->pages[i]);
		}
		buf_puts(&f->data, "]);\n");
	}
}

static void
write_meta(const struct site *s, struct search_index *ix, size_t *cap,
    const struct strv *keys)
{
	struct search_file *f = new_file(ix, cap, xstrdup("search-index/index.js"));
	struct buf *b = &f->data;
	size_t i;

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
	for (i = 0; i < keys->n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts_json_str(b, keys->v[i]);
	}
	buf_puts(b, "]});\n");
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct search_file *)a)->name,
	    ((const struct search_file *)b)->name);
}

void
search_build(const struct site *s, int jobs, struct search_index *ix)
{
	struct builder b;
	struct strv keys = STRV_INIT;
	size_t cap = 0, i;

	memset(ix, 0, sizeof(*ix));
	memset(&b, 0, sizeof(b));
	tokenize_all(s, jobs, &b);
	write_shards(&b, ix, &cap, &keys);
	write_docs(s, ix, &cap);
	write_meta(s, ix, &cap, &keys);
	if (ix->n > 1)
		qsort(ix->files, ix->n, sizeof(*ix->files), cmp_file);
	ix->nterms = b.n;
	ix->npostings = b.npostings;
	for (i = 0; i < b.n; i++) {
		free(b.terms[i]->s);
		free(b.terms[i]->p);
		free(b.terms[i]);
	}
	free(b.terms);
	hmap_free(&b.map);
	strv_free(&keys);
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
