# sslinfo_ext.cipher_policy = warn, the rollout mode, with real handshakes.
# Covers the README's installation recipe (ssl_cipher_policy_check() on
# the running value before preloading), then on a preloaded server: a start
# with a value "on" would refuse (WARNING, the value applied, ECDHE still
# negotiates), a reload with another such value (one WARNING, from the
# postmaster only, though backends re-read the file too), ALTER SYSTEM
# (WARNING to the client, value written), a conforming "ALL" (expanded as
# with on), PostgreSQL's untouched default (left as it is, one LOG line), a
# bad allowlist at start (WARNING, the default list kept) and what
# ssl_config_audit() says in warn mode.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $all = 'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM';

my $node = new_tls_node('warn', extra_conf => "ssl_ciphers = 'HIGH:!aNULL'");
$node->start;

# ---- before preloading: the installation section's check ---------------------

$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
is( $node->safe_psql(
		'postgres',
		q{SELECT position, entry, ok FROM ssl_cipher_policy_check(current_setting('ssl_ciphers'))}
	),
	'1|HIGH:!aNULL|f',
	'without preloading, ssl_cipher_policy_check() judges the running value');
is( $node->safe_psql(
		'postgres',
		q{SELECT detail FROM ssl_cipher_policy_check(current_setting('ssl_ciphers'))}),
	'Entry 1 uses ":" as a separator, which is OpenSSL cipher-string syntax; separate names with ";".',
	'... and says why "on" would refuse it');
$node->stop;


# ---- start with a value "on" would refuse -------------------------------------

$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'sslinfo_ext'\nsslinfo_ext.cipher_policy = warn");
my $offset = -s $node->logfile;
$node->start;
my $log = log_since($node, $offset);
like(
	$log,
	qr/WARNING:  invalid entry 1 in parameter "ssl_ciphers": "HIGH:!aNULL"\n.*DETAIL:  Entry 1 uses ":" as a separator, which is OpenSSL cipher-string syntax; separate names with ";"\. sslinfo_ext\.cipher_policy is "warn": the value is applied as PostgreSQL reads it; "on" would refuse it\.\n.*HINT:  Set "ALL" or cipher suite names separated by ";", from: /,
	'warn: start with a refused value is a WARNING naming the entry, the reason and the mode');
unlike($log, qr/FATAL/, 'warn: no FATAL at start');
is($node->safe_psql('postgres', 'SHOW ssl_ciphers'), 'HIGH:!aNULL', 'warn: PostgreSQL\'s value is applied');
is($node->safe_psql('postgres', 'SHOW sslinfo_ext.cipher_policy'), 'warn', 'SHOW sslinfo_ext.cipher_policy');
is(s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256'), 'ECDHE-RSA-AES128-GCM-SHA256',
	'warn: an ECDHE suite outside the allowlist still negotiates');
my ($rc, $out, $err) = psql_tls($node, q{SELECT ssl_version()});
is($out, 'TLSv1.3', 'warn: a default psql connects');
like(scalar audit_row($node, 'cipher_policy'), qr/^error ssl_ciphers = 'HIGH:!aNULL' does not conform to the cipher policy: entry 1/,
	'warn: ssl_config_audit() reports the non-conforming value as an error');
if ($node->pg_version >= 18)
{
	like(scalar audit_row($node, 'tls13_bypass'), qr/^ok TLS 1\.3 sessions are held to the cipher policy too/,
		'warn, 18+: ssl_tls13_ciphers is checked too, nothing bypasses');
}
else
{
	like(scalar audit_row($node, 'tls13_bypass'), qr/^warning .* TLS 1\.3 sessions bypass the cipher policy/,
		'warn: the TLS 1.3 bypass is still reported');
}

# ---- reload with another refused value, with backends connected -------------

my @sessions = map { $node->background_psql('postgres') } 1 .. 2;
$_->query_safe('SELECT 1') foreach @sessions;
$offset = -s $node->logfile;
$node->append_conf('postgresql.conf', "ssl_ciphers = 'ECDHE-RSA-AES256-GCM-SHA384'");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_ciphers') = 'ECDHE-RSA-AES256-GCM-SHA384'")
  or die 'timed out';
# the sessions re-read the file when they next wake up
$_->query_safe('SELECT 1') foreach @sessions;
is($sessions[0]->query_safe("SELECT current_setting('ssl_ciphers')"), 'ECDHE-RSA-AES256-GCM-SHA384',
	'warn: a connected backend took the new value too');
$log = log_since($node, $offset);
is( count_matches(
		$log,
		qr/WARNING:  invalid entry 1 in parameter "ssl_ciphers": "ECDHE-RSA-AES256-GCM-SHA384"\n.*DETAIL:  OpenSSL knows "ECDHE-RSA-AES256-GCM-SHA384", but sslinfo_ext\.allowed_ciphers does not allow it\. sslinfo_ext\.cipher_policy is "warn"/
	),
	1,
	'warn: reload with a refused value logs exactly one WARNING (the postmaster\'s)');
unlike($log, qr/contains errors|not reloaded/, 'warn: the reload is not refused');
($rc, $out, $err) = $node->psql('postgres',
	q{SELECT applied, error IS NULL FROM pg_file_settings WHERE name = 'ssl_ciphers' ORDER BY seqno DESC LIMIT 1});
