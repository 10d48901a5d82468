#!/bin/sh
# The command line as a user meets it: --help and the man page, usage
# errors and their hints, exit statuses, new → check → list, check FILE...,
# -v and -q, colour, --watch, make install into a DESTDIR, and the CI and
# alerting examples of docs/ci (and the README's copies of them).
#
# Runs against tests/cli/handbook (a small clean handbook with one
# warning) copied into $TOUT/cli.  Ends with "cli: N passed, N failed".
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/cli
FIX=$ROOT/tests/cli/handbook
MAN=$ROOT/src/runbookc.1
DAY=2026-11-23
rm -rf "$T"; mkdir -p "$T"
export NO_COLOR=1 RUNBOOKC_COMMIT= TZ=UTC
unset SOURCE_DATE_EPOCH

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# run NAME WANT ARGS...: runbookc ARGS in the current folder; keeps
# $T/NAME.out and $T/NAME.err; passes when the exit status is WANT.
run() {
	name=$1 want=$2
	shift 2
	$WRAP "$RUNBOOKC" "$@" > "$T/$name.out" 2> "$T/$name.err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok
	else
		bad "$name: exit $rc, want $want"
		sed 's/^/    /' "$T/$name.err" | head -5
	fi
}
# has NAME out|err PATTERN: the output matches the extended regex
has() {
	if grep -qE -- "$3" "$T/$1.$2"; then ok; else
		bad "$1: $2 has no line matching /$3/"
		sed 's/^/    /' "$T/$1.$2" | head -5
	fi
}
hasnt() {
	if grep -qE -- "$3" "$T/$1.$2"; then
		bad "$1: $2 should not match /$3/"
		grep -E -- "$3" "$T/$1.$2" | head -3 | sed 's/^/    /'
	else ok; fi
}
# same WHAT GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok; else
		bad "$1"
		printf '%s\n' "$3" > "$T/want.txt"
		printf '%s\n' "$2" | diff -u "$T/want.txt" - | head -20
	fi
}
fresh() {	# fresh DIR: a copy of the handbook at $T/DIR, made current
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	cp -R "$FIX/content" "$T/$1/content"
	cd "$T/$1" || exit 1
}

# ---- version, help, the man page -------------------------------------
cd "$T" || exit 1
version=$(sed -n 's/^VERSION *= *//p' "$ROOT/Makefile")
run version 0 --version
same "--version is the Makefile's VERSION" "$(cat "$T/version.out")" "runbookc $version"
run help 0 --help
for c in build check new list; do
	has help out "^  $c "
	run "help_$c" 0 "$c" --help
	has "help_$c" out "^usage: runbookc $c "
	run "help_cmd_$c" 0 help "$c"
	same "help $c is $c --help" "$(cat "$T/help_cmd_$c.out")" "$(cat "$T/help_$c.out")"
	# Every option of --help is in the man page, and so is the command.
	grep -q "^\.Cm $c\$" "$MAN" && ok || bad "man page: no .Cm $c"
	for o in $(grep -oE -- '--[a-z][a-z-]+' "$T/help_$c.out" | sort -u); do
		if grep -qE -- "Fl -${o#--}( |\$)" "$MAN"; then ok; else
			bad "man page: $c option $o missing"
		fi
	done
	for s in $(grep -oE -- '^  -[a-zA-Z],' "$T/help_$c.out" | tr -d ' ,-'); do
		if grep -qE -- "Fl $s( |\$)" "$MAN"; then ok; else
			bad "man page: $c option -$s missing"
		fi
	done
done
for r in $(grep -oE '^	\{ "[a-z-]+\.[a-z-]+",' "$ROOT/src/diag.c" | cut -d'"' -f2); do
	if grep -q "^\.It Li $r\$" "$MAN"; then ok; else bad "man page: rule $r missing"; fi
done
for s in "EXIT STATUS" "FRONT MATTER" CONFIGURATION ENVIRONMENT EXAMPLES; do
	grep -q "^\.Sh $s\$" "$MAN" && ok || bad "man page: no section $s"
