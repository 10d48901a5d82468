/*
 * libFuzzer target: the Mustache engine.  The input is a template; it is
 * rendered against a fixed context and may name "p" as a partial, which is
 * the input again (recursion must stay bounded).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "str.h"
#include "template.h"
#include "value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const char *text;
	size_t len;
};

static const char *
loader(void *ud, const char *name, size_t *len)
{
	struct src *s = ud;

	if (strcmp(name, "p") != 0)
		return NULL;
	*len = s->len;
	return s->text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ctx_yaml[] =
	    "a: 1\nb: [x, y, {c: z}]\nd: {e: {f: g}}\nt: true\nn: ~\n"
	    "s: '<&\">'\nl: []\n";
	struct value *ctx;
	struct value_error verr;
	struct tpl_error err;
	struct buf out = BUF_INIT;
	struct src s;
	char *text = xstrndup((const char *)data, size);

	if (value_parse_yaml(ctx_yaml, sizeof(ctx_yaml) - 1, 0, &ctx,
	    &verr) < 0)
		abort();
	s.text = text;
	s.len = size;
	tpl_render_string(text, ctx, loader, &s, &out, &err);
	buf_free(&out);
	value_free(ctx);
	free(text);
	return 0;
}
