# monitoring/alerts.yml: doc/monitoring.md links to it and to
# monitoring/prometheus.yml (the shipped files, not copies of them) and names
# every rule, every rule fires in a unit test of
# monitoring/alerts.test.yml, and promtool (from the Debian
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

my $top = abs_path(dirname(__FILE__) . '/..');

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<:raw', "$top/$path") or die "cannot read $path: $!";
	local $/;
	return scalar <$fh>;
}

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
