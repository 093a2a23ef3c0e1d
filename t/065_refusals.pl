# Refused connection attempts: every reason of the vocabulary provoked by a
# real attempt (openssl s_client, psql with the wrong certificate, root or
# rule, a raw socket), classified the same with the server's messages in
# German, counted exactly in pg_stat_ssl_ext_refusal_totals and described in
# pg_stat_ssl_ext_refusals; the client inventory's profiles; privileges; and
# a flood from thousands of loopback addresses that changes counts, never
# the size of anything.

use strict;
use warnings;

use IO::Socket::INET;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

# The classification must not depend on the server's language: run with
# translated messages, and check below that they really are translated.
my $locale = 'de_DE.UTF-8';
my $have_locale = grep { /^de_DE\.utf-?8$/i } split /\n/, `locale -a`;
ok($have_locale, "the locale $locale exists (test/lib.sh generates it)");

my $node = new_tls_node(
	'refusals',
	preload    => 1,
	extra_conf => ($have_locale ? "lc_messages = '$locale'\n" : '')
	  . "sslinfo_ext.max_refusal_entries = 64\n"
	  . "password_encryption = 'scram-sha-256'\n");

# This node's own rules, first match wins: certificate authentication,
# clientcert=verify-full with another method, a password, one role allowed
# without TLS, then the harness's rules for TLS; no rule for any other
# connection without TLS.
my $hba = $node->data_dir . '/pg_hba.conf';
open(my $fh, '>', $hba) or die "writing $hba: $!";
print $fh <<'EOF';
local     all all                            trust
hostssl   all certuser       127.0.0.1/32    cert
hostssl   all fulluser       127.0.0.1/32    trust clientcert=verify-full
hostssl   all pwuser         127.0.0.1/32    scram-sha-256
hostnossl all plainok        127.0.0.1/32    trust
hostssl   all sslinfo_nocert 127.0.0.1/32    trust
hostssl   all all            127.0.0.1/32    trust clientcert=verify-ca
EOF
close($fh);
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION sslinfo_ext;
CREATE ROLE certuser LOGIN;
CREATE ROLE fulluser LOGIN;
CREATE ROLE pwuser LOGIN PASSWORD 'right';
CREATE ROLE plainok LOGIN;
CREATE ROLE nobody LOGIN;
CREATE ROLE watcher LOGIN;
CREATE ROLE stats_reader LOGIN IN ROLE pg_read_all_stats;
});

my $major = $node->pg_version->major;

sub totals
{
	my %t = map { split /\|/ } split /\n/, $node->safe_psql('postgres',
		'SELECT reason, refusals FROM pg_stat_ssl_ext_refusal_totals');
	return \%t;
}

my $all_reasons = join(',', sort keys %{ totals() });
is( $all_reasons,
	join(',', sort qw(protocol_version no_shared_cipher no_shared_group
		  alpn_required client_cert_untrusted client_cert_expired
		  client_cert_not_yet_valid client_cert_revoked client_cert_missing
		  client_cert_identity server_cert_rejected tls_required
		  handshake_aborted other)),
	'the totals list every reason of the vocabulary');

# Make one attempt and expect exactly one refusal, of $reason: the totals
# rise by one for it and by nothing for any other reason, and its row for
# 127.0.0.1 was seen now.  Returns the row (client_profile, detail, usename).
sub expect_refusal
{
	my ($label, $reason, $attempt) = @_;
	my $before = totals();
	my $log_offset = -s $node->logfile;
	$attempt->();
	my $want = $before->{$reason} + 1;
	$node->poll_query_until('postgres',
		"SELECT sum(refusals) > "
		  . (eval { my $s = 0; $s += $_ foreach values %$before; $s })
		  . " FROM pg_stat_ssl_ext_refusal_totals")
	  or diag("$label: no refusal was counted");
	my $after = totals();
	my %changed = map { $_ => $after->{$_} - $before->{$_} }
	  grep { $after->{$_} != $before->{$_} } keys %$after;
	is_deeply(\%changed, { $reason => 1 }, "$label: counted once, as $reason")
	  or diag(explain(\%changed), log_since($node, $log_offset));
	my $row = $node->safe_psql('postgres', qq{
		SELECT client_addr, coalesce(client_profile, 'NULL'),
		       coalesce(usename, 'NULL'), detail
		FROM pg_stat_ssl_ext_refusals
		WHERE reason = '$reason' AND last_seen > now() - interval '1 minute'
		ORDER BY last_seen DESC LIMIT 1});
	my ($addr, $profile, $user, $detail) = split /\|/, $row, 4;
	is($addr, '127.0.0.1', "$label: its row has the client's address");
	ok(defined $detail && length $detail, "$label: its row says what the server said")
	  or diag($row);
	return { profile => $profile, user => $user, detail => $detail };
}

