#include "stamp.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "config.h"
#include "fsutil.h"
#include "scan.h"
#include "str.h"
#include "theme.h"

#define STAMP_MAGIC "runbookc-stamp 2"

static unsigned long long
hash_str(unsigned long long h, const char *s)
{
	return str_hash(s, strlen(s) + 1, h);
}

/* Mixes in one file: its name, then its bytes (or that it is missing). */
static int
hash_file(unsigned long long *h, const char *name, const char *path,
    size_t max)
{
	char *data, err[256];
	size_t len;

	*h = hash_str(*h, name);
	if (fs_read(path, max, &data, &len, err, sizeof(err)) != 0)
		return -1;
	*h = str_hash(data, len, *h);
	*h = str_hash(&len, sizeof(len), *h);
	free(data);
	return 0;
}

static int
hash_tree(unsigned long long *h, const char *content, const struct strv *v,
    size_t max)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < v->n && rc == 0; i++) {
		char *path = path_join(content, v->v[i]);

		rc = hash_file(h, v->v[i], path, max);
		free(path);
	}
	return rc;
}

int
stamp_fingerprint(const struct stamp_inputs *in, unsigned long long *fp,
    unsigned long long *global)
{
	struct diag_list quiet = DIAG_LIST_INIT;
	struct config cfg;
	struct theme th;
	struct scan_result sr;
	unsigned long long h = STR_HASH_SEED;
	char *cfgpath;
	int rc = -1;

	cfgpath = in->config ? xstrdup(in->config) :
	    path_join(in->content, "site.yml");
	if (!in->config && !fs_is_file(cfgpath)) {
		free(cfgpath);
		cfgpath = NULL;
	}
	h = hash_str(h, in->version);
	h = str_hash(&in->today, sizeof(in->today), h);
	h = hash_str(h, in->commit ? in->commit : "");
	if (cfgpath && hash_file(&h, "site.yml", cfgpath,
	    FS_DEFAULT_MAX_FILE) < 0) {
		free(cfgpath);
		return -1;
	}
	if (config_load(&cfg, cfgpath, &quiet) < 0)
		goto out_cfg;
	memset(&th, 0, sizeof(th));
	if (theme_open(&th, cfg.theme_dir, &quiet) < 0)
		goto out_theme;
	h = str_hash(&th.hash, sizeof(th.hash), h);
	if (global)
		*global = h;
	if (scan_content(in->content, &cfg, &sr, &quiet) < 0)
		goto out_theme;
	/* A refused entry (symlink out of the root...) must be re-reported:
	 * its diagnostics are part of the scan, so they are hashed too. */
	h = str_hash(&quiet.n, sizeof(quiet.n), h);
	if (hash_tree(&h, in->content, &sr.pages, cfg.max_file_size) == 0 &&
	    hash_tree(&h, in->content, &sr.assets, SIZE_MAX) == 0) {
		*fp = h;
		rc = 0;
	}
	scan_free(&sr);
out_theme:
	theme_close(&th);
out_cfg:
	config_free(&cfg);
	diag_free(&quiet);
	free(cfgpath);
	return rc;
}

#define STAMP_MAX_FIELDS 7

/* Fields are tab-separated; tabs, newlines and backslashes are escaped. */
static void
put_field(struct buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '\t': buf_puts(b, "\\t"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\\': buf_puts(b, "\\\\"); break;
		default: buf_putc(b, *s);
		}
}

