#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "fsutil.h"
#include "hmap.h"
#include "page.h"
#include "rx.h"

static const char *const extensions[] = {
	"table", "strikethrough", "autolink", "tasklist", "tagfilter",
};

void
md_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

int
md_url_is_external(const char *url)
{
	const char *s = url;

	if (url[0] == '/' && url[1] == '/')
		return 1;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.')
		s++;
	return *s == ':';
}

/* Plain text of an inline subtree (text, code; breaks as spaces). */
static void
plain_text(cmark_node *node, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(out, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(out, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

struct walk {
	struct page *p;
	const struct config *cfg;
	struct hmap ids;	/* heading ids used so far */
	struct buf *text;	/* the page's plain text goes here */
	size_t hcap, lcap, ccap;
	int line_base;		/* body line 1 is this file line */
	size_t *body_lines;	/* byte offset in p->src of each body line */
	size_t nbody_lines;
};

/* Indexes where each body line starts, to turn bytes into columns. */
static void
index_body_lines(struct walk *w)
{
	const struct page *p = w->p;
	size_t i, cap = 0;

	w->body_lines = xgrow(NULL, &cap, 0, sizeof(*w->body_lines));
	w->body_lines[w->nbody_lines++] = p->body_off;
	for (i = p->body_off; i < p->len; i++)
		if (p->src[i] == '\n') {
			w->body_lines = xgrow(w->body_lines, &cap,
			    w->nbody_lines, sizeof(*w->body_lines));
			w->body_lines[w->nbody_lines++] = i + 1;
		}
}

/*
 * cmark counts columns in bytes; diagnostics count characters (as
 * utf8_column does everywhere else), so "Ação [x](y)" puts the link at
 * column 6, not 8.
 */
static struct pos
pos_at(struct walk *w, int bline, int bcol)
{
	struct pos pos;

	pos.line = bline + w->line_base - 1;
	pos.col = bcol;
	if (bline >= 1 && (size_t)bline <= w->nbody_lines && bcol > 1) {
		size_t off = w->body_lines[bline - 1], k;

		for (k = 0; k < (size_t)bcol - 1 && off + k < w->p->len &&
		    w->p->src[off + k] != '\n'; k++)
			;
		pos.col = utf8_column(w->p->src + off, k);
	}
	if (pos.col < 1)
		pos.col = 1;
	if (pos.line < 1)
		pos.line = 1;
	return pos;
}

static struct pos
node_pos(struct walk *w, cmark_node *n)
{
	return pos_at(w, cmark_node_get_start_line(n),
	    cmark_node_get_start_column(n));
}

/*
 * cmark gives a link that spans lines the line of its closing bracket
 * (with the opening bracket's column); the first text inside it knows
 * the line it really starts on.
 */
static struct pos
link_pos(struct walk *w, cmark_node *n)
{
	int line = cmark_node_get_start_line(n);
	cmark_node *c = cmark_node_first_child(n);

	while (c && cmark_node_first_child(c))
		c = cmark_node_first_child(c);
	if (c && cmark_node_get_start_line(c) > 0 &&
	    cmark_node_get_start_line(c) < line)
		line = cmark_node_get_start_line(c);
	return pos_at(w, line, cmark_node_get_start_column(n));
}

static char *
unique_id(struct walk *w, const char *text)
{
	struct buf b = BUF_INIT;
	size_t base, k;

	str_slug(&b, text, strlen(text));
	base = b.len;
	for (k = 1; hmap_get(&w->ids, buf_cstr(&b)) != NULL; k++) {
		buf_truncate(&b, base);
		buf_printf(&b, "-%zu", k);
	}
	return buf_detach(&b);
}

static void
add_heading(struct walk *w, cmark_node *n)
{
	struct page *p = w->p;
	struct heading *h;
	struct buf text = BUF_INIT, anchor = BUF_INIT;
	cmark_node *a;

	plain_text(n, &text);
	p->headings = xgrow(p->headings, &w->hcap, p->nheadings,
	    sizeof(*p->headings));
	h = &p->headings[p->nheadings++];
	memset(h, 0, sizeof(*h));
	h->level = cmark_node_get_heading_level(n);
	h->text = buf_detach(&text);
	h->id = unique_id(w, h->text);
	h->pos = node_pos(w, n);
	/* Keys point into the headings' own strings: the array may move,
	 * but the strings do not. */
	hmap_put(&w->ids, h->id, h);

	/* The anchor is raw HTML the renderer emits as is, even in safe
	 * mode; the id is a slug, so it needs no escaping beyond HTML's. */
	buf_puts(&anchor, "<a class=\"anchor\" id=\"");
	buf_puts_html(&anchor, h->id);
	buf_puts(&anchor, "\" href=\"#");
	buf_put_url_path(&anchor, h->id, strlen(h->id));
	buf_puts(&anchor, "\" aria-hidden=\"true\" tabindex=\"-1\"></a>");
	/* From the arena, like the rest of the tree. */
	a = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_INLINE,
	    arena_cmark_mem());
	cmark_node_set_on_enter(a, buf_cstr(&anchor));
	cmark_node_prepend_child(n, a);
	buf_free(&anchor);
	if (p->title.s == NULL && h->level == 1) {
		p->title.s = xstrdup(h->text);
		p->title.pos = h->pos;
		p->title_from_heading = true;
	}
}

/* Every open heading (level <= 6) whose section this block falls in. */
static void
mark_content(struct page *p)
{
	size_t i;
	int level = 7;

	/* Walk back: the last heading gets content, and so does each
	 * earlier heading of a lower level (its parent sections). */
	for (i = p->nheadings; i-- > 0;) {
		if (p->headings[i].level < level) {
			p->headings[i].has_content = true;
			level = p->headings[i].level;
		}
	}
}

static void
find_scripts(struct walk *w, const char *text, struct pos start,
    bool multiline)
{
	const struct config *cfg = w->cfg;
	size_t i, len = strlen(text);

	for (i = 0; i < cfg->nscript_patterns; i++) {
		size_t off = 0, ov[4];

		while (off <= len && rx_search(cfg->script_patterns[i], text,
		    len, off, ov, 4) == RX_MATCH) {
			size_t b = ov[2] != (size_t)-1 ? ov[2] : ov[0];
			size_t e = ov[2] != (size_t)-1 ? ov[3] : ov[1];
			struct pos pos = start;
			size_t ls = 0, k;

			if (multiline) {
				for (k = 0; k < b; k++)
					if (text[k] == '\n') {
						pos.line++;
						ls = k + 1;
					}
				pos.col = start.col + utf8_column(text + ls,
				    b - ls) - 1;
			} else {
				pos.col = start.col + utf8_column(text, b) - 1;
			}
			{
				char *path = xstrndup(text + b, e - b);

				pstrv_push(&w->p->script_refs, path, pos);
				free(path);
			}
			off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
		}
	}
}

static void
add_code(struct walk *w, cmark_node *n, enum code_kind kind)
{
	struct page *p = w->p;
	struct code *c;
	const char *lit = cmark_node_get_literal(n);
	const char *info;
	struct pos pos = node_pos(w, n);
	int fenced_len = 0, fence_off = 0;
	char fence_char = 0;

	p->code = xgrow(p->code, &w->ccap, p->ncode, sizeof(*p->code));
	c = &p->code[p->ncode++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->text = xstrdup(lit ? lit : "");
	if (kind == CODE_BLOCK) {
		if (cmark_node_get_fenced(n, &fenced_len, &fence_off,
		    &fence_char))
			pos.line++;	/* the code starts below the fence */
		info = cmark_node_get_fence_info(n);
		if (info && *info) {
			size_t k = strcspn(info, " \t{");

			c->lang = xstrndup(info, k);
		}
	}
	/* Inline code: cmark's start column is already the first character
	 * after the opening backticks. */
	c->pos = pos;
	find_scripts(w, c->text, pos, kind == CODE_BLOCK);
	buf_puts(w->text, c->text);
	buf_putc(w->text, '\n');
}

/*
 * A relative link to a Markdown page becomes a link to its HTML page;
 * a site-absolute one ("/ops/x.md") becomes relative, so the site works
 * from any folder and from file://.
 */
static void
rewrite_url(struct walk *w, cmark_node *n, const char *url)
{
	const char *hash = strchr(url, '#');
	size_t plen = hash ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', plen);
	struct buf b = BUF_INIT;
	char *path;

	if (q)
		plen = (size_t)(q - url);
	if (plen == 0 || md_url_is_external(url))
		return;
	path = xstrndup(url, plen);
	if (path[0] == '/') {
		char *prefix = path_root_prefix(w->p->path);

		buf_puts(&b, prefix);
		free(prefix);
		buf_puts(&b, path + 1);
	} else
		buf_puts(&b, path);
	if (strcmp(path_base(buf_cstr(&b)), "_index.md") == 0) {
		/* A folder's _index.md is published as its index.html. */
		buf_truncate(&b, b.len - strlen("_index.md"));
		buf_puts(&b, "index.html");
	} else if (str_ends(buf_cstr(&b), ".html.md")) {
		buf_truncate(&b, b.len - 3);	/* Middleman's x.html.md */
	} else if (str_ends(buf_cstr(&b), ".md")) {
		buf_truncate(&b, b.len - 3);
		buf_puts(&b, ".html");
	} else if (path[plen - 1] == '/') {
		buf_puts(&b, "index.html");
	}
	buf_puts(&b, url + plen);
	if (strcmp(buf_cstr(&b), url) != 0)
		cmark_node_set_url(n, buf_cstr(&b));
	buf_free(&b);
	free(path);
}

/*
 * What cmark's safe mode drops: script and file URLs, and data: URLs
 * other than images (and those only in images).
 */
static bool
url_is_dangerous(const char *url, enum link_kind kind)
{
	static const char *const images[] = {
		"data:image/png", "data:image/gif", "data:image/jpeg",
		"data:image/webp",
	};
	size_t i;

	while (*url == ' ' || *url == '\t')
		url++;
	if (str_casecmp_prefix(url, "javascript:") ||
	    str_casecmp_prefix(url, "vbscript:") ||
	    str_casecmp_prefix(url, "file:"))
		return true;
	if (!str_casecmp_prefix(url, "data:"))
		return false;
	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++)
		if (kind == LINK_IMAGE && str_casecmp_prefix(url, images[i]))
			return false;
	return true;
}

static void
add_link(struct walk *w, cmark_node *n, enum link_kind kind)
{
	struct page *p = w->p;
	struct link *l;
	const char *url = cmark_node_get_url(n);
	struct buf text = BUF_INIT;

	if (url == NULL || *url == '\0')
		return;
	plain_text(n, &text);
	p->links = xgrow(p->links, &w->lcap, p->nlinks, sizeof(*p->links));
	l = &p->links[p->nlinks++];
	l->kind = kind;
	l->url = xstrdup(url);
	l->text = buf_detach(&text);
	l->pos = link_pos(w, n);
	if (!md_url_is_external(url))
		find_scripts(w, url, l->pos, false);
	if (w->cfg->allow_html && url_is_dangerous(url, kind)) {
		/* With raw HTML on, cmark no longer filters URLs itself. */
		cmark_node_set_url(n, "");
		return;
	}
	rewrite_url(w, n, url);
}

/*
 * Table cells and rows (extension nodes, known only by name) end with a
 * separator, so the plain text of "| 500 ms | alerta |" does not run the
 * cells together into one word.
 */
static void
end_extension_node(struct walk *w, cmark_node *n)
{
	const char *name = cmark_node_get_type_string(n);

	if (strcmp(name, "table_cell") == 0)
		buf_putc(w->text, ' ');
	else if (strcmp(name, "table_row") == 0)
		buf_putc(w->text, '\n');
}

static void
walk_tree(struct walk *w, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	bool in_heading = false;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (ev == CMARK_EVENT_EXIT) {
			if (t == CMARK_NODE_HEADING)
				in_heading = false;
			if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
			    t == CMARK_NODE_ITEM)
				buf_putc(w->text, '\n');
			else if (t > CMARK_NODE_FOOTNOTE_DEFINITION &&
			    t < CMARK_NODE_TYPE_INLINE)
				end_extension_node(w, n);	/* a table's */
			continue;
		}
		if (cmark_node_parent(n) == doc && t != CMARK_NODE_HEADING &&
		    t != CMARK_NODE_HTML_BLOCK)
			mark_content(w->p);
		switch (t) {
		case CMARK_NODE_HEADING:
			add_heading(w, n);
			in_heading = true;
			/* The anchor was prepended; step over it. */
			break;
		case CMARK_NODE_CODE_BLOCK:
			add_code(w, n, CODE_BLOCK);
			break;
		case CMARK_NODE_CODE:
			add_code(w, n, CODE_INLINE);
			break;
		case CMARK_NODE_LINK:
			add_link(w, n, LINK_LINK);
			break;
		case CMARK_NODE_IMAGE:
			add_link(w, n, LINK_IMAGE);
			break;
		case CMARK_NODE_TEXT:
			buf_puts(w->text, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(w->text, ' ');
			break;
		default:
			break;
		}
		(void)in_heading;
	}
	cmark_iter_free(it);
}

/* The first paragraph's plain text, for listings and search snippets. */
static char *
first_paragraph(cmark_node *doc)
{
	cmark_node *n;
	struct buf b = BUF_INIT;

	for (n = cmark_node_first_child(doc); n; n = cmark_node_next(n))
		if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
			plain_text(n, &b);
			break;
		}
	if (b.len > 300) {
		size_t cut = 300;

		while (cut > 0 && ((unsigned char)b.data[cut] & 0xc0) == 0x80)
			cut--;
		buf_truncate(&b, cut);
		buf_puts(&b, "…");
	}
	return buf_detach(&b);
}

