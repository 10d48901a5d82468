/*
 * runbookc build [CONTENT_DIR] [-o OUT_DIR] [--watch]: check, then render
 * and write the site; with --watch, again on every change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "fsutil.h"
#include "render.h"
#include "theme.h"
#include "watch.h"

#define WATCH_SETTLE_MS 100

/* What one build did, for the line --watch prints. */
struct build_result {
	size_t pages, errors, warnings;
	bool written;
	double ms;
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* render → write: the new site replaces o->out whole, or not at all. */
static int
render_and_write(const struct opts *o, struct pipeline *pl)
{
	struct theme th;
	struct fs_stage st;
	struct render_opts ro;
	struct strv written = STRV_INIT;
	double t = pipeline_now_ms(), t2;
	int rc;

	diag_free(&pl->diags);
	memset(&th, 0, sizeof(th));
	if (theme_open(&th, pl->cfg.theme_dir, &pl->diags) < 0 ||
	    fs_stage_begin(&st, o->out) < 0) {
		if (pl->diags.n == 0)
			fprintf(stderr, "runbookc: %s: cannot prepare the "
			    "output: %s\n", o->out, strerror(errno));
		cmd_print_diags(o, &pl->diags, 0, false);
		theme_close(&th);
		return -1;
	}
	memset(&ro, 0, sizeof(ro));
	ro.out_dir = st.dir;
	ro.jobs = o->jobs;
	ro.today = pl->today;
	ro.commit = cmd_content_commit(o->content);
	ro.version = o->version;
	rc = render_site(&pl->site, &th, &ro, &written, &pl->diags);
	free((char *)ro.commit);
	t2 = pipeline_now_ms();
	pl->ms[STAGE_RENDER] = t2 - t;
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
	pl->ms[STAGE_WRITE] = pipeline_now_ms() - t2;
	if (rc < 0)
		cmd_print_diags(o, &pl->diags, 0, false);
	strv_free(&written);
	theme_close(&th);
	return rc;
}

/* One build: the exit status it would have on its own. */
static int
build_once(const struct opts *o, struct build_result *br)
{
	struct pipeline pl;
	double t0 = pipeline_now_ms();
	int rc;

	memset(br, 0, sizeof(*br));
	if ((rc = cmd_load(o, &pl)) != 0) {
		pipeline_free(&pl);
		br->ms = pipeline_now_ms() - t0;
		return rc;
	}
	br->pages = pl.site.npages;
	br->errors = diag_count(&pl.diags, DIAG_ERROR);
	br->warnings = diag_count(&pl.diags, DIAG_WARNING);
	cmd_print_diags(o, &pl.diags, pl.files.n, o->quiet);
	if (br->errors && !o->force) {
		if (!o->watch)
			fprintf(stderr, "runbookc: %zu error%s; %s left "
			    "unchanged (--force builds anyway)\n", br->errors,
			    br->errors == 1 ? "" : "s", o->out);
		pipeline_free(&pl);
		br->ms = pipeline_now_ms() - t0;
		return EXIT_FINDINGS;
	}
	rc = render_and_write(o, &pl);
	cmd_timing(o, &pl, STAGE_RENDER, STAGE_WRITE);
	br->written = rc == 0;
	if (rc == 0 && !o->quiet && !o->watch)
		fprintf(stderr, "runbookc: built %zu pages into %s\n",
		    br->pages, o->out);
	pipeline_free(&pl);
	br->ms = pipeline_now_ms() - t0;
	return rc < 0 ? EXIT_USAGE : 0;
}

/* The one line --watch prints per build. */
static void
watch_line(const struct opts *o, const char *what, int rc,
    const struct build_result *br)
{
	char clock[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	fprintf(stderr, "runbookc: %s %s%s", clock, what, *what ? ": " : "");
	if (rc == 0)
		fprintf(stderr, "built %zu pages into %s in %.0f ms",
		    br->pages, o->out, br->ms);
	else if (rc == EXIT_FINDINGS)
		fprintf(stderr, "%zu error%s; %s left unchanged",
		    br->errors, br->errors == 1 ? "" : "s", o->out);
	else
		fprintf(stderr, "build failed; %s left unchanged", o->out);
	if (br->warnings && !o->quiet)
		fprintf(stderr, " (%zu warning%s)", br->warnings,
		    br->warnings == 1 ? "" : "s");
	fputc('\n', stderr);
	fflush(stderr);
}

/*
 * --watch: build, then rebuild on every change to the content, the
 * configuration or the theme, until interrupted.  A failed build does not
 * end the loop: the writer fixes the file and saves again.
 */
static int
build_watch(const struct opts *o)
{
	struct build_result br;
	const char *paths[3];
	struct watch *w;
	char what[1024], err[256];
	int rc;

	rc = build_once(o, &br);
	watch_line(o, "", rc, &br);
	paths[0] = o->content;
	paths[1] = o->config;
	paths[2] = NULL;
	if ((w = watch_open(paths, 2, o->out, err, sizeof(err))) == NULL) {
		fprintf(stderr, "runbookc: %s: %s\n", o->content, err);
		return EXIT_USAGE;
	}
	if (!o->quiet)
		fprintf(stderr, "runbookc: watching %s for changes "
		    "(Ctrl-C stops)\n", o->content);
	for (;;) {
		if (watch_wait(w, WATCH_SETTLE_MS, what, sizeof(what), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "runbookc: %s\n", err);
			watch_close(w);
			return EXIT_USAGE;
		}
		rc = build_once(o, &br);
		watch_line(o, what, rc, &br);
	}
}

int
cmd_build(const struct opts *o)
{
	struct build_result br;

	if (o->watch)
		return build_watch(o);
	return build_once(o, &br);
}
