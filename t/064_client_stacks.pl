# Real client stacks against a preloaded server (test/clients/README.md):
# psql (libpq), psql with a TLS 1.2 ceiling, pgjdbc on Java's SunJSSE,
# lib/pq on Go's crypto/tls, node-postgres on Node's OpenSSL, and
# node-postgres with a ciphers list of two ECDHE suites.  Covers: every
# stack connecting over TLS 1.3 while the server allows it (the TLS 1.2
# ceiling: a DHE suite); the seed's rule written with ":" separators,
# refused by the policy; then the seed's rule (the four DHE suites of the
# cipher policy, ssl_max_protocol_version = 'TLSv1.2') after a reload:
# libpq, pgjdbc and node-postgres get in with TLS 1.2 and a DHE suite, Go
# and the ECDHE-only node-postgres are refused with "no shared cipher" in
# the server log (the outcomes ../shared/reference/front-door.md lists).
# Each stack is its own client profile in pg_stat_ssl_ext_clients, with what
# it really offered; the refused ones are counted as refusals of their
# profile, under no_shared_cipher.
# make test installs the stacks only when a test like this one runs
# (ensure_client_stacks in test/lib.sh); a stack that could not be
# installed is skipped, with the reason.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Time::HiRes qw(usleep);
use Test::More;
use SslinfoExtTest;

my @stacks  = client_stacks();
my %missing = map { $_ => client_stack_missing($_) } @stacks;
diag("client stack skipped: $missing{$_}") foreach grep { defined $missing{$_} } @stacks;

my @four = qw(DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384
  DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM);

my $node = new_tls_node('clients', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');
my $superuser = getpwuid($>);

my %profile;

# One connection per stack, skipped (with its reason) when the stack is
# missing; $check->($stack, $result) holds the assertions.
sub each_stack
{
	my ($phase, $check) = @_;
	foreach my $stack (@stacks)
	{
	  SKIP:
		{
			skip($missing{$stack}, 1) if defined $missing{$stack};
			my $r = client_connect($node, $stack);
			note("$phase, $stack ($r->{seconds} s): "
				  . ($r->{ok} ? "$r->{version} $r->{cipher}" : "refused: $r->{error}"));
			$check->($stack, $r);
		}
	}
}

# ---- permissive: TLS 1.3 allowed ---------------------------------------------------

is($node->safe_psql('postgres', 'SHOW ssl_ciphers'),
	join(';', @four), 'ssl_ciphers untouched: the policy takes it as ALL');

each_stack(
	'TLS 1.3 allowed',
	sub {
		my ($stack, $r) = @_;
		ok($r->{ok}, "TLS 1.3 allowed: $stack connects")
		  or diag("$stack: $r->{output}");
		if ($stack eq 'libpq_tls12')
		{
			is( "$r->{version} $r->{cipher}",
				'TLSv1.2 DHE-RSA-AES128-GCM-SHA256',
				"TLS 1.3 allowed: $stack negotiates TLS 1.2 and the policy's first DHE suite");
		}
		else
		{
			is( "$r->{version} $r->{cipher}",
				'TLSv1.3 TLS_AES_256_GCM_SHA384',
				"TLS 1.3 allowed: $stack negotiates TLSv1.3 TLS_AES_256_GCM_SHA384");
		}
		is($r->{user}, $superuser, "TLS 1.3 allowed: $stack is $superuser");
		$profile{$stack} = latest_client_profile($node);
	});

# What each stack offered, as the client inventory recorded it
my %offers_dhe = map {
	my $p = $profile{$_};
	($_ => scalar(grep { my $c = $_; grep { $_ eq $c } @four } @{ $p->{ciphers} }))
} keys %profile;
foreach my $stack (sort keys %profile)
{
	my $p = $profile{$stack};
	note("$stack: profile $p->{id}, $p->{max_version}, @{$p->{ciphers}}");
	ok($p->{connections} >= 1, "inventory: $stack's profile counts its connection");
	is($p->{max_version}, $stack eq 'libpq_tls12' ? 'TLSv1.2' : 'TLSv1.3',
		"inventory: $stack offered at most " . ($stack eq 'libpq_tls12' ? 'TLS 1.2' : 'TLS 1.3'));
}
is(scalar(keys %{ { map { $_->{id} => 1 } values %profile } }),
	scalar(keys %profile), 'inventory: every stack is a profile of its own');
if ($profile{go})
{
	is($offers_dhe{go}, 0, 'inventory: Go offered no DHE suite');
}
if ($profile{node_ecdhe_only})
{
	is( join(' ', grep { !/^TLS_/ } @{ $profile{node_ecdhe_only}{ciphers} }),
		'ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384',
		'inventory: the ECDHE-only node-postgres offered exactly its two TLS 1.2 suites');
}
foreach my $stack (grep { $profile{$_} } qw(libpq libpq_tls12 jdbc node))
{
	ok($offers_dhe{$stack} > 0, "inventory: $stack offered a DHE suite of the seed's rule");
}

# ---- the seed's rule ------------------------------------------------------------------

# The seed's rule written as an OpenSSL cipher string, ':'-separated (as a
# configuration made without the policy has it): the policy refuses it.
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"ALTER SYSTEM SET ssl_ciphers = '" . join(':', @four) . "'");
isnt($ret, 0, "seed's rule with ':' separators: ALTER SYSTEM is refused by the policy");
like(
	$stderr,
	qr/invalid entry 1 in parameter "ssl_ciphers".*uses ":" as a separator/s,
	'... which names the separator');

