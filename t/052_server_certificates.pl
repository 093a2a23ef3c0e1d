# ssl_server_certificates() and ssl_crl_status(): the configured files as
# rows (compared with what openssl and the certificate factory say), the
# "loaded" column against the certificate the server really serves, a
# renewed-but-not-reloaded certificate, relative paths, ssl_crl_dir
# listing, errors for unreadable and malformed files, and privileges.
# Works without shared_preload_libraries.

use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

my $node = new_tls_node('server_certs');
my $pgdata = $node->data_dir;
copy("$certdir/server_chained-chain.crt", "$pgdata/server.crt") or die $!;
copy("$certdir/server_chained.key", "$pgdata/server.key") or die $!;
chmod(0600, "$pgdata/server.key");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

# openssl's view of a certificate: notAfter as a timestamp PostgreSQL reads
sub openssl_not_after
{
	my ($file) = @_;
	my $out = `openssl x509 -in '$file' -noout -enddate`;
	$out =~ /notAfter=(.*)/ or die "openssl x509 -enddate $file: $out";
	return $1;
}

my $rows_sql = q{SELECT role, subject, issuer, serial, fingerprint, key_type,
  key_bits, signature_algorithm, san, loaded
  FROM ssl_server_certificates()};

my $fp_chained = cert_fingerprint('server_chained');
my $fp_inter   = cert_fingerprint('intermediate');
my $fp_ca      = cert_fingerprint('ca');
my $fp_server  = cert_fingerprint('server');

my $root_dn  = '/O=sslinfo_ext test/CN=sslinfo_ext Test Root CA';
my $inter_dn = '/O=sslinfo_ext test/CN=sslinfo_ext Test Intermediate CA';
my $leaf_dn  = '/O=sslinfo_ext test/CN=localhost';

# In a TLS session: leaf, chain, CA, each loaded.
my ($rc, $out, $err) = psql_tls($node, $rows_sql, cert => 'client_plain');
is($rc, 0, 'ssl_server_certificates() in a TLS session') or diag($err);
is( $out,
	join("\n",
		"server|$leaf_dn|$inter_dn|4|$fp_chained|RSA|2048|sha256WithRSAEncryption|{DNS:localhost,IP:127.0.0.1}|t",
		"chain|$inter_dn|$root_dn|3|$fp_inter|RSA|2048|sha256WithRSAEncryption||t",
		"ca|$root_dn|$root_dn|1|$fp_ca|RSA|2048|sha256WithRSAEncryption||t"),
	'one row per certificate of ssl_cert_file (leaf, chain) and ssl_ca_file, all loaded');

# Dates agree with openssl; days_left with not_after.
my %file = (server => 'server_chained.crt', chain => 'intermediate.crt', ca => 'ca.crt');
foreach my $role (sort keys %file)
{
	my $not_after = openssl_not_after("$certdir/$file{$role}");
	is( $node->safe_psql(
			'postgres', qq{SELECT not_after = '$not_after'::timestamptz
				AND not_before < now()
				AND abs(days_left - extract(epoch FROM not_after - now()) / 86400) < 0.02
				AND scale(days_left) = 2
			FROM ssl_server_certificates() WHERE role = '$role'}),
		't',
		"$role: not_after is openssl's notAfter, days_left matches it");
}

# Without TLS, whether a file is the one served is not known.
is( $node->safe_psql('postgres',
		q{SELECT string_agg(role || ':' || coalesce(loaded::text, 'null'), ',')
		  FROM ssl_server_certificates()}),
	'server:null,chain:null,ca:null',
	'Unix-socket session: loaded is NULL');

# A renewed certificate installed without a reload: the file's certificate
# is not the one served.
copy("$certdir/server.crt", "$pgdata/server.crt") or die $!;
copy("$certdir/server.key", "$pgdata/server.key") or die $!;
($rc, $out, $err) = psql_tls($node,
	q{SELECT role, fingerprint, loaded FROM ssl_server_certificates() ORDER BY role},
	cert => 'client_plain');
is($out, "ca|$fp_ca|t\nserver|$fp_server|f",
	'renewed but not reloaded: the new certificate shows with loaded = false');

$node->reload;
$node->poll_query_until('postgres', 'SELECT true');
($rc, $out, $err) = psql_tls($node,
	q{SELECT role, fingerprint, loaded FROM ssl_server_certificates() ORDER BY role},
	cert => 'client_plain');
is($out, "ca|$fp_ca|t\nserver|$fp_server|t",
	'after the reload: loaded = true (a new session is served the new certificate)');

# --- ssl_crl_status ---------------------------------------------------------

my $crl_sql = q{SELECT source, issuer, last_update < now(), next_update > now(),
  revoked_count, stale FROM ssl_crl_status()};

is($node->safe_psql('postgres', $crl_sql),
	"$pgdata/root.crl|$root_dn|t|t|1|f",
	'ssl_crl_file: one row, one revoked certificate, not stale');

