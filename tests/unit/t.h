/*
 * t.h: the unit tests' few macros.  Each test file defines functions
 * registered in tests/unit/main.c; a failing CHECK prints where and goes
 * on, so one run shows every failure.  The runner prints one line per test
 * ("ok NAME" / "FAIL NAME") and the totals.
 */
#ifndef RUNBOOKC_T_H
#define RUNBOOKC_T_H

#include <stdio.h>
#include <string.h>

extern int t_failures;	/* checks failed in the current test */

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, \
		    __LINE__, #cond); \
		t_failures++; \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ == NULL || strcmp(g_, w_) != 0) { \
		fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, g_ ? g_ : "(null)", w_); \
		t_failures++; \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long g_ = (long)(got), w_ = (long)(want); \
	if (g_ != w_) { \
		fprintf(stderr, "  %s:%d: %s is %ld, want %ld\n", __FILE__, \
		    __LINE__, #got, g_, w_); \
		t_failures++; \
	} \
} while (0)

/* Called by tests that produce many cases (the Mustache spec): one
 * counted result per case.  Returns nonzero when it failed. */
int t_case(const char *name, int ok);

#endif
