/*
 * runbookc build [CONTENT_DIR] [-o OUT_DIR] [--watch]: check, then render
 * and write the site; with --watch, again on every change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "fsutil.h"
#include "pcache.h"
#include "pool.h"
#include "progress.h"
#include "rctx.h"
#include "render.h"
#include "stage.h"
#include "stamp.h"
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

/* Moves v->v[from..] (a few) into place in the sorted v->v[0..from). */
static void
insert_sorted(struct strv *v, size_t from)
{
	size_t i, j;

	for (i = from; i < v->n; i++) {
		char *s = v->v[i];

		for (j = i; j > 0 && strcmp(v->v[j - 1], s) > 0; j--)
			v->v[j] = v->v[j - 1];
		v->v[j] = s;
	}
}

/* What the build knows of its inputs, for the stamp it leaves. */
struct inputs {
	struct stamp_inputs in;
	struct stamp old;	/* the stamp of the site in place */
	struct pcache *cache;	/* the parse cache of the site in place */
	struct pcache_writer *writer;	/* the next one, made while parsing */
	struct progress *progress;	/* the terminal's progress line */
	struct stamp_print fp;
	bool have_fp;		/* fingerprinted before parsing */
	char *commit;
	/* out's folder, and the highest folder above out this build made
	 * (NULL: none), which it removes again when it writes nothing. */
	char *parent, *made;
};

/* Whether the inputs read the same after the build as before it. */
struct recheck {
	const struct inputs *ip;
	bool same;
};

static void
recheck_inputs(void *ud)
{
	struct recheck *rc = ud;
	struct stamp_print after;

	/* Files untouched since they were hashed are only stat'ed again. */
	rc->same = stamp_fingerprint(&rc->ip->in, &rc->ip->fp.files,
	    &after) == 0 && after.fp == rc->ip->fp.fp;
	stamp_print_free(&after);
}

/* Removes what stamp_write() left in dir. */
static void
unstamp(const char *dir)
{
	char *p = path_join(dir, STAMP_FILE);

	unlink(p);
	free(p);
	p = path_join(dir, STAMP_CACHE_FILE);
	unlink(p);
	free(p);
}

/*
 * Leaves the stamp in the staging folder, but only when the inputs read
 * the same after the build as before it: a file edited mid-build must not
 * be stamped as built.  The inputs are read again on a thread while the
 * stamp is written (each is tens of milliseconds at 10,000 pages), and
 * the stamp removed when they changed.
 */
static void
leave_stamp(const struct inputs *ip, const struct pipeline *pl,
    const struct diag_list *checked, const char *dir, struct strv *written,
    const struct stamp_keys *keys)
{
	struct recheck rc;
	struct pool_task task;
	bool stamped;

	if (!ip->have_fp)
		return;
	rc.ip = ip;
	rc.same = false;
	pool_task_start(&task, ip->in.jobs, recheck_inputs, &rc);
	/* The paths above the content root where scripts were looked for
	 * are inputs too: those found, and those missing until one is put
	 * there. */
	stamped = stamp_write(dir, &ip->fp, checked, &pl->findings,
	    pl->site.npages, written->v, written->n,
	    site_outside_paths(&pl->site), keys, ip->in.jobs) == 0;
	pool_task_join(&task);
	if (stamped && rc.same) {
		strv_push(written, STAMP_FILE);
		strv_push(written, STAMP_CACHE_FILE);
	} else
		unstamp(dir);
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct stage_file *)a)->path,
	    ((const struct stage_file *)b)->path);
}

/* v (n files) as a list sorted by path, which a stamp's order is but
 * for a stamp of an earlier version. */
static const struct stage_list *
sorted_list(struct stage_file *v, size_t n, struct stage_list *l)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1].path, v[i].path) > 0)
			break;
	if (i < n)
		qsort(v, n, sizeof(*v), cmp_file);
	l->v = v;
	l->n = n;
	return l;
}

/* The files a stamp lists, by path and inode, sorted; NULL when it does
 * not say which inodes (no stamp, or no cache beside it). */
