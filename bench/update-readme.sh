#!/usr/bin/env bash
#
# update-readme.sh [RESULTS]: put the table of a make bench run
# (default build/bench/results.md) into README.md, between the lines
# "<!-- bench results: begin -->" and "<!-- bench results: end -->" of its
# Performance section.  Nothing else in README.md changes.  Use it after a
# run on a quiet machine (the table records the load average).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results="${1:-build/bench/results.md}"
begin='<!-- bench results: begin -->'
end='<!-- bench results: end -->'

[ -s "$results" ] || { echo "update-readme.sh: $results missing or empty: run make bench first" >&2; exit 1; }
grep -qx "$begin" README.md && grep -qx "$end" README.md ||
	{ echo "update-readme.sh: README.md lacks the $begin / $end lines" >&2; exit 1; }

awk -v begin="$begin" -v end="$end" -v results="$results" '
	$0 == begin { print; while ((getline line < results) > 0) print line; skip = 1; next }
	$0 == end { skip = 0 }
	!skip { print }
' README.md >README.md.new
mv README.md.new README.md
echo "README.md: Performance table replaced with $results"
