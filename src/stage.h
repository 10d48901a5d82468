/*
 * stage: how a new site replaces OUT whole.  The build writes into a
 * staging tree beside it (OUT.runbookc-new) that starts as OUT made of
 * hard links, so unchanged files keep their inode and mtime; the commit
 * swaps the two trees with one renameat2(RENAME_EXCHANGE), so a reader or
 * a kill sees the old site or the new one, never a mix.
 *
 * The tree swapped out is kept as OUT.runbookc-prev.  It shares every
 * unchanged file with OUT, so the next build makes its staging tree from
 * it by relinking only the files that differ, which the two trees' stamps
 * tell by inode, instead of linking every file of the site again (and
 * removing as many): a rebuild's file system work is the size of what
 * changed.  Deleting OUT.runbookc-prev is always safe.
 */
#ifndef RUNBOOKC_STAGE_H
#define RUNBOOKC_STAGE_H

#include <stdbool.h>
#include <stddef.h>

/* A file of a built site as its stamp lists it. */
struct stage_file {
	const char *path;	/* out-relative */
	unsigned long long ino;
};

/* Sorted by path (strcmp). */
struct stage_list {
	const struct stage_file *v;
	size_t n;
};

struct stage {
	char *out;
	char *dir;		/* the staging tree */
	char *prev;		/* where the replaced site is kept */
	/* Made empty, or from prev and cur (out's files) rather than
	 * linked whole: pruning then needs no walk of the tree. */
	bool synced;
	bool mirror;		/* a copy of out, as made */
	struct stage_list cur;
};

/*
 * Takes the lock of the files beside out, an flock on OUT.runbookc-lock
 * (made, and removed again by stage_unlock(), so that a build leaves
 * nothing there): two builds into one out would clear each other's
 * stage.  With block false a lock another process holds gives -2 at
 * once; else the call waits for it.  The descriptor to hand to
 * stage_unlock(), or -1 when there can be no lock file (out's folder
 * missing or not writable: the build then says why it cannot write).
 */
int stage_lock(const char *out, bool block);
void stage_unlock(const char *out, int fd);
/* "OUT.runbookc-prev".  Caller frees. */
char *stage_prev_dir(const char *out);
/* "OUT.runbookc-pages": where a build writes the next parse cache while
 * it parses, before there is a stage to put it in.  Caller frees. */
char *stage_pages_file(const char *out);

/*
 * Makes the staging tree.  cur lists the files of the site in out (from
 * its stamp) and prev those of the site kept in stage_prev_dir(out),
 * either NULL when unknown; when both are known the stage is made from
 * the kept site, else from the files cur lists, else from all of out
 * (and a kept site that cannot be used is removed).  The lists must stay
 * alive until stage_commit() or stage_abort().  Files are linked on up to
 * jobs threads.  Returns 0 or -1 (errno).
 */
int stage_begin(struct stage *st, const char *out,
    const struct stage_list *cur, const struct stage_list *prev, int jobs);
/*
 * Removes from the stage every file not in keep (out-relative, sorted),
 * and the folders that leaves empty.
 */
void stage_prune(struct stage *st, char *const *keep, size_t nkeep);
/* Swaps the stage in; the replaced site is kept for the next build. */
int stage_commit(struct stage *st);
/* Removes the stage. */
void stage_abort(struct stage *st);
/*
 * Gives up a stage nothing was written into: one made from out's list or
 * from the kept site is a copy of out, and becomes the kept site (the
 * next build starts from it as from any other); else it is removed.
 */
void stage_shelve(struct stage *st);
/* Removes what a killed build may have left beside out (a stage, the
 * parse cache it was writing). */
void stage_clear(const char *out);

#endif
