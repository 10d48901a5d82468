/*
 * template: the Mustache engine.  A template compiles into a tree of
 * nodes that point into its source text.  Rendering walks the tree with
 * the context stack and the partial indentation kept on the C stack, so
 * a template is never written to once tpl_env_get() has published it and
 * any number of threads may render it at once.
 */
#include "template.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hmap.h"
#include "str.h"
#include "value.h"

#define NOPOS	((size_t)-1)

enum ntype {
	N_TEXT,		/* literal text, at most one line */
	N_VAR,		/* {{name}}, {{{name}}}, {{&name}} */
	N_SECTION,	/* {{#name}}...{{/name}} */
	N_INVERTED,	/* {{^name}}...{{/name}} */
	N_PARTIAL,	/* {{>name}} */
};

struct node;

struct block {
	struct node *v;
	size_t n, cap;
};

struct partial {
	char *name;
	const struct tpl *target;	/* NULL: the loader has no such one */
};

struct node {
	enum ntype type;
	bool bol;		/* N_TEXT: begins a line of the source */
	bool escape;		/* N_VAR: HTML-escape the value */
	bool standalone;	/* N_PARTIAL: text is the indentation */
	const char *text;	/* N_TEXT: the text; sections: the name as
				 * written; N_PARTIAL: the indentation */
	size_t len;
	/* N_TEXT: the first line of a piece of text between two tags also
	 * knows the piece (span bytes in nspan nodes), which renders in one
	 * write where no indentation goes before its lines. */
	size_t span, nspan;
	char *key;		/* names: the parts, each NUL-terminated */
	unsigned *hash;		/* names: value_key_hash() of each part */
	size_t nparts;		/* 0 for the implicit iterator "." */
	struct block kids;	/* sections */
	struct partial *partial;
};

struct tpl {
	char *name;
	struct block root;
	struct partial **parts;	/* every partial tag, to link them */
	size_t nparts, capparts;
};

struct tpl_env {
	tpl_loader_fn loader;
	void *ud;
	pthread_mutex_t lock;
	struct hmap tpls;	/* name -> struct tpl *, all linked */
};

/* ---- compiling ---- */

struct open {
	struct node *sec;
	size_t at;		/* offset of its tag, for errors */
};

struct comp {
	struct tpl *t;
	const char *src;
	size_t len, pos;
	char otag[TPL_MAX_DELIM + 1], ctag[TPL_MAX_DELIM + 1];
	size_t olen, clen;
	bool bol;		/* the next output starts a source line */
	struct open open[TPL_MAX_NESTING];
	size_t depth;
	struct tpl_error *err;
};

