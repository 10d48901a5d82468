#include "hmap.h"

#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include "str.h"

static struct hmap_slot *
find(const struct hmap *m, const char *key, unsigned long long h)
{
	size_t i = (size_t)h & (m->cap - 1);

	for (;;) {
		struct hmap_slot *s = &m->slots[i];

		if (s->key == NULL || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

void *
hmap_get(const struct hmap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	return find(m, key, str_hash(key, strlen(key), STR_HASH_SEED))->val;
}

static void
rehash(struct hmap *m)
{
	struct hmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc_probed(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key, old.slots[i].hash) =
			    old.slots[i];
	free(old.slots);
}

/* key's slot, made (value NULL) when key is not there yet. */
static struct hmap_slot *
slot_for(struct hmap *m, const char *key)
{
	unsigned long long h = str_hash(key, strlen(key), STR_HASH_SEED);
	struct hmap_slot *s;

	if ((m->n + 1) * 4 >= m->cap * 3)
		rehash(m);
	s = find(m, key, h);
	if (s->key == NULL) {
		m->n++;
		s->key = key;
		s->hash = h;
		s->val = NULL;
	}
	return s;
}

void *
hmap_put(struct hmap *m, const char *key, void *val)
{
	struct hmap_slot *s = slot_for(m, key);
	void *prev = s->val;

	s->key = key;
	s->val = val;
	return prev;
}

void **
hmap_ref(struct hmap *m, const char *key)
{
	return &slot_for(m, key)->val;
}

void
hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->n = m->cap = 0;
}

size_t
hmap_index(const struct hmap *m, const char *key)
{
	return (size_t)(uintptr_t)hmap_get(m, key) - 1;
}

void
hmap_put_index(struct hmap *m, const char *key, size_t i)
{
	hmap_put(m, key, (void *)(uintptr_t)(i + 1));
}
