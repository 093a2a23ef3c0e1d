#!/usr/bin/env bash
#
# cluster.sh: a throwaway PostgreSQL cluster with TLS for the sslinfo_ext
# tests and demo.
#
#   test/cluster.sh run   [options] -- COMMAND [ARG...]
#       start a cluster, run COMMAND with PGHOST/PGPORT pointing at it, stop
#       the cluster (also when COMMAND fails or we are interrupted) and exit
#       with COMMAND's status
#   test/cluster.sh start [options]
#       start a cluster and leave it running (for poking at by hand); prints
#       the PGHOST/PGPORT to use and writes them to DIR/env
#   test/cluster.sh stop  [--dir DIR] [--remove]
#
# options:
#   --bindir DIR     PostgreSQL programs (default: pg_config's bindir)
#   --certdir DIR    certificates from test/certs/make-certs.sh
#                    (default: build/certs of this source tree)
#   --dir DIR        cluster directory: DIR/data, DIR/server.log
#                    (default: build/cluster of this source tree)
#   --conf LINE      extra postgresql.conf line (repeatable)
#   --conf-file FILE extra postgresql.conf lines
#   --remove         remove DIR entirely after stopping (default: remove
#                    only DIR/data and keep server.log)
#
# The cluster: initdb -E UTF8 --locale=C, listening on a free port of
# 127.0.0.1 (reserved in the port lock directory PostgreSQL::Test::Cluster
# uses, so TAP nodes and these clusters never pick the same port) and on a
# Unix socket in a fresh short directory under /tmp; TLS settings from
# test/tls-cluster/tls.conf, pg_hba.conf from test/tls-cluster/pg_hba.conf.
# The role sslinfo_nocert named there is not created: the regress suite
# creates (and drops) it.
#
# COMMAND gets PGHOST (the socket directory), PGPORT, PGUSER (the cluster's
# superuser) and PGSSLCERT/PGSSLKEY naming files that never exist, so a TLS
# connection has no client certificate unless its conninfo names one.
#
# Run as root, the server runs as the OS user "postgres" (initdb refuses
# root), which then owns DIR and the socket directory; COMMAND still runs as
# root.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(dirname "$here")"
template="$here/tls-cluster"

mode="${1:-}"
[ $# -gt 0 ] && shift

bindir=""
certdir="$top/build/certs"
cdir="$top/build/cluster"
conf_lines=()
conf_files=()
remove_all=0

while [ $# -gt 0 ]; do
	case "$1" in
		--bindir) bindir="$2"; shift 2 ;;
		--certdir) certdir="$2"; shift 2 ;;
		--dir) cdir="$2"; shift 2 ;;
		--conf) conf_lines+=("$2"); shift 2 ;;
		--conf-file) conf_files+=("$2"); shift 2 ;;
		--remove) remove_all=1; shift ;;
		--) shift; break ;;
		*) echo "cluster.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

case "$mode" in
	run) [ $# -gt 0 ] || { echo "cluster.sh run: COMMAND missing after --" >&2; exit 2; } ;;
	start | stop) ;;
	*)
		echo "usage: $0 run|start|stop [options] [-- COMMAND...]  (see the header of this file)" >&2
		exit 2
		;;
esac

cdir="$(readlink -m "$cdir")"
certdir="$(readlink -m "$certdir")"
data="$cdir/data"
log="$cdir/server.log"

if [ -z "$bindir" ]; then
	bindir="$("${PG_CONFIG:-pg_config}" --bindir)"
fi
bindir="$(readlink -m "$bindir")"

# Server-side commands run as $server_user.
if [ "$(id -u)" -eq 0 ]; then
	server_user=postgres
	as_server() { runuser -u postgres -- "$@"; }
	own_by_server() { chown postgres: "$@"; }
else
	server_user="$(id -un)"
	as_server() { "$@"; }
	own_by_server() { :; }
fi

