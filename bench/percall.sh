#!/usr/bin/env bash
#
# percall.sh PORT: per-call cost of the own-session functions, sslinfo_ext
# (schema public) against contrib sslinfo (schema contrib), on one TLS
# connection with the client_longdn certificate, in the database "bench"
# of the cluster on PORT (bench/run.sh creates both extensions there).
#
# Each statement calls the function thousands of times, so the function
# dominates; a trivial built-in function in the same statement shape is
# the executor's floor.  A round is one pgbench run with the floor,
# sslinfo_ext and contrib statements as three scripts: pgbench picks one at
# random for every transaction, so A and B alternate many times a second
# and share whatever else the machine is doing.  The row shows medians over
# BENCH_ROUNDS rounds and the min-max spread of the per-round ratio.
#
# Targets (issue 6): every function at least as fast as contrib's; the
# DN and serial functions at least 3x faster.  "tie" in the met column:
# the median is below 1x but the spread reaches 1x (no difference
# measurable; ssl_is_used() is the same one field read in both).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

port="$1"
LONGDN="$(bench_conninfo "$port" client_longdn)"

CALLS=10000			# calls per statement, scalar functions
SRF_CALLS=5000		# calls per statement, set-returning functions (3 rows each)

# The statement that calls FUNC (schema-qualified) $2 times per execution.
# The rows come from generate_series() in a target list (ProjectSet, rows
# streamed) rather than in FROM (FunctionScan, which first stores them all
# in a tuplestore): that halves the per-row floor, so the function's own
# cost is a larger part of what is measured.
scalar_sql()
{
	echo "SELECT count($1) FROM (SELECT generate_series(1, $2)) g"
}

srf_sql()
{
	echo "SELECT count(r) FROM (SELECT $1 AS r FROM (SELECT generate_series(1, $2)) g) s"
}

# The pgbench command of a round: the floor, sslinfo_ext and contrib
# statements as three scripts of one run, so pgbench picks one of them at
# random for each transaction and all three share the same moments of the
# machine's load.
command_of()
{
	echo "pgbench -n -T $BENCH_SECONDS -f <(echo \"$1\") -f <(echo \"$2\") -f <(echo \"$3\") \"\$LONGDN\""
}

# measure SHAPE FLOOR_EXPR OURS_EXPR CONTRIB_EXPR: BENCH_ROUNDS runs of
# the three statements interleaved; sets FLOOR_NS, OURS_NS, CONTRIB_NS
# (per-round nanoseconds per call, space-separated) and COMMAND.
measure()
{
	local shape="$1" n r lat
	local -a sql ns
	if [ "$shape" = srf ]; then
		n=$SRF_CALLS
		sql=("$(srf_sql "$2" $n)" "$(srf_sql "$3" $n)" "$(srf_sql "$4" $n)")
	else
		n=$CALLS
		sql=("$(scalar_sql "$2" $n)" "$(scalar_sql "$3" $n)" "$(scalar_sql "$4" $n)")
	fi
	FLOOR_NS=""
	OURS_NS=""
	CONTRIB_NS=""
	COMMAND="$(command_of "${sql[0]}" "${sql[1]}" "${sql[2]}")"
	for ((r = 0; r < BENCH_ROUNDS; r++)); do
		lat="$(pgbench_figure script-latencies -n -T "$BENCH_SECONDS" \
			-f <(echo "${sql[0]}") -f <(echo "${sql[1]}") -f <(echo "${sql[2]}") \
			"$LONGDN")" || return 1
		read -r -a ns <<<"$(awk -v n=$n '{ for (i = 1; i <= NF; i++) printf "%.2f ", $i * 1e6 / n }' <<<"$lat")"
		[ ${#ns[@]} -eq 3 ] || return 1
		FLOOR_NS+="${FLOOR_NS:+ }${ns[0]}"
		OURS_NS+="${OURS_NS:+ }${ns[1]}"
		CONTRIB_NS+="${CONTRIB_NS:+ }${ns[2]}"
	done
}

# Met column: yes / NO, or "tie" when a 1x target is missed by the median
# but not by the spread.
verdict()
{
	local med="$1" min="$2" max="$3" target="$4"
	if [ "$(check "$med >= $target")" = yes ]; then
		echo yes
	elif [ "$target" = 1 ] && [ "$(check "$min <= 1 && $max >= 1")" = yes ]; then
		echo tie
	else
		echo NO
	fi
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
		"$(verdict "$rmed" "$rmin" "$rmax" "$target")" \
		"$COMMAND"
	# keep the floor measurements for the floor rows
	ALL_FLOOR["$shape"]+="${ALL_FLOOR[$shape]:+ }$FLOOR_NS"
	}

declare -A ALL_FLOOR=()
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
		"$(fmt '%.0f–%.0f ns' "$min" "$max")" "" "" \
		"$([ "$shape" = srf ] && echo "first -f script of row 1e" || echo "first -f script of rows 1a–1d, 1f")"
done
exit $failed
