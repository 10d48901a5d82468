/*
 * hmap: an open-addressing hash table from NUL-terminated string keys to
 * pointers.  Keys are borrowed (the caller keeps them alive); iteration
 * order is the table's, so callers that print sort first.
 */
#ifndef RUNBOOKC_HMAP_H
#define RUNBOOKC_HMAP_H

#include <stddef.h>

struct hmap_slot {
	const char *key;
	void *val;
	unsigned long long hash;
};

struct hmap {
	struct hmap_slot *slots;
	size_t n, cap;
};

#define HMAP_INIT { NULL, 0, 0 }

void *hmap_get(const struct hmap *m, const char *key);
/* Sets key to val; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *val);
/*
 * The value slot of key, made (holding NULL, with key borrowed) when key
 * is not there yet: a lookup and an insert for the price of one.  The
 * pointer is good until the next put.
 */
void **hmap_ref(struct hmap *m, const char *key);
void hmap_free(struct hmap *m);

/*
 * Maps that index an array: key -> position i, stored as i + 1 so that
 * absent reads as none.  hmap_index() returns the position, or
 * HMAP_NONE.
 */
#define HMAP_NONE ((size_t)-1)
size_t hmap_index(const struct hmap *m, const char *key);
void hmap_put_index(struct hmap *m, const char *key, size_t i);

#endif
