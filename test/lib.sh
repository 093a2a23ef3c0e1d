# shellcheck shell=bash disable=SC2034
# lib.sh: steps shared by test/run-tests.sh (make test) and test/demo.sh
# (make demo).  Source it from the top of the source tree; it defines
# functions and variables only.
#
#   ensure_packages [PKG...]  install what is missing of PKG... (default:
#                      REQUIRED_PACKAGES) as root, or print the one apt-get
#                      line to run and exit 1 (not root)
#   copy_sources DEST  the tree's sources without .git and build products
#   build_extension    make with the system pg_config (COPT honoured)
#   private_install    build/install: a copy of the system's PostgreSQL
#                      plus our extension (PostgreSQL is relocatable)
#   make_certs         certificates into build/certs
#   tree_for_server_user   where the unprivileged part must run when we are
#                      root (this tree, or a copy under /tmp)
#   run_in_root_unless_native  for a major this system does not carry, run
#                      the calling script again inside its Debian root
#                      (test/roots.sh) and exit with its status
#
# Several work trees may run these at the same time: everything is under the
# tree's own build/, /tmp names come from mktemp, ports from the shared port
# lock directory.

PG_MAJOR="${PG_MAJOR:-15}"
SYS_PGLIB="/usr/lib/postgresql/$PG_MAJOR"
SYS_PGSHARE="/usr/share/postgresql/$PG_MAJOR"
SYS_PG_CONFIG="$SYS_PGLIB/bin/pg_config"

TOP="$(pwd)"
BUILD="$TOP/build"
PRIV_ROOT="$BUILD/install"
PRIV_BINDIR="$PRIV_ROOT$SYS_PGLIB/bin"
CERTDIR="$BUILD/certs"

# The one list of Debian packages the tests and the demo need.
REQUIRED_PACKAGES=(
	"postgresql-$PG_MAJOR"
	"postgresql-server-dev-$PG_MAJOR"	# contrib (sslinfo) is part of postgresql-N
	libssl-dev
	libkrb5-dev
	libipc-run-perl
	make
	gcc
	openssl
	prometheus-postgres-exporter
	prometheus-sql-exporter libyaml-libyaml-perl	# t/060: sql_exporter, YAML::XS
	prometheus	# promtool: checks monitoring/alerts.yml
	gdb	# t/045: holds a reader between the status snapshot and the registry
	strace	# t/054: how the server reads its key file
	locales	# t/065: a translated lc_messages (ensure_test_locale)
)

is_root()
{
	[ "$(id -u)" -eq 0 ]
}

say()
{
	echo "== $*"
}

missing_packages()
{
	local p
	for p in "$@"; do
		if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
			echo "$p"
		fi
	done
}