done
if command -v mandoc >/dev/null 2>&1; then
	lint=$(mandoc -Tlint -Wwarning "$MAN" 2>&1 | grep -v 'mandoc.db')
	same "mandoc -Tlint is clean" "$lint" ""
elif command -v groff >/dev/null 2>&1; then
	lint=$(groff -mdoc -ww -z "$MAN" 2>&1)
	same "groff -ww is clean" "$lint" ""
fi

# ---- usage errors: exit 2, a message and a hint ----------------------
run usage_none 2
has usage_none err '^usage: runbookc COMMAND'
run usage_cmd 2 biuld
has usage_cmd err "unknown command 'biuld'"
has usage_cmd err "Did you mean 'build'"
has usage_cmd err "Try 'runbookc --help'"
run usage_opt 2 check --formt json
has usage_opt err "unknown option '--formt'"
has usage_opt err "Did you mean '--format'"
has usage_opt err "Try 'runbookc check --help'"
run usage_short 2 list -x
has usage_short err "unknown option '-x'"
run usage_other 2 check --watch
has usage_other err "'--watch' is not for check \(it is for: build\)"
run usage_value 2 build -o
has usage_value err "option '--out' needs a value"
run usage_novalue 2 check --werror=yes
has usage_novalue err "takes no value"
run usage_jobs 2 build -j 0
has usage_jobs err "-j wants a number from 1 to 256"
run usage_operand 2 list a b
has usage_operand err "unexpected operand 'b'"
run usage_new 2 new
has usage_new err "needs a PATH"
run usage_format 2 check "$FIX/content" --format xml
has usage_format err "unknown format 'xml'"
run usage_lformat 2 list "$FIX/content" --format sarif
has usage_lformat err "unknown format 'sarif' \(text, json\)"

# ---- exit statuses ---------------------------------------------------
fresh status
run st_clean 0 check content --today $DAY
has st_clean out '^content/web/http-5xx.md:6:16: warning: .*\[review.stale\]$'
has st_clean out '^3 files checked: 0 errors, 1 warning$'
run st_werror 1 check content --werror --today $DAY
run st_missing 2 check nosuch --today $DAY
has st_missing err 'nosuch: no such content folder'
run st_file 2 check content/db/kafka-lag.md --today $DAY
has st_file err 'kafka-lag.md: a file, not a content folder \(the folder comes first: CONTENT_DIR FILE...\)'
run st_noconfig 2 check content --config nosuch.yml --today $DAY
has st_noconfig err 'nosuch.yml:1:1: error: .*\[file.read\]'
mkdir -p badcfg/content && printf 'kinds: [\n' > badcfg/content/site.yml
run st_badconfig 2 check badcfg/content --today $DAY
has st_badconfig err 'badcfg/content/site.yml:[0-9]+:[0-9]+: error: .*\[yaml.syntax\]'
run st_today 2 check content --today 2026-02-30
has st_today err 'invalid date in --today'
export SOURCE_DATE_EPOCH=soon
run st_sde 2 check content
has st_sde err 'invalid date in SOURCE_DATE_EPOCH'
export SOURCE_DATE_EPOCH=1795392000	# 2026-11-23
run st_sde_ok 0 check content
has st_sde_ok out 'review.stale'
unset SOURCE_DATE_EPOCH
printf -- '---\ntitle: Broken link\nkind: guide\n---\n# Broken link\n\n[x](nope.md)\n' > content/guides/broken.md
run st_errors 1 check content --today $DAY
has st_errors out "^content/guides/broken.md:7:1: error: link target 'nope.md' does not exist.*\[link.broken\]$"
run st_build_errors 1 build content -o out --today $DAY
has st_build_errors err '1 error; out left unchanged \(--force builds anyway\)'
[ ! -e out ] && ok || bad "st_build_errors: out was written"
# ... nor the folders it would have gone in, nor anything beside them.
run st_build_errors_nested 1 build content -o new/deeper/out --today $DAY
[ ! -e new ] && ok || bad "st_build_errors_nested: folders made for out were left: $(find new | head -n 3)"
mkdir -p kept
run st_build_errors_kept 1 build content -o kept/deeper/out --today $DAY
[ -d kept ] && [ -z "$(ls -A kept)" ] && ok || bad "st_build_errors_kept: a folder that was there went, or one made stayed"
rmdir kept
run st_force 0 build content -o out --force -q --today $DAY
[ -f out/guides/broken.html ] && ok || bad "st_force: page not built"

