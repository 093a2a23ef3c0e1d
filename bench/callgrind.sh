#!/usr/bin/env bash
#
# callgrind.sh PRELOAD_CLUSTER_DIR PLAIN_CLUSTER_DIR: instructions (Ir, as
# callgrind counts them: the same on any machine, whatever its load) that
# sslinfo_ext adds to one TLS connection, against the whole backend.
#
# Each cluster (started by test/cluster.sh; the first with
# shared_preload_libraries = 'sslinfo_ext', the second without) is stopped
# and started again through pg_ctl -p with its postgres under
#   valgrind --tool=callgrind --zero-before=InitPostmasterChild
# so every forked backend writes its own profile, counted from its first
# instruction after the fork to its exit.  Then CONNECTIONS connections
# with the client_longdn certificate each run SELECT pg_backend_pid() (the
# pid names the profile) and disconnect, after one uncounted warm-up
# connection (it rebuilds the relcache init file); the server is stopped
# again.
#
# From each backend's profile bench/callgrind-entries.pl takes the whole
# backend's instructions (TLS handshake, authentication, InitPostgres, the
# query, exit) and those spent inside sslinfo_ext.so, callees included,
# whichever way PostgreSQL entered it (the authentication hook, exit
# callbacks).  Rows: that share, the whole backend with vs without the
# library preloaded (target: at most 0.5% more), and the instructions in
# sslinfo_ext again with sslinfo_ext.cert_expiry_warning_days = 36500, so
# that the server certificate is inside the warning window and the expiry
# alarm looks at it at every login (its facts come from the postmaster's
# reading of ssl_cert_file, issue 13; the alarm itself fires once an hour).
#
# Row 5d (issue 21): the whole backend of a refused TLS handshake, with vs
# without the library preloaded, and the part inside sslinfo_ext.so (it
# watches the handshake, classifies the refusal and counts it at exit).
# Each cluster is started under callgrind with -c ssl_max_protocol_version=
# TLSv1.2 and bench/refuse_loop.c (a TLS 1.3-only client, see
# bench/refusals.sh) makes REFUSALS single attempts: the protocol_version
# refusal, the cheapest kind, so the extension's share shows most.
#
# CONNECTIONS (BENCH_LOGINS, default 31) is odd and far more than a few:
# the TLS handshake's RSA blinding draws random numbers, so the whole
# backend's count varies by some 0.3% from one connection to the next
# (about 0.25% standard deviation): with 7 connections the difference of
# two medians (5b) moved by ±0.2% or more between runs (+0.071% and
# +0.649% on 19 for the same login path), with 31 its standard error is
# under 0.1%.  Rows 5a, 5c and 5d are deterministic within some hundred
# instructions (no RSA operation in a refused handshake): 7 each.
#
# Row 5e is 5b without that noise.  All of it is in the server's RSA
# signature of the handshake (EVP_DigestSign, inclusive, some 11 M
# instructions; ±1% with the blinding), which preloading does not touch:
# the whole backend less that call varies by about 0.01% from one
# connection to the next.  So the medians of (whole backend − EVP_DigestSign)
# with and without the library, their difference taken against the median
# whole backend without it, estimate what 5b measures, the instructions a
# login gains, within a few thousandths of a percent.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

CONNECTIONS="${BENCH_LOGINS:-31}"
WINDOW_CONNECTIONS=7
REFUSALS=7
out="$BENCH_OUT/callgrind"
mkdir -p "$out"

if ! command -v valgrind >/dev/null; then
	bench_row 5 "instructions added per connection (callgrind)" "failed" "" "" "" "" "" \
		"valgrind is not installed"
	exit 1
fi

# postgres under callgrind, for pg_ctl -p
wrapper="$out/postgres-under-callgrind"
cat >"$wrapper" <<-EOF
	#!/bin/sh
	exec valgrind --tool=callgrind --zero-before=InitPostmasterChild \\
		--callgrind-out-file=$out/callgrind.out.%p --log-file=$out/valgrind.%p.log \\
		$BENCH_BINDIR/postgres "\$@"
EOF
chmod 0755 "$wrapper"
VALGRIND_COMMAND="valgrind --tool=callgrind --zero-before=InitPostmasterChild postgres -D DATA"