# With the policy on, ssl_ciphers takes suite names separated by ";" (or
# ALL): the seed's "four DHE suites".
$node->safe_psql('postgres',
	"ALTER SYSTEM SET ssl_ciphers = '" . join(';', @four) . "'");
$node->safe_psql('postgres', "ALTER SYSTEM SET ssl_max_protocol_version = 'TLSv1.2'");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('ssl_max_protocol_version') = 'TLSv1.2'")
  or die 'ssl_max_protocol_version did not become TLSv1.2';
is( $node->safe_psql('postgres', 'SHOW ssl_ciphers'),
	join(';', @four),
	"seed's rule: ssl_ciphers is the four DHE suites");

my %refused = (go => 1, node_ecdhe_only => 1);
my %refusal_text = (
	go              => qr/remote error: tls: handshake failure/,
	node_ecdhe_only => qr/handshake failure/i,);
my $offset = -s $node->logfile;
my $refusals = 0;

each_stack(
	"seed's rule",
	sub {
		my ($stack, $r) = @_;
		if ($refused{$stack})
		{
			$refusals++;
			ok(!$r->{ok}, "seed's rule: $stack is refused")
			  or diag("$stack: $r->{output}");
			like($r->{error} // '', $refusal_text{$stack},
				"seed's rule: $stack reports a handshake failure");
		}
		else
		{
			ok($r->{ok}, "seed's rule: $stack connects")
			  or diag("$stack: $r->{output}");
			is( "$r->{version} $r->{cipher}",
				'TLSv1.2 DHE-RSA-AES128-GCM-SHA256',
				"seed's rule: $stack negotiates TLSv1.2 DHE-RSA-AES128-GCM-SHA256");
		}
	});

# The refused stacks' profiles count their refusals, and the refusals are
# no_shared_cipher ones from 127.0.0.1.
foreach my $stack (grep { $refused{$_} && $profile{$_} } @stacks)
{
	$node->poll_query_until('postgres', qq{
		SELECT refusals >= 1 FROM pg_stat_ssl_ext_clients
		WHERE client_profile = '$profile{$stack}{id}'})
	  or diag("no refusal counted for $stack");
	is( $node->safe_psql('postgres', qq{
			SELECT connections, refusals FROM pg_stat_ssl_ext_clients
			WHERE client_profile = '$profile{$stack}{id}'}),
		"1|1", "inventory: $stack's profile has its connection and its refusal");
}
is( $node->safe_psql('postgres', q{
		SELECT string_agg(reason || ' ' || count, ',') FROM pg_stat_ssl_ext_refusals
		WHERE client_addr = '127.0.0.1'}),
	$refusals ? "no_shared_cipher $refusals" : '',
	"refusals: one no_shared_cipher refusal per refused stack, from 127.0.0.1");

# Each refusal leaves one line in the server log (and, before issue 21,
# nothing else).
SKIP:
{
	skip('no refused stack ran', 1) unless $refusals;
	my $log;
	foreach (1 .. 50)
	{
		$log = log_since($node, $offset);
		last
		  if count_matches($log, qr/could not accept SSL connection: no shared cipher/) >= $refusals;
		usleep(100_000);
	}
	is(count_matches($log, qr/could not accept SSL connection: no shared cipher/),
		$refusals, "seed's rule: one 'no shared cipher' line per refused stack");
}

$node->stop;
done_testing();
