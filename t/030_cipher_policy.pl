# The ssl_ciphers policy on a preloaded server, with real handshakes:
# openssl s_client -starttls postgres forces one TLS 1.2 suite, libpq (psql)
# offers its defaults.  Covers: the built-in default taken as "ALL" (one LOG
# line), "ALL" letting a default psql in with a DHE-RSA-AES-GCM suite and
# refusing ECDHE-only and non-DHE clients, each of the four suites alone,
# reload with a bad value (old value and service kept), ALTER SYSTEM with
# each class of bad value, the TLS 1.3 warning at start and at each reload,
# a start with a bad value (FATAL, data directory untouched), the policy
# switched off, a wider allowlist, and an EC server certificate.

use strict;
use warnings;

use Digest::SHA;
use File::Find;
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my @four = qw(DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384
  DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM);
my $all = join(';', @four);

my $node = new_tls_node('cipher', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

# What s_client calls the key exchange's ephemeral key: "Peer Temp Key"
# from OpenSSL 3.5 on, "Server Temp Key" before.
my ($openssl_major, $openssl_minor) = `openssl version` =~ /^OpenSSL (\d+)\.(\d+)/;
my $temp_key_label =
  ($openssl_major // 0) * 100 + ($openssl_minor // 0) >= 305
  ? 'Peer Temp Key'
  : 'Server Temp Key';

sub show_ciphers
{
	return $node->safe_psql('postgres', 'SHOW ssl_ciphers');
}

# (set_and_reload() waits until new backends see the value: the postmaster
# rebuilds its SSL context in the same SIGHUP processing, before it forks
# them)

# ---- start at PostgreSQL's built-in default --------------------------------

my $log = slurp_file($node->logfile);
is(show_ciphers(), $all, 'built-in default is taken as ALL: SHOW lists the four suites');
is( count_matches(
		$log,
		qr/LOG:  parameter "ssl_ciphers" is at PostgreSQL's built-in default "HIGH:MEDIUM:\+3DES:!aNULL"\n.*DETAIL:  The cipher policy takes it as "ALL"/
	),
	1,
	'the default gets exactly one LOG line');
is(count_matches($log, qr/\bssl_ciphers\b.*built-in default/), 1, 'and no other line mentions it');
# from 18 ssl_tls13_ciphers is governed too (t/032_tls13_cipher_policy.pl)
my $tls13_governed = $node->pg_version >= 18;
if ($tls13_governed)
{
	unlike($log, qr/TLS 1\.3 connections bypass/, '18+: no TLS 1.3 bypass WARNING at start');
}
else
{
	like(
		$log,
		qr/WARNING:  TLS 1\.3 connections bypass the ssl_ciphers policy\n.*DETAIL:  ssl_max_protocol_version allows TLS 1\.3.*\n.*HINT:  Set ssl_max_protocol_version = 'TLSv1\.2'/,
		'TLS 1.3 bypass WARNING at start, with detail and hint');
}
like(
	$log,
	qr/WARNING:  every cipher suite in ssl_ciphers uses DHE key exchange\n.*DETAIL:  Go's crypto\/tls implements no DHE cipher suites/,
	'DHE-only WARNING at start (Go clients)');
unlike($log, qr/uses AES-CCM/, 'no CCM-only WARNING for ALL');

# ---- ALL: who gets in ---------------------------------------------------------

my ($rc, $out, $err) = psql_tls($node,
	q{SELECT ssl_version() || ' ' || ssl_cipher()},
	extra => 'ssl_max_protocol_version=TLSv1.2');
like($out, qr/^TLSv1\.2 DHE-RSA-AES(128-GCM-SHA256|256-GCM-SHA384)$/,
	'ALL: default psql (TLS 1.2) negotiates a DHE-RSA-AES-GCM suite');

($rc, $out, $err) = psql_tls($node, q{SELECT ssl_version()});
is($out, 'TLSv1.3',
	'a default psql negotiates TLS 1.3' . ($tls13_governed ? '' : ': the bypass the WARNING is about'));

# (s_client() gives the suite only; these want s_client's output too)
my ($cipher, $output) = s_client_handshake($node, '-tls1_2', '-cipher',
	'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305'
);
is($cipher, undef, 'ALL: a client offering only ECDHE suites is refused');
like($output, qr/handshake failure/, '... with a handshake failure alert');

$cipher = s_client($node, 'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES128-SHA');
is($cipher, undef, 'ALL: a client offering only RSA key exchange suites is refused');

# DHE really works: PostgreSQL's built-in 2048-bit group is used when
# ssl_dh_params_file is unset.
($cipher, $output) =
  s_client_handshake($node, '-tls1_2', '-cipher', 'DHE-RSA-AES256-GCM-SHA384');
is($cipher, 'DHE-RSA-AES256-GCM-SHA384', 'ALL: DHE-RSA-AES256-GCM-SHA384 negotiates');
like($output, qr/\Q$temp_key_label\E: DH, 2048 bits/, '... with a 2048-bit DH group');

# ---- each suite alone -----------------------------------------------------------

foreach my $suite (@four)
{
	set_and_reload($node, 'ssl_ciphers', $suite);
	is(show_ciphers(), $suite, "SHOW ssl_ciphers is $suite");
	$cipher = s_client($node, $suite);
	is($cipher, $suite, "$suite alone: negotiated over TLS 1.2");
	$cipher = s_client($node, join(':', @four));
	is($cipher, $suite, "$suite alone: chosen from a client offering all four");
	my @others = grep { $_ ne $suite } @four;
	$cipher = s_client($node, join(':', @others));
	is($cipher, undef, "$suite alone: a client offering only the other three is refused");
}

# A two-suite list keeps the server's order (ssl_prefer_server_ciphers).
set_and_reload($node, 'ssl_ciphers',
	'DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-GCM-SHA256;');
$cipher = s_client($node, 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384');
is($cipher, 'DHE-RSA-AES256-GCM-SHA384',
	'a list with a trailing ";" is accepted and its order is the server preference');

# CCM-only warning appears when such a list comes into force.
my $offset = -s $node->logfile;
set_and_reload($node, 'ssl_ciphers', 'DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM');
$node->wait_for_log(qr/WARNING:  every cipher suite in ssl_ciphers uses AES-CCM/, $offset);
like(
	log_since($node, $offset),
	qr/DETAIL:  Clients using OpenSSL's default cipher list \(libpq among them\), Java and Go do not offer CCM suites/,
	'CCM-only list: WARNING names the clients that cannot connect');
$node->connect_fails(
	connstr($node, extra => 'ssl_max_protocol_version=TLSv1.2'),
	'CCM-only list: default libpq (TLS 1.2) cannot connect',
	expected_stderr => qr/handshake failure|SSL error/);

# ---- ALL in any letter case -------------------------------------------------------

set_and_reload($node, 'ssl_ciphers', 'all', $all);
is(show_ciphers(), $all, '"all" (lower case) expands to the allowlist');

# ---- reload with a bad value ----------------------------------------------------

$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');
$node->append_conf('postgresql.conf', "ssl_ciphers = 'DHE-RSA-AES256-GCM-SHA384'");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_ciphers') = 'DHE-RSA-AES256-GCM-SHA384'")
  or die 'timed out';

$offset = -s $node->logfile;
$node->append_conf('postgresql.conf',
	"ssl_ciphers = 'DHE-RSA-AES256-GCM-SHA384;NO-SUCH-SUITE'");
$node->reload;
$node->wait_for_log(qr/contains errors; unaffected changes were applied/, $offset);
like(
	log_since($node, $offset),
	qr/LOG:  invalid entry 2 in parameter "ssl_ciphers": "NO-SUCH-SUITE"\n.*DETAIL:  OpenSSL knows no cipher suite named "NO-SUCH-SUITE"\.\n.*HINT:  Set "ALL" or cipher suite names separated by ";", from: DHE-RSA-AES128-GCM-SHA256, DHE-RSA-AES256-GCM-SHA384, DHE-RSA-AES128-CCM, DHE-RSA-AES256-CCM\./,
	'reload with a bad value: LOG names the entry and its position, hint lists the suites');
is(show_ciphers(), 'DHE-RSA-AES256-GCM-SHA384', 'reload with a bad value: SHOW keeps the value in force');
$cipher = s_client($node, 'DHE-RSA-AES256-GCM-SHA384');
is($cipher, 'DHE-RSA-AES256-GCM-SHA384', 'reload with a bad value: TLS keeps working with the old suite');
($rc, $out, $err) = psql_tls($node, q{SELECT ssl_cipher()},
	extra => 'ssl_max_protocol_version=TLSv1.2');
is($out, 'DHE-RSA-AES256-GCM-SHA384', 'reload with a bad value: psql still connects');
is( $node->safe_psql(
		'postgres',
		q{SELECT error FROM pg_file_settings WHERE name = 'ssl_ciphers' AND NOT applied AND error IS NOT NULL}
	),
	'setting could not be applied',
	'pg_file_settings flags the bad line');

# drop the two appended lines again
$node->adjust_conf('postgresql.conf', 'ssl_ciphers', undef);
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('ssl_ciphers') = '$all'")
  or die 'timed out';
is(show_ciphers(), $all, 'removing the line returns to the built-in default, taken as ALL');

# ---- ALTER SYSTEM with each class of bad value ------------------------------------

my @bad = (
	[ '', qr/invalid entry 1 in parameter "ssl_ciphers": ""\nDETAIL:  The value is empty\./, 'empty value' ],
	[
		'HIGH:MEDIUM:+3DES:!aNULL',
		qr/invalid entry 1 in parameter "ssl_ciphers": "HIGH:MEDIUM:\+3DES:!aNULL"\nDETAIL:  Entry 1 uses ":" as a separator, which is OpenSSL cipher-string syntax; separate names with ";"\./,
		'PostgreSQL default (colon syntax)'
	],
	[
		'DHE-RSA-AES128-CCM:DHE-RSA-AES256-CCM',
		qr/invalid entry 1 .*\nDETAIL:  Entry 1 uses ":" as a separator/,
		'colon-separated suite names'
	],
	[ ';;', qr/invalid entry 1 in parameter "ssl_ciphers": ""\nDETAIL:  Entry 1 is empty/, '";;"' ],
	[
		'DHE-RSA-AES128-CCM;;DHE-RSA-AES256-CCM',
		qr/invalid entry 2 in parameter "ssl_ciphers": ""\nDETAIL:  Entry 2 is empty: entries are separated by a single ";", and only one ";" may end the value\./,
		'";;" between names'
	],
	[ ';DHE-RSA-AES128-CCM', qr/invalid entry 1 in parameter "ssl_ciphers": ""\nDETAIL:  Entry 1 is empty/, 'leading ";"' ],
	[ 'NO-SUCH-SUITE', qr/invalid entry 1 in parameter "ssl_ciphers": "NO-SUCH-SUITE"\nDETAIL:  OpenSSL knows no cipher suite named "NO-SUCH-SUITE"\./, 'unknown name' ],
	[
		'DHE-RSA-AES256-GCM-SHA348',
		qr/invalid entry 1 .*\nDETAIL:  OpenSSL knows no cipher suite named "DHE-RSA-AES256-GCM-SHA348"; did you mean "DHE-RSA-AES256-GCM-SHA384"\?/,
		'misspelt name'
	],
	[
		'dhe-rsa-aes128-gcm-sha256',
		qr/invalid entry 1 .*\nDETAIL:  Cipher suite names are case-sensitive; the suite is spelt "DHE-RSA-AES128-GCM-SHA256"\./,
		'lower-case name'
	],
	[
		'TLS_AES_256_GCM_SHA384',
		qr/invalid entry 1 .*"TLS_AES_256_GCM_SHA384"\nDETAIL:  "TLS_AES_256_GCM_SHA384" is a TLS 1\.3 cipher suite; ssl_ciphers governs TLS 1\.2 only\./,
		'TLS 1.3 suite name'
	],
	[
		'TLS_DHE_RSA_WITH_AES_256_CCM',
		qr/DETAIL:  "TLS_DHE_RSA_WITH_AES_256_CCM" is the IANA name of a suite; use its OpenSSL name "DHE-RSA-AES256-CCM"\./,
		'IANA name'
	],
	[
		'DHE-RSA-AES128-CCM;ECDHE-RSA-AES128-GCM-SHA256',
		qr/invalid entry 2 in parameter "ssl_ciphers": "ECDHE-RSA-AES128-GCM-SHA256"\nDETAIL:  OpenSSL knows "ECDHE-RSA-AES128-GCM-SHA256", but sslinfo_ext\.allowed_ciphers does not allow it\./,
		'known but not allowed suite'
	],
	[ 'HIGH', qr/DETAIL:  "HIGH" is an OpenSSL cipher-string keyword, not a cipher suite name\./, 'OpenSSL keyword' ],
	[
		'ALL;DHE-RSA-AES128-CCM',
		qr/invalid entry 1 in parameter "ssl_ciphers": "ALL"\nDETAIL:  "ALL" must be the whole value; it cannot be combined with other entries\./,
		'ALL mixed with names'
	],
	[
		'DHE-RSA-AES128-CCM;ALL',
		qr/invalid entry 2 in parameter "ssl_ciphers": "ALL"/,
		'names mixed with ALL'
	],
	[
		' DHE-RSA-AES128-CCM',
		qr/invalid entry 1 .*\nDETAIL:  Entry 1 has white space around the name; names must match exactly\./,
		'white space around a name'
	],
	[
		"DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM\xc3\xa9",
		qr/invalid entry 2 in parameter "ssl_ciphers": "DHE-RSA-AES256-CCM\\xC3\\xA9"\nDETAIL:  Entry 2 contains the byte 0xC3, which is not printable ASCII\./,
		'non-ASCII bytes (shown escaped)'
	],
	[
		'A' x 100000,
		qr/invalid entry 1 in parameter "ssl_ciphers": "A{64}\.\.\."\nDETAIL:  Entry 1 is 100000 bytes long; no cipher suite name is longer than 64 bytes\./,
		'absurdly long entry (message cut)'
	],
	[
		'DHE-RSA-AES128-CCM;' x 10000,
		qr/invalid entry 5 in parameter "ssl_ciphers": "DHE-RSA-AES128-CCM"\nDETAIL:  The value has more than 4 entries, the number of allowed cipher suites\./,
		'absurdly many entries'
	],);

foreach my $case (@bad)
{
	my ($value, $expected, $name) = @$case;
	my $sql_value = $value;
	$sql_value =~ s/'/''/g;
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SET client_encoding = 'UTF8'; ALTER SYSTEM SET ssl_ciphers = '$sql_value'",
		extra_params => [ '-v', 'VERBOSITY=default' ]);
	isnt($ret, 0, "ALTER SYSTEM refuses: $name");
	like($stderr, $expected, "ALTER SYSTEM message: $name");
	like($stderr, qr/HINT:  Set "ALL" or cipher suite names separated by ";", from: /,
		"ALTER SYSTEM hint lists the suites: $name")
	  if $name eq 'empty value';
}
unlike(slurp_file($node->data_dir . '/postgresql.auto.conf'), qr/ssl_ciphers/,
	'no refused value reached postgresql.auto.conf');

# the accepted spellings
foreach my $good ('ALL', 'all', 'DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES256-CCM',
	'DHE-RSA-AES128-CCM;DHE-RSA-AES128-CCM', 'DHE-RSA-AES128-CCM;')
{
	my ($ret, $stdout, $stderr) = $node->psql('postgres', "ALTER SYSTEM SET ssl_ciphers = '$good'");
	is($ret, 0, "ALTER SYSTEM accepts '$good'");
}
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');

# ---- the TLS 1.3 WARNING at each reload, gone with ssl_max_protocol_version ----

$offset = -s $node->logfile;
$node->reload;
$node->wait_for_log(qr/received SIGHUP/, $offset);
# the context is rebuilt in the same SIGHUP processing, before the
# postmaster forks the backend of the next query
$node->poll_query_until('postgres', 'SELECT true') or die;
if ($tls13_governed)
{
	unlike(log_since($node, $offset), qr/TLS 1\.3 connections bypass/, '18+: no TLS 1.3 WARNING at reload either');
}
else
{
	like(log_since($node, $offset), qr/WARNING:  TLS 1\.3 connections bypass the ssl_ciphers policy/,
		'TLS 1.3 WARNING again at reload');
}

$node->append_conf('postgresql.conf', "ssl_max_protocol_version = 'TLSv1.2'");
$offset = -s $node->logfile;
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('ssl_max_protocol_version') = 'TLSv1.2'")
  or die 'timed out';
$node->wait_for_log(qr/received SIGHUP/, $offset);
unlike(log_since($node, $offset), qr/TLS 1\.3 connections bypass/,
	'no TLS 1.3 WARNING once ssl_max_protocol_version = TLSv1.2');
($rc, $out, $err) = psql_tls($node, q{SELECT ssl_version() || ' ' || ssl_cipher()});
like($out, qr/^TLSv1\.2 DHE-RSA-AES(128|256)-GCM-SHA(256|384)$/,
	'with TLS 1.3 closed, a default psql gets a policy suite');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ssl_supported_ciphers() WHERE offered'),
	4, 'ssl_supported_ciphers(): exactly the four suites are offered');

# ---- start with a bad value ---------------------------------------------------------

# Every file of the data directory with its size and digest.
sub data_dir_state
{
	my %state;
	my $dir = $node->data_dir;
	find(
		{
			no_chdir => 1,
			wanted => sub {
				return unless -f $_;
				my $sha = Digest::SHA->new(256);
				$sha->addfile($_);
				$state{ substr($_, length($dir)) } = (-s $_) . ' ' . $sha->hexdigest;
			}
		},
		$dir);
	return \%state;
}

$node->stop;
$node->append_conf('postgresql.conf', "ssl_ciphers = 'DHE-RSA-AES128-GCM-SHA256;FOO'");
my $before = data_dir_state();
$offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'start with a bad ssl_ciphers fails');
like(
	log_since($node, $offset),
	qr/FATAL:  invalid entry 2 in parameter "ssl_ciphers": "FOO"\n.*DETAIL:  OpenSSL knows no cipher suite named "FOO"\.\n.*HINT:  Set "ALL" or cipher suite names/,
	'start with a bad value: FATAL names the entry and its position');
