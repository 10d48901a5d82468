#include "userrules.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "glob.h"
#include "page.h"
#include "rx.h"
#include "str.h"

/* Backtick runs up to this length remember where they cannot close. */
#define SPAN_RUN_CACHE 32
/*
 * Matches of one rule reported per page; past it one diagnostic says how
 * many more there were, so a rule that matches every word of a huge page
 * cannot flood the report (or memory).
 */
#define USERRULES_MAX_MATCHES 100

/* The page's source cut into lines (file lines, 1-based). */
struct lines {
	const char *src;
	size_t len;
	size_t *start;		/* start[k - 1]: byte offset of line k */
	size_t n;
};

/* One rule running over one page. */
struct scan {
	const struct user_rule *r;
	const struct page *p;
	struct diag_list *out;
	bool stopped;		/* a limit was hit: no more for this page */
	size_t matches;		/* reported so far in this page */
	size_t more;		/* found past USERRULES_MAX_MATCHES */
	struct pos first_more;	/* where the first of those was */
};

/*
 * Where a subject sits in the file: line, and how to turn a byte offset
 * of the subject into a column: count characters of base from skip + off,
 * starting at column col.
 */
struct where {
	int line;
	const char *base;
	size_t skip;
	int col;
};

static void
lines_index(struct lines *L, const char *src, size_t len)
{
	size_t i, cap = 0;

	memset(L, 0, sizeof(*L));
	L->src = src;
	L->len = len;
	L->start = xgrow(NULL, &cap, 0, sizeof(*L->start));
	/* A byte-order mark is not part of line 1: columns start after it. */
	L->start[L->n++] = len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0 ?
	    3 : 0;
	for (i = 0; i < len; i++)
		if (src[i] == '\n' && i + 1 < len) {
			L->start = xgrow(L->start, &cap, L->n,
			    sizeof(*L->start));
			L->start[L->n++] = i + 1;
		}
}

/* Line k (1-based) without its end of line; NULL past the last line. */
static const char *
line_at(const struct lines *L, int k, size_t *n)
{
	size_t s, e;

	if (k < 1 || (size_t)k > L->n)
		return NULL;
	s = L->start[k - 1];
	e = (size_t)k < L->n ? L->start[k] : L->len;
	if (e > s && L->src[e - 1] == '\n')
		e--;
	if (e > s && L->src[e - 1] == '\r')
		e--;
	*n = e - s;
	return L->src + s;
}

static int
column(const struct where *w, size_t off)
{
	return w->col + utf8_column(w->base, w->skip + off) - 1;
}

/* The next offset after a match: past it, or one character on if empty. */
static size_t
next_start(const char *s, size_t len, size_t b, size_t e)
{
	if (e > b)
		return e;
	e++;
	while (e < len && ((unsigned char)s[e] & 0xc0) == 0x80)
		e++;
	return e;
}

/* A search that could not finish: the rule stops for this page. */
static void
stop(struct scan *sc, const struct where *w, size_t off, enum rx_result rc)
{
	const char *id = sc->r->id + strlen("rule.");

	if (rc == RX_LIMIT)
		diag_add(sc->out, sc->p->file, w->line, column(w, off),
		    DIAG_ERROR, sc->r->id, "pattern of rule '%s' hit the "
		    "match limit (%u) or depth limit (%u) here and stopped "
		    "checking this page; simplify the pattern", id,
		    RX_MATCH_LIMIT, RX_DEPTH_LIMIT);
	else
		diag_add(sc->out, sc->p->file, w->line, column(w, off),
		    DIAG_ERROR, sc->r->id, "pattern of rule '%s' failed here "
		    "and stopped checking this page", id);
	sc->stopped = true;
}

/*
 * Reports every match of the rule in subject[from..to).  A limit or an
 * error stops the rule for the rest of the page, reported where the
 * failed search began.  Columns are counted on from the previous match,
 * so a long line with many matches stays linear.
 */
static void
search(struct scan *sc, const char *subject, size_t from, size_t to,
    const struct where *w)
{
	const struct user_rule *r = sc->r;
	size_t off = from, ov[2], at = 0;
	int col = column(w, 0);
	enum rx_result rc;

	while (!sc->stopped && off <= to) {
		rc = rx_search(r->pattern, subject, to, off, ov, 2);
		if (rc == RX_NOMATCH)
			return;
		if (rc != RX_MATCH) {
			stop(sc, w, off, rc);
			return;
		}
		for (; at < ov[0]; at++)
			if ((w->base[w->skip + at] & 0xc0) != 0x80)
				col++;
		if (sc->matches++ < USERRULES_MAX_MATCHES)
			diag_add(sc->out, sc->p->file, w->line, col,
			    r->severity, r->id, "%s", r->message);
		else if (sc->more++ == 0) {
			sc->first_more.line = w->line;
			sc->first_more.col = col;
		}
		off = next_start(subject, to, ov[0], ov[1]);
	}
}