static const struct stage_list *
listed_files(const struct stamp *sp, struct stage_list *l)
{
	struct stage_file *v;
	size_t i;

	if (!sp->valid || !sp->cached)
		return NULL;
	v = xcalloc(sp->files.n + 1, sizeof(*v));
	for (i = 0; i < sp->files.n; i++) {
		v[i].path = sp->files.v[i].path;
		v[i].ino = sp->files.v[i].ino;
	}
	return sorted_list(v, sp->files.n, l);
}

/* The same of a listing read alone (stamp_read_listing()). */
static const struct stage_list *
listing_files(const struct stamp_listing *sl, struct stage_list *l)
{
	struct stage_file *v = xcalloc(sl->n + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < sl->n; i++) {
		v[i].path = sl->paths[i];
		v[i].ino = sl->inos[i];
	}
	return sorted_list(v, sl->n, l);
}

/*
 * The staging tree, made on a thread of its own while the pipeline
 * parses, links and checks: it needs only the two stamps, and it is
 * syscalls (a rename, then a link or unlink per file that differs, tens
 * of thousands when no kept site can be used) that would otherwise hold
 * up the render; beside the link and check stages it fills what their
 * jobs leave of the cores.
 */
struct stager {
	const char *out;
	struct stamp *cur;	/* out's */
	int jobs;
	struct stamp_listing prev;	/* the kept site's stamp */
	struct stage_list lists[2];
	struct stage st;
	struct pool_task task;
	bool started;		/* and not yet ended (end_stage) */
	int rc, err;
};

/* From the site kept beside out by the last build when both its stamp
 * and out's say which files they hold, else from out. */
static void
stager_run(void *ud)
{
	struct stager *sg = ud;
	char *pdir = stage_prev_dir(sg->out);
	const struct stage_list *lc, *lp;

	/* Only its files' paths and inodes: the rest of a stamp is read
	 * for out's alone. */
	lp = stamp_read_listing(&sg->prev, pdir) ?
	    listing_files(&sg->prev, &sg->lists[1]) : NULL;
	free(pdir);
	lc = listed_files(sg->cur, &sg->lists[0]);
	sg->rc = stage_begin(&sg->st, sg->out, lc, lp, sg->jobs);
	sg->err = errno;
	/* While the pages are linked and checked: whether each file the
	 * render could keep is in the stage as out's stamp lists it. */
	if (sg->rc == 0)
		rctx_stage_check(&sg->cur->files, sg->st.dir, sg->jobs);
}

static void
stager_init(struct stager *sg, const char *out, struct stamp *cur,
    int jobs)
{
	memset(sg, 0, sizeof(*sg));
	sg->out = out;
	sg->cur = cur;
	sg->jobs = jobs;
}

/* Starts making the stage (the pipeline's parsed hook). */
static void
stager_start(void *ud)
{
	struct stager *sg = ud;

	if (sg->started)
		return;
	pool_task_start(&sg->task, sg->jobs, stager_run, sg);
	sg->started = true;
}

/* The stage is ready: 0, or -1 with errno set. */
static int
stager_wait(struct stager *sg)
{
	stager_start(sg);	/* when the pipeline stopped before linking */
	pool_task_join(&sg->task);
	errno = sg->err;
	return sg->rc;
}

/* Frees what the stager read, once the stage is committed or gone. */
static void
end_stage(struct stager *sg)
{
	stamp_listing_free(&sg->prev);
	free((void *)sg->lists[0].v);
	free((void *)sg->lists[1].v);
	sg->started = false;
}

/* A build that writes nothing: its stage, a copy of out, is kept for the
 * next build to start from. */
static void
stager_drop(struct stager *sg)
{
	if (!sg->started)
		return;
	if (stager_wait(sg) == 0)
		stage_shelve(&sg->st);
	else
		stage_abort(&sg->st);
	end_stage(sg);
}

/* Rendering read a page's HTML: from the parse cache, it can go. */
static void
read_html(const void *writer, const char *html)
{
	pcache_read(writer, html);
}

