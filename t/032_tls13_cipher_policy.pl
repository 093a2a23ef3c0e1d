# The cipher policy over TLS 1.3 (PostgreSQL 18+: ssl_tls13_ciphers and
# sslinfo_ext.allowed_tls13_ciphers), with real handshakes:
# openssl s_client -starttls postgres -tls1_3 -ciphersuites forces one
# suite.  Covers: the untouched default taken as the allowlist (one LOG
# line, no TLS 1.3 bypass WARNING, the audit's tls13_bypass ok), each
# allowed suite negotiating, ALTER SYSTEM with a narrower value (applied
# at reload) and with each class of bad value (ERROR), a reload with a bad
# value (LOG, old value and service kept), a start with a bad value (FATAL
# naming the entry), a narrower allowlist, a bad allowlist at start, warn
# mode, and ssl_tls13_cipher_policy_check().  On 15 and 17 it checks that
# nothing changed: no setting, the function says why, the TLS 1.3 bypass is
# still reported.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('tls13', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

my @default = qw(TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256
  TLS_AES_128_GCM_SHA256 TLS_AES_128_CCM_SHA256);
my $default = join(':', @default);

sub audit_row
{
	my ($check) = @_;
	return $node->safe_psql('postgres',
		"SELECT status || ' ' || detail FROM ssl_config_audit() WHERE check_name = '$check'");
}

my ($rc, $out, $err);
if ($node->pg_version < 18)
{
	($rc, $out, $err) = $node->psql('postgres', 'SHOW sslinfo_ext.allowed_tls13_ciphers');
	like($err, qr/unrecognized configuration parameter "sslinfo_ext\.allowed_tls13_ciphers"/,
		'before 18: no sslinfo_ext.allowed_tls13_ciphers');
	($rc, $out, $err) = $node->psql('postgres',
		q{SELECT * FROM ssl_tls13_cipher_policy_check('TLS_AES_128_GCM_SHA256')},
		extra_params => [ '-v', 'VERBOSITY=default' ]);
	like($err,
		qr/ERROR:  ssl_tls13_ciphers exists from PostgreSQL 18 on\nDETAIL:  Before 18 the TLS 1\.3 cipher suites are OpenSSL's/,
		'before 18: ssl_tls13_cipher_policy_check() says why it has nothing to check');
	like(slurp_file($node->logfile), qr/WARNING:  TLS 1\.3 connections bypass the ssl_ciphers policy/,
		'before 18: the TLS 1.3 bypass WARNING as before');
	like(audit_row('tls13_bypass'), qr/^warning .*allows TLS 1\.3/, 'before 18: the audit still warns');
	done_testing();
	exit;
}

# One TLS 1.3 handshake offering only $suites: the suite negotiated (or undef)
sub s_client13
{
	my ($suites) = @_;
	return (s_client_handshake($node, '-tls1_3', '-ciphersuites', $suites))[0];
}


sub show13
{
	return $node->safe_psql('postgres', 'SHOW ssl_tls13_ciphers');
}

# ---- start at PostgreSQL's built-in default -----------------------------------

my $log = slurp_file($node->logfile);
is(show13(), $default, 'the built-in default "" is taken as the allowlist: SHOW lists its four suites');
is($node->safe_psql('postgres', 'SHOW sslinfo_ext.allowed_tls13_ciphers'), $default,
	'the default allowlist: AEAD suites with 128-bit or stronger keys and full tags, no CCM_8');
like(
	$log,
	qr/LOG:  ssl_tls13_ciphers is at PostgreSQL's built-in default "", which sslinfo_ext takes as sslinfo_ext\.allowed_tls13_ciphers\n.*DETAIL:  The server offers these TLS 1\.3 cipher suites: TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256, TLS_AES_128_CCM_SHA256\./,
	'one LOG line says so, listing the suites');
unlike($log, qr/TLS 1\.3 connections bypass/, 'no TLS 1.3 bypass WARNING: ssl_tls13_ciphers is governed');
like(audit_row('tls13_bypass'),
	qr/^ok TLS 1\.3 sessions are held to the cipher policy too: ssl_tls13_ciphers = '\Q$default\E' conforms/,
	'ssl_config_audit(): tls13_bypass is ok');

