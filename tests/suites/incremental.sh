#!/bin/sh
# Incremental builds: a rebuild with nothing changed does no work and
# says so, replays the same diagnostics, and leaves out/ as it was; any
# change of input (a page, site.yml, the theme, the date, a script above
# the content root, a deleted output file) rebuilds, and the result is
# byte-identical to a cold build of the same input.
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/incremental
rm -rf "$T"; mkdir -p "$T"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
export SOURCE_DATE_EPOCH=1795392000 RUNBOOKC_COMMIT= NO_COLOR=1

cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -o "$T/gencorpus" "$ROOT/tests/bench/gencorpus.c" || { echo "incremental: 0 passed, 1 failed"; exit 0; }
mkdir -p "$T/repo"
"$T/gencorpus" 60 "$T/repo/content"
mkdir -p "$T/repo/scripts" "$T/theme"
printf '#!/bin/sh\necho deploy\n' > "$T/repo/scripts/deploy.sh"
chmod +x "$T/repo/scripts/deploy.sh"
printf '# Deploy\n\nRun `scripts/deploy.sh`.\n\n## Sintomas\n\nx\n' >> "$T/repo/content/api/runbook-00002.md"
printf 'theme: ../../theme\n' >> "$T/repo/content/site.yml"
cp "$ROOT/themes/default/page.mustache" "$T/theme/page.mustache"
C=$T/repo/content

build() {	# build OUT [ARGS...]: stderr to $T/err
	o=$1; shift
	$WRAP "$RUNBOOKC" build "$C" -o "$o" --force "$@" 2> "$T/err" > /dev/null
}
# The site, without the build cache (file times: not the same twice).
sum() { (cd "$1" && find . -type f ! -name '.runbookc-cache*' | LC_ALL=C sort | xargs cksum) | cksum; }
# same_as_cold NAME: the incremental out/ equals a cold build now
same_as_cold() {
	rm -rf "$T/cold"
	build "$T/cold"
	diff -r -x '.runbookc-cache*' "$T/out" "$T/cold" > /dev/null && ok || bad "$1: differs from a cold build"
}

build "$T/out"
cp "$T/err" "$T/err.full"
first=$(sum "$T/out")
build "$T/out"
grep -q "is up to date" "$T/err" && ok || bad "no-op: not reported up to date"
[ "$(sum "$T/out")" = "$first" ] && ok || bad "no-op: out/ changed"
grep -v -e "up to date" -e "built 6" "$T/err" > "$T/err.noop"
grep -v -e "up to date" -e "built 6" "$T/err.full" > "$T/err.full2"
cmp -s "$T/err.noop" "$T/err.full2" && ok || bad "no-op: diagnostics differ from the full build's"

echo "Linha nova." >> "$C/api/runbook-00014.md"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "page change: not rebuilt"
same_as_cold "page change"

# A paragraph edit re-renders that page alone of the pages and listings;
# the others are kept, inode and mtime (the search index and the book,
# which show every page's text, are made again).
other=$T/out/kafka/runbook-00001.html
touch -d '2001-01-01' "$other"
before=$(stat -c '%i %Y' "$other")
echo "Mais uma linha." >> "$C/api/runbook-00014.md"
build "$T/out" -v
made=$(sed -n 's/^runbookc: rendered \([0-9]*\) files, kept \([0-9]*\)$/\1/p' "$T/err")
kept=$(sed -n 's/^runbookc: rendered \([0-9]*\) files, kept \([0-9]*\)$/\2/p' "$T/err")
pages=$(find "$T/out" -name 'runbook-*.html' | wc -l)
[ -n "$made" ] && [ "$kept" -ge "$pages" ] && ok || bad "paragraph edit: kept $kept of $pages+ files (rendered $made)"
[ "$(stat -c '%i %Y' "$other")" = "$before" ] && ok || bad "paragraph edit: an unchanged page was rewritten"
same_as_cold "paragraph edit"
# The keys do not depend on the number of threads that made them.
echo "Mais uma linha." >> "$C/api/runbook-00014.md"
build "$T/out" -v -j 1
kept=$(sed -n 's/^runbookc: rendered \([0-9]*\) files, kept \([0-9]*\)$/\2/p' "$T/err")
[ -n "$kept" ] && [ "$kept" -ge "$pages" ] && ok || bad "-j 1 after -j N: kept $kept of $pages+ files"

