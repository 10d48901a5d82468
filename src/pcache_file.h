/*
 * pcache_file: the parse cache's file format and the structures the
 * reading side (pcache.c) and the writing side (pcache_write.c) share.
 * Private to those two.
 *
 * A file is a header (magic, key, record count) and records.  A record is
 * its length, a checksum of the rest, then the page's path, the hash and
 * length of its bytes and its model, field by field in the order of
 * struct page.  Integers are stored in the machine's byte order (the
 * magic says which: a cache from another machine is not used); a string
 * is its length, its bytes and a NUL (so that mapped strings are C
 * strings), or the length ~0 for NULL.
 */
#ifndef RUNBOOKC_PCACHE_FILE_H
#define RUNBOOKC_PCACHE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

#define PCACHE_MAGIC "runbookc-pages3"	/* 15 bytes, then a byte-order mark */
#define PCACHE_HEADER_LEN 32
#define PCACHE_NO_STR 0xffffffffu
/* A delta may hold this many pages (or an eighth of the site) before
 * the next build writes a new base instead. */
#define PCACHE_DELTA_MIN 16

/* Where each record of a mapped file starts (sorted), so that a byte
 * of it tells its record. */
struct pcache_starts {
	uint64_t *v;
	size_t n, cap;
};

/* A cache file, mapped. */
struct pcache_cfile {
	const unsigned char *map;
	size_t len;
	struct hmap index;	/* path (in the map) -> record */
	struct pcache_starts starts;
};

struct pcache {
	unsigned long long key;
	struct pcache_cfile base, delta;
	size_t nbase;		/* records in the base */
};

void pcache_add_start(struct pcache_starts *st, uint64_t off);
/*
 * Once the bytes at html of a mapping are read: lets go of the windows
 * its whole record finishes (fs_map_read), since every window boundary
 * lies in some record, not always in its HTML.  Nothing for a pointer
 * outside the mapping.
 */
void pcache_read_in(const unsigned char *map, size_t len,
    const struct pcache_starts *st, const char *html);

#endif
