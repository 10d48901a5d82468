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
#include "pool.h"
#include "scan.h"
#include "str.h"
#include "theme.h"

#define STAMP_MAGIC "runbookc-stamp 3"
#define CACHE_MAGIC "runbookc-cache 4"

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

static unsigned long long
hash_u(unsigned long long h, unsigned long long v)
{
	return str_hash(&v, sizeof(v), h);
}

/* The content's files by name, hash and exec bits, in scan order
 * (script.not-executable reads the bits: a chmod +x is a change). */
static unsigned long long
hash_inputs(unsigned long long h, const struct input_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		h = hash_str(h, s->v[i].path);
		h = hash_u(h, s->v[i].hash);
		h = hash_u(h, (unsigned long long)s->v[i].size);
		h = hash_u(h, s->v[i].mode & 0111);
	}
	return h;
}

static const struct input_set *
given_prev(void *ud)
{
	return ud;
}

int
stamp_fingerprint(const struct stamp_inputs *in, const struct input_set *prev,
    struct stamp_print *out)
{
	return stamp_fingerprint_await(in, given_prev, (void *)prev, out);
}

int
stamp_fingerprint_await(const struct stamp_inputs *in,
    const struct input_set *(*prev_of)(void *ud), void *ud,
    struct stamp_print *out)
{
	const struct input_set *prev;
	struct diag_list quiet = DIAG_LIST_INIT;
	struct config cfg;
	struct theme th;
	struct scan_result sr;
	unsigned long long h = STR_HASH_SEED, parse;
	char *cfgpath;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	cfgpath = in->config ? xstrdup(in->config) :
	    path_join(in->content, "site.yml");
	if (!in->config && !fs_is_file(cfgpath)) {
		free(cfgpath);
		cfgpath = NULL;
	}
	h = hash_str(h, in->version);
	if (cfgpath && hash_file(&h, "site.yml", cfgpath,
	    FS_DEFAULT_MAX_FILE) < 0) {
		free(cfgpath);
		return -1;
	}
	/* Parsing a page depends on its bytes, the configuration, the
	 * version, and the content folder as named (diagnostics say it). */
	parse = hash_str(h, in->content);
	h = str_hash(&in->today, sizeof(in->today), h);
	h = hash_str(h, in->commit ? in->commit : "");
	if (config_load(&cfg, cfgpath, &quiet) < 0)
		goto out_cfg;
	memset(&th, 0, sizeof(th));
	if (theme_open(&th, cfg.theme_dir, &quiet) < 0)
		goto out_theme;
	h = str_hash(&th.hash, sizeof(th.hash), h);
	out->global = h;
	out->parse = parse;
	if (scan_content(in->content, &cfg, &sr, &quiet) < 0)
		goto out_theme;
	/* A refused entry (symlink out of the root...) must be re-reported:
	 * its diagnostics are part of the scan, so they are hashed too. */
	h = str_hash(&quiet.n, sizeof(quiet.n), h);
	/* A link to a folder is told from one to nothing. */
	h = hash_u(h, sr.folders.n);
	for (i = 0; i < sr.folders.n; i++)
		h = hash_str(h, sr.folders.v[i]);
	/* The diagnostics a no-op replays name files by the content folder
	 * as given ("./content/a.md"); the outputs do not (global). */
	h = hash_str(h, in->content);
	prev = prev_of(ud);
	if (inputs_take(&out->files, in->content, &sr.pages,
	    cfg.max_file_size, prev, prev == NULL, in->jobs) == 0 &&
	    inputs_take(&out->files, in->content, &sr.assets, SIZE_MAX,
	    prev, false, in->jobs) == 0) {
		out->pre = h;
		(void)stamp_print_settle(out);	/* fp, unless pages wait */
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

bool
stamp_print_settle(struct stamp_print *p)
{
	size_t i;

	for (i = 0, p->pending = 0; i < p->files.n; i++)
		p->pending += p->files.v[i].pending;
	if (p->pending)
		return false;
	p->fp = hash_inputs(p->pre, &p->files);
	return true;
}

void
stamp_print_free(struct stamp_print *p)
{
	inputs_free(&p->files);
	memset(p, 0, sizeof(*p));
}

#define STAMP_MAX_FIELDS 9

/* Fields are tab-separated; tabs, newlines and backslashes are escaped. */
static void
put_field(struct buf *b, const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "\t\n\\");

		buf_put(b, s, n);
		s += n;
		switch (*s++) {
		case '\0': return;
		case '\t': buf_puts(b, "\\t"); break;
		case '\n': buf_puts(b, "\\n"); break;
		default: buf_puts(b, "\\\\"); break;
		}
	}
}

