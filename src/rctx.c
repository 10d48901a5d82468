#include "rctx.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "config.h"
#include "fsutil.h"
#include "page.h"
#include "render.h"
#include "site.h"
#include "theme.h"
#include "value.h"

/* ---- URLs and names ---- */

/* The bytes a URL path keeps as they are: unreserved ones and '/'. */
static const unsigned char url_ok[256] = {
	['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1,
	['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
	['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,
	['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
	['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1,
	['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1,
	['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['_'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['~'] = 1
};

static inline bool
url_byte_ok(unsigned char c)
{
	return url_ok[c];
}

/*
 * rctx_url(from, to) written to dst[0..cap) as far as it fits; returns
 * its whole length (a caller whose cap was short calls again with more).
 * One pass, no temporary: the listings make hundreds of thousands of
 * these.  Only from's folder matters.
 */
static size_t
rel_url(char *dst, size_t cap, const char *from, const char *to)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t common = 0, i, n = 0;

	/* Longest shared folder prefix (up to and including a '/'). */
	for (i = 0; from[i] && to[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	for (i = common; from[i]; i++)
		if (from[i] == '/') {
			if (n + 3 <= cap)
				memcpy(dst + n, "../", 3);
			n += 3;
		}
	for (i = common; to[i]; i++) {
		unsigned char c = (unsigned char)to[i];

		if (url_byte_ok(c)) {
			if (n < cap)
				dst[n] = (char)c;
			n++;
		} else {
			if (n + 3 <= cap) {
				dst[n] = '%';
				dst[n + 1] = hex[c >> 4];
				dst[n + 2] = hex[c & 15];
			}
			n += 3;
		}
	}
	if (n == 0) {
		if (cap >= 2)
			memcpy(dst, "./", 2);
		n = 2;
	}
	return n;
}

char *
rctx_url(const char *from, const char *to)
{
	size_t n = rel_url(NULL, 0, from, to);
	char *u = xmalloc(n + 1);

	rel_url(u, n, from, to);
	u[n] = '\0';
	return u;
}

void
rctx_add_url(struct value *v, const char *key, const char *from,
    const char *to)
{
	char small[256], *dst;
	size_t n = rel_url(small, sizeof(small), from, to);
	struct value *u;

	if (n <= sizeof(small))
		u = value_add_strn(v, key, small, n);
	else {
		u = value_add_space(v, key, n, &dst);
		rel_url(dst, n, from, to);
	}
	/* Percent-encoding leaves nothing HTML escapes: raw prints the
	 * same bytes without scanning for them. */
	u->raw = true;
}

void
rctx_put_url(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (url_byte_ok(c)) {
			buf_putc(b, c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * rctx_add_url(v, key, from, to) for a to whose percent-encoding enc was
 * made once (the shared table of severity, owner and alert pages): the
 * part past the shared folder is copied, not encoded again.
 */
static void
add_url_enc(struct value *v, const char *key, const char *from,
    const char *to, const char *enc)
{
	size_t common = 0, skip = 0, i, ups = 0, rest, n;
	struct value *u;
	char *d;

	for (i = 0; from[i] && to[i] && from[i] == to[i]; i++)
		if (from[i] == '/')
			common = i + 1;
	for (i = common; from[i]; i++)
		ups += from[i] == '/';
	for (i = 0; i < common; i++)
		skip += url_byte_ok((unsigned char)to[i]) ? 1 : 3;
	rest = strlen(enc + skip);
	n = 3 * ups + rest;
	u = value_add_space(v, key, n ? n : 2, &d);
	u->raw = true;		/* as in rctx_add_url() */
	if (n == 0) {
		memcpy(d, "./", 2);
		return;
	}
	for (i = 0; i < ups; i++)
		memcpy(d + 3 * i, "../", 3);
	memcpy(d + 3 * ups, enc + skip, rest);
}

void
rctx_add_fragment(struct value *v, const char *key, const char *id)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 1;
	const char *p;
	char *d;

	/* Measured, then written in place: no buffer in between. */
	for (p = id; *p; p++)
		n += url_byte_ok((unsigned char)*p) ? 1 : 3;
	value_add_space(v, key, n, &d)->raw = true;
	*d++ = '#';
	for (p = id; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (url_byte_ok(c))
			*d++ = (char)c;
		else {
			d[0] = '%';
			d[1] = hex[c >> 4];
			d[2] = hex[c & 15];
			d += 3;
		}
	}
}

/* A percent-encoded copy of path (rctx_put_url).  Caller frees. */
static char *
encoded(const char *path)
{
	struct buf b = BUF_INIT;

	rctx_put_url(&b, path, strlen(path));
	return buf_detach(&b);
}


static bool
name_byte_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 || strchr("-_.:@+", c);
}

/* rctx_file_name(name) appended to b. */
static void
put_file_name(struct buf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)name;
	size_t i, cut, start = b->len;

	for (i = 0; s[i]; i++) {
		if (name_byte_ok(s[i]) && !(i == 0 && s[i] == '.')) {
			buf_putc(b, s[i]);
			continue;
		}
		buf_putc(b, '~');
		buf_putc(b, hex[s[i] >> 4]);
		buf_putc(b, hex[s[i] & 15]);
	}
	if (b->len == start)
		buf_putc(b, '~');
	if (b->len - start > RCTX_MAX_NAME) {
		const char *d = b->data + start;

		cut = RCTX_MAX_NAME - 17;
		/* Never in a UTF-8 sequence or a ~XX escape. */
		while (cut > 0 && (((unsigned char)d[cut] & 0xc0) == 0x80 ||
		    (cut >= 1 && d[cut - 1] == '~') ||
		    (cut >= 2 && d[cut - 2] == '~')))
			cut--;
		buf_truncate(b, start + cut);
		buf_printf(b, "~%016llx", str_hash(name, strlen(name),
		    STR_HASH_SEED));
	}
}

char *
rctx_file_name(const char *name)
{
	struct buf b = BUF_INIT;

	put_file_name(&b, name);
	return buf_detach(&b);
}

/* rctx_facet_out(folder, name) into b, replacing what b held. */
static const char *
put_facet_out(struct buf *b, const char *folder, const char *name)
{
	buf_truncate(b, 0);
	buf_puts(b, folder);
	buf_putc(b, '/');
	put_file_name(b, name);
	buf_put(b, ".html", 5);
	return b->data;
}

char *
rctx_facet_out(const char *folder, const char *name)
{
	struct buf b = BUF_INIT;

	put_facet_out(&b, folder, name);
	return buf_detach(&b);
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

char *
rctx_folder_out(const char *folder)
{
	size_t n = strlen(folder);
	char *out;

	if (n == 0)
		return xstrdup("index.html");
	/* By hand: printf is most of the cost of the listings' links. */
	out = xmalloc(n + sizeof("/index.html"));
	memcpy(out, folder, n);
	memcpy(out + n, "/index.html", sizeof("/index.html"));
	return out;
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

/* ---- what many output files share ---- */

/*
 * Template data that is the same for many output files, built once per
 * render by rctx_share() before any pool runs and only read afterwards.
 * Contexts reach it through value_set_base() and value_add_ref(), so a
 * template sees exactly the keys it saw when each file had its own copy.
 * All of it derives from the site, the configuration, the theme and the
 * options, none of which change during a render: nothing invalidates
 * it, and rctx_unshare() drops it when the render ends.
 */
struct rctx_shared {
	struct value *store;	/* arena list: owns every map below */
	struct value *global;	/* site, ui, have, build */
	struct hmap dirs;	/* folder -> its map: root, entry URLs, nav */
	struct strv dir_keys;	/* owns the keys of dirs */
	char **nav_titles;	/* [section]: rctx_folder_title() */
	char **sev_out;		/* [severity]: its page */
	char **sev_enc;		/* the same, percent-encoded */
	const struct value **sev_brief, **sev_full;	/* all but url */
	char **owner_out;	/* [owner]: its page */
	char **owner_enc;	/* the same, percent-encoded */
	const struct value **owner_brief, **owner_full;	/* all but url */
	struct hmap sev_of;	/* severity as written -> index + 1, or 0 */
	struct strv sev_keys;	/* owns the keys of sev_of */
	struct hmap owner_of;	/* owner id -> index + 1 */
	char **alert_out;	/* [alert entry]: its redirect page */
	char **alert_enc;	/* the same, percent-encoded */
	/* Per page (by its place): its severity's and owner's index as
	 * severity_index() and owner_index() say, and where its alerts'
	 * entries start in alert_of (an entry's index, or none). */
	long *page_sev, *page_owner;
	size_t *page_alerts, *alert_of;
};

/* The folder part of an output path: "a/b" for "a/b/c.html". */
static size_t
dir_len(const char *out_path)
{
	const char *slash = strrchr(out_path, '/');

	return slash ? (size_t)(slash - out_path) : 0;
}

/* The map of out_path's folder, or NULL when none was prepared. */
static const struct value *
shared_dir(const struct rctx_shared *sh, const char *out_path)
{
	char small[256], *key = small;
	size_t n = dir_len(out_path);
	const struct value *v;

	if (n >= sizeof(small))
		key = xmalloc(n + 1);
	memcpy(key, out_path, n);
	key[n] = '\0';
	v = hmap_get(&sh->dirs, key);
	if (key != small)
		free(key);
	return v;
}

/* Section i's title: shared, or made (and kept by v's tree). */
static void
add_nav_title(const struct rctx *r, struct value *it, size_t i)
{
	if (r->shared)
		value_add_borrowed(it, "title", r->shared->nav_titles[i]);
	else
		value_add_owned(it, "title",
		    rctx_folder_title(r, r->s->sections.v[i].key));
}

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
		add_nav_title(r, it, i);
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

/* What depends on the folder of out_path only. */
static void
add_dir_members(const struct rctx *r, struct value *ctx, const char *out_path)
{
	value_add_owned(ctx, "root", path_root_prefix(out_path));
	add_entry_urls(ctx, out_path);
	add_nav(r, ctx, out_path);
}

/*
 * What is the same for every output file.  The shared copy has its own
 * indexed copy of the UI strings: every page looks up dozens of them.
 */
static void
add_global_members(const struct rctx *r, struct value *ctx, bool shared)
{
	const struct value *strings = theme_strings(r->th, r->cfg->language);
	const char *version = r->o->version ? r->o->version : "";
	struct value *site, *build;

	site = value_add(ctx, "site", VAL_MAP);
	value_add_str(site, "title", r->cfg->title);
	if (r->cfg->description)
		value_add_str(site, "description", r->cfg->description);
	value_add_str(site, "language", r->cfg->language);
	if (strings && shared) {
		struct value *ui = value_add(ctx, "ui", VAL_NULL);

		value_copy(ui, strings);
		value_index(ui);
	} else if (strings)
		value_add_ref(ctx, "ui", strings);
	else
		value_add(ctx, "ui", VAL_MAP);
	add_have(r, ctx);
	build = value_add(ctx, "build", VAL_MAP);
	value_add_str(build, "date", r->today);
	/* "0.1.0" reads "runbookc 0.1.0". */
	value_add_owned(build, "generator", str_starts(version, "runbookc") ?
	    xstrdup(version) : xasprintf("runbookc %s", version));
	if (r->o->commit)
		value_add_str(build, "commit", r->o->commit);
}

/*
 * The members are site, title, root, the entry URLs, ui, nav, have and
 * build.  All but the title come from the shared maps when the folder
 * was prepared; they are lookups only, so no template can tell.
 */
struct value *
rctx_common(const struct rctx *r, const char *out_path, const char *title)
{
	struct value *ctx = value_new_arena(VAL_MAP);
	const struct value *dir;

	value_add_str(ctx, "title", title);
	if (r->shared == NULL) {
		add_global_members(r, ctx, false);
		add_dir_members(r, ctx, out_path);
	} else if ((dir = shared_dir(r->shared, out_path)) != NULL)
		value_set_base(ctx, dir);
	else {
		/* A folder nothing was prepared for (an alias). */
		add_dir_members(r, ctx, out_path);
		value_set_base(ctx, r->shared->global);
	}
	return ctx;
}

/* Every folder an output file is known to be in, sorted and unique. */
static void
collect_dirs(const struct rctx *r, struct strv *out)
{
	static const char *const fixed[] = { "", "alerts", "severity",
	    "owners", "tags", "services", "scripts" };
	struct hmap seen = HMAP_INIT;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		strv_push(out, fixed[i]);
		hmap_put(&seen, out->v[out->n - 1], (void *)1);
	}
	/* Folder indexes are in every folder above a page. */
	site_folders(r->s, out, &seen);
	hmap_free(&seen);
}

static void
share_dirs(const struct rctx *r, struct rctx_shared *sh, struct value **maps)
{
	size_t i;

	for (i = 0; i < sh->dir_keys.n; i++) {
		const char *dir = sh->dir_keys.v[i];
		/* Any file of the folder stands for all of them. */
		char *from = *dir ? xasprintf("%s/x", dir) : xstrdup("x");

		add_dir_members(r, maps[i], from);
		/* Every page looks up its entry URLs here. */
		value_index(maps[i]);
		value_set_base(maps[i], sh->global);
		hmap_put(&sh->dirs, dir, maps[i]);
		free(from);
	}
}

static void add_severity_members(const struct rctx *r, struct value *m,
    const struct severity *sev, enum rctx_detail d);
static void add_owner_members(struct value *m, const struct owner *o,
    const char *owner, enum rctx_detail d);
static long severity_index(const struct rctx *r, const char *w);
static long owner_index(const struct rctx *r, const char *owner);

static void
share_severities(const struct rctx *r, struct rctx_shared *sh,
    struct value **maps)
{
	size_t i, n = r->cfg->nseverities;

	sh->sev_out = xcalloc(n + 1, sizeof(*sh->sev_out));
	sh->sev_enc = xcalloc(n + 1, sizeof(*sh->sev_enc));
	sh->sev_brief = xcalloc(n + 1, sizeof(*sh->sev_brief));
	sh->sev_full = xcalloc(n + 1, sizeof(*sh->sev_full));
	for (i = 0; i < n; i++) {
		const struct severity *sev = &r->cfg->severities[i];

		sh->sev_out[i] = rctx_facet_out("severity", sev->id);
		sh->sev_enc[i] = encoded(sh->sev_out[i]);
		add_severity_members(r, maps[i], sev, RCTX_BRIEF);
		add_severity_members(r, maps[n + i], sev, RCTX_FULL);
		sh->sev_brief[i] = maps[i];
		sh->sev_full[i] = maps[n + i];
	}
	/* Every way the pages write a severity, resolved once. */
	for (i = 0; i < r->s->npages; i++) {
		const char *w = r->s->pages[i]->severity.s;
		const struct severity *sev;

		if (w == NULL || hmap_get(&sh->sev_of, w) != NULL)
			continue;
		sev = config_severity(r->cfg, w);
		strv_push(&sh->sev_keys, w);
		hmap_put(&sh->sev_of, sh->sev_keys.v[sh->sev_keys.n - 1],
		    (void *)(sev ? (size_t)(sev - r->cfg->severities) + 1 :
		    (size_t)-1));
	}
}

static void
share_owners(const struct rctx *r, struct rctx_shared *sh,
    struct value **maps)
{
	size_t i, n = r->cfg->nowners;

	sh->owner_out = xcalloc(n + 1, sizeof(*sh->owner_out));
	sh->owner_enc = xcalloc(n + 1, sizeof(*sh->owner_enc));
	sh->owner_brief = xcalloc(n + 1, sizeof(*sh->owner_brief));
	sh->owner_full = xcalloc(n + 1, sizeof(*sh->owner_full));
	for (i = 0; i < n; i++) {
		const struct owner *o = &r->cfg->owners[i];

		sh->owner_out[i] = rctx_facet_out("owners", o->id);
		sh->owner_enc[i] = encoded(sh->owner_out[i]);
		add_owner_members(maps[i], o, o->id, RCTX_BRIEF);
		add_owner_members(maps[n + i], o, o->id, RCTX_FULL);
		sh->owner_brief[i] = maps[i];
		sh->owner_full[i] = maps[n + i];
		/* The first of equal ids wins, as config_owner() says. */
		if (hmap_get(&sh->owner_of, o->id) == NULL)
			hmap_put(&sh->owner_of, o->id, (void *)(i + 1));
	}
}

/* Each page's severity, owner and alert entries, looked up once. */
static void
share_pages(const struct rctx *r, struct rctx_shared *sh)
{
	const struct site *s = r->s;
	size_t i, j, n = 0;

	sh->page_sev = xcalloc(s->npages + 1, sizeof(*sh->page_sev));
	sh->page_owner = xcalloc(s->npages + 1, sizeof(*sh->page_owner));
	sh->page_alerts = xcalloc(s->npages + 1, sizeof(*sh->page_alerts));
	for (i = 0; i < s->npages; i++)
		n += s->pages[i]->alerts.n;
	sh->alert_of = xcalloc(n + 1, sizeof(*sh->alert_of));
	for (i = n = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];

		sh->page_sev[i] = p->severity.s ?
		    severity_index(r, p->severity.s) : -1;
		sh->page_owner[i] = p->owner.s ?
		    owner_index(r, p->owner.s) : -1;
		sh->page_alerts[i] = n;
		for (j = 0; j < p->alerts.n; j++) {
			const struct alert_entry *a = hmap_get(&s->alert_index,
			    p->alerts.v[j].s);

			sh->alert_of[n++] = a ? (size_t)(a - s->alerts) :
			    HMAP_NONE;
		}
	}
}

void
rctx_share(struct rctx *r)
{
	struct rctx_shared *sh = xcalloc(1, sizeof(*sh));
	size_t nsev = r->cfg->nseverities, nown = r->cfg->nowners, i, n;
	struct value **maps;

	collect_dirs(r, &sh->dir_keys);
	/* All members first: the list never grows again, so pointers to
	 * its maps stay put. */
	n = 1 + 2 * nsev + 2 * nown + sh->dir_keys.n;
	sh->store = value_new_arena(VAL_LIST);
	maps = xcalloc(n, sizeof(*maps));
	for (i = 0; i < n; i++)
		value_add(sh->store, NULL, VAL_MAP);
	for (i = 0; i < n; i++)
		maps[i] = &sh->store->items[i];
	sh->global = maps[0];
	add_global_members(r, sh->global, true);
	sh->nav_titles = xcalloc(r->s->sections.n + 1,
	    sizeof(*sh->nav_titles));
	for (i = 0; i < r->s->sections.n; i++)
		sh->nav_titles[i] = rctx_folder_title(r,
		    r->s->sections.v[i].key);
	share_severities(r, sh, maps + 1);
	share_owners(r, sh, maps + 1 + 2 * nsev);
	sh->alert_out = xcalloc(r->s->nalerts + 1, sizeof(*sh->alert_out));
	sh->alert_enc = xcalloc(r->s->nalerts + 1, sizeof(*sh->alert_enc));
	for (i = 0; i < r->s->nalerts; i++) {
		sh->alert_out[i] = rctx_facet_out("alerts", r->s->alerts[i].id);
		sh->alert_enc[i] = encoded(sh->alert_out[i]);
	}
	r->shared = sh;
	share_pages(r, sh);
	share_dirs(r, sh, maps + 1 + 2 * nsev + 2 * nown);
	/* Shared strings print thousands of times: scan them once. */
	value_mark_plain(sh->store);
	free(maps);
}

static void
free_strs(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void
rctx_unshare(struct rctx *r)
{
	struct rctx_shared *sh = r->shared;

	if (sh == NULL)
		return;
	value_free(sh->store);
	hmap_free(&sh->dirs);
	strv_free(&sh->dir_keys);
	free_strs(sh->nav_titles, r->s->sections.n);
	free_strs(sh->sev_out, r->cfg->nseverities);
	free_strs(sh->sev_enc, r->cfg->nseverities);
	free(sh->sev_brief);
	free(sh->sev_full);
	free_strs(sh->owner_out, r->cfg->nowners);
	free_strs(sh->owner_enc, r->cfg->nowners);
	free(sh->owner_brief);
	free(sh->owner_full);
	hmap_free(&sh->sev_of);
	strv_free(&sh->sev_keys);
	hmap_free(&sh->owner_of);
	free_strs(sh->alert_out, r->s->nalerts);
	free_strs(sh->alert_enc, r->s->nalerts);
	free(sh->page_sev);
	free(sh->page_owner);
	free(sh->page_alerts);
	free(sh->alert_of);
	free(sh);
	r->shared = NULL;
}

void
rctx_add_section_title(const struct rctx *r, struct value *v,
    const char *key, const char *section)
{
	const struct group *g = r->shared ?
	    group_find(&r->s->sections, section) : NULL;

	if (g)
		value_add_borrowed(v, key,
		    r->shared->nav_titles[g - r->s->sections.v]);
	else
		value_add_owned(v, key, rctx_folder_title(r, section));
}

/* ---- shared builders ---- */

static void
add_color(struct value *m, const char *color)
{
	const char *ink;
	const char *c = rctx_css_color(color, &ink);

	if (c) {
		value_add_borrowed(m, "color", c);
		value_add_borrowed(m, "ink", ink);
	}
}

/* What a row shows of a configured severity, but its url. */
static void
add_severity_brief(const struct rctx *r, struct value *m,
    const struct severity *sev)
{
	value_add_borrowed(m, "id", sev->id);
	value_add_borrowed(m, "label", sev->label);
	value_add_int(m, "rank", (long)(sev - r->cfg->severities) + 1);
	add_color(m, sev->color);
}

/* What a page adds: the targets and the description. */
static void
add_severity_full(struct value *m, const struct severity *sev)
{
	if (sev->mtta)
		value_add_borrowed(m, "mtta", sev->mtta);
	if (sev->mttr)
		value_add_borrowed(m, "mttr", sev->mttr);
	if (sev->update_every)
		value_add_borrowed(m, "update_every", sev->update_every);
	if (sev->description)
		value_add_borrowed(m, "description", sev->description);
}

/*
 * A configured severity's members but its url.  The url comes before
 * the full members when each map has its own; as lookups only see keys,
 * a shared map without it reads the same.
 */
static void
add_severity_members(const struct rctx *r, struct value *m,
    const struct severity *sev, enum rctx_detail d)
{
	add_severity_brief(r, m, sev);
	if (d == RCTX_FULL)
		add_severity_full(m, sev);
}

/* The configured severity written as w, or -1. */
static long
severity_index(const struct rctx *r, const char *w)
{
	const struct severity *sev;
	size_t i;

	if (r->shared) {
		i = (size_t)hmap_get(&r->shared->sev_of, w);
		if (i != 0)
			return i == (size_t)-1 ? -1 : (long)i - 1;
	}
	sev = config_severity(r->cfg, w);
	return sev ? (long)(sev - r->cfg->severities) : -1;
}

/* The severity written as severity, at i among the configured ones (or
 * -1), into v. */
static void
add_severity_at(const struct rctx *r, struct value *v, const char *severity,
    long i, const char *from, enum rctx_detail d)
{
	const struct severity *sev;
	struct value *m;
	char *out;

	m = value_add(v, "severity", VAL_MAP);
	if (i < 0) {
		value_add_borrowed(m, "id", severity);
		value_add_borrowed(m, "label", severity);
		/* Set, so that templates do not find an outer "url". */
		value_add_str(m, "url", "");
		value_add_str(m, "color", "");
		return;
	}
	sev = &r->cfg->severities[i];
	if (r->shared) {
		add_url_enc(m, "url", from, r->shared->sev_out[i],
		    r->shared->sev_enc[i]);
		value_set_base(m, d == RCTX_BRIEF ? r->shared->sev_brief[i] :
		    r->shared->sev_full[i]);
		return;
	}
	add_severity_brief(r, m, sev);
	out = rctx_facet_out("severity", sev->id);
	rctx_add_url(m, "url", from, out);
	free(out);
	if (d == RCTX_FULL)
		add_severity_full(m, sev);
}

/* An escalation step: an owner id links to its page, anything else is
 * text. */
static void
add_escalation(const struct rctx *r, struct value *m,
    const struct owner *o, const char *from)
{
	struct value *esc = value_add(m, "escalation", VAL_MAP);
	struct value *l = value_add(esc, "steps", VAL_LIST);
	struct buf out = BUF_INIT;
	size_t i;

	for (i = 0; i < o->escalation.n; i++) {
		const char *step = o->escalation.v[i];
		const struct owner *to = config_owner(r->cfg, step);
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_int(it, "n", (long)i + 1);
		if (to) {
			value_add_borrowed(it, "name", to->name ? to->name :
			    to->id);
			rctx_add_url(it, "url", from,
			    put_facet_out(&out, "owners", to->id));
			value_add_borrowed(it, "contact", to->contact ?
			    to->contact : "");
		} else {
			/* Set, so that templates do not find the owner's. */
			value_add_borrowed(it, "name", step);
			value_add_str(it, "url", "");
			value_add_str(it, "contact", "");
		}
	}
	buf_free(&out);
}

/* An owner's id, name and (full) contact: all but url and escalation. */
static void
add_owner_members(struct value *m, const struct owner *o, const char *owner,
    enum rctx_detail d)
{
	value_add_borrowed(m, "id", owner);
	value_add_borrowed(m, "name", o && o->name ? o->name : owner);
	if (o && d == RCTX_FULL && o->contact)
		value_add_borrowed(m, "contact", o->contact);
}

void
rctx_add_severity(const struct rctx *r, struct value *v,
    const char *severity, const char *from, enum rctx_detail d)
{
	if (severity != NULL)
		add_severity_at(r, v, severity, severity_index(r, severity),
		    from, d);
}

/* Page p's place when shared data was made for the site it is in. */
static bool
page_shared(const struct rctx *r, const struct page *p, size_t *at)
{
	*at = p->order;
	return r->shared && p->order < r->s->npages &&
	    r->s->pages[p->order] == p;
}

void
rctx_add_page_severity(const struct rctx *r, struct value *v,
    const struct page *p, const char *from, enum rctx_detail d)
{
	size_t at;

	if (p->severity.s == NULL)
		return;
	add_severity_at(r, v, p->severity.s, page_shared(r, p, &at) ?
	    r->shared->page_sev[at] : severity_index(r, p->severity.s),
	    from, d);
}

static long
owner_index(const struct rctx *r, const char *owner)
{
	const struct owner *o;

	if (r->shared)
		return (long)(size_t)hmap_get(&r->shared->owner_of, owner) - 1;
	o = config_owner(r->cfg, owner);
	return o ? (long)(o - r->cfg->owners) : -1;
}

/* The owner written as owner, at i among the configured ones (or -1),
 * into v. */
static void
add_owner_at(const struct rctx *r, struct value *v, const char *owner, long i,
    const char *from, enum rctx_detail d)
{
	const struct owner *o = i >= 0 ? &r->cfg->owners[i] : NULL;
	struct value *m;
	char *out;

	m = value_add(v, "owner", VAL_MAP);
	if (o && r->shared) {
		add_url_enc(m, "url", from, r->shared->owner_out[i],
		    r->shared->owner_enc[i]);
		value_set_base(m, d == RCTX_BRIEF ? r->shared->owner_brief[i] :
		    r->shared->owner_full[i]);
	} else {
		add_owner_members(m, o, owner, RCTX_BRIEF);
		out = rctx_facet_out("owners", owner);
		rctx_add_url(m, "url", from, out);
		free(out);
		if (o && d == RCTX_FULL && o->contact)
			value_add_borrowed(m, "contact", o->contact);
	}
	if (o && d == RCTX_FULL && o->escalation.n)
		add_escalation(r, m, o, from);
}

void
rctx_add_owner(const struct rctx *r, struct value *v, const char *owner,
    const char *from, enum rctx_detail d)
{
	if (owner != NULL)
		add_owner_at(r, v, owner, owner_index(r, owner), from, d);
}

void
rctx_add_page_owner(const struct rctx *r, struct value *v,
    const struct page *p, const char *from, enum rctx_detail d)
{
	size_t at;

	if (p->owner.s == NULL)
		return;
	add_owner_at(r, v, p->owner.s, page_shared(r, p, &at) ?
	    r->shared->page_owner[at] : owner_index(r, p->owner.s), from, d);
}

void
rctx_add_names(struct value *v, const char *key, const char *const *names,
    size_t n, const char *folder, const char *from)
{
	struct buf out = BUF_INIT;
	struct value *l;
	size_t i;

	if (n == 0)
		return;
	l = value_add(value_add(v, key, VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < n; i++) {
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_borrowed(it, "name", names[i]);
		rctx_add_url(it, "url", from,
		    put_facet_out(&out, folder, names[i]));
	}
	buf_free(&out);
}

void
rctx_add_pstr_names(struct value *v, const char *key,
    const struct pstrv *sv, const char *folder, const char *from)
{
	struct buf out = BUF_INIT;
	struct value *l;
	size_t i;

	if (sv->n == 0)
		return;
	l = value_add(value_add(v, key, VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < sv->n; i++) {
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_borrowed(it, "name", sv->v[i].s);
		rctx_add_url(it, "url", from,
		    put_facet_out(&out, folder, sv->v[i].s));
	}
	buf_free(&out);
}

char *
rctx_alert_out(const struct rctx *r, size_t i)
{
	return r->shared ? xstrdup(r->shared->alert_out[i]) :
	    rctx_facet_out("alerts", r->s->alerts[i].id);
}

void
rctx_add_alert_url(const struct rctx *r, struct value *v, const char *key,
    const char *from, size_t i)
{
	char *out;

	if (r->shared) {
		add_url_enc(v, key, from, r->shared->alert_out[i],
		    r->shared->alert_enc[i]);
		return;
	}
	out = rctx_facet_out("alerts", r->s->alerts[i].id);
	rctx_add_url(v, key, from, out);
	free(out);
}

/* A page's alerts, their pages' paths from the shared table. */
static void
add_alert_names(const struct rctx *r, struct value *v, const struct page *p,
    const char *from)
{
	struct buf out = BUF_INIT;
	struct value *l;
	size_t i, at;
	bool shared;

	if (p->alerts.n == 0)
		return;
	l = value_add(value_add(v, "alerts", VAL_MAP), "items", VAL_LIST);
	shared = page_shared(r, p, &at);
	for (i = 0; i < p->alerts.n; i++) {
		const char *id = p->alerts.v[i].s;
		const struct alert_entry *a = shared ? NULL : r->shared ?
		    hmap_get(&r->s->alert_index, id) : NULL;
		size_t k = shared ? r->shared->alert_of[
		    r->shared->page_alerts[at] + i] : a ? (size_t)(a -
		    r->s->alerts) : HMAP_NONE;
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_borrowed(it, "name", id);
		if (k != HMAP_NONE)
			add_url_enc(it, "url", from, r->shared->alert_out[k],
			    r->shared->alert_enc[k]);
		else
			rctx_add_url(it, "url", from,
			    put_facet_out(&out, "alerts", id));
	}
	buf_free(&out);
}

struct value *
rctx_add_page_item(const struct rctx *r, struct value *list,
    const struct page *p, const char *from)
{
	struct value *it = value_add(list, NULL, VAL_MAP);

	value_add_borrowed(it, "title", page_title(p));
	rctx_add_url(it, "url", from, p->out_path);
	value_add_borrowed(it, "kind", p->kind.s ? p->kind.s : "");
	value_add_bool(it, "is_runbook", p->kind.s &&
	    strcmp(p->kind.s, "runbook") == 0);
	rctx_add_page_severity(r, it, p, from, RCTX_BRIEF);
	rctx_add_page_owner(r, it, p, from, RCTX_BRIEF);
	add_alert_names(r, it, p, from);
	return it;
}
