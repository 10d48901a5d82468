#!/bin/sh
# The shipped handbook (content/): checks clean, builds, every page is
# within two clicks of the home page and in the print book, and every
# script it ships is executable and passes bash -n (and shellcheck when
# installed).
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/handbook
rm -rf "$T"; mkdir -p "$T"
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
export RUNBOOKC_COMMIT= NO_COLOR=1
cd "$ROOT"

$WRAP "$RUNBOOKC" check content --today 2026-11-23 > "$T/check.out" 2>&1
rc=$?
[ $rc = 0 ] && ok || bad "check content: exit $rc"
[ ! -s "$T/check.out" ] && ok || { bad "check content: diagnostics"; head -20 "$T/check.out"; }

$WRAP "$RUNBOOKC" build content -o "$T/out" -q --today 2026-11-23 > "$T/build.out" 2>&1 \
    && ok || { bad "build content"; head "$T/build.out"; }

python3 - "$T/out" content <<'PY' && ok || bad "pages not reachable in two clicks or missing from the book"
import html, json, os, re, sys
from urllib.parse import unquote, urljoin
out, content = sys.argv[1], sys.argv[2]
def links(page):
    text = open(os.path.join(out, page), encoding="utf-8").read()
    for href in re.findall(r'href="([^"#?]+)', text):
        target = os.path.normpath(os.path.join(os.path.dirname(page), unquote(html.unescape(href))))
        if target.endswith(".html") and os.path.exists(os.path.join(out, target)):
            yield target
one = set(links("index.html"))
two = set(one)
for p in one:
    two.update(links(p))
catalog = json.load(open(os.path.join(out, "catalog.json"), encoding="utf-8"))
pages = catalog["pages"] if isinstance(catalog, dict) else catalog
book = open(os.path.join(out, "print.html"), encoding="utf-8").read()
missing = 0
for p in pages:
    url = p.get("url") or p.get("out") or ""
    if url and os.path.normpath(url) not in two and url != "index.html":
        print("not within two clicks:", url); missing += 1
    title = html.escape(p.get("title", ""), quote=False)
    if title not in book and html.escape(p.get("title", "")) not in book:
        print("not in print.html:", p.get("title")); missing += 1
print(len(pages), "pages checked")
sys.exit(1 if missing or not pages else 0)
PY

for f in $(find content -name '*.sh' | sort); do
	[ -x "$f" ] && ok || bad "$f is not executable"
	bash -n "$f" && ok || bad "$f: bash -n"
	if command -v shellcheck > /dev/null; then
		shellcheck -S warning "$f" > "$T/sc.out" 2>&1 && ok || { bad "$f: shellcheck"; head -5 "$T/sc.out"; }
	fi
done
echo "handbook: $pass passed, $fail failed"
