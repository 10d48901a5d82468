/*
 * runbookc new [CONTENT_DIR] PATH: a new page from its kind's template.
 *
 * The front matter is filled from the options; the kind's required and
 * recommended sections are there with a one-line prompt each, written as
 * an HTML comment, which is not content: `check` reports the sections as
 * empty until the writer fills them in.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "fsutil.h"
#include "rx.h"

/* The sections runbookc knows, with their prompts in each language. */
static const struct prompt {
	const char *en, *pt;		/* heading */
	const char *en_text, *pt_text;	/* prompt */
} prompts[] = {
	{ "Symptom", "Sintomas",
	    "What the on-call engineer sees: the alert, the dashboards, "
	    "what users report.",
	    "O que o plantonista vê: o alerta, os painéis, o que os "
	    "usuários relatam." },
	{ "Diagnosis", "Diagnóstico",
	    "How to confirm the cause: commands, queries and dashboards, "
	    "in order.",
	    "Como confirmar a causa: comandos, consultas e painéis, em "
	    "ordem." },
	{ "Mitigation", "Mitigação",
	    "How to stop the impact: numbered steps with the exact commands, "
	    "and how to roll back.",
	    "Como conter o impacto: passos numerados com os comandos exatos, "
	    "e como reverter." },
	{ "Verification", "Verificação",
	    "How to tell it worked: the metric or check that is back to "
	    "normal.",
	    "Como saber que funcionou: a métrica ou verificação que voltou "
	    "ao normal." },
	{ "Escalation", "Escalonamento",
	    "Who to call when this page does not help, and when.",
	    "Quem acionar quando esta página não resolver, e quando." },
};

static bool
lang_pt(const struct config *cfg)
{
	return strncmp(cfg->language, "pt", 2) == 0;
}

/*
 * A YAML scalar that reads back as s: plain when that is safe, else
 * double-quoted with escapes.
 */
static void
yaml_scalar(struct buf *b, const char *s)
{
	static const char *const special[] = {
		"true", "false", "yes", "no", "on", "off", "null", "~",
	};
	const unsigned char *c;
	bool plain = *s != '\0' && s[strlen(s) - 1] != ' ';
	size_t i;

	if (strchr("-?:,[]{}#&*!|>'\"%@` 0123456789.+", *s))
		plain = false;
	for (c = (const unsigned char *)s; plain && *c; c++)
		if (*c < 0x20 || *c == 0x7f || strchr(":#,[]{}\"'\\", *c))
			plain = false;
	for (i = 0; plain && i < sizeof(special) / sizeof(special[0]); i++)
		if (str_casecmp_ascii(s, special[i]) == 0)
			plain = false;
	if (plain) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (c = (const unsigned char *)s; *c; c++)
		if (*c == '"' || *c == '\\')
			buf_printf(b, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			buf_printf(b, "\\x%02x", *c);
		else
			buf_putc(b, *c);
	buf_putc(b, '"');
}

/* "kafka-consumer-lag.md" → "Kafka consumer lag"; "KubePodCrash" stays. */
static char *
title_from_path(const char *rel)
{
	const char *base = path_base(rel);
	size_t n = strlen(base), i;
	char *t;

	if (n > 3 && strcmp(base + n - 3, ".md") == 0)
		n -= 3;
	t = xstrndup(base, n);
	for (i = 0; t[i]; i++)
		if (t[i] == '-' || t[i] == '_')
			t[i] = ' ';
	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 'a' + 'A');
	return t;
}

static bool
is_list_field(const char *f)
{
	return strcmp(f, "alerts") == 0 || strcmp(f, "tags") == 0 ||
	    strcmp(f, "services") == 0 || strcmp(f, "scripts") == 0 ||
	    strcmp(f, "aliases") == 0;
}

static void
field_line(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, "%s:", key);
	if (val) {
		buf_putc(b, ' ');
		yaml_scalar(b, val);
	}
	buf_putc(b, '\n');
}

/*
 * The front matter: title, kind (when not the one the path implies),
 * the options given, every other field the kind requires left empty
 * (so check names it), and today as the review date.
 */