# ---- -v, -q, grouped and attached options ----------------------------
fresh verbose
run verbose_check 0 check content -v --today $DAY
for s in config scan parse link check; do has verbose_check err "^runbookc: $s +[0-9]+\.[0-9] ms$"; done
run verbose_build 0 build content -o out -v --today $DAY
for s in render write; do has verbose_build err "^runbookc: $s +[0-9]+\.[0-9] ms$"; done
has verbose_build err '^runbookc: built 3 pages into out$'
run quiet_check 0 check content -q --today $DAY
hasnt quiet_check out 'warning:'
run quiet_build 0 build content -o out -q --today $DAY
hasnt quiet_build err 'warning:|built'
run grouped 0 check content -qv --today $DAY
hasnt grouped out 'warning:'
has grouped err '^runbookc: parse '
run attached 0 build content -oout2 --today=$DAY -q
[ -f out2/index.html ] && ok || bad "attached: -oout2 not honoured"
run longeq 0 build content --out=out3 -q --today $DAY
[ -f out3/index.html ] && ok || bad "longeq: --out=out3 not honoured"
run dashdash 0 check --today $DAY -- content
run help_anywhere 0 check content --today $DAY --help
has help_anywhere out '^usage: runbookc check'

# ---- new: scaffold, fail check until written, never overwrite --------
fresh new
run new_page 0 new db/disk-full --severity sev3 --owner data \
    --alert DiskFull -a DiskAlmostFull --today $DAY
same "new prints the file" "$(cat "$T/new_page.out")" "content/db/disk-full.md"
has new_page err 'runbookc check content content/db/disk-full.md'
# (tests/cli/expected/disk-full.md is also the README's example)
if cmp -s content/db/disk-full.md "$ROOT/tests/cli/expected/disk-full.md"; then ok; else
	bad "new did not write tests/cli/expected/disk-full.md"
	diff -u "$ROOT/tests/cli/expected/disk-full.md" content/db/disk-full.md | head -20
fi
run new_check 1 check content content/db/disk-full.md --today $DAY
for l in 10 14 18; do has new_check out "^content/db/disk-full.md:$l:1: error: .*\[section.empty\]$"; done
for l in 22 26; do has new_check out "^content/db/disk-full.md:$l:1: warning: .*\[section.empty\]$"; done
has new_check out '^1 file checked: 3 errors, 2 warnings$'
sed 's/^<!-- .* -->$/Written by the test./' content/db/disk-full.md > filled.md
cp filled.md content/db/disk-full.md
run new_filled 0 check content content/db/disk-full.md --today $DAY
same "a filled-in page is clean" "$(cat "$T/new_filled.out")" ""
sum=$(cksum < content/db/disk-full.md)
run new_again 1 new db/disk-full.md --title Other --today $DAY
has new_again err 'content/db/disk-full.md: already exists; not overwritten'
same "new leaves an existing file alone" "$(cksum < content/db/disk-full.md)" "$sum"
run new_prefixed 0 new content/db/prefixed.md -q --today $DAY
same "new content/x.md is content/x.md" "$(cat "$T/new_prefixed.out")" "content/db/prefixed.md"
[ -f content/db/prefixed.md ] && [ ! -e content/content ] && ok || bad "new_prefixed: wrong place"
run new_deep 0 new a/b/c/deep -q --today $DAY
[ -f content/a/b/c/deep.md ] && ok || bad "new_deep: folders not created"
same "new -q prints only the file" "$(cat "$T/new_deep.err")" ""
run new_min 0 new db/minimal --today $DAY
has new_min out 'content/db/minimal.md'
grep -qx 'severity:' content/db/minimal.md && grep -qx 'alerts: \[\]' content/db/minimal.md && ok ||
    bad "new_min: required fields not left empty"
