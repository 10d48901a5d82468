/*
 * searchcache: what the search index remembers between builds.  A build
 * leaves OUT/.runbookc-cache-search: the index's terms (the dictionary)
 * and, for each page, its (term, weight) pairs, keyed by the page's path
 * and the hash and length of its bytes, under a key for what else the
 * terms depend on (the parse cache's key).  The next build takes a
 * page's pairs from it instead of hashing the page's terms (terms.h)
 * into the index again; the index it writes is the same, byte for byte
 * (search.c merges either kind of page the same way).
 *
 * The file is mapped and checked whole when opened (magic, key, a
 * checksum, every pair in range): anything odd and there is no cache,
 * never a wrong index.
 */
#ifndef RUNBOOKC_SEARCHCACHE_H
#define RUNBOOKC_SEARCHCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Cache files are named STAMP_CACHE_FILE* (see stamp.h). */
#define SEARCH_CACHE_FILE ".runbookc-cache-search"

/* A page's pairs: n of them in len bytes (see search_cache_next). */
struct search_list {
	const unsigned char *data;
	size_t len;
	uint32_t n;
};

struct search_cache;

/* The cache in the folder dir written under key, or NULL. */
struct search_cache *search_cache_open(const char *dir,
    unsigned long long key);
void search_cache_close(struct search_cache *c);

/* The dictionary: term i (0 <= i < nterms), folded, n bytes, not
 * terminated.  A page's pairs name terms by their index. */
size_t search_cache_nterms(const struct search_cache *c);
const char *search_cache_term(const struct search_cache *c, size_t i,
    size_t *n);
size_t search_cache_npages(const struct search_cache *c);

/* The pairs of the page at path when its bytes had this hash and length.
 * Safe on the pool. */
bool search_cache_page(const struct search_cache *c, const char *path,
    unsigned long long hash, size_t len, struct search_list *out);

/* A pair: the term's index as a little-endian base-128 varint, then the
 * weight byte. */
void search_pair_put(struct buf *b, uint32_t term, uint8_t weight);
/* Reads the pair at *p (within a checked list) and steps past it. */
static inline void
search_pair_next(const unsigned char **p, uint32_t *term, uint8_t *weight)
{
	const unsigned char *s = *p;
	uint32_t v = 0;
	unsigned shift = 0;

	while (*s & 0x80) {
		v |= (uint32_t)(*s++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint32_t)*s++ << shift;
	*term = v;
	*weight = *s++;
	*p = s;
}

/*
 * Writing: terms first (their order gives their indexes), then pages,
 * then search_cache_finish() writes dir/SEARCH_CACHE_FILE (a staging
 * folder: the old file may be a hard link of the site in place).
 */
struct search_cache_writer {
	struct buf b;
	unsigned long long key;
	uint64_t nterms, npages;
};

void search_cache_begin(struct search_cache_writer *w,
    unsigned long long key);
void search_cache_add_term(struct search_cache_writer *w, const char *s,
    size_t n);
void search_cache_add_page(struct search_cache_writer *w, const char *path,
    unsigned long long hash, size_t len, const struct search_list *l);
/* Returns 0, or -1 (errno set) when the file cannot be written. */
int search_cache_finish(struct search_cache_writer *w, const char *dir);

#endif