# A rebuild trusts a file's recorded hash while its stat says the same;
# an edit that keeps the size and puts the mtime back still shows in the
# ctime, which no tool can set back.
# (A record is trusted once it is INPUTS_RACY_NS younger than the file's
# last change: a real build, 2 s after the last edit, takes them.)
echo "Outra linha." >> "$C/api/runbook-00038.md"
sleep 2.1
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "page change before the same-size edit: not rebuilt"
f=$C/kafka/runbook-00013.md
cp -p "$f" "$T/ref.md"
ino=$(stat -c %i "$f")
printf 'X' | dd of="$f" bs=1 seek=300 conv=notrunc 2> /dev/null
touch -r "$T/ref.md" "$f"
[ "$(stat -c '%i %s %Y' "$f")" = "$ino $(stat -c '%s %Y' "$T/ref.md")" ] && ! cmp -s "$f" "$T/ref.md" && ok || bad "same-size edit: test setup"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "same-size edit with the mtime put back: not rebuilt"
same_as_cold "same-size edit"

# Whatever another file can show about a page changes every file that
# may show it: the title (listings, backlinks, neighbours), a heading (an
# anchor), a new link (the target's backlinks), a tag (its listing).
sed -i 's/^title: .*/title: "Título novo"/' "$C/api/runbook-00014.md"
build "$T/out"
same_as_cold "title change"
sed -i 's/^## Diagnóstico/## Diagnóstico detalhado/' "$C/kafka/runbook-00001.md"
build "$T/out"
same_as_cold "heading change"
echo "Veja [o outro](../kafka/runbook-00013.md)." >> "$C/api/runbook-00026.md"
build "$T/out"
same_as_cold "new link"
sed -i 's/^tags: \[/tags: [novo-tag, /' "$C/api/runbook-00026.md"
build "$T/out"
same_as_cold "tag change"
cp "$C/api/runbook-00026.md" "$C/api/runbook-99999.md"
sed -i 's/Alert0*26/AlertNovo/g' "$C/api/runbook-99999.md"
build "$T/out"
same_as_cold "page added"
rm "$C/api/runbook-99999.md"
build "$T/out"
same_as_cold "page removed"

echo "description: outra" >> "$C/site.yml"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "site.yml change: not rebuilt"
same_as_cold "site.yml change"

echo "{{! mudou }}" >> "$T/theme/page.mustache"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "theme change: not rebuilt"
same_as_cold "theme change"

build "$T/out" --today 2027-06-01
grep -q "built 6" "$T/err" && ok || bad "date change: not rebuilt"
build "$T/out"

echo "echo changed" >> "$T/repo/scripts/deploy.sh"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "outside script change: not rebuilt"
same_as_cold "outside script change"

# A script's page is kept while its bytes and the site's face are the
# same, and made again when the script changes.
sp=$T/out/scripts/database/scripts/diagnose.sh.html
touch -d '2001-01-01' "$sp"
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
[ "$(stat -c %Y "$sp")" = "$(date -d 2001-01-01 +%s)" ] && ok || bad "script page: rewritten though nothing it shows changed"
echo "echo mudou-script" >> "$C/database/scripts/diagnose.sh"
build "$T/out"
grep -q "mudou-script" "$sp" && ok || bad "script page: not made again after its script changed"
same_as_cold "inside script change"

