/*
 * main: the command line.  Parses options, runs the pipeline
 * (config → scan → parse → link → check → render → write) and decides the
 * exit status: 0 clean, 1 errors found, 2 usage, configuration or I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "markdown.h"
#include "page.h"
#include "pool.h"
#include "render.h"
#include "scan.h"
#include "site.h"
#include "str.h"
#include "theme.h"

#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

struct opts {
	const char *command;
	const char *content;
	const char *out;
	const char *config;
	const char *format;
	const char *today;
	struct strv alert_rules;
	struct strv files;
	int jobs;
	int quiet, force, werror, verbose;
};

/* One table drives both parsing and --help (git's parse-options). */
enum arg { ARG_NONE, ARG_STRING, ARG_INT, ARG_LIST };
struct option {
	const char *commands;	/* space-separated commands it applies to */
	const char *lng;
	char shrt;
	enum arg arg;
	const char *argname;
	const char *help;
};

static const struct option options[] = {
	{ "build", "out", 'o', ARG_STRING, "DIR",
	    "output folder (default: out)" },
	{ "build", "jobs", 'j', ARG_INT, "N",
	    "parallel jobs (default: online cores)" },
	{ "build", "force", 0, ARG_NONE, NULL,
	    "build even when the checks find errors" },
	{ "build check", "config", 0, ARG_STRING, "FILE",
	    "configuration file (default: CONTENT_DIR/site.yml)" },
	{ "check", "format", 'f', ARG_STRING, "FORMAT",
	    "text, json, sarif, junit or github (default: text)" },
	{ "check", "alert-rules", 0, ARG_LIST, "FILE",
	    "Prometheus alerting rules to match against (repeatable)" },
	{ "check", "werror", 0, ARG_NONE, NULL,
	    "treat warnings as errors" },
	{ "build check", "today", 0, ARG_STRING, "YYYY-MM-DD",
	    "fix today's date (also SOURCE_DATE_EPOCH)" },
	{ "build check", "quiet", 'q', ARG_NONE, NULL,
	    "print only errors" },
	{ "build check", "verbose", 'v', ARG_NONE, NULL,
	    "print the time each stage took" },
};

static const struct {
	const char *name;
	const char *synopsis;
	const char *summary;
} commands[] = {
	{ "build", "[CONTENT_DIR] [-o OUT_DIR] [-j N] [--force] [--quiet] "
	    "[--today YYYY-MM-DD]",
	    "check the runbooks, then build the site into OUT_DIR" },
	{ "check", "[CONTENT_DIR] [--format text|json|sarif|junit|github] "
	    "[--alert-rules FILE]... [--werror] [--today YYYY-MM-DD]",
	    "validate the runbooks and print diagnostics" },
};

static void
usage_command(FILE *f, const char *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, cmd) == 0)
			fprintf(f, "usage: runbookc %s %s\n\n%s.\n\noptions:\n",
			    cmd, commands[i].synopsis, commands[i].summary);
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct option *o = &options[i];
		char left[64];

		if (strstr(o->commands, cmd) == NULL)
			continue;
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s",
		    o->shrt ? "-" : "", o->shrt ? o->shrt : ' ',
		    o->shrt ? ", " : "  ", o->lng, o->argname ? " " : "",
		    o->argname ? o->argname : "");
		fprintf(f, "  %-32s %s\n", o->shrt ? left : left + 2,
		    o->help);
	}
	fprintf(f, "  %-32s %s\n", "-h, --help", "show this help");
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: runbookc COMMAND [OPTIONS]\n\n"
	    "Builds and validates a handbook of operational runbooks.\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n  runbookc --version\n  runbookc COMMAND --help\n\n"
	    "Exit status: 0 no errors, 1 errors found, 2 usage, configuration "
	    "or I/O failure.\n");
}

static int
bad_usage(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "runbookc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'runbookc %s%s--help'.\n", cmd ? cmd : "",
	    cmd ? " " : "");
	return -1;
}

