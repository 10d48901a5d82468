#include "theme.h"

#include <dirent.h>
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

static int
overlay(struct theme *th, const char *dir, const char *rel,
    struct diag_list *diags)
{
	char *full = *rel ? path_join(dir, rel) : xstrdup(dir);
	DIR *d = opendir(full);
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		diag_add(diags, full, 1, 1, DIAG_ERROR, "file.read",
		    "cannot open the theme folder");
		free(full);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char *sub, *path, *data, err[256];
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		sub = *rel ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		path = path_join(dir, sub);
		if (fs_is_dir(path))
			rc |= overlay(th, dir, sub, diags);
		else if (fs_read(path, FS_DEFAULT_MAX_FILE, &data, &len, err,
		    sizeof(err)) == 0) {
			struct theme_file *f = slot(th, sub);

			f->owned = data;
			f->data = data;
			f->len = len;
		} else {
			diag_add(diags, path, 1, 1, DIAG_ERROR, "file.read",
			    "%s", err);
			rc = -1;
		}
		free(sub);
		free(path);
	}
	closedir(d);
	free(full);
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
	if (dir && overlay(th, dir, "", diags) < 0)
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
