#!/usr/bin/env bash
#
# ensure-clang.sh CLANG: make sure CLANG, its libFuzzer/sanitizer runtimes
# and the PostgreSQL server headers and static libraries are there.  As
# root, installs what is missing (the packages of test/lib.sh plus, on
# Debian 12, clang-14 and libclang-rt-14-dev) through its ensure_packages;
# otherwise prints the apt-get line to run and fails.

set -euo pipefail
clang="${1:-clang-14}"
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

have_runtime()
{
	command -v "$clang" >/dev/null &&
		[ -f "$("$clang" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] &&
		[ -f "$(PG_MAJOR="${PG_MAJOR:-15}"; echo "/usr/lib/postgresql/$PG_MAJOR/lib/libpgcommon.a")" ]
}

have_runtime && exit 0

version="${clang##*-}"
case "$version" in [0-9]*) ;; *) version=14 ;; esac
cd "$top"
# shellcheck source=../test/lib.sh
source test/lib.sh
REQUIRED_PACKAGES+=("clang-$version" "libclang-rt-$version-dev")
ensure_packages
have_runtime || { echo "fuzz: $clang has no libFuzzer runtime" >&2; exit 1; }
