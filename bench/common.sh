# bench/common.sh: what every benchmark script under bench/ shares.  Source
# it; it defines functions and variables only.
#
# A benchmark script measures side by side, in alternating rounds, and adds
# rows to the one results table that bench/run.sh prints at the end:
#
#   bench_row ID MEASUREMENT OURS REFERENCE RATIO SPREAD TARGET MET COMMAND
#
# appends one tab-separated row to $BENCH_ROWS.  All fields are display
# text ("-" when empty); MET is "yes", "NO" or "-".  COMMAND is the exact
# command that produced the row, with the connection strings written as the
# shell variables bench/run.sh prints above the table ($LONGDN, ...).
#
# Environment, set by bench/run.sh (a script run alone must set them):
#   BENCH_ROWS     file the rows go to
#   BENCH_OUT      directory for logs and scratch files (build/bench)
#   BENCH_BINDIR   the private install's bin directory (also first in PATH)
#   BENCH_CERTDIR  certificates of test/certs/make-certs.sh
#   BENCH_ROUNDS   A/B rounds per row (odd, so the median is a measurement)
#   BENCH_SECONDS  seconds per pgbench run

BENCH_ROUNDS="${BENCH_ROUNDS:-5}"
BENCH_SECONDS="${BENCH_SECONDS:-1}"

bench_say()
{
	echo "== $*" >&2
}

bench_row()
{
	local f out=""
	[ $# -eq 9 ] || { echo "bench_row: 9 fields expected, got $#" >&2; return 1; }
	for f in "$@"; do
		f="${f//$'\t'/ }"
		out+="${out:+$'\t'}${f:--}"
	done
	printf '%s\n' "$out" >>"$BENCH_ROWS"
}

# TLS connection string for client certificate $2 against the cluster whose
# port is $1; database $3 (default bench).
bench_conninfo()
{
	local port="$1" cert="$2" db="${3:-bench}"
	echo "host=localhost hostaddr=127.0.0.1 port=$port dbname=$db sslmode=verify-full sslrootcert=$BENCH_CERTDIR/ca.crt sslcert=$BENCH_CERTDIR/$cert.crt sslkey=$BENCH_CERTDIR/$cert.key"
}

# "median min max" of the numbers given as arguments.
stats()
{
	printf '%s\n' "$@" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "nan nan nan"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR]
		}'
}

# Element-wise quotient of two equally long lists: ratios NUM_LIST DEN_LIST,
# each a space-separated string.
ratios()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++) printf "%s%.6g", (i > 1 ? " " : ""), (y[i] > 0 ? x[i] / y[i] : 0)
		print ""
	}'
}

# printf with awk's number formatting: fmt FORMAT NUMBER...
fmt()
{
	local format="$1"
	shift
	awk -v f="$format" 'BEGIN { for (i = 1; i < ARGC; i++) a[i] = ARGV[i]; printf f, a[1], a[2], a[3], a[4] }' "$@"
}

# awk's verdict on a numeric condition: check "X >= 3" -> yes / NO
check()
{
	awk "BEGIN { exit !($1) }" && echo yes || echo NO
}

# Run pgbench with the given arguments and print one figure of its report:
# pgbench_figure latency|tps|script-latencies ARG...  (latency average in
# ms; tps as reported; per-script latency averages in ms, in -f order).
# The whole report goes to $BENCH_OUT/pgbench.log; a failed run prints
# nothing and returns 1.
pgbench_figure()
{
	local what="$1" out rc
	shift
	out="$(pgbench "$@" 2>&1)"
	rc=$?
	{
		echo "\$ pgbench $*"
		echo "$out"
	} >>"$BENCH_OUT/pgbench.log"
	if [ $rc -ne 0 ]; then
		echo "pgbench failed (exit $rc); see $BENCH_OUT/pgbench.log:" >&2
		echo "$out" | tail -n 5 >&2
		return 1
	fi
	case "$what" in
		latency) echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' | head -n 1 ;;
		tps) echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -n 1 ;;
		script-latencies)
			# with several -f scripts: each script's latency average, in
			# the order of the -f options, space-separated
			echo "$out" | sed -n 's/^ - latency average = \([0-9.]*\) ms.*/\1/p' | xargs
			;;
	esac
}

# Alternating A/B rounds: ab_rounds FUNC_A FUNC_B.  Round r runs A then B
# when r is odd, B then A when it is even, so neither side always runs
# first (warmer caches, a later moment in a noisy neighbour's work).  Each
# function prints one number.  Results: the space-separated lists AB_A and
# AB_B, round by round.  Returns 1 if any run failed.
ab_rounds()
{
	local fa="$1" fb="$2" r a b
	AB_A=""
	AB_B=""
	for ((r = 1; r <= BENCH_ROUNDS; r++)); do
		if ((r % 2)); then
			a="$($fa)" || return 1
			b="$($fb)" || return 1
		else
			b="$($fb)" || return 1
			a="$($fa)" || return 1
		fi
		[ -n "$a" ] && [ -n "$b" ] || return 1
		AB_A+="${AB_A:+ }$a"
		AB_B+="${AB_B:+ }$b"
	done
}

# The machine's load, as the table header and each part note it.
bench_load()
{
	uptime | sed 's/.*load average/load average/'
}