/* src[at, end) is the whole tag, src[cs, ce) its content, trimmed. */
struct tag {
	int sigil;		/* one of #^/>!=&{ or 0 */
	size_t at, end;
	size_t cs, ce;
};

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t
find(const char *s, size_t from, size_t len, const char *needle, size_t n)
{
	size_t i;

	if (n > len)
		return NOPOS;
	for (i = from; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return i;
	return NOPOS;
}

/* Only errors need positions, so they are counted then. */
static int
line_of(const char *src, size_t at, int *col)
{
	size_t i, ls = 0;
	int line = 1;

	for (i = 0; i < at; i++)
		if (src[i] == '\n') {
			line++;
			ls = i + 1;
		}
	if (col != NULL)
		*col = utf8_column(src + ls, at - ls);
	return line;
}

static void
set_error(struct tpl_error *err, const char *name, const char *src,
    size_t at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Fills err; src NULL means there is no position to give. */
static void
set_error(struct tpl_error *err, const char *name, const char *src,
    size_t at, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->name, sizeof(err->name), "%s", name);
	err->line = err->col = 0;
	if (src != NULL)
		err->line = line_of(src, at, &err->col);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Names in messages are cut short: a template is user input. */
static int
shown(size_t n)
{
	return n > 60 ? 60 : (int)n;
}

static struct block *
cur_block(struct comp *c)
{
	return c->depth ? &c->open[c->depth - 1].sec->kids : &c->t->root;
}

static struct node *
add_node(struct comp *c, enum ntype type)
{
	struct block *b = cur_block(c);
	struct node *n;

	b->v = xgrow(b->v, &b->cap, b->n, sizeof(*b->v));
	n = &b->v[b->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

/*
 * Text is kept one line per node, each marked when it starts a source
 * line, so that a standalone partial's indentation can be put before
 * every line of the partial at render time.
 */
static void
add_text(struct comp *c, size_t from, size_t to)
{
	struct block *b = cur_block(c);
	struct node *n;
	size_t i, first = b->n, start = from;

	while (from < to) {
		for (i = from; i < to && c->src[i] != '\n'; i++)
			continue;
		if (i < to)
			i++;
		n = add_node(c, N_TEXT);
		n->bol = c->bol;
		n->text = c->src + from;
		n->len = i - from;
		c->bol = c->src[i - 1] == '\n';
		from = i;
	}
	if (b->n - first > 1) {
		b->v[first].span = to - start;
		b->v[first].nspan = b->n - first;
	}
}

/*
 * A tag that is not standalone but starts a line still starts it: an
 * empty text node carries the line start, so an indented partial gets
 * its indentation before the tag's output (or where it would have been).
 */
static void
mark_bol(struct comp *c)
{
	struct node *n;

	if (!c->bol)
		return;
	n = add_node(c, N_TEXT);
	n->bol = true;
	n->text = c->src;
	c->bol = false;
}

static int
parse_tag(struct comp *c, size_t at, struct tag *tg)
{
	char needle[TPL_MAX_DELIM + 2];
	size_t p = at + c->olen, q, nlen = 0;

	memset(tg, 0, sizeof(*tg));
	tg->at = at;
	if (p < c->len && c->src[p] != '\0' &&
	    strchr("#^/>!=&{", c->src[p]) != NULL)
		tg->sigil = c->src[p++];
	if (tg->sigil == '=' || tg->sigil == '{')
		needle[nlen++] = tg->sigil == '=' ? '=' : '}';
	memcpy(needle + nlen, c->ctag, c->clen);
	nlen += c->clen;
	q = find(c->src, p, c->len, needle, nlen);
	if (q == NOPOS) {
		set_error(c->err, c->t->name, c->src, at,
		    "unclosed tag: no \"%.*s\" after \"%s\"", (int)nlen,
		    needle, c->otag);
		return -1;
	}
	tg->end = q + nlen;
	while (p < q && is_space(c->src[p]))
		p++;
	while (q > p && is_space(c->src[q - 1]))
		q--;
	tg->cs = p;
	tg->ce = q;
	return 0;
}

/*
 * A section, inverted section, closing, comment, partial or delimiter
 * tag alone on its line (but for blanks) takes the whole line with it.
 * On success *ls is where the line starts and *next where the next one
 * does.
 */
static bool
standalone(const struct comp *c, const struct tag *tg, size_t *ls,
    size_t *next)
{
	size_t i = tg->at, j = tg->end;

	while (i > c->pos && (c->src[i - 1] == ' ' || c->src[i - 1] == '\t'))
		i--;
	if (i > 0 && c->src[i - 1] != '\n')
		return false;
	while (j < c->len && (c->src[j] == ' ' || c->src[j] == '\t'))
		j++;
	if (j + 1 < c->len && c->src[j] == '\r' && c->src[j + 1] == '\n')
		j += 2;
	else if (j < c->len && c->src[j] == '\n')
		j++;
	else if (j < c->len)
		return false;
	*ls = i;
	*next = j;
	return true;
}

/* Checks a tag's content is one word (a name, a partial). */
static int
check_word(struct comp *c, const struct tag *tg, const char *what)
{
	size_t i;

	if (tg->cs == tg->ce) {
		set_error(c->err, c->t->name, c->src, tg->at,
		    "empty %s tag", what);
		return -1;
	}
	for (i = tg->cs; i < tg->ce; i++)
		if ((unsigned char)c->src[i] <= ' ') {
			set_error(c->err, c->t->name, c->src, tg->at,
			    "bad %s name \"%.*s\": it may not contain blanks",
			    what, shown(tg->ce - tg->cs), c->src + tg->cs);
			return -1;
		}
	return 0;
}

/* Splits a dotted name into n->key; "." is the implicit iterator. */
static int
parse_name(struct comp *c, const struct tag *tg, struct node *n)
{
	const char *s = c->src + tg->cs;
	size_t i, len = tg->ce - tg->cs;

	if (check_word(c, tg, "variable") < 0)
		return -1;
	if (len == 1 && s[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '.' && (i == 0 || i + 1 == len || s[i + 1] == '.')) {
			set_error(c->err, c->t->name, c->src, tg->at,
			    "bad name \"%.*s\": empty part between dots",
			    shown(len), s);
			return -1;
		}
	n->key = xstrndup(s, len);
	n->nparts = 1;
	for (i = 0; i < len; i++)
		if (n->key[i] == '.') {
			n->key[i] = '\0';
			n->nparts++;
		}
	/* Hashed once here, so lookups compare numbers, not names. */
	n->hash = xcalloc(n->nparts, sizeof(*n->hash));
	for (i = 0, s = n->key; i < n->nparts; i++, s += strlen(s) + 1)
		n->hash[i] = value_key_hash(s, strlen(s));
	return 0;
}

static int
set_delims(struct comp *c, const struct tag *tg)
{
	size_t i = tg->cs, a, b;

	while (i < tg->ce && !is_space(c->src[i]))
		i++;
	a = i - tg->cs;
	while (i < tg->ce && is_space(c->src[i]))
		i++;
	b = tg->ce - i;
	if (a == 0 || b == 0 || a > TPL_MAX_DELIM || b > TPL_MAX_DELIM ||
	    memchr(c->src + tg->cs, '=', a) != NULL ||
	    memchr(c->src + i, '=', b) != NULL ||
	    memchr(c->src + tg->cs, '\0', a) != NULL ||
	    memchr(c->src + i, '\0', b) != NULL)
		goto bad;
	for (; i < tg->ce; i++)
		if (is_space(c->src[i]))
			goto bad;
	memcpy(c->otag, c->src + tg->cs, a);
	c->otag[a] = '\0';
	c->olen = a;
	memcpy(c->ctag, c->src + tg->ce - b, b);
	c->ctag[b] = '\0';
	c->clen = b;
	return 0;
bad:
	set_error(c->err, c->t->name, c->src, tg->at,
	    "bad set-delimiter tag: want two delimiters of at most %d "
	    "characters, without blanks or '=', as in {{=<%% %%>=}}",
	    TPL_MAX_DELIM);
	return -1;
}

static int
open_section(struct comp *c, const struct tag *tg)
{
	struct node tmp, *n;

	if (c->depth >= TPL_MAX_NESTING) {
		set_error(c->err, c->t->name, c->src, tg->at,
		    "sections nested deeper than %d", TPL_MAX_NESTING);
		return -1;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (parse_name(c, tg, &tmp) < 0)
		return -1;
	n = add_node(c, tg->sigil == '#' ? N_SECTION : N_INVERTED);
	n->key = tmp.key;
	n->hash = tmp.hash;
	n->nparts = tmp.nparts;
	n->text = c->src + tg->cs;
	n->len = tg->ce - tg->cs;
	c->open[c->depth].sec = n;
	c->open[c->depth].at = tg->at;
	c->depth++;
	return 0;
}

static int
close_section(struct comp *c, const struct tag *tg)
{
	const struct open *top;
	const struct node *sec;
	const char *s = c->src + tg->cs;
	size_t len = tg->ce - tg->cs;

	if (check_word(c, tg, "closing") < 0)
		return -1;
	if (c->depth == 0) {
		set_error(c->err, c->t->name, c->src, tg->at,
		    "closing tag \"%.*s\" has no open section", shown(len), s);
		return -1;
	}
	top = &c->open[c->depth - 1];
	sec = top->sec;
	if (sec->len != len || memcmp(sec->text, s, len) != 0) {
		set_error(c->err, c->t->name, c->src, tg->at,
		    "closing tag \"%.*s\" does not match section \"%.*s\" "
		    "opened at line %d", shown(len), s, shown(sec->len),
		    sec->text, line_of(c->src, top->at, NULL));
		return -1;
	}
	c->depth--;
	return 0;
}

static void
add_partial(struct comp *c, const struct tag *tg, bool alone, size_t ls)
{
	struct node *n = add_node(c, N_PARTIAL);
	struct tpl *t = c->t;

	n->partial = xcalloc(1, sizeof(*n->partial));
	n->partial->name = xstrndup(c->src + tg->cs, tg->ce - tg->cs);
	if (alone) {
		n->standalone = true;
		n->text = c->src + ls;
		n->len = tg->at - ls;
	}
	t->parts = xgrow(t->parts, &t->capparts, t->nparts,
	    sizeof(*t->parts));
	t->parts[t->nparts++] = n->partial;
}

static int
add_var(struct comp *c, const struct tag *tg)
{
	struct node tmp, *n;

	memset(&tmp, 0, sizeof(tmp));
	if (parse_name(c, tg, &tmp) < 0)
		return -1;
	n = add_node(c, N_VAR);
	n->key = tmp.key;
	n->hash = tmp.hash;
	n->nparts = tmp.nparts;
	n->escape = tg->sigil == 0;
	return 0;
}

static int
add_tag(struct comp *c, const struct tag *tg, bool alone, size_t ls)
{
	switch (tg->sigil) {
	case '!':
		return 0;
	case '=':
		return set_delims(c, tg);
	case '#':
	case '^':
		return open_section(c, tg);
	case '/':
		return close_section(c, tg);
	case '>':
		if (check_word(c, tg, "partial") < 0)
			return -1;
		add_partial(c, tg, alone, ls);
		return 0;
	default:
		return add_var(c, tg);
	}
}

static int
compile_tags(struct comp *c)
{
	struct tag tg;
	size_t at, ls = 0, next = 0;
	bool alone;

	while (c->pos < c->len) {
		at = find(c->src, c->pos, c->len, c->otag, c->olen);
		if (at == NOPOS) {
			add_text(c, c->pos, c->len);
			break;
		}
		if (parse_tag(c, at, &tg) < 0)
			return -1;
		alone = tg.sigil != 0 && tg.sigil != '&' && tg.sigil != '{' &&
		    standalone(c, &tg, &ls, &next);
		if (alone) {
			add_text(c, c->pos, ls);
			c->pos = next;
		} else {
			add_text(c, c->pos, at);
			c->pos = tg.end;
			mark_bol(c);
		}
		if (add_tag(c, &tg, alone, ls) < 0)
			return -1;
	}
	if (c->depth > 0) {
		const struct node *sec = c->open[c->depth - 1].sec;

		set_error(c->err, c->t->name, c->src, c->open[c->depth - 1].at,
		    "section \"%.*s\" is never closed", shown(sec->len),
		    sec->text);
		return -1;
	}
	return 0;
}

static void
block_free(struct block *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		block_free(&b->v[i].kids);
		free(b->v[i].key);
		free(b->v[i].hash);
		if (b->v[i].partial != NULL) {
			free(b->v[i].partial->name);
			free(b->v[i].partial);
		}
	}
	free(b->v);
}

static void
tpl_free(struct tpl *t)
{
	if (t == NULL)
		return;
	block_free(&t->root);
	free(t->parts);
	free(t->name);
	free(t);
}

static struct tpl *
compile(const char *name, const char *src, size_t len,
    struct tpl_error *err)
{
	struct comp c;

	memset(&c, 0, sizeof(c));
	c.t = xcalloc(1, sizeof(*c.t));
	c.t->name = xstrdup(name);
	c.src = src;
	c.len = len;
	c.bol = true;
	memcpy(c.otag, "{{", 3);
	memcpy(c.ctag, "}}", 3);
	c.olen = c.clen = 2;
	c.err = err;
	if (compile_tags(&c) < 0) {
		tpl_free(c.t);
		return NULL;
	}
	return c.t;
}

/* ---- the environment: loading and linking ---- */

/* Templates compiled by one tpl_env_get(), published only if all are. */
struct staging {
	struct tpl **v;
	size_t n, cap;
	struct hmap byname;	/* name -> struct tpl * */
	struct hmap missing;	/* names the loader does not have */
};

struct tpl_env *
tpl_env_new(tpl_loader_fn loader, void *ud)
{
	struct tpl_env *env = xcalloc(1, sizeof(*env));

	env->loader = loader;
	env->ud = ud;
	if (pthread_mutex_init(&env->lock, NULL) != 0)
		str_oom();
	return env;
}

void
tpl_env_free(struct tpl_env *env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < env->tpls.cap; i++)
		if (env->tpls.slots[i].key != NULL)
			tpl_free(env->tpls.slots[i].val);
	hmap_free(&env->tpls);
	pthread_mutex_destroy(&env->lock);
	free(env);
}

static const char *
load(const struct tpl_env *env, const char *name, size_t *len)
{
	*len = 0;
	if (env->loader == NULL)
		return NULL;
	return env->loader(env->ud, name, len);
}

static void
stage(struct staging *st, struct tpl *t)
{
	st->v = xgrow(st->v, &st->cap, st->n, sizeof(*st->v));
	st->v[st->n++] = t;
	hmap_put(&st->byname, t->name, t);
}

static int
link_partial(const struct tpl_env *env, struct staging *st,
    struct partial *p, struct tpl_error *err)
{
	const char *src;
	struct tpl *t;
	size_t len;

	if ((t = hmap_get(&env->tpls, p->name)) != NULL ||
	    (t = hmap_get(&st->byname, p->name)) != NULL) {
		p->target = t;
		return 0;
	}
	if (hmap_get(&st->missing, p->name) != NULL)
		return 0;
	if ((src = load(env, p->name, &len)) == NULL) {
		hmap_put(&st->missing, p->name, st);
		return 0;
	}
	if ((t = compile(p->name, src, len, err)) == NULL)
		return -1;
	stage(st, t);
	p->target = t;
	return 0;
}

/*
 * Compiles name (from src, or from the loader when src is NULL) and every
 * partial it reaches, breadth first, linking partial tags to their
 * templates; recursive partials link to the one compiled copy.
 */
static const struct tpl *
build(struct tpl_env *env, const char *name, const char *src, size_t len,
    struct tpl_error *err)
{
	struct staging st;
	struct tpl *root, *t;
	size_t i, j;

	memset(&st, 0, sizeof(st));
	if (src == NULL && (src = load(env, name, &len)) == NULL) {
		set_error(err, name, NULL, 0, "no template named \"%s\"", name);
		return NULL;
	}
	if ((root = compile(name, src, len, err)) == NULL)
		return NULL;
	stage(&st, root);
	for (i = 0; i < st.n; i++) {
		t = st.v[i];
		for (j = 0; j < t->nparts; j++)
			if (link_partial(env, &st, t->parts[j], err) < 0)
				break;
		if (j < t->nparts)
			break;
	}
	hmap_free(&st.byname);
	hmap_free(&st.missing);
	for (j = 0; j < st.n; j++)
		if (i < st.n)
			tpl_free(st.v[j]);
		else
			hmap_put(&env->tpls, st.v[j]->name, st.v[j]);
	free(st.v);
	return i < st.n ? NULL : root;
}

const struct tpl *
tpl_env_get(struct tpl_env *env, const char *name, struct tpl_error *err)
{
	struct tpl_error dummy;
	const struct tpl *t;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	pthread_mutex_lock(&env->lock);
	if ((t = hmap_get(&env->tpls, name)) == NULL)
		t = build(env, name, NULL, 0, err);
	pthread_mutex_unlock(&env->lock);
	return t;
}

/* ---- rendering ---- */

struct render {
	struct buf *out;
	size_t start;		/* out->len before the render */
	size_t end;		/* start + TPL_MAX_OUTPUT */
	size_t steps;		/* nodes visited */
	int depth;		/* sections and partials entered */
	int pdepth;		/* partials entered */
	bool cut;		/* a limit left something out */
	bool stop;		/* a limit ended the render */
};

struct ctx {
	const struct value *v;
	const struct ctx *up;
};

struct indent {
	const char *s;
	size_t len;
	const struct indent *up;
};

static void render_block(struct render *, const struct block *,
    const struct ctx *, const struct indent *);

/* buf_put() inlined: most writes are a few bytes. */
static inline void
out_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * Whether n's whole piece of text can go out in one write: no
 * indentation, and the limits would not have stopped it in between.
 */
static bool
whole_span(const struct render *r, const struct node *n,
    const struct indent *in)
{
	return in == NULL && n->nspan > 1 &&
	    r->steps + n->nspan - 1 <= TPL_MAX_STEPS &&
	    r->out->len - r->start + n->span <= TPL_MAX_OUTPUT;
}

/* Outermost first; the chain is no longer than TPL_MAX_PARTIAL_DEPTH. */
static void
put_indent(struct buf *out, const struct indent *in)
{
	if (in == NULL)
		return;
	put_indent(out, in->up);
	buf_put(out, in->s, in->len);
}

/*
 * YAML keeps a number as written; the spec wants a decimal printed with
 * its significant digits only ("1.210" prints "1.21", "2.0" prints "2").
 */
static size_t
num_len(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t n = strlen(s), d;

	if (dot == NULL || strpbrk(s, "eExXoO") != NULL)
		return n;
	d = (size_t)(dot - s);
	while (n > d + 1 && s[n - 1] == '0')
		n--;
	if (n == d + 1 && d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		n = d;
	return n;
}

/*
 * The first part of a name is looked up down the context stack, the rest
 * inside what it found only; a miss anywhere is a miss.
 */
static const struct value *
lookup(const struct ctx *ctx, const struct node *n)
{
	const struct value *v = NULL;
	const char *part = n->key;
	size_t i;

	if (n->nparts == 0)
		return ctx ? ctx->v : NULL;
	for (; ctx != NULL; ctx = ctx->up)
		if (value_may_have(ctx->v, n->hash[0]) &&
		    (v = value_get_hashed(ctx->v, part, n->hash[0])) != NULL)
			break;
	for (i = 1; i < n->nparts && v != NULL; i++) {
		part += strlen(part) + 1;
		v = value_get_hashed(v, part, n->hash[i]);
	}
	return v;
}

static void
put_value(struct buf *out, const struct value *v, bool escape)
{
	size_t len;

	if (v == NULL || v->str == NULL)
		return;
	switch (v->kind) {
	case VAL_NULL:
	case VAL_LIST:
	case VAL_MAP:
		return;
	case VAL_NUM:
		len = num_len(v->str);
		break;
	default:
		len = strlen(v->str);
	}
	if (escape && !v->raw)
		buf_put_html(out, v->str, len);
	else
		out_put(out, v->str, len);
}

/* A generated list's items, each made, rendered and dropped in turn. */
static void
render_generated(struct render *r, const struct node *n,
    const struct value *list, const struct ctx *ctx, const struct indent *in)
{
	size_t i, len = value_list_len(list);
	struct ctx top;

	top.up = ctx;
	for (i = 0; i < len && !r->stop; i++) {
		struct value *item = list->gen->make(list->gen->ud, i);

		top.v = item;
		render_block(r, &n->kids, &top, in);
		value_free(item);
	}
}

static void
render_section(struct render *r, const struct node *n,
    const struct ctx *ctx, const struct indent *in)
{
	const struct value *v = lookup(ctx, n);
	struct ctx top;
	size_t i;

	if (value_truthy(v) == (n->type == N_INVERTED))
		return;
	if (r->depth >= TPL_MAX_RENDER_DEPTH) {
		r->cut = true;
		return;
	}
	r->depth++;
	if (n->type == N_INVERTED)
		render_block(r, &n->kids, ctx, in);
	else if (v->kind == VAL_LIST && v->generated)
		render_generated(r, n, v, ctx, in);
	else if (v->kind == VAL_LIST)
		for (i = 0; i < v->n; i++) {
			top.v = &v->items[i];
			top.up = ctx;
			render_block(r, &n->kids, &top, in);
		}
	else {
		top.v = v;
		top.up = ctx;
		render_block(r, &n->kids, &top, in);
	}
	r->depth--;
}

/*
 * A standalone partial's indentation goes before each of its lines, on
 * top of the indentation it is itself rendered with; an inline partial
 * is not indented.
 */
static void
render_partial(struct render *r, const struct node *n,
    const struct ctx *ctx, const struct indent *in)
{
	const struct tpl *t = n->partial->target;
	const struct indent *pin = NULL;
	struct indent mine;

	if (t == NULL)
		return;
	if (r->pdepth >= TPL_MAX_PARTIAL_DEPTH ||
	    r->depth >= TPL_MAX_RENDER_DEPTH) {
		r->cut = true;
		return;
	}
	if (n->standalone) {
		pin = in;
		if (n->len > 0) {
			mine.s = n->text;
			mine.len = n->len;
			mine.up = in;
			pin = &mine;
		}
	}
	r->depth++;
	r->pdepth++;
	render_block(r, &t->root, ctx, pin);
	r->pdepth--;
	r->depth--;
}

static void
render_block(struct render *r, const struct block *b, const struct ctx *ctx,
    const struct indent *in)
{
	const struct node *n;
	size_t i;

	for (i = 0; i < b->n && !r->stop; i++) {
		if (++r->steps > TPL_MAX_STEPS || r->out->len > r->end) {
			r->cut = r->stop = true;
			return;
		}
		n = &b->v[i];
		switch (n->type) {
		case N_TEXT:
			if (whole_span(r, n, in)) {
				out_put(r->out, n->text, n->span);
				r->steps += n->nspan - 1;
				i += n->nspan - 1;
				break;
			}
			if (n->bol && in != NULL)
				put_indent(r->out, in);
			out_put(r->out, n->text, n->len);
			break;
		case N_VAR:
			put_value(r->out, lookup(ctx, n), n->escape);
			break;
		case N_SECTION:
		case N_INVERTED:
			render_section(r, n, ctx, in);
			break;
		case N_PARTIAL:
			render_partial(r, n, ctx, in);
			break;
		}
	}
}

int
tpl_render_checked(const struct tpl *t, const struct value *data,
    struct buf *out)
{
	struct render r;
	struct ctx top;

	if (t == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.out = out;
	r.start = out->len;
	r.end = r.start + TPL_MAX_OUTPUT;
	top.v = data;
	top.up = NULL;
	render_block(&r, &t->root, &top, NULL);
	return r.cut ? -1 : 0;
}

void
tpl_render(const struct tpl *t, const struct value *data, struct buf *out)
{
	(void)tpl_render_checked(t, data, out);
}

int
tpl_render_string(const char *src, const struct value *data,
    tpl_loader_fn loader, void *ud, struct buf *out, struct tpl_error *err)
{
	struct tpl_error dummy;
	struct tpl_env *env;
	const struct tpl *t;
	int rc;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	env = tpl_env_new(loader, ud);
	if ((t = build(env, "main", src, strlen(src), err)) == NULL)
		rc = -1;
	else if ((rc = tpl_render_checked(t, data, out)) < 0)
		set_error(err, "main", NULL, 0, "rendering stopped at a limit "
		    "(partials or sections too deep, too many steps, or too much output)");
	tpl_env_free(env);
	return rc;
}
