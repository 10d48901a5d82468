/*
 * main: the command line, and nothing else.  One table of commands and
 * one of options drive both the parsing and --help (git's
 * parse-options); the commands themselves live in cmd_*.c.
 *
 * Exit status: 0 clean, 1 errors found, 2 usage, configuration or I/O.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "pool.h"
#include "str.h"

#ifndef RUNBOOKC_VERSION
#define RUNBOOKC_VERSION "unknown"
#endif

enum arg { ARG_NONE, ARG_STRING, ARG_INT, ARG_LIST };

enum opt_id {
	O_OUT, O_JOBS, O_FORCE, O_WATCH, O_CONFIG, O_FORMAT, O_ALERT_RULES,
	O_WERROR, O_TODAY, O_KIND, O_TITLE, O_SEVERITY, O_OWNER, O_ALERT,
	O_QUIET, O_VERBOSE,
};

struct option {
	enum opt_id id;
	const char *commands;	/* the commands it belongs to */
	const char *lng;
	char shrt;
	enum arg arg;
	const char *argname;
	const char *help;
};

static const struct option options[] = {
	{ O_OUT, "build", "out", 'o', ARG_STRING, "DIR",
	    "output folder (default: out)" },
	{ O_FORCE, "build", "force", 0, ARG_NONE, NULL,
	    "build even when the checks find errors" },
	{ O_WATCH, "build", "watch", 'w', ARG_NONE, NULL,
	    "rebuild whenever the content changes (Ctrl-C stops)" },
	{ O_FORMAT, "check", "format", 'f', ARG_STRING, "FORMAT",
	    "text, json, sarif, junit or github (default: text)" },
	{ O_ALERT_RULES, "check", "alert-rules", 0, ARG_LIST, "FILE",
	    "Prometheus alerting rules to match (repeatable)" },
	{ O_WERROR, "check", "werror", 0, ARG_NONE, NULL,
	    "treat warnings as errors" },
	{ O_KIND, "new", "kind", 'k', ARG_STRING, "KIND",
	    "kind of page (default: the site's default kind)" },
	{ O_TITLE, "new", "title", 't', ARG_STRING, "TITLE",
	    "title (default: from the file name)" },
	{ O_SEVERITY, "new", "severity", 's', ARG_STRING, "SEVERITY",
	    "severity, one of the site's (sev1..sev4)" },
	{ O_OWNER, "new", "owner", 0, ARG_STRING, "OWNER",
	    "owning team or person" },
	{ O_ALERT, "new", "alert", 'a', ARG_LIST, "ALERT",
	    "alert id the page answers (repeatable)" },
	{ O_FORMAT, "list", "format", 'f', ARG_STRING, "FORMAT",
	    "text or json (default: text)" },
	{ O_CONFIG, "build check new list", "config", 'c', ARG_STRING, "FILE",
	    "configuration (default: CONTENT_DIR/site.yml)" },
	{ O_TODAY, "build check new list", "today", 0, ARG_STRING,
	    "YYYY-MM-DD", "fix today's date (also SOURCE_DATE_EPOCH)" },
	{ O_JOBS, "build check list", "jobs", 'j', ARG_INT, "N",
	    "parallel jobs (default: online processors)" },
	{ O_QUIET, "build check new", "quiet", 'q', ARG_NONE, NULL,
	    "print errors only" },
	{ O_VERBOSE, "build check list", "verbose", 'v', ARG_NONE, NULL,
	    "print the time each stage took" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

struct command {
	const char *name;
	const char *synopsis;
	const char *summary;
	const char *details;
	int (*run)(const struct opts *);
	int min_operands, max_operands;	/* -1: any number */
};

static const struct command commands[] = {
	{ "build", "[CONTENT_DIR] [-o OUT_DIR] [-j N] [--force] [--watch] "
	    "[--quiet] [--today YYYY-MM-DD]",
	    "check the runbooks, then build the site into OUT_DIR",
	    "Errors stop the build and leave OUT_DIR as it was (unless "
	    "--force);\nwarnings are printed and the build goes on.  "
	    "With --watch, the site\nis rebuilt on every change, one line "
	    "per rebuild.",
	    cmd_build, 0, 1 },
	{ "check", "[CONTENT_DIR [FILE...]] "
	    "[--format text|json|sarif|junit|github]\n"
	    "                      [--alert-rules FILE]... [--werror] "
	    "[--today YYYY-MM-DD]",
	    "validate the runbooks and print diagnostics",
	    "With FILEs named, only those pages are reported; the whole "
	    "site is still\nread for links and alerts (for pre-commit "
	    "hooks on changed files).",
	    cmd_check, 0, -1 },
	{ "new", "[CONTENT_DIR] PATH [--kind K] [--title T] [--severity S] "
	    "[--owner O]\n                      [--alert A]...",
	    "write a new page from its kind's template",
	    "PATH is relative to CONTENT_DIR (\".md\" is added when "
	    "missing).  The page\ngets the kind's sections, each with a "
	    "prompt: check fails until they are\nwritten.  An existing "
	    "file is never overwritten.",
	    cmd_new, 1, 2 },
	{ "list", "[CONTENT_DIR] [--format text|json]",
	    "list the pages: title, kind, severity, owner, alerts, review",
	    "Text is aligned columns on a terminal and tab-separated "
	    "otherwise;\njson is the site's catalog.json.",
	    cmd_list, 0, 1 },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* True when word is one of the space-separated words of list. */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *s;

	for (s = list; (s = strstr(s, word)) != NULL; s += n)
		if ((s == list || s[-1] == ' ') && (s[n] == ' ' ||
		    s[n] == '\0'))
			return true;
	return false;
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Edit distance of two short words, a swap of neighbours counting as one
 * edit (optimal string alignment), for "did you mean" hints.
 */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* Close enough to be a typo: a third of the word, at least one edit. */
static bool
near(const char *typed, const char *known)
{
	size_t d = distance(typed, known), len = strlen(known);

	return d <= (len / 3 > 1 ? len / 3 : 1) ||
	    (strlen(typed) >= 3 && strncmp(typed, known, strlen(typed)) == 0);
}

static void
usage_command(FILE *f, const struct command *c)
{
	size_t i;

	fprintf(f, "usage: runbookc %s %s\n\n%c%s.\n\n%s\n\noptions:\n",
	    c->name, c->synopsis, toupper((unsigned char)c->summary[0]),
	    c->summary + 1, c->details);
	for (i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];
		char left[64];

		if (!has_word(o->commands, c->name))
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    o->shrt ? "-" : " ", o->shrt ? o->shrt : ' ',
		    o->shrt ? ", " : "  ", o->lng, o->argname ? " " : "",
		    o->argname ? o->argname : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fprintf(f, "  %-28s %s\n", "-h, --help", "show this help");
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: runbookc COMMAND [OPTIONS]\n\n"
	    "Builds and validates a handbook of operational runbooks.\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\n  runbookc COMMAND --help    the options of a command\n"
	    "  runbookc --version         the version\n\n"
	    "Colour only on a terminal, never with NO_COLOR set.\n"
	    "Exit status: 0 no errors, 1 errors found, 2 usage, "
	    "configuration or I/O failure.\n"
	    "See runbookc(1).\n");
}

/* A usage error with a hint; returns -1 so callers can return it. */
static int
bad_usage(const char *cmd, const char *hint, const char *fmt,
    const char *arg)
{
	fprintf(stderr, "runbookc: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, "Did you mean '%s'?\n", hint);
	fprintf(stderr, "Try 'runbookc %s%s--help'.\n", cmd ? cmd : "",
	    cmd ? " " : "");
	return -1;
}

/* An unknown option: suggest a near one of this command, or say whose. */
static int
unknown_option(const char *cmd, const char *arg)
{
	const char *name = arg + strspn(arg, "-");
	const char *owner = NULL;
	char hint[72], msg[160];
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strcmp(options[i].lng, name) == 0 &&
		    !has_word(options[i].commands, cmd))
			owner = options[i].commands;
		if (has_word(options[i].commands, cmd) && arg[1] == '-' &&
		    near(name, options[i].lng)) {
			snprintf(hint, sizeof(hint), "--%s", options[i].lng);
			return bad_usage(cmd, hint, "unknown option '%s'", arg);
		}
	}
	if (owner == NULL)
		return bad_usage(cmd, NULL, "unknown option '%s'", arg);
	snprintf(msg, sizeof(msg), "option '%s' is not for %s (it is for: "
	    "%s)", arg, cmd, owner);
	return bad_usage(cmd, NULL, "%s", msg);
}

static const struct option *
find_option(const char *cmd, const char *lng, char shrt)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];

		if (!has_word(o->commands, cmd))
			continue;
		if ((lng && strcmp(o->lng, lng) == 0) ||
		    (!lng && shrt && o->shrt == shrt))
			return o;
	}
	return NULL;
}

