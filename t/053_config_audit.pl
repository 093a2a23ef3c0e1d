# ssl_config_audit(): every check passes on a hardened cluster and is
# tripped by a configuration made to trip it.  A hint comes with every row
# that is not ok, and only with those.  EXECUTE for superusers and
# pg_monitor, whose members get the pg_hba.conf checks only if they may read
# pg_hba_file_rules.

use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

my @checks = qw(ssl_enabled server_cert_expiry server_key_match
  server_key_permissions sni_hosts ca_configured crl_configured cipher_policy
  tls13_bypass min_protocol tls12_key_exchange key_exchange_groups
  server_cipher_order hba_non_tls_remote hba_weak_auth
  hba_no_client_cert hba_oauth_without_tls password_encryption require_ssl
  fips_mode);

# Not hardening this cluster can have: TLS 1.2 with the seed's DHE suites
# (tls12_key_exchange, t/057 has the way out) and FIPS mode (no FIPS
# provider is installed where the tests run).
my %beyond = (
	tls12_key_exchange => [ 'warning', qr/draft-ietf-tls-deprecate-obsolete-kex/ ],
	fips_mode => [ 'warning', qr/runs without the FIPS default properties|does not run in FIPS mode/ ]);
# Before OpenSSL 3.0 (the OpenSSL 1.1.1 leg; the openssl command is the
# server's library's) the groups cannot be judged: a warning saying so
# (t/056 has the details).
my ($openssl_major) = `openssl version` =~ /^OpenSSL (\d+)\./;
$beyond{key_exchange_groups} =
  [ 'warning', qr/could not be judged: OpenSSL before 3\.0 does not describe its groups\.$/ ]
  if ($openssl_major // 0) < 3;

my $hardened_hba = <<'EOF';
local   all all                 trust
hostssl all all 0.0.0.0/0       scram-sha-256 clientcert=verify-full
hostssl all all ::/0            cert
host    all all 127.0.0.1/32    trust
EOF

my $weak_hba = <<'EOF';
local     all all               trust
host      all all 127.0.0.1/32  trust
host      all all 0.0.0.0/0     md5
hostnossl all all ::/0          trust
hostssl   all all 10.0.0.0/8    scram-sha-256
hostssl   all all 192.0.2.0/24  reject
EOF

my $node = new_tls_node(
	'audit',
	preload    => 1,
	extra_conf => <<'EOF');
sslinfo_ext.cipher_policy = on
ssl_ciphers = 'ALL'
ssl_min_protocol_version = 'TLSv1.2'
ssl_max_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
sslinfo_ext.require_ssl = on
EOF
my $pgdata = $node->data_dir;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION sslinfo_ext;
	CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
	CREATE ROLE nobody LOGIN;
});

sub write_hba
{
	my ($content) = @_;
	open(my $fh, '>', "$pgdata/pg_hba.conf") or die $!;
	print $fh $content;
	close($fh);
}

# Append settings, reload, and wait until a new session sees the last one.
sub reconfigure
{
	my ($conf, $probe) = @_;
	$node->append_conf('postgresql.conf', $conf);
	$node->reload;
	$node->poll_query_until('postgres', $probe)
	  or die "configuration not applied: $probe";
}