(undef, $out) = $node->psql('postgres', 'SHOW ssl_tls13_ciphers',
	extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]);
note("show:\n$out");
# for doc/cipher-policy.md (in the test's log)
(undef, $out) = $node->psql('postgres',
	q{SELECT * FROM ssl_tls13_cipher_policy_check('TLS_AES_256_GCM_SHA384:tls_aes_128_gcm_sha256:TLS_AES_128_CCM_8_SHA256;TLS_AES_128_GCM_SHA256')},
	extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]);
note("check:\n$out");
foreach my $suite (@default)
{
	is(s_client13($suite), $suite, "default: $suite negotiates over TLS 1.3");
}
is(s_client13('TLS_AES_128_CCM_8_SHA256'), undef, 'default: TLS_AES_128_CCM_8_SHA256 is not offered');

# ---- ALTER SYSTEM --------------------------------------------------------------

($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET ssl_tls13_ciphers = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'");
is($rc, 0, 'ALTER SYSTEM accepts two allowed suites separated by ":"');
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_tls13_ciphers') = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'")
  or die 'timed out';
is(s_client13('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256'), 'TLS_CHACHA20_POLY1305_SHA256',
	'after the reload: a suite outside the value is not chosen');
is(s_client13('TLS_AES_128_GCM_SHA256'), undef, 'after the reload: a client offering only it is refused');
is(s_client13('TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'),
	'TLS_AES_256_GCM_SHA384', 'the server\'s order wins');

my @bad = (
	[
		'TLS_AES_128_CCM_8_SHA256',
		qr/invalid entry 1 in parameter "ssl_tls13_ciphers": "TLS_AES_128_CCM_8_SHA256"\nDETAIL:  OpenSSL knows "TLS_AES_128_CCM_8_SHA256", but sslinfo_ext\.allowed_tls13_ciphers does not allow it\.\nHINT:  Set TLS 1\.3 cipher suite names separated by ":", from: TLS_AES_256_GCM_SHA384, /,
		'known but not allowed'
	],
	[
		'TLS_AES_256_GCM_SHA384;TLS_AES_128_GCM_SHA256',
		qr/invalid entry 1 .*\nDETAIL:  Entry 1 uses ";" as a separator; ssl_tls13_ciphers separates names with ":"\./,
		'";" as a separator'
	],
	[
		'ECDHE-RSA-AES128-GCM-SHA256',
		qr/DETAIL:  "ECDHE-RSA-AES128-GCM-SHA256" is not a TLS 1\.3 cipher suite; ssl_tls13_ciphers governs TLS 1\.3 only\./,
		'a TLS 1.2 suite'
	],
	[ '', qr/invalid entry 1 in parameter "ssl_tls13_ciphers": ""\nDETAIL:  The value is empty\./, 'empty value' ],
	[
		'TLS_AES_256_GCM_SHA384::TLS_AES_128_GCM_SHA256',
		qr/invalid entry 2 .*\nDETAIL:  Entry 2 is empty: entries are separated by a single ":", and only one ":" may end the value\./,
		'"::"'
	],
	[
		'tls_aes_256_gcm_sha384',
		qr/DETAIL:  Cipher suite names are case-sensitive; the suite is spelt "TLS_AES_256_GCM_SHA384"\./,
		'wrong letter case'
	],
	[
		'TLS_AES_256_GCM_SHA348',
		qr/DETAIL:  OpenSSL knows no cipher suite named "TLS_AES_256_GCM_SHA348"; did you mean "TLS_AES_256_GCM_SHA384"\?/,
		'misspelt'
	],
	[ 'ALL', qr/DETAIL:  ssl_tls13_ciphers must name cipher suites; "ALL" is not accepted there\./, 'ALL' ],
	[
		'TLS_AES_256_GCM_SHA384 TLS_AES_128_GCM_SHA256',
		qr/DETAIL:  Entry 1 uses a space as a separator; ssl_tls13_ciphers separates names with ":"\./,
		'a space as a separator'
	],);
foreach my $case (@bad)
{
	my ($value, $expected, $name) = @$case;
	($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_tls13_ciphers = '$value'",
		extra_params => [ '-v', 'VERBOSITY=default' ]);
	isnt($rc, 0, "ALTER SYSTEM refuses: $name");
	like($err, $expected, "ALTER SYSTEM message: $name");
}
like(slurp_file($node->data_dir . '/postgresql.auto.conf'),
	qr/ssl_tls13_ciphers = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256'/,
	'no refused value reached postgresql.auto.conf');

# ---- reload with a bad value -------------------------------------------------------

$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_tls13_ciphers');
$node->append_conf('postgresql.conf', "ssl_tls13_ciphers = 'TLS_AES_128_GCM_SHA256'");
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('ssl_tls13_ciphers') = 'TLS_AES_128_GCM_SHA256'")
  or die 'timed out';
my $offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "ssl_tls13_ciphers = 'TLS_AES_128_GCM_SHA256:TLS_NO_SUCH_SUITE'");
$node->reload;
$node->wait_for_log(qr/contains errors; unaffected changes were applied/, $offset);
like(
	log_since($node, $offset),
	qr/LOG:  invalid entry 2 in parameter "ssl_tls13_ciphers": "TLS_NO_SUCH_SUITE"\n.*DETAIL:  OpenSSL knows no cipher suite named "TLS_NO_SUCH_SUITE"\./,
	'reload with a bad value: LOG names the entry');
