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

/* Needs r->s, r->cfg, r->o (today, commit, version) and r->today only. */
void catalog_json(const struct rctx *r, struct buf *out);
void catalog_alerts_json(const struct rctx *r, struct buf *out);

#endif
