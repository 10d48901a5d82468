/*
 * template: a Mustache engine (the spec's comments, interpolation,
 * sections, inverted sections, partials and set-delimiter modules) over
 * the value tree.  Templates are compiled once and rendered many times,
 * from many threads at once.
 *
 * Data: a struct value tree.  Maps are contexts, lists iterate, VAL_BOOL
 * false / VAL_NULL / "" / empty lists are falsy.  {{name}} escapes HTML
 * unless the value has raw set; {{{name}}} and {{& name}} never escape.
 * VAL_NUM values print normalized ("1.210" prints "1.21").
 */
#ifndef RUNBOOKC_TEMPLATE_H
#define RUNBOOKC_TEMPLATE_H

#include <stddef.h>

struct buf;
struct value;

/*
 * Limits that keep hostile templates bounded.  Deeper section nesting is
 * a compile error.  At render time, partials (or sections and partials
 * together) deeper than their limit render as nothing, and a render that
 * visits too many nodes (nested loops multiply) or writes too much stops
 * there; tpl_render_checked() says when that happened.
 */
#define TPL_MAX_NESTING		100	/* open sections in one template */
#define TPL_MAX_PARTIAL_DEPTH	50	/* partials rendered inside partials */
#define TPL_MAX_RENDER_DEPTH	400	/* sections and partials together */
#define TPL_MAX_DELIM		16	/* bytes in a set delimiter */
#define TPL_MAX_STEPS		10000000	/* nodes visited by one render */
#define TPL_MAX_OUTPUT		(64UL << 20)	/* bytes written by one render */

struct tpl_error {
	char name[128];		/* template the error is in */
	int line, col;
	char msg[256];
};

/*
 * Where templates come from: returns the source of the named template
 * (or partial) and its length, or NULL when there is none (a missing
 * partial renders as nothing, as the spec says).  The text must stay
 * valid as long as the env lives.
 */
typedef const char *(*tpl_loader_fn)(void *ud, const char *name,
    size_t *len);

struct tpl_env;
struct tpl;

struct tpl_env *tpl_env_new(tpl_loader_fn loader, void *ud);
void tpl_env_free(struct tpl_env *env);

/*
 * Compiles the named template and, eagerly, every partial it can reach,
 * so that later renders need no lock.  Returns NULL with err filled on a
 * syntax error (unclosed tag, unbalanced section, bad delimiters) or when
 * the template does not exist.  The env owns the result.
 */
const struct tpl *tpl_env_get(struct tpl_env *env, const char *name,
    struct tpl_error *err);

/* Appends the rendering of t with data as the context to out. */
void tpl_render(const struct tpl *t, const struct value *data,
    struct buf *out);
/* The same, but returns -1 when a render limit cut the output short. */
int tpl_render_checked(const struct tpl *t, const struct value *data,
    struct buf *out);

/*
 * Convenience for tests: compile src as "main" (partials from loader).
 * Returns -1 with err filled on a syntax error or a render limit.
 */
int tpl_render_string(const char *src, const struct value *data,
    tpl_loader_fn loader, void *ud, struct buf *out, struct tpl_error *err);

#endif
