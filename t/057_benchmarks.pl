# ssl_config_audit()'s newer checks and the benchmarks judged by them, over
# real configurations and real handshakes:
# - tls12_key_exchange: TLS 1.2 allowed while suites with finite-field DHE
#   or RSA key exchange are in force (the seed's four DHE suites, a real
#   TLS 1.2 handshake negotiating one) is a warning naming
#   draft-ietf-tls-deprecate-obsolete-kex; TLS 1.3 only, or ECDHE suites
#   only (openGauss 3.0's ECDHE suites), is ok.
# - hba_oauth_without_tls (18+): an oauth rule on host/hostnossl is an
#   error; on hostssl it is ok; before 18 the check says there is no oauth.
# - fips_mode: the OpenSSL the server runs on, without FIPS default
#   properties (no FIPS provider is installed here), is a warning.
# - benchmark_refs, ssl_config_benchmarks(), ssl_config_benchmark(): CIS
#   PostgreSQL 14 v1.2.0's 6.9 passes with a TLS 1.2 minimum that fails CIS
#   PostgreSQL 17 v1.0.0's 6.9; the STIG's CA items are manual, its FIPS
#   item fails without FIPS; an unknown benchmark is an error.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('bench', preload => 1, extra_conf => <<'EOF2');
ssl_min_protocol_version = 'TLSv1.2'
EOF2
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION sslinfo_ext;
	CREATE ROLE watcher LOGIN IN ROLE pg_monitor;
	CREATE ROLE nobody LOGIN;
});
my $pgdata = $node->data_dir;
my $v18 = $node->pg_version >= 18;

# item => [status, evidence] of one benchmark
sub benchmark
{
	my ($name) = @_;
	my $out = $node->safe_psql('postgres',
		"SELECT concat_ws(chr(31), item, title, status, evidence, array_to_string(checks, ',')) "
		  . "FROM ssl_config_benchmark('$name')");
	my (%items, @order);
	foreach my $line (split /\n/, $out)
	{
		my ($item, $title, $status, $evidence, $checks) = split /\x1f/, $line;
		$items{$item} = { title => $title, status => $status,
			evidence => $evidence, checks => $checks };
		push @order, $item;
	}
	return (\%items, \@order);
}

# ---- tls12_key_exchange ------------------------------------------------------

# The default: the cipher policy's four DHE suites, TLS 1.2 allowed.
my ($status, $detail, $hint) = audit_row($node, 'tls12_key_exchange');
is($status, 'warning', 'seed suites with TLS 1.2 allowed: tls12_key_exchange is a warning');
like($detail,
	qr/^TLS 1\.2 is allowed \(ssl_min_protocol_version = 'TLSv1\.2'\), and 4 cipher suites of ssl_ciphers = '.*' use finite-field DHE or RSA key exchange, which draft-ietf-tls-deprecate-obsolete-kex deprecates in TLS 1\.2: DHE-RSA-AES128-GCM-SHA256, /,
	'... naming the suites and the IETF draft, in the plural');
like($hint, qr/ssl_min_protocol_version = 'TLSv1\.3'.*openGauss 3\.0/,
	'... and the way out: TLS 1.3 only, or the openGauss 3.0 ECDHE suites');
# what a real TLS 1.2 handshake gets
like((s_client_handshake($node, '-tls1_2'))[0] // '', qr/^DHE-RSA-/,
	'a real TLS 1.2 handshake negotiates a DHE suite');

# One suite only: the singular.
set_and_reload($node, 'ssl_ciphers', 'DHE-RSA-AES128-GCM-SHA256');
($status, $detail) = audit_row($node, 'tls12_key_exchange');
like($detail, qr/, and 1 cipher suite of ssl_ciphers = 'DHE-RSA-AES128-GCM-SHA256' uses finite-field DHE or RSA key exchange, .*: DHE-RSA-AES128-GCM-SHA256\.$/,
	'one suite: the singular');

# TLS 1.3 only: ok, and the handshake is TLS 1.3.
set_and_reload($node, 'ssl_min_protocol_version', 'TLSv1.3');
($status, $detail, $hint) = audit_row($node, 'tls12_key_exchange');
is($status, 'ok', 'TLS 1.3 only: tls12_key_exchange is ok');
like($detail, qr/^ssl_min_protocol_version = 'TLSv1\.3': TLS 1\.2 cannot be negotiated/,
	'... saying TLS 1.2 cannot be negotiated');
