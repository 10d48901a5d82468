/*
 * terms: the tokenizer search.js mirrors, and each page's packed list of
 * distinct terms (see terms.h).
 */
#include "terms.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "str.h"

/* ---- tokens ---- */

unsigned
term_decode(const unsigned char *s, size_t len, size_t *n)
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

/*
 * The ASCII fast path: str_fold() and is_token_char() in one look-up,
 * the folded byte of an ASCII token character; 0 for an ASCII separator
 * and for the bytes of other characters.
 */
static const unsigned char ascii_token[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	'0', '1', '2', '3', '4', '5', '6', '7',
	'8', '9', 0, 0, 0, 0, 0, 0,
	0, 'a', 'b', 'c', 'd', 'e', 'f', 'g',
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
	'x', 'y', 'z', 0, 0, 0, 0, '_',
	0, 'a', 'b', 'c', 'd', 'e', 'f', 'g',
	'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
	'x', 'y', 'z', 0, 0, 0, 0, 0,
};


/* ---- one page's terms ---- */


/*
 * Bytes of a token the scanner keeps: the cut at SEARCH_MAX_TERM reads
 * the byte at SEARCH_MAX_TERM, and a character that starts below the
 * limit is stored whole.
 */
#define TOK_KEEP (SEARCH_MAX_TERM + 8)

/*
 * A page's distinct terms, deduplicated as they come by a small
 * open-addressing table over offsets into text (offsets survive the
 * buffer growing; pointers would not).  Each term in text is padded
 * with zero bytes to TERM_WORDS.
 */
struct pterm {
	unsigned long long hash;
	uint32_t off;		/* of the term in text */
	uint32_t body;		/* occurrences in the body */
	uint8_t len;
	uint8_t mask;		/* SEARCH_F_* bits */
};

struct page_terms {
	struct buf text;
	struct pterm *v;	/* the distinct terms, in first-seen order */
	size_t n, cap;
	uint32_t *slots;	/* index + 1 into v, 0 when free */
	size_t nslots;		/* at least twice n */
	uint8_t field;		/* of the tokens being added */
	/* search_tokens(): where the tokens go instead. */
	void (*fn)(void *ud, const char *tok, size_t n);
	void *ud;
};

static void
pt_rehash(struct page_terms *pt)
{
	size_t i, n = pt->nslots ? pt->nslots * 2 : 256;

	free(pt->slots);
	pt->slots = xcalloc_probed(n, sizeof(*pt->slots));
	pt->nslots = n;
	for (i = 0; i < pt->n; i++) {
		size_t k = (size_t)pt->v[i].hash & (n - 1);

		while (pt->slots[k])
			k = (k + 1) & (n - 1);
		pt->slots[k] = (uint32_t)i + 1;
	}
}

static void
collect(void *ud, const char *tok, size_t n)
{
	struct page_terms *pt = ud;
	unsigned long long h = term_hash(tok, n);
	size_t k, mask = pt->nslots - 1;
	struct pterm *t;
	uint32_t x;

	for (k = (size_t)h & mask; (x = pt->slots[k]) != 0;
	    k = (k + 1) & mask) {
		t = &pt->v[x - 1];
		if (t->hash == h && t->len == n &&
		    term_same(pt->text.data + t->off, tok, n))
			goto found;
	}
	if (pt->n == pt->cap)
		pt->v = xgrow(pt->v, &pt->cap, pt->n, sizeof(*pt->v));
	t = &pt->v[pt->n];
	t->hash = h;
	t->off = (uint32_t)pt->text.len;
	t->body = 0;
	t->len = (uint8_t)n;
	t->mask = 0;
	term_put_words(&pt->text, tok, n);
	pt->slots[k] = (uint32_t)++pt->n;
	if (pt->n * 2 > pt->nslots) {
		pt_rehash(pt);
		t = &pt->v[pt->n - 1];
	}
found:
	t->mask |= pt->field;
	t->body += pt->field == SEARCH_F_BODY;
}

/*
 * Hands the token tok (n bytes, chars characters) over: cut at
 * SEARCH_MAX_TERM bytes, never inside a character, and followed by 8
 * zero bytes (tok_hash and same_term read whole words).
 */
static inline void
emit(unsigned char *tok, size_t n, size_t chars, struct page_terms *pt)
{
	if (chars < SEARCH_MIN_TERM)
		return;
	if (n > SEARCH_MAX_TERM) {
		n = SEARCH_MAX_TERM;
		while (n > 0 && (tok[n] & 0xc0) == 0x80)
			n--;
	}
	memset(tok + n, 0, 8);
	if (pt->fn)
		pt->fn(pt->ud, (const char *)tok, n);
	else
		collect(pt, (const char *)tok, n);
}

