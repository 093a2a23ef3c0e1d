#!/usr/bin/env bash
#
# openssl4-check.sh: compile every C file of the extension (no link, no
# run) against OpenSSL 4.0's headers, which Debian experimental ships as
# libssl-dev 4.x: ASN1_STRING is opaque there and several accessors return
# const, so code that still reaches into OpenSSL's structures or drops a
# const fails here first.  Runs in the Debian root of PostgreSQL 19 (sid +
# experimental, test/roots.sh) with that major's server headers and the CI
# warning flags (COPT, default below), in a scratch copy of the tree under
# build/openssl4 (the real build's objects are not touched).  The headers
# come from `apt-get download` + `dpkg-deb -x`: nothing is installed.
#
# Last line: "N passed, N failed", one per C file, plus one for the check
# that the compiler really sees OpenSSL 4's headers.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
PG_MAJOR="${OPENSSL4_PG_MAJOR:-19}"
source test/lib.sh
COPT="${COPT:--Werror -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare}"

run_in_root_unless_native test/openssl4-check.sh

fail()
{
	echo "$1" >&2
	echo "0 passed, 1 failed"
	exit 1
}

work="$BUILD/openssl4"
rm -rf "$work"
mkdir -p "$work/deb" "$work/headers" "$work/tree"

ensure_packages
say "downloading libssl-dev from experimental"
(cd "$work/deb" && apt-get -q -o APT::Sandbox::User=root download libssl-dev/experimental) ||
	fail "apt-get download libssl-dev/experimental failed (is experimental in this root's sources?)"
deb="$(ls "$work"/deb/libssl-dev_*.deb)"
dpkg-deb -x "$deb" "$work/headers" || fail "cannot unpack $deb"
say "headers of $(dpkg-deb -f "$deb" Package Version | paste -sd' ')"

multiarch="$(gcc -print-multiarch)"
incs="-I$work/headers/usr/include/$multiarch -I$work/headers/usr/include"

passed=0
failed=0

# The compiler must find these headers before the system's OpenSSL 3.
if printf '#include <openssl/opensslv.h>\n#if OPENSSL_VERSION_MAJOR != 4\n#error not OpenSSL 4\n#endif\n' |
	gcc $incs -E -x c - -o /dev/null; then
	echo "ok: the compiler sees OpenSSL 4 headers"
	passed=$((passed + 1))
else
	echo "FAILED: the compiler does not see OpenSSL 4 headers"
	failed=$((failed + 1))
fi

copy_sources "$work/tree"
cd "$work/tree" || exit 1
for src in sslinfo_ext.c src/*.c; do
	obj="${src%.c}.o"
	# PG_CPPFLAGS comes first in PGXS's CPPFLAGS, so these headers win.
	if make --no-print-directory -s -B PG_CONFIG="$SYS_PG_CONFIG" \
		PG_CPPFLAGS="$incs -I./src" COPT="$COPT" "$obj" >"$work/${src//\//_}.log" 2>&1; then
		echo "ok: $src"
		passed=$((passed + 1))
	else
		echo "FAILED: $src"
		cat "$work/${src//\//_}.log"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
