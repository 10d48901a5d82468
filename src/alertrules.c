#include "alertrules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "hmap.h"
#include "site.h"
#include "str.h"
#include "value.h"

/* A lookup key shared by pages in different folders names none of them. */
#define AMBIGUOUS ((void *)(uintptr_t)1)

/* ---- reading rule files ---- */

struct loader {
	struct alert_rules *ar;
	const char *file;
	struct diag_list *diags;
	size_t ngroups;		/* rule group lists found */
};

static struct pos
pos_of(int line, int col)
{
	struct pos p;

	p.line = line > 0 ? line : 1;
	p.col = col > 0 ? col : 1;
	return p;
}

/* The label a placeholder's inside names ("$labels.type"), or NULL. */
static const char *
placeholder_label(const char *s, size_t n, size_t *len)
{
	static const char *const prefixes[] = { "$labels.", ".Labels." };
	size_t i, k;

	while (n > 0 && (*s == ' ' || *s == '-')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '-'))
		n--;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		k = strlen(prefixes[i]);
		if (n > k && strncmp(s, prefixes[i], k) == 0) {
			*len = n - k;
			return s + k;
		}
	}
	return NULL;
}

/*
 * Fills "{{ $labels.NAME }}" from the rule's own labels (and
 * $labels.alertname from the alert), as Prometheus would for every alert
 * the rule fires; a placeholder that needs a run-time label is kept and
 * flagged.
 */
