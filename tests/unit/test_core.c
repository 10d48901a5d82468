/* Unit tests of the foundation modules: buf, str, value, fsutil, dates. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "frontmatter.h"
#include "fsutil.h"
#include "inputs.h"
#include "page.h"
#include "pcache.h"
#include "pool.h"
#include "stamp.h"
#include "str.h"
#include "t.h"
#include "value.h"

void test_buf(void);
void test_slug(void);
void test_fold(void);
void test_utf8(void);
void test_yaml_positions(void);
void test_yaml_limits(void);
void test_fm_split(void);
void test_paths(void);
void test_dates(void);
void test_map_release(void);
void test_map_read(void);
void test_hash(void);
void test_alloc(void);
void test_pool(void);
void test_stamp_read(void);
void test_stamp_roundtrip(void);
void test_fs_read(void);
void test_inputs_defer(void);
void test_fingerprint_await(void);
void test_pcache_writer(void);

void
test_buf(void)
{
	struct buf b = BUF_INIT;
	char *s;

	CHECK_STR(buf_cstr(&b), "");
	buf_puts(&b, "a");
	buf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "a42-x");
	CHECK_INT(b.len, 5);
	buf_truncate(&b, 1);
	CHECK_STR(b.data, "a");
	buf_puts_html(&b, "<a href=\"x\">&'");
	CHECK_STR(b.data, "a&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	buf_free(&b);
	buf_puts_json_str(&b, "q\"\\\n\x01</script>");
	CHECK_STR(b.data, "\"q\\\"\\\\\\n\\u0001\\u003c/script\\u003e\"");
	/* Nothing to escape (the one-pass path), or the first escape
	 * after a run; a euro sign is not a line separator. */
	buf_truncate(&b, 0);
	buf_puts_json_str(&b, "Olá, mundo");
	buf_puts_json_str(&b, "");
	buf_puts_json_str(&b, "abc\"def");
	buf_puts_json_str(&b, "\xe2\x82\xac \xe2\x80\xa8");
	CHECK_STR(b.data, "\"Olá, mundo\"\"\"\"abc\\\"def\"\"\xe2\x82\xac "
	    "\\u2028\"");
	s = buf_detach(&b);
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	buf_put_url_path(&b, "a b/é?#", 9);
	CHECK_STR(b.data, "a%20b/%C3%A9%3F%23");
	buf_free(&b);
	/* Numbers as printf writes them, the extremes too. */
	buf_put_udec(&b, 0);
	buf_putc(&b, ' ');
	buf_put_udec(&b, ULLONG_MAX);
	buf_putc(&b, ' ');
	buf_put_dec(&b, -7);
	buf_putc(&b, ' ');
	buf_put_dec(&b, LLONG_MIN);
	buf_putc(&b, ' ');
	buf_put_dec(&b, LLONG_MAX);
	buf_putc(&b, ' ');
	buf_put_hex16(&b, 0xabcULL);
	buf_putc(&b, ' ');
	buf_put_hex16(&b, ULLONG_MAX);
	CHECK_STR(buf_cstr(&b), "0 18446744073709551615 -7 "
	    "-9223372036854775808 9223372036854775807 0000000000000abc "
	    "ffffffffffffffff");
	buf_free(&b);
}

static void
slug_is(const char *text, const char *want)
{
	struct buf b = BUF_INIT;

	str_slug(&b, text, strlen(text));
	CHECK_STR(buf_cstr(&b), want);
	buf_free(&b);
}

void
test_slug(void)
{
	/* GitHub's rules: lower case, spaces to '-', punctuation dropped,
	 * accented letters kept. */
	slug_is("Diagnóstico rápido (10 min)", "diagnóstico-rápido-10-min");
	slug_is("Rollback imediato", "rollback-imediato");
	slug_is("1. Sintomas", "1-sintomas");
	slug_is("API: 5xx > 20%", "api-5xx--20");
	slug_is("snake_case and-dash", "snake_case-and-dash");
	slug_is("🚨 Sintomas", "-sintomas");
	slug_is("AÇÕES", "ações");
}

void
test_fold(void)
{
	char *f = str_fold_dup("Diagnóstico RÁPIDO Ação ß");

	CHECK_STR(f, "diagnostico rapido acao ss");
	free(f);
	/* Decomposed accents (e + combining acute) fold the same way. */
	f = str_fold_dup("Verificac\xcc\xa7" "a\xcc\x83" "o");
	CHECK_STR(f, "verificacao");
	free(f);
}

