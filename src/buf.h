/*
 * buf: the one growable byte buffer used everywhere.
 *
 * Invariant: after any buf_* call, b->data is either NULL (len == 0, never
 * written) or points to len bytes followed by a NUL byte, so b->data can be
 * handed to C string functions when the content has no NUL of its own.
 * BUF_INIT is a valid empty buffer; buf_free() returns it to that state.
 */
#ifndef RUNBOOKC_BUF_H
#define RUNBOOKC_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_grow(struct buf *b, size_t extra);
/* Makes room for extra more bytes, exactly (buf_grow doubles): for a
 * caller that knows the final size. */
void buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *data, size_t len);

/* Inline: most calls pass a literal, whose length the compiler knows
 * (the catalog and the search index put hundreds of thousands). */
static inline void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* Inline: the template engine and the folds append a byte at a time. */
static inline void
buf_putc(struct buf *b, int c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
}
/* Numbers as "%llu", "%lld" and "%016llx" print them, without printf's
 * parsing of its format (a stamp holds a hundred thousand). */
void buf_put_udec(struct buf *b, unsigned long long v);
void buf_put_dec(struct buf *b, long long v);
void buf_put_hex16(struct buf *b, unsigned long long v);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_truncate(struct buf *b, size_t len);
void buf_free(struct buf *b);
/* Hands the bytes over to the caller (never NULL) and resets b. */
char *buf_detach(struct buf *b);
/* A NUL-terminated view, "" for a never-written buffer. */
const char *buf_cstr(const struct buf *b);

/* Escapers: each appends s[0..len) escaped for its context. */
void buf_put_html(struct buf *b, const char *s, size_t len);
void buf_puts_html(struct buf *b, const char *s);
void buf_put_json_str(struct buf *b, const char *s, size_t len); /* with quotes */
void buf_puts_json_str(struct buf *b, const char *s);
void buf_put_xml(struct buf *b, const char *s, size_t len);
/* Percent-encodes what may not stand in a relative URL path. */
void buf_put_url_path(struct buf *b, const char *s, size_t len);

#endif
