/*
 * site: the linked model of the whole handbook.  Built once from the
 * parsed pages (single-threaded, after parsing); read-only afterwards for
 * the check and render stages.  Every lookup is a hash table: nothing here
 * is quadratic in the number of pages.
 */
#ifndef RUNBOOKC_SITE_H
#define RUNBOOKC_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "hmap.h"
#include "page.h"
#include "str.h"

struct config;

enum target_kind {
	TARGET_EXTERNAL,	/* has a scheme: not checked, not rewritten */
	TARGET_SELF,		/* "#anchor" in the same page */
	TARGET_PAGE,		/* another page (and maybe an anchor) */
	TARGET_ASSET,		/* a file of the content folder */
	TARGET_FOLDER,		/* a folder with no index page */
	TARGET_MISSING,		/* nothing there */
	TARGET_OUTSIDE,		/* climbs out of the content root */
};

/* Where one link of a page leads. */
struct target {
	enum target_kind kind;
	struct page *page;	/* TARGET_PAGE, TARGET_SELF */
	char *path;		/* normalized content path, when relative */
	char *anchor;		/* decoded fragment, or NULL */
};

/* A script a runbook references, resolved through the script roots. */
struct script {
	char *ref;		/* as written in the first page using it */
	char *id;		/* output name: "simpix/scripts/backup.sh" */
	char *file;		/* path on disk, or NULL when not found */
	struct page **users;
	size_t nusers, cap;
};

/* What one of a page's script references resolved to. */
struct script_use {
	struct script *sc;	/* NULL when no root has it */
	bool outside;		/* it climbs out of every root */
};

/* Pages grouped under one key (a tag, an owner, a severity...). */
struct group {
	char *key;
	struct page **pages;	/* in site order */
	size_t n, cap;
};

struct group_set {
	struct group *v;	/* sorted by key after site_link() */
	size_t n, cap;
	struct hmap index;	/* key -> index + 1 (as a pointer value) */
};

struct alert_entry {
	char *id;
	struct page *page;	/* the first page claiming it */
	struct pos pos;
};

struct site {
	const struct config *cfg;
	char *content_dir;

	struct page **pages;	/* sorted by path */
	size_t npages;
	struct hmap by_path;	/* content path -> page */
	struct hmap by_out;	/* out path -> page */
	struct strv assets;	/* sorted */
	struct hmap asset_set;	/* content path -> (void *)1 */
	struct strv folders;	/* below the root, sorted (scan.h) */
	struct hmap folder_set;	/* content path -> (void *)1 */

	struct target **targets;	/* [page index][link index] */

	struct script *scripts;	/* sorted by id */
	size_t nscripts, scripts_cap;
	/* [page index] -> the scripts each page uses, in order, unique */
	struct script ***page_scripts;
	size_t *npage_scripts;
	/* [page index][i] -> what reference i of the page resolved to: its
	 * scripts, then its script_refs (each resolved once, here) */
	struct script_use **script_uses;

	struct alert_entry *alerts;	/* sorted by id; unique */
	size_t nalerts;
	struct hmap alert_index;	/* id -> struct alert_entry * */

	struct group_set backlinks;	/* page path -> pages linking to it */
	struct group_set sections;	/* first folder -> pages */
	struct group_set by_severity;	/* severity id -> pages */
	struct group_set by_owner;
	struct group_set by_tag;
	struct group_set by_service;

	/* Which paths above the content root are files: every page names
	 * the same few scripts, and each would otherwise be a stat.  A
	 * cache the scripts' job of the link stage fills (one thread);
	 * not part of the model. */
	struct parent_memo *parent_files;
};

/*
 * Takes ownership of pages (sorted by path, already loaded) and links
 * them on jobs threads: their links first, then the indexes (scripts,
 * alerts, each group set), one job each.  assets are the non-page files
 * of the content folder, folders its folders (scan.h): links resolve
 * against them, never against the disk.
 */
void site_link(struct site *s, const struct config *cfg,
    const char *content_dir, struct page **pages, size_t npages,
    const struct strv *assets, const struct strv *folders, int jobs);
void site_free(struct site *s);
/*
 * Frees what only the checks read: each page's source text and its code
 * spans (p->src becomes NULL, p->ncode 0; p->len and p->hash stay).  The
 * build calls it between check and render, where a large handbook's
 * sources would otherwise sit in memory beside its HTML.
 */
void site_drop_sources(struct site *s);

struct page *site_page(const struct site *s, const char *path);
/*
 * Every path above the content root a script was looked for at, found
 * or not, in the order first asked: what the site depends on outside
 * its folder (a script put there later resolves a reference).
 */
const struct strv *site_outside_paths(const struct site *s);
/*
 * Appends to out every folder that holds a page, at any depth ("a/b",
 * then "a"), each once and none that seen (which it fills, keys borrowed
 * from out) already has.  The root "" is not one.
 */
void site_folders(const struct site *s, struct strv *out, struct hmap *seen);
size_t site_page_index(const struct site *s, const struct page *p);
const struct group *group_find(const struct group_set *gs, const char *key);
/* Decodes %XX escapes; returns a new string. */
char *site_url_decode(const char *s, size_t len);

#endif
