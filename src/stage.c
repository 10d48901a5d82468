/*
 * stage: the staging tree, its atomic swap, and the replaced site kept
 * for the next build (see stage.h).
 */
#define _GNU_SOURCE
#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "hmap.h"
#include "pool.h"
#include "str.h"

/* Files of a site that its stamp does not list: the stamp and caches. */
#define DOT_PREFIX ".runbookc-"

/* The folder named out (trailing slashes aside) plus suffix, beside it. */
static char *
beside(const char *out, const char *suffix)
{
	size_t n = strlen(out);

	while (n > 1 && out[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, out, suffix);
}

/* Whether fd is still the file at path (a lock released by the build
 * before ours went with its file). */
static bool
still_there(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int
stage_lock(const char *out, bool block)
{
	char *path = beside(out, ".runbookc-lock");
	int fd = -1;

	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0666);
		if (fd < 0)
			break;
		if (flock(fd, LOCK_EX | (block ? 0 : LOCK_NB)) < 0) {
			int err = errno;

			close(fd);
			fd = -1;
			if (err == EINTR)
				continue;
			if (err == EWOULDBLOCK)
				fd = -2;
			break;
		}
		if (still_there(fd, path))
			break;
		close(fd);
	}
	free(path);
	return fd;
}

void
stage_unlock(const char *out, int fd)
{
	char *path;

	if (fd < 0)
		return;
	/* Removed while held: whoever opens the name next makes a new
	 * file, and whoever waits on this one sees it gone. */
	path = beside(out, ".runbookc-lock");
	unlink(path);
	free(path);
	close(fd);
}

char *
stage_prev_dir(const char *out)
{
	return beside(out, ".runbookc-prev");
}

char *
stage_pages_file(const char *out)
{
	return beside(out, ".runbookc-pages");
}

/* dst as a copy of src, for file systems that refuse hard links. */
static int
copy_file(const char *src, const char *dst)
{
	char *data, err[64];
	size_t len;
	int rc;

	if (fs_read(src, SIZE_MAX, &data, &len, err, sizeof(err)) != 0)
		return -1;
	rc = fs_write_if_changed(dst, data, len) < 0 ? -1 : 0;
	free(data);
	return rc;
}

/* The kind of entry e of the folder open as dfd: DT_DIR, DT_REG or
 * another (readdir tells, but not on every file system). */
static int
entry_type(int dfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG :
	    DT_UNKNOWN;
}

/*
 * Mirrors the tree src into dst with hard links (copies where links
 * fail).  Relative to the folders' descriptors: a site holds tens of
 * thousands of files, and each path walk from the root costs.
 */
static int
link_tree(const char *src, const char *dst)
{
	DIR *d;
	struct dirent *e;
	int rc = 0, sfd, tfd;

	if (mkdir(dst, 0777) < 0 && errno != EEXIST)
		return -1;
	if ((d = opendir(src)) == NULL)
		return -1;
	sfd = dirfd(d);
	if ((tfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		int type;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		type = entry_type(sfd, e);
		if (type == DT_REG &&
		    linkat(sfd, e->d_name, tfd, e->d_name, 0) == 0)
			continue;
		if (type == DT_REG || type == DT_DIR) {
			char *s = path_join(src, e->d_name);
			char *t = path_join(dst, e->d_name);

			rc |= type == DT_DIR ? link_tree(s, t) :
			    copy_file(s, t);
			free(s);
			free(t);
		}
	}
	close(tfd);
	closedir(d);
	return rc;
}

/* Removes the folders above dir/rel that are left empty, up to dir. */
static void
remove_empty_parents(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel), *slash;
	size_t root = strlen(dir);

	while ((slash = strrchr(p, '/')) != NULL && (size_t)(slash - p) > root) {
		*slash = '\0';
		if (rmdir(p) < 0)
			break;
	}
	free(p);
}

/*
 * dir/rel as a hard link of out/rel (a copy where links fail), when that
 * is a regular file: a symlink put there would be linked as it is and
 * followed by the next write.  Nothing for anything else (the build then
 * makes the file anew).
 */
