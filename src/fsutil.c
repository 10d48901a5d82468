#define _GNU_SOURCE
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "str.h"

int
fs_read(const char *path, size_t max, char **data, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	struct buf b = BUF_INIT;
	const size_t chunk = 65536;	/* growth past fstat's size */
	ssize_t n;
	int fd;

	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is
	 * refused below like every file that is not a regular one. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > max) {
		snprintf(err, errlen, "file is %lld bytes, over the limit of "
		    "%zu", (long long)st.st_size, max);
		close(fd);
		return -2;
	}
	/* Read in place, with room for a byte more than fstat said: the
	 * read that comes up short at that size is the end (no read of
	 * nothing after it, a syscall a file: tens of thousands a build). */
	buf_grow(&b, (size_t)st.st_size + 1);
	for (;;) {
		size_t room = b.cap - b.len - 1;

		if (room == 0) {
			buf_grow(&b, chunk);
			room = b.cap - b.len - 1;
		}
		if ((n = read(fd, b.data + b.len, room)) == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read: %s",
			    strerror(errno));
			close(fd);
			buf_free(&b);
			return -1;
		}
		b.len += (size_t)n;
		if (b.len > max) {
			snprintf(err, errlen, "file grew over the limit of %zu "
			    "bytes", max);
			close(fd);
			buf_free(&b);
			return -2;
		}
		if ((size_t)n < room && b.len == (size_t)st.st_size)
			break;
	}
	b.data[b.len] = '\0';
	close(fd);
	*len = b.len;
	*data = buf_detach(&b);
	return 0;
}

bool
fs_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
fs_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool
fs_is_executable(const char *path)
{
	return fs_is_file(path) && access(path, X_OK) == 0;
}

int
fs_mkdirs_first(const char *dir, char **first)
{
	char *p, *s;
	int rc = 0;

	if (first)
		*first = NULL;
	if (*dir == '\0' || fs_is_dir(dir))
		return 0;
	p = xstrdup(dir);
	for (s = p + 1; rc == 0; s++) {
		bool last = *s == '\0';

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, 0777) == 0) {
			if (first && *first == NULL)
				*first = xstrdup(p);
		} else if (errno != EEXIST)
			rc = -1;
		if (last)
			break;
		*s = '/';
	}
	free(p);
	return rc;
}

int
fs_mkdirs(const char *dir)
{
	return fs_mkdirs_first(dir, NULL);
}

void
fs_rmdirs_up(const char *dir, const char *top)
{
	char *p = xstrdup(dir), *slash;
	size_t n = strlen(top);

	while (strlen(p) >= n && rmdir(p) == 0 && strlen(p) > n &&
	    (slash = strrchr(p, '/')) != NULL)
		*slash = '\0';
	free(p);
}

int
fs_remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = path_join(path, e->d_name);
		if (fs_remove_tree(sub) < 0)
			rc = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path) < 0)
		rc = -1;
	return rc;
}