void
test_utf8(void)
{
	CHECK(utf8_invalid_at("héllo", 6) == (size_t)-1);
	CHECK_INT(utf8_invalid_at("ab\xff", 3), 2);
	CHECK_INT(utf8_invalid_at("ab\0c", 4), 2);
	CHECK_INT(utf8_invalid_at("\xc3", 1), 0);		/* truncated */
	CHECK_INT(utf8_invalid_at("\xed\xa0\x80", 3), 0);	/* surrogate */
	CHECK_INT(utf8_invalid_at("\xc0\xaf", 2), 0);		/* overlong */
	CHECK_INT(utf8_column("áb", 2), 2);
}

void
test_yaml_positions(void)
{
	const char *y = "title: Restore\nalerts:\n  - A1\n  - \"B2\"\n"
	    "n: 90\nok: true\nnothing: ~\n";
	struct value *v;
	struct value_error err;
	const struct value *a;

	CHECK_INT(value_parse_yaml(y, strlen(y), 1, &v, &err), 0);
	if (v == NULL)
		return;
	CHECK_STR(value_get_str(v, "title"), "Restore");
	CHECK_INT(value_get(v, "title")->line, 2);
	CHECK_INT(value_get(v, "title")->col, 8);
	a = value_get(v, "alerts");
	CHECK(a && a->kind == VAL_LIST && a->n == 2);
	if (a && a->n == 2) {
		CHECK_INT(a->items[1].line, 5);
		CHECK_INT(a->items[1].col, 5);
		CHECK(a->items[1].quoted);
	}
	CHECK(value_get(v, "n")->kind == VAL_NUM);
	CHECK(value_get(v, "ok")->kind == VAL_BOOL);
	CHECK(value_get(v, "nothing")->kind == VAL_NULL);
	value_free(v);

	y = "title: [unclosed\n";
	CHECK_INT(value_parse_yaml(y, strlen(y), 1, &v, &err), -1);
	CHECK(v == NULL);
	CHECK(err.line >= 2);
	CHECK(err.msg[0] != '\0');
}

void
test_yaml_limits(void)
{
	struct buf b = BUF_INIT;
	struct value *v;
	struct value_error err;
	int i;

	/* A billion laughs: each level doubles; expansion is bounded. */
	buf_puts(&b, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 0; i < 12; i++)
		buf_printf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, "
		    "*%c, *%c, *%c]\n", 'b' + i, 'b' + i, 'a' + i, 'a' + i,
		    'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i,
		    'a' + i, 'a' + i);
	CHECK_INT(value_parse_yaml(b.data, b.len, 0, &v, &err), -1);
	CHECK(strstr(err.msg, "alias") != NULL);
	buf_free(&b);

	for (i = 0; i < 100; i++)
		buf_puts(&b, "[");
	CHECK_INT(value_parse_yaml(b.data, b.len, 0, &v, &err), -1);
	CHECK(strstr(err.msg, "nesting") != NULL);
	buf_free(&b);

	/* A loaded tree holds no room to grow: front matter is kept. */
	buf_puts(&b, "a: 1\nb: [x, y, z]\nc: {}\n");
	CHECK_INT(value_parse_yaml(b.data, b.len, 0, &v, &err), 0);
	CHECK_INT(v->cap, 3);
	CHECK_INT(v->items[1].cap, 3);
	CHECK_INT(v->items[2].cap, 0);
	CHECK_STR(value_get(v, "b")->items[2].str, "z");
	value_free(v);
	buf_free(&b);
}

void
test_fm_split(void)
{
	struct fm_split sp;
	const char *s = "---\ntitle: x\n---\n# Body\n";

	fm_split(s, strlen(s), &sp);
	CHECK(sp.present && sp.closed);
	CHECK_INT(sp.yaml_off, 4);
	CHECK_INT(sp.yaml_len, 9);
	CHECK_INT(sp.body_line, 4);
	CHECK_STR(s + sp.body_off, "# Body\n");

	s = "\xef\xbb\xbf---\r\ntitle: x\r\n...\r\nbody";
	fm_split(s, strlen(s), &sp);
	CHECK(sp.present && sp.closed);
	CHECK_STR(s + sp.body_off, "body");

	s = "---\ntitle: x\n";
	fm_split(s, strlen(s), &sp);
	CHECK(sp.present && !sp.closed);

	s = "# No front matter\n---\n";
	fm_split(s, strlen(s), &sp);
	CHECK(!sp.present);
	CHECK_INT(sp.body_off, 0);
}

