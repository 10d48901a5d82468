/*
 * pcache: the parse cache.  A build leaves the parsed model of every page
 * in the output folder (OUT/.runbookc-cache-pages, plus its .delta
 * for the pages that changed since that file was written), keyed by the
 * page's path and the hash and length of its bytes, under a key for what
 * else parsing depends on (stamp_print.parse).  The next build restores
 * the pages whose bytes did not change instead of parsing them again.
 *
 * The files are mapped, not read: a restored page's HTML and terms point
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
 * which file.  The page's code blocks and spans are restored only with
 * code (only user rules read them).  Safe on the pool for distinct
 * pages.
 */
bool pcache_restore(const struct pcache *c, struct page *p,
    unsigned long long hash, size_t len, bool code);

/*
 * Writing.  A build makes the next cache while it parses: each page it
 * parses goes to the file as soon as it is, and its HTML and search terms
 * (the bulk of the model) are then not kept on the heap but read back
 * from the file.
 *
 * pcache_begin() starts the file at path.  pcache_add() takes page i
 * once parsed, on the pool: p->html and p->terms are NULL from then until
 * pcache_finish(), which copies in the records of the pages restored
 * from old that the file must hold, moves it into dir, the staging
 * folder, whose files are hard links of old's (a delta beside old's base
 * when few pages were parsed, else a new base), maps it and points the
 * pages' HTML and terms into it.  It appends the names of the files that
 * make the cache to keep, and returns 0, or 1 when the cache could not be
 * written (the next build parses again; the pages are whole), or -1 when
 * the pages' HTML or terms cannot be read back (the build cannot go on);
 * errno says why.
 * pcache_writer_close() after the site: the pages' HTML and terms point
 * into the map.
 */
struct pcache_writer;

struct pcache_writer *pcache_begin(const char *path, unsigned long long key);
void pcache_add(struct pcache_writer *w, size_t i, struct page *p);
int pcache_finish(struct pcache_writer *w, const struct pcache *old,
    const char *dir, struct page *const *pages, size_t n, struct strv *keep);
/* Once a page's HTML is read: when it lives in the new file or in the
 * cache read, lets that mapping go behind the reading (fs_map_read).
 * Safe on the pool, once pcache_finish() is done. */
void pcache_read(const struct pcache_writer *w, const char *html);
void pcache_writer_close(struct pcache_writer *w);

#endif
