# ssl_policy_dry_run() against reality: the real client stacks of t/064
# (psql with and without a TLS 1.2 ceiling, pgjdbc, lib/pq, node-postgres
# with and without an ECDHE-only ciphers list) connect under permissive
# settings, so the client inventory knows their offers; then, for each
# candidate, the dry run predicts, the candidate is applied for real (ALTER
# SYSTEM, reload), every client reconnects, and the prediction must equal
# the outcome for every client: connects or not, with which version and
# suite, and for a refusal, the reason it is counted under.  Candidates:
# the seed's rule with TLS 1.2 only, a TLS 1.3 minimum, on 18+ a reduced
# ssl_tls13_ciphers and ssl_groups, and one that lets refused profiles back
# in.  Also: the summary, the errors for bad candidates (the cipher
# policy's, as ALTER SYSTEM gives them; a setting the major lacks), the
# privileges, and what a dry run costs per profile.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Time::HiRes ();
use Test::More;
use SslinfoExtTest;

my @stacks = grep { !defined client_stack_missing($_) } client_stacks();
diag('client stack skipped: ' . client_stack_missing($_))
  foreach grep { defined client_stack_missing($_) } client_stacks();
ok(scalar(@stacks) >= 2, 'at least two client stacks can run')
  or BAIL_OUT('no client stacks');

my @four = qw(DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384
  DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM);

my $node = new_tls_node('dryrun', preload => 1);
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION sslinfo_ext;
CREATE ROLE watcher LOGIN;
CREATE ROLE monitor LOGIN IN ROLE pg_monitor;
});
my $major = $node->pg_version->major;

# Every stack once under permissive settings: its profile
my %profile;
foreach my $stack (@stacks)
{
	my $r = client_connect($node, $stack);
	ok($r->{ok}, "permissive: $stack connects") or diag($r->{output});
	$profile{$stack} = latest_client_profile($node)->{id};
}

# The named-notation call of a candidate
sub call_args
{
	my (%candidate) = @_;
	return join(', ',
		map { "$_ => " . (defined $candidate{$_} ? "'$candidate{$_}'" : 'NULL') }
		  sort keys %candidate);
}

# stack => prediction (would_connect|version|cipher|reason)
sub predict
{
	my (%candidate) = @_;
	my %by_profile = map { my @f = split /\|/, $_, -1; ($f[0] => [ @f[ 1 .. 4 ] ]) }
	  split /\n/, $node->safe_psql('postgres',
		'SELECT client_profile, would_connect, version, cipher, reason FROM ssl_policy_dry_run('
		  . call_args(%candidate) . ')');
	return { map { $_ => $by_profile{ $profile{$_} } } @stacks };
}

sub apply
{
	my (%candidate) = @_;
	foreach my $setting (sort keys %candidate)
	{
		my $value = $candidate{$setting};
		$node->safe_psql('postgres',
			defined $value
			? "ALTER SYSTEM SET $setting = '$value'"
			: "ALTER SYSTEM RESET $setting");
	}
	$node->reload;
	foreach my $setting (sort keys %candidate)
	{
		next unless defined $candidate{$setting};
		$node->poll_query_until('postgres',
			"SELECT current_setting('$setting') = '$candidate{$setting}'")
		  or die "$setting did not become $candidate{$setting}";
	}
}

sub totals
{
	return { map { split /\|/ } split /\n/, $node->safe_psql('postgres',
			'SELECT reason, refusals FROM pg_stat_ssl_ext_refusal_totals') };
}

# Predict, apply, reconnect every stack, compare.  Returns the predictions.
sub hold_against_reality
{
	my ($label, %candidate) = @_;
	my $prediction = predict(%candidate);
	apply(%candidate);
	my ($kept, $lost) = (0, 0);
	foreach my $stack (@stacks)
	{
		my $p = $prediction->{$stack};
		ok(defined $p && $p->[0] ne '', "$label: $stack has a verdict")
		  or next;
		my $before = totals();
		my $r = client_connect($node, $stack);
		if ($p->[0] eq 't')
		{
			$kept++;
			ok($r->{ok}, "$label: $stack would connect, and does")
			  or diag($r->{output});
			is("$r->{version} $r->{cipher}", "$p->[1] $p->[2]",
				"$label: $stack with the predicted version and suite");
		}
		else
		{
			$lost++;
			ok(!$r->{ok}, "$label: $stack would be refused, and is")
			  or diag("$r->{version} $r->{cipher}");
			my $reason = $p->[3];
			$node->poll_query_until('postgres',
				"SELECT refusals > $before->{$reason} FROM pg_stat_ssl_ext_refusal_totals"
				  . " WHERE reason = '$reason'")
			  or diag("$label: no $reason refusal counted for $stack");
			my $after = totals();
			my %changed = map { $_ => $after->{$_} - $before->{$_} }
			  grep { $after->{$_} != $before->{$_} } keys %$after;
			is_deeply(\%changed, { $reason => 1 },
				"$label: $stack refused as predicted, $reason");
		}
	}
	note("$label: $kept kept, $lost lost");
	return ($prediction, $kept, $lost);
}

