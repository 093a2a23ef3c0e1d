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
# The last leg, 18-openssl1.1, is PostgreSQL 18 against OpenSSL 1.1.1w
# (PG_MAJOR=18 PG_OPENSSL=1.1: a bullseye root with PostgreSQL built from
# Debian's source package, test/roots.sh); its Debian package step is
# skipped (bullseye has no postgresql-server-dev-18 to build it against) and
# says so.  Preparing its root from nothing (debootstrap, PostgreSQL's
# build, the suite's packages) takes minutes on two cores, so it starts in
# the background when the matrix starts, niced, logged to
# build/matrix/18-openssl1.1-prepare.log, and overlaps the other legs; the
# root's lock (roots.sh) keeps the leg out until it is done.
#
# Environment: MATRIX_MAJORS (default "15 17 18 19 18-openssl1.1"; a leg is
# MAJOR or MAJOR-opensslVERSION), COPT, PROVE_TESTS, PROVE_FLAGS (passed to
# each major's make test).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

majors="${MATRIX_MAJORS:-15 17 18 19 18-openssl1.1}"
logdir=build/matrix
mkdir -p "$logdir"

# Each OpenSSL leg's root is prepared in the background from the start.
declare -a preparing=()
for leg in $majors; do
	[[ "$leg" =~ ^([0-9]+)-openssl([0-9.]+)$ ]] || continue
	echo "== PostgreSQL ${BASH_REMATCH[1]} (OpenSSL ${BASH_REMATCH[2]}): preparing its root in the background ($logdir/$leg-prepare.log)"
	PG_MAJOR="${BASH_REMATCH[1]}" PG_OPENSSL="${BASH_REMATCH[2]}" \
		nice -n 19 ionice -c 3 bash test/roots.sh prepare "${BASH_REMATCH[1]}" >"$logdir/$leg-prepare.log" 2>&1 &
	preparing+=($!)
done

# An interrupted matrix takes its background preparations with it: each
# process and everything below it (make, apt-get inside the root).
kill_tree()
{
	local child
	for child in $(pgrep -P "$1"); do
		kill_tree "$child"
	done
	kill -TERM "$1" 2>/dev/null
}

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
	# the label padded to 36 columns, whatever the locale (the arrow of the
	# upgrade step is three bytes wide in UTF-8 and one column)
	local bytes chars
	bytes="$(printf %s "$label" | LC_ALL=C wc -c)"
	chars="$(printf %s "$label" | LC_ALL=C.UTF-8 wc -m)"
	lines+=("$(LC_ALL=C printf '%-*s %5d passed, %3d failed  (%ds, %s)' $((36 + bytes - chars)) "$label" "$p" "$f" "$secs" "$log")")
}

trap 'for pid in "${preparing[@]+"${preparing[@]}"}"; do kill_tree "$pid"; done; echo; echo "== interrupted"; echo "$total_passed passed, $((total_failed + 1)) failed"; exit 130' INT TERM HUP

for leg in $majors; do
	major="${leg%%-*}"
	openssl=""
	[[ "$leg" =~ -openssl([0-9.]+)$ ]] && openssl="${BASH_REMATCH[1]}"
	log="$logdir/$leg.log"
	echo "== PostgreSQL $major${openssl:+ with OpenSSL $openssl} ($(PG_OPENSSL="$openssl" bash test/roots.sh suite "$major" 2>/dev/null || echo unknown))"
	start=$SECONDS
	PG_MAJOR="$major" PG_OPENSSL="$openssl" bash test/run-tests.sh 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	version="$(grep -m1 -oE '^== versions: PostgreSQL [0-9]+[0-9a-z.~]*' "$log" | head -n 1)"
	version="${version#== versions: PostgreSQL }"
	if [ -n "$openssl" ]; then
		openssl_version="$(grep -m1 -oE '^== versions: .*, OpenSSL [0-9][0-9a-z.]*' "$log" | sed 's/.*, OpenSSL //')"
		record "PostgreSQL $major (${version:+$version, }OpenSSL ${openssl_version:-$openssl})" "$log" "$rc" $((SECONDS - start))
		# No package step: it builds the package against Debian's
		# postgresql-server-dev-N, which this leg's suite does not have.
		lines+=("$(printf '%-36s skipped: %s' "PostgreSQL $major (OpenSSL $openssl) package" \
			"$(PG_OPENSSL="$openssl" bash test/roots.sh suite "$major") has no postgresql-server-dev-$major (the server is built from source)")")
		continue
	fi
	record "PostgreSQL $major${version:+ ($version)}" "$log" "$rc" $((SECONDS - start))

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
