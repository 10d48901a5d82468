#!/bin/sh
# Golden cases: tests/cases/NAME/ holds
#   content/        the input folder
#   cmd             optional: the command line after "runbookc" (default:
#                   "check content"); "--today 2026-11-23" is always added
#   expected.txt    the expected stdout and stderr, then "exit N"
#   expected/       optional: files the build must write, byte for byte
#                   (the build runs "build content -o OUT --force" when
#                   present, so a case with errors still shows its output)
# UPDATE=1 rewrites the expectations from the current output; ONLY=GLOB
# runs the matching cases alone.
set -u
: "${WRAP:=}"
pass=0 fail=0
export SOURCE_DATE_EPOCH=1795392000 RUNBOOKC_COMMIT= NO_COLOR=1 TZ=UTC
for dir in "$ROOT"/tests/cases/*/; do
	name=$(basename "$dir")
	case "$name" in ${ONLY:-*}) ;; *) continue ;; esac
	cd "$dir" || continue
	cmd="check content"
	[ -f cmd ] && cmd=$(cat cmd)
	# shellcheck disable=SC2086
	got=$($WRAP "$RUNBOOKC" $cmd --today 2026-11-23 2>&1; echo "exit $?")
	if [ "${UPDATE:-}" = 1 ]; then
		printf '%s\n' "$got" > expected.txt
	fi
	if [ "$got" = "$(cat expected.txt)" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $name"
		printf '%s\n' "$got" | diff -u expected.txt - | head -40
	fi
	if [ -d expected ]; then
		out="$TOUT/golden-$name"
		rm -rf "$out"
		$WRAP "$RUNBOOKC" build content -o "$out" --today 2026-11-23 \
		    --force -q >/dev/null 2>&1
		if [ "${UPDATE:-}" = 1 ]; then
			(cd expected && find . -type f) | while read -r f; do
				cp "$out/$f" "expected/$f"
			done
		fi
		bad=0
		for f in $(cd expected && find . -type f | sort); do
			if ! cmp -s "expected/$f" "$out/$f"; then
				bad=1
				echo "FAIL $name: $f differs"
				diff -u "expected/$f" "$out/$f" | head -30
			fi
		done
		if [ $bad = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	fi
done
echo "golden: $pass passed, $fail failed"