void
test_paths(void)
{
	char *p;

	p = path_normalize("a/./b/../c//d");
	CHECK_STR(p, "a/c/d");
	free(p);
	CHECK(path_normalize("../etc/passwd") == NULL);
	CHECK(path_normalize("a/../../etc") == NULL);
	CHECK(path_normalize("/etc/passwd") == NULL);
	p = path_normalize("a/..");
	CHECK_STR(p, "");
	free(p);
	{
		/* path_is_normal(p): p is what path_normalize(p) gives. */
		static const char *const cases[] = { "a", "a/b.html", ".a/b",
		    "a..b/c", "", "/a", "a/", "a//b", "./a", "a/.", "a/./b",
		    "..", "a/..", "a/../b", "../a", "a/b/..", "...", NULL };
		size_t i;

		for (i = 0; cases[i]; i++) {
			char *n = path_normalize(cases[i]);
			bool want = n && *n && strcmp(n, cases[i]) == 0;

			if (path_is_normal(cases[i]) != want)
				fprintf(stderr, "  path_is_normal(\"%s\")\n",
				    cases[i]);
			CHECK(path_is_normal(cases[i]) == want);
			free(n);
		}
	}
	p = path_relative("a/b/c.html", "a/d.html");
	CHECK_STR(p, "../d.html");
	free(p);
	p = path_relative("index.html", "x/y.html");
	CHECK_STR(p, "x/y.html");
	free(p);
	p = path_relative("x/y.html", "index.html");
	CHECK_STR(p, "../index.html");
	free(p);
	p = path_root_prefix("a/b/c.html");
	CHECK_STR(p, "../../");
	free(p);
	p = path_md_to_html("db/kafka.md");
	CHECK_STR(p, "db/kafka.html");
	free(p);
}

void
test_dates(void)
{
	char out[11];

	CHECK_INT(check_parse_date("1970-01-01"), 0);
	CHECK_INT(check_parse_date("2026-11-23"), 20780);
	CHECK_INT(check_parse_date("2024-02-29"), 19782);
	CHECK_INT(check_parse_date("2023-02-29"), -1);
	CHECK_INT(check_parse_date("2026-13-01"), -1);
	CHECK_INT(check_parse_date("2026-1-01"), -1);
	CHECK_INT(check_parse_date("2026-01-01x"), -1);
	check_format_date(20780, out);
	CHECK_STR(out, "2026-11-23");
	check_format_date(19782, out);
	CHECK_STR(out, "2024-02-29");
}

void test_value_ref(void);

void
test_value_ref(void)
{
	struct value *shared = value_new(VAL_MAP), *ctx = value_new(VAL_MAP);
	const struct value *ui;

	value_add_str(shared, "search", "Buscar");
	value_add_ref(ctx, "ui", shared);
	ui = value_get(ctx, "ui");
	CHECK(ui == shared);
	CHECK_STR(value_get_str(ui, "search"), "Buscar");
	CHECK(value_truthy(value_get(ctx, "ui")));
	value_free(ctx);	/* the alias does not own its target */
	CHECK_STR(value_get_str(shared, "search"), "Buscar");
	value_free(shared);
}

/* The kilobytes of the mapping at m this process holds (smaps), or -1. */
static long
resident_kb(const void *m)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo, hi;
	long kb = -1;
	bool in = false;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)	/* a mapping */
			in = (unsigned long)m >= lo && (unsigned long)m < hi;
		else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * A file of len bytes, byte i being i * mul % mod, made in a new folder
 * from the template dir and mapped (fs_map); NULL when it cannot be.
 * *path is the file; map_done() undoes it all.
 */
