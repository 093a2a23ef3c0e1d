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
#   client_stacks_wanted  true when a selected TAP test uses the client
#                      stacks of test/clients (calls client_connect)
#   ensure_client_stacks  install them (Java, Go, Node.js packages; npm pg)
#                      and build their probes into build/clients, or say
#                      why not and return 1 (their tests then skip)
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
CLIENTS_DIR="$BUILD/clients"

# PostgreSQL built from Debian's source package in a root whose suite has
# no package of the major (test/pg-source-build.sh: the OpenSSL 1.1.1 leg)
SOURCE_BUILT_STAMP="$SYS_PGLIB/.source-build"

# The one list of Debian packages the tests and the demo need.
if [ -f "$SOURCE_BUILT_STAMP" ]; then
	REQUIRED_PACKAGES=()	# server, headers and contrib/sslinfo are built
else
	REQUIRED_PACKAGES=(
		"postgresql-$PG_MAJOR"
		"postgresql-server-dev-$PG_MAJOR"	# contrib (sslinfo) is part of postgresql-N
	)
fi
REQUIRED_PACKAGES+=(
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

# The client stacks of test/clients (t/064_client_stacks.pl), installed only
# when a selected test uses them (ensure_client_stacks).  Node.js and npm
# are Debian's too (nodejs npm) where the system has no node and npm.
# One entry per stack, installed (and failing) separately.
CLIENT_STACK_PACKAGES=(
	"default-jre-headless libpostgresql-jdbc-java"	# pgjdbc, run by Java's source launcher
	"golang-go golang-github-lib-pq-dev"	# lib/pq, built offline into build/clients/go
)

is_root()
{
	[ "$(id -u)" -eq 0 ]
}

say()
{
	echo "== $*"
}

# dpkg's status of package $1 ("install ok installed"), or nothing
status_of() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true; }

missing_packages()
{
	local p
	for p in "$@"; do
		if [ "$(status_of "$p")" != "install ok installed" ]; then
			echo "$p"
		fi
	done
}

# monitoring/sql_exporter.yml is written for prometheus-sql-exporter 0.4.5
# (query_ref, sql_exporter_last_scrape_failed); an older one (Debian
# bullseye's 0.2.0) cannot run it and serves none of its metrics.  Where the
# suite's is older it is not installed, and t/060 tests the postgres_exporter
# alone.  True when apt offers 0.4 or later (or cannot tell).
sql_exporter_usable()
{
	local candidate
	command -v apt-cache >/dev/null || return 0
	candidate="$(apt-cache policy prometheus-sql-exporter 2>/dev/null | sed -n 's/^ *Candidate: //p')"
	[ -z "$candidate" ] || [ "$candidate" = "(none)" ] || dpkg --compare-versions "$candidate" ge 0.4
}

