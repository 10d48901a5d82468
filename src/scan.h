/*
 * scan: walks the content folder in sorted order and sorts what it finds
 * into pages (*.md) and other files (assets, scripts).  Nothing outside the
 * content root is read: a symlink that leaves it, or loops, is refused with
 * a diagnostic.
 */
#ifndef RUNBOOKC_SCAN_H
#define RUNBOOKC_SCAN_H

#include "diag.h"
#include "str.h"

struct config;

struct scan_result {
	struct strv pages;	/* content-relative, sorted */
	struct strv assets;	/* content-relative, sorted */
	/* Every folder walked below the root, content-relative, sorted: a
	 * link to one is not a link to nothing. */
	struct strv folders;
};

/* Returns -1 when root cannot be read at all (exit status 2). */
int scan_content(const char *root, const struct config *cfg,
    struct scan_result *out, struct diag_list *diags);
void scan_free(struct scan_result *r);

/* True when the content-relative path matches a glob of cfg->ignore. */
int scan_ignored(const struct config *cfg, const char *rel);

#endif
