/*
 * libFuzzer target: one page's compile (front matter, Markdown, headings,
 * links, script references) under the default configuration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "markdown.h"
#include "page.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	struct page *p;
	size_t i;

	if (!ready) {
		md_init();
		ready = 1;
	}
	config_load(&cfg, NULL, &diags);
	p = page_new("content", "ops/fuzz.md");
	p->src = xstrndup((const char *)data, size);
	p->len = size;
	page_parse(p, &cfg);
	for (i = 0; i < p->diags.n; i++)
		if (p->diags.v[i].line < 1 || p->diags.v[i].col < 1)
			abort();
	for (i = 0; i < p->nheadings; i++)
		if (p->headings[i].pos.line < 1 || p->headings[i].id == NULL)
			abort();
	page_free(p);
	config_free(&cfg);
	diag_free(&diags);
	return 0;
}