is(show13(), 'TLS_AES_128_GCM_SHA256', 'reload with a bad value: SHOW keeps the value in force');
is(s_client13('TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256',
	'reload with a bad value: TLS 1.3 keeps working with the old suite');
like(audit_row('tls13_bypass'), qr/^ok .*ssl_tls13_ciphers = 'TLS_AES_128_GCM_SHA256' conforms/,
	'the audit judges the value in force');

# ---- start with a bad value ------------------------------------------------------

$node->stop;
$offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'start with a bad ssl_tls13_ciphers fails');
like(
	log_since($node, $offset),
	qr/FATAL:  invalid entry 2 in parameter "ssl_tls13_ciphers": "TLS_NO_SUCH_SUITE"\n.*DETAIL:  OpenSSL knows no cipher suite named "TLS_NO_SUCH_SUITE"\.\n.*HINT:  Set TLS 1\.3 cipher suite names separated by ":", from: /,
	'start with a bad value: FATAL names the entry and its position');

# ---- a narrower allowlist, and a bad one -------------------------------------------

$node->adjust_conf('postgresql.conf', 'ssl_tls13_ciphers', undef);
$node->append_conf('postgresql.conf', "sslinfo_ext.allowed_tls13_ciphers = 'TLS_AES_256_GCM_SHA384'");
$node->start;
is(show13(), 'TLS_AES_256_GCM_SHA384', 'narrower allowlist: the default stands for it');
is(s_client13('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256'), undef,
	'narrower allowlist: other suites are refused');
is(s_client13('TLS_AES_256_GCM_SHA384'), 'TLS_AES_256_GCM_SHA384', 'narrower allowlist: its suite negotiates');
is( $node->safe_psql('postgres',
		q{SELECT string_agg(name, ',' ORDER BY name) FROM ssl_supported_ciphers() WHERE allowed AND protocol = 'TLSv1.3'}),
	'TLS_AES_256_GCM_SHA384',
	'ssl_supported_ciphers(): allowed marks the TLS 1.3 allowlist');
is( $node->safe_psql('postgres',
		q{SELECT position || ' ' || ok || ' ' || coalesce(detail, '') FROM ssl_tls13_cipher_policy_check('TLS_AES_128_GCM_SHA256:')}),
	"1 false OpenSSL knows \"TLS_AES_128_GCM_SHA256\", but sslinfo_ext.allowed_tls13_ciphers does not allow it.",
	'ssl_tls13_cipher_policy_check(): a suite outside the allowlist (one trailing ":" accepted)');