run new_min_check 1 check content content/db/minimal.md --today $DAY
has new_min_check out "required field 'severity' is missing.*\[field.required\]"
has new_min_check out "required field 'owner' is missing.*\[field.required\]"
has new_min_check out "required field 'alerts' is missing.*\[field.required\]"
run new_guide 0 new guides/rotation --kind guide --title "Rota: who's on call" --owner web --today $DAY
same "new --kind guide" "$(cat content/guides/rotation.md)" "---
title: \"Rota: who's on call\"
kind: guide
owner: web
last_reviewed: $DAY
---
# Rota: who's on call"
run new_guide_check 0 check content content/guides/rotation.md --today $DAY
run new_badsev 2 new db/x --severity sev9 --today $DAY
has new_badsev err "severity 'sev9' is not one of sev1, sev2, sev3, sev4"
run new_badowner 2 new db/x --owner nobody --today $DAY
has new_badowner err "owner 'nobody' is not listed in content/site.yml"
run new_badkind 2 new db/x --kind recipe --today $DAY
has new_badkind err "kind 'recipe' is not one of runbook, policy, template, guide, checklist, index"
run new_badalert 2 new db/x --alert 9lives --today $DAY
has new_badalert err "alert id '9lives' does not match"
run new_outside 2 new ../x --today $DAY
run new_absolute 2 new /tmp/x --today $DAY
[ ! -e content/db/x.md ] && [ ! -e x.md ] && ok || bad "new: a refused page was written"
mkdir -p pt/content && printf 'language: pt-BR\n' > pt/content/site.yml
run new_pt 0 new pt/content incidente/fila --today $DAY
for h in Sintomas Diagnóstico Mitigação Verificação Escalonamento; do
	grep -qx "## $h" pt/content/incidente/fila.md && ok || bad "new_pt: no '## $h'"
done
grep -q '^<!-- O que o plantonista vê' pt/content/incidente/fila.md && ok || bad "new_pt: prompt not in Portuguese"
run new_pt_check 1 check pt/content --today $DAY
has new_pt_check out "section 'Sintomas' .*\[section.empty\]"

# ---- list ------------------------------------------------------------
cd "$FIX/.." || exit 1
run list_tsv 0 list handbook/content --today $DAY
TAB=$(printf '\t')
same "list prints tab-separated rows" "$(cat "$T/list_tsv.out")" "$(printf '%s\n' \
    "PATH${TAB}TITLE${TAB}KIND${TAB}SEVERITY${TAB}OWNER${TAB}ALERTS${TAB}LAST REVIEW${TAB}OVERDUE" \
    "handbook/content/db/kafka-lag.md${TAB}Kafka consumer lag${TAB}runbook${TAB}sev2${TAB}data${TAB}KafkaConsumerLagHigh${TAB}2026-10-01${TAB}no" \
    "handbook/content/guides/on-call.md${TAB}Being on call${TAB}guide${TAB}-${TAB}web${TAB}-${TAB}-${TAB}-" \
    "handbook/content/web/http-5xx.md${TAB}HTTP 5xx rate${TAB}runbook${TAB}sev1${TAB}web${TAB}HTTP5xxRateHigh${TAB}2026-01-05${TAB}yes")"
run list_early 0 list handbook/content --today 2026-02-01
has list_early out "http-5xx.md${TAB}.*${TAB}no\$"
run list_json 0 list handbook/content --format json --today $DAY
run list_build 0 build handbook/content -o "$T/list-site" -q --today $DAY
if cmp -s "$T/list_json.out" "$T/list-site/catalog.json" ||
    [ "$(cat "$T/list_json.out")" = "$(cat "$T/list-site/catalog.json")" ]; then
	ok
