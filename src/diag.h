/*
 * diag: diagnostics (file, line, column, severity, rule id, message) and
 * the writers that print them for people and for CI tools.
 *
 * Stages append to a diag_list they own (pages parse in parallel, each into
 * its own list); main merges, sorts and writes them.
 */
#ifndef RUNBOOKC_DIAG_H
#define RUNBOOKC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity {
	DIAG_WARNING,
	DIAG_ERROR,
};

struct diag {
	char *file;		/* as shown to the user */
	int line, col;		/* 1-based; 0 when the file as a whole */
	enum diag_severity severity;
	char *rule;		/* "yaml.syntax", "rule.no-todo", ... */
	char *msg;
};

struct diag_list {
	struct diag *v;
	size_t n, cap;
};

#define DIAG_LIST_INIT { NULL, 0, 0 }

void diag_add(struct diag_list *dl, const char *file, int line, int col,
    enum diag_severity sev, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Appends a copy of every diagnostic of src to dst. */
void diag_copy(struct diag_list *dst, const struct diag_list *src);
/* Moves every diagnostic of src to the end of dst; src ends empty. */
void diag_move(struct diag_list *dst, struct diag_list *src);
/* Sorts by file, line, column, rule, message; drops exact duplicates. */
void diag_sort(struct diag_list *dl);
size_t diag_count(const struct diag_list *dl, enum diag_severity sev);
void diag_free(struct diag_list *dl);

enum diag_format {
	DIAG_TEXT,
	DIAG_JSON,
	DIAG_SARIF,
	DIAG_JUNIT,
	DIAG_GITHUB,
};

/* Parses "text", "json", ...; returns -1 for an unknown name. */
int diag_format_parse(const char *name, enum diag_format *fmt);

struct diag_report {
	const struct diag_list *diags;	/* sorted */
	const char *const *files;	/* every file checked, sorted */
	size_t nfiles;
	const char *tool_version;
	bool color;			/* text format only */
	bool werror;			/* warnings count as failures */
};

/* Writes the report in the given format to out. */
void diag_write(FILE *out, enum diag_format fmt, const struct diag_report *r);

/* The rule ids runbookc knows, with a one-line description, for SARIF. */
const char *diag_rule_description(const char *rule);

#endif