ensure_packages()
{
	local -a wanted=("$@")
	[ ${#wanted[@]} -gt 0 ] || wanted=("${REQUIRED_PACKAGES[@]}")
	if ! command -v dpkg-query >/dev/null; then
		say "not a Debian system: make sure these are installed: ${wanted[*]}"
		return 0
	fi
	local -a missing
	mapfile -t missing < <(missing_packages "${wanted[@]}")
	[ ${#missing[@]} -eq 0 ] && return 0

	if ! is_root; then
		echo "sudo apt-get install -y ${missing[*]}"
		exit 1
	fi

	say "installing ${missing[*]}"
	# Debian's postgresql-NN would create and start a "main" cluster.
	local ccconf=/etc/postgresql-common/createcluster.conf
	if ! grep -qs '^[[:space:]]*create_main_cluster' "$ccconf"; then
		mkdir -p "$(dirname "$ccconf")"
		echo "create_main_cluster = false" >>"$ccconf"
	fi
	export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
	if ! apt-get update </dev/null ||
		! apt-get install -y --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
			"${missing[@]}" </dev/null; then
		echo "could not install ${missing[*]}: see apt-get's messages above" >&2
		exit 1
	fi
}

# t/065 runs a server with lc_messages in German: the refusals' classification
# must not read translated text.  The locale is generated once, as root.
TEST_LOCALE=de_DE.UTF-8
ensure_test_locale()
{
	locale -a 2>/dev/null | grep -qix 'de_DE.utf-\?8' && return 0
	if ! is_root; then
		echo "the locale $TEST_LOCALE is missing: sudo localedef -i de_DE -c -f UTF-8 $TEST_LOCALE" >&2
		return 0
	fi
	say "generating the locale $TEST_LOCALE"
	localedef -i de_DE -c -f UTF-8 "$TEST_LOCALE"
}

# The sources as git sees them (tracked files and untracked ones it does
# not ignore, so work in progress comes along; .gitignore keeps out every
# build product: objects, libraries, bitcode, build/), or, outside a git
# checkout, everything but build/ and build products.  A copy must never
# carry another build's objects: make would take them as up to date.
copy_sources()
{
	local dest="$1"
	mkdir -p "$dest"
	if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			tar --null -T - -cf -) | tar -C "$dest" -xf -
	else
		tar -C "$TOP" --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.so' \
			--exclude='*.bc' --exclude=./fuzz/out -cf - . | tar -C "$dest" -xf -
	fi
}

# make does not notice a change of COPT, so a build with other flags (say,
# SANITIZE=1 after a plain one) starts from clean.
build_extension()
{
	local stamp="$BUILD/.copt"
	say "building (COPT=${COPT:-})"
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${COPT:-}" ]; then
		make --no-print-directory -s PG_CONFIG="$SYS_PG_CONFIG" clean >/dev/null
	fi
	make --no-print-directory PG_CONFIG="$SYS_PG_CONFIG" ${COPT:+COPT="$COPT"} &&
		mkdir -p "$BUILD" && echo "${COPT:-}" >"$stamp"
}

# A private copy of the system's PostgreSQL, refreshed when the system
# package changes, with our extension installed into it.
private_install()
{
	local stamp="$PRIV_ROOT/.source-version" version
	local localedir catalog
	version="$(dpkg-query -W -f='${Version}' "postgresql-$PG_MAJOR" 2>/dev/null ||
		"$SYS_PG_CONFIG" --version) with message catalogs"
	if [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
		say "copying $SYS_PGLIB and $SYS_PGSHARE into $PRIV_ROOT"
		rm -rf "$PRIV_ROOT"
		mkdir -p "$PRIV_ROOT$(dirname "$SYS_PGLIB")" "$PRIV_ROOT$(dirname "$SYS_PGSHARE")"
		cp -a "$SYS_PGLIB" "$PRIV_ROOT$SYS_PGLIB"
		cp -a "$SYS_PGSHARE" "$PRIV_ROOT$SYS_PGSHARE"
		# the server's translations, where its relocated binaries look
		# for them (t/065 runs with lc_messages in German)
		localedir="$("$SYS_PG_CONFIG" --localedir)"
		for catalog in "$localedir"/*/LC_MESSAGES/postgres-"$PG_MAJOR".mo; do
			[ -f "$catalog" ] || continue
			mkdir -p "$PRIV_ROOT$(dirname "$catalog")"
			cp -a "$catalog" "$PRIV_ROOT$catalog"
		done
		echo "$version" >"$stamp"
	fi
	say "installing sslinfo_ext into $PRIV_ROOT"
	make --no-print-directory -s PG_CONFIG="$SYS_PG_CONFIG" install DESTDIR="$PRIV_ROOT" >/dev/null
}

make_certs()
{
	say "certificates in $CERTDIR"
	bash test/certs/make-certs.sh "$CERTDIR"
}

# Print the tree the unprivileged part should run in.  As root that part
# runs as "postgres": this tree when postgres can read it, else a copy under
# /tmp (a tree under /root, say); build/ (but build/roots) is handed to
# postgres either way.
tree_for_server_user()
{
	local tree="$TOP"
	if ! runuser -u postgres -- test -r "$TOP/Makefile" -a -x "$TOP/test"; then
		tree="$(mktemp -d /tmp/sslinfo_ext-tree.XXXXXX)"
		tar -C "$TOP" --exclude=./.git --exclude=./build/roots -cf - . | tar -C "$tree" -xf -
		chmod 0755 "$tree"
		echo "== postgres cannot read $TOP: running in a copy, $tree" >&2
	fi
	# not build/roots: Debian roots (test/roots.sh) stay root's, and may
	# have /proc mounted while a matrix run is inside them
	mkdir -p "$tree/build"
	find "$tree/build" -path "$tree/build/roots" -prune -o -exec chown -h postgres: {} +
	echo "$tree"
}

# The settings a run inside a root inherits from this one.
ROOT_PASSED_VARS=(PG_MAJOR COPT SANITIZE PROVE_TESTS PROVE_FLAGS BENCH_ROUNDS BENCH_SECONDS)

run_in_root_unless_native()
{
	local script="$1" v
	shift
	bash test/roots.sh native "$PG_MAJOR" && return 0
	bash test/roots.sh suite "$PG_MAJOR" >/dev/null ||
		{ echo "no Debian suite is known for PostgreSQL $PG_MAJOR (test/roots.sh: 15 17 18 19)" >&2; echo "0 passed, 1 failed"; exit 1; }
	local -a pass=()
	for v in "${ROOT_PASSED_VARS[@]}"; do
		[ -n "${!v:-}" ] && pass+=("$v=${!v}")
	done
	say "PostgreSQL $PG_MAJOR: running $script in the Debian $(bash test/roots.sh suite "$PG_MAJOR") root (test/roots.sh)"
	bash test/roots.sh run "$PG_MAJOR" -- env "${pass[@]}" bash "$script" "$@"
	exit
}

# Run "$@" as the user the clusters run as (postgres when we are root),
# without the caller's libpq settings (PGHOST, PGSSLMODE, ...).
as_test_user()
{
	local -a clean=()
	local v
	for v in $(compgen -e); do
		case "$v" in
			PG_MAJOR | PG_TEST_*) ;;
			PG*) clean+=(-u "$v") ;;
		esac
	done
	if is_root; then
		runuser -u postgres -- env "${clean[@]}" "$@"
	else
		env "${clean[@]}" "$@"
	fi
}
