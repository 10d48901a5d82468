#include "check.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertrules.h"
#include "buf.h"
#include "config.h"
#include "digest.h"
#include "findings.h"
#include "fsutil.h"
#include "page.h"
#include "pool.h"
#include "rx.h"
#include "site.h"
#include "userrules.h"
#include "value.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

long
check_parse_date(const char *s)
{
	static const unsigned mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	unsigned y, m, d;
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' &&
		    s[i] <= '9'))
			return -1;
	if (s[10] != '\0')
		return -1;
	y = (unsigned)atoi(s);
	m = (unsigned)atoi(s + 5);
	d = (unsigned)atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return -1;
	return days_from_civil((long)y, m, d);
}

void
check_format_date(long z, char *out)
{
	long era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	/* Callers pass 11 bytes; years past 9999 are not dates we print. */
	if (y < 0 || y > 9999)
		y = 9999;
	sprintf(out, "%04d-%02u-%02u", (int)y, m % 13, d % 32);
}

struct ctx {
	const struct site *s;
	const struct config *cfg;
	const struct check_opts *o;
	struct diag_list *out;
	/* [script index]: whether the script may run, looked at once per
	 * script (NULL when the configuration does not ask). */
	const bool *exec;
};

static void
err(struct ctx *c, const struct page *p, struct pos pos, const char *rule,
    enum diag_severity sev, const char *fmt, const char *a, const char *b)
{
	int line = pos.line ? pos.line : 1, col = pos.col ? pos.col : 1;

	diag_add(c->out, p->file, line, col, sev, rule, fmt, a, b);
}

/* Where a page-level problem is reported: the title heading, else 1:1. */
static struct pos
title_pos(const struct page *p)
{
	struct pos one = { 1, 1 };
	size_t i;

	for (i = 0; i < p->nheadings; i++)
		if (p->headings[i].level == 1)
			return p->headings[i].pos;
	return one;
}

/*
 * A field is present when it has a value; one of the wrong type counts as
 * present, since field.type has already said what is wrong with it.
 * The title may come from the first heading, alerts from 'alert' or the
 * file name.
 */
static bool
field_present(const struct page *p, const char *field)
{
	const struct value *v = p->fm ? value_get(p->fm, field) : NULL;

	if (strcmp(field, "title") == 0 && p->title.s && *p->title.s)
		return true;
	if (strcmp(field, "alerts") == 0 && p->alerts.n > 0)
		return true;
	return v != NULL && value_truthy(v);
}

static void
check_fields(struct ctx *c, const struct page *p, const struct kind *k)
{
	struct pos fm = p->fm_pos;
	size_t i;

	if (p->fm_invalid)
		return;		/* yaml.syntax said it; fields are unknown */
	if (!p->has_front_matter && k->needs_front_matter) {
		err(c, p, fm, "front-matter.missing", DIAG_ERROR,
		    "no front matter; a %s needs %s", k->id,
		    "a '---' block with its fields");
		return;
	}
	for (i = 0; i < k->required_fields.n; i++) {
		const char *f = k->required_fields.v[i];

		if (!field_present(p, f))
			err(c, p, fm, "field.required", DIAG_ERROR,
			    "required field '%s' is missing; a %s needs it in "
			    "its front matter", f, k->id);
	}
}

