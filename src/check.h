/*
 * check: the validators.  They read the linked site (never change it, but
 * for reading back the text of a page restored from the parse cache that
 * user rules read) and append diagnostics.  Each rule id of DESIGN.md is
 * fired here, except the ones found while reading (yaml.syntax,
 * encoding.utf8, file.read, field.type), which the parse stage records
 * on the page.
 */
#ifndef RUNBOOKC_CHECK_H
#define RUNBOOKC_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct findings;
struct site;

struct check_opts {
	long today;		/* days since 1970-01-01 */
	const char *const *alert_rule_files;	/* --alert-rules, may be NULL */
	size_t nalert_rule_files;
	int jobs;		/* pages are checked on this many threads */
	/*
	 * Optional: a rebuild checks again only the pages whose findings
	 * may differ from the last build's.  key mixes what every page's
	 * checks read besides the page itself: the build's global inputs
	 * (configuration, date, version) and the site's face, as
	 * digest_site_key(); 0 turns it off.  A page whose digest_check_key() prev holds gets
	 * prev's findings; every page's go into memo (may be NULL).
	 */
	unsigned long long key;
	const struct findings *prev;
	struct findings *memo;
	size_t *checked;	/* optional: how many pages were checked */
};

/*
 * Runs every validator over s; appends to out.  Returns -1 when an
 * --alert-rules file cannot be read or parsed (exit status 2): then out
 * holds the reason and no page has been checked.  Else 0, whatever was
 * found.
 */
int check_site(const struct site *s, const struct check_opts *o,
    struct diag_list *out);

/* "YYYY-MM-DD" to days since the epoch; -1 when not a real date. */
long check_parse_date(const char *s);
/* Formats days since the epoch as YYYY-MM-DD into out (11 bytes). */
void check_format_date(long days, char *out);

#endif
