#!/usr/bin/env bash
#
# demo.sh (make demo): install what is missing, build, install into the
# private tree build/install, generate certificates, start a throwaway TLS
# cluster, connect with sslmode=verify-full and the client_san certificate,
# CREATE EXTENSION sslinfo_ext and show what it sees; then stop and remove
# the cluster (build/certs stays).  As root, the cluster and the client run
# as the OS user postgres.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source test/lib.sh

DEMO_CERT=client_san

# The part that runs inside the cluster (test/cluster.sh sets PGPORT).
if [ "${1:-}" = --query ]; then
	conninfo="host=localhost hostaddr=127.0.0.1 port=$PGPORT dbname=postgres sslmode=verify-full sslrootcert=build/certs/ca.crt sslcert=build/certs/$DEMO_CERT.crt sslkey=build/certs/$DEMO_CERT.key"
	echo
	say "connecting: psql \"$conninfo\""
	echo
	psql -X -v ON_ERROR_STOP=1 -P expanded=on -d "$conninfo" <<-'SQL'
		CREATE EXTENSION sslinfo_ext;
		SELECT ssl_version()            AS "TLS version",
		       ssl_cipher()             AS "cipher",
		       ssl_cipher_bits()        AS "cipher bits",
		       ssl_client_dn()          AS "client DN",
		       ssl_issuer_dn()          AS "issuer DN",
		       ssl_client_serial()      AS "serial",
		       ssl_client_not_before()  AS "valid from",
		       ssl_client_not_after()   AS "valid until",
		       ssl_client_fingerprint() AS "SHA-256 fingerprint",
		       array_to_string(ssl_client_san(), E'\n') AS "subjectAltName";
	SQL
	exit
fi

# Run as the cluster's user, from the tree it can read.
if [ "${1:-}" = --in-cluster ]; then
	bash test/cluster.sh run --bindir "$PRIV_BINDIR" --certdir "$CERTDIR" \
		--dir "$BUILD/demo-cluster" --remove -- bash test/demo.sh --query
	exit
fi

run_in_root_unless_native test/demo.sh
ensure_packages
build_extension
private_install
make_certs

say "starting a throwaway TLS cluster"
if is_root; then
	tree="$(tree_for_server_user)"
	rc=0
	(cd "$tree" && as_test_user bash test/demo.sh --in-cluster) || rc=$?
	[ "$tree" != "$TOP" ] && rm -rf "$tree"
	exit "$rc"
fi
as_test_user bash test/demo.sh --in-cluster