static const unsigned char *
map_pattern(char *dir, char **path, size_t len, size_t mul, size_t mod)
{
	const unsigned char *m;
	struct stat st;
	size_t i;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	*path = path_join(dir, "c");
	CHECK((f = fopen(*path, "wb")) != NULL);
	if (f == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		fputc((int)(i * mul % mod), f);
	fclose(f);
	m = fs_map(dir, "c", 1, &st);
	CHECK(m != NULL && (size_t)st.st_size == len);
	return m;
}

static void
map_done(const unsigned char *m, size_t len, char *dir, char *path)
{
	if (m)
		munmap((void *)m, len);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* A released stretch of a mapping is no longer held and reads back the
 * same; a stretch not in the mapping is left alone. */
void
test_map_release(void)
{
	char dir[] = "/tmp/runbookc-map-XXXXXX", *path = NULL;
	size_t len = 3 * 4096 + 100, i;
	const unsigned char *m = map_pattern(dir, &path, len, 7, 251);
	unsigned long long sum = 0, again = 0;

	if (m == NULL) {
		map_done(m, len, dir, path);
		return;
	}
	for (i = 0; i < len; i++)
		sum = sum * 31 + m[i];
	CHECK(resident_kb(m) >= 16);
	fs_map_release(m, len, m, len);
	CHECK_INT(resident_kb(m), 0);
	for (i = 0; i < len; i++)
		again = again * 31 + m[i];
	CHECK(sum == again);
	fs_map_release(m, len, m + 10, 5000);		/* page 0 */
	fs_map_release(m, len, m + 3 * 4096, 100);	/* the last, whole */
	fs_map_release(m, len, m + len, 0);
	fs_map_release(m, len, m + len - 1, 2);		/* runs past: no */
	fs_map_release(m, len, m - 4096, 10);		/* before: no */
	fs_map_release(m, len, "x", 1);			/* elsewhere: no */
	again = 0;
	for (i = 0; i < len; i++)
		again = again * 31 + m[i];
	CHECK(sum == again);
	CHECK(m[len - 1] == (unsigned char)((len - 1) * 7 % 251));
	map_done(m, len, dir, path);
}

/* Read front to back a record at a time, a mapping is held a window at
 * a time, and not at all once read to its end. */
void
test_map_read(void)
{
	char dir[] = "/tmp/runbookc-map-XXXXXX", *path = NULL;
	size_t len = 2 * FS_MAP_WINDOW + 5000, off, rec = 3000, n, i;
	const unsigned char *m = map_pattern(dir, &path, len, 1, 253);
	unsigned long long sum = 0;
	long most = 0, kb;

	for (off = 0; m && off < len; off += n) {
		n = len - off < rec ? len - off : rec;
		for (i = 0; i < n; i++)
			sum += m[off + i] == (off + i) % 253;
		fs_map_read(m, len, m + off, n);
		if ((kb = resident_kb(m)) > most && off % (256 * rec) == 0)
			most = kb;
	}
	CHECK(sum == len);
	CHECK(most > 0 && most <= (long)(FS_MAP_WINDOW / 1024) + 16);
	CHECK_INT(resident_kb(m), 0);
	map_done(m, len, dir, path);
}

/*
 * str_hash: long data runs through four lanes and a tail; a byte changed
 * anywhere, in any lane or the tail, must change the hash, and so must
 * the length and the seed.
 */
void
test_hash(void)
{
	unsigned char b[1031];
	unsigned long long h, lens[4];
	size_t i, missed = 0;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 131 + 7);
	h = str_hash(b, sizeof(b), STR_HASH_SEED);
	CHECK(str_hash(b, sizeof(b), STR_HASH_SEED) == h);
	CHECK(str_hash(b, sizeof(b), STR_HASH_SEED + 1) != h);
	for (i = 0; i < sizeof(b); i++) {
		b[i] ^= 0x10;
		missed += str_hash(b, sizeof(b), STR_HASH_SEED) == h;
		b[i] ^= 0x10;
	}
	CHECK_INT(missed, 0);
	/* Either side of where the lanes start. */
	lens[0] = str_hash(b, 255, STR_HASH_SEED);
	lens[1] = str_hash(b, 256, STR_HASH_SEED);
	lens[2] = str_hash(b, 257, STR_HASH_SEED);
	lens[3] = str_hash(b, 288, STR_HASH_SEED);
	CHECK(lens[0] != lens[1] && lens[1] != lens[2] && lens[2] != lens[3]);
}

/* Zeroed whatever the memory held before (a chunk just freed dirty is
 * the one malloc hands out next; sanitizers fill new memory), at a size
 * malloc takes from its heap and at one it maps. */
void
test_alloc(void)
{
	static const size_t sizes[] = { 4096, 4 << 20 };
	size_t i, k, dirty;

	for (k = 0; k < 2; k++) {
		unsigned char *p = xmalloc(sizes[k]);

		memset(p, 0xa5, sizes[k]);
		free(p);
		p = xcalloc_probed(sizes[k] / 8, 8);
		for (i = dirty = 0; i < sizes[k]; i++)
			dirty += p[i] != 0;
		CHECK_INT(dirty, 0);
		free(p);
	}
	free(xcalloc_probed(0, 8));
}

struct pool_probe {
	unsigned char *hits;
	pthread_t ran_on;
	int runs;
};

static void
hit(void *ud, size_t i)
{
	struct pool_probe *p = ud;

	p->hits[i]++;
}

static void
task_run(void *ud)
{
	struct pool_probe *p = ud;

	p->ran_on = pthread_self();
	p->runs++;
}

/*
 * pool_run hands out every item once, whatever the number of jobs;
 * a pool task runs once, in turn at -j 1, on a thread of its own above.
 */
void
test_pool(void)
{
	static const int jobs[] = { 1, 2, 7 };
	struct pool_probe p;
	struct pool_task t;
	size_t i, j, bad;

	memset(&p, 0, sizeof(p));
	p.hits = xcalloc(1000, 1);
	for (j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
		memset(p.hits, 0, 1000);
		pool_run(1000, jobs[j], hit, &p);
		for (i = bad = 0; i < 1000; i++)
			bad += p.hits[i] != 1;
		CHECK_INT(bad, 0);
	}
	pool_run(0, 2, hit, &p);	/* nothing to do: no call */
	free(p.hits);
	p.hits = NULL;
	pool_task_start(&t, 1, task_run, &p);
	CHECK_INT(p.runs, 1);	/* already run, on this thread */
	CHECK(!t.running && pthread_equal(p.ran_on, pthread_self()));
	pool_task_join(&t);
	CHECK_INT(p.runs, 1);
	pool_task_start(&t, 2, task_run, &p);
	pool_task_join(&t);
	CHECK_INT(p.runs, 2);
	CHECK(!t.running);
	CHECK(!pthread_equal(p.ran_on, pthread_self()));
}

/* Removes dir/name. */
static void
rm_file(const char *dir, const char *name)
{
	char *path = path_join(dir, name);

	unlink(path);
	free(path);
}

/* Writes dir/name; the path is freed. */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char *path = path_join(dir, name);

	CHECK(fs_write_if_changed(path, text, strlen(text)) >= 0);
	free(path);
}