static int
set_option(struct opts *o, const struct option *opt, const char *val)
{
	char *end;
	long n;

	if (strcmp(opt->lng, "out") == 0)
		o->out = val;
	else if (strcmp(opt->lng, "config") == 0)
		o->config = val;
	else if (strcmp(opt->lng, "format") == 0)
		o->format = val;
	else if (strcmp(opt->lng, "today") == 0)
		o->today = val;
	else if (strcmp(opt->lng, "alert-rules") == 0)
		strv_push(&o->alert_rules, val);
	else if (strcmp(opt->lng, "force") == 0)
		o->force = 1;
	else if (strcmp(opt->lng, "werror") == 0)
		o->werror = 1;
	else if (strcmp(opt->lng, "quiet") == 0)
		o->quiet = 1;
	else if (strcmp(opt->lng, "verbose") == 0)
		o->verbose = 1;
	else if (strcmp(opt->lng, "jobs") == 0) {
		n = strtol(val, &end, 10);
		if (*end || n < 1 || n > 256)
			return bad_usage(o->command, "-j wants a number from 1 "
			    "to 256, not '%s'", val);
		o->jobs = (int)n;
	}
	return 0;
}

static const struct option *
find_option(const char *cmd, const char *lng, char shrt)
{
	size_t i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct option *o = &options[i];

		if (strstr(o->commands, cmd) == NULL)
			continue;
		if ((lng && strcmp(o->lng, lng) == 0) ||
		    (!lng && shrt && o->shrt == shrt))
			return o;
	}
	return NULL;
}

/* Returns 0, 1 for --help, or -1 on a usage error (already printed). */
static int
parse_args(struct opts *o, int argc, char **argv)
{
	int i;
	int positional = 0;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct option *opt;
		char lng[64];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return 1;
		if (strcmp(a, "--") == 0) {
			positional = 1;
			continue;
		}
		if (positional || a[0] != '-' || a[1] == '\0') {
			if (o->content == NULL)
				o->content = a;
			else
				strv_push(&o->files, a);
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			snprintf(lng, sizeof(lng), "%.*s", (int)n, a + 2);
			opt = find_option(o->command, lng, 0);
			val = eq ? eq + 1 : NULL;
		} else {
			opt = find_option(o->command, NULL, a[1]);
			val = a[2] ? a + 2 : NULL;
		}
		if (opt == NULL)
			return bad_usage(o->command, "unknown option '%s'", a);
		if (opt->arg == ARG_NONE) {
			if (val && a[1] == '-')
				return bad_usage(o->command, "option '%s' takes "
				    "no value", a);
		} else if (val == NULL) {
			if (i + 1 >= argc)
				return bad_usage(o->command, "option '%s' needs "
				    "a value", a);
			val = argv[++i];
		}
		if (set_option(o, opt, val) < 0)
			return -1;
	}
	return 0;
}

/* "Now", in days since the epoch: --today, SOURCE_DATE_EPOCH or the clock. */
static long
resolve_today(const struct opts *o)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	if (o->today)
		return check_parse_date(o->today);
	if (sde && *sde) {
		char *end;
		long long t = strtoll(sde, &end, 10);

		if (*end == '\0' && t >= 0)
			return (long)(t / 86400);
		return -1;
	}
	return (long)(time(NULL) / 86400);
}

/* The content's git commit, for the print book; NULL outside git. */
static char *
content_commit(const char *content)
{
	const char *env = getenv("RUNBOOKC_COMMIT");
	struct buf cmd = BUF_INIT;
	char line[64];
	FILE *f;
	char *out = NULL;

	if (env)
		return *env ? xstrdup(env) : NULL;
	buf_puts(&cmd, "git -C '");
	for (; *content; content++)
		if (*content == '\'')
			buf_puts(&cmd, "'\\''");
		else
			buf_putc(&cmd, *content);
	buf_puts(&cmd, "' rev-parse --short=12 HEAD 2>/dev/null");
	f = popen(cmd.data, "r");
	buf_free(&cmd);
	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line)
			out = xstrdup(line);
	}
	pclose(f);
	return out;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
stage_time(const struct opts *o, const char *stage, double *t)
{
	double n = now_ms();

	if (o->verbose)
		fprintf(stderr, "runbookc: %-6s %8.1f ms\n", stage, n - *t);
	*t = n;
}

struct loaded {
	struct config cfg;
	struct site site;
	struct diag_list diags;
	struct strv files;	/* every page's file name, for reports */
	long today;
};

struct load_job {
	struct page **pages;
	const struct config *cfg;
};

static void
load_page(void *ud, size_t i)
{
	struct load_job *j = ud;

	page_load(j->pages[i], j->cfg);
}

