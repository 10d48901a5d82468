/*
 * libFuzzer target: the site's own lint rules (site.yml 'rules:') over a
 * page.  The input's first line is one more pattern, matched in every
 * scope (it is skipped when PCRE2 refuses it); the rest is the page.  A
 * fixed set of rules exercises empty matches, anchors, look-around and
 * multi-byte columns in each scope.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "markdown.h"
#include "page.h"
#include "rx.h"
#include "str.h"
#include "userrules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_yml[] =
    "rules:\n"
    "  - id: empty\n"
    "    pattern: 'x*'\n"
    "    scope: all\n"
    "  - id: word\n"
    "    pattern: '\\b\\w{3}\\b'\n"
    "    scope: [text, headings]\n"
    "  - id: anchors\n"
    "    pattern: '^\\s*$|^#|\\S$'\n"
    "    scope: [text, code, front_matter]\n"
    "  - id: around\n"
    "    pattern: '(?<=`)[^`]+(?=`)|(?<![a-z])TODO'\n"
    "    ignore_case: true\n"
    "    scope: [text, code]\n"
    "  - id: accents\n"
    "    pattern: '\\p{L}\\X|é'\n"
    "    scope: all\n"
    "    paths: ['ops/**']\n"
    "  - id: elsewhere\n"
    "    pattern: '.'\n"
    "    paths: ['db/**']\n";

static struct config cfg;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct diag_list diags = DIAG_LIST_INIT;
	struct user_rule *rules;
	struct config c;
	struct page *p;
	const char *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - (const char *)data) : size, i;
	char *pattern = xstrndup((const char *)data, plen), err[256];

	if (!ready) {
		md_init();
		if (config_load_text(&cfg, "site.yml", rules_yml,
		    sizeof(rules_yml) - 1, &diags) < 0 || diags.n > 0 ||
		    cfg.nrules != 6)
			abort();
		ready = 1;
	}
	/* The fixed rules (shared, read-only) plus the input's own. */
	rules = xcalloc(cfg.nrules + 1, sizeof(*rules));
	memcpy(rules, cfg.rules, cfg.nrules * sizeof(*rules));
	c = cfg;
	c.rules = rules;
	if ((rules[cfg.nrules].pattern = rx_compile(pattern, false, err,
	    sizeof(err), NULL)) != NULL) {
		rules[cfg.nrules].id = "rule.fuzz";
		rules[cfg.nrules].message = "matches rule 'fuzz'";
		rules[cfg.nrules].severity = DIAG_ERROR;
		rules[cfg.nrules].scopes = SCOPE_TEXT | SCOPE_CODE |
		    SCOPE_FRONT_MATTER | SCOPE_HEADINGS;
		c.nrules++;
	}
	p = page_new("content", "ops/fuzz.md");
	p->src = xstrndup(nl ? (const char *)data + plen + 1 : "",
	    nl ? size - plen - 1 : 0);
	p->len = nl ? size - plen - 1 : 0;
	page_parse(p, &c);
	userrules_check(&c, p, &diags);
	for (i = 0; i < diags.n; i++)
		if (diags.v[i].line < 1 || diags.v[i].col < 1 ||
		    strncmp(diags.v[i].rule, "rule.", 5) != 0)
			abort();
	rx_free(rules[cfg.nrules].pattern);
	free(rules);
	page_free(p);
	diag_free(&diags);
	free(pattern);
	return 0;
}
