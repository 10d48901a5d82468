/*
 * cachefile: the frame of a build cache file in the output folder (the
 * search index's and the print book's): a header of a magic, the key the
 * file was written under and a checksum of the body, then the body.  A
 * file is mapped, not read; one that is short, of another magic (another
 * format, or a machine of another word size), of another key or whose
 * body does not match its checksum opens as no file at all.
 */
#ifndef RUNBOOKC_CACHEFILE_H
#define RUNBOOKC_CACHEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

#define CACHEFILE_MAGIC_LEN 16
#define CACHEFILE_HEADER_LEN 32

struct cachefile {
	const unsigned char *map;
	size_t len;
	const unsigned char *body;	/* map + CACHEFILE_HEADER_LEN */
	size_t body_len;
};

/* Maps dir/name; false (f cleared) when there is no usable file.  magic
 * is CACHEFILE_MAGIC_LEN bytes. */
bool cachefile_open(struct cachefile *f, const char *dir, const char *name,
    const char *magic, unsigned long long key);
void cachefile_close(struct cachefile *f);

/* Writing: cachefile_begin() leaves room for the header in b, the body
 * is appended, and cachefile_finish() fills the header in and writes
 * dir/name as a staged file (see fs_write_staged); it frees b.  Returns
 * 0, or -1 with errno set. */
void cachefile_begin(struct buf *b);
int cachefile_finish(struct buf *b, const char *dir, const char *name,
    const char *magic, unsigned long long key);

/* Reading a body: fields taken in order, bounds-checked. */
struct cachefile_rd {
	const unsigned char *p, *end;
	bool bad;
};

void cachefile_take(struct cachefile_rd *r, void *dst, size_t n);
unsigned long long cachefile_u64(struct cachefile_rd *r);
unsigned cachefile_u32(struct cachefile_rd *r);

#endif
