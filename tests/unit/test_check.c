/*
 * Unit tests of the validator's own logic: path globs, user rules (scopes,
 * positions, the PCRE2 limit), Prometheus rule files, and the CI writers
 * (SARIF, JUnit, GitHub) on hostile text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alertrules.h"
#include "buf.h"
#include "config.h"
#include "diag.h"
#include "glob.h"
#include "markdown.h"
#include "page.h"
#include "str.h"
#include "t.h"
#include "terms.h"
#include "userrules.h"

void test_glob(void);
void test_section_rules(void);
void test_userrules_scopes(void);
void test_userrules_limit(void);
void test_userrules_cap(void);
void test_alertrules_load(void);
void test_diag_sarif(void);
void test_diag_junit_github(void);
void test_page_terms(void);

/*
 * A heading matches a section rule when its folded text, past any
 * numbering, emoji or punctuation, starts with one of the rule's words as
 * a whole word; the key a page folds once says the same as the heading.
 */
void
test_section_rules(void)
{
	static const struct {
		const char *heading;
		bool hit;
	} cases[] = {
		{ "Mitigação", true },
		{ "2. MITIGACAO imediata", true },
		{ "\xf0\x9f\x94\xa5 Mitigação", true },
		{ "Rollback", true },
		{ "Mitigações", false },	/* another word */
		{ "Sem mitigação", false },	/* not first */
		{ "", false },
	};
	struct section_rule r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.name = "Mitigação";
	strv_push(&r.folded, "mitigacao");
	strv_push(&r.folded, "rollback");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *key = section_heading_key(cases[i].heading);

		CHECK(section_rule_matches(&r, cases[i].heading) ==
		    cases[i].hit);
		CHECK(section_rule_matches_key(&r, cases[i].heading, key) ==
		    cases[i].hit);
		free(key);
	}
	strv_free(&r.folded);
}

void
test_glob(void)
{
	CHECK(glob_match("*.md", "a.md"));
	CHECK(glob_match("*.md", "ops/db/a.md"));	/* no '/': any depth */
	CHECK(!glob_match("ops/*.md", "ops/db/a.md"));
	CHECK(glob_match("ops/*.md", "ops/a.md"));
	CHECK(glob_match("ops/**", "ops/db/a.md"));
	CHECK(glob_match("ops/**/a.md", "ops/a.md"));
	CHECK(glob_match("ops/**/a.md", "ops/x/y/a.md"));
	CHECK(glob_match("**/helpers/**", "alerts/ocs/helpers/x.md"));
	CHECK(!glob_match("**/helpers/**", "alerts/ocs/x.md"));
	CHECK(!glob_match("ops/**/b.md", "ops/x/a.md"));
	CHECK(glob_match("/ops/a.md", "ops/a.md"));
	/* Many "**" stay cheap: the matcher is a table, not backtracking. */
	CHECK(!glob_match("**/**/**/**/**/**/**/**/**/**/**/**/z",
	    "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y"));
}

/* Parses text as the page path under cfg. */
static struct page *
make_page(const struct config *cfg, const char *path, const char *text)
{
	struct page *p = page_new("content", path);

	md_init();
	p->src = xstrdup(text);
	p->len = strlen(text);
	page_parse(p, cfg);
	return p;
}

static int
load_cfg(struct config *cfg, const char *yml)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = config_load_text(cfg, "site.yml", yml, strlen(yml), &dl);
	size_t i;

	for (i = 0; i < dl.n; i++)
		fprintf(stderr, "  config: %d:%d %s\n", dl.v[i].line,
		    dl.v[i].col, dl.v[i].msg);
	diag_free(&dl);
	return rc;
}

/* "LINE:COL RULE" of each diagnostic, one a line, sorted. */
static char *
positions(struct diag_list *dl)
{
	struct buf b = BUF_INIT;
	size_t i;

	diag_sort(dl);
	for (i = 0; i < dl->n; i++)
		buf_printf(&b, "%d:%d %s\n", dl->v[i].line, dl->v[i].col,
		    dl->v[i].rule);
	return buf_detach(&b);
}