# A relative path is relative to the data directory, as for the server.
set_and_reload($node, 'ssl_crl_file', 'root.crl');
is($node->safe_psql('postgres', 'SELECT source, stale FROM ssl_crl_status()'),
	'root.crl|f', 'a relative ssl_crl_file is read from the data directory');

# ssl_crl_dir: every CRL file once, in name order; hidden files,
# subdirectories and a rehash-style link to a listed file are skipped.
my $crldir = "$pgdata/crls";
mkdir $crldir or die $!;
mkdir "$crldir/subdir" or die $!;
copy("$certdir/root.crl", "$crldir/root.crl") or die $!;
copy("$certdir/root-stale.crl", "$crldir/stale.crl") or die $!;
symlink("root.crl", "$crldir/0a1b2c3d.r0") or die $!;
PostgreSQL::Test::Utils::append_to_file("$crldir/.notes", "not a CRL\n");
set_and_reload($node, 'ssl_crl_dir', $crldir);
is( $node->safe_psql('postgres',
		'SELECT source, stale, next_update < now() FROM ssl_crl_status()'),
	"root.crl|f|f\n$crldir/root.crl|f|f\n$crldir/stale.crl|t|t",
	'ssl_crl_file then each file of ssl_crl_dir; the stale CRL says so');

# --- unreadable and malformed files: clear errors, never a crash -----------

sub error_of
{
	my ($sql) = @_;
	my ($rc, $out, $err) =
	  $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	return $err;
}

PostgreSQL::Test::Utils::append_to_file("$crldir/garbage.crl", "this is not a CRL\n");
like(
	error_of('SELECT * FROM ssl_crl_status()'),
	qr/ERROR:  F0000: invalid file "\Q$crldir\E\/garbage.crl" configured in ssl_crl_dir\n.*DETAIL:  The file "\Q$crldir\E\/garbage.crl" could not be used: no CRL found\./s,
	'a file in ssl_crl_dir that is not a CRL: F0000 naming the file');
unlink("$crldir/garbage.crl");

PostgreSQL::Test::Utils::append_to_file("$crldir/broken.crl",
	"-----BEGIN X509 CRL-----\nnot base64 at all!\n-----END X509 CRL-----\n");
like(
	error_of('SELECT * FROM ssl_crl_status()'),
	qr/ERROR:  F0000: invalid file "\Q$crldir\E\/broken.crl" configured in ssl_crl_dir\n.*DETAIL:  The file .* could not be used: .+\./s,
	'a corrupt PEM CRL: F0000 naming the file');
unlink("$crldir/broken.crl");

set_and_reload($node, 'ssl_ca_file', 'no-such-ca.crt');
like(
	error_of('SELECT * FROM ssl_server_certificates()'),
	qr/ERROR:  58P01: could not read file "no-such-ca.crt" configured in ssl_ca_file: No such file or directory/,
	'a missing ssl_ca_file: 58P01 naming the file');

# $setting set to a file of $content: ssl_server_certificates() fails with
# F0000, no certificate found
sub no_certificate_in
{
	my ($setting, $file, $content, $name) = @_;
	PostgreSQL::Test::Utils::append_to_file("$pgdata/$file", $content);
	set_and_reload($node, $setting, $file);
	like(
		error_of('SELECT * FROM ssl_server_certificates()'),
		qr/ERROR:  F0000: invalid file "\Q$file\E" configured in $setting\n.*DETAIL:  The file "\Q$file\E" could not be used: no certificate found\./s,
		$name);
}

no_certificate_in('ssl_ca_file', 'empty.crt', '',
	'an empty ssl_ca_file: F0000, no certificate found');

chmod(0000, "$pgdata/root.crl");
SKIP:
{
	skip 'running as root: permissions are not enforced', 1 if $> == 0;
	like(
		error_of('SELECT * FROM ssl_crl_status()'),
		qr/ERROR:  42501: could not read file "root.crl" configured in ssl_crl_file: Permission denied/,
		'an unreadable ssl_crl_file: 42501');
}
chmod(0644, "$pgdata/root.crl");

no_certificate_in('ssl_cert_file', 'garbage.crt', "garbage\n",
	'a malformed ssl_cert_file: F0000, no certificate found');

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is still up');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ALL');
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_cert_file') <> 'garbage.crt'");

# --- privileges: pg_monitor and superusers, not PUBLIC ---------------------

$node->safe_psql('postgres', q{
	CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
	CREATE ROLE nobody LOGIN;
});
foreach my $fn ('ssl_server_certificates()', 'ssl_crl_status()')
{
	my ($rc2, $out2, $err2) = $node->psql('postgres',
		"SELECT count(*) > 0 FROM $fn", extra_params => [ '-U', 'watcher' ]);
	is($out2, 't', "$fn: a member of pg_monitor may call it") or diag($err2);
	($rc2, $out2, $err2) = $node->psql('postgres',
		"SELECT count(*) FROM $fn", extra_params => [ '-U', 'nobody' ]);
	like($err2, qr/permission denied for function/,
		"$fn: PUBLIC may not");
}

$node->stop;
done_testing();