/*
 * config → scan → parse → link → check.  Returns 0, or EXIT_USAGE when
 * the content or configuration cannot be used (diagnostics printed).
 */
static int
load_site(const struct opts *o, struct loaded *L)
{
	struct scan_result sr;
	struct page **pages;
	struct load_job job;
	struct check_opts co;
	char *cfgpath = NULL;
	double t = now_ms();
	size_t i;

	memset(L, 0, sizeof(*L));
	L->today = resolve_today(o);
	if (L->today < 0) {
		fprintf(stderr, "runbookc: invalid date in --today or "
		    "SOURCE_DATE_EPOCH\n");
		return EXIT_USAGE;
	}
	if (!fs_is_dir(o->content)) {
		fprintf(stderr, "runbookc: %s: no such content folder\n",
		    o->content);
		return EXIT_USAGE;
	}
	if (o->config)
		cfgpath = xstrdup(o->config);
	else {
		cfgpath = path_join(o->content, "site.yml");
		if (!fs_is_file(cfgpath)) {
			free(cfgpath);
			cfgpath = NULL;
		}
	}
	if (config_load(&L->cfg, cfgpath, &L->diags) < 0) {
		free(cfgpath);
		return EXIT_USAGE;
	}
	free(cfgpath);
	stage_time(o, "config", &t);
	if (scan_content(o->content, &L->cfg, &sr, &L->diags) < 0) {
		fprintf(stderr, "runbookc: %s: cannot read the content "
		    "folder\n", o->content);
		return EXIT_USAGE;
	}
	stage_time(o, "scan", &t);
	md_init();
	pages = xcalloc(sr.pages.n + 1, sizeof(*pages));
	for (i = 0; i < sr.pages.n; i++) {
		pages[i] = page_new(o->content, sr.pages.v[i]);
		strv_push(&L->files, pages[i]->file);
	}
	job.pages = pages;
	job.cfg = &L->cfg;
	pool_run(sr.pages.n, o->jobs, load_page, &job);
	for (i = 0; i < sr.pages.n; i++)
		diag_move(&L->diags, &pages[i]->diags);
	stage_time(o, "parse", &t);
	site_link(&L->site, &L->cfg, o->content, pages, sr.pages.n,
	    &sr.assets);
	scan_free(&sr);
	stage_time(o, "link", &t);
	memset(&co, 0, sizeof(co));
	co.today = L->today;
	co.alert_rule_files = (const char *const *)o->alert_rules.v;
	co.nalert_rule_files = o->alert_rules.n;
	check_site(&L->site, &co, &L->diags);
	diag_sort(&L->diags);
	stage_time(o, "check", &t);
	return 0;
}

static void
loaded_free(struct loaded *L)
{
	site_free(&L->site);
	config_free(&L->cfg);
	diag_free(&L->diags);
	strv_free(&L->files);
}

static void
print_config_diags(struct loaded *L)
{
	struct diag_report r;

	diag_sort(&L->diags);
	memset(&r, 0, sizeof(r));
	r.diags = &L->diags;
	r.color = isatty(2) && getenv("NO_COLOR") == NULL;
	diag_write(stderr, DIAG_TEXT, &r);
}

