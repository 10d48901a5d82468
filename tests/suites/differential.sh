#!/bin/sh
# Differential incremental builds: a seeded random walk of the edits a
# writer (and a careless hand in out/) makes.  Each step applies 1-3
# mutations, then builds incrementally into out/ and cold into a fresh
# folder: the two sites (the stamp included), exit statuses and
# diagnostics must be the same.  Deterministic for a seed: the PRNG is
# an LCG in shell arithmetic, and every file an edit touches gets an mtime
# of its own (BASE + a counter), so a same-size edit within one second
# tests the tool, not the clock.
#
# The stamp is compared too, fingerprint and all: both builds read the
# content folder by the same name (the fingerprint mixes it in, not the
# out folder's name; atomic.sh compares builds of two folders and so
# leaves that line out).
#
# DIFF_SEED (default 9) and DIFF_STEPS (default 40) override the walk.
# On a divergence the suite stops (later steps would be meaningless) and
# keeps the trees: $T/out, $T/cold, the input in $T/repo, and in $T/log
# every step's mutations so far.  A walk is replayed exactly by running
# the suite again with the same DIFF_SEED and DIFF_STEPS.
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/differential
rm -rf "$T"; mkdir -p "$T"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
export SOURCE_DATE_EPOCH=1795392000 RUNBOOKC_COMMIT='' NO_COLOR=1 LC_ALL=C
seed=${DIFF_SEED:-9}
steps=${DIFF_STEPS:-40}
BASE=1700000000

cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -o "$T/gencorpus" "$ROOT/tests/bench/gencorpus.c" || { echo "differential: 0 passed, 1 failed"; exit 0; }
R=$T/repo
C=$R/content
mkdir -p "$R"
"$T/gencorpus" 40 "$C"
mkdir -p "$R/scripts" "$R/theme" "$C/scripts"
cp "$ROOT/themes/default/page.mustache" "$R/theme/page.mustache"
printf 'theme: ../theme\nscripts:\n  require_executable: true\n' >> "$C/site.yml"
# User rules: their findings are kept per page like the checks' (the
# marker comment lets m_site find the severity line).
cat >> "$C/site.yml" <<'YML'
rules:
  - id: no-fixme
    pattern: 'FIXME'
    message: unfinished
    severity: warning # no-fixme
    scope: [text, code, headings]
  - id: api-tbd
    pattern: '\bTBD\b'
    message: to be decided
    severity: error
    scope: all
    paths: ["api/**", "extra/**"]
YML
# Scripts above the content root and at it, referenced from pages (a
# script is looked up in the page's folder, the root, then above it).
printf '#!/bin/sh\necho deploy\n' > "$R/scripts/deploy.sh"
printf '#!/bin/sh\necho check\n' > "$C/scripts/check.sh"
chmod +x "$R/scripts/deploy.sh" "$C/scripts/check.sh"
printf '\nRode %sscripts/deploy.sh%s e depois %sscripts/check.sh%s.\n' '`' '`' '`' '`' >> "$C/api/runbook-00002.md"
printf '\nRode %sscripts/deploy.sh%s.\n' '`' '`' >> "$C/kafka/runbook-00013.md"
awk 'NR == 2 { print "scripts: [scripts/check.sh]" } { print }' "$C/auth/runbook-00017.md" > "$T/tmp" && cat "$T/tmp" > "$C/auth/runbook-00017.md"

