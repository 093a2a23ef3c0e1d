#!/usr/bin/env bash
#
# run.sh (make bench): install what is missing, build, install into the
# private tree build/install and generate certificates (the steps of make
# test, from test/lib.sh), then measure sslinfo_ext on throwaway TLS
# clusters (test/cluster.sh) and print ONE table of side-by-side ratios,
# each row with the exact command that produced it.  The table also goes to
# build/bench/results.md; pgbench reports to build/bench/pgbench.log.
#
# Parts (each a script under bench/ that adds rows, see bench/common.sh):
#   1  bench/percall.sh    per-call cost, sslinfo_ext vs contrib sslinfo,
#                          and the executor's floor
#   2  bench/view_scan.sh  pg_stat_ssl_ext vs pg_stat_ssl scans with 100
#   3  --rows              and 1,000 TLS sessions open; TLS connections per
#                          second with and without shared_preload_libraries
#                          (written with the session registry, issue 4)
#   3b bench/refusals.sh   refused TLS handshakes per second with and
#                          without shared_preload_libraries (a TLS 1.3-only
#                          client, bench/refuse_loop.c, against
#                          ssl_max_protocol_version = 'TLSv1.2'; issue 21)
#   4  bench/shmem.sh      shared memory the extension adds at
#                          max_connections 100, 1,000 and 10,000
#   5  bench/callgrind.sh  instructions the extension adds to one
#                          connection, against the whole backend (callgrind),
#                          and to one refused handshake
#
#   6  bench/view_scan.sh  the time of each query of the shipped exporter
#      --rows              configurations (monitoring/) at 1,000 and 2,000
#                          sessions (issue 25)
#
# Parts 2 (rows 2g–2l) compare the view's scans with a previous commit's
# too: BENCH_BASELINE (default e7dd913, the 1.1 draft 89dcb66 with the
# #includes 19 needs) is built beside this tree (bench/baseline.sh) and
# runs in a cluster of its own next to ours.
#
# Environment: PG_MAJOR (default 15), BENCH_ROUNDS (A/B rounds per row,
# default 7), BENCH_SECONDS (seconds per pgbench run, default 2), COPT,
# BENCH_BASELINE (a commit or tag), BENCH_PARTS (see part_wanted).
# As root, everything after the build runs as the OS user postgres, like
# make test.  Measured figures depend on the machine's load: the table
# records uptime's load average before and after.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source test/lib.sh

export BENCH_ROUNDS="${BENCH_ROUNDS:-7}"
export BENCH_SECONDS="${BENCH_SECONDS:-2}"

# ---- the measuring phase (unprivileged) -----------------------------------

# BENCH_PARTS (default: all): the parts to run, of percall (1), view (2, 3,
# 6), refusals (3b), shmem (4), callgrind (5); for trying a part out, the
# doc's table comes from a run of all.
part_wanted()
{
	[ -z "${BENCH_PARTS:-}" ] || [[ " $BENCH_PARTS " == *" $1 "* ]]
}

machine_line()
{
	local cpu
	cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "$(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ { print $2 " GB RAM" }'), $(postgres --version), $(openssl version | cut -d' ' -f1-2)"
}

# Markdown table of $BENCH_ROWS.
print_table()
{
	echo "| # | measurement | sslinfo_ext | reference | ratio (median) | spread (min–max) | target | met | command |"
	echo "|---|---|---|---|---|---|---|---|---|"
	awk -F'\t' '{
		cmd = $9
		gsub(/\|/, "\\|", cmd)
		if (cmd != "-") cmd = "`" cmd "`"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, cmd
	}' "$BENCH_ROWS"
}

