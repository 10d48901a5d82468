#include "theme.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "str.h"
#include "value.h"

/* Written by tools/embed.c from themes/default. */
extern const struct {
	const char *name;
	const unsigned char *data;
	size_t len;
} theme_files[];

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct theme_file *)a)->name,
	    ((const struct theme_file *)b)->name);
}

static struct theme_file *
slot(struct theme *th, const char *name)
{
	size_t i;

	for (i = 0; i < th->nfiles; i++)
		if (strcmp(th->files[i].name, name) == 0) {
			free(th->files[i].owned);
			th->files[i].owned = NULL;
			return &th->files[i];
		}
	th->files = xrealloc(th->files, (th->nfiles + 1) * sizeof(*th->files));
	memset(&th->files[th->nfiles], 0, sizeof(*th->files));
	th->files[th->nfiles].name = xstrdup(name);
	return &th->files[th->nfiles++];
}

/* Folders a theme may nest (its root included), as for content. */
#define THEME_MAX_DEPTH 64
#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * Walking a theme folder.  A theme is named by site.yml, which a pull
 * request can change, and its assets are published: so, as for content,
 * a symlink is followed only when it stays inside the theme folder,
 * folder loops and deep nesting are refused, and only regular files are
 * read (fs_read refuses the rest without blocking).
 */
struct walk {
	struct theme *th;
	const char *dir;
	char *real_root;
	size_t real_len;
	dev_t devs[THEME_MAX_DEPTH];
	ino_t inos[THEME_MAX_DEPTH];
	int depth;
	struct diag_list *diags;
};

static int
refuse(struct walk *w, const char *path, const char *why)
{
	diag_add(w->diags, path, 1, 1, DIAG_ERROR, "file.read", "%s", why);
	return -1;
}

static int overlay(struct walk *w, const char *rel);

/* One entry of a theme folder: a file read, or a folder walked. */
static int
overlay_entry(struct walk *w, const char *sub, const char *path)
{
	struct stat st;
	char *data, err[256];
	size_t len;
	int i;

	if (lstat(path, &st) < 0)
		return refuse(w, path, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		bool inside;

		if (real == NULL)
			return refuse(w, path, errno == ELOOP ? "symlink loop" :
			    "broken symlink");
		inside = strncmp(real, w->real_root, w->real_len) == 0 &&
		    (real[w->real_len] == '/' || real[w->real_len] == '\0');
		free(real);
		if (!inside)
			return refuse(w, path, "symlink leads outside the "
			    "theme folder; refused");
		if (stat(path, &st) < 0)
			return refuse(w, path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		for (i = 0; i < w->depth; i++)
			if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino)
				return refuse(w, path, "folder loop; skipped");
		if (w->depth >= THEME_MAX_DEPTH)
			return refuse(w, path, "folders nested deeper than "
			    STR(THEME_MAX_DEPTH) "; skipped");
		w->devs[w->depth] = st.st_dev;
		w->inos[w->depth] = st.st_ino;
		w->depth++;
		i = overlay(w, sub);
		w->depth--;
		return i;
	}
	if (fs_read(path, FS_DEFAULT_MAX_FILE, &data, &len, err,
	    sizeof(err)) != 0)
		return refuse(w, path, err);
	{
		struct theme_file *f = slot(w->th, sub);

		f->owned = data;
		f->data = data;
		f->len = len;
	}
	return 0;
}

static int
overlay(struct walk *w, const char *rel)
{
	char *full = *rel ? path_join(w->dir, rel) : xstrdup(w->dir);
	DIR *d = opendir(full);
	struct dirent *e;
	struct strv names = STRV_INIT;
	size_t i;
	int rc = 0;

	if (d == NULL) {
		refuse(w, full, "cannot open the theme folder");
		free(full);
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')	/* hidden files and . .. */
			strv_push(&names, e->d_name);
	closedir(d);
	strv_sort(&names);	/* diagnostics in a stable order */
	for (i = 0; i < names.n; i++) {
		char *sub = *rel ? path_join(rel, names.v[i]) :
		    xstrdup(names.v[i]);
		char *path = path_join(w->dir, sub);

		rc |= overlay_entry(w, sub, path);
		free(sub);
		free(path);
	}
	strv_free(&names);
	free(full);
	return rc;
}

/* Reads the theme folder dir over the files th holds. */
static int
overlay_dir(struct theme *th, const char *dir, struct diag_list *diags)
{
	struct walk w;
	struct stat st;
	int rc;

	memset(&w, 0, sizeof(w));
	w.th = th;
	w.dir = dir;
	w.diags = diags;
	if ((w.real_root = realpath(dir, NULL)) == NULL ||
	    stat(dir, &st) < 0) {
		free(w.real_root);
		diag_add(diags, dir, 1, 1, DIAG_ERROR, "file.read",
		    "cannot open the theme folder");
		return -1;
	}
	w.real_len = strlen(w.real_root);
	w.devs[0] = st.st_dev;
	w.inos[0] = st.st_ino;
	w.depth = 1;
	rc = overlay(&w, "");
	free(w.real_root);
	return rc;
}

int
theme_open(struct theme *th, const char *dir, struct diag_list *diags)
{
	const struct theme_file *f;
	struct value_error verr;
	size_t i;

	memset(th, 0, sizeof(*th));
	for (i = 0; theme_files[i].name; i++) {
		struct theme_file *t = slot(th, theme_files[i].name);

		t->data = (const char *)theme_files[i].data;
		t->len = theme_files[i].len;
	}
	if (dir && overlay_dir(th, dir, diags) < 0)
		return -1;
	qsort(th->files, th->nfiles, sizeof(*th->files), cmp_file);
	th->hash = STR_HASH_SEED;
	for (i = 0; i < th->nfiles; i++) {
		th->hash = str_hash(th->files[i].name,
		    strlen(th->files[i].name) + 1, th->hash);
		th->hash = str_hash(th->files[i].data, th->files[i].len,
		    th->hash);
	}
	if ((f = theme_find(th, "i18n.yml")) != NULL &&
	    value_parse_yaml(f->data, f->len, 0, &th->strings, &verr) < 0) {
		diag_add(diags, "i18n.yml", verr.line, verr.col, DIAG_ERROR,
		    "yaml.syntax", "%s", verr.msg);
		return -1;
	}
	return 0;
}

void
theme_close(struct theme *th)
{
	size_t i;

	for (i = 0; i < th->nfiles; i++) {
		free(th->files[i].name);
		free(th->files[i].owned);
	}
	free(th->files);
	value_free(th->strings);
	memset(th, 0, sizeof(*th));
}

const struct theme_file *
theme_find(const struct theme *th, const char *name)
{
	struct theme_file key;

	key.name = (char *)name;
	return bsearch(&key, th->files, th->nfiles, sizeof(*th->files),
	    cmp_file);
}

const char *
theme_tpl_loader(void *ud, const char *name, size_t *len)
{
	const struct theme *th = ud;
	char *file = xasprintf("%s.mustache", name);
	const struct theme_file *f = theme_find(th, file);

	free(file);
	if (f == NULL)
		return NULL;
	*len = f->len;
	return f->data;
}

const struct value *
theme_strings(const struct theme *th, const char *lang)
{
	const struct value *v = value_get(th->strings, lang);

	if (v == NULL && strncmp(lang, "pt", 2) == 0)
		v = value_get(th->strings, "pt-BR");
	if (v == NULL)
		v = value_get(th->strings, "en");
	return v;
}
