# PostgreSQL 19 with ssl_sni = on and pg_hosts.conf: two host names served
# two certificates (a.example.test, b.example.test, the second expiring in
# two days), each listed by ssl_server_certificates() with its host and
# loaded flag, shown per session (sni, server_fingerprint), alarmed at
# login, audited (sni_hosts: expiry, key match, key permissions), held to
# the cipher policy in real handshakes (openssl s_client -servername), and
# in the monitoring query with its sni_host label.  Also what PostgreSQL 19
# says about sslinfo_ext's openssl_tls_init_hook with ssl_sni on.  Before 19:
# host is always NULL and sni_hosts says there is one certificate.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('sni', preload => 1);
my $certdir = certdir();

if ($node->pg_version->major < 19)
{
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM ssl_server_certificates() WHERE host IS NOT NULL'),
		0, 'before 19: no row has a host');
	like(
		$node->safe_psql('postgres',
			q{SELECT status || ' ' || detail FROM ssl_config_audit() WHERE check_name = 'sni_hosts'}),
		qr/^ok PostgreSQL before 19 serves one certificate/,
		'before 19: sni_hosts says there is one certificate');
	done_testing();
	exit;
}

my $pgdata = $node->data_dir;

# A host certificate issued by the test CA (so psql verifies it)
sub issue_host_cert
{
	my ($name, $days) = @_;
	my $base = "$pgdata/$name";
	command_ok([ 'openssl', 'genrsa', '-out', "$base.key", '2048' ], "$name: key");
	chmod(0600, "$base.key");
	command_ok(
		[
			'openssl', 'req', '-new', '-key', "$base.key", '-subj', "/O=sslinfo_ext test/CN=$name",
			'-out', "$base.csr"
		],
		"$name: request");
	open(my $ext, '>', "$base.ext") or die $!;
	print $ext "subjectAltName = DNS:$name\nextendedKeyUsage = serverAuth\n";
	close($ext);
	command_ok(
		[
			'openssl', 'x509', '-req', '-in', "$base.csr", '-CA', "$certdir/ca.crt",
			'-CAkey', "$certdir/ca.key", '-set_serial', $days == 2 ? '8301' : '8300',
			'-days', $days, '-extfile', "$base.ext", '-out', "$base.crt"
		],
		"$name: certificate for $days days");
	my ($stdout) = run_command([ 'openssl', 'x509', '-in', "$base.crt", '-noout', '-fingerprint', '-sha256' ]);
	my ($fp) = $stdout =~ /=([0-9A-F:]+)/;
	$fp =~ s/://g;
	return lc $fp;
}

my %fp = (
	'a.example.test' => issue_host_cert('a.example.test', 365),
	'b.example.test' => issue_host_cert('b.example.test', 2));

