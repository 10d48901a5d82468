#!/bin/sh
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) with a seed
# corpus made from content/, tests/ and ../shared/corpora.  Findings
# (crash-*, leak-*, timeout-*) land in build-fuzz/findings/TARGET/; turn
# each one into a regression case under tests/.
set -eu
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SECONDS:-60}
B=build-fuzz
CORPORA=../shared/corpora
seed() {	# seed TARGET FILES...: copy seeds (at most 64 KB each)
	dir=$B/corpus/$1; shift
	mkdir -p "$dir"
	for f in "$@"; do
		[ -f "$f" ] || continue
		[ "$(wc -c < "$f")" -le 65536 ] || continue
		cp "$f" "$dir/$(echo "$f" | cksum | cut -d' ' -f1)"
	done
}
md=$(find content tests/cases -name '*.md' 2>/dev/null | head -300)
cmd=$(find "$CORPORA" -name '*.md' 2>/dev/null | head -300)
yml=$(find content tests "$CORPORA" -name '*.yml' -o -name '*.yaml' 2>/dev/null | head -200)
seed fuzz_page $md $cmd
seed fuzz_frontmatter $md $yml
seed fuzz_config $(find content tests -name 'site.yml' -o -name '*.yml' 2>/dev/null | grep -v node_modules | head -100)
seed fuzz_template themes/default/*.mustache
seed fuzz_diag $md
rules=$( (find tests/cases -path '*/rules/*'; find "$CORPORA" -path '*rules*' \
    \( -name '*.yml' -o -name '*.yaml' \)) 2>/dev/null | head -100)
seed fuzz_alertrules $rules
seed fuzz_userrules $md
status=0
for t in ${FUZZ_ONLY:-fuzz_frontmatter fuzz_config fuzz_page fuzz_template fuzz_diag \
    fuzz_alertrules fuzz_userrules}; do
	mkdir -p "$B/findings/$t"
	echo "== $t for ${SECS}s"
	if ! "$B/$t" -max_total_time="$SECS" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$B/findings/$t/" \
	    -print_final_stats=1 "$B/corpus/$t" 2> "$B/$t.log"; then
		status=1
		echo "FINDING in $t: see $B/findings/$t and $B/$t.log"
	fi
	grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$B/$t.log" || true
done
exit $status