/* Splits line at tabs into at most n unescaped fields (in place). */
static size_t
split_fields(char *line, char **f, size_t n)
{
	size_t k = 0;
	char *r = line, *w = line;

	f[k++] = w;
	for (; *r; r++) {
		if (*r == '\t' && k < n) {
			*w++ = '\0';
			f[k++] = w;
		} else if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return k;
}

void
stamp_add_extra(struct strv *extra, const char *path)
{
	if (!strv_has(extra, path))
		strv_push(extra, path);
}

/* The fingerprint of one outside file, 0 when it cannot be read. */
static unsigned long long
extra_hash(const char *path)
{
	unsigned long long h = STR_HASH_SEED;

	return hash_file(&h, "", path, SIZE_MAX) == 0 ? h : 0;
}

int
stamp_write(const char *dir, unsigned long long fp,
    const struct diag_list *diags, size_t npages, char *const *written,
    size_t nwritten, const struct strv *extra,
    const struct stamp_keys *keys)
{
	struct buf b = BUF_INIT;
	char *path = path_join(dir, STAMP_FILE);
	size_t i;
	int rc;

	buf_printf(&b, "%s\nfingerprint\t%016llx\npages\t%zu\n", STAMP_MAGIC,
	    fp, npages);
	for (i = 0; i < nwritten; i++) {
		char *full = path_join(dir, written[i]);
		struct stat st;

		if (stat(full, &st) == 0) {
			const struct stamp_key *k = keys ?
			    stamp_keys_get(keys, written[i]) : NULL;

			buf_printf(&b, "file\t%lld\t%016llx\t",
			    (long long)st.st_size, k ? k->key : 0ULL);
			put_field(&b, written[i]);
			buf_putc(&b, '\n');
		}
		free(full);
	}
	for (i = 0; i < extra->n; i++) {
		buf_printf(&b, "extra\t%016llx\t", extra_hash(extra->v[i]));
		put_field(&b, extra->v[i]);
		buf_putc(&b, '\n');
	}
	for (i = 0; i < diags->n; i++) {
		const struct diag *d = &diags->v[i];

		buf_printf(&b, "diag\t%c\t%d\t%d\t",
		    d->severity == DIAG_ERROR ? 'E' : 'W', d->line, d->col);
		put_field(&b, d->file);
		buf_putc(&b, '\t');
		put_field(&b, d->rule);
		buf_putc(&b, '\t');
		put_field(&b, d->msg);
		buf_putc(&b, '\n');
	}
	rc = fs_write_staged(path, b.data, b.len);
	buf_free(&b);
	free(path);
	return rc < 0 ? -1 : 0;
}

static bool
file_ok(const char *out, const char *rel, const char *size)
{
	char *full = path_join(out, rel);
	struct stat st;
	bool ok = stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == strtoll(size, NULL, 10);

	free(full);
	return ok;
}

static bool
read_stamp(char *text, const char *out, unsigned long long fp,
    struct diag_list *diags, size_t *npages)
{
	char *line, *save = NULL, *f[STAMP_MAX_FIELDS];
	bool seen_fp = false;
	size_t n;

	line = strtok_r(text, "\n", &save);
	if (line == NULL || strcmp(line, STAMP_MAGIC) != 0)
		return false;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		n = split_fields(line, f, STAMP_MAX_FIELDS);
		if (n == 2 && strcmp(f[0], "fingerprint") == 0) {
			if (strtoull(f[1], NULL, 16) != fp)
				return false;
			seen_fp = true;
		} else if (n == 2 && strcmp(f[0], "pages") == 0)
			*npages = (size_t)strtoull(f[1], NULL, 10);
		else if (n == 4 && strcmp(f[0], "file") == 0) {
			if (!file_ok(out, f[3], f[1]))
				return false;
		} else if (n == 3 && strcmp(f[0], "extra") == 0) {
			if (strtoull(f[1], NULL, 16) != extra_hash(f[2]))
				return false;
		} else if (n == 7 && strcmp(f[0], "diag") == 0)
			diag_add(diags, f[4], atoi(f[2]), atoi(f[3]),
			    f[1][0] == 'E' ? DIAG_ERROR : DIAG_WARNING, f[5],
			    "%s", f[6]);
		else
			return false;
	}
	return seen_fp;
}

bool
stamp_matches(const char *out, unsigned long long fp,
    struct diag_list *diags, size_t *npages)
{
	char *path = path_join(out, STAMP_FILE), *text, err[256];
	size_t len;
	bool ok = false;

	if (fs_read(path, 256u << 20, &text, &len, err, sizeof(err)) == 0) {
		ok = read_stamp(text, out, fp, diags, npages);
		free(text);
	}
	free(path);
	if (!ok)
		diag_free(diags);
	return ok;
}

/* ---- output keys ---- */

void
stamp_keys_put(struct stamp_keys *k, const char *path, unsigned long long key)
{
	size_t i = (size_t)(uintptr_t)hmap_get(&k->index, path);
	struct stamp_key *e;

	if (i) {
		k->v[i - 1].key = key;
		return;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 256;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
		/* The index borrows the paths, which do not move. */
	}
	e = &k->v[k->n++];
	e->path = xstrdup(path);
	e->key = key;
	e->size = -1;
	hmap_put(&k->index, e->path, (void *)(uintptr_t)k->n);
}

const struct stamp_key *
stamp_keys_get(const struct stamp_keys *k, const char *path)
{
	size_t i = (size_t)(uintptr_t)hmap_get(&k->index, path);

	return i ? &k->v[i - 1] : NULL;
}

void
stamp_keys_free(struct stamp_keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i].path);
	free(k->v);
	hmap_free(&k->index);
	memset(k, 0, sizeof(*k));
}

/* The "file" lines of a stamp; false (k emptied) on anything else odd. */
static bool
read_keys(char *text, struct stamp_keys *k)
{
	char *line, *save = NULL, *f[STAMP_MAX_FIELDS];

	line = strtok_r(text, "\n", &save);
	if (line == NULL || strcmp(line, STAMP_MAGIC) != 0)
		return false;
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (strncmp(line, "file\t", 5) != 0)
			continue;
		if (split_fields(line, f, STAMP_MAX_FIELDS) != 4)
			return false;
		stamp_keys_put(k, f[3], strtoull(f[2], NULL, 16));
		k->v[k->n - 1].size = strtoll(f[1], NULL, 10);
	}
	return true;
}

void
stamp_keys_load(struct stamp_keys *k, const char *out)
{
	char *path = path_join(out, STAMP_FILE), *text, err[256];
	size_t len;

	if (fs_read(path, 256u << 20, &text, &len, err, sizeof(err)) == 0) {
		if (!read_keys(text, k))
			stamp_keys_free(k);
		free(text);
	}
	free(path);
}