/* A number and the tab after it. */
static void
put_dec(struct buf *b, long long v)
{
	buf_put_dec(b, v);
	buf_putc(b, '\t');
}

static void
put_udec(struct buf *b, unsigned long long v)
{
	buf_put_udec(b, v);
	buf_putc(b, '\t');
}

static void
put_hex(struct buf *b, unsigned long long v)
{
	buf_put_hex16(b, v);
	buf_putc(b, '\t');
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

/* The fingerprint of one outside file (a script: its bytes and exec
 * bits), 0 when it cannot be read. */
static unsigned long long
extra_hash(const char *path)
{
	unsigned long long h = STR_HASH_SEED;
	struct stat st;

	if (stat(path, &st) < 0 || hash_file(&h, "", path, SIZE_MAX) < 0)
		return 0;
	return hash_u(h, (unsigned long long)st.st_mode & 0111);
}

static void
put_inputs(struct buf *b, const struct input_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct input_file *f = &s->v[i];

		buf_puts(b, "input\t");
		put_dec(b, f->size);
		put_dec(b, f->mtime_ns);
		put_dec(b, f->ctime_ns);
		put_udec(b, f->ino);
		put_udec(b, f->dev);
		put_hex(b, f->hash);
		put_dec(b, f->taken_ns);
		put_field(b, f->path);
		buf_putc(b, '\n');
	}
}

long long
stamp_mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL +
	    st->st_mtim.tv_nsec;
}

bool
stamp_key_is(const struct stamp_key *k, const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_size == k->size &&
	    (k->ino == 0 || (unsigned long long)st->st_ino == k->ino) &&
	    (k->mtime_ns == 0 || stamp_mtime_ns(st) == k->mtime_ns);
}

/* What the stamp says of one written file. */
struct file_facts {
	long long size;		/* -1: not listed (gone, or the cache) */
	unsigned long long ino, key;
	long long mtime_ns;
};

struct facts_job {
	const char *dir;
	char *const *written;
	const struct stamp_keys *keys;
	struct file_facts *v;
};

static void
file_facts(void *ud, size_t i)
{
	const struct facts_job *j = ud;
	const struct stamp_key *k = j->keys ?
	    stamp_keys_get(j->keys, j->written[i]) : NULL;
	char *full;
	struct stat st;

	j->v[i].key = k ? k->key : 0;
	if (str_starts(j->written[i], STAMP_CACHE_FILE)) {
		j->v[i].size = -1;	/* the stamp's own cache: not listed */
		return;
	}
	if (k && k->size >= 0 && k->ino) {
		j->v[i].size = k->size;		/* a file kept: known */
		j->v[i].ino = k->ino;
		j->v[i].mtime_ns = k->mtime_ns;
		return;
	}
	full = path_join(j->dir, j->written[i]);
	if (stat(full, &st) == 0) {
		j->v[i].size = (long long)st.st_size;
		j->v[i].ino = (unsigned long long)st.st_ino;
		j->v[i].mtime_ns = stamp_mtime_ns(&st);
	} else
		j->v[i].size = -1;
	free(full);
}

/* The site's files: their sizes and keys into the stamp b, which file
 * each is (its inode) into the cache c.  The files a build wrote are
 * stat'ed on jobs threads (30,000 of them in a cold build). */
static void
put_files(struct buf *b, struct buf *c, const char *dir,
    char *const *written, size_t nwritten, const struct stamp_keys *keys,
    int jobs)
{
	struct facts_job j;
	size_t i;

	j.dir = dir;
	j.written = written;
	j.keys = keys;
	j.v = xcalloc(nwritten + 1, sizeof(*j.v));
	pool_run(nwritten, jobs, file_facts, &j);
	for (i = 0; i < nwritten; i++) {
		if (j.v[i].size < 0)
			continue;
		buf_puts(b, "file\t");
		put_dec(b, j.v[i].size);
		put_hex(b, j.v[i].key);
		put_field(b, written[i]);
		buf_putc(b, '\n');
		buf_puts(c, "output\t");
		put_udec(c, j.v[i].ino);
		put_dec(c, j.v[i].mtime_ns);
		put_field(c, written[i]);
		buf_putc(c, '\n');
	}
	free(j.v);
}

/* Each of diags as a line: tag, then severity, line, column, file, rule
 * and message. */