/* True for a line that opens or closes a fenced code block. */
static bool
is_fence_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '>'))
		i++;
	if (i < n && (s[i] == '-' || s[i] == '*' || s[i] == '+'))
		i++;
	else
		while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == ')'))
			i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return n - i >= 3 && (memcmp(s + i, "```", 3) == 0 ||
	    memcmp(s + i, "~~~", 3) == 0);
}

static void
mark_line(const struct lines *L, int k, char *code)
{
	size_t n;
	const char *s = line_at(L, k, &n);

	if (s)
		memset(code + (s - L->src), 1, n);
}

/* Marks the lines of every code block, fences included, as code. */
static void
mark_code_blocks(const struct page *p, const struct lines *L, char *code)
{
	size_t i, n;
	const char *s;

	for (i = 0; i < p->ncode; i++) {
		const struct code *c = &p->code[i];
		const char *t;
		int first = c->pos.line, last, k;

		if (c->kind != CODE_BLOCK)
			continue;
		last = first - 1;
		for (t = c->text; *t; t++)
			if (*t == '\n')
				last++;
		if ((s = line_at(L, first - 1, &n)) && is_fence_line(s, n)) {
			first--;
			if ((s = line_at(L, last + 1, &n)) &&
			    is_fence_line(s, n))
				last++;
		}
		for (k = first; k <= last; k++)
			mark_line(L, k, code);
	}
}

/* True when a blank line (or a code block) starts after the '\n' at i. */
static bool
para_ends(const struct lines *L, const char *code, size_t i)
{
	size_t j = i + 1;

	if (j < L->len && code[j])
		return true;
	while (j < L->len && (L->src[j] == ' ' || L->src[j] == '\t' ||
	    L->src[j] == '\r'))
		j++;
	return j >= L->len || L->src[j] == '\n';
}

static size_t
run_len(const char *s, size_t len, size_t i)
{
	size_t n = 0;

	while (i + n < len && s[i + n] == '`')
		n++;
	return n;
}

/*
 * Finds the closing run of exactly n backticks for an opener ending at i,
 * within the paragraph; returns its offset, or (size_t)-1 and the
 * paragraph's end in *end.
 */
static size_t
find_closer(const struct lines *L, const char *code, size_t i, size_t n,
    size_t *end)
{
	const char *s = L->src;
	size_t m;

	while (i < L->len && !code[i]) {
		if (s[i] == '\n' && para_ends(L, code, i))
			break;
		if (s[i] != '`') {
			i++;
			continue;
		}
		m = run_len(s, L->len, i);
		if (m == n)
			return i;
		i += m;
	}
	*end = i;
	return (size_t)-1;
}

/*
 * Marks inline code spans of the body (CommonMark: a run of n backticks
 * up to the next run of exactly n in the same paragraph).  For each short
 * run length, the end of the paragraph already searched in vain is
 * remembered, so a paragraph of unmatched runs stays linear.
 */
static void
mark_code_spans(const struct page *p, const struct lines *L, char *code)
{
	const char *s = L->src;
	size_t i = p->body_off, n, close, end = 0, noclose[SPAN_RUN_CACHE];

	memset(noclose, 0, sizeof(noclose));
	while (i < L->len) {
		if (code[i] || s[i] != '`') {
			i += s[i] == '\\' && !code[i] && i + 1 < L->len &&
			    s[i + 1] == '`' ? 2 : 1;
			continue;
		}
		n = run_len(s, L->len, i);
		if (n < SPAN_RUN_CACHE && i < noclose[n]) {
			i += n;
			continue;
		}
		close = find_closer(L, code, i + n, n, &end);
		if (close == (size_t)-1) {
			if (n < SPAN_RUN_CACHE)
				noclose[n] = end;
			i += n;
			continue;
		}
		memset(code + i, 1, close + n - i);
		i = close + n;
	}
}

/*
 * The body's text outside code, line by line, in stretches of non-code.
 * A byte-order mark before the first line is not text: columns count
 * from after it, as cmark's do.
 */
static void
scan_text(struct scan *sc, const struct lines *L)
{
	const struct page *p = sc->p;
	char *code = xcalloc(L->len + 1, 1);
	size_t k, n, a, b;

	mark_code_blocks(p, L, code);
	mark_code_spans(p, L, code);
	for (k = (size_t)(p->body_line > 0 ? p->body_line : 1);
	    k <= L->n && !sc->stopped; k++) {
		const char *s = line_at(L, (int)k, &n);
		size_t base = (size_t)(s - L->src);
		struct where w;

		if (base < p->body_off) {
			if (p->body_off - base > n)
				continue;
			n -= p->body_off - base;
			s = L->src + p->body_off;
			base = p->body_off;
		}
		w.line = (int)k;
		w.base = s;
		w.skip = 0;
		w.col = 1;
		for (a = 0; a < n && !sc->stopped; a = b) {
			while (a < n && code[base + a])
				a++;
			for (b = a; b < n && !code[base + b]; b++)
				;
			if (b > a)
				search(sc, s, a, b, &w);
		}
	}
	free(code);
}

