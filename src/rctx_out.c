/*
 * rctx_out: where the render's files go (see rctx.h): claiming output
 * paths, keeping the files the stamp in place lists, writing, and
 * rendering a batch of files on the pool.
 */
#include "rctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "fsutil.h"
#include "hmap.h"
#include "pool.h"
#include "render.h"
#include "site.h"
#include "stamp.h"
#include "template.h"
#include "value.h"

bool
rctx_claim(struct rctx *r, const char *out)
{
	if (hmap_get(&r->s->by_out, out) || hmap_get(&r->claimed, out))
		return false;
	strv_push(&r->claimed_keys, out);
	hmap_put(&r->claimed, r->claimed_keys.v[r->claimed_keys.n - 1],
	    (void *)1);
	return true;
}

int
rctx_write_file(const struct rctx *r, const char *out, const char *data,
    size_t len)
{
	char *path = path_join(r->o->out_dir, out);
	int rc = fs_write_staged(path, data ? data : "", len);

	free(path);
	return rc < 0 ? errno ? errno : EIO : 0;
}

/* The staged tree holds the replaced site's files (stage_begin): the
 * very file its stamp lists (stamp_key_is()), unless something replaced
 * it or wrote into it. */
static bool
staged(const char *dir, const struct stamp_key *k)
{
	char *path = path_join(dir, k->path);
	struct stat st;
	bool ok;

	ok = stat(path, &st) == 0 && stamp_key_is(k, &st);
	free(path);
	return ok;
}

/* Files looked at by one job of rctx_stage_check(): a stamp lists them
 * sorted, so most of a block share their folder. */
#define STAGE_CHECK_BLOCK 256

struct stage_check {
	struct stamp_keys *prev;
	const char *dir;
};

/* Block b of the files, each stat'ed relative to its folder's
 * descriptor (a third cheaper than from the root, at 30,000 files). */
static void
check_block(void *ud, size_t b)
{
	struct stage_check *c = ud;
	size_t i = b * STAGE_CHECK_BLOCK, end = i + STAGE_CHECK_BLOCK;
	char *folder = NULL;
	int fd = -1;

	if (end > c->prev->n)
		end = c->prev->n;
	for (; i < end; i++) {
		struct stamp_key *k = &c->prev->v[i];
		const char *base = path_base(k->path);
		size_t n = (size_t)(base - k->path);
		struct stat st;

		if (folder == NULL || strlen(folder) != n ||
		    strncmp(folder, k->path, n) != 0) {
			char *p;

			if (fd >= 0)
				close(fd);
			free(folder);
			folder = xstrndup(k->path, n);
			p = path_join(c->dir, folder);
			fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			free(p);
		}
		k->staged = fd >= 0 && fstatat(fd, base, &st, 0) == 0 &&
		    stamp_key_is(k, &st);
	}
	if (fd >= 0)
		close(fd);
	free(folder);
}

void
rctx_stage_check(struct stamp_keys *prev, const char *dir, int jobs)
{
	struct stage_check c = { prev, dir };

	pool_run((prev->n + STAGE_CHECK_BLOCK - 1) / STAGE_CHECK_BLOCK, jobs,
	    check_block, &c);
	prev->checked = true;
}

bool
rctx_can_keep(const struct rctx *r, const char *out, unsigned long long key)
{
	const struct stamp_key *k;

	if (key == 0 || r->prev == NULL ||
	    (k = stamp_keys_get(r->prev, out)) == NULL || k->key != key)
		return false;
	return r->prev->checked ? k->staged : staged(r->o->out_dir, k);
}

bool
rctx_kept(struct rctx *r, const char *out)
{
	if (!rctx_can_keep(r, out, r->key) || !rctx_claim(r, out))
		return false;
	rctx_note(r, out, r->key, true);
	return true;
}

