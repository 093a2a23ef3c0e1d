#!/usr/bin/env bash
#
# baseline.sh: the previous release's code, built beside this tree's, for
# make bench's rows that compare the view's scan against it (issue 25).
#
#   bash bench/baseline.sh export [BUILD]
#                                   the source of $BENCH_BASELINE (a commit
#                                   or tag of this repository) into
#                                   BUILD/bench-prev/src (git archive;
#                                   default build/); run where git and .git
#                                   are: for a major in a Debian root,
#                                   bench/run.sh exports on the host into
#                                   the root's kept build/ (test/roots.sh
#                                   copies only the sources in)
#   bash bench/baseline.sh build    build it with the same pg_config as this
#                                   tree and install it into a second private
#                                   install, build/bench-prev/install (a copy
#                                   of build/install with the baseline's
#                                   sslinfo_ext instead of ours); run after
#                                   private_install (test/lib.sh)
#
# BENCH_BASELINE defaults to e7dd913: the 1.1 draft 89dcb66 that issue 25
# measured (its C code unchanged) plus the two #includes PostgreSQL 19
# needs, so that the same baseline builds on 15, 17, 18 and 19.  Any commit
# or tag will do (BENCH_BASELINE=89dcb66 on 15, say).
#
# A baseline that cannot be had (no git, an unknown ref, a failed build) is
# not an error of make bench: build/bench-prev/unavailable then says why,
# and bench/view_scan.sh writes that into its baseline rows instead of
# figures.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source test/lib.sh

BENCH_BASELINE="${BENCH_BASELINE:-e7dd913}"
PREV="$BUILD/bench-prev"
PREV_SRC="$PREV/src"
PREV_ROOT="$PREV/install"

unavailable()
{
	mkdir -p "$PREV"
	echo "$*" >"$PREV/unavailable"
	say "baseline unavailable: $*"
	exit 0
}

case "${1:-}" in
	export)
		if [ -n "${2:-}" ]; then
			PREV="$2/bench-prev"
			PREV_SRC="$PREV/src"
		fi
		# inside a Debian root there is no .git: the host's bench/run.sh
		# exported into the root's build/ before entering it
		if ! git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
			[ -s "$PREV_SRC/.commit" ] || [ -f "$PREV/unavailable" ] ||
				unavailable "no git repository here to take BENCH_BASELINE=$BENCH_BASELINE from"
			exit 0
		fi
		rm -f "$PREV/unavailable"
		commit="$(git -C "$TOP" rev-parse --verify --quiet "$BENCH_BASELINE^{commit}" 2>/dev/null)" ||
			unavailable "BENCH_BASELINE=$BENCH_BASELINE is not a commit of this repository (or git is missing)"
		if [ "$(cat "$PREV_SRC/.commit" 2>/dev/null)" != "$commit" ]; then
			rm -rf "$PREV_SRC"
			mkdir -p "$PREV_SRC"
			git -C "$TOP" archive "$commit" | tar -x -C "$PREV_SRC" ||
				unavailable "git archive $commit failed"
			echo "$commit" >"$PREV_SRC/.commit"
		fi
		git -C "$TOP" log -1 --format='%h (%cs)' "$commit" >"$PREV_SRC/.describe"
		say "baseline $BENCH_BASELINE: $(cat "$PREV_SRC/.describe") in $PREV_SRC"
		;;
	build)
		[ -f "$PREV/unavailable" ] && exit 0
		[ -s "$PREV_SRC/.commit" ] || unavailable "no baseline source in $PREV_SRC (bench/baseline.sh export did not run)"
		stamp="$(cat "$PREV_SRC/.commit") $("$SYS_PG_CONFIG" --version) $(cat "$PRIV_ROOT/.source-version")"
		if [ "$(cat "$PREV_ROOT/.stamp" 2>/dev/null)" != "$stamp" ]; then
			say "building the baseline $(cat "$PREV_SRC/.describe") into $PREV_ROOT"
			make -C "$PREV_SRC" --no-print-directory -s PG_CONFIG="$SYS_PG_CONFIG" clean >/dev/null 2>&1
			if ! make -C "$PREV_SRC" --no-print-directory -s PG_CONFIG="$SYS_PG_CONFIG" >"$PREV/build.log" 2>&1; then
				unavailable "$(cut -c1-10 "$PREV_SRC/.commit") does not build against PostgreSQL $PG_MAJOR: $(grep -m1 'error' "$PREV/build.log" | sed "s|$PREV_SRC/||")"
			fi
			rm -rf "$PREV_ROOT"
			cp -a "$PRIV_ROOT" "$PREV_ROOT"
			rm -f "$PREV_ROOT$("$SYS_PG_CONFIG" --pkglibdir)/sslinfo_ext.so" \
				"$PREV_ROOT$("$SYS_PG_CONFIG" --sharedir)"/extension/sslinfo_ext*
			rm -rf "$PREV_ROOT$("$SYS_PG_CONFIG" --pkglibdir)/bitcode/sslinfo_ext"*
			make -C "$PREV_SRC" --no-print-directory -s PG_CONFIG="$SYS_PG_CONFIG" install DESTDIR="$PREV_ROOT" \
				>>"$PREV/build.log" 2>&1 || unavailable "installing the baseline into $PREV_ROOT failed"
			echo "$stamp" >"$PREV_ROOT/.stamp"
		fi
		cp "$PREV_SRC/.describe" "$PREV_ROOT/.describe"
		;;
	*)
		echo "usage: bench/baseline.sh export|build" >&2
		exit 2
		;;
esac
