/*
 * render: turns the linked site into HTML pages through the theme's
 * templates and writes them into the output folder (a staging folder that
 * fsutil swaps in whole).  Reads the model; never changes it.
 */
#ifndef RUNBOOKC_RENDER_H
#define RUNBOOKC_RENDER_H

#include "diag.h"
#include "str.h"

struct progress;
struct site;
struct stamp_keys;
struct theme;

struct render_opts {
	const char *out_dir;	/* where files are written */
	const char *out_name;	/* the output folder as named, or NULL */
	int jobs;
	long today;		/* days since the epoch */
	const char *commit;	/* git commit of the content, or NULL */
	const char *version;
	/* Incremental rendering (see digest.h): the hash of the inputs
	 * besides the content (stamp_fingerprint()'s global; 0 turns it
	 * off), the keys of the site out_dir was staged from (or NULL), and
	 * where to record this site's. */
	unsigned long long global;
	/* What a page's model depends on besides its bytes (stamp_print's
	 * parse): the search cache's key; 0 for no search cache. */
	unsigned long long parse;
	/* The site's face (digest_site_face()) when the caller has it,
	 * else 0: render_site() works it out. */
	unsigned long long face;
	const struct stamp_keys *prev;
	struct stamp_keys *keys;
	struct progress *progress;	/* or NULL */
	/* Called (on the pool) once a page's HTML has been read for a page
	 * or a chapter, or its search terms merged, so that where they live
	 * can let them go; or NULL. */
	void (*read_html)(const void *ud, const char *html);
	const void *read_html_ud;
};

/* What render_site() did: files rendered, files kept as they were,
 * pages the search cache did not know. */
struct render_stats {
	size_t made, kept;
	size_t uncached;	/* pages the search cache did not know */
};

/*
 * Renders every output file, or keeps the staged one where its key says
 * it would come out the same.  Appends the out-relative path of each file
 * it produced to written (so stale files can be pruned).  Returns -1 on
 * an I/O or template failure (diagnostics added).
 */
int render_site(const struct site *s, const struct theme *th,
    const struct render_opts *o, struct strv *written,
    struct diag_list *diags, struct render_stats *stats);

#endif