/*
 * A stamp read back: its numbers (negative times, hexadecimal keys), and
 * the inode of each file whichever order the cache lists them in; a cache
 * naming a file the stamp does not list is not read.  Each page's
 * findings come back under their key, the page whose lines are not all
 * there under none.  The listing read alone (the kept site's) says the
 * same files and inodes, or nothing.
 */
void
test_stamp_read(void)
{
	char dir[] = "/tmp/runbookc-stamp-XXXXXX";
	struct stamp st;
	struct stamp_listing l;
	const struct stamp_key *a, *b;

	CHECK(mkdtemp(dir) != NULL);
	put_file(dir, STAMP_FILE, "runbookc-stamp 3\nfingerprint\t00ff00ff00ff00ff\n"
	    "pages\t2\nfile\t12\t1a2B3c\ta.html\n"
	    "file\t7\tffffffffffffffff\tb/c.html\n");
	put_file(dir, STAMP_CACHE_FILE, "runbookc-cache 4\n"
	    "input\t5\t-1500\t1700000000000000000\t42\t27\tdeadbeef\t3\ta.md\n"
	    "output\t99\t1800000000123456789\tb/c.html\n"
	    "output\t98\t-7\ta.html\n"
	    "checked\t00000000000000a1\t2\ta.md\n"
	    "finding\tE\t3\t4\tc/a.md\tlink.broken\tno\\ttab\n"
	    "finding\tW\t1\t1\tc/a.md\treview.stale\told\n"
	    "checked\t00000000000000b1\t0\tb.md\n"
	    "checked\t00000000000000c1\t2\tc.md\n"
	    "finding\tW\t1\t1\tc/c.md\treview.stale\told\n"
	    "checked\t00000000000000d1\t1\td.md\n");
	CHECK(stamp_read(&st, dir) && st.cached);
	{
		const struct diag_list *fa = findings_get(&st.findings,
		    "a.md", 0xa1);
		const struct diag_list *fb = findings_get(&st.findings,
		    "b.md", 0xb1);

		CHECK(fa && fa->n == 2 && fa->v[0].severity == DIAG_ERROR &&
		    fa->v[0].line == 3 && fa->v[0].col == 4 &&
		    strcmp(fa->v[0].msg, "no\ttab") == 0 &&
		    strcmp(fa->v[1].rule, "review.stale") == 0);
		CHECK(fb && fb->n == 0);
		CHECK(findings_get(&st.findings, "a.md", 0xb1) == NULL);
		CHECK(findings_get(&st.findings, "c.md", 0xc1) == NULL);
		CHECK(findings_get(&st.findings, "d.md", 0xd1) == NULL);
		CHECK(findings_get(&st.findings, "e.md", 0xa1) == NULL);
	}
	CHECK(st.fp == 0x00ff00ff00ff00ffULL);
	CHECK_INT(st.npages, 2);
	a = stamp_keys_get(&st.files, "a.html");
	b = stamp_keys_get(&st.files, "b/c.html");
	CHECK(a && a->key == 0x1a2b3cULL && a->size == 12 && a->ino == 98 &&
	    a->mtime_ns == -7);
	CHECK(b && b->key == ~0ULL && b->size == 7 && b->ino == 99 &&
	    b->mtime_ns == 1800000000123456789LL);
	CHECK_INT(st.inputs.n, 1);
	if (st.inputs.n == 1) {
		CHECK(st.inputs.v[0].mtime_ns == -1500);
		CHECK(st.inputs.v[0].ctime_ns == 1700000000000000000LL);
		CHECK(st.inputs.v[0].hash == 0xdeadbeefULL);
		CHECK(st.inputs.v[0].ino == 42 && st.inputs.v[0].dev == 27);
	}
	stamp_free(&st);
	/* The listing alone says the same files and inodes. */
	CHECK(stamp_read_listing(&l, dir) && l.n == 2);
	if (l.n == 2) {
		CHECK_STR(l.paths[0], "a.html");
		CHECK_STR(l.paths[1], "b/c.html");
		CHECK(l.inos[0] == 98 && l.inos[1] == 99);
	}
	stamp_listing_free(&l);
	put_file(dir, STAMP_CACHE_FILE, "runbookc-cache 4\n"
	    "output\t98\t1\ta.html\noutput\t97\t1\tz.html\n");
	CHECK(stamp_read(&st, dir) && !st.cached);
	a = stamp_keys_get(&st.files, "a.html");
	CHECK(a && a->ino == 0);
	stamp_free(&st);
	CHECK(!stamp_read_listing(&l, dir) && l.n == 0 && l.paths == NULL);
	put_file(dir, STAMP_FILE, "runbookc-stamp 3\nfile\t1\t0\t../x\n");
	CHECK(!stamp_read(&st, dir));
	stamp_free(&st);
	CHECK(!stamp_read_listing(&l, dir));
	rm_file(dir, STAMP_FILE);
	rm_file(dir, STAMP_CACHE_FILE);
	CHECK(rmdir(dir) == 0);
}