# check_name => [status, detail, hint] as $user sees it
sub audit
{
	my ($user) = @_;
	my ($rc, $out, $err) = $node->psql(
		'postgres',
		q{SELECT check_name, status, detail, coalesce(hint, '<null>')
		  FROM ssl_config_audit()},
		extra_params => [ '-U', $user // 'postgres', '-F', "\t" ]);
	die "ssl_config_audit() as " . ($user // 'postgres') . ": $err" if $rc;
	my (%rows, @order);
	foreach my $line (split /\n/, $out)
	{
		my ($name, $status, $detail, $hint) = split /\t/, $line;
		$hint = undef if $hint eq '<null>';
		$rows{$name} = [ $status, $detail, $hint ];
		push @order, $name;
	}
	return (\%rows, \@order);
}

# Compare the statuses with %expected (checks not named must be ok) and
# check the hint rule on every row.
sub check_audit
{
	my ($config, $expected, $user) = @_;
	my ($rows, $order) = audit($user);
	is_deeply($order, \@checks, "$config: every check, in order");
	foreach my $check (@checks)
	{
		my ($status, $detail, $hint) = @{ $rows->{$check} // [ 'missing', '', undef ] };
		my ($want, $detail_re) = @{ $expected->{$check} // ['ok'] };
		is($status, $want, "$config: $check is $want") or diag($detail);
		like($detail, $detail_re, "$config: $check detail") if $detail_re;
		if ($status eq 'ok')
		{
			ok(!defined $hint, "$config: $check (ok) has no hint");
		}
		else
		{
			ok(defined $hint && length $hint, "$config: $check ($status) has a hint");
		}
	}
	return $rows;
}

# --- the hardened cluster: every check passes --------------------------------

write_hba($hardened_hba);
reconfigure('', 'SELECT true');
# (one certificate, one CA certificate and one CRL: the singular wordings)
check_audit(
	'hardened',
	{
		%beyond,
		server_cert_expiry => [ 'ok', qr/^1 certificate in ssl_cert_file: "\/O=sslinfo_ext test\/CN=localhost", valid until / ],
		ca_configured => [ 'ok', qr/^ssl_ca_file ".*ca\.crt" holds 1 CA certificate\.$/ ],
		crl_configured => [ 'ok', qr/^1 CRL configured; its next update is due at .* \(".*root\.crl"\)\.$/ ],
	});

# --- weak configuration A -----------------------------------------------------

# A certificate that expires in 2 days; the cipher policy off (a restart:
# its settings are restart-only) with PostgreSQL's default ssl_ciphers.
copy("$certdir/server_expiring.crt", "$pgdata/server.crt") or die $!;
copy("$certdir/server_expiring.key", "$pgdata/server.key") or die $!;
chmod(0600, "$pgdata/server.key");
write_hba($weak_hba);
$node->append_conf('postgresql.conf', <<'EOF');
ssl_ca_file = ''
ssl_crl_file = ''
sslinfo_ext.cipher_policy = off
ssl_ciphers = 'HIGH:MEDIUM:+3DES:!aNULL'
ssl_min_protocol_version = 'TLSv1'
sslinfo_ext.require_ssl = off
password_encryption = 'md5'
EOF
$node->restart;

# Then, with the server running, a key that does not belong to the
# certificate, readable by everyone (PostgreSQL would refuse to start so).
copy("$certdir/client_plain.key", "$pgdata/server.key") or die $!;
chmod(0644, "$pgdata/server.key");

# pg_hba_file_rules names the file of each rule from 16 on, and the audit
# shows it before the line number.
my $hba_at =
  $node->pg_version >= 16 ? quotemeta("$pgdata/pg_hba.conf") . ':' : '';

my $rows = check_audit(
	'weak A',
	{
		%beyond,
		server_cert_expiry => [ 'warning', qr/^The server certificate "\/O=sslinfo_ext test\/CN=localhost" in ssl_cert_file expires at .*, within 7 days\.$/ ],
		server_key_match => [ 'error', qr/does not belong to the certificate/ ],
		server_key_permissions => [ 'error', qr/has mode 0644/ ],
		ca_configured => [ 'warning', qr/ssl_ca_file is not set/ ],
		crl_configured => [ 'warning', qr/Neither ssl_crl_file nor ssl_crl_dir is set/ ],
		cipher_policy => [ 'error', qr/HIGH:MEDIUM:\+3DES:!aNULL/ ],
		min_protocol => [ 'error', qr/'TLSv1'/ ],
		hba_non_tls_remote => [ 'warning', qr/^2 pg_hba.conf rules admit remote TCP clients without TLS: ${hba_at}line 3 \(host all all 0\.0\.0\.0\/0 md5\); ${hba_at}line 4 \(hostnossl all all ::\/0 trust\)\.$/ ],
		hba_weak_auth => [ 'error', qr/^2 pg_hba.conf rules let remote clients in with trust, password or md5: .*line 3 .*line 4 / ],
		hba_no_client_cert => [ 'warning', qr/^1 hostssl rule does not verify a client certificate: .*line 5 \(hostssl all all 10\.0\.0\.0\/8 scram-sha-256\)\.$/ ],
		password_encryption => [ 'error', qr/'md5'/ ],
		require_ssl => [ 'warning', qr/require_ssl is off/ ],
	});

# md5 alone is a warning; trust and password are errors.
write_hba("local all all trust\nhost all all 0.0.0.0/0 md5\n");
$node->reload;
$node->poll_query_until('postgres',
	q{SELECT count(*) = 2 FROM pg_hba_file_rules});
($rows) = audit();
is($rows->{hba_weak_auth}[0], 'warning', 'hba_weak_auth: md5 only is a warning');
like($rows->{hba_weak_auth}[1], qr/^1 pg_hba.conf rule lets remote clients in with trust, password or md5: .*line 2 /,
	'hba_weak_auth: one rule, in the singular');
like($rows->{hba_non_tls_remote}[1], qr/^1 pg_hba.conf rule admits remote TCP clients without TLS: .*line 2 /,
	'hba_non_tls_remote: one rule, in the singular');

# --- weak configuration B -----------------------------------------------------

# ssl off; require_ssl on (so without effect); a stale CRL; TLS 1.3 allowed
# under the policy; a passphrase-protected key.
copy("$certdir/server.crt", "$pgdata/server.crt") or die $!;
copy("$certdir/server-encrypted.key", "$pgdata/server.key") or die $!;
chmod(0600, "$pgdata/server.key");
copy("$certdir/ca.crt", "$pgdata/ca.crt") or die $!;
copy("$certdir/root-stale.crl", "$pgdata/stale.crl") or die $!;
write_hba($weak_hba);
$node->append_conf('postgresql.conf', <<'EOF');
ssl = off
ssl_ca_file = 'ca.crt'
ssl_crl_file = 'stale.crl'
sslinfo_ext.cipher_policy = on
ssl_ciphers = 'ALL'
ssl_min_protocol_version = 'TLSv1.2'
ssl_max_protocol_version = ''
sslinfo_ext.require_ssl = on
password_encryption = 'scram-sha-256'
EOF
$node->restart;

check_audit(
	'weak B',
	{
		%beyond,
		ssl_enabled => [ 'error', qr/ssl is off/ ],
		server_key_match => [ 'warning', qr/protected by a passphrase/ ],
		crl_configured => [ 'error', qr/The CRL of "\/O=sslinfo_ext test\/CN=sslinfo_ext Test Root CA" in "stale.crl" is stale/ ],
		# from 18 ssl_tls13_ciphers is governed too: nothing bypasses
		tls13_bypass => $node->pg_version >= 18
		? [ 'ok', qr/TLS 1\.3 sessions are held to the cipher policy too/ ]
		: [ 'warning', qr/allows TLS 1.3/ ],
		hba_non_tls_remote => [ 'warning', qr/^2 pg_hba.conf rules admit / ],
		hba_weak_auth => [ 'error' ],
		# with ssl off, PostgreSQL marks hostssl lines as errors
		hba_no_client_cert => [ 'ok', qr/Lines with errors were not checked \(${hba_at}line 5: hostssl record cannot match because SSL is disabled; ${hba_at}line 6: .*\)\.$/ ],
		require_ssl => [ 'warning', qr/no effect, because ssl is off/ ],
	});

# With require_ssl in force, the same non-TLS rules are harmless.
reconfigure("ssl = on\n", "SELECT current_setting('ssl') = 'on'");
($rows) = audit();
is($rows->{require_ssl}[0], 'ok', 'ssl on again: require_ssl is in force');
is($rows->{hba_non_tls_remote}[0], 'ok',
	'hba_non_tls_remote: ok while require_ssl refuses non-TLS connections');
like($rows->{hba_non_tls_remote}[1], qr/but sslinfo_ext.require_ssl refuses such connections/,
	'... and the detail still lists the rules');

# --- privileges -----------------------------------------------------------------

($rows) = audit('watcher');
is(scalar(keys %$rows), scalar(@checks), 'pg_monitor member: every check');
foreach my $check (qw(hba_non_tls_remote hba_weak_auth hba_no_client_cert))
{
	is($rows->{$check}[0], 'warning', "pg_monitor member: $check is a warning");
	like($rows->{$check}[1], qr/may not read pg_hba_file_rules/,
		"pg_monitor member: $check says pg_hba.conf could not be read");
}
$node->safe_psql('postgres', q{
	GRANT SELECT ON pg_catalog.pg_hba_file_rules TO watcher;
	GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO watcher;
});
($rows) = audit('watcher');
is($rows->{hba_weak_auth}[0], 'error',
	'pg_monitor member allowed to read pg_hba_file_rules: the checks run');

my ($rc, $out, $err) = $node->psql('postgres', 'SELECT * FROM ssl_config_audit()',
	extra_params => [ '-U', 'nobody' ]);
like($err, qr/permission denied for function ssl_config_audit/,
	'PUBLIC may not run the audit');
$node->stop;

# --- require_ssl set but the library not preloaded ----------------------------

my $plain = new_tls_node('audit_nopreload',
	extra_conf => "sslinfo_ext.require_ssl = on\n");
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
is( $plain->safe_psql('postgres',
		q{SELECT status || ': ' || detail FROM ssl_config_audit() WHERE check_name = 'require_ssl'}),
	'warning: sslinfo_ext.require_ssl is on but has no effect, because sslinfo_ext is not in shared_preload_libraries.',
	'require_ssl on without preloading: a warning that it has no effect');
$plain->stop;

done_testing();
