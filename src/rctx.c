#include "rctx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "check.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "page.h"
#include "pool.h"
#include "render.h"
#include "site.h"
#include "stamp.h"
#include "template.h"
#include "theme.h"
#include "value.h"

/* ---- URLs and names ---- */

void
rctx_put_url(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			buf_putc(b, c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

char *
rctx_url(const char *from, const char *to)
{
	char *rel = path_relative(from, to);
	struct buf b = BUF_INIT;

	rctx_put_url(&b, rel, strlen(rel));
	free(rel);
	if (b.len == 0)
		buf_puts(&b, "./");
	return buf_detach(&b);
}

void
rctx_add_url(struct value *v, const char *key, const char *from,
    const char *to)
{
	value_add_owned(v, key, rctx_url(from, to));
}

static bool
name_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 || strchr("-_.:@+", c);
}

char *
rctx_file_name(const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;
	const unsigned char *s = (const unsigned char *)name;
	size_t i, cut;

	for (i = 0; s[i]; i++) {
		if (name_byte_ok(s[i]) && !(i == 0 && s[i] == '.')) {
			buf_putc(&b, s[i]);
			continue;
		}
		buf_putc(&b, '~');
		buf_putc(&b, hex[s[i] >> 4]);
		buf_putc(&b, hex[s[i] & 15]);
	}
	if (b.len == 0)
		buf_putc(&b, '~');
	if (b.len > RCTX_MAX_NAME) {
		cut = RCTX_MAX_NAME - 17;
		/* Never in a UTF-8 sequence or a ~XX escape. */
		while (cut > 0 && (((unsigned char)b.data[cut] & 0xc0) == 0x80 ||
		    (cut >= 1 && b.data[cut - 1] == '~') ||
		    (cut >= 2 && b.data[cut - 2] == '~')))
			cut--;
		buf_truncate(&b, cut);
		buf_printf(&b, "~%016llx", str_hash(name, strlen(name),
		    STR_HASH_SEED));
	}
	return buf_detach(&b);
}

char *
rctx_facet_out(const char *folder, const char *name)
{
	char *file = rctx_file_name(name);
	char *out = xasprintf("%s/%s.html", folder, file);

	free(file);
	return out;
}

/* ---- colours ---- */

/*
 * Relative luminance (0..1000) of #rgb, #rgba, #rrggbb or #rrggbbaa, or
 * -1.  Gamma 2 stands in for the sRGB curve: it errs towards dark ink,
 * which is the safe side.
 */
static int
hex_luminance(const char *c)
{
	static const int w[3] = { 2126, 7152, 722 };
	size_t n = strlen(c + 1), i;
	long lum = 0;

	if (n != 3 && n != 4 && n != 6 && n != 8)
		return -1;
	for (i = 0; i < 3; i++) {
		long v;

		if (n <= 4)
			v = str_hexval(c[1 + i]) * 17;
		else
			v = str_hexval(c[1 + 2 * i]) * 16 + str_hexval(c[2 + 2 * i]);
		lum += v * v * w[i];
	}
	return (int)(lum / (255L * 255 * 10));
}

const char *
rctx_css_color(const char *color, const char **ink)
{
	const char *p;
	int lum;

	*ink = "#fff";
	if (color == NULL || *color == '\0' || strlen(color) > 64)
		return NULL;
	if (color[0] == '#') {
		for (p = color + 1; *p; p++)
			if (str_hexval((unsigned char)*p) < 0)
				return NULL;
		if ((lum = hex_luminance(color)) < 0)
			return NULL;
		/* Past ~0.18, black text has more contrast than white. */
		if (lum > 179)
			*ink = "#111";
		return color;
	}
	if (str_starts(color, "rgb(") || str_starts(color, "rgba(") ||
	    str_starts(color, "hsl(") || str_starts(color, "hsla(")) {
		p = strchr(color, '(') + 1;
		for (; *p && *p != ')'; p++)
			if (!strchr("0123456789., %/+-deg", *p))
				return NULL;
		return *p == ')' && p[1] == '\0' ? color : NULL;
	}
	for (p = color; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return NULL;
	return color;
}

/* ---- titles and folders ---- */

const char *
rctx_ui(const struct rctx *r, const char *key)
{
	const char *s = value_get_str(theme_strings(r->th, r->cfg->language),
	    key);

	return s ? s : key;
}

const char *
rctx_page_title(const struct page *p)
{
	return p->title.s ? p->title.s : path_base(p->path);
}

char *
rctx_folder_out(const char *folder)
{
	return *folder ? xasprintf("%s/index.html", folder) :
	    xstrdup("index.html");
}

static const struct page *
folder_index_page(const struct rctx *r, const char *folder)
{
	char *out = rctx_folder_out(folder);
	const struct page *p = hmap_get(&r->s->by_out, out);

	free(out);
	return p;
}

char *
rctx_folder_title(const struct rctx *r, const char *folder)
{
	const struct page *p = folder_index_page(r, folder);
	const char *base = path_base(folder);
	char *t, *c;

	if (p && p->title.s)
		return xstrdup(p->title.s);
	/* "whatsapp-agent" reads "Whatsapp agent". */
	t = xstrdup(*base ? base : r->cfg->title);
	for (c = t; *c; c++)
		if (*c == '-' || *c == '_')
			*c = ' ';
	if (*t >= 'a' && *t <= 'z')
		*t = (char)(*t - 32);
	return t;
}

bool
rctx_review(const struct rctx *r, const struct page *p, char due[11],
    bool *overdue)
{
	long d;
	int every;

	if (p->last_reviewed.s == NULL ||
	    (d = check_parse_date(p->last_reviewed.s)) < 0)
		return false;
	every = p->review_every_days >= 0 ? p->review_every_days :
	    r->cfg->review_every_days;
	check_format_date(d + every, due);
	*overdue = r->o->today - d > every;
	return true;
}

/* ---- the data every output file starts from ---- */

static void
add_nav(const struct rctx *r, struct value *ctx, const char *out_path)
{
	struct value *nav = value_add(ctx, "nav", VAL_LIST);
	size_t i;

	for (i = 0; i < r->s->sections.n; i++) {
		const char *sec = r->s->sections.v[i].key;
		size_t n = strlen(sec);
		struct value *it;
		char *out;

		if (*sec == '\0')
			continue;
		it = value_add(nav, NULL, VAL_MAP);
		value_add_owned(it, "title", rctx_folder_title(r, sec));
		out = rctx_folder_out(sec);
		rctx_add_url(it, "url", out_path, out);
		free(out);
		value_add_bool(it, "active", strncmp(out_path, sec, n) == 0 &&
		    out_path[n] == '/');
	}
}

static void
add_entry_urls(struct value *ctx, const char *out_path)
{
	static const char *const entries[][2] = {
		{ "home_url", "index.html" },
		{ "search_url", "search.html" },
		{ "print_url", "print.html" },
		{ "alerts_url", "alerts/index.html" },
		{ "severity_url", "severity/index.html" },
		{ "owners_url", "owners/index.html" },
		{ "tags_url", "tags/index.html" },
		{ "services_url", "services/index.html" },
		{ "scripts_url", "scripts/index.html" },
	};
	size_t i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		rctx_add_url(ctx, entries[i][0], out_path, entries[i][1]);
}

/* Which entry points exist, so no page links to one that does not. */
static void
add_have(const struct rctx *r, struct value *ctx)
{
	const struct site *s = r->s;
	struct value *h = value_add(ctx, "have", VAL_MAP);
	size_t i;
	bool scripts = false;

	for (i = 0; i < s->nscripts; i++)
		scripts |= s->scripts[i].file != NULL;
	value_add_bool(h, "alerts", s->nalerts > 0);
	value_add_bool(h, "owners", s->by_owner.n > 0 || r->cfg->nowners > 0);
	value_add_bool(h, "tags", s->by_tag.n > 0);
	value_add_bool(h, "services", s->by_service.n > 0);
	value_add_bool(h, "scripts", scripts);
}

struct value *
rctx_common(const struct rctx *r, const char *out_path, const char *title)
{
	struct value *ctx = value_new(VAL_MAP), *site, *build;
	const struct value *strings = theme_strings(r->th, r->cfg->language);
	const char *version = r->o->version ? r->o->version : "";

	site = value_add(ctx, "site", VAL_MAP);
	value_add_str(site, "title", r->cfg->title);
	if (r->cfg->description)
		value_add_str(site, "description", r->cfg->description);
	value_add_str(site, "language", r->cfg->language);
	value_add_str(ctx, "title", title);
	value_add_owned(ctx, "root", path_root_prefix(out_path));
	add_entry_urls(ctx, out_path);
	if (strings)
		value_add_ref(ctx, "ui", strings);
	else
		value_add(ctx, "ui", VAL_MAP);
	add_nav(r, ctx, out_path);
	add_have(r, ctx);
	build = value_add(ctx, "build", VAL_MAP);
	value_add_str(build, "date", r->today);
	/* "0.1.0" reads "runbookc 0.1.0". */
	value_add_owned(build, "generator", str_starts(version, "runbookc") ?
	    xstrdup(version) : xasprintf("runbookc %s", version));
	if (r->o->commit)
		value_add_str(build, "commit", r->o->commit);
	return ctx;
}

/* ---- shared builders ---- */

static void
add_color(struct value *m, const char *color)
{
	const char *ink;
	const char *c = rctx_css_color(color, &ink);

	if (c) {
		value_add_str(m, "color", c);
		value_add_str(m, "ink", ink);
	}
}

void
rctx_add_severity(const struct rctx *r, struct value *v,
    const char *severity, const char *from, enum rctx_detail d)
{
	const struct severity *sev;
	struct value *m;
	char *out;
	size_t i;

	if (severity == NULL)
		return;
	sev = config_severity(r->cfg, severity);
	m = value_add(v, "severity", VAL_MAP);
	value_add_str(m, "id", sev ? sev->id : severity);
	value_add_str(m, "label", sev ? sev->label : severity);
	if (sev == NULL) {
		/* Set, so that templates do not find an outer "url". */
		value_add_str(m, "url", "");
		value_add_str(m, "color", "");
		return;
	}
	for (i = 0; i < r->cfg->nseverities; i++)
		if (&r->cfg->severities[i] == sev)
			value_add_int(m, "rank", (long)i + 1);
	add_color(m, sev->color);
	out = rctx_facet_out("severity", sev->id);
	rctx_add_url(m, "url", from, out);
	free(out);
	if (d == RCTX_BRIEF)
		return;
	if (sev->mtta)
		value_add_str(m, "mtta", sev->mtta);
	if (sev->mttr)
		value_add_str(m, "mttr", sev->mttr);
	if (sev->update_every)
		value_add_str(m, "update_every", sev->update_every);
	if (sev->description)
		value_add_str(m, "description", sev->description);
}

/* An escalation step: an owner id links to its page, anything else is
 * text. */
static void
add_escalation(const struct rctx *r, struct value *m,
    const struct owner *o, const char *from)
{
	struct value *esc = value_add(m, "escalation", VAL_MAP);
	struct value *l = value_add(esc, "steps", VAL_LIST);
	size_t i;

	for (i = 0; i < o->escalation.n; i++) {
		const char *step = o->escalation.v[i];
		const struct owner *to = config_owner(r->cfg, step);
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_int(it, "n", (long)i + 1);
		if (to) {
			char *out = rctx_facet_out("owners", to->id);

			value_add_str(it, "name", to->name ? to->name : to->id);
			rctx_add_url(it, "url", from, out);
			value_add_str(it, "contact", to->contact ? to->contact :
			    "");
			free(out);
		} else {
			/* Set, so that templates do not find the owner's. */
			value_add_str(it, "name", step);
			value_add_str(it, "url", "");
			value_add_str(it, "contact", "");
		}
	}
}

void
rctx_add_owner(const struct rctx *r, struct value *v, const char *owner,
    const char *from, enum rctx_detail d)
{
	const struct owner *o;
	struct value *m;
	char *out;

	if (owner == NULL)
		return;
	o = config_owner(r->cfg, owner);
	m = value_add(v, "owner", VAL_MAP);
	value_add_str(m, "id", owner);
	value_add_str(m, "name", o && o->name ? o->name : owner);
	out = rctx_facet_out("owners", owner);
	rctx_add_url(m, "url", from, out);
	free(out);
	if (o == NULL || d == RCTX_BRIEF)
		return;
	if (o->contact)
		value_add_str(m, "contact", o->contact);
	if (o->escalation.n)
		add_escalation(r, m, o, from);
}

void
rctx_add_names(struct value *v, const char *key, const char *const *names,
    size_t n, const char *folder, const char *from)
{
	struct value *l;
	size_t i;

	if (n == 0)
		return;
	l = value_add(value_add(v, key, VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < n; i++) {
		struct value *it = value_add(l, NULL, VAL_MAP);
		char *out = rctx_facet_out(folder, names[i]);

		value_add_str(it, "name", names[i]);
		rctx_add_url(it, "url", from, out);
		free(out);
	}
}

void
rctx_add_pstr_names(struct value *v, const char *key,
    const struct pstrv *sv, const char *folder, const char *from)
{
	const char **names = xcalloc(sv->n + 1, sizeof(*names));
	size_t i;

	for (i = 0; i < sv->n; i++)
		names[i] = sv->v[i].s;
	rctx_add_names(v, key, names, sv->n, folder, from);
	free(names);
}

struct value *
rctx_add_page_item(const struct rctx *r, struct value *list,
    const struct page *p, const char *from)
{
	struct value *it = value_add(list, NULL, VAL_MAP);

	value_add_str(it, "title", rctx_page_title(p));
	rctx_add_url(it, "url", from, p->out_path);
	value_add_str(it, "kind", p->kind.s ? p->kind.s : "");
	value_add_bool(it, "is_runbook", p->kind.s &&
	    strcmp(p->kind.s, "runbook") == 0);
	rctx_add_severity(r, it, p->severity.s, from, RCTX_BRIEF);
	rctx_add_owner(r, it, p->owner.s, from, RCTX_BRIEF);
	rctx_add_pstr_names(it, "alerts", &p->alerts, "alerts", from);
	return it;
}

/* ---- output ---- */

bool
rctx_claim(struct rctx *r, const char *out)
{
	if (hmap_get(&r->s->by_out, out) || hmap_get(&r->claimed, out))
		return false;
	strv_push(&r->claimed_keys, out);
	hmap_put(&r->claimed, r->claimed_keys.v[r->claimed_keys.n - 1],
	    (void *)1);
	return true;
}

int
rctx_write_file(const struct rctx *r, const char *out, const char *data,
    size_t len)
{
	char *path = path_join(r->o->out_dir, out);
	int rc = fs_write_staged(path, data ? data : "", len);

	free(path);
	return rc < 0 ? errno ? errno : EIO : 0;
}

bool
rctx_can_keep(const struct rctx *r, const char *out, unsigned long long key)
{
	const struct stamp_key *k;
	struct stat st;
	char *path;
	bool ok;

	if (key == 0 || r->prev == NULL ||
	    (k = stamp_keys_get(r->prev, out)) == NULL || k->key != key)
		return false;
	/* The staged tree holds the replaced site's files (stage_begin). */
	path = path_join(r->o->out_dir, out);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == k->size;
	free(path);
	return ok;
}

void
rctx_note(struct rctx *r, const char *out, unsigned long long key, bool kept)
{
	strv_push(r->written, out);
	if (key && r->keys)
		stamp_keys_put(r->keys, out, key);
	if (kept)
		r->kept++;
	else
		r->made++;
}

int
rctx_write(struct rctx *r, const char *out, const char *data, size_t len)
{
	int rc = rctx_write_file(r, out, data, len);

	if (rc) {
		diag_add(r->diags, out, 1, 1, DIAG_ERROR, "file.read",
		    "cannot write: %s", strerror(rc));
		return -1;
	}
	rctx_note(r, out, r->key, false);
	return 0;
}

int
rctx_render(struct rctx *r, const struct tpl *t, struct value *ctx,
    const char *out)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	if (rctx_claim(r, out)) {
		if (rctx_can_keep(r, out, r->key))
			rctx_note(r, out, r->key, true);
		else {
			tpl_render(t, ctx, &b);
			rc = rctx_write(r, out, b.data, b.len);
		}
	}
	buf_free(&b);
	value_free(ctx);
	return rc;
}

struct batch_run {
	const struct rctx *r;
	const struct rctx_batch *b;
	char **outs;
	int *err;
	bool *kept;
};

static void
batch_one(void *ud, size_t i)
{
	struct batch_run *br = ud;
	struct value *ctx;
	struct buf b = BUF_INIT;

	if (br->outs[i] == NULL)
		return;
	if (rctx_can_keep(br->r, br->outs[i], br->r->key)) {
		br->kept[i] = true;
		return;
	}
	ctx = br->b->build(br->r, i, br->outs[i], br->b->ud);
	tpl_render(br->b->t, ctx, &b);
	br->err[i] = rctx_write_file(br->r, br->outs[i], b.data, b.len);
	buf_free(&b);
	value_free(ctx);
}

int
rctx_render_batch(struct rctx *r, const struct rctx_batch *b, size_t n)
{
	struct batch_run br;
	size_t i;
	int rc = 0;

	br.r = r;
	br.b = b;
	br.outs = xcalloc(n + 1, sizeof(*br.outs));
	br.err = xcalloc(n + 1, sizeof(*br.err));
	br.kept = xcalloc(n + 1, sizeof(*br.kept));
	for (i = 0; i < n; i++) {
		br.outs[i] = b->name(r, i, b->ud);
		if (br.outs[i] && !rctx_claim(r, br.outs[i])) {
			free(br.outs[i]);
			br.outs[i] = NULL;
		}
	}
	pool_run(n, r->o->jobs, batch_one, &br);
	for (i = 0; i < n; i++) {
		if (br.outs[i] == NULL)
			continue;
		if (br.err[i]) {
			diag_add(r->diags, br.outs[i], 1, 1, DIAG_ERROR,
			    "file.read", "cannot write: %s",
			    strerror(br.err[i]));
			rc = -1;
		} else
			rctx_note(r, br.outs[i], r->key, br.kept[i]);
		free(br.outs[i]);
	}
	free(br.outs);
	free(br.err);
	free(br.kept);
	return rc;
}
