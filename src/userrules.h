/*
 * userrules: the lint rules a site adds in site.yml ('rules:'), each a
 * PCRE2 pattern (compiled once, by config) matched over the parts of a
 * page its scopes name:
 *
 *   text          the Markdown body outside code, matched line by line on
 *                 the raw source, so line and column are exact
 *   code          code blocks (line by line) and inline code
 *   front_matter  the raw lines between the '---' fences
 *   headings      the plain text of each heading
 *
 * Every match is a diagnostic "rule.ID" at the match's first character,
 * with the rule's message and severity.  A pattern that hits PCRE2's match
 * or depth limit is reported there as an error and stops checking that
 * page: a pathological pattern costs a bounded amount of work, never a
 * hang.
 */
#ifndef RUNBOOKC_USERRULES_H
#define RUNBOOKC_USERRULES_H

#include "diag.h"

struct config;
struct page;

/* Runs every rule of cfg whose paths match p over p; appends to out. */
void userrules_check(const struct config *cfg, const struct page *p,
    struct diag_list *out);

#endif