# The PRNG: rand N sets r to 0..N-1.  Never call it in $(...): the state
# would not advance.
rng=$((seed % 2147483648))
rand() {
	rng=$(((rng * 1103515245 + 12345) % 2147483648))
	r=$(((rng / 65536) % $1))
}
tick=0
stamp() {	# stamp FILE...: a new mtime of its own
	tick=$((tick + 1))
	touch -d "@$((BASE + tick))" "$@"
}
note() { what="$what${what:+; }$*"; }
pick() {	# pick FILE: a random line of FILE into $pk (status 1: FILE is empty)
	n=$(wc -l < "$1")
	[ "$n" -gt 0 ] || return 1
	rand "$n"
	pk=$(sed -n "$((r + 1))p" "$1")
}
pick_page() {	# a random page into $pg (relative to the content root)
	(cd "$C" && find . -name '*.md' | sed 's|^\./||' | LC_ALL=C sort) > "$T/pages"
	pick "$T/pages" && pg=$pk
}
up() {	# up PATH: $pre, the ../ from PATH's folder to the content root
	pre=
	d=$(printf '%s' "$1" | tr -cd / | wc -c)
	while [ "$d" -gt 0 ]; do pre="../$pre"; d=$((d - 1)); done
}
put() {	# put FILE: $T/tmp becomes FILE, in place or as a new inode
	rand 2
	if [ $r = 0 ]; then cat "$T/tmp" > "$1"; rm -f "$T/tmp"; else mv "$T/tmp" "$1"; fi
	stamp "$1"
}
word() {	# a random word into $w
	rand 12
	set -- latência fila réplica timeout cache deploy rollback disco DNS token índice backup
	shift "$r"
	w=$1
}
SECTIONS="database kafka api storage network auth billing search mobile observability platform security extra extra/fundo"
section() {	# a random section folder into $sec
	rand 14
	# shellcheck disable=SC2086
	set -- $SECTIONS
	shift "$r"
	sec=$1
}
fm_set() {	# fm_set FILE KEY VALUE: set (or add) KEY in the front matter
	awk -v k="$2" -v v="$3" '
	    NR == 1 && $0 == "---" { fm = 1; print; next }
	    fm && $0 == "---" { if (!done) print k ": " v; fm = 0; print; next }
	    fm && index($0, k ":") == 1 { if (!done) print k ": " v; done = 1; next }
	    { print }' "$1" > "$T/tmp" && put "$1"
}
fm_del() {	# fm_del FILE KEY
	awk -v k="$2" '
	    NR == 1 && $0 == "---" { fm = 1; print; next }
	    fm && $0 == "---" { fm = 0 }
	    fm && index($0, k ":") == 1 { next }
	    { print }' "$1" > "$T/tmp" && put "$1"
}
body_lines() {	# body_lines FILE ERE: numbers of the body's lines matching ERE
	awk -v re="$2" '
	    NR == 1 && $0 == "---" { fm = 1; next }
	    fm && $0 == "---" { fm = 0; next }
	    !fm && $0 ~ re { print NR }' "$1" > "$T/lines"
}

