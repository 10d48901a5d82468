/*
 * glob: content-path globs as site.yml writes them.  A glob with no '/'
 * ("*.md") matches the last path component at any depth, as in
 * .gitignore; one with a '/' matches the whole content-relative path,
 * '*' and '?' never crossing a '/', and a component that is exactly "**"
 * stands for any number of folders, none included (see the README for
 * examples).
 */
#ifndef RUNBOOKC_GLOB_H
#define RUNBOOKC_GLOB_H

#include <stdbool.h>

#include "str.h"

/* True when the '/'-separated relative path matches glob. */
bool glob_match(const char *glob, const char *path);
/* True when path matches any glob of globs; false for an empty list. */
bool glob_match_any(const struct strv *globs, const char *path);

#endif
