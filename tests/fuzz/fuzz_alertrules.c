/*
 * libFuzzer target: an alerting-rules file (check --alert-rules), read
 * in memory, then held against a small fixed site, so that runbook links
 * (URLs, label placeholders, anchors, alerts/ID pages) are resolved too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alertrules.h"
#include "config.h"
#include "markdown.h"
#include "page.h"
#include "site.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *path, *text;
} pages[] = {
	{ "README.md", "# Handbook\n" },
	{ "kube/KubeDown.md",
	    "---\ntitle: Kube down\nseverity: sev1\nowner: sre\n"
	    "alerts: [KubeDown, KubeDown2]\n---\n# Symptom\n\nx\n"
	    "# Diagnosis\n\ny\n# Mitigation\n\nz\n" },
	{ "kube/README.md", "---\nalert: DiskFull\n---\n# Disk full\n" },
	{ "ops/disk/_index.md", "# Índice\n\n## Passo 1\n" },
};

static struct config cfg;
static struct site site;

/* The site, once: alertrules_check only reads it. */
static void
setup(void)
{
	struct diag_list dl = DIAG_LIST_INIT;
	size_t n = sizeof(pages) / sizeof(pages[0]), i;
	struct page **pv = xcalloc(n + 1, sizeof(*pv));
	struct strv assets = STRV_INIT;

	md_init();
	if (config_load(&cfg, NULL, &dl) < 0)
		abort();
	diag_free(&dl);
	for (i = 0; i < n; i++) {
		pv[i] = page_new("/nonexistent-fuzz", pages[i].path);
		pv[i]->src = xstrdup(pages[i].text);
		pv[i]->len = strlen(pages[i].text);
		page_parse(pv[i], &cfg);
	}
	site_link(&site, &cfg, "/nonexistent-fuzz", pv, n, &assets, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct alert_rules ar = ALERT_RULES_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	char *text = xstrndup((const char *)data, size);
	size_t i;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (alertrules_load_text(&ar, "rules.yml", text, size, &diags) == 0)
		alertrules_check(&ar, &site, &diags);
	for (i = 0; i < diags.n; i++)
		if (diags.v[i].line < 1 || diags.v[i].col < 1)
			abort();
	for (i = 0; i < ar.n; i++)
		if (ar.v[i].pos.line < 1 || ar.v[i].name == NULL)
			abort();
	alertrules_free(&ar);
	diag_free(&diags);
	free(text);
	return 0;
}
