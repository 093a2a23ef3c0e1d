# Certificate expiry alarms (sslinfo_ext.cert_expiry_warning_days): the
# postmaster warns about each server-side certificate close to expiry at
# start and at every reload; backends warn about the server certificate,
# its chain and the client certificate at most once per certificate per
# hour across the cluster; 0 turns the alarms off; without preloading there
# are none.

use strict;
use warnings;

use File::Copy qw(copy);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

# Count the log lines of $node from $offset on that match $re.
sub log_count
{
	my ($node, $re, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset // 0);
	my @hits = $log =~ /$re/gm;
	return scalar(@hits);
}

# Install certificate $name as the node's server certificate (ssl_cert_file
# and ssl_key_file are absolute paths into the data directory).
sub use_server_cert
{
	my ($node, $crt, $key) = @_;
	my $pgdata = $node->data_dir;
	copy("$certdir/$crt", "$pgdata/server.crt") or die "copy $crt: $!";
	copy("$certdir/$key", "$pgdata/server.key") or die "copy $key: $!";
	chmod(0600, "$pgdata/server.key");
}

sub connect_ok
{
	my ($node, $label, %opts) = @_;
	my ($rc, $out, $err) = psql_tls($node, 'SELECT 1', %opts);
	is($rc, 0, $label) or diag($err);
}

my $server_re = qr/WARNING:  server certificate expires in \d+ days?$/m;
my $client_re = qr/WARNING:  client certificate expires in \d+ days?$/m;

# --- a server certificate expiring in 2 days, the default window (7) ----

my $node = new_tls_node('expiry', preload => 1);
use_server_cert($node, 'server_expiring.crt', 'server_expiring.key');
$node->start;

is(log_count($node, $server_re), 1,
	'start: the postmaster warns once about the expiring server certificate');
my $log = slurp_file($node->logfile);
like(
	$log,
	qr/\[$node->{_pid}\] WARNING:  server certificate expires in 1 day\n.*DETAIL:  The certificate with subject "\/O=sslinfo_ext test\/CN=localhost" and serial number 5 is valid until \d{4}-\d\d-\d\d [\d:.+]+\.\n.*HINT:  Install a renewed certificate/,
	'start: the warning comes from the postmaster and names subject, serial and expiry');

my $offset = -s $node->logfile;
connect_ok($node, "TLS session $_ with a client certificate", cert => 'client_plain')
  for 1 .. 3;
is(log_count($node, $server_re, $offset), 1,
	'three TLS logins: the server certificate is warned about once');
is(log_count($node, $client_re, $offset), 0,
	'a client certificate valid for a year gets no warning');

$offset = -s $node->logfile;
connect_ok($node, "TLS session $_ with an expiring client certificate",
	cert => 'client_expiring')
  for 1 .. 2;
is(log_count($node, $client_re, $offset), 1,
	'the expiring client certificate is warned about once');
like(
	slurp_file($node->logfile, $offset),
	qr/WARNING:  client certificate expires in 1 day\n.*DETAIL:  The certificate with subject "\/O=sslinfo_ext test\/CN=dave-expiring" and serial number 4101 is valid until .*\n.*HINT:  The client should renew its certificate\./,
	'the client warning names the client certificate');
is(log_count($node, $server_re, $offset), 0,
	'the server certificate is not warned about again within the hour');

$offset = -s $node->logfile;
connect_ok($node, 'a session without TLS', sslmode => 'disable');
is(log_count($node, qr/WARNING:  \w+ certificate/, $offset), 0,
	'a session without TLS logs no certificate warning');

# Reload: one more warning from the postmaster, none from new sessions.
$offset = -s $node->logfile;
$node->reload;
$node->poll_query_until('postgres', 'SELECT true');    # reload processed
connect_ok($node, 'TLS session after the reload', cert => 'client_plain');
is(log_count($node, $server_re, $offset), 1,
	'reload: the postmaster warns once more, the session does not');

# 0 turns the alarms off, also at reload.
$node->append_conf('postgresql.conf', 'sslinfo_ext.cert_expiry_warning_days = 0');
$offset = -s $node->logfile;
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('sslinfo_ext.cert_expiry_warning_days') = '0'");
connect_ok($node, 'TLS session with alarms off', cert => 'client_expiring');
is(log_count($node, qr/WARNING:  \w+ certificate/, $offset), 0,
	'cert_expiry_warning_days = 0: no warning at reload or login');
$node->stop;

# --- a chain through an intermediate CA, every certificate in the window --

my $chained = new_tls_node(
	'expiry_chain',
	preload    => 1,
	extra_conf => "sslinfo_ext.cert_expiry_warning_days = 36500\n");
use_server_cert($chained, 'server_chained-chain.crt', 'server_chained.key');
$chained->start;

$log = slurp_file($chained->logfile);
is(log_count($chained, qr/WARNING:  server certificate expires in \d+ days$/m), 1,
	'start: the leaf of the chain file is warned about');
like($log,
	qr/WARNING:  chain certificate expires in \d+ days\n.*DETAIL:  The certificate with subject "\/O=sslinfo_ext test\/CN=sslinfo_ext Test Intermediate CA" and serial number 3 /,
	'start: the intermediate CA of the chain file is warned about as "chain"');

$offset = -s $chained->logfile;
connect_ok($chained, "chained server, TLS session $_", cert => 'client_plain')
  for 1 .. 2;
is(log_count($chained, qr/WARNING:  server certificate expires/, $offset), 1,
	'login: the served leaf certificate, once');
is(log_count($chained, qr/WARNING:  chain certificate expires/, $offset), 1,
	'login: the served intermediate certificate, once');
is(log_count($chained, qr/WARNING:  client certificate expires/, $offset), 1,
	'login: the client certificate, once');
$chained->stop;

# --- an expired server certificate -------------------------------------

my $expired = new_tls_node('expiry_expired', preload => 1);
use_server_cert($expired, 'server_expired.crt', 'server_expired.key');
$expired->start;
my $expired_re = qr/WARNING:  server certificate expired (1 day|less than one day) ago$/m;
is(log_count($expired, $expired_re), 1,
	'start: an expired server certificate is warned about');

# Clients that verify refuse it; one that does not (no root CA) gets in.
$offset = -s $expired->logfile;
connect_ok($expired, 'sslmode=require without a root CA connects',
	sslmode => 'require',
	extra   => "sslrootcert='$certdir/does-not-exist.crt'");
is(log_count($expired, $expired_re, $offset), 1,
	'login: the expired server certificate is warned about');
$expired->stop;

# --- certificate text in the log: escaped ----------------------------------

# client_logtrick's CN holds ESC, U+202E, U+0085, DEL, U+2066, U+FEFF and
# U+2028: each comes out as the \XX escapes of its UTF-8 bytes, so the log
# line reads as it is; nothing of it reaches the log raw.
my $tricky = new_tls_node('expiry_logtrick', preload => 1);
$tricky->start;
$offset = -s $tricky->logfile;
connect_ok($tricky, 'TLS session with a hostile CN', cert => 'client_logtrick');
$log = slurp_file($tricky->logfile, $offset);
like(
	$log,
	qr/WARNING:  client certificate expires in 1 day\n.*DETAIL:  The certificate with subject "\/O=sslinfo_ext test\/CN=log\\1B\[31m\\E2\\80\\AEevil\\C2\\85nel\\7Fdel\\E2\\81\\A6iso\\EF\\BB\\BFbom\\E2\\80\\A8ls" and serial number 4107 /,
	'hostile CN: C0, C1, DEL, bidi and format characters escaped in the WARNING');
unlike($log, qr/[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf/,
	'hostile CN: none of those bytes in the log');
$tricky->stop;

# --- without shared_preload_libraries: no alarms --------------------------

my $plain = new_tls_node('expiry_nopreload');
use_server_cert($plain, 'server_expiring.crt', 'server_expiring.key');
$plain->start;
connect_ok($plain, 'not preloaded: TLS session', cert => 'client_expiring');
is(log_count($plain, qr/WARNING:  \w+ certificate/), 0,
	'not preloaded: no alarms at start or login');
$plain->stop;

done_testing();