/*
 * A stamp written, then read back: names with tabs, newlines and
 * backslashes, and numbers at their extremes, come back as they went.
 */
void
test_stamp_roundtrip(void)
{
	char dir[] = "/tmp/runbookc-stamp-XXXXXX";
	char *name = "a\tb\\c\nd.html", *path;
	struct stamp_print fp;
	struct input_file f;
	struct stamp st;
	struct stamp_listing l;
	struct strv extra = STRV_INIT;
	struct diag_list dl = DIAG_LIST_INIT, found = DIAG_LIST_INIT;
	struct findings fs = FINDINGS_INIT;
	const struct diag_list *back;
	const struct stamp_key *k;
	const struct input_file *r;
	struct stat sb;

	CHECK(mkdtemp(dir) != NULL);
	memset(&fp, 0, sizeof(fp));
	fp.fp = 0x0123456789abcdefULL;
	diag_add(&found, "c/p\tq.md", 7, 2, DIAG_ERROR, "rule.x", "a\nb\\");
	findings_add(&fs, "p\tq.md", ~0ULL, &found);
	findings_add(&fs, "r.md", 5, NULL);
	memset(&f, 0, sizeof(f));
	f.path = "x\ty\\.md";
	f.size = 5;
	f.mtime_ns = -1500;
	f.ctime_ns = LLONG_MAX;
	f.ino = ULLONG_MAX;
	f.dev = 27;
	f.hash = 0xabcULL;
	f.taken_ns = LLONG_MIN;
	inputs_add(&fp.files, &f);
	put_file(dir, name, "hello");
	path = path_join(dir, name);
	CHECK(stat(path, &sb) == 0);
	CHECK_INT(stamp_write(dir, &fp, &dl, &fs, 1, &name, 1, &extra, NULL, 1), 0);
	CHECK(stamp_read(&st, dir) && st.cached);
	CHECK(st.fp == fp.fp);
	back = findings_get(&st.findings, "p\tq.md", ~0ULL);
	CHECK(back && back->n == 1 && strcmp(back->v[0].file, "c/p\tq.md") == 0 &&
	    back->v[0].line == 7 && back->v[0].col == 2 &&
	    back->v[0].severity == DIAG_ERROR &&
	    strcmp(back->v[0].rule, "rule.x") == 0 &&
	    strcmp(back->v[0].msg, "a\nb\\") == 0);
	back = findings_get(&st.findings, "r.md", 5);
	CHECK(back && back->n == 0);
	k = stamp_keys_get(&st.files, name);
	CHECK(k && k->size == 5 && k->ino == (unsigned long long)sb.st_ino &&
	    k->mtime_ns == stamp_mtime_ns(&sb) && k->mtime_ns != 0);
	r = inputs_get(&st.inputs, f.path);
	CHECK(r && r->size == 5 && r->mtime_ns == -1500 &&
	    r->ctime_ns == LLONG_MAX && r->ino == ULLONG_MAX && r->dev == 27 &&
	    r->hash == 0xabcULL && r->taken_ns == LLONG_MIN);
	stamp_free(&st);
	CHECK(stamp_read_listing(&l, dir) && l.n == 1);
	if (l.n == 1)
		CHECK(strcmp(l.paths[0], name) == 0 &&
		    l.inos[0] == (unsigned long long)sb.st_ino);
	stamp_listing_free(&l);
	rm_file(dir, STAMP_CACHE_FILE);
	CHECK(!stamp_read_listing(&l, dir));
	inputs_free(&fp.files);
	diag_free(&found);
	findings_free(&fs);
	free(path);
	rm_file(dir, name);
	rm_file(dir, STAMP_FILE);
	CHECK(rmdir(dir) == 0);
}

