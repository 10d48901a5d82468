/*
 * value: the generic data tree that YAML (front matter, site.yml, alert
 * rules, the Mustache spec) is loaded into and that templates render from.
 * Every node remembers the line and column (1-based) where it began.
 */
#ifndef RUNBOOKC_VALUE_H
#define RUNBOOKC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum value_kind {
	VAL_NULL,
	VAL_BOOL,
	VAL_NUM,	/* plain scalar that reads as a YAML 1.2 number */
	VAL_STR,
	VAL_LIST,
	VAL_MAP,
};

struct value_arena;

struct value {
	enum value_kind kind;
	int line, col;
	unsigned hash;		/* value_key_hash(key): lookups compare it
				 * first, so a key set by hand needs it too */
	char *key;		/* set on the members of a map */
	int key_line, key_col;
	char *str;		/* scalars: the text as written ("" for null) */
	struct value *items;	/* list items or map members, in order */
	unsigned n, cap;	/* VALUE_MAX_NODES keeps YAML far below 2^32 */
	/* Maps: bit (hash % 32) of each member's key hash, so a lookup
	 * skips a map that cannot have the key without reading it. */
	unsigned keys;
	bool quoted : 1;	/* scalar was quoted or a block scalar */
	bool raw : 1;		/* templates: insert without HTML escaping */
	bool by_hash : 1;	/* maps: members sorted by hash, unique keys
				 * (value_index) */
	bool ref_is_base : 1;
	bool generated : 1;	/* a list made as it is walked: gen */
	/*
	 * ref, not owned, is one of two things.  An alias (ref_is_base
	 * false): this node stands for *ref, which lookups follow; every
	 * page's context shares one copy of the UI strings that way.  A
	 * map's base (ref_is_base true): members not found here are looked
	 * up in *ref, so contexts share what many output files have in
	 * common instead of copying it.  A generated list has gen instead
	 * (value_add_generated).  One field keeps a node at 80 bytes: the
	 * listings of a large site hold millions.
	 */
	union {
		const struct value *ref;
		const struct value_gen *gen;
	};
	/* Where this node's members, keys and strings are carved from, or
	 * NULL when each is its own heap allocation.  Set on every node of
	 * a tree made by value_new_arena(). */
	struct value_arena *arena;
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
/*
 * A root whose whole tree (members, keys, strings) is carved from one
 * arena: building it makes no heap allocation per node, and value_free()
 * of the root drops it all at once.  Members of such a tree are never
 * freed one by one (value_clear() of one forgets its members; their
 * memory goes with the root), so never set key or str on them by hand.
 */
struct value *value_new_arena(enum value_kind kind);
/* Frees v and its tree; v must be a root (value_new, value_new_arena). */
void value_free(struct value *v);
/*
 * Empties v.  A member keeps its key's hash, so one emptied for reuse
 * that gets the same key back by hand is still found by lookups.
 */
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
/*
 * s must outlive parent's tree: an arena tree borrows it (the page body,
 * a title of the model), any other tree copies it.
 */
struct value *value_add_borrowed(struct value *parent, const char *key,
    const char *s);
/*
 * A VAL_STR member with room for len bytes (NUL-terminated at len) that
 * the caller fills in place: *dst is where they go.
 */
struct value *value_add_space(struct value *parent, const char *key,
    size_t len, char **dst);
void value_copy(struct value *dst, const struct value *src);
/*
 * A list whose items are made one at a time while a template walks it,
 * for a listing too long to hold whole (a row per alert of the site):
 * make(ud, i) returns item i, a root (value_new_arena) that the renderer
 * frees once it has rendered it.  To everything else the list is empty.
 */
struct value_gen {
	struct value *(*make)(void *ud, size_t i);
	void *ud;
};
/* Adds a list of n items made by gen, which must outlive parent. */
struct value *value_add_generated(struct value *parent, const char *key,
    size_t n, const struct value_gen *gen);
/* The items of a list: v->n, or a generated list's count. */
size_t value_list_len(const struct value *v);

/* Shrinks v's member array to its members: for a tree that is kept (a
 * page's front matter) and no longer grows.  Heap trees only. */
void value_fit(struct value *v);

/* Adds an alias of target, which must outlive parent. */
struct value *value_add_ref(struct value *parent, const char *key,
    const struct value *target);

/*
 * Sorts map's members by key hash, keeping only the last of equal keys
 * (the one lookups found), so lookups binary-search it: for a large map
 * that is only read from then on and whose order nobody walks (the UI
 * strings every page looks up).  Adding members afterwards is an error.
 */
void value_index(struct value *map);
/*
 * Sets raw on every string of v's tree that holds nothing HTML escapes
 * (& < > " '), so templates print it without scanning it: for a tree
 * that is rendered many times.  The output is the same.
 */
void value_mark_plain(struct value *v);
/* Sets map's fallback members (see ref); base must outlive map. */
void value_set_base(struct value *map, const struct value *base);

/* Lookups. */
const struct value *value_get(const struct value *map, const char *key);
/* The hash lookups compare first; never 0. */
unsigned value_key_hash(const char *key, size_t len);
/* value_get_hashed() on a map that value_index() sorted. */
const struct value *value_get_indexed(const struct value *map,
    const char *key, unsigned hash);

/* What an alias stands for; anything else is itself. */
static inline const struct value *
value_deref(const struct value *v)
{
	return v && v->ref && !v->ref_is_base && !v->generated ? v->ref : v;
}

/*
 * value_get() with key's hash already known (templates hash their names
 * once, when they compile).  Inline: templates make millions of these.
 */
static inline const struct value *
value_get_hashed(const struct value *map, const char *key, unsigned hash)
{
	const struct value *it;

	for (map = value_deref(map); map != NULL && map->kind == VAL_MAP;
	    map = map->ref_is_base ? value_deref(map->ref) : NULL) {
		if (!(map->keys & (1u << (hash & 31))))
			continue;
		if (map->by_hash) {
			if ((it = value_get_indexed(map, key, hash)) != NULL)
				return value_deref(it);
			continue;
		}
		/* Later keys win, as in most YAML loaders. */
		for (it = map->items + map->n; it-- != map->items;)
			if (it->hash == hash && it->key &&
			    strcmp(it->key, key) == 0)
				return value_deref(it);
	}
	return NULL;
}

/*
 * False when map cannot have a key of this hash (by its keys filter),
 * so a caller that looks through many maps skips most without a call.
 */
static inline bool
value_may_have(const struct value *map, unsigned hash)
{
	if (map == NULL)
		return false;
	map = value_deref(map);
	return map->kind == VAL_MAP && (map->ref_is_base ||
	    ((map->keys >> (hash & 31)) & 1));
}
const char *value_get_str(const struct value *map, const char *key);
bool value_is_scalar(const struct value *v);
/* Mustache truthiness: false, null, empty list and "" are false. */
bool value_truthy(const struct value *v);


#endif