static void
check_values(struct ctx *c, const struct page *p)
{
	const struct config *cfg = c->cfg;
	size_t i;

	if (p->severity.s && config_severity(cfg, p->severity.s) == NULL) {
		struct buf ids = BUF_INIT;

		for (i = 0; i < cfg->nseverities; i++)
			buf_printf(&ids, "%s%s", i ? ", " : "",
			    cfg->severities[i].id);
		err(c, p, p->severity.pos, "field.enum", DIAG_ERROR,
		    "severity '%s' is not one of %s", p->severity.s,
		    buf_cstr(&ids));
		buf_free(&ids);
	}
	if (p->owner.s && cfg->nowners > 0 &&
	    config_owner(cfg, p->owner.s) == NULL)
		err(c, p, p->owner.pos, "owner.unknown", DIAG_ERROR,
		    "owner '%s' is not listed under 'owners' in %s; add it "
		    "there or fix the id", p->owner.s, cfg->file ?
		    cfg->file : "site.yml");
	for (i = 0; i < p->alerts.n; i++)
		if (!rx_matches(cfg->alert_pattern, p->alerts.v[i].s))
			err(c, p, p->alerts.v[i].pos, "field.pattern",
			    DIAG_ERROR, "alert id '%s' does not match %s",
			    p->alerts.v[i].s, rx_pattern(cfg->alert_pattern));
	if (p->kind.s && config_kind(cfg, p->kind.s) == NULL)
		err(c, p, p->kind.pos, "field.enum", DIAG_ERROR,
		    "kind '%s' is not defined%s", p->kind.s,
		    " (add it under 'kinds' in site.yml)");
}

static bool
section_found(const struct page *p, char *const *keys,
    const struct section_rule *r, const struct heading **h)
{
	size_t i;

	for (i = 0; i < p->nheadings; i++)
		if (section_rule_matches_key(r, p->headings[i].text,
		    keys[i])) {
			*h = &p->headings[i];
			return true;
		}
	return false;
}

static void
check_sections(struct ctx *c, const struct page *p, const struct kind *k)
{
	size_t i;
	const struct heading *h, *prev = NULL;
	/* Each heading folded once, for every rule. */
	char **keys = xcalloc(p->nheadings + 1, sizeof(*keys));

	for (i = 0; i < p->nheadings; i++)
		keys[i] = section_heading_key(p->headings[i].text);
	for (i = 0; i < k->nrequired; i++) {
		const struct section_rule *r = &k->required[i];

		if (!section_found(p, keys, r, &h)) {
			err(c, p, title_pos(p), "section.required", DIAG_ERROR,
			    "required section '%s' is missing; add it as a "
			    "heading%s", r->name, "");
			continue;
		}
		if (!h->has_content)
			err(c, p, h->pos, "section.empty", DIAG_ERROR,
			    "section '%s' has nothing under its heading; fill "
			    "it in%s", h->text, "");
		if (k->ordered && prev && h < prev)
			err(c, p, h->pos, "section.required", DIAG_ERROR,
			    "section '%s' must come after '%s'; move it down",
			    h->text, prev->text);
		prev = h;
	}
	for (i = 0; i < k->nrecommended; i++) {
		const struct section_rule *r = &k->recommended[i];

		if (!section_found(p, keys, r, &h))
			err(c, p, title_pos(p), "section.recommended",
			    DIAG_WARNING, "recommended section '%s' is "
			    "missing; add it as a heading%s", r->name, "");
		else if (!h->has_content)
			err(c, p, h->pos, "section.empty", DIAG_WARNING,
			    "section '%s' has nothing under its heading; fill "
			    "it in%s", h->text, "");
	}
	for (i = 0; i < p->nheadings; i++)
		free(keys[i]);
	free(keys);
}

static void
check_links(struct ctx *c, const struct page *p, size_t pi)
{
	size_t i;

	for (i = 0; i < p->nlinks; i++) {
		const struct link *l = &p->links[i];
		const struct target *t = &c->s->targets[pi][i];

		switch (t->kind) {
		case TARGET_MISSING:
			err(c, p, l->pos, "link.broken", DIAG_ERROR,
			    "link target '%s' does not exist%s", l->url, "");
			break;
		case TARGET_OUTSIDE:
			err(c, p, l->pos, "link.broken", DIAG_ERROR,
			    "link target '%s' is outside the content "
			    "folder%s", l->url, "");
			break;
		case TARGET_FOLDER:
			err(c, p, l->pos, "link.broken", DIAG_ERROR,
			    "link target '%s' is a folder with no index "
			    "page%s", l->url, "");
			break;
		case TARGET_PAGE:
		case TARGET_SELF:
			if (t->anchor && page_heading(t->page, t->anchor) ==
			    NULL)
				err(c, p, l->pos, "link.anchor", DIAG_ERROR,
				    "anchor '#%s' does not exist in %s",
				    t->anchor, t->page->file);
			break;
		default:
			break;
		}
	}
}