static int
link_new(const char *out, const char *dir, const char *rel)
{
	char *s = path_join(out, rel), *t = path_join(dir, rel);
	struct stat st;
	int rc = 0;

	if (lstat(s, &st) == 0 && S_ISREG(st.st_mode) && link(s, t) < 0) {
		bool again = errno == ENOENT;	/* its folder is not made yet */

		if (again) {
			char *parent = path_dir(t);

			fs_mkdirs(parent);
			free(parent);
		}
		if (!again || link(s, t) < 0)
			rc = copy_file(s, t);
	}
	free(s);
	free(t);
	return rc;
}

/* dir/rel becomes a hard link of out/rel (see link_new()). */
static int
relink(const char *out, const char *dir, const char *rel)
{
	char *t = path_join(dir, rel);
	int rc = unlink(t) < 0 && errno != ENOENT ? -1 : 0;

	free(t);
	return rc < 0 ? rc : link_new(out, dir, rel);
}

static bool
is_dotfile(const char *name)
{
	return strncmp(name, DOT_PREFIX, strlen(DOT_PREFIX)) == 0;
}

static bool
same_inode(const char *a, const char *b)
{
	struct stat sa, sb;

	return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The stamp and caches at the top of out, which no list names: relinked
 * when they differ, removed from the stage when out has none. */
static int
sync_dotfiles(const char *out, const char *dir)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if ((d = opendir(out)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *s, *t;

			if (!is_dotfile(e->d_name))
				continue;
			s = path_join(out, e->d_name);
			t = path_join(dir, e->d_name);
			if (!same_inode(s, t))
				rc |= relink(out, dir, e->d_name);
			free(s);
			free(t);
		}
		closedir(d);
	}
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *s;

			if (!is_dotfile(e->d_name))
				continue;
			s = path_join(out, e->d_name);
			if (access(s, F_OK) < 0) {
				char *t = path_join(dir, e->d_name);

				unlink(t);
				free(t);
			}
			free(s);
		}
		closedir(d);
	}
	return rc;
}

/*
 * Turns the kept site (at dir) into a copy of out: what the two lists
 * share by path and inode is the same file already; the rest is relinked
 * or removed.  Both lists are sorted, so one merge does it.
 */
static int
sync_from_prev(const char *out, const char *dir, const struct stage_list *cur,
    const struct stage_list *prev)
{
	size_t i = 0, k = 0;
	int rc = 0;

	while (i < cur->n || k < prev->n) {
		int c = i == cur->n ? 1 : k == prev->n ? -1 :
		    strcmp(cur->v[i].path, prev->v[k].path);

		if (c < 0) {
			rc |= relink(out, dir, cur->v[i].path);
			i++;
		} else if (c > 0) {
			char *t = path_join(dir, prev->v[k].path);

			unlink(t);
			free(t);
			remove_empty_parents(dir, prev->v[k].path);
			k++;
		} else {
			if (cur->v[i].ino != prev->v[k].ino)
				rc |= relink(out, dir, cur->v[i].path);
			i++;
			k++;
		}
	}
	return rc | sync_dotfiles(out, dir);
}

/*
 * Removes what the kept site holds beyond its list (something dropped
 * into the site by hand, which a stage linked from out would not carry
 * either): one readdir per folder, each entry looked up by its path in
 * listed, no stat where the entry type says, nothing joined or copied
 * per file (at 30,000 files this walk was most of a one-page rebuild's
 * stage).  rel holds the folder's path below the root.
 */
static void
prune_at(int dfd, struct buf *rel, const struct hmap *listed)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t mark = rel->len;
		struct stat sb;
		bool is_dir;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (mark == 0 && is_dotfile(e->d_name)))
			continue;
		if (mark)
			buf_putc(rel, '/');
		buf_puts(rel, e->d_name);
		is_dir = e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN &&
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode));
		if (is_dir) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				prune_at(sub, rel, listed);
			/* Only succeeds when empty. */
			(void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		} else if (hmap_get(listed, buf_cstr(rel)) == NULL)
			(void)unlinkat(dirfd(d), e->d_name, 0);
		buf_truncate(rel, mark);
	}
	closedir(d);
}

static void
prune_unlisted(const char *root, const struct stage_list *l)
{
	struct hmap listed = HMAP_INIT;
	struct buf rel = BUF_INIT;
	size_t i;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	for (i = 0; i < l->n; i++)
		hmap_put(&listed, l->v[i].path, (void *)1);
	prune_at(fd, &rel, &listed);
	buf_free(&rel);
	hmap_free(&listed);
}