/* Stores the UTF-8 of cp (0x80 or more) at d; returns its length. */
static inline size_t
put_utf8(unsigned char *d, unsigned cp)
{
	if (cp < 0x800) {
		d[0] = (unsigned char)(0xc0 | (cp >> 6));
		d[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (unsigned char)(0xe0 | (cp >> 12));
		d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (unsigned char)(0xf0 | (cp >> 18));
	d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Appends the folded token character cp (0x80 or more) to tok. */
static inline void
put_cp(unsigned char *tok, size_t *n, unsigned cp)
{
	if (*n < TOK_KEEP)
		*n += put_utf8(tok + *n, cp);
	else
		*n += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/*
 * The tokenizer: what str_fold() of the whole text, then a split at the
 * characters that are not is_token_char(), would give, in one pass that
 * folds only the token it is in.  ASCII goes through ascii_token; any
 * other character through str_fold_char(), the fold's own code.  The
 * text ends at its '\0', which also ends the last token.
 */
static void
scan_text(const char *text, struct page_terms *pt)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned char tok[TOK_KEEP + 8];	/* + a character, the pad */
	size_t n = 0, chars = 0, k;	/* the token's bytes (they may run
					 * past TOK_KEEP) and characters */
	unsigned cp[2];
	int m = 0, j = 0;	/* cp[j..m): folded characters to place */
	bool done = false;

	for (;;) {
		while (j < m && is_token_char(cp[j])) {
			if (cp[j] < 0x80) {
				if (n < TOK_KEEP)
					tok[n] = (unsigned char)cp[j];
				n++;
			} else {
				put_cp(tok, &n, cp[j]);
			}
			chars++;
			j++;
		}
		if (j < m) {
			j++;		/* a separator */
		} else if (ascii_token[*p]) {
			const unsigned char *run = p;
			unsigned char *d = tok + (n < TOK_KEEP ? n : TOK_KEEP);
			unsigned char f;

			while (d < tok + TOK_KEEP && (f = ascii_token[*p]) != 0) {
				*d++ = f;
				p++;
			}
			while (ascii_token[*p])
				p++;
			n += (size_t)(p - run);
			chars += (size_t)(p - run);
			continue;
		} else if (*p >= 0x80) {
			/* 4 bytes at most, and the '\0' (not a continuation
			 * byte) stops a sequence before the end. */
			m = str_fold_char((const char *)p, 4, &k, cp);
			j = 0;
			p += k;
			continue;
		} else {
			done = *p++ == '\0';	/* else a separator */
		}
		if (chars) {
			emit(tok, n, chars, pt);
			n = chars = 0;
		}
		if (done)
			break;
	}
}

void
search_tokens(const char *text, size_t len,
    void (*fn)(void *ud, const char *tok, size_t n), void *ud)
{
	struct page_terms pt;
	char *t = xmalloc(len + 1), *s;

	memset(&pt, 0, sizeof(pt));
	pt.fn = fn;
	pt.ud = ud;
	if (len)
		memcpy(t, text, len);
	t[len] = '\0';
	/* A '\0' is a separator: scan what lies between them. */
	for (s = t; s <= t + len; s += strlen(s) + 1)
		scan_text(s, &pt);
	free(t);
}

static void
add_text(struct page_terms *pt, const char *s, uint8_t field)
{
	pt->field = field;
	if (s)
		scan_text(s, pt);
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

/* The packed list of pt's terms (terms.h), in first-seen order. */
static char *
pack(const struct page_terms *pt)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		const struct pterm *t = &pt->v[i];

		buf_putc(&b, t->len);
		buf_put(&b, pt->text.data + t->off, t->len);
		buf_putc(&b, pterm_weight(t));
	}
	return buf_detach(&b);
}

/* What search shows of a page: s with its white space runs made one
 * space, cut at SEARCH_SNIPPET bytes on a character boundary. */
static char *
snippet(const char *s)
{
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
	return buf_detach(&t);
}

void
terms_make(struct page *p, const char *text)
{
	struct page_terms pt;
	size_t k;

	memset(&pt, 0, sizeof(pt));
	pt_rehash(&pt);
	add_text(&pt, page_title(p), SEARCH_F_TITLE);
	for (k = 0; k < p->alerts.n; k++)
		add_alert(&pt, p->alerts.v[k].s);
	for (k = 0; k < p->nheadings; k++)
		add_text(&pt, p->headings[k].text, SEARCH_F_HEADING);
	for (k = 0; k < p->tags.n; k++)
		add_text(&pt, p->tags.v[k].s, SEARCH_F_HEADING);
	for (k = 0; k < p->services.n; k++)
		add_text(&pt, p->services.v[k].s, SEARCH_F_HEADING);
	add_text(&pt, p->owner.s, SEARCH_F_BODY);
	add_text(&pt, text, SEARCH_F_BODY);
	p->terms = pack(&pt);
	p->snippet = snippet(p->summary && *p->summary ? p->summary :
	    text ? text : "");
	buf_free(&pt.text);
	free(pt.v);
	free(pt.slots);
}

bool
terms_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p) {
		if ((n = *p++) > SEARCH_MAX_TERM)
			return false;
		for (i = 0; i < n; i++)
			if (*p++ == 0)
				return false;
		if (*p < 8 || *p > 63)	/* the weight */
			return false;
		p++;
	}
	return true;
}
