#!/usr/bin/env bash
#
# roots.sh: the Debian roots that the version matrix runs PostgreSQL majors
# in.  Each major is tested with Debian's own packages, built by that
# suite's compiler against that suite's OpenSSL:
#
#   major  suite                  root
#   15     bookworm               none: the host (Debian 12) itself
#   17     trixie                 build/roots/trixie
#   18     sid                    build/roots/sid
#   19     sid + experimental     build/roots/sid-experimental
#
# and one leg for OpenSSL 1.1.1 (RHEL 8 class), selected by PG_OPENSSL=1.1:
#
#   18     bullseye (OpenSSL      build/roots/bullseye, PostgreSQL 18 built
#          1.1.1w)                from sid's source package in the root
#                                 (test/pg-source-build.sh): bullseye has no
#                                 package of PostgreSQL 18
#
# PG_MAJOR stays the number; PG_OPENSSL (empty, or 1.1) picks the suite.
#
#   roots.sh suite MAJOR          print the suite name (exit 1: unknown major)
#   roots.sh native MAJOR         exit 0 if MAJOR runs on this system itself
#   roots.sh ensure MAJOR         build or refresh the root of MAJOR (and,
#                                 in bullseye, build PostgreSQL); waits for
#                                 the root's lock like run
#   roots.sh prepare MAJOR        ensure, then install in the root what
#                                 `make test` would install there (the
#                                 suite's packages, the test locale, the
#                                 client stacks): test/matrix.sh runs it in
#                                 the background for the OpenSSL 1.1.1 leg
#   roots.sh run MAJOR -- CMD...  run CMD as root inside that root, in
#                                 /srv/sslinfo_ext: a copy of this tree
#                                 (build/ of the copy is kept between runs)
#
# A root is made once with debootstrap (variant minbase) from the mirror the
# host's apt already uses (SSLINFO_EXT_DEBIAN_MIRROR overrides it), and
# refreshed (apt-get update && upgrade) when its last refresh is more than
# a day old or the list of packages below changed.  Whatever else a suite
# needs, `make test` inside the root installs itself (test/lib.sh), so
# the root's packages are exactly those of the suite.
#
# Entering a root happens in a private mount namespace (unshare --mount):
# /proc, /dev/pts and /dev/shm are mounted inside it and unmounted by the
# EXIT trap, and the kernel drops whatever is left when the namespace's
# last process ends, whichever way it ends (interrupt, kill, error).  The
# host's own mounts are never touched, and nothing outside this source tree
# changes, except that the port lock directory shared by every test run
# (/tmp/sslinfo_ext-portlock) is bound into the root, so clusters inside and
# outside never pick the same port.  The host's resolv.conf and CA bundle
# (/etc/ssl/host-ca-certificates.crt, for npm) are copied in.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

source test/lib.sh
ROOTS="$TOP/build/roots"
PORT_LOCK_DIR=/tmp/sslinfo_ext-portlock
# A root knows it is one: test/run-tests.sh then runs natively in it.
ROOT_MARK=/etc/version-matrix-root
# What a root needs before `make test` can install the rest: make itself.
BASE_PACKAGES=(make)

die()
{
	echo "roots.sh: $*" >&2
	exit 1
}

# Progress goes to stderr: ensure_root's stdout is the root's path.
say()
{
	echo "== $*" >&2
}

suite_of()
{
	case "${PG_OPENSSL:-}" in
		"") ;;
		1.1)
			# the one major built from source, for OpenSSL 1.1.1: the
			# newest that still supports it (test/README.md)
			[ "$1" = 18 ] && echo bullseye
			return
			;;
		*) return 1 ;;
	esac
	case "$1" in
		15) echo bookworm ;;
		17) echo trixie ;;
		18) echo sid ;;
		19) echo sid-experimental ;;
		*) return 1 ;;
	esac
}

# MAJOR runs natively here: inside one of our roots, on the host whose own
# suite carries it, or wherever that major's server headers are installed.
is_native()
{
	local suite
	suite="$(suite_of "$1")" || return 1
	[ -f "$ROOT_MARK" ] && return 0
	[ "$(host_codename)" = "$suite" ] && return 0
	# a leg of another OpenSSL than the system's runs in its root
	[ -z "${PG_OPENSSL:-}" ] && [ -x "/usr/lib/postgresql/$1/bin/pg_config" ]
}

# Runs CMD... inside root $1 with the mounts described above.  The inner
# shell is the namespace's first process; its EXIT trap unmounts.
enter()
{
	local root="$1"
	shift
	mkdir -p "$PORT_LOCK_DIR" && chmod 1777 "$PORT_LOCK_DIR" 2>/dev/null
	unshare --mount --propagation private -- bash -c '
		root="$1" locks="$2"
		shift 2
		cleanup()
		{
			for m in "$root$locks" "$root/dev/shm" "$root/dev/pts" "$root/proc"; do
				mountpoint -q "$m" && umount -l "$m"
			done
		}
		trap cleanup EXIT
		trap "exit 130" INT TERM HUP
		mount -t proc proc "$root/proc" &&
			mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts" &&
			mount -t tmpfs -o mode=1777,size=4g shm "$root/dev/shm" &&
			mkdir -p "$root$locks" &&
			mount --bind "$locks" "$root$locks" || exit 1
		cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
		# npm in a root trusts what npm on the host trusts: the CA bundle
		# of the host (test/lib.sh, install_node_probe)
		cp -f /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca-certificates.crt" 2>/dev/null
		chroot "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
			DEBIAN_FRONTEND=noninteractive ${CI:+CI="$CI"} \
			"$@"
	' roots-enter "$root" "$PORT_LOCK_DIR" "$@"
}