is($out, 't|t', 'warn: pg_file_settings shows the line applied, without error');
like($err, qr/WARNING:  invalid entry 1 in parameter "ssl_ciphers": "ECDHE-RSA-AES256-GCM-SHA384"/,
	'warn: ... and reading it checks the file again, with the WARNING');
is(s_client($node, 'ECDHE-RSA-AES256-GCM-SHA384'), 'ECDHE-RSA-AES256-GCM-SHA384',
	'warn: after the reload the new suite negotiates');
is(s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256'), undef, '... and only it');
$_->quit foreach @sessions;

# ---- ALTER SYSTEM --------------------------------------------------------------

($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_ciphers = 'NO-SUCH-SUITE'",
	extra_params => [ '-v', 'VERBOSITY=default' ]);
is($rc, 0, 'warn: ALTER SYSTEM accepts a value "on" would refuse');
like(
	$err,
	qr/WARNING:  invalid entry 1 in parameter "ssl_ciphers": "NO-SUCH-SUITE"\nDETAIL:  OpenSSL knows no cipher suite named "NO-SUCH-SUITE"\. sslinfo_ext\.cipher_policy is "warn"/,
	'warn: ... with the WARNING "on" would have made the ERROR');
is(count_matches($err, qr/WARNING/), 1, 'warn: ... once');
like(slurp_file($node->data_dir . '/postgresql.auto.conf'), qr/ssl_ciphers = 'NO-SUCH-SUITE'/,
	'warn: the value is written to postgresql.auto.conf');

# a conforming value: applied as with "on"
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_ciphers = 'ALL'");
is($err, '', 'warn: ALTER SYSTEM with a conforming value says nothing');
my $loaded = $node->safe_psql('postgres', 'SELECT pg_conf_load_time()');
$node->reload;
# a backend forked after the reload has its load time
$node->poll_query_until('postgres', "SELECT pg_conf_load_time() > '$loaded'")
  or die 'the reload did not happen';
is($node->safe_psql('postgres', 'SHOW ssl_ciphers'), $all,
	'warn: "ALL" is expanded to the allowlist, as with on');
like(scalar audit_row($node, 'cipher_policy'), qr/^warning ssl_ciphers = '\Q$all\E' conforms to the cipher policy, but the policy is not enforced \(sslinfo_ext\.cipher_policy = warn/,
	'warn: ssl_config_audit() says a conforming value is not enforced');
is(s_client($node, 'DHE-RSA-AES128-GCM-SHA256'), 'DHE-RSA-AES128-GCM-SHA256', 'warn: ALL: a DHE suite negotiates');
is(s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256'), undef, 'warn: ALL: ECDHE does not');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');

# ---- PostgreSQL's untouched default, and a bad allowlist ----------------------------

$node->stop;
$node->adjust_conf('postgresql.conf', 'ssl_ciphers', undef);
$node->append_conf('postgresql.conf',
	"sslinfo_ext.allowed_ciphers = 'DHE-RSA-AES128-GCM-SHA256;NO-SUCH-SUITE'");
$offset = -s $node->logfile;
$node->start;
$log = log_since($node, $offset);
is( count_matches(
		$log,
		qr/LOG:  parameter "ssl_ciphers" is at PostgreSQL's built-in default "HIGH:MEDIUM:\+3DES:!aNULL"\n.*DETAIL:  The cipher policy leaves it as it is \(sslinfo_ext\.cipher_policy = warn\)\. With sslinfo_ext\.cipher_policy = on it would be taken as "ALL": the server would offer these TLS 1\.2 cipher suites only: DHE-RSA-AES128-GCM-SHA256, /
	),
	1,
	'warn: the built-in default gets one LOG line saying what "on" would make of it');
is($node->safe_psql('postgres', 'SHOW ssl_ciphers'), 'HIGH:MEDIUM:+3DES:!aNULL',
	'warn: the built-in default stays as it is');
is(s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256'), 'ECDHE-RSA-AES128-GCM-SHA256',
	'warn: at the built-in default ECDHE negotiates, as without sslinfo_ext');
like(
	$log,
	qr/WARNING:  invalid entry 2 in parameter "sslinfo_ext\.allowed_ciphers": "NO-SUCH-SUITE"/,
	'warn: a bad allowlist at start is a WARNING');
is($node->safe_psql('postgres', 'SHOW sslinfo_ext.allowed_ciphers'), $all,
	'warn: ... and the default allowlist stays');
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET sslinfo_ext.allowed_ciphers = 'NO-SUCH-SUITE'");
like($err, qr/ERROR:  invalid entry 1 in parameter "sslinfo_ext\.allowed_ciphers"/,
	'warn: ALTER SYSTEM still refuses an invalid allowlist (a bad value of sslinfo_ext\'s own setting)');
$node->stop;

# ---- back to on: the same configuration stops the server ---------------------

$node->adjust_conf('postgresql.conf', 'sslinfo_ext.allowed_ciphers', undef);
$node->adjust_conf('postgresql.conf', 'sslinfo_ext.cipher_policy', 'on');
$node->append_conf('postgresql.conf', "ssl_ciphers = 'HIGH:!aNULL'");
$offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'on: the value warn let through stops the server');
like(log_since($node, $offset), qr/FATAL:  invalid entry 1 in parameter "ssl_ciphers": "HIGH:!aNULL"/,
	'on: FATAL names the same entry');

done_testing();
