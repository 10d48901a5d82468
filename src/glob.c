#include "glob.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* Splits s at '/' into a new vector of components (empty ones dropped). */
static void
split_path(const char *s, struct strv *out)
{
	const char *e;

	while (*s) {
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		if (e > s)
			strv_push_owned(out, xstrndup(s, (size_t)(e - s)));
		s = *e ? e + 1 : e;
	}
}

/*
 * Matches component lists with a table instead of backtracking:
 * ok[i][j] says whether glob components i.. match path components j..,
 * so a glob full of "**" costs (components)^2, never an exponential walk.
 */
static bool
match_components(const struct strv *g, const struct strv *p)
{
	size_t m = g->n, n = p->n, i, j, w = n + 1;
	bool *ok = xcalloc((m + 1) * w, sizeof(*ok)), hit;

	ok[m * w + n] = true;
	for (i = m; i-- > 0;) {
		bool any = strcmp(g->v[i], "**") == 0;

		for (j = n + 1; j-- > 0;) {
			if (any)
				ok[i * w + j] = ok[(i + 1) * w + j] ||
				    (j < n && ok[i * w + j + 1]);
			else
				ok[i * w + j] = j < n &&
				    fnmatch(g->v[i], p->v[j], 0) == 0 &&
				    ok[(i + 1) * w + j + 1];
		}
	}
	hit = ok[0];
	free(ok);
	return hit;
}

bool
glob_match(const char *glob, const char *path)
{
	struct strv g = STRV_INIT, p = STRV_INIT;
	const char *base;
	bool hit;

	if (strchr(glob, '/') == NULL) {
		base = strrchr(path, '/');
		return fnmatch(glob, base ? base + 1 : path, 0) == 0;
	}
	split_path(glob, &g);
	split_path(path, &p);
	hit = match_components(&g, &p);
	strv_free(&g);
	strv_free(&p);
	return hit;
}

bool
glob_match_any(const struct strv *globs, const char *path)
{
	size_t i;

	for (i = 0; i < globs->n; i++)
		if (glob_match(globs->v[i], path))
			return true;
	return false;
}
