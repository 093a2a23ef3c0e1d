#!/usr/bin/env bash
#
# deb-test.sh MAJOR (make deb-test PG_MAJOR=N): the Debian package of one
# PostgreSQL major from build to removal, on any Debian system where
# postgresql-MAJOR is installable (the host, or a clean trixie/sid root):
#
#   1. install what the build and the tests need (postgresql-MAJOR,
#      postgresql-server-dev-MAJOR, debhelper, ...; never creates a "main"
#      cluster)
#   2. make deb for MAJOR (test/deb-build.sh): build/deb/postgresql-MAJOR-sslinfo-ext_*.deb
#   3. apt-get install the .deb; its files are where PostgreSQL looks
#   4. the pg_regress suite (make installcheck, in a copy of the tree with
#      no build products, as the OS user postgres) on a throwaway TLS cluster
#      started from /usr/lib/postgresql/MAJOR/bin: every SQL file runs
#      against the package's library and scripts
#   5. on another throwaway cluster with the library preloaded: CREATE
#      EXTENSION sslinfo_ext VERSION '1.0', ALTER EXTENSION sslinfo_ext
#      UPDATE, the version and a function of each version answering
#   6. apt-get purge: the package is gone from dpkg, and the file list of
#      /usr/lib/postgresql/MAJOR, /usr/share/postgresql/MAJOR and
#      /usr/share/doc is what it was before step 3
#
# Runs as root.  Refuses to start when postgresql-MAJOR-sslinfo-ext is
# already installed (it would not be this build being tested), and purges
# the package again on any failure after step 3.  The last line is
# "deb-test MAJOR: N passed, N failed".

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
top="$(pwd)"

major="${1:-}"
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
	echo "usage: $0 MAJOR   (e.g. $0 17)" >&2
	exit 2
fi
PG_MAJOR="$major"
source test/lib.sh
source test/checks.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "deb-test.sh installs and purges a package: run it as root" >&2
	exit 2
fi
pkg="postgresql-$major-sslinfo-ext"
bindir="/usr/lib/postgresql/$major/bin"
passed=0
failed=0
installed_by_us=0
work=""

