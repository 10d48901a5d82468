#!/bin/sh
# The CI formats of `runbookc check` load in their consumers' parsers:
# SARIF and JSON as JSON (SARIF 2.1.0, every result's rule described),
# JUnit as XML (one testcase per page, counts that add up), GitHub
# workflow commands line by line.  The golden cases check-format-* pin the
# exact bytes; this checks the structure with Python's own parsers.
set -u
: "${WRAP:=}"
pass=0 fail=0
T=$TOUT/check-formats
rm -rf "$T"; mkdir -p "$T"
export NO_COLOR=1
CASE=$ROOT/tests/cases/check-format-text

if ! command -v python3 >/dev/null 2>&1; then
	echo "check-formats: python3 not found; nothing checked"
	echo "check-formats: 0 passed, 0 failed"
	exit 0
fi

# check FORMAT: writes $T/out.FORMAT and validates it with python3.
check() {
	fmt=$1
	(cd "$CASE" && $WRAP "$RUNBOOKC" check content --format "$fmt" \
	    --today 2026-11-23) > "$T/out.$fmt" 2> "$T/err.$fmt"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail=$((fail + 1)); echo "FAIL $fmt: exit $rc, want 1"; return
	fi
	if python3 - "$fmt" "$T/out.$fmt" <<'PY'
import json, re, sys
import xml.etree.ElementTree as ET

fmt, path = sys.argv[1], sys.argv[2]
data = open(path, encoding="utf-8").read()

def sarif():
    doc = json.loads(data)
    assert doc["version"] == "2.1.0", doc["version"]
    assert "sarif-2.1.0" in doc["$schema"]
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "runbookc"
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for r in driver["rules"]:
        assert r["shortDescription"]["text"], r["id"]
    for known in ("section.required", "link.broken", "alert.uncovered"):
        assert known in ids, known
    assert run["results"], "no results"
    for res in run["results"]:
        assert res["level"] in ("error", "warning")
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("content/")
        assert loc["region"]["startLine"] >= 1
        assert loc["region"]["startColumn"] >= 1

def junit():
    root = ET.fromstring(data.encode("utf-8"))
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == 3
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == int(suite.get("failures")) == 1
    assert failed[0].get("name") == "content/ops/missing.md"
    assert "[link.broken]" in failed[0].find("failure").text

def json_():
    doc = json.loads(data)
    s = doc["summary"]
    d = doc["diagnostics"]
    assert s["errors"] == sum(x["severity"] == "error" for x in d)
    assert s["warnings"] == sum(x["severity"] == "warning" for x in d)
    assert s["files"] == 3

def github():
    lines = data.splitlines()
    assert lines[0].startswith("::notice title=runbookc::3 files checked")
    cmd = re.compile(r"^::(error|warning) file=[^,:]+,line=\d+,col=\d+,"
                     r"title=[^,:]+::[^\r\n]+$")
    for line in lines[1:]:
        assert cmd.match(line), line
        assert "%" not in line.split("::", 2)[2].replace("%25", "") \
            .replace("%0A", "").replace("%0D", ""), line

{"sarif": sarif, "junit": junit, "json": json_, "github": github}[fmt]()
PY
	then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL $fmt: $T/out.$fmt does not parse"
	fi
}

for fmt in sarif junit json github; do
	check "$fmt"
done

# xmllint, when present, agrees that the JUnit report is well-formed.
if command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout "$T/out.junit" 2>/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "FAIL junit: xmllint rejects it"
	fi
fi
echo "check-formats: $pass passed, $fail failed"
