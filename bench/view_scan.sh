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
# tables of its own, rows of make bench's one table instead, work files
# under $BENCH_OUT/view_scan:
#   2a–2c  SELECT * against pg_stat_ssl (and pg_stat_ssl's 8 columns)
#   2d–2f  SELECT count(*) against pg_stat_ssl's
#   2g–2l  SELECT * and count(*) against the baseline commit's view
#          (bench/baseline.sh: BENCH_BASELINE built into build/bench-prev),
#          whose cluster runs beside ours with the same settings and idle
#          sessions, every scan alternating between the two
#   3      connections per second
#   6a–    each query of monitoring/postgres_exporter.yml and
#          monitoring/sql_exporter.yml (bench/exporter_queries.pl reads
#          them) at EXPORTER_SESSIONS sessions, and each exporter's scrape
# --rows --again: the rows from the last run's work files, not measured.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib.sh

ROUNDS="${VIEW_SCAN_ROUNDS:-5}"	# VIEW_SCAN_*: for trying the script out
SCAN_SECONDS="${VIEW_SCAN_SECONDS:-3}"
CONNECT_ROUNDS=15
CONNECT_SECONDS=3
SESSION_COUNTS=(100 1000)		# on a cluster with max_connections = 1100
BIG_SESSIONS=2000				# on one with max_connections = BIG_MAX_CONNECTIONS
BIG_MAX_CONNECTIONS=10000
EXPORTER_SESSIONS=(1000 2000)	# the exporters' queries run at these
EXPORTER_ROUNDS="${VIEW_SCAN_EXPORTER_ROUNDS:-3}"
EXPORTER_RUNS=5				# per round, after a first run
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
	echo "host=localhost hostaddr=127.0.0.1 port=${2:-$PGPORT} dbname=postgres sslmode=verify-full sslrootcert=$CERTDIR/ca.crt sslcert=$CERTDIR/$1.crt sslkey=$CERTDIR/$1.key"
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pgbench's average latency in ms, or its tps, from its output
latency_of() { sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$1"; }
tps_of() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$1"; }

# ---- inside a cluster (test/cluster.sh sets PGHOST/PGPORT) -----------------

# Part 1, in one cluster with sslinfo_ext preloaded, and in the baseline's
# beside it when $PREV_ENV names its env file (--rows, bench/baseline.sh).
if [ "${1:-}" = --scan ]; then
	ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	psql -XAtq -d postgres -c 'CREATE EXTENSION sslinfo_ext'
	psql -XAtq -d postgres -c 'CREATE ROLE bench_monitor LOGIN IN ROLE pg_monitor'
	echo 'SELECT * FROM pg_stat_ssl_ext;' >"$WORK/ext.sql"
	echo 'SELECT * FROM pg_stat_ssl;' >"$WORK/core.sql"
	echo 'SELECT count(*) FROM pg_stat_ssl_ext;' >"$WORK/extc.sql"
	echo 'SELECT count(*) FROM pg_stat_ssl;' >"$WORK/corec.sql"
	echo 'SELECT pid, ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl_ext;' >"$WORK/ext8.sql"
	echo '\sleep 1000 s' >"$WORK/idle.sql"  # 1e9 us: pgbench keeps sleeps in an int
	# the query, the script, the cluster (cur: ours, prev: the baseline's)
	views=("ext ext cur" "core core cur" "extc extc cur" "corec corec cur" "ext8 ext8 cur")
	ports=("$PGPORT")
	prev_port=""
	if [ -n "${PREV_ENV:-}" ]; then
		prev_port="$(sed -n 's/^export PGPORT=//p' "$PREV_ENV")"
		prev_host="$(sed -n 's/^export PGHOST=//p' "$PREV_ENV")"
		psql -XAtq -h "$prev_host" -p "$prev_port" -d postgres -c 'CREATE EXTENSION sslinfo_ext'
		views+=("prev ext prev" "prevc extc prev" "prevcorec corec prev")
		ports+=("$prev_port")
	fi
	idle_pids=()
	stop_idle()
	{
		local p
		for p in "${idle_pids[@]}"; do
			kill "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done
		idle_pids=()
	}
	trap 'stop_idle' EXIT

	read -r -a scan_sessions <<<"${SCAN_SESSIONS:-${SESSION_COUNTS[*]}}"
	for sessions in "${scan_sessions[@]}"; do
		stop_idle
		for port in "${ports[@]}"; do
			idle_cmd=(pgbench -n -c "$sessions" -j 2 -T 3600 -f "$WORK/idle.sql" "$(tls_conninfo "$IDLE_CERT" "$port")")
			[ "$port" = "$PGPORT" ] && echo "idle sessions: ${idle_cmd[*]}" >>"$WORK/commands"
			"${idle_cmd[@]}" >"$WORK/idle.$port.log" 2>&1 &
			idle_pids+=($!)
		done
		for port in "${ports[@]}"; do
			host="$PGHOST"
			[ "$port" = "$prev_port" ] && host="$prev_host"
			for _ in $(seq 1 600); do
				n="$(psql -XAtq -h "$host" -p "$port" -d postgres -c "SELECT count(*) FROM pg_stat_ssl WHERE ssl")"
				[ "$n" -ge "$sessions" ] && break
				sleep 0.5
			done
			if [ "$n" -lt "$sessions" ]; then
				echo "only $n of $sessions idle TLS sessions connected (port $port):" >&2
				tail "$WORK/idle.$port.log" >&2
				exit 1
			fi
		done
		for round in $(seq 1 "$ROUNDS"); do
			# the order rotates, so no query always runs first
			n=${#views[@]}
			for ((k = 0; k < n; k++)); do
				read -r view script where <<<"${views[$(((k + round) % n))]}"
				host="$PGHOST"
				port="$PGPORT"
				[ "$where" = prev ] && host="$prev_host" && port="$prev_port"
				cmd=(pgbench -n -c 1 -T "$SCAN_SECONDS" -f "$WORK/$script.sql" -h "$host" -p "$port" postgres)
				[ "$round" = 1 ] && echo "$view, $sessions sessions: ${cmd[*]}" >>"$WORK/commands"
				"${cmd[@]}" >"$WORK/scan.out" 2>&1
				echo "$sessions $view $(latency_of "$WORK/scan.out")" >>"$WORK/scan.results"
			done
		done
		# the exporters' queries, as a pg_monitor role, in our cluster: per
		# round and query one psql connection running it 1 + EXPORTER_RUNS
		# times with \timing, the first run (a fresh connection's) apart
		[[ " ${EXPORTER_SESSIONS[*]} " == *" $sessions "* ]] || continue
		[ -s "$WORK/exporter/list" ] || continue
		mapfile -t queries <"$WORK/exporter/list"
		for round in $(seq 1 "$EXPORTER_ROUNDS"); do
			n=${#queries[@]}
			for ((k = 0; k < n; k++)); do
				read -r exporter name _ <<<"${queries[$(((k + round) % n))]}"
				file="$WORK/exporter/$exporter.$name.sql"
				cmd=(psql -X -q -v ON_ERROR_STOP=1 -U bench_monitor -d postgres -o /dev/null)
				[ "$round" = 1 ] && echo "exporter $exporter $name, $sessions sessions: (echo '\timing on'; for i in \$(seq 0 $EXPORTER_RUNS); do cat $file; done) | ${cmd[*]}" >>"$WORK/commands"
				if ! { echo '\timing on'; for ((r = 0; r <= EXPORTER_RUNS; r++)); do cat "$file"; done; } |
					"${cmd[@]}" >"$WORK/exporter.out" 2>&1; then
					echo "exporter query $exporter $name failed:" >&2
					tail -n 5 "$WORK/exporter.out" >&2
					continue
				fi
				sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$WORK/exporter.out" |
					awk -v p="$sessions $exporter $name" '{ print p, (NR == 1 ? "first" : "run"), $1 }' >>"$WORK/exporter.results"
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

	# The baseline (bench/baseline.sh) in a cluster of its own beside ours,
	# set up alike, started and stopped with it; none without a baseline.
	prev_bindir="$BUILD/bench-prev/install$SYS_PGLIB/bin"
	prev_start=()
	if [ -x "$prev_bindir/postgres" ] && [ ! -f "$BUILD/bench-prev/unavailable" ]; then
		prev_start=(bash test/cluster.sh start --bindir "$prev_bindir" --certdir "$CERTDIR"
			--dir "$WORK/prev" --conf "log_connections = off" "${preload[@]}")
		export PREV_ENV="$WORK/prev/env"
	fi
	trap 'bash test/cluster.sh stop --dir "$WORK/prev" --remove >/dev/null 2>&1' EXIT
	mkdir -p "$WORK/exporter"
	perl bench/exporter_queries.pl "$WORK/exporter" ||
		{ echo "the exporters' queries could not be read from monitoring/" >&2; rm -f "$WORK/exporter/list"; }

	say "reading the view with ${SESSION_COUNTS[*]} idle TLS sessions ($ROUNDS rounds of ${SCAN_SECONDS}s each)${PREV_ENV:+, beside the baseline}"
	if [ ${#prev_start[@]} -gt 0 ]; then
		"${prev_start[@]}" --conf "max_connections = 1100" >/dev/null
	fi
	"${cluster[@]}" "${preload[@]}" --conf "max_connections = 1100" -- \
		bash bench/view_scan.sh --scan $quick
	if [ ${#prev_start[@]} -gt 0 ]; then
		bash test/cluster.sh stop --dir "$WORK/prev" --remove >/dev/null
		"${prev_start[@]}" --conf "max_connections = $BIG_MAX_CONNECTIONS" >/dev/null
	fi
	say "reading the view with $BIG_SESSIONS idle TLS sessions, max_connections = $BIG_MAX_CONNECTIONS"
	SCAN_SESSIONS=$BIG_SESSIONS "${cluster[@]}" "${preload[@]}" \
		--conf "max_connections = $BIG_MAX_CONNECTIONS" -- \
		bash bench/view_scan.sh --scan $quick
	bash test/cluster.sh stop --dir "$WORK/prev" --remove >/dev/null 2>&1
	unset PREV_ENV

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

# make bench: rows 6a, 6b, ... (the exporters' queries, bench/exporter_queries.pl):
# one per query of monitoring/postgres_exporter.yml and monitoring/sql_exporter.yml,
# its median ms per run in a connection that ran it before (the exporters
# keep theirs) at each of EXPORTER_SESSIONS sessions, then one per
# exporter with the whole scrape (each query's median times the runs a
# scrape makes of it).
exporter_rows()
{
	local id=6a exporter name runs sessions l ours spread first cmd total
	declare -A scrape=()
	[ -s "$WORK/exporter/list" ] || {
		bench_row 6 "the exporters' queries" "not measured" "" "" "" "" "-" "bench/exporter_queries.pl could not read monitoring/"
		return 0
	}
	while read -r exporter name runs; do
		ours=""
		spread=""
		first=""
		for sessions in "${EXPORTER_SESSIONS[@]}"; do
			l="$(awk -v s="$sessions" -v e="$exporter" -v n="$name" '$1 == s && $2 == e && $3 == n && $4 == "run" { print $5 }' "$WORK/exporter.results" | xargs)"
			if [ -z "$l" ]; then
				ours+="${ours:+; }$sessions: failed"
				continue
			fi
			read -r med min max <<<"$(stats $l)"
			ours+="${ours:+; }$(fmt "%s: %.2f ms" "$sessions" "$med")"
			spread+="${spread:+; }$(fmt '%.2f–%.2f ms' "$min" "$max")"
			l="$(awk -v s="$sessions" -v e="$exporter" -v n="$name" '$1 == s && $2 == e && $3 == n && $4 == "first" { print $5 }' "$WORK/exporter.results" | xargs)"
			first+="${first:+, }$(fmt '%.1f ms' "$(stats $l | cut -d' ' -f1)")"
			scrape[$exporter.$sessions]="$(awk -v a="${scrape[$exporter.$sessions]:-0}" -v m="$med" -v r="$runs" 'BEGIN { print a + m * r }')"
		done
		cmd="$(sed -n "s/^exporter $exporter $name, [0-9]* sessions: //p" "$WORK/commands" | head -n 1 | sed "s|$WORK/exporter/|build/bench/view_scan/exporter/|")"
		bench_row "$id" "$exporter query $name (monitoring/$exporter.yml$([ "$runs" -gt 1 ] && echo ", run $runs times per interval, once per metric naming it")), as a pg_monitor role, ms per run at $(IFS=/; echo "${EXPORTER_SESSIONS[*]}") idle TLS sessions (median of $((EXPORTER_ROUNDS * EXPORTER_RUNS)) runs: $EXPORTER_ROUNDS connections, $EXPORTER_RUNS runs each after the first; the first run in a fresh connection: $first)" \
			"$ours" "-" "-" "$spread" "-" "-" \
			"$cmd (the query read from monitoring/$exporter.yml by bench/exporter_queries.pl; idle sessions as in rows 2b and 2c)"
		id=$(echo "$id" | tr a-y b-z)
	done <"$WORK/exporter/list"
	for exporter in postgres_exporter sql_exporter; do
		ours=""
		for sessions in "${EXPORTER_SESSIONS[@]}"; do
			total="${scrape[$exporter.$sessions]:-}"
			[ -n "$total" ] && ours+="${ours:+; }$(fmt "%s: %.1f ms" "$sessions" "$total")"
		done
		bench_row "$id" "$exporter: all its sslinfo_ext queries, one $([ "$exporter" = sql_exporter ] && echo "job interval" || echo scrape) (the sum of the rows above, each times its runs)" \
			"$ours" "-" "-" "-" "-" "-" "sum of the $exporter rows above"
		id=$(echo "$id" | tr a-y b-z)
	done
}

# make bench: rows 2a, 2b (view scans) and 3 (connections per second).
# Met column: yes / NO, "tie" when a 1x target is missed by the median but
# not by the spread, "unresolved" when the connection overhead's median is
# over 2% but its spread reaches below (machine noise larger than the
# effect; bench/callgrind.sh gives the noise-free figure).
add_rows()
{
	local sessions id server ext_lat core_lat ext8_lat ratios_ext ratios_ext8 med min max
	local e8med e8r paired on off scan_cmd idle_cmd connect_cmd
	local q ours ref target threshold label prev_desc prev_cmd why
	source bench/common.sh

	# lists of one query's latencies, round by round
	lat() { awk -v s="$1" -v v="$2" '$1 == s && $2 == v { print $3 }' "$WORK/scan.results" | xargs; }
	server_of() { if [ "$1" = "$BIG_SESSIONS" ]; then echo "max_connections = $BIG_MAX_CONNECTIONS"; else echo "max_connections = 1100"; fi; }
	idle_of()
	{
		sed -n 's/^idle sessions: //p' "$WORK/commands" | awk -v c="-c $1 " 'index($0, c)' |
			sed 's/port=[0-9]*/port=PORT/'
	}
	scan_of() { sed -n "s/^$1, $2 sessions: //p" "$WORK/commands" | head -n 1 | sed 's/-h [^ ]* -p [0-9]* //'; }
	# met: yes / tie (missed by the median, not by the spread) / NO
	verdict()
	{
		if [ "$(check "$1 >= $4")" = yes ]; then echo yes
		elif [ "$(check "$2 <= $4 && $3 >= $4")" = yes ]; then echo tie
		else echo NO; fi
	}

	# 2a–2c SELECT *, 2d–2f count(*), each against pg_stat_ssl
	id=2a
	for q in star count; do
		for sessions in "${SESSION_COUNTS[@]}" "$BIG_SESSIONS"; do
			server="$(server_of "$sessions")"
			if [ "$q" = star ]; then
				ext_lat="$(lat "$sessions" ext)"
				core_lat="$(lat "$sessions" core)"
				ext8_lat="$(lat "$sessions" ext8)"
				ratios_ext8="$(ratios "$core_lat" "$ext8_lat")"
				read -r e8med _ _ <<<"$(stats $ext8_lat)"
				read -r e8r _ _ <<<"$(stats $ratios_ext8)"
				label="SELECT * FROM pg_stat_ssl_ext vs pg_stat_ssl, $sessions idle TLS sessions, $server ($ROUNDS rounds; pg_stat_ssl's 8 columns only: $(fmt '%.3f ms, %.2f×' "$e8med" "$e8r"))"
				threshold=1
				target="≥ 1× (no slower)"
				scan_cmd="$(scan_of ext "$sessions") (ext.sql: SELECT * FROM pg_stat_ssl_ext; core.sql: SELECT * FROM pg_stat_ssl; $server)"
			else
				ext_lat="$(lat "$sessions" extc)"
				core_lat="$(lat "$sessions" corec)"
				label="SELECT count(*) FROM pg_stat_ssl_ext vs pg_stat_ssl, $sessions idle TLS sessions, $server ($ROUNDS rounds)"
				threshold=1.4
				target="≥ 1.4×"
				scan_cmd="$(scan_of extc "$sessions") (extc.sql: SELECT count(*) FROM pg_stat_ssl_ext; corec.sql: SELECT count(*) FROM pg_stat_ssl; $server)"
			fi
			ratios_ext="$(ratios "$core_lat" "$ext_lat")"
			read -r med min max <<<"$(stats $ratios_ext)"
			bench_row "$id" "$label" \
				"$(fmt '%.3f ms/scan' "$(stats $ext_lat | cut -d' ' -f1)")" \
				"$(fmt '%.3f ms/scan' "$(stats $core_lat | cut -d' ' -f1)")" \
				"$(fmt '%.2f× as fast' "$med")" \
				"$(fmt '%.2f–%.2f×' "$min" "$max")" \
				"$target" "$(verdict "$med" "$min" "$max" "$threshold")" \
				"$(idle_of "$sessions") & $scan_cmd"
			id=$(echo "$id" | tr a-y b-z)
		done
	done

	# 2g–2l the same scans against the baseline's (bench/baseline.sh), in a
	# cluster of its own beside ours, set up alike, runs alternating
	prev_desc="$(cat "$BUILD/bench-prev/install/.describe" 2>/dev/null || true)"
	why="$(cat "$BUILD/bench-prev/unavailable" 2>/dev/null || true)"
	for q in star count; do
		for sessions in "${SESSION_COUNTS[@]}" "$BIG_SESSIONS"; do
			server="$(server_of "$sessions")"
			if [ "$q" = star ]; then
				ext_lat="$(lat "$sessions" ext)"
				core_lat="$(lat "$sessions" prev)"
				label="SELECT *"
				prev_cmd="$(scan_of prev "$sessions")"
			else
				ext_lat="$(lat "$sessions" extc)"
				core_lat="$(lat "$sessions" prevc)"
				label="SELECT count(*)"
				prev_cmd="$(scan_of prevc "$sessions")"
			fi
			if [ -z "$core_lat" ]; then
				bench_row "$id" "$label FROM pg_stat_ssl_ext vs the baseline BENCH_BASELINE=${BENCH_BASELINE:-e7dd913}, $sessions idle TLS sessions, $server" \
					"$(fmt '%.3f ms/scan' "$(stats $ext_lat | cut -d' ' -f1)")" "not measured" "-" "-" "≥ 1× (no slower)" "-" \
					"${why:-no baseline build (bench/baseline.sh)}"
				id=$(echo "$id" | tr a-y b-z)
				continue
			fi
			ratios_ext="$(ratios "$core_lat" "$ext_lat")"
			read -r med min max <<<"$(stats $ratios_ext)"
			# pg_stat_ssl's count(*) in both clusters: how alike they ran
			ratios_ext8="$(ratios "$(lat "$sessions" prevcorec)" "$(lat "$sessions" corec)")"
			read -r e8r _ _ <<<"$(stats $ratios_ext8)"
			bench_row "$id" "$label FROM pg_stat_ssl_ext vs the baseline $prev_desc, $sessions idle TLS sessions, $server, two clusters side by side ($ROUNDS rounds; pg_stat_ssl's count(*) in ours vs the baseline's cluster: $(fmt '%.2f×' "$e8r"))" \
				"$(fmt '%.3f ms/scan' "$(stats $ext_lat | cut -d' ' -f1)")" \
				"$(fmt '%.3f ms/scan' "$(stats $core_lat | cut -d' ' -f1)")" \
				"$(fmt '%.2f× as fast' "$med")" \
				"$(fmt '%.2f–%.2f×' "$min" "$max")" \
				"≥ 1× (no slower)" "$(verdict "$med" "$min" "$max" 1)" \
				"bench/baseline.sh (BENCH_BASELINE=${BENCH_BASELINE:-e7dd913}); $(idle_of "$sessions") (in both clusters) & $prev_cmd (PORT: each cluster in turn)"
			id=$(echo "$id" | tr a-y b-z)
		done
	done

	exporter_rows
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
	# --rows --again: the rows of the last run's work files, not measured again
	[ "${2:-}" = --again ] || measure_all ""
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
