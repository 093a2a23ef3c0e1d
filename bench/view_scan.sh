#!/usr/bin/env bash
#
# view_scan.sh: benchmark of pg_stat_ssl_ext (a measurement, not a test).
#
#   bash bench/view_scan.sh [--quick]
#   bash bench/view_scan.sh --rows      (from bench/run.sh, i.e. make bench)
#
# 1. Reading the view: with 100 and then 1,000 idle TLS sessions (client
#    certificate with a 265-byte DN) on a cluster with sslinfo_ext preloaded
#    and max_connections = 1100, then with 2,000 on one with max_connections
#    = 10,000 (the empty slots and backend status entries count in a scan),
#    "SELECT * FROM pg_stat_ssl_ext" against "SELECT * FROM pg_stat_ssl",
#    each run with pgbench for a few seconds, alternating, ROUNDS times; the
#    table shows the medians and their ratio.  A third query reads only
#    pg_stat_ssl's eight columns from pg_stat_ssl_ext, to tell the cost of
#    producing the rows from the cost of sending three times the data.
# 2. Connection cost: TLS connections per second with a client certificate
#    (pgbench -C) on a cluster with sslinfo_ext preloaded against one
#    without; both clusters run side by side and short runs alternate
#    between them, CONNECT_ROUNDS pairs, so that load from elsewhere on the
#    machine hits both alike; medians, and the median of the pairs' ratios.
#
# Uses the private install and certificates of `make test` (built here if
# missing) and throwaway clusters from test/cluster.sh; as root, the
# clusters and clients run as the OS user postgres.  Prints every command it
# measures with.  About 4 minutes on 2 cores (--quick: about 1).
#
# --rows: the same measurements inside make bench's measuring phase (setup
# done, running as the cluster user, bench/common.sh's environment): no
# tables of its own, rows 2a, 2b, 2c and 3 of make bench's one table instead,
# work files under $BENCH_OUT/view_scan.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib.sh

ROUNDS=5
SCAN_SECONDS=3
CONNECT_ROUNDS=15
CONNECT_SECONDS=3
SESSION_COUNTS=(100 1000)		# on a cluster with max_connections = 1100
BIG_SESSIONS=2000				# on one with max_connections = BIG_MAX_CONNECTIONS
BIG_MAX_CONNECTIONS=10000
IDLE_CERT=client_longdn
CONNECT_CERT=client_plain
if [[ " $* " == *" --quick "* ]]; then
	ROUNDS=3
	SCAN_SECONDS=1
	CONNECT_ROUNDS=3
	CONNECT_SECONDS=1
fi
WORK="${VIEW_SCAN_WORK:-$BUILD/bench}"

