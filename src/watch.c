#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "fsutil.h"
#include "str.h"

#define WATCH_MAX_DEPTH 64
#define WATCH_POLL_MS 500
#define WATCH_SETTLE_CAP 10	/* settle at most this many times settle_ms */

/* A watched folder: every entry, or only the one named (a lone file). */
struct wdir {
	int wd;
	char *path;		/* as the user named it, for messages */
	char *real;		/* absolute, for the skip test */
	char *only;
};

struct watch {
	char **roots;
	size_t nroots;
	char *skip;		/* absolute, or NULL */
	int fd;			/* inotify, or -1 when polling */
	struct wdir *dirs;
	size_t ndirs, cap;
	unsigned long long sig;	/* polling: the trees' signature */
};

/* Hidden files and editors' temporary files are not content. */
static bool
is_noise(const char *name)
{
	size_t n = strlen(name);

	return n == 0 || name[0] == '.' || name[0] == '#' ||
	    name[n - 1] == '~' || strcmp(name, "4913") == 0;
}

/* The absolute form of path, whose last part may not exist yet. */
static char *
abs_path(const char *path)
{
	char *real = realpath(path, NULL), *dir, *rdir, *out;

	if (real)
		return real;
	dir = path_dir(path);
	rdir = realpath(*dir ? dir : ".", NULL);
	out = rdir ? path_join(rdir, path_base(path)) : NULL;
	free(dir);
	free(rdir);
	return out;
}

/* True when real is the skip path, or beside it as out.runbookc-new. */
static bool
is_skipped(const struct watch *w, const char *real)
{
	size_t n;

	if (w->skip == NULL || real == NULL)
		return false;
	n = strlen(w->skip);
	return strncmp(real, w->skip, n) == 0 && (real[n] == '\0' ||
	    real[n] == '/' || real[n] == '.');
}

static unsigned long long
mix(unsigned long long h, const void *data, size_t len)
{
	return str_hash(data, len, h);
}

/*
 * Polling: a signature of every entry under path (name, size, mtime,
 * mode).  Entries are summed, so the order of readdir does not matter.
 */
static unsigned long long
tree_sig(const struct watch *w, const char *path, int depth)
{
	unsigned long long sum = 0, h;
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (stat(path, &st) < 0)
		return 0;
	h = mix(STR_HASH_SEED, path, strlen(path));
	h = mix(h, &st.st_size, sizeof(st.st_size));
	h = mix(h, &st.st_mtime, sizeof(st.st_mtime));
	h = mix(h, &st.st_mode, sizeof(st.st_mode));
	sum += h;
	if (!S_ISDIR(st.st_mode) || depth >= WATCH_MAX_DEPTH ||
	    (d = opendir(path)) == NULL)
		return sum;
	while ((e = readdir(d)) != NULL) {
		char *sub, *real;

		if (is_noise(e->d_name))
			continue;
		sub = path_join(path, e->d_name);
		real = w->skip ? abs_path(sub) : NULL;
		if (!is_skipped(w, real))
			sum += tree_sig(w, sub, depth + 1);
		free(real);
		free(sub);
	}
	closedir(d);
	return sum;
}

static unsigned long long
all_sig(const struct watch *w)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		sum += tree_sig(w, w->roots[i], 0);
	return sum;
}

#ifdef __linux__
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | \
	IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | \
	IN_MOVE_SELF)

/* Adds one folder; -1 when inotify refuses (out of watches, say). */
static int
add_dir(struct watch *w, const char *path, const char *only)
{
	struct wdir *d;
	int wd = inotify_add_watch(w->fd, path, WATCH_MASK | IN_ONLYDIR);

	if (wd < 0)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	w->dirs = xgrow(w->dirs, &w->cap, w->ndirs, sizeof(*w->dirs));
	d = &w->dirs[w->ndirs++];
	d->wd = wd;
	d->path = xstrdup(path);
	d->real = abs_path(path);
	d->only = only ? xstrdup(only) : NULL;
	return 0;
}

/* Adds a folder and every folder below it. */
static int
add_tree(struct watch *w, const char *path, int depth)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	if (depth >= WATCH_MAX_DEPTH || add_dir(w, path, NULL) < 0)
		return depth >= WATCH_MAX_DEPTH ? 0 : -1;
	if ((d = opendir(path)) == NULL)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *sub, *real;

		if (is_noise(e->d_name))
			continue;
		sub = path_join(path, e->d_name);
		real = abs_path(sub);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
		    !is_skipped(w, real))
			rc = add_tree(w, sub, depth + 1);
		free(real);
		free(sub);
	}
	closedir(d);
	return rc;
}

static struct wdir *
find_wd(struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

static void
drop_wd(struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			free(w->dirs[i].real);
			free(w->dirs[i].only);
			w->dirs[i] = w->dirs[--w->ndirs];
			return;
		}
}