finish()
{
	if [ "$installed_by_us" = 1 ]; then
		say "purging $pkg (cleanup)"
		apt-get purge -y "$pkg" </dev/null >/dev/null 2>&1 || true
	fi
	[ -n "$work" ] && rm -rf "$work"
	echo "deb-test $major: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT
trap 'fail interrupted; exit 130' INT TERM HUP


if [ "$(status_of "$pkg")" = "install ok installed" ]; then
	fail "$pkg is already installed: purge it first (this test installs its own build)"
	exit 1
fi

# ---- 1. packages ------------------------------------------------------------

need=("postgresql-$major" "postgresql-server-dev-$major" postgresql-server-dev-all build-essential debhelper
	dpkg-dev lintian libssl-dev libkrb5-dev make gcc openssl perl)
# (in a subshell: ensure_packages exits when it cannot install)
if ! (ensure_packages "${need[@]}"); then
	fail "apt-get install ${need[*]}"
	exit 1
fi

# ---- 2. build -----------------------------------------------------------------

say "building $pkg (test/deb-build.sh)"
if PG_SUPPORTED_VERSIONS="$major" bash test/deb-build.sh; then
	pass "make deb for $major"
else
	fail "make deb for $major"
	exit 1
fi
deb="$(ls "$top"/build/deb/"$pkg"_*.deb 2>/dev/null | head -n 1)"
check "build/deb has $pkg" test -f "$deb"
[ -f "$deb" ] || exit 1
lintian_tags="$(grep -cE '^[EW]: ' "$top/build/deb/lintian.txt" || true)"
check "lintian: no errors" test "$(grep -c '^E: ' "$top/build/deb/lintian.txt")" -eq 0
say "lintian warnings: $lintian_tags (explained in doc/packaging.md)"

# ---- 3. install -----------------------------------------------------------------

snapshot()
{
	find "/usr/lib/postgresql/$major" "/usr/share/postgresql/$major" /usr/share/doc \
		-xdev 2>/dev/null | LC_ALL=C sort
}
before="$(snapshot)"

say "apt-get install $deb"
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y "$deb" </dev/null >/dev/null; then
	installed_by_us=1
	pass "apt-get install $pkg"
else
	fail "apt-get install $pkg"
	exit 1
fi
check "dpkg: $pkg installed" test "$(status_of "$pkg")" = "install ok installed"
pkglib="$("$bindir/pg_config" --pkglibdir)"
sharedir="$("$bindir/pg_config" --sharedir)"
for f in "$pkglib/sslinfo_ext.so" "$sharedir/extension/sslinfo_ext.control" \
	"$sharedir/extension/sslinfo_ext--1.0.sql" "$sharedir/extension/sslinfo_ext--1.0--1.1.sql"; do
	check "the package installs $f" sh -c "dpkg -L '$pkg' | grep -qx '$f' && test -f '$f'"
done

# ---- 4. installcheck ------------------------------------------------------------

# A copy of the sources without build products: nothing can come from a
# local build, the tests see only what the package installed.
work="$(mktemp -d /tmp/sslinfo_ext-debtest.XXXXXX)"
copy_sources "$work"
chown -R postgres: "$work"
chmod 0755 "$work"
as_postgres() { (cd "$work" && runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$@"); }

say "make installcheck against the installed package (PostgreSQL $major)"
as_postgres make --no-print-directory installcheck TAP_TESTS= \
	PG_CONFIG="$bindir/pg_config" >"$work/installcheck.log" 2>&1
rc=$?
cat "$work/installcheck.log"
mkdir -p "$top/build/deb"
cp "$work/installcheck.log" "$top/build/deb/installcheck-$major.log"
[ -f "$work/build/regress/regression.diffs" ] &&
	cp "$work/build/regress/regression.diffs" "$top/build/deb/regression-$major.diffs"
check "installcheck: pg_regress passed (exit status $rc)" test "$rc" -eq 0
n_sql="$(ls sql/*.sql | wc -l)"
check "installcheck ran all $n_sql tests of sql/" grep -qE "All $n_sql tests passed" "$work/installcheck.log"

# ---- 5. CREATE EXTENSION 1.0, ALTER EXTENSION UPDATE, preloaded -------------------

say "CREATE EXTENSION VERSION '1.0' and ALTER EXTENSION UPDATE, library preloaded"
cat >"$work/upgrade.sh" <<-'EOF'
	set -e
	psql -XAtq -v ON_ERROR_STOP=1 -d postgres <<-'SQL'
		CREATE EXTENSION sslinfo_ext VERSION '1.0';
		SELECT 'v=' || extversion FROM pg_extension WHERE extname = 'sslinfo_ext';
		SELECT 'ssl_is_used=' || ssl_is_used();
		ALTER EXTENSION sslinfo_ext UPDATE;
		SELECT 'v=' || extversion FROM pg_extension WHERE extname = 'sslinfo_ext';
		SELECT 'sessions=' || count(*) FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid();
		SELECT 'preloaded=' || current_setting('shared_preload_libraries');
	SQL
EOF
chown postgres: "$work/upgrade.sh"
as_postgres bash test/cluster.sh run --bindir "$bindir" --certdir "$work/build/certs" \
	--dir "$work/build/upgrade-cluster" --remove \
	--conf "shared_preload_libraries = 'sslinfo_ext'" -- bash "$work/upgrade.sh" >"$work/upgrade.out" 2>&1
rc=$?
cat "$work/upgrade.out"
check "the preloaded cluster ran the upgrade (exit status $rc)" test "$rc" -eq 0
check "1.0 installed, then updated to 1.1" \
	test "$(grep '^v=' "$work/upgrade.out" | xargs)" = "v=1.0 v=1.1"
check "1.0's ssl_is_used() answers" grep -qx 'ssl_is_used=false' "$work/upgrade.out"
check "1.1's pg_stat_ssl_ext shows the session" grep -qx 'sessions=1' "$work/upgrade.out"
check "the server preloaded the package's library" grep -qx 'preloaded=sslinfo_ext' "$work/upgrade.out"

# ---- 6. purge ---------------------------------------------------------------------

say "apt-get purge $pkg"
if apt-get purge -y "$pkg" </dev/null >/dev/null; then
	installed_by_us=0
	pass "apt-get purge $pkg"
else
	fail "apt-get purge $pkg"
fi
check "dpkg: $pkg gone (not even config-files)" test -z "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -v not-installed)"
after="$(snapshot)"
left="$(diff <(echo "$before") <(echo "$after"))"
[ -z "$left" ] || echo "$left"
check "purge left the file lists of /usr/lib/postgresql/$major, /usr/share/postgresql/$major and /usr/share/doc as before" \
	test -z "$left"
check "no sslinfo_ext file left under /usr and /etc" \
	test -z "$(find /usr /etc -xdev -name '*sslinfo_ext*' -o -xdev -name '*sslinfo-ext*' 2>/dev/null)"