# start_under_callgrind CLUSTER_DIR [POSTGRES_OPTIONS] / stop_cluster
# CLUSTER_DIR
start_under_callgrind()
{
	local data="$1/data" options="${2:-}"
	if [ -f "$data/postmaster.pid" ]; then
		pg_ctl -D "$data" -m fast -w -t 60 stop >/dev/null || return 1
	fi
	pg_ctl -D "$data" -p "$wrapper" ${options:+-o "$options"} -l "$1/server-callgrind.log" -w -t 300 start >/dev/null
}
stop_cluster()
{
	pg_ctl -D "$1/data" -m fast -w -t 300 stop >/dev/null
}

# wait_for_profile FILE: the profile is written when the backend exits
wait_for_profile()
{
	for _ in $(seq 1 120); do
		grep -qs '^totals:' "$1" && return 0
		sleep 0.5
	done
	return 1
}

# profile CLUSTER_DIR LABEL COUNT [POSTGRES_OPTIONS]: COUNT backends'
# "total entered" pairs, one line each, into $out/LABEL.figures
profile()
{
	local dir="$1" label="$2" count="$3" options="${4:-}" port conninfo pid file i
	port="$(sed -n 's/^export PGPORT=//p' "$dir/env")"
	conninfo="$(bench_conninfo "$port" client_longdn)"
	start_under_callgrind "$dir" "$options" || return 1
	# not counted: the first connection after a start rebuilds the relcache
	# init file, which later connections only read
	psql -X -At -d "$conninfo" -c 'SELECT 1' >/dev/null || return 1
	: >"$out/$label.figures"
	for ((i = 1; i <= count; i++)); do
		pid="$(psql -X -At -d "$conninfo" -c 'SELECT pg_backend_pid()')" || break
		file="$out/callgrind.out.$pid"
		wait_for_profile "$file"
		perl bench/callgrind-entries.pl "$file" 'sslinfo_ext\.so$' \
			ClientAuthentication secure_open_server EVP_DigestSign >"$out/$label.$i.entries" || break
		awk '$1 == "total" { t = $2 } $1 == "entered" { e = $2 }
			$1 == "function" && $2 == "EVP_DigestSign" { s = $3 }
			END { print t, e, s + 0 }' \
			"$out/$label.$i.entries" >>"$out/$label.figures"
	done
	stop_cluster "$dir"
	[ "$(wc -l <"$out/$label.figures")" -eq "$count" ]
}

# profile_refusals CLUSTER_DIR LABEL: REFUSALS refused handshakes, one at a
# time; each one's backend is the profile that appears during its attempt
# and ran be_tls_open_server (not an autovacuum worker, say)
profile_refusals()
{
	local dir="$1" label="$2" port file i
	port="$(sed -n 's/^export PGPORT=//p' "$dir/env")"
	start_under_callgrind "$dir" "$REFUSAL_OPTIONS" || return 1
	: >"$out/$label.figures"
	for ((i = 1; i <= REFUSALS; i++)); do
		ls "$out"/callgrind.out.* 2>/dev/null | sort >"$out/$label.before"
		"$refuse_loop" 127.0.0.1 "$port" 0 1 >/dev/null 2>>"$out/refuse_loop.log" || break
		# callgrind writes the profile as the backend exits, maybe after
		# the client saw the connection close
		for _ in $(seq 1 120); do
			for file in $(ls "$out"/callgrind.out.* | sort | comm -13 "$out/$label.before" -); do
				grep -qs '^totals:' "$file" || continue
				perl bench/callgrind-entries.pl "$file" 'sslinfo_ext\.so$' be_tls_open_server >"$out/$label.$i.entries" || continue
				awk '$1 == "function" && $3 > 0 { found = 1 } END { exit !found }' "$out/$label.$i.entries" && break 2
				rm -f "$out/$label.$i.entries"
			done
			sleep 0.5
		done
		[ -f "$out/$label.$i.entries" ] || break
		awk '$1 == "total" { t = $2 } $1 == "entered" { e = $2 } END { print t, e }' \
			"$out/$label.$i.entries" >>"$out/$label.figures"
	done
	stop_cluster "$dir"
	[ "$(wc -l <"$out/$label.figures")" -eq "$REFUSALS" ]
}

