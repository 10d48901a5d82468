#include "preprocess.h"

#include <string.h>

#include "buf.h"
#include "str.h"

#define TOC_MACRO "[[_TOC_]]"

/* The fenced code block we are in: its fence character and length. */
struct fence {
	char ch;
	size_t len;
};

static size_t
run_of(const char *l, size_t n, size_t i, char ch)
{
	size_t k = i;

	while (k < n && l[k] == ch)
		k++;
	return k - i;
}

/*
 * True when the line opens, is inside, or closes a fenced code block
 * (CommonMark: up to three spaces, then three or more ` or ~).
 */
static int
fence_line(struct fence *f, const char *l, size_t n)
{
	size_t i = 0, k;

	while (i < n && i < 3 && l[i] == ' ')
		i++;
	if (f->len) {
		k = run_of(l, n, i, f->ch);
		if (k >= f->len) {
			for (i += k; i < n && (l[i] == ' ' || l[i] == '\t' ||
			    l[i] == '\r'); i++)
				;
			if (i == n)
				f->len = 0;
		}
		return 1;
	}
	if (i >= n || (l[i] != '`' && l[i] != '~'))
		return 0;
	k = run_of(l, n, i, l[i]);
	if (k < 3)
		return 0;
	/* A backtick fence's info string may not hold a backtick. */
	if (l[i] == '`' && memchr(l + i + k, '`', n - i - k) != NULL)
		return 0;
	f->ch = l[i];
	f->len = k;
	return 1;
}

/* A line holding nothing but GitLab's [[_TOC_]] becomes blank. */
static int
toc_line(char *l, size_t n)
{
	size_t b = 0, e = n, mlen = strlen(TOC_MACRO);

	while (b < e && (l[b] == ' ' || l[b] == '\t'))
		b++;
	while (e > b && (l[e - 1] == ' ' || l[e - 1] == '\t' ||
	    l[e - 1] == '\r'))
		e--;
	if (e - b != mlen || memcmp(l + b, TOC_MACRO, mlen) != 0)
		return 0;
	memset(l + b, ' ', mlen);
	return 1;
}

static size_t
skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/*
 * Hugo's ref and relref name a content file with or without ".md";
 * a link needs the file.  "x" → "x.md", "x#a" → "x.md#a"; "x.md",
 * "dir/" and "#a" stay as they are.
 */
static void
ref_target(struct buf *out, const char *arg, size_t alen)
{
	const char *hash = memchr(arg, '#', alen);
	size_t plen = hash ? (size_t)(hash - arg) : alen, k;
	int has_ext = 0;

	for (k = plen; k > 0 && arg[k - 1] != '/'; k--)
		if (arg[k - 1] == '.')
			has_ext = 1;
	buf_put(out, arg, plen);
	if (plen > 0 && arg[plen - 1] != '/' && !has_ext)
		buf_puts(out, ".md");
	buf_put(out, arg + plen, alen - plen);
}

/*
 * At s[0] is "{{<" or "{{%".  When a ref or relref shortcode starts
 * there, rewrites it to its target padded with spaces and returns its
 * width; otherwise returns 0 and leaves s alone.
 */
static size_t
shortcode(char *s, size_t n)
{
	char close = s[2] == '<' ? '>' : '%';
	size_t i = 3, a, alen, width;
	struct buf t = BUF_INIT;

	i = skip_blanks(s, n, i);
	if (i + 6 < n && memcmp(s + i, "relref", 6) == 0)
		i += 6;
	else if (i + 3 < n && memcmp(s + i, "ref", 3) == 0)
		i += 3;
	else
		return 0;
	if (i >= n || (s[i] != ' ' && s[i] != '\t'))
		return 0;
	i = skip_blanks(s, n, i);
	if (i < n && s[i] == '"') {
		a = ++i;
		while (i < n && s[i] != '"')
			i++;
		if (i >= n)
			return 0;
		alen = i++ - a;
	} else {
		a = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != close)
			i++;
		alen = i - a;
	}
	i = skip_blanks(s, n, i);
	if (alen == 0 || i + 2 >= n || s[i] != close || s[i + 1] != '}' ||
	    s[i + 2] != '}')
		return 0;
	width = i + 3;
	ref_target(&t, s + a, alen);
	if (t.len > width) {	/* cannot happen: the wrapper is wider */
		buf_free(&t);
		return 0;
	}
	memcpy(s, t.data, t.len);
	memset(s + t.len, ' ', width - t.len);
	buf_free(&t);
	return width;
}

/* Rewrites the shortcodes of one line, outside inline code spans. */
static size_t
line_shortcodes(char *l, size_t n)
{
	size_t i, k, j, count = 0;

	for (i = 0; i < n; i++) {
		if (l[i] == '`') {
			/* A code span closes with a run of the same length. */
			k = run_of(l, n, i, '`');
			for (j = i + k; j < n; j++)
				if (l[j] == '`') {
					size_t r = run_of(l, n, j, '`');

					if (r == k)
						break;
					j += r - 1;
				}
			i = j < n ? j + k - 1 : i + k - 1;
			continue;
		}
		if (l[i] == '{' && i + 2 < n && l[i + 1] == '{' &&
		    (l[i + 2] == '<' || l[i + 2] == '%')) {
			size_t w = shortcode(l + i, n - i);

			if (w) {
				count++;
				i += w - 1;
			}
		}
	}
	return count;
}

size_t
pre_process(char *s, size_t len)
{
	struct fence f = { 0, 0 };
	size_t off = 0, count = 0;

	while (off < len) {
		char *nl = memchr(s + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - s) : len;

		if (fence_line(&f, s + off, end - off))
			;	/* code is code */
		else if (toc_line(s + off, end - off))
			count++;
		else
			count += line_shortcodes(s + off, end - off);
		off = end + 1;
	}
	return count;
}