# The package list a root's stamp records: a change of it (or of this
# script) refreshes the root.
stamp_text()
{
	echo "suite=$1 base=${BASE_PACKAGES[*]}"
	sha256sum "$TOP/test/roots.sh" | cut -d' ' -f1
}

apt_sources()
{
	local suite="$1" mirror="$2"
	case "$suite" in
		trixie)
			echo "deb $mirror trixie main"
			echo "deb $mirror trixie-updates main"
			;;
		sid)
			echo "deb $mirror sid main"
			;;
		sid-experimental)
			echo "deb $mirror sid main"
			echo "deb $mirror experimental main"
			;;
		bullseye)
			echo "deb $mirror bullseye main"
			echo "deb $mirror bullseye-updates main"
			# PostgreSQL 18's source package (test/pg-source-build.sh)
			echo "deb-src $mirror sid main"
			;;
	esac
}

create_root()
{
	local suite="$1" root="$2" mirror dist
	mirror="$(host_mirror)" || exit 1
	dist="${suite%-experimental}"
	command -v debootstrap >/dev/null ||
		{ apt-get update -q && apt-get install -y -q debootstrap; } ||
		die "cannot install debootstrap"
	say "debootstrap $dist into $root (mirror $mirror)"
	rm -rf "$root.new"
	mkdir -p "$ROOTS"
	if ! debootstrap --variant=minbase "$dist" "$root.new" "$mirror" >"$ROOTS/$suite.debootstrap.log" 2>&1; then
		tail -n 20 "$ROOTS/$suite.debootstrap.log" >&2
		rm -rf "$root.new"
		die "debootstrap $dist failed (log: $ROOTS/$suite.debootstrap.log)"
	fi
	echo "$mirror" >"$root.new/.sslinfo_ext-mirror"
	mv "$root.new" "$root"
}

# The root's apt and service configuration; rewritten at every refresh, so
# an existing root follows changes here.
configure_root()
{
	local suite="$1" root="$2"
	apt_sources "$suite" "$(cat "$root/.sslinfo_ext-mirror")" >"$root/etc/apt/sources.list"
	# sid's Release may be served past its Valid-Until; only this root's apt
	# is told to accept it.
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99version-matrix-valid-until"
	# experimental's packages have priority 1; the PostgreSQL 19 source
	# package's (postgresql-19, its client and server-dev, libpq5 and
	# libpq-dev 19, which postgresql-server-dev-19 needs) are taken from
	# there, everything else from sid.
	if [ "$suite" = sid-experimental ]; then
		printf 'Package: src:postgresql-19\nPin: release a=experimental\nPin-Priority: 500\n' \
			>"$root/etc/apt/preferences.d/version-matrix-postgresql-19"
	fi
	# Nothing installed in a root may start a service, and Debian's
	# postgresql-N must not create a cluster of its own.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	mkdir -p "$root/etc/postgresql-common"
	echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.conf"
	echo "$suite" >"$root$ROOT_MARK"
}

refresh_root()
{
	local suite="$1" root="$2"
	say "refreshing $root (apt-get update, upgrade, ${BASE_PACKAGES[*]})"
	configure_root "$suite" "$root"
	enter "$root" bash -c '
		apt-get -q update &&
			apt-get -q -y -o Dpkg::Options::=--force-confold upgrade &&
			apt-get -q -y install --no-install-recommends "$@"
	' refresh "${BASE_PACKAGES[@]}" >"$ROOTS/$suite.refresh.log" 2>&1 || {
		tail -n 30 "$ROOTS/$suite.refresh.log" >&2
		die "refreshing $root failed (log: $ROOTS/$suite.refresh.log)"
	}
	stamp_text "$suite" >"$root/.sslinfo_ext-stamp"
}

# bullseye has no PostgreSQL 18: it is built from Debian's source package
# in the root, once per source version and recipe (the script's own stamp).
build_postgresql()
{
	local major="$1" root="$2" suite="$3"
	mkdir -p "$root/srv"
	cp "$TOP/test/pg-source-build.sh" "$root/srv/pg-source-build.sh"
	say "PostgreSQL $major from Debian's source package in $root (log: $ROOTS/$suite.pg-build.log)"
	enter "$root" nice bash /srv/pg-source-build.sh "$major" >"$ROOTS/$suite.pg-build.log" 2>&1 || {
		tail -n 30 "$ROOTS/$suite.pg-build.log" >&2
		die "building PostgreSQL $major in $root failed (logs: $ROOTS/$suite.pg-build.log, $root/usr/src/pg/build.log)"
	}
	grep '^== ' "$ROOTS/$suite.pg-build.log" >&2
}

