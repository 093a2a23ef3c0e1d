#!/usr/bin/env bash
#
# run-tests.sh (make test): install what is missing, build, install into the
# private tree build/install, generate certificates, then run the pg_regress
# suite against a throwaway TLS cluster and the TAP tests (t/*.pl), both
# with build/install's PostgreSQL.  The last line of output is always
# "N passed, N failed" (pg_regress tests plus TAP assertions); the exit
# status is non-zero on any failure.
#
# Environment: PG_MAJOR (default 15), COPT (extra compiler flags),
# PROVE_TESTS (TAP files to run instead of t/*.pl), PROVE_FLAGS (extra
# prove options, e.g. -v), SSLINFO_EXT_CLIENT_STACKS=skip (do not install
# the client stacks of test/clients even when a selected test uses them).
# As root, everything after the build runs as the OS user postgres (see
# test/README.md).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source test/lib.sh
source test/sanitize.sh

PRIV_PGXS="$PRIV_ROOT$SYS_PGLIB/lib/pgxs"
PORT_LOCK_DIR=/tmp/sslinfo_ext-portlock

# ---- the test phase (unprivileged) ----------------------------------------

regress_passed=0
regress_failed=0
tap_passed=0
tap_failed=0
failed_tap_files=()

# pg_regress prints "All N tests passed." or "M of N tests failed." (PG16+
# prefixes "# "), possibly with ignored failures.
count_regress()
{
	local out="$1" rc="$2" line
	line="$(grep -E '(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests (passed|failed))' "$out" | tail -n 1)"
	if [[ "$line" =~ All\ ([0-9]+)\ tests\ passed ]]; then
		regress_passed="${BASH_REMATCH[1]}"
	elif [[ "$line" =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ passed ]]; then
		regress_passed="${BASH_REMATCH[1]}"
	elif [[ "$line" =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed,\ ([0-9]+)\ of\ these ]]; then
		regress_failed=$((BASH_REMATCH[1] - BASH_REMATCH[3]))
		regress_passed=$((BASH_REMATCH[2] - regress_failed))
	elif [[ "$line" =~ ([0-9]+)\ of\ ([0-9]+)\ tests\ failed ]]; then
		regress_failed="${BASH_REMATCH[1]}"
		regress_passed=$((BASH_REMATCH[2] - BASH_REMATCH[1]))
	fi
	if [ "$rc" -ne 0 ] && [ "$regress_failed" -eq 0 ]; then
		echo "pg_regress did not complete (exit status $rc)"
		regress_failed=1
	fi
}

# prove prints "Files=F, Tests=T, ..." and, when something failed, one
# "FILE (Wstat: W Tests: T Failed: N)" line per failed file; a file that
# died or broke its plan counts as at least one failure.
count_tap()
{
	local out="$1" rc="$2" line total="" failed=0 n
	while IFS= read -r line; do
		if [[ "$line" =~ ^Files=[0-9]+,\ Tests=([0-9]+) ]]; then
			total="${BASH_REMATCH[1]}"
		elif [[ "$line" =~ ^([^[:space:]]+)\ +\(Wstat:.*Tests:\ ([0-9]+)\ Failed:\ ([0-9]+)\) ]]; then
			n="${BASH_REMATCH[3]}"
			failed_tap_files+=("${BASH_REMATCH[1]}")
			tap_failed=$((tap_failed + (n > 0 ? n : 1)))
			failed=$((failed + n))
		fi
	done <"$out"
	if [ -z "$total" ]; then
		echo "prove did not complete (exit status $rc)"
		tap_failed=$((tap_failed > 0 ? tap_failed : 1))
		return
	fi
	tap_passed=$((total - failed))
	if [ "$rc" -ne 0 ] && [ "$tap_failed" -eq 0 ]; then
		tap_failed=1
	fi
}

run_regress()
{
	say "pg_regress against a throwaway TLS cluster (build/regress-cluster)"
	rm -rf build/regress
	mkdir -p build/regress
	make --no-print-directory installcheck TAP_TESTS= \
		PG_CONFIG="$PRIV_BINDIR/pg_config" 2>&1 | tee build/regress/installcheck.log
	count_regress build/regress/installcheck.log "${PIPESTATUS[0]}"
}