void
rctx_note(struct rctx *r, const char *out, unsigned long long key, bool kept)
{
	const struct stamp_key *k;

	strv_push(r->written, out);
	/* A file kept is the one the stamp in place lists: its size and
	 * inode go into the new stamp as they are (rctx_can_keep). */
	if (key && r->keys && kept && r->prev &&
	    (k = stamp_keys_get(r->prev, out)) != NULL)
		stamp_keys_put_file(r->keys, out, key, k->size, k->ino,
		    k->mtime_ns);
	else if (key && r->keys)
		stamp_keys_put(r->keys, out, key);
	if (kept)
		r->kept++;
	else
		r->made++;
}

int
rctx_record(struct rctx *r, const char *out, int err, unsigned long long key,
    bool kept)
{
	if (err) {
		if (++r->unwritten <= RCTX_WRITE_DIAGS)
			diag_add(r->diags, out, 1, 1, DIAG_ERROR, "file.read",
			    "cannot write: %s", strerror(err));
		r->last_err = err;
		return -1;
	}
	rctx_note(r, out, key, kept);
	return 0;
}

void
rctx_record_end(struct rctx *r)
{
	size_t more = r->unwritten > RCTX_WRITE_DIAGS ?
	    r->unwritten - RCTX_WRITE_DIAGS : 0;

	if (more)
		diag_add(r->diags, r->o->out_name ? r->o->out_name :
		    r->o->out_dir, 1, 1, DIAG_ERROR,
		    "file.read", "%zu more file%s could not be written (last: "
		    "%s)", more, more == 1 ? "" : "s", strerror(r->last_err));
}

int
rctx_write(struct rctx *r, const char *out, const char *data, size_t len)
{
	return rctx_record(r, out, rctx_write_file(r, out, data, len), r->key,
	    false);
}

int
rctx_render(struct rctx *r, const struct tpl *t, struct value *ctx,
    const char *out)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	if (rctx_claim(r, out)) {
		if (rctx_can_keep(r, out, r->key))
			rctx_note(r, out, r->key, true);
		else {
			tpl_render(t, ctx, &b);
			rc = rctx_write(r, out, b.data, b.len);
		}
	}
	buf_free(&b);
	value_free(ctx);
	return rc;
}

struct batch_run {
	const struct rctx *r;
	const struct rctx_batch *b;
	char **outs;
	int *err;
	bool *kept;
};

static void
batch_one(void *ud, size_t i)
{
	struct batch_run *br = ud;
	struct value *ctx;
	struct buf b = BUF_INIT;

	if (br->outs[i] == NULL)
		return;
	if (rctx_can_keep(br->r, br->outs[i], br->r->key)) {
		br->kept[i] = true;
		return;
	}
	ctx = br->b->build(br->r, i, br->outs[i], br->b->ud);
	tpl_render(br->b->t, ctx, &b);
	br->err[i] = rctx_write_file(br->r, br->outs[i], b.data, b.len);
	buf_free(&b);
	value_free(ctx);
}

int
rctx_render_batch(struct rctx *r, const struct rctx_batch *b, size_t n)
{
	struct batch_run br;
	size_t i;
	int rc = 0;

	br.r = r;
	br.b = b;
	br.outs = xcalloc(n + 1, sizeof(*br.outs));
	br.err = xcalloc(n + 1, sizeof(*br.err));
	br.kept = xcalloc(n + 1, sizeof(*br.kept));
	for (i = 0; i < n; i++) {
		br.outs[i] = b->name(r, i, b->ud);
		if (br.outs[i] && !rctx_claim(r, br.outs[i])) {
			free(br.outs[i]);
			br.outs[i] = NULL;
		}
	}
	pool_run(n, r->o->jobs, batch_one, &br);
	for (i = 0; i < n; i++) {
		if (br.outs[i] == NULL)
			continue;
		rc |= rctx_record(r, br.outs[i], br.err[i], r->key, br.kept[i]);
		free(br.outs[i]);
	}
	free(br.outs);
	free(br.err);
	free(br.kept);
	return rc;
}
