/* libFuzzer target: site.yml loading (every section of the schema). */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"
#include "diag.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct diag_list diags = DIAG_LIST_INIT;
	struct config cfg;
	size_t i;

	config_load_text(&cfg, "site.yml", text, size, &diags);
	for (i = 0; i < diags.n; i++)
		if (diags.v[i].line < 1 || diags.v[i].col < 1)
			abort();
	config_free(&cfg);
	diag_free(&diags);
	free(text);
	return 0;
}
