#!/usr/bin/env bash
#
# pg-source-build.sh: build PostgreSQL MAJOR from Debian's own source
# package and install it in Debian's layout, for a Debian root whose suite
# has no package of that major (test/roots.sh: the OpenSSL 1.1.1 leg,
# PostgreSQL 18 in a bullseye root).  Runs as root inside that root.
#
#   pg-source-build.sh MAJOR     build and install, unless the stamp
#                                /usr/lib/postgresql/MAJOR/.source-build
#                                already records this source version and
#                                this script (the recipe)
#
# The source package comes from the deb-src line the root's sources.list
# carries (test/roots.sh); dpkg-source applies Debian's patches, so the
# server is Debian's, layout included:
#
#   bindir     /usr/lib/postgresql/MAJOR/bin
#   pkglibdir  /usr/lib/postgresql/MAJOR/lib   (PGXS in lib/pgxs)
#   sharedir   /usr/share/postgresql/MAJOR
#   headers    /usr/include/postgresql (server: MAJOR/server)
#   libpq      /usr/lib/x86_64-linux-gnu (as Debian's libpq5)
#   catalogs   /usr/share/locale/*/LC_MESSAGES/*-MAJOR.mo
#
# Only what the suite needs is built: the server, the client programs
# (src/bin: psql, pg_ctl, pg_basebackup, pgbench, ...), PL/pgSQL, the
# PGXS files with the TAP modules (PostgreSQL::Test::Cluster) and
# contrib/sslinfo (sql/contrib_compare.sql compares against it); no
# documentation, no other PL, no ICU, no LLVM.  Not dpkg-buildpackage: it
# would run the whole upstream check suite and build the documentation.
# The upstream configure script is used as shipped (Debian's patches to
# configure.ac only adapt it to Debian's autoconf and compiler flags).
#
# Output: the build's progress; configure's and make's output go to
# /usr/src/pg/build.log.  Exit status non-zero if anything failed.

set -euo pipefail

major="${1:?usage: pg-source-build.sh MAJOR}"
src=/usr/src/pg
prefix="/usr/lib/postgresql/$major"
stamp="$prefix/.source-build"
# configure records Debian's compiler flags (what pg_config and PGXS hand
# to an extension, so sslinfo_ext is built as against Debian's own
# packages: -O2, -g, the stack protector); the server itself is built with
# COPT="-O1 -g0" after them (the last -O and -g win): the extension, not
# the server, is what is tested, and -O1 without debug information builds
# in less time while still an optimised build.
cflags="-g -O2 -fstack-protector-strong -Wformat -Werror=format-security -fno-omit-frame-pointer"
ldflags="-Wl,-z,relro -Wl,-z,now"
server_copt="-O1 -g0"
# What a build needs beyond the root's packages: the compiler and tools,
# and the headers of the libraries it is built with (OpenSSL, GSSAPI as
# Debian's build, zlib for pg_dump's custom format).
build_packages=(make gcc libc6-dev bison flex perl gettext libipc-run-perl
	libssl-dev libkrb5-dev zlib1g-dev dpkg-dev bzip2 xz-utils)

say()
{
	echo "== $*"
}

# The OS user the suite's clusters run as, as postgresql-common makes it.
if ! id -u postgres >/dev/null 2>&1; then
	say "creating the system user postgres"
	useradd --system --user-group --home-dir /var/lib/postgresql --create-home \
		--shell /bin/bash --comment "PostgreSQL administrator" postgres
fi

recipe="$(sha256sum "$0" | cut -d' ' -f1)"
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null
version="$(apt-cache showsrc "postgresql-$major" | sed -n 's/^Version: //p' | sort -V | tail -n 1)"
[ -n "$version" ] || {
	echo "pg-source-build.sh: no source package postgresql-$major (a deb-src line?)" >&2
	exit 1
}
want="postgresql-$major $version, recipe $recipe, server COPT $server_copt"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	say "PostgreSQL $major $version (Debian source package) already built and installed"
	exit 0
fi

say "building PostgreSQL $major from Debian's source package $version (log: $src/build.log)"
apt-get -q -y install --no-install-recommends "${build_packages[@]}" >/dev/null
rm -rf "$src" "$prefix" "/usr/share/postgresql/$major" "/usr/include/postgresql/$major"
mkdir -p "$src"
cd "$src"
start=$SECONDS
apt-get -q source --download-only "postgresql-$major=$version" >build.log 2>&1
dpkg-source -x "postgresql-${major}_${version}.dsc" tree >>build.log 2>&1
say "downloaded and unpacked with Debian's patches ($((SECONDS - start)) s)"

cd tree
start=$SECONDS
./configure \
	--prefix=/usr \
	--bindir="$prefix/bin" \
	--libdir=/usr/lib/x86_64-linux-gnu \
	--libexecdir=/usr/lib/postgresql \
	--datarootdir=/usr/share \
	--datadir="/usr/share/postgresql/$major" \
	--includedir=/usr/include/postgresql \
	--sysconfdir=/etc/postgresql-common \
	--localstatedir=/var \
	--mandir="/usr/share/postgresql/$major/man" \
	--docdir="/usr/share/doc/postgresql-doc-$major" \
	--with-extra-version=" (Debian $version, built from source)" \
	--disable-rpath \
	--enable-nls \
	--enable-tap-tests \
	--with-openssl \
	--with-gssapi \
	--without-icu \
	--without-readline \
	--with-system-tzdata=/usr/share/zoneinfo \
	--with-pgport=5432 \
	CFLAGS="$cflags" LDFLAGS="$ldflags" >>"$src/build.log" 2>&1
say "configured ($((SECONDS - start)) s)"

start=$SECONDS
jobs="$(nproc)"
make -s -j"$jobs" -C src COPT="$server_copt" >>"$src/build.log" 2>&1
make -s -j"$jobs" -C contrib/sslinfo COPT="$server_copt" >>"$src/build.log" 2>&1
say "built ($((SECONDS - start)) s, make -j$jobs COPT=\"$server_copt\")"

start=$SECONDS
# src's install covers the server, the client programs, PL/pgSQL, the
# headers, PGXS with pg_regress and the TAP modules; config's adds the
# helper scripts PGXS calls (install-sh).
make -s -C src install >>"$src/build.log" 2>&1
make -s -C config install >>"$src/build.log" 2>&1
make -s -C contrib/sslinfo install >>"$src/build.log" 2>&1
say "installed ($((SECONDS - start)) s): $("$prefix/bin/pg_config" --version)"

# The source tree is not needed any more (200 MB); the stamp is written last.
cd /
rm -rf "$src/tree"
echo "$want" >"$stamp"
