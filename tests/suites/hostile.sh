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

# A catastrophic user regex ends in a diagnostic, not a hang.
mkdir -p "$T/regex/content"
cat > "$T/regex/content/site.yml" <<'YML'
default_kind: guide
rules:
  - id: backtrack
    pattern: '^(a+)+$'
    message: catastrophic
    scope: [text]
YML
printf '# Regex\n\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\n' > "$T/regex/content/page.md"
run regex 1 "content/page.md:3:[0-9]+: error: .*\[rule.backtrack\]"

# An unusable site.yml is exit 2.
mkdir -p "$T/config/content"
printf 'kinds: [\n' > "$T/config/content/site.yml"
printf '# Page\n' > "$T/config/content/page.md"
run config 2 "content/site.yml:[0-9]+:[0-9]+: error: .*\[yaml.syntax\]"

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
