/*
 * listings: the generated pages that list other pages.  The home page,
 * an index for every folder without its own index page, one page per
 * severity, owner, tag and service (and an index of each), the alert
 * table with a stable redirect page per alert, the search page, and the
 * redirect pages of front matter aliases.
 */
#ifndef RUNBOOKC_LISTINGS_H
#define RUNBOOKC_LISTINGS_H

struct rctx;
struct value;

/* Everything but the aliases and the search page.  Returns 0 or -1. */
int listings_render(struct rctx *r);
/* search.html: the page that reads the search index. */
int listings_search_page(struct rctx *r);
/*
 * A redirect page at each alias of a page that nothing else holds, and
 * at DIR/_index.html for each DIR/_index.md (which renders as
 * DIR/index.html).
 */
int listings_aliases(struct rctx *r);

/*
 * Home data into m (severity counts, entry points, sections with their
 * first pages), with URLs from the output file from.  The generated
 * home page uses it, and so does a content's own root index page.
 */
void listings_add_home(const struct rctx *r, struct value *m,
    const char *from);
/*
 * The pages of folder ("" for the root) as parent.key.items, a list of
 * groups: its own pages first, then one group per subfolder (every page
 * below it), skipping the folder's index page.  Adds nothing when the
 * folder has no other page.
 */
void listings_add_folder(const struct rctx *r, struct value *parent,
    const char *key, const char *folder, const char *from);

#endif
