#!/usr/bin/env bash
#
# deb-build.sh (make deb): build the Debian packages postgresql-N-sslinfo-ext
# with pg_buildext, one per PostgreSQL major whose postgresql-server-dev-N is
# installed (or the majors of PG_SUPPORTED_VERSIONS, e.g. "17"), in a clean
# copy of the tree under build/deb, then run lintian on the result.
#
# Output: build/deb/*.deb, build/deb/*.changes, build/deb/build.log and
# build/deb/lintian.txt.  Needs debhelper, postgresql-server-dev-all,
# postgresql-server-dev-N, libssl-dev, libkrb5-dev and lintian (as root it
# installs what is missing).  Never touches the tree itself: the build and
# its products stay under build/deb.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib.sh
top="$TOP"
out="$top/build/deb"

export PG_SUPPORTED_VERSIONS="${PG_SUPPORTED_VERSIONS:-installed}"

# The build dependencies of debian/control.in, plus lintian
deps=(build-essential debhelper postgresql-server-dev-all libssl-dev libkrb5-dev lintian dpkg-dev make gcc)
if [ "$PG_SUPPORTED_VERSIONS" != installed ]; then
	for v in $PG_SUPPORTED_VERSIONS; do deps+=("postgresql-server-dev-$v"); done
fi
ensure_packages "${deps[@]}"

version="$(dpkg-parsechangelog -l debian/changelog -S Version)"
srcdir="$out/sslinfo-ext-${version%-*}"
rm -rf "$out"
mkdir -p "$srcdir"
# the tree without build products (a make or make test may have left some)
copy_sources "$srcdir"

majors="$(cd "$srcdir" && pg_buildext supported-versions | xargs)"
if [ -z "$majors" ]; then
	echo "deb-build.sh: no PostgreSQL major to build for: install postgresql-server-dev-N (N >= $(cat debian/pgversions))" >&2
	exit 1
fi
echo "== building postgresql-N-sslinfo-ext $version for N in: $majors (log: $out/build.log)"
if ! (cd "$srcdir" && pg_buildext updatecontrol && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	grep -E 'error|Error|ERROR' "$out/build.log" | tail -n 30 >&2 || true
	tail -n 30 "$out/build.log" >&2
	echo "deb-build.sh: dpkg-buildpackage failed; see $out/build.log" >&2
	exit 1
fi
ls -1 "$out"/*.deb

# lintian: every tag it reports is listed (doc/packaging.md, The Debian
# package, explains the ones that remain)
changes="$(ls "$out"/*.changes)"
lintian --display-info --pedantic "$changes" 2>&1 | grep -v "running with root privileges" >"$out/lintian.txt" || true
if [ -s "$out/lintian.txt" ]; then
	echo "== lintian ($out/lintian.txt):"
	sed 's/^/   /' "$out/lintian.txt"
else
	echo "== lintian: no tags"
fi