is( $node->safe_psql('postgres',
		q{SELECT position || ' ' || ok || ' ' || coalesce(detail, '') FROM ssl_tls13_cipher_policy_check('TLS_AES_256_GCM_SHA384:TLS_AES_256_GCM_SHA384')}),
	"1 true \n2 false The value has more than 1 entries, the number of allowed cipher suites.",
	'ssl_tls13_cipher_policy_check(): one row per entry, no more entries than allowed suites');
($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET sslinfo_ext.allowed_tls13_ciphers = 'TLS_AES_256_GCM_SHA384;TLS_AES_128_GCM_SHA256'");
like($err, qr/invalid entry 1 in parameter "sslinfo_ext\.allowed_tls13_ciphers"/,
	'ALTER SYSTEM refuses an allowlist in the wrong syntax');
$node->stop;

$node->adjust_conf('postgresql.conf', 'sslinfo_ext.allowed_tls13_ciphers',
	"'TLS_AES_256_GCM_SHA384:DHE-RSA-AES128-GCM-SHA256'");
$offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'start with a bad TLS 1.3 allowlist fails');
like(
	log_since($node, $offset),
	qr/FATAL:  invalid entry 2 in parameter "sslinfo_ext\.allowed_tls13_ciphers": "DHE-RSA-AES128-GCM-SHA256"\n.*DETAIL:  "DHE-RSA-AES128-GCM-SHA256" is not a TLS 1\.3 cipher suite; sslinfo_ext\.allowed_tls13_ciphers governs TLS 1\.3 only\./,
	'start with a bad TLS 1.3 allowlist: FATAL names the entry');

# ---- warn mode ---------------------------------------------------------------------

$node->adjust_conf('postgresql.conf', 'sslinfo_ext.allowed_tls13_ciphers', "'TLS_AES_256_GCM_SHA384'");
$node->append_conf('postgresql.conf',
	"sslinfo_ext.cipher_policy = warn\nssl_tls13_ciphers = 'TLS_AES_128_GCM_SHA256'");
$offset = -s $node->logfile;
$node->start;
like(
	log_since($node, $offset),
	qr/WARNING:  invalid entry 1 in parameter "ssl_tls13_ciphers": "TLS_AES_128_GCM_SHA256"\n.*DETAIL:  OpenSSL knows "TLS_AES_128_GCM_SHA256", but sslinfo_ext\.allowed_tls13_ciphers does not allow it\. sslinfo_ext\.cipher_policy is "warn"/,
	'warn: a refused ssl_tls13_ciphers at start is a WARNING');
is(show13(), 'TLS_AES_128_GCM_SHA256', 'warn: the value is applied');
is(s_client13('TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256', 'warn: and negotiates');
like(audit_row('tls13_bypass'),
	qr/^error ssl_tls13_ciphers = 'TLS_AES_128_GCM_SHA256' does not conform to the cipher policy: entry 1/,
	'warn: the audit reports the value as an error');
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_tls13_ciphers = 'TLS_NO_SUCH_SUITE'");
is($rc, 0, 'warn: ALTER SYSTEM accepts a value on would refuse');
like($err, qr/WARNING:  invalid entry 1 in parameter "ssl_tls13_ciphers": "TLS_NO_SUCH_SUITE"/,
	'warn: ... with a WARNING');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_tls13_ciphers');
$node->stop;

# warn leaves the default "" alone: OpenSSL's own TLS 1.3 suites
$node->adjust_conf('postgresql.conf', 'ssl_tls13_ciphers', undef);
$offset = -s $node->logfile;
$node->start;
is(show13(), '', 'warn: the built-in default stays ""');
like(log_since($node, $offset),
	qr/LOG:  ssl_tls13_ciphers is at PostgreSQL's built-in default "", which sslinfo_ext\.cipher_policy = warn leaves as it is/,
	'warn: with a LOG line saying so');
is(s_client13('TLS_AES_128_GCM_SHA256'), 'TLS_AES_128_GCM_SHA256',
	'warn: at the default OpenSSL\'s suites negotiate, outside the allowlist too');

done_testing();
