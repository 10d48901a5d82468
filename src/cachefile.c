/*
 * cachefile: a build cache file's header and body (see cachefile.h).
 * Integers are in the machine's byte order; the last byte of the magic
 * is replaced by the size of a long, so that a cache copied from a
 * machine of another word size is not read.
 */
#include "cachefile.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "buf.h"
#include "fsutil.h"
#include "str.h"

static void
put_magic(unsigned char *dst, const char *magic)
{
	memcpy(dst, magic, CACHEFILE_MAGIC_LEN);
	dst[CACHEFILE_MAGIC_LEN - 1] = (unsigned char)('0' + sizeof(long));
}

bool
cachefile_open(struct cachefile *f, const char *dir, const char *name,
    const char *magic, unsigned long long key)
{
	unsigned char want[CACHEFILE_MAGIC_LEN];
	uint64_t k, sum;
	struct stat st;
	const unsigned char *map = fs_map(dir, name, CACHEFILE_HEADER_LEN,
	    &st);

	memset(f, 0, sizeof(*f));
	if (map == NULL)
		return false;
	f->map = map;
	f->len = (size_t)st.st_size;
	f->body = f->map + CACHEFILE_HEADER_LEN;
	f->body_len = f->len - CACHEFILE_HEADER_LEN;
	put_magic(want, magic);
	memcpy(&k, f->map + CACHEFILE_MAGIC_LEN, sizeof(k));
	memcpy(&sum, f->map + CACHEFILE_MAGIC_LEN + 8, sizeof(sum));
	if (memcmp(f->map, want, sizeof(want)) != 0 || k != key ||
	    str_hash(f->body, f->body_len, STR_HASH_SEED) != sum) {
		cachefile_close(f);
		return false;
	}
	return true;
}

void
cachefile_close(struct cachefile *f)
{
	if (f->map)
		munmap((void *)f->map, f->len);
	memset(f, 0, sizeof(*f));
}

void
cachefile_begin(struct buf *b)
{
	buf_truncate(b, 0);
	buf_reserve(b, CACHEFILE_HEADER_LEN);
	memset(b->data, 0, CACHEFILE_HEADER_LEN);
	b->len = CACHEFILE_HEADER_LEN;	/* filled in by cachefile_finish() */
}

int
cachefile_finish(struct buf *b, const char *dir, const char *name,
    const char *magic, unsigned long long key)
{
	unsigned char *h = (unsigned char *)b->data;
	char *path = path_join(dir, name);
	uint64_t v[2];
	int rc;

	put_magic(h, magic);
	v[0] = key;
	v[1] = str_hash(h + CACHEFILE_HEADER_LEN, b->len - CACHEFILE_HEADER_LEN,
	    STR_HASH_SEED);
	memcpy(h + CACHEFILE_MAGIC_LEN, v, sizeof(v));
	rc = fs_write_staged(path, b->data, b->len) < 0 ? -1 : 0;
	free(path);
	buf_free(b);
	return rc;
}

void
cachefile_take(struct cachefile_rd *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p, n);
	r->p += n;
}

unsigned long long
cachefile_u64(struct cachefile_rd *r)
{
	uint64_t v;

	cachefile_take(r, &v, sizeof(v));
	return v;
}

unsigned
cachefile_u32(struct cachefile_rd *r)
{
	uint32_t v;

	cachefile_take(r, &v, sizeof(v));
	return v;
}
