#!/usr/bin/env bash
#
# percall.sh PORT: per-call cost of the own-session functions, sslinfo_ext
# (schema public) against contrib sslinfo (schema contrib), on one TLS
# connection with the client_longdn certificate, in the database "bench"
# of the cluster on PORT (bench/run.sh creates both extensions there).
#
# Each statement calls the function thousands of times, so the function
# dominates; a trivial built-in function in the same statement shape is
# the executor's floor.  Every round runs floor, sslinfo_ext and contrib
# once each, in an order that rotates from round to round; the row shows
# medians over the rounds and the spread of the per-round ratio.
#
# Targets (issue 6): every function at least as fast as contrib's; the
# DN and serial functions at least 3x faster.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

port="$1"
LONGDN="$(bench_conninfo "$port" client_longdn)"

CALLS=20000			# calls per statement, scalar functions
SRF_CALLS=5000		# calls per statement, set-returning functions (3 rows each)

# The statement that calls FUNC (schema-qualified) $2 times per execution.
scalar_sql()
{
	echo "SELECT count($1) FROM generate_series(1, $2)"
}

srf_sql()
{
	echo "SELECT count(r) FROM (SELECT $1 AS r FROM generate_series(1, $2)) s"
}

# Nanoseconds per call of one pgbench run of statement $1 ($2 calls each).
ns_per_call()
{
	local ms
	ms="$(pgbench_figure latency -n -T "$BENCH_SECONDS" -f <(echo "$1") "$LONGDN")" || return 1
	[ -n "$ms" ] || return 1
	fmt '%.2f' "$(awk -v ms="$ms" -v n="$2" 'BEGIN { print ms * 1e6 / n }')"
}

# The pgbench command of a row, as bench/run.sh's reader can paste it.
command_of()
{
	echo "pgbench -n -T $BENCH_SECONDS -f <(echo \"$1\") \"\$LONGDN\""
}

# measure SHAPE FLOOR_EXPR OURS_EXPR CONTRIB_EXPR: N rounds, rotating the
# order of the three; sets FLOOR_NS, OURS_NS, CONTRIB_NS (lists).
measure()
{
	local shape="$1" n r k which
	local -a sql label
	if [ "$shape" = srf ]; then
		n=$SRF_CALLS
		sql=("$(srf_sql "$2" $n)" "$(srf_sql "$3" $n)" "$(srf_sql "$4" $n)")
	else
		n=$CALLS
		sql=("$(scalar_sql "$2" $n)" "$(scalar_sql "$3" $n)" "$(scalar_sql "$4" $n)")
	fi
	local -a res=("" "" "")
	local v
	for ((r = 0; r < BENCH_ROUNDS; r++)); do
		for ((k = 0; k < 3; k++)); do
			which=$(((r + k) % 3))
			v="$(ns_per_call "${sql[$which]}" $n)" || return 1
			res[$which]+="${res[$which]:+ }$v"
		done
	done
	FLOOR_NS="${res[0]}"
	OURS_NS="${res[1]}"
	CONTRIB_NS="${res[2]}"
	OURS_SQL="${sql[1]}"
	FLOOR_SQL="${sql[0]}"
}

# One table row for function $2 (id $1, shape $3, target speed-up $4).
function_row()
{
	local id="$1" func="$2" shape="$3" target="$4" floor_expr="$5"
	local fmed omed cmed rmed rmin rmax
	bench_say "per-call cost: $func"
	if ! measure "$shape" "$floor_expr" "public.$func" "contrib.$func"; then
		bench_row "$id" "$func per call" "failed" "" "" "" "≥ ${target}×" "NO" \
			"see $BENCH_OUT/pgbench.log"
		return 1
	fi
	read -r fmed _ _ <<<"$(stats $FLOOR_NS)"
	read -r omed _ _ <<<"$(stats $OURS_NS)"
	read -r cmed _ _ <<<"$(stats $CONTRIB_NS)"
	read -r rmed rmin rmax <<<"$(stats $(ratios "$CONTRIB_NS" "$OURS_NS"))"
	bench_row "$id" "$func per call" \
		"$(fmt '%.0f ns (floor %.0f ns)' "$omed" "$fmed")" \
		"$(fmt '%.0f ns' "$cmed")" \
		"$(fmt '%.2f× faster' "$rmed")" \
		"$(fmt '%.2f–%.2f×' "$rmin" "$rmax")" \
		"≥ ${target}×" \
		"$(check "$rmed >= $target")" \
		"$(command_of "$OURS_SQL")"
	# keep the floor measurements for the floor rows
	ALL_FLOOR["$shape"]+="${ALL_FLOOR[$shape]:+ }$FLOOR_NS"
	FLOOR_SQL_OF["$shape"]="$FLOOR_SQL"
}

declare -A ALL_FLOOR=() FLOOR_SQL_OF=()
SCALAR_FLOOR="pg_backend_pid()"
SRF_FLOOR="pg_options_to_table('{a=1,b=2,c=3}')"

bench_say "per-call cost, $BENCH_ROUNDS rounds of $BENCH_SECONDS s per side ($(bench_load))"
failed=0
function_row 1a "ssl_client_dn()" scalar 3 "$SCALAR_FLOOR" || failed=1
function_row 1b "ssl_issuer_dn()" scalar 3 "$SCALAR_FLOOR" || failed=1
function_row 1c "ssl_client_serial()" scalar 3 "$SCALAR_FLOOR" || failed=1
function_row 1d "ssl_client_dn_field('CN')" scalar 3 "$SCALAR_FLOOR" || failed=1
function_row 1e "ssl_extension_info()" srf 1 "$SRF_FLOOR" || failed=1
function_row 1f "ssl_is_used()" scalar 1 "$SCALAR_FLOOR" || failed=1

# The floors: every floor run of the rows above, per statement shape.
for shape in scalar srf; do
	[ -n "${ALL_FLOOR[$shape]:-}" ] || continue
	read -r med min max <<<"$(stats ${ALL_FLOOR[$shape]})"
	if [ "$shape" = scalar ]; then
		what="executor floor: $SCALAR_FLOOR per call"
		id=1g
	else
		what="executor floor, set-returning: $SRF_FLOOR per call"
		id=1h
	fi
	bench_row "$id" "$what" "$(fmt '%.0f ns' "$med")" "" "" \
		"$(fmt '%.0f–%.0f ns' "$min" "$max")" "" "" "$(command_of "${FLOOR_SQL_OF[$shape]}")"
done
exit $failed
