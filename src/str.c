#include "str.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
str_oom(void)
{
	fputs("runbookc: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		str_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		str_oom();
	return p;
}

void *
xcalloc_probed(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		str_oom();
	p = xmalloc(n * size);
	memset(p, 0, n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		str_oom();
	return p;
}

void *
xgrow(void *p, size_t *cap, size_t n, size_t sz)
{
	size_t c;

	if (n < *cap)
		return p;
	c = *cap ? *cap : 8;
	while (c <= n) {
		if (c > SIZE_MAX / 2 / sz)
			str_oom();
		c *= 2;
	}
	*cap = c;
	return xrealloc(p, c * sz);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

void
strv_push_owned(struct strv *sv, char *s)
{
	sv->v = xgrow(sv->v, &sv->cap, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_push_owned(sv, xstrdup(s));
}

bool
strv_has(const struct strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

void
strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int
str_casecmp_ascii(const char *a, const char *b)
{
	int ca, cb;

	for (;; a++, b++) {
		ca = (unsigned char)*a;
		cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 32;
		if (cb >= 'A' && cb <= 'Z')
			cb += 32;
		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

bool
str_casecmp_prefix(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++) {
		int a = (unsigned char)*s, b = (unsigned char)*prefix;

		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return false;
	}
	return true;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t
utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		if (p[i] >= 0x01 && p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(p + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return (size_t)-1;
}

int
utf8_column(const char *line, size_t off)
{
	size_t i;
	int col = 1;

	for (i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80)
			col++;
	return col;
}

/* Decodes one code point (assumes valid UTF-8; bad bytes yield themselves). */
static unsigned
utf8_decode(const unsigned char *s, size_t len, size_t *n)
{
	size_t k = utf8_seq(s, len);
	unsigned cp;
	size_t i;

	if (k <= 1) {
		*n = 1;
		return s[0];
	}
	cp = s[0] & (k == 2 ? 0x1f : k == 3 ? 0x0f : 0x07);
	for (i = 1; i < k; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	*n = k;
	return cp;
}

static void
utf8_encode(struct buf *out, unsigned cp)
{
	char t[4];

	if (cp < 0x80) {
		buf_putc(out, (int)cp);
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3f));
		buf_put(out, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		buf_put(out, t, 3);
	} else {
		t[0] = (char)(0xf0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		buf_put(out, t, 4);
	}
}

/*
 * Latin-1 Supplement and Latin Extended-A folded to ASCII base letters;
 * index cp - 0xc0.  A space means "no ASCII base": the letter is kept.
 */
static const char latin_base[] =
    "aaaaaaaceeeeiiii"	/* C0-CF */
    "dnooooo ouuuuyts"	/* D0-DF (D7 x, DE thorn, DF sharp s) */
    "aaaaaaaceeeeiiii"	/* E0-EF */
    "dnooooo ouuuuyty"	/* F0-FF */
    "aaaaaaccccccccdd"	/* 100-10F */
    "ddeeeeeeeeeegggg"	/* 110-11F */
    "gggghhhhiiiiiiii"	/* 120-12F */
    "ii  jjkkklllllll"	/* 130-13F */
    "lllnnnnnnn  oooo"	/* 140-14F */
    "oo  rrrrrrssssss"	/* 150-15F */
    "sssstttttttuuuuu"	/* 160-16F */
    "uuuuuuwwyyyzzzzz";	/* 170-17F */

static unsigned
fold_cp(unsigned cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xc0 && cp <= 0x17f && cp != 0xd7 && cp != 0xf7 &&
	    latin_base[cp - 0xc0] != ' ')
		return (unsigned char)latin_base[cp - 0xc0];
	if (cp >= 0x391 && cp <= 0x3a9)	/* Greek capitals */
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42f)	/* Cyrillic capitals */
		return cp + 32;
	return cp;
}

int
str_fold_char(const char *s, size_t len, size_t *n, unsigned cp[2])
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c;

	if (p[0] < 0x80) {
		*n = 1;
		cp[0] = p[0] >= 'A' && p[0] <= 'Z' ? p[0] + 32u : p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf && len >= 2 && (p[1] & 0xc0) == 0x80) {
		/* Two bytes, where the accented letters are: valid as is. */
		c = (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu);
		*n = 2;
	} else {
		c = utf8_decode(p, len, n);
	}
	/* Combining diacritical marks vanish (decomposed accents). */
	if (c >= 0x300 && c <= 0x36f)
		return 0;
	if (c == 0xdf) {		/* ß */
		cp[0] = cp[1] = 's';
		return 2;
	}
	cp[0] = fold_cp(c);
	return 1;
}

void
str_fold(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned cp[2];
	int k, m;

	while (i < len) {
		if (p[i] < 0x80) {
			/* ASCII runs, the common case, fold a byte at a time. */
			size_t j = i;

			while (j < len && p[j] < 0x80)
				j++;
			buf_grow(out, j - i);
			for (; i < j; i++)
				out->data[out->len++] = (char)(p[i] >= 'A' &&
				    p[i] <= 'Z' ? p[i] + 32 : p[i]);
			out->data[out->len] = '\0';
			continue;
		}
		m = str_fold_char(s + i, len - i, &n, cp);
		for (k = 0; k < m; k++)
			utf8_encode(out, cp[k]);
		i += n;
	}
}

char *
str_fold_dup(const char *s)
{
	struct buf b = BUF_INIT;

	str_fold(&b, s, strlen(s));
	return buf_detach(&b);
}

static bool
slug_keeps(unsigned cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
		    cp == '-' || cp == '_';
	/* Non-ASCII: keep letters and marks, drop common punctuation. */
	if ((cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x3000 && cp <= 0x303f) ||
	    (cp >= 0xa0 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x2190 && cp <= 0x2bff) || (cp >= 0x1f000 && cp <= 0x1faff) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return false;
	return true;
}

void
str_slug(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	unsigned cp;

	while (i < len) {
		cp = utf8_decode(p + i, len - i, &n);
		i += n;
		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		else if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
			cp += 32;	/* Latin-1 capitals: GitHub lower-cases */
		else if (cp >= 0x100 && cp <= 0x17f && (cp & 1) == 0 &&
		    cp != 0x138)
			cp += 1;
		if (cp == ' ')
			buf_putc(out, '-');
		else if (slug_keeps(cp))
			utf8_encode(out, cp);
	}
}

int
str_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A word-at-a-time multiply-xorshift hash: the build fingerprints every
 * byte of the content, so this runs over megabytes; byte-wise FNV cost
 * several times more.  Not cryptographic; stable across runs and builds.
 */
/*
 * Long data goes through four independent lanes: one chain of multiplies
 * waits on each product, four keep the multiplier busy (3-4x faster on
 * the megabytes a cache checksum covers).  Keys of hash tables are
 * shorter than LANES_MIN and hash as before.
 */
#define LANES_MIN 256

static inline void
lane(unsigned long long *h, const unsigned char *p)
{
	unsigned long long w;

	memcpy(&w, p, 8);
	*h = (*h ^ w) * 0xbf58476d1ce4e5b9ULL;
	*h ^= *h >> 31;
}

static unsigned long long
hash_lanes(const unsigned char *p, size_t len, size_t *done,
    unsigned long long h)
{
	unsigned long long l[4];
	size_t i, k;

	l[0] = h;
	l[1] = h ^ 0x9e3779b97f4a7c15ULL;
	l[2] = h ^ 0xbf58476d1ce4e5b9ULL;
	l[3] = h ^ 0x94d049bb133111ebULL;
	for (i = 0; i + 32 <= len; i += 32) {
		lane(&l[0], p + i);
		lane(&l[1], p + i + 8);
		lane(&l[2], p + i + 16);
		lane(&l[3], p + i + 24);
	}
	for (k = 0; k < 4; k++) {
		h = (h ^ l[k]) * 0x94d049bb133111ebULL;
		h ^= h >> 29;
	}
	*done = i;
	return h;
}

unsigned long long
str_hash(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = seed ^ (len * 0x9e3779b97f4a7c15ULL), w;
	size_t i = 0;

	if (len >= LANES_MIN)
		h = hash_lanes(p, len, &i, h);
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = (h ^ w) * 0x94d049bb133111ebULL;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}