static int
inotify_start(struct watch *w)
{
	size_t i;
	struct stat st;

	if ((w->fd = inotify_init1(IN_CLOEXEC)) < 0)
		return -1;
	for (i = 0; i < w->nroots; i++) {
		const char *r = w->roots[i];
		int rc;

		if (stat(r, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = add_tree(w, r, 0);
		else {
			char *dir = path_dir(r);

			/* Editors replace a file by renaming a new one over
			 * it: watch its folder, for its name. */
			rc = add_dir(w, *dir ? dir : ".", path_base(r));
			free(dir);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * Reads the pending events.  Returns the number that count as changes
 * (the first one's path goes to what), or -1 on a read error.
 */
static int
inotify_drain(struct watch *w, char *what, size_t whatlen)
{
	char ev[16384] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	ssize_t n = read(w->fd, ev, sizeof(ev));
	char *p;
	int count = 0;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	for (p = ev; p < ev + n;) {
		struct inotify_event *ie = (struct inotify_event *)(void *)p;
		struct wdir *d = find_wd(w, ie->wd);
		const char *name = ie->len ? ie->name : "";

		p += sizeof(*ie) + ie->len;
		if (ie->mask & IN_IGNORED) {
			drop_wd(w, ie->wd);
			continue;
		}
		if (d == NULL || (ie->len && is_noise(name)) ||
		    (d->only && strcmp(d->only, name) != 0))
			continue;
		{
			char *full = ie->len ? path_join(d->path, name) :
			    xstrdup(d->path);
			char *real = ie->len ? path_join(d->real ? d->real :
			    "", name) : xstrdup(d->real ? d->real : "");

			if (!is_skipped(w, real)) {
				if ((ie->mask & IN_ISDIR) && (ie->mask &
				    (IN_CREATE | IN_MOVED_TO)) && !d->only)
					(void)add_tree(w, full, 1);
				if (count++ == 0 && whatlen)
					snprintf(what, whatlen, "%s", full);
			}
			free(full);
			free(real);
		}
	}
	return count;
}

static int
inotify_wait(struct watch *w, int settle_ms, char *what, size_t whatlen,
    char *err, size_t errlen)
{
	struct pollfd pfd = { w->fd, POLLIN, 0 };
	int changes = 0, rounds = 0, rc;

	while (changes == 0) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			goto fail;
		if ((rc = inotify_drain(w, what, whatlen)) < 0)
			goto fail;
		changes += rc;
	}
	/* Quiet for settle_ms, or give up waiting after a while. */
	while (rounds++ < WATCH_SETTLE_CAP) {
		rc = poll(&pfd, 1, settle_ms);
		if (rc == 0)
			break;
		if (rc < 0 && errno != EINTR)
			goto fail;
		if (rc > 0 && inotify_drain(w, NULL, 0) < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "watching for changes: %s", strerror(errno));
	return -1;
}
#endif /* __linux__ */

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
poll_wait(struct watch *w, int settle_ms, char *what, size_t whatlen)
{
	unsigned long long now;
	int rounds = 0;

	while ((now = all_sig(w)) == w->sig)
		sleep_ms(WATCH_POLL_MS);
	do {
		w->sig = now;
		sleep_ms(settle_ms);
	} while ((now = all_sig(w)) != w->sig && ++rounds < WATCH_SETTLE_CAP);
	w->sig = now;
	if (whatlen)
		snprintf(what, whatlen, "%s", w->nroots ? w->roots[0] : "");
	return 0;
}

struct watch *
watch_open(const char *const *paths, size_t n, const char *skip, char *err,
    size_t errlen)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	struct stat st;
	size_t i;

	w->fd = -1;
	w->roots = xcalloc(n + 1, sizeof(*w->roots));
	for (i = 0; i < n; i++)
		if (paths[i] && stat(paths[i], &st) == 0)
			w->roots[w->nroots++] = xstrdup(paths[i]);
	if (w->nroots == 0) {
		snprintf(err, errlen, "nothing to watch");
		watch_close(w);
		return NULL;
	}
	w->skip = skip ? abs_path(skip) : NULL;
#ifdef __linux__
	if (inotify_start(w) == 0)
		return w;
	/* Out of inotify watches (or none at all): poll instead. */
	for (i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		free(w->dirs[i].real);
		free(w->dirs[i].only);
	}
	w->ndirs = 0;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
#endif
	w->sig = all_sig(w);
	return w;
}

int
watch_wait(struct watch *w, int settle_ms, char *what, size_t whatlen,
    char *err, size_t errlen)
{
	if (whatlen)
		*what = '\0';
#ifdef __linux__
	if (w->fd >= 0)
		return inotify_wait(w, settle_ms, what, whatlen, err, errlen);
#else
	(void)err;
	(void)errlen;
#endif
	return poll_wait(w, settle_ms, what, whatlen);
}

void
watch_close(struct watch *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		free(w->dirs[i].real);
		free(w->dirs[i].only);
	}
	free(w->dirs);
	for (i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->skip);
#ifdef __linux__
	if (w->fd >= 0)
		close(w->fd);
#endif
	free(w);
}