port_dir="${PG_TEST_PORT_DIR:-/tmp/sslinfo_ext-portlock}"

# Reserve a free TCP port of 127.0.0.1 for process $1, the same way
# PostgreSQL::Test::Cluster does (same range, same lock files), and print it.
reserve_port()
{
	perl -MFcntl=:DEFAULT,:flock,:seek -MSocket - "$port_dir" "$1" <<-'PERL'
		use strict;
		use warnings;
		my ($dir, $owner) = @ARGV;
		my ($low, $high) = (10200, 32767);
		my $port = $low + int(rand($high - $low));
		for (1 .. ($high - $low))
		{
			$port = $low if ++$port > $high;
			socket(my $s, PF_INET, SOCK_STREAM, getprotobyname('tcp')) or die "socket: $!";
			setsockopt($s, SOL_SOCKET, SO_REUSEADDR, pack('l', 1));
			my $free = bind($s, sockaddr_in($port, inet_aton('127.0.0.1'))) && listen($s, 1);
			close $s;
			next unless $free;
			# world-writable, so another OS user's run can take it over later
			my $old_umask = umask(0);
			my $opened = sysopen(my $fh, "$dir/$port.rsv", O_RDWR | O_CREAT, 0666);
			umask($old_umask);
			next unless $opened;
			flock($fh, LOCK_EX) or die "flock: $!";
			my $pid = <$fh> // '0';
			chomp $pid;
			if ($pid + 0 > 0 && kill(0, $pid + 0))
			{
				close $fh;
				next;
			}
			seek($fh, 0, SEEK_SET);
			truncate($fh, 0);
			print $fh sprintf("%10d\n", $owner);
			close $fh;
			print "$port\n";
			exit 0;
		}
		die "no free port between $low and $high\n";
	PERL
}

# Hand the reservation of $1 to process $2 (the postmaster, for "start").
hand_over_port()
{
	printf '%10d\n' "$2" >"$port_dir/$1.rsv"
}

release_port()
{
	local port="$1" owner="$2" f="$port_dir/$1.rsv"
	if [ -f "$f" ] && [ "$(tr -d ' \n' <"$f")" = "$owner" ]; then
		rm -f "$f"
	fi
}

# Stop whatever runs in $data; also used for leftovers of a killed run.
stop_server()
{
	if [ -f "$data/postmaster.pid" ]; then
		as_server "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			as_server "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
}

# Remove the cluster after stop_server.
remove_cluster()
{
	local sockdir=""
	[ -f "$cdir/env" ] && sockdir="$(sed -n 's/^export PGHOST=//p' "$cdir/env")"
	case "$sockdir" in
		/tmp/sslx.*) rm -rf "$sockdir" ;;
	esac
	if [ "$remove_all" = 1 ]; then
		rm -rf "$cdir"
	else
		rm -rf "$data" "$cdir/env"
	fi
}

if [ "$mode" = stop ]; then
	if [ -f "$cdir/env" ]; then
		port="$(sed -n 's/^export PGPORT=//p' "$cdir/env")"
		pid="$(head -n 1 "$data/postmaster.pid" 2>/dev/null || echo 0)"
		stop_server
		release_port "$port" "$pid"
	else
		stop_server
	fi
	remove_cluster
	exit 0
fi

# ---- start ----------------------------------------------------------------

# The files tls.conf names as '@DATADIR@/FILE', copied from the certdir.
tls_files()
{
	grep -o "'@DATADIR@/[^']*'" "$template/tls.conf" | sed "s|'@DATADIR@/||; s|'\$||"
}

for f in $(tls_files); do
	if [ ! -r "$certdir/$f" ]; then
		echo "cluster.sh: $certdir/$f missing: run test/certs/make-certs.sh $certdir first" >&2
		exit 1
	fi
