/*
 * stamp: what a built site was built from.  The fingerprint covers
 * everything the output depends on: runbookc's version, the configuration
 * file, the theme, "today", the git commit, and the path and bytes of
 * every file of the content folder.  A successful build leaves it in the
 * output folder (OUT/.runbookc-stamp) with the build's diagnostics and its
 * file list; the next build whose inputs have the same fingerprint, over a
 * site still intact, has nothing to render and only replays the
 * diagnostics.  The stamp also records each content file's stat and hash,
 * so that a rebuild reads only the files that changed (a no-op rebuild
 * costs a walk of the folder), and each output file's key (digest.h), so
 * that a rebuild renders only the files whose inputs changed.
 */
#ifndef RUNBOOKC_STAMP_H
#define RUNBOOKC_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "findings.h"
#include "hmap.h"
#include "inputs.h"
#include "str.h"

struct stamp_inputs {
	const char *content;
	const char *config;	/* --config FILE, or NULL: CONTENT/site.yml */
	const char *version;
	long today;
	const char *commit;	/* or NULL */
	int jobs;		/* threads that stat and hash the content */
};

#define STAMP_FILE ".runbookc-stamp"
/* What the next build may skip reading (not the same from one build to
 * the next: it holds file times).  Every file of the output folder whose
 * name starts so is a cache, not part of the site: the stamp does not
 * list them, and a cold build and a rebuild of the same input differ only
 * there. */
#define STAMP_CACHE_FILE ".runbookc-cache"

/* A fingerprint of the inputs, with its parts. */
struct stamp_print {
	unsigned long long fp;		/* of everything */
	/* Of what every output depends on besides the content: the
	 * version, the configuration file, the theme, the date, the
	 * commit. */
	unsigned long long global;
	/* Of what parsing a page depends on besides its bytes: the
	 * version, the configuration file, the content folder as named. */
	unsigned long long parse;
	struct input_set files;		/* the content folder's files */
	/* Pages left pending (see below), and fp before the files. */
	size_t pending;
	unsigned long long pre;
};

/*
 * Fingerprints every input, reading only the content files whose record
 * in prev the file system no longer vouches for (see inputs.h).  With
 * prev NULL (no build before to vouch for any) the pages are only
 * stat'ed, not read: the parse reads each once, and gives its hash
 * (stamp_print_settle()); fp is 0 till then.  Returns -1 when something
 * cannot be read (the build then runs in full and reports it).  The
 * caller frees out with stamp_print_free() either way.
 */
int stamp_fingerprint(const struct stamp_inputs *in,
    const struct input_set *prev, struct stamp_print *out);
/*
 * The same, with prev given by prev_of(ud), which is called once, when
 * the configuration, the theme and the content folder's list are read
 * and prev is needed: the caller can still be reading the stamp it comes
 * from meanwhile.
 */
int stamp_fingerprint_await(const struct stamp_inputs *in,
    const struct input_set *(*prev_of)(void *ud), void *ud,
    struct stamp_print *out);
/* Once the pending pages have their hashes: fp.  False while some page
 * has none (it could not be read). */
bool stamp_print_settle(struct stamp_print *p);
void stamp_print_free(struct stamp_print *p);

/*
 * The key each output file of a build was made from (see digest.h), and
 * its size: a rebuild keeps a file whose key is unchanged instead of
 * rendering it again.  Key 0 means none (the file is always remade).
 */
struct stat;

struct stamp_key {
	char *path;
	unsigned long long key;
	long long size;
	unsigned long long ino;	/* which file: the stage relinks by it */
	/* Its mtime when stamped (0: unknown): a file edited in place keeps
	 * its inode, and maybe its size, but not that. */
	long long mtime_ns;
	bool staged;		/* see stamp_keys.checked */
};

struct stamp_keys {
	struct stamp_key *v;
	size_t n, cap;
	struct hmap index;	/* path -> entry index + 1 */
	/* Set by rctx_stage_check(): each key's staged says whether the
	 * staging tree holds that very file. */
	bool checked;
};

#define STAMP_KEYS_INIT { NULL, 0, 0, HMAP_INIT, false }

/* st's mtime in nanoseconds, as a stamp records it. */
long long stamp_mtime_ns(const struct stat *st);
/* Whether st is the very file k lists: a regular file of its size and,
 * where the stamp's cache says them, its inode and mtime (a file edited
 * in place keeps its inode, and maybe its size, but not its mtime). */
bool stamp_key_is(const struct stamp_key *k, const struct stat *st);

/* Sets path's key (size -1: unknown; stamp_write() stats the file). */
void stamp_keys_put(struct stamp_keys *k, const char *path,
    unsigned long long key);
/* Sets path's key, size, inode and mtime, known already (a file kept):
 * then stamp_write() need not stat it. */
void stamp_keys_put_file(struct stamp_keys *k, const char *path,
    unsigned long long key, long long size, unsigned long long ino,
    long long mtime_ns);
const struct stamp_key *stamp_keys_get(const struct stamp_keys *k,
    const char *path);
void stamp_keys_free(struct stamp_keys *k);
/* What a stamp says of the site it sits in. */
struct stamp {
	bool valid;
	bool cached;		/* its cache was read too: inputs, inodes */
	unsigned long long fp;
	size_t npages;
	struct diag_list diags;		/* the build's, to replay */
	struct input_set inputs;	/* the content files it was built from */
	struct findings findings;	/* each page's check findings */
	struct stamp_keys files;	/* every file of the site: key, size */
	struct strv extra;	/* outside paths the site depends on */
	unsigned long long *extra_hash;
};

/* Reads out's stamp into st; false (st empty) when there is none. */
bool stamp_read(struct stamp *st, const char *out);
/*
 * What the staging of a kept site needs of its stamp, read without the
 * rest: each file's path and inode, in the stamp's order.  False (l
 * empty) when out has no stamp or no cache to say the inodes.
 */
struct stamp_listing {
	char *text[2];		/* the stamp's and its cache's bytes */
	const char **paths;	/* into text[0] */
	unsigned long long *inos;
	size_t n, cap;
};

bool stamp_read_listing(struct stamp_listing *l, const char *out);
void stamp_listing_free(struct stamp_listing *l);

/* True when every file st lists is in out, the very file it lists
 * (stamp_key_is()), and every outside file still has its hash. */
bool stamp_intact(const struct stamp *st, const char *out);
void stamp_free(struct stamp *st);

/*
 * Writes the stamp into dir (the staging folder, so that it is swapped in
 * with the site), and its cache beside it.  written: the out-relative
 * paths of the site's files; extra: paths outside the content folder the
 * site depends on (scripts looked for above the content root, found or
 * not: the stamp only matches while each reads the same, or is still
 * missing); keys: the key of each that has one (or NULL); findings: each
 * page's, for the next build's checks (into the cache; or NULL); jobs:
 * threads that stat the files.
 */
int stamp_write(const char *dir, const struct stamp_print *fp,
    const struct diag_list *diags, const struct findings *findings,
    size_t npages, char *const *written, size_t nwritten,
    const struct strv *extra, const struct stamp_keys *keys, int jobs);

#endif
