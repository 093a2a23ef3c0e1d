#!/usr/bin/env bash
#
# refusals.sh PLAIN_CLUSTER_DIR PRELOAD_CLUSTER_DIR: refused TLS handshakes
# per second with shared_preload_libraries = 'sslinfo_ext' (which records
# every refusal, issue 21) against without; row 3b of make bench.
#
# The refusal is the cheapest kind, so that the extension's share of it
# shows most: both clusters get ssl_max_protocol_version = 'TLSv1.2' (ALTER
# SYSTEM and a reload; reset the same way at the end) and bench/refuse_loop.c
# (compiled here with gcc) offers TLS 1.3 only.  The server answers the
# ClientHello with a protocol_version alert before it looks at suites,
# certificates or pg_hba.conf; what is left is the postmaster's fork, the
# backend's start, the alert, the log line and the exit, plus, preloaded,
# the extension's watching, classifying and counting.  The client makes
# its attempts without a process per attempt (2 client processes, forked
# once, each attempt waiting for the refusing backend to close the
# connection), and stops with an error on any attempt that is not refused
# with protocol_version.
#
# Rounds alternate between the clusters (bench/common.sh's ab_rounds, the
# order swapped every round), 1 s each, 4 × BENCH_ROUNDS + 1 of them (29
# by default): a rate of backend starts on 2 shared cores is noisy, a
# round's ratio varies by ±25% on a busy machine, so many short rounds,
# each pair close in time, rather than a few long ones.  The row gives the
# medians and the median and spread of the per-round ratios.  Target: at
# least 0.95.  Row 5d (bench/callgrind.sh) counts the instructions of the
# same refusal, which no load changes.
#
# Sanity check: the preloaded cluster's pg_stat_ssl_ext_refusal_totals
# count for protocol_version must rise by exactly the number of attempts the
# client made against it (warm-up included); otherwise the row says
# "failed" and the script exits 1.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

CLIENTS=2
BENCH_ROUNDS=$((4 * BENCH_ROUNDS + 1))
SECONDS_PER_RUN=1
ROW_ID=3b
ROW_WHAT="refused TLS handshakes/s (a TLS 1.3-only client against ssl_max_protocol_version = 'TLSv1.2': protocol_version, the cheapest refusal), shared_preload_libraries = 'sslinfo_ext' vs none"
out="$BENCH_OUT/refusals"
mkdir -p "$out"
plain_dir="$1"
preload_dir="$2"
plain_port="$(sed -n 's/^export PGPORT=//p' "$plain_dir/env")"
preload_port="$(sed -n 's/^export PGPORT=//p' "$preload_dir/env")"
loop="$out/refuse_loop"
COMMAND="gcc -O2 -o refuse_loop bench/refuse_loop.c -lssl -lcrypto; ALTER SYSTEM SET ssl_max_protocol_version = 'TLSv1.2' + pg_reload_conf() on both clusters; refuse_loop 127.0.0.1 PORT $SECONDS_PER_RUN $CLIENTS (PORT: each cluster in turn, $BENCH_ROUNDS rounds)"

fail()
{
	echo "refusals.sh: $*" >&2
	bench_row "$ROW_ID" "$ROW_WHAT" "failed" "" "" "" "≥ 0.95" "NO" "$* (see $out)"
	exit 1
}

# sql CLUSTER_DIR SQL: one value, through the cluster's Unix socket
sql()
{
	(
		source "$1/env"
		psql -X -At -v ON_ERROR_STOP=1 -d bench -c "$2"
	)
}

