#!/usr/bin/env bash
#
# upgrade-test.sh [OLD NEW] (make upgrade-test; default 18 19): the major
# upgrade an operator of Debian's PostgreSQL makes, with sslinfo_ext
# preloaded, from OLD to NEW, with Debian's own tools, on any Debian system
# where postgresql-OLD and postgresql-NEW are installable (make upgrade-test
# runs it in the sid+experimental root, test/roots.sh):
#
#   1. install postgresql-OLD, postgresql-NEW and what building the package
#      needs; build postgresql-OLD-sslinfo-ext and postgresql-NEW-sslinfo-ext
#      (test/deb-build.sh) and install both
#   2. pg_createcluster OLD main; with pg_conftool: TLS with the generated
#      certificates (server certificate, root CA, CRL, in a directory of
#      their own that outlives either cluster), shared_preload_libraries,
#      sslinfo_ext.cipher_policy = on with a conforming ssl_ciphers,
#      sslinfo_ext.require_ssl = on; pg_hba.conf: "cert" (the client
#      certificate's CN is the role) for TLS, "trust" for TCP without TLS
#      (which require_ssl must refuse); the extension in two databases (one
#      in public, one in a schema of its own)
#   3. before, on OLD: a session with the long-DN client certificate whole in
#      pg_stat_ssl_ext, the policy refusing ALTER SYSTEM SET ssl_ciphers,
#      require_ssl refusing a TCP connection without TLS, the expiry alarm for
#      an expiring client certificate in the log, ssl_config_audit() and
#      ssl_server_certificates() recorded
#   4. pg_upgradecluster -m upgrade OLD main (pg_upgrade, copy mode)
#   5. after, on NEW: the same members and version of the extension in both
#      databases (and those of a fresh CREATE EXTENSION), the settings
#      carried over, and every check of step 3 again, audit and server
#      certificates equal to OLD's
#
# Runs as root.  On any exit it stops and drops both clusters, removes the
# certificate directory and purges the two sslinfo-ext packages and the
# packages it installed itself; no postmaster is left running.  Refuses to
# start when a cluster OLD/main or NEW/main exists or a sslinfo-ext package
# is installed.  The last line is "upgrade-test OLD→NEW: N passed, N failed".

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
top="$(pwd)"

old="${1:-18}"
new="${2:-19}"
if ! [[ "$old" =~ ^[0-9]+$ && "$new" =~ ^[0-9]+$ ]] || [ "$old" -ge "$new" ]; then
	echo "usage: $0 [OLD NEW]   (e.g. $0 18 19)" >&2
	exit 2
fi
PG_MAJOR="$new"
source test/lib.sh
source test/checks.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "upgrade-test.sh installs packages and creates clusters: run it as root" >&2
	exit 2
fi

pkgs=("postgresql-$old-sslinfo-ext" "postgresql-$new-sslinfo-ext")
cluster=main
passed=0
failed=0
started=$SECONDS
installed_debs=0
tlsdir=""
port=""
bg_pid=""
upgrade_scripts=""
declare -a we_installed=()

# check_eq WHAT EXPECTED ACTUAL
check_eq()
{
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		echo "     expected: $2"
		echo "     got:      $3"
	fi
}

cluster_exists() { [ -d "/etc/postgresql/$1/$cluster" ]; }

