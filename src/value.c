#include "value.h"

#include <stdalign.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hmap.h"
#include "str.h"

/* ---- arenas ---- */

/* The first block is small: most arena trees are one redirect page's. */
#define ARENA_FIRST	(4u << 10)
#define ARENA_MAX	(1u << 20)

struct arena_block {
	struct arena_block *next;
	alignas(max_align_t) unsigned char data[];
};

/*
 * Builders pass the same few literal keys over and over ("url", "name"):
 * a key seen at the same address with the same bytes reuses its copy
 * and hash.
 */
#define ARENA_KEYS 32

struct arena_key {
	const char *src;	/* the caller's pointer, only compared */
	const char *copy;
	unsigned hash;
};

struct value_arena {
	struct arena_key keys[ARENA_KEYS];
	struct arena_block *blocks;	/* newest first */
	unsigned char *p;		/* free space of the newest block */
	size_t left;
	size_t next;			/* size of the next block */
	struct value *root;		/* lives in the first block */
};

static size_t
round_up(size_t n)
{
	return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

static void *
arena_alloc(struct value_arena *a, size_t n)
{
	void *p;

	n = round_up(n);
	if (n > a->left) {
		size_t cap = n > a->next ? n : a->next;
		struct arena_block *b;

		if (cap > SIZE_MAX - sizeof(*b))
			str_oom();
		b = xmalloc(sizeof(*b) + cap);
		b->next = a->blocks;
		a->blocks = b;
		a->p = b->data;
		a->left = cap;
		if (a->next < ARENA_MAX)
			a->next *= 2;
	}
	p = a->p;
	a->p += n;
	a->left -= n;
	return p;
}

static void
arena_drop(struct value_arena *a)
{
	struct arena_block *b, *next;

	for (b = a->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* A copy of s[0..n) where v's tree keeps its strings. */
static char *
tree_strndup(const struct value *v, const char *s, size_t n)
{
	char *d;

	if (v->arena == NULL)
		return xstrndup(s, n);
	d = arena_alloc(v->arena, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Room for one more member of parent. */
static void
grow_items(struct value *parent)
{
	struct value *items;
	unsigned cap;

	if (parent->n < parent->cap)
		return;
	if (parent->cap > UINT_MAX / 2 / sizeof(*items))
		str_oom();
	/* Arena arrays start small: most maps of a context are rows. */
	cap = parent->cap ? parent->cap * 2 : parent->arena ? 4 : 8;
	if (parent->arena == NULL) {
		parent->items = xrealloc(parent->items,
		    (size_t)cap * sizeof(*items));
		parent->cap = cap;
		return;
	}
	/* The old array stays in the arena until the root goes. */
	items = arena_alloc(parent->arena, (size_t)cap * sizeof(*items));
	if (parent->n)
		memcpy(items, parent->items, parent->n * sizeof(*items));
	parent->items = items;
	parent->cap = cap;
}

/* ---- building ---- */

void
value_fit(struct value *v)
{
	if (v->arena != NULL || v->generated || v->n == v->cap)
		return;
	if (v->n == 0) {
		free(v->items);
		v->items = NULL;
	} else {
		v->items = xrealloc(v->items, (size_t)v->n * sizeof(*v->items));
	}
	v->cap = v->n;
}

unsigned
value_key_hash(const char *key, size_t len)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	return h ? h : 1;
}

struct value *
value_new(enum value_kind kind)
{
	struct value *v = xcalloc(1, sizeof(*v));

	v->kind = kind;
	return v;
}

struct value *
value_new_arena(enum value_kind kind)
{
	struct value_arena *a = xcalloc(1, sizeof(*a));
	struct value *v;

	a->next = ARENA_FIRST;
	v = arena_alloc(a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->kind = kind;
	v->arena = a;
	a->root = v;
	return v;
}

void
value_clear(struct value *v)
{
	struct value_arena *a = v->arena;
	unsigned hash;
	size_t i;

	if (a == NULL) {
		for (i = 0; i < v->n; i++)
			value_clear(&v->items[i]);
		free(v->items);
		free(v->key);
		free(v->str);
	}
	hash = v->hash;
	memset(v, 0, sizeof(*v));
	v->arena = a;
	v->hash = hash;
}

void
value_free(struct value *v)
{
	if (v == NULL)
		return;
	if (v->arena != NULL) {
		if (v->arena->root == v)
			arena_drop(v->arena);
		return;
	}
	value_clear(v);
	free(v);
}

/* Gives v (a new member of parent) a copy of key and its hash. */
static void
set_key(const struct value *parent, struct value *v, const char *key)
{
	struct arena_key *k;
	size_t n;

	if (parent->arena == NULL) {
		n = strlen(key);
		v->key = xstrndup(key, n);
		v->hash = value_key_hash(key, n);
		return;
	}
	k = &parent->arena->keys[((uintptr_t)key >> 3) % ARENA_KEYS];
	if (k->src != key || strcmp(k->copy, key) != 0) {
		n = strlen(key);
		k->src = key;
		k->copy = tree_strndup(parent, key, n);
		k->hash = value_key_hash(key, n);
	}
	/* Arena strings are never written through nor freed one by one. */
	v->key = (char *)k->copy;
	v->hash = k->hash;
}

struct value *
value_add(struct value *parent, const char *key, enum value_kind kind)
{
	struct value *v;

	grow_items(parent);
	v = &parent->items[parent->n++];
	*v = (struct value){ .kind = kind, .arena = parent->arena };
	if (key) {
		set_key(parent, v, key);
		parent->keys |= 1u << (v->hash & 31);
	}
	return v;
}

struct value *
value_add_owned(struct value *parent, const char *key, char *s)
{
	struct value *v = value_add(parent, key, VAL_STR);

	if (parent->arena) {
		v->str = tree_strndup(parent, s, strlen(s));
		free(s);
	} else
		v->str = s;
	return v;
}

struct value *
value_add_strn(struct value *parent, const char *key, const char *s, size_t n)
{
	struct value *v = value_add(parent, key, VAL_STR);

	v->str = tree_strndup(parent, s, n);
	return v;
}

struct value *
value_add_str(struct value *parent, const char *key, const char *s)
{
	if (s == NULL)
		s = "";
	return value_add_strn(parent, key, s, strlen(s));
}

struct value *
value_add_borrowed(struct value *parent, const char *key, const char *s)
{
	struct value *v;

	if (parent->arena == NULL)
		return value_add_str(parent, key, s);
	v = value_add(parent, key, VAL_STR);
	/* Never written through, never freed: arena strings are not. */
	v->str = (char *)(s ? s : "");
	return v;
}

struct value *
value_add_space(struct value *parent, const char *key, size_t len,
    char **dst)
{
	struct value *v = value_add(parent, key, VAL_STR);

	if (parent->arena)
		v->str = arena_alloc(parent->arena, len + 1);
	else
		v->str = xmalloc(len + 1);
	v->str[len] = '\0';
	*dst = v->str;
	return v;
}

struct value *
value_add_raw(struct value *parent, const char *key, const char *s)
{
	struct value *v = value_add_str(parent, key, s);

	v->raw = true;
	return v;
}

struct value *
value_add_bool(struct value *parent, const char *key, bool b)
{
	struct value *v = value_add(parent, key, VAL_BOOL);

	v->str = b ? tree_strndup(parent, "true", 4) :
	    tree_strndup(parent, "false", 5);
	v->raw = true;		/* nothing to escape: the same bytes */
	return v;
}

struct value *
value_add_int(struct value *parent, const char *key, long n)
{
	char tmp[32], *p = tmp + sizeof(tmp);
	unsigned long u = n < 0 ? 0UL - (unsigned long)n : (unsigned long)n;
	struct value *v;

	/* By hand: printf is most of the cost of a listing's counts. */
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (n < 0)
		*--p = '-';
	v = value_add_strn(parent, key, p, (size_t)(tmp + sizeof(tmp) - p));
	v->kind = VAL_NUM;
	v->raw = true;		/* digits: nothing to escape */
	return v;
}

void
value_copy(struct value *dst, const struct value *src)
{
	size_t i;
	char *key = dst->key;
	unsigned hash = dst->hash;
	struct value_arena *a = dst->arena;
	int kl = dst->key_line, kc = dst->key_col;

	*dst = *src;
	dst->key = key;
	dst->hash = hash;
	dst->arena = a;
	dst->key_line = kl;
	dst->key_col = kc;
	dst->str = src->str ? tree_strndup(dst, src->str, strlen(src->str)) :
	    NULL;
	dst->items = NULL;
	dst->n = 0;
	dst->cap = src->generated ? src->cap : 0;	/* its count */
	dst->keys = 0;
	for (i = 0; i < src->n; i++) {
		struct value *c = value_add(dst, src->items[i].key, VAL_NULL);

		c->key_line = src->items[i].key_line;
		c->key_col = src->items[i].key_col;
		value_copy(c, &src->items[i]);
	}
}

struct value *
value_add_ref(struct value *parent, const char *key,
    const struct value *target)
{
	struct value *v = value_add(parent, key, target->kind);

	v->ref = value_deref(target);
	return v;
}

struct value *
value_add_generated(struct value *parent, const char *key, size_t n,
    const struct value_gen *gen)
{
	struct value *v = value_add(parent, key, VAL_LIST);

	if (n > UINT_MAX)
		str_oom();
	/* n stays 0 (no items to walk, copy or free): cap counts them. */
	v->cap = (unsigned)n;
	v->gen = gen;
	v->generated = true;
	return v;
}

size_t
value_list_len(const struct value *v)
{
	return v->generated ? v->cap : v->n;
}

static int
cmp_member(const void *a, const void *b)
{
	const struct value *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Whether a member after items[i] has its key (and so wins over it). */
static bool
key_again(const struct value *map, size_t i)
{
	size_t j;

	for (j = i + 1; j < map->n; j++)
		if (map->items[j].hash == map->items[i].hash &&
		    strcmp(map->items[j].key, map->items[i].key) == 0)
			return true;
	return false;
}

void
value_index(struct value *map)
{
	size_t i, w = 0;

	if (map->kind != VAL_MAP || (map->ref && !map->ref_is_base))
		return;
	for (i = 0; i < map->n; i++)
		if (map->items[i].key == NULL || map->items[i].hash == 0)
			return;		/* not a plain map: leave it */
	/* Once, on a map of some hundred members: quadratic is fine. */
	for (i = 0; i < map->n; i++) {
		if (key_again(map, i)) {
			if (map->arena == NULL)
				value_clear(&map->items[i]);
			continue;
		}
		map->items[w++] = map->items[i];
	}
	map->n = w;
	/* Keys are unique now, so the order is total. */
	qsort(map->items, map->n, sizeof(*map->items), cmp_member);
	map->by_hash = true;
}

const struct value *
value_get_indexed(const struct value *map, const char *key, unsigned hash)
{
	size_t lo = 0, hi = map->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->items[mid].hash < hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < map->n && map->items[lo].hash == hash; lo++)
		if (strcmp(map->items[lo].key, key) == 0)
			return &map->items[lo];
	return NULL;
}

void
value_mark_plain(struct value *v)
{
	size_t i;

	if (v->kind == VAL_STR && v->str && !v->raw &&
	    strpbrk(v->str, "&<>\"'") == NULL)
		v->raw = true;
	for (i = 0; i < v->n; i++)
		value_mark_plain(&v->items[i]);
}

void
value_set_base(struct value *map, const struct value *base)
{
	map->ref = base;
	map->ref_is_base = base != NULL;
}


const struct value *
value_get(const struct value *map, const char *key)
{
	return value_get_hashed(map, key, value_key_hash(key, strlen(key)));
}

const char *
value_get_str(const struct value *map, const char *key)
{
	const struct value *v = value_get(map, key);

	return v && value_is_scalar(v) && v->kind != VAL_NULL ? v->str : NULL;
}

bool
value_is_scalar(const struct value *v)
{
	return v->kind != VAL_LIST && v->kind != VAL_MAP;
}

bool
value_truthy(const struct value *v)
{
	v = value_deref(v);
	if (v == NULL)
		return false;
	switch (v->kind) {
	case VAL_NULL:
		return false;
	case VAL_BOOL:
		return strcmp(v->str, "true") == 0;
	case VAL_LIST:
		return value_list_len(v) > 0;
	case VAL_MAP:
		return true;
	case VAL_NUM:
	case VAL_STR:
		return v->str && v->str[0];
	}
	return false;
}

/* ---- YAML loading ---- */

struct loader {
	yaml_parser_t parser;
	int line_base;
	size_t nodes;
	struct hmap anchors;	/* anchor name -> struct value * (a copy) */
	struct strv anchor_names;
	struct value_error *err;
};

static int
fail(struct loader *ld, const yaml_mark_t *m, const char *msg)
{
	ld->err->line = (int)m->line + 1 + ld->line_base;
	ld->err->col = (int)m->column + 1;
	snprintf(ld->err->msg, sizeof(ld->err->msg), "%s", msg);
	return -1;
}

static int
parser_fail(struct loader *ld)
{
	yaml_parser_t *p = &ld->parser;
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
	char msg[256];

	if (p->context)
		snprintf(msg, sizeof(msg), "%s %s", p->problem ? p->problem :
		    "invalid YAML", p->context);
	else
		snprintf(msg, sizeof(msg), "%s", p->problem ? p->problem :
		    "invalid YAML");
	return fail(ld, m, msg);
}

static bool
is_number(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o')) {
		p += 2;
		if (!*p)
			return false;
		for (; *p; p++)
			if (!strchr("0123456789abcdefABCDEF", *p))
				return false;
		return true;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		digits = true;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits = true;
	if (digits && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return digits && *p == '\0';
}

static void
scalar_kind(struct value *v, const yaml_event_t *ev)
{
	const char *s = v->str;
	const char *tag = (const char *)ev->data.scalar.tag;

	v->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (tag && strcmp(tag, YAML_STR_TAG) == 0)
		v->kind = VAL_STR;
	else if (v->quoted)
		v->kind = VAL_STR;
	else if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		v->kind = VAL_NULL;
	else if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0) {
		v->kind = VAL_BOOL;
		free(v->str);
		v->str = xstrdup("true");
	} else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0) {
		v->kind = VAL_BOOL;
		free(v->str);
		v->str = xstrdup("false");
	} else if (is_number(s))
		v->kind = VAL_NUM;
	else
		v->kind = VAL_STR;
}

static size_t
count_nodes(const struct value *v)
{
	size_t i, n = 1;

	for (i = 0; i < v->n; i++)
		n += count_nodes(&v->items[i]);
	return n;
}

static int load_node(struct loader *ld, yaml_event_t *ev, struct value *v,
    int depth);

static void
remember_anchor(struct loader *ld, const yaml_char_t *anchor,
    const struct value *v)
{
	struct value *copy;

	if (anchor == NULL)
		return;
	copy = value_new(VAL_NULL);
	value_copy(copy, v);
	strv_push(&ld->anchor_names, (const char *)anchor);
	copy = hmap_put(&ld->anchors, ld->anchor_names.v[ld->anchor_names.n - 1],
	    copy);
	value_free(copy);
}

static int
next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev))
		return parser_fail(ld);
	return 0;
}

static int
load_collection(struct loader *ld, yaml_event_t *start, struct value *v,
    int depth)
{
	bool is_map = start->type == YAML_MAPPING_START_EVENT;
	yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT :
	    YAML_SEQUENCE_END_EVENT;
	yaml_event_t ev;

	v->kind = is_map ? VAL_MAP : VAL_LIST;
	if (depth >= VALUE_MAX_DEPTH)
		return fail(ld, &start->start_mark,
		    "nesting deeper than the limit of 64 levels");
	for (;;) {
		struct value *child;
		int line = 0, col = 0;
		char *key = NULL;

		if (next_event(ld, &ev) < 0)
			return -1;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			value_fit(v);	/* front matter is kept all build */
			return 0;
		}
		if (is_map) {
			struct value k = { 0 };

			line = (int)ev.start_mark.line + 1 + ld->line_base;
			col = (int)ev.start_mark.column + 1;
			if (load_node(ld, &ev, &k, depth + 1) < 0) {
				value_clear(&k);
				return -1;
			}
			if (!value_is_scalar(&k)) {
				value_clear(&k);
				ev.start_mark.line = (size_t)(line - 1 - ld->line_base);
				ev.start_mark.column = (size_t)(col - 1);
				return fail(ld, &ev.start_mark,
				    "a mapping key must be a plain value");
			}
			key = k.str ? k.str : xstrdup("");
			k.str = NULL;
			value_clear(&k);
			if (next_event(ld, &ev) < 0) {
				free(key);
				return -1;
			}
		}
		child = value_add(v, NULL, VAL_NULL);
		child->key = key;
		if (key) {
			child->hash = value_key_hash(key, strlen(key));
			v->keys |= 1u << (child->hash & 31);
		}
		child->key_line = line;
		child->key_col = col;
		if (load_node(ld, &ev, child, depth + 1) < 0)
			return -1;
	}
}