is((s_client_handshake($node, '-tls1_2'))[0], undef,
	'... and a TLS 1.2 handshake fails');

my ($cis14, $order14) = benchmark('CIS PostgreSQL 14 v1.2.0');
my ($cis17, $order17) = benchmark('CIS PostgreSQL 17 v1.0.0');
is($cis17->{'6.9'}{status}, 'pass', 'TLS 1.3 minimum: CIS PostgreSQL 17 v1.0.0 6.9 passes');
is($cis14->{'6.9'}{status}, 'pass', 'TLS 1.3 minimum: CIS PostgreSQL 14 v1.2.0 6.9 passes');

# Back to TLS 1.2, with the ECDHE suites of openGauss 3.0's allowlist (the
# allowlist is restart-only).
$node->append_conf('postgresql.conf', <<'EOF2');
sslinfo_ext.allowed_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256;ECDHE-RSA-AES256-GCM-SHA384;ECDHE-ECDSA-AES128-GCM-SHA256;ECDHE-ECDSA-AES256-GCM-SHA384'
ssl_ciphers = 'ALL'
ssl_min_protocol_version = 'TLSv1.2'
EOF2
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ALL');
$node->restart;
($status, $detail) = audit_row($node, 'tls12_key_exchange');
is($status, 'ok', 'ECDHE suites only with TLS 1.2: tls12_key_exchange is ok');
like($detail, qr/^TLS 1\.2 is allowed, and no cipher suite of ssl_ciphers = '.*' uses finite-field DHE or RSA key exchange\.$/,
	'... saying why');
like((s_client_handshake($node, '-tls1_2'))[0] // '', qr/^ECDHE-RSA-/,
	'... and a real TLS 1.2 handshake negotiates an ECDHE suite');

# ---- the benchmarks on this configuration ------------------------------------

($cis14, $order14) = benchmark('CIS PostgreSQL 14 v1.2.0');
($cis17, $order17) = benchmark('CIS PostgreSQL 17 v1.0.0');
is_deeply($order17, [ '6.8', '6.9' ], 'CIS PostgreSQL 17 v1.0.0: its TLS items');
is($cis17->{'6.9'}{title}, 'Ensure that TLSv1.3, or later, is configured',
	'CIS 17 6.9: the title, verbatim');
is($cis14->{'6.9'}{title}, 'Ensure the TLSv1.0 and TLSv1.1 Protocols are Disabled',
	'CIS 14 6.9: the title, verbatim');
is($cis14->{'6.9'}{status}, 'pass', 'TLS 1.2 minimum: CIS 14 6.9 passes');
is($cis17->{'6.9'}{status}, 'fail', 'TLS 1.2 minimum: CIS 17 6.9 fails');
like($cis17->{'6.9'}{evidence},
	qr/^min_protocol \(ok\): ssl_min_protocol_version = 'TLSv1\.2'\. tls12_key_exchange \(ok\): .* The item asks for ssl_min_protocol_version = 'TLSv1\.3'; it is 'TLSv1\.2'\.$/,
	'... with the evidence of its checks and of its own requirement');
is($cis17->{'6.9'}{checks}, 'min_protocol,tls12_key_exchange', '... and its checks');
# the test cluster has a host rule without TLS (127.0.0.1 only: not remote)
is($cis17->{'6.8'}{status}, 'pass', 'CIS 17 6.8 passes on the test cluster');

my ($stig, $order_stig) = benchmark('DISA STIG Crunchy Data Postgres 16 V1R2');
is_deeply($order_stig,
	[ qw(CD16-00-003900 CD16-00-004000 CD16-00-004100 CD16-00-004200 CD16-00-004400
		  CD16-00-004900 CD16-00-008400 CD16-00-008800 CD16-00-008900) ],
	'the STIG: its TLS items');
