/*
 * value: the generic data tree that YAML (front matter, site.yml, alert
 * rules, the Mustache spec) is loaded into and that templates render from.
 * Every node remembers the line and column (1-based) where it began.
 */
#ifndef RUNBOOKC_VALUE_H
#define RUNBOOKC_VALUE_H

#include <stdbool.h>
#include <stddef.h>

enum value_kind {
	VAL_NULL,
	VAL_BOOL,
	VAL_NUM,	/* plain scalar that reads as a YAML 1.2 number */
	VAL_STR,
	VAL_LIST,
	VAL_MAP,
};

struct value {
	enum value_kind kind;
	int line, col;
	char *key;		/* set on the members of a map */
	int key_line, key_col;
	char *str;		/* scalars: the text as written ("" for null) */
	bool quoted;		/* scalar was quoted or a block scalar */
	bool raw;		/* templates: insert without HTML escaping */
	struct value *items;	/* list items or map members, in order */
	size_t n, cap;
	/* A borrowed alias: this node stands for *ref (not owned), which
	 * lookups follow.  Lets every page's template context share one
	 * copy of the UI strings instead of copying them. */
	const struct value *ref;
};

/* Limits that keep hostile YAML bounded. */
#define VALUE_MAX_DEPTH 64
#define VALUE_MAX_NODES 200000

struct value_error {
	int line, col;		/* 1-based, of the problem */
	char msg[256];
};

/*
 * Parses YAML text (its first document) into *out, a new tree the caller
 * frees with value_free().  Returns 0, or -1 with err filled.  line_base is
 * added to every line (front matter starts below the file's first line).
 * Aliases are expanded by copying, counted against VALUE_MAX_NODES.
 */
int value_parse_yaml(const char *text, size_t len, int line_base,
    struct value **out, struct value_error *err);

struct value *value_new(enum value_kind kind);
void value_free(struct value *v);
void value_clear(struct value *v);

/* Builders (the node is appended and returned; strings are copied). */
struct value *value_add(struct value *parent, const char *key,
    enum value_kind kind);
struct value *value_add_str(struct value *parent, const char *key,
    const char *s);
struct value *value_add_strn(struct value *parent, const char *key,
    const char *s, size_t n);
/* Takes ownership of s. */
struct value *value_add_owned(struct value *parent, const char *key, char *s);
struct value *value_add_raw(struct value *parent, const char *key,
    const char *s);
struct value *value_add_bool(struct value *parent, const char *key, bool b);
struct value *value_add_int(struct value *parent, const char *key, long n);
void value_copy(struct value *dst, const struct value *src);
/* Adds an alias of target, which must outlive parent. */
struct value *value_add_ref(struct value *parent, const char *key,
    const struct value *target);

/* Lookups. */
const struct value *value_get(const struct value *map, const char *key);
const char *value_get_str(const struct value *map, const char *key);
bool value_is_scalar(const struct value *v);
/* Mustache truthiness: false, null, empty list and "" are false. */
bool value_truthy(const struct value *v);

#endif