else
	bad "list --format json differs from the built catalog.json"
	diff "$T/list-site/catalog.json" "$T/list_json.out" | head -10
fi
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if len(d["pages"]) == 3 else 1)' \
	    "$T/list_json.out" && ok || bad "list --format json: not JSON with 3 pages"
fi

# ---- check FILE...: report the named pages, read the whole site ------
fresh files
printf -- '---\ntitle: Broken link\nkind: guide\n---\n# Broken link\n\n[x](nope.md)\n' > content/guides/broken.md
run files_one 1 check content content/guides/broken.md --today $DAY
has files_one out '^content/guides/broken.md:7:1: error: .*\[link.broken\]$'
hasnt files_one out 'http-5xx'
has files_one out '^1 file checked: 1 error, 0 warnings$'
# kafka-lag links into guides/on-call.md, which is not named: still found.
run files_good 0 check content content/db/kafka-lag.md --today $DAY
same "a clean named page prints nothing" "$(cat "$T/files_good.out")" ""
run files_rel 1 check content guides/broken.md ./content/web/http-5xx.md --today $DAY
has files_rel out 'broken.md:7:1: error'
has files_rel out 'http-5xx.md:6:16: warning'
run files_skip 0 check content README.md content/site.yml --today $DAY
has files_skip err '^runbookc: README.md: not a page of content; skipped$'
has files_skip err '^runbookc: content/site.yml: not a page of content; skipped$'
run files_json 1 check content content/guides/broken.md --format json --today $DAY
has files_json out '"summary":\{"files":1,"errors":1,"warnings":0\}'

# ---- colour on a terminal only, never with NO_COLOR ------------------
fresh tty
if script -qec true /dev/null > /dev/null 2>&1; then
	ESC=$(printf '\033')
	env -u NO_COLOR TERM=xterm script -qec "'$RUNBOOKC' check content --today $DAY" /dev/null > "$T/tty_color.out" 2>&1
	has tty_color out "$ESC\\["
	NO_COLOR=1 TERM=xterm script -qec "'$RUNBOOKC' check content --today $DAY" /dev/null > "$T/tty_nocolor.out" 2>&1
	hasnt tty_nocolor out "$ESC"
	has tty_nocolor out 'warning: .*\[review.stale\]'
	env -u NO_COLOR TERM=dumb script -qec "'$RUNBOOKC' check content --today $DAY" /dev/null > "$T/tty_dumb.out" 2>&1
	hasnt tty_dumb out "$ESC"
	NO_COLOR=1 TERM=xterm script -qec "'$RUNBOOKC' list content --today $DAY" /dev/null > "$T/tty_list.out" 2>&1
	has tty_list out '^PATH  +TITLE  +KIND  +SEVERITY  +OWNER  +ALERTS  +LAST REVIEW  +OVERDUE'
	hasnt tty_list out "$TAB"
	has tty_list out '^content/web/http-5xx.md  +HTTP 5xx rate  +runbook  +sev1 .* yes'
	env -u NO_COLOR TERM=xterm script -qec "'$RUNBOOKC' list content --today $DAY" /dev/null > "$T/tty_list_color.out" 2>&1
	has tty_list_color out "${ESC}\\[1;31myes"
else
	echo "cli: script(1) not available; terminal tests skipped"
fi
# Not a terminal: never colour, whatever NO_COLOR says.
env -u NO_COLOR "$RUNBOOKC" check content --today $DAY > "$T/pipe.out" 2>&1
hasnt pipe out "$(printf '\033')"

