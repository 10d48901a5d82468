/*
 * Unit tests of the render side: search tokens, shard keys and posting
 * encoding (which assets/search.js must read back), file names made from
 * user strings, the CSS colour filter, the print book's link rewriting,
 * and the big-file sink (pieces in order from the pool, staged writes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "book.h"
#include "buf.h"
#include "rctx.h"
#include "search.h"
#include "searchcache.h"
#include "sink.h"
#include "str.h"
#include "t.h"

void test_search_tokens(void);
void test_search_encoding(void);
void test_search_cache(void);
void test_render_names(void);
void test_render_colors(void);
void test_book_rewrite(void);
void test_sink(void);

static void
join_token(void *ud, const char *tok, size_t n)
{
	struct buf *b = ud;

	if (b->len)
		buf_putc(b, '|');
	buf_put(b, tok, n);
}

static void
tokens_are(const char *text, const char *want)
{
	struct buf b = BUF_INIT;

	search_tokens(text, strlen(text), join_token, &b);
	CHECK_STR(buf_cstr(&b), want);
	buf_free(&b);
}

void
test_search_tokens(void)
{
	tokens_are("Diagnóstico RÁPIDO (10 min)", "diagnostico|rapido|10|min");
	tokens_are("a b cd", "cd");	/* shorter than SEARCH_MIN_TERM */
	tokens_are("Straße e\xcc\x81x", "strasse|ex");	/* ß, combining */
	tokens_are("db:replica.lag — ok…", "db|replica|lag|ok");
	tokens_are("snake_case kebab-case", "snake_case|kebab|case");
	tokens_are("ΑΒΓ Привет", "αβγ|привет");
	/* Cut at SEARCH_MAX_TERM bytes, never inside a character. */
	tokens_are("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaae");
	tokens_are("", "");
}

static void
key_is(const char *tok, const char *want)
{
	struct buf b = BUF_INIT;

	search_shard_key(tok, strlen(tok), 2, &b);
	CHECK_STR(buf_cstr(&b), want);
	buf_free(&b);
}

static void
varint_is(unsigned long v, const char *want)
{
	struct buf b = BUF_INIT;

	search_put_varint(&b, v);
	CHECK_STR(buf_cstr(&b), want);
	buf_free(&b);
}

void
test_search_encoding(void)
{
	key_is("latencia", "la");
	key_is("9x", "9x");
	key_is("_id", "_5f_i");
	key_is("привет", "_43f__440_");
	varint_is(0, "0");
	varint_is(31, "v");
	varint_is(32, "x0");	/* marked high group, then the low one */
	varint_is(1000, "_8");
	varint_is(32768, "xww0");
}

/* The cache's pairs read back as written, and a cache is read back only
 * under its own key and while its bytes are intact. */