/* "the page's folder, the content root and the folder above it". */
static void
describe_roots(const struct config *cfg, struct buf *b)
{
	size_t i, n = cfg->script_roots.n;

	for (i = 0; i < n; i++) {
		const char *r = cfg->script_roots.v[i];

		if (i > 0)
			buf_puts(b, i + 1 == n ? " and " : ", ");
		if (strcmp(r, ".") == 0)
			buf_puts(b, "the page's folder");
		else if (strcmp(r, "/") == 0)
			buf_puts(b, "the content root");
		else if (strcmp(r, "..") == 0)
			buf_puts(b, "the folder above it");
		else
			buf_printf(b, "'%s'", r);
	}
}

static void
check_script_list(struct ctx *c, const struct page *p,
    const struct pstrv *refs, const struct script_use *uses)
{
	size_t i;

	for (i = 0; i < refs->n; i++) {
		bool outside = uses[i].outside;
		const struct script *sc = uses[i].sc;

		if (sc == NULL && outside) {
			err(c, p, refs->v[i].pos, "script.missing", DIAG_ERROR,
			    "script '%s' is outside the script roots%s",
			    refs->v[i].s, "");
		} else if (sc == NULL) {
			struct buf where = BUF_INIT;

			describe_roots(c->cfg, &where);
			err(c, p, refs->v[i].pos, "script.missing", DIAG_ERROR,
			    "script '%s' not found (looked in %s)",
			    refs->v[i].s, buf_cstr(&where));
			buf_free(&where);
		} else if (c->exec && (str_ends(sc->id, ".sh") ||
		    str_ends(sc->id, ".bash")) && !c->exec[sc - c->s->scripts])
			err(c, p, refs->v[i].pos, "script.not-executable",
			    DIAG_ERROR, "script '%s' is not executable "
			    "(chmod +x %s)", refs->v[i].s, sc->file);
	}
}

static void
check_review(struct ctx *c, const struct page *p)
{
	long d;
	int every;

	if (p->last_reviewed.s == NULL)
		return;
	d = check_parse_date(p->last_reviewed.s);
	if (d < 0) {
		err(c, p, p->last_reviewed.pos, "review.date", DIAG_ERROR,
		    "last_reviewed '%s' is not a date; write it as "
		    "YYYY-MM-DD%s", p->last_reviewed.s, "");
		return;
	}
	if (d > c->o->today) {
		err(c, p, p->last_reviewed.pos, "review.date", DIAG_ERROR,
		    "last_reviewed '%s' is in the future; write the date of "
		    "the last review%s", p->last_reviewed.s, "");
		return;
	}
	every = p->review_every_days >= 0 ? p->review_every_days :
	    c->cfg->review_every_days;
	if (c->o->today - d > every) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%ld days ago, and reviews are due "
		    "every %d days", c->o->today - d, every);
		err(c, p, p->last_reviewed.pos, "review.stale", DIAG_WARNING,
		    "last reviewed %s, %s; review it and update last_reviewed",
		    p->last_reviewed.s, msg);
	}
}

static void
check_alerts(struct ctx *c, const struct page *p)
{
	size_t i;

	for (i = 0; i < p->alerts.n; i++) {
		const struct alert_entry *a = hmap_get(&c->s->alert_index,
		    p->alerts.v[i].s);

		if (a && a->page != p)
			err(c, p, p->alerts.v[i].pos, "alert.duplicate",
			    DIAG_ERROR, "alert '%s' is already answered by %s; "
			    "keep it in one runbook", p->alerts.v[i].s,
			    a->page->file);
	}
}

