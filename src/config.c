#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "glob.h"
#include "rx.h"
#include "value.h"

#define DEFAULT_ALERT_PATTERN "^[A-Za-z][A-Za-z0-9_.:-]*$"
#define DEFAULT_SCRIPT_PATTERN \
	"(?<![\\w./-])(?:\\.{1,2}/)*(?:[\\w.-]+/)*scripts/(?:[\\w.-]+/)*" \
	"[\\w.-]+\\.(?:sh|bash|ts|js|py|rb|sql|ps1)(?![\\w-])"

struct loadctx {
	struct config *cfg;
	struct diag_list *diags;
	const char *file;
	int errors;
};

static void
cfg_error(struct loadctx *lc, const struct value *at, const char *rule,
    const char *fmt, const char *arg)
{
	diag_add(lc->diags, lc->file, at ? at->line : 1, at ? at->col : 1,
	    DIAG_ERROR, rule, fmt, arg);
	lc->errors++;
}

static void
section_rule_init(struct section_rule *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	strv_push_owned(&r->folded, str_fold_dup(name));
}

static void
section_rule_alias(struct section_rule *r, const char *alias)
{
	strv_push_owned(&r->folded, str_fold_dup(alias));
}

static void
section_rule_free(struct section_rule *r)
{
	free(r->name);
	strv_free(&r->folded);
	rx_free(r->pattern);
}

/* Adds a section from a '|'-separated "Name|Alias|Alias" list. */
static void
add_default_section(struct section_rule **v, size_t *n, const char *spec)
{
	char *copy = xstrdup(spec), *tok, *save = NULL;
	struct section_rule *r;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	r = &(*v)[(*n)++];
	tok = strtok_r(copy, "|", &save);
	section_rule_init(r, tok);
	while ((tok = strtok_r(NULL, "|", &save)) != NULL)
		section_rule_alias(r, tok);
	free(copy);
}

static struct kind *
add_kind(struct config *cfg, const char *id)
{
	struct kind *k;

	cfg->kinds = xrealloc(cfg->kinds, (cfg->nkinds + 1) * sizeof(*k));
	k = &cfg->kinds[cfg->nkinds++];
	memset(k, 0, sizeof(*k));
	k->id = xstrdup(id);
	return k;
}

static void
kind_free(struct kind *k)
{
	size_t i;

	free(k->id);
	strv_free(&k->required_fields);
	strv_free(&k->paths);
	for (i = 0; i < k->nrequired; i++)
		section_rule_free(&k->required[i]);
	free(k->required);
	for (i = 0; i < k->nrecommended; i++)
		section_rule_free(&k->recommended[i]);
	free(k->recommended);
}

static void
default_kinds(struct config *cfg)
{
	static const char *const others[] = {
		"policy", "template", "guide", "checklist", "index",
	};
	struct kind *k = add_kind(cfg, "runbook");
	size_t i;

	strv_push(&k->required_fields, "title");
	strv_push(&k->required_fields, "severity");
	strv_push(&k->required_fields, "owner");
	strv_push(&k->required_fields, "alerts");
	k->needs_front_matter = true;
	add_default_section(&k->required, &k->nrequired,
	    "Symptom|Symptoms|Meaning|Trigger|Sintoma|Sintomas|Gatilho");
	add_default_section(&k->required, &k->nrequired,
	    "Diagnosis|Diagnostics|Investigation|Diagnóstico|Investigação");
	add_default_section(&k->required, &k->nrequired,
	    "Mitigation|Resolution|Remediation|Procedure|Mitigação|"
	    "Ações de mitigação|Resolução|Procedimento");
	add_default_section(&k->recommended, &k->nrecommended,
	    "Verification|Verificação|Verificações|Validation|Validação");
	add_default_section(&k->recommended, &k->nrecommended,
	    "Escalation|Escalonamento|Escalação");
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		add_kind(cfg, others[i]);
}