is($stig->{'CD16-00-004200'}{status}, 'manual', 'the STIG: certificate-to-user mapping is manual');
is($stig->{'CD16-00-008400'}{status}, 'manual', 'the STIG: DoD-approved CAs are manual');
like($stig->{'CD16-00-008400'}{evidence}, qr/^ca_configured \(ok\): ssl_ca_file ".*" holds 1 CA certificate\. .* a database cannot make/,
	'... with what the database can say');
is($stig->{'CD16-00-004000'}{status}, 'pass', 'the STIG: path validation with a CA and a CRL passes');

# ---- fips_mode -----------------------------------------------------------------

($status, $detail, $hint) = audit_row($node, 'fips_mode');
is($status, 'warning', 'no FIPS provider: fips_mode is a warning');
# OpenSSL 3 has FIPS default properties; before 3 (the OpenSSL 1.1.1 leg;
# the openssl command is the server's library's) a FIPS mode, FIPS_mode()
my ($openssl_major) = `openssl version` =~ /^OpenSSL (\d+)\./;
if (($openssl_major // 0) >= 3)
{
	like($detail, qr/^OpenSSL \S+ .* runs without the FIPS default properties/,
		'... naming the OpenSSL the server runs on');
	like($hint, qr/default_properties = fips=yes/, '... and how to turn it on');
}
else
{
	like($detail, qr/^OpenSSL 1\.\S+ .* does not run in FIPS mode\.$/,
		'... naming the OpenSSL the server runs on (before 3.0: FIPS mode)');
	like($hint, qr/^Use a FIPS-validated OpenSSL in FIPS mode/, '... and how to turn it on');
}
is($stig->{'CD16-00-004400'}{status}, 'fail', 'the STIG: FIPS-validated cryptography fails');
like($stig->{'CD16-00-004400'}{evidence}, qr/^fips_mode \(warning\): /, '... by fips_mode');

# ---- benchmark_refs ----------------------------------------------------------------

is($node->safe_psql('postgres',
		q{SELECT array_to_string(benchmark_refs, '; ') FROM ssl_config_audit() WHERE check_name = 'min_protocol'}),
	'CIS PostgreSQL 17 v1.0.0 6.9; CIS PostgreSQL 14 v1.2.0 6.9; DISA STIG Crunchy Data Postgres 16 V1R2 CD16-00-004900; DISA STIG Crunchy Data Postgres 16 V1R2 CD16-00-008800; DISA STIG Crunchy Data Postgres 16 V1R2 CD16-00-008900',
	'benchmark_refs of min_protocol');
is($node->safe_psql('postgres',
		q{SELECT benchmark_refs FROM ssl_config_audit() WHERE check_name = 'server_cipher_order'}),
	'{}', 'a check no item names: no benchmark_refs');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM ssl_config_audit() a
	WHERE EXISTS (SELECT FROM ssl_config_benchmarks() b,
	              ssl_config_benchmark(b.benchmark) i
	              WHERE a.check_name = ANY (i.checks)
	              AND NOT EXISTS (SELECT FROM unnest(a.benchmark_refs) r
	                              WHERE r = b.benchmark || ' ' || i.item))}),
	'0', 'benchmark_refs and the checks of every item agree');

is($node->safe_psql('postgres',
		q{SELECT string_agg(benchmark || ': ' || items, '; ') FROM ssl_config_benchmarks() WHERE source LIKE '%https://%'}),
	'CIS PostgreSQL 17 v1.0.0: 2; CIS PostgreSQL 14 v1.2.0: 2; DISA STIG Crunchy Data Postgres 16 V1R2: 9',
	'ssl_config_benchmarks(): each benchmark with its source and item count');

my ($rc, $out, $err) = $node->psql('postgres',
	q{SELECT * FROM ssl_config_benchmark('CIS PostgreSQL 99')});
like($err, qr/ERROR:  unknown benchmark "CIS PostgreSQL 99"\nDETAIL:  The known benchmarks are "CIS PostgreSQL 17 v1\.0\.0", "CIS PostgreSQL 14 v1\.2\.0", "DISA STIG Crunchy Data Postgres 16 V1R2"\.\nHINT:  /,
	'an unknown benchmark is an error naming the known ones');

