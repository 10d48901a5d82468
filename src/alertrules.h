/*
 * alertrules: Prometheus alerting rules (check --alert-rules FILE) held
 * against the handbook, so that every alert that can page someone has a
 * runbook and every runbook answers an alert that exists.
 *
 * A rules file is read in either shape: a plain Prometheus rule file
 * (groups[].rules[]) or Kubernetes PrometheusRule resources (spec.groups,
 * also inside a "kind: List"), any number of YAML documents.  An alert's
 * runbook link is annotations.runbook_url (a URL whose path ends in a
 * page's path, with or without .md, or its lower-cased slug, optionally
 * with an #anchor of that page) or GitLab's annotations.runbook (a
 * repository-relative path); "{{ $labels.NAME }}" is filled in from the
 * rule's own labels.
 */
#ifndef RUNBOOKC_ALERTRULES_H
#define RUNBOOKC_ALERTRULES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "page.h"

struct site;

struct alert_rule {
	char *name;		/* the 'alert' value */
	const char *file;	/* the rules file, as given (not owned) */
	struct pos pos;		/* the rule's 'alert' key */
	char *url;		/* runbook link, labels filled in, or NULL */
	struct pos url_pos;
	bool templated;		/* url still holds a {{ }} placeholder */
};

struct alert_rules {
	struct alert_rule *v;
	size_t n, cap;
	size_t nfiles;		/* files read successfully */
};

#define ALERT_RULES_INIT { NULL, 0, 0, 0 }

/*
 * Reads the alerting rules of file into ar (recording rules are
 * skipped).  Problems are diagnostics under file's name; returns -1 when
 * the file cannot be read or is not YAML, 0 otherwise.
 */
int alertrules_load(struct alert_rules *ar, const char *file,
    struct diag_list *diags);
/*
 * The same, from text in memory (for tests and fuzzers).  name is used in
 * diagnostics and must outlive ar: rules point to it.
 */
int alertrules_load_text(struct alert_rules *ar, const char *name,
    const char *text, size_t len, struct diag_list *diags);
void alertrules_free(struct alert_rules *ar);

/*
 * Holds the rules against the site: alert.uncovered (an alert with no
 * runbook, at the rule), alert.unknown (a runbook claiming an alert no
 * rule defines, at the claim), and warnings for a runbook link that leads
 * elsewhere than the alert's runbook (link.broken) or to a missing anchor
 * (link.anchor), at the link.
 */
void alertrules_check(const struct alert_rules *ar, const struct site *s,
    struct diag_list *out);

#endif
