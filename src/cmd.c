#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "progress.h"

static int load(const struct opts *o, struct pipeline *pl,
    struct pipeline_opts *po);

int
cmd_load(const struct opts *o, struct pipeline *pl)
{
	struct pipeline_opts po;

	memset(&po, 0, sizeof(po));
	po.check_only = true;	/* check and list show no page */
	return load(o, pl, &po);
}

int
cmd_load_cached(const struct opts *o, struct pipeline *pl,
    struct pipeline_opts *po)
{
	po->check_only = false;
	return load(o, pl, po);
}

/* Runs the pipeline with what po says and o's options. */
static int
load(const struct opts *o, struct pipeline *pl, struct pipeline_opts *po)
{
	struct progress *progress = po->progress;

	po->content = o->content;
	po->config = o->config;
	po->today = o->today;
	po->alert_rules = (const char *const *)o->alert_rules.v;
	po->nalert_rules = o->alert_rules.n;
	po->jobs = o->jobs;
	if (pipeline_load(pl, po) == 0) {
		if (o->verbose)
			progress_hide(progress);
		cmd_timing(o, pl, STAGE_CONFIG, STAGE_CHECK);
		return 0;
	}
	progress_hide(progress);
	if (*pl->error)
		fprintf(stderr, "runbookc: %s\n", pl->error);
	diag_sort(&pl->diags);
	cmd_print_diags(o, &pl->diags, 0, false);
	return EXIT_USAGE;
}

void
cmd_timing(const struct opts *o, const struct pipeline *pl,
    enum pipeline_stage first, enum pipeline_stage last)
{
	int st;

	if (!o->verbose)
		return;
	for (st = (int)first; st <= (int)last; st++)
		fprintf(stderr, "runbookc: %-6s %9.1f ms\n",
		    pipeline_stage_name((enum pipeline_stage)st), pl->ms[st]);
}

void
cmd_print_diags(const struct opts *o, const struct diag_list *dl,
    size_t nfiles, bool errors_only)
{
	struct diag_list errs = DIAG_LIST_INIT;
	struct diag_report r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.diags = dl;
	r.nfiles = nfiles;
	r.color = o->color_err;
	if (errors_only) {
		for (i = 0; i < dl->n; i++)
			if (dl->v[i].severity == DIAG_ERROR)
				diag_add(&errs, dl->v[i].file, dl->v[i].line,
				    dl->v[i].col, DIAG_ERROR, dl->v[i].rule,
				    "%s", dl->v[i].msg);
		r.diags = &errs;
	}
	diag_write(stderr, DIAG_TEXT, &r);
	diag_free(&errs);
}

char *
cmd_content_commit(const char *content)
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