static void
default_severities(struct config *cfg)
{
	static const char *const ids[] = { "sev1", "sev2", "sev3", "sev4" };
	static const char *const labels[] = { "Sev1", "Sev2", "Sev3", "Sev4" };
	static const char *const colors[] = {
		"#b42318", "#c4320a", "#b54708", "#475467",
	};
	size_t i;

	cfg->nseverities = 4;
	cfg->severities = xcalloc(4, sizeof(*cfg->severities));
	for (i = 0; i < 4; i++) {
		cfg->severities[i].id = xstrdup(ids[i]);
		cfg->severities[i].label = xstrdup(labels[i]);
		cfg->severities[i].color = xstrdup(colors[i]);
	}
}

static void
severity_free(struct severity *s)
{
	free(s->id);
	free(s->label);
	strv_free(&s->aliases);
	free(s->color);
	free(s->mtta);
	free(s->mttr);
	free(s->update_every);
	free(s->description);
}

static void
owner_free(struct owner *o)
{
	free(o->id);
	free(o->name);
	free(o->contact);
	strv_free(&o->escalation);
}

static void
set_defaults(struct config *cfg)
{
	char err[128];

	cfg->title = xstrdup("Runbooks");
	cfg->language = xstrdup("en");
	cfg->max_file_size = FS_DEFAULT_MAX_FILE;
	cfg->review_every_days = 180;
	cfg->alert_pattern = rx_compile(DEFAULT_ALERT_PATTERN, false, err,
	    sizeof(err), NULL);
	cfg->default_kind = xstrdup("runbook");
	cfg->script_patterns = xcalloc(1, sizeof(*cfg->script_patterns));
	cfg->script_patterns[0] = rx_compile(DEFAULT_SCRIPT_PATTERN, false,
	    err, sizeof(err), NULL);
	cfg->nscript_patterns = 1;
	strv_push(&cfg->script_roots, ".");	/* the page's own folder */
	strv_push(&cfg->script_roots, "/");	/* the content root */
	strv_push(&cfg->script_roots, "..");	/* above the content root */
	default_kinds(cfg);
	default_severities(cfg);
}

/* ---- reading values with type checks ---- */

static const char *
want_str(struct loadctx *lc, const struct value *v)
{
	if (v == NULL)
		return NULL;
	if (!value_is_scalar(v) || v->kind == VAL_NULL) {
		cfg_error(lc, v, "field.type", "'%s' must be a single value",
		    v->key ? v->key : "value");
		return NULL;
	}
	return v->str;
}

static void
set_str(struct loadctx *lc, char **dst, const struct value *map,
    const char *key)
{
	const char *s = want_str(lc, value_get(map, key));

	if (s) {
		free(*dst);
		*dst = xstrdup(s);
	}
}

/* True when v is a list to read; absent or null is no list, no error. */
static bool
want_list(struct loadctx *lc, const struct value *v, const char *name)
{
	if (v == NULL || v->kind == VAL_NULL)
		return false;
	if (v->kind != VAL_LIST) {
		cfg_error(lc, v, "field.type", "'%s' must be a list", name);
		return false;
	}
	return true;
}

static bool
want_bool(struct loadctx *lc, const struct value *v, bool dflt)
{
	if (v == NULL)
		return dflt;
	if (v->kind != VAL_BOOL) {
		cfg_error(lc, v, "field.type", "'%s' must be true or false",
		    v->key ? v->key : "value");
		return dflt;
	}
	return strcmp(v->str, "true") == 0;
}

/* Reads a list of strings (a lone string counts as a one-item list). */
static void
want_strv(struct loadctx *lc, const struct value *v, struct strv *out,
    bool fold)
{
	size_t i;

	if (v == NULL || v->kind == VAL_NULL)
		return;
	if (value_is_scalar(v)) {
		strv_push_owned(out, fold ? str_fold_dup(v->str) :
		    xstrdup(v->str));
		return;
	}
	if (v->kind != VAL_LIST) {
		cfg_error(lc, v, "field.type", "'%s' must be a list",
		    v->key ? v->key : "value");
		return;
	}
	for (i = 0; i < v->n; i++) {
		const char *s = want_str(lc, &v->items[i]);

		if (s)
			strv_push_owned(out, fold ? str_fold_dup(s) :
			    xstrdup(s));
	}
}

