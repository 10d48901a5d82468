/*
 * bookcache: the print book of the last build (see bookcache.h).
 *
 * The body of the file (cachefile.h): print.html's inode, device, size
 * and modification time (seconds, nanoseconds), the site key, the frame's
 * head and tail lengths, the chapter count, then for each chapter its
 * key, offset and length.  All 64-bit.
 */
#include "bookcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "buf.h"
#include "cachefile.h"
#include "fsutil.h"
#include "str.h"

#define MAGIC "runbookc-book-01"	/* CACHEFILE_MAGIC_LEN bytes */
#define CACHE_KEY 1			/* the chapters carry the keys */

struct chapter {
	unsigned long long key;
	size_t off, len;
};

struct book_cache {
	const char *data;	/* the old print.html, mapped */
	size_t size;
	uint64_t id[5];		/* which file that is */
	unsigned long long site_key;
	size_t head, tail;
	struct chapter *v;
	size_t n;
	uint32_t *slots;	/* index + 1 into v by key, 0 when free */
	size_t nslots;
};

/* What says a file is the one the cache was written beside. */
static void
identity(const struct stat *st, uint64_t id[5])
{
	id[0] = (uint64_t)st->st_ino;
	id[1] = (uint64_t)st->st_dev;
	id[2] = (uint64_t)st->st_size;
	id[3] = (uint64_t)st->st_mtim.tv_sec;
	id[4] = (uint64_t)st->st_mtim.tv_nsec;
}

static void
index_chapters(struct book_cache *c)
{
	size_t i, k, mask;

	for (c->nslots = 16; c->nslots < c->n * 2; c->nslots *= 2)
		;
	c->slots = xcalloc(c->nslots, sizeof(*c->slots));
	mask = c->nslots - 1;
	for (i = 0; i < c->n; i++) {
		for (k = c->v[i].key & mask; c->slots[k]; k = (k + 1) & mask)
			if (c->v[c->slots[k] - 1].key == c->v[i].key)
				break;
		if (c->slots[k] == 0)	/* the first of equal keys */
			c->slots[k] = (uint32_t)i + 1;
	}
}

/* Reads the body against the book file it must describe. */
static bool
read_body(struct book_cache *c, const struct cachefile *f,
    const struct stat *st)
{
	struct cachefile_rd r = { f->body, f->body + f->body_len, false };
	uint64_t id[5];
	size_t i;

	identity(st, id);
	memcpy(c->id, id, sizeof(c->id));
	for (i = 0; i < 5; i++)
		if (cachefile_u64(&r) != id[i])
			return false;
	c->site_key = cachefile_u64(&r);
	c->head = (size_t)cachefile_u64(&r);
	c->tail = (size_t)cachefile_u64(&r);
	c->n = (size_t)cachefile_u64(&r);
	if (r.bad || c->head > c->size || c->tail > c->size - c->head ||
	    c->n > f->body_len / 24 || c->n >= UINT32_MAX)
		return false;
	c->v = xcalloc(c->n ? c->n : 1, sizeof(*c->v));
	for (i = 0; i < c->n; i++) {
		c->v[i].key = cachefile_u64(&r);
		c->v[i].off = (size_t)cachefile_u64(&r);
		c->v[i].len = (size_t)cachefile_u64(&r);
		if (c->v[i].off > c->size || c->v[i].len > c->size - c->v[i].off)
			return false;
	}
	if (r.bad || r.p != r.end)
		return false;
	index_chapters(c);
	return true;
}

struct book_cache *
book_cache_open(const char *dir, const char *book)
{
	struct book_cache *c = xcalloc(1, sizeof(*c));
	struct cachefile f;
	struct stat st;
	bool ok = false;

	c->data = (const char *)fs_map(dir, book, 1, &st);
	if (c->data) {
		c->size = (size_t)st.st_size;
		if (cachefile_open(&f, dir, BOOK_CACHE_FILE, MAGIC, CACHE_KEY)) {
			ok = read_body(c, &f, &st);
			cachefile_close(&f);
		}
	}
	if (!ok) {
		book_cache_close(c);
		return NULL;
	}
	return c;
}

void
book_cache_close(struct book_cache *c)
{
	if (c == NULL)
		return;
	if (c->data)
		munmap((void *)c->data, c->size);
	free(c->v);
	free(c->slots);
	free(c);
}

bool
book_cache_frame(const struct book_cache *c, unsigned long long site_key,
    const char **head, size_t *nhead, const char **tail, size_t *ntail)
{
	if (c == NULL || site_key == 0 || c->site_key != site_key)
		return false;
	*head = c->data;
	*nhead = c->head;
	*tail = c->data + c->size - c->tail;
	*ntail = c->tail;
	return true;
}

bool
book_cache_find(const struct book_cache *c, unsigned long long key,
    size_t *off, size_t *len)
{
	size_t k, mask;

	if (c == NULL || key == 0)
		return false;
	mask = c->nslots - 1;
	for (k = key & mask; c->slots[k]; k = (k + 1) & mask) {
		const struct chapter *ch = &c->v[c->slots[k] - 1];

		if (ch->key == key) {
			*off = ch->off;
			*len = ch->len;
			return true;
		}
	}
	return false;
}

const char *
book_cache_chapter(const struct book_cache *c, unsigned long long key,
    size_t *len)
{
	size_t off;

	return book_cache_find(c, key, &off, len) ? c->data + off : NULL;
}

bool
book_cache_is(const struct book_cache *c, int fd)
{
	struct stat st;
	uint64_t id[5];

	if (c == NULL || fd < 0 || fstat(fd, &st) < 0)
		return false;
	identity(&st, id);
	return memcmp(id, c->id, sizeof(id)) == 0;
}

void
book_cache_release(const struct book_cache *c, const char *at, size_t n)
{
	if (c)
		fs_map_read(c->data, c->size, at, n);
}

int
book_cache_write(const char *dir, const char *book,
    unsigned long long site_key, size_t nhead, size_t ntail,
    const unsigned long long *keys, const size_t *lens, size_t n)
{
	char *path = path_join(dir, book);
	struct buf b = BUF_INIT;
	struct stat st;
	uint64_t id[5], v[4], off = nhead;
	size_t i;
	int rc;

	rc = stat(path, &st);
	free(path);
	if (rc < 0)
		return -1;
	identity(&st, id);
	cachefile_begin(&b);
	buf_put(&b, id, sizeof(id));
	v[0] = site_key;
	v[1] = nhead;
	v[2] = ntail;
	v[3] = n;
	buf_put(&b, v, sizeof(v));
	for (i = 0; i < n; i++) {
		uint64_t ch[3] = { keys[i], off, lens[i] };

		buf_put(&b, ch, sizeof(ch));
		off += lens[i];
	}
	return cachefile_finish(&b, dir, BOOK_CACHE_FILE, MAGIC, CACHE_KEY);
}