void
test_search_cache(void)
{
	static const uint32_t ids[] = { 0, 1, 127, 128, 16383, 16384, 70000 };
	struct search_cache_writer w;
	struct search_cache *c;
	struct search_list l;
	struct buf b = BUF_INIT;
	const unsigned char *p;
	char dir[] = "/tmp/runbookc-unit-XXXXXX", *path;
	size_t i, n;
	uint32_t t;
	uint8_t wt;

	for (i = 0; i < sizeof(ids) / sizeof(*ids); i++)
		search_pair_put(&b, ids[i], (uint8_t)(i + 1));
	for (p = (const unsigned char *)b.data, i = 0;
	    i < sizeof(ids) / sizeof(*ids); i++) {
		search_pair_next(&p, &t, &wt);
		CHECK(t == ids[i] && wt == i + 1);
	}
	CHECK(p == (const unsigned char *)b.data + b.len);
	buf_truncate(&b, 0);

	CHECK(mkdtemp(dir) != NULL);
	search_cache_begin(&w, 42);
	search_cache_add_term(&w, "latencia", 8);
	search_cache_add_term(&w, "kafka", 5);
	search_pair_put(&b, 1, 9);
	search_pair_put(&b, 0, 17);
	l.data = (const unsigned char *)b.data;
	l.len = b.len;
	l.n = 2;
	search_cache_add_page(&w, "api/x.md", 7, 100, &l);
	CHECK(search_cache_finish(&w, dir) == 0);
	CHECK(search_cache_open(dir, 43) == NULL);
	c = search_cache_open(dir, 42);
	CHECK(c != NULL);
	if (c) {
		CHECK(search_cache_nterms(c) == 2);
		CHECK(strncmp(search_cache_term(c, 1, &n), "kafka", 5) == 0 &&
		    n == 5);
		CHECK(!search_cache_page(c, "api/x.md", 8, 100, &l));
		CHECK(!search_cache_page(c, "api/y.md", 7, 100, &l));
		CHECK(search_cache_page(c, "api/x.md", 7, 100, &l) &&
		    l.n == 2 && l.len == b.len &&
		    memcmp(l.data, b.data, b.len) == 0);
		search_cache_close(c);
	}
	/* One byte flipped: no cache. */
	path = xasprintf("%s/%s", dir, SEARCH_CACHE_FILE);
	{
		FILE *f = fopen(path, "r+b");

		CHECK(f != NULL);
		if (f) {
			fseek(f, 50, SEEK_SET);
			fputc('#', f);
			fclose(f);
		}
	}
	CHECK(search_cache_open(dir, 42) == NULL);
	unlink(path);
	rmdir(dir);
	free(path);
	buf_free(&b);
}

