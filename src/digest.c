/*
 * digest: the hashes behind incremental rendering (see digest.h).  Every
 * string is mixed with its length and NULL differs from "", so that no two
 * different models share a digest by concatenation.
 */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "pool.h"
#include "site.h"
#include "str.h"
#include "value.h"

static unsigned long long
mix(unsigned long long h, const void *data, size_t len)
{
	return str_hash(data, len, h);
}

static unsigned long long
mix_u(unsigned long long h, unsigned long long v)
{
	return mix(h, &v, sizeof(v));
}

static unsigned long long
mix_s(unsigned long long h, const char *s)
{
	if (s == NULL)
		return mix_u(h, ~0ULL);
	return mix(mix_u(h, strlen(s)), s, strlen(s));
}

static unsigned long long
mix_pstrv(unsigned long long h, const struct pstrv *v)
{
	size_t i;

	h = mix_u(h, v->n);
	for (i = 0; i < v->n; i++)
		h = mix_s(h, v->v[i].s);
	return h;
}

/* A value tree by content: kinds, keys, scalars; not positions.  An
 * explicit stack keeps hostile nesting off the C stack (the tree's depth
 * is bounded by VALUE_MAX_DEPTH, the node count by VALUE_MAX_NODES). */
static unsigned long long
mix_value(unsigned long long h, const struct value *root)
{
	const struct value *stack[VALUE_MAX_DEPTH + 2];
	size_t next[VALUE_MAX_DEPTH + 2];
	size_t depth = 0;

	if (root == NULL)
		return mix_u(h, ~0ULL);
	stack[0] = root;
	next[0] = 0;
	h = mix_u(h, (unsigned long long)root->kind);
	h = mix_s(h, root->str);
	for (;;) {
		const struct value *v = stack[depth], *c;

		if (next[depth] == v->n || depth + 1 == VALUE_MAX_DEPTH + 2) {
			h = mix_u(h, v->n);
			if (depth == 0)
				return h;
			depth--;
			continue;
		}
		c = &v->items[next[depth]++];
		h = mix_u(h, (unsigned long long)c->kind << 1 | c->quoted);
		h = mix_s(h, c->key);
		h = mix_s(h, c->str);
		depth++;
		stack[depth] = c;
		next[depth] = 0;
	}
}

unsigned long long
digest_page_face(const struct page *p)
{
	unsigned long long h = STR_HASH_SEED;
	size_t i;

	h = mix_s(h, p->path);
	h = mix_s(h, p->out_path);
	h = mix_u(h, (unsigned long long)p->is_index << 2 |
	    (unsigned long long)p->has_front_matter << 1 | p->fm_invalid);
	h = mix_value(h, p->fm);
	h = mix_s(h, p->title.s);
	h = mix_u(h, p->title_from_heading);
	h = mix_s(h, p->kind.s);
	h = mix_s(h, p->severity.s);
	h = mix_s(h, p->owner.s);
	h = mix_pstrv(h, &p->alerts);
	h = mix_pstrv(h, &p->tags);
	h = mix_pstrv(h, &p->services);
	h = mix_pstrv(h, &p->scripts);
	h = mix_pstrv(h, &p->aliases);
	h = mix_s(h, p->last_reviewed.s);
	h = mix_u(h, (unsigned long long)(long long)p->review_every_days);
	h = mix_u(h, p->nheadings);
	for (i = 0; i < p->nheadings; i++) {
		const struct heading *hd = &p->headings[i];

		h = mix_u(h, (unsigned long long)hd->level << 1 |
		    hd->has_content);
		h = mix_s(h, hd->text);
		h = mix_s(h, hd->id);
	}
	h = mix_u(h, p->nlinks);
	for (i = 0; i < p->nlinks; i++) {
		h = mix_u(h, (unsigned long long)p->links[i].kind);
		h = mix_s(h, p->links[i].url);
		h = mix_s(h, p->links[i].text);
	}
	h = mix_pstrv(h, &p->script_refs);
	return mix_s(h, p->summary);
}

struct faces {
	const struct site *s;
	unsigned long long *v;
};

static void
face_one(void *ud, size_t i)
{
	struct faces *f = ud;

	f->v[i] = digest_page_face(f->s->pages[i]);
}

unsigned long long
digest_site_face(const struct site *s, int jobs)
{
	unsigned long long h = STR_HASH_SEED;
	struct faces f;
	size_t i;

	f.s = s;
	f.v = xcalloc(s->npages + 1, sizeof(*f.v));
	pool_run(s->npages, jobs, face_one, &f);
	h = mix_u(h, s->npages);
	for (i = 0; i < s->npages; i++)
		h = mix_u(h, f.v[i]);
	free(f.v);
	h = mix_u(h, s->assets.n);
	for (i = 0; i < s->assets.n; i++)
		h = mix_s(h, s->assets.v[i]);
	h = mix_u(h, s->folders.n);
	for (i = 0; i < s->folders.n; i++)
		h = mix_s(h, s->folders.v[i]);
	/* Whether each script was found is the file system's, not a
	 * page's (its output name says under which root; where that root
	 * is on disk is no output's business, so that a copy of the content
	 * elsewhere keys the same). */
	h = mix_u(h, s->nscripts);
	for (i = 0; i < s->nscripts; i++) {
		h = mix_s(h, s->scripts[i].id);
		h = mix_u(h, s->scripts[i].file != NULL);
	}
	return h;
}

unsigned long long
digest_site_key(unsigned long long global, unsigned long long face)
{
	unsigned long long k[2] = { global, face };

	return str_hash(k, sizeof(k), STR_HASH_SEED) | 1;
}

unsigned long long
digest_page_key(const struct page *p, unsigned long long site_key)
{
	unsigned long long h = mix_u(site_key, p->hash);

	return mix_u(mix_s(h, p->out_path), p->len);
}

unsigned long long
digest_check_key(const struct site *s, size_t i, unsigned long long site_key,
    const bool *exec)
{
	const struct page *p = s->pages[i];
	size_t k, n = p->scripts.n + p->script_refs.n;
	unsigned long long h = mix_u(mix_u(site_key, p->hash), p->len);

	for (k = 0; k < n; k++) {
		const struct script_use *u = &s->script_uses[i][k];

		h = mix_u(h, (unsigned long long)u->outside);
		h = mix_s(h, u->sc ? u->sc->file : NULL);
		h = mix_u(h, u->sc && exec ? exec[u->sc - s->scripts] : 2);
	}
	return h | 1;	/* 0 is no key */
}