# --- The mutations: each notes what it did, or returns 1 if it could not.
m_para_append() {
	pick_page || return 1
	rand 6
	case $r in 0) w=FIXME ;; 1) w=TBD ;; *) word ;; esac
	printf '\nParágrafo novo %s sobre %s e mais %s.\n' "$tick" "$w" "$tick" >> "$C/$pg"
	stamp "$C/$pg"
	note "append paragraph ($w) to $pg"
}
m_para_edit() {
	pick_page || return 1
	body_lines "$C/$pg" 'FIXME|TBD' && pick "$T/lines" && rand 2 && [ $r = 0 ] && {
		awk -v n="$pk" 'NR != n' "$C/$pg" > "$T/tmp"
		put "$C/$pg"
		note "line $pk of $pg, with a rule's match, removed"
		return 0
	}
	body_lines "$C/$pg" '^[a-z]' && pick "$T/lines" || return 1
	rand 3
	if [ $r = 0 ]; then	# the same size: the first letter upper-cased
		awk -v n="$pk" 'NR == n { $0 = toupper(substr($0, 1, 1)) substr($0, 2) } { print }' "$C/$pg" > "$T/tmp"
		note "same-size edit of line $pk of $pg"
	else
		word
		awk -v n="$pk" -v w="$w" 'NR == n { sub(/ [a-z]+ /, " " w " ") } { print }' "$C/$pg" > "$T/tmp"
		note "word changed to $w on line $pk of $pg"
	fi
	put "$C/$pg"
}
m_heading() {
	pick_page || return 1
	body_lines "$C/$pg" '^#+ ' && pick "$T/lines" || return 1
	rand 8
	case $r in
	[0-4])	awk -v n="$pk" 'NR == n { if (!sub(/ detalhado$/, "")) $0 = $0 " detalhado" } { print }' "$C/$pg" > "$T/tmp"
		note "heading on line $pk of $pg: ' detalhado' toggled" ;;
	[56])	awk -v n="$pk" 'NR == n { if (/^## /) sub(/^## /, "### "); else if (/^### /) sub(/^### /, "## "); else $0 = $0 " novo" } { print }' "$C/$pg" > "$T/tmp"
		note "heading on line $pk of $pg: level changed" ;;
	*)	awk -v n="$pk" 'NR == n { sub(/^#+ /, ""); $0 = "Era título: " $0 "." } { print }' "$C/$pg" > "$T/tmp"
		note "heading on line $pk of $pg removed" ;;
	esac
	put "$C/$pg"
}
anchor_of() {	# anchor_of PAGE: a heading id of PAGE into $an (a guess)
	an=missing
	body_lines "$C/$1" '^#+ ' && pick "$T/lines" || return 0
	an=$(sed -n "${pk}p" "$C/$1" | sed 's/^#* //' | awk '{ print tolower($0) }' | tr ' ' -)
}
m_link_add() {
	pick_page || return 1
	src=$pg
	up "$src"
	pick_page || return 1
	rand 8
	case $r in
	[01])	t=$pre$pg ;;
	[23])	anchor_of "$pg"; t="$pre$pg#$an" ;;
	4)	t="$pre$pg#nao-existe-$tick" ;;
	5)	t="${pre}api/sumiu-$tick.md" ;;
	6)	anchor_of "$src"; t="#$an" ;;
	*)	section; t="$pre$sec/" ;;
	esac
	printf '\nVeja [outro %s](%s).\n' "$tick" "$t" >> "$C/$src"
	stamp "$C/$src"
	note "link $t added to $src"
}
m_link_del() {
	pick_page || return 1
	body_lines "$C/$pg" '\]\(' && pick "$T/lines" || return 1
	awk -v n="$pk" 'NR != n' "$C/$pg" > "$T/tmp"
	put "$C/$pg"
	note "link line $pk of $pg removed"
}
m_front() {
	pick_page || return 1
	f=$C/$pg
	rand 18
	case $r in
	16)	rand 4; set -- runbook guide policy inexistente; shift "$r"; fm_set "$f" kind "$1"; note "kind $1 in $pg" ;;
	17)	rand 3; set -- 30d 400 "[x]"; shift "$r"; fm_set "$f" review_every "$1"; note "review_every $1 in $pg" ;;
	0|1)	rand 4; t="Título $tick"; [ $r = 0 ] && t="TBD $tick"
		fm_set "$f" title "\"$t\""; note "title '$t' in $pg" ;;
	2)	fm_del "$f" title; note "title of $pg removed" ;;
	3|4)	rand 6; s=sev$((r + 1)); [ $r = 5 ] && s=SEV2; fm_set "$f" severity "$s"; note "severity $s in $pg" ;;
	5|6)	rand 22; o=team-$r; [ $r -ge 20 ] && o=ninguem; fm_set "$f" owner "$o"; note "owner $o in $pg" ;;
	7|8)	word; t=$w; word; fm_set "$f" tags "[$t, $w]"; note "tags [$t, $w] in $pg" ;;
	9)	rand 10; fm_set "$f" services "[svc-$r]"; note "services [svc-$r] in $pg" ;;
	10|11)	rand 4
		case $r in
		0|1) a="[Alert$tick]" ;;
		2) pick_page; a=$(sed -n '2,/^---$/s/^alerts: //p' "$C/$pg"); [ -n "$a" ] || a="[Alert$tick]" ;;
		*) a="[bad alert $tick]" ;;
		esac
		fm_set "$f" alerts "$a"; note "alerts $a in ${f#"$C"/}" ;;
	12|13)	rand 24; d=$((2025 + r / 12))-$(printf '%02d' $((r % 12 + 1)))-15
		rand 8; [ $r = 0 ] && d=2026-13-45
		fm_set "$f" last_reviewed "$d"; note "last_reviewed $d in $pg" ;;
	14)	fm_set "$f" aliases "[antigo/$tick.md]"; note "aliases [antigo/$tick.md] in $pg" ;;
	*)	rand 3; s=scripts/deploy.sh; [ $r = 1 ] && s=scripts/check.sh; [ $r = 2 ] && s=scripts/sumiu.sh
		fm_set "$f" scripts "[$s]"; note "scripts [$s] in $pg" ;;
	esac
}
m_page_add() {
	section
	mkdir -p "$C/$sec"
	p=$sec/novo-$tick.md
	up "$p"
	pick_page || return 1
	rand 4
	cat > "$C/$p" <<EOF
---
title: "Página nova $tick"
severity: sev$((r + 1))
owner: team-$r
alerts: [AlertNovo$tick]
tags: [novo, $sec]
last_reviewed: 2026-10-01
---
# Página nova $tick

Texto novo sobre o serviço.

## Sintomas

A fila cresce.

## Diagnóstico

Rode \`scripts/deploy.sh\` e \`scripts/diagnose.sh\`.

## Mitigação

Veja [o outro]($pre$pg#mitigação).

## Verificação

Tudo verde.
EOF
	stamp "$C/$p"
	note "page $p added (links to $pg)"
}
m_odd_page() {	# a page that is hard to read, or made readable again
	rand 4
	case $r in
	0)	p=api/quebrado.md
		if [ -e "$C/$p" ]; then rm "$C/$p"; note "broken page $p deleted"
		else printf -- '---\ntitle: [quebrado\n---\n# Quebrado\n\nTexto.\n' > "$C/$p"; stamp "$C/$p"; note "page $p with broken YAML added"; fi ;;
	1)	pick_page || return 1
		printf 'byte ruim \377 aqui\n' >> "$C/$pg"; stamp "$C/$pg"; note "invalid UTF-8 appended to $pg" ;;
	2)	p=kafka/vazio.md
		if [ -e "$C/$p" ]; then rm "$C/$p"; note "empty page $p deleted"
		else : > "$C/$p"; stamp "$C/$p"; note "empty page $p added"; fi ;;
	*)	section; p=$sec/index.md
		if [ -e "$C/$p" ]; then rm "$C/$p"; note "section index $p deleted"
		else mkdir -p "$C/$sec"; printf -- '---\ntitle: Seção %s\nkind: index\n---\n# Seção %s\n\nÍndice da seção.\n' "$sec" "$tick" > "$C/$p"; stamp "$C/$p"; note "section index $p added"; fi ;;
	esac
}
m_page_del() {
	pick_page || return 1
	[ "$(wc -l < "$T/pages")" -gt 25 ] || return 1
	rm "$C/$pg"
	note "page $pg deleted"
}
m_page_move() {
	pick_page || return 1
	section
	dst=$sec/$(basename "$pg")
	[ ! -e "$C/$dst" ] || return 1
	mkdir -p "$C/$sec"
	mv "$C/$pg" "$C/$dst"
	rand 3
	if [ $r = 0 ]; then fm_set "$C/$dst" aliases "[$pg]"; note "page $pg moved to $dst, with an alias"
	else note "page $pg moved to $dst"; fi
}
SCRIPTS="$R/scripts/deploy.sh $C/scripts/check.sh $C/api/scripts/deploy.sh $C/kafka/scripts/rollback.sh $R/scripts/sumiu.sh"
m_script() {
	rand 5
	# shellcheck disable=SC2086
	set -- $SCRIPTS
	shift "$r"
	s=$1
	rand 4
	if [ -e "$s" ] && [ $r = 0 ]; then
		echo "echo mudou $tick" >> "$s"; stamp "$s"; note "script ${s#"$T"/} edited"
	elif [ -e "$s" ]; then
		rm "$s"; note "script ${s#"$T"/} deleted"
	else
		printf '#!/bin/sh\necho %s\n' "$tick" > "$s"; stamp "$s"
		[ $r = 1 ] || chmod +x "$s"
		note "script ${s#"$T"/} created"
	fi
}
m_chmod() {
	(cd "$R" && find . -name '*.sh' | sed 's|^\./||' | LC_ALL=C sort) > "$T/scripts"
	pick "$T/scripts" || return 1
	s=$R/$pk
	if [ -x "$s" ]; then chmod -x "$s"; note "chmod -x $pk"; else chmod +x "$s"; note "chmod +x $pk"; fi
}
m_theme() {
	f=$R/theme/page.mustache
	rand 4
	case $r in
	0)	echo "{{! $tick }}" >> "$f"; stamp "$f"; note "theme: mustache comment" ;;
	1)	if grep -q '^<!-- rev' "$f"; then grep -v '^<!-- rev' "$f" > "$T/tmp"; note "theme: markup removed"
		else awk -v t="$tick" '/^<\/article>/ { print "<!-- rev " t " -->" } { print }' "$f" > "$T/tmp"; note "theme: markup added"; fi
		put "$f" ;;
	2)	sed 's/class="page-foot"/class="page-foot p'"$tick"'"/; s/class="page-foot p[0-9]*"/class="page-foot p'"$tick"'"/' "$f" > "$T/tmp"
		put "$f"; note "theme: footer class" ;;
	*)	g=$R/theme/footer.mustache
		if [ -e "$g" ]; then rm "$g"; note "theme: footer partial removed"
		else sed "s/<footer class=\"site-footer\">/&<p>rodapé $tick<\/p>/" "$ROOT/themes/default/footer.mustache" > "$g"; stamp "$g"; note "theme: footer partial added"; fi ;;
	esac
}
m_site() {
	f=$C/site.yml
	rand 5
	case $r in
	4)	if grep -q 'severity: warning # no-fixme' "$f"; then sed 's/severity: warning # no-fixme/severity: error # no-fixme/' "$f" > "$T/tmp"
		else sed 's/severity: error # no-fixme/severity: warning # no-fixme/' "$f" > "$T/tmp"; fi
		put "$f"; note "site.yml: rule no-fixme's severity toggled" ;;
	0|1)	sed "s/^title: .*/title: Manual $tick/" "$f" > "$T/tmp"; put "$f"; note "site.yml title" ;;
	2)	if grep -q '^description:' "$f"; then grep -v '^description:' "$f" > "$T/tmp"; else { cat "$f"; echo "description: desc $tick"; } > "$T/tmp"; fi
		put "$f"; note "site.yml description toggled" ;;
	*)	if grep -q '^language: pt-BR' "$f"; then sed 's/^language: pt-BR/language: en/' "$f" > "$T/tmp"; else sed 's/^language: en/language: pt-BR/' "$f" > "$T/tmp"; fi
		put "$f"; note "site.yml language toggled" ;;
	esac
}
m_touch() {
	(cd "$R" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$T/inputs"
	pick "$T/inputs" || return 1
	stamp "$R/$pk"
	note "touch $pk"
}
m_out() {
	[ -d "$T/out" ] || return 1
	(cd "$T/out" && find . -type f ! -name '.runbookc-*' | sed 's|^\./||' | LC_ALL=C sort) > "$T/outs"
	pick "$T/outs" || return 1
	o=$T/out/$pk
	rand 9
	case $r in
	0|1)	rm "$o"; note "out: $pk deleted" ;;
	2)	echo junk >> "$o"; stamp "$o"; note "out: junk appended to $pk" ;;
	3)	printf 'X' | dd of="$o" bs=1 seek=10 conv=notrunc 2> /dev/null; stamp "$o"; note "out: a byte of $pk overwritten" ;;
	4)	head -c "$(wc -c < "$o")" /dev/zero | tr '\0' x > "$T/tmp"; mv "$T/tmp" "$o"; note "out: $pk replaced, same size" ;;
	5)	rm -f "$T/out/.runbookc-stamp"; note "out: stamp deleted" ;;
	6)	f=$T/out/.runbookc-cache-pages; [ -f "$f" ] || return 1
		head -c $(($(wc -c < "$f") / 2)) "$f" > "$T/tmp"; cat "$T/tmp" > "$f"; stamp "$f"; note "out: parse cache truncated" ;;
	7)	rm -rf "$T/out.runbookc-prev"; note "out: kept site deleted" ;;
	*)	# A no-op build does not walk out for files it did not write
		# (it is a no-op): a stray file is left to a real build.
		echo stray > "$T/out/stray-$tick.html"; note "out: stray file"; m_para_append ;;
	esac
}
m_prev() {	# the site kept beside out, damaged
	P=$T/out.runbookc-prev
	[ -d "$P" ] || return 1
	(cd "$P" && find . -type f ! -name '.runbookc-*' | sed 's|^\./||' | LC_ALL=C sort) > "$T/outs"
	pick "$T/outs" || return 1
	rand 3
	case $r in
	0)	echo junk > "$T/tmp"; mv "$T/tmp" "$P/$pk"; note "kept site: $pk replaced by junk" ;;
	1)	rm "$P/$pk"; note "kept site: $pk deleted" ;;
	*)	rm -f "$P/.runbookc-stamp"; note "kept site: stamp deleted" ;;
	esac
}

mutate() {	# one random mutation (retried when it does not apply)
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		rand 100
		if [ $r -lt 12 ]; then m_para_append
		elif [ $r -lt 20 ]; then m_para_edit
		elif [ $r -lt 30 ]; then m_heading
		elif [ $r -lt 38 ]; then m_link_add
		elif [ $r -lt 43 ]; then m_link_del
		elif [ $r -lt 58 ]; then m_front
		elif [ $r -lt 61 ]; then m_page_add
		elif [ $r -lt 63 ]; then m_odd_page
		elif [ $r -lt 65 ]; then m_page_del
		elif [ $r -lt 69 ]; then m_page_move
		elif [ $r -lt 75 ]; then m_script
		elif [ $r -lt 79 ]; then m_chmod
		elif [ $r -lt 84 ]; then m_theme
		elif [ $r -lt 87 ]; then m_site
		elif [ $r -lt 90 ]; then m_touch
		elif [ $r -lt 96 ]; then m_out
		elif [ $r -lt 98 ]; then m_prev
		else m_odd_page
		fi && return 0
	done
}

build() {	# build OUT ERR [ARGS...]: the exit status into $rc
	o=$1 e=$2; shift 2
	$WRAP "$RUNBOOKC" build "$C" -o "$o" --force "$@" 2> "$e" > /dev/null
	rc=$?
}
# The diagnostics, without the summary (it names the out folder and says
# "built" or "up to date").
diags() { grep -v -E '^runbookc: (built [0-9]+ pages|.*is up to date)' "$1"; }

build "$T/out" "$T/err.inc"
step=0
: > "$T/log"
while [ $step -lt "$steps" ]; do
	step=$((step + 1))
	what=
	rand 12
	if [ $r = 0 ]; then
		what="no change"
	elif [ $r = 1 ]; then	# out damaged by hand, the inputs as they were
		tries=0
		while [ $tries -lt 5 ] && ! m_out; do tries=$((tries + 1)); done
		[ -n "$what" ] || what="no change"
	else
		rand 3; k=$((r + 1))
		while [ $k -gt 0 ]; do mutate; k=$((k - 1)); done
	fi
	rand 3; j=
	[ $r = 0 ] && j="-j 1" && what="$what (incremental build -j 1)"
	echo "step $step: $what" >> "$T/log"
	# shellcheck disable=SC2086
	build "$T/out" "$T/err.inc" $j; rc_inc=$rc
	rm -rf "$T/cold" "$T/cold.runbookc-prev" "$T/cold.runbookc-new"
	build "$T/cold" "$T/err.cold"; rc_cold=$rc
	diff -r -x '.runbookc-cache*' "$T/out" "$T/cold" > "$T/diff" 2>&1
	same=$?
	diags "$T/err.inc" > "$T/diags.inc"
	diags "$T/err.cold" > "$T/diags.cold"
	if [ $same = 0 ] && [ $rc_inc = $rc_cold ] && [ $rc_inc -le 1 ] && cmp -s "$T/diags.inc" "$T/diags.cold"; then
		ok
	else
		bad "step $step (seed $seed): $what"
		[ $rc_inc = $rc_cold ] && [ $rc_inc -le 1 ] || echo "  exit status: incremental $rc_inc, cold $rc_cold"
		[ $rc_inc -le 1 ] || tail -n 3 "$T/err.inc" | cut -c 1-160 | sed 's/^/  stderr: /'
		head -n 20 "$T/diff" | cut -c 1-160 | sed 's/^/  /'
		diff "$T/diags.inc" "$T/diags.cold" | head -n 10 | cut -c 1-160 | sed 's/^/  diags: /'
		echo "  trees kept in $T (out, cold, repo; log of the steps in $T/log)"
		break
	fi
done

echo "differential: $pass passed, $fail failed"