rm "$T/out/api/runbook-00002.html"
build "$T/out"
grep -q "built 6" "$T/err" && ok || bad "deleted output: not rebuilt"
[ -f "$T/out/api/runbook-00002.html" ] && ok || bad "deleted output: not restored"

# An output file replaced by hand with one of the same size is not the
# file the stamp lists (another inode): the next build makes it again
# (staged from out itself: without the site kept beside it).
rm -rf "$T/out.runbookc-prev"
f=$T/out/kafka/runbook-00001.html
head -c "$(stat -c %s "$f")" /dev/zero | tr '\0' x > "$T/replaced"
mv "$T/replaced" "$f"
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
grep -q "<html" "$f" && ok || bad "output replaced by hand: kept"
same_as_cold "output replaced by hand"
# Without the kept site the stage is made from the files out's stamp
# lists: what else lies in out does not survive the next build.
rm -rf "$T/out.runbookc-prev"
echo stray > "$T/out/stray.txt"
mkdir -p "$T/out/api/stray"
echo stray > "$T/out/api/stray/x.html"
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
[ ! -e "$T/out/stray.txt" ] && [ ! -e "$T/out/api/stray" ] && ok || bad "stray files in out: carried over"
same_as_cold "stray files in out"
# A stamp that names a file outside out, or a folder of out that is a
# symlink, is never followed out of out.
rm -rf "$T/out.runbookc-prev" "$T/outside"
mkdir -p "$T/outside"
echo secret > "$T/outside/secret.html"
printf 'file\t7\t0\t../outside/secret.html\n' >> "$T/out/.runbookc-stamp"
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
[ -f "$T/outside/secret.html" ] && [ "$(ls "$T/outside")" = secret.html ] && [ ! -e "$T/secret.html" ] && ok || bad "stamp naming a file outside out: followed"
same_as_cold "stamp naming a file outside out"
rm -rf "$T/out.runbookc-prev" "$T/out/kafka"
ln -s "$T/outside" "$T/out/kafka"
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
[ -d "$T/out/kafka" ] && [ ! -L "$T/out/kafka" ] && [ "$(ls "$T/outside")" = secret.html ] && ok || bad "symlinked folder in out: followed"
same_as_cold "symlinked folder in out"
# A listed file replaced by a symlink to a folder outside is not linked
# into the stage as it is (the next write would go through it).
rm -rf "$T/out.runbookc-prev" "$T/ext"
mv "$T/out/api" "$T/ext"
ln -s "$T/ext" "$T/out/api"
printf 'file\t3\t0\tapi\n' >> "$T/out/.runbookc-stamp"
before=$(cd "$T/ext" && find . -type f | LC_ALL=C sort | xargs cksum | cksum)
echo "Linha." >> "$C/api/runbook-00014.md"
build "$T/out"
after=$(cd "$T/ext" && find . -type f | LC_ALL=C sort | xargs cksum | cksum)
[ "$before" = "$after" ] && [ -d "$T/out/api" ] && [ ! -L "$T/out/api" ] && ok || bad "symlink listed as a file: written through"
same_as_cold "symlink listed as a file"
rm -rf "$T/ext"

# The parse cache: pages restored from it report what parsing them
# reported, user rules still read their text, and a damaged cache is
# never worse than none.
cat >> "$C/site.yml" <<'YML'
rules:
  - id: no-fixme
    pattern: 'FIXME'
    message: "unfinished"
    severity: warning
    scope: [text, code]