/* Reads one file of n bytes ('a' + i % 26) through fs_read with limit
 * max: its return, and whether the bytes (NUL-terminated) came back. */
static int
read_back(const char *dir, size_t n, size_t max, bool *same)
{
	char *path = path_join(dir, "f"), *want = xmalloc(n + 1), *got, err[64];
	size_t i, len;
	int rc;

	for (i = 0; i < n; i++)
		want[i] = (char)('a' + i % 26);
	want[n] = '\0';
	CHECK(fs_write_if_changed(path, want, n) >= 0);
	rc = fs_read(path, max, &got, &len, err, sizeof(err));
	*same = rc == 0 && len == n && got[n] == '\0' &&
	    memcmp(got, want, n) == 0;
	if (rc == 0)
		free(got);
	unlink(path);
	free(path);
	free(want);
	return rc;
}

/* fs_read: files of every size around its reading sizes come back whole
 * and terminated; a file over the limit, or a FIFO, is refused. */
void
test_fs_read(void)
{
	static const size_t sizes[] = { 0, 1, 63, 64, 65, 65535, 65536,
	    65537, 131072, 1000003 };
	char dir[] = "/tmp/runbookc-read-XXXXXX", *fifo, *data, err[64];
	size_t i, len;
	bool same;

	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_INT(read_back(dir, sizes[i], SIZE_MAX, &same), 0);
		CHECK(same);
	}
	CHECK_INT(read_back(dir, 100, 100, &same), 0);
	CHECK(same);
	CHECK_INT(read_back(dir, 101, 100, &same), -2);
	fifo = path_join(dir, "fifo");
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK_INT(fs_read(fifo, SIZE_MAX, &data, &len, err, sizeof(err)), -1);
	CHECK_STR(err, "not a regular file");
	unlink(fifo);
	free(fifo);
	CHECK(rmdir(dir) == 0);
}

/*
 * Inputs taken with defer are stat'ed, not read: pending, with no hash,
 * till the reader gives it; a fingerprint settles once none is pending,
 * to the same as when the files were read at once.
 */
