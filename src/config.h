/*
 * config: the site configuration (CONTENT/site.yml or --config FILE) laid
 * over the built-in defaults of DESIGN.md.  Loaded once, before the scan,
 * and read-only afterwards: every later stage is handed a const pointer.
 */
#ifndef RUNBOOKC_CONFIG_H
#define RUNBOOKC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "str.h"

struct rx;
struct value;

/* A required or recommended section: a name plus aliases, or a pattern. */
struct section_rule {
	char *name;		/* as shown in messages: "Symptom" */
	struct strv folded;	/* name and aliases, case- and accent-folded */
	struct rx *pattern;	/* optional: matched against the heading text */
};

struct kind {
	char *id;
	struct strv required_fields;
	struct section_rule *required;
	size_t nrequired;
	struct section_rule *recommended;
	size_t nrecommended;
	bool ordered;		/* required sections must come in order */
	bool needs_front_matter;
	struct strv paths;	/* globs: pages with no 'kind' field whose
				   path matches take this kind */
};

struct severity {
	char *id;		/* lower case: "sev1" */
	char *label;		/* "Sev1 (P0)" */
	struct strv aliases;	/* lower case */
	char *color;		/* CSS colour or NULL */
	char *mtta, *mttr, *update_every, *description;
};

struct owner {
	char *id;
	char *name, *contact;
	struct strv escalation;
};

enum rule_scope {
	SCOPE_TEXT = 1,
	SCOPE_CODE = 2,
	SCOPE_FRONT_MATTER = 4,
	SCOPE_HEADINGS = 8,
};

struct user_rule {
	char *id;
	struct rx *pattern;
	char *message;
	enum diag_severity severity;
	unsigned scopes;	/* enum rule_scope bits */
	struct strv paths;	/* globs on the page path; empty = all */
};

struct config {
	char *file;		/* the site.yml read, or NULL */
	struct value *tree;	/* the whole site.yml (params for templates) */

	char *title;
	char *description;
	char *language;		/* "en" or "pt-BR" (UI strings) */
	char *base_url;		/* absolute URL of the published site, or NULL */
	char *theme_dir;	/* a theme folder overriding the built-in one */
	bool allow_html;	/* pass raw HTML through */
	size_t max_file_size;

	int review_every_days;
	struct rx *alert_pattern;
	bool alert_from_filename;
	char *default_kind;

	struct severity *severities;
	size_t nseverities;
	struct owner *owners;
	size_t nowners;		/* 0: owners are not checked */
	struct kind *kinds;
	size_t nkinds;

	struct rx **script_patterns;
	size_t nscript_patterns;
	struct strv script_roots;	/* relative to the content root */
	bool script_require_exec;

	struct user_rule *rules;
	size_t nrules;
	struct strv ignore;		/* globs of content paths to skip */
};

/*
 * Loads path (may be NULL: defaults only) into cfg.  Problems are added to
 * diags under the file's name; returns -1 when the configuration cannot be
 * used (exit status 2).
 */
int config_load(struct config *cfg, const char *path, struct diag_list *diags);
/* The same, from text in memory; name is used in diagnostics. */
int config_load_text(struct config *cfg, const char *name, const char *text,
    size_t len, struct diag_list *diags);
void config_free(struct config *cfg);

const struct kind *config_kind(const struct config *cfg, const char *id);
/*
 * The kind of a page that names none: the first kind whose 'paths' globs
 * match the content-relative path, else the default kind.  Never NULL.
 */
const char *config_kind_for_path(const struct config *cfg, const char *path);
/* Finds a severity by id or alias, case-insensitively. */
const struct severity *config_severity(const struct config *cfg,
    const char *name);
const struct owner *config_owner(const struct config *cfg, const char *id);
/* "90", "90d", "12w", "6m", "1y" in days; -1 when it is none of these. */
int config_parse_days(const char *s);
/* True when the folded heading text starts with one of the rule's words. */
bool section_rule_matches(const struct section_rule *r, const char *heading);
/*
 * The same, for a page's headings against many rules: each heading is
 * folded once, by section_heading_key() (a string to free), and compared
 * as key.
 */
char *section_heading_key(const char *heading);
bool section_rule_matches_key(const struct section_rule *r,
    const char *heading, const char *key);

#endif