/*
 * The key two content paths share when a case-insensitive file system
 * (macOS, Windows) takes them for one file: ASCII and Latin-1 letters
 * lower-cased (À..Þ, as UTF-8 C3 80..C3 9E, but not ×).  Other scripts
 * keep their case: a missed collision costs less than a false one.
 */
static char *
case_key(const char *path)
{
	char *k = xstrdup(path), *s;

	for (s = k; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 'A' && ch <= 'Z')
			*s = (char)(ch - 'A' + 'a');
		else if (ch == 0xC3 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] <= 0x9E && (unsigned char)s[1] != 0x97) {
			s[1] = (char)((unsigned char)s[1] + 0x20);
			s++;
		}
	}
	return k;
}

/* A content file and the output file it becomes. */
struct claim {
	const char *file;	/* as shown: "content/db/x.md" */
	const char *out;	/* in the site: "db/x.html" */
};

/*
 * Content files that one file system takes for one file: two paths that
 * differ only in case (they collide when the repository is checked out
 * on macOS or Windows), and two files written to the same output path,
 * or to output paths that differ only in case (x.md and an asset x.html;
 * _index.md and index.md; Y.html and y.md).  Either way one file
 * silently replaces the other, so it is an error, reported at the later
 * file (pages, then assets, each in sorted order) and naming the first.
 * Two hash tables (source paths, output paths): linear in the number
 * of files.
 */
static void
check_collisions(struct ctx *c)
{
	const struct site *s = c->s;
	struct hmap srcs = HMAP_INIT, outs = HMAP_INIT;
	struct strv keys = STRV_INIT, files = STRV_INIT;
	struct claim *cl;
	size_t i, n = s->npages + s->assets.n;

	cl = xcalloc(n + 1, sizeof(*cl));
	for (i = 0; i < n; i++) {
		const struct claim *prev;
		const char *src;
		char *src_key, *out_key;

		if (i < s->npages) {
			src = s->pages[i]->path;
			cl[i].file = s->pages[i]->file;
			cl[i].out = s->pages[i]->out_path;
		} else {
			src = cl[i].out = s->assets.v[i - s->npages];
			strv_push_owned(&files, path_join(s->content_dir,
			    src));
			cl[i].file = files.v[files.n - 1];
		}
		src_key = case_key(src);
		out_key = case_key(cl[i].out);
		strv_push_owned(&keys, src_key);
		strv_push_owned(&keys, out_key);
		if ((prev = hmap_get(&srcs, src_key)) != NULL)
			diag_add(c->out, cl[i].file, 1, 1, DIAG_ERROR,
			    "file.read", "'%s' and '%s' differ only in case; "
			    "they collide on case-insensitive file systems "
			    "(macOS, Windows): rename one", prev->file,
			    cl[i].file);
		else if ((prev = hmap_get(&outs, out_key)) != NULL &&
		    strcmp(prev->out, cl[i].out) == 0)
			diag_add(c->out, cl[i].file, 1, 1, DIAG_ERROR,
			    "file.read", "'%s' and '%s' are both written to "
			    "'%s' in the site: rename one", prev->file,
			    cl[i].file, cl[i].out);
		else if (prev != NULL)
			diag_add(c->out, cl[i].file, 1, 1, DIAG_ERROR,
			    "file.read", "'%s' and '%s' are written to '%s' "
			    "and '%s', which collide on case-insensitive file "
			    "systems (macOS, Windows): rename one", prev->file,
			    cl[i].file, prev->out, cl[i].out);
		if (hmap_get(&srcs, src_key) == NULL)
			hmap_put(&srcs, src_key, &cl[i]);
		if (hmap_get(&outs, out_key) == NULL)
			hmap_put(&outs, out_key, &cl[i]);
	}
	hmap_free(&srcs);
	hmap_free(&outs);
	strv_free(&keys);
	strv_free(&files);
	free(cl);
}

/*
 * Reads every --alert-rules file (all of them, so that every problem is
 * reported).  Returns -1 when one could not be read or parsed.
 */
