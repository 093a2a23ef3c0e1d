# sanitize.sh: `make test SANITIZE=1`.  Sourced by test/run-tests.sh after
# test/lib.sh; defines functions and variables only.
#
# SANITIZE=1 builds sslinfo_ext with gcc's AddressSanitizer and
# UndefinedBehaviorSanitizer and runs the whole suite with every server
# process loading it.  Only the extension is instrumented: PostgreSQL itself
# is Debian's binary, which cannot load an ASan-instrumented library unless
# the ASan runtime comes first.  So in the private install (never the
# system's) bin/postgres becomes a small script that preloads the runtime
# and execs the real binary, bin/postgres.real; every way the harness starts
# a server (test/cluster.sh, PostgreSQL::Test::Cluster through pg_ctl,
# initdb, single-user mode) goes through it, and backends inherit it by
# fork.  The script also preloads build/asan_init_first.so (from
# test/asan_init_first.c), which initializes the runtime before any other
# library constructor runs: otherwise postgres hangs at start.  Without
# SANITIZE the real binary is put back.
#
# Reports go to build/sanitizer/ (ASan/UBSan log_path: one file per process
# that reported); any file there after the run fails it.  Leak detection is
# off: the postmaster and backends keep memory until exit by design.
#
#   sanitize_enabled          is SANITIZE set (and not 0)?
#   sanitize_copt             COPT with the sanitizer flags added
#   sanitize_prepare_install  wrap or unwrap bin/postgres of the private install
#   sanitize_reset_reports    empty build/sanitizer and check that a report
#                             written on purpose lands there (test phase)
#   sanitize_check_reports    print the reports; fails if there are any

SANITIZER_DIR="$BUILD/sanitizer"
SANITIZE_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

sanitize_enabled()
{
	[ -n "${SANITIZE:-}" ] && [ "${SANITIZE:-}" != 0 ]
}

sanitize_copt()
{
	echo "${COPT:+$COPT }$SANITIZE_FLAGS"
}

sanitize_prepare_install()
{
	local postgres="$PRIV_BINDIR/postgres" real="$PRIV_BINDIR/postgres.real"
	local runtime reports helper="$BUILD/asan_init_first.so"

	if ! sanitize_enabled; then
		if [ -f "$real" ]; then
			mv -f "$real" "$postgres"
		fi
		return 0
	fi

	if [[ "$(nm -D "$PRIV_ROOT$SYS_PGLIB/lib/sslinfo_ext.so")" != *' U __asan_report'* ]]; then
		echo "SANITIZE=1: the installed sslinfo_ext.so is not built with ASan" >&2
		return 1
	fi
	runtime="$(readlink -f "$(gcc -print-file-name=libasan.so)")"
	if [ ! -f "$runtime" ]; then
		echo "SANITIZE=1: gcc has no libasan.so" >&2
		return 1
	fi
	gcc -shared -fPIC -fsanitize=address -Wl,-z,initfirst -o "$helper" test/asan_init_first.c || return 1
	mkdir -p "$SANITIZER_DIR"
	# relative, so a copy of the tree made for the postgres user still works
	reports="$(realpath --relative-to="$PRIV_BINDIR" "$SANITIZER_DIR")"
	helper="$(realpath --relative-to="$PRIV_BINDIR" "$helper")"

	if [ ! -f "$real" ]; then
		mv "$postgres" "$real"
	fi
	cat >"$postgres" <<-EOF
		#!/bin/bash
		# Written by test/sanitize.sh for make test SANITIZE=1: run the real
		# postgres with the AddressSanitizer runtime loaded first, so that the
		# instrumented sslinfo_ext.so can be loaded.  Reports: build/sanitizer/.
		# argv[0] stays this script, so the postmaster records it in
		# postmaster.opts and pg_ctl restart comes through here again.
		here="\$(dirname "\$(readlink -f "\$0")")"
		reports="\$here/$reports"
		LD_PRELOAD="$runtime:\$here/$helper\${LD_PRELOAD:+:\$LD_PRELOAD}"
		ASAN_OPTIONS="detect_leaks=0:log_path=\$reports/asan:print_suppressions=0\${ASAN_OPTIONS:+:\$ASAN_OPTIONS}"
		UBSAN_OPTIONS="print_stacktrace=1:log_path=\$reports/ubsan\${UBSAN_OPTIONS:+:\$UBSAN_OPTIONS}"
		export LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS
		exec -a "\$here/postgres" "\$here/postgres.real" "\$@"
	EOF
	chmod 0755 "$postgres"
}

sanitize_reset_reports()
{
	rm -rf "$SANITIZER_DIR"
	mkdir -p "$SANITIZER_DIR"
	sanitize_enabled || return 0

	# A run that cannot report cannot pass: provoke one report first.
	SSLINFO_EXT_SANITIZER_SELFTEST=1 "$PRIV_BINDIR/postgres" -V >/dev/null 2>&1
	if ! grep -qs 'heap-buffer-overflow' "$SANITIZER_DIR"/asan.*; then
		echo "SANITIZE=1: the sanitizer self-test left no report in $SANITIZER_DIR" >&2
		return 1
	fi
	rm -f "$SANITIZER_DIR"/*
}

# Prints "sanitizer: N reports" and each report; status 1 if N > 0.
sanitize_check_reports()
{
	local f n
	n="$(find "$SANITIZER_DIR" -type f 2>/dev/null | wc -l)"
	echo "sanitizer:  $n reports"
	[ "$n" -eq 0 ] && return 0
	for f in "$SANITIZER_DIR"/*; do
		say "$f (first 60 lines)"
		head -n 60 "$f"
	done
	return 1
}