/* render → write: the new site replaces o->out whole, or not at all. */
static int
render_and_write(const struct opts *o, struct pipeline *pl,
    const struct inputs *ip, struct stager *sg)
{
	struct theme th;
	struct stage *st = &sg->st;
	struct render_opts ro;
	struct strv written = STRV_INIT;
	struct diag_list checked = DIAG_LIST_INIT;
	struct stamp_keys keys = STAMP_KEYS_INIT;
	struct render_stats stats = { 0, 0, 0 };
	double t = pipeline_now_ms(), t2;
	size_t n;
	int rc;

	/* The check's findings go into the stamp; pl->diags now collects
	 * the render's. */
	diag_move(&checked, &pl->diags);
	memset(&th, 0, sizeof(th));
	if (stager_wait(sg) < 0 ||
	    theme_open(&th, pl->cfg.theme_dir, &pl->diags) < 0) {
		if (pl->diags.n == 0)
			fprintf(stderr, "runbookc: %s: cannot prepare the "
			    "output: %s\n", o->out, strerror(errno));
		cmd_print_diags(o, &pl->diags, 0, false);
		theme_close(&th);
		diag_free(&checked);
		stager_drop(sg);
		return -1;
	}
	/* What is parsed now is what the next build need not parse. */
	if (ip->writer && (rc = pcache_finish(ip->writer, ip->cache, st->dir,
	    pl->site.pages, pl->site.npages, &written)) != 0) {
		int err = errno;	/* pcache_finish() says why */

		progress_hide(ip->progress);
		fprintf(stderr, "runbookc: %s: cannot %s the parse cache: "
		    "%s\n", o->out, rc < 0 ? "read back" : "write",
		    strerror(err));
		if (rc < 0) {
			stage_abort(st);
			strv_free(&written);
			end_stage(sg);
			diag_free(&checked);
			theme_close(&th);
			return -1;
		}
	}
	site_drop_sources(&pl->site);
	memset(&ro, 0, sizeof(ro));
	ro.out_dir = st->dir;
	ro.out_name = o->out;
	ro.jobs = o->jobs;
	ro.today = pl->today;
	ro.commit = ip->commit;
	ro.version = o->version;
	/* The staged tree starts as the site in place: its stamp says which
	 * of its files can stay. */
	if (ip->have_fp) {
		ro.global = ip->fp.global;
		ro.parse = ip->fp.parse;
		ro.face = pl->face;
		ro.prev = &ip->old.files;
		ro.keys = &keys;
	}
	ro.progress = ip->progress;
	ro.read_html = read_html;
	ro.read_html_ud = ip->writer;
	rc = render_site(&pl->site, &th, &ro, &written, &pl->diags, &stats);
	t2 = pipeline_now_ms();
	pl->ms[STAGE_RENDER] = t2 - t;
	progress_phase(ip->progress, "write", 0);
	if (o->verbose) {
		progress_hide(ip->progress);
		fprintf(stderr, "runbookc: rendered %zu files, kept %zu\n",
		    stats.made, stats.kept);
		fprintf(stderr, "runbookc: search index: %zu of %zu pages "
		    "not in its cache\n", stats.uncached, pl->site.npages);
		fprintf(stderr, "runbookc: checks: %zu of %zu pages not in "
		    "their cache\n", pl->checked, pl->site.npages);
	}
	if (rc == 0) {
		/* Sorted first: the stamp lists the files in this order, so
		 * the next build finds them sorted (listed_files()). */
		qsort(written.v, written.n, sizeof(*written.v), cmp_str);
		n = written.n;
		leave_stamp(ip, pl, &checked, st->dir, &written, &keys);
		insert_sorted(&written, n);
		stage_prune(st, written.v, written.n);
		if (stage_commit(st) < 0) {
			progress_hide(ip->progress);
			fprintf(stderr, "runbookc: %s: cannot replace the "
			    "output: %s\n", o->out, strerror(errno));
			rc = -1;
		}
	} else
		stage_abort(st);
	pl->ms[STAGE_WRITE] = pipeline_now_ms() - t2;
	if (rc < 0)
		cmd_print_diags(o, &pl->diags, pl->files.n, false);
	strv_free(&written);
	stamp_keys_free(&keys);
	end_stage(sg);
	diag_free(&checked);
	theme_close(&th);
	return rc;
}

/*
 * The no-op rebuild: when out holds a site stamped with these very
 * inputs, replay its diagnostics and stop.  Returns -1 when a build is
 * needed, else the exit status.
 */
