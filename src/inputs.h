/*
 * inputs: the files of the content folder a build reads, each with its
 * hash and the file system's word on it (size, mtime, ctime, inode).  The
 * next build trusts a recorded hash without reading the file again when
 * the file system still says the same, the way git's index and make do;
 * ctime, which no user tool can set back, catches an edit that kept the
 * size and restored the mtime.  A file whose ctime is within
 * INPUTS_RACY_NS of when its record was taken is read again whatever its
 * stat says: an edit in the same clock tick as the hashing would not show.
 */
#ifndef RUNBOOKC_INPUTS_H
#define RUNBOOKC_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"
#include "str.h"

#define INPUTS_RACY_NS 2000000000LL

struct input_file {
	char *path;		/* content-relative */
	long long size, mtime_ns, ctime_ns;
	unsigned long long ino, dev;
	/* Its permission bits, from the stat (not a stamp's): the checks
	 * read whether a script may run. */
	unsigned mode;
	unsigned long long hash;	/* str_hash(bytes, STR_HASH_SEED) */
	long long taken_ns;	/* when the stat and hash were taken */
	bool pending;		/* stat'ed, not read: hash still to come */
};

struct input_set {
	struct input_file *v;
	size_t n, cap;
	struct hmap index;	/* path -> entry index + 1 */
};

#define INPUT_SET_INIT { NULL, 0, 0, HMAP_INIT }

/*
 * Stats and hashes the files paths (content-relative) of content into
 * now, taking the hash from prev (may be NULL) for each file whose stat
 * matches a trusted record, reading the file otherwise, or, with defer,
 * leaving it pending: whoever reads it next gives its hash.  Returns -1
 * when a file cannot be read or is larger than max (now is then
 * incomplete).  The files are taken on jobs threads.
 */
int inputs_take(struct input_set *now, const char *content,
    const struct strv *paths, size_t max, const struct input_set *prev,
    bool defer, int jobs);

/* Adds a record (as read back from a stamp). */
void inputs_add(struct input_set *s, const struct input_file *f);
const struct input_file *inputs_get(const struct input_set *s,
    const char *path);
/* The same, to give a pending record its hash. */
struct input_file *inputs_find(struct input_set *s, const char *path);
void inputs_free(struct input_set *s);

#endif