void
test_userrules_scopes(void)
{
	static const char yml[] =
	    "rules:\n"
	    "  - id: todo\n"
	    "    pattern: 'TODO'\n"
	    "    scope: [text]\n"
	    "  - id: rmrf\n"
	    "    pattern: 'rm -rf /(?!\\w)'\n"
	    "    scope: code\n"
	    "  - id: draft\n"
	    "    pattern: 'draft: true'\n"
	    "    scope: front_matter\n"
	    "  - id: shout\n"
	    "    pattern: '[A-Z]{5,}'\n"
	    "    scope: headings\n"
	    "  - id: only-db\n"
	    "    pattern: 'x'\n"
	    "    paths: ['db/**']\n";
	static const char md[] =
	    "---\n"
	    "title: T\n"
	    "draft: true\n"
	    "---\n"
	    "# Título HELLO\n"				/* 5 */
	    "\n"
	    "Ação TODO here, `TODO in code` and TODO.\n"	/* 7 */
	    "\n"
	    "```sh\n"
	    "echo TODO; rm -rf /\n"			/* 10 */
	    "```\n"
	    "\n"
	    "- item `rm -rf /` é\n";			/* 13 */
	struct config cfg;
	struct diag_list dl = DIAG_LIST_INIT;
	struct page *p;
	char *got;

	CHECK_INT(load_cfg(&cfg, yml), 0);
	p = make_page(&cfg, "ops/a.md", md);
	userrules_check(&cfg, p, &dl);
	got = positions(&dl);
	CHECK_STR(got,
	    "3:1 rule.draft\n"
	    "5:10 rule.shout\n"
	    "7:6 rule.todo\n"
	    "7:36 rule.todo\n"
	    "10:12 rule.rmrf\n"
	    "13:9 rule.rmrf\n");
	free(got);
	CHECK_STR(dl.v[0].msg, "matches rule 'draft'");
	CHECK_INT(dl.v[0].severity, DIAG_WARNING);
	diag_free(&dl);
	page_free(p);
	config_free(&cfg);
}

void
test_userrules_limit(void)
{
	static const char yml[] =
	    "rules:\n"
	    "  - id: evil\n"
	    "    pattern: '(a|aa)+(b|c)+$'\n"
	    "    severity: error\n";
	struct config cfg;
	struct diag_list dl = DIAG_LIST_INIT;
	struct buf md = BUF_INIT;
	struct page *p;
	time_t t0 = time(NULL);
	int i;

	CHECK_INT(load_cfg(&cfg, yml), 0);
	buf_puts(&md, "# A\n\n");
	for (i = 0; i < 20; i++) {
		int k;

		for (k = 0; k < 60; k++)
			buf_putc(&md, 'a');
		buf_puts(&md, "d\n\n");
	}
	p = make_page(&cfg, "a.md", buf_cstr(&md));
	userrules_check(&cfg, p, &dl);
	/* One limit diagnostic at the first line it hit, then the rule
	 * stops for the page; all of it in well under a few seconds. */
	CHECK_INT(dl.n, 1);
	if (dl.n == 1) {
		CHECK_INT(dl.v[0].line, 3);
		CHECK_INT(dl.v[0].severity, DIAG_ERROR);
		CHECK_STR(dl.v[0].rule, "rule.evil");
		CHECK(strstr(dl.v[0].msg, "match limit") != NULL);
	}
	CHECK(time(NULL) - t0 < 5);
	diag_free(&dl);
	page_free(p);
	buf_free(&md);
	config_free(&cfg);
}

void
test_userrules_cap(void)
{
	static const char yml[] =
	    "rules:\n"
	    "  - id: x\n"
	    "    pattern: 'x'\n";
	struct config cfg;
	struct diag_list dl = DIAG_LIST_INIT;
	struct buf md = BUF_INIT;
	struct page *p;
	int i;

	CHECK_INT(load_cfg(&cfg, yml), 0);
	buf_puts(&md, "# A\n\n");
	for (i = 0; i < 250; i++)
		buf_puts(&md, "é x ");
	p = make_page(&cfg, "a.md", buf_cstr(&md));
	userrules_check(&cfg, p, &dl);
	/* 100 matches, then one line for the 150 left, at the 101st. */
	CHECK_INT(dl.n, 101);
	if (dl.n == 101) {
		CHECK_INT(dl.v[99].col, 1 + 99 * 4 + 2);
		CHECK_INT(dl.v[100].col, 1 + 100 * 4 + 2);
		CHECK_STR(dl.v[100].msg, "150 more matches of rule 'x' in this "
		    "page from here on (only the first 100 are listed)");
	}
	diag_free(&dl);
	page_free(p);
	buf_free(&md);
	config_free(&cfg);
}

