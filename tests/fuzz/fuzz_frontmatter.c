/* libFuzzer target: front matter split and YAML parse with positions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "str.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct fm_split sp;
	struct value *v;
	struct value_error err;

	fm_split(text, size, &sp);
	if (sp.body_off > size || sp.yaml_off + sp.yaml_len > size)
		abort();
	if (value_parse_yaml(text + sp.yaml_off, sp.yaml_len, 1, &v,
	    &err) == 0)
		value_free(v);
	else if (err.line < 1 || err.col < 1)
		abort();
	free(text);
	return 0;
}