# median_entries LABEL COUNT MEDIAN: the "entry" lines of the backend whose
# entered figure is MEDIAN, as "name N Ir, ..."; code without a symbol is
# the library's ELF destructor glue
median_entries()
{
	local label="$1" count="$2" median="$3" file="$out/$1.1.entries" i
	for ((i = 1; i <= count; i++)); do
		if awk -v m="$median" '$1 == "entered" && $2 == m { found = 1 } END { exit !found }' "$out/$label.$i.entries"; then
			file="$out/$label.$i.entries"
		fi
	done
	awk '$1 == "entry" {
		name = ($2 ~ /^0x/) ? "ELF fini" : $2
		printf "%s%s %s Ir", (n++ ? ", " : ""), name, $3
	}' "$file"
}

refuse_loop="$BENCH_OUT/refusals/refuse_loop"
if [ ! -x "$refuse_loop" ]; then
	refuse_loop="$out/refuse_loop"
	gcc -O2 -Wall -o "$refuse_loop" bench/refuse_loop.c -lssl -lcrypto || {
		bench_row 5 "instructions added per connection (callgrind)" "failed" "" "" "" "" "" \
			"bench/refuse_loop.c did not compile"
		exit 1
	}
fi

bench_say "callgrind: $CONNECTIONS logins per cluster, $REFUSALS refusals, under valgrind ($(bench_load))"
WINDOW_OPTIONS="-c sslinfo_ext.cert_expiry_warning_days=36500"
REFUSAL_OPTIONS="-c ssl_max_protocol_version=TLSv1.2"
if ! profile "$1" preload "$CONNECTIONS" || ! profile "$2" plain "$CONNECTIONS" ||
	! profile "$1" window "$WINDOW_CONNECTIONS" "$WINDOW_OPTIONS" ||
	! profile_refusals "$1" refused_preload || ! profile_refusals "$2" refused_plain; then
	bench_row 5 "instructions added per connection (callgrind)" "failed" "" "" "" "" "" \
		"see $out"
	exit 1
fi

totals_pre="$(awk '{ print $1 }' "$out/preload.figures" | xargs)"
entered="$(awk '{ print $2 }' "$out/preload.figures" | xargs)"
totals_plain="$(awk '{ print $1 }' "$out/plain.figures" | xargs)"

read -r emed emin emax <<<"$(stats $entered)"
read -r tmed tmin tmax <<<"$(stats $totals_pre)"
read -r pmed pmin pmax <<<"$(stats $totals_plain)"
read -r smed smin smax <<<"$(stats $(ratios "$entered" "$totals_pre"))"
entries="$(median_entries preload "$CONNECTIONS" "$emed")"

bench_row 5a "instructions in sslinfo_ext per TLS connection (preloaded; ${entries:-no entries})" \
	"$(fmt '%.0f Ir' "$emed")" \
	"$(fmt '%.0f Ir whole backend (fork → exit)' "$tmed")" \
	"$(fmt '%.3f%%' "$(awk -v s="$smed" 'BEGIN { print 100 * s }')")" \
	"$(fmt '%.3f–%.3f%%' "$(awk -v s="$smin" 'BEGIN { print 100 * s }')" "$(awk -v s="$smax" 'BEGIN { print 100 * s }')")" \
	"< 2%" "$(check "$smed < 0.02")" \
	"$VALGRIND_COMMAND; psql \"\$LONGDN_PRELOAD\" -c 'SELECT pg_backend_pid()'"
added="$(awk -v a="$tmed" -v b="$pmed" 'BEGIN { print 100 * (a / b - 1) }')"
bench_row 5b "whole backend instructions per TLS connection, library preloaded vs not (medians of $CONNECTIONS connections each; the handshake's RSA blinding makes each vary)" \
	"$(fmt '%.0f Ir' "$tmed")" \
	"$(fmt '%.0f Ir' "$pmed")" \
	"$(fmt '%+.3f%%' "$added")" \
	"$(fmt '%.0f–%.0f vs %.0f–%.0f Ir' "$tmin" "$tmax" "$pmin" "$pmax")" \
	"≤ +0.5%" "$(check "$added <= 0.5")" \
	"$VALGRIND_COMMAND; psql \"\$LONGDN_PRELOAD\" (vs \"\$LONGDN\") -c 'SELECT pg_backend_pid()'"
