# The sslinfo_ext.allowed_ciphers values doc/cipher-policy.md documents for the rules
# of later openGauss releases, each accepted at start and enforced in real
# TLS 1.2 handshakes (openssl s_client -starttls postgres -tls1_2 -cipher):
# openGauss 2.1 (the four DHE suites of 1.x/2.0 plus four ECDHE-GCM) and
# 3.0 and later (six GCM suites: ECDHE-RSA, ECDHE-ECDSA, DHE-RSA; no CCM).
# The ECDSA suites are negotiated with an EC server certificate, the others
# with the RSA one.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

# The values exactly as doc/cipher-policy.md gives them
my %rules = (
	'openGauss 2.1' => 'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM;'
	  . 'ECDHE-RSA-AES128-GCM-SHA256;ECDHE-RSA-AES256-GCM-SHA384;ECDHE-ECDSA-AES128-GCM-SHA256;ECDHE-ECDSA-AES256-GCM-SHA384',
	'openGauss 3.0+' => 'ECDHE-RSA-AES128-GCM-SHA256;ECDHE-RSA-AES256-GCM-SHA384;ECDHE-ECDSA-AES128-GCM-SHA256;ECDHE-ECDSA-AES256-GCM-SHA384;'
	  . 'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384',);

# Suites each rule must refuse (a client offering only one of them fails)
my %outside = (
	'openGauss 2.1' => [qw(ECDHE-RSA-CHACHA20-POLY1305 AES128-GCM-SHA256 ECDHE-RSA-AES128-SHA256 DHE-RSA-CHACHA20-POLY1305)],
	'openGauss 3.0+' => [qw(DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM ECDHE-RSA-CHACHA20-POLY1305 AES256-GCM-SHA384)],);

my $doc = slurp_file(dirname_of_test() . '/../doc/cipher-policy.md');

sub dirname_of_test
{
	my $dir = __FILE__;
	$dir =~ s{/[^/]*$}{};
	return $dir;
}

my $node = new_tls_node('og', preload => 1,
	extra_conf => "ssl_max_protocol_version = 'TLSv1.2'\nssl_ciphers = 'ALL'");
my $pgdata = $node->data_dir;
command_ok(
	[
		'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
		'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
		'-subj', '/CN=localhost', '-keyout', "$pgdata/server_ec.key",
		'-out', "$pgdata/server_ec.crt"
	],
	'EC server certificate generated');
chmod(0600, "$pgdata/server_ec.key");

# One TLS 1.2 handshake offering $ciphers: the suite negotiated (or undef)
sub s_client
{
	my ($ciphers) = @_;
	return (s_client_handshake($node, '-tls1_2', '-cipher', $ciphers))[0];
}

foreach my $rule (sort keys %rules)
{
	my $value = $rules{$rule};
	my @suites = split /;/, $value;
	ok(index($doc, "sslinfo_ext.allowed_ciphers = '$value'") >= 0, "$rule: doc/cipher-policy.md documents this value");

	# RSA certificate: every suite but the ECDSA ones
	$node->adjust_conf('postgresql.conf', $_, undef)
	  foreach qw(sslinfo_ext.allowed_ciphers ssl_cert_file ssl_key_file);
	$node->append_conf('postgresql.conf',
		"sslinfo_ext.allowed_ciphers = '$value'\n"
		  . "ssl_cert_file = '$pgdata/server.crt'\nssl_key_file = '$pgdata/server.key'");
	$node->start;
	is($node->safe_psql('postgres', 'SHOW sslinfo_ext.allowed_ciphers'), $value, "$rule: accepted at start");
	is($node->safe_psql('postgres', 'SHOW ssl_ciphers'), $value, "$rule: ALL stands for exactly these suites");
	foreach my $suite (grep { !/ECDSA/ } @suites)
	{
		is(s_client($suite), $suite, "$rule, RSA certificate: $suite negotiates");
	}
	foreach my $suite (@{ $outside{$rule} })
	{
		is(s_client($suite), undef, "$rule: $suite is refused");
	}
	my ($rc, $out, $err) = $node->psql('postgres',
		"ALTER SYSTEM SET ssl_ciphers = '$outside{$rule}[0]'");
	like($err, qr/OpenSSL knows "\Q$outside{$rule}[0]\E", but sslinfo_ext\.allowed_ciphers does not allow it/,
		"$rule: ALTER SYSTEM refuses $outside{$rule}[0]");
	($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_ciphers = '$suites[-1]'");
	is($rc, 0, "$rule: ALTER SYSTEM accepts $suites[-1]");
	$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');
	$node->stop;

	# EC certificate: the ECDSA suites, and nothing that needs RSA
	$node->adjust_conf('postgresql.conf', $_, undef) foreach qw(ssl_cert_file ssl_key_file);
	$node->append_conf('postgresql.conf',
		"ssl_cert_file = '$pgdata/server_ec.crt'\nssl_key_file = '$pgdata/server_ec.key'");
	$node->start;
	foreach my $suite (grep { /ECDSA/ } @suites)
	{
		is(s_client($suite), $suite, "$rule, EC certificate: $suite negotiates");
	}
	is(s_client('ECDHE-ECDSA-CHACHA20-POLY1305'), undef, "$rule, EC certificate: ECDHE-ECDSA-CHACHA20-POLY1305 is refused");
	$node->stop;
}

done_testing();
