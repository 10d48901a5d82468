/*
 * fsutil: file reading with limits, '/'-separated relative paths that can
 * never climb out of their root, and atomic output: a site is staged beside
 * the output folder and swapped in whole.
 */
#ifndef RUNBOOKC_FSUTIL_H
#define RUNBOOKC_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

#define FS_DEFAULT_MAX_FILE (16u * 1024 * 1024)

/*
 * Reads a whole regular file.  On success *data is a NUL-terminated copy the
 * caller frees.  On failure returns -1 and writes a reason to err.
 * A file larger than max bytes is refused (returns -2).
 */
int fs_read(const char *path, size_t max, char **data, size_t *len,
    char *err, size_t errlen);

/*
 * Maps the regular file dir/name read-only when it holds at least min
 * bytes (never through a symlink, never waiting on a FIFO); *st is its
 * stat.  NULL otherwise.  Unmap with munmap(map, st->st_size).  The build
 * caches are read this way: what they point into is the mapping.
 */
struct stat;
const unsigned char *fs_map(const char *dir, const char *name, size_t min,
    struct stat *st);
/*
 * Lets go of the pages of a mapping (map, len from fs_map) that lie
 * wholly before at + n, from the one at holds on: read again from the
 * file when touched later, but no longer held by the process meanwhile.
 */
void fs_map_release(const void *map, size_t len, const void *at, size_t n);
/*
 * For a mapping read front to back once and mostly never again (a
 * cache), so that the process holds a window of it, not all of it: call
 * it when the bytes at..at+n are read; it lets go of the FS_MAP_WINDOW
 * bytes they finish, when they cross a multiple of it, and of the rest
 * when they end the mapping.  Each call that lets go costs every thread
 * a TLB flush: a window, not a record, at a time.
 */
#define FS_MAP_WINDOW (4UL << 20)
void fs_map_read(const void *map, size_t len, const void *at, size_t n);

bool fs_is_dir(const char *path);
bool fs_is_file(const char *path);
bool fs_is_executable(const char *path);
int fs_mkdirs(const char *dir);
/* fs_mkdirs(), and in *first (when not NULL) the highest folder it made
 * (the caller frees it), else NULL. */
int fs_mkdirs_first(const char *dir, char **first);
/* Removes dir and the folders above it up to top, while they are empty
 * (what fs_mkdirs_first() made, once nothing went in). */
void fs_rmdirs_up(const char *dir, const char *top);
/* Removes a file or a whole tree (does not follow symlinks). */
int fs_remove_tree(const char *path);

/*
 * Writes data to path unless the file already holds exactly these bytes
 * (so its mtime stays).  Writes go to a temporary file that is renamed
 * over the target.  Creates parent folders.  Returns 1 written, 0 already
 * up to date, -1 error (errno set).
 */
int fs_write_if_changed(const char *path, const void *data, size_t len);

/*
 * The same for a file inside a staging tree, which nobody reads until it
 * is swapped in whole, so no temporary file is needed.  A different file
 * already there is unlinked first: it may be a hard link shared with the
 * live site.  Parent folders are made only when the open finds them
 * missing.  Returns 1 written, 0 already up to date, -1 error (errno set).
 */
int fs_write_staged(const char *path, const void *data, size_t len);


/* Paths (all '/'-separated, relative unless said otherwise). */
char *path_join(const char *a, const char *b);
/* The folder part of p ("" for a bare name). */
char *path_dir(const char *p);
/* The last component. */
const char *path_base(const char *p);
/*
 * Normalizes a relative path: removes "." and empty components and
 * resolves ".." against earlier components.  Returns NULL when the path
 * climbs above its start or is absolute.
 */
char *path_normalize(const char *p);
/* Whether p is a non-empty relative path that path_normalize() leaves as
 * it is (no allocation: stamps check 30,000 paths). */
bool path_is_normal(const char *p);
/* Replaces a trailing ".md" (or ".html.md") with ".html", or appends it. */
char *path_md_to_html(const char *p);
/*
 * The relative URL from the page at from (a file path under the output
 * root) to the file to: "../x/y.html".  Not percent-encoded.
 */
char *path_relative(const char *from, const char *to);
/* "../" repeated once per folder of from: the way back to the root. */
char *path_root_prefix(const char *from);

#endif
