#!/usr/bin/env bash
#
# matrix.sh (make test-all): on every PostgreSQL major the project
# supports, each with Debian's own packages (test/roots.sh says where each
# runs), one after the other: the whole suite (test/run-tests.sh), then the
# Debian package from build to purge (test/deb-test.sh); after them, when
# 18 and 19 are among the majors, the upgrade of a cluster with the package
# preloaded from 18 to 19 with pg_upgradecluster (test/upgrade-test.sh, in
# the sid+experimental root); at the end the compile-only check against
# OpenSSL 4.0's headers (test/openssl4-check.sh, in the root of the newest
# major).  Each step's whole output goes to build/matrix/MAJOR.log,
# MAJOR-deb.log, upgrade.log, openssl4.log and is shown as it runs; at the
# end one line per step and, as the last line, the totals "N passed, N
# failed".
#
# Environment: MATRIX_MAJORS (default "15 17 18 19"), COPT, PROVE_TESTS,
# PROVE_FLAGS (passed to each major's make test).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

majors="${MATRIX_MAJORS:-15 17 18 19}"
logdir=build/matrix
mkdir -p "$logdir"

total_passed=0
total_failed=0
declare -a lines=()

# "N passed, N failed" of a log's last such line (whatever stands before
# it: "deb-test 17: ..."), or nothing.
summary_of()
{
	grep -oE '(^|[ :])[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1 | sed 's/^[ :]*//'
}

record()
{
	local label="$1" log="$2" rc="$3" secs="$4" summary p f
	summary="$(summary_of "$log")"
	if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p="${BASH_REMATCH[1]}"
		f="${BASH_REMATCH[2]}"
	else
		p=0
		f=0
	fi
	# A run that failed without saying so counts as one failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	# the label padded to 26 columns, whatever the locale (the arrow of the
	# upgrade step is three bytes wide in UTF-8 and one column)
	local bytes chars
	bytes="$(printf %s "$label" | LC_ALL=C wc -c)"
	chars="$(printf %s "$label" | LC_ALL=C.UTF-8 wc -m)"
	lines+=("$(LC_ALL=C printf '%-*s %5d passed, %3d failed  (%ds, %s)' $((26 + bytes - chars)) "$label" "$p" "$f" "$secs" "$log")")
}

trap 'echo; echo "== interrupted"; echo "$total_passed passed, $((total_failed + 1)) failed"; exit 130' INT TERM HUP

for major in $majors; do
	log="$logdir/$major.log"
	echo "== PostgreSQL $major ($(bash test/roots.sh suite "$major" 2>/dev/null || echo unknown))"
	start=$SECONDS
	PG_MAJOR="$major" bash test/run-tests.sh 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	version="$(grep -m1 -oE '^== versions: PostgreSQL [0-9]+[0-9a-z.~]*' "$log" | head -n 1)"
	record "PostgreSQL $major${version:+ (${version#== versions: PostgreSQL })}" "$log" "$rc" $((SECONDS - start))

	log="$logdir/$major-deb.log"
	echo "== PostgreSQL $major: the Debian package"
	start=$SECONDS
	if bash test/roots.sh native "$major"; then
		bash test/deb-test.sh "$major"
	else
		bash test/roots.sh run "$major" -- bash test/deb-test.sh "$major"
	fi 2>&1 | tee "$log"
	record "PostgreSQL $major package" "$log" "${PIPESTATUS[0]}" $((SECONDS - start))
done

if [[ " $majors " == *" 18 "* && " $majors " == *" 19 "* ]]; then
	log="$logdir/upgrade.log"
	echo "== the upgrade 18 → 19 with pg_upgradecluster"
	start=$SECONDS
	if bash test/roots.sh native 19; then
		bash test/upgrade-test.sh 18 19
	else
		bash test/roots.sh run 19 -- bash test/upgrade-test.sh 18 19
	fi 2>&1 | tee "$log"
	record "upgrade 18 → 19" "$log" "${PIPESTATUS[0]}" $((SECONDS - start))
fi

log="$logdir/openssl4.log"
echo "== compile-only check against OpenSSL 4.0 headers"
start=$SECONDS
bash test/openssl4-check.sh 2>&1 | tee "$log"
record "OpenSSL 4.0 headers" "$log" "${PIPESTATUS[0]}" $((SECONDS - start))

echo
echo "== matrix"
printf '%s\n' "${lines[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
