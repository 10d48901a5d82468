/*
 * The Mustache engine: the spec's core modules (tests/unit/mustache-spec,
 * read at run time), then errors, limits and this project's additions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "str.h"
#include "t.h"
#include "template.h"
#include "value.h"

void test_template_spec(void);
void test_template_errors(void);
void test_template_env(void);
void test_template_limits(void);
void test_template_values(void);
void test_template_generated(void);
void test_template_recursion(void);
void test_template_output_limit(void);

/* Tests only: the spec's partials (a map) or a name -> text table. */
static const char *
map_loader(void *ud, const char *name, size_t *len)
{
	const char *s = value_get_str(ud, name);

	if (s != NULL)
		*len = strlen(s);
	return s;
}

static char *
read_all(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_detach(&b);
}

/* Prints s as a C string, so blanks and line ends show. */
static void
put_quoted(const char *label, const char *s)
{
	fprintf(stderr, "    %-9s \"", label);
	for (; *s; s++)
		switch (*s) {
		case '\n': fputs("\\n", stderr); break;
		case '\r': fputs("\\r", stderr); break;
		case '\t': fputs("\\t", stderr); break;
		case '"': fputs("\\\"", stderr); break;
		case '\\': fputs("\\\\", stderr); break;
		default: fputc(*s, stderr);
		}
	fputs("\"\n", stderr);
}

static int
run_spec_case(const char *module, const struct value *tc)
{
	const char *name = value_get_str(tc, "name");
	const char *src = value_get_str(tc, "template");
	const char *want = value_get_str(tc, "expected");
	struct buf out = BUF_INIT;
	struct tpl_error err;
	char label[256];
	int rc, ok;

	snprintf(label, sizeof(label), "spec/%s/%s", module,
	    name ? name : "?");
	if (src == NULL)
		src = "";
	if (want == NULL)
		want = "";
	rc = tpl_render_string(src, value_get(tc, "data"), map_loader,
	    (void *)value_get(tc, "partials"), &out, &err);
	ok = rc == 0 && strcmp(buf_cstr(&out), want) == 0;
	if (t_case(label, ok)) {
		fprintf(stderr, "  %s:\n", label);
		if (rc != 0)
			fprintf(stderr, "    error %s:%d:%d: %s\n", err.name,
			    err.line, err.col, err.msg);
		put_quoted("template", src);
		put_quoted("- want", want);
		put_quoted("+ got", buf_cstr(&out));
	}
	buf_free(&out);
	return ok;
}

static void
run_spec_module(const char *dir, const char *module)
{
	const struct value *tests;
	struct value_error verr;
	struct value *doc;
	size_t i, len, pass = 0;
	char *path, *text;

	path = xasprintf("%s/%s.yml", dir, module);
	if ((text = read_all(path, &len)) == NULL) {
		fprintf(stderr, "  cannot read %s (set MUSTACHE_SPEC_DIR)\n",
		    path);
		t_failures++;
		free(path);
		return;
	}
	if (value_parse_yaml(text, len, 0, &doc, &verr) < 0) {
		fprintf(stderr, "  %s:%d:%d: %s\n", path, verr.line, verr.col,
		    verr.msg);
		t_failures++;
	} else {
		tests = value_get(doc, "tests");
		CHECK(tests != NULL && tests->kind == VAL_LIST && tests->n > 0);
		for (i = 0; tests != NULL && i < tests->n; i++)
			pass += run_spec_case(module, &tests->items[i]);
		printf("  spec/%s: %zu/%zu passed\n", module, pass,
		    tests ? (size_t)tests->n : 0);
		value_free(doc);
	}
	free(text);
	free(path);
}

void
test_template_spec(void)
{
	static const char *modules[] = { "comments", "interpolation",
	    "sections", "inverted", "partials", "delimiters" };
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	size_t i;

	if (dir == NULL || *dir == '\0')
		dir = "tests/unit/mustache-spec";	/* from the repository's root */
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		run_spec_module(dir, modules[i]);
}