/* Loads the node that starts with ev (consumed) into v. */
static int
load_node(struct loader *ld, yaml_event_t *ev, struct value *v, int depth)
{
	const yaml_char_t *anchor = NULL;
	char *anchor_copy = NULL;
	int rc = 0;

	v->line = (int)ev->start_mark.line + 1 + ld->line_base;
	v->col = (int)ev->start_mark.column + 1;
	if (++ld->nodes > VALUE_MAX_NODES) {
		rc = fail(ld, &ev->start_mark,
		    "document has more than 200000 values (alias bomb?)");
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		v->str = xstrndup((const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
		scalar_kind(v, ev);
		anchor = ev->data.scalar.anchor;
		if (anchor)
			remember_anchor(ld, anchor, v);
		break;
	case YAML_ALIAS_EVENT: {
		const struct value *src = hmap_get(&ld->anchors,
		    (const char *)ev->data.alias.anchor);
		size_t n;

		if (src == NULL) {
			rc = fail(ld, &ev->start_mark, "unknown alias");
			break;
		}
		n = count_nodes(src);
		if (n > VALUE_MAX_NODES - ld->nodes) {
			rc = fail(ld, &ev->start_mark,
			    "aliases expand to more than 200000 values "
			    "(alias bomb?)");
			break;
		}
		ld->nodes += n;
		{
			int line = v->line, col = v->col;

			value_copy(v, src);
			v->line = line;
			v->col = col;
		}
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		anchor = ev->type == YAML_SEQUENCE_START_EVENT ?
		    ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor;
		if (anchor)
			anchor_copy = xstrdup((const char *)anchor);
		rc = load_collection(ld, ev, v, depth);
		if (rc == 0 && anchor_copy)
			remember_anchor(ld, (const yaml_char_t *)anchor_copy, v);
		free(anchor_copy);
		break;
	default:
		rc = fail(ld, &ev->start_mark, "unexpected YAML event");
	}
	yaml_event_delete(ev);
	return rc;
}

static void
loader_free(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->anchors.cap; i++)
		if (ld->anchors.slots[i].key)
			value_free(ld->anchors.slots[i].val);
	hmap_free(&ld->anchors);
	strv_free(&ld->anchor_names);
	yaml_parser_delete(&ld->parser);
}

int
value_parse_yaml(const char *text, size_t len, int line_base,
    struct value **out, struct value_error *err)
{
	struct loader ld;
	yaml_event_t ev;
	struct value *root = NULL;
	int rc = -1;

	memset(&ld, 0, sizeof(ld));
	memset(err, 0, sizeof(*err));
	ld.line_base = line_base;
	ld.err = err;
	*out = NULL;
	if (!yaml_parser_initialize(&ld.parser)) {
		snprintf(err->msg, sizeof(err->msg), "cannot start YAML parser");
		err->line = line_base + 1;
		err->col = 1;
		return -1;
	}
	yaml_parser_set_input_string(&ld.parser, (const unsigned char *)text,
	    len);
	yaml_parser_set_encoding(&ld.parser, YAML_UTF8_ENCODING);
	/* STREAM-START, then DOCUMENT-START or STREAM-END. */
	for (;;) {
		if (next_event(&ld, &ev) < 0)
			goto done;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			root = value_new(VAL_NULL);
			root->line = line_base + 1;
			root->col = 1;
			rc = 0;
			goto done;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	if (next_event(&ld, &ev) < 0)
		goto done;
	root = value_new(VAL_NULL);
	if (load_node(&ld, &ev, root, 0) < 0)
		goto done;
	/* Read to the end of the document so trailing errors are seen. */
	if (next_event(&ld, &ev) < 0)
		goto done;
	yaml_event_delete(&ev);
	rc = 0;
done:
	if (rc < 0) {
		value_free(root);
		root = NULL;
	}
	*out = root;
	loader_free(&ld);
	return rc;
}
