#!/bin/sh
# Atomic and deterministic output.
#  - A build killed with SIGKILL at random moments leaves the previous
#    out/ complete and unchanged (or, past the swap, the complete new one).
#  - Two builds of the same input are byte-identical, across -j1 and -jN,
#    TZ and locale, and whatever order the files were created in.
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/atomic
umount "$T/disk" 2> /dev/null	# a run stopped before its full-disk case ended
rm -rf "$T"; mkdir -p "$T"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
export SOURCE_DATE_EPOCH=1795392000 RUNBOOKC_COMMIT=

cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -o "$T/gencorpus" "$ROOT/tests/bench/gencorpus.c" || { bad "gencorpus"; echo "atomic: 0 passed, 1 failed"; exit 0; }
"$T/gencorpus" 400 "$T/c1"
build() { c=$1 o=$2; shift 2; $WRAP "$RUNBOOKC" build "$c" -o "$o" -q --force "$@" > /dev/null 2>&1; }
# The site, without the build cache (file times: not the same twice).
tree_sum() { (cd "$1" && find . -type f ! -name '.runbookc-cache*' | LC_ALL=C sort | xargs cksum) | cksum; }

# Reference sites: the old input and the new one.
build "$T/c1" "$T/ref-old"
old=$(tree_sum "$T/ref-old")
cp -r "$T/c1" "$T/c2"
for f in "$T"/c2/api/*.md; do echo "Linha nova." >> "$f"; done
build "$T/c2" "$T/ref-new"
new=$(tree_sum "$T/ref-new")
[ "$old" != "$new" ] && ok || bad "the two inputs build the same site"

# Kill builds of the new input at random moments; out/ must always be
# exactly the old site or exactly the new one.
i=0 torn=0 swapped=0
while [ $i -lt 25 ]; do
	i=$((i + 1))
	rm -rf "$T/out" "$T/out.runbookc-new"
	cp -r "$T/ref-old" "$T/out"
	"$RUNBOOKC" build "$T/c2" -o "$T/out" -q --force > /dev/null 2>&1 &
	pid=$!
	sleep "0.$(awk -v s=$i 'BEGIN { srand(s); printf "%03d", int(rand() * 250) }')"
	kill -9 $pid 2> /dev/null
	wait $pid 2> /dev/null
	s=$(tree_sum "$T/out")
	if [ "$s" = "$new" ]; then swapped=$((swapped + 1))
	elif [ "$s" != "$old" ]; then torn=$((torn + 1)); fi
done
[ $torn = 0 ] && ok || bad "killed builds left $torn torn out/ folders"
echo "killed 25 builds: $swapped had swapped in the new site, $torn torn"
# The next build after a kill cleans up and succeeds.
build "$T/c2" "$T/out"
[ "$(tree_sum "$T/out")" = "$new" ] && ok || bad "build after kills differs"
[ ! -e "$T/out.runbookc-new" ] && ok || bad "staging folder left behind"
# A kill after the swap leaves the replaced site beside out/ while out/ is
# already up to date: the next build, with nothing to build, clears it.
mkdir -p "$T/out.runbookc-new/api"; echo x > "$T/out.runbookc-new/api/x.html"
build "$T/c2" "$T/out"
[ ! -e "$T/out.runbookc-new" ] && ok || bad "no-op build left the killed build's stage"

# A failing build (errors, no --force) leaves out/ untouched.
cp -r "$T/c1" "$T/c3"
printf -- '---\ntitle: [broken\n---\n' > "$T/c3/api/broken.md"
rm -rf "$T/out"; cp -r "$T/ref-old" "$T/out"
$WRAP "$RUNBOOKC" build "$T/c3" -o "$T/out" -q > /dev/null 2>&1
[ $? = 1 ] && ok || bad "failing build: exit status"
[ "$(tree_sum "$T/out")" = "$old" ] && ok || bad "failing build changed out/"

# Determinism: -j1 vs -j4, TZ, locale, a copy made in reverse order.
build "$T/c1" "$T/d1" -j 1
TZ=Pacific/Kiritimati LC_ALL=C.UTF-8 build "$T/c1" "$T/d2" -j 4
mkdir -p "$T/c4"
(cd "$T/c1" && find . -type d) | while read -r d; do mkdir -p "$T/c4/$d"; done
(cd "$T/c1" && find . -type f | sort -r) | while read -r f; do cp -p "$T/c1/$f" "$T/c4/$f"; done
build "$T/c4" "$T/d3"
diff -r -x '.runbookc-cache*' "$T/d1" "$T/d2" > /dev/null && ok || bad "-j1 and -j4 / TZ / locale differ"
diff -r -x '.runbookc-cache*' "$T/d1" "$T/ref-old" > /dev/null && ok || bad "two builds differ"
diff -r -x '.runbookc-cache*' -x .runbookc-stamp "$T/d1" "$T/d3" > /dev/null && ok || bad "creation order changes the site"
# The stamps differ in their fingerprint alone, which mixes in the content
# folder as named (c1, c4): the diagnostics a no-op replays name it.
grep -v '^fingerprint' "$T/d1/.runbookc-stamp" > "$T/stamp1"
grep -v '^fingerprint' "$T/d3/.runbookc-stamp" > "$T/stamp3"
cmp -s "$T/stamp1" "$T/stamp3" && ok || bad "creation order changes the stamp beyond its fingerprint"

# Unchanged files keep their mtime across a rebuild.
f=$(cd "$T/d1" && find . -name '*.html' | sort | head -n 1)
before=$(stat -c %Y.%y "$T/d1/$f")
sleep 1
build "$T/c1" "$T/d1"
[ "$(stat -c %Y.%y "$T/d1/$f")" = "$before" ] && ok || bad "an unchanged file was rewritten"

# One build at a time into one out: a build that finds another one's
# lock (OUT.runbookc-lock, held here by Python for a second) says it
# waits, then builds; and two builds started together into one out both
# succeed and leave the site a cold build makes, with no lock left.
rm -rf "$T/w" "$T/w.runbookc-"*
build "$T/c2" "$T/w"
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w"); fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(1)' "$T/w.runbookc-lock" "$T/held" &
holder=$!
while [ ! -e "$T/held" ]; do sleep 0.05; done
echo "Linha a mais." >> "$T/c2/api/runbook-00002.md"
$WRAP "$RUNBOOKC" build "$T/c2" -o "$T/w" --force > /dev/null 2> "$T/w.err"
rc=$?
wait $holder
[ $rc = 0 ] && grep -q "waiting for another build into $T/w to finish" "$T/w.err" && ok || bad "a held lock: exit $rc, $(cat "$T/w.err" | tail -n 1)"
echo "Outra linha." >> "$T/c2/api/runbook-00003.md"
build "$T/c2" "$T/w" & first=$!
build "$T/c2" "$T/w" & second=$!
wait $first; r1=$?
wait $second; r2=$?
rm -rf "$T/w-cold"
build "$T/c2" "$T/w-cold"
[ $r1 = 0 ] && [ $r2 = 0 ] && diff -r -x '.runbookc-cache*' "$T/w" "$T/w-cold" > /dev/null && ok || bad "two builds at once: exits $r1 $r2, or a site unlike a cold build"
[ ! -e "$T/w.runbookc-lock" ] && [ ! -e "$T/w.runbookc-new" ] && ok || bad "two builds at once: a lock or a stage left beside out"
# The same into a new nested folder: the folder is made before the lock.
rm -rf "$T/n"
build "$T/c2" "$T/n/a/out" & first=$!
build "$T/c2" "$T/n/a/out" & second=$!
wait $first; r1=$?
wait $second; r2=$?
[ $r1 = 0 ] && [ $r2 = 0 ] && diff -r -x '.runbookc-cache*' "$T/n/a/out" "$T/w-cold" > /dev/null && [ "$(ls "$T/n/a")" = out ] && ok || bad "two builds at once into a new folder: exits $r1 $r2, or a site unlike a cold build: $(ls "$T/n/a")"

# A full disk: a build that cannot write its files names the first ten,
# counts the others in one more line, exits 2 and leaves out as it was.
# On a small tmpfs of its own (root can mount one; said where not).
D=$T/disk
mkdir -p "$D"
if mount -t tmpfs -o size=20m tmpfs "$D" 2> /dev/null; then
	build "$T/c1" "$D/out"
	before=$(tree_sum "$D/out")
	$WRAP "$RUNBOOKC" build "$T/c2" -o "$D/out" -q --force > /dev/null 2> "$T/full.err"
	rc=$?
	n=$(grep -c 'cannot write: ' "$T/full.err")
	[ $rc = 2 ] && ok || bad "a full disk: exit $rc, not 2"
	[ "$n" -eq 10 ] && grep -q '^[^:]*/out:1:1: error: [0-9]* more files\{0,1\} could not be written' "$T/full.err" && ok || bad "a full disk: $n files named, or no count of the others: $(tail -n 3 "$T/full.err")"
	[ "$before" = "$old" ] && [ "$(tree_sum "$D/out")" = "$before" ] && ok || bad "a full disk: out changed"
	umount "$D"
else
	echo "atomic: a full disk not tried (no tmpfs can be mounted here)"
fi

echo "atomic: $pass passed, $fail failed"
