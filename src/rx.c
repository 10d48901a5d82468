#define PCRE2_CODE_UNIT_WIDTH 8
#include "rx.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

struct rx {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *pattern;
	bool jit;
};

/*
 * RUNBOOKC_NO_JIT=1 matches with the interpreter: memcheck cannot follow
 * JIT-compiled code and reports its loads as uninitialised (make
 * valgrind sets it).  The limits apply the same way; only slower.
 */
static bool
rx_no_jit(void)
{
	const char *v = getenv("RUNBOOKC_NO_JIT");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

struct rx *
rx_compile(const char *pattern, bool caseless, char *err, size_t errlen,
    size_t *erroff)
{
	struct rx *rx;
	int ec;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;

	if (caseless)
		opts |= PCRE2_CASELESS;
	rx = xcalloc(1, sizeof(*rx));
	rx->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &ec, &off, NULL);
	if (rx->code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		snprintf(err, errlen, "%s", (char *)msg);
		if (erroff)
			*erroff = off;
		free(rx);
		return NULL;
	}
	rx->jit = !rx_no_jit() &&
	    pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0;
	rx->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(rx->mctx, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(rx->mctx, RX_DEPTH_LIMIT);
	rx->pattern = xstrdup(pattern);
	return rx;
}

void
rx_free(struct rx *rx)
{
	if (rx == NULL)
		return;
	pcre2_code_free(rx->code);
	pcre2_match_context_free(rx->mctx);
	free(rx->pattern);
	free(rx);
}

const char *
rx_pattern(const struct rx *rx)
{
	return rx->pattern;
}

enum rx_result
rx_search(const struct rx *rx, const char *subject, size_t len, size_t start,
    size_t *ov, size_t nov)
{
	pcre2_match_data *md;
	PCRE2_SIZE *v;
	uint32_t i, n;
	int rc;

	md = pcre2_match_data_create_from_pattern(rx->code, NULL);
	if (md == NULL)
		str_oom();
	rc = pcre2_match(rx->code, (PCRE2_SPTR)subject, len, start, 0, md,
	    rx->mctx);
	if (rc < 0) {
		pcre2_match_data_free(md);
		if (rc == PCRE2_ERROR_NOMATCH)
			return RX_NOMATCH;
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
			return RX_LIMIT;
		return RX_ERROR;
	}
	v = pcre2_get_ovector_pointer(md);
	n = pcre2_get_ovector_count(md);
	for (i = 0; i < nov / 2; i++) {
		if (i < n && v[2 * i] != PCRE2_UNSET) {
			ov[2 * i] = v[2 * i];
			ov[2 * i + 1] = v[2 * i + 1];
		} else {
			ov[2 * i] = ov[2 * i + 1] = (size_t)-1;
		}
	}
	pcre2_match_data_free(md);
	return RX_MATCH;
}

bool
rx_matches(const struct rx *rx, const char *s)
{
	size_t ov[2];

	return rx_search(rx, s, strlen(s), 0, ov, 2) == RX_MATCH;
}
