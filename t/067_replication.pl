# Physical and logical replication over TLS with client certificates, as
# operators run them: a publisher with sslinfo_ext preloaded, a physical
# standby and a logical subscriber that both connect with sslmode=verify-full
# and the long-DN client certificate (a DN far beyond pg_stat_ssl's 63
# bytes), under pg_hba.conf rules with clientcert=verify-full (the
# certificate's CN must be the role's name).  The two walsender rows of
# pg_stat_ssl_ext are checked against the certificate (openssl's facts),
# pg_stat_replication and pg_stat_ssl: physical without datname, logical
# with the publisher database's; rows inserted on the publisher arrive on
# both.
use strict;
use warnings;

use Time::HiRes ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my $facts = cert_facts('client_longdn');
# clientcert=verify-full compares the certificate's CN with the role name
my ($role) = $facts->{dn} =~ m{/CN=([^/]+)$}
  or die "no CN in $facts->{dn}";
cmp_ok(length($facts->{dn}), '>', 63,
	'the long-DN certificate has a DN longer than pg_stat_ssl keeps');
(my $role_sql = $role) =~ s/"/""/g;
$role_sql = qq{"$role_sql"};

my $publisher = new_tls_node('publisher', preload => 1, allows_streaming => 'logical');

# The role's rules come first: for it, the CN must match (verify-full).
# Logical walsenders match database lines, physical ones "replication".
my $hba = $publisher->data_dir . '/pg_hba.conf';
my $template = slurp_file($hba);
open(my $fh, '>', $hba) or die "writing $hba: $!";
print $fh "hostssl replication $role_sql 127.0.0.1/32 trust clientcert=verify-full\n";
print $fh "hostssl all         $role_sql 127.0.0.1/32 trust clientcert=verify-full\n";
print $fh $template;
close($fh);
$publisher->start;

$publisher->safe_psql('postgres', "CREATE ROLE $role_sql LOGIN REPLICATION");
# the view is read in postgres, the data replicated from pubdb
$publisher->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
$publisher->safe_psql('postgres', 'CREATE DATABASE pubdb');
$publisher->safe_psql(
	'pubdb', qq{
CREATE EXTENSION sslinfo_ext;
CREATE TABLE journal (id int PRIMARY KEY, note text);
INSERT INTO journal SELECT g, 'before ' || g FROM generate_series(1, 3) g;
CREATE PUBLICATION journal_pub FOR TABLE journal;
GRANT SELECT ON journal TO $role_sql;
});

# verify-full is enforced: the same role with another certificate is refused,
# by the rule for its kind of connection (physical replication: line 1)
my ($other_cn) = cert_facts('client_plain')->{dn} =~ m{/CN=([^/]+)$};
foreach my $case ([ '', 2 ], [ 'replication=database', 2 ], [ 'replication=true', 1 ])
{
	my ($replication, $line) = @$case;
	my $name = "another certificate for $role refused" . ($replication ? " ($replication)" : '');
	my $offset = -s $publisher->logfile;
	$publisher->connect_fails(
		connstr($publisher,
			cert   => 'client_plain',
			user   => $role,
			dbname => 'pubdb',
			extra  => $replication),
		$name,
		expected_stderr => qr/authentication failed for user "\Q$role\E"/);
	# (connect_fails' own log_like waits for DEBUG lines from 18 on)
	my $log = '';
	foreach (1 .. 100)
	{
		$log = log_since($publisher, $offset);
		last if $log =~ /^.*DETAIL:  Connection matched.*$/m;
		Time::HiRes::usleep(100_000);
	}
	like($log,
		qr/provided user name \(\Q$role\E\) and authenticated user name \(\Q$other_cn\E\) do not match/,
		"$name: the log names both");
	like($log,
		qr/matched (?:pg_hba\.conf|file "[^"]*pg_hba\.conf") line $line: "hostssl/,
		"$name: by pg_hba.conf line $line");
}
$publisher->connect_ok(
	connstr($publisher, cert => 'client_longdn', user => $role, dbname => 'pubdb'),
	"the long-DN certificate logs in as $role");

# ---- a physical standby -----------------------------------------------------

$publisher->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($publisher, 'base', has_streaming => 1);
(my $standby_conninfo = connstr($publisher,
		cert  => 'client_longdn',
		user  => $role,
		extra => 'application_name=tls_standby')) =~ s/'/''/g;
$standby->append_conf('postgresql.conf', "primary_conninfo = '$standby_conninfo'");
$standby->start;

# ---- a logical subscriber ---------------------------------------------------

my $subscriber = PostgreSQL::Test::Cluster->new('subscriber');
$subscriber->init;
$subscriber->start;
$subscriber->safe_psql('postgres', 'CREATE DATABASE subdb');
$subscriber->safe_psql('subdb', 'CREATE TABLE journal (id int PRIMARY KEY, note text)');
(my $sub_conninfo = connstr($publisher,
		cert   => 'client_longdn',
		user   => $role,
		dbname => 'pubdb')) =~ s/'/''/g;
$subscriber->safe_psql('subdb',
	"CREATE SUBSCRIPTION tls_sub CONNECTION '$sub_conninfo' PUBLICATION journal_pub");

