#!/bin/sh
# Hostile input that is too big or too odd to commit as a golden case:
# huge pages, symlinks out of the root and in loops, a catastrophic user
# regex, the per-file size limit.  Each must end in a diagnostic naming
# the file, with the right exit status, in bounded time, and nothing may
# be written outside the output folder.
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/hostile
rm -rf "$T"; mkdir -p "$T"
export NO_COLOR=1

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# run NAME WANT_EXIT PATTERN: checks content in $T/NAME/content
run() {
	name=$1 want=$2 pattern=$3
	out=$T/$name.out
	( cd "$T/$name" && timeout 120 $WRAP "$RUNBOOKC" check content \
	    --today 2026-11-23 ) > "$out" 2>&1
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want"; head -5 "$out"; return
	fi
	if ! grep -qE "$pattern" "$out"; then
		bad "$name: no line matching /$pattern/"; head -5 "$out"; return
	fi
	ok
}

guide() { mkdir -p "$T/$1/content"; printf 'default_kind: guide\n' > "$T/$1/content/site.yml"; }

# A 10 MB page, a 5 MB line, 30,000 headings: parsed in bounded time.
guide big
awk 'BEGIN { print "# Big"; for (i = 0; i < 200000; i++) print "Line " i " of a long page with `code` and [a link](#big)." }' > "$T/big/content/ten-mb.md"
awk 'BEGIN { printf "# Long line\n\n"; for (i = 0; i < 500000; i++) printf "word%05d ", i % 100000; print "" }' > "$T/big/content/long-line.md"
awk 'BEGIN { for (i = 0; i < 30000; i++) print "## Heading " i "\n\ntext\n" }' > "$T/big/content/headings.md"
printf '# Links\n\n[last](headings.md#heading-29999) [nope](headings.md#heading-30000)\n' > "$T/big/content/links.md"
run big 1 "content/links.md:3:35: error: anchor '#heading-30000' does not exist"

# The per-file size limit (site.yml max_file_size).
guide limit
printf 'default_kind: guide\nmax_file_size: 1K\n' > "$T/limit/content/site.yml"
awk 'BEGIN { print "# Too big"; for (i = 0; i < 100; i++) print "padding line " i }' > "$T/limit/content/big.md"
run limit 1 "content/big.md:1:1: error: file is [0-9]+ bytes, over the limit of 1024 \[file.read\]"

# Symlinks that leave the root, dangle, or loop are refused.
guide links
printf '# Fine\n' > "$T/links/content/fine.md"
ln -s /etc/passwd "$T/links/content/passwd.md"
ln -s ../../outside "$T/links/content/outside"
ln -s loop-b.md "$T/links/content/loop-a.md"
ln -s loop-a.md "$T/links/content/loop-b.md"
mkdir -p "$T/links/content/sub"
ln -s .. "$T/links/content/sub/up"
run links 1 "content/passwd.md:1:1: error: symlink leads outside the content folder; refused \[file.read\]"
grep -q "content/loop-a.md:1:1: error: symlink loop" "$T/links.out" && ok || bad "links: loop not reported"
grep -q "content/sub/up:1:1: error: folder loop" "$T/links.out" && ok || bad "links: folder loop not reported"

# Folders nest at most SCAN_MAX_DEPTH (64) deep, the content root
# included: a folder 64 levels below the root is skipped, with a
# diagnostic, and nothing under it is read.
guide deep
d=content
i=1
while [ $i -le 70 ]; do d=$d/d; i=$((i + 1)); done
mkdir -p "$T/deep/$d"
printf '# Deep\n' > "$T/deep/$d/page.md"
printf '# Top\n' > "$T/deep/content/top.md"
run deep 1 "^content(/d){64}:1:1: error: folders nested deeper than 64; skipped \[file.read\]"
grep -q "^1 file checked" "$T/deep.out" && ok || bad "deep: the deep page was read"

# A theme folder (named by site.yml, so by any pull request) is read
# like content: symlinks that leave it, folder loops and FIFOs are
# refused, and nothing of them reaches the output.
mkdir -p "$T/theme/content" "$T/theme/mytheme/assets"
printf 'default_kind: guide\ntheme: ../mytheme\n' > "$T/theme/content/site.yml"
printf '# Page\n' > "$T/theme/content/page.md"
printf 'secret\n' > "$T/theme/secret.txt"
ln -s ../../secret.txt "$T/theme/mytheme/assets/leak.css"
ln -s . "$T/theme/mytheme/loop-a"
ln -s . "$T/theme/mytheme/loop-b"
mkfifo "$T/theme/mytheme/assets/fifo.js"
( cd "$T/theme" && timeout 60 $WRAP "$RUNBOOKC" build content -o out \
    --today 2026-11-23 ) > "$T/theme.out" 2>&1
rc=$?
[ $rc = 2 ] && ok || bad "theme: exit $rc, want 2"
grep -q "mytheme/assets/leak.css:1:1: error: symlink leads outside the theme folder; refused \[file.read\]" "$T/theme.out" && ok || bad "theme: symlink out not refused"
grep -q "mytheme/loop-a:1:1: error: folder loop; skipped" "$T/theme.out" && ok || bad "theme: loop not refused"
grep -q "mytheme/assets/fifo.js:1:1: error: not a regular file" "$T/theme.out" && ok || bad "theme: FIFO not refused"
[ ! -e "$T/theme/out" ] && ok || bad "theme: output written"
# FIFOs in the content folder are reported, not read (which would block).
guide fifo
printf '# Page\n' > "$T/fifo/content/page.md"
mkfifo "$T/fifo/content/pipe.md"
run fifo 1 "content/pipe.md:1:1: error: not a regular file; skipped \[file.read\]"

