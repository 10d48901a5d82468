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
 * Reads every input and fingerprints it.  Returns -1 when something cannot
 * be read (the build then runs in full and reports it).
 */
int stamp_fingerprint(const struct stamp_inputs *in, unsigned long long *fp);

/*
 * True when out holds a complete site built from inputs with fingerprint
 * fp: the stamp matches and every file it lists is there with its size.
 * Then *diags gets the build's diagnostics and *npages its page count.
 */
bool stamp_matches(const char *out, unsigned long long fp,
    struct diag_list *diags, size_t *npages);

/*
 * Writes the stamp into dir (the staging folder, so that it is swapped in
 * with the site).  written: the out-relative paths of the site's files.
 */
int stamp_write(const char *dir, unsigned long long fp,
    const struct diag_list *diags, size_t npages, char *const *written,
    size_t nwritten, const struct strv *extra);
/*
 * Records a file outside the content folder that the site shows (a script
 * found above the content root): the stamp only matches while its bytes
 * do.  Call before stamp_write() with the same dir.
 */
void stamp_add_extra(struct strv *extra, const char *path);

#endif
