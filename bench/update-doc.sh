#!/usr/bin/env bash
#
# update-doc.sh [RESULTS]: put the table of a make bench run
# (default build/bench/results.md) into doc/performance.md, between the
# lines "<!-- bench results: begin -->" and "<!-- bench results: end -->" of
# its Results section.  Nothing else in doc/performance.md changes.  Use it
# after a run on a quiet machine (the table records the load average).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results="${1:-build/bench/results.md}"
doc=doc/performance.md
begin='<!-- bench results: begin -->'
end='<!-- bench results: end -->'

[ -s "$results" ] || { echo "update-doc.sh: $results missing or empty: run make bench first" >&2; exit 1; }
grep -qx "$begin" "$doc" && grep -qx "$end" "$doc" ||
	{ echo "update-doc.sh: $doc lacks the $begin / $end lines" >&2; exit 1; }

awk -v begin="$begin" -v end="$end" -v results="$results" '
	$0 == begin { print; while ((getline line < results) > 0) print line; skip = 1; next }
	$0 == end { skip = 0 }
	!skip { print }
' "$doc" >"$doc.new"
mv "$doc.new" "$doc"
echo "$doc: Performance table replaced with $results"