# ---- build --watch -----------------------------------------------------
fresh watch
# wait_for FILE PATTERN: up to 30 seconds (builds are slow under valgrind)
wait_for() {
	i=0
	while [ $i -lt 300 ]; do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
timeout 120 $WRAP "$RUNBOOKC" build content -o out --watch --today $DAY \
    > "$T/watch.out" 2> "$T/watch.err" &
wpid=$!
if wait_for "$T/watch.err" 'watching content for changes'; then ok; else bad "watch: never started"; fi
has watch err '^runbookc: [0-9]{2}:[0-9]{2}:[0-9]{2} built 3 pages into out in [0-9]+ ms \(1 warning\)$'
printf '\nAdded while watching.\n' >> content/db/kafka-lag.md
if wait_for "$T/watch.err" '^runbookc: [0-9:]{8} content/db/kafka-lag.md: built 3 pages'; then ok; else
	bad "watch: no rebuild line after an edit"; tail -3 "$T/watch.err"
fi
grep -q 'Added while watching' out/db/kafka-lag.html && ok || bad "watch: the edit is not in out/"
printf -- '---\ntitle: Broken\nkind: guide\n---\n# Broken\n\n[x](nope.md)\n' > content/db/broken.md
if wait_for "$T/watch.err" '^runbookc: [0-9:]{8} content/db/broken.md: 1 error; out left unchanged'; then ok; else
	bad "watch: no line for a failed rebuild"; tail -3 "$T/watch.err"
fi
[ ! -e out/db/broken.html ] && ok || bad "watch: a failed build changed out/"
rm content/db/broken.md
wait_for "$T/watch.err" 'content/db/broken.md: built 3 pages' && ok || bad "watch: no rebuild after a delete"
n=$(grep -cE '^runbookc: [0-9:]{8} ' "$T/watch.err")
touch content/.hidden.swp content/db/kafka-lag.md~ content/db/'#kafka-lag.md#'
sleep 1
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
same "watch: editor files start no build" "$(grep -cE '^runbookc: [0-9:]{8} ' "$T/watch.err")" "$n"
[ "$n" -ge 4 ] && ok || bad "watch: $n build lines for 4 builds"

# ---- make install / uninstall into a DESTDIR -------------------------
if [ -x "$ROOT/runbookc" ] && command -v make > /dev/null 2>&1; then
	D=$T/dest
	(unset MAKEFLAGS MAKELEVEL; make -s -C "$ROOT" -o runbookc install DESTDIR="$D" PREFIX=/opt/rb) \
	    > "$T/install.out" 2>&1 && ok || { bad "make install failed"; head -5 "$T/install.out"; }
	[ -x "$D/opt/rb/bin/runbookc" ] && ok || bad "install: no $D/opt/rb/bin/runbookc"
	[ -f "$D/opt/rb/share/man/man1/runbookc.1" ] && ok || bad "install: no man page"
	same "the installed binary runs" "$("$D/opt/rb/bin/runbookc" --version 2>&1)" "runbookc $version"
	(unset MAKEFLAGS MAKELEVEL; make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/opt/rb) \
	    > "$T/uninstall.out" 2>&1 && ok || bad "make uninstall failed"
	[ -z "$(find "$D" -type f)" ] && ok || bad "uninstall left files: $(find "$D" -type f)"
else
	echo "cli: $ROOT/runbookc or make missing; install test skipped"
fi

# ---- docs/ci: the CI and alerting examples ---------------------------
CI=$ROOT/docs/ci
yaml_ok() {
	if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
		python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$1" 2> "$T/yaml.err"
	else
		# runbookc's own YAML loader, through --config: only syntax counts.
		mkdir -p "$T/empty"
		"$RUNBOOKC" check "$T/empty" --config "$1" > "$T/yaml.err" 2>&1
		! grep -q 'yaml.syntax' "$T/yaml.err"
	fi
}
for f in "$CI"/*.yml "$CI"/*.yaml; do
	if yaml_ok "$f"; then ok; else bad "$(basename "$f"): not valid YAML"; head -3 "$T/yaml.err"; fi
done
sh -n "$CI/pre-commit" && ok || bad "pre-commit: sh -n"
if command -v bash >/dev/null 2>&1; then bash -n "$CI/pre-commit" && ok || bad "pre-commit: bash -n"; fi
if command -v shellcheck >/dev/null 2>&1; then
	shellcheck -s sh "$CI/pre-commit" > "$T/shellcheck.out" 2>&1 && ok || { bad "pre-commit: shellcheck"; head -10 "$T/shellcheck.out"; }
fi
[ -x "$CI/pre-commit" ] && ok || bad "pre-commit is not executable"

# The pre-commit hook, as the framework calls it (file names given).
fresh hook
printf -- '---\ntitle: Broken link\nkind: guide\n---\n# Broken link\n\n[x](nope.md)\n' > content/guides/broken.md
RUNBOOKC=$RUNBOOKC "$CI/pre-commit" content/guides/broken.md content/site.yml > "$T/hook_bad.out" 2>&1
same "pre-commit refuses a broken page" "$?" 1
has hook_bad out '^content/guides/broken.md:7:1: error: .*\[link.broken\]'
RUNBOOKC=$RUNBOOKC "$CI/pre-commit" content/db/kafka-lag.md > "$T/hook_good.out" 2>&1
same "pre-commit passes a clean page" "$?" 0
RUNBOOKC=$RUNBOOKC "$CI/pre-commit" content/site.yml > "$T/hook_none.out" 2>&1
same "pre-commit ignores non-pages" "$?:$(cat "$T/hook_none.out")" "0:"
# The pre-commit framework's entry, with the file names it appends.
entry=$(sed -n 's/^ *entry: *//p' "$CI/pre-commit-config.yaml")
mkdir -p "$T/bin" && ln -sf "$RUNBOOKC" "$T/bin/runbookc"
# shellcheck disable=SC2086
PATH=$T/bin:$PATH $entry content/guides/broken.md > "$T/precommit_fw.out" 2>&1
same "pre-commit-config entry refuses a broken page" "$?" 1

# The GitHub Actions and GitLab CI steps that run runbookc, on the handbook
# (on 2026-11-23, so that its review dates stay what they are).
export SOURCE_DATE_EPOCH=1795392000
ci_steps() {	# the single-line runbookc commands of a CI file
	sed -n 's/^ *\(- \)\{0,1\}\(run: \)\{0,1\}\(runbookc .*\)$/\3/p' "$1"
}
for f in github-actions.yml gitlab-ci.yml; do
	fresh "ci-${f%.yml}"
	steps=$(ci_steps "$CI/$f")
	[ -n "$steps" ] && ok || bad "$f: no runbookc steps found"
	printf '%s\n' "$steps" | while IFS= read -r step; do
		PATH=$T/bin:$PATH sh -c "$step" > "$T/step.out" 2>&1
		rc=$?
		case $rc in 0) ;; *) echo "FAIL $f: '$step' exit $rc"; head -3 "$T/step.out" ;; esac
	done > "$T/ci-$f.log"
	if [ -s "$T/ci-$f.log" ]; then bad "$f steps"; cat "$T/ci-$f.log"; else ok; fi