done
if [ ! -x "$bindir/initdb" ]; then
	echo "cluster.sh: no initdb in $bindir" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$bindir/initdb"; then
	echo "cluster.sh: the postgres OS user cannot run $bindir/initdb (is the tree under /root?); use 'make test'" >&2
	exit 1
fi

# Leftovers of an interrupted run of this very cluster directory.
stop_server
remove_cluster 2>/dev/null || true

if [ ! -d "$port_dir" ]; then
	mkdir -p "$port_dir"
	chmod 1777 "$port_dir" 2>/dev/null || true  # a concurrent run may own it
fi
port=""
sockdir=""
cleanup()
{
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "${child:-}" ]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	stop_server
	[ -n "$port" ] && release_port "$port" "$$"
	[ -n "$sockdir" ] && rm -rf "$sockdir"
	if [ "$mode" = run ] || [ "$rc" -ne 0 ]; then
		remove_cluster
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$cdir"
sockdir="$(mktemp -d /tmp/sslx.XXXXXX)"
own_by_server "$cdir" "$sockdir"

as_server "$bindir/initdb" -D "$data" -A trust -N -E UTF8 --locale=C >"$cdir/initdb.log" 2>&1 ||
	{ cat "$cdir/initdb.log" >&2; exit 1; }

# TLS files into the data directory, owned by the server user.
for f in $(tls_files); do
	install -m 0644 "$certdir/$f" "$data/$f"
	case "$f" in *.key) chmod 0600 "$data/$f" ;; esac
	own_by_server "$data/$f"
done
install -m 0600 "$template/pg_hba.conf" "$data/pg_hba.conf"
own_by_server "$data/pg_hba.conf"

# Try a few ports: a process outside the port lock protocol may grab ours.
for attempt in 1 2 3 4 5; do
	port="$(reserve_port $$)"
	{
		echo
		echo "# ---- throwaway TLS cluster (test/cluster.sh) ----"
		echo "port = $port"
		echo "unix_socket_directories = '$sockdir'"
		echo "fsync = off"
		echo "log_connections = on"
		echo "log_line_prefix = '%m [%p] %q%u@%d '"
		sed "s|@DATADIR@|$data|g" "$template/tls.conf"
		for f in "${conf_files[@]+"${conf_files[@]}"}"; do cat "$f"; done
		for l in "${conf_lines[@]+"${conf_lines[@]}"}"; do echo "$l"; done
	} >"$cdir/cluster.conf"
	own_by_server "$cdir/cluster.conf"
	echo "include '$cdir/cluster.conf'" >>"$data/postgresql.conf"

	if as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 2>&1; then
		break
	fi
	if grep -q "could not bind\|could not create any TCP/IP sockets" "$log" 2>/dev/null && [ "$attempt" -lt 5 ]; then
		release_port "$port" "$$"
		sed -i '$d' "$data/postgresql.conf"
		continue
	fi
	echo "cluster.sh: the server did not start; tail of $log:" >&2
	tail -n 30 "$log" >&2 || true
	exit 1
done

cat >"$cdir/env" <<EOF
export PGHOST=$sockdir
export PGPORT=$port
export PGUSER=$server_user
EOF

if [ "$mode" = start ]; then
	hand_over_port "$port" "$(head -n 1 "$data/postmaster.pid")"
	trap - EXIT INT TERM HUP
	echo "cluster running (log: $log); to use it:"
	cat "$cdir/env"
	echo "stop it with: $0 stop --dir $cdir"
	exit 0
fi

# ---- run ------------------------------------------------------------------

export PGHOST="$sockdir" PGPORT="$port" PGUSER="$server_user"
export PGSSLCERT="$certdir/none.crt" PGSSLKEY="$certdir/none.key"

# COMMAND runs in the background so a signal to us can stop it; give it our
# stdin explicitly (a background job would get /dev/null).
exec {stdin_copy}<&0
"$@" <&"$stdin_copy" &
child=$!
set +e
wait "$child"
rc=$?
set -e
child=""
exit "$rc"
