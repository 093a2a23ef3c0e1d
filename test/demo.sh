#!/usr/bin/env bash
#
# demo.sh (make demo): install what is missing, build quietly (warnings and
# errors still shown), install into the private tree build/install,
# generate certificates, then on a throwaway TLS cluster with sslinfo_ext
# preloaded show the whole job, each part under a one-line heading:
#
#   1. four sessions side by side in pg_stat_ssl_ext: TLS 1.3 with a client
#      certificate, TLS 1.2 with a DHE suite, TCP without TLS, and a client
#      certificate with a long DN
#   2. the cipher policy refusing a bad ALTER SYSTEM SET ssl_ciphers
#   3. the server's certificates with the days they have left
#   4. the findings of the TLS configuration audit
#
# then stop and remove the cluster (build/certs stays).  As root, the
# cluster and the clients run as the OS user postgres.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib.sh

# The part that runs inside the cluster (test/cluster.sh sets PGHOST, PGPORT).
if [ "${1:-}" = --query ]; then
	tls="host=localhost hostaddr=127.0.0.1 port=$PGPORT dbname=postgres sslmode=verify-full sslrootcert=build/certs/ca.crt"
	cert() { echo "sslcert=build/certs/$1.crt sslkey=build/certs/$1.key"; }
	sql() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

	sql -c 'CREATE EXTENSION sslinfo_ext'

	# Sessions that stay until the end of part 1, each named after what it is.
	declare -A session=(
		[tls13]="$tls $(cert client_san)"
		[tls12_dhe]="$tls $(cert client_plain) ssl_max_protocol_version=TLSv1.2"
		[no_tls]="host=127.0.0.1 port=$PGPORT dbname=postgres sslmode=disable"
		[long_dn]="$tls $(cert client_longdn)")
	pids=()
	for name in "${!session[@]}"; do
		psql -X -q -d "${session[$name]} application_name=$name" -c 'SELECT pg_sleep(120)' \
			>/dev/null 2>&1 &
		pids+=($!)
	done
	for _ in $(seq 100); do
		[ "$(psql -XAtq -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('tls13', 'tls12_dhe', 'no_tls', 'long_dn')")" = 4 ] && break
		sleep 0.1
	done

	echo
	say "1. pg_stat_ssl_ext: four sessions side by side (TLS 1.3, TLS 1.2 with a DHE suite, no TLS, a long DN)"
	sql <<-'SQL'
		SELECT application_name AS session, ssl, version, cipher, bits, tls_group,
		       client_serial AS serial, client_not_after::date AS cert_expires
		FROM pg_stat_ssl_ext WHERE application_name IN ('tls13', 'tls12_dhe', 'no_tls', 'long_dn')
		ORDER BY version DESC NULLS LAST, application_name;
		SELECT application_name AS session, length(client_dn) AS dn_bytes, client_dn
		FROM pg_stat_ssl_ext WHERE client_dn IS NOT NULL AND application_name IN ('tls13', 'tls12_dhe', 'long_dn')
		ORDER BY application_name;
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name IN ('tls13', 'tls12_dhe', 'no_tls', 'long_dn') \g /dev/null
	SQL
	wait "${pids[@]}" 2>/dev/null || true

	echo
	say "2. the cipher policy refuses a bad ALTER SYSTEM SET ssl_ciphers"
	echo "ALTER SYSTEM SET ssl_ciphers = 'HIGH:!aNULL';"
	psql -X -q -d postgres -c "ALTER SYSTEM SET ssl_ciphers = 'HIGH:!aNULL'" 2>&1 || true

	echo
	say "3. the server's certificates and the days they have left"
	sql -c 'SELECT role, subject, not_after, days_left, key_type, key_bits FROM ssl_server_certificates()'

	echo
	say "4. the TLS configuration audit: its findings (checks not ok)"
	sql <<-'SQL'
		SELECT count(*) FILTER (WHERE status = 'ok') AS ok,
		       count(*) FILTER (WHERE status = 'warning') AS warnings,
		       count(*) FILTER (WHERE status = 'error') AS errors
		FROM ssl_config_audit();
		SELECT check_name, status, detail FROM ssl_config_audit()
		WHERE status <> 'ok' ORDER BY status = 'error' DESC, check_name;
	SQL

	echo
	say "5. who was turned away: an expired client certificate, a client that rejects the server's certificate"
	psql -X -q -d "$tls $(cert client_expired) application_name=expired" -c 'SELECT 1' 2>&1 | sed 's/^/client: /' || true
	psql -X -q -d "$tls $(cert client_plain) sslrootcert=build/certs/foreign_ca.crt" -c 'SELECT 1' 2>&1 | sed 's/^/client: /' || true
	for _ in $(seq 100); do
		[ "$(psql -XAtq -d postgres -c 'SELECT count(*) FROM pg_stat_ssl_ext_refusals')" = 2 ] && break
		sleep 0.1
	done
	sql <<-'SQL'
		SELECT client_addr, reason, count, client_profile, detail FROM pg_stat_ssl_ext_refusals ORDER BY reason;
		SELECT reason, refusals FROM pg_stat_ssl_ext_refusal_totals WHERE refusals > 0;
		SELECT client_profile, max_version, cardinality(offered_ciphers) AS suites,
		       offered_groups, connections, refusals
		FROM pg_stat_ssl_ext_clients ORDER BY last_seen;
	SQL

	echo
	say "6. a dry run: the seed's rule (four DHE suites, TLS 1.2 only) against the clients seen above"
	sql <<-'SQL'
		SELECT client_profile, would_connect, version, cipher, reason
		FROM ssl_policy_dry_run(
		    ssl_ciphers => 'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM',
		    ssl_max_protocol_version => 'TLSv1.2')
		ORDER BY would_connect, client_profile;
		SELECT * FROM ssl_policy_dry_run_summary(ssl_min_protocol_version => 'TLSv1.3');
	SQL
	exit
fi

# Run as the cluster's user, from the tree it can read.
if [ "${1:-}" = --in-cluster ]; then
	bash test/cluster.sh run --bindir "$PRIV_BINDIR" --certdir "$CERTDIR" \
		--dir "$BUILD/demo-cluster" --remove \
		--conf "shared_preload_libraries = 'sslinfo_ext'" -- bash test/demo.sh --query
	exit
fi

run_in_root_unless_native test/demo.sh
start=$SECONDS
ensure_packages
say "building and installing into build/install (compiler messages only if there are any)"
build_extension >/dev/null
private_install >/dev/null
make_certs >/dev/null

say "a throwaway TLS cluster with shared_preload_libraries = 'sslinfo_ext'"
rc=0
if is_root; then
	tree="$(tree_for_server_user)"
	(cd "$tree" && as_test_user bash test/demo.sh --in-cluster) || rc=$?
	[ "$tree" != "$TOP" ] && rm -rf "$tree"
else
	as_test_user bash test/demo.sh --in-cluster || rc=$?
fi
echo
say "done in $((SECONDS - start)) s"
exit "$rc"
