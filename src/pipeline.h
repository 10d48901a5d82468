/*
 * pipeline: the stages every command shares, config → scan → parse →
 * link → check, run over one content folder.  The result is the linked,
 * checked site with its diagnostics; render and write are build's.
 *
 * Nothing here prints or exits: a failure is a status and a message,
 * and the time each stage took is recorded for -v.
 */
#ifndef RUNBOOKC_PIPELINE_H
#define RUNBOOKC_PIPELINE_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "findings.h"
#include "site.h"
#include "str.h"

struct input_set;
struct pcache;
struct pcache_writer;
struct progress;

enum pipeline_stage {
	STAGE_CONFIG,
	STAGE_SCAN,
	STAGE_PARSE,
	STAGE_LINK,
	STAGE_CHECK,
	STAGE_RENDER,
	STAGE_WRITE,
	STAGE__COUNT
};

struct pipeline_opts {
	const char *content;	/* the content folder */
	const char *config;	/* --config FILE, or NULL: CONTENT/site.yml */
	const char *today;	/* --today YYYY-MM-DD, or NULL */
	const char *const *alert_rules;	/* --alert-rules files */
	size_t nalert_rules;
	int jobs;
	/* Optional: the parse cache, asked for once the content folder is
	 * read (it can be opened meanwhile), and the hash of each content
	 * file (stamp_fingerprint()); a page whose hash the cache holds is
	 * restored instead of parsed, and a page known but pending gets
	 * the hash of the bytes parsed. */
	const struct pcache *(*cache_of)(void *ud);
	void *cache_ud;
	struct input_set *known;
	/* Pages are parsed for the checks and listings alone (check,
	 * list): no HTML, no search terms. */
	bool check_only;
	/* Optional: where each page parsed goes (pcache_add()). */
	struct pcache_writer *writer;
	struct progress *progress;	/* or NULL */
	/* Optional: called once the pages are parsed, before they are
	 * linked (the link stage runs on one thread: work started here
	 * has a core of its own). */
	void (*parsed)(void *ud);
	void *parsed_ud;
	/*
	 * Optional: the key of what every output and every page's checks
	 * depend on besides the content (stamp_fingerprint()'s global; 0:
	 * none), and the last build's findings: the checks then keep what
	 * they can (check_opts.key) and leave this build's in the
	 * pipeline's findings.
	 */
	unsigned long long global;
	const struct findings *findings;
};

struct pipeline {
	struct config cfg;
	struct site site;
	struct diag_list diags;	/* sorted after pipeline_load() */
	struct strv files;	/* every page's file name, sorted */
	/* With opts' global: the site's face (digest_site_face(); the
	 * render keys its files by it too), and each page's findings. */
	unsigned long long face;
	struct findings findings;
	size_t checked;		/* pages checked (the others' findings kept) */
	long today;		/* days since the epoch */
	double ms[STAGE__COUNT];	/* time each stage took */
	char error[512];	/* why pipeline_load() failed, when it did */
};

/*
 * Runs the shared stages.  Returns 0, or -1 when the content or the
 * configuration cannot be used (exit status 2): then pl->error says why,
 * or pl->diags holds the configuration's diagnostics.  Either way the
 * caller ends with pipeline_free().
 */
int pipeline_load(struct pipeline *pl, const struct pipeline_opts *o);
void pipeline_free(struct pipeline *pl);
/*
 * The end of a process's last model: not freed, since the process exits
 * next and the system takes it back at once, where freeing its million
 * allocations one by one costs 60 ms of a one-page rebuild and 120 ms of
 * a check at 10,000 pages.  It stays reachable (no leak to a leak
 * checker); sanitizer builds free it, so that their leak checks still
 * cover the model's freeing.
 */
void pipeline_leave(struct pipeline *pl);

/*
 * "Now" in days since the epoch: the --today date when given, else
 * SOURCE_DATE_EPOCH, else the clock.  -1 when either is malformed.
 */
long pipeline_today(const char *today);

/* Milliseconds from an arbitrary start, for stage timing. */
double pipeline_now_ms(void);

/* "config", "scan", ... */
const char *pipeline_stage_name(enum pipeline_stage st);

#endif