/* Writes all of data to fd, across short writes and signals. */
static int
write_all(int fd, const void *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, (const char *)data + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

static bool
same_content(const char *path, const void *data, size_t len)
{
	char *old;
	size_t oldlen;
	char err[8];
	bool same;

	if (fs_read(path, len, &old, &oldlen, err, sizeof(err)) != 0)
		return false;
	same = oldlen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

int
fs_write_if_changed(const char *path, const void *data, size_t len)
{
	char *tmp, *dir;
	int fd, rc;

	if (same_content(path, data, len))
		return 0;
	dir = path_dir(path);
	rc = fs_mkdirs(dir);
	free(dir);
	if (rc < 0)
		return -1;
	tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	if (write_all(fd, data, len) < 0) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 1;
}

const unsigned char *
fs_map(const char *dir, const char *name, size_t min, struct stat *st)
{
	char *path = path_join(dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	void *map = MAP_FAILED;

	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_size > 0 &&
	    (uint64_t)st->st_size >= min &&
	    (uint64_t)st->st_size <= SIZE_MAX / 2)
		map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
	close(fd);
	return map == MAP_FAILED ? NULL : map;
}

void
fs_map_release(const void *map, size_t len, const void *at, size_t n)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t base = (uintptr_t)map, from = (uintptr_t)at, to;
	uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096;

	if (map == NULL || from < base || from > base + len ||
	    n > base + len - from)
		return;
	to = from + n;
	from &= ~(page - 1);
	/* The mapping's last page goes with its last byte. */
	to = to == base + len ? (to + page - 1) & ~(page - 1) :
	    to & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
}

void
fs_map_read(const void *map, size_t len, const void *at, size_t n)
{
	uintptr_t base = (uintptr_t)map, from = (uintptr_t)at;
	const unsigned char *m = map;
	size_t off, end, w;

	if (map == NULL || from < base || from > base + len ||
	    n > base + len - from)
		return;
	off = (size_t)(from - base);
	end = off + n;
	if (end == len) {
		w = off / FS_MAP_WINDOW * FS_MAP_WINDOW;
		fs_map_release(map, len, m + w, len - w);
	} else if ((w = end / FS_MAP_WINDOW * FS_MAP_WINDOW) > off &&
	    w >= FS_MAP_WINDOW) {
		fs_map_release(map, len, m + w - FS_MAP_WINDOW, FS_MAP_WINDOW);
	}
}

/*
 * 1 when the file at path holds exactly data, 0 when not (or when it is
 * no regular file: a FIFO or a symlink put there by hand is replaced,
 * never opened through or waited on), -1 absent.
 */
static int
holds(const char *path, const void *data, size_t len)
{
	struct stat st;
	char *old;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int same = 0;

	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	/* Sizes differ: no need to read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size == len) {
		old = xmalloc(len + 1);
		while (off < len) {
			ssize_t n = read(fd, old + off, len - off);

			if (n <= 0) {
				if (n < 0 && errno == EINTR)
					continue;
				break;
			}
			off += (size_t)n;
		}
		same = off == len && memcmp(old, data, len) == 0;
		free(old);
	}
	close(fd);
	return same;
}

int
fs_write_staged(const char *path, const void *data, size_t len)
{
	/* Most files of a first build are new: try that first. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

	if (fd < 0 && errno == EEXIST) {
		switch (holds(path, data, len)) {
		case 1:
			return 0;
		case 0:
			if (unlink(path) < 0 && errno != ENOENT)
				return -1;
			break;
		default:
			break;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	}
	if (fd < 0 && errno == ENOENT) {
		char *dir = path_dir(path);
		int rc = fs_mkdirs(dir);

		free(dir);
		if (rc < 0)
			return -1;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	}
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0) {
		close(fd);
		return -1;
	}
	return close(fd) < 0 ? -1 : 1;
}

char *
path_join(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), sep;
	char *p;

	if (n == 0)
		return xstrdup(b);
	/* Called for every file a build touches: no printf. */
	sep = a[n - 1] != '/';
	p = xmalloc(n + sep + m + 1);
	memcpy(p, a, n);
	p[n] = '/';
	memcpy(p + n + sep, b, m + 1);
	return p;
}

char *
path_dir(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? xstrndup(p, (size_t)(s - p)) : xstrdup("");
}

const char *
path_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

char *
path_normalize(const char *p)
{
	struct buf b = BUF_INIT;
	const char *s = p, *e;
	size_t *marks = NULL, nmarks = 0, cap = 0;

	if (*p == '/')
		return NULL;
	while (*s) {
		size_t n;

		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (nmarks == 0) {
				free(marks);
				buf_free(&b);
				return NULL;
			}
			buf_truncate(&b, marks[--nmarks]);
		} else {
			marks = xgrow(marks, &cap, nmarks, sizeof(*marks));
			marks[nmarks++] = b.len;
			if (b.len)
				buf_putc(&b, '/');
			buf_put(&b, s, n);
		}
		s += n;
		if (*s == '/')
			s++;
	}
	free(marks);
	/* buf_truncate keeps a leading '/' after popping to mark 0. */
	if (b.len && b.data[0] == '/') {
		char *r = xstrdup(b.data + 1);

		buf_free(&b);
		return r;
	}
	return buf_detach(&b);
}

bool
path_is_normal(const char *p)
{
	const char *s = p, *e;

	if (*p == '\0' || *p == '/')
		return false;
	for (;;) {
		size_t n;

		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (e == NULL)
			return true;
		s = e + 1;
	}
}

char *
path_md_to_html(const char *p)
{
	size_t n = strlen(p);

	/* Middleman names pages "x.html.md" and publishes them as "x.html". */
	if (n >= 8 && strcmp(p + n - 8, ".html.md") == 0)
		return xasprintf("%.*s", (int)(n - 3), p);
	if (n >= 3 && strcmp(p + n - 3, ".md") == 0)
		return xasprintf("%.*s.html", (int)(n - 3), p);
	return xasprintf("%s.html", p);
}

char *
path_root_prefix(const char *from)
{
	struct buf b = BUF_INIT;
	const char *s;

	for (s = from; *s; s++)
		if (*s == '/')
			buf_puts(&b, "../");
	return buf_detach(&b);
}

char *
path_relative(const char *from, const char *to)
{
	size_t common = 0, i;
	struct buf b = BUF_INIT;

	/* Longest shared folder prefix (up to and including a '/'). */
	for (i = 0; from[i] && to[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	for (i = common; from[i]; i++)
		if (from[i] == '/')
			buf_puts(&b, "../");
	buf_puts(&b, to + common);
	return buf_detach(&b);
}
