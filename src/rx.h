/*
 * rx: every pattern runbookc uses goes through PCRE2 here: compiled once
 * (JIT when the library has it), UTF mode, with match and depth limits so
 * that a pathological user pattern ends in an error, not a hang.
 */
#ifndef RUNBOOKC_RX_H
#define RUNBOOKC_RX_H

#include <stdbool.h>
#include <stddef.h>

struct rx;

#define RX_MATCH_LIMIT 1000000u
#define RX_DEPTH_LIMIT 10000u

/* Compiles pattern; on failure returns NULL and writes the reason and the
 * offending offset (0-based) into err / *erroff. */
struct rx *rx_compile(const char *pattern, bool caseless, char *err,
    size_t errlen, size_t *erroff);
void rx_free(struct rx *rx);
const char *rx_pattern(const struct rx *rx);

enum rx_result {
	RX_NOMATCH = 0,
	RX_MATCH = 1,
	RX_LIMIT = -1,		/* match or depth limit hit */
	RX_ERROR = -2,
};

/*
 * Finds the first match in subject[start..len).  On RX_MATCH, ov[0], ov[1]
 * are the match offsets and ov[2k], ov[2k+1] those of group k (up to
 * nov/2 - 1 groups; unset groups are (size_t)-1).  Thread-safe: each call
 * uses its own match data.
 */
enum rx_result rx_search(const struct rx *rx, const char *subject, size_t len,
    size_t start, size_t *ov, size_t nov);
bool rx_matches(const struct rx *rx, const char *s);

#endif