# 'new' does not follow a symlinked folder out of the content folder.
guide newlink
mkdir -p "$T/newlink/elsewhere"
ln -s ../elsewhere "$T/newlink/content/out"
( cd "$T/newlink" && $WRAP "$RUNBOOKC" new content out/sub/page -q \
    --today 2026-11-23 ) > "$T/newlink.out" 2>&1
rc=$?
[ $rc = 2 ] && ok || bad "newlink: exit $rc, want 2"
grep -q "content/out/sub/page.md: a symlink leads outside content; not written" "$T/newlink.out" && ok || bad "newlink: no message"
[ -z "$(ls "$T/newlink/elsewhere")" ] && ok || bad "newlink: wrote outside content"

# A catastrophic user regex ends in a diagnostic, not a hang.
mkdir -p "$T/regex/content"
cat > "$T/regex/content/site.yml" <<'YML'
default_kind: guide
rules:
  - id: backtrack
    pattern: '^(a+)+$'
    message: catastrophic
    scope: [text]
  - id: deep
    pattern: '^(?:(\w)\s?)*$'
    scope: [text]
YML
printf '# Regex\n\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n' > "$T/regex/content/page.md"
# A pattern that recurses once per character of a long line hits the
# depth (or JIT stack) limit instead of exhausting the stack.
awk 'BEGIN { printf "# Long\n\n"; for (i = 0; i < 50000; i++) printf "ab"; print "" }' > "$T/regex/content/long.md"
run regex 1 "content/page.md:3:[0-9]+: error: .*\[rule.backtrack\]"
grep -q "content/long.md:3:1: error: pattern of rule 'deep' hit the match limit (1000000) or depth limit (10000) here" "$T/regex.out" && ok || bad "regex: depth limit not reported"

# An unusable site.yml is exit 2.
mkdir -p "$T/config/content"
printf 'kinds: [\n' > "$T/config/content/site.yml"
printf '# Page\n' > "$T/config/content/page.md"
run config 2 "content/site.yml:[0-9]+:[0-9]+: error: .*\[yaml.syntax\]"

# Names that differ only in case collide once the repository or the
# site is copied to a case-insensitive file system: pages (Latin-1
# letters too), assets, folders, and the pages' output names; two files
# written to the same output path collide anywhere.  Accents are not
# case: café.md and cafe.md are two files.
guide case
mkdir -p "$T/case/content/Files" "$T/case/content/files" "$T/case/content/ops"
printf '# a\n' > "$T/case/content/Ação.md"
printf '# b\n' > "$T/case/content/aÇÃo.md"
printf '# c\n' > "$T/case/content/cafe.md"
printf '# d\n' > "$T/case/content/café.md"
printf 'e\n' > "$T/case/content/Files/Notes.txt"
printf 'f\n' > "$T/case/content/files/notes.TXT"
printf '# x\n' > "$T/case/content/x.md"
printf '<p>x</p>\n' > "$T/case/content/x.html"
printf '# y\n' > "$T/case/content/y.md"
printf '<p>Y</p>\n' > "$T/case/content/Y.html"
printf '# i\n' > "$T/case/content/ops/_index.md"
printf '# j\n' > "$T/case/content/ops/index.md"
run case 1 "content/files/notes.TXT:1:1: error: 'content/Files/Notes.txt' and 'content/files/notes.TXT' differ only in case"
grep -q "content/aÇÃo.md:1:1: error: 'content/Ação.md' and 'content/aÇÃo.md' differ only in case; they collide on case-insensitive file systems (macOS, Windows): rename one \[file.read\]" "$T/case.out" && ok || bad "case: Latin-1 pages not reported"
grep -q "content/x.html:1:1: error: 'content/x.md' and 'content/x.html' are both written to 'x.html' in the site: rename one" "$T/case.out" && ok || bad "case: page and asset x.html"
grep -q "content/Y.html:1:1: error: 'content/y.md' and 'content/Y.html' are written to 'y.html' and 'Y.html', which collide" "$T/case.out" && ok || bad "case: y.html and Y.html"
grep -q "content/ops/index.md:1:1: error: 'content/ops/_index.md' and 'content/ops/index.md' are both written to 'ops/index.html'" "$T/case.out" && ok || bad "case: _index.md and index.md"
grep -q "caf" "$T/case.out" && bad "case: café.md and cafe.md taken for one" || ok
grep -q "^8 files checked: 5 errors, 0 warnings" "$T/case.out" && ok || bad "case: wrong totals"

# Nothing is written outside the output folder; content is untouched.
guide roots
printf '# Page\n\n[x](../../../../tmp/evil.md)\n' > "$T/roots/content/page.md"
before=$(cd "$T" && find . -path ./roots/out -prune -o -print | sort | cksum)
sum=$(cd "$T/roots/content" && cat ./* | cksum)
( cd "$T/roots" && timeout 60 $WRAP "$RUNBOOKC" build content -o out --force -q --today 2026-11-23 ) > /dev/null 2>&1
after=$(cd "$T" && find . -path ./roots/out -prune -o -print | sort | cksum)
[ "$before" = "$after" ] && ok || bad "roots: files appeared outside out/"
[ "$sum" = "$(cd "$T/roots/content" && cat ./* | cksum)" ] && ok || bad "roots: content changed"
[ -f "$T/roots/out/page.html" ] && ok || bad "roots: page not built"

echo "hostile: $pass passed, $fail failed"