is_deeply(data_dir_state(), $before, 'start with a bad value: data directory untouched');
ok(!-e $node->data_dir . '/postmaster.pid', 'start with a bad value: no postmaster.pid left');

# ---- the policy switched off ---------------------------------------------------------

$node->adjust_conf('postgresql.conf', 'ssl_ciphers', undef);
$node->append_conf('postgresql.conf',
	"ssl_ciphers = 'HIGH:MEDIUM:+3DES:!aNULL'\nsslinfo_ext.cipher_policy = off");
$offset = -s $node->logfile;
$node->start;
is(show_ciphers(), 'HIGH:MEDIUM:+3DES:!aNULL', 'policy off: ssl_ciphers is left to PostgreSQL');
unlike(log_since($node, $offset), qr/built-in default|policy takes it as|TLS 1\.3 connections bypass|every cipher suite/,
	'policy off: no policy messages');
$cipher = s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256');
is($cipher, 'ECDHE-RSA-AES128-GCM-SHA256', 'policy off: ECDHE negotiates');
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET ssl_ciphers = 'NO-SUCH-SUITE'");
is($rc, 0, 'policy off: ALTER SYSTEM accepts what PostgreSQL accepts');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');
$node->stop;

# ---- a wider allowlist -------------------------------------------------------------

