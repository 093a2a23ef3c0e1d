# What the handshake negotiated beyond version and cipher, per session and
# for the own session, over real TLS with psql: the ALPN protocol
# (PostgreSQL 17+, with sslnegotiation=postgres and =direct), the SHA-256
# of the certificate the server presented (a session from before a
# certificate renewal and reload keeps showing the old one), and the
# key-exchange groups the client offered and shares with the server (the
# client's list set through an OpenSSL configuration file for libpq).

use strict;
use warnings;

use IPC::Run;
use Time::HiRes qw(sleep);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('negotiation', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
my $major = $node->pg_version->major;
my $has_alpn = $node->pg_version >= 17;
my $server_fp = cert_fingerprint('server');

my $own_sql = q{SELECT coalesce(ssl_alpn(), 'NULL'), ssl_server_fingerprint(),
  coalesce(alpn, 'NULL'), server_fingerprint
  FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid()};

my @negotiations = ('');
push @negotiations, 'sslnegotiation=postgres', 'sslnegotiation=direct' if $has_alpn;
foreach my $negotiation (@negotiations)
{
	my $name = $negotiation || 'default negotiation';
	my ($rc, $out, $err) = psql_tls($node, $own_sql, extra => $negotiation);
	is($rc, 0, "$name: connects") or diag($err);
	my ($alpn, $fp, $view_alpn, $view_fp) = split /\|/, $out;
	is($alpn, $has_alpn ? 'postgresql' : 'NULL',
		"$name: ssl_alpn() is " . ($has_alpn ? '"postgresql" on 17+' : 'NULL before 17'));
	is($view_alpn, $alpn, "$name: pg_stat_ssl_ext.alpn agrees");
	is($fp, $server_fp, "$name: ssl_server_fingerprint() is server.crt's SHA-256");
	is($view_fp, $server_fp, "$name: pg_stat_ssl_ext.server_fingerprint agrees");
}

# for doc/functions.md: what a session sees (in the test's log)
{
	my (undef, $shown) = psql_tls($node,
		q{SELECT ssl_version(), ssl_alpn(), ssl_server_fingerprint(), ssl_supported_groups(),
		  ssl_shared_groups()},
		extra => ($has_alpn ? 'sslnegotiation=direct' : ''),
		extra_params => [ '-x', '-P', 'tuples_only=off' ]);
	note("own session:\n$shown");
}

# direct negotiation over TLS 1.2 too, and libpq's own rule for it
if ($has_alpn)
{
	my ($rc, $out, $err) = psql_tls($node, 'SELECT 1',
		extra => 'sslnegotiation=direct ssl_max_protocol_version=TLSv1.2');
	is($rc, 0, 'direct negotiation over TLS 1.2 connects');
	($rc, $out, $err) = psql_tls($node, 'SELECT 1',
		extra => 'sslnegotiation=direct', sslmode => 'prefer');
	isnt($rc, 0, 'direct negotiation needs an sslmode that requires TLS (libpq refuses prefer)');
}

# no TLS: every new fact is NULL
my ($rc, $out, $err) = psql_tls($node,
	q{SELECT ssl_alpn() IS NULL, ssl_server_fingerprint() IS NULL,
	  ssl_supported_groups() IS NULL, ssl_shared_groups() IS NULL,
	  (SELECT alpn IS NULL AND server_fingerprint IS NULL FROM pg_stat_ssl_ext
	   WHERE pid = pg_backend_pid())},
	sslmode => 'disable', cert => undef, user => 'sslinfo_nocert');
is($out, 't|t|t|t|t', 'without TLS: ssl_alpn(), ssl_server_fingerprint(), the groups and the columns are NULL');

# ---- groups: the client's list from an OpenSSL configuration file -------------

my $conf = $node->basedir . '/client-openssl.cnf';
sub client_groups_conf
{
	my ($groups) = @_;
	open(my $fh, '>', $conf) or die $!;
	print $fh <<"EOF";
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Groups = $groups
EOF
	close($fh);
}

my $groups_sql = q{SELECT array_to_string(ssl_supported_groups(), ','),
  array_to_string(ssl_shared_groups(), ','),
  (SELECT tls_group FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid())};

client_groups_conf('X448:P-256:X25519');
{
	local $ENV{OPENSSL_CONF} = $conf;
	($rc, $out, $err) = psql_tls($node, $groups_sql);
}
my ($supported, $shared, $negotiated) = split /\|/, $out;
is($supported, 'X448,prime256v1,X25519', 'ssl_supported_groups(): the three groups the client offered, in its order');
# the server's groups: ssl_ecdh_curve (one curve, prime256v1) up to 17,
# ssl_groups (default X25519:prime256v1) from 18
my $expected_shared = $major >= 18 ? 'X25519,prime256v1' : 'prime256v1';
is($shared, $expected_shared, "ssl_shared_groups(): what the server supports too, in its order ($expected_shared)");
ok((grep { $_ eq $negotiated } split(/,/, $shared)), "the negotiated group ($negotiated) is one of the shared ones");

client_groups_conf('P-384:P-256');
{
	local $ENV{OPENSSL_CONF} = $conf;
	($rc, $out, $err) = psql_tls($node, $groups_sql);
}
($supported, $shared, $negotiated) = split /\|/, $out;
is($supported, 'secp384r1,prime256v1', 'another client list is reported as offered');
is($shared, 'prime256v1', 'only prime256v1 is shared');
is($negotiated, 'prime256v1', 'and negotiated, named as tls_group names it');

# ---- a certificate renewed and reloaded while a session stays on the old one --

my $held_in = '';
my ($held_out, $held_err) = ('', '');
my $held = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1',
		'-d', connstr($node) . ' application_name=held'
	],
	'<', \$held_in, '>', \$held_out, '2>', \$held_err);
