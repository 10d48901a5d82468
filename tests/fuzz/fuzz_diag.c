/*
 * libFuzzer target: the diagnostic writers.  The input is cut into file
 * names, rules and messages (arbitrary bytes); every format is written to
 * memory and the JSON ones must stay free of raw control characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
write_all(const struct diag_report *r)
{
	static const enum diag_format fmts[] = {
		DIAG_TEXT, DIAG_JSON, DIAG_SARIF, DIAG_JUNIT, DIAG_GITHUB,
	};
	size_t i, j;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *mem = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&mem, &len);

		diag_write(f, fmts[i], r);
		fclose(f);
		if (fmts[i] == DIAG_JSON || fmts[i] == DIAG_SARIF)
			for (j = 0; j < len; j++)
				if ((unsigned char)mem[j] < 0x20 &&
				    mem[j] != '\n')
					abort();
		free(mem);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list dl = DIAG_LIST_INIT;
	struct diag_report r;
	char *text = xstrndup((const char *)data, size);
	char *parts[3] = { "", "", "" }, *save = text;
	const char *files[1];
	int i;

	for (i = 0; i < 3 && save; i++) {
		parts[i] = save;
		save = memchr(save, '\n', size - (size_t)(save - text));
		if (save)
			*save++ = '\0';
	}
	diag_add(&dl, parts[0], 1 + (int)(size % 7), 1 + (int)(size % 5),
	    size % 2 ? DIAG_ERROR : DIAG_WARNING, parts[1], "%s", parts[2]);
	diag_add(&dl, parts[2], 3, 1, DIAG_WARNING, "link.broken", "%s",
	    parts[0]);
	diag_sort(&dl);
	memset(&r, 0, sizeof(r));
	r.diags = &dl;
	files[0] = parts[0];
	r.files = files;
	r.nfiles = 1;
	r.tool_version = "fuzz";
	write_all(&r);
	diag_free(&dl);
	free(text);
	return 0;
}