static int
set_option(struct opts *o, const struct option *opt, const char *val)
{
	char *end;
	long n;

	switch (opt->id) {
	case O_OUT: o->out = val; break;
	case O_CONFIG: o->config = val; break;
	case O_FORMAT: o->format = val; break;
	case O_TODAY: o->today = val; break;
	case O_KIND: o->kind = val; break;
	case O_TITLE: o->title = val; break;
	case O_SEVERITY: o->severity = val; break;
	case O_OWNER: o->owner = val; break;
	case O_ALERT: strv_push(&o->alerts, val); break;
	case O_ALERT_RULES: strv_push(&o->alert_rules, val); break;
	case O_FORCE: o->force = true; break;
	case O_WATCH: o->watch = true; break;
	case O_WERROR: o->werror = true; break;
	case O_QUIET: o->quiet = true; break;
	case O_VERBOSE: o->verbose = true; break;
	case O_JOBS:
		n = strtol(val, &end, 10);
		if (*val == '\0' || *end || n < 1 || n > 256)
			return bad_usage(o->command, NULL, "-j wants a number "
			    "from 1 to 256, not '%s'", val);
		o->jobs = (int)n;
		break;
	}
	return 0;
}

/*
 * One option argument at argv[*i] (a long option, or a cluster of short
 * ones such as -qv or -ofolder).  Advances *i past a separate value.
 */