bench_phase()
{
	export BENCH_OUT="$BUILD/bench"
	export BENCH_ROWS="$BENCH_OUT/rows.tsv"
	export BENCH_BINDIR="$PRIV_BINDIR"
	export BENCH_CERTDIR="$CERTDIR"
	export PATH="$PRIV_BINDIR:$PATH"
	export PG_TEST_PORT_DIR="${PG_TEST_PORT_DIR:-/tmp/sslinfo_ext-portlock}"
	source bench/common.sh

	local started load_before load_after plain_port preload_port failed=0
	rm -rf "$BENCH_OUT"
	mkdir -p "$BENCH_OUT"
	: >"$BENCH_ROWS"
	started="$(date -u '+%Y-%m-%d %H:%M UTC')"
	load_before="$(bench_load)"
	SECONDS=0

	# Two clusters: without the library preloaded (parts 1 and 3b; part
	# 5's baseline) and with it (parts 3b, 4 and 5).
	stop_clusters()
	{
		bash test/cluster.sh stop --dir "$BENCH_OUT/plain" >/dev/null 2>&1
		bash test/cluster.sh stop --dir "$BENCH_OUT/preload" >/dev/null 2>&1
	}
	trap stop_clusters EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	bench_say "starting throwaway TLS clusters in $BENCH_OUT/plain and $BENCH_OUT/preload"
	bash test/cluster.sh start --bindir "$PRIV_BINDIR" --certdir "$CERTDIR" \
		--dir "$BENCH_OUT/plain" >/dev/null || return 1
	bash test/cluster.sh start --bindir "$PRIV_BINDIR" --certdir "$CERTDIR" \
		--dir "$BENCH_OUT/preload" --conf "shared_preload_libraries = 'sslinfo_ext'" >/dev/null || return 1
	plain_port="$(sed -n 's/^export PGPORT=//p' "$BENCH_OUT/plain/env")"
	preload_port="$(sed -n 's/^export PGPORT=//p' "$BENCH_OUT/preload/env")"
	for dir in plain preload; do
		(
			source "$BENCH_OUT/$dir/env"
			psql -X -q -v ON_ERROR_STOP=1 -d postgres <<-'SQL'
				CREATE DATABASE bench;
				\connect bench
				CREATE EXTENSION sslinfo_ext;
				CREATE SCHEMA contrib;
				CREATE EXTENSION sslinfo SCHEMA contrib;
			SQL
		) || return 1
	done

	part_wanted percall && { bash bench/percall.sh "$plain_port" || failed=1; }

	# bench/view_scan.sh comes with the session registry (issue 4); its
	# --rows mode adds rows 2a, 2b and 3 (see bench/common.sh).
	if ! part_wanted view; then
		:
	elif [ -f bench/view_scan.sh ] && grep -q -e '--rows' bench/view_scan.sh; then
		bash bench/view_scan.sh --rows || failed=1
	else
		bench_row 2 "pg_stat_ssl_ext vs pg_stat_ssl scans, 100 / 1,000 TLS sessions" \
			"pending" "" "" "" "no slower" "-" "bench/view_scan.sh --rows (issue 4) not on this branch yet"
		bench_row 3 "TLS connections/s (pgbench -C) with vs without shared_preload_libraries" \
			"pending" "" "" "" "< 2% overhead" "-" "bench/view_scan.sh --rows (issue 4) not on this branch yet"
	fi

	part_wanted refusals && { bash bench/refusals.sh "$BENCH_OUT/plain" "$BENCH_OUT/preload" || failed=1; }

	# Parts 4 and 5 need the preloaded cluster stopped (postgres -C) and
	# then run it under valgrind.
	part_wanted shmem && { bash bench/shmem.sh "$BENCH_OUT/preload" || failed=1; }
	part_wanted callgrind && { bash bench/callgrind.sh "$BENCH_OUT/preload" "$BENCH_OUT/plain" || failed=1; }

	stop_clusters
	trap - EXIT
	load_after="$(bench_load)"

	{
		echo "sslinfo_ext benchmark — $started — $(machine_line)"
		echo
		echo "Command: \`make bench\` (BENCH_ROUNDS=$BENCH_ROUNDS, BENCH_SECONDS=$BENCH_SECONDS, BENCH_BASELINE=${BENCH_BASELINE:-e7dd913}${BENCH_PARTS:+, BENCH_PARTS=$BENCH_PARTS}) at $(cat "$TOP/build/bench-prev/head" 2>/dev/null || echo "an unknown commit"); took ${SECONDS} s;" \
			"$load_before at start, $load_after at the end."
		echo "Every ratio is taken per round (a pair of A and B measurements) and shown as the median and the min–max spread over the rounds: $BENCH_ROUNDS for part 1, as stated in the row elsewhere." \
			"Per-call rows (1x): a round is one pgbench run of three scripts — floor, sslinfo_ext, contrib — that pgbench picks at random for every transaction, so the sides alternate many times a second under the same load; ns per call = latency / calls per statement." \
			"Elsewhere A and B runs alternate, the order swapped every round."
		echo "\`\$LONGDN\` is \`$(bench_conninfo PORT client_longdn | sed "s|$TOP/||g")\` (PORT: the cluster without the library preloaded; \`\$LONGDN_PRELOAD\`: the same for the cluster with \`shared_preload_libraries = 'sslinfo_ext'\`)."
		echo
		print_table
	} | sed "s|$TOP/||g" | tee "$BENCH_OUT/results.md"

	if grep -q $'\tNO\t' "$BENCH_ROWS"; then
		echo
		echo "Targets missed: $(awk -F'\t' '$8 == "NO" { printf "%s%s", (n++ ? ", " : ""), $1 }' "$BENCH_ROWS")"
	fi
	[ "$failed" -eq 0 ]
}

if [ "${1:-}" = --bench-phase ]; then
	bench_phase
	exit
fi

# ---- setup (as the invoking user): the steps of make test ----------------

# The baseline's source (bench/baseline.sh) and the commit being measured
# are taken here, where .git is; for a major in a Debian root, into the
# build/ that the root keeps between runs (test/roots.sh copies the
# sources only).
if git rev-parse --git-dir >/dev/null 2>&1; then
	dest="$BUILD"
	if ! bash test/roots.sh native "$PG_MAJOR"; then
		# a root not made yet gets no baseline this time (its rows say so)
		suite="$(bash test/roots.sh suite "$PG_MAJOR" 2>/dev/null)"
		dest="$BUILD/roots/$suite/srv/sslinfo_ext/build"
		[ -n "$suite" ] && [ -d "$BUILD/roots/$suite/srv" ] || dest=""
	fi
	if [ -n "$dest" ]; then
		mkdir -p "$dest/bench-prev"
		echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' with uncommitted changes')" >"$dest/bench-prev/head"
		part_wanted view && bash bench/baseline.sh export "$dest"
	fi
fi
run_in_root_unless_native bench/run.sh
REQUIRED_PACKAGES+=(valgrind)
ensure_packages
build_extension || { echo "build failed" >&2; exit 1; }
private_install || { echo "installing into $PRIV_ROOT failed" >&2; exit 1; }
make_certs || { echo "certificate generation failed" >&2; exit 1; }
part_wanted view && bash bench/baseline.sh build

if is_root; then
	tree="$(tree_for_server_user)" || { echo "cannot prepare a tree for the postgres user" >&2; exit 1; }
	say "measuring as the OS user postgres"
	(cd "$tree" && as_test_user bash bench/run.sh --bench-phase)
	rc=$?
	if [ "$tree" != "$TOP" ]; then
		mkdir -p "$BUILD/bench"
		cp "$tree/build/bench/results.md" "$BUILD/bench/" 2>/dev/null
		rm -rf "$tree"
	fi
	exit "$rc"
fi
as_test_user bash bench/run.sh --bench-phase
