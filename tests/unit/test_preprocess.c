/* Unit tests of the preprocessor: Hugo shortcodes, GitLab [[_TOC_]],
 * code left alone, and every line keeping its width. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "markdown.h"
#include "page.h"
#include "preprocess.h"
#include "str.h"
#include "t.h"

void test_preprocess(void);
void test_preprocess_positions(void);

/* Runs the preprocessor on a copy of in. */
static char *
pp(const char *in, size_t *count)
{
	char *s = xstrdup(in);

	*count = pre_process(s, strlen(s));
	return s;
}

void
test_preprocess(void)
{
	static const struct {
		const char *in, *out;
		size_t count;
	} cases[] = {
		{ "See [x]({{< ref \"./a.md\" >}}) now.",
		  "See [x](./a.md              ) now.", 1 },
		{ "[y]({{< relref \"b\" >}})",
		  "[y](b.md              )", 1 },
		{ "[y]({{% relref \"b#sec\" %}})",
		  "[y](b.md#sec              )", 1 },
		{ "[d]({{< ref dir/ >}})",
		  "[d](dir/            )", 1 },
		{ "[p]({{< ref \"/runbooks/x.md\" >}})",
		  "[p](/runbooks/x.md              )", 1 },
		/* Not ref: left alone. */
		{ "[r]({{< param BookRepo >}}/new)",
		  "[r]({{< param BookRepo >}}/new)", 0 },
		{ "{{< refx \"a\" >}} {{< ref \"a\" >}", "{{< refx \"a\" >}} {{< ref \"a\" >}", 0 },
		/* Code spans and fences are code. */
		{ "`{{< ref \"a.md\" >}}` and ``x ` {{< ref a >}}``",
		  "`{{< ref \"a.md\" >}}` and ``x ` {{< ref a >}}``", 0 },
		{ "```\n{{< ref \"a.md\" >}}\n[[_TOC_]]\n```\n{{< ref \"a.md\" >}}",
		  "```\n{{< ref \"a.md\" >}}\n[[_TOC_]]\n```\na.md              ", 1 },
		{ "~~~~ md\n[[_TOC_]]\n~~~\n[[_TOC_]]\n~~~~\n[[_TOC_]]\n",
		  "~~~~ md\n[[_TOC_]]\n~~~\n[[_TOC_]]\n~~~~\n         \n", 1 },
		/* [[_TOC_]] only on a line of its own. */
		{ "**Table of Contents**\n\n  [[_TOC_]] \r\n\n# T",
		  "**Table of Contents**\n\n            \r\n\n# T", 1 },
		{ "see [[_TOC_]] here", "see [[_TOC_]] here", 0 },
		{ "", "", 0 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = pp(cases[i].in, &n);

		CHECK_STR(got, cases[i].out);
		CHECK_INT(n, cases[i].count);
		CHECK_INT(strlen(got), strlen(cases[i].in));
		free(got);
	}
}

/* A link after a shortcode is found at the column the file has. */
void
test_preprocess_positions(void)
{
	static const char src[] =
	    "# T\n\nSee [a]({{< ref \"./é.md\" >}}) and [b](c.md).\n";
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	struct page *p;
	size_t i;
	int found = 0;

	CHECK_INT(config_load(&cfg, NULL, &diags), 0);
	md_init();
	p = page_new("content", "x.md");
	p->src = xstrdup(src);
	p->len = strlen(src);
	page_parse(p, &cfg);
	for (i = 0; i < p->nlinks; i++) {
		if (strcmp(p->links[i].url, "./é.md") == 0) {
			CHECK_INT(p->links[i].pos.line, 3);
			CHECK_INT(p->links[i].pos.col, 5);
			found++;
		}
		if (strcmp(p->links[i].url, "c.md") == 0) {
			CHECK_INT(p->links[i].pos.line, 3);
			CHECK_INT(p->links[i].pos.col, 35);
			found++;
		}
	}
	CHECK_INT(found, 2);
	page_free(p);
	config_free(&cfg);
	diag_free(&diags);
}

void test_comment_links(void);

/* cmark reads an HTML comment as raw HTML: a link inside is no link. */
void
test_comment_links(void)
{
	static const char src[] =
	    "# T\n\n<!--DS: log in to the [Portal](link:https://x.example)\n"
	    "and [more](missing.md) -->\n\nText <!-- [in](line.md) --> "
	    "and [real](real.md).\n";
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	struct page *p;

	CHECK_INT(config_load(&cfg, NULL, &diags), 0);
	md_init();
	p = page_new("content", "c.md");
	p->src = xstrdup(src);
	p->len = strlen(src);
	page_parse(p, &cfg);
	CHECK_INT(p->nlinks, 1);
	if (p->nlinks == 1) {
		CHECK_STR(p->links[0].url, "real.md");
		CHECK_INT(p->links[0].pos.line, 6);
	}
	CHECK(strstr(p->html, "Portal") == NULL);
	page_free(p);
	config_free(&cfg);
	diag_free(&diags);
}