ensure_packages()
{
	local -a wanted=("$@")
	if [ ${#wanted[@]} -eq 0 ]; then
		wanted=("${REQUIRED_PACKAGES[@]}")
		if ! sql_exporter_usable; then
			say "not installing prometheus-sql-exporter: this suite's is older than 0.4 (monitoring/sql_exporter.yml needs 0.4.5's configuration)"
			mapfile -t wanted < <(printf '%s\n' "${wanted[@]}" | grep -vx prometheus-sql-exporter)
		fi
	fi
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

# The host's Debian suite (bookworm, ...)
host_codename()
{
	# shellcheck disable=SC1091
	(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
}

# The Debian mirror the host's apt uses for its own suite (the Debian roots
# and make indent's source package come from it); SSLINFO_EXT_DEBIAN_MIRROR
# overrides it.
host_mirror()
{
	local uri=""
	if [ -n "${SSLINFO_EXT_DEBIAN_MIRROR:-}" ]; then
		echo "$SSLINFO_EXT_DEBIAN_MIRROR"
		return
	fi
	# deb822 .sources files: the URIs of a stanza whose Suites are the host's.
	uri="$(awk -v suite="$(host_codename)" '
		/^[[:space:]]*$/ { if (ok && u != "") { print u; exit } ok = 0; u = ""; next }
		$1 == "URIs:" { u = $2 }
		$1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
		END { if (ok && u != "") print u }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)"
	if [ -z "$uri" ]; then
		uri="$(awk -v suite="$(host_codename)" '
			$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == suite) { print $(i - 1); exit } }
		' /etc/apt/sources.list 2>/dev/null | sed 's/^\[.*\]$//' | head -n 1)"
	fi
	if [ -z "$uri" ]; then
		echo "cannot tell which Debian mirror apt uses; set SSLINFO_EXT_DEBIAN_MIRROR" >&2
		return 1
	fi
	echo "${uri%/}"
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
		cat "$SOURCE_BUILT_STAMP" 2>/dev/null ||
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
ROOT_PASSED_VARS=(PG_MAJOR PG_OPENSSL COPT SANITIZE PROVE_TESTS PROVE_FLAGS BENCH_ROUNDS BENCH_SECONDS BENCH_BASELINE BENCH_PARTS
	SSLINFO_EXT_CLIENT_STACKS)

run_in_root_unless_native()
{
	local script="$1" v
	shift
	bash test/roots.sh native "$PG_MAJOR" && return 0
	bash test/roots.sh suite "$PG_MAJOR" >/dev/null ||
		{ echo "no Debian suite is known for PostgreSQL $PG_MAJOR${PG_OPENSSL:+ with OpenSSL $PG_OPENSSL} (test/roots.sh: 15 17 18 19; PG_OPENSSL=1.1: 18)" >&2; echo "0 passed, 1 failed"; exit 1; }
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

# ---- client stacks (test/clients/README.md) --------------------------------

# A selected TAP file calls client_connect, and SSLINFO_EXT_CLIENT_STACKS is
# not "skip".
client_stacks_wanted()
{
	[ "${SSLINFO_EXT_CLIENT_STACKS:-}" != skip ] || return 1
	local -a tests
	read -r -a tests <<<"${PROVE_TESTS:-$(echo t/*.pl)}"
	[ ${#tests[@]} -gt 0 ] && grep -qs 'client_connect(' "${tests[@]}"
}

# lib/pq from Debian's Go source package, no module download (GOPROXY=off,
# GOTOOLCHAIN=local); rebuilt when the sources, Go or lib/pq change.
build_go_probe()
{
	local src="$TOP/test/clients/go" out="$CLIENTS_DIR/go" stamp tmp rc
	# carried in from the host (no .stamp): a static binary, used as it is
	if [ -x "$out/pgprobe" ] && [ ! -f "$out/.stamp" ]; then
		return 0
	fi
	stamp="$(cat "$src/go.mod" "$src/pgprobe.go" | sha256sum | cut -d' ' -f1) $(go version) $(dpkg-query -W -f='${Version}' golang-github-lib-pq-dev 2>/dev/null) static"
	if [ -x "$out/pgprobe" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$out"
	mkdir -p "$out/src"
	cp "$src/go.mod" "$src/pgprobe.go" "$out/src/"
	tmp="$(mktemp -d /tmp/sslinfo_ext-go.XXXXXX)"
	# CGO_ENABLED=0: a static binary, which the Debian roots (test/roots.sh)
	# run as it is, bullseye's older C library too
	(cd "$out/src" && env CGO_ENABLED=0 GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GO111MODULE=on GOFLAGS=-mod=mod \
		GOCACHE="$tmp/cache" GOPATH="$tmp/gopath" go build -o "$out/pgprobe" .)
	rc=$?
	rm -rf "$tmp"
	[ "$rc" -eq 0 ] || return 1
	echo "$stamp" >"$out/.stamp"
}

# npm's pg, exactly as test/clients/node/package-lock.json pins it
# (npm ci), reinstalled when the lock file or Node.js change.
install_node_probe()
{
	local src="$TOP/test/clients/node" out="$CLIENTS_DIR/node" stamp
	# carried in from the host (no .stamp): node-postgres is plain JavaScript
	if [ -f "$out/node_modules/pg/package.json" ] && [ ! -f "$out/.stamp" ]; then
		cp "$src/pgprobe.js" "$out/"
		return 0
	fi
	stamp="$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1) $(node --version)"
	mkdir -p "$out"
	cp "$src/pgprobe.js" "$out/"
	if [ -f "$out/node_modules/pg/package.json" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$out/node_modules" "$out/.stamp"
	cp "$src/package.json" "$src/package-lock.json" "$out/"
	# in a Debian root (test/roots.sh): the host's CA bundle, as the host's npm
	local host_ca=/etc/ssl/host-ca-certificates.crt
	(cd "$out" && if [ -f "$host_ca" ]; then export NPM_CONFIG_CAFILE="$host_ca"; fi &&
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || return 1
	echo "$stamp" >"$out/.stamp"
}

ensure_client_stacks()
{
	local start=$SECONDS t rc=0 times="" group
	local -a groups=("${CLIENT_STACK_PACKAGES[0]}") all missing=() pkgs
	# a probe carried in from the host (test/roots.sh) needs no toolchain
	if [ ! -x "$CLIENTS_DIR/go/pgprobe" ] || [ -f "$CLIENTS_DIR/go/.stamp" ]; then
		groups+=("${CLIENT_STACK_PACKAGES[1]}")
	fi
	if [ -f "$CLIENTS_DIR/node/node_modules/pg/package.json" ] && [ ! -f "$CLIENTS_DIR/node/.stamp" ]; then
		command -v node >/dev/null || groups+=("nodejs")
	elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		groups+=("nodejs npm")
	fi
	if command -v dpkg-query >/dev/null; then
		read -r -a all <<<"${groups[*]}"
		mapfile -t missing < <(missing_packages "${all[@]}")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		if ! is_root; then
			say "client stacks: ${missing[*]} missing (sudo apt-get install -y ${missing[*]}); their tests skip"
			return 1
		fi
		say "client stacks: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update </dev/null >/dev/null || rc=1
		# one stack's packages at a time: a suite without one stack's
		# packages still gets the others
		for group in "${groups[@]}"; do
			read -r -a pkgs <<<"$group"
			mapfile -t pkgs < <(missing_packages "${pkgs[@]}")
			[ ${#pkgs[@]} -gt 0 ] || continue
			apt-get install -y --no-install-recommends "${pkgs[@]}" </dev/null ||
				{ say "client stacks: could not install ${pkgs[*]}; their tests skip"; rc=1; }
		done
		times+=" apt $((SECONDS - start)) s,"
	fi
	mkdir -p "$CLIENTS_DIR"
	if command -v go >/dev/null || [ -x "$CLIENTS_DIR/go/pgprobe" ]; then
		t=$SECONDS
		build_go_probe || { say "client stacks: building the Go probe failed; its test skips"; rc=1; }
		times+=" Go probe $((SECONDS - t)) s,"
	fi
	if command -v npm >/dev/null || [ -f "$CLIENTS_DIR/node/node_modules/pg/package.json" ]; then
		t=$SECONDS
		install_node_probe || { say "client stacks: npm ci of node-postgres failed; its tests skip"; rc=1; }
		times+=" npm $((SECONDS - t)) s,"
	fi
	local versions
	versions="$(java -version 2>&1 | head -n 1), $(go version 2>/dev/null | cut -d' ' -f3)"
	versions+=", lib/pq $(dpkg-query -W -f='${Version}' golang-github-lib-pq-dev 2>/dev/null)"
	versions+=", pgjdbc $(dpkg-query -W -f='${Version}' libpostgresql-jdbc-java 2>/dev/null)"
	versions+=", node $(node --version 2>/dev/null)"
	say "client stacks ready in $CLIENTS_DIR ($((SECONDS - start)) s:${times%,}): $versions"
	return "$rc"
}