static char *
fill_labels(const char *url, const struct value *labels, const char *alert,
    bool *templated)
{
	struct buf b = BUF_INIT;
	const char *s = url, *open, *close, *name;
	size_t n;

	*templated = false;
	while ((open = strstr(s, "{{")) != NULL) {
		buf_put(&b, s, (size_t)(open - s));
		close = strstr(open + 2, "}}");
		if (close == NULL) {
			s = open;
			*templated = true;
			break;
		}
		name = placeholder_label(open + 2, (size_t)(close - open - 2),
		    &n);
		s = close + 2;
		if (name && n == 9 && strncmp(name, "alertname", 9) == 0) {
			buf_puts(&b, alert);
			continue;
		}
		if (name) {
			char *key = xstrndup(name, n);
			const char *val = value_get_str(labels, key);

			free(key);
			if (val) {
				buf_puts(&b, val);
				continue;
			}
		}
		buf_put(&b, open, (size_t)(s - open));
		*templated = true;
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

static void
add_rule(struct loader *ld, const struct value *rule)
{
	const struct value *alert = value_get(rule, "alert");
	const struct value *ann, *link;
	struct alert_rules *ar = ld->ar;
	struct alert_rule *r;

	if (alert == NULL)
		return;		/* a recording rule */
	if (!value_is_scalar(alert) || alert->kind == VAL_NULL ||
	    *alert->str == '\0') {
		diag_add(ld->diags, ld->file, alert->line, alert->col,
		    DIAG_ERROR, "field.type", "'alert' must be an alert name");
		return;
	}
	ar->v = xgrow(ar->v, &ar->cap, ar->n, sizeof(*ar->v));
	r = &ar->v[ar->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(alert->str);
	r->file = ld->file;
	r->pos = pos_of(alert->key_line, alert->key_col);
	ann = value_get(rule, "annotations");
	if ((link = value_get(ann, "runbook_url")) == NULL)
		link = value_get(ann, "runbook");
	if (link && value_is_scalar(link) && link->kind != VAL_NULL &&
	    *link->str) {
		r->url = fill_labels(link->str, value_get(rule, "labels"),
		    r->name, &r->templated);
		r->url_pos = pos_of(link->line, link->col);
	}
}

static void
add_groups(struct loader *ld, const struct value *groups)
{
	size_t i, j;

	if (groups->kind != VAL_LIST) {
		diag_add(ld->diags, ld->file, groups->line, groups->col,
		    DIAG_ERROR, "field.type", "'groups' must be a list of "
		    "rule groups");
		return;
	}
	ld->ngroups++;
	for (i = 0; i < groups->n; i++) {
		const struct value *rules = value_get(&groups->items[i],
		    "rules");

		if (rules == NULL || rules->kind != VAL_LIST)
			continue;
		for (j = 0; j < rules->n; j++)
			if (rules->items[j].kind == VAL_MAP)
				add_rule(ld, &rules->items[j]);
	}
}

/* A plain rule file, a PrometheusRule, or a List of PrometheusRules. */
static void
add_document(struct loader *ld, const struct value *doc)
{
	const struct value *g, *items;
	size_t i;

	if ((g = value_get(doc, "groups")) != NULL)
		add_groups(ld, g);
	if ((g = value_get(value_get(doc, "spec"), "groups")) != NULL)
		add_groups(ld, g);
	items = value_get(doc, "items");
	if (items == NULL || items->kind != VAL_LIST)
		return;
	for (i = 0; i < items->n; i++)
		if ((g = value_get(value_get(&items->items[i], "spec"),
		    "groups")) != NULL)
			add_groups(ld, g);
}

/* True for a "---" line: a YAML document starts there. */
static bool
is_doc_start(const char *s, size_t n)
{
	return n >= 3 && memcmp(s, "---", 3) == 0 && (n == 3 || s[3] == ' ' ||
	    s[3] == '\t' || s[3] == '\r' || s[3] == '\n');
}

static int
load_document(struct loader *ld, const char *text, size_t len, int line)
{
	struct value *root = NULL;
	struct value_error err;

	if (value_parse_yaml(text, len, line - 1, &root, &err) < 0) {
		diag_add(ld->diags, ld->file, err.line, err.col, DIAG_ERROR,
		    "yaml.syntax", "%s", err.msg);
		return -1;
	}
	add_document(ld, root);
	value_free(root);
	return 0;
}

/*
 * The value loader reads one YAML document, so the file is cut at its
 * "---" lines (kubectl and Helm output holds many); a "---" in column 1
 * always starts a document, even inside a block scalar.
 */
static int
load_documents(struct loader *ld, const char *text, size_t len)
{
	size_t off = 0, start = 0, n;
	int line = 1, start_line = 1;

	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);

		n = nl ? (size_t)(nl - text - off) + 1 : len - off;
		if (off > start && is_doc_start(text + off, n)) {
			if (load_document(ld, text + start, off - start,
			    start_line) < 0)
				return -1;
			start = off;
			start_line = line;
		}
		off += n;
		line++;
	}
	return load_document(ld, text + start, len - start, start_line);
}

int
alertrules_load_text(struct alert_rules *ar, const char *name,
    const char *text, size_t len, struct diag_list *diags)
{
	struct loader ld = { ar, name, diags, 0 };
	size_t bad;

	if ((bad = utf8_invalid_at(text, len)) != (size_t)-1) {
		diag_add(diags, name, 1, 1, DIAG_ERROR, "encoding.utf8",
		    "alerting rules are not valid UTF-8 (byte %zu)", bad);
		return -1;
	}
	if (load_documents(&ld, text, len) < 0)
		return -1;
	if (ld.ngroups == 0)
		diag_add(diags, name, 1, 1, DIAG_ERROR, "field.required",
		    "no rule groups: expected 'groups' (a Prometheus rule "
		    "file) or 'spec.groups' (a PrometheusRule)");
	ar->nfiles++;
	return 0;
}

int
alertrules_load(struct alert_rules *ar, const char *file,
    struct diag_list *diags)
{
	char *text, err[256];
	size_t len;
	int rc;

	if (fs_read(file, FS_DEFAULT_MAX_FILE, &text, &len, err,
	    sizeof(err)) != 0) {
		diag_add(diags, file, 1, 1, DIAG_ERROR, "file.read", "%s", err);
		return -1;
	}
	rc = alertrules_load_text(ar, file, text, len, diags);
	free(text);
	return rc;
}

void
alertrules_free(struct alert_rules *ar)
{
	size_t i;

	for (i = 0; i < ar->n; i++) {
		free(ar->v[i].name);
		free(ar->v[i].url);
	}
	free(ar->v);
	memset(ar, 0, sizeof(*ar));
}

/* ---- finding the page a runbook link leads to ---- */

/*
 * Lower-cased path suffixes of every page ("kubernetes/kubepodcrashlooping",
 * "kubepodcrashlooping.md", ...) to the page, so that a link resolves by
 * the longest suffix of its path that names a page: a GitHub blob URL, a
 * Hugo slug and a repository-relative path all end in one.
 */
struct url_index {
	struct hmap keys;
	struct strv owned;
	struct hmap ids;	/* heading id -> page, for anchor-only links */
	bool ids_built;
};

static void
lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static void
index_put(struct hmap *h, struct strv *owned, char *key, struct page *p)
{
	void *old = hmap_get(h, key);

	if (old == p || old == AMBIGUOUS) {
		free(key);
		return;
	}
	strv_push_owned(owned, key);
	hmap_put(h, key, old ? AMBIGUOUS : p);
}

/* Adds path's suffixes, each also without ".md" and with ".html". */
static void
index_suffixes(struct url_index *ix, const char *path, struct page *p)
{
	const char *s = path;

	while (*s) {
		const char *slash = strchr(s, '/');
		char *k = xstrdup(s);

		lower_ascii(k);
		if (str_ends(k, ".md")) {
			index_put(&ix->keys, &ix->owned, xasprintf("%.*s.html",
			    (int)strlen(k) - 3, k), p);
			index_put(&ix->keys, &ix->owned, xstrndup(k,
			    strlen(k) - 3), p);
		}
		index_put(&ix->keys, &ix->owned, k, p);
		if (slash == NULL)
			break;
		s = slash + 1;
	}
}

static bool
is_folder_page(const char *base)
{
	return strcmp(base, "_index.md") == 0 ||
	    strcmp(base, "index.md") == 0 ||
	    str_casecmp_ascii(base, "README.md") == 0;
}

static void
index_build(struct url_index *ix, const struct site *s)
{
	size_t i;

	memset(ix, 0, sizeof(*ix));
	for (i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];

		index_suffixes(ix, p->path, p);
		if (is_folder_page(path_base(p->path))) {
			char *dir = path_dir(p->path);

			if (*dir)
				index_suffixes(ix, dir, p);
			free(dir);
		}
	}
}