static void
put_diags(struct buf *b, const char *tag, const struct diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++) {
		const struct diag *d = &diags->v[i];

		buf_printf(b, "%s\t%c\t%d\t%d\t", tag,
		    d->severity == DIAG_ERROR ? 'E' : 'W', d->line, d->col);
		put_field(b, d->file);
		buf_putc(b, '\t');
		put_field(b, d->rule);
		buf_putc(b, '\t');
		put_field(b, d->msg);
		buf_putc(b, '\n');
	}
}

/* Each page's findings: a "checked" line with their key and count, then
 * one "finding" line each. */
static void
put_findings(struct buf *c, const struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		buf_printf(c, "checked\t%016llx\t%zu\t", f->v[i].key,
		    f->v[i].found.n);
		put_field(c, f->v[i].path);
		buf_putc(c, '\n');
		put_diags(c, "finding", &f->v[i].found);
	}
}

int
stamp_write(const char *dir, const struct stamp_print *fp,
    const struct diag_list *diags, const struct findings *findings,
    size_t npages, char *const *written, size_t nwritten,
    const struct strv *extra, const struct stamp_keys *keys, int jobs)
{
	struct buf b = BUF_INIT, c = BUF_INIT;
	char *path = path_join(dir, STAMP_FILE);
	char *cache = path_join(dir, STAMP_CACHE_FILE);
	size_t i;
	int rc;

	/* What is not the same twice (file times, inodes) goes to a cache
	 * file of its own: the stamp stays the same for the same input,
	 * wherever and whenever built. */
	buf_printf(&b, "%s\nfingerprint\t%016llx\npages\t%zu\n", STAMP_MAGIC,
	    fp->fp, npages);
	buf_printf(&c, "%s\n", CACHE_MAGIC);
	put_inputs(&c, &fp->files);
	put_files(&b, &c, dir, written, nwritten, keys, jobs);
	if (findings)
		put_findings(&c, findings);
	rc = fs_write_staged(cache, c.data, c.len);
	free(cache);
	buf_free(&c);
	if (rc < 0) {
		buf_free(&b);
		free(path);
		return -1;
	}
	for (i = 0; i < extra->n; i++) {
		buf_printf(&b, "extra\t%016llx\t", extra_hash(extra->v[i]));
		put_field(&b, extra->v[i]);
		buf_putc(&b, '\n');
	}
	put_diags(&b, "diag", diags);
	rc = fs_write_staged(path, b.data, b.len);
	buf_free(&b);
	free(path);
	return rc < 0 ? -1 : 0;
}

/* ---- reading a stamp back ---- */

/*
 * The numbers a stamp holds, read without strtoll's locale and base
 * handling (a quarter of the read's time at 30,000 files): what stops
 * strtoll stops these too, so a damaged field reads as what it starts
 * with.
 */
static unsigned long long
dec_u(const char *s)
{
	unsigned long long v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (unsigned)(*s - '0');
	return v;
}

static long long
dec(const char *s)
{
	/* Negated unsigned: LLONG_MIN's magnitude fits no long long. */
	return *s == '-' ? (long long)(0ULL - dec_u(s + 1)) :
	    (long long)dec_u(s);
}

static unsigned long long
hex(const char *s)
{
	unsigned long long v = 0;

	for (;; s++) {
		unsigned c = (unsigned char)*s, d;

		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			return v;
		v = v << 4 | d;
	}
}

static bool
read_input(struct stamp *st, char **f)
{
	struct input_file in;

	memset(&in, 0, sizeof(in));
	in.size = dec(f[1]);
	in.mtime_ns = dec(f[2]);
	in.ctime_ns = dec(f[3]);
	in.ino = dec_u(f[4]);
	in.dev = dec_u(f[5]);
	in.hash = hex(f[6]);
	in.taken_ns = dec(f[7]);
	in.path = f[8];
	inputs_add(&st->inputs, &in);
	return true;
}

/* One line of a stamp; false when it is not one a stamp holds. */
/* A stamp being read: the cache lists the files in the stamp's order,
 * so each "output" line is most likely the file after the last one. */
struct reader {
	struct stamp *st;
	size_t next;		/* the file the next "output" line names */
	/* The page whose "finding" lines come next, and how many its
	 * "checked" line announced. */
	struct page_findings *checked;
	size_t want;
};

/* The findings read for a page are all it had, or none are trusted. */
static void
end_findings(struct reader *rd)
{
	if (rd->checked && rd->checked->found.n != rd->want)
		rd->checked->key = 0;	/* digest_check_key() is never 0 */
	rd->checked = NULL;
}

