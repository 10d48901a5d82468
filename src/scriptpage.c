#include "scriptpage.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "page.h"
#include "rctx.h"
#include "site.h"
#include "value.h"

#define PARENT_PREFIX "_parent/"

char *
scriptpage_out(const struct script *sc)
{
	return xasprintf("scripts/%s.html", sc->id);
}

char *
scriptpage_raw_out(const struct script *sc)
{
	/* A script of the content folder is copied with the other files;
	 * one from the folder above it is copied beside its page. */
	if (str_starts(sc->id, PARENT_PREFIX))
		return xasprintf("scripts/%s", sc->id);
	return xstrdup(sc->id);
}

/* The language name for the code block's class, from the extension. */
static const char *
script_lang(const char *id)
{
	static const char *const langs[][2] = {
		{ ".sh", "bash" }, { ".bash", "bash" }, { ".ts", "typescript" },
		{ ".js", "javascript" }, { ".py", "python" }, { ".rb", "ruby" },
		{ ".sql", "sql" }, { ".ps1", "powershell" },
	};
	size_t i;

	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (str_ends(id, langs[i][0]))
			return langs[i][1];
	return "text";
}

static void
add_lines(struct value *m, const char *data, size_t len)
{
	struct value *l = value_add(value_add(m, "lines", VAL_MAP), "items",
	    VAL_LIST);
	size_t i = 0, n = 0;

	while (i < len) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - data) : len;
		size_t te = e > i && data[e - 1] == '\r' ? e - 1 : e;
		struct value *it = value_add(l, NULL, VAL_MAP);

		value_add_int(it, "n", (long)++n);
		value_add_strn(it, "text", data + i, te - i);
		i = e + 1;
	}
	value_add_int(m, "nlines", (long)n);
}

static int
render_one(struct rctx *r, const struct script *sc, struct value *index)
{
	char *out = scriptpage_out(sc), *raw = scriptpage_raw_out(sc);
	struct value *ctx = rctx_common(r, out, sc->id);
	struct value *m = value_add(ctx, "script", VAL_MAP), *users, *row;
	char *data = NULL, err[256];
	size_t len = 0, i;
	int rc = 0;

	if (fs_read(sc->file, r->cfg->max_file_size ? r->cfg->max_file_size :
	    FS_DEFAULT_MAX_FILE, &data, &len, err, sizeof(err)) != 0) {
		diag_add(r->diags, sc->file, 1, 1, DIAG_ERROR, "file.read",
		    "%s", err);
		value_free(ctx);
		free(out);
		free(raw);
		return -1;
	}
	value_add_str(m, "name", sc->id);
	value_add_str(m, "base", path_base(sc->id));
	value_add_str(m, "lang", script_lang(sc->id));
	value_add_int(m, "bytes", (long)len);
	rctx_add_url(m, "raw_url", out, raw);
	add_lines(m, data, len);
	users = value_add(value_add(m, "users", VAL_MAP), "items", VAL_LIST);
	for (i = 0; i < sc->nusers; i++)
		rctx_add_page_item(r, users, sc->users[i], out);

	row = value_add(index, NULL, VAL_MAP);
	value_add_str(row, "name", sc->id);
	rctx_add_url(row, "url", "scripts/index.html", out);
	value_add_int(row, "count", (long)sc->nusers);

	rc |= rctx_render(r, r->t.script, ctx, out);
	if (str_starts(sc->id, PARENT_PREFIX) && rctx_claim(r, raw))
		rc |= rctx_write(r, raw, data, len);
	free(data);
	free(out);
	free(raw);
	return rc;
}

int
scriptpage_render(struct rctx *r)
{
	struct value *ctx, *list, *index;
	size_t i;
	int rc = 0;

	if (r->s->nscripts == 0)
		return 0;
	ctx = rctx_common(r, "scripts/index.html", rctx_ui(r, "scripts"));
	list = value_add(ctx, "list", VAL_MAP);
	value_add_str(list, "title", rctx_ui(r, "scripts"));
	value_add_bool(list, "is_facet_index", true);
	index = value_add(value_add(list, "facets", VAL_MAP), "items",
	    VAL_LIST);
	for (i = 0; i < r->s->nscripts; i++)
		if (r->s->scripts[i].file)
			rc |= render_one(r, &r->s->scripts[i], index);
	if (index->n == 0) {
		value_free(ctx);
		return rc;
	}
	return rc | rctx_render(r, r->t.list, ctx, "scripts/index.html");
}