read -r wmed wmin wmax <<<"$(stats $(awk '{ print $2 }' "$out/window.figures" | xargs))"
bench_row 5c "instructions in sslinfo_ext per TLS connection with the server certificate inside the expiry warning window (cert_expiry_warning_days = 36500: the alarm checks it at every login, from facts the postmaster read)" \
	"$(fmt '%.0f Ir' "$wmed")" \
	"$(fmt '%.0f Ir outside the window (5a)' "$emed")" \
	"$(fmt '%+.0f Ir' "$(awk -v a="$wmed" -v b="$emed" 'BEGIN { print a - b }')")" \
	"$(fmt '%.0f–%.0f Ir' "$wmin" "$wmax")" \
	"" "" \
	"valgrind --tool=callgrind --zero-before=InitPostmasterChild postgres -D DATA $WINDOW_OPTIONS; psql \"\$LONGDN_PRELOAD\" -c 'SELECT pg_backend_pid()'"

read -r rtmed rtmin rtmax <<<"$(stats $(awk '{ print $1 }' "$out/refused_preload.figures" | xargs))"
read -r rpmed rpmin rpmax <<<"$(stats $(awk '{ print $1 }' "$out/refused_plain.figures" | xargs))"
read -r remed _ _ <<<"$(stats $(awk '{ print $2 }' "$out/refused_preload.figures" | xargs))"
rentries="$(median_entries refused_preload "$REFUSALS" "$remed")"
radded="$(awk -v a="$rtmed" -v b="$rpmed" 'BEGIN { print 100 * (a / b - 1) }')"
bench_row 5d "whole backend instructions per refused TLS handshake (protocol_version: a TLS 1.3-only client, ssl_max_protocol_version = 'TLSv1.2'), library preloaded vs not (medians of $REFUSALS; in sslinfo_ext: $(fmt '%.0f Ir' "$remed")${rentries:+, }$rentries)" \
	"$(fmt '%.0f Ir' "$rtmed")" \
	"$(fmt '%.0f Ir' "$rpmed")" \
	"$(fmt '%+.3f%%' "$radded")" \
	"$(fmt '%.0f–%.0f vs %.0f–%.0f Ir' "$rtmin" "$rtmax" "$rpmin" "$rpmax")" \
	"" "" \
	"valgrind --tool=callgrind --zero-before=InitPostmasterChild postgres -D DATA $REFUSAL_OPTIONS; refuse_loop 127.0.0.1 PORT 0 1 (bench/refuse_loop.c; PORT: the cluster with, then without, the library preloaded)"

det_pre="$(awk '{ print $1 - $3 }' "$out/preload.figures" | xargs)"
det_plain="$(awk '{ print $1 - $3 }' "$out/plain.figures" | xargs)"
read -r dmed dmin dmax <<<"$(stats $det_pre)"
read -r qmed qmin qmax <<<"$(stats $det_plain)"
unsigned="$(awk '$3 == 0' "$out/preload.figures" "$out/plain.figures" | wc -l)"
unsigned_note=""
[ "$unsigned" -eq 0 ] || unsigned_note="; NO EVP_DigestSign in $unsigned profiles: the server does not sign with it here"
dadded="$(awk -v a="$dmed" -v b="$qmed" -v t="$pmed" 'BEGIN { print 100 * (a - b) / t }')"
bench_row 5e "5b without its noise: whole backend instructions per TLS connection less the server's RSA signature (EVP_DigestSign, ±1% with the blinding, untouched by the library), library preloaded vs not, against 5b's whole backend without ($(fmt '%+.0f Ir' "$(awk -v a="$dmed" -v b="$qmed" 'BEGIN { print a - b }')"); medians of $CONNECTIONS connections each$unsigned_note)" \
	"$(fmt '%.0f Ir' "$dmed")" \
	"$(fmt '%.0f Ir' "$qmed")" \
	"$(fmt '%+.3f%%' "$dadded")" \
	"$(fmt '%.0f–%.0f vs %.0f–%.0f Ir' "$dmin" "$dmax" "$qmin" "$qmax")" \
	"≤ +0.5%" "$(check "$dadded <= 0.5 && $unsigned == 0")" \
	"the profiles of 5b: perl bench/callgrind-entries.pl callgrind.out.PID 'sslinfo_ext\\.so\$' EVP_DigestSign (total − function EVP_DigestSign)"