static void
add_diag(struct diag_list *dl, char **f)
{
	diag_add(dl, f[4], atoi(f[2]), atoi(f[3]),
	    f[1][0] == 'E' ? DIAG_ERROR : DIAG_WARNING, f[5], "%s", f[6]);
}

static struct stamp_key *
listed_file(struct reader *rd, const char *path)
{
	struct stamp_keys *files = &rd->st->files;
	size_t i = rd->next;

	if (i >= files->n || strcmp(files->v[i].path, path) != 0)
		i = hmap_index(&files->index, path);
	if (i == HMAP_NONE)
		return NULL;
	rd->next = i + 1;
	return &files->v[i];
}

static bool
read_line(struct reader *rd, char *line)
{
	struct stamp *st = rd->st;
	char *f[STAMP_MAX_FIELDS];
	size_t n = split_fields(line, f, STAMP_MAX_FIELDS);

	if (n == 2 && strcmp(f[0], "fingerprint") == 0)
		st->fp = hex(f[1]);
	else if (n == 2 && strcmp(f[0], "pages") == 0)
		st->npages = (size_t)dec_u(f[1]);
	else if (n == 9 && strcmp(f[0], "input") == 0)
		return read_input(st, f);
	else if (n == 4 && strcmp(f[0], "file") == 0) {
		/* The stage links and unlinks by these paths. */
		if (!path_is_normal(f[3]))
			return false;
		stamp_keys_put_file(&st->files, f[3], hex(f[2]), dec(f[1]),
		    0, 0);
	} else if (n == 4 && strcmp(f[0], "output") == 0) {
		struct stamp_key *k = listed_file(rd, f[3]);

		if (k == NULL)
			return false;
		k->ino = dec_u(f[1]);
		k->mtime_ns = dec(f[2]);
	} else if (n == 3 && strcmp(f[0], "extra") == 0) {
		strv_push(&st->extra, f[2]);
		st->extra_hash = xrealloc(st->extra_hash, st->extra.n *
		    sizeof(*st->extra_hash));
		st->extra_hash[st->extra.n - 1] = hex(f[1]);
	} else if (n == 7 && strcmp(f[0], "diag") == 0)
		add_diag(&st->diags, f);
	else if (n == 4 && strcmp(f[0], "checked") == 0) {
		end_findings(rd);
		rd->checked = findings_add(&st->findings, f[3], hex(f[1]),
		    NULL);
		rd->want = (size_t)dec_u(f[2]);
	} else if (n == 7 && strcmp(f[0], "finding") == 0 && rd->checked)
		add_diag(&rd->checked->found, f);
	else
		return false;
	return true;
}

/* The bytes of out/name after its magic line (*body), or NULL. */
static char *
read_text(const char *out, const char *name, const char *magic, char **body)
{
	char *path = path_join(out, name), *text, *nl, err[256];
	size_t len;
	int rc = fs_read(path, 1u << 30, &text, &len, err, sizeof(err));

	free(path);
	if (rc != 0)
		return NULL;
	if ((nl = strchr(text, '\n')) == NULL ||
	    (size_t)(nl - text) != strlen(magic) ||
	    strncmp(text, magic, strlen(magic)) != 0) {
		free(text);
		return NULL;
	}
	*body = nl + 1;
	return text;
}

/* Reads the lines of out/name after its magic line into st. */
static bool
read_file(struct stamp *st, const char *out, const char *name,
    const char *magic)
{
	char *body, *line, *save = NULL;
	char *text = read_text(out, name, magic, &body);
	struct reader rd = { st, 0, NULL, 0 };
	bool ok = text != NULL;

	for (line = ok ? strtok_r(body, "\n", &save) : NULL; ok && line;
	    line = strtok_r(NULL, "\n", &save))
		ok = read_line(&rd, line);
	end_findings(&rd);
	free(text);
	return ok;
}

bool
stamp_read(struct stamp *st, const char *out)
{
	memset(st, 0, sizeof(*st));
	if (!read_file(st, out, STAMP_FILE, STAMP_MAGIC)) {
		stamp_free(st);
		return false;
	}
	/* Without its cache a stamp still tells what was built; the next
	 * build just reads every input again. */
	st->cached = read_file(st, out, STAMP_CACHE_FILE, CACHE_MAGIC);
	if (!st->cached) {
		size_t i;

		inputs_free(&st->inputs);
		findings_free(&st->findings);
		for (i = 0; i < st->files.n; i++)
			st->files.v[i].ino = 0;
	}
	return st->valid = true;
}