static int
cmd_check(struct opts *o)
{
	struct loaded L;
	struct diag_report r;
	enum diag_format fmt = DIAG_TEXT;
	size_t ne, nw;
	int rc;

	if (o->format && diag_format_parse(o->format, &fmt) < 0) {
		bad_usage("check", "unknown format '%s' (text, json, sarif, "
		    "junit, github)", o->format);
		return EXIT_USAGE;
	}
	if ((rc = load_site(o, &L)) != 0) {
		print_config_diags(&L);
		loaded_free(&L);
		return rc;
	}
	memset(&r, 0, sizeof(r));
	r.diags = &L.diags;
	r.files = (const char *const *)L.files.v;
	r.nfiles = L.files.n;
	r.tool_version = RUNBOOKC_VERSION;
	r.color = fmt == DIAG_TEXT && isatty(1) && getenv("NO_COLOR") == NULL;
	r.werror = o->werror;
	diag_write(stdout, fmt, &r);
	ne = diag_count(&L.diags, DIAG_ERROR);
	nw = diag_count(&L.diags, DIAG_WARNING);
	loaded_free(&L);
	if (fflush(stdout) != 0)
		return EXIT_USAGE;
	return ne || (o->werror && nw) ? EXIT_FINDINGS : 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmd_build(struct opts *o)
{
	struct loaded L;
	struct theme th;
	struct fs_stage st;
	struct render_opts ro;
	struct strv written = STRV_INIT;
	struct diag_report r;
	size_t ne;
	double t;
	int rc;

	if ((rc = load_site(o, &L)) != 0) {
		print_config_diags(&L);
		loaded_free(&L);
		return rc;
	}
	memset(&r, 0, sizeof(r));
	r.diags = &L.diags;
	r.nfiles = L.files.n;
	r.color = isatty(2) && getenv("NO_COLOR") == NULL;
	ne = diag_count(&L.diags, DIAG_ERROR);
	if (o->quiet) {
		/* Only errors: drop the warnings before printing. */
		struct diag_list errs = DIAG_LIST_INIT;
		size_t i;

		for (i = 0; i < L.diags.n; i++)
			if (L.diags.v[i].severity == DIAG_ERROR)
				diag_add(&errs, L.diags.v[i].file,
				    L.diags.v[i].line, L.diags.v[i].col,
				    DIAG_ERROR, L.diags.v[i].rule, "%s",
				    L.diags.v[i].msg);
		r.diags = &errs;
		diag_write(stderr, DIAG_TEXT, &r);
		diag_free(&errs);
	} else
		diag_write(stderr, DIAG_TEXT, &r);
	if (ne && !o->force) {
		fprintf(stderr, "runbookc: %zu error%s; %s left unchanged "
		    "(--force builds anyway)\n", ne, ne == 1 ? "" : "s",
		    o->out);
		loaded_free(&L);
		return EXIT_FINDINGS;
	}
	t = now_ms();
	diag_free(&L.diags);
	if (theme_open(&th, L.cfg.theme_dir, &L.diags) < 0 ||
	    fs_stage_begin(&st, o->out) < 0) {
		if (L.diags.n == 0)
			fprintf(stderr, "runbookc: %s: cannot prepare the "
			    "output: %s\n", o->out, strerror(errno));
		print_config_diags(&L);
		theme_close(&th);
		loaded_free(&L);
		return EXIT_USAGE;
	}
	memset(&ro, 0, sizeof(ro));
	ro.out_dir = st.dir;
	ro.jobs = o->jobs;
	ro.today = L.today;
	ro.commit = content_commit(o->content);
	ro.version = "runbookc " RUNBOOKC_VERSION;
	rc = render_site(&L.site, &th, &ro, &written, &L.diags);
	free((char *)ro.commit);
	stage_time(o, "render", &t);
	if (rc == 0) {
		qsort(written.v, written.n, sizeof(*written.v), cmp_str);
		fs_stage_prune(&st, written.v, written.n);
		if (fs_stage_commit(&st) < 0) {
			fprintf(stderr, "runbookc: %s: cannot replace the "
			    "output: %s\n", o->out, strerror(errno));
			rc = -1;
		}
	} else
		fs_stage_abort(&st);
	stage_time(o, "write", &t);
	if (rc < 0)
		print_config_diags(&L);
	else if (!o->quiet)
		fprintf(stderr, "runbookc: built %zu pages into %s\n",
		    L.site.npages, o->out);
	strv_free(&written);
	theme_close(&th);
	loaded_free(&L);
	return rc < 0 ? EXIT_USAGE : 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("runbookc %s\n", RUNBOOKC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	o.command = argv[1];
	if (strcmp(o.command, "build") != 0 && strcmp(o.command, "check") != 0) {
		fprintf(stderr, "runbookc: unknown command '%s'\nTry 'runbookc "
		    "--help'.\n", o.command);
		return EXIT_USAGE;
	}
	rc = parse_args(&o, argc, argv);
	if (rc != 0) {
		if (rc > 0)
			usage_command(stdout, o.command);
		strv_free(&o.alert_rules);
		strv_free(&o.files);
		return rc > 0 ? 0 : EXIT_USAGE;
	}
	if (o.content == NULL)
		o.content = "content";
	if (o.out == NULL)
		o.out = "out";
	if (o.jobs == 0)
		o.jobs = pool_default_jobs();
	if (strcmp(o.command, "check") == 0)
		rc = cmd_check(&o);
	else
		rc = cmd_build(&o);
	strv_free(&o.alert_rules);
	strv_free(&o.files);
	return rc;
}