static void
scan_front_matter(struct scan *sc, const struct lines *L)
{
	const struct page *p = sc->p;
	int k;
	size_t n;

	if (!p->has_front_matter)
		return;
	for (k = 2; k < p->body_line && !sc->stopped; k++) {
		const char *s = line_at(L, k, &n);
		struct where w = { k, s, 0, 1 };
		size_t t = n;

		if (s == NULL)
			break;
		while (t > 0 && (s[t - 1] == ' ' || s[t - 1] == '\t'))
			t--;
		if (t == 3 && (memcmp(s, "---", 3) == 0 ||
		    memcmp(s, "...", 3) == 0))
			continue;
		search(sc, s, 0, n, &w);
	}
}

/* The byte offset of character column col (1-based) in s[0..n). */
static size_t
byte_of_column(const char *s, size_t n, int col)
{
	size_t off = 0;

	while (col > 1 && off < n) {
		off++;
		while (off < n && ((unsigned char)s[off] & 0xc0) == 0x80)
			off++;
		col--;
	}
	return off;
}

/*
 * Where text (a code line, a heading's text) stands in file line k: from
 * column col on, after backticks, '#' or spaces, or (tail) as the line's
 * end.  Falls back to counting from column col when the source differs
 * (tabs expanded, escapes), so a match is still reported on its line.
 */
static void
locate(const struct lines *L, int k, const char *text, size_t tn, int col,
    bool tail, struct where *w)
{
	size_t n, off;
	const char *s = line_at(L, k, &n);

	w->line = k;
	w->base = text;
	w->skip = 0;
	w->col = col > 0 ? col : 1;
	if (s == NULL || tn > n)
		return;
	if (tail) {
		if (memcmp(s + n - tn, text, tn) == 0) {
			w->base = s;
			w->skip = n - tn;
			w->col = 1;
		}
		return;
	}
	for (off = byte_of_column(s, n, col); n - off >= tn; off++) {
		if (memcmp(s + off, text, tn) == 0) {
			w->base = s;
			w->skip = off;
			w->col = 1;
			return;
		}
		if (s[off] != '`' && s[off] != '#' && s[off] != ' ')
			return;
	}
}

static void
scan_code(struct scan *sc, const struct lines *L)
{
	const struct page *p = sc->p;
	size_t i, n;

	for (i = 0; i < p->ncode && !sc->stopped; i++) {
		const struct code *c = &p->code[i];
		const char *t = c->text, *e;
		int k = c->pos.line;
		struct where w;

		if (c->kind == CODE_INLINE) {
			n = strlen(t);
			locate(L, k, t, n, c->pos.col, false, &w);
			search(sc, t, 0, n, &w);
			continue;
		}
		for (; *t && !sc->stopped; t = *e ? e + 1 : e, k++) {
			e = strchr(t, '\n');
			if (e == NULL)
				e = t + strlen(t);
			n = (size_t)(e - t);
			locate(L, k, t, n, c->pos.col, true, &w);
			search(sc, t, 0, n, &w);
		}
	}
}

static void
scan_headings(struct scan *sc, const struct lines *L)
{
	const struct page *p = sc->p;
	size_t i, n;

	for (i = 0; i < p->nheadings && !sc->stopped; i++) {
		const struct heading *h = &p->headings[i];
		struct where w;

		n = strlen(h->text);
		locate(L, h->pos.line, h->text, n, h->pos.col, false, &w);
		search(sc, h->text, 0, n, &w);
	}
}

void
userrules_check(const struct config *cfg, const struct page *p,
    struct diag_list *out)
{
	struct lines L;
	size_t i;

	if (cfg->nrules == 0 || p->src == NULL)
		return;
	lines_index(&L, p->src, p->len);
	for (i = 0; i < cfg->nrules; i++) {
		const struct user_rule *r = &cfg->rules[i];
		struct scan sc;

		if (r->paths.n > 0 && !glob_match_any(&r->paths, p->path))
			continue;
		memset(&sc, 0, sizeof(sc));
		sc.r = r;
		sc.p = p;
		sc.out = out;
		if (r->scopes & SCOPE_FRONT_MATTER)
			scan_front_matter(&sc, &L);
		if (r->scopes & SCOPE_HEADINGS)
			scan_headings(&sc, &L);
		if (r->scopes & SCOPE_TEXT)
			scan_text(&sc, &L);
		if (r->scopes & SCOPE_CODE)
			scan_code(&sc, &L);
		if (sc.more > 0)
			diag_add(out, p->file, sc.first_more.line,
			    sc.first_more.col, r->severity, r->id, "%zu more "
			    "matches of rule '%s' in this page from here on "
			    "(only the first %d are listed)", sc.more,
			    r->id + strlen("rule."), USERRULES_MAX_MATCHES);
	}
	free(L.start);
}