/* The kept site as the stage, when it can be; false leaves no stage. */
static bool
stage_from_prev(struct stage *st, const struct stage_list *cur,
    const struct stage_list *prev)
{
	if (cur == NULL || prev == NULL || !fs_is_dir(st->prev))
		return false;
	if (rename(st->prev, st->dir) < 0)
		return false;
	prune_unlisted(st->dir, prev);
	if (sync_from_prev(st->out, st->dir, cur, prev) < 0) {
		fs_remove_tree(st->dir);
		return false;
	}
	st->synced = st->mirror = true;
	st->cur = *cur;
	return true;
}

/* Leftovers of a killed build are ours to clear. */
static void
clear_trees(const char *out)
{
	char *dir = beside(out, ".runbookc-new");
	/* Left by builds of earlier versions, which removed the replaced
	 * site under this name. */
	char *old = beside(out, ".runbookc-old");

	fs_remove_tree(dir);
	fs_remove_tree(old);
	free(dir);
	free(old);
}

void
stage_clear(const char *out)
{
	char *pages = stage_pages_file(out);

	clear_trees(out);
	fs_remove_tree(pages);	/* a file, or whatever took its name */
	free(pages);
}


/*
 * Whether each folder on the way to out/rel is a folder, not a symlink
 * (a link would be followed out of out).  *last is the folder checked
 * before: the list is sorted, so most files share it.
 */
static bool
real_folders(const char *out, const char *rel, char **last)
{
	char *dir = path_dir(rel), *p;
	struct stat st;
	bool ok = true;
	size_t i;

	if (*last && strcmp(*last, dir) == 0) {
		free(dir);
		return true;
	}
	for (i = 0; ok && dir[i]; i++) {
		if (dir[i + 1] != '/' && dir[i + 1] != '\0')
			continue;
		p = xasprintf("%s/%.*s", out, (int)(i + 1), dir);
		ok = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
		free(p);
	}
	free(*last);
	*last = dir;
	return ok;
}

/* The folders of the files l lists, made in dir: each once as a rule (l
 * is sorted, so a folder's files mostly come together; one made again is
 * only looked at). */
static int
make_folders(const char *dir, const struct stage_list *l)
{
	char *last = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n && rc == 0; i++) {
		char *sub = path_dir(l->v[i].path);

		if (*sub && (last == NULL || strcmp(last, sub) != 0)) {
			char *p = path_join(dir, sub);

			rc = fs_mkdirs(p);
			free(p);
		}
		free(last);
		last = sub;
	}
	free(last);
	return rc;
}

struct link_job {
	const struct stage *st;
	const struct stage_list *l;
	int *rc;
};

static void
link_one(void *ud, size_t i)
{
	struct link_job *j = ud;

	j->rc[i] = link_new(j->st->out, j->st->dir, j->l->v[i].path);
}

/*
 * The stage from out's own list when no kept site can be used: the files
 * the stamp lists (and out's caches), linked, so that pruning needs no
 * walk of the tree and what else lies in out is not carried over.  The
 * links are made on jobs threads: two syscalls a file, and on a virtual
 * machine each costs microseconds (30,000 files: 230 ms on one thread,
 * 110 on two).
 */
static bool
stage_from_list(struct stage *st, const struct stage_list *cur, int jobs)
{
	char *last = NULL;
	struct link_job j;
	size_t i;
	int rc = 0;

	if (cur == NULL)
		return false;
	for (i = 0; i < cur->n; i++)
		if (!real_folders(st->out, cur->v[i].path, &last)) {
			free(last);
			return false;	/* link_tree() does not follow */
		}
	free(last);
	if (mkdir(st->dir, 0777) < 0)
		return false;
	j.st = st;
	j.l = cur;
	j.rc = xcalloc(cur->n + 1, sizeof(*j.rc));
	if (make_folders(st->dir, cur) < 0)
		rc = -1;
	else
		pool_run(cur->n, jobs, link_one, &j);
	for (i = 0; i < cur->n; i++)
		rc |= j.rc[i];
	free(j.rc);
	if ((rc | sync_dotfiles(st->out, st->dir)) < 0) {
		fs_remove_tree(st->dir);
		return false;
	}
	st->synced = st->mirror = true;
	st->cur = *cur;
	return true;
}