static int
up_to_date(const struct opts *o, const struct inputs *ip,
    struct build_result *br)
{
	const struct diag_list *diags = &ip->old.diags;
	size_t npages = ip->old.npages;

	if (!ip->have_fp || !ip->old.valid || ip->old.fp != ip->fp.fp ||
	    !stamp_intact(&ip->old, o->out))
		return -1;
	br->pages = npages;
	br->errors = diag_count(diags, DIAG_ERROR);
	br->warnings = diag_count(diags, DIAG_WARNING);
	cmd_print_diags(o, diags, npages, o->quiet);
	if (br->errors && !o->force) {
		if (!o->watch)
			fprintf(stderr, "runbookc: %zu error%s; %s left "
			    "unchanged (--force builds anyway)\n", br->errors,
			    br->errors == 1 ? "" : "s", o->out);
		return EXIT_FINDINGS;
	}
	br->written = true;
	if (!o->quiet && !o->watch)
		fprintf(stderr, "runbookc: %s is up to date (%zu pages)\n",
		    o->out, npages);
	return 0;
}

/* --watch builds again: each build's model goes. */
static void
end_model(const struct opts *o, struct pipeline *pl)
{
	if (o->watch)
		pipeline_free(pl);
	else
		pipeline_leave(pl);
}

/* The parse cache of out, opened (its records indexed: 20 ms at 10,000
 * pages) while the pipeline reads the configuration and the content
 * folder. */
struct cache_opening {
	struct inputs *ip;
	const char *out;
	struct pool_task task;
};

static void
open_cache(void *ud)
{
	struct cache_opening *co = ud;

	co->ip->cache = pcache_open(co->out, co->ip->fp.parse);
}

static const struct pcache *
cache_opened(void *ud)
{
	struct cache_opening *co = ud;

	pool_task_join(&co->task);
	return co->ip->cache;
}

/* A build once its inputs are fingerprinted: the exit status. */
static int
build_from(const struct opts *o, struct inputs *ip, struct build_result *br)
{
	struct pipeline pl;
	struct pipeline_opts po;
	struct stager sg;
	struct cache_opening co = { ip, o->out, { 0 } };
	int rc;

	/* Even a build with nothing to do clears what a killed one left. */
	stage_clear(o->out);
	progress_hide(ip->progress);
	if ((rc = up_to_date(o, ip, br)) >= 0)
		return rc;
	memset(&po, 0, sizeof(po));
	if (ip->have_fp) {
		char *spool = stage_pages_file(o->out);

		pool_task_start(&co.task, o->jobs, open_cache, &co);
		po.cache_of = cache_opened;
		po.cache_ud = &co;
		ip->writer = pcache_begin(spool, ip->fp.parse);
		free(spool);
	}
	po.known = ip->have_fp ? &ip->fp.files : NULL;
	if (ip->have_fp) {
		po.global = ip->fp.global;
		po.findings = &ip->old.findings;
	}
	po.writer = ip->writer;
	po.progress = ip->progress;
	po.parsed = stager_start;
	po.parsed_ud = &sg;
	stager_init(&sg, o->out, &ip->old, o->jobs);
	rc = cmd_load_cached(o, &pl, &po);
	pool_task_join(&co.task);	/* when the pipeline stopped early */
	progress_hide(ip->progress);
	if (rc != 0) {
		stager_drop(&sg);
		pipeline_free(&pl);
		return rc;
	}
	/* A page that could not be read has no hash: no stamp then. */
	if (ip->have_fp && ip->fp.pending && !stamp_print_settle(&ip->fp))
		ip->have_fp = false;
	br->pages = pl.site.npages;
	br->errors = diag_count(&pl.diags, DIAG_ERROR);
	br->warnings = diag_count(&pl.diags, DIAG_WARNING);
	cmd_print_diags(o, &pl.diags, pl.files.n, o->quiet);
	if (br->errors && !o->force) {
		if (!o->watch)
			fprintf(stderr, "runbookc: %zu error%s; %s left "
			    "unchanged (--force builds anyway)\n", br->errors,
			    br->errors == 1 ? "" : "s", o->out);
		stager_drop(&sg);
		pipeline_free(&pl);
		return EXIT_FINDINGS;
	}
	rc = render_and_write(o, &pl, ip, &sg);
	progress_hide(ip->progress);
	cmd_timing(o, &pl, STAGE_RENDER, STAGE_WRITE);
	br->written = rc == 0;
	if (rc == 0 && !o->quiet && !o->watch)
		fprintf(stderr, "runbookc: built %zu pages into %s\n",
		    br->pages, o->out);
	end_model(o, &pl);
	return rc < 0 ? EXIT_USAGE : 0;
}

