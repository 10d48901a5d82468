#define _DEFAULT_SOURCE	/* d_type and DT_REG in struct dirent */

#include "scan.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "config.h"
#include "fsutil.h"
#include "glob.h"

#define SCAN_MAX_DEPTH 64

struct walker {
	const char *root;
	char *real_root;
	size_t real_len;
	const struct config *cfg;
	struct scan_result *out;
	struct diag_list *diags;
	dev_t *devs;		/* folders on the current path, for loops */
	ino_t *inos;
	size_t depth, cap;
};

int
scan_ignored(const struct config *cfg, const char *rel)
{
	return glob_match_any(&cfg->ignore, rel);
}

/* A problem with one entry of the tree, reported at that entry. */
static void __attribute__((format(printf, 3, 4)))
scan_error(struct walker *w, const char *rel, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	char *file = *rel ? path_join(w->root, rel) : xstrdup(w->root);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	diag_add(w->diags, file, 1, 1, DIAG_ERROR, "file.read", "%s",
	    buf_cstr(&msg));
	buf_free(&msg);
	free(file);
}

/* A folder's entry, with the type readdir gave (DT_UNKNOWN: not said). */
struct entry {
	char *name;
	unsigned char type;
};

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

/* True when the symlink at full resolves inside the content root. */
static int
inside_root(struct walker *w, const char *full, const char *rel)
{
	char *real = realpath(full, NULL);
	int ok;

	if (real == NULL) {
		scan_error(w, rel, "%s", errno == ELOOP ? "symlink loop" :
		    "broken symlink");
		return 0;
	}
	ok = strncmp(real, w->real_root, w->real_len) == 0 &&
	    (real[w->real_len] == '/' || real[w->real_len] == '\0');
	free(real);
	if (!ok)
		scan_error(w, rel, "%s",
		    "symlink leads outside the content folder; refused");
	return ok;
}

static void walk_dir(struct walker *w, const char *rel);

/* A regular file: a page or an asset. */
static void
add_file(struct walker *w, const char *rel)
{
	if (str_ends(rel, ".md"))
		strv_push(&w->out->pages, rel);
	else if (strcmp(rel, "site.yml") != 0)
		strv_push(&w->out->assets, rel);
}

/*
 * One entry.  A regular file that readdir says is one needs no lstat (a
 * content folder is mostly such files, and each lstat walks the path
 * from the root); folders, links and the rest are looked at closely.
 */
static void
visit(struct walker *w, const char *rel, unsigned char type)
{
	char *full;
	struct stat st;

	if (type == DT_REG) {
		add_file(w, rel);
		return;
	}
	full = path_join(w->root, rel);
	if (lstat(full, &st) < 0) {
		free(full);
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!inside_root(w, full, rel) || stat(full, &st) < 0) {
			free(full);
			return;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		size_t i;

		for (i = 0; i < w->depth; i++)
			if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino) {
				scan_error(w, rel, "%s",
				    "folder loop; skipped");
				free(full);
				return;
			}
		if (w->depth >= SCAN_MAX_DEPTH) {
			scan_error(w, rel, "folders nested deeper than %d; "
			    "skipped", SCAN_MAX_DEPTH);
			free(full);
			return;
		}
		w->devs = xgrow(w->devs, &w->cap, w->depth, sizeof(*w->devs));
		w->inos = xrealloc(w->inos, w->cap * sizeof(*w->inos));
		w->devs[w->depth] = st.st_dev;
		w->inos[w->depth] = st.st_ino;
		w->depth++;
		strv_push(&w->out->folders, rel);
		walk_dir(w, rel);
		w->depth--;
	} else if (S_ISREG(st.st_mode)) {
		add_file(w, rel);
	} else {
		/* A FIFO, socket or device: reading it could block. */
		scan_error(w, rel, "%s", "not a regular file; skipped");
	}
	free(full);
}

static void
walk_dir(struct walker *w, const char *rel)
{
	char *full = *rel ? path_join(w->root, rel) : xstrdup(w->root);
	DIR *d = opendir(full);
	struct dirent *e;
	struct entry *v = NULL;
	size_t i, n = 0, cap = 0;

	if (d == NULL) {
		scan_error(w, rel, "cannot open folder: %s", strerror(errno));
		free(full);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {	/* hidden files and . .. */
			v = xgrow(v, &cap, n, sizeof(*v));
			v[n].name = xstrdup(e->d_name);
			v[n++].type = e->d_type;
		}
	closedir(d);
	/* Sorted, so the build never depends on the listing order. */
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_entry);
	for (i = 0; i < n; i++) {
		char *sub = *rel ? path_join(rel, v[i].name) :
		    xstrdup(v[i].name);

		if (!scan_ignored(w->cfg, sub))
			visit(w, sub, v[i].type);
		free(sub);
		free(v[i].name);
	}
	free(v);
	free(full);
}

int
scan_content(const char *root, const struct config *cfg,
    struct scan_result *out, struct diag_list *diags)
{
	struct walker w;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.root = root;
	w.cfg = cfg;
	w.out = out;
	w.diags = diags;
	w.real_root = realpath(root, NULL);
	if (w.real_root == NULL || !fs_is_dir(root)) {
		free(w.real_root);
		return -1;
	}
	w.real_len = strlen(w.real_root);
	{
		struct stat st;

		/* The root is on the path too: a link back to it is a loop. */
		if (stat(root, &st) == 0) {
			w.devs = xgrow(w.devs, &w.cap, 0, sizeof(*w.devs));
			w.inos = xrealloc(w.inos, w.cap * sizeof(*w.inos));
			w.devs[0] = st.st_dev;
			w.inos[0] = st.st_ino;
			w.depth = 1;
		}
	}
	walk_dir(&w, "");
	free(w.real_root);
	free(w.devs);
	free(w.inos);
	strv_sort(&out->pages);
	strv_sort(&out->assets);
	strv_sort(&out->folders);
	return 0;
}

void
scan_free(struct scan_result *r)
{
	strv_free(&r->pages);
	strv_free(&r->assets);
	strv_free(&r->folders);
}
