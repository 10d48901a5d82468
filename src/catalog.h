/*
 * catalog: the site as data, for tools.  catalog.json holds every page's
 * metadata (front matter, headings, scripts, review state, where it is
 * linked from) and every alert; `runbookc list --format json` prints the
 * same.  alerts.json maps each alert id to the stable URL of its alert
 * page (relative, or absolute under site.yml base_url): the URL an
 * alerting rule's runbook_url can point to.
 */
#ifndef RUNBOOKC_CATALOG_H
#define RUNBOOKC_CATALOG_H

struct buf;
struct rctx;

/*
 * catalog.json into out.  Needs r->s, r->cfg, r->o (today, commit,
 * version, jobs: the entries are made on the render pool) and r->today
 * only.
 */
void catalog_json(const struct rctx *r, struct buf *out);
/*
 * Writes catalog.json (streamed, never held whole) and alerts.json into
 * the output folder, each unless its path is already claimed.  Returns 0
 * or -1 (with a diagnostic).
 */
int catalog_render(struct rctx *r);

#endif