# A TLS connection with psql that must fail
sub psql_fails
{
	my (%opts) = @_;
	my ($rc, $out, $err) = psql_tls($node, 'SELECT 1', %opts);
	ok($rc != 0, 'the attempt fails') or diag($out);
}

# --- Client certificates --------------------------------------------------

expect_refusal('an expired client certificate', 'client_cert_expired',
	sub { psql_fails(user => 'nobody', cert => 'client_expired') });
expect_refusal('a client certificate not yet valid', 'client_cert_not_yet_valid',
	sub { psql_fails(user => 'nobody', cert => 'client_future') });
my $revoked = expect_refusal('a revoked client certificate', 'client_cert_revoked',
	sub { psql_fails(user => 'nobody', cert => 'client_revoked') });
isnt($revoked->{profile}, 'NULL',
	'a refused handshake whose offer OpenSSL read has a client profile');
expect_refusal('a client certificate of a foreign CA', 'client_cert_untrusted',
	sub { psql_fails(user => 'nobody', cert => 'client_foreign') });
my $missing = expect_refusal('no client certificate where a rule requires one',
	'client_cert_missing', sub { psql_fails(user => 'nobody', cert => undef) });
is($missing->{user}, 'nobody', 'an attempt that got to authentication has its user');
expect_refusal('cert authentication with the wrong name', 'client_cert_identity',
	sub { psql_fails(user => 'certuser', cert => 'client_plain') });
expect_refusal('clientcert=verify-full with the wrong name', 'client_cert_identity',
	sub { psql_fails(user => 'fulluser', cert => 'client_plain') });

# --- The server's certificate, rejected by the client --------------------

expect_refusal('verify-full against the wrong root', 'server_cert_rejected',
	sub {
		psql_fails(
			user  => 'nobody',
			extra => "sslrootcert='$certdir/foreign_ca.crt'");
	});

# --- Without TLS ----------------------------------------------------------

expect_refusal('no TLS where only hostssl rules match', 'tls_required',
	sub { psql_fails(user => 'nobody', sslmode => 'disable') });
$node->append_conf('postgresql.conf', "sslinfo_ext.require_ssl = on\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('sslinfo_ext.require_ssl') = 'on'");
expect_refusal('no TLS with sslinfo_ext.require_ssl on', 'tls_required',
	sub { psql_fails(user => 'plainok', sslmode => 'disable') });

# --- Handshakes that end early --------------------------------------------

# SSLRequest, the server's 'S', then the client goes away.
sub abandon_handshake
{
	my ($local_addr) = @_;
	my $sock = IO::Socket::INET->new(
		PeerAddr => '127.0.0.1',
		PeerPort => $node->port,
		Proto    => 'tcp',
		($local_addr ? (LocalAddr => $local_addr) : ()))
	  or die "connect: $!";
	print $sock pack('NN', 8, 80877103);
	my $answer = '';
	$sock->sysread($answer, 1);
	close($sock);
	return $answer;
}
expect_refusal('a client that leaves mid-handshake', 'handshake_aborted',
	sub { is(abandon_handshake(), 'S', 'the server accepted the SSLRequest') });

expect_refusal('a wrong password', 'other',
	sub { psql_fails(user => 'pwuser', cert => undef, extra => 'password=wrong') });