$node->adjust_conf('postgresql.conf', 'sslinfo_ext.cipher_policy', undef);
$node->adjust_conf('postgresql.conf', 'ssl_ciphers', "'ALL'");
$node->append_conf('postgresql.conf',
	"sslinfo_ext.allowed_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES128-GCM-SHA256'");
$offset = -s $node->logfile;
$node->start;
is(show_ciphers(), 'ECDHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES128-GCM-SHA256',
	'allowlist with ECDHE: ALL expands to it');
unlike(log_since($node, $offset), qr/every cipher suite in ssl_ciphers uses DHE/,
	'allowlist with ECDHE: no DHE-only WARNING');
$cipher = s_client($node, 'ECDHE-RSA-AES128-GCM-SHA256');
is($cipher, 'ECDHE-RSA-AES128-GCM-SHA256', 'allowlist with ECDHE: ECDHE client gets in');
$cipher = s_client($node, 'DHE-RSA-AES256-GCM-SHA384');
is($cipher, undef, 'allowlist with ECDHE: a suite outside it is refused');
($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET sslinfo_ext.allowed_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256;TLS_AES_128_GCM_SHA256'"
);
like(
	$err,
	qr/invalid entry 2 in parameter "sslinfo_ext\.allowed_ciphers": "TLS_AES_128_GCM_SHA256"\nDETAIL:  "TLS_AES_128_GCM_SHA256" is a TLS 1\.3 cipher suite; sslinfo_ext\.allowed_ciphers governs TLS 1\.2 only\./,
	'allowlist: TLS 1.3 suites are refused');