finish()
{
	local v
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
	for v in "$new" "$old"; do
		if cluster_exists "$v"; then
			say "dropping cluster $v/$cluster (cleanup)"
			pg_dropcluster --stop "$v" "$cluster" </dev/null >/dev/null 2>&1 || true
		fi
	done
	if [ "$installed_debs" = 1 ]; then
		say "purging ${pkgs[*]} (cleanup)"
		apt-get purge -y "${pkgs[@]}" </dev/null >/dev/null 2>&1 || true
	fi
	if [ ${#we_installed[@]} -gt 0 ]; then
		say "purging what this test installed: ${we_installed[*]}"
		apt-get purge -y "${we_installed[@]}" </dev/null >/dev/null 2>&1 || true
	fi
	[ -n "$tlsdir" ] && rm -rf "$tlsdir"
	[ -n "$upgrade_scripts" ] && rm -rf "$upgrade_scripts"
	[ -n "$port" ] && rm -f "/tmp/sslinfo_ext-portlock/$port.rsv"
	say "time: $((SECONDS - started)) s"
	echo "upgrade-test $old→$new: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT
trap 'fail interrupted; exit 130' INT TERM HUP

for p in "${pkgs[@]}"; do
	if [ "$(status_of "$p")" = "install ok installed" ]; then
		fail "$p is already installed: purge it first (this test installs its own build)"
		exit 1
	fi
done
for v in "$old" "$new"; do
	if cluster_exists "$v"; then
		fail "a cluster $v/$cluster exists already: this test creates and drops its own"
		exit 1
	fi
done

# ---- 1. packages ------------------------------------------------------------------

need=("postgresql-$old" "postgresql-$new" "postgresql-server-dev-$old" "postgresql-server-dev-$new"
	postgresql-server-dev-all build-essential debhelper dpkg-dev lintian libssl-dev libkrb5-dev
	make gcc openssl perl)
mapfile -t we_installed < <(missing_packages "${need[@]}")
if ! (ensure_packages "${need[@]}"); then
	fail "apt-get install ${need[*]}"
	exit 1
fi
pass "postgresql-$old $(dpkg-query -W -f='${Version}' "postgresql-$old") and postgresql-$new $(dpkg-query -W -f='${Version}' "postgresql-$new") installed"

say "building ${pkgs[*]} (test/deb-build.sh)"
t0=$SECONDS
if PG_SUPPORTED_VERSIONS="$old $new" bash test/deb-build.sh >/tmp/upgrade-test-deb-build.$$ 2>&1; then
	pass "make deb for $old and $new ($((SECONDS - t0)) s)"
else
	tail -n 30 /tmp/upgrade-test-deb-build.$$
	fail "make deb for $old and $new"
	rm -f /tmp/upgrade-test-deb-build.$$
	exit 1
fi
rm -f /tmp/upgrade-test-deb-build.$$
debs=()
for p in "${pkgs[@]}"; do
	debs+=("$(find "$top/build/deb" -maxdepth 1 -name "${p}_*.deb" | head -n 1)")
done
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y "${debs[@]}" </dev/null >/dev/null; then
	installed_debs=1
	pass "apt-get install ${pkgs[*]}"
else
	fail "apt-get install ${pkgs[*]}"
	exit 1
fi

# ---- 2. the cluster of OLD ----------------------------------------------------------

make_certs >/dev/null
tlsdir="$(mktemp -d /etc/ssl/sslinfo_ext-upgrade-test.XXXXXX)"
for f in server.crt server.key ca.crt root.crl client_longdn.crt client_longdn.key \
	client_expiring.crt client_expiring.key; do
	cp "$CERTDIR/$f" "$tlsdir/$f"
done
chown -R postgres: "$tlsdir"
chmod 0755 "$tlsdir"
chmod 0600 "$tlsdir"/*.key

# The DN and the CN (the role name for "cert") of a certificate, as openssl reads them.
dn_of() { openssl x509 -in "$tlsdir/$1.crt" -noout -subject -nameopt compat | sed 's/^subject=//'; }
cn_of() { dn_of "$1" | sed 's|.*/CN=||'; }
longdn="$(dn_of client_longdn)"
longdn_role="$(cn_of client_longdn)"
expiring_dn="$(dn_of client_expiring)"
expiring_role="$(cn_of client_expiring)"
check "the long-DN certificate's DN is longer than 63 bytes (${#longdn})" test "${#longdn}" -gt 63

# a free port of 127.0.0.1, reserved like test/cluster.sh's for this run
port="$(perl -MSocket -e '
	for (1 .. 1000) {
		my $p = 10200 + int(rand(22500));
		next if -e "/tmp/sslinfo_ext-portlock/$p.rsv";
		socket(my $s, PF_INET, SOCK_STREAM, 0) or die;
		setsockopt($s, SOL_SOCKET, SO_REUSEADDR, pack("l", 1));
		if (bind($s, sockaddr_in($p, inet_aton("127.0.0.1")))) { print "$p\n"; exit 0 }
	}
	exit 1')" || { fail "no free port"; exit 1; }
mkdir -p /tmp/sslinfo_ext-portlock
printf '%10d\n' $$ >"/tmp/sslinfo_ext-portlock/$port.rsv"

say "pg_createcluster $old $cluster (port $port)"
if pg_createcluster --port "$port" "$old" "$cluster" </dev/null >/dev/null; then
	pass "pg_createcluster $old $cluster"
else
	fail "pg_createcluster $old $cluster"
	exit 1
fi
ciphers='DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-GCM-SHA256'
# (pg_conftool quotes a value unless it is a plain word or looks like a
# number -- 127.0.0.1 does, and would be written unquoted: localhost then)
while read -r name value; do
	pg_conftool "$old" "$cluster" set "$name" "$value" || fail "pg_conftool set $name"
done <<-EOF
	listen_addresses localhost
	ssl on
	ssl_cert_file $tlsdir/server.crt
	ssl_key_file $tlsdir/server.key
	ssl_ca_file $tlsdir/ca.crt
	ssl_crl_file $tlsdir/root.crl
	shared_preload_libraries sslinfo_ext
	sslinfo_ext.cipher_policy on
	ssl_ciphers $ciphers
	sslinfo_ext.require_ssl on
EOF
cat >"/etc/postgresql/$old/$cluster/pg_hba.conf" <<-EOF
	# upgrade-test.sh: the OS user postgres administers over the socket;
	# over TCP, TLS with a client certificate whose CN is the role (cert);
	# TCP without TLS would be let in, but require_ssl refuses it
	local     all all                 peer
	hostssl   all all    127.0.0.1/32 cert
	hostnossl all all    127.0.0.1/32 trust
EOF
if pg_ctlcluster "$old" "$cluster" start </dev/null; then
	pass "pg_ctlcluster $old $cluster start"
else
	fail "pg_ctlcluster $old $cluster start"
	tail -n 20 "/var/log/postgresql/postgresql-$old-$cluster.log"
	exit 1
fi

# psql as postgres over the socket: sql DB SQL
sql() { runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 -p "$port" -d "$1" -c "$2" 2>&1; }
# over TCP: tcp CONNINFO SQL (as postgres, the key files are its own)
tcp() { runuser -u postgres -- psql -XAtq -v ON_ERROR_STOP=1 -d "host=localhost hostaddr=127.0.0.1 port=$port $1" -c "$2" 2>&1; }
tls_conninfo() { echo "sslmode=verify-full sslrootcert=$tlsdir/ca.crt sslcert=$tlsdir/$1.crt sslkey=$tlsdir/$1.key user=$2 dbname=$3"; }

q_role() { echo "\"$1\""; }
sql postgres "CREATE ROLE $(q_role "$longdn_role") LOGIN; CREATE ROLE $(q_role "$expiring_role") LOGIN" >/dev/null
# database => schema of the extension
declare -A schema_of=([app_one]=public [app_two]=tls)
for db in app_one app_two; do
	out="$(sql postgres "CREATE DATABASE $db" && sql "$db" "CREATE SCHEMA IF NOT EXISTS ${schema_of[$db]}; CREATE EXTENSION sslinfo_ext SCHEMA ${schema_of[$db]}")"
	check "CREATE EXTENSION sslinfo_ext in $db (schema ${schema_of[$db]})" test $? -eq 0
done

members_sql="SELECT string_agg(i.type || ' ' || i.identity, ' | ' ORDER BY i.type, i.identity)
FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) i
WHERE e.extname = 'sslinfo_ext' AND d.deptype = 'e'"
extension_sql="SELECT e.extversion || ' ' || n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'sslinfo_ext'"
audit_sql="SELECT string_agg(check_name || '=' || status, ' ' ORDER BY n) FROM (SELECT a.check_name, a.status, row_number() OVER () AS n FROM ssl_config_audit() a) s"
certs_sql="SELECT string_agg(role || ' ' || subject || ' ' || serial || ' ' || not_after, ' | ' ORDER BY role, serial) FROM ssl_server_certificates()"

# What journey records on each major, compared after the upgrade:
# recorded[MAJOR/members/DB], [MAJOR/extension/DB], [MAJOR/audit], [MAJOR/certs]
declare -A recorded=()

# The checks made before and after the upgrade: journey MAJOR
journey()
{
	local major="$1" log="/var/log/postgresql/postgresql-$1-$cluster.log" offset out

	out="$(sql app_one "SELECT current_setting('server_version_num')::int / 10000")"
	check_eq "$major: the cluster runs PostgreSQL $major" "$major" "$out"
	out="$(sql app_one "SELECT current_setting('shared_preload_libraries') || ' ' || current_setting('sslinfo_ext.cipher_policy') || ' ' || current_setting('sslinfo_ext.require_ssl') || ' ' || current_setting('ssl_ciphers')")"
	check_eq "$major: preloaded, cipher_policy, require_ssl, ssl_ciphers" "sslinfo_ext on on $ciphers" "$out"

	# a session with the long DN, held open, seen from another
	runuser -u postgres -- psql -XAtq -d "host=localhost hostaddr=127.0.0.1 port=$port $(tls_conninfo client_longdn "$longdn_role" app_two) application_name=longdn" \
		-c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
	bg_pid=$!
	for _ in $(seq 1 100); do
		out="$(sql app_one "SELECT count(*) FROM pg_stat_ssl_ext WHERE application_name = 'longdn'")"
		[ "$out" = 1 ] && break
		sleep 0.1
	done
	out="$(sql app_one "SELECT client_dn FROM pg_stat_ssl_ext WHERE application_name = 'longdn'")"
	check_eq "$major: pg_stat_ssl_ext shows the long-DN session's DN whole" "$longdn" "$out"
	out="$(sql app_one "SELECT concat_ws(' ', v.ssl, v.usename, v.datname, v.backend_type, v.truncated, length(s.client_dn), left(v.client_dn, length(s.client_dn)) = s.client_dn) FROM pg_stat_ssl_ext v JOIN pg_stat_ssl s USING (pid) WHERE v.application_name = 'longdn'")"
	check_eq "$major: its row (ssl, role, database, type, truncated; pg_stat_ssl's 63-byte prefix)" \
		"t $longdn_role app_two client backend f 63 t" "$out"
	sql app_one "SELECT pg_terminate_backend(pid) FROM pg_stat_ssl_ext WHERE application_name = 'longdn'" >/dev/null
	wait "$bg_pid" 2>/dev/null
	bg_pid=""
	out="$(tcp "$(tls_conninfo client_longdn "$longdn_role" app_one)" "SELECT ssl_client_dn()")"
	check_eq "$major: ssl_client_dn() of the long-DN session" "$longdn" "$out"

	# the policy
	out="$(sql app_one "ALTER SYSTEM SET ssl_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256'")"
	check "$major: ALTER SYSTEM SET ssl_ciphers to a suite outside the allowlist refused" \
		grep -q 'ERROR:  invalid entry 1 in parameter "ssl_ciphers": "ECDHE-RSA-AES128-GCM-SHA256"' <<<"$out"
	check "$major: ... with the policy's detail" grep -q 'but sslinfo_ext.allowed_ciphers does not allow it' <<<"$out"
	check "$major: ... and nothing written to postgresql.auto.conf" \
		sh -c "! grep -q ssl_ciphers '/var/lib/postgresql/$major/$cluster/postgresql.auto.conf'"

	# require_ssl
	out="$(tcp "sslmode=disable user=postgres dbname=app_one" "SELECT 1")"
	check "$major: TCP without TLS refused by require_ssl" grep -q 'FATAL:  SSL connection is required' <<<"$out"
	check "$major: ... naming the setting" grep -q 'sslinfo_ext.require_ssl refuses TCP connections' <<<"$out"

	# the expiry alarm for a client certificate (at most once an hour: each cluster once)
	offset="$(stat -c %s "$log")"
	out="$(tcp "$(tls_conninfo client_expiring "$expiring_role" app_one)" "SELECT ssl_is_used()")"
	check_eq "$major: the expiring client certificate logs in" "t" "$out"
	sleep 0.2
	out="$(tail -c +$((offset + 1)) "$log")"
	check "$major: the expiry alarm for it in the log" grep -qF "WARNING:  client certificate expires in" <<<"$out"
	check "$major: ... naming its subject" grep -qF "The certificate with subject \"$expiring_dn\"" <<<"$out"

	for db in app_one app_two; do
		recorded[$major/members/$db]="$(sql "$db" "$members_sql")"
		recorded[$major/extension/$db]="$(sql "$db" "$extension_sql")"
	done
	recorded[$major/audit]="$(sql app_one "$audit_sql")"
	recorded[$major/certs]="$(sql app_one "$certs_sql")"
	out="$(wc -w <<<"${recorded[$major/audit]}")"
	check "$major: ssl_config_audit() answers ($out checks)" test "$out" -ge 20
	check "$major: ssl_server_certificates() answers: server and ca" \
		grep -qE '^ca .* \| server ' <<<"${recorded[$major/certs]}"
}

say "before: PostgreSQL $old"
journey "$old"

# ---- 4. the upgrade ---------------------------------------------------------------

say "pg_upgradecluster -m upgrade $old $cluster"
t0=$SECONDS
if pg_upgradecluster -m upgrade "$old" "$cluster" </dev/null >/tmp/upgrade-test-upgrade.$$ 2>&1; then
	pass "pg_upgradecluster -m upgrade $old $cluster ($((SECONDS - t0)) s)"
else
	cat /tmp/upgrade-test-upgrade.$$
	fail "pg_upgradecluster -m upgrade $old $cluster"
	rm -f /tmp/upgrade-test-upgrade.$$
	exit 1
fi
sed 's/^/   /' /tmp/upgrade-test-upgrade.$$ | grep -E 'Copying|Upgrade|upgrade|Success|Stopping|Starting|port' | head -n 20
# the directory of pg_upgrade's output scripts it leaves in /var/log/postgresql
upgrade_scripts="$(sed -n 's/^.*pg_upgrade output scripts are in \(\/var\/log\/postgresql\/[^ ]*\)$/\1/p' /tmp/upgrade-test-upgrade.$$)"
rm -f /tmp/upgrade-test-upgrade.$$
out="$(pg_lsclusters -h | awk -v o="$old" -v n="$new" -v c="$cluster" '($1 == o || $1 == n) && $2 == c {print $1, $3, $4}' | sort -n | xargs)"
check "pg_lsclusters: $old down on another port, $new online on $port" \
	grep -qE "^$old [0-9]+ down $new $port online$" <<<"$out"
[ -n "$out" ] && echo "     $out"

# ---- 5. after, on NEW ------------------------------------------------------------

say "after: PostgreSQL $new"
journey "$new"

sql postgres "CREATE DATABASE fresh" >/dev/null
for db in app_one app_two; do
	s="${schema_of[$db]}"
	sql fresh "DROP EXTENSION IF EXISTS sslinfo_ext; CREATE SCHEMA IF NOT EXISTS $s; CREATE EXTENSION sslinfo_ext SCHEMA $s" >/dev/null
	fresh="$(sql fresh "$members_sql")"
	before="${recorded[$old/members/$db]}"
	after="${recorded[$new/members/$db]}"
	check "$db: the extension has members ($(($(tr -cd '|' <<<"$after" | wc -c) + 1)))" test -n "$after"
	check_eq "$db: the same members after the upgrade" "$before" "$after"
	check_eq "$db: the members of a fresh CREATE EXTENSION on $new" "$fresh" "$after"
	before="${recorded[$old/extension/$db]}"
	after="${recorded[$new/extension/$db]}"
	check_eq "$db: the same version and schema ($after)" "$before" "$after"
done
check_eq "ssl_config_audit(): every check with the status it had" "${recorded[$old/audit]}" "${recorded[$new/audit]}"
check_eq "ssl_server_certificates(): the same certificates" "${recorded[$old/certs]}" "${recorded[$new/certs]}"

# ---- cleanup: clusters dropped, packages purged, no postmaster --------------------

for v in "$new" "$old"; do
	check "pg_dropcluster --stop $v $cluster" pg_dropcluster --stop "$v" "$cluster"
done
check "no postmaster of /var/lib/postgresql/$old/$cluster or $new/$cluster left" \
	sh -c "! ps -eo args | grep -E '^/usr/lib/postgresql/($old|$new)/bin/postgres -D /var/lib/postgresql/($old|$new)/$cluster' | grep -q ."
