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
# CONNECTIONS is odd and more than a few: the TLS handshake's RSA blinding
# draws random numbers, so the whole backend's count varies by some 0.3%
# from one connection to the next; the medians are compared.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
source bench/common.sh

CONNECTIONS=7
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

# profile CLUSTER_DIR LABEL [POSTGRES_OPTIONS]: CONNECTIONS backends'
# "total entered" pairs, one line each, into $out/LABEL.figures
profile()
{
	local dir="$1" label="$2" options="${3:-}" data="$1/data" port conninfo pid file i
	port="$(sed -n 's/^export PGPORT=//p' "$dir/env")"
	conninfo="$(bench_conninfo "$port" client_longdn)"
	if [ -f "$data/postmaster.pid" ]; then
		pg_ctl -D "$data" -m fast -w -t 60 stop >/dev/null || return 1
	fi
	pg_ctl -D "$data" -p "$wrapper" ${options:+-o "$options"} -l "$dir/server-callgrind.log" -w -t 300 start >/dev/null || return 1
	# not counted: the first connection after a start rebuilds the relcache
	# init file, which later connections only read
	psql -X -At -d "$conninfo" -c 'SELECT 1' >/dev/null || return 1
	: >"$out/$label.figures"
	for ((i = 1; i <= CONNECTIONS; i++)); do
		pid="$(psql -X -At -d "$conninfo" -c 'SELECT pg_backend_pid()')" || break
		file="$out/callgrind.out.$pid"
		# the profile is written when the backend exits
		for _ in $(seq 1 120); do
			grep -qs '^totals:' "$file" && break
			sleep 0.5
		done
		perl bench/callgrind-entries.pl "$file" 'sslinfo_ext\.so$' \
			ClientAuthentication secure_open_server >"$out/$label.$i.entries" || break
		awk '$1 == "total" { t = $2 } $1 == "entered" { e = $2 } END { print t, e }' \
			"$out/$label.$i.entries" >>"$out/$label.figures"
	done
	pg_ctl -D "$data" -m fast -w -t 300 stop >/dev/null
	[ "$(wc -l <"$out/$label.figures")" -eq "$CONNECTIONS" ]
}

bench_say "callgrind: $CONNECTIONS connections per cluster under valgrind ($(bench_load))"
WINDOW_OPTIONS="-c sslinfo_ext.cert_expiry_warning_days=36500"
if ! profile "$1" preload || ! profile "$2" plain || ! profile "$1" window "$WINDOW_OPTIONS"; then
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
# where the entered instructions went, in the connection with the median
# figure; code without a symbol is the library's ELF destructor glue
median_file="$out/preload.1.entries"
for ((i = 1; i <= CONNECTIONS; i++)); do
	if awk -v m="$emed" '$1 == "entered" && $2 == m { found = 1 } END { exit !found }' "$out/preload.$i.entries"; then
		median_file="$out/preload.$i.entries"
	fi
done
entries="$(awk '$1 == "entry" {
	name = ($2 ~ /^0x/) ? "ELF fini" : $2
	printf "%s%s %s Ir", (n++ ? ", " : ""), name, $3
}' "$median_file")"

bench_row 5a "instructions in sslinfo_ext per TLS connection (preloaded; ${entries:-no entries})" \
	"$(fmt '%.0f Ir' "$emed")" \
	"$(fmt '%.0f Ir whole backend (fork → exit)' "$tmed")" \
	"$(fmt '%.3f%%' "$(awk -v s="$smed" 'BEGIN { print 100 * s }')")" \
	"$(fmt '%.3f–%.3f%%' "$(awk -v s="$smin" 'BEGIN { print 100 * s }')" "$(awk -v s="$smax" 'BEGIN { print 100 * s }')")" \
	"< 2%" "$(check "$smed < 0.02")" \
	"$VALGRIND_COMMAND; psql \"\$LONGDN_PRELOAD\" -c 'SELECT pg_backend_pid()'"
added="$(awk -v a="$tmed" -v b="$pmed" 'BEGIN { print 100 * (a / b - 1) }')"
bench_row 5b "whole backend instructions per TLS connection, library preloaded vs not (medians of $CONNECTIONS connections each)" \
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