# max_version CLUSTER_DIR VALUE|DEFAULT: set or reset
# ssl_max_protocol_version and wait until new backends have it
max_version()
{
	local dir="$1" value="$2" want i
	if [ "$value" = DEFAULT ]; then
		sql "$dir" "ALTER SYSTEM RESET ssl_max_protocol_version" >/dev/null || return 1
		want=""
	else
		sql "$dir" "ALTER SYSTEM SET ssl_max_protocol_version = '$value'" >/dev/null || return 1
		want="$value"
	fi
	sql "$dir" "SELECT pg_reload_conf()" >/dev/null || return 1
	for i in $(seq 1 100); do
		[ "$(sql "$dir" "SHOW ssl_max_protocol_version")" = "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

restore()
{
	max_version "$plain_dir" DEFAULT || echo "refusals.sh: could not reset ssl_max_protocol_version in $plain_dir" >&2
	max_version "$preload_dir" DEFAULT || echo "refusals.sh: could not reset ssl_max_protocol_version in $preload_dir" >&2
}

totals()
{
	sql "$preload_dir" "SELECT refusals FROM pg_stat_ssl_ext_refusal_totals WHERE reason = 'protocol_version'"
}

# every reason's total, "reason count" lines
all_totals()
{
	sql "$preload_dir" "SELECT reason || ' ' || refusals FROM pg_stat_ssl_ext_refusal_totals ORDER BY reason"
}

gcc -O2 -Wall -o "$loop" bench/refuse_loop.c -lssl -lcrypto 2>"$out/gcc.log" ||
	fail "bench/refuse_loop.c did not compile: $(head -n 3 "$out/gcc.log")"

before="$(totals)"
all_totals >"$out/totals.before"
[[ "$before" =~ ^[0-9]+$ ]] || fail "no protocol_version row in pg_stat_ssl_ext_refusal_totals on the preloaded cluster"

trap restore EXIT
max_version "$plain_dir" TLSv1.2 && max_version "$preload_dir" TLSv1.2 ||
	fail "could not set ssl_max_protocol_version = 'TLSv1.2'"

# refuse PORT LABEL: one run; prints the rate, appends "LABEL ATTEMPTS RATE"
# to $out/runs
refuse()
{
	local result
	result="$("$loop" 127.0.0.1 "$1" "$SECONDS_PER_RUN" "$CLIENTS" 2>>"$out/refuse_loop.log")" || {
		echo "refuse_loop against port $1 failed; see $out/refuse_loop.log:" >&2
		tail -n 5 "$out/refuse_loop.log" >&2
		return 1
	}
	echo "$2 $result" >>"$out/runs"
	echo "${result#* }"
}
run_preload() { refuse "$preload_port" preload; }
run_plain() { refuse "$plain_port" plain; }

: >"$out/runs"
bench_say "refusals: $BENCH_ROUNDS rounds of $SECONDS_PER_RUN s per cluster, $CLIENTS clients ($(bench_load))"
# warm-up, one run each (counted in the sanity check, not in the row)
run_preload >/dev/null && run_plain >/dev/null || fail "refuse_loop failed: $(tail -n 2 "$out/refuse_loop.log" | xargs)"
ab_rounds run_preload run_plain || fail "refuse_loop failed: $(tail -n 2 "$out/refuse_loop.log" | xargs)"
on="$AB_A"
off="$AB_B"

# The sanity check: every attempt against the preloaded cluster was
# counted as protocol_version (a backend counts its refusal at exit, which
# the client waited for; allow a moment all the same).
attempts="$(awk '$1 == "preload" { n += $2 } END { print n + 0 }' "$out/runs")"
for _ in $(seq 1 50); do
	after="$(totals)"
	[ "$((after - before))" -eq "$attempts" ] && break
	sleep 0.2
done
restore
trap - EXIT
counted=$((after - before))
bench_say "refusals: $attempts attempts against the preloaded cluster, $counted counted as protocol_version in pg_stat_ssl_ext_refusal_totals"
if [ "$counted" -ne "$attempts" ]; then
	# where they went instead
	all_totals >"$out/totals.after"
	others="$(awk 'NR == FNR { b[$1] = $2; next } $2 != b[$1] { printf "%s%s %+d", (n++ ? ", " : ""), $1, $2 - b[$1] }' \
		"$out/totals.before" "$out/totals.after")"
	fail "sanity check failed: $attempts refused attempts against the preloaded cluster, but pg_stat_ssl_ext_refusal_totals rose by $counted for protocol_version (changes by reason: ${others:-none})"
fi

read -r onmed _ _ <<<"$(stats $on)"
read -r offmed _ _ <<<"$(stats $off)"
read -r med min max <<<"$(stats $(ratios "$on" "$off"))"
bench_row "$ROW_ID" "$ROW_WHAT ($BENCH_ROUNDS rounds; sanity check: $attempts attempts against the preloaded cluster, pg_stat_ssl_ext_refusal_totals' protocol_version +$counted)" \
	"$(fmt '%.1f refusals/s' "$onmed")" \
	"$(fmt '%.1f refusals/s' "$offmed")" \
	"$(fmt '%.3f×' "$med")" \
	"$(fmt '%.3f–%.3f×' "$min" "$max")" \
	"≥ 0.95" "$(check "$med >= 0.95")" \
	"$COMMAND"