ensure_root()
{
	local major="$1" suite root stamp
	suite="$(suite_of "$major")" ||
		die "no Debian suite known for PostgreSQL $major${PG_OPENSSL:+ with OpenSSL $PG_OPENSSL} (majors: 15 17 18 19; PG_OPENSSL=1.1: 18)"
	root="$ROOTS/$suite"
	[ "$(id -u)" -eq 0 ] || die "building and entering a root needs root (chroot)"
	[ -d "$root" ] || create_root "$suite" "$root"
	stamp="$root/.sslinfo_ext-stamp"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(stamp_text "$suite")" ] ||
		[ -n "$(find "$stamp" -mmin +1440)" ]; then
		refresh_root "$suite" "$root"
		[ "$suite" != bullseye ] || build_postgresql "$major" "$root" "$suite"
	elif [ "$suite" = bullseye ] &&
		! grep -qs "recipe $(sha256sum "$TOP/test/pg-source-build.sh" | cut -d' ' -f1)," \
			"$root/usr/lib/postgresql/$major/.source-build"; then
		build_postgresql "$major" "$root" "$suite"
	fi
	echo "$root"
}

# A copy of the tree (without .git and build/) replaces /srv/sslinfo_ext's
# sources; its build/ stays, so the private install and certificates are
# reused like on the host.  The host's build products stay behind: they
# were built against another major, and being newer than the sources they
# would look up to date to make in the root.
copy_tree()
{
	local dest="$1/srv/sslinfo_ext"
	mkdir -p "$dest"
	find "$dest" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
	copy_sources "$dest"
}

# The client probes the host built (make test there, test/lib.sh): the Go
# probe is a static binary and node-postgres plain JavaScript, so a root
# uses them as they are and needs neither Go nor npm installed; only Java
# and a Node.js runtime come from the root's own suite.
carry_client_probes()
{
	local from="$TOP/build/clients" to="$1/srv/sslinfo_ext/build/clients"
	[ -x "$from/go/pgprobe" ] || [ -d "$from/node/node_modules" ] || return 0
	mkdir -p "$to"
	if [ -x "$from/go/pgprobe" ]; then
		rm -rf "$to/go" && mkdir -p "$to/go" && cp -a "$from/go/pgprobe" "$to/go/"
	fi
	if [ -d "$from/node/node_modules" ]; then
		rm -rf "$to/node" && cp -a "$from/node" "$to/node" && rm -f "$to/node/.stamp"
	fi
}

# The certificate factory (test/certs/make-certs.sh) needs OpenSSL 3.0's
# openssl ca ("subjectKeyIdentifier = none", -crl_lastupdate); bullseye's
# is 1.1.1.  Its root gets the certificates the host's OpenSSL makes (the
# same files every other leg uses; a server reads them whatever made them),
# fresh, so make-certs.sh in the root finds them complete and keeps them.
carry_certificates()
{
	local to="$1/srv/sslinfo_ext/build/certs"
	say "certificates made by the host's $(openssl version | cut -d' ' -f1-2), carried into $1"
	bash "$TOP/test/certs/make-certs.sh" "$TOP/build/certs" >&2 || die "make-certs.sh failed on the host"
	rm -rf "$to" && mkdir -p "$(dirname "$to")" && cp -a "$TOP/build/certs" "$to"
}

cmd="${1:-}"
[ $# -ge 2 ] || die "usage: roots.sh suite|native|ensure|prepare MAJOR | roots.sh run MAJOR -- CMD..."
major="$2"
shift 2
case "$cmd" in
	suite)
		suite_of "$major"
		;;
	native)
		is_native "$major"
		;;
	ensure | prepare | run)
		[ "$cmd" != run ] || [ "${1:-}" != -- ] || shift
		[ "$cmd" != run ] || [ $# -gt 0 ] || die "run: no command"
		suite="$(suite_of "$major")" || die "no Debian suite known for PostgreSQL $major${PG_OPENSSL:+ with OpenSSL $PG_OPENSSL}"
		mkdir -p "$ROOTS"
		# One run per root at a time; nobody enters a root being made.
		exec 9>"$ROOTS/$suite.lock"
		flock 9
		root="$(ensure_root "$major")" || exit 1
		[ "$cmd" != ensure ] || exit 0
		copy_tree "$root"
		carry_client_probes "$root"
		# (not while preparing: that runs in the background while the host's
		# legs use build/certs, which make-certs.sh may replace)
		[ "$suite" != bullseye ] || [ "$cmd" != run ] || carry_certificates "$root"
		if [ "$cmd" = prepare ]; then
			set -- env PG_MAJOR="$major" PG_OPENSSL="${PG_OPENSSL:-}" bash -c '
				source test/lib.sh
				ensure_packages && ensure_test_locale || exit 1
				! client_stacks_wanted || ensure_client_stacks
			'
		fi
		enter "$root" bash -c 'cd /srv/sslinfo_ext && exec "$@"' run "$@"
		;;
	*)
		die "unknown command $cmd"
		;;
esac