static void
index_ids(struct url_index *ix, const struct site *s)
{
	size_t i, j;

	ix->ids_built = true;
	for (i = 0; i < s->npages; i++)
		for (j = 0; j < s->pages[i]->nheadings; j++)
			index_put(&ix->ids, &ix->owned,
			    xstrdup(s->pages[i]->headings[j].id), s->pages[i]);
}

static void
index_free(struct url_index *ix)
{
	hmap_free(&ix->keys);
	hmap_free(&ix->ids);
	strv_free(&ix->owned);
}

/* The path of a link: no scheme, host, query or fragment; decoded. */
static char *
link_path(const char *url, char **anchor)
{
	const char *s = url, *hash = strchr(url, '#'), *end, *q;
	char *path;
	size_t n;

	*anchor = hash && hash[1] ? site_url_decode(hash + 1,
	    strlen(hash + 1)) : NULL;
	end = hash ? hash : url + strlen(url);
	if ((q = memchr(url, '?', (size_t)(end - url))) != NULL)
		end = q;
	if ((q = strstr(url, "://")) != NULL && q < end)
		s = q + 3;
	else if (s[0] == '/' && s[1] == '/')
		s += 2;
	else
		s = NULL;
	if (s) {
		const char *slash = memchr(s, '/', (size_t)(end - s));

		s = slash ? slash : end;
	} else
		s = url;
	while (s < end && (*s == '/' || (*s == '.' && s + 1 < end &&
	    s[1] == '/')))
		s++;
	n = (size_t)(end - s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	path = site_url_decode(s, n);
	return path;
}

/* A link to the generated per-alert page: ".../alerts/ID[.html]". */
static struct page *
alert_page(const struct site *s, const char *path)
{
	const char *base = strrchr(path, '/');
	const struct alert_entry *a;
	char *id;

	if (base == NULL || base - path < 6 ||
	    strncmp(base - 6, "alerts", 6) != 0 ||
	    (base - path > 6 && base[-7] != '/'))
		return NULL;
	id = xstrdup(base + 1);
	if (str_ends(id, ".html"))
		id[strlen(id) - 5] = '\0';
	a = hmap_get(&s->alert_index, id);
	free(id);
	return a ? a->page : NULL;
}

/*
 * The page url leads to, by the longest path suffix that names one, then
 * as a link to the site's own alerts/ID page, then (a bare #anchor) as
 * the one page with that heading id.  *anchor gets the decoded fragment.
 */
static struct page *
resolve(struct url_index *ix, const struct site *s, const char *url,
    char **anchor)
{
	char *path = link_path(url, anchor), *low = xstrdup(path);
	const char *k = low;
	struct page *p = NULL;

	lower_ascii(low);
	while (*k && p == NULL) {
		void *hit = hmap_get(&ix->keys, k);
		const char *slash = strchr(k, '/');

		if (hit && hit != AMBIGUOUS)
			p = hit;
		k = slash ? slash + 1 : k + strlen(k);
	}
	if (p == NULL)
		p = alert_page(s, path);
	if (p == NULL && *path == '\0' && *anchor) {
		void *hit;

		if (!ix->ids_built)
			index_ids(ix, s);
		hit = hmap_get(&ix->ids, *anchor);
		p = hit && hit != AMBIGUOUS ? hit : NULL;
	}
	free(low);
	free(path);
	return p;
}

/* ---- the checks ---- */

static void
check_uncovered(const struct alert_rule *r, struct page *target,
    struct diag_list *out)
{
	if (r->url == NULL)
		diag_add(out, r->file, r->pos.line, r->pos.col, DIAG_ERROR,
		    "alert.uncovered", "alert '%s' has no runbook: no page "
		    "answers it and the rule has no runbook_url (or runbook) "
		    "annotation; write one", r->name);
	else if (r->templated && target == NULL)
		diag_add(out, r->file, r->pos.line, r->pos.col, DIAG_WARNING,
		    "alert.uncovered", "alert '%s': runbook link '%s' "
		    "depends on labels known only when it fires, so it "
		    "cannot be checked; list the alert under 'alerts' in its "
		    "runbook", r->name, r->url);
	else if (target == NULL)
		diag_add(out, r->file, r->pos.line, r->pos.col, DIAG_ERROR,
		    "alert.uncovered", "alert '%s' has no runbook: no page "
		    "answers it and its runbook link '%s' leads to no page "
		    "here", r->name, r->url);
}

static void
check_rule(struct url_index *ix, const struct site *s,
    const struct alert_rule *r, struct diag_list *out)
{
	const struct alert_entry *a = hmap_get(&s->alert_index, r->name);
	struct page *claimed = a ? a->page : NULL, *target = NULL;
	char *anchor = NULL;

	if (r->url && !r->templated)
		target = resolve(ix, s, r->url, &anchor);
	if (claimed == NULL)
		check_uncovered(r, target, out);
	if (target && anchor && page_heading(target, anchor) == NULL)
		diag_add(out, r->file, r->url_pos.line, r->url_pos.col,
		    DIAG_WARNING, "link.anchor", "runbook link of alert '%s' "
		    "names anchor '#%s', which does not exist in %s", r->name,
		    anchor, target->file);
	else if (claimed && target && target != claimed)
		diag_add(out, r->file, r->url_pos.line, r->url_pos.col,
		    DIAG_WARNING, "link.broken", "runbook link of alert '%s' "
		    "leads to %s, but its runbook is %s; point the link there",
		    r->name, target->file, claimed->file);
	else if (claimed && r->url && !r->templated && target == NULL)
		diag_add(out, r->file, r->url_pos.line, r->url_pos.col,
		    DIAG_WARNING, "link.broken", "runbook link '%s' of alert "
		    "'%s' leads to no page here, but its runbook is %s; point "
		    "the link there", r->url, r->name, claimed->file);
	free(anchor);
}

static void
check_unknown(const struct site *s, const struct hmap *defined,
    struct diag_list *out)
{
	size_t i, j;

	for (i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];

		for (j = 0; j < p->alerts.n; j++) {
			const struct pstr *a = &p->alerts.v[j];

			if (hmap_get(defined, a->s) == NULL)
				diag_add(out, p->file, a->pos.line, a->pos.col,
				    DIAG_WARNING, "alert.unknown", "alert '%s' "
				    "is not defined in the alerting rules "
				    "(--alert-rules); fix the id or drop it",
				    a->s);
		}
	}
}

void
alertrules_check(const struct alert_rules *ar, const struct site *s,
    struct diag_list *out)
{
	struct url_index ix;
	struct hmap defined = HMAP_INIT;
	size_t i;

	if (ar->nfiles == 0)
		return;
	index_build(&ix, s);
	for (i = 0; i < ar->n; i++) {
		hmap_put(&defined, ar->v[i].name, (void *)1);
		check_rule(&ix, s, &ar->v[i], out);
	}
	check_unknown(s, &defined, out);
	hmap_free(&defined);
	index_free(&ix);
}