static int
load_alert_rules(struct ctx *c, struct alert_rules *ar)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->o->nalert_rule_files; i++)
		if (alertrules_load(ar, c->o->alert_rule_files[i], c->out) < 0)
			rc = -1;
	return rc;
}

/* The validators of one page, on the pool: each page's findings go to
 * a list of its own (the whole is sorted afterwards). */
struct page_checks {
	const struct ctx *c;
	struct diag_list *found;	/* one per page */
	unsigned long long *keys;	/* digest_check_key(), when kept */
	atomic_size_t kept;	/* pages whose findings were kept */
};

/* The last build's findings of page i, when they are under its key. */
static bool
keep_findings(struct page_checks *pc, size_t i)
{
	const struct ctx *c = pc->c;
	const struct diag_list *kept;

	if (pc->keys == NULL)
		return false;
	pc->keys[i] = digest_check_key(c->s, i, c->o->key, c->exec);
	kept = c->o->prev ? findings_get(c->o->prev, c->s->pages[i]->path,
	    pc->keys[i]) : NULL;
	if (kept == NULL)
		return false;
	diag_copy(&pc->found[i], kept);
	atomic_fetch_add(&pc->kept, 1);
	return true;
}

static void
check_page(void *ud, size_t i)
{
	struct page_checks *pc = ud;
	struct ctx c = *pc->c;
	struct page *p = c.s->pages[i];
	const struct kind *k;

	if (keep_findings(pc, i))
		return;
	c.out = &pc->found[i];
	/* A page restored from the parse cache left its text on disk. */
	if (c.cfg->nrules > 0 && p->src == NULL &&
	    !page_reload_source(p, c.cfg))
		err(&c, p, title_pos(p), "file.read", DIAG_ERROR, "%s could not be "
		    "read again, or changed while it was being built; build "
		    "again%s", p->file, "");
	k = config_kind(c.cfg, p->kind.s);
	check_values(&c, p);
	if (k) {
		check_fields(&c, p, k);
		check_sections(&c, p, k);
	}
	check_links(&c, p, i);
	check_script_list(&c, p, &p->scripts, c.s->script_uses[i]);
	check_script_list(&c, p, &p->script_refs,
	    c.s->script_uses[i] + p->scripts.n);
	check_review(&c, p);
	check_alerts(&c, p);
	userrules_check(c.cfg, p, c.out);
}

int
check_site(const struct site *s, const struct check_opts *o,
    struct diag_list *out)
{
	struct ctx c = { s, s->cfg, o, out, NULL };
	struct alert_rules ar = ALERT_RULES_INIT;
	struct page_checks pc;
	bool *exec = NULL;
	size_t i;

	/* Unusable rules end the run before any page is judged (exit 2). */
	if (load_alert_rules(&c, &ar) < 0) {
		alertrules_free(&ar);
		return -1;
	}
	check_collisions(&c);
	if (s->cfg->script_require_exec) {
		exec = xcalloc(s->nscripts + 1, sizeof(*exec));
		for (i = 0; i < s->nscripts; i++)
			exec[i] = s->scripts[i].file &&
			    fs_is_executable(s->scripts[i].file);
		c.exec = exec;
	}
	pc.c = &c;
	pc.found = xcalloc(s->npages + 1, sizeof(*pc.found));
	pc.keys = o->key ? xcalloc(s->npages + 1, sizeof(*pc.keys)) : NULL;
	atomic_init(&pc.kept, 0);
	pool_run(s->npages, o->jobs, check_page, &pc);
	if (o->checked)
		*o->checked = s->npages - atomic_load(&pc.kept);
	for (i = 0; i < s->npages; i++) {
		if (pc.keys && o->memo)
			findings_add(o->memo, s->pages[i]->path, pc.keys[i],
			    &pc.found[i]);
		diag_move(out, &pc.found[i]);
	}
	free(pc.found);
	free(pc.keys);
	free(exec);
	alertrules_check(&ar, s, out);
	alertrules_free(&ar);
	return 0;
}