static void
front_matter(struct buf *b, const struct opts *o, const struct config *cfg,
    const struct kind *k, const char *title, bool kind_implied,
    const char *today)
{
	size_t i;

	buf_puts(b, "---\n");
	field_line(b, "title", title);
	if (!kind_implied)
		field_line(b, "kind", k->id);
	if (o->severity || strv_has(&k->required_fields, "severity"))
		field_line(b, "severity", o->severity);
	if (o->owner || strv_has(&k->required_fields, "owner"))
		field_line(b, "owner", o->owner);
	if (o->alerts.n || strv_has(&k->required_fields, "alerts")) {
		buf_puts(b, "alerts: [");
		for (i = 0; i < o->alerts.n; i++) {
			if (i)
				buf_puts(b, ", ");
			yaml_scalar(b, o->alerts.v[i]);
		}
		buf_puts(b, "]\n");
	}
	for (i = 0; i < k->required_fields.n; i++) {
		const char *f = k->required_fields.v[i];

		if (strcmp(f, "title") == 0 || strcmp(f, "severity") == 0 ||
		    strcmp(f, "owner") == 0 || strcmp(f, "alerts") == 0 ||
		    strcmp(f, "last_reviewed") == 0 || strcmp(f, "kind") == 0)
			continue;
		buf_printf(b, "%s:%s\n", f, is_list_field(f) ? " []" : "");
	}
	/* A date reads as one unquoted; the scalar writer would quote it. */
	buf_printf(b, "last_reviewed: %s\n", today);
	(void)cfg;
	buf_puts(b, "---\n");
}

/* A section heading and its prompt, in the site's language. */
static void
section(struct buf *b, const struct config *cfg,
    const struct section_rule *r)
{
	const char *heading = r->name, *text = NULL;
	bool pt = lang_pt(cfg);
	size_t i;
	const char *c;

	for (i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		const struct prompt *p = &prompts[i];

		if (section_rule_matches(r, p->en) ||
		    section_rule_matches(r, p->pt)) {
			if (pt && section_rule_matches(r, p->pt))
				heading = p->pt;
			text = pt ? p->pt_text : p->en_text;
			break;
		}
	}
	buf_printf(b, "\n## %s\n\n<!-- ", heading);
	if (text)
		buf_puts(b, text);
	else {
		buf_puts(b, pt ? "Escreva a seção " : "Write the ");
		/* Nothing in a name may end the comment early. */
		for (c = r->name; *c; c++)
			buf_putc(b, *c == '>' ? ')' : *c);
		buf_puts(b, pt ? "." : " section.");
	}
	buf_puts(b, " -->\n");
}

static void
page_text(struct buf *b, const struct opts *o, const struct config *cfg,
    const struct kind *k, const char *title, bool kind_implied,
    const char *today)
{
	size_t i;

	front_matter(b, o, cfg, k, title, kind_implied, today);
	buf_printf(b, "# %s\n", title);
	for (i = 0; i < k->nrequired; i++)
		section(b, cfg, &k->required[i]);
	for (i = 0; i < k->nrecommended; i++)
		section(b, cfg, &k->recommended[i]);
}

static int
usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "runbookc: new: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\nTry 'runbookc new --help'.\n");
	return EXIT_USAGE;
}

/* Every value the options give must be one check will accept. */
static int
validate(const struct opts *o, const struct config *cfg)
{
	struct buf ids = BUF_INIT;
	size_t i;
	int rc = 0;

	if (o->severity && config_severity(cfg, o->severity) == NULL) {
		for (i = 0; i < cfg->nseverities; i++)
			buf_printf(&ids, "%s%s", i ? ", " : "",
			    cfg->severities[i].id);
		rc = usage_error("severity '%s' is not one of %s", o->severity,
		    buf_cstr(&ids));
	} else if (o->owner && cfg->nowners > 0 &&
	    config_owner(cfg, o->owner) == NULL) {
		rc = usage_error("owner '%s' is not listed in %s", o->owner,
		    cfg->file);
	}
	for (i = 0; rc == 0 && i < o->alerts.n; i++)
		if (!rx_matches(cfg->alert_pattern, o->alerts.v[i]))
			rc = usage_error("alert id '%s' does not match %s",
			    o->alerts.v[i], rx_pattern(cfg->alert_pattern));
	if (rc == 0 && o->title && strpbrk(o->title, "\r\n"))
		rc = usage_error("a title is one line%s%s", "", "");
	buf_free(&ids);
	return rc;
}

/*
 * PATH as a content-relative "x/y.md", or NULL when it leaves CONTENT.
 * A PATH that starts with CONTENT ("content/db/x" typed from the top of
 * the repository, as check prints it) means the same page.
 */
static char *
page_path(const char *content, const char *path)
{
	char *norm, *root, *md;
	size_t n;

	if (path[0] == '/')
		return NULL;
	if ((norm = path_normalize(path)) == NULL || *norm == '\0') {
		free(norm);
		return NULL;
	}
	if ((root = path_normalize(content)) != NULL && *root &&
	    strncmp(norm, root, (n = strlen(root))) == 0 && norm[n] == '/') {
		md = xstrdup(norm + n + 1);
		free(norm);
		norm = md;
	}
	free(root);
	if (str_ends(norm, ".md"))
		return norm;
	md = xasprintf("%s.md", norm);
	free(norm);
	return md;
}

