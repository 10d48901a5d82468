/*
 * rctx: what the render modules share.  The render context (the site,
 * the compiled templates, the options), the template data every output
 * file starts from (site, navigation, UI strings, entry-point URLs),
 * relative URLs between output files, file names made from user strings
 * (rctx.c), and the writing of output files: claims, files kept as the
 * stamp lists them, batches on the pool (rctx_out.c).
 *
 * Used by render (pages), listings, book, scriptpage, search and catalog;
 * never by the model.  Single-threaded except where a function says it
 * may run on the render pool.
 */
#ifndef RUNBOOKC_RCTX_H
#define RUNBOOKC_RCTX_H

#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"
#include "str.h"

struct buf;
struct config;
struct diag_list;
struct page;
struct pstrv;
struct render_opts;
struct site;
struct stamp_keys;
struct theme;
struct tpl;
struct tpl_env;
struct value;

/* The theme's templates, compiled once. */
struct rtpls {
	const struct tpl *page, *list, *redirect, *script, *search, *book;
	const struct tpl *chapter;	/* one page of the book */
};

struct rctx_shared;

struct rctx {
	const struct site *s;
	const struct config *cfg;
	const struct theme *th;
	const struct render_opts *o;
	struct rtpls t;
	struct diag_list *diags;
	struct strv *written;	/* out paths produced so far */
	size_t uncached;	/* pages the search cache did not know */
	/* Incremental rendering: the keys of the site being replaced, the
	 * keys of this one, and the key of the files being made now (0:
	 * none; each page has its own).  See digest.h. */
	const struct stamp_keys *prev;
	struct stamp_keys *keys;
	unsigned long long key;
	unsigned long long site_key;	/* of what the site's face shows */
	size_t made, kept;	/* files rendered, files kept as they were */
	/* Files that could not be written: past RCTX_WRITE_DIAGS of them
	 * (a full disk fails every one), rctx_record_end() says how many
	 * more, once. */
	size_t unwritten;
	int last_err;
	struct hmap claimed;	/* out path -> (void *)1: taken */
	struct strv claimed_keys;	/* owns the keys of claimed */
	char today[11];		/* YYYY-MM-DD */
	/* Template data many files share (rctx_share), or NULL. */
	struct rctx_shared *shared;
};

/* The longest file name made from a user string, before ".html". */
#define RCTX_MAX_NAME 120

/*
 * The relative URL from the output file from to the output file to,
 * percent-encoded so that any name stays one path (a ':' in the first
 * segment would otherwise read as a scheme).  Caller frees.
 */
char *rctx_url(const char *from, const char *to);
/* Adds rctx_url(from, to) to the map v under key. */
void rctx_add_url(struct value *v, const char *key, const char *from,
    const char *to);
/* Adds "#" + id percent-encoded (an anchor in the same page) to v. */
void rctx_add_fragment(struct value *v, const char *key, const char *id);
/* Percent-encodes s for a URL path into b (keeps '/'). */
void rctx_put_url(struct buf *b, const char *s, size_t len);

/*
 * One path component made from a user string (a tag, an owner, an alert
 * id): letters, digits, "-_.:@+" and non-ASCII bytes stay; every other
 * byte becomes "~XX", and so does a leading '.', so the mapping is
 * one-to-one and never leaves its folder.  Long names are cut at
 * RCTX_MAX_NAME bytes and end in a hash.  Caller frees.
 */
char *rctx_file_name(const char *name);
/* "folder/" + rctx_file_name(name) + ".html".  Caller frees. */
char *rctx_facet_out(const char *folder, const char *name);

/*
 * A CSS colour that is safe inside a style attribute (#hex, rgb(), hsl()
 * or a colour name), or NULL.  ink is the text colour that reads on it.
 */
const char *rctx_css_color(const char *color, const char **ink);

/* The UI string key in the site's language, or key itself. */
const char *rctx_ui(const struct rctx *r, const char *key);
/* The title of a folder: its index page's title, or the folder's name
 * made readable.  Caller frees. */
char *rctx_folder_title(const struct rctx *r, const char *folder);
/* Adds rctx_folder_title() of a section (first folder) to the map v. */
void rctx_add_section_title(const struct rctx *r, struct value *v,
    const char *key, const char *section);
/* "FOLDER/index.html" ("index.html" for the root).  Caller frees. */
char *rctx_folder_out(const char *folder);

/* The review state of a page; false when it has no usable date. */
bool rctx_review(const struct rctx *r, const struct page *p, char due[11],
    bool *overdue);

/*
 * Builds the template data that many output files share (the members
 * of rctx_common() that depend on a file's folder only, the severity and
 * owner maps but their URLs), which the builders below then reference
 * instead of copying.  Call before the render pool runs; read-only after
 * that.  Without it every builder makes its own copy.
 */
void rctx_share(struct rctx *r);
void rctx_unshare(struct rctx *r);

/*
 * Template data for the output file out_path: site, title, root, URLs
 * of the entry points, UI strings, navigation, build.  Caller frees.
 * Safe on the render pool.  An arena tree (value_new_arena()) whose
 * shared members are reached through its base.
 */
struct value *rctx_common(const struct rctx *r, const char *out_path,
    const char *title);

