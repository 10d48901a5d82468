/*
 * str: allocation that cannot fail silently, string vectors, and the text
 * folds the checks and the search index share (UTF-8 validation, case and
 * accent folding, GitHub-compatible heading ids).
 */
#ifndef RUNBOOKC_STR_H
#define RUNBOOKC_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Out of memory is the one impossible state we abort on. */
_Noreturn void str_oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/*
 * xcalloc() for a table that is probed (read) before it is written, such
 * as a hash table's slots.  A large calloc() hands out pages that map the
 * shared zero page on their first read and are copied on their first
 * write, and each such copy flushes the TLB of every CPU running the
 * process; zeroed by writing, each page faults once.
 */
void *xcalloc_probed(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array of *cap elements of size sz so that index n fits. */
void *xgrow(void *p, size_t *cap, size_t n, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A vector of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};
#define STRV_INIT { NULL, 0, 0 }
void strv_push(struct strv *sv, const char *s);
void strv_push_owned(struct strv *sv, char *s);
bool strv_has(const struct strv *sv, const char *s);
void strv_sort(struct strv *sv);
void strv_free(struct strv *sv);

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
int str_casecmp_ascii(const char *a, const char *b);
/* True when s starts with prefix, ignoring ASCII case. */
bool str_casecmp_prefix(const char *s, const char *prefix);

/*
 * Returns the byte offset of the first invalid UTF-8 sequence in s[0..len),
 * or (size_t)-1 when the whole text is valid.  NUL bytes count as invalid:
 * nothing downstream can carry them.
 */
size_t utf8_invalid_at(const char *s, size_t len);
/* Column (1-based, in characters) of byte offset off within line start. */
int utf8_column(const char *line, size_t off);

/*
 * Folds for matching: lower case, Latin accents removed (á→a, ç→c, ß→ss),
 * other characters kept.  Appends the folded form of s to out.
 */
struct buf;
void str_fold(struct buf *out, const char *s, size_t len);
char *str_fold_dup(const char *s);
/*
 * The same fold, one character at a time, for scanners that fold as they
 * go: folds the character at s[0..len) (len >= 1), sets *n to the bytes it
 * takes and stores the code points it folds to in cp[]; returns how many
 * (0 for a combining mark, 2 for ß, else 1).
 */
int str_fold_char(const char *s, size_t len, size_t *n, unsigned cp[2]);

/*
 * GitHub's heading id: lower case, spaces to '-', drop punctuation except
 * '-' and '_', keep letters and digits of any script.  Appends to out.
 */
void str_slug(struct buf *out, const char *s, size_t len);

/* The value of a hexadecimal digit, or -1. */
int str_hexval(int c);

/* A fast 64-bit hash, for hash tables and content fingerprints. */
unsigned long long str_hash(const void *data, size_t len,
    unsigned long long seed);
#define STR_HASH_SEED 0xcbf29ce484222325ULL

#endif