done
cd "$T/ci-github-actions" || exit 1
PATH=$T/bin:$PATH runbookc check content --format github --today $DAY > "$T/gh.out" 2>&1
has gh out '^::warning file=content/web/http-5xx.md,line=6,col=16'
[ -f runbookc.sarif ] && ok || bad "github-actions: no runbookc.sarif"
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["version"] == "2.1.0" else 1)' \
	    runbookc.sarif && ok || bad "github-actions: runbookc.sarif is not SARIF 2.1.0"
fi
[ -f out/index.html ] && ok || bad "github-actions: the site was not built"
cd "$T/ci-gitlab-ci" || exit 1
[ -f runbookc-junit.xml ] && ok || bad "gitlab-ci: no runbookc-junit.xml"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout runbookc-junit.xml && ok || bad "gitlab-ci: the JUnit report is not XML"
fi
grep -q '<testcase' runbookc-junit.xml && ok || bad "gitlab-ci: no test cases"
[ -f public/index.html ] && ok || bad "gitlab-ci: the Pages site was not built"
unset SOURCE_DATE_EPOCH

# Prometheus rules: every alert has a runbook, and runbook_url is the
# alert's stable page under the handbook's base_url (as alerts.json says).
cd "$FIX" || exit 1
run rules 0 check content --alert-rules "$CI/prometheus-rules.yml" --today $DAY
hasnt rules out 'alert\.(uncovered|unknown)'
run rules_build 0 build content -o "$T/rules-site" -q --today $DAY
base=$(sed -n 's/^base_url: *//p' content/site.yml)
for url in $(sed -n 's/^ *runbook_url: *//p' "$CI/prometheus-rules.yml"); do
	id=$(basename "$url" .html)
	grep -qF "\"$url\"" "$T/rules-site/alerts.json" && ok || bad "runbook_url $url is not in alerts.json"
	[ -f "$T/rules-site/alerts/$id.html" ] && ok || bad "no alerts/$id.html for $url"
	case $url in "${base}alerts/"*) ok ;; *) bad "runbook_url $url is not under $base" ;; esac
