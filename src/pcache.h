/*
 * pcache: the parse cache.  A build leaves the parsed model of every page
 * in the output folder (OUT/.runbookc-cache-pages, plus its .delta
 * for the pages that changed since that file was written), keyed by the
 * page's path and the hash and length of its bytes, under a key for what
 * else parsing depends on (stamp_print.parse).  The next build restores
 * the pages whose bytes did not change instead of parsing them again.
 *
 * The files are mapped, not read: a restored page's HTML and text point
 * into the mapping, so restoring costs the small allocations of the model
 * and nothing for the bulk.  Anything odd in a file (another key, a bad
 * length, a truncated record) makes it unusable, never a crash: the pages
 * are then parsed.
 */
#ifndef RUNBOOKC_PCACHE_H
#define RUNBOOKC_PCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

struct page;

/* Cache files are named STAMP_CACHE_FILE* (see stamp.h). */
#define PCACHE_FILE ".runbookc-cache-pages"
#define PCACHE_DELTA ".runbookc-cache-pages.delta"

struct pcache;

/* The cache in the folder dir made under key; NULL when there is none
 * that can be used. */
struct pcache *pcache_open(const char *dir, unsigned long long key);
void pcache_close(struct pcache *c);

/*
 * Fills p (as page_new() made it) from the cache when it holds p->path
 * parsed from bytes with this hash and length; then p->origin says from
 * which file.  Safe on the pool for distinct pages.
 */
bool pcache_restore(const struct pcache *c, struct page *p,
    unsigned long long hash, size_t len);

/*
 * Leaves the cache of pages (in site order) in dir, the staging folder,
 * whose files are hard links of old's: a delta of the pages not restored
 * from the base when they are few, else a new base.  Appends the names of
 * the files that make the cache to keep.  Returns 0, or -1 when a file
 * cannot be written (the next build then parses those pages again).
 */
int pcache_write(const struct pcache *old, const char *dir,
    unsigned long long key, struct page *const *pages, size_t n,
    struct strv *keep);

#endif