$publisher->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'tls_standby' AND state = 'streaming'"
) or die "the standby did not start streaming";
$subscriber->poll_query_until('subdb',
	"SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')")
  or die "the subscriber did not synchronize";
# the table synchronization's own walsender has gone once only the two remain
$publisher->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM pg_stat_replication")
  or die "more walsenders than the standby's and the subscription's";
$publisher->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'tls_sub' AND state = 'streaming'"
) or die "the subscription did not start streaming";

# ---- the two walsender rows ----------------------------------------------------

my %rep = map { my ($app, $pid, $user) = split /\|/; ($app => { pid => $pid, usename => $user }) }
  split /\n/,
  $publisher->safe_psql('postgres',
	'SELECT application_name, pid, usename FROM pg_stat_replication');
my %core = map { my ($pid, @rest) = split /\|/, $_, -1; ($pid => \@rest) }
  split /\n/,
  $publisher->safe_psql('postgres',
	'SELECT pid, ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl');

my @walsenders = view_rows($publisher, where => "backend_type = 'walsender'");
is(scalar(@walsenders), 2, 'two walsender rows in pg_stat_ssl_ext');

my %expected_datname = (tls_standby => undef, tls_sub => 'pubdb');
foreach my $app (qw(tls_standby tls_sub))
{
	my $kind = $app eq 'tls_standby' ? 'physical' : 'logical';
	my ($row) = grep { $_->{pid} == ($rep{$app}{pid} // -1) } @walsenders;
	ok($row, "$kind: the walsender pg_stat_replication shows for $app has a row")
	  or next;
	is($row->{backend_type},     'walsender', "$kind: backend_type");
	is($row->{datname},          $expected_datname{$app},
		"$kind: datname " . ($expected_datname{$app} // 'NULL'));
	is($row->{usename},          $rep{$app}{usename}, "$kind: usename as in pg_stat_replication");
	is($row->{usename},          $role,               "$kind: usename is the certificate's CN");
	is($row->{application_name}, $app,                "$kind: application_name");
	ok($row->{ssl}, "$kind: ssl");
	like($row->{version}, qr/^TLSv1\.[23]$/, "$kind: version");
	is($row->{client_cert_present}, JSON::PP::true, "$kind: client_cert_present");
	is($row->{client_dn},          $facts->{dn},          "$kind: client_dn whole");
	is($row->{issuer_dn},          $facts->{issuer_dn},   "$kind: issuer_dn");
	is($row->{client_serial},      $facts->{serial},      "$kind: client_serial");
	is($row->{client_fingerprint}, $facts->{fingerprint}, "$kind: client_fingerprint");
	is($row->{client_key_type},    $facts->{key_type},    "$kind: client_key_type");
	is($row->{client_not_after},   $facts->{not_after},   "$kind: client_not_after");
	is($row->{sni},                'localhost',           "$kind: sni");
	is($row->{client_addr},        '127.0.0.1',           "$kind: client_addr");
	is($row->{truncated},          JSON::PP::false,       "$kind: not truncated");

	# pg_stat_ssl agrees, but cuts the DN at 63 bytes
	my ($ssl, $version, $cipher, $bits, $dn, $serial, $issuer) =
	  @{ $core{ $row->{pid} } // [] };
	is("$ssl|$version|$cipher|$bits|$serial",
		"t|$row->{version}|$row->{cipher}|$row->{bits}|$row->{client_serial}",
		"$kind: ssl, version, cipher, bits, serial as in pg_stat_ssl");
	is(length($dn), 63, "$kind: pg_stat_ssl's client_dn is cut at 63 bytes");
	is(substr($row->{client_dn}, 0, length($dn)), $dn,
		"$kind: pg_stat_ssl's client_dn is a prefix of ours");
	cmp_ok(length($row->{client_dn}), '>', length($dn), "$kind: ours is longer");
}

# ---- data flows ------------------------------------------------------------------

$publisher->safe_psql('pubdb',
	"INSERT INTO journal SELECT g, 'after ' || g FROM generate_series(4, 6) g");
my $expected = $publisher->safe_psql('pubdb',
	'SELECT count(*), sum(id), max(note) FROM journal');
is($expected, '6|21|before 3', 'the publisher has the six rows');
$publisher->wait_for_catchup('tls_standby');
$publisher->wait_for_catchup('tls_sub');
is($standby->safe_psql('pubdb', 'SELECT count(*), sum(id), max(note) FROM journal'),
	$expected, 'physical: the standby has them');
is($subscriber->safe_psql('subdb', 'SELECT count(*), sum(id), max(note) FROM journal'),
	$expected, 'logical: the subscriber has them');
# and the extension came along to the standby (hot standby reads it)
is($standby->safe_psql('pubdb',
		"SELECT extversion FROM pg_extension WHERE extname = 'sslinfo_ext'"),
	$publisher->safe_psql('pubdb',
		"SELECT extversion FROM pg_extension WHERE extname = 'sslinfo_ext'"),
	'physical: the standby has the extension of the publisher');

$subscriber->safe_psql('subdb', 'DROP SUBSCRIPTION tls_sub');
$subscriber->stop;
$standby->stop;
$publisher->stop;
done_testing();