int
stage_begin(struct stage *st, const char *out, const struct stage_list *cur,
    const struct stage_list *prev, int jobs)
{
	memset(st, 0, sizeof(*st));
	st->out = beside(out, "");
	st->dir = beside(out, ".runbookc-new");
	st->prev = stage_prev_dir(out);
	clear_trees(st->out);	/* not the parse cache being written */
	if (fs_is_dir(st->out)) {
		if (stage_from_prev(st, cur, prev))
			return 0;
		/* A kept site nobody can vouch for is of no use. */
		fs_remove_tree(st->prev);
		if (stage_from_list(st, cur, jobs))
			return 0;
		if (link_tree(st->out, st->dir) < 0)
			return -1;
	} else {
		char *parent = path_dir(st->dir);

		fs_remove_tree(st->prev);
		fs_mkdirs(parent);
		free(parent);
		if (mkdir(st->dir, 0777) < 0)
			return -1;
		/* An empty stage holds only what this build writes: pruning
		 * needs no walk of it (55 ms at 30,000 files). */
		st->synced = true;
	}
	return 0;
}

static int
cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
kept(const char *rel, char *const *keep, size_t nkeep)
{
	return bsearch(&rel, keep, nkeep, sizeof(*keep), cmp_cstr) != NULL;
}

static void
prune_walk(const char *root, const char *rel, char *const *keep, size_t nkeep)
{
	char *dir = *rel ? path_join(root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;

	if (d == NULL) {
		free(dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char *sub, *full;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = *rel ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		full = path_join(root, sub);
		if (lstat(full, &sb) == 0) {
			if (S_ISDIR(sb.st_mode)) {
				prune_walk(root, sub, keep, nkeep);
				rmdir(full);	/* only succeeds when empty */
			} else if (!kept(sub, keep, nkeep))
				unlink(full);
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(dir);
}

/* A synced stage holds out's listed files and dotfiles: those are all
 * that can be stale. */
static void
prune_listed(struct stage *st, char *const *keep, size_t nkeep)
{
	DIR *d;
	struct dirent *e;
	size_t i;

	for (i = 0; i < st->cur.n; i++) {
		const char *rel = st->cur.v[i].path;
		char *full;

		if (kept(rel, keep, nkeep))
			continue;
		full = path_join(st->dir, rel);
		unlink(full);
		free(full);
		remove_empty_parents(st->dir, rel);
	}
	if ((d = opendir(st->dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (is_dotfile(e->d_name) && !kept(e->d_name, keep, nkeep)) {
			char *full = path_join(st->dir, e->d_name);

			unlink(full);
			free(full);
		}
	closedir(d);
}

void
stage_prune(struct stage *st, char *const *keep, size_t nkeep)
{
	if (st->synced)
		prune_listed(st, keep, nkeep);
	else
		prune_walk(st->dir, "", keep, nkeep);
}

static void
stage_release(struct stage *st)
{
	free(st->out);
	free(st->dir);
	free(st->prev);
	memset(st, 0, sizeof(*st));
}

int
stage_commit(struct stage *st)
{
	int rc;

	if (!fs_is_dir(st->out)) {
		rc = rename(st->dir, st->out);
	} else {
		/* Atomic swap: out is complete at every instant. */
		rc = renameat2(AT_FDCWD, st->dir, AT_FDCWD, st->out,
		    RENAME_EXCHANGE);
		/* The replaced site stays for the next build to start from;
		 * where it cannot, it goes. */
		if (rc == 0 && (fs_remove_tree(st->prev) < 0 ||
		    rename(st->dir, st->prev) < 0))
			rc = fs_remove_tree(st->dir);
	}
	stage_release(st);
	return rc;
}

void
stage_abort(struct stage *st)
{
	if (st->dir)
		fs_remove_tree(st->dir);
	stage_release(st);
}

void
stage_shelve(struct stage *st)
{
	if (st->dir && st->mirror && fs_remove_tree(st->prev) == 0 &&
	    rename(st->dir, st->prev) == 0) {
		stage_release(st);
		return;
	}
	stage_abort(st);
}
