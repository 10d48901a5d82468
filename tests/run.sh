#!/bin/sh
# The test suite: unit tests, golden cases, the shipped content, and the
# browser tests.  Prints one line per failure and ends with the totals
# "N passed, N failed".  Exit status 1 when anything failed.
#
# Environment: RUNBOOKC (the binary), UNIT (the unit-test binary),
# WRAP (a command to run both under, e.g. valgrind), SKIP_BROWSER=1.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
: "${RUNBOOKC:=$ROOT/runbookc}" "${UNIT:=$ROOT/build/unit-tests}" "${WRAP:=}"
export RUNBOOKC UNIT WRAP ROOT
TOUT=$ROOT/tests/out
rm -rf "$TOUT"; mkdir -p "$TOUT"
export TOUT
passed=0 failed=0

count() {	# count FILE: adds the "N passed, N failed" of a suite's last line
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed, .*/\2/')
	f=$(echo "$line" | sed -E 's/.* passed, ([0-9]+) failed.*/\1/')
	if [ -z "$line" ]; then p=0; f=1; echo "FAIL $2: no result line"; fi
	passed=$((passed + p)); failed=$((failed + f))
}

for suite in tests/suites/*.sh; do
	name=$(basename "$suite" .sh)
	case "$name" in browser) [ "${SKIP_BROWSER:-}" = 1 ] && continue ;; esac
	sh "$suite" > "$TOUT/$name.log" 2>&1
	grep -E '^(FAIL|not ok)' "$TOUT/$name.log" | sed "s/^/$name: /"
	tail -n 1 "$TOUT/$name.log"
	count "$TOUT/$name.log" "$name"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
