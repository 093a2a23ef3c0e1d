#!/usr/bin/env bash
#
# tools/pgindent.sh: PostgreSQL's pgindent over our C files (make indent,
# make indent-check; see the Makefile's header and test/README.md).
#
#   tools/pgindent.sh indent FILE...   rewrite tools/typedefs.list from the
#                                      sources, then pgindent FILE... in place
#   tools/pgindent.sh check FILE...    exit 1, printing the diffs, if the
#                                      typedefs list is not current or
#                                      pgindent would change any FILE
#   tools/pgindent.sh typedefs         only rewrite tools/typedefs.list
#   tools/pgindent.sh fetch            only install/fetch the tools
#
# Run from the top of the source tree.  What it uses:
#
#   pg_bsd_indent  Debian's package pg-bsd-indent (2.1.1 on bookworm),
#                  installed when missing (as root; otherwise it prints the
#                  apt-get line and exits 1).
#   pgindent       the Perl script around pg_bsd_indent that holds
#                  PostgreSQL's options and pre/post-processing.  No Debian
#                  binary package ships it, so it is taken from the source
#                  package of the PostgreSQL release whose pgindent asks for
#                  the pg_bsd_indent version Debian has: 2.1.1 is
#                  PostgreSQL 15's (16 and later want 2.1.2, built in their
#                  tree), so postgresql-15 from the host's own suite.  apt-get
#                  fetches it with a private configuration (a deb-src line
#                  for the mirror the host's apt uses, state and cache under
#                  build/pgindent/apt), and only src/tools/pgindent/pgindent
#                  and its typedefs.list are kept, in build/pgindent/.
#                  PGINDENT_SOURCE_PACKAGE overrides the package name.
#
# The typedefs list (tools/typedefs.list, made by tools/typedefs.pl) is
# committed: ours, PostgreSQL's and OpenSSL's typedef names that our files
# use, so the formatting depends on the tree alone, not on which release's
# buildfarm list was fetched; 'indent' brings it up to date first, 'check'
# fails when it is stale (a new struct would otherwise be formatted as a
# variable, "Foo * x").

set -uo pipefail

TOP="$(pwd)"
if [ ! -f "$TOP/tools/pgindent.sh" ]; then
	echo "tools/pgindent.sh: run it from the top of the source tree" >&2
	exit 1
fi
# shellcheck source=../test/lib.sh
. "$TOP/test/lib.sh"

