#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

void
buf_grow(struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > SIZE_MAX - b->len - 1)
		str_oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		str_oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	b->data = xrealloc(b->data, need);
	b->cap = need;
	b->data[b->len] = '\0';
}

void
buf_put(struct buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap || b->data == NULL)
		buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_put_udec(struct buf *b, unsigned long long v)
{
	char d[20];
	size_t n = sizeof(d);

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	buf_put(b, d + n, sizeof(d) - n);
}

void
buf_put_dec(struct buf *b, long long v)
{
	if (v < 0) {
		buf_putc(b, '-');
		/* In unsigned arithmetic: -LLONG_MIN does not fit. */
		buf_put_udec(b, 0ULL - (unsigned long long)v);
	} else
		buf_put_udec(b, (unsigned long long)v);
}

void
buf_put_hex16(struct buf *b, unsigned long long v)
{
	static const char digits[] = "0123456789abcdef";
	char d[16];
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		d[i] = digits[v & 15];
	buf_put(b, d, sizeof(d));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *
buf_detach(struct buf *b)
{
	char *p;

	if (b->data == NULL)
		return xstrdup("");
	/* Doubling leaves up to half the buffer unused; what is handed over
	 * usually lives as long as the build, so give the slack back. */
	if (b->cap > b->len + 1 + 64)
		b->data = xrealloc(b->data, b->len + 1);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *
buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

void
buf_put_html(struct buf *b, const char *s, size_t len)
{
	/* Which bytes need an entity: one load per byte, not five tests. */
	static const unsigned char special[256] = {
		['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
	};
	static const char *const rep[] = { "", "&amp;", "&lt;", "&gt;",
	    "&quot;", "&#39;" };
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char k = special[(unsigned char)s[i]];

		if (k == 0)
			continue;
		buf_put(b, s + run, i - run);
		buf_puts(b, rep[k]);
		run = i + 1;
	}
	buf_put(b, s + run, len - run);
}

void
buf_puts_html(struct buf *b, const char *s)
{
	buf_put_html(b, s, strlen(s));
}

/* The bytes a JSON string cannot carry as they are: controls, the
 * quote and backslash, what could close a <script>, and the first byte
 * of U+2028/2029 (looked at more closely). */
static const unsigned char json_special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1,
	[0x7f] = 1, [0xe2] = 1,
};

/* Runs of plain bytes are copied whole: the catalog and the search
 * index write megabytes of JSON strings. */
void
buf_put_json_str(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	unsigned char c;
	char u[7] = "\\u00";
	const char *rep;

	buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!json_special[c])
			continue;
		switch (c) {
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		case '<': rep = "\\u003c"; break; /* safe inside <script> */
		case '>': rep = "\\u003e"; break;
		case '&': rep = "\\u0026"; break;
		case 0xe2:
			/* U+2028/2029 end a JS line; escape them. */
			if (!(i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xa8 ||
			     (unsigned char)s[i + 2] == 0xa9)))
				continue;
			rep = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" :
			    "\\u2029";
			break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			rep = u;
		}
		buf_put(b, s + run, i - run);
		buf_puts(b, rep);
		if (c == 0xe2)
			i += 2;
		run = i + 1;
	}
	buf_put(b, s + run, len - run);
	buf_putc(b, '"');
}

void
buf_puts_json_str(struct buf *b, const char *s)
{
	buf_put_json_str(b, s, strlen(s));
}

void
buf_put_xml(struct buf *b, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters outright. */
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				buf_putc(b, '?');
			else
				buf_putc(b, c);
		}
	}
}

void
buf_put_url_path(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/!$'()*+,;=:@", c))
			buf_putc(b, c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}
