#!/usr/bin/env bash
#
# update-doc.sh [RESULTS]: put the table of a make bench run
# (default build/bench/results.md) into doc/performance.md, between the
# lines "<!-- bench results: begin -->" and "<!-- bench results: end -->" of
# its Results section, and its view rows (2a–2l: the scans against
# pg_stat_ssl and against the baseline commit) and the exporters' scrape
# totals into README.md's Performance table, between "<!-- bench summary:
# begin -->" and "<!-- bench summary: end -->" (without the command column,
# with the run's header and command lines).  Nothing else in either file changes.  Use
# it after a run on a quiet machine (the table records the load average).

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results="${1:-build/bench/results.md}"

[ -s "$results" ] || { echo "update-doc.sh: $results missing or empty: run make bench first" >&2; exit 1; }

# replace_between FILE BEGIN END CONTENT_FILE
replace_between()
{
	local doc="$1" begin="$2" end="$3" content="$4"
	grep -qx "$begin" "$doc" && grep -qx "$end" "$doc" ||
		{ echo "update-doc.sh: $doc lacks the $begin / $end lines" >&2; exit 1; }
	awk -v begin="$begin" -v end="$end" -v content="$content" '
		$0 == begin { print; while ((getline line < content) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }
	' "$doc" >"$doc.new"
	mv "$doc.new" "$doc"
}

replace_between doc/performance.md '<!-- bench results: begin -->' '<!-- bench results: end -->' "$results"
echo "doc/performance.md: Performance table replaced with $results"

# README: the view's rows and the scrape totals, seven columns
summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT
{
	sed -n '1p' "$results" | sed 's/^sslinfo_ext benchmark — /From `make bench`, /'
	echo
	sed -n '3p' "$results"
	echo
	echo "| # | measurement | sslinfo_ext | reference | ratio (median) | target | met |"
	echo "|---|---|---|---|---|---|---|"
	awk -F' \\| ' '
		/^\| 2[a-l] \| / || (/^\| 6[a-z] \| / && / all its sslinfo_ext queries/) {
			sub(/^\| /, "", $1)
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $7, $8
		}' "$results"
} >"$summary"
replace_between README.md '<!-- bench summary: begin -->' '<!-- bench summary: end -->' "$summary"
echo "README.md: Performance table replaced with the view's rows of $results"
