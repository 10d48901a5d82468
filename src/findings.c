#include "findings.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"

struct page_findings *
findings_add(struct findings *f, const char *path, unsigned long long key,
    const struct diag_list *found)
{
	struct page_findings *e;

	/* The index holds the paths, which stay where they are. */
	f->v = xgrow(f->v, &f->cap, f->n, sizeof(*f->v));
	e = &f->v[f->n];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->key = key;
	if (found)
		diag_copy(&e->found, found);
	hmap_put_index(&f->index, e->path, f->n++);
	return e;
}

const struct diag_list *
findings_get(const struct findings *f, const char *path,
    unsigned long long key)
{
	size_t i = hmap_index(&f->index, path);

	return i != HMAP_NONE && f->v[i].key == key ? &f->v[i].found : NULL;
}

void
findings_free(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].path);
		diag_free(&f->v[i].found);
	}
	free(f->v);
	hmap_free(&f->index);
	memset(f, 0, sizeof(*f));
}