YML
printf -- '---\ntitle: [quebrado\n---\n# Quebrado\n\nFIXME aqui.\n' > "$C/api/quebrado.md"
printf -- '---\ntitle: Sem seções\nseverity: sev9\n---\nTexto FIXME e `FIXME` no código.\n' > "$C/kafka/incompleto.md"
printf '\377 byte ruim\n' >> "$C/kafka/incompleto.md"
build "$T/out"
build "$T/cold2"
diags() { grep -v -e "^runbookc: built" -e "is up to date" "$1"; }
diags "$T/err" > "$T/diags.cold"
[ -s "$T/diags.cold" ] && grep -q "rule.no-fixme" "$T/diags.cold" && grep -q "yaml.syntax" "$T/diags.cold" && grep -q "encoding.utf8" "$T/diags.cold" && ok || bad "cache test: the corpus reports nothing"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: parse" "$T/err" && ok || bad "cache: no timing"
diags "$T/err" | grep -v "^runbookc: " > "$T/diags.inc"
grep -v "^runbookc: " "$T/diags.cold" | cmp -s - "$T/diags.inc" && ok || bad "cache: diagnostics of restored pages differ from a cold build's"
[ -f "$T/out/.runbookc-cache-pages" ] && ok || bad "cache: no parse cache"
same_as_cold "parse cache"
# Damage: truncated, then bytes flipped in the middle.
f=$T/out/.runbookc-cache-pages
head -c $(($(wc -c < "$f") / 2)) "$f" > "$T/half" && cat "$T/half" > "$f"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
diags "$T/err" > "$T/diags.dmg"
cmp -s "$T/diags.cold" "$T/diags.dmg" && ok || bad "truncated cache: diagnostics differ"
same_as_cold "truncated cache"
f=$T/out/.runbookc-cache-pages
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' | dd of="$f" bs=1 seek=$(($(wc -c < "$f") / 3)) conv=notrunc 2> /dev/null
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
[ $? -le 1 ] && ok || bad "damaged cache: build failed"
same_as_cold "damaged cache"
# The search cache: a rebuild tokenizes only the pages whose bytes
# changed; a word that leaves the site leaves the index, a new one enters
# it; a damaged cache is no cache.
S=$T/out/.runbookc-cache-search
[ -f "$S" ] && ok || bad "search cache: none"
echo "Palavraunicaxyz aparece aqui." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: search index: 1 of [0-9]* pages not in its cache" "$T/err" && ok || bad "search cache: $(grep 'search index' "$T/err")"
grep -rq palavraunicaxyz "$T/out/search-index" && ok || bad "search cache: a new word is not indexed"
same_as_cold "search cache, new word"
sed -i 's/^Palavraunicaxyz aparece aqui.$/Linha./' "$C/api/runbook-00038.md"
build "$T/out" -v
grep -rq palavraunicaxyz "$T/out/search-index" && bad "search cache: a word no page has is still indexed" || ok
same_as_cold "search cache, word gone"
head -c $(($(wc -c < "$S") / 2)) "$S" > "$T/half" && cat "$T/half" > "$S"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: search index: 6[0-9] of [0-9]* pages not in its cache" "$T/err" && ok || bad "truncated search cache: $(grep 'search index' "$T/err")"
same_as_cold "truncated search cache"
printf 'XXXXXXXXXXXXXXXX' | dd of="$S" bs=1 seek=$(($(wc -c < "$S") / 3)) conv=notrunc 2> /dev/null
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: search index: 6[0-9] of [0-9]* pages not in its cache" "$T/err" && ok || bad "damaged search cache: $(grep 'search index' "$T/err")"
same_as_cold "damaged search cache"
# The checks' cache: a rebuild checks again only the pages whose findings
# may differ, those whose bytes changed, or all of them when the site's
# face did (a heading that another page links to is renamed); the
# findings it keeps are a cold build's; a page whose findings in the
# cache are cut short is checked again.
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: checks: 1 of [0-9]* pages not in their cache" "$T/err" && ok || bad "check cache: $(grep 'checks:' "$T/err")"
diags "$T/err" | grep -v "^runbookc: " > "$T/diags.inc"
grep -v "^runbookc: " "$T/diags.cold" | cmp -s - "$T/diags.inc" && ok || bad "check cache: the findings kept differ from a cold build's"
grep -q 'security/runbook-00023.md#sintomas' "$C/api/runbook-00014.md" && ok || bad "check cache: the corpus lost its link"
cp "$C/security/runbook-00023.md" "$T/linked.md"
sed -i 's/^## Sintomas$/## Sinais/' "$C/security/runbook-00023.md"
build "$T/out" -v
grep -q "api/runbook-00014.md:.*anchor '#sintomas' does not exist" "$T/err" && ok || bad "check cache: a link into a renamed heading is not reported"
grep -q "^runbookc: checks: \([0-9]*\) of \1 pages not in their cache" "$T/err" && ok || bad "check cache, face changed: $(grep 'checks:' "$T/err")"
# Every page checked again, from the parse cache: user rules read the text.
diags "$T/err" | grep -v "^runbookc: " > "$T/diags.inc"
rm -rf "$T/cold3"; build "$T/cold3"
diags "$T/err" | grep -v "^runbookc: " > "$T/diags.cold3"
grep -q "rule.no-fixme" "$T/diags.cold3" && cmp -s "$T/diags.cold3" "$T/diags.inc" && ok || bad "check cache, face changed: findings differ from a cold build's"
cp "$T/linked.md" "$C/security/runbook-00023.md"
build "$T/out"
grep -q "anchor '#sintomas'" "$T/err" && bad "check cache: a link fixed by its target is still reported" || ok
awk '/^finding\t/ && !cut { cut = 1; next } { print }' "$T/out/.runbookc-cache" > "$T/cut"
cmp -s "$T/cut" "$T/out/.runbookc-cache" && bad "check cache: no findings in the cache" || ok
cat "$T/cut" > "$T/out/.runbookc-cache"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out" -v
grep -q "^runbookc: checks: 2 of [0-9]* pages not in their cache" "$T/err" && ok || bad "check cache cut short: $(grep 'checks:' "$T/err")"
diags "$T/err" | grep -v "^runbookc: " > "$T/diags.inc"
grep -v "^runbookc: " "$T/diags.cold" | cmp -s - "$T/diags.inc" && ok || bad "check cache cut short: findings differ from a cold build's"
same_as_cold "check cache"
# The print book: a rebuild copies the chapters whose keys did not change
# from the old print.html, and still writes a cold build's book; a book
# or a book cache touched by hand is no cache.
B=$T/out/.runbookc-cache-book
[ -f "$B" ] && ok || bad "book cache: none"
echo "Frase nova do livro." >> "$C/api/runbook-00038.md"
build "$T/out"
grep -q "Frase nova do livro" "$T/out/print.html" && ok || bad "book cache: the changed chapter was not made again"
same_as_cold "book cache"
echo "<p>junk</p>" >> "$T/out/print.html"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
same_as_cold "book edited by hand"
printf 'XXXXXXXX' | dd of="$B" bs=1 seek=40 conv=notrunc 2> /dev/null
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
same_as_cold "damaged book cache"
# A FIFO or a symlink put in place of a cache file or the book is
# replaced, never opened through or waited on.
for f in .runbookc-cache-book .runbookc-cache-search .runbookc-cache-pages print.html; do
	rm -f "$T/out/$f"; mkfifo "$T/out/$f"
	echo "Linha." >> "$C/api/runbook-00038.md"
	timeout 60 "$RUNBOOKC" build "$C" -o "$T/out" --force > /dev/null 2>&1
	[ $? -le 1 ] && [ -f "$T/out/print.html" ] && ok || bad "FIFO as $f: the build hung or failed"
