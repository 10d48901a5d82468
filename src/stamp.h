/*
 * stamp: what a built site was built from.  The fingerprint covers
 * everything the output depends on: runbookc's version, the configuration
 * file, the theme, "today", the git commit, and the path and bytes of
 * every file of the content folder.  A successful build leaves it in the
 * output folder (OUT/.runbookc-stamp) with the build's diagnostics and its
 * file list; the next build whose inputs have the same fingerprint, over a
 * site still intact, has nothing to render and only replays the
 * diagnostics.  That is what makes a no-op rebuild cost a read of the
 * sources instead of a build.
 */
#ifndef RUNBOOKC_STAMP_H
#define RUNBOOKC_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "hmap.h"
#include "str.h"

struct stamp_inputs {
	const char *content;
	const char *config;	/* --config FILE, or NULL: CONTENT/site.yml */
	const char *version;
	long today;
	const char *commit;	/* or NULL */
};

#define STAMP_FILE ".runbookc-stamp"

/*
 * Reads every input and fingerprints it.  *global (when not NULL) gets the
 * hash of the inputs every output depends on: the version, the date, the
 * commit, the configuration file and the theme, not the content.  Returns
 * -1 when something cannot be read (the build then runs in full and
 * reports it).
 */
int stamp_fingerprint(const struct stamp_inputs *in, unsigned long long *fp,
    unsigned long long *global);

/*
 * The key each output file of a build was made from (see digest.h), and
 * its size: a rebuild keeps a file whose key is unchanged instead of
 * rendering it again.  Key 0 means none (the file is always remade).
 */
struct stamp_key {
	char *path;
	unsigned long long key;
	long long size;
};

struct stamp_keys {
	struct stamp_key *v;
	size_t n, cap;
	struct hmap index;	/* path -> entry index + 1 */
};

#define STAMP_KEYS_INIT { NULL, 0, 0, HMAP_INIT }

/* Sets path's key (the size is filled in by stamp_write()). */
void stamp_keys_put(struct stamp_keys *k, const char *path,
    unsigned long long key);
const struct stamp_key *stamp_keys_get(const struct stamp_keys *k,
    const char *path);
void stamp_keys_free(struct stamp_keys *k);
/*
 * The keys of the site in out, from its stamp, whatever its fingerprint.
 * Leaves k empty when there is no usable stamp.
 */
void stamp_keys_load(struct stamp_keys *k, const char *out);

/*
 * True when out holds a complete site built from inputs with fingerprint
 * fp: the stamp matches and every file it lists is there with its size.
 * Then *diags gets the build's diagnostics and *npages its page count.
 */
bool stamp_matches(const char *out, unsigned long long fp,
    struct diag_list *diags, size_t *npages);

/*
 * Writes the stamp into dir (the staging folder, so that it is swapped in
 * with the site).  written: the out-relative paths of the site's files;
 * keys: the key of each that has one (or NULL).
 */
int stamp_write(const char *dir, unsigned long long fp,
    const struct diag_list *diags, size_t npages, char *const *written,
    size_t nwritten, const struct strv *extra,
    const struct stamp_keys *keys);
/*
 * Records a file outside the content folder that the site shows (a script
 * found above the content root): the stamp only matches while its bytes
 * do.  Call before stamp_write() with the same dir.
 */
void stamp_add_extra(struct strv *extra, const char *path);

#endif
