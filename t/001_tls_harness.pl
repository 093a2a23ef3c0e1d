# Tests of the test harness itself, with core PostgreSQL only (pg_stat_ssl),
# not the extension: the generated certificates are what the tests expect,
# a node from SslinfoExtTest accepts each valid client certificate over TLS
# with verify-full and refuses the expired and the revoked one, and its
# pg_hba.conf demands a client certificate from everyone but
# sslinfo_nocert.

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(decode_base64);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

# The valid client certificates: subject and serial (decimal) as
# pg_stat_ssl shows them (its client_dn is cut at 63 bytes).  DER sorts the
# members of the multi-valued RDN OU=Clients+CN=bob: CN comes first.
my %valid = (
	client_plain => [ '/O=sslinfo_ext test/OU=Clients/CN=alice', 4096 ],
	client_longdn => [
		substr(
			'/C=DE/ST=Nordrhein-Westfalen/L=Castrop-Rauxel/O=sslinfo_ext test organisation',
			0, 63),
		4097
	],
	client_utf8 => [ '/C=DE/O=Müller GmbH/L=東京/CN=Jürgen Müller', 4098 ],
	client_multirdn => [ '/O=sslinfo_ext test/CN=bob/OU=Clients', 4099 ],
	client_san => [ '/O=sslinfo_ext test/CN=carol', 4100 ],
	client_expiring => [ '/O=sslinfo_ext test/CN=dave-expiring', 4101 ],
	client_ec => [ '/O=sslinfo_ext test/CN=grace-ec', 4104 ],
	client_bigserial => [
		'/O=sslinfo_ext test/CN=heidi-bigserial',
		# 0x7fff...ff, 20 octets
		'730750818665451459101842416358141509827966271487'
	],);

# The factory's NAME.sha256 is the SHA-256 of the DER certificate.
foreach my $cert (sort keys %valid)
{
	my $pem = slurp_file("$certdir/$cert.crt");
	my ($b64) =
	  $pem =~ /-----BEGIN CERTIFICATE-----(.*)-----END CERTIFICATE-----/s;
	is(cert_fingerprint($cert), sha256_hex(decode_base64($b64)),
		"$cert.sha256 is the fingerprint of the DER certificate");
}

my $node = new_tls_node('harness');
$node->start;

my $sql = q{SELECT ssl, version, client_serial, client_dn
  FROM pg_stat_ssl WHERE pid = pg_backend_pid()};

foreach my $cert (sort keys %valid)
{
	my ($dn, $serial) = @{ $valid{$cert} };
	my ($rc, $out, $err) = psql_tls($node, $sql, cert => $cert);
	is($rc, 0, "$cert: connects with sslmode=verify-full")
	  or diag($err);
	like($out, qr/^t\|TLSv[\d.]+\|\Q$serial|$dn\E$/,
		"$cert: pg_stat_ssl shows TLS, the serial and the subject");
}

# OpenSSL prints a multi-valued RDN as two entries; check it is one RDN.
like(
	`openssl x509 -in '$certdir/client_multirdn.crt' -noout -subject -nameopt RFC2253`,
	qr/OU=Clients\+CN=bob|CN=bob\+OU=Clients/,
	'client_multirdn has a multi-valued RDN');

$node->connect_fails(
	connstr($node, cert => 'client_expired'),
	'expired client certificate is refused',
	expected_stderr => qr/certificate expired/);

$node->connect_fails(
	connstr($node, cert => 'client_revoked'),
	'revoked client certificate is refused',
	expected_stderr => qr/certificate revoked/);

my ($rc, $out, $err) = psql_tls($node, $sql,
	cert => undef,
	user => 'sslinfo_nocert');
is($rc, 0, 'sslinfo_nocert connects over TLS without a client certificate')
  or diag($err);
like($out, qr/^t\|TLSv[\d.]+\|\|$/,
	'sslinfo_nocert: TLS, no client certificate');

($rc, $out, $err) = psql_tls($node, $sql,
	cert => undef,
	sslmode => 'disable');
is($rc, 0, 'plain TCP connection with sslmode=disable') or diag($err);
is($out, 'f|||', 'sslmode=disable: pg_stat_ssl shows no TLS');

$node->connect_fails(
	connstr($node, cert => undef),
	'TLS without a client certificate is refused for other roles',
	expected_stderr => qr/connection requires a valid client certificate/);

$node->stop;

done_testing();