/*
 * True when dir, or the deepest part of it that exists, is inside the
 * content folder once symlinks are resolved: a symlinked folder must not
 * lead the new page (or the folders made for it) out of the content.
 * A content folder that does not exist yet holds no symlink.
 */
static bool
stays_inside(const char *content, const char *dir)
{
	char *root = realpath(content, NULL), *d, *real;
	size_t n;
	bool ok = false;

	if (root == NULL)
		return true;	/* no content folder yet: nothing to follow */
	d = xstrdup(dir);
	while ((real = realpath(*d ? d : ".", NULL)) == NULL && *d) {
		char *up = path_dir(d);

		free(d);
		d = up;
	}
	if (real) {
		n = strlen(root);
		ok = strncmp(real, root, n) == 0 && (real[n] == '/' ||
		    real[n] == '\0');
	}
	free(root);
	free(real);
	free(d);
	return ok;
}

/* Creates file with text; never replaces one.  Returns 0, 1 or 2. */
static int
write_new(const char *content, const char *file, const struct buf *text)
{
	char *dir = path_dir(file);
	int fd, err;
	ssize_t n;

	if (!stays_inside(content, *dir ? dir : content)) {
		fprintf(stderr, "runbookc: %s: a symlink leads outside %s; "
		    "not written\n", file, content);
		free(dir);
		return EXIT_USAGE;
	}
	if (*dir && fs_mkdirs(dir) < 0) {
		fprintf(stderr, "runbookc: %s: cannot create the folder: %s\n",
		    dir, strerror(errno));
		free(dir);
		return EXIT_USAGE;
	}
	free(dir);
	if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0) {
		if (errno == EEXIST) {
			fprintf(stderr, "runbookc: %s: already exists; not "
			    "overwritten\n", file);
			return EXIT_FINDINGS;
		}
		fprintf(stderr, "runbookc: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	n = write(fd, text->data, text->len);
	err = errno;
	if (close(fd) < 0 && n == (ssize_t)text->len) {
		err = errno;
		n = -1;
	}
	if (n != (ssize_t)text->len) {
		unlink(file);
		fprintf(stderr, "runbookc: %s: %s\n", file, strerror(err));
		return EXIT_USAGE;
	}
	return 0;
}

static char *
config_file(const struct opts *o)
{
	char *p;

	if (o->config)
		return xstrdup(o->config);
	p = path_join(o->content, "site.yml");
	if (fs_is_file(p))
		return p;
	free(p);
	return NULL;
}

static int
new_page(const struct opts *o, const struct config *cfg, const char *rel)
{
	const char *implied = config_kind_for_path(cfg, rel);
	const char *kid = o->kind ? o->kind : implied;
	const struct kind *k = config_kind(cfg, kid);
	struct buf text = BUF_INIT, kinds = BUF_INIT;
	char today[16], *title, *file;
	long day;
	size_t i;
	int rc;

	if (k == NULL) {
		for (i = 0; i < cfg->nkinds; i++)
			buf_printf(&kinds, "%s%s", i ? ", " : "",
			    cfg->kinds[i].id);
		rc = usage_error("kind '%s' is not one of %s", kid,
		    buf_cstr(&kinds));
		buf_free(&kinds);
		return rc;
	}
	if ((day = pipeline_today(o->today)) < 0)
		return usage_error("invalid date in %s%s", o->today ?
		    "--today" : "SOURCE_DATE_EPOCH", "");
	check_format_date(day, today);
	title = o->title ? xstrdup(o->title) : title_from_path(rel);
	page_text(&text, o, cfg, k, title, strcmp(k->id, implied) == 0,
	    today);
	file = path_join(o->content, rel);
	rc = write_new(o->content, file, &text);
	if (rc == 0) {
		printf("%s\n", file);
		if (!o->quiet)
			fprintf(stderr, "runbookc: fill in the sections, then "
			    "run: runbookc check %s %s\n", o->content, file);
	}
	free(file);
	free(title);
	buf_free(&text);
	return rc;
}

int
cmd_new(const struct opts *o)
{
	struct config cfg;
	struct diag_list diags = DIAG_LIST_INIT;
	char *cfgpath = config_file(o), *rel;
	int rc;

	if ((rel = page_path(o->content, o->path)) == NULL) {
		free(cfgpath);
		return usage_error("'%s' is not a path inside %s", o->path,
		    o->content);
	}
	rc = config_load(&cfg, cfgpath, &diags);
	free(cfgpath);
	if (rc < 0) {
		diag_sort(&diags);
		cmd_print_diags(o, &diags, 0, false);
		rc = EXIT_USAGE;
	} else if ((rc = validate(o, &cfg)) == 0)
		rc = new_page(o, &cfg, rel);
	diag_free(&diags);
	config_free(&cfg);
	free(rel);
	return rc;
}