/*
 * Builders of template data shared by pages and listings (pool-safe).
 * Brief is what a row of a listing shows (name, link, colour); full adds
 * the severity's targets and description, the owner's contact and
 * escalation.
 */
enum rctx_detail { RCTX_BRIEF, RCTX_FULL };
void rctx_add_severity(const struct rctx *r, struct value *v,
    const char *severity, const char *from, enum rctx_detail d);
void rctx_add_owner(const struct rctx *r, struct value *v, const char *owner,
    const char *from, enum rctx_detail d);
/* The same of a page of the site: its severity and owner, as shared
 * looked up once per page, not once per file that shows it. */
void rctx_add_page_severity(const struct rctx *r, struct value *v,
    const struct page *p, const char *from, enum rctx_detail d);
void rctx_add_page_owner(const struct rctx *r, struct value *v,
    const struct page *p, const char *from, enum rctx_detail d);
void rctx_add_names(struct value *v, const char *key,
    const char *const *names, size_t n, const char *folder,
    const char *from);
/* The same for the names of a front matter list (alerts, tags...). */
void rctx_add_pstr_names(struct value *v, const char *key,
    const struct pstrv *sv, const char *folder, const char *from);
/* The redirect page of alert entry i (r->s->alerts): rctx_facet_out()
 * of its id, from the shared table when there is one.  Caller frees. */
char *rctx_alert_out(const struct rctx *r, size_t i);
/* Adds the URL of the redirect page of alert entry i. */
void rctx_add_alert_url(const struct rctx *r, struct value *v,
    const char *key, const char *from, size_t i);
/* A page as the row of a listing: title, url, severity, owner, alerts. */
struct value *rctx_add_page_item(const struct rctx *r, struct value *list,
    const struct page *p, const char *from);

/*
 * Claims the output path out for a generated file; false when a page or
 * an earlier generated file has it (the later one is not written).
 */
bool rctx_claim(struct rctx *r, const char *out);

/*
 * True when the staged file out was made from key by the build being
 * replaced (and is still the size it was then): it can be kept instead
 * of rendered.  Never true for key 0.  Safe on the render pool.
 */
bool rctx_can_keep(const struct rctx *r, const char *out,
    unsigned long long key);
/*
 * Looks at each file prev lists in the staging tree dir (on jobs
 * threads) once, ahead of the render: rctx_can_keep() then asks prev
 * (see stamp_keys.checked) instead of the file system.
 */
void rctx_stage_check(struct stamp_keys *prev, const char *dir, int jobs);
/*
 * For a file whose data is costly to build: when out can be kept
 * (r->key), claims it and records it kept, and returns true (build
 * nothing).  Else false, and out is left unclaimed for rctx_render().
 */
bool rctx_kept(struct rctx *r, const char *out);
/* Records that out was produced from key (kept or made) and counts it. */
void rctx_note(struct rctx *r, const char *out, unsigned long long key,
    bool kept);

/* Writes b to out (under the output folder).  Returns 0 or an errno.
 * Safe on the render pool; records nothing. */
int rctx_write_file(const struct rctx *r, const char *out, const char *data,
    size_t len);
/* Writes and records out in written; a diagnostic on failure. */
int rctx_write(struct rctx *r, const char *out, const char *data, size_t len);
/* What became of out once written (err, an errno, or 0) or kept: a
 * diagnostic and -1, or noted (rctx_note()) and 0. */
int rctx_record(struct rctx *r, const char *out, int err,
    unsigned long long key, bool kept);
#define RCTX_WRITE_DIAGS 10
/* The one diagnostic for the files past RCTX_WRITE_DIAGS that could not
 * be written, if any. */
void rctx_record_end(struct rctx *r);
/*
 * Renders template t with ctx (consumed) and writes it to out, unless
 * out is already claimed, or can be kept as it is (r->key).  Returns 0 or
 * -1.
 */
int rctx_render(struct rctx *r, const struct tpl *t, struct value *ctx,
    const char *out);

/*
 * Renders n generated files of one template on the render pool.  name
 * gives file i's output path (the caller frees nothing; NULL skips it),
 * build its template data; both run on the pool and must only read.
 * Files that can be kept (r->key) are neither built nor rendered.
 * Claims happen first, in order; written and diagnostics are recorded
 * in order afterwards, so the result does not depend on the threads.
 */
struct rctx_batch {
	const struct tpl *t;
	char *(*name)(const struct rctx *r, size_t i, void *ud);
	struct value *(*build)(const struct rctx *r, size_t i, const char *out,
	    void *ud);
	void *ud;
};
int rctx_render_batch(struct rctx *r, const struct rctx_batch *b, size_t n);

/*
 * The template data of a page (title, kind, severity, owner, alerts,
 * tags, services, review) added to pg, with URLs from the output file
 * from.  Defined in render.c; the print book uses it for each chapter.
 */
struct value *render_page_data(const struct rctx *r, struct value *pg,
    const struct page *p, const char *from);
/*
 * The page's body HTML without its leading level-1 heading when that
 * heading only repeats the title (the page header shows the title).
 */
const char *render_page_body(const struct page *p);
/* A page's HTML has been read (for its page or its chapter): tells
 * r->o->read_html, so that where it lives can let it go. */
void render_html_read(const struct rctx *r, const struct page *p);

#endif
