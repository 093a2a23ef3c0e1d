# monitoring/alerts.yml: doc/monitoring.md links to it and to
# monitoring/prometheus.yml (the shipped files, not copies of them) and names
# every rule, every rule fires in a unit test of
# monitoring/alerts.test.yml and stays silent in one, and promtool (from
# the Debian package prometheus) accepts the rules, passes their unit tests
# and accepts monitoring/prometheus.yml; each part of the refusals rule
# weakened in turn (reasons, baseline, for:, minimum) must fail its unit
# tests.  The promtool part is skipped when
# promtool is not installed; t/060 checks the rules' metrics against a real
# scrape.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy ();
use File::Temp ();
use IPC::Run;
use Test::More;

use SslinfoExtTest;

my $top = abs_path(dirname(__FILE__) . '/..');

my $alerts = slurp('monitoring/alerts.yml');
my @rules = $alerts =~ /^\s*- alert: (\w+)$/mg;

# the documentation links to the shipped files (the link resolving to the
# file is t/063's part) and names every rule; it pastes neither file
my $doc = slurp('doc/monitoring.md');
foreach my $file ('alerts.yml', 'prometheus.yml')
{
	ok($doc =~ m{\]\(\.\./monitoring/\Q$file\E\)},
		"doc/monitoring.md links to monitoring/$file");
	ok(-f "$top/monitoring/$file", "monitoring/$file is shipped");
}
is_deeply([ grep { index($doc, "`$_`") < 0 } @rules ], [],
	'doc/monitoring.md names every rule of alerts.yml');
opendir(my $dh, "$top/doc") or die "cannot list doc/: $!";
my @docs = ('README.md', map { "doc/$_" } sort grep { /\.md$/ } readdir $dh);
closedir $dh;
my @pasted =
  grep { slurp($_) =~ /^\s*- alert: \w+$|^\s*metric_relabel_configs:/m } @docs;
is_deeply(\@pasted, [], 'no document pastes alerts.yml or prometheus.yml');

# every alert rule has a unit test in which it fires
my $tests = slurp('monitoring/alerts.test.yml');
my %fires;
$fires{$1} = 1
  while $tests =~ /alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:/g;
my %silent;
$silent{$1} = 1
  while $tests =~ /alertname: (\w+)\n\s+exp_alerts: \[\]\n/g;
ok(@rules >= 7, 'monitoring/alerts.yml has its rules');
is_deeply([ grep { !$fires{$_} } @rules ], [],
	'every rule of alerts.yml fires in a test of alerts.test.yml');
is_deeply([ grep { !$silent{$_} } @rules ], [],
	'every rule of alerts.yml stays silent in a test of alerts.test.yml');

my ($promtool) =
  grep { -x } map { "$_/promtool" } split /:/, ($ENV{PATH} // '');

# PostgresConnectionRefusalsRising, each of its parts weakened in turn
# (substitutions in its rule only): the unit tests must catch every one.
my @refusal_mutations = (
	[ 'scanners\' reasons (handshake_aborted, other) not left out' => sub { s/\{reason!~"handshake_aborted\|other"\}//g } ],
	[ 'no comparison with the day before' => sub { s/> 3 \* \(/> 0 * (/ } ],
	[ 'for: 5m instead of 10m' => sub { s/^(\s+)for: 10m$/${1}for: 5m/m } ],
	[ 'no minimum of 3 refusals in 5 minutes' => sub { s/\) >= 3$/) >= 0/m } ]);
my ($refusal_rule) = $alerts =~ /(^\s*- alert: PostgresConnectionRefusalsRising\n.*?)(?=^\s*- alert: |\z)/ms;
ok(defined $refusal_rule, 'alerts.yml has the rule PostgresConnectionRefusalsRising');

SKIP:
{
	skip 'promtool is not installed (apt-get install prometheus)', 3 + @refusal_mutations
	  unless defined $promtool;
	foreach my $step ([ 'check', 'rules', 'alerts.yml' ],
		[ 'test', 'rules', 'alerts.test.yml' ], [ 'check', 'config', 'prometheus.yml' ])
	{
		my ($out, $err) = ('', '');
		my $ok = IPC::Run::run([ $promtool, @$step ], '>', \$out, '2>', \$err,
			init => sub { chdir "$top/monitoring" or die $! });
		ok($ok, "promtool @$step") or diag("$out$err");
	}

	my $dir = File::Temp::tempdir(CLEANUP => 1);
	File::Copy::copy("$top/monitoring/alerts.test.yml", "$dir/alerts.test.yml")
	  or die "copying alerts.test.yml: $!";
	foreach my $m (@refusal_mutations)
	{
		my ($what, $mutate) = @$m;
		local $_ = $refusal_rule // '';
		$mutate->();
		my $changed = $_;
		if ($changed eq ($refusal_rule // ''))
		{
			fail("PostgresConnectionRefusalsRising with $what: the substitution applies");
			next;
		}
		open(my $fh, '>:raw', "$dir/alerts.yml") or die "writing $dir/alerts.yml: $!";
		print $fh $alerts =~ s/\Q$refusal_rule\E/$changed/r;
		close $fh;
		my ($out, $err) = ('', '');
		my $ok = IPC::Run::run([ $promtool, 'test', 'rules', 'alerts.test.yml' ],
			'>', \$out, '2>', \$err, init => sub { chdir $dir or die $! });
		ok(!$ok && "$out$err" =~ /FAILED/,
			"PostgresConnectionRefusalsRising with $what fails its unit tests")
		  or diag("$out$err");
	}
}

done_testing();
