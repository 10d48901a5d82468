/*
 * search: the full-text index, built at build time into JavaScript files
 * that search.html loads through <script> tags (fetch does not work on
 * file://).  Sharded so that a query loads only what it needs:
 *
 *   search-index/index.js   the shard list, severities, the page count
 *   search-index/t-KEY.js   the terms that start with KEY (one
 *                           character or more: a shard splits while it
 *                           is too big), each with its postings, (page,
 *                           weight) pairs; search-index/t.js holds them
 *                           all when the index is small
 *   search-index/d-N.js     page table chunk N: title, URL, severity,
 *                           snippet, alert ids
 *
 * Terms are folded exactly as str_fold() does (case, Latin accents), and
 * assets/search.js folds queries with the same table.  A posting's weight
 * says where the term occurs: an alert id or the title (ranked first), a
 * heading, tag or service (next), the body (last, with a term-frequency
 * bucket).  Each page's terms and weights are made when it is parsed
 * (terms.h); the index merges them.
 */
#ifndef RUNBOOKC_SEARCH_H
#define RUNBOOKC_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "terms.h"

struct site;

#define SEARCH_DOC_CHUNK 64	/* pages per page-table chunk */
#define SEARCH_SHARD_BYTES (32 * 1024)	/* split shards bigger than this */
#define SEARCH_MAX_KEY 12	/* characters of the longest shard key */

struct search_file {
	char *name;		/* "search-index/t-la.js" */
	struct buf data;
};

struct search_index {
	struct search_file *files;	/* sorted by name */
	size_t n;
	size_t nterms, npostings;
	size_t nuncached;	/* pages the search cache did not know */
	bool cache_ok;		/* SEARCH_CACHE_FILE is in cache_dir */
};

struct search_opts {
	int jobs;
	/* Where the search cache (searchcache.h) is read and left, under
	 * cache_key; NULL for none. */
	const char *cache_dir;
	unsigned long long cache_key;
	/* Called with each page's terms once merged, or NULL: where they
	 * live can let them go (render.h's read_html). */
	void (*read)(const void *ud, const char *terms);
	const void *read_ud;
};

/* Builds the index of every page of s from their terms (terms.h). */
void search_build(const struct site *s, const struct search_opts *o,
    struct search_index *ix);
void search_index_free(struct search_index *ix);

/*
 * The shard key of the first nchars characters of a folded token: the
 * characters a-z and 0-9 as they are, any other as "_HEX_" ("la",
 * "_3b1_x").
 */
void search_shard_key(const char *tok, size_t n, size_t nchars,
    struct buf *out);
/* Appends the posting-list varint encoding of v. */
void search_put_varint(struct buf *b, unsigned long v);

#endif
