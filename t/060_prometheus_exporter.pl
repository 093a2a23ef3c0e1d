# monitoring/postgres_exporter.yml and monitoring/sql_exporter.yml with the
# real exporters (prometheus-postgres-exporter and prometheus-sql-exporter):
# a non-superuser member of pg_monitor scrapes a TLS cluster over
# sslmode=verify-full while a known set of sessions is open (TLS 1.3 and
# 1.2 with client certificates, TLS without one, TCP without TLS, a Unix
# socket) after one attempt was refused (an expired client certificate);
# every sslinfo_ext_* metric is checked against those sessions and their
# client profiles (ssl_client_profile() in each), the refusal totals, the
# dry run of the files' candidate (a TLS 1.3 minimum: the TLS 1.2-capped
# session's profile is lost, the others kept) against
# ssl_policy_dry_run_summary() run at the same time, the
# certificate and CRL files (read with openssl), and
# ssl_config_audit(), for both exporters, the sql_exporter's after the
# relabelling of monitoring/prometheus.yml; the two files must run the same
# SQL, and the metrics monitoring/alerts.yml uses must all be there.  Then
# the grants are varied (pg_hba_file_rules added, pg_monitor taken away)
# and the metrics must follow.  The exporters are stopped at the end, also
# on failure.  The postgres_exporter's collector flags follow its version
# (0.17 renamed them).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use HTTP::Tiny;
use IPC::Run;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time usleep);
use Time::Local qw(timegm);
use YAML::XS ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

