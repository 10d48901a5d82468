#include "arena.h"

#include <cmark-gfm.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

#define ARENA_SLAB (1u << 20)
#define ARENA_ALIGN alignof(max_align_t)

/* Each allocation is preceded by its size, for realloc. */
struct hdr {
	alignas(max_align_t) size_t size;
};

struct slab {
	struct slab *next;
	size_t cap, used;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct slab *slabs;	/* newest first */
	void *last;		/* the latest allocation, grown in place */
};

static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void
arena_destroy(void *ptr)
{
	struct arena *a = ptr;
	struct slab *s, *next;

	if (a == NULL)
		return;
	for (s = a->slabs; s; s = next) {
		next = s->next;
		free(s);
	}
	free(a);
}

static void
arena_key_init(void)
{
	pthread_key_create(&arena_key, arena_destroy);
}

static struct arena *
arena_get(void)
{
	struct arena *a;

	pthread_once(&arena_once, arena_key_init);
	if ((a = pthread_getspecific(arena_key)) == NULL) {
		a = xcalloc(1, sizeof(*a));
		pthread_setspecific(arena_key, a);
	}
	return a;
}

static size_t
round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static void *
arena_alloc(size_t n)
{
	struct arena *a = arena_get();
	struct slab *s = a->slabs;
	size_t need;
	struct hdr *h;

	if (n > SIZE_MAX / 2)
		str_oom();
	need = sizeof(struct hdr) + round_up(n);
	if (s == NULL || s->cap - s->used < need) {
		size_t cap = need > ARENA_SLAB ? need : ARENA_SLAB;

		s = xmalloc(sizeof(*s) + cap);
		s->cap = cap;
		s->used = 0;
		s->next = a->slabs;
		a->slabs = s;
	}
	h = (struct hdr *)(s->data + s->used);
	h->size = n;
	s->used += need;
	a->last = h + 1;
	return h + 1;
}

static void *
arena_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		str_oom();
	p = arena_alloc(n * size);
	memset(p, 0, n * size);
	return p;
}

static void *
arena_realloc(void *ptr, size_t n)
{
	struct arena *a = arena_get();
	struct hdr *h;
	struct slab *s = a->slabs;
	void *p;

	if (ptr == NULL)
		return arena_alloc(n);
	h = (struct hdr *)ptr - 1;
	/* The latest allocation grows in place when its slab has room. */
	if (ptr == a->last && s != NULL) {
		size_t start = (size_t)((unsigned char *)h - s->data);
		size_t need = sizeof(struct hdr) + round_up(n);

		if (start + need <= s->cap) {
			s->used = start + need;
			h->size = n;
			return ptr;
		}
	}
	if (n <= h->size)
		return ptr;
	p = arena_alloc(n);
	memcpy(p, ptr, h->size);
	return p;
}

static void
arena_free(void *ptr)
{
	(void)ptr;	/* everything goes at arena_reset() */
}

static cmark_mem arena_mem = { arena_calloc, arena_realloc, arena_free };

struct cmark_mem *
arena_cmark_mem(void)
{
	return &arena_mem;
}

void
arena_reset(void)
{
	struct arena *a = arena_get();
	struct slab *s, *next;

	if (a->slabs == NULL)
		return;
	/* Keep the newest slab if it is a standard one; free the rest. */
	for (s = a->slabs->next; s; s = next) {
		next = s->next;
		free(s);
	}
	a->slabs->next = NULL;
	if (a->slabs->cap > ARENA_SLAB) {
		free(a->slabs);
		a->slabs = NULL;
	} else
		a->slabs->used = 0;
	a->last = NULL;
}

void
arena_release(void)
{
	struct arena *a;

	pthread_once(&arena_once, arena_key_init);
	a = pthread_getspecific(arena_key);
	arena_destroy(a);
	pthread_setspecific(arena_key, NULL);
}