done
# The README's look-ups: alerts.json with jq, overdue reviews with awk.
if command -v jq > /dev/null 2>&1; then
	same "README: jq on alerts.json" "$(jq -r '.KafkaConsumerLagHigh' "$T/rules-site/alerts.json")" \
	    "${base}alerts/KafkaConsumerLagHigh.html"
fi
same "README: list | awk for overdue reviews" \
    "$("$RUNBOOKC" list content --today $DAY | awk -F'\t' '$8 == "yes" { print $5, $1 }')" \
    "web content/web/http-5xx.md"
grep -qF "${base}alerts/{{ .Labels.alertname }}.html" "$CI/alertmanager.yml" && ok ||
    bad "alertmanager.yml does not link ${base}alerts/ALERTNAME.html"

# The README shows these files: its copies must be the files.
export T
awk '
	/^<!-- file: / { file = $3; next }
	file != "" && /^```/ {
		if (inside) { close(out); file = ""; inside = 0 }
		else { inside = 1; out = ENVIRON["T"] "/readme-" (n + 0); print file > (ENVIRON["T"] "/readme-files"); n++ }
		next
	}
	inside { print > out }
' "$ROOT/README.md"
if [ -f "$T/readme-files" ]; then
	i=0
	while IFS= read -r f; do
		if cmp -s "$ROOT/$f" "$T/readme-$i"; then ok; else
			bad "README's copy of $f differs from the file"
			diff "$ROOT/$f" "$T/readme-$i" | head -5
		fi
		i=$((i + 1))
	done < "$T/readme-files"
else
	bad "README shows none of docs/ci (<!-- file: ... --> blocks)"
fi

# The progress line: on a terminal only, erased when the build ends.
# (RUNBOOKC_PROGRESS_AFTER=0 shows it from the start, for a small site.)
cp -r "$FIX" "$T/prog"
RUNBOOKC_PROGRESS_AFTER=0 $WRAP "$RUNBOOKC" build "$T/prog" -o "$T/prog-out" --today $DAY > /dev/null 2> "$T/prog.err"
if grep -q "$(printf '\r')" "$T/prog.err"; then bad "progress: drawn on a file"; else ok; fi
if command -v script > /dev/null 2>&1; then
	rm -rf "$T/prog-out"
	RUNBOOKC_PROGRESS_AFTER=0 script -qec "$WRAP '$RUNBOOKC' build '$T/prog' -o '$T/prog-out' --today $DAY" /dev/null > "$T/prog.tty" 2>&1
	tr '\r' '\n' < "$T/prog.tty" > "$T/prog.lines"
	if grep -qE '^runbookc: (read|parse|render)' "$T/prog.lines"; then ok; else bad "progress: no line on a terminal"; fi
	if grep -q "built .* pages into" "$T/prog.lines" && ! grep -qE '^runbookc: (read|parse|link|check|render|write)[^a-z].*built' "$T/prog.lines"; then ok; else bad "progress: the line was not erased before the last message"; fi
fi

echo "cli: $pass passed, $fail failed"
