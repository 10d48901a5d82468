#!/bin/sh
# Browser tests: the fixture handbook (tests/browser/fixture) and a
# 400-page synthetic one (for the sharded search index) are built and
# opened from disk in headless Chromium through playwright-core, which the
# suite installs into tests/browser/node_modules from the committed lock
# file (no browser download: Debian's chromium is used).  Screenshots and
# the printed PDF land in tests/artifacts/ (not committed): look at them.
#
# Environment: CHROMIUM (default: chromium on PATH), ROOT, RUNBOOKC, TOUT.
# Without Chromium the suite says SKIP and counts nothing.
set -u
B=$ROOT/tests/browser
ART=$ROOT/tests/artifacts
SITE=$TOUT/browser-site
: "${CHROMIUM:=$(command -v chromium || command -v chromium-browser || true)}"
done_() { echo "browser: $1 passed, $2 failed"; exit 0; }

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
	echo "SKIP browser: no chromium (apt-get install chromium, or set CHROMIUM)"
	done_ 0 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "FAIL browser: chromium is here but node and npm are not"
	done_ 0 1
fi
if [ ! -f "$B/node_modules/playwright-core/package.json" ]; then
	(cd "$B" && { npm ci --no-audit --no-fund --loglevel=error ||
	    npm install --no-audit --no-fund --loglevel=error; }) >"$TOUT/npm.log" 2>&1 || {
		echo "FAIL browser: npm could not install playwright-core (see $TOUT/npm.log)"
		done_ 0 1
	}
fi
rm -rf "$SITE" "$ART"
mkdir -p "$ART"
if ! "$RUNBOOKC" build "$B/fixture" -o "$SITE" --today 2026-11-23 -q; then
	echo "FAIL browser: the fixture does not build"
	done_ 0 1
fi
# A 400-page synthetic handbook, for the sharded search index.
CORPUS=$TOUT/browser-corpus
build_corpus() {
	cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -o "$TOUT/gencorpus" \
	    "$ROOT/tests/bench/gencorpus.c" || return 1
	rm -rf "$CORPUS" && mkdir -p "$CORPUS" || return 1
	"$TOUT/gencorpus" 400 "$CORPUS/content" >/dev/null || return 1
	"$RUNBOOKC" build "$CORPUS/content" -o "$CORPUS/site" -q --force \
	    >/dev/null 2>&1
}
if ! build_corpus; then
	echo "FAIL browser: the synthetic corpus does not build"
	done_ 0 1
fi
cd "$B" || done_ 0 1
timeout 110 node test.mjs "$SITE" "$ART" "$CHROMIUM" "$CORPUS/site" > "$TOUT/browser-run.log" 2>&1
rc=$?
cat "$TOUT/browser-run.log"
if ! tail -n 1 "$TOUT/browser-run.log" | grep -q '^browser: '; then
	echo "FAIL browser: the test run ended early (exit $rc)"
	done_ 0 1
fi
