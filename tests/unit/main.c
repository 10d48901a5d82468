/* The unit test runner: runs every registered test, prints the totals. */
#include <stdio.h>
#include <string.h>

#include "t.h"

int t_failures;
static int passed, failed;

int
t_case(const char *name, int ok)
{
	if (ok)
		passed++;
	else {
		failed++;
		printf("FAIL %s\n", name);
	}
	return !ok;
}

#define TEST(name) void name(void);
#include "tests.def"
#undef TEST

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define TEST(name) { #name, name },
#include "tests.def"
#undef TEST
};

int
main(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		t_failures = 0;
		tests[i].fn();
		if (t_failures == 0) {
			passed++;
			printf("ok %s\n", tests[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", tests[i].name);
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
