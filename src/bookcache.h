/*
 * bookcache: the print book of the last build, chapter by chapter.  A
 * build leaves OUT/.runbookc-cache-book beside print.html: which file it
 * describes (inode, size, modification time), the key of the frame (the
 * site's key: the contents and the page around the chapters) and each
 * chapter's key and byte range.  The next build copies a chapter whose
 * key did not change from the old book instead of rendering it again,
 * and the frame too when the site's key did not change; the book it
 * writes is the same, byte for byte.
 *
 * A cache that does not describe the print.html beside it (another
 * inode, size or time, a range outside it), or that cachefile.h refuses,
 * is no cache: every chapter is rendered.
 */
#ifndef RUNBOOKC_BOOKCACHE_H
#define RUNBOOKC_BOOKCACHE_H

#include <stdbool.h>
#include <stddef.h>

/* Cache files are named STAMP_CACHE_FILE* (see stamp.h). */
#define BOOK_CACHE_FILE ".runbookc-cache-book"

struct book_cache;

/* The book dir/book as dir/BOOK_CACHE_FILE describes it, or NULL. */
struct book_cache *book_cache_open(const char *dir, const char *book);
void book_cache_close(struct book_cache *c);

/* The old book's frame, the bytes before its first chapter and after its
 * last, when it was made under site_key (never for 0). */
bool book_cache_frame(const struct book_cache *c, unsigned long long site_key,
    const char **head, size_t *nhead, const char **tail, size_t *ntail);

/* Where in the old book the chapter made under key is (never for 0).
 * Safe on the pool. */
bool book_cache_find(const struct book_cache *c, unsigned long long key,
    size_t *off, size_t *len);
/* Whether the file open as fd is the old book (its inode, size, time). */
bool book_cache_is(const struct book_cache *c, int fd);
/* The bytes of the old chapter made under key, or NULL (always for 0).
 * Safe on the pool. */
const char *book_cache_chapter(const struct book_cache *c,
    unsigned long long key, size_t *len);
/* Once the old book's bytes at..at+n are copied: they need not be held
 * (fs_map_read).  Safe on the pool. */
void book_cache_release(const struct book_cache *c, const char *at,
    size_t n);

/*
 * Leaves the cache of dir/book as just written: its frame (nhead bytes
 * before the n chapters, ntail after them) made under site_key, and
 * chapter i of lens[i] bytes under keys[i].  Returns 0 or -1.
 */
int book_cache_write(const char *dir, const char *book,
    unsigned long long site_key, size_t nhead, size_t ntail,
    const unsigned long long *keys, const size_t *lens, size_t n);

#endif