/* Parses "90", "90d", "12w", "6m" (months of 30 days) into days. */
int
config_parse_days(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end == s || n < 0 || n > 100000)
		return -1;
	if (*end == '\0' || strcmp(end, "d") == 0)
		return (int)n;
	if (strcmp(end, "w") == 0)
		return (int)n * 7;
	if (strcmp(end, "m") == 0)
		return (int)n * 30;
	if (strcmp(end, "y") == 0)
		return (int)n * 365;
	return -1;
}

static struct rx *
want_rx(struct loadctx *lc, const struct value *v, bool caseless)
{
	const char *s = want_str(lc, v);
	char err[256];
	size_t off = 0;
	struct rx *rx;

	if (s == NULL)
		return NULL;
	rx = rx_compile(s, caseless, err, sizeof(err), &off);
	if (rx == NULL) {
		diag_add(lc->diags, lc->file, v->line, v->col, DIAG_ERROR,
		    "field.pattern", "invalid pattern at offset %zu: %s", off,
		    err);
		lc->errors++;
	}
	return rx;
}

/* ---- sections of site.yml ---- */

static void
load_section_list(struct loadctx *lc, const struct value *list,
    struct section_rule **v, size_t *n)
{
	size_t i, j;

	for (i = 0; i < *n; i++)
		section_rule_free(&(*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
	if (list == NULL || !want_list(lc, list, list->key))
		return;
	for (i = 0; i < list->n; i++) {
		const struct value *it = &list->items[i];
		struct section_rule *r;
		const char *name;

		if (value_is_scalar(it)) {
			if ((name = want_str(lc, it)) == NULL)
				continue;
			*v = xrealloc(*v, (*n + 1) * sizeof(**v));
			section_rule_init(&(*v)[(*n)++], name);
			continue;
		}
		name = want_str(lc, value_get(it, "name"));
		if (name == NULL) {
			cfg_error(lc, it, "field.required",
			    "a section needs a '%s'", "name");
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		r = &(*v)[(*n)++];
		section_rule_init(r, name);
		{
			struct strv al = STRV_INIT;

			want_strv(lc, value_get(it, "aliases"), &al, true);
			for (j = 0; j < al.n; j++)
				strv_push(&r->folded, al.v[j]);
			strv_free(&al);
		}
		if (value_get(it, "pattern"))
			r->pattern = want_rx(lc, value_get(it, "pattern"), true);
	}
}

static void
load_kinds(struct loadctx *lc, const struct value *kinds)
{
	struct config *cfg = lc->cfg;
	size_t i, j;

	if (kinds == NULL)
		return;
	if (kinds->kind != VAL_MAP) {
		cfg_error(lc, kinds, "field.type", "'%s' must be a mapping of "
		    "kind names", "kinds");
		return;
	}
	for (i = 0; i < kinds->n; i++) {
		const struct value *kv = &kinds->items[i];
		struct kind *k = NULL;
		const struct value *f;

		for (j = 0; j < cfg->nkinds; j++)
			if (strcmp(cfg->kinds[j].id, kv->key) == 0)
				k = &cfg->kinds[j];
		if (k == NULL)
			k = add_kind(cfg, kv->key);
		if (kv->kind == VAL_NULL)
			continue;
		if (kv->kind != VAL_MAP) {
			cfg_error(lc, kv, "field.type", "kind '%s' must be a "
			    "mapping", kv->key);
			continue;
		}
		if ((f = value_get(kv, "required_fields")) != NULL) {
			strv_free(&k->required_fields);
			want_strv(lc, f, &k->required_fields, false);
		}
		if ((f = value_get(kv, "required_sections")) != NULL)
			load_section_list(lc, f, &k->required, &k->nrequired);
		if ((f = value_get(kv, "recommended_sections")) != NULL)
			load_section_list(lc, f, &k->recommended,
			    &k->nrecommended);
		k->ordered = want_bool(lc, value_get(kv, "ordered"), k->ordered);
		k->needs_front_matter = want_bool(lc,
		    value_get(kv, "front_matter"), k->needs_front_matter);
		if ((f = value_get(kv, "paths")) != NULL) {
			strv_free(&k->paths);
			want_strv(lc, f, &k->paths, false);
		}
	}
}

static void
load_severities(struct loadctx *lc, const struct value *list)
{
	struct config *cfg = lc->cfg;
	size_t i;

	if (list == NULL)
		return;
	if (list->kind != VAL_LIST) {
		cfg_error(lc, list, "field.type", "'%s' must be a list",
		    "severities");
		return;
	}
	for (i = 0; i < cfg->nseverities; i++)
		severity_free(&cfg->severities[i]);
	free(cfg->severities);
	cfg->severities = xcalloc(list->n, sizeof(*cfg->severities));
	cfg->nseverities = 0;
	for (i = 0; i < list->n; i++) {
		const struct value *it = &list->items[i];
		struct severity *s = &cfg->severities[cfg->nseverities];
		const char *id;

		if (value_is_scalar(it))
			id = want_str(lc, it);
		else
			id = want_str(lc, value_get(it, "id"));
		if (id == NULL) {
			cfg_error(lc, it, "field.required", "a severity needs "
			    "an '%s'", "id");
			continue;
		}
		cfg->nseverities++;
		{
			struct buf low = BUF_INIT;

			str_fold(&low, id, strlen(id));
			s->id = buf_detach(&low);
		}
		if (value_is_scalar(it)) {
			s->label = xstrdup(id);
			continue;
		}
		set_str(lc, &s->label, it, "label");
		if (s->label == NULL)
			s->label = xstrdup(id);
		want_strv(lc, value_get(it, "aliases"), &s->aliases, true);
		set_str(lc, &s->color, it, "color");
		set_str(lc, &s->mtta, it, "mtta");
		set_str(lc, &s->mttr, it, "mttr");
		set_str(lc, &s->update_every, it, "update_every");
		set_str(lc, &s->description, it, "description");
	}
}

static void
load_owners(struct loadctx *lc, const struct value *list)
{
	struct config *cfg = lc->cfg;
	size_t i;

	if (!want_list(lc, list, "owners"))
		return;
	cfg->owners = xcalloc(list->n, sizeof(*cfg->owners));
	for (i = 0; i < list->n; i++) {
		const struct value *it = &list->items[i];
		struct owner *o = &cfg->owners[cfg->nowners];
		const char *id = value_is_scalar(it) ? want_str(lc, it) :
		    want_str(lc, value_get(it, "id"));

		if (id == NULL) {
			cfg_error(lc, it, "field.required", "an owner needs "
			    "an '%s'", "id");
			continue;
		}
		cfg->nowners++;
		o->id = xstrdup(id);
		if (value_is_scalar(it))
			continue;
		set_str(lc, &o->name, it, "name");
		set_str(lc, &o->contact, it, "contact");
		want_strv(lc, value_get(it, "escalation"), &o->escalation,
		    false);
	}
}

static void
load_scripts(struct loadctx *lc, const struct value *sc)
{
	struct config *cfg = lc->cfg;
	const struct value *pats, *roots;
	size_t i;

	if (sc == NULL)
		return;
	if (sc->kind != VAL_MAP) {
		cfg_error(lc, sc, "field.type", "'%s' must be a mapping",
		    "scripts");
		return;
	}
	if ((pats = value_get(sc, "patterns")) != NULL) {
		for (i = 0; i < cfg->nscript_patterns; i++)
			rx_free(cfg->script_patterns[i]);
		free(cfg->script_patterns);
		cfg->script_patterns = NULL;
		cfg->nscript_patterns = 0;
		if (pats->kind == VAL_LIST) {
			cfg->script_patterns = xcalloc(pats->n + 1,
			    sizeof(*cfg->script_patterns));
			for (i = 0; i < pats->n; i++) {
				struct rx *rx = want_rx(lc, &pats->items[i],
				    false);

				if (rx)
					cfg->script_patterns
					    [cfg->nscript_patterns++] = rx;
			}
		} else
			cfg_error(lc, pats, "field.type", "'%s' must be a list",
			    "patterns");
	}
	if ((roots = value_get(sc, "roots")) != NULL) {
		strv_free(&cfg->script_roots);
		want_strv(lc, roots, &cfg->script_roots, false);
	}
	cfg->script_require_exec = want_bool(lc,
	    value_get(sc, "require_executable"), cfg->script_require_exec);
}

static unsigned
parse_scopes(struct loadctx *lc, const struct value *v)
{
	struct strv names = STRV_INIT;
	unsigned bits = 0;
	size_t i;

	if (v == NULL)
		return SCOPE_TEXT | SCOPE_CODE;
	want_strv(lc, v, &names, false);
	for (i = 0; i < names.n; i++) {
		if (strcmp(names.v[i], "text") == 0)
			bits |= SCOPE_TEXT;
		else if (strcmp(names.v[i], "code") == 0)
			bits |= SCOPE_CODE;
		else if (strcmp(names.v[i], "front_matter") == 0 ||
		    strcmp(names.v[i], "front-matter") == 0)
			bits |= SCOPE_FRONT_MATTER;
		else if (strcmp(names.v[i], "headings") == 0)
			bits |= SCOPE_HEADINGS;
		else if (strcmp(names.v[i], "all") == 0)
			bits |= SCOPE_TEXT | SCOPE_CODE | SCOPE_FRONT_MATTER |
			    SCOPE_HEADINGS;
		else
			cfg_error(lc, v, "field.enum", "unknown scope '%s' "
			    "(text, code, front_matter, headings, all)",
			    names.v[i]);
	}
	strv_free(&names);
	return bits;
}

static void
load_rules(struct loadctx *lc, const struct value *list)
{
	struct config *cfg = lc->cfg;
	size_t i;

	if (!want_list(lc, list, "rules"))
		return;
	cfg->rules = xcalloc(list->n, sizeof(*cfg->rules));
	for (i = 0; i < list->n; i++) {
		const struct value *it = &list->items[i];
		struct user_rule *r = &cfg->rules[cfg->nrules];
		const char *id = want_str(lc, value_get(it, "id"));
		const char *sev = value_get_str(it, "severity");
		struct rx *rx;

		if (id == NULL || value_get(it, "pattern") == NULL) {
			cfg_error(lc, it, "field.required", "a rule needs an "
			    "'id' and a '%s'", "pattern");
			continue;
		}
		rx = want_rx(lc, value_get(it, "pattern"),
		    want_bool(lc, value_get(it, "ignore_case"), false));
		if (rx == NULL)
			continue;
		cfg->nrules++;
		r->id = xasprintf("rule.%s", id);
		r->pattern = rx;
		set_str(lc, &r->message, it, "message");
		if (r->message == NULL)
			r->message = xasprintf("matches rule '%s'", id);
		r->severity = DIAG_WARNING;
		if (sev && strcmp(sev, "error") == 0)
			r->severity = DIAG_ERROR;
		else if (sev && strcmp(sev, "warning") != 0)
			cfg_error(lc, value_get(it, "severity"), "field.enum",
			    "rule severity '%s' is not error or warning", sev);
		r->scopes = parse_scopes(lc, value_get(it, "scope"));
		want_strv(lc, value_get(it, "paths"), &r->paths, false);
	}
}

static void
load_tree(struct loadctx *lc, const struct value *t)
{
	struct config *cfg = lc->cfg;
	const struct value *v;
	const char *s;

	if (t->kind == VAL_NULL)
		return;
	if (t->kind != VAL_MAP) {
		cfg_error(lc, t, "field.type", "%s must be a mapping of "
		    "settings", "site.yml");
		return;
	}
	set_str(lc, &cfg->title, t, "title");
	set_str(lc, &cfg->description, t, "description");
	set_str(lc, &cfg->language, t, "language");
	set_str(lc, &cfg->base_url, t, "base_url");
	set_str(lc, &cfg->theme_dir, t, "theme");
	set_str(lc, &cfg->default_kind, t, "default_kind");
	cfg->allow_html = want_bool(lc, value_get(t, "allow_html"), false);
	cfg->alert_from_filename = want_bool(lc,
	    value_get(t, "alert_from_filename"), false);
	if ((s = want_str(lc, value_get(t, "review_every"))) != NULL) {
		int d = config_parse_days(s);

		if (d < 0)
			cfg_error(lc, value_get(t, "review_every"),
			    "field.type", "review_every '%s' is not a number "
			    "of days (90 or 90d)", s);
		else
			cfg->review_every_days = d;
	}
	if ((s = want_str(lc, value_get(t, "max_file_size"))) != NULL) {
		char *end;
		unsigned long long n = strtoull(s, &end, 10);

		if (*end == 'K' || *end == 'k')
			n <<= 10, end++;
		else if (*end == 'M')
			n <<= 20, end++;
		if (*end || n == 0)
			cfg_error(lc, value_get(t, "max_file_size"),
			    "field.type", "max_file_size '%s' is not a size "
			    "(bytes, or 512K, 16M)", s);
		else
			cfg->max_file_size = (size_t)n;
	}
	if ((v = value_get(t, "alert_pattern")) != NULL) {
		struct rx *rx = want_rx(lc, v, false);

		if (rx) {
			rx_free(cfg->alert_pattern);
			cfg->alert_pattern = rx;
		}
	}
	load_kinds(lc, value_get(t, "kinds"));
	load_severities(lc, value_get(t, "severities"));
	load_owners(lc, value_get(t, "owners"));
	load_scripts(lc, value_get(t, "scripts"));
	load_rules(lc, value_get(t, "rules"));
	want_strv(lc, value_get(t, "ignore"), &cfg->ignore, false);
	if (strcmp(cfg->language, "en") != 0 &&
	    strcmp(cfg->language, "pt-BR") != 0 &&
	    strcmp(cfg->language, "pt") != 0)
		cfg_error(lc, value_get(t, "language"), "field.enum",
		    "language '%s' has no UI strings (en, pt-BR)",
		    cfg->language);
	if (config_kind(cfg, cfg->default_kind) == NULL)
		cfg_error(lc, value_get(t, "default_kind"), "field.enum",
		    "default_kind '%s' is not a kind", cfg->default_kind);
}

int
config_load_text(struct config *cfg, const char *name, const char *text,
    size_t len, struct diag_list *diags)
{
	struct loadctx lc = { cfg, diags, name, 0 };
	struct value_error verr;

	memset(cfg, 0, sizeof(*cfg));
	set_defaults(cfg);
	cfg->file = xstrdup(name);
	if (utf8_invalid_at(text, len) != (size_t)-1) {
		diag_add(diags, name, 1, 1, DIAG_ERROR, "encoding.utf8",
		    "%s is not valid UTF-8", "the configuration");
		return -1;
	}
	if (value_parse_yaml(text, len, 0, &cfg->tree, &verr) < 0) {
		diag_add(diags, name, verr.line, verr.col, DIAG_ERROR,
		    "yaml.syntax", "%s", verr.msg);
		return -1;
	}
	load_tree(&lc, cfg->tree);
	if (cfg->theme_dir && cfg->theme_dir[0] != '/') {
		/* A theme folder is named relative to the site.yml naming it. */
		char *dir = path_dir(name);

		if (*dir) {
			char *full = path_join(dir, cfg->theme_dir);

			free(cfg->theme_dir);
			cfg->theme_dir = full;
		}
		free(dir);
	}
	return lc.errors ? -1 : 0;
}

int
config_load(struct config *cfg, const char *path, struct diag_list *diags)
{
	char *text, err[256];
	size_t len;
	int rc;

	if (path == NULL) {
		memset(cfg, 0, sizeof(*cfg));
		set_defaults(cfg);
		return 0;
	}
	rc = fs_read(path, FS_DEFAULT_MAX_FILE, &text, &len, err, sizeof(err));
	if (rc != 0) {
		memset(cfg, 0, sizeof(*cfg));
		set_defaults(cfg);
		diag_add(diags, path, 1, 1, DIAG_ERROR, "file.read", "%s", err);
		return -1;
	}
	rc = config_load_text(cfg, path, text, len, diags);
	free(text);
	return rc;
}

void
config_free(struct config *cfg)
{
	size_t i;

	free(cfg->file);
	value_free(cfg->tree);
	free(cfg->title);
	free(cfg->description);
	free(cfg->language);
	free(cfg->base_url);
	free(cfg->theme_dir);
	free(cfg->default_kind);
	rx_free(cfg->alert_pattern);
	for (i = 0; i < cfg->nseverities; i++)
		severity_free(&cfg->severities[i]);
	free(cfg->severities);
	for (i = 0; i < cfg->nowners; i++)
		owner_free(&cfg->owners[i]);
	free(cfg->owners);
	for (i = 0; i < cfg->nkinds; i++)
		kind_free(&cfg->kinds[i]);
	free(cfg->kinds);
	for (i = 0; i < cfg->nscript_patterns; i++)
		rx_free(cfg->script_patterns[i]);
	free(cfg->script_patterns);
	strv_free(&cfg->script_roots);
	for (i = 0; i < cfg->nrules; i++) {
		free(cfg->rules[i].id);
		rx_free(cfg->rules[i].pattern);
		free(cfg->rules[i].message);
		strv_free(&cfg->rules[i].paths);
	}
	free(cfg->rules);
	strv_free(&cfg->ignore);
	memset(cfg, 0, sizeof(*cfg));
}

const struct kind *
config_kind(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nkinds; i++)
		if (strcmp(cfg->kinds[i].id, id) == 0)
			return &cfg->kinds[i];
	return NULL;
}

const char *
config_kind_for_path(const struct config *cfg, const char *path)
{
	size_t i;

	for (i = 0; i < cfg->nkinds; i++)
		if (glob_match_any(&cfg->kinds[i].paths, path))
			return cfg->kinds[i].id;
	return cfg->default_kind;
}

const struct severity *
config_severity(const struct config *cfg, const char *name)
{
	char *f = str_fold_dup(name);
	const struct severity *found = NULL;
	size_t i;

	for (i = 0; i < cfg->nseverities && !found; i++)
		if (strcmp(cfg->severities[i].id, f) == 0 ||
		    strv_has(&cfg->severities[i].aliases, f))
			found = &cfg->severities[i];
	free(f);
	return found;
}

const struct owner *
config_owner(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nowners; i++)
		if (strcmp(cfg->owners[i].id, id) == 0)
			return &cfg->owners[i];
	return NULL;
}

static bool
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

char *
section_heading_key(const char *heading)
{
	char *f = str_fold_dup(heading), *s = f;

	/* Skip numbering, emoji and punctuation before the first letter. */
	while (*s && !((*s >= 'a' && *s <= 'z') ||
	    ((unsigned char)*s >= 0xc0 && (unsigned char)*s < 0xf0)))
		s++;
	memmove(f, s, strlen(s) + 1);
	return f;
}

bool
section_rule_matches_key(const struct section_rule *r, const char *heading,
    const char *key)
{
	size_t i;

	if (r->pattern && rx_matches(r->pattern, heading))
		return true;
	for (i = 0; i < r->folded.n; i++) {
		size_t n = strlen(r->folded.v[i]);

		if (strncmp(key, r->folded.v[i], n) == 0 &&
		    !is_word_byte((unsigned char)key[n]))
			return true;
	}
	return false;
}

bool
section_rule_matches(const struct section_rule *r, const char *heading)
{
	char *key = section_heading_key(heading);
	bool hit = section_rule_matches_key(r, heading, key);

	free(key);
	return hit;
}
