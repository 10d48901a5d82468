/*
 * terms: the words of a page that search finds, folded and weighed once,
 * when the page is parsed, so that the body's plain text need not be kept
 * (it is the largest part of the model after the HTML) nor cached.
 *
 * A page's terms are a packed list, a C string: for each distinct term in
 * the order first seen, its length in bytes (1 to SEARCH_MAX_TERM), its
 * folded UTF-8 bytes, then its weight (search.h: a field mask times 8
 * plus a term-frequency bucket, so 8 to 63).  No byte of it is 0.
 */
#ifndef RUNBOOKC_TERMS_H
#define RUNBOOKC_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

struct page;

#define SEARCH_MIN_TERM 2	/* shorter tokens are not indexed */
#define SEARCH_MAX_TERM 40	/* longer tokens are cut (bytes) */
#define SEARCH_SNIPPET 160	/* snippet length, in bytes */

/* Field bits of a posting's weight. */
#define SEARCH_F_BODY 1
#define SEARCH_F_HEADING 2
#define SEARCH_F_TITLE 4

/*
 * Sets p->terms from p's title, alert ids, headings, tags, services and
 * owner and text, the body's plain text, and p->snippet from p->summary
 * (or text when the page has no first paragraph).
 */
void terms_make(struct page *p, const char *text);

/* Whether s is a packed list as terms_make() writes it. */
bool terms_valid(const char *s);

/*
 * Steps through a packed list: the term at *p (its bytes and length) and
 * its weight; false at the end.
 */
static inline bool
terms_next(const char **p, const char **tok, size_t *n, uint8_t *weight)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (*s == 0)
		return false;
	*n = s[0];
	*tok = (const char *)s + 1;
	*weight = s[1 + s[0]];
	*p = (const char *)s + 2 + s[0];
	return true;
}

/*
 * Calls fn for each token of text: folded, at least SEARCH_MIN_TERM
 * characters, cut at SEARCH_MAX_TERM bytes.  For tests and the builder.
 */
void search_tokens(const char *text, size_t len,
    void (*fn)(void *ud, const char *tok, size_t n), void *ud);

/* Decodes one code point of valid UTF-8; 0 for a bad byte (a separator). */
unsigned term_decode(const unsigned char *s, size_t len, size_t *n);

/*
 * Tables of terms (a page's, the site's) keep each term padded with zero
 * bytes to whole 8-byte words, so hashing and comparing read words.
 */
#define TERM_WORDS(n) (((n) + 8) & ~(size_t)7)

/* The hash of the zero-padded term tok[0..n). */
static inline unsigned long long
term_hash(const char *tok, size_t n)
{
	unsigned long long h = n, w;
	size_t i;

	for (i = 0; i < n; i += 8) {
		memcpy(&w, tok + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h ^ h >> 32;
}

/* Whether the zero-padded terms a and b of n bytes are equal. */
static inline bool
term_same(const char *a, const char *b, size_t n)
{
	unsigned long long x, y;
	size_t i;

	for (i = 0; i < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	return true;
}

/* Appends the TERM_WORDS of the zero-padded term tok[0..n). */
static inline void
term_put_words(struct buf *b, const char *tok, size_t n)
{
	size_t i, w = TERM_WORDS(n);

	if (b->len + w + 1 > b->cap)
		buf_grow(b, w);
	for (i = 0; i < w; i += 8)
		memcpy(b->data + b->len + i, tok + i, 8);
	b->len += w;
	b->data[b->len] = '\0';
}

#endif
