# ssl_config_audit()'s checks of what decides a negotiation, on a running
# server with real handshakes: key_exchange_groups (ssl_groups from 18,
# ssl_ecdh_curve before: every group known to OpenSSL, none below 128-bit
# security, a note when a post-quantum hybrid is available but not
# configured; from 18 a configured hybrid is negotiated with psql) and
# server_cipher_order (ssl_prefer_server_ciphers; from 17 the note that
# direct negotiation and ALPN have no server setting).

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $node = new_tls_node('kex', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
my $v18 = $node->pg_version >= 18;
my $setting = $v18 ? 'ssl_groups' : 'ssl_ecdh_curve';

# Does the OpenSSL the server runs on have ML-KEM hybrids (3.5+)?
my $hybrids = `openssl list -kem-algorithms 2>/dev/null` =~ /X25519MLKEM768/;

# Before 3.0 (the OpenSSL 1.1.1 leg: the openssl command is the server's
# library's) OpenSSL has no providers to describe its groups: the check says
# it cannot judge, a warning (src/tls_groups.c, doc/cert-lifecycle.md).
my ($openssl_major) = `openssl version` =~ /^OpenSSL (\d+)\./;
my $judged = ($openssl_major // 0) >= 3;

# The 1.1.1 verdict on the value $value of the setting: every case below
sub unjudged
{
	my ($value, $case) = @_;
	my ($status, $detail, $hint) = audit_row($node, 'key_exchange_groups');
	note("$case (OpenSSL before 3.0): $status | $detail | $hint");
	is($status, 'warning', "$case: a warning (OpenSSL before 3.0)");
	is($detail,
		"$setting = '$value' could not be judged: OpenSSL before 3.0 does not describe its groups.",
		"$case: says it cannot judge, naming the setting and value");
	is($hint, 'Build against OpenSSL 3.0 or later.', "$case: the hint");
}

sub tls_group
{
	my ($rc, $out, $err) = psql_tls($node,
		'SELECT tls_group FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid()');
	return $rc == 0 ? $out : "failed: $err";
}

# ---- the default ------------------------------------------------------------------

my ($status, $detail, $hint);
if ($judged)
{
	($status, $detail, $hint) = audit_row($node, 'key_exchange_groups');
	note("default: $status | $detail");
	is($status, 'ok', "default $setting: ok");
	if ($v18)
	{
		like($detail, qr/^ssl_groups = 'X25519:prime256v1': every group gives 128-bit security or more \(X25519 128, prime256v1 128 bits\)\./,
			'18+: the default list, each group with its security from OpenSSL');
	}
	else
	{
		like($detail, qr/^ssl_ecdh_curve = 'prime256v1': every group gives 128-bit security or more \(prime256v1 128 bits\)\./,
			'before 18: the one curve, with its security from OpenSSL');
	}
	if ($hybrids)
	{
		like($detail,
			$v18
			? qr/OpenSSL here offers the post-quantum hybrid \w*MLKEM\w*, which ssl_groups does not list: put it first/
			: qr/OpenSSL here offers the post-quantum hybrid \w*MLKEM\w*, which needs PostgreSQL 18's ssl_groups/,
			'the available post-quantum hybrid is noted');
	}
	else
	{
		unlike($detail, qr/post-quantum/, 'no post-quantum note where OpenSSL has no hybrid');
	}
	is($hint, '', 'ok: no hint');

	# ---- a group below 128-bit security, negotiated -------------------------------------

	my $weak = $v18 ? 'X25519:ffdhe2048' : 'secp224r1';
	set_and_reload($node, $setting, $weak);
	($status, $detail, $hint) = audit_row($node, 'key_exchange_groups');
	note("weak: $status | $detail | $hint");
	is($status, 'error', "$setting = '$weak': error");
	like($detail, $v18 ? qr/"ffdhe2048" gives 112-bit security, below 128/ : qr/"secp224r1" gives 112-bit security, below 128/,
		'the weak group and its security are named');
	like($hint, qr/List only groups OpenSSL knows that give 128-bit security or more|Name a curve of 128-bit security or more/,
		'with a hint');

	# ---- a name OpenSSL does not know (PostgreSQL keeps the old context) -------------

	if ($v18)
	{
		set_and_reload($node, 'ssl_groups', 'X25519:no_such_group');
		($status, $detail) = audit_row($node, 'key_exchange_groups');
		is($status, 'error', 'an unknown group: error');
		like($detail, qr/"no_such_group" is not a group OpenSSL knows/, '... naming it');

		if ($hybrids)
		{
			set_and_reload($node, 'ssl_groups', '?no_such_group:X25519MLKEM768:X25519:prime256v1');
			($status, $detail) = audit_row($node, 'key_exchange_groups');
			note("hybrid: $status | $detail");
			is($status, 'ok', 'OpenSSL 3.5 syntax: "?" marks a group to ignore when unknown');
			like($detail, qr/"\?no_such_group" is not known to OpenSSL here and is ignored\./, '... noted');
			unlike($detail, qr/which ssl_groups does not list/, 'the hybrid is configured: no note');
			like($detail, qr/X25519MLKEM768 \d+/, 'the hybrid is judged with its security');
			is(tls_group(), 'X25519MLKEM768',
				'psql (OpenSSL 3.5+) negotiates the hybrid, and tls_group names it');
		}
	}
}
else
{
	unjudged($v18 ? 'X25519:prime256v1' : 'prime256v1', "default $setting");
	set_and_reload($node, $setting, $v18 ? 'X25519:ffdhe2048' : 'secp224r1');
	unjudged($v18 ? 'X25519:ffdhe2048' : 'secp224r1', 'a weak group');
}

$node->safe_psql('postgres', "ALTER SYSTEM RESET $setting");
$node->reload;

# ---- server_cipher_order -----------------------------------------------------------

($status, $detail) = audit_row($node, 'server_cipher_order');
note("order: $status | $detail");
is($status, 'ok', 'ssl_prefer_server_ciphers = on: ok');
if ($node->pg_version >= 17)
{
	like($detail, qr/Direct TLS negotiation \(sslnegotiation=direct\) and ALPN are accepted from PostgreSQL 17 on and have no server setting\./,
		'17+: says direct negotiation and ALPN have no setting');
}
else
{
	unlike($detail, qr/Direct TLS/, 'before 17: no word of direct negotiation');
}
set_and_reload($node, 'ssl_prefer_server_ciphers', 'off');
($status, $detail, $hint) = audit_row($node, 'server_cipher_order');
is($status, 'warning', 'ssl_prefer_server_ciphers = off: warning');
like($hint, qr/Set ssl_prefer_server_ciphers = on/, '... with a hint');

done_testing();
