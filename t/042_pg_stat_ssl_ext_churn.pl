# pg_stat_ssl_ext under churn: hundreds of short TLS sessions from parallel
# clients with five different certificates while another client reads the
# view in a loop.  Every row read must be internally consistent (its
# fingerprint belongs to its DN, serial, key and SANs), no read may fail,
# and once the sessions are gone no row and no slot of theirs remains.  The
# sessions of client_hugedn (a 4 kB DN, whole with max_dn_bytes = 8192)
# take and give back chunks of the shared text pool all the while, so rows
# read from pool chunks being freed and reused are checked too.
use strict;
use warnings;

use Encode qw(encode);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my @churn_certs = qw(client_plain client_ec client_san client_longdn client_hugedn);
my $clients_per_cert = 2;
my $sessions_per_client = 50;    # 5 * 2 * 50 = 500 sessions

my $node = new_tls_node(
	'churn',
	preload    => 1,
	extra_conf => "max_connections = 40\nsslinfo_ext.max_dn_bytes = 8192");
$node->start;

# What each certificate says, from the certificate files, and which
# application_name its sessions use; the reader checks every row against it.
my $expected = join(",\n",
	map {
		my $f = cert_facts($_);
		my $san =
		  $_ eq 'client_san'
		  ? q{ARRAY['DNS:carol.example.com','DNS:*.carol.example.net','IP:192.0.2.10','IP:2001:db8::10','email:carol@example.com','URI:https://carol.example.com/id']}
		  : 'NULL';
		"('churn_$_', '$f->{fingerprint}', \$dn\$$f->{dn}\$dn\$, $f->{serial}, '$f->{key_type}', $f->{key_bits}, $san)"
	} @churn_certs);
$node->safe_psql(
	'postgres', encode('UTF-8', qq{
CREATE EXTENSION sslinfo_ext;
CREATE TABLE churn_expected (application_name text, fingerprint text PRIMARY KEY,
                             dn text, serial numeric, key_type text, key_bits int,
                             san text[]);
INSERT INTO churn_expected VALUES $expected;
CREATE TABLE churn_reads (rows int, tls_rows int, fingerprints text[]);
CREATE FUNCTION churn_check() RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE
    bad int;
    n int;
    tls int;
    seen text[];
BEGIN
    SELECT count(*) FILTER (
               WHERE (v.client_fingerprint IS NOT NULL
                      AND (e.fingerprint IS NULL
                           OR v.client_dn IS DISTINCT FROM e.dn
                           OR v.client_serial IS DISTINCT FROM e.serial
                           OR v.client_key_type IS DISTINCT FROM e.key_type
                           OR v.client_key_bits IS DISTINCT FROM e.key_bits
                           OR v.client_san IS DISTINCT FROM e.san
                           OR NOT v.ssl OR v.version IS NULL
                           -- the facts of the session the row is about
                           -- (PostgreSQL publishes a new backend's
                           -- application_name a moment after its pid, so
                           -- an empty one is a session still starting)
                           OR (v.application_name <> ''
                               AND e.application_name <> v.application_name)))
                  -- a row from a slot always has the fingerprint of its certificate
                  OR (v.client_cert_present AND v.client_fingerprint IS NULL)
                  OR v.pid IS NULL),
           count(*),
           count(v.client_fingerprint),
           array_agg(DISTINCT v.client_fingerprint)
      INTO bad, n, tls, seen
      FROM pg_stat_ssl_ext v
      LEFT JOIN churn_expected e ON e.fingerprint = v.client_fingerprint;
    IF bad > 0 THEN
        RAISE EXCEPTION 'pg_stat_ssl_ext: % inconsistent rows', bad;
    END IF;
    INSERT INTO churn_reads VALUES (n, tls, seen);
END
\$\$;
}));

my $basedir = $node->basedir;
PostgreSQL::Test::Utils::append_to_file("$basedir/connect.sql", "SELECT 1;\n");
PostgreSQL::Test::Utils::append_to_file("$basedir/check.sql", "SELECT churn_check();\n");

my $pgbench = $node->installed_command('pgbench');
my %runs;

# the reader: one session, a new transaction (and so a fresh view) per read
$runs{reader}{h} = IPC::Run::start(
	[
		$pgbench, '-n', '-c', '1', '-T', '5', '-f', "$basedir/check.sql",
		'-h', $node->host, '-p', $node->port, 'postgres'
	],
	'>', \$runs{reader}{out}, '2>', \$runs{reader}{err});

# the churn: every transaction a new TLS connection (-C)
foreach my $cert (@churn_certs)
{
	$runs{$cert}{h} = IPC::Run::start(
		[
			$pgbench, '-n', '-C',
			'-c', $clients_per_cert, '-j', $clients_per_cert,
			'-t', $sessions_per_client,
			'-f', "$basedir/connect.sql",
			connstr($node, cert => $cert, extra => "application_name=churn_$cert")
		],
		'>', \$runs{$cert}{out}, '2>', \$runs{$cert}{err});
}

foreach my $name (@churn_certs, 'reader')
{
	my $ok = $runs{$name}{h}->finish;
	ok($ok, "pgbench $name exited cleanly")
	  or diag("pgbench $name:\n$runs{$name}{out}\n$runs{$name}{err}");
}
foreach my $cert (@churn_certs)
{
	my $n = $clients_per_cert * $sessions_per_client;
	like($runs{$cert}{out}, qr/number of transactions actually processed: $n\/$n/,
		"churn with $cert: $n TLS sessions");
}
unlike($runs{reader}{err} . $runs{reader}{out}, qr/aborted|ERROR/,
	'reader: no read failed (every row consistent)');

my ($reads, $tls_rows, $certs_seen) = split /\|/, $node->safe_psql(
	'postgres', q{
SELECT count(*), sum(tls_rows),
       (SELECT count(DISTINCT f) FROM churn_reads, unnest(fingerprints) f)
FROM churn_reads});
cmp_ok($reads, '>', 20, "reader: $reads reads of the view");
cmp_ok($tls_rows, '>', 20, "reader: $tls_rows rows of churning TLS sessions checked");
is($certs_seen, scalar(@churn_certs), 'reader: saw sessions of every certificate');

# no stale rows or slots once PostgreSQL says the sessions are gone
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'client backend'")
  or die "churn sessions did not end";
is( $node->safe_psql(
		'postgres',
		'SELECT (SELECT count(*) FROM pg_stat_ssl_ext), slots_in_use FROM pg_stat_ssl_ext_memory()'),
	'1|1', 'after the churn: only the reader\'s row and slot');
is( $node->safe_psql(
		'postgres',
		'SELECT text_pool_free_bytes = text_pool_bytes, text_pool_full FROM pg_stat_ssl_ext_memory()'),
	't|0', 'after the churn: every pool chunk given back, no session was short of room');

$node->stop;
done_testing();