# privileges: pg_monitor may, PUBLIC may not
is($node->safe_psql('postgres',
		q{SELECT count(*) FROM ssl_config_benchmark('CIS PostgreSQL 17 v1.0.0')},
		extra_params => [ '-U', 'watcher' ]),
	'2', 'a pg_monitor member may run ssl_config_benchmark()');
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT * FROM ssl_config_benchmark('CIS PostgreSQL 17 v1.0.0')},
	extra_params => [ '-U', 'nobody' ]);
like($err, qr/permission denied for function ssl_config_benchmark/,
	'PUBLIC may not run ssl_config_benchmark()');

# ---- hba_oauth_without_tls -----------------------------------------------------

sub write_hba
{
	my ($extra) = @_;
	open(my $fh, '>', "$pgdata/pg_hba.conf") or die $!;
	print $fh <<"EOF2";
local     all all                        trust
hostnossl all all        127.0.0.1/32    trust
hostssl   all all        127.0.0.1/32    trust clientcert=verify-ca
$extra
EOF2
	close($fh);
	$node->reload;
}

if ($v18)
{
	# A validator library is needed for an oauth rule to parse; it is
	# loaded only when a client authenticates with oauth, which none does.
	set_and_reload($node, 'oauth_validator_libraries', 'sslinfo_ext_no_validator');
	write_hba(<<'EOF2');
host      oauthdb all    0.0.0.0/0       oauth issuer=https://issuer.example scope=openid
hostnossl oauthdb all    ::/0            oauth issuer=https://issuer.example scope=openid
hostssl   oauthdb all    10.0.0.0/8      oauth issuer=https://issuer.example scope=openid
EOF2
	$node->poll_query_until('postgres',
		q{SELECT count(*) = 6 FROM pg_hba_file_rules WHERE error IS NULL})
	  or die 'pg_hba.conf with oauth rules not loaded';
	($status, $detail, $hint) = audit_row($node, 'hba_oauth_without_tls');
	is($status, 'error', '18+: oauth rules on host and hostnossl: an error');
	like($detail,
		qr/^2 oauth rules in pg_hba\.conf are host or hostnossl rules, so a client's bearer token can travel unencrypted \(.*\): .*line 4 \(host oauthdb all 0\.0\.0\.0\/0 oauth .*\); .*line 5 \(hostnossl oauthdb all ::\/0 oauth .*\)\.$/,
		'... naming both rules, not the hostssl one');
	like($hint, qr/hostssl/, '... and the way out');
	($cis17) = benchmark('CIS PostgreSQL 17 v1.0.0');
	is($cis17->{'6.8'}{status}, 'fail', '18+: CIS 17 6.8 fails with an oauth rule without TLS');

	write_hba(<<'EOF2');
host      oauthdb all    0.0.0.0/0       oauth issuer=https://issuer.example scope=openid
EOF2
	$node->poll_query_until('postgres',
		q{SELECT count(*) = 4 FROM pg_hba_file_rules WHERE error IS NULL})
	  or die 'pg_hba.conf not reloaded';
	like(audit_row($node, 'hba_oauth_without_tls'),
		qr/^error 1 oauth rule in pg_hba\.conf is a host or hostnossl rule, /,
		'18+: one rule, in the singular');

	write_hba(<<'EOF2');
hostssl   oauthdb all    0.0.0.0/0       oauth issuer=https://issuer.example scope=openid
EOF2
	$node->poll_query_until('postgres',
		q{SELECT count(*) = 4 FROM pg_hba_file_rules WHERE error IS NULL})
	  or die 'pg_hba.conf not reloaded';
	is(audit_row($node, 'hba_oauth_without_tls'),
		'ok No oauth rule in pg_hba.conf lets a bearer token travel without TLS.',
		'18+: an oauth rule on hostssl only: ok');
	# and the cluster still takes TLS connections under these rules
	my ($rc2, $out2) = psql_tls($node, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
	is($out2, 't', '18+: a TLS connection under the oauth configuration');
}
else
{
	like(audit_row($node, 'hba_oauth_without_tls'),
		qr/^ok PostgreSQL \d+ has no oauth authentication method \(it comes with PostgreSQL 18\)\.$/,
		'before 18: no oauth method, nothing to check');
}

$node->stop;
done_testing();