if ($major >= 17)
{
	# direct TLS (no SSLRequest) without ALPN: what openssl s_client does
	# without -starttls and -alpn
	expect_refusal('direct TLS without ALPN', 'alpn_required',
		sub {
			my ($out, $err) = ('', '');
			IPC::Run::run(
				[ 'openssl', 's_client', '-connect', '127.0.0.1:' . $node->port ],
				'<', \'', '>', \$out, '2>', \$err,
				IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
		});
}

# --- Protocol versions, suites and groups ---------------------------------

$node->append_conf('postgresql.conf', qq{
ssl_max_protocol_version = 'TLSv1.2'
ssl_ciphers = 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384'
});
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_max_protocol_version') = 'TLSv1.2'");

expect_refusal('a TLS 1.3-only client, the server at most TLS 1.2',
	'protocol_version',
	sub { s_client_handshake($node, '-tls1_3') });
my $ecdhe = expect_refusal('an ECDHE-only client, the server DHE only',
	'no_shared_cipher',
	sub { s_client_handshake($node, '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256') });
isnt($ecdhe->{profile}, 'NULL', 'the refused client has a profile');
is( $node->safe_psql('postgres', qq{
		SELECT max_version || ' ' || array_to_string(offered_ciphers, ',')
		       || ' connections=' || connections || ' refusals=' || refusals
		       || ' ' || array_to_string(refusal_reasons, ',')
		FROM pg_stat_ssl_ext_clients WHERE client_profile = '$ecdhe->{profile}'}),
	'TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 connections=0 refusals=1 no_shared_cipher',
	'its profile is what it offered, with the refusal counted');

my $groups_setting = $major >= 18 ? 'ssl_groups' : 'ssl_ecdh_curve';
$node->append_conf('postgresql.conf', qq{
ssl_max_protocol_version = ''
ssl_ciphers = 'HIGH:MEDIUM:+3DES:!aNULL'
$groups_setting = 'prime256v1'
});
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('$groups_setting') = 'prime256v1'");
expect_refusal('a TLS 1.3 client with only X25519, the server only P-256',
	'no_shared_group',
	sub { s_client_handshake($node, '-tls1_3', '-groups', 'X25519') });

# The messages were translated: the classification did not read them.
if ($have_locale)
{
	like(slurp_file($node->logfile), qr/konnte SSL-Verbindung nicht annehmen/,
		'the server logged its refusals in German');
}

# --- Privileges -----------------------------------------------------------

my $hidden = $node->safe_psql('postgres', q{
	SET ROLE watcher;
	SELECT count(*) > 0,
	       bool_and(client_addr IS NULL AND detail IS NULL AND usename IS NULL
	                AND client_profile IS NULL AND reason IS NOT NULL
	                AND count > 0)
	FROM pg_stat_ssl_ext_refusals});
is($hidden, 't|t', 'a role without pg_read_all_stats sees reasons and counts only');
my $shown = $node->safe_psql('postgres', q{
	SET ROLE stats_reader;
	SELECT bool_and(client_addr IS NOT NULL AND detail IS NOT NULL)
	FROM pg_stat_ssl_ext_refusals});
is($shown, 't', 'pg_read_all_stats sees addresses and details');
my $offers_hidden = $node->safe_psql('postgres', q{
	SET ROLE watcher;
	SELECT bool_and(offered_ciphers IS NULL AND last_client_addr IS NULL
	                AND client_profile IS NOT NULL)
	FROM pg_stat_ssl_ext_clients});
is($offers_hidden, 't', 'and the offers of the client inventory likewise');
my ($rc, $out, $err) = $node->psql('postgres',
	"SET lc_messages = 'C'; SET ROLE watcher; SELECT pg_stat_ssl_ext_refusals_reset()");
like($err, qr/permission denied for function pg_stat_ssl_ext_refusals_reset/,
	'the reset is not granted to PUBLIC');

# --- The client inventory -------------------------------------------------

# A session held open: its profile counts one session.
my $in = '';
my ($held_out, $held_err) = ('', '');
my $held = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-d',
		connstr($node) . ' application_name=held'
	],
	'<', \$in, '>', \$held_out, '2>', \$held_err);
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_ssl_ext WHERE application_name = 'held'")
  or die "the held session did not show up";