static char *
write_temp(const char *text)
{
	char *path = xstrdup("/tmp/runbookc-unit-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

void
test_alertrules_load(void)
{
	static const char yml[] =
	    "# two documents, as kubectl writes them\n"
	    "apiVersion: monitoring.coreos.com/v1\n"
	    "kind: PrometheusRule\n"
	    "spec:\n"
	    "  groups:\n"
	    "  - name: g\n"
	    "    rules:\n"
	    "    - record: x:sum\n"
	    "      expr: sum(x)\n"
	    "    - alert: KubeDown\n"			/* 10 */
	    "      annotations:\n"
	    "        runbook_url: https://r.example/runbooks/kube/kubedown\n"
	    "---\n"
	    "groups:\n"
	    "- name: plain\n"
	    "  rules:\n"
	    "  - alert: DiskFull\n"			/* 17 */
	    "    labels: {type: disk}\n"
	    "    annotations:\n"
	    "      runbook: 'docs/{{ $labels.type }}/README.md'\n"
	    "  - alert: Templated\n"			/* 21 */
	    "    annotations:\n"
	    "      runbook: 'docs/{{ $labels.instance }}.md'\n";
	struct alert_rules ar = ALERT_RULES_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	char *path = write_temp(yml);

	CHECK_INT(alertrules_load(&ar, path, &dl), 0);
	CHECK_INT(dl.n, 0);
	CHECK_INT(ar.n, 3);
	if (ar.n == 3) {
		CHECK_STR(ar.v[0].name, "KubeDown");
		CHECK_INT(ar.v[0].pos.line, 10);
		CHECK_INT(ar.v[0].pos.col, 7);
		CHECK_INT(ar.v[0].url_pos.line, 12);
		CHECK_STR(ar.v[1].name, "DiskFull");
		CHECK_INT(ar.v[1].pos.line, 17);
		CHECK_STR(ar.v[1].url, "docs/disk/README.md");
		CHECK(!ar.v[1].templated);
		CHECK(ar.v[2].templated);
	}
	alertrules_free(&ar);
	unlink(path);
	free(path);

	/* Not YAML: a diagnostic at the place, and -1 (exit status 2). */
	path = write_temp("groups: [\n");
	CHECK_INT(alertrules_load(&ar, path, &dl), -1);
	CHECK_INT(dl.n, 1);
	if (dl.n == 1)
		CHECK_STR(dl.v[0].rule, "yaml.syntax");
	diag_free(&dl);
	unlink(path);
	free(path);

	/* YAML, but no rule groups. */
	path = write_temp("foo: bar\n");
	CHECK_INT(alertrules_load(&ar, path, &dl), 0);
	CHECK_INT(dl.n, 1);
	if (dl.n == 1)
		CHECK_STR(dl.v[0].rule, "field.required");
	diag_free(&dl);
	alertrules_free(&ar);
	unlink(path);
	free(path);
}

static char *
render(enum diag_format fmt, const struct diag_list *dl, bool werror)
{
	static const char *const files[] = { "content/a b.md",
	    "content/z.md" };
	struct diag_report r;
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	memset(&r, 0, sizeof(r));
	r.diags = dl;
	r.files = files;
	r.nfiles = 2;
	r.tool_version = "9.9";
	r.werror = werror;
	diag_write(f, fmt, &r);
	fclose(f);
	return mem;
}

static void
sample(struct diag_list *dl)
{
	diag_add(dl, "content/a b.md", 3, 7, DIAG_ERROR, "section.required",
	    "required section '%s' is missing", "Diag<&>\"nosis\"");
	diag_add(dl, "content/a b.md", 9, 1, DIAG_WARNING, "rule.no-todo",
	    "TODO: 100%% done,\nreally");
	diag_add(dl, "rules.yml", 4, 5, DIAG_ERROR, "alert.uncovered",
	    "bad byte \xff here");
	diag_sort(dl);
}

void
test_diag_sarif(void)
{
	struct diag_list dl = DIAG_LIST_INIT;
	char *s;

	sample(&dl);
	s = render(DIAG_SARIF, &dl, false);
	CHECK(strstr(s, "\"version\":\"2.1.0\"") != NULL);
	CHECK(strstr(s, "\"name\":\"runbookc\",\"version\":\"9.9\"") != NULL);
	CHECK(strstr(s, "{\"id\":\"rule.no-todo\",\"shortDescription\":"
	    "{\"text\":\"a lint rule of site.yml\"}}") != NULL);
	CHECK(strstr(s, "\"uri\":\"content/a%20b.md\"},\"region\":"
	    "{\"startLine\":3,\"startColumn\":7}") != NULL);
	CHECK(strstr(s, "\"ruleId\":\"alert.uncovered\",\"ruleIndex\":15,"
	    "\"level\":\"error\"") != NULL);
	CHECK(strstr(s, "bad byte ? here") != NULL);
	CHECK(strstr(s, "\"level\":\"warning\",\"message\":{\"text\":"
	    "\"TODO: 100% done,\\nreally\"}") != NULL);
	free(s);
	diag_free(&dl);
}

void
test_diag_junit_github(void)
{
	struct diag_list dl = DIAG_LIST_INIT;
	char *s;

	sample(&dl);
	s = render(DIAG_JUNIT, &dl, false);
	CHECK(strstr(s, "<testsuites name=\"runbookc\" tests=\"3\" "
	    "failures=\"2\"") != NULL);
	CHECK(strstr(s, "<testcase classname=\"runbookc\" name=\"content/z.md"
	    "\"/>") != NULL);
	CHECK(strstr(s, "<failure message=\"1 error, 1 warning\" type=\""
	    "runbookc\">content/a b.md:3:7: error: required section "
	    "&apos;Diag&lt;&amp;&gt;&quot;nosis&quot;&apos; is missing "
	    "[section.required]\n") != NULL);
	CHECK(strstr(s, "\xff") == NULL);
	free(s);
	diag_free(&dl);

	/* Only a warning: the testcase passes unless --werror. */
	diag_add(&dl, "content/z.md", 1, 1, DIAG_WARNING, "review.stale",
	    "old");
	s = render(DIAG_JUNIT, &dl, false);
	CHECK(strstr(s, "failures=\"0\"") != NULL);
	CHECK(strstr(s, "<system-out>content/z.md:1:1: warning: old "
	    "[review.stale]\n</system-out>") != NULL);
	free(s);
	s = render(DIAG_JUNIT, &dl, true);
	CHECK(strstr(s, "failures=\"1\"") != NULL);
	free(s);
	diag_free(&dl);

	sample(&dl);
	s = render(DIAG_GITHUB, &dl, false);
	CHECK(str_starts(s, "::notice title=runbookc::2 files checked: 2 "
	    "errors, 1 warning\n"));
	CHECK(strstr(s, "::error file=content/a b.md,line=3,col=7,"
	    "title=section.required::required section") != NULL);
	CHECK(strstr(s, "::warning file=content/a b.md,line=9,col=1,"
	    "title=rule.no-todo::TODO: 100%25 done,%0Areally\n") != NULL);
	free(s);
	diag_free(&dl);
}

/* A page's terms as "term:weight ..." in their packed order. */
static char *
terms_text(const struct page *p)
{
	struct buf b = BUF_INIT;
	const char *at = p->terms, *tok;
	size_t n;
	uint8_t w;

	while (terms_next(&at, &tok, &n, &w))
		buf_printf(&b, "%s%.*s:%u", b.len ? " " : "", (int)n, tok,
		    (unsigned)w);
	return buf_detach(&b);
}

void
test_page_terms(void)
{
	static const char md[] =
	    "---\n"
	    "title: Disco cheio\n"
	    "alerts: [DiskFull]\n"
	    "tags: [disco]\n"
	    "---\n"
	    "\n"
	    "Primeiro parágrafo: o disco enche, o disco avisa.\n"
	    "\n"
	    "## Diagnóstico\n";
	struct config cfg;
	struct page *p;
	char *got;

	CHECK_INT(load_cfg(&cfg, ""), 0);
	p = make_page(&cfg, "ops/a.md", md);
	got = terms_text(p);
	/*
	 * First-seen order; weight = fields * 8 + a bucket of the body count:
	 * "disco" is in the title (4), a tag (2) and twice in the body (1),
	 * 7 * 8 + 2; the alert id also reads "Disk Full"; a heading's words
	 * are in the body's text too.
	 */
	CHECK_STR(got, "disco:58 cheio:32 diskfull:32 disk:32 full:32 "
	    "diagnostico:25 primeiro:9 paragrafo:9 enche:9 avisa:9");
	free(got);
	CHECK_STR(p->snippet, "Primeiro parágrafo: o disco enche, o disco "
	    "avisa.");
	CHECK(terms_valid(p->terms));
	CHECK(p->html != NULL);
	page_free(p);

	/* Parsed for the checks alone: the same model, no HTML, no terms. */
	p = page_new("content", "ops/a.md");
	p->src = xstrdup(md);
	p->len = strlen(md);
	page_parse_for(p, &cfg, PAGE_FOR_CHECK);
	CHECK(p->html == NULL && p->terms == NULL && p->snippet == NULL);
	CHECK_INT(p->nheadings, 1);
	CHECK_STR(p->summary, "Primeiro parágrafo: o disco enche, o disco "
	    "avisa.");
	CHECK_INT(p->alerts.n, 1);
	page_free(p);
	config_free(&cfg);

	CHECK(terms_valid(""));
	CHECK(terms_valid("\002ab\010"));
	CHECK(!terms_valid("\002ab"));		/* no weight */
	CHECK(!terms_valid("\002ab\007"));	/* weight below 8 */
	CHECK(!terms_valid("\002ab\100"));	/* weight above 63 */
	CHECK(!terms_valid("\051aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\010"));
}
