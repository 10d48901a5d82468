#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "check.h"
#include "digest.h"
#include "findings.h"
#include "fsutil.h"
#include "inputs.h"
#include "markdown.h"
#include "page.h"
#include "pcache.h"
#include "pool.h"
#include "progress.h"
#include "scan.h"

long
pipeline_today(const char *today)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	if (today)
		return check_parse_date(today);
	if (sde && *sde) {
		char *end;
		long long t = strtoll(sde, &end, 10);

		if (*end == '\0' && t >= 0)
			return (long)(t / 86400);
		return -1;
	}
	return (long)(time(NULL) / 86400);
}

double
pipeline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *
pipeline_stage_name(enum pipeline_stage st)
{
	static const char *const names[] = {
		"config", "scan", "parse", "link", "check", "render", "write",
	};

	return st < STAGE__COUNT ? names[st] : "?";
}

static void
stage_done(struct pipeline *pl, enum pipeline_stage st, double *t)
{
	double n = pipeline_now_ms();

	pl->ms[st] += n - *t;
	*t = n;
}

struct load_job {
	struct page **pages;
	const struct config *cfg;
	const struct pcache *cache;
	struct input_set *known;
	struct pcache_writer *writer;
	enum page_use use;
	struct progress *progress;
};

/* From the parse cache when it has the page's bytes, else parsed. */
static void
load_page(void *ud, size_t i)
{
	struct load_job *j = ud;
	struct page *p = j->pages[i];
	/* Each page's own record: written here alone, on the pool. */
	struct input_file *f = j->known ? inputs_find(j->known, p->path) :
	    NULL;

	/* User rules read the text itself: the checks read it again for
	 * the pages whose findings they cannot keep. */
	if (f && !f->pending && pcache_restore(j->cache, p, f->hash,
	    (size_t)f->size, j->cfg->nrules > 0)) {
		progress_tick(j->progress);
		return;
	}
	if (page_load(p, j->cfg, j->use) && f && f->pending &&
	    (long long)p->len == f->size) {
		f->hash = p->hash;
		f->pending = false;
	}
	pcache_add(j->writer, i, p);
	/* Only user rules read the source and code after parsing (and the
	 * parse cache has them now): without rules they go now, not after
	 * the whole site is parsed (a build's peak). */
	if (j->cfg->nrules == 0)
		page_drop_source(p);
	progress_tick(j->progress);
}

/* CONTENT/site.yml when there is one, else NULL (built-in defaults). */
static char *
config_path(const struct pipeline_opts *o)
{
	char *p;

	if (o->config)
		return xstrdup(o->config);
	p = path_join(o->content, "site.yml");
	if (!fs_is_file(p)) {
		free(p);
		p = NULL;
	}
	return p;
}

/* Scan and parse: every page of the folder, read in parallel. */
static int
load_pages(struct pipeline *pl, const struct pipeline_opts *o, double *t)
{
	struct scan_result sr;
	struct page **pages;
	struct load_job job;
	size_t i;

	if (scan_content(o->content, &pl->cfg, &sr, &pl->diags) < 0) {
		snprintf(pl->error, sizeof(pl->error), "%s: cannot read the "
		    "content folder", o->content);
		return -1;
	}
	stage_done(pl, STAGE_SCAN, t);
	md_init();
	pages = xcalloc(sr.pages.n + 1, sizeof(*pages));
	for (i = 0; i < sr.pages.n; i++) {
		pages[i] = page_new(o->content, sr.pages.v[i]);
		strv_push(&pl->files, pages[i]->file);
	}
	job.pages = pages;
	job.cfg = &pl->cfg;
	job.cache = o->cache_of ? o->cache_of(o->cache_ud) : NULL;
	job.known = o->known;
	job.writer = o->writer;
	job.use = o->check_only ? PAGE_FOR_CHECK : PAGE_FOR_SITE;
	job.progress = o->progress;
	progress_phase(o->progress, "parse", sr.pages.n);
	pool_run(sr.pages.n, o->jobs, load_page, &job);
	arena_release();	/* this thread parsed pages too */
	/* Copied, not moved: the parse cache keeps each page's own. */
	for (i = 0; i < sr.pages.n; i++)
		diag_copy(&pl->diags, &pages[i]->diags);
	stage_done(pl, STAGE_PARSE, t);
	if (o->parsed)
		o->parsed(o->parsed_ud);
	progress_phase(o->progress, "link", 0);
	site_link(&pl->site, &pl->cfg, o->content, pages, sr.pages.n,
	    &sr.assets, &sr.folders, o->jobs);
	scan_free(&sr);
	stage_done(pl, STAGE_LINK, t);
	return 0;
}

int
pipeline_load(struct pipeline *pl, const struct pipeline_opts *o)
{
	struct check_opts co;
	char *cfgpath;
	double t = pipeline_now_ms();
	int rc;

	memset(pl, 0, sizeof(*pl));
	pl->today = pipeline_today(o->today);
	if (pl->today < 0) {
		snprintf(pl->error, sizeof(pl->error), "invalid date in %s",
		    o->today ? "--today (want YYYY-MM-DD)" :
		    "SOURCE_DATE_EPOCH (want seconds since 1970)");
		return -1;
	}
	if (!fs_is_dir(o->content)) {
		snprintf(pl->error, sizeof(pl->error), fs_is_file(o->content) ?
		    "%s: a file, not a content folder (the folder comes first: "
		    "CONTENT_DIR FILE...)" : "%s: no such content folder",
		    o->content);
		return -1;
	}
	cfgpath = config_path(o);
	rc = config_load(&pl->cfg, cfgpath, &pl->diags);
	free(cfgpath);
	if (rc < 0)
		return -1;
	stage_done(pl, STAGE_CONFIG, &t);
	if (load_pages(pl, o, &t) < 0)
		return -1;
	progress_phase(o->progress, "check", 0);
	memset(&co, 0, sizeof(co));
	co.today = pl->today;
	co.alert_rule_files = o->alert_rules;
	co.nalert_rule_files = o->nalert_rules;
	co.jobs = o->jobs;
	co.checked = &pl->checked;
	if (o->global) {
		pl->face = digest_site_face(&pl->site, o->jobs);
		co.key = digest_site_key(o->global, pl->face);
		co.prev = o->findings;
		co.memo = &pl->findings;
	}
	rc = check_site(&pl->site, &co, &pl->diags);
	diag_sort(&pl->diags);
	stage_done(pl, STAGE_CHECK, &t);
	return rc < 0 ? -1 : 0;	/* unusable --alert-rules: exit status 2 */
}

#if defined(__SANITIZE_ADDRESS__)
#define FREE_LAST_MODEL 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FREE_LAST_MODEL 1
#endif
#endif

#ifndef FREE_LAST_MODEL
/* volatile: the store is what keeps it reachable. */
static struct pipeline *volatile last_model;
#endif

void
pipeline_leave(struct pipeline *pl)
{
#ifndef FREE_LAST_MODEL
	struct pipeline *keep = xmalloc(sizeof(*keep));

	*keep = *pl;
	last_model = keep;
#else
	pipeline_free(pl);
#endif
}

void
pipeline_free(struct pipeline *pl)
{
	site_free(&pl->site);
	config_free(&pl->cfg);
	diag_free(&pl->diags);
	strv_free(&pl->files);
	findings_free(&pl->findings);
}
