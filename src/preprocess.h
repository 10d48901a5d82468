/*
 * preprocess: what other site generators understand and cmark does not,
 * rewritten in the page body before it is parsed, so that collections
 * written for Hugo or GitLab build without an edit to their files.
 *
 * Every rewrite is in place and keeps the length of each line in bytes
 * and in characters: the lines and columns cmark reports are still the
 * file's own.
 */
#ifndef RUNBOOKC_PREPROCESS_H
#define RUNBOOKC_PREPROCESS_H

#include <stddef.h>

/*
 * Rewrites s[0..len) in place:
 *  - Hugo's {{< ref "x.md" >}} and {{< relref "x" >}} (also in the {{% %}}
 *    form) become the path they name ("x.md"; ".md" is added when the
 *    name has no extension), padded with spaces to the shortcode's width.
 *    Inside a link destination, "(x.md     )" is still a valid link.
 *  - GitLab's [[_TOC_]] on a line of its own becomes a blank line (the
 *    theme shows its own table of contents).
 * Fenced code blocks and inline code spans are left alone.  Returns the
 * number of rewrites.
 */
size_t pre_process(char *s, size_t len);

#endif