void
test_render_names(void)
{
	char *s;

	s = rctx_file_name("KafkaLag");
	CHECK_STR(s, "KafkaLag");
	free(s);
	s = rctx_file_name("db:replica.lag");
	CHECK_STR(s, "db:replica.lag");
	free(s);
	s = rctx_file_name("../x/y z~");
	CHECK_STR(s, "~2E.~2Fx~2Fy~20z~7E");
	free(s);
	s = rctx_file_name("");
	CHECK_STR(s, "~");
	free(s);
	s = rctx_file_name("serviço");
	CHECK_STR(s, "serviço");
	free(s);
	s = rctx_facet_out("tags", "a/b");
	CHECK_STR(s, "tags/a~2Fb.html");
	free(s);
	{
		char name[400];

		memset(name, 'x', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		s = rctx_file_name(name);
		CHECK(strlen(s) <= RCTX_MAX_NAME);
		CHECK(strchr(s, '~') != NULL);
		free(s);
	}
	s = rctx_url("a/b.html", "alerts/db:x.html");
	CHECK_STR(s, "../alerts/db%3Ax.html");
	free(s);
	s = rctx_url("index.html", "db:x.html");
	CHECK_STR(s, "db%3Ax.html");
	free(s);
}

void
test_render_colors(void)
{
	const char *ink;

	CHECK_STR(rctx_css_color("#b42318", &ink), "#b42318");
	CHECK_STR(ink, "#fff");
	CHECK_STR(rctx_css_color("#ffe066", &ink), "#ffe066");
	CHECK_STR(ink, "#111");
	CHECK_STR(rctx_css_color("rgb(10, 20, 30)", &ink), "rgb(10, 20, 30)");
	CHECK_STR(rctx_css_color("teal", &ink), "teal");
	CHECK(rctx_css_color("red; background:url(http://x)", &ink) == NULL);
	CHECK(rctx_css_color("rgb(1,2,3);x", &ink) == NULL);
	CHECK(rctx_css_color("#12345", &ink) == NULL);
	CHECK(rctx_css_color("\"><script>", &ink) == NULL);
	CHECK(rctx_css_color(NULL, &ink) == NULL);
}

static const char *
chapter_of(void *ud, const char *out)
{
	(void)ud;
	if (strcmp(out, "db/lag.html") == 0)
		return "ch-2";
	if (strcmp(out, "ops/ä b.html") == 0)
		return "ch-3";
	return NULL;
}

void
test_book_rewrite(void)
{
	struct buf b = BUF_INIT;

	book_rewrite(&b, "<h2><a class=\"anchor\" id=\"x\" href=\"#x\"></a>X</h2>"
	    "<p><a href=\"lag.html#diagn%C3%B3stico\">l</a> "
	    "<a href=\"../ops/%C3%A4%20b.html\">o</a> "
	    "<img src=\"img/a.png\" alt=\"a\" /> "
	    "<a href=\"https://example.org/?a=1&amp;b=2\">e</a> "
	    "<a href=\"../../out.html\">u</a></p>", "db/lag.html", "ch-2",
	    chapter_of, NULL);
	CHECK_STR(buf_cstr(&b),
	    "<h2><a class=\"anchor\" id=\"ch-2-x\" href=\"#ch-2-x\"></a>X</h2>"
	    "<p><a href=\"#ch-2-diagn%C3%B3stico\">l</a> "
	    "<a href=\"#ch-3\">o</a> "
	    "<img src=\"db/img/a.png\" alt=\"a\" /> "
	    "<a href=\"https://example.org/?a=1&amp;b=2\">e</a> "
	    "<a href=\"../../out.html\">u</a></p>");
	buf_truncate(&b, 0);
	/* Only id, href and src after a space; an unclosed value ends it. */
	book_rewrite(&b, "<a data-href=\"#x\" hreflang=\"x\" href=\"\">"
	    "<b id=\"\"></b><i class=\"a\"  src=\"lag.html\" id=\"&#x27;",
	    "db/lag.html", "ch-2", chapter_of, NULL);
	CHECK_STR(buf_cstr(&b), "<a data-href=\"#x\" hreflang=\"x\" href=\"\">"
	    "<b id=\"ch-2-\"></b><i class=\"a\"  src=\"#ch-2\" id=\"&#x27;");
	buf_free(&b);
}

/* Piece i: its number, and i % 7 dots, so pieces differ in size. */
static void
numbered_piece(void *ud, size_t i, struct buf *out)
{
	(void)ud;
	buf_printf(out, "%zu%.*s,", i, (int)(i % 7), "......");
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

/* Writes text through a file sink at path; returns the file's inode. */
static ino_t
sink_text(const char *path, const char *text)
{
	struct sink k;
	struct stat st;
	size_t half = strlen(text) / 2;

	sink_open(&k, path);
	sink_put(&k, text, half);
	sink_puts(&k, text + half);
	CHECK_INT(sink_close(&k), 0);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* The same for len bytes, put as pieces of 7,000 bytes but for one of
 * 1.5 MB (more than the sink writes at a time); true when path then
 * holds them.  *ino gets the file's inode. */
static bool
sink_bytes(const char *path, const char *data, size_t len, ino_t *ino)
{
	struct sink k;
	struct stat st;
	size_t at = 0, n;
	char *back;
	bool same;

	sink_open(&k, path);
	while (at < len) {
		n = at == 21000 ? 1500000 : 7000;
		if (n > len - at)
			n = len - at;
		sink_put(&k, data + at, n);
		at += n;
	}
	CHECK_INT(sink_close(&k), 0);
	*ino = stat(path, &st) == 0 ? st.st_ino : 0;
	if ((back = read_all(path)) == NULL)
		return false;
	same = (size_t)st.st_size == len && memcmp(back, data, len) == 0;
	free(back);
	return same;
}

/* Puts a, then b bytes of the file being replaced from at, then c; the
 * file's inode after. */
static ino_t
sink_with_copy(const char *path, const char *a, size_t at, size_t n,
    const char *c)
{
	struct sink k;
	struct stat st;

	sink_open(&k, path);
	CHECK(sink_old_fd(&k) >= 0);
	sink_puts(&k, a);
	sink_copy_old(&k, at, n);
	sink_puts(&k, c);
	CHECK_INT(sink_close(&k), 0);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Bytes of the old file named by place: where they already are they are
 * stepped over (the file left alone, over a megabyte of them too); after
 * a change, or from elsewhere in the file, they are copied. */
static void
test_sink_copy(const char *dir)
{
	char *path = xasprintf("%s/book.html", dir), *text;
	size_t len = (2UL << 20) + 3, i;
	char *big = xmalloc(len + 1);
	ino_t ino;

	for (i = 0; i < len; i++)
		big[i] = (char)('a' + i % 23);
	big[len] = '\0';
	ino = sink_text(path, "head:0123456789:tail");
	CHECK(sink_with_copy(path, "head:", 5, 10, ":tail") == ino);
	CHECK(sink_with_copy(path, "HEAD:", 5, 10, ":tail") != ino);
	CHECK_STR(text = read_all(path), "HEAD:0123456789:tail");
	free(text);
	sink_with_copy(path, "", 5, 4, "|");
	CHECK_STR(text = read_all(path), "0123|");
	free(text);
	ino = sink_text(path, big);
	CHECK(sink_with_copy(path, "abc", 3, len - 4, big + len - 1) == ino);
	sink_with_copy(path, "", 1, len - 1, "!");
	text = read_all(path);
	CHECK(text && strlen(text) == len && memcmp(text, big + 1, len - 1) == 0
	    && text[len - 1] == '!');
	free(text);
	unlink(path);
	free(path);
	free(big);
}

/* A file of megabytes: the same bytes leave it alone; a change, in the
 * first megabyte or past it, a shorter or a longer file replace it. */
static void
test_sink_big(const char *dir)
{
	char *path = xasprintf("%s/print.html", dir);
	size_t len = (3UL << 20) + 17, i;
	char *data = xmalloc(len + 5000);
	ino_t ino, again;

	for (i = 0; i < len + 5000; i++)
		data[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	CHECK(sink_bytes(path, data, len, &ino));
	CHECK(sink_bytes(path, data, len, &again) && again == ino);
	data[(5UL << 19) + 3] = '#';	/* at 2.5 MB */
	CHECK(sink_bytes(path, data, len, &again) && again != ino);
	data[100] = '#';
	CHECK(sink_bytes(path, data, len, &ino));
	CHECK(sink_bytes(path, data, len - 9000, &again) && again != ino);
	CHECK(sink_bytes(path, data, len + 5000, &ino) && again != ino);
	CHECK(sink_bytes(path, data, len + 5000, &again) && again == ino);
	unlink(path);
	free(path);
	free(data);
}

void
test_sink(void)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	struct sink k;
	char dir[] = "/tmp/runbookc-unit-XXXXXX", *path, *text;
	size_t i, n = 5000;
	ino_t ino;

	/* Pieces land in order whatever the threads and windows. */
	for (i = 0; i < n; i++)
		numbered_piece(NULL, i, &want);
	sink_open_buf(&k, &got);
	sink_puts(&k, "[");
	sink_put_pieces(&k, n, 2, numbered_piece, NULL);
	sink_put_pieces(&k, 0, 2, numbered_piece, NULL);
	sink_puts(&k, "]");
	CHECK_INT(sink_close(&k), 0);
	CHECK_INT(got.len, want.len + 2);
	CHECK(got.len == want.len + 2 &&
	    memcmp(got.data + 1, want.data, want.len) == 0);

	/* A file: written new; left alone (same inode) when the bytes are
	 * the same; replaced when they differ, are shorter or longer. */
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	path = xasprintf("%s/big.json", dir);
	ino = sink_text(path, "abcdef");
	CHECK(sink_text(path, "abcdef") == ino);
	sink_text(path, "abcxyz");
	CHECK_STR(text = read_all(path), "abcxyz");
	free(text);
	sink_text(path, "abc");
	CHECK_STR(text = read_all(path), "abc");
	free(text);
	sink_text(path, "abcdefgh");
	CHECK_STR(text = read_all(path), "abcdefgh");
	free(text);
	unlink(path);
	test_sink_big(dir);
	test_sink_copy(dir);
	rmdir(dir);
	free(path);
	buf_free(&want);
	buf_free(&got);
}
