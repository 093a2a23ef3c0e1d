# pg_stat_ssl_ext on a primary streaming to a physical standby over TLS
# (verify-full, client certificate): the walsender has a row with the TLS
# facts of the standby's connection.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my $primary = new_tls_node('primary', preload => 1, allows_streaming => 1);
# replication connections match only "replication" lines
$primary->append_conf('pg_hba.conf',
	'hostssl replication all 127.0.0.1/32 trust clientcert=verify-ca');
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
$primary->backup('base');

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
(my $conninfo = connstr($primary,
		cert  => 'client_ec',
		extra => 'application_name=tls_standby')) =~ s/'/''/g;
$standby->append_conf('postgresql.conf', "primary_conninfo = '$conninfo'");
$standby->start;

$primary->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'tls_standby' AND state = 'streaming'"
) or die "the standby did not start streaming";

my @rows = view_rows($primary, where => "backend_type = 'walsender'");
is(scalar(@rows), 1, 'one walsender row');
my $row   = $rows[0];
my $facts = cert_facts('client_ec');
is($row->{application_name}, 'tls_standby', 'walsender: application_name of the standby');
ok($row->{ssl}, 'walsender: ssl');
like($row->{version}, qr/^TLSv1\.[23]$/, 'walsender: version');
is($row->{client_dn},          $facts->{dn},          'walsender: client_dn');
is($row->{client_serial},      $facts->{serial},      'walsender: client_serial');
is($row->{client_fingerprint}, $facts->{fingerprint}, 'walsender: client_fingerprint');
is($row->{client_key_type},    'EC',                  'walsender: client_key_type');
is($row->{client_key_bits},    $facts->{key_bits},    'walsender: client_key_bits');
is($row->{sni},                'localhost',           'walsender: sni');
is($row->{client_addr},        '127.0.0.1',           'walsender: client_addr');
is($row->{datname},            undef,                 'walsender: physical replication has no database');
is( $primary->safe_psql(
		'postgres',
		"SELECT pid FROM pg_stat_replication WHERE application_name = 'tls_standby'"),
	$row->{pid},
	'walsender: the pid pg_stat_replication shows');
is( $primary->safe_psql(
		'postgres', "SELECT ssl FROM pg_stat_ssl WHERE pid = $row->{pid}"),
	't', 'walsender: pg_stat_ssl lists it too');

# the standby's own view lists no walreceiver (it has no client connection)
$standby->safe_psql('postgres', 'SELECT 1');    # readable in hot standby
is( $standby->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_ssl_ext WHERE backend_type <> 'client backend'"),
	'0', 'standby: no row for the walreceiver');

$standby->stop;
$primary->stop;
done_testing();
