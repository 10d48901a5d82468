/*
 * scriptpage: a page for each script the runbooks reference (its source
 * with line numbers, the runbooks that use it, a link to the raw file),
 * the raw file itself when it lives outside the content folder, and an
 * index of the scripts.
 */
#ifndef RUNBOOKC_SCRIPTPAGE_H
#define RUNBOOKC_SCRIPTPAGE_H

struct rctx;
struct script;

/* "scripts/ID.html".  Caller frees. */
char *scriptpage_out(const struct script *sc);
/* Where the raw file is in the output.  Caller frees. */
char *scriptpage_raw_out(const struct script *sc);
/* Every script page, the raw copies and scripts/index.html. */
int scriptpage_render(struct rctx *r);

#endif
