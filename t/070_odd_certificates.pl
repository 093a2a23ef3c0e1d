# Odd client certificates against a server with sslinfo_ext preloaded (its
# authentication hook runs for every connection): the ones PostgreSQL
# refuses are refused cleanly and the server stays up; the ones it accepts
# give answers from every own-session function (sql/odd_certificates.sql
# checks those answers in detail, without preloading).

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('odd', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
my $postmaster_pid = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# Refused during the handshake by PostgreSQL itself: its CN check finds a
# NUL, or the zero bytes of UTF-16 (a CN in BMPString).
foreach my $cert (qw(client_nulcn client_bmpcn))
{
	my $log_offset = -s $node->logfile;
	$node->connect_fails(
		connstr($node, cert => $cert),
		"$cert is refused",
		expected_stderr => qr/SSL|closed|server/i);
	ok( $node->wait_for_log(
			qr/SSL certificate's common name contains embedded null/,
			$log_offset),
		"$cert: the server says why");
}

# Bytes that are not UTF-8 in a subject UTF8String: OpenSSL will not even
# parse the certificate, so no OpenSSL client can present it (and a server
# would refuse it the same way).
$node->connect_fails(
	connstr($node, cert => 'client_badutf8dn'),
	'a subject with bytes that are not UTF-8 cannot be presented',
	expected_stderr => qr/could not (read|load) certificate file/);

# Accepted: every own-session function answers, with the values the
# factory put in.
my %accepted = (
	client_hugedn    => [ 8193,       'huge-dn' ],
	client_manysan   => [ 8194,       'many-sans' ],
	client_t61       => [ 8195,       'T61 Jürgen Müller' ],
	client_bmp       => [ 8196,       'bmp-o' ],
	client_universal => [ 8197,       'universal-o' ],
	client_badutf8   => [ 8200,       'bad-utf8' ],
	client_negserial => [ -231429171, 'negative-serial' ],);
my $all_functions = q{
SELECT ssl_is_used(), ssl_version() IS NOT NULL, ssl_cipher() IS NOT NULL,
       ssl_cipher_bits() > 0, ssl_client_cert_present(), ssl_client_serial(),
       ssl_client_dn_field('CN'), ssl_issuer_field('CN'),
       octet_length(ssl_client_dn()) > 0, ssl_issuer_dn() IS NOT NULL,
       ssl_client_not_before() < ssl_client_not_after(),
       ssl_client_fingerprint(), coalesce(cardinality(ssl_client_san()), 0),
       (SELECT count(*) FROM ssl_extension_info())
};
foreach my $cert (sort keys %accepted)
{
	my ($serial, $cn) = @{ $accepted{$cert} };
	my ($rc, $out, $err) = psql_tls($node, $all_functions, cert => $cert);
	is($rc, 0, "$cert: connected, every function ran") or diag($err);
	my @f = split /\|/, $out;
	is_deeply(
		[ @f[ 0 .. 7 ] ],
		[ 't', 't', 't', 't', 't', $serial, $cn, 'sslinfo_ext Test Root CA' ],
		"$cert: TLS facts, serial, CN");
	is($f[11], cert_fingerprint($cert), "$cert: fingerprint");
}

# Other sessions read the odd sessions in pg_stat_ssl_ext: every row can be
# read (no encoding error from bytes that are not UTF-8), and says what the
# session itself says, or is flagged as cut.
my @watched = qw(client_badutf8 client_manysan client_hugedn client_universal);
my %own;
foreach my $cert (@watched)
{
	my ($rc, $out) = psql_tls($node,
		q{SELECT ssl_client_dn() || '|' || coalesce(array_to_string(ssl_client_san(), ','), '')},
		cert => $cert);
	$own{$cert} = $out;
}
my @sleepers = map {
	my $cert = $_;
	my ($out, $err);
	IPC::Run::start(
		[
			'psql', '-XAtqw', '-d',
			connstr($node, cert => $cert, extra => "application_name=odd_$cert"),
			'-c', 'SELECT pg_sleep(120)'
		],
		'<', \undef, '>', \$out, '2>', \$err)
} @watched;
ok( $node->poll_query_until('postgres', q{
		SELECT count(*) = } . scalar(@watched) . q{ FROM pg_stat_ssl_ext
		 WHERE application_name LIKE 'odd_%' AND client_fingerprint IS NOT NULL}),
	'the odd sessions are in pg_stat_ssl_ext');
foreach my $cert (@watched)
{
	my $row = $node->safe_psql('postgres', qq{
		SELECT client_dn || '|' || coalesce(array_to_string(client_san, ','), '') || '|' || truncated
		  FROM pg_stat_ssl_ext WHERE application_name = 'odd_$cert'});
	my ($view, $truncated) = $row =~ /^(.*)\|(true|false)$/s;
	if (($truncated // '') eq 'true')
	{
		ok(length($view) < length($own{$cert}), "$cert: pg_stat_ssl_ext row cut, and says so");
	}
	else
	{
		is($view, $own{$cert}, "$cert: pg_stat_ssl_ext row as the session sees itself");
	}
}
$node->safe_psql('postgres', q{
	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'odd_%'});
$_->finish foreach @sleepers;

# Still the same server: no backend crashed (a crash restarts everything
# and logs "terminated by signal"), and plain connections work.
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$postmaster_pid, 'the postmaster was not restarted');
my ($rc, $out) = psql_tls($node, 'SELECT ssl_client_dn_field($$CN$$)');
is($out, 'alice', 'a normal client still connects');
unlike(slurp_file($node->logfile), qr/terminated by signal|was terminated/,
	'no server process crashed');

$node->stop;
done_testing();