my %permissive = (
	ssl_ciphers              => undef,
	ssl_min_protocol_version => undef,
	ssl_max_protocol_version => undef);
$permissive{ssl_tls13_ciphers} = undef if $major >= 18;
$permissive{ssl_groups}        = undef if $major >= 18;

# The dry run as a table, for the note and the docs
note("seed's rule, TLS 1.2 only:\n"
	  . $node->safe_psql('postgres',
		"SELECT client_profile, would_connect, version, cipher, tls_group, reason
		 FROM ssl_policy_dry_run(ssl_ciphers => '" . join(';', @four)
		  . "', ssl_max_protocol_version => 'TLSv1.2') ORDER BY would_connect, client_profile",
		extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]));

# 1. the seed's rule with TLS 1.2 only
my (undef, $kept, $lost) = hold_against_reality("seed's rule, TLS 1.2 only",
	ssl_ciphers              => join(';', @four),
	ssl_max_protocol_version => 'TLSv1.2');
ok($kept > 0 && $lost > 0, "seed's rule: some clients kept, some lost");

# 2. the refused profiles let back in: TLS 1.3 allowed again, the DHE
# suites kept for TLS 1.2
my $summary = $node->safe_psql('postgres',
	"SELECT clients_kept, clients_lost, refused_let_in, clients_unknown
	 FROM ssl_policy_dry_run_summary(ssl_max_protocol_version => '')");
my ($s_kept, $s_lost, $s_let_in, $s_unknown) = split /\|/, $summary;
is($s_let_in, $lost, 'summary: every profile refused under the rule would be let back in');
is("$s_lost $s_unknown", '0 0', 'summary: none lost, none without a verdict');
hold_against_reality('TLS 1.3 allowed again', ssl_max_protocol_version => '');

# 3. a TLS 1.3 minimum
apply(%permissive);
(undef, $kept, $lost) = hold_against_reality('TLS 1.3 minimum',
	ssl_min_protocol_version => 'TLSv1.3');
ok($lost > 0, 'TLS 1.3 minimum: the TLS 1.2-capped client is lost') if $profile{libpq_tls12};

if ($major >= 18)
{
	# 4. one TLS 1.3 suite
	apply(%permissive);
	hold_against_reality('one TLS 1.3 suite',
		ssl_tls13_ciphers        => 'TLS_AES_128_GCM_SHA256',
		ssl_min_protocol_version => 'TLSv1.3');

	# 5. finite-field groups only.  OpenSSL 1.1.1 (the openssl command is
	# the server's library's) has no finite-field groups in its group lists
	# (3.0 added them): there the dry run refuses the candidate, as
	# PostgreSQL could not load it either.
	apply(%permissive);
	my ($openssl_major) = `openssl version` =~ /^OpenSSL (\d+)\./;
	if (($openssl_major // 0) >= 3)
	{
		(undef, $kept, $lost) = hold_against_reality('ffdhe2048 only',
			ssl_groups => 'ffdhe2048');
		ok($lost > 0, 'ffdhe2048 only: a client without finite-field groups is lost')
		  if $profile{go};
	}
	else
	{
		my ($out, $err);
		my $rc = $node->psql('postgres',
			'SELECT count(*) FROM ssl_policy_dry_run(' . call_args(ssl_groups => 'ffdhe2048') . ')',
			stdout => \$out, stderr => \$err,
			extra_params => [ '--set', 'VERBOSITY=verbose' ]);
		isnt($rc, 0, 'ffdhe2048 only (OpenSSL before 3.0): the dry run refuses the candidate');
		like($err,
			qr/ERROR:  22023: could not set the key-exchange groups\nDETAIL:  OpenSSL does not know every group of 'ffdhe2048'\./,
			'... invalid_parameter_value, saying OpenSSL does not know the group');
	}
}
apply(%permissive);

# 6. retiring finite-field DHE in TLS 1.2: with openGauss 3.0's allowlist
# (doc/cipher-policy.md), its ECDHE suites only, TLS 1.2 kept as the ceiling
my @og30 = qw(ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384
  ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384
  DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384);
$node->append_conf('postgresql.conf',
	"sslinfo_ext.allowed_ciphers = '" . join(';', @og30) . "'");
$node->restart;

# the inventory lives in shared memory: after the restart the clients come
# again before the dry run can know them
foreach my $stack (@stacks)
{
	my $r = client_connect($node, $stack);
	ok($r->{ok}, "after the restart: $stack connects") or diag($r->{output});
	is(latest_client_profile($node)->{id}, $profile{$stack},
		"after the restart: $stack has the same profile");
}
my %no_dhe = (
	ssl_ciphers              => join(';', grep { /^ECDHE/ } @og30),
	ssl_max_protocol_version => 'TLSv1.2');
note("openGauss 3.0's ECDHE suites only, TLS 1.2 only:\n"
	  . $node->safe_psql('postgres',
		'SELECT client_profile, would_connect, version, cipher, tls_group, reason FROM ssl_policy_dry_run('
		  . call_args(%no_dhe) . ') ORDER BY would_connect, client_profile',
		extra_params => [ '-P', 'tuples_only=off', '-P', 'format=aligned' ]));
(undef, $kept, $lost) = hold_against_reality('no DHE, TLS 1.2 only', %no_dhe);
is($lost, 0, 'no DHE: every client seen offers an ECDHE suite of the 3.0 allowlist');
apply(%permissive);

# Bad candidates: the cipher policy's error, as ALTER SYSTEM gives it
my ($rc, $out, $err_dry) = $node->psql('postgres',
	"SET lc_messages = 'C'; SELECT * FROM ssl_policy_dry_run(ssl_ciphers => 'HIGH:!aNULL')");
my (undef, undef, $err_alter) = $node->psql('postgres',
	"SET lc_messages = 'C'; ALTER SYSTEM SET ssl_ciphers = 'HIGH:!aNULL'");
like($err_dry, qr/ERROR:  invalid entry 1 in parameter "ssl_ciphers"/,
	'a candidate the policy refuses is an error naming the entry');
is( join("\n", grep { /ERROR|DETAIL|HINT/ } split /\n/, $err_dry),
	join("\n", grep { /ERROR|DETAIL|HINT/ } split /\n/, $err_alter),
	'... exactly as ALTER SYSTEM gives it');
(undef, undef, my $err) = $node->psql('postgres',
	"SET lc_messages = 'C'; SELECT * FROM ssl_policy_dry_run(ssl_min_protocol_version => 'TLSv1.4')");
like($err, qr/invalid value for parameter "ssl_min_protocol_version": "TLSv1.4"/,
	'an unknown protocol version is an error');
(undef, undef, $err) = $node->psql('postgres',
	"SET lc_messages = 'C'; SELECT * FROM ssl_policy_dry_run(ssl_min_protocol_version => 'TLSv1.3', ssl_max_protocol_version => 'TLSv1.2')");
like($err, qr/cannot be higher than/, 'a minimum above the maximum is an error');
if ($major < 18)
{
	foreach my $setting (qw(ssl_tls13_ciphers ssl_groups))
	{
		(undef, undef, $err) = $node->psql('postgres',
			"SET lc_messages = 'C'; SELECT * FROM ssl_policy_dry_run($setting => 'x')");
		like($err, qr/parameter "$setting" does not exist in PostgreSQL $major/,
			"$setting before 18: an error naming the setting and the major");
	}
}

# Privileges
(undef, undef, $err) = $node->psql('postgres',
	"SET lc_messages = 'C'; SET ROLE watcher; SELECT * FROM ssl_policy_dry_run()");
like($err, qr/permission denied for function ssl_policy_dry_run/,
	'the dry run is not granted to PUBLIC');
is( $node->safe_psql('postgres',
		'SET ROLE monitor; SELECT count(*) > 0 FROM ssl_policy_dry_run()'),
	't', 'pg_monitor may run it');

# What it costs per profile: the server's own execution time, the throwaway
# key already made by the calls above
my $n = $node->safe_psql('postgres', 'SELECT count(*) FROM ssl_policy_dry_run()');
my @ms = map {
	$node->safe_psql('postgres',
		'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) SELECT * FROM ssl_policy_dry_run()')
	  =~ /"Execution Time": ([0-9.]+)/ ? $1 : 0
} 1 .. 5;
@ms = sort { $a <=> $b } @ms;
ok($ms[2] > 0, 'the dry run was timed');
note(sprintf('dry run: %.2f ms per profile (median of 5 runs over %d profiles, %.1f ms each)',
		$ms[2] / $n, $n, $ms[2]));

$node->stop;
done_testing();