open(my $hosts, '>', "$pgdata/pg_hosts.conf") or die $!;
print $hosts "a.example.test $pgdata/a.example.test.crt $pgdata/a.example.test.key $pgdata/ca.crt\n";
print $hosts "b.example.test $pgdata/b.example.test.crt $pgdata/b.example.test.key $pgdata/ca.crt\n";
close($hosts);
$node->append_conf('postgresql.conf', "ssl_sni = on\nssl_max_protocol_version = 'TLSv1.2'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

# ---- what PostgreSQL 19 says about the TLS init hook ----------------------------

my $log = slurp_file($node->logfile);
like($log, qr/SNI is enabled; installed TLS init hook will be ignored/,
	'19 with ssl_sni: PostgreSQL warns that it ignores openssl_tls_init_hook (sslinfo_ext installs one)');
unlike($log, qr/every cipher suite in ssl_ciphers uses DHE key exchange/,
	'... so the compatibility WARNINGs logged from that hook do not appear');

# ---- each host name is served its certificate -----------------------------------

foreach my $name (sort keys %fp)
{
	my ($rc, $out, $err) = psql_tls($node,
		q{SELECT ssl_server_fingerprint(), sni, server_fingerprint FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid()},
		host => $name);
	is($rc, 0, "$name: psql connects with verify-full") or diag($err);
	is($out, "$fp{$name}|$name|$fp{$name}", "$name: served its own certificate (ssl_server_fingerprint, sni, server_fingerprint)");

	($rc, $out, $err) = psql_tls($node,
		q{SELECT string_agg(coalesce(host, '-') || ' ' || role || ' ' || loaded, ',' ORDER BY host NULLS FIRST, role)
		  FROM ssl_server_certificates()},
		host => $name);
	my $other = $name eq 'a.example.test' ? 'b.example.test' : 'a.example.test';
	my $mine = "$name server true";
	my $theirs = "$other server false";
	like($out, qr/^- ca true,- server false,/, "$name: postgresql.conf's server certificate has host NULL and is not loaded here (its CA, the same file, is)");
	like($out, qr/\Q$mine\E/, "$name: its pg_hosts.conf row is loaded");
	like($out, qr/\Q$theirs\E/, "$name: the other host's row is listed, not loaded");
}

is( $node->safe_psql('postgres',
		q{SELECT string_agg(host || ' ' || fingerprint, ',' ORDER BY host) FROM ssl_server_certificates() WHERE host IS NOT NULL AND role = 'server'}),
	"a.example.test $fp{'a.example.test'},b.example.test $fp{'b.example.test'}",
	'ssl_server_certificates(): every pg_hosts.conf entry\'s certificate with its host');

# for doc/cert-lifecycle.md (in the test's log)
{
	my (undef, $shown) = psql_tls($node,
		q{SELECT coalesce(host, '-') AS host, role, subject, loaded FROM ssl_server_certificates()},
		host => 'b.example.test', extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]);
	note("certificates over b.example.test:\n$shown");
	my ($warning) = $log =~ /(WARNING:  SNI is enabled.*\n.*\n)/;
	note("hook warning:\n" . ($warning // ''));
}

# ---- the cipher policy holds for every host's context ---------------------------

foreach my $name (sort keys %fp)
{
	my ($cipher, $out) = s_client_handshake($node, '-servername', $name,
		'-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256');
	my ($subject) = $out =~ /^subject=.*CN\s*=\s*([^,\n]+)/m;
	is($cipher, 'DHE-RSA-AES128-GCM-SHA256', "$name: an allowed suite negotiates");
	is($subject, $name, "$name: with that host's certificate");
	is(s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256', '-servername', $name), undef,
		"$name: a suite outside the policy is refused in that host's context too");
}

# ---- alarms: login -----------------------------------------------------------------

# b.example.test's sessions above logged in several times
$log = slurp_file($node->logfile);
my @alarms = $log =~ /(WARNING:  server certificate expires in \d+ days?\n.*\n.*\n)/g;
is(scalar(@alarms), 1, 'logins to b.example.test: one expiry alarm (the same hourly rate limit)');
like($alarms[0] // '', qr/CN=b\.example\.test/, '... naming its certificate');
like($alarms[0] // '',
	qr/DETAIL:  The certificate with subject "\/O=sslinfo_ext test\/CN=b\.example\.test" and serial number \d+, served for the pg_hosts\.conf entry "b\.example\.test" \(line 2\), is valid until .*\.\n/,
	'... and the pg_hosts.conf entry it is served for');
like($alarms[0] // '',
	qr/HINT:  Install a renewed certificate in "\Q$pgdata\E\/b\.example\.test\.crt", the certificate file of that pg_hosts\.conf entry, and reload the configuration\.\n/,
	'... whose file the hint names (not ssl_cert_file)');
unlike($log, qr/certificate expires.*\n.*CN=a\.example\.test/, 'none for a.example.test');

# ---- the audit ----------------------------------------------------------------------

sub audit_sni
{
	return $node->safe_psql('postgres',
		q{SELECT status || ' ' || detail FROM ssl_config_audit() WHERE check_name = 'sni_hosts'});
}
note('audit: ' . audit_sni());
like(audit_sni(),
	qr/^warning pg_hosts\.conf: line 2 \(b\.example\.test\): the server certificate "\/O=sslinfo_ext test\/CN=b\.example\.test" expires at .*, within 7 days\.$/,
	'sni_hosts: b.example.test expiring within the window is a warning');

chmod(0644, "$pgdata/a.example.test.key");
like(audit_sni(),
	qr/^error .*line 1 \(a\.example\.test\): the key ".*a\.example\.test\.key" has mode 0644 and is owned by the server's user: it has more than owner read-write access, so PostgreSQL refuses to load it(;|\.$)/,
	'sni_hosts: a key others can read is an error');
chmod(0600, "$pgdata/a.example.test.key");

open($hosts, '>', "$pgdata/pg_hosts.conf") or die $!;
print $hosts "a.example.test $pgdata/a.example.test.crt $pgdata/b.example.test.key $pgdata/ca.crt\n";
close($hosts);
like(audit_sni(),
	qr/^error .*line 1 \(a\.example\.test\): the private key in key file ".*b\.example\.test\.key" does not belong to the certificate in certificate file ".*a\.example\.test\.crt"/,
	'sni_hosts: a key of another certificate is an error (the file on disk is judged, as the next reload loads it)');

# ---- the monitoring query ----------------------------------------------------------

my $yml = slurp('monitoring/postgres_exporter.yml');
my ($query) = $yml =~ /sslinfo_ext_server_cert:\n  master: true\n  query: \|\n((?:    .*\n)+)/;
ok(defined $query, 'the server certificate query of monitoring/postgres_exporter.yml');
open($hosts, '>', "$pgdata/pg_hosts.conf") or die $!;
print $hosts "a.example.test $pgdata/a.example.test.crt $pgdata/a.example.test.key $pgdata/ca.crt\n";
print $hosts "b.example.test $pgdata/b.example.test.crt $pgdata/b.example.test.key $pgdata/ca.crt\n";
close($hosts);
my $rows = $node->safe_psql('postgres', "SELECT sni_host || ' ' || role FROM ($query) AS q WHERE sni_host <> '' ORDER BY 1");
is($rows, "a.example.test ca\na.example.test server\nb.example.test ca\nb.example.test server", 'the exporters\' query labels each entry\'s certificate with sni_host');

done_testing();
