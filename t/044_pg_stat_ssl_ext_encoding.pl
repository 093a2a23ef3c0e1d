# pg_stat_ssl_ext read from databases whose encoding cannot hold what other
# sessions' certificates say: with UTF-8 sessions whose DN holds 東京 and
# whose SAN holds characters LATIN1 lacks, a LATIN1 reader still gets every
# row (such characters shown as \XX, the UTF-8 bytes in hex), a SQL_ASCII
# reader gets the UTF-8 bytes as they are, and every query of
# monitoring/postgres_exporter.yml runs in both databases.  The own-session
# functions keep their documented behaviour (an error in LATIN1 for a
# character LATIN1 cannot hold).
use strict;
use warnings;

use Encode qw(decode encode);
use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my $node = new_tls_node('encoding', preload => 1);
$node->start;
$node->safe_psql('postgres', q{
CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE ROLE monitor LOGIN IN ROLE pg_monitor;
});
$node->safe_psql($_, 'CREATE EXTENSION sslinfo_ext') foreach qw(postgres latin1 sql_ascii);

# Idle UTF-8 sessions, held open
my @sessions;
foreach my $s ([ 'utf8_dn', 'client_utf8', 'postgres' ],
	[ 'utf8_san', 'client_encoding', 'postgres' ])
{
	my ($name, $cert, $db) = @$s;
	my $in = '';
	push @sessions,
	  IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq', '-d',
			connstr($node, cert => $cert, dbname => $db) . " application_name=$name"
		],
		'<', \$in, '>', \my $out, '2>', \my $err);
}
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM pg_stat_ssl_ext WHERE application_name LIKE 'utf8_%'")
  or die "sessions did not show up";

# "\XX" for each UTF-8 byte of the characters LATIN1 lacks
sub latin1_escaped
{
	my ($text) = @_;
	$text =~ s/([^\x00-\xff])/join('', map { sprintf('\\%02X', ord) } split(m{}, encode('UTF-8', $1)))/ge;
	return $text;
}

my $dn  = cert_facts('client_utf8')->{dn};       # characters
# the SANs as a UTF8 database shows them
my $san = decode('UTF-8', $node->safe_psql('postgres',
	"SELECT array_to_string(client_san, ' | ') FROM pg_stat_ssl_ext WHERE application_name = 'utf8_san'"));
ok($san =~ /[^\x00-\xff]/, 'client_encoding has a SAN character LATIN1 lacks');
my $row_sql = q{SELECT application_name, client_dn, array_to_string(client_san, ' | ')
FROM pg_stat_ssl_ext WHERE application_name LIKE 'utf8_%' ORDER BY application_name};

foreach my $reader ([ 'superuser', undef ], [ 'pg_monitor member', 'monitor' ])
{
	my ($who, $user) = @$reader;
	my %opts = (cert => 'client_plain', dbname => 'latin1',
		extra => 'client_encoding=UTF8');
	$opts{user} = $user if defined $user;

	my ($rc, $out, $err) = psql_tls($node, $row_sql, %opts);
	is($rc, 0, "LATIN1 reader ($who): the view answers") or diag $err;
	my @rows = map { [ split /\|/, decode('UTF-8', $_), 3 ] } split /\n/, $out;
	is($rows[0][1], latin1_escaped($dn), "LATIN1 reader ($who): 東京 in a DN shown as \\XX, ü as it is");
	is($rows[1][2], latin1_escaped($san),
		"LATIN1 reader ($who): SAN characters LATIN1 lacks shown as \\XX");
	like($rows[0][1], qr/L=\\E6\\9D\\B1\\E4\\BA\\AC/, "LATIN1 reader ($who): the exact escape of 東京");

	($rc, $out, $err) = psql_tls($node, 'SELECT count(*) FROM pg_stat_ssl_ext', %opts);
	is($rc, 0, "LATIN1 reader ($who): count(*)") or diag $err;
}

# SQL_ASCII holds any byte: the UTF-8 bytes come as they are
my ($rc, $out, $err) = psql_tls($node, $row_sql,
	cert => 'client_plain', dbname => 'sql_ascii');
is($rc, 0, 'SQL_ASCII reader: the view answers') or diag $err;
my @rows = map { [ split /\|/, decode('UTF-8', $_), 3 ] } split /\n/, $out;
is($rows[0][1], $dn, 'SQL_ASCII reader: the DN as UTF-8, unchanged');
is($rows[1][2], $san, 'SQL_ASCII reader: the SANs as UTF-8, unchanged');

# The exporter's queries, as its pg_monitor role, in both databases
my $yml = slurp('monitoring/postgres_exporter.yml');
my @queries;
while ($yml =~ /^(\w+):\n(?:(?!\w).*\n)*?\s+query: \|\n((?:    .*\n|\s*\n)+)/mg)
{
	push @queries, [ $1, $2 ];
}
ok(@queries >= 3, 'exporter queries found');
foreach my $db (qw(latin1 sql_ascii))
{
	foreach my $q (@queries)
	{
		my ($name, $sql) = @$q;
		($rc, $out, $err) = psql_tls($node, $sql,
			cert => 'client_plain', dbname => $db, user => 'monitor',
			extra => 'client_encoding=UTF8');
		is($rc, 0, "$db: exporter query $name runs") or diag $err;
	}
}

# Own-session functions: documented behaviour unchanged.  A character the
# database encoding cannot hold is an error in the calling session
# (SQLSTATE 22P05), not an escape.
($rc, $out, $err) = psql_tls($node,
	"SELECT ssl_client_san()",
	cert => 'client_encoding', dbname => 'latin1', extra => 'client_encoding=UTF8');
like($err, qr/has no equivalent in encoding "LATIN1"/,
	'own session in LATIN1: ssl_client_san() still fails for a character LATIN1 lacks');
($rc, $out, $err) = psql_tls($node,
	"SELECT array_to_string(client_san, ' | ') FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid()",
	cert => 'client_encoding', dbname => 'latin1', extra => 'client_encoding=UTF8');
is(decode('UTF-8', $out), latin1_escaped($san),
	'own session in LATIN1: its own row in the view escapes');

$_->kill_kill foreach @sessions;
$node->stop;
done_testing();