# The Debian packages' names first, then the upstream ones.
sub find_program
{
	foreach my $name (@_)
	{
		my ($found) = grep { -x } map { "$_/$name" } split /:/, ($ENV{PATH} // '');
		return $found if defined $found;
	}
	return undef;
}
my $pe_bin  = find_program(qw(prometheus-postgres-exporter postgres_exporter));
my $sql_bin = find_program(qw(prometheus-sql-exporter sql_exporter));
plan skip_all =>
  'prometheus-postgres-exporter is not installed (make test installs it as root)'
  unless defined $pe_bin;
# make test installs sql_exporter where the system's is one that runs
# monitoring/sql_exporter.yml (0.4 and later; not Debian bullseye's 0.2,
# test/lib.sh): without it only the postgres_exporter is tested.
my @exporters = ('postgres_exporter', defined $sql_bin ? ('sql_exporter') : ());
diag('sql_exporter skipped: prometheus-sql-exporter is not installed (test/lib.sh installs it where the system has 0.4 or later)')
  unless defined $sql_bin;

my $monitoring = abs_path(dirname(__FILE__) . '/../monitoring');
my $pe_queries = "$monitoring/postgres_exporter.yml";
my $log_path = $PostgreSQL::Test::Utils::log_path;

# ---- the two files run the same SQL under the same names ----

my $pe_conf  = YAML::XS::LoadFile($pe_queries);
my $sql_conf = YAML::XS::LoadFile("$monitoring/sql_exporter.yml");
my $scrape_conf = YAML::XS::LoadFile("$monitoring/prometheus.yml");
my (%pe_metrics, %sql_metrics);
foreach my $section (sort keys %$pe_conf)
{
	my @metrics = map { %$_ } @{ $pe_conf->{$section}{metrics} };
	my %cols = @metrics;
	my @labels = grep { $cols{$_}{usage} eq 'LABEL' } map { (keys %$_)[0] } @{ $pe_conf->{$section}{metrics} };
	foreach my $col (grep { $cols{$_}{usage} =~ /^(GAUGE|COUNTER)$/ } keys %cols)
	{
		$pe_metrics{"${section}_$col"} =
		  { sql => $pe_conf->{$section}{query}, labels => [ sort @labels ], value => $col };
	}
}
my ($job) = @{ $sql_conf->{jobs} };
foreach my $q (@{ $job->{queries} })
{
	$sql_metrics{ $q->{name} } = {
		sql    => $q->{query} // $sql_conf->{queries}{ $q->{query_ref} // '' },
		labels => [ sort @{ $q->{labels} // [] } ],
		value  => join(',', @{ $q->{values} }) };
}
is_deeply([ sort keys %sql_metrics ], [ sort keys %pe_metrics ],
	'sql_exporter.yml has a query for each metric of postgres_exporter.yml');
foreach my $m (sort keys %pe_metrics)
{
	is_deeply($sql_metrics{$m}, $pe_metrics{$m},
		"$m: the same SQL, labels and value column in both files");
}
my @our_families = sort keys %pe_metrics;

# the candidate of the dry-run queries: tls13_minimum, a TLS 1.3 minimum and
# no maximum (the same SQL in both files, checked above)
foreach my $section (qw(sslinfo_ext_dry_run sslinfo_ext_dry_run_lost))
{
	my @candidates = ($pe_conf->{$section}{query} // '') =~ /^\s+(\('.*\)),?$/mg;
	is_deeply(\@candidates, [q{('tls13_minimum', NULL, NULL, 'TLSv1.3', '', NULL)}],
		"$section: the candidate tls13_minimum (ssl_min_protocol_version 'TLSv1.3', no maximum), and only it");
}

# The sql_exporter job's relabelling of monitoring/prometheus.yml: the
# actions it uses (replace, labeldrop), as Prometheus applies them
# (anchored regexes, ";"-joined source labels, "$1" replacements).
my ($sql_scrape) = grep { $_->{job_name} eq 'sql_exporter' } @{ $scrape_conf->{scrape_configs} };
my @relabel = @{ $sql_scrape->{metric_relabel_configs} // [] };
ok(@relabel, 'monitoring/prometheus.yml relabels the sql_exporter job');

sub relabel
{
	my ($sample) = @_;
	my %labels = (%{ $sample->{labels} }, __name__ => $sample->{name});
	foreach my $r (@relabel)
	{
		my $action = $r->{action} // 'replace';
		my $re = qr/^(?:$r->{regex})$/;
		if ($action eq 'replace')
		{
			my $value = join($r->{separator} // ';',
				map { $labels{$_} // '' } @{ $r->{source_labels} });
			next unless my @groups = $value =~ $re;
			my $replacement = $r->{replacement} // '$1';
			$replacement =~ s/\$\{?(\d+)\}?/$groups[$1 - 1] \/\/ ''/ge;
			$labels{ $r->{target_label} } = $replacement;
		}
		elsif ($action eq 'labeldrop')
		{
			delete $labels{$_} foreach grep { $_ ne '__name__' && /$re/ } keys %labels;
		}
		else
		{
			die "relabel action $action is not implemented in this test";
		}
	}
	my $name = delete $labels{__name__};
	return { name => $name, labels => \%labels, value => $sample->{value}, raw => $sample->{raw} };
}

# ---- the cluster ----

# password_encryption = md5 makes ssl_config_audit() report an error
my $node = new_tls_node('exporter',
	preload    => 1,
	extra_conf => "password_encryption = 'md5'");
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION sslinfo_ext;
CREATE ROLE app_user LOGIN;
CREATE ROLE monitoring_role LOGIN;
GRANT pg_monitor TO monitoring_role;
});
my $server_label = '127.0.0.1:' . $node->port;

# ---- a refused attempt: an expired client certificate ----

{
	my ($rc, $out, $err) = psql_tls($node, 'SELECT 1', cert => 'client_expired', user => 'app_user');
	isnt($rc, 0, 'a connection with an expired client certificate is refused') or diag($out);
	ok( $node->poll_query_until(
			'postgres',
			q{SELECT refusals FROM pg_stat_ssl_ext_refusal_totals WHERE reason = 'client_cert_expired'}, '1'),
		'the refusal is counted as client_cert_expired');
}

# ---- idle sessions held open by psql ----

my @sessions;

sub open_session
{
	my ($name, $connstr) = @_;
	my $s = { name => $name, in => '', out => '', err => '' };
	$s->{timer} = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
	$s->{h} = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq', '-v',
			'ON_ERROR_STOP=1', '-d', "$connstr application_name=$name"
		],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err}, $s->{timer});
	push @sessions, $s;
	return $s;
}

# Runs $sql in session $s and returns its output (psql -At).
sub session_query
{
	my ($s, $sql) = @_;
	$s->{out} = '';
	$s->{in} .= "$sql;\n\\echo __done__\n";
	$s->{timer}->start($PostgreSQL::Test::Utils::timeout_default);
	eval {
		$s->{h}->pump
		  until $s->{out} =~ /__done__\n/ || $s->{timer}->is_expired;
	};
	die "session $s->{name}: query failed or timed out: $@ $s->{err}"
	  unless $s->{out} =~ s/__done__\n$//;
	chomp $s->{out};
	return $s->{out};
}

sub close_sessions
{
	foreach my $s (@sessions)
	{
		$s->{in} .= "\\q\n";
		eval { $s->{h}->finish };
	}
	@sessions = ();
}

# ---- the exporters: processes with a log each ----

my %running;    # name => pid
my $http = HTTP::Tiny->new(timeout => 30);

sub process_running
{
	my ($name) = @_;
	my $pid = $running{$name} or return 0;
	return 1 if waitpid($pid, WNOHANG) == 0;
	delete $running{$name};    # exited (and reaped)
	return 0;
}

sub log_file { return "$log_path/060_prometheus_exporter_$_[0].log"; }
sub process_log { my $f = log_file($_[0]); return -f $f ? slurp_file($f) : ''; }

sub start_process
{
	my ($name, $env, @cmd) = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0)
	{
		$ENV{$_} = $env->{$_} foreach keys %$env;
		open(STDIN, '<', '/dev/null') or POSIX::_exit(126);
		open(STDOUT, '>>', log_file($name)) or POSIX::_exit(126);
		open(STDERR, '>&', \*STDOUT) or POSIX::_exit(126);
		exec(@cmd) or POSIX::_exit(127);
	}
	$running{$name} = $pid;
	note "$name: @cmd (log " . log_file($name) . ')';
}

# SIGTERM, then SIGKILL if it is still there after 10 seconds
sub stop_process
{
	my ($name) = @_;
	return unless process_running($name);
	my $pid = delete $running{$name};
	kill 'TERM', $pid;
	my $deadline = time + 10;
	while (waitpid($pid, WNOHANG) == 0)
	{
		if (time > $deadline)
		{
			kill 'KILL', $pid;
			waitpid($pid, 0);
			last;
		}
		usleep(50_000);
	}
}

# also when the test dies; keep the test's exit status
END { local $?; stop_process($_) foreach keys %running; }
$SIG{INT} = $SIG{TERM} = sub { die "interrupted\n" };

# GET /metrics of 127.0.0.1:$port; the parsed samples: [{name, labels => {}, value}].
sub scrape
{
	my ($port) = @_;
	my $response = $http->get("http://127.0.0.1:$port/metrics");
	die "GET /metrics: $response->{status} $response->{reason}: $response->{content}"
	  unless $response->{success};
	my @samples;
	foreach my $line (split /\n/, $response->{content})
	{
		next if $line =~ /^#/ || $line !~ /\S/;
		my ($name, $labels, $value) =
		  $line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/
		  or die "unexpected line in /metrics: $line";
		my %labels;
		while (defined $labels
			&& $labels =~ /\G\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gc)
		{
			my ($k, $v) = ($1, $2);
			$v =~ s/\\(.)/$1 eq 'n' ? "\n" : $1/ge;
			$labels{$k} = $v;
		}
		# as a number: 1.796329143e+09 is 1796329143
		push @samples, { name => $name, labels => \%labels, value => 0 + $value, raw => $line };
	}
	return \@samples;
}

sub samples_named
{
	my ($samples, $name) = @_;
	return grep { $_->{name} eq $name } @$samples;
}

# value of the one sample called $name (undef if there is none)
sub value_of
{
	my ($samples, $name, %match) = @_;
	my @found = grep {
		my $s = $_;
		!grep { ($s->{labels}{$_} // '') ne $match{$_} } keys %match
	} samples_named($samples, $name);
	die "more than one $name sample" if @found > 1;
	return @found ? $found[0]{value} : undef;
}

# {"l1|l2..." => value} of the samples called $name, keyed by the labels named
sub by_labels
{
	my ($samples, $name, @labels) = @_;
	return {
		map {
			my $s = $_;
			(join('|', map { $s->{labels}{$_} // '<none>' } @labels) => $s->{value})
		} samples_named($samples, $name)
	};
}

# Waits until GET /metrics answers and $ready->($samples) is true.
sub wait_for_metrics
{
	my ($name, $port, $ready) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while (time < $deadline)
	{
		last unless process_running($name);
		my $samples = eval { scrape($port) };
		return $samples if $samples && $ready->($samples);
		usleep(200_000);
	}
	return undef;
}

# postgres_exporter: started once, scraped on demand (it queries at scrape
# time), with only our custom queries: every collector that is on by default
# is turned off.  Which those are differs by version (0.11: database and
# bgwriter; 0.17 renamed bgwriter to stat_bgwriter and added locks, wal,
# replication, ...), so its --help says.  The collectors run concurrently on
# the exporter's connection pool, so any of them left on could open a second
# session during a scrape, which the session counts below would see.
my ($pe_help) = join('', run_command([ $pe_bin, '--help' ])) =~ s/\s+/ /gr;
my @default_collectors =
  $pe_help =~ /--(?:\[no-\])?collector\.(\w+) Enable the \1 collector \(default: enabled\)/g;
# Before 0.11 (Debian bullseye's 0.8) there are no collectors: only the
# default and settings metrics, turned off below on every version.
die "cannot tell postgres_exporter's default collectors from its --help"
  unless @default_collectors || $pe_help !~ /--(?:\[no-\])?collector\./;
note @default_collectors
  ? "postgres_exporter: turning off the collectors @default_collectors"
  : "postgres_exporter: no collectors (its --help names none)";

# 0.17 and later (Debian trixie's and sid's; not bookworm's 0.11) open a
# second session of their own at each scrape, for the collectors, which
# our sessions_count query may see or not (it runs concurrently): the
# exporter's own TLS state may count one session more than it keeps open.
# (0.11 prints its version on stdout, 0.17 on stderr)
my ($pe_major, $pe_minor) =
  join('', run_command([ $pe_bin, '--version' ])) =~ /version (\d+)\.(\d+)/;
my $pe_scrape_session = ($pe_major // 0) > 0 || ($pe_minor // 0) >= 17;

# libpq's key-file path (connstr() gives a copy libpq accepts when the
# certificates belong to someone else); lib/pq has no hostaddr.
my $monitor_connstr =
  connstr($node, cert => 'client_plain', user => 'monitoring_role');
my %tls_file;
$tls_file{$1} = $2 =~ s/\\(.)/$1/gr
  while $monitor_connstr =~ /\b(sslrootcert|sslcert|sslkey)='((?:[^'\\]|\\.)*)'/g;
my $dsn = join ' ',
  'host=127.0.0.1', 'port=' . $node->port, 'dbname=postgres',
  'user=monitoring_role', 'sslmode=verify-full',
  map { "$_='" . ($tls_file{$_} =~ s/([\\'])/\\$1/gr) . "'" }
  qw(sslrootcert sslcert sslkey);

my $pe_port = PostgreSQL::Test::Cluster::get_free_port();
start_process(
	'postgres_exporter',
	{ DATA_SOURCE_NAME => $dsn },
	$pe_bin,
	"--extend.query-path=$pe_queries",
	'--disable-default-metrics',
	'--disable-settings-metrics',
	(map { "--no-collector.$_" } @default_collectors),
	"--web.listen-address=127.0.0.1:$pe_port");
ok(wait_for_metrics('postgres_exporter', $pe_port, sub { 1 }), 'postgres_exporter serves /metrics')
  or die "postgres_exporter did not start; its log:\n" . process_log('postgres_exporter');

# Sessions of monitoring_role: settle() below counts those as the exporters'.
# A newer postgres_exporter's per-scrape session (of the scrape above), or
# the backend of a psql as monitoring_role, may outlive its client by a
# moment: wait until only the exporter's one connection is left, so that
# settle() does not count a session that is about to go.
my $n_monitor_sessions = q{SELECT count(*) FROM pg_stat_activity WHERE usename = 'monitoring_role'};
ok($node->poll_query_until('postgres', "SELECT ($n_monitor_sessions) <= 1"),
	'postgres_exporter holds one connection after its first scrape');

# sql_exporter: runs its job when it starts (and then every interval), so
# it is started afresh for each scrape and read once the job has run.  Its
# configuration is monitoring/sql_exporter.yml with the test server's
# connection.
sub uri_escape { return $_[0] =~ s/([^A-Za-z0-9\-._~\/])/sprintf('%%%02X', ord $1)/ger; }
my $sql_url = 'postgres://monitoring_role@127.0.0.1:' . $node->port . '/postgres?sslmode=verify-full&'
  . join('&', map { "$_=" . uri_escape($tls_file{$_}) } qw(sslrootcert sslcert sslkey));
my $sql_exporter_conf = "$log_path/060_sql_exporter.yml";
{
	my $text = slurp_file("$monitoring/sql_exporter.yml");
	my $n = ($text =~ s{^(\s+- )"postgres://[^"]*"$}{$1"$sql_url"}mg);
	is($n, 1, 'sql_exporter.yml has one connection (replaced by the test server\'s)');
	open(my $fh, '>', $sql_exporter_conf) or die $!;
	print $fh $text;
	close $fh;
}
my $n_sql_queries = keys %sql_metrics;
my $sql_port = PostgreSQL::Test::Cluster::get_free_port();

# Starts sql_exporter, waits until every query has run once, and returns
# its samples after relabelling, and the log it wrote.
sub sql_exporter_scrape
{
	my $log_offset = length(process_log('sql_exporter'));
	start_process('sql_exporter', {}, $sql_bin, "-config.file=$sql_exporter_conf",
		"-web.listen-address=127.0.0.1:$sql_port");
	my $samples = wait_for_metrics(
		'sql_exporter', $sql_port,
		sub {
			grep({ ($_->{labels}{sql_job} // '') eq 'sslinfo_ext' }
				samples_named($_[0], 'sql_exporter_last_scrape_failed')) == $n_sql_queries;
		});
	die "sql_exporter did not run its queries; its log:\n" . process_log('sql_exporter')
	  unless $samples;
	return ($samples, substr(process_log('sql_exporter'), $log_offset));
}

# ---- a known set of sessions ----

my $controller = open_session('controller', $node->connstr('postgres'));  # Unix socket
my %session_connstr = (
	s_plain    => connstr($node, cert => 'client_plain',    user => 'app_user'),
	s_ec       => connstr($node, cert => 'client_ec',       user => 'app_user'),
	s_expiring => connstr($node, cert => 'client_expiring', user => 'app_user'),
	s_tls12    => connstr($node,
		cert  => 'client_longdn',
		user  => 'app_user',
		extra => 'ssl_max_protocol_version=TLSv1.2'),
	s_nocert => connstr($node, cert => undef, user => 'sslinfo_nocert'),
	s_tcp1   => connstr($node, sslmode => 'disable', user => 'app_user'),
	s_tcp2   => connstr($node, sslmode => 'disable', user => 'app_user'));
open_session($_, $session_connstr{$_}) foreach sort keys %session_connstr;

# "ssl|version|cipher|tls_group|datname" of a session: the TLS state from
# core's pg_stat_ssl, the group from pg_stat_ssl_ext (no other source has
# it), the database from pg_stat_activity.
my $state_sql = q{SELECT CASE WHEN s.ssl THEN 'true' ELSE 'false' END || '|' || coalesce(s.version, '') || '|' || coalesce(s.cipher, '')
	|| '|' || coalesce(e.tls_group, '') || '|' || coalesce(a.datname::text, '')
  FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) LEFT JOIN pg_stat_ssl_ext e USING (pid)};
my (%own_state, %own_profile);
foreach my $s (@sessions)
{
	$own_state{ $s->{name} } = session_query($s, "$state_sql WHERE s.pid = pg_backend_pid()");
	$own_profile{ $s->{name} } = session_query($s, 'SELECT ssl_client_profile()');
}
like($own_profile{s_plain}, qr/^[0-9a-f]{16}$/, 's_plain has a client profile (ssl_client_profile())');
is($own_profile{s_tcp1}, '', 's_tcp1, without TLS, has no client profile');
isnt($own_profile{s_tls12}, $own_profile{s_plain},
	's_tls12 (ssl_max_protocol_version=TLSv1.2) offers otherwise than s_plain: another profile');
is($own_profile{s_ec}, $own_profile{s_plain}, 's_ec (another client certificate) has the profile of s_plain');
like($own_state{s_tls12}, qr/^true\|TLSv1\.2\|DHE-/, 's_tls12 negotiated TLS 1.2 with a DHE suite');
like($own_state{s_plain}, qr/^true\|TLSv1\.3\|[^|]+\|[^|]+\|postgres$/, 's_plain negotiated TLS 1.3, with a group');
is($own_state{s_tcp1}, 'false||||postgres', 's_tcp1 has no TLS');

my $n_client_backends = q{SELECT count(*) FROM pg_stat_activity
  WHERE backend_type IN ('client backend', 'walsender')};
my $exporter_state = "SELECT string_agg(x, ',' ORDER BY x) FROM ($state_sql WHERE a.usename = 'monitoring_role') AS t(x)";
my $exporter_profiles = q{SELECT coalesce(string_agg(e.client_profile, ',' ORDER BY e.client_profile), '')
  FROM pg_stat_ssl_ext e JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'monitoring_role'};

# Waits until only our sessions and the exporters' are left (the backends of
# earlier short-lived psql runs are gone), then returns the exporters'
# sessions' states and the expected count per "ssl|version|cipher|group|db".
sub settle
{
	my $exporter_sessions = session_query($controller, $exporter_state);
	my @exporter_states = split /,/, $exporter_sessions;
	my $want = @sessions + @exporter_states;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while (session_query($controller, $n_client_backends) != $want)
	{
		die "sessions other than ours did not go away" if time > $deadline;
		usleep(100_000);
	}
	my %expected;
	$expected{$_}++ foreach (values %own_state, @exporter_states);
	# open sessions per client profile: ours (each one's ssl_client_profile()) and the exporters'
	my @exporter_profiles = split /,/, session_query($controller, $exporter_profiles);
	my %profiles;
	$profiles{$_}++ foreach (grep { $_ ne '' } values %own_profile), @exporter_profiles;
	return ($exporter_sessions, \%expected, \%profiles, \@exporter_profiles);
}

my $pids_sql = q{SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity
  WHERE backend_type IN ('client backend', 'walsender')};

# {reason => refusals} of pg_stat_ssl_ext_refusal_totals
sub refusal_totals
{
	return { map { split /=/ } split /,/, session_query($controller,
		q{SELECT string_agg(reason || '=' || refusals, ',') FROM pg_stat_ssl_ext_refusal_totals}) };
}

# {client_profile => max_version} of pg_stat_ssl_ext_clients, as a superuser sees it
sub profile_versions
{
	return { map { split /=/, $_, 2 } split /,/, session_query($controller,
		q{SELECT string_agg(client_profile || '=' || coalesce(max_version, ''), ',') FROM pg_stat_ssl_ext_clients}) };
}

# The dry run of tls13_minimum as a superuser runs it: {lost_profiles =>
# clients_lost, lost_sessions => sessions_lost, profiles => [lost_profiles, sorted]}
sub dry_run_summary
{
	my ($lost, $sessions, $profiles) = split /\|/, session_query($controller,
		q{SELECT clients_lost, sessions_lost, array_to_string(ARRAY(SELECT unnest(lost_profiles) ORDER BY 1), ',')
		  FROM ssl_policy_dry_run_summary(ssl_min_protocol_version => 'TLSv1.3', ssl_max_protocol_version => '')}), -1;
	return { lost_profiles => $lost, lost_sessions => $sessions, profiles => [ split /,/, $profiles ] };
}

# Both exporters' samples (the sql_exporter's relabelled), each with the
# sessions expected at the time its queries ran.
sub scrape_both
{
	my %result;

	# postgres_exporter (sql_exporter not running)
	my ($exporter_sessions, $expected, $profiles, $exporter_profiles) = settle();
	my $pids_before = session_query($controller, $pids_sql);
	my $log_offset = length(process_log('postgres_exporter'));
	my $samples = scrape($pe_port);
	# Newer versions (0.17 and 0.19 of Debian trixie and sid; not 0.11) open
	# a second, short-lived session at each scrape (the collectors' "SELECT
	# version()", after the custom queries ran), which may outlive the HTTP
	# response by a moment: wait for it to end.
	my $pids_now = session_query($controller, $pids_sql);
	my $settle_deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while ($pids_now ne $pids_before && time < $settle_deadline)
	{
		usleep(50_000);
		$pids_now = session_query($controller, $pids_sql);
	}
	is($pids_now, $pids_before,
		'no session came or went during the postgres_exporter scrape (its own short-lived one aside)')
	  or diag(session_query($controller, q{SELECT string_agg(concat_ws(' ', pid, usename, application_name, backend_type, state, backend_start, query), E'\n') FROM pg_stat_activity}));
	$result{postgres_exporter} = {
		samples => $samples,
		ours => [ grep { $_->{name} =~ /^sslinfo_ext_/ } @$samples ],
		expected_sessions => $expected,
		exporter_sessions => $exporter_sessions,
		expected_profiles => $profiles,
		exporter_profiles => $exporter_profiles,
		refusals => refusal_totals(),
		dry_run => dry_run_summary(),
		log => substr(process_log('postgres_exporter'), $log_offset) };

	return \%result unless defined $sql_bin;

	# sql_exporter: its session is open while its queries run (keepalive);
	# settle() afterwards sees the sessions the queries saw.
	settle();
	$pids_before = session_query($controller, $pids_sql);
	my ($raw, $log) = sql_exporter_scrape();
	($exporter_sessions, $expected, $profiles, $exporter_profiles) = settle();
	my $pids_after = session_query($controller, $pids_sql);
	stop_process('sql_exporter');
	is(scalar(split /,/, $pids_after), scalar(split /,/, $pids_before) + 1,
		'sql_exporter kept one session open after its run');
	$result{sql_exporter} = {
		samples => $raw,
		ours => [ map { relabel($_) } grep { $_->{name} =~ /^sql_sslinfo_ext_/ } @$raw ],
		expected_sessions => $expected,
		exporter_sessions => $exporter_sessions,
		expected_profiles => $profiles,
		exporter_profiles => $exporter_profiles,
		refusals => refusal_totals(),
		dry_run => dry_run_summary(),
		log => $log };
	return \%result;
}

sub audit_statuses
{
	my (%opts) = @_;
	my $sql = 'SELECT check_name, status FROM ssl_config_audit()';
	my $out;
	if ($opts{as_monitor})
	{
		my ($rc, $stdout, $stderr) = psql_tls($node, $sql,
			cert => 'client_plain', user => 'monitoring_role', on_error_stop => 1);
		die "ssl_config_audit() as monitoring_role: $stderr" if $rc != 0;
		$out = $stdout;
		$node->poll_query_until('postgres', "SELECT ($n_monitor_sessions) <= 1")
		  or die "the backend of psql as monitoring_role did not go away";
	}
	else
	{
		$out = $node->safe_psql('postgres', $sql);
	}
	# the gauges the audit should give: 1 for each check's status, 0 for the others
	my %gauges;
	foreach (split /\n/, $out)
	{
		my ($check, $status) = split /\|/;
		$gauges{"$check|$_"} = ($_ eq $status ? 1 : 0) foreach qw(ok warning error);
	}
	return \%gauges;
}

sub no_scrape_errors
{
	my ($exporter, $scrape, $what) = @_;
	my $samples = $scrape->{samples};
	if ($exporter eq 'postgres_exporter')
	{
		is(value_of($samples, 'pg_up'), 1, "$what: pg_up 1");
		is(value_of($samples, 'pg_exporter_last_scrape_error'), 0,
			"$what: pg_exporter_last_scrape_error 0");
		my $load = by_labels($samples, 'pg_exporter_user_queries_load_error', 'filename');
		is_deeply($load, { $pe_queries => 0 }, "$what: queries file loaded");
		unlike($scrape->{log}, qr/Error running query|level=error/,
			"$what: exporter logged no query errors");
	}
	else
	{
		is_deeply(by_labels($samples, 'sql_exporter_last_scrape_failed', 'query'),
			{ map { $_ => 0 } keys %sql_metrics },
			"$what: sql_exporter_last_scrape_failed 0 for every query");
		unlike($scrape->{log}, qr/level=(error|warn)/i, "$what: exporter logged no errors or warnings");
	}
}

# {"client_profile|max_version" => sessions} of a scrape; a newer
# postgres_exporter's per-scrape session, counted or not (see
# $pe_scrape_session), is taken off its profile.
sub scraped_profiles
{
	my ($exporter, $scrape, $what, $versions) = @_;
	my $by_profile = by_labels($scrape->{ours}, 'sslinfo_ext_client_profile_sessions', qw(client_profile max_version));
	return $by_profile unless $exporter eq 'postgres_exporter' && $pe_scrape_session;
	foreach my $own (keys %{ { map { $_ => 1 } @{ $scrape->{exporter_profiles} } } })
	{
		my $key = "$own|" . ($versions->{$own} // '');
		next unless ($by_profile->{$key} // 0) == ($scrape->{expected_profiles}{$own} // 0) + 1;
		note "$what: the exporter's per-scrape session was counted in profile $own";
		$by_profile->{$key}--;
	}
	return $by_profile;
}

# Every metric of one exporter's scrape against the sessions, files and audit.
sub check_metrics
{
	my ($exporter, $scrape, $audit) = @_;
	my $what = "$exporter, pg_monitor";
	my $ours = $scrape->{ours};
	no_scrape_errors($exporter, $scrape, $what);
	note "$exporter: sslinfo_ext samples:\n", join("\n", map { $_->{raw} } @$ours);
	is_deeply([ sort keys %{ { map { $_->{name} => 1 } @$ours } } ],
		\@our_families, "$what: every sslinfo_ext metric family is there");
	is_deeply([ grep { ($_->{labels}{server} // '') ne $server_label } @$ours ], [],
		"$what: every sample has server=\"$server_label\"");
	is_deeply({ map { $_->{name} => join(',', sort grep { $_ ne 'server' } keys %{ $_->{labels} }) } @$ours },
		{ map { $_ => join(',', @{ $pe_metrics{$_}{labels} }) } @our_families },
		"$what: each metric has the labels of its query, and server");

	# the alert rules use only metrics that are scraped
	my %scraped = map { $_->{name} => 1 } @$ours;
	my $alert_rules = slurp_file("$monitoring/alerts.yml");
	my @alert_metrics = sort keys %{ { map { $_ => 1 } $alert_rules =~ /\b(sslinfo_ext_\w+)/g } };
	ok(@alert_metrics >= 5, "$what: monitoring/alerts.yml uses the sslinfo_ext metrics");
	is_deeply([ grep { !$scraped{$_} } @alert_metrics ], [],
		"$what: every metric monitoring/alerts.yml uses is scraped");

	like($scrape->{exporter_sessions}, qr/(^|,)true\|TLSv1\.[23]\|/, "$what: the exporter has a TLS session");
	my $counted = by_labels($ours, 'sslinfo_ext_sessions_count', qw(ssl version cipher tls_group datname));
	if ($exporter eq 'postgres_exporter' && $pe_scrape_session)
	{
		foreach my $own (keys %{ { map { $_ => 1 } split /,/, $scrape->{exporter_sessions} } })
		{
			next unless ($counted->{$own} // 0) == ($scrape->{expected_sessions}{$own} // 0) + 1;
			note "$what: the exporter's per-scrape session was counted in $own";
			$counted->{$own}--;
		}
	}
	is_deeply($counted, $scrape->{expected_sessions},
		"$what: sessions_count by ssl, version, cipher, tls_group, datname: our sessions and the exporters'")
	  or diag(explain($counted), explain($scrape->{expected_sessions}));
	note explain $scrape->{expected_sessions};
	is(value_of($ours, 'sslinfo_ext_non_tls_tcp_sessions'), 2,
		"$what: non_tls_tcp_sessions: the two sslmode=disable sessions, not the Unix socket");

	# refused connections: every reason, the totals' values, the expired certificate's one
	is_deeply(by_labels($ours, 'sslinfo_ext_refused_connections_total', 'reason'), $scrape->{refusals},
		"$what: refused_connections_total: one sample per reason, pg_stat_ssl_ext_refusal_totals' values");
	is(scalar(keys %{ $scrape->{refusals} }), 14, "$what: the totals list the fourteen reasons");
	is(value_of($ours, 'sslinfo_ext_refused_connections_total', reason => 'client_cert_expired'), 1,
		"$what: refused_connections_total{reason=\"client_cert_expired\"} 1: the attempt with an expired certificate");

	# open sessions per client profile: ours by their ssl_client_profile(), and the exporters'
	my $versions = profile_versions();
	my $by_profile = scraped_profiles($exporter, $scrape, $what, $versions);
	is_deeply($by_profile,
		{ map { ("$_|" . ($versions->{$_} // '') => $scrape->{expected_profiles}{$_}) } keys %{ $scrape->{expected_profiles} } },
		"$what: client_profile_sessions: the open sessions of each profile (our sessions' ssl_client_profile(), the exporters')")
	  or diag(explain($by_profile), explain($scrape->{expected_profiles}), explain($versions));
	is_deeply([ grep { !/^[0-9a-f]{16}\|/ } keys %$by_profile ], [],
		"$what: client_profile is 16 hex digits");
	my $n_libpq = grep { $_ eq $own_profile{s_plain} } values %own_profile;
	is(value_of($ours, 'sslinfo_ext_client_profile_sessions', client_profile => $own_profile{s_plain}),
		$n_libpq, "$what: client_profile_sessions of s_plain's profile: the $n_libpq sessions with it");
	is(value_of($ours, 'sslinfo_ext_client_profile_sessions', client_profile => $own_profile{s_plain}, max_version => 'TLSv1.3'),
		$n_libpq, "$what: s_plain's profile offered TLSv1.3 at most");
	is(value_of($ours, 'sslinfo_ext_client_profile_sessions', client_profile => $own_profile{s_tls12}, max_version => 'TLSv1.2'),
		1, "$what: s_tls12's profile (its own) offered TLSv1.2 at most");

	# the dry run of tls13_minimum: the SQL's summary at the time of the scrape
	my $dry = $scrape->{dry_run};
	is_deeply(by_labels($ours, 'sslinfo_ext_dry_run_lost_profiles', 'candidate'),
		{ tls13_minimum => $dry->{lost_profiles} },
		"$what: dry_run_lost_profiles{candidate=\"tls13_minimum\"}: clients_lost of ssl_policy_dry_run_summary() ($dry->{lost_profiles})");
	is_deeply(by_labels($ours, 'sslinfo_ext_dry_run_lost_sessions', 'candidate'),
		{ tls13_minimum => $dry->{lost_sessions} },
		"$what: dry_run_lost_sessions{candidate=\"tls13_minimum\"}: sessions_lost of ssl_policy_dry_run_summary() ($dry->{lost_sessions})");
	is_deeply(by_labels($ours, 'sslinfo_ext_dry_run_lost_profile', qw(candidate client_profile)),
		{ map { ("tls13_minimum|$_" => 1) } @{ $dry->{profiles} } },
		"$what: dry_run_lost_profile: 1 for each of lost_profiles of ssl_policy_dry_run_summary()");
	is_deeply($dry->{profiles}, [ $own_profile{s_tls12} ],
		"$what: the candidate loses s_tls12's profile (TLS 1.2 at most), and only it");
	is($dry->{lost_sessions}, 1, "$what: one open session of a lost profile (s_tls12)");
	ok(!grep({ $_->{labels}{client_profile} eq $own_profile{s_plain} } samples_named($ours, 'sslinfo_ext_dry_run_lost_profile')),
		"$what: s_plain's profile (a default psql, TLS 1.3) is kept: no dry_run_lost_profile");

	# the soonest client certificate: client_expiring
	my $c = cert_facts('client_expiring');
	my %cert_labels = (fingerprint_sha256 => $c->{fingerprint}, subject => $c->{dn},
		issuer => $c->{issuer_dn}, serialnumber => $c->{serial});
	foreach my $m (qw(not_after not_before))
	{
		my @found = samples_named($ours, "sslinfo_ext_client_cert_${m}_timestamp_seconds");
		is(scalar(@found), 1, "$what: one client_cert_${m}_timestamp_seconds");
		is($found[0]{value}, $c->{$m}, "$what: client_cert_${m}_timestamp_seconds is client_expiring's $m");
	}
	is(value_of($ours, 'sslinfo_ext_client_cert_info', %cert_labels), 1,
		"$what: client_cert_info 1 with client_expiring's fingerprint, subject, issuer and serial");

	# server and CA certificates
	my %files = (server => cert_facts('server'), ca => cert_facts('ca'));
	my %want = map {
		my $f = $files{$_};
		("$_|$f->{fingerprint}|$f->{dn}|$f->{issuer_dn}|$f->{serial}" => 1)
	} keys %files;
	is_deeply(by_labels($ours, 'sslinfo_ext_server_cert_info', qw(role fingerprint_sha256 subject issuer serialnumber)),
		\%want, "$what: server_cert_info: one sample per certificate of ssl_cert_file and ssl_ca_file, described by its file");
	foreach my $m (qw(not_after not_before))
	{
		is_deeply(by_labels($ours, "sslinfo_ext_server_cert_${m}_timestamp_seconds", qw(role fingerprint_sha256)),
			{ map { ("$_|$files{$_}{fingerprint}" => $files{$_}{$m}) } keys %files },
			"$what: server_cert_${m}_timestamp_seconds are the files' $m");
	}

	# the CRL, against openssl's reading of root.crl, in its own date format
	# ("Nov 23 17:42:38 2026 GMT"), the same from 1.1.1 to 3.x (-dateopt is
	# 3.0's)
	my ($crl_out) = run_command(
		[ 'openssl', 'crl', '-in', certdir() . '/root.crl', '-noout', '-lastupdate', '-nextupdate' ]);
	my %crl;
	my %month;
	@month{qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)} = (0 .. 11);
	while ($crl_out =~ /^(last|next)Update=(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/mg)
	{
		$crl{$1} = timegm($6, $5, $4, $3, $month{$2}, $7) if defined $month{$2};
	}
	is(scalar(keys %crl), 2, 'openssl crl shows lastUpdate and nextUpdate');
	foreach my $m (qw(next last))
	{
		my @found = samples_named($ours, "sslinfo_ext_crl_${m}_update_timestamp_seconds");
		is(scalar(@found), 1, "$what: one crl_${m}_update_timestamp_seconds");
		is($found[0]{value}, $crl{$m}, "$what: crl_${m}_update_timestamp_seconds is root.crl's ${m}Update");
		is($found[0]{labels}{issuer}, $files{ca}{dn}, "$what: crl_${m}_update_timestamp_seconds: issuer is the CA");
	}

	is_deeply(by_labels($ours, 'sslinfo_ext_audit_check_status', qw(check status)), $audit,
		"$what: audit_check_status: 1 for each check's status, 0 for the other two");
}

# ---- scrape 1: pg_monitor ----

my $audit_monitor = audit_statuses(as_monitor => 1);
cmp_ok(scalar(grep { /\|error$/ && $audit_monitor->{$_} } keys %$audit_monitor), '>=', 1,
	'the audit reports password_encryption = md5 as an error');
my $scrapes = scrape_both();
check_metrics($_, $scrapes->{$_}, $audit_monitor) foreach @exporters;
if (defined $sql_bin)
{
	is_deeply(
		by_labels($scrapes->{sql_exporter}{ours}, 'sslinfo_ext_refused_connections_total', 'reason'),
		by_labels($scrapes->{postgres_exporter}{ours}, 'sslinfo_ext_refused_connections_total', 'reason'),
		'both exporters: the same refused_connections_total');
	foreach my $s (qw(s_plain s_tls12))
	{
		my @values = map {
			value_of($scrapes->{$_}{ours}, 'sslinfo_ext_client_profile_sessions', client_profile => $own_profile{$s})
		} qw(postgres_exporter sql_exporter);
		is($values[1], $values[0], "both exporters: the same client_profile_sessions for the profile of $s");
	}
	foreach my $m (
		[ sslinfo_ext_dry_run_lost_profiles => 'candidate' ],
		[ sslinfo_ext_dry_run_lost_sessions => 'candidate' ],
		[ sslinfo_ext_dry_run_lost_profile  => qw(candidate client_profile) ])
	{
		my ($name, @labels) = @$m;
		is_deeply(by_labels($scrapes->{sql_exporter}{ours}, $name, @labels),
			by_labels($scrapes->{postgres_exporter}{ours}, $name, @labels),
			"both exporters: the same $name");
	}
}

# ---- scrape 2: with read access to pg_hba_file_rules the hba checks run ----

$node->safe_psql(
	'postgres', q{
GRANT SELECT ON pg_catalog.pg_hba_file_rules TO monitoring_role;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO monitoring_role;
});
$scrapes = scrape_both();
my $audit_full = audit_statuses();
isnt(join(',', map { "$_=$audit_full->{$_}" } sort keys %$audit_full),
	join(',', map { "$_=$audit_monitor->{$_}" } sort keys %$audit_monitor),
	'reading pg_hba_file_rules changes the audit (the hba checks ran)');
foreach my $exporter (@exporters)
{
	no_scrape_errors($exporter, $scrapes->{$exporter}, "$exporter, pg_hba_file_rules");
	is_deeply(by_labels($scrapes->{$exporter}{ours}, 'sslinfo_ext_audit_check_status', qw(check status)),
		$audit_full,
		"$exporter: audit_check_status equal a superuser's ssl_config_audit() once pg_hba_file_rules is readable");
}

# ---- benchmark items (issue 23): scrape 2's gauges against a superuser's ----
# ---- ssl_config_benchmark() (pg_hba_file_rules is readable by now)        ----

{
	my %want;
	foreach (split /\n/, $node->safe_psql('postgres', q{
		SELECT b.benchmark, i.item, i.status
		FROM ssl_config_benchmarks() AS b, ssl_config_benchmark(b.benchmark) AS i}))
	{
		my ($benchmark, $item, $status) = split /\|/;
		$want{"$benchmark|$item|$_"} = ($_ eq $status ? 1 : 0) foreach qw(pass fail manual);
	}
	ok(scalar(keys %want) >= 3 * 13, 'benchmark items: every item of every benchmark, three statuses each');
	foreach my $exporter (@exporters)
	{
		is_deeply(by_labels($scrapes->{$exporter}{ours}, 'sslinfo_ext_benchmark_item_status',
				qw(benchmark item status)),
			\%want,
			"$exporter: benchmark_item_status equal a superuser's ssl_config_benchmark(), 1 for each item's status");
	}
	is(value_of($scrapes->{postgres_exporter}{ours}, 'sslinfo_ext_benchmark_item_status',
			benchmark => 'DISA STIG Crunchy Data Postgres 16 V1R2', item => 'CD16-00-008400', status => 'manual'),
		1, 'postgres_exporter: the STIG item on DoD-approved CAs is manual');
}

# ---- scrape 3: without pg_monitor ----

$node->safe_psql('postgres', 'REVOKE pg_monitor FROM monitoring_role');
$scrapes = scrape_both();
is(value_of($scrapes->{postgres_exporter}{samples}, 'pg_exporter_last_scrape_error'), 1,
	'postgres_exporter without pg_monitor: pg_exporter_last_scrape_error 1');
is_deeply(
	by_labels($scrapes->{sql_exporter}{samples}, 'sql_exporter_last_scrape_failed', 'query'),
	{ map { $_ => ($pe_metrics{$_}{sql} =~ /ssl_server_certificates|ssl_crl_status|ssl_config_audit|ssl_policy_dry_run_summary/ ? 1 : 0) } keys %sql_metrics },
	'sql_exporter without pg_monitor: last_scrape_failed 1 for the certificate, CRL, audit and dry-run queries only')
  if defined $sql_bin;
foreach my $exporter (@exporters)
{
	my $scrape = $scrapes->{$exporter};
	my $what = "$exporter without pg_monitor";
	like($scrape->{log}, qr/permission denied for function $_/,
		"$what: the exporter logs that $_ is denied")
	  foreach qw(ssl_server_certificates ssl_crl_status ssl_config_audit ssl_policy_dry_run_summary);
	ok(!samples_named($scrape->{ours}, $_), "$what: no $_")
	  foreach grep { /server_cert|audit|crl|dry_run/ } @our_families;
	my %masked;
	my %exporter_state = map { $_ => 1 } split /,/, $scrape->{exporter_sessions};
	foreach my $s (samples_named($scrape->{ours}, 'sslinfo_ext_sessions_count'))
	{
		my $key = join '|', map { $s->{labels}{$_} } qw(ssl version cipher tls_group);
		$masked{ $exporter_state{"$key|$s->{labels}{datname}"} ? 'exporter' : $key } += $s->{value};
	}
	my $own_sessions = scalar(split /,/, $scrape->{exporter_sessions});
	if ($exporter eq 'postgres_exporter' && $pe_scrape_session && ($masked{exporter} // 0) == $own_sessions + 1)
	{
		note "$what: the exporter's per-scrape session was counted";
		$masked{exporter}--;
	}
	is_deeply(\%masked,
		{ 'unknown|||' => scalar(@sessions), exporter => $own_sessions },
		"$what: other roles' sessions are counted as ssl=\"unknown\" without version, cipher or group")
	  or diag(explain([ samples_named($scrape->{ours}, 'sslinfo_ext_sessions_count') ]), $scrape->{exporter_sessions});
	cmp_ok(value_of($scrape->{ours}, 'sslinfo_ext_client_cert_not_after_timestamp_seconds') - time, '>', 300 * 86400,
		"$what: only the role's own (long-lived) client certificate counts");
	is_deeply(by_labels($scrape->{ours}, 'sslinfo_ext_refused_connections_total', 'reason'), $scrape->{refusals},
		"$what: refused_connections_total as with pg_monitor (reasons and counts are public)");
	my $versions = profile_versions();
	is_deeply(scraped_profiles($exporter, $scrape, $what, { map { $_ => '' } keys %$versions }),
		{ map { ("$_|" => $scrape->{expected_profiles}{$_}) } keys %{ $scrape->{expected_profiles} } },
		"$what: client_profile_sessions by profile as with pg_monitor, max_version empty (an offer's detail)");
}

# ---- stop ----

close_sessions();
stop_process('postgres_exporter');
ok(!$http->get("http://127.0.0.1:$pe_port/metrics")->{success},
	'postgres_exporter stopped: /metrics no longer answers');

$node->stop;
done_testing();
