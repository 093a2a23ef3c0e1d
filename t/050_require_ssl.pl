# sslinfo_ext.require_ssl: every combination of the server's ssl (on/off),
# sslinfo_ext.require_ssl (on/off) and libpq's sslmode gives the result the
# openGauss SSL guide's table gives (shared/seeds, the table after Table 3).
# The client has the test root CA (sslrootcert), as the table's verify-ca
# and verify-full rows imply.  "verified" results are backed by connections
# that must fail when the server certificate or host name is wrong.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my $certdir = certdir();

# server ssl, sslmode, require_ssl => the seed's result
#   fails         the connection fails
#   plain         the connection is not encrypted
#   encrypted     the connection is encrypted
#   verified      encrypted and the server certificate is verified
#   verified-full encrypted, server certificate and host name verified
my @table = (
	[ 'on',  'disable',     'on',  'fails' ],
	[ 'on',  'disable',     'off', 'plain' ],
	[ 'on',  'allow',       'on',  'encrypted' ],
	[ 'on',  'allow',       'off', 'plain' ],
	[ 'on',  'prefer',      'on',  'encrypted' ],
	[ 'on',  'prefer',      'off', 'encrypted' ],
	[ 'on',  'require',     'on',  'encrypted' ],
	[ 'on',  'require',     'off', 'encrypted' ],
	[ 'on',  'verify-ca',   'on',  'verified' ],
	[ 'on',  'verify-ca',   'off', 'verified' ],
	[ 'on',  'verify-full', 'on',  'verified-full' ],
	[ 'on',  'verify-full', 'off', 'verified-full' ],
	[ 'off', 'disable',     'on',  'plain' ],
	[ 'off', 'disable',     'off', 'plain' ],
	[ 'off', 'allow',       'on',  'plain' ],
	[ 'off', 'allow',       'off', 'plain' ],
	[ 'off', 'prefer',      'on',  'plain' ],
	[ 'off', 'prefer',      'off', 'plain' ],
	[ 'off', 'require',     'on',  'fails' ],
	[ 'off', 'require',     'off', 'fails' ],
	[ 'off', 'verify-ca',   'on',  'fails' ],
	[ 'off', 'verify-ca',   'off', 'fails' ],
	[ 'off', 'verify-full', 'on',  'fails' ],
	[ 'off', 'verify-full', 'off', 'fails' ],);
is(scalar(@table), 24, 'the table has the 24 combinations');

my $node = new_tls_node(
	'require_ssl',
	preload    => 1,
	extra_conf => "log_error_verbosity = verbose\n");
$node->start;

# Apply ssl / require_ssl by reload and wait until new sessions see both.
sub configure
{
	my ($ssl, $require) = @_;
	$node->append_conf('postgresql.conf',
		"ssl = $ssl\nsslinfo_ext.require_ssl = $require\n");
	$node->reload;
	$node->poll_query_until('postgres',
		"SELECT current_setting('ssl') = '$ssl' AND "
		  . "current_setting('sslinfo_ext.require_ssl') = '$require'")
	  or die "configuration ssl=$ssl require_ssl=$require not applied";
}

my $probe = q{SELECT coalesce(ssl, false) FROM pg_stat_ssl
  WHERE pid = pg_backend_pid()};

# What one connection gives: 'fails' (with stderr) or plain/encrypted.
sub try_connect
{
	my (%opts) = @_;
	my ($rc, $out, $err) = psql_tls($node, $probe, %opts);
	return ('fails', $err) if $rc != 0;
	return ($out eq 't' ? 'encrypted' : 'plain', $err);
}

my @measured;
my ($current_ssl, $current_require) = ('', '');
foreach my $row (@table)
{
	my ($ssl, $sslmode, $require, $expected) = @$row;
	my $label = "ssl=$ssl require_ssl=$require sslmode=$sslmode";

	configure($ssl, $require)
	  if $ssl ne $current_ssl || $require ne $current_require;
	($current_ssl, $current_require) = ($ssl, $require);

	my ($got, $err) = try_connect(sslmode => $sslmode);
	my $measured = $got;

	# Why a failure fails.
	if ($got eq 'fails' && $ssl eq 'on')
	{
		like($err, qr/FATAL:  SSL connection is required/,
			"$label: refused by require_ssl");
	}
	elsif ($got eq 'fails')
	{
		like($err, qr/server does not support SSL, but SSL was required/,
			"$label: refused by the client, the server has no SSL");
	}

	# A verifying mode must really verify: a root CA that did not issue the
	# server certificate makes it fail, and verify-full also checks the
	# host name (which verify-ca does not).
	if ($got eq 'encrypted' && $sslmode =~ /^verify-/)
	{
		my ($wrong_ca, $err2) = try_connect(
			sslmode => $sslmode,
			extra   => "sslrootcert='$certdir/intermediate.crt'");
		if ($wrong_ca eq 'fails' && $err2 =~ /certificate verify failed/)
		{
			$measured = 'verified';
		}
		else
		{
			diag("$label with an untrusted root: $wrong_ca $err2");
		}

		my ($other_host, $err3) = try_connect(
			sslmode => $sslmode,
			host    => 'not-this-server.example');
		if ($other_host eq 'fails' && $err3 =~ /does not match host name/)
		{
			$measured .= '-full';
		}
		elsif ($other_host ne 'encrypted')
		{
			diag("$label with another host name: $other_host $err3");
		}
	}

	is($measured, $expected, "$label: $expected") or diag($err);
	push @measured, [ $ssl, $sslmode, $require, $measured ];
}

# The table as measured, in the layout of doc/cert-lifecycle.md.
note("| ssl (server) | sslmode (client) | require_ssl (server) | result |");
note("|---|---|---|---|");
note("| $_->[0] | $_->[1] | $_->[2] | $_->[3] |") foreach @measured;

# Unix-socket connections are never affected.
configure('on', 'on');
is($node->safe_psql('postgres', 'SELECT 1'), '1',
	'require_ssl on: a Unix-socket connection without TLS still works');

# The refusal's SQLSTATE and hint, from the server log.
my $log_offset = -s $node->logfile;
my ($got) = try_connect(sslmode => 'disable');
is($got, 'fails', 'require_ssl on: sslmode=disable fails');
my $log = slurp_file($node->logfile, $log_offset);
like($log, qr/FATAL:  28000: SSL connection is required/,
	'the refusal is FATAL with SQLSTATE 28000');
like($log, qr/HINT:  Connect with sslmode=require or stronger/,
	'the refusal carries a hint');

# The setting is reloadable: off again lets sslmode=disable in.
configure('on', 'off');
($got) = try_connect(sslmode => 'disable');
is($got, 'plain', 'after reload with require_ssl off, sslmode=disable connects');

$node->stop;

# Without shared_preload_libraries the authentication hook does not run: the
# setting, although on, has no effect (ssl_config_audit() says so).
my $plain = new_tls_node('require_ssl_nopreload',
	extra_conf => "sslinfo_ext.require_ssl = on\n");
$plain->start;
my ($rc, $out, $err) = $plain->psql('postgres', $probe,
	connstr => connstr($plain, sslmode => 'disable'));
is($rc, 0, 'not preloaded: require_ssl has no effect (sslmode=disable connects)');
$plain->stop;

done_testing();
