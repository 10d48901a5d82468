#!/bin/sh
# Real collections, unedited: every tests/corpora/NAME.yml names the
# collections it configures (lines "# corpus: DIR", relative to
# ../shared/corpora) and optionally their alert rules ("# alert-rules:
# GLOB").  Each collection is checked and built (--force) with that file
# as --config; each must finish with exit 0 or 1 (never 2, a crash or a
# hang), and a few things each collection is known for are asserted in
# the output.  Prints one summary line per collection: pages, findings by
# rule, check and build time.  Skips when the corpora are absent.
set -u
: "${WRAP:=}"
pass=0 fail=0
CORPORA=$ROOT/../shared/corpora
T=$TOUT/corpora
rm -rf "$T"; mkdir -p "$T"
export NO_COLOR=1 RUNBOOKC_COMMIT=

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -d "$CORPORA" ]; then
	echo "corpora: $CORPORA not found; skipped"
	echo "corpora: 0 passed, 0 failed"
	exit 0
fi

ms() { date +%s%N | cut -c1-13; }

# The collections a site.yml is for.  Files that do not say fall back on
# their name.
corpora_of() {
	list=$(sed -n 's/^# corpus: *//p' "$1")
	if [ -z "$list" ]; then
		case $(basename "$1" .yml) in
		openshift) list=openshift-runbooks/repo ;;
		kube-prometheus) list=prometheus-operator-runbooks/repo/content ;;
		esac
	fi
	echo "$list"
}

rules_of() {
	globs=$(sed -n 's/^# alert-rules: *//p' "$1")
	if [ -z "$globs" ]; then
		case $(basename "$1" .yml) in
		openshift) globs='openshift-cluster-monitoring-operator/repo/assets/*/*.yaml' ;;
		kube-prometheus) globs='prometheus-operator-kube-prometheus/repo/manifests/*.yaml' ;;
		esac
	fi
	for g in $globs; do
		# shellcheck disable=SC2086
		for f in $CORPORA/$g; do [ -f "$f" ] && printf ' --alert-rules %s' "$f"; done
	done
}

# expect_in FILE PATTERN WHAT: a known property of a collection's output
expect_in() { if grep -qE "$2" "$1" 2>/dev/null; then ok; else bad "$3"; fi; }
expect_not() { if grep -qE "$2" "$1" 2>/dev/null; then bad "$3"; else ok; fi; }
expect_file() { if [ -f "$1" ]; then ok; else bad "$2"; fi; }
expect_none() {	# expect_none DIR NAME-GLOB WHAT
	if [ -z "$(find "$1" -name "$2" | head -1)" ]; then ok; else bad "$3"; fi
}

printf '%-44s %6s %6s %6s %8s %8s  %s\n' collection pages errors warns check_ms build_ms "findings by rule"
for yml in "$ROOT"/tests/corpora/*.yml; do
	[ -f "$yml" ] || continue
	name=$(basename "$yml" .yml)
	for c in $(corpora_of "$yml"); do
		dir=$CORPORA/$c
		if [ ! -d "$dir" ]; then
			echo "corpora: $c not found; skipped"
			continue
		fi
		tag=$(echo "$c" | cut -d/ -f1)
		out=$T/$tag
		rules=$(rules_of "$yml")
		t0=$(ms)
		# shellcheck disable=SC2086
		timeout 300 $WRAP "$RUNBOOKC" check "$dir" --config "$yml" \
		    --format json --today 2026-11-23 $rules > "$out.json" 2> "$out.check.err"
		rc=$?
		t1=$(ms)
		case $rc in
		0|1) ok ;;
		*) bad "$name/$tag: check exit $rc"; head -5 "$out.check.err" ;;
		esac
		t2=$(ms)
		# shellcheck disable=SC2086
		timeout 300 $WRAP "$RUNBOOKC" build "$dir" --config "$yml" -o "$out.site" \
		    --force -q --today 2026-11-23 > "$out.build.out" 2> "$out.build.err"
		brc=$?
		t3=$(ms)
		case $brc in
		0|1) ok ;;
		*) bad "$name/$tag: build exit $brc"; grep -v '^\.\./' "$out.build.err" | head -5 ;;
		esac
		expect_file "$out.site/index.html" "$name/$tag: no index.html"
		# Nothing may be refused as unreadable: every file is as it came.
		expect_not "$out.json" '"rule":"(file\.read|yaml\.syntax|encoding\.utf8)"' \
		    "$name/$tag: a file was not read"
		pages=$(sed -n 's/.*"summary":{"files":\([0-9]*\).*/\1/p' "$out.json")
		errs=$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' "$out.json")
		warns=$(sed -n 's/.*"warnings":\([0-9]*\).*/\1/p' "$out.json")
		by_rule=$(grep -o '"rule":"[^"]*"' "$out.json" | cut -d'"' -f4 | sort | uniq -c |
		    awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }')
		printf '%-44s %6s %6s %6s %8s %8s  %s\n' "$c" "${pages:-?}" "${errs:-?}" \
		    "${warns:-?}" $((t1 - t0)) $((t3 - t2)) "${by_rule:-none}"
		# What each collection is known for.
		case $tag in
		prometheus-operator-runbooks)
			expect_in "$out.site/runbooks/node/NodeFilesystemAlmostOutOfSpace.html" \
			    'href="NodeFilesystemFilesFillingUp.html"' "$tag: Hugo ref not a link"
			expect_not "$out.json" 'NodeFilesystemFilesFillingUp.md.*link' \
			    "$tag: Hugo ref reported as a broken link" ;;
		kubevirt-monitoring)
			expect_not "$out.site/runbooks/NoReadyVirtAPI.html" \
			    'Customer Portal' "$tag: HTML comment rendered"
			expect_file "$out.site/runbooks/NoReadyVirtAPI.html" "$tag: page not built"
			expect_not "$out.json" '"rule":"link\.' "$tag: link inside an HTML comment checked" ;;
		mattrussi-gitlab-com-runbooks)
			expect_not "$out.site/docs/nat/index.html" '\[\[_TOC_\]\]' "$tag: [[_TOC_]] rendered"
			expect_file "$out.site/docs/nat/index.html" "$tag: README.md is not the folder page" ;;
		alphagov-govuk-developer-docs)
			# (one page is named x.html.html.md upstream: x.html.html is right)
			expect_none "$out.site/manual" 'running-rake-tasks.html.html' "$tag: x.html.md built as x.html.html"
			expect_file "$out.site/manual/running-rake-tasks.html" "$tag: manual/running-rake-tasks.html.md not built as .html"
			expect_in "$out.site/kubernetes/cheatsheet.html" \
			    'href="../manual/running-rake-tasks.html#' "$tag: site-absolute link not made relative"
			expect_not "$out.json" "'/manual/running-rake-tasks.html' does not exist" \
			    "$tag: site-absolute link to x.html.md reported broken" ;;
		alphagov-mirror-govuk-developer-docs)
			expect_none "$out.site/manual" 'ab-testing.html.html' "$tag: x.html.md built as x.html.html"
			expect_file "$out.site/manual/ab-testing.html" "$tag: manual/ab-testing.html.md not built" ;;
		esac
	done
done
echo "corpora: $pass passed, $fail failed"