run_tap()
{
	local -a tests
	read -r -a tests <<<"${PROVE_TESTS:-$(echo t/*.pl)}"
	if [ ! -e "${tests[0]:-}" ]; then
		say "no TAP tests"
		return
	fi
	say "TAP tests: ${tests[*]}"
	rm -rf build/tap
	mkdir -p build/tap
	if [ ! -d "$PORT_LOCK_DIR" ]; then
		mkdir -p "$PORT_LOCK_DIR"
		chmod 1777 "$PORT_LOCK_DIR" 2>/dev/null || true  # a concurrent run may own it
	fi
	# TESTDIR is what PostgreSQL::Test reads up to 15, TESTDATADIR and
	# TESTLOGDIR from 16 on: the same layout either way.
	# shellcheck disable=SC2086
	PATH="$PRIV_BINDIR:$PATH" \
		TESTDIR="$TOP/build/tap" \
		TESTDATADIR="$TOP/build/tap/tmp_check" \
		TESTLOGDIR="$TOP/build/tap/tmp_check/log" \
		PG_REGRESS="$PRIV_PGXS/src/test/regress/pg_regress" \
		PG_TEST_PORT_DIR="$PORT_LOCK_DIR" \
		SSLINFO_EXT_CERTDIR="$CERTDIR" \
		SSLINFO_EXT_CLIENTDIR="$CLIENTS_DIR" \
		prove -I "$SYS_PGLIB/lib/pgxs/src/test/perl" -I test/perl \
		${PROVE_FLAGS:-} "${tests[@]}" 2>&1 | tee build/tap/prove.log
	count_tap build/tap/prove.log "${PIPESTATUS[0]}"
}

show_failure_details()
{
	local f base log
	if [ -s build/regress/regression.diffs ]; then
		say "build/regress/regression.diffs (first 400 lines)"
		head -n 400 build/regress/regression.diffs
	fi
	if [ "$regress_failed" -ne 0 ] && [ -f build/regress-cluster/server.log ]; then
		say "tail of build/regress-cluster/server.log"
		tail -n 40 build/regress-cluster/server.log
	fi
	for f in "${failed_tap_files[@]+"${failed_tap_files[@]}"}"; do
		base="$(basename "$f" .pl)"
		for log in build/tap/tmp_check/log/regress_log_"$base" build/tap/tmp_check/log/"$base"_*.log; do
			[ -f "$log" ] || continue
			say "tail of $log"
			tail -n 40 "$log"
		done
	done
}

test_phase()
{
	# Interrupted: stop here (the cluster scripts clean up after themselves).
	trap 'echo; say interrupted; echo "$((regress_passed + tap_passed)) passed, $((regress_failed + tap_failed + 1)) failed"; exit 130' INT TERM HUP

	if ! sanitize_reset_reports; then
		echo "0 passed, 1 failed"
		return 1
	fi
	run_regress
	run_tap

	local passed=$((regress_passed + tap_passed)) failed=$((regress_failed + tap_failed))
	local sanitizer_summary=""
	if sanitize_enabled; then
		sanitize_check_reports || failed=$((failed + 1))
		sanitizer_summary="$(sanitize_check_reports | head -n 1)"
	fi
	if [ "$failed" -ne 0 ]; then
		show_failure_details
	fi
	echo
	say "summary"
	echo "pg_regress: $regress_passed passed, $regress_failed failed"
	echo "TAP:        $tap_passed passed, $tap_failed failed${failed_tap_files[*]:+ (in ${failed_tap_files[*]})}"
	[ -z "$sanitizer_summary" ] || echo "$sanitizer_summary"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

if [ "${1:-}" = --test-phase ]; then
	test_phase
	exit
fi

# ---- setup (as the invoking user) -----------------------------------------

run_in_root_unless_native test/run-tests.sh

setup_failed()
{
	echo "$1" >&2
	echo "0 passed, 1 failed"
	exit 1
}

ensure_packages
ensure_test_locale
# The bitcode step's clang (PGXS with_llvm) compiles every file too.
clang_bin="$(sed -n 's/^CLANG = //p' "$SYS_PGLIB/lib/pgxs/src/Makefile.global" 2>/dev/null)"
say "versions: $("$SYS_PG_CONFIG" --version), $(openssl version | cut -d' ' -f1-2), $(gcc --version | head -n 1)${clang_bin:+, $("$clang_bin" --version 2>/dev/null | head -n 1)}"
if sanitize_enabled; then
	COPT="$(sanitize_copt)"
	export COPT
fi
build_extension || setup_failed "build failed"
private_install || setup_failed "installing into $PRIV_ROOT failed"
sanitize_prepare_install || setup_failed "preparing the private install for SANITIZE=1 failed"
make_certs || setup_failed "certificate generation failed"
# Java, Go and Node.js only for a run whose tests use them
if client_stacks_wanted; then
	ensure_client_stacks || say "client stacks incomplete: the tests skip what is missing"
fi

if is_root; then
	tree="$(tree_for_server_user)" || setup_failed "cannot prepare a tree for the postgres user"
	say "running the tests as the OS user postgres"
	(cd "$tree" && as_test_user bash test/run-tests.sh --test-phase)
	rc=$?
	if [ "$tree" != "$TOP" ] && [ "$rc" -eq 0 ]; then
		rm -rf "$tree"
	fi
	exit "$rc"
fi
as_test_user bash test/run-tests.sh --test-phase