my $own = (psql_tls($node, 'SELECT ssl_client_profile()'))[1];
like($own, qr/^[0-9a-f]{16}$/, 'ssl_client_profile() names the own offer');
is( $node->safe_psql('postgres',
		"SELECT client_profile FROM pg_stat_ssl_ext WHERE application_name = 'held'"),
	$own, "pg_stat_ssl_ext.client_profile of another session of the same client agrees");
is( $node->safe_psql('postgres', qq{
		SELECT sessions >= 1, connections >= 2, max_version,
		       'TLS_AES_256_GCM_SHA384' = ANY (offered_ciphers),
		       cardinality(offered_groups) > 0, last_client_addr
		FROM pg_stat_ssl_ext_clients WHERE client_profile = '$own'}),
	't|t|TLSv1.3|t|t|127.0.0.1',
	'pg_stat_ssl_ext_clients: psql offers TLS 1.3 suites and groups; its sessions and connections count');

my $capped = (psql_tls($node, 'SELECT ssl_client_profile()',
		extra => 'ssl_max_protocol_version=TLSv1.2'))[1];
isnt($capped, $own, 'psql capped at TLS 1.2 is another profile');
is( $node->safe_psql('postgres', qq{
		SELECT max_version, 'TLS_AES_256_GCM_SHA384' = ANY (offered_ciphers)
		FROM pg_stat_ssl_ext_clients WHERE client_profile = '$capped'}),
	'TLSv1.2|f', 'it offers no TLS 1.3 suite and at most TLS 1.2');

$in .= "\\q\n";
$held->finish;
$node->poll_query_until('postgres', qq{
	SELECT sessions = 0 FROM pg_stat_ssl_ext_clients WHERE client_profile = '$own'})
  or diag('the session count did not drop when the session ended');

# --- A flood from many addresses -------------------------------------------

my $memory_before = $node->safe_psql('postgres',
	q{SELECT sum(allocated_size) FROM pg_shmem_allocations});
$node->safe_psql('postgres', 'SELECT pg_stat_ssl_ext_refusals_reset()');
my $flood = 2000;
my $accepted = 0;
for my $i (1 .. $flood)
{
	my $addr = sprintf('127.%d.%d.%d', 10 + int($i / 65536) % 200,
		int($i / 256) % 256, $i % 256 || 1);
	$accepted++ if abandon_handshake($addr) eq 'S';
}
is($accepted, $flood, "the server answered all $flood SSLRequests");
$node->poll_query_until('postgres', qq{
	SELECT refusals = $accepted FROM pg_stat_ssl_ext_refusal_totals
	WHERE reason = 'handshake_aborted'})
  or diag('not every refusal of the flood was counted');
is( $node->safe_psql('postgres', q{
		SELECT (SELECT refusals FROM pg_stat_ssl_ext_refusal_totals
		        WHERE reason = 'handshake_aborted'),
		       (SELECT sum(refusals) FROM pg_stat_ssl_ext_refusal_totals),
		       (SELECT count(*) FROM pg_stat_ssl_ext_refusals),
		       (SELECT count(DISTINCT client_addr) FROM pg_stat_ssl_ext_refusals)}),
	"$accepted|$accepted|64|64",
	'the totals are exact; the table holds its 64 entries, one address each');
is( $node->safe_psql('postgres',
		q{SELECT sum(allocated_size) FROM pg_shmem_allocations}),
	$memory_before, 'shared memory is the same size');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server still serves');

$node->stop;

# Without preloading nothing is watched and the views are empty.
my $plain = new_tls_node('refusals_nopreload');
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
is( $plain->safe_psql('postgres', q{
		SELECT (SELECT count(*) FROM pg_stat_ssl_ext_refusals),
		       (SELECT count(*) FROM pg_stat_ssl_ext_refusal_totals),
		       (SELECT count(*) FROM pg_stat_ssl_ext_clients)}),
	'0|0|0', 'not preloaded: the front-door views are empty');
($rc, $out, $err) = $plain->psql('postgres', 'SELECT pg_stat_ssl_ext_refusals_reset()');
like($err, qr/refused connections are not recorded/,
	'not preloaded: the reset says why it cannot');
$plain->stop;

done_testing();