tls_conninfo()
{
	echo "host=localhost hostaddr=127.0.0.1 port=$PGPORT dbname=postgres sslmode=verify-full sslrootcert=$CERTDIR/ca.crt sslcert=$CERTDIR/$1.crt sslkey=$CERTDIR/$1.key"
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pgbench's average latency in ms, or its tps, from its output
latency_of() { sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$1"; }
tps_of() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$1"; }

# ---- inside a cluster (test/cluster.sh sets PGHOST/PGPORT) -----------------

# Part 1, in one cluster with sslinfo_ext preloaded.
if [ "${1:-}" = --scan ]; then
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	psql -XAtq -d postgres -c 'CREATE EXTENSION sslinfo_ext'
	echo 'SELECT * FROM pg_stat_ssl_ext;' >"$WORK/ext.sql"
	echo 'SELECT * FROM pg_stat_ssl;' >"$WORK/core.sql"
	echo 'SELECT pid, ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl_ext;' >"$WORK/ext8.sql"
	echo '\sleep 1000 s' >"$WORK/idle.sql"  # 1e9 us: pgbench keeps sleeps in an int
	idle_pid=""
	trap '[ -n "$idle_pid" ] && kill "$idle_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

	read -r -a scan_sessions <<<"${SCAN_SESSIONS:-${SESSION_COUNTS[*]}}"
	for sessions in "${scan_sessions[@]}"; do
		[ -n "$idle_pid" ] && { kill "$idle_pid"; wait "$idle_pid" 2>/dev/null || true; }
		idle_cmd=(pgbench -n -c "$sessions" -j 2 -T 3600 -f "$WORK/idle.sql" "$(tls_conninfo "$IDLE_CERT")")
		echo "idle sessions: ${idle_cmd[*]}" >>"$WORK/commands"
		"${idle_cmd[@]}" >"$WORK/idle.log" 2>&1 &
		idle_pid=$!
		for _ in $(seq 1 600); do
			n="$(psql -XAtq -d postgres -c "SELECT count(*) FROM pg_stat_ssl WHERE ssl")"
			[ "$n" -ge "$sessions" ] && break
			sleep 0.5
		done
		if [ "$n" -lt "$sessions" ]; then
			echo "only $n of $sessions idle TLS sessions connected:" >&2
			tail "$WORK/idle.log" >&2
			exit 1
		fi
		for round in $(seq 1 "$ROUNDS"); do
			# the order rotates, so no query always runs first
			views=(ext core ext8)
			views=("${views[@]:$((round % 3))}" "${views[@]:0:$((round % 3))}")
			for view in "${views[@]}"; do
				cmd=(pgbench -n -c 1 -T "$SCAN_SECONDS" -f "$WORK/$view.sql" postgres)
				[ "$round" = 1 ] && echo "$view, $sessions sessions: ${cmd[*]}" >>"$WORK/commands"
				"${cmd[@]}" >"$WORK/scan.out" 2>&1
				echo "$sessions $view $(latency_of "$WORK/scan.out")" >>"$WORK/scan.results"
			done
		done
	done
	exit 0
fi

# Part 2: one run of connections per second ($2: preloaded or not).
if [ "${1:-}" = --connect ]; then
	echo 'SELECT 1;' >"$WORK/select1.sql"
	cmd=(pgbench -n -C -c 2 -j 2 -T "$CONNECT_SECONDS" -f "$WORK/select1.sql" "$(tls_conninfo "$CONNECT_CERT")")
	[ ! -s "$WORK/connect.cmd" ] && echo "${cmd[*]}" >"$WORK/connect.cmd"
	"${cmd[@]}" >"$WORK/connect.out" 2>&1
	echo "$2 $(tps_of "$WORK/connect.out")" >>"$WORK/connect.results"
	[ "$2" = not_preloaded ] || exit 0
	paste -d' ' <(awk '$1 == "preloaded" { print $2 }' "$WORK/connect.results") \
		<(awk '$1 == "not_preloaded" { print $2 }' "$WORK/connect.results") |
		awk 'NF == 2 { print $1 / $2 }' >"$WORK/connect.ratios"
	exit 0
fi

# ---- as the cluster's user: run the clusters ------------------------------

# Run both parts; results in $WORK/scan.results, $WORK/connect.results,
# $WORK/connect.ratios, commands in $WORK/commands and $WORK/connect.cmd.
measure_all()
{
	export PATH="$PRIV_BINDIR:$PATH"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	: >"$WORK/commands"
	cluster=(bash test/cluster.sh run --bindir "$PRIV_BINDIR" --certdir "$CERTDIR"
		--dir "$WORK/cluster" --remove --conf "log_connections = off")
	preload=(--conf "shared_preload_libraries = 'sslinfo_ext'")
	quick=""
	[ "${1:-}" = --quick ] && quick=--quick

	say "reading the view with ${SESSION_COUNTS[*]} idle TLS sessions ($ROUNDS rounds of ${SCAN_SECONDS}s each)"
	"${cluster[@]}" "${preload[@]}" --conf "max_connections = 1100" -- \
		bash bench/view_scan.sh --scan $quick
	say "reading the view with $BIG_SESSIONS idle TLS sessions, max_connections = $BIG_MAX_CONNECTIONS"
	SCAN_SESSIONS=$BIG_SESSIONS "${cluster[@]}" "${preload[@]}" \
		--conf "max_connections = $BIG_MAX_CONNECTIONS" -- \
		bash bench/view_scan.sh --scan $quick

	say "TLS connections per second, preloaded or not ($CONNECT_ROUNDS pairs of ${CONNECT_SECONDS}s runs)"
	both=(bash test/cluster.sh start --bindir "$PRIV_BINDIR" --certdir "$CERTDIR" --conf "log_connections = off")
	trap 'for m in preloaded not_preloaded; do bash test/cluster.sh stop --dir "$WORK/$m" --remove; done' EXIT
	"${both[@]}" --dir "$WORK/preloaded" "${preload[@]}" >/dev/null
	"${both[@]}" --dir "$WORK/not_preloaded" >/dev/null
	for round in $(seq 1 "$CONNECT_ROUNDS"); do
		order=(preloaded not_preloaded)
		[ $((round % 2)) = 0 ] && order=(not_preloaded preloaded)
		for mode in "${order[@]}"; do
			(source "$WORK/$mode/env" && bash bench/view_scan.sh --connect "$mode" $quick)
		done
	done

}

print_tables()
{
	echo
	say "results ($(nproc) CPUs, PostgreSQL $("$PRIV_BINDIR/postgres" --version | awk '{print $3}'), medians)"
	echo
	echo "view scans: median of $ROUNDS runs of ${SCAN_SECONDS}s each"
	echo
	echo "| idle TLS sessions | pg_stat_ssl_ext, SELECT * (ms/query) | pg_stat_ssl, SELECT * (ms/query) | ratio | pg_stat_ssl_ext, pg_stat_ssl's 8 columns (ms/query) | ratio |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for sessions in "${SESSION_COUNTS[@]}" "$BIG_SESSIONS"; do
		ext="$(awk -v s="$sessions" '$1 == s && $2 == "ext" { print $3 }' "$WORK/scan.results" | median)"
		core="$(awk -v s="$sessions" '$1 == s && $2 == "core" { print $3 }' "$WORK/scan.results" | median)"
		ext8="$(awk -v s="$sessions" '$1 == s && $2 == "ext8" { print $3 }' "$WORK/scan.results" | median)"
		awk -v s="$sessions" -v e="$ext" -v c="$core" -v e8="$ext8" \
			'BEGIN { printf "| %s | %.3f | %.3f | %.2f | %.3f | %.2f |\n", s, e, c, e / c, e8, e8 / c }'
	done
	echo
	on="$(awk '$1 == "preloaded" { print $2 }' "$WORK/connect.results" | median)"
	off="$(awk '$1 == "not_preloaded" { print $2 }' "$WORK/connect.results" | median)"
	ratio="$(median <"$WORK/connect.ratios")"
	echo "| TLS connections/s (pgbench -C, client certificate) | preloaded | not preloaded | difference of medians | median of paired differences |"
	echo "|---|---:|---:|---:|---:|"
	awk -v r="$CONNECT_ROUNDS" -v on="$on" -v off="$off" -v q="$ratio" \
		'BEGIN { printf "| %s pairs of runs | %.1f | %.1f | %+.1f%% | %+.1f%% |\n", r, on, off, (on - off) * 100 / off, (q - 1) * 100 }'
	echo
	echo "each run, connections/s: preloaded $(awk '$1 == "preloaded" { printf "%s ", $2 }' "$WORK/connect.results")/" \
		"not preloaded $(awk '$1 == "not_preloaded" { printf "%s ", $2 }' "$WORK/connect.results")"
	echo
	echo "commands (PGHOST/PGPORT of the throwaway cluster, \$CERTDIR = $CERTDIR):"
	sed "s|$CERTDIR|\$CERTDIR|g; s|$WORK|build/bench|g; s/^/  /" "$WORK/commands"
	echo "  connections: $(sed "s|$CERTDIR|\$CERTDIR|g; s|$WORK|build/bench|g" "$WORK/connect.cmd")"
	echo "  clusters: test/cluster.sh (fsync off), pg_stat_ssl_ext ones with max_connections = 1100 (${SESSION_COUNTS[*]} sessions) and $BIG_MAX_CONNECTIONS ($BIG_SESSIONS sessions)"
}

# make bench: rows 2a, 2b (view scans) and 3 (connections per second).
# Met column: yes / NO, "tie" when a 1x target is missed by the median but
# not by the spread, "unresolved" when the connection overhead's median is
# over 2% but its spread reaches below (machine noise larger than the
# effect; bench/callgrind.sh gives the noise-free figure).
add_rows()
{
	local sessions id=2a server ext_lat core_lat ext8_lat ratios_ext ratios_ext8 med min max
	local e8med e8r paired on off scan_cmd idle_cmd connect_cmd
	source bench/common.sh
	for sessions in "${SESSION_COUNTS[@]}" "$BIG_SESSIONS"; do
		ext_lat="$(awk -v s="$sessions" '$1 == s && $2 == "ext" { print $3 }' "$WORK/scan.results" | xargs)"
		core_lat="$(awk -v s="$sessions" '$1 == s && $2 == "core" { print $3 }' "$WORK/scan.results" | xargs)"
		ext8_lat="$(awk -v s="$sessions" '$1 == s && $2 == "ext8" { print $3 }' "$WORK/scan.results" | xargs)"
		ratios_ext="$(ratios "$core_lat" "$ext_lat")"
		ratios_ext8="$(ratios "$core_lat" "$ext8_lat")"
		read -r med min max <<<"$(stats $ratios_ext)"
		read -r e8med _ _ <<<"$(stats $ext8_lat)"
		read -r e8r _ _ <<<"$(stats $ratios_ext8)"
		scan_cmd="$(sed -n "s/^ext, $sessions sessions: //p" "$WORK/commands" | head -n 1)"
		idle_cmd="$(sed -n 's/^idle sessions: //p' "$WORK/commands" | awk -v c="-c $sessions " 'index($0, c)' |
			sed 's/port=[0-9]*/port=PORT/')"
		if [ "$sessions" = "$BIG_SESSIONS" ]; then
			server="max_connections = $BIG_MAX_CONNECTIONS"
		else
			server="max_connections = 1100"
		fi
		bench_row "$id" "SELECT * FROM pg_stat_ssl_ext vs pg_stat_ssl, $sessions idle TLS sessions, $server ($ROUNDS rounds; pg_stat_ssl's 8 columns only: $(fmt '%.3f ms, %.2f×' "$e8med" "$e8r"))" \
			"$(fmt '%.3f ms/scan' "$(stats $ext_lat | cut -d' ' -f1)")" \
			"$(fmt '%.3f ms/scan' "$(stats $core_lat | cut -d' ' -f1)")" \
			"$(fmt '%.2f× as fast' "$med")" \
			"$(fmt '%.2f–%.2f×' "$min" "$max")" \
			"≥ 1× (no slower)" \
			"$(if [ "$(check "$med >= 1")" = yes ]; then echo yes; elif [ "$(check "$min <= 1 && $max >= 1")" = yes ]; then echo tie; else echo NO; fi)" \
			"$idle_cmd & $scan_cmd (ext.sql: SELECT * FROM pg_stat_ssl_ext; core.sql: SELECT * FROM pg_stat_ssl; $server)"
		id=$(echo "$id" | tr a-y b-z)
	done
	on="$(awk '$1 == "preloaded" { print $2 }' "$WORK/connect.results" | xargs)"
	off="$(awk '$1 == "not_preloaded" { print $2 }' "$WORK/connect.results" | xargs)"
	paired="$(awk '{ print 100 * (1 - $1) }' "$WORK/connect.ratios" | xargs)"
	read -r med min max <<<"$(stats $paired)"
	connect_cmd="$(sed 's/port=[0-9]*/port=PORT/' "$WORK/connect.cmd")"
	bench_row 3 "TLS connections/s, pgbench -C with a client certificate, shared_preload_libraries = 'sslinfo_ext' vs none ($CONNECT_ROUNDS pairs of runs on two clusters side by side)" \
		"$(fmt '%.1f conn/s' "$(stats $on | cut -d' ' -f1)")" \
		"$(fmt '%.1f conn/s' "$(stats $off | cut -d' ' -f1)")" \
		"$(fmt 'overhead %+.2f%%' "$med")" \
		"$(fmt '%+.2f … %+.2f%%' "$min" "$max")" \
		"< 2% overhead" \
		"$(if [ "$(check "$med < 2")" = yes ]; then echo yes; elif [ "$(check "$min < 2")" = yes ]; then echo unresolved; else echo NO; fi)" \
		"$connect_cmd"
}

if [ "${1:-}" = --as-server-user ]; then
	measure_all "${2:-}"
	print_tables
	exit 0
fi

if [ "${1:-}" = --rows ]; then
	export VIEW_SCAN_WORK="$BENCH_OUT/view_scan"
	WORK="$VIEW_SCAN_WORK"
	measure_all ""
	add_rows
	exit 0
fi

# ---- setup (as the invoking user) -----------------------------------------

ensure_packages
build_extension
private_install
make_certs
if is_root; then
	tree="$(tree_for_server_user)"
	rc=0
	(cd "$tree" && as_test_user bash bench/view_scan.sh --as-server-user "${1:-}") || rc=$?
	if [ "$tree" != "$TOP" ]; then
		rm -rf "$tree"
	fi
	exit "$rc"
fi
as_test_user bash bench/view_scan.sh --as-server-user "${1:-}"