static bool
has_parse_cache(const char *out)
{
	char *path = path_join(out, PCACHE_FILE);
	bool is = fs_is_file(path);

	free(path);
	return is;
}

/* The stamp of out, read beside the start of the fingerprint. */
struct stamp_reading {
	struct stamp *st;
	const char *out;
	bool parse_cache;	/* out has a parse cache */
	struct pool_task task;
};

static void
read_stamp(void *ud)
{
	struct stamp_reading *sr = ud;

	stamp_read(sr->st, sr->out);
	sr->parse_cache = has_parse_cache(sr->out);
}

/* With nothing the stamp vouches for and no parse cache to restore
 * pages from by their hashes (a cold build), the pages are read once,
 * by the parse, which gives their hashes: no prev. */
static const struct input_set *
stamp_prev(void *ud)
{
	struct stamp_reading *sr = ud;

	pool_task_join(&sr->task);
	return sr->st->inputs.n || sr->parse_cache ? &sr->st->inputs : NULL;
}

/* One build: the exit status it would have on its own. */
static int
build_once(const struct opts *o, struct build_result *br)
{
	struct stamp_reading sr;
	struct inputs ip;
	double t0 = pipeline_now_ms();
	char *spool;
	int rc, lock;

	memset(br, 0, sizeof(*br));
	memset(&ip, 0, sizeof(ip));
	/* Out's folder, where the lock, the parse cache being written and
	 * the stage go; what is made of it goes again if nothing is
	 * written. */
	spool = stage_pages_file(o->out);	/* beside out, named as out */
	ip.parent = path_dir(spool);
	free(spool);
	if (*ip.parent)
		(void)fs_mkdirs_first(ip.parent, &ip.made);
	/* One build at a time into out: another one's stage is not ours
	 * to clear. */
	if ((lock = stage_lock(o->out, false)) == -2) {
		if (!o->quiet)
			fprintf(stderr, "runbookc: waiting for another build "
			    "into %s to finish\n", o->out);
		lock = stage_lock(o->out, true);
	}
	/* The stamp of the site in place vouches for the hashes of the
	 * files that did not change since: read while the commit is asked
	 * for and the content listed (stamp_fingerprint_await). */
	sr.st = &ip.old;
	sr.out = o->out;
	pool_task_start(&sr.task, o->jobs, read_stamp, &sr);
	ip.commit = cmd_content_commit(o->content);
	ip.in.content = o->content;
	ip.in.config = o->config;
	ip.in.version = o->version;
	ip.in.commit = ip.commit;
	ip.in.today = pipeline_today(o->today);
	ip.in.jobs = o->jobs;
	if (!o->quiet && !o->watch)
		ip.progress = progress_open();
	progress_phase(ip.progress, "read", 0);
	ip.have_fp = ip.in.today >= 0 && stamp_fingerprint_await(&ip.in,
	    stamp_prev, &sr, &ip.fp) == 0;
	pool_task_join(&sr.task);	/* when the fingerprint stopped early */
	rc = build_from(o, &ip, br);
	progress_close(ip.progress);
	/* After the site: its pages' HTML points into these mappings. */
	pcache_close(ip.cache);
	pcache_writer_close(ip.writer);
	stamp_free(&ip.old);
	stamp_print_free(&ip.fp);
	free(ip.commit);
	stage_unlock(o->out, lock);
	if (ip.made && !fs_is_dir(o->out))
		fs_rmdirs_up(ip.parent, ip.made);
	free(ip.parent);
	free(ip.made);
	br->ms = pipeline_now_ms() - t0;
	return rc;
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
