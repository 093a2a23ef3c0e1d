# monitoring/alerts.yml: the README shows it verbatim, every rule fires in
# a unit test of monitoring/alerts.test.yml, and promtool (from the Debian
# package prometheus) accepts the rules, passes their unit tests and
# accepts monitoring/prometheus.yml.  The promtool part is skipped when
# promtool is not installed; t/060 checks the rules' metrics against a real
# scrape.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use IPC::Run;
use Test::More;

use SslinfoExtTest;

my $top = abs_path(dirname(__FILE__) . '/..');

my $alerts = slurp('monitoring/alerts.yml');
ok(index(slurp('README.md'), "```yaml\n$alerts```\n") >= 0,
	'README.md shows monitoring/alerts.yml verbatim in a yaml block');

# every alert rule has a unit test in which it fires
my @rules = $alerts =~ /^\s*- alert: (\w+)$/mg;
my $tests = slurp('monitoring/alerts.test.yml');
my %fires;
$fires{$1} = 1
  while $tests =~ /alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:/g;
ok(@rules >= 6, 'monitoring/alerts.yml has its rules');
is_deeply([ grep { !$fires{$_} } @rules ], [],
	'every rule of alerts.yml fires in a test of alerts.test.yml');

my ($promtool) =
  grep { -x } map { "$_/promtool" } split /:/, ($ENV{PATH} // '');
SKIP:
{
	skip 'promtool is not installed (apt-get install prometheus)', 3
	  unless defined $promtool;
	foreach my $step ([ 'check', 'rules', 'alerts.yml' ],
		[ 'test', 'rules', 'alerts.test.yml' ], [ 'check', 'config', 'prometheus.yml' ])
	{
		my ($out, $err) = ('', '');
		my $ok = IPC::Run::run([ $promtool, @$step ], '>', \$out, '2>', \$err,
			init => sub { chdir "$top/monitoring" or die $! });
		ok($ok, "promtool @$step") or diag("$out$err");
	}
}

done_testing();
