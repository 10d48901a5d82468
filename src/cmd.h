/*
 * cmd: the commands.  main.c turns the command line into a struct opts
 * and calls one of cmd_build, cmd_check, cmd_new, cmd_list; each returns
 * the exit status (0 clean, 1 findings, 2 usage, configuration or I/O).
 * The helpers below are what the commands share: loading the site with
 * its messages, and -v timing.
 */
#ifndef RUNBOOKC_CMD_H
#define RUNBOOKC_CMD_H

#include <stdbool.h>

#include "pipeline.h"
#include "str.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

struct opts {
	const char *command;	/* "build", "check", "new", "list" */
	const char *version;	/* "0.1.0" */
	const char *content;	/* CONTENT_DIR (default "content") */
	const char *out;	/* build -o (default "out") */
	const char *config;	/* --config FILE */
	const char *format;	/* check, list --format */
	const char *today;	/* --today YYYY-MM-DD */
	const char *path;	/* new PATH */
	const char *kind, *title, *severity, *owner;	/* new */
	struct strv alerts;	/* new --alert, repeatable */
	struct strv alert_rules;	/* check --alert-rules, repeatable */
	struct strv files;	/* check CONTENT FILE... */
	int jobs;
	bool quiet, force, werror, verbose, watch;
	bool tty_out;		/* stdout is a terminal */
	bool color_out, color_err;	/* colour on stdout / stderr */
};

int cmd_build(const struct opts *o);
int cmd_check(const struct opts *o);
int cmd_new(const struct opts *o);
int cmd_list(const struct opts *o);

/*
 * Runs the shared pipeline for o, parsing the pages for the checks and
 * listings alone (check, list: no HTML, no search terms).  On failure
 * prints why (the message or the configuration's diagnostics) to stderr
 * and returns EXIT_USAGE; the caller calls pipeline_free() either way.
 */
int cmd_load(const struct opts *o, struct pipeline *pl);
/* The same for a build (pages parsed whole) with what po says of the
 * parse cache, the progress line and the parsed hook (pipeline.h); the
 * rest of po is filled in from o. */
int cmd_load_cached(const struct opts *o, struct pipeline *pl,
    struct pipeline_opts *po);

/* With -v, prints the time of each stage from first to last. */
void cmd_timing(const struct opts *o, const struct pipeline *pl,
    enum pipeline_stage first, enum pipeline_stage last);

/* Prints diagnostics as text to stderr (build, watch, config errors). */
void cmd_print_diags(const struct opts *o, const struct diag_list *dl,
    size_t nfiles, bool errors_only);

/*
 * The content's git commit (RUNBOOKC_COMMIT when set, "" meaning none),
 * for the print book and the catalog; NULL outside git.  Caller frees.
 */
char *cmd_content_commit(const char *content);

#endif