$node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_ssl_ext WHERE application_name = 'held'})
  or die 'held session did not show up';

my $pgdata = $node->data_dir;
foreach my $ext ('crt', 'key')
{
	my $content = slurp_file(certdir() . "/server_expiring.$ext");
	open(my $fh, '>', "$pgdata/renewed.$ext") or die $!;
	print $fh $content;
	close($fh);
	chmod(0600, "$pgdata/renewed.$ext");
}
$node->append_conf('postgresql.conf',
	"ssl_cert_file = '$pgdata/renewed.crt'\nssl_key_file = '$pgdata/renewed.key'");
$node->reload;
my $renewed_fp = cert_fingerprint('server_expiring');
# the postmaster builds the new SSL context while processing the SIGHUP
my $served;
foreach (1 .. 100)
{
	($rc, $served, $err) = psql_tls($node, 'SELECT ssl_server_fingerprint()');
	last if $served eq $renewed_fp;
	sleep(0.1);
}
is($served, $renewed_fp, 'after the reload new sessions are served the renewed certificate');

is( $node->safe_psql(
		'postgres',
		q{SELECT server_fingerprint FROM pg_stat_ssl_ext WHERE application_name = 'held'}),
	$server_fp,
	'the session from before the reload still shows the old certificate');
is( $node->safe_psql(
		'postgres',
		qq{SELECT count(*) FROM pg_stat_ssl_ext WHERE ssl AND server_fingerprint <> '$renewed_fp'}),
	1,
	'exactly one session is on a certificate other than the one now served');
is( $node->safe_psql(
		'postgres', q{
SELECT application_name FROM pg_stat_ssl_ext
WHERE ssl AND server_fingerprint NOT IN
      (SELECT fingerprint FROM ssl_server_certificates() WHERE role = 'server')}),
	'held',
	'doc/pg_stat_ssl_ext.md\'s query finds the session on the old certificate');
$held_in .= "\\q\n";
$held->finish;

done_testing();