done
same_as_cold "FIFOs in place of caches"
ln -sf /etc/passwd "$T/out/.runbookc-cache-book"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
same_as_cold "symlink in place of a cache"
# The parse cache is written beside out while pages are parsed, then
# moved into the site: whatever a killed build (or anyone) left under
# that name goes.
S=$T/out.runbookc-pages
echo "junk" > "$S"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
[ ! -e "$S" ] && [ -f "$T/out/.runbookc-cache-pages" ] && ok || bad "parse cache being written: left beside out"
same_as_cold "junk parse cache beside out"
mkdir -p "$S/x"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
! grep -q "parse cache" "$T/err" && [ ! -e "$S" ] && [ -f "$T/out/.runbookc-cache-pages" ] && ok || bad "folder in the way of the parse cache: $(cat "$T/err")"
same_as_cold "folder in the way of the parse cache"
# A first build into a folder whose parent does not exist yet leaves its
# parse cache too.
rm -rf "$T/nest"
build "$T/nest/a/out"
! grep -q "parse cache" "$T/err" && [ -f "$T/nest/a/out/.runbookc-cache-pages" ] && ok || bad "new nested out: no parse cache: $(cat "$T/err")"
# Many changes: the delta gives way to a new base, with the same site.
for f in "$C"/*/runbook-000[0-4]*.md; do echo "Mudança." >> "$f"; done
build "$T/out"
same_as_cold "many pages changed"
[ ! -f "$T/out/.runbookc-cache-pages.delta" ] && ok || bad "many pages changed: the delta was kept"

# The replaced site stays beside out/ (OUT.runbookc-prev) sharing every
# unchanged file, and the next build starts from it: still the same site
# as a cold build, whatever was done to either tree by hand.
P=$T/out.runbookc-prev
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
[ -d "$P" ] && ok || bad "kept site: none"
u=kafka/runbook-00001.html
[ "$(stat -c %i "$T/out/$u")" = "$(stat -c %i "$P/$u")" ] && ok || bad "kept site: an unchanged file is not shared"
[ "$(stat -c %i "$T/out/api/runbook-00038.html")" != "$(stat -c %i "$P/api/runbook-00038.html")" ] && ok || bad "kept site: a changed file is shared"
echo junk > "$T/out/junk.html"
mkdir -p "$T/out/junkdir"; echo junk > "$T/out/junkdir/x.html"
echo "Linha." >> "$C/api/runbook-00038.md"
build "$T/out"
echo "Linha." >> "$C/api/runbook-00050.md"
build "$T/out"
[ ! -e "$T/out/junk.html" ] && [ ! -e "$T/out/junkdir" ] && ok || bad "kept site: a file dropped into out/ came back"
same_as_cold "kept site, twice"
echo junk > "$P/api/runbook-00050.html"
rm -f "$P/.runbookc-stamp"
echo "Linha." >> "$C/api/runbook-00050.md"
build "$T/out"
same_as_cold "kept site without a stamp"
rm -rf "$P"
echo "Linha." >> "$C/api/runbook-00050.md"
build "$T/out"
same_as_cold "kept site deleted"

# Out without its stamp, or without the stamp's cache, but with its
# parse cache: the pages are hashed up front again (to be restored by
# their hashes), and the site is still the one a cold build makes.
for gone in .runbookc-stamp .runbookc-cache; do
	rm -f "$T/out/$gone"
	echo "Linha." >> "$C/api/runbook-00050.md"
	build "$T/out"
	same_as_cold "out without $gone"
done

# A file of the site edited in place (its inode stays, and the kept
# site, which shares it, changes too) is not kept: the next build makes
# it again.  Twice: from out's list, then from the kept site.
for from in list kept; do
	[ $from = list ] && rm -rf "$P"
	echo "junk" >> "$T/out/$u"
	echo "Linha." >> "$C/api/runbook-00050.md"
	build "$T/out"
	same_as_cold "a file of out edited in place (stage from the $from)"
	# The same size: one byte overwritten (the mtime tells).
	printf 'X' | dd of="$T/out/$u" bs=1 seek=200 conv=notrunc 2> /dev/null
	echo "Linha." >> "$C/api/runbook-00050.md"
	build "$T/out"
	same_as_cold "a byte of a file of out overwritten (stage from the $from)"
done
# With nothing else changed: not a no-op that leaves the file as it is.
printf 'X' | dd of="$T/out/$u" bs=1 seek=200 conv=notrunc 2> /dev/null
build "$T/out"
grep -q "up to date" "$T/err" && bad "a byte of a file of out overwritten: taken for a no-op" || ok
same_as_cold "a byte of a file of out overwritten, nothing else changed"

# A build that stops on an error writes nothing; the stage it had begun
# while the pages were linked (from out's list, then from the kept site)
# is kept as the replaced site, a copy of out, and the next build starts
# from it: still the same site as a cold build.
cp "$C/api/runbook-00050.md" "$T/saved.md"
printf -- '---\ntitle: Sem dono\n---\n\nTexto.\n' > "$C/api/runbook-00050.md"
for kept in none some; do
	[ $kept = none ] && rm -rf "$P"
	before=$(sum "$T/out")
	$WRAP "$RUNBOOKC" build "$C" -o "$T/out" 2> "$T/err" > /dev/null
	rc=$?
	[ $rc = 1 ] && grep -q "left unchanged" "$T/err" && [ "$(sum "$T/out")" = "$before" ] && ok || bad "build with errors ($kept kept): out changed, or exit $rc: $(tail -n 1 "$T/err")"
	[ -d "$P" ] && [ ! -e "$T/out.runbookc-new" ] && ok || bad "build with errors ($kept kept): its stage is not the kept site"
	[ "$(stat -c %i "$T/out/$u")" = "$(stat -c %i "$P/$u")" ] && cmp -s "$T/out/.runbookc-stamp" "$P/.runbookc-stamp" && ok || bad "build with errors ($kept kept): the kept site is not a copy of out"
done
cp "$T/saved.md" "$C/api/runbook-00050.md"
echo "Linha." >> "$C/api/runbook-00050.md"
build "$T/out"
same_as_cold "after a build with errors"

# A cold build into a new folder (its stage made empty, pruned without a
# walk; its files stat'ed for the stamp on several threads): the stamp
# lists every file of out with its size, its cache each file's inode,
# and the stamp is the same at -j 1 and -j 4.
rm -rf "$T/fresh" "$T/fresh1"
build "$T/fresh" -j 4
build "$T/fresh1" -j 1
listed() {	# listed OUT: "SIZE INODE PATH" of each file its stamp lists
	awk -F '\t' 'FNR == NR { if ($1 == "output") ino[$4] = $2; next }
	    $1 == "file" { print $2, ino[$4], $4 }' \
	    "$1/.runbookc-cache" "$1/.runbookc-stamp" | LC_ALL=C sort
}
actual() {	# actual OUT: "SIZE INODE PATH" of each file of out
	(cd "$1" && find . -type f ! -name '.runbookc-*' | sed 's|^\./||' |
	    while IFS= read -r f; do
		printf '%s %s\n' "$(stat -c '%s %i' "$f")" "$f"
	    done) | LC_ALL=C sort
}
listed "$T/fresh" > "$T/listed"
actual "$T/fresh" > "$T/actual"
[ -s "$T/listed" ] && cmp -s "$T/listed" "$T/actual" && ok || bad "cold build into a new folder: the stamp does not list out's files, sizes and inodes"
cmp -s "$T/fresh/.runbookc-stamp" "$T/fresh1/.runbookc-stamp" && ok || bad "cold build: the stamp differs between -j 4 and -j 1"
[ -z "$(find "$T/fresh" -name '*.runbookc-*' ! -name '.runbookc-*')" ] && ok || bad "cold build into a new folder: a stray stage file left in out"

# A page over max_file_size cannot be read however the stamp vouches for
# its hash: the build after the limit came down is the cold build's, with
# no stamp (its page has no hash).  The pages are hashed once more than
# INPUTS_RACY_NS after they were written, so that the stamp does vouch.
Y=$T/limit
rm -rf "$Y"; mkdir -p "$Y/content"
find "$C/kafka" -name 'runbook-*.md' | sort | head -n 2 | while read -r f; do
	cp "$f" "$Y/content/"
done
sleep 2.1
y_build() { $WRAP "$RUNBOOKC" build "$Y/content" -o "$1" --force 2> "$Y/err" > /dev/null; }
y_build "$Y/out"
printf 'max_file_size: 1K\n' > "$Y/content/site.yml"
y_build "$Y/out"
grep -q "file.read" "$Y/err" && ok || bad "max_file_size lowered: no file.read"
rm -rf "$Y/cold"; y_build "$Y/cold"
diff -r -x '.runbookc-cache*' "$Y/out" "$Y/cold" > /dev/null && ok || bad "max_file_size lowered: differs from a cold build"

# A script's exec bits are an input (script.not-executable reads them):
# after a chmod +x the next build does not replay the old error, for a
# script in the content folder and for one above it; and a chmod -x
# brings the error back.
X=$T/exec
rm -rf "$X"; mkdir -p "$X/repo/content/scripts" "$X/repo/scripts"
printf 'scripts:\n  require_executable: true\n' > "$X/repo/content/site.yml"
printf -- '---\ntitle: A\nseverity: sev2\nowner: ops\nalerts: [A1]\n---\n# A\n\n## Sintomas\n\nx\n\n## Diagnóstico\n\nRode `scripts/in.sh`.\n\n## Mitigação\n\nRode `scripts/up.sh`.\n' > "$X/repo/content/a.md"
for s in content/scripts/in.sh scripts/up.sh; do
	printf '#!/bin/sh\n' > "$X/repo/$s"; chmod -x "$X/repo/$s"
done
exec_build() { $WRAP "$RUNBOOKC" build "$X/repo/content" -o "$X/out" --force 2> "$X/err" > /dev/null; }
exec_build
[ "$(grep -c 'not-executable' "$X/err")" = 2 ] && ok || bad "exec bits: the first build does not report both scripts"
for s in content/scripts/in.sh scripts/up.sh; do
	chmod +x "$X/repo/$s"
	exec_build
	grep -q "is up to date" "$X/err" && bad "exec bits: $s made executable, and the build is up to date"
	grep -q "'${s#content/}' is not executable" "$X/err" && bad "exec bits: $s made executable, still reported" || ok
done
chmod -x "$X/repo/scripts/up.sh"
exec_build
grep -q "'scripts/up.sh' is not executable" "$X/err" && ok || bad "exec bits: chmod -x not reported again"

# What the checks find on disk besides the inputs' bytes is an input too:
# a script put above the content root where one was looked for in vain,
# and a folder made where a link pointed at nothing.
printf '\nRode `scripts/novo.sh`. Veja [a pasta](pasta/).\n' >> "$X/repo/content/a.md"
exec_build
grep -q "'scripts/novo.sh' not found" "$X/err" && grep -q "'pasta/' does not exist" "$X/err" && ok || bad "outside script, folder: the first build does not report them"
printf '#!/bin/sh\n' > "$X/repo/scripts/novo.sh"; chmod +x "$X/repo/scripts/novo.sh"
exec_build
grep -q "scripts/novo.sh" "$X/err" && bad "a script put above the content root: still not found" || ok
mkdir "$X/repo/content/pasta"
exec_build
grep -q "'pasta/' is a folder with no index page" "$X/err" && ok || bad "a folder made where a link pointed: still reported missing"

# The diagnostics name files by the content folder as given: the same
# folder named another way is not a no-op that replays the old names.
$WRAP "$RUNBOOKC" build "$X/repo/./content" -o "$X/out" --force 2> "$X/err" > /dev/null
grep -q "repo/\./content/a.md:" "$X/err" && ok || bad "content folder named another way: the old file names replayed"

echo "incremental: $pass passed, $fail failed"