void
test_inputs_defer(void)
{
	char dir[] = "/tmp/runbookc-inputs-XXXXXX";
	struct input_set now = INPUT_SET_INIT, read = INPUT_SET_INIT;
	struct strv paths = STRV_INIT;
	struct stamp_print a, b;
	struct input_file *f;

	CHECK(mkdtemp(dir) != NULL);
	put_file(dir, "a.md", "alpha");
	put_file(dir, "b.md", "beta!");
	strv_push(&paths, "a.md");
	strv_push(&paths, "b.md");
	CHECK_INT(inputs_take(&now, dir, &paths, 100, NULL, true, 2), 0);
	CHECK_INT(inputs_take(&read, dir, &paths, 100, NULL, false, 2), 0);
	f = inputs_find(&now, "b.md");
	CHECK(f && f->pending && f->hash == 0 && f->size == 5);
	CHECK(!inputs_get(&read, "b.md")->pending);
	CHECK(inputs_get(&read, "b.md")->hash == str_hash("beta!", 5,
	    STR_HASH_SEED));
	/* Over the limit: read (and refused) at once, never pending. */
	CHECK_INT(inputs_take(&now, dir, &paths, 4, NULL, true, 1), -1);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.files = now;
	b.files = read;
	a.pre = b.pre = 42;
	CHECK(!stamp_print_settle(&a) && a.pending == 2 && a.fp == 0);
	inputs_find(&a.files, "a.md")->hash = str_hash("alpha", 5,
	    STR_HASH_SEED);
	inputs_find(&a.files, "a.md")->pending = false;
	CHECK(!stamp_print_settle(&a) && a.pending == 1);
	f = inputs_find(&a.files, "b.md");
	f->hash = str_hash("beta!", 5, STR_HASH_SEED);
	f->pending = false;
	CHECK(stamp_print_settle(&a) && stamp_print_settle(&b));
	CHECK(a.fp == b.fp && a.fp != 0);
	inputs_free(&a.files);
	inputs_free(&b.files);
	strv_free(&paths);
	rm_file(dir, "a.md");
	rm_file(dir, "b.md");
	CHECK(rmdir(dir) == 0);
}

struct prev_probe {
	const struct input_set *prev;
	int calls;
};

static const struct input_set *
probe_prev(void *ud)
{
	struct prev_probe *p = ud;

	p->calls++;
	return p->prev;
}

/*
 * A fingerprint that waits for its prev asks for it once, and comes out
 * as the one given prev at once; a NULL prev leaves the pages pending.
 */
void
test_fingerprint_await(void)
{
	char dir[] = "/tmp/runbookc-await-XXXXXX";
	struct input_set none = INPUT_SET_INIT;
	struct stamp_inputs in;
	struct stamp_print given, awaited, cold;
	struct prev_probe probe = { NULL, 0 };

	CHECK(mkdtemp(dir) != NULL);
	put_file(dir, "a.md", "# Alpha\n");
	memset(&in, 0, sizeof(in));
	in.content = dir;
	in.version = "test";
	in.today = 20000;
	in.jobs = 2;
	CHECK_INT(stamp_fingerprint(&in, &none, &given), 0);
	probe.prev = &none;
	CHECK_INT(stamp_fingerprint_await(&in, probe_prev, &probe, &awaited),
	    0);
	CHECK_INT(probe.calls, 1);
	CHECK(given.fp != 0 && awaited.fp == given.fp);
	probe.prev = NULL;
	CHECK_INT(stamp_fingerprint_await(&in, probe_prev, &probe, &cold), 0);
	CHECK_INT(probe.calls, 2);
	CHECK(cold.pending == 1 && cold.fp == 0);
	stamp_print_free(&given);
	stamp_print_free(&awaited);
	stamp_print_free(&cold);
	rm_file(dir, "a.md");
	CHECK(rmdir(dir) == 0);
}

/*
 * A page handed to the parse cache being written leaves its HTML and
 * search terms to the file: NULL on the heap until the cache is
 * finished, then the same bytes in its mapping (not freed with the
 * page: a sanitizer build would see it).
 */
void
test_pcache_writer(void)
{
	char dir[] = "/tmp/runbookc-pcache-XXXXXX";
	struct strv keep = STRV_INIT;
	struct pcache_writer *w;
	struct page *p;
	char *spool;

	CHECK(mkdtemp(dir) != NULL);
	spool = path_join(dir, "spool");
	p = page_new(dir, "a.md");
	p->kind.s = xstrdup("runbook");
	p->html = xstrdup("<p>Olá</p>\n");
	p->terms = xstrdup("ola\001");
	p->snippet = xstrdup("Olá");
	w = pcache_begin(spool, 42);
	pcache_add(w, 0, p);
	CHECK(p->html == NULL && p->terms == NULL && !p->html_mapped);
	CHECK_INT(pcache_finish(w, NULL, dir, &p, 1, &keep), 0);
	CHECK(p->html_mapped);
	CHECK_STR(p->html, "<p>Olá</p>\n");
	CHECK_STR(p->terms, "ola\001");
	CHECK(keep.n == 1 && strcmp(keep.v[0], PCACHE_FILE) == 0);
	page_free(p);
	pcache_writer_close(w);
	strv_free(&keep);
	rm_file(dir, PCACHE_FILE);
	unlink(spool);
	free(spool);
	CHECK(rmdir(dir) == 0);
}