($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET sslinfo_ext.allowed_ciphers = 'ADH-AES128-GCM-SHA256'");
like($err, qr/DETAIL:  "ADH-AES128-GCM-SHA256" does not both authenticate the server and encrypt\./,
	'allowlist: anonymous suites are refused');
($rc, $out, $err) = $node->psql('postgres', "ALTER SYSTEM SET sslinfo_ext.allowed_ciphers = 'ALL'");
like($err, qr/DETAIL:  sslinfo_ext\.allowed_ciphers must name cipher suites; "ALL" is not accepted there\./,
	'allowlist: ALL is refused');
($rc, $out, $err) = $node->psql('postgres', "SET sslinfo_ext.allowed_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256'");
like($err, qr/cannot be changed without restarting the server/, 'allowlist is restart-only');
$node->stop;

$node->adjust_conf('postgresql.conf', 'sslinfo_ext.allowed_ciphers',
	"'ECDHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES128-GCM-SHA265'");
$offset = -s $node->logfile;
ok(!$node->start(fail_ok => 1), 'start with a bad allowlist fails');
like(
	log_since($node, $offset),
	qr/FATAL:  invalid entry 2 in parameter "sslinfo_ext\.allowed_ciphers": "DHE-RSA-AES128-GCM-SHA265"\n.*DETAIL:  OpenSSL knows no cipher suite named "DHE-RSA-AES128-GCM-SHA265"; did you mean "DHE-RSA-AES128-GCM-SHA256"\?/,
	'start with a bad allowlist: FATAL names the entry');

# ---- an EC server certificate with DHE-RSA suites ----------------------------------

my $pgdata = $node->data_dir;
ec_server_cert($node);
$node->adjust_conf('postgresql.conf', 'sslinfo_ext.allowed_ciphers', undef);
$node->append_conf('postgresql.conf',
	"ssl_cert_file = '$pgdata/server_ec.crt'\nssl_key_file = '$pgdata/server_ec.key'");
$offset = -s $node->logfile;
$node->start;
like(
	log_since($node, $offset),
	qr/WARNING:  no cipher suite in ssl_ciphers can be used with the server certificate\n.*DETAIL:  The server certificate ".*server_ec\.crt" has a key of type EC/,
	'EC certificate with DHE-RSA suites: WARNING at start');
$cipher = s_client($node, join(':', @four));
is($cipher, undef, 'EC certificate with DHE-RSA suites: nothing can be negotiated');
$node->stop;

done_testing();