void
md_compile(struct page *p, const struct config *cfg, struct buf *text)
{
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_GITHUB_PRE_LANG |
	    CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
	cmark_parser *parser;
	cmark_node *doc;
	struct walk w;
	struct buf scratch = BUF_INIT;
	size_t i;
	char *html;

	if (cfg->allow_html)
		opts |= CMARK_OPT_UNSAFE;
	/* SOURCEPOS for the parser only: without it cmark does not count
	 * the line breaks inside inlines, and every inline after a
	 * multi-line code span or link is placed on the wrong line. */
	parser = cmark_parser_new_with_mem(opts | CMARK_OPT_SOURCEPOS,
	    arena_cmark_mem());
	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		cmark_syntax_extension *e =
		    cmark_find_syntax_extension(extensions[i]);

		/* tagfilter only matters when raw HTML passes through. */
		if (e)
			cmark_parser_attach_syntax_extension(parser, e);
	}
	cmark_parser_feed(parser, p->src + p->body_off, p->len - p->body_off);
	doc = cmark_parser_finish(parser);

	memset(&w, 0, sizeof(w));
	w.p = p;
	w.cfg = cfg;
	w.line_base = p->body_line;
	w.text = text ? text : &scratch;
	index_body_lines(&w);
	walk_tree(&w, doc);
	p->summary = first_paragraph(doc);

	if (text) {
		html = cmark_render_html(doc, opts,
		    cmark_parser_get_syntax_extensions(parser));
		p->html = xstrdup(html);
	}
	buf_free(&scratch);
	hmap_free(&w.ids);
	free(w.body_lines);
	/* The tree, the parser and the HTML live in this thread's arena:
	 * dropping it frees them all at once. */
	arena_reset();
}