/* Renders src against YAML data, partials from the YAML map parts. */
static char *
render(const char *src, const char *data, const char *parts,
    struct tpl_error *err)
{
	struct value *d = NULL, *p = NULL;
	struct value_error verr;
	struct buf out = BUF_INIT;
	int rc;

	if (value_parse_yaml(data, strlen(data), 0, &d, &verr) < 0 ||
	    value_parse_yaml(parts, strlen(parts), 0, &p, &verr) < 0) {
		fprintf(stderr, "  bad test YAML: %s\n", verr.msg);
		t_failures++;
		value_free(d);
		return NULL;
	}
	rc = tpl_render_string(src, d, map_loader, p, &out, err);
	value_free(d);
	value_free(p);
	if (rc < 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void
check_render(const char *src, const char *data, const char *parts,
    const char *want)
{
	struct tpl_error err;
	char *got = render(src, data, parts, &err);

	if (got == NULL)
		fprintf(stderr, "  %s: error %d:%d: %s\n", src, err.line,
		    err.col, err.msg);
	CHECK_STR(got, want);
	free(got);
}

static void
check_error(const char *src, const char *parts, const char *name, int line,
    int col, const char *msg_part)
{
	struct tpl_error err;
	char *got = render(src, "{}", parts, &err);

	CHECK(got == NULL);
	free(got);
	if (got != NULL)
		return;
	CHECK_STR(err.name, name);
	CHECK_INT(err.line, line);
	CHECK_INT(err.col, col);
	if (strstr(err.msg, msg_part) == NULL) {
		fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg,
		    msg_part);
		t_failures++;
	}
}

void
test_template_errors(void)
{
	check_error("ab\ncd {{name", "{}", "main", 2, 4, "unclosed tag");
	check_error("x {{{name}}", "{}", "main", 1, 3, "unclosed tag");
	check_error("{{=<% %>=}}\n<%x", "{}", "main", 2, 1, "unclosed tag");
	check_error("a\n  {{#s}}\nb\n", "{}", "main", 2, 3, "never closed");
	check_error("{{#a}}{{#b}}\n{{/a}}{{/b}}", "{}", "main", 2, 1,
	    "does not match section \"b\" opened at line 1");
	check_error("x\n{{/a}}", "{}", "main", 2, 1, "no open section");
	check_error("{{=<%>=}}", "{}", "main", 1, 1, "set-delimiter");
	check_error("{{= a b c =}}", "{}", "main", 1, 1, "set-delimiter");
	check_error("{{=a= b=}}", "{}", "main", 1, 1, "set-delimiter");
	check_error("{{}}", "{}", "main", 1, 1, "empty");
	check_error("é {{a b}}", "{}", "main", 1, 3, "blanks");
	check_error("{{a..b}}", "{}", "main", 1, 1, "empty part");
	check_error("{{>p}}", "{ p: \"ok\\n  {{#x}}\" }", "p", 2, 3,
	    "never closed");
}

void
test_template_env(void)
{
	struct value *parts;
	struct value_error verr;
	struct tpl_error err;
	struct tpl_env *env;
	const struct tpl *a, *b;
	struct buf out = BUF_INIT;
	const char *yml = "{ page: '<{{>head}}|{{>gone}}|{{>page}}>', "
	    "head: 'H{{x}}', bad: '{{#x}}' }";

	CHECK(value_parse_yaml(yml, strlen(yml), 0, &parts, &verr) == 0);
	env = tpl_env_new(map_loader, parts);
	a = tpl_env_get(env, "page", &err);
	CHECK(a != NULL);
	b = tpl_env_get(env, "page", &err);
	CHECK(a == b);
	CHECK(tpl_env_get(env, "head", &err) != NULL);
	CHECK(tpl_env_get(env, "nope", &err) == NULL);
	CHECK_STR(err.name, "nope");
	CHECK(strstr(err.msg, "no template") != NULL);
	CHECK(tpl_env_get(env, "bad", &err) == NULL);
	CHECK_INT(err.line, 1);
	/* Recursion is cut at TPL_MAX_PARTIAL_DEPTH. */
	tpl_render(a, NULL, &out);
	CHECK_INT(out.len, TPL_MAX_PARTIAL_DEPTH * 5 + 4);
	CHECK(strncmp(buf_cstr(&out), "<H||<H||", 8) == 0);
	buf_free(&out);
	tpl_env_free(env);
	value_free(parts);
}

/*
 * Renders the template "main" of the YAML map parts through an env;
 * *rc is what tpl_render_checked() said, the result NULL on an error.
 */
static char *
render_env(const char *parts, const char *data, int *rc)
{
	struct value *d = NULL, *p = NULL;
	struct value_error verr;
	struct tpl_error err;
	struct buf out = BUF_INIT;
	struct tpl_env *env;
	const struct tpl *t;

	*rc = 0;
	if (value_parse_yaml(data, strlen(data), 0, &d, &verr) < 0 ||
	    value_parse_yaml(parts, strlen(parts), 0, &p, &verr) < 0) {
		fprintf(stderr, "  bad test YAML: %s\n", verr.msg);
		t_failures++;
		value_free(d);
		return NULL;
	}
	env = tpl_env_new(map_loader, p);
	if ((t = tpl_env_get(env, "main", &err)) == NULL)
		fprintf(stderr, "  %s:%d:%d: %s\n", err.name, err.line,
		    err.col, err.msg);
	else
		*rc = tpl_render_checked(t, d, &out);
	tpl_env_free(env);
	value_free(d);
	value_free(p);
	if (t == NULL) {
		buf_free(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void
nest(struct buf *b, const char *open, const char *mid, const char *close,
    int n)
{
	int i;

	for (i = 0; i < n; i++)
		buf_puts(b, open);
	buf_puts(b, mid);
	for (i = 0; i < n; i++)
		buf_puts(b, close);
}

void
test_template_limits(void)
{
	struct buf src = BUF_INIT;
	struct tpl_error err;
	char *got;
	int rc;

	nest(&src, "{{#a}}", "x", "{{/a}}", TPL_MAX_NESTING);
	got = render(buf_cstr(&src), "{ a: true }", "{}", &err);
	CHECK_STR(got, "x");
	free(got);
	buf_free(&src);

	nest(&src, "{{#a}}", "x", "", TPL_MAX_NESTING + 1);
	got = render(buf_cstr(&src), "{ a: true }", "{}", &err);
	CHECK(got == NULL);
	CHECK(strstr(err.msg, "nested deeper") != NULL);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.col, TPL_MAX_NESTING * 6 + 1);
	free(got);
	buf_free(&src);

	/* A partial that includes itself on the same data ends. */
	got = render_env("{ main: '{{>p}}', p: 'z{{>p}}' }", "{}", &rc);
	CHECK(got != NULL && strlen(got) == TPL_MAX_PARTIAL_DEPTH);
	CHECK_INT(rc, -1);
	free(got);

	/* Sections and partials together stop at TPL_MAX_RENDER_DEPTH. */
	buf_puts(&src, "{ main: '{{>p}}', p: '");
	nest(&src, "{{#a}}", "y{{>p}}", "{{/a}}", TPL_MAX_NESTING);
	buf_puts(&src, "' }");
	got = render_env(buf_cstr(&src), "{ a: true }", &rc);
	CHECK(got != NULL && strlen(got) ==
	    TPL_MAX_RENDER_DEPTH / (TPL_MAX_NESTING + 1));
	CHECK(got != NULL && strspn(got, "y") == strlen(got));
	CHECK_INT(rc, -1);
	free(got);
	buf_free(&src);

	/* Nested loops multiply: 2^60 visits stop at TPL_MAX_STEPS. */
	buf_puts(&src, "{ main: '");
	nest(&src, "{{#a}}", "w", "{{/a}}", 60);
	buf_puts(&src, "' }");
	got = render_env(buf_cstr(&src), "{ a: [1, 2] }", &rc);
	CHECK(got != NULL && strlen(got) > 0 && strlen(got) < TPL_MAX_STEPS);
	CHECK_INT(rc, -1);
	free(got);
	buf_free(&src);

	/* Within the limits nothing is cut. */
	got = render_env("{ main: '{{#a}}{{#a}}{{.}}{{/a}}{{/a}}' }",
	    "{ a: [1, 2] }", &rc);
	CHECK_STR(got, "1212");
	CHECK_INT(rc, 0);
	free(got);
}

void
test_template_values(void)
{
	struct value *d = value_new(VAL_MAP);
	struct buf out = BUF_INIT;
	struct tpl_error err;

	value_add_str(d, "s", "<a href='x'>&");
	value_add_raw(d, "r", "<b>");
	value_add_bool(d, "t", true);
	value_add_bool(d, "f", false);
	value_add_int(d, "n", 42);
	CHECK(tpl_render_string("{{s}}|{{{s}}}|{{r}}|{{t}}|{{f}}|{{n}}|"
	    "{{#t}}T{{/t}}{{^f}}F{{/f}}", d, NULL, NULL, &out, &err) == 0);
	CHECK_STR(buf_cstr(&out), "&lt;a href=&#39;x&#39;&gt;&amp;|"
	    "<a href='x'>&|<b>|true|false|42|TF");
	buf_free(&out);
	value_free(d);

	check_render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{ a: 1.210, b: 2.0, c: -0.50, d: 1e3, e: 7, f: 0x1F }", "{}",
	    "1.21 2 -0.5 1e3 7 0x1F");
	check_render("[{{m}}][{{l}}][{{z}}]", "{ m: {k: v}, l: [1], z: ~ }",
	    "{}", "[][][]");
	/* Nested standalone partials add up their indentation. */
	check_render("  {{>a}}\n", "{ x: \"1\\n2\" }",
	    "{ a: \"a\\n {{>b}}\\n{{#x}}\\n  {{x}}\\n{{/x}}\\n\", "
	    "b: \"b1\\nb2\\n\" }",
	    "  a\n   b1\n   b2\n    1\n2\n");
	/* An inline partial is not indented; a missing one is empty. */
	check_render(" {{>a}}{{>none}}|\n", "{}", "{ a: \"1\\n2\" }",
	    " 1\n2|\n");
	/* A tag starting a line inside an indented partial is indented. */
	check_render("\t{{>a}}\n", "{ v: V }",
	    "{ a: \"{{v}}\\n{{! c }}x\\n{{#v}}y{{/v}}\\n\" }",
	    "\tV\n\tx\n\ty\n");
	/* Template text with NUL-free odd delimiters and a triple with them. */
	check_render("{{=<< >>=}}<<{v}>> <<& v>> <<v>>", "{ v: '<' }", "{}",
	    "< < &lt;");
}

/* Item i of a generated list: {n: i, t: "<i>"} for even i, {n: i} else. */
static struct value *
make_row(void *ud, size_t i)
{
	struct value *it = value_new_arena(VAL_MAP);

	(*(int *)ud)++;
	value_add_int(it, "n", (long)i);
	if (i % 2 == 0)
		value_add_str(it, "t", "<i>");
	return it;
}

void
test_template_generated(void)
{
	static const char tpl[] = "{{#rows}}[{{n}}{{t}}]{{/rows}}"
	    "{{^rows}}none{{/rows}}{{#empty}}x{{/empty}}{{^empty}}-{{/empty}}";
	struct value *d = value_new(VAL_MAP), *copy;
	struct value_gen gen = { make_row, NULL };
	struct buf out = BUF_INIT;
	struct tpl_error err;
	int made = 0;

	gen.ud = &made;
	value_add_str(d, "t", "outer");
	value_add_generated(d, "rows", 3, &gen);
	value_add_generated(d, "empty", 0, &gen);
	/* Items are made as the section walks them; a name an item lacks
	 * is looked up around the list, as for any list. */
	CHECK(tpl_render_string(tpl, d, NULL, NULL, &out, &err) == 0);
	CHECK_STR(buf_cstr(&out), "[0&lt;i&gt;][1outer][2&lt;i&gt;]-");
	CHECK_INT(made, 3);
	CHECK(value_truthy(value_get(d, "rows")));
	CHECK(!value_truthy(value_get(d, "empty")));
	CHECK_INT(value_list_len(value_get(d, "rows")), 3);
	/* To anything but a template it has no items to walk. */
	CHECK_INT(value_get(d, "rows")->n, 0);
	copy = value_new(VAL_MAP);
	value_copy(copy, d);
	buf_truncate(&out, 0);
	CHECK(tpl_render_string(tpl, copy, NULL, NULL, &out, &err) == 0);
	CHECK_STR(buf_cstr(&out), "[0&lt;i&gt;][1outer][2&lt;i&gt;]-");
	CHECK_INT(made, 6);
	value_free(copy);
	buf_free(&out);
	value_free(d);
}

/* The fuzz target's loader: every partial named "p" is the text itself. */
static const char *
self_loader(void *ud, const char *name, size_t *len)
{
	if (strcmp(name, "p") != 0)
		return NULL;
	*len = strlen(ud);
	return ud;
}

/*
 * fuzz_template regression (timeout finding): a template that includes
 * itself three times per level does 3^depth work before the partial depth
 * limit; the step limit must end it, with the limit error.
 */
void
test_template_recursion(void)
{
	static const char *const srcs[] = {
		"{{>p}}{{>p}}{{>p}}",
		"x{{>p}}y{{>p}}z{{>p}}",
		"{{#a}}{{>p}}{{>p}}{{/a}}{{>p}}",
	};
	struct value *d = value_new(VAL_MAP);
	size_t i;

	value_add_bool(d, "a", true);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct buf out = BUF_INIT;
		struct tpl_error err;
		time_t t0 = time(NULL);

		CHECK_INT(tpl_render_string(srcs[i], d, self_loader,
		    (void *)srcs[i], &out, &err), -1);
		CHECK(strstr(err.msg, "limit") != NULL);
		CHECK(out.len <= TPL_MAX_STEPS);
		/* Bounded work: seconds even under valgrind, not 3^50. */
		CHECK(time(NULL) - t0 < 60);
		buf_free(&out);
	}
	value_free(d);
}

/* A render stops once it has written TPL_MAX_OUTPUT bytes. */
void
test_template_output_limit(void)
{
	static const char yml[] = "{ a: [1, 2, 3, 4, 5, 6, 7, 8] }";
	const size_t mb = 1 << 20;
	struct value *d = NULL;
	struct value_error verr;
	struct buf out = BUF_INIT;
	struct tpl_error err;
	char *big = xmalloc(mb + 1);

	memset(big, 'x', mb);
	big[mb] = '\0';
	CHECK(value_parse_yaml(yml, strlen(yml), 0, &d, &verr) == 0);
	value_add_owned(d, "s", big);
	/* 512 copies of 1 MB: cut after the copy that passes 64 MB. */
	CHECK_INT(tpl_render_string("{{#a}}{{#a}}{{#a}}{{{s}}}{{/a}}{{/a}}"
	    "{{/a}}", d, NULL, NULL, &out, &err), -1);
	CHECK(out.len > TPL_MAX_OUTPUT && out.len <= TPL_MAX_OUTPUT + mb);
	CHECK(strstr(err.msg, "too much output") != NULL);
	buf_free(&out);
	value_free(d);
}