static int
parse_option(struct opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *val = NULL;
	const struct option *opt = NULL;
	char lng[64];

	if (a[1] == '-') {
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

		snprintf(lng, sizeof(lng), "%.*s", (int)n, a + 2);
		if ((opt = find_option(o->command, lng, 0)) == NULL)
			return unknown_option(o->command, a);
		val = eq ? eq + 1 : NULL;
		if (opt->arg == ARG_NONE && val)
			return bad_usage(o->command, NULL, "option '--%s' "
			    "takes no value", opt->lng);
	} else {
		for (a++; *a; a++) {
			char s[3] = { '-', *a, '\0' };

			if ((opt = find_option(o->command, NULL, *a)) == NULL)
				return unknown_option(o->command, s);
			if (opt->arg != ARG_NONE)
				break;
			set_option(o, opt, NULL);
		}
		if (*a == '\0' || opt == NULL)
			return 0;
		val = a[1] ? a + 1 : NULL;
	}
	if (opt->arg != ARG_NONE && val == NULL) {
		if (*i + 1 >= argc)
			return bad_usage(o->command, NULL, "option '--%s' needs "
			    "a value", opt->lng);
		val = argv[++*i];
	}
	return set_option(o, opt, val);
}

/* Puts the operands where the command wants them. */
static int
take_operands(struct opts *o, const struct command *c, struct strv *ops)
{
	size_t i, n = ops->n;

	if ((int)n < c->min_operands)
		return bad_usage(c->name, NULL, "%s needs a PATH for the new "
		    "page", c->name);
	if (c->max_operands >= 0 && (int)n > c->max_operands)
		return bad_usage(c->name, NULL, "unexpected operand '%s'",
		    ops->v[c->max_operands]);
	if (strcmp(c->name, "new") == 0) {
		o->path = ops->v[n - 1];
		if (n == 2)
			o->content = ops->v[0];
		return 0;
	}
	if (n > 0)
		o->content = ops->v[0];
	for (i = 1; i < n; i++)
		strv_push(&o->files, ops->v[i]);
	return 0;
}

/* Returns 0, 1 for --help, or -1 on a usage error (already printed). */
static int
parse_args(struct opts *o, const struct command *c, int argc, char **argv,
    struct strv *ops)
{
	bool operands_only = false;
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!operands_only && (strcmp(a, "-h") == 0 ||
		    strcmp(a, "--help") == 0))
			return 1;
		if (!operands_only && strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		if (operands_only || a[0] != '-' || a[1] == '\0') {
			strv_push(ops, a);
			continue;
		}
		if (parse_option(o, argc, argv, &i) < 0)
			return -1;
	}
	return take_operands(o, c, ops);
}

/* Colour on a terminal only; NO_COLOR (non-empty) or TERM=dumb: never. */
static bool
want_color(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd) != 0;
}

static int
unknown_command(const char *name)
{
	const char *hint = NULL;
	size_t i;

	for (i = 0; i < NCOMMANDS && hint == NULL; i++)
		if (near(name, commands[i].name))
			hint = commands[i].name;
	bad_usage(NULL, hint, name[0] == '-' ? "unknown option '%s'" :
	    "unknown command '%s'", name);
	return EXIT_USAGE;
}

/* runbookc help [COMMAND] */
static int
help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 3) {
		usage(stdout);
		return 0;
	}
	if ((c = find_command(argv[2])) == NULL)
		return unknown_command(argv[2]);
	usage_command(stdout, c);
	return 0;
}

static void
opts_free(struct opts *o)
{
	strv_free(&o->alerts);
	strv_free(&o->alert_rules);
	strv_free(&o->files);
}

int
main(int argc, char **argv)
{
	const struct command *c;
	struct strv ops = STRV_INIT;
	struct opts o;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("runbookc %s\n", RUNBOOKC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return help(argc, argv);
	if ((c = find_command(argv[1])) == NULL)
		return unknown_command(argv[1]);
	memset(&o, 0, sizeof(o));
	o.command = c->name;
	o.version = RUNBOOKC_VERSION;
	rc = parse_args(&o, c, argc, argv, &ops);
	if (rc != 0) {
		if (rc > 0)
			usage_command(stdout, c);
		opts_free(&o);
		strv_free(&ops);
		return rc > 0 ? 0 : EXIT_USAGE;
	}
	if (o.content == NULL)
		o.content = "content";
	if (o.out == NULL)
		o.out = "out";
	if (o.jobs == 0)
		o.jobs = pool_default_jobs();
	o.tty_out = isatty(1) != 0;
	o.color_out = want_color(1);
	o.color_err = want_color(2);
	rc = c->run(&o);
	opts_free(&o);
	strv_free(&ops);
	return rc;
}
