#!/bin/sh
# make bench [N=10000] [ROUNDS=3] [SCALE=1]: runbookc against its peers on
# the same synthetic corpus, side by side and alternating, ROUNDS times;
# prints the median wall time with min-max, the peak RSS, and the ratios
# the performance targets are stated in.  SCALE=1 adds cold builds of 5N
# pages, for the linearity target.
#
# The corpus and every tool's output live in a tmpfs (/dev/shm) unless
# BENCH_DIR names another folder: on a journal-less ext4 (this project's
# CI machines) the inode allocator scans every inode freed in the last
# five minutes, so any tool that writes tens of thousands of files right
# after the previous round deleted them measures the file system, not
# itself.  BENCH_DIR=build/bench measures on disk.
set -eu
cd "$(dirname "$0")/../.."
N=${N:-10000}
ROUNDS=${ROUNDS:-3}
J=${J:-$(nproc)}
SCALE=${SCALE:-0}
if [ -z "${BENCH_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	BENCH_DIR=/dev/shm/runbookc-bench
fi
W=${BENCH_DIR:-build/bench}
R=$PWD/runbookc
mkdir -p "$W"
W=$(cd "$W" && pwd)
C=$W/corpus-$N

cc -O2 -std=c11 -Wall -Wextra -D_XOPEN_SOURCE=700 -o "$W/gencorpus" tests/bench/gencorpus.c
# corpus N DIR: generated once, then reused.
corpus() {
	if [ ! -f "$2/.complete" ]; then
		rm -rf "$2"
		"$W/gencorpus" "$1" "$2"
		echo "theme: ../theme" >> "$2/site.yml"
		touch "$2/.complete"
	fi
}
corpus "$N" "$C"
mkdir -p "$W/theme"
cp themes/default/page.mustache "$W/theme/page.mustache"
echo "corpus: $N pages, $(du -sh "$C" | cut -f1), $J jobs, $(nproc) cores, $(uname -m), in $W ($(stat -f -c %T "$W"))"

# measure NAME CMD...: appends "seconds kilobytes" to $W/NAME.times
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$W/t.tmp" "$@" > /dev/null 2>&1 || true
	tail -n 1 "$W/t.tmp" >> "$W/$name.times"
}

# The Markdown work alone: cmark-gfm, one process per core.
cat > "$W/floor.sh" <<SH
find "$C" -name '*.md' | sort | xargs -P "$J" -n $((N / J + 1)) \\
    cmark-gfm -e table -e strikethrough -e autolink -e tasklist \\
    -e tagfilter > /dev/null
SH

hugo_site() {
	H=$W/hugo
	mkdir -p "$H/layouts/_default"
	cat > "$H/config.toml" <<TOML
baseURL = "http://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.highlight]
codeFences = false
[markup.goldmark.renderer]
unsafe = false
TOML
	echo '<html><body><h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}</body></html>' > "$H/layouts/_default/single.html"
	echo '<html><body><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>' > "$H/layouts/_default/list.html"
	rm -rf "$H/content"
	ln -s "$C" "$H/content"
}

rm -f "$W"/*.times
have_hugo=0
command -v hugo > /dev/null && { hugo_site; have_hugo=1; }
page=$(find "$C" -name '*.md' | sort | head -n 1)
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	echo "round $i/$ROUNDS"
	measure floor sh "$W/floor.sh"
	rm -rf "$W/out" "$W/out.runbookc-prev"
	measure cold "$R" build "$C" -o "$W/out" -j "$J" -q --force
	measure noop "$R" build "$C" -o "$W/out" -j "$J" -q --force
	echo "Linha acrescentada na rodada $i." >> "$page"
	measure onepage "$R" build "$C" -o "$W/out" -j "$J" -q --force
	# The next edit: the stage is made from the site the last build
	# kept beside out, not linked whole from out (the first rebuild
	# after a cold build does that).
	echo "Outra linha na rodada $i." >> "$page"
	measure onepage2 "$R" build "$C" -o "$W/out" -j "$J" -q --force
	echo "{{! rodada $i }}" >> "$W/theme/page.mustache"
	measure template "$R" build "$C" -o "$W/out" -j "$J" -q --force
	measure check "$R" check "$C" -q
	if [ $have_hugo = 1 ]; then
		rm -rf "$W/hugo-out"
		measure hugo hugo --quiet -s "$W/hugo" -d "$W/hugo-out"
	fi
	if [ "$SCALE" = 1 ]; then
		corpus $((5 * N)) "$W/corpus-$((5 * N))"
		rm -rf "$W/out5"
		measure cold5 "$R" build "$W/corpus-$((5 * N))" -o "$W/out5" -j "$J" -q --force
		rm -rf "$W/out5"
	fi
done

# stats NAME: "median min max rss_max_mb"
stats() {
	sort -n "$W/$1.times" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
	    END { printf "%.3f %.3f %.3f %.0f\n", t[int((NR + 1) / 2)], t[1], t[NR], m / 1024 }'
}
printf '\n%-22s %9s %17s %9s\n' "" "median s" "min-max s" "peak MB"
for n in floor cold noop onepage onepage2 template check hugo cold5; do
	[ -f "$W/$n.times" ] || continue
	set -- $(stats $n)
	printf '%-22s %9s %8s-%-8s %9s\n' "$n" "$1" "$2" "$3" "$4"
	eval "med_$n=$1 rss_$n=$4"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "cold / cmark-gfm floor      $(ratio "$med_cold" "$med_floor")   (target <= 1.5)"
[ $have_hugo = 1 ] && echo "hugo / cold                 $(ratio "$med_hugo" "$med_cold")   (target >= 5)"
echo "no-op / cold                $(ratio "$med_noop" "$med_cold")   (target <= 0.10)"
echo "one page changed / cold     $(ratio "$med_onepage" "$med_cold")   (target <= 0.15)"
echo "  the next one / cold         $(ratio "$med_onepage2" "$med_cold")"
echo "template changed / cold     $(ratio "$med_template" "$med_cold")"
echo "check / cold                $(ratio "$med_check" "$med_cold")   (target <= 0.60)"
echo "peak RSS, cold build        ${rss_cold} MB   (target <= 200)"
[ $have_hugo = 1 ] && echo "hugo RSS / runbookc RSS     $(ratio "$rss_hugo" "$rss_cold")   (target >= 10)"
[ "$SCALE" = 1 ] && echo "cold 5N / (5 x cold N)      $(ratio "$med_cold5" "$(awk -v c="$med_cold" 'BEGIN { print 5 * c }')")   (target <= 1.15)"
exit 0
