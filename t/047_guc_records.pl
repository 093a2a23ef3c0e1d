# What src/guc_records.c patches in PostgreSQL's GUC records, checked on
# each major (its layout changes: records found by walking the array on 15,
# by find_option() from 16, the string fields in a union from 19):
# - the check hook chained onto ssl_ciphers, and from 18 on
#   ssl_tls13_ciphers (before 18 that setting does not exist, and nothing
#   is patched for it);
# - the boot value read from the record, at start (the LOG line quotes it)
#   and in the check hook (warn mode leaves exactly that value in force);
# - the source read from the record: a value rewritten at start keeps the
#   source it came from, and a reset to the built-in default is recognised
#   at the next reload.
# Every expected value comes from pg_settings, PostgreSQL's own view of the
# same records.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $allowlist =
  'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM';
my $tls13_allowlist =
  'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256';

my $node = new_tls_node('gucrecords', preload => 1);
my $has_tls13_setting = $node->pg_version >= 18;

sub setting_row
{
	my ($name) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(boot_val, '<null>') || '|' || source || '|' || setting"
		  . " FROM pg_catalog.pg_settings WHERE name = '$name'");
}

# --- start with ssl_ciphers unset: the boot value, read from the record ---
$node->start;
my ($boot, $source, $value) = split /\|/, setting_row('ssl_ciphers'), 3;
ok($boot ne '' && $boot ne '<null>', "pg_settings shows a boot value for ssl_ciphers ($boot)");
is($source, 'default', 'ssl_ciphers comes from the default');
is($value, $allowlist, 'the default was taken as "ALL": the allowlist is in force');
like(slurp_file($node->logfile),
	qr/LOG:  parameter "ssl_ciphers" is at PostgreSQL's built-in default "\Q$boot\E"\n.*DETAIL:  The cipher policy takes it as "ALL"/,
	'the start-up LOG quotes the boot value the record holds');

# --- the check hook on ssl_ciphers is the policy's ---
my ($rc, $out, $err) = $node->psql('postgres',
	"ALTER SYSTEM SET ssl_ciphers = 'HIGH'");
isnt($rc, 0, 'ALTER SYSTEM with a value outside the policy fails');
like($err, qr/ERROR:  invalid entry 1 in parameter "ssl_ciphers": "HIGH"/,
	'... refused by the check hook chained onto ssl_ciphers');

# --- ssl_tls13_ciphers: hooked from 18 on, absent before ---
my $tls13_rows = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_catalog.pg_settings WHERE name = 'ssl_tls13_ciphers'");
if ($has_tls13_setting)
{
	is($tls13_rows, '1', '18+: ssl_tls13_ciphers exists');
	my ($tboot, $tsource, $tvalue) = split /\|/, setting_row('ssl_tls13_ciphers'), 3;
	is($tsource, 'default', '18+: ssl_tls13_ciphers comes from the default');
	is($tvalue, $tls13_allowlist,
		'18+: its default was taken as the TLS 1.3 allowlist');
	like(slurp_file($node->logfile),
		qr/LOG:  parameter "ssl_tls13_ciphers" is at PostgreSQL's built-in default "\Q$tboot\E"/,
		'18+: the start-up LOG quotes its boot value');
	($rc, $out, $err) = $node->psql('postgres',
		"ALTER SYSTEM SET ssl_tls13_ciphers = 'TLS_AES_128_CCM_8_SHA256'");
	isnt($rc, 0, '18+: ALTER SYSTEM SET ssl_tls13_ciphers outside the allowlist fails');
	like($err, qr/ERROR:  invalid entry 1 in parameter "ssl_tls13_ciphers"/,
		'18+: ... refused by the check hook chained onto ssl_tls13_ciphers');
}
else
{
	is($tls13_rows, '0', 'before 18: there is no ssl_tls13_ciphers to patch');
	unlike(slurp_file($node->logfile), qr/LOG:  parameter "ssl_tls13_ciphers" is at/,
		'before 18: no default of ssl_tls13_ciphers is taken over');
}

# --- a value rewritten at start keeps its source ---
$node->stop;
$node->append_conf('postgresql.conf', "ssl_ciphers = 'ALL'");
$node->start;
($boot, $source, $value) = split /\|/, setting_row('ssl_ciphers'), 3;
is($source, 'configuration file',
	'"ALL" from postgresql.conf, rewritten at start, still comes from the configuration file');
is($value, $allowlist, '... and is the allowlist');

# --- the source read again at reload: back at the default ---
$node->safe_psql('postgres', "ALTER SYSTEM SET ssl_ciphers = 'DHE-RSA-AES128-GCM-SHA256'");
$node->reload;
$node->poll_query_until('postgres', 'SHOW ssl_ciphers', 'DHE-RSA-AES128-GCM-SHA256')
  or die 'ssl_ciphers did not change';
# Drop the postgresql.conf line too, so the reset reaches the default
my $conf = slurp_file($node->data_dir . '/postgresql.conf');
$conf =~ s/^ssl_ciphers = 'ALL'\n//m;
open(my $fh, '>', $node->data_dir . '/postgresql.conf') or die $!;
print $fh $conf;
close $fh;
my $offset = -s $node->logfile;
$node->safe_psql('postgres', 'ALTER SYSTEM RESET ssl_ciphers');
$node->reload;
$node->poll_query_until('postgres', 'SHOW ssl_ciphers', $allowlist)
  or die 'ssl_ciphers did not go back to the default';
# (the postmaster logs it while it rebuilds the SSL context, before it
# forks the backend that shows the new value)
like(log_since($node, $offset),
	qr/LOG:  parameter "ssl_ciphers" is back at PostgreSQL's built-in default\n.*DETAIL:  The cipher policy takes it as "ALL"/,
	'at reload the record\'s source is read: back at the built-in default');
is((split /\|/, setting_row('ssl_ciphers'), 3)[1], 'default',
	'pg_settings agrees: the source is the default');

# --- warn mode: the check hook compares with the boot value ---
$node->stop;
$node->append_conf('postgresql.conf', "sslinfo_ext.cipher_policy = warn");
$node->start;
($boot, $source, $value) = split /\|/, setting_row('ssl_ciphers'), 3;
is($value, $boot,
	'warn mode: the check hook recognised the boot value and left it in force');
if ($has_tls13_setting)
{
	my ($tboot, undef, $tvalue) = split /\|/, setting_row('ssl_tls13_ciphers'), 3;
	is($tvalue, $tboot, '18+: warn mode leaves ssl_tls13_ciphers at its boot value too');
}

$node->stop;
done_testing();
