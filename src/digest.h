/*
 * digest: hashes of the linked model that say what an output file was
 * made from, so that a rebuild can keep every file whose inputs did not
 * change instead of rendering it again.
 *
 * A page's face is everything about it that another output can show: its
 * path, front matter, typed fields, headings, links, script references and
 * summary, but not its body's prose nor the lines things sit on.  The
 * site's face mixes every page's face with the site-wide facts derived
 * from the file system (the content folder's other files and its
 * folders, where each script was found).  A page's own file depends on
 * its source bytes and the site's face; a listing, an alert page or the
 * catalog depends on the site's face alone.  Editing a paragraph below a
 * page's first one thus changes one page's file (and the whole-site
 * text: search index, print book), while a new title changes every file
 * that may show it.
 *
 * The configuration, theme, version, date and commit are not here: the
 * caller mixes them in (stamp_fingerprint() reports them as one hash).
 */
#ifndef RUNBOOKC_DIGEST_H
#define RUNBOOKC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

struct page;
struct site;

unsigned long long digest_page_face(const struct page *p);
/* Hashes the pages' faces on jobs threads; the same whatever jobs. */
unsigned long long digest_site_face(const struct site *s, int jobs);

/* The site's key: its face mixed with the build's global inputs
 * (stamp_fingerprint()'s global); never 0. */
unsigned long long digest_site_key(unsigned long long global,
    unsigned long long face);
/* The key of page p's own output file, given the site's key. */
unsigned long long digest_page_key(const struct page *p,
    unsigned long long site_key);

/*
 * The key of what the checks of page i of s read (findings.h), given
 * site_key, which mixes the site's face with the build's global inputs
 * (these name the content folder as given, as diagnostics name files):
 * the page's bytes, and for each of its script references the script's
 * file on disk and, when the configuration wants scripts executable,
 * exec[script index] (whether it is).  exec may be NULL when it does
 * not.
 */
unsigned long long digest_check_key(const struct site *s, size_t i,
    unsigned long long site_key, const bool *exec);

#endif