CACHE="$BUILD/pgindent"
PGINDENT="$CACHE/pgindent"
PG_TYPEDEFS="$CACHE/typedefs.list"
TYPEDEFS="$TOP/tools/typedefs.list"
SOURCE_PACKAGE="${PGINDENT_SOURCE_PACKAGE:-postgresql-15}"
# OpenSSL's headers (libssl-dev), with the per-architecture ones.
OPENSSL_INCLUDES=(/usr/include/openssl /usr/include/*-linux-gnu/openssl)

die()
{
	echo "tools/pgindent.sh: $*" >&2
	exit 1
}

# pgindent and PostgreSQL's typedefs list into build/pgindent, once.
fetch_pgindent()
{
	[ -f "$PGINDENT" ] && [ -f "$PG_TYPEDEFS" ] && return 0

	local apt="$CACHE/apt" suite mirror tarball
	suite="$(host_codename)"
	[ -n "$suite" ] || die "cannot tell the host's Debian suite from /etc/os-release"
	mirror="$(host_mirror)" || exit 1
	rm -rf "$apt"
	mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" \
		"$apt/sources.list.d" "$apt/src" || exit 1
	echo "deb-src $mirror $suite main" >"$apt/sources.list"
	local -a aptopts=(
		-q -o "Dir::Etc::SourceList=$apt/sources.list"
		-o "Dir::Etc::SourceParts=$apt/sources.list.d"
		-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache"
		-o APT::Sandbox::User=root
	)
	say "fetching pgindent: $SOURCE_PACKAGE's Debian source package ($suite)"
	if ! apt-get "${aptopts[@]}" update >"$apt/update.log" 2>&1; then
		cat "$apt/update.log" >&2
		die "apt-get update (deb-src $suite) failed"
	fi
	if ! (cd "$apt/src" && apt-get "${aptopts[@]}" source --download-only "$SOURCE_PACKAGE") \
		>"$apt/source.log" 2>&1; then
		cat "$apt/source.log" >&2
		die "apt-get source --download-only $SOURCE_PACKAGE failed"
	fi
	tarball="$(ls "$apt/src/${SOURCE_PACKAGE}"_*.orig.tar.* 2>/dev/null | sort -V | tail -n 1)"
	[ -n "$tarball" ] || die "no orig tarball of $SOURCE_PACKAGE in $apt/src"
	mkdir -p "$apt/x" || exit 1
	if ! tar -C "$apt/x" -xf "$tarball" --wildcards --no-anchored \
		'src/tools/pgindent/pgindent' 'src/tools/pgindent/typedefs.list'; then
		die "$(basename "$tarball") has no src/tools/pgindent"
	fi
	cp "$apt"/x/*/src/tools/pgindent/pgindent "$PGINDENT.new" &&
		cp "$apt"/x/*/src/tools/pgindent/typedefs.list "$PG_TYPEDEFS" &&
		basename "$tarball" >"$CACHE/from" &&
		mv "$PGINDENT.new" "$PGINDENT" || exit 1
	# Only the two files are kept: PostgreSQL's code is not ours to carry.
	rm -rf "$apt"
	say "pgindent from $(cat "$CACHE/from")"
}

ensure_tools()
{
	ensure_packages pg-bsd-indent libssl-dev perl bzip2 diffutils
	fetch_pgindent
	# pgindent checks the version itself; say why in our terms.
	local want have
	want="$(sed -n 's/^my \$INDENT_VERSION = "\(.*\)";/\1/p' "$PGINDENT")"
	have="$(pg_bsd_indent --version 2>/dev/null | awk '{ print $2 }')"
	if [ "$want" != "$have" ]; then
		die "$(cat "$CACHE/from") wants pg_bsd_indent $want, the installed one is ${have:-none}" \
			"(set PGINDENT_SOURCE_PACKAGE to the source package of a PostgreSQL release" \
			"that wants $have and remove $CACHE)"
	fi
}

# Our C files that define types (the list's own part), whatever the caller
# formats: the typedefs list must not depend on which files are indented.
typedef_sources()
{
	local f
	for f in sslinfo_ext.c src/*.c src/*.h fuzz/*.c fuzz/*.h test/*.c bench/*.c; do
		[ -f "$f" ] && echo "$f"
	done
}

# The typedefs list on stdout.
make_typedefs()
{
	local -a inc=() srcs
	local d
	for d in "${OPENSSL_INCLUDES[@]}"; do
		[ -d "$d" ] && inc+=(--openssl-include "$d")
	done
	[ ${#inc[@]} -gt 0 ] || die "no OpenSSL headers (libssl-dev) in /usr/include"
	mapfile -t srcs < <(typedef_sources)
	perl "$TOP/tools/typedefs.pl" --pg-list "$PG_TYPEDEFS" "${inc[@]}" "${srcs[@]}"
}

write_typedefs()
{
	make_typedefs >"$TYPEDEFS.new" && mv "$TYPEDEFS.new" "$TYPEDEFS" || {
		rm -f "$TYPEDEFS.new"
		die "could not write tools/typedefs.list"
	}
}

# pgindent FILE... (absolute paths) in place.  pgindent writes its temporary
# files into the current directory and reports a pg_bsd_indent failure only
# on stderr (its exit status stays 0), so it runs in a scratch directory and
# any output counts as a failure.  Extra typedef names come as -- ... after
# the files.
run_pgindent()
{
	local scratch out rc
	local -a files=() extra=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	extra=("$@")
	[ ${#files[@]} -gt 0 ] || return 0
	scratch="$(mktemp -d "${TMPDIR:-/tmp}/sslinfo_ext-pgindent.XXXXXX")" || exit 1
	out="$(cd "$scratch" && nice perl "$PGINDENT" --typedefs="$TYPEDEFS" \
		--list-of-typedefs="${extra[*]}" \
		--indent="$(command -v pg_bsd_indent)" "${files[@]}" 2>&1)"
	rc=$?
	rm -rf "$scratch"
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "$out" >&2
		die "pgindent failed (exit status $rc)"
	fi
}

# FILE... (relative to the top) formatted into copies under DIR/tree.
#
# pg_bsd_indent cannot parse OpenSSL's STACK_OF(TYPE) macro: it takes
# "STACK_OF(X509) *chain;" for a multiplication ("STACK_OF(X509) * chain",
# and a blank line above it as if declarations had ended) and joins a
# function's return type to its name.  PostgreSQL's own tree has such a
# line; we avoid it the way pgindent protects CATALOG(): STACK_OF(TYPE)
# becomes the identifier STACK_OF_TYPE_ (the same length, so columns do not
# move), known as a typedef for this run only, and is put back afterwards.
format_copies()
{
	local dir="$1" f
	shift
	local -a copies=() stacks=()
	for f in "$@"; do
		if grep -Eq '\bSTACK_OF_[A-Za-z0-9_]+_\b' "$f"; then
			die "$f has an identifier of the form STACK_OF_NAME_, which the STACK_OF() protection uses"
		fi
		mkdir -p "$dir/tree/$(dirname "$f")" && cp -p "$f" "$dir/tree/$f" || exit 1
		copies+=("$dir/tree/$f")
	done
	[ ${#copies[@]} -gt 0 ] || return 0
	mapfile -t stacks < <(grep -ohE '\bSTACK_OF\([A-Za-z0-9_]+\)' "${copies[@]}" |
		sed -E 's/^STACK_OF\((.*)\)$/STACK_OF_\1_/' | sort -u)
	perl -pi -e 's/\bSTACK_OF\((\w+)\)/STACK_OF_$1_/g' "${copies[@]}" || exit 1
	run_pgindent "${copies[@]}" -- "${stacks[@]}"
	perl -pi -e 's/\bSTACK_OF_(\w+)_\b/STACK_OF($1)/g' "${copies[@]}" || exit 1
}

cmd_indent()
{
	local work f n=0
	ensure_tools
	write_typedefs
	work="$(mktemp -d "${TMPDIR:-/tmp}/sslinfo_ext-indent.XXXXXX")" || exit 1
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT
	format_copies "$work" "$@"
	for f in "$@"; do
		if ! cmp -s "$f" "$work/tree/$f"; then
			cat "$work/tree/$f" >"$f" || exit 1
			echo "reformatted $f"
			n=$((n + 1))
		fi
	done
	echo "pgindent: $n of $# files reformatted"
}

cmd_check()
{
	local work f bad=0 stale=0
	ensure_tools
	work="$(mktemp -d "${TMPDIR:-/tmp}/sslinfo_ext-indent-check.XXXXXX")" || exit 1
	# shellcheck disable=SC2064
	trap "rm -rf '$work'" EXIT

	make_typedefs >"$work/typedefs.list" || exit 1
	if ! diff -u --label a/tools/typedefs.list --label b/tools/typedefs.list \
		"$TYPEDEFS" "$work/typedefs.list"; then
		stale=1
		echo "tools/typedefs.list is not current (the diff above): run 'make indent'"
	fi

	# Formatted with the list as it should be, as 'make indent' would.
	TYPEDEFS="$work/typedefs.list"
	format_copies "$work" "$@"
	for f in "$@"; do
		if ! diff -u --label "a/$f" --label "b/$f" "$f" "$work/tree/$f"; then
			bad=$((bad + 1))
		fi
	done
	if [ $bad -gt 0 ]; then
		echo "pgindent would change $bad of $# files (the diffs above): run 'make indent'"
	fi
	[ $bad -eq 0 ] && [ $stale -eq 0 ] || exit 1
	echo "pgindent: $# files clean, tools/typedefs.list current"
}

case "${1:-}" in
	indent) shift; cmd_indent "$@" ;;
	check) shift; cmd_check "$@" ;;
	typedefs) ensure_tools; write_typedefs ;;
	fetch) ensure_tools ;;
	*)
		echo "usage: tools/pgindent.sh indent|check FILE... | typedefs | fetch" >&2
		exit 2
		;;
esac