/* The file of l at path: most likely the one after the last. */
static size_t
listing_find(const struct stamp_listing *l, struct hmap *index, size_t next,
    const char *path)
{
	size_t i;

	if (next < l->n && strcmp(l->paths[next], path) == 0)
		return next;
	if (index->n == 0)	/* a stamp of an earlier order: rare */
		for (i = 0; i < l->n; i++)
			hmap_put_index(index, l->paths[i], i);
	return hmap_index(index, path);
}

bool
stamp_read_listing(struct stamp_listing *l, const char *out)
{
	struct hmap index = HMAP_INIT;
	char *f[STAMP_MAX_FIELDS], *body, *line, *save = NULL;
	size_t next = 0, i;
	bool ok = true;

	memset(l, 0, sizeof(*l));
	if ((l->text[0] = read_text(out, STAMP_FILE, STAMP_MAGIC,
	    &body)) == NULL)
		return false;
	/* "file SIZE KEY PATH": the other lines are not the listing's. */
	for (line = strtok_r(body, "\n", &save); ok && line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "file\t", 5) != 0)
			continue;
		ok = split_fields(line, f, STAMP_MAX_FIELDS) == 4 &&
		    path_is_normal(f[3]);
		if (!ok)
			break;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 1024;
			l->paths = xrealloc(l->paths, l->cap *
			    sizeof(*l->paths));
		}
		l->paths[l->n++] = f[3];
	}
	l->inos = xcalloc(l->n + 1, sizeof(*l->inos));
	if (ok && (l->text[1] = read_text(out, STAMP_CACHE_FILE, CACHE_MAGIC,
	    &body)) == NULL)
		ok = false;
	/* "output INO MTIME PATH", in the stamp's order. */
	for (line = ok ? strtok_r(body, "\n", &save) : NULL; ok && line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "output\t", 7) != 0)
			continue;
		ok = split_fields(line, f, STAMP_MAX_FIELDS) == 4 &&
		    (i = listing_find(l, &index, next, f[3])) != HMAP_NONE;
		if (ok) {
			l->inos[i] = dec_u(f[1]);
			next = i + 1;
		}
	}
	hmap_free(&index);
	if (!ok)
		stamp_listing_free(l);
	return ok;
}

void
stamp_listing_free(struct stamp_listing *l)
{
	free(l->text[0]);
	free(l->text[1]);
	free(l->paths);
	free(l->inos);
	memset(l, 0, sizeof(*l));
}

bool
stamp_intact(const struct stamp *st, const char *out)
{
	size_t i;
	bool ok = st->valid;

	for (i = 0; ok && i < st->files.n; i++) {
		char *full = path_join(out, st->files.v[i].path);
		struct stat sb;

		ok = stat(full, &sb) == 0 &&
		    stamp_key_is(&st->files.v[i], &sb);
		free(full);
	}
	for (i = 0; ok && i < st->extra.n; i++)
		ok = extra_hash(st->extra.v[i]) == st->extra_hash[i];
	return ok;
}

void
stamp_free(struct stamp *st)
{
	diag_free(&st->diags);
	inputs_free(&st->inputs);
	findings_free(&st->findings);
	stamp_keys_free(&st->files);
	strv_free(&st->extra);
	free(st->extra_hash);
	memset(st, 0, sizeof(*st));
}

/* ---- output keys ---- */

void
stamp_keys_put_file(struct stamp_keys *k, const char *path,
    unsigned long long key, long long size, unsigned long long ino,
    long long mtime_ns)
{
	/* Copied first: the index borrows the copy, which does not move
	 * with the array (a path is rarely put twice). */
	char *own = xstrdup(path);
	void **ref = hmap_ref(&k->index, own);
	struct stamp_key *e;

	if (*ref != NULL) {
		free(own);
		e = &k->v[(uintptr_t)*ref - 1];
	} else {
		k->v = xgrow(k->v, &k->cap, k->n, sizeof(*k->v));
		e = &k->v[k->n++];
		e->path = own;
		*ref = (void *)(uintptr_t)k->n;
	}
	e->key = key;
	e->size = size;
	e->ino = ino;
	e->mtime_ns = mtime_ns;
}

void
stamp_keys_put(struct stamp_keys *k, const char *path, unsigned long long key)
{
	stamp_keys_put_file(k, path, key, -1, 0, 0);
}

const struct stamp_key *
stamp_keys_get(const struct stamp_keys *k, const char *path)
{
	size_t i = hmap_index(&k->index, path);

	return i != HMAP_NONE ? &k->v[i] : NULL;
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
