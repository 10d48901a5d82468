/*
 * findings: what the checks of each page found, under the key of
 * everything those checks read (digest_check_key()), kept from one build
 * to the next in the stamp's cache.  A page whose key is unchanged is not
 * checked again: its findings are copied from the last build's.
 */
#ifndef RUNBOOKC_FINDINGS_H
#define RUNBOOKC_FINDINGS_H

#include <stddef.h>

#include "diag.h"
#include "hmap.h"

struct page_findings {
	char *path;		/* the page's content path */
	unsigned long long key;
	struct diag_list found;
};

struct findings {
	struct page_findings *v;
	size_t n, cap;
	struct hmap index;	/* path -> entry index + 1 */
};

#define FINDINGS_INIT { NULL, 0, 0, HMAP_INIT }

/* Adds path's findings (an empty list when found is NULL), copied; the
 * entry, whose list a reader may go on filling. */
struct page_findings *findings_add(struct findings *f, const char *path,
    unsigned long long key, const struct diag_list *found);
/* What f holds for path under key, or NULL (none, or another key). */
const struct diag_list *findings_get(const struct findings *f,
    const char *path, unsigned long long key);
void findings_free(struct findings *f);

#endif
