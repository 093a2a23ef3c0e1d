# monitoring/postgres_exporter.yml with the real Prometheus postgres_exporter:
# a non-superuser member of pg_monitor scrapes a TLS cluster over
# sslmode=verify-full while a known set of sessions is open (TLS 1.3 and
# 1.2 with client certificates, TLS without one, TCP without TLS, a Unix
# socket); every sslinfo_ext_* metric is checked against those sessions,
# the certificate and CRL files, and ssl_config_audit(), and the metrics
# monitoring/alerts.yml uses must all be there; then the grants are varied
# (pg_hba_file_rules added, pg_monitor taken away) and the metrics must
# follow.  The exporter is stopped at the end, also on failure.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use HTTP::Tiny;
use IPC::Run;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time usleep);
use Time::Local qw(timegm);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

# The Debian package's name for it first, then the upstream one.
my ($exporter_bin) =
  grep { -x }
  map {
	my $dir = $_;
	map { "$dir/$_" } qw(prometheus-postgres-exporter postgres_exporter)
  } split /:/, ($ENV{PATH} // '');
plan skip_all =>
  'prometheus-postgres-exporter is not installed (apt-get install prometheus-postgres-exporter; make test installs it as root)'
  unless defined $exporter_bin;

my $queries = abs_path(dirname(__FILE__) . '/../monitoring/postgres_exporter.yml');
# (not NNN_name_NODE.log: the node is called "exporter" too)
my $log_file = "$PostgreSQL::Test::Utils::log_path/060_prometheus_exporter_process.log";
my @our_families = qw(
  sslinfo_ext_sessions_count
  sslinfo_ext_non_tls_tcp_sessions
  sslinfo_ext_client_cert_min_days_left
  sslinfo_ext_server_cert_days_left
  sslinfo_ext_audit_findings
  sslinfo_ext_crl_seconds_until_next_update);

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

# ---- the exporter ----

my $exporter_pid;
my $http_port = PostgreSQL::Test::Cluster::get_free_port();
my $http = HTTP::Tiny->new(timeout => 30);

sub exporter_running
{
	return 0 unless $exporter_pid;
	return 1 if waitpid($exporter_pid, WNOHANG) == 0;
	$exporter_pid = undef;    # exited (and reaped)
	return 0;
}

# SIGTERM, then SIGKILL if it is still there after 10 seconds
sub stop_exporter
{
	return unless exporter_running();
	kill 'TERM', $exporter_pid;
	my $deadline = time + 10;
	while (waitpid($exporter_pid, WNOHANG) == 0)
	{
		if (time > $deadline)
		{
			kill 'KILL', $exporter_pid;
			waitpid($exporter_pid, 0);
			last;
		}
		usleep(50_000);
	}
	$exporter_pid = undef;
}

# also when the test dies; keep the test's exit status
END { local $?; stop_exporter(); }
$SIG{INT} = $SIG{TERM} = sub { die "interrupted\n" };

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

# 0.17 renamed the bgwriter collector (Debian: 0.11 in bookworm, 0.17 in
# trixie and later); its --help tells which name this binary has.
my $exporter_help = `$exporter_bin --help 2>&1`;
my $bgwriter_collector =
  $exporter_help =~ /--\[no-\]collector\.stat_bgwriter|--collector\.stat_bgwriter/
  ? 'stat_bgwriter'
  : 'bgwriter';
note "bgwriter collector flag: --no-collector.$bgwriter_collector";

my @exporter_cmd = (
	$exporter_bin,
	"--extend.query-path=$queries",
	'--disable-default-metrics',
	'--disable-settings-metrics',
	'--no-collector.database',
	"--no-collector.$bgwriter_collector",
	"--web.listen-address=127.0.0.1:$http_port");
$exporter_pid = fork // die "fork: $!";
if ($exporter_pid == 0)
{
	$ENV{DATA_SOURCE_NAME} = $dsn;
	open(STDIN, '<', '/dev/null') or POSIX::_exit(126);
	open(STDOUT, '>>', $log_file) or POSIX::_exit(126);
	open(STDERR, '>&', \*STDOUT) or POSIX::_exit(126);
	exec(@exporter_cmd) or POSIX::_exit(127);
}
note "exporter $exporter_bin on 127.0.0.1:$http_port, log $log_file";

# GET /metrics; returns the parsed samples: [{name, labels => {}, value}].
sub scrape
{
	my $response = $http->get("http://127.0.0.1:$http_port/metrics");
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
		push @samples, { name => $name, labels => \%labels, value => $value, raw => $line };
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
	my ($samples, $name) = @_;
	my @found = samples_named($samples, $name);
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

sub exporter_log { return -f $log_file ? slurp_file($log_file) : ''; }

# The first scrape connects the exporter to the server.
my $ready = 0;
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
while (time < $deadline)
{
	last unless exporter_running();
	my $response = $http->get("http://127.0.0.1:$http_port/metrics");
	if ($response->{success})
	{
		$ready = 1;
		last;
	}
	usleep(200_000);
}
ok($ready, 'exporter serves /metrics')
  or die "exporter did not start; its log:\n" . exporter_log();

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

# Each session reports its own TLS state, from core's pg_stat_ssl.
my %own_state;
foreach my $s (@sessions)
{
	$own_state{ $s->{name} } = session_query($s,
		q{SELECT CASE WHEN ssl THEN 'true' ELSE 'false' END || '|' || coalesce(version, '') || '|' || coalesce(cipher, '')
		  FROM pg_stat_ssl WHERE pid = pg_backend_pid()});
}
like($own_state{s_tls12}, qr/^true\|TLSv1\.2\|/, 's_tls12 negotiated TLS 1.2');
like($own_state{s_plain}, qr/^true\|TLSv1\.3\|/, 's_plain negotiated TLS 1.3');
is($own_state{s_tcp1}, 'false||', 's_tcp1 has no TLS');

my $n_client_backends = q{SELECT count(*) FROM pg_stat_activity
  WHERE backend_type IN ('client backend', 'walsender')};
my $exporter_state = q{SELECT string_agg(CASE WHEN s.ssl THEN 'true' ELSE 'false' END || '|' || coalesce(s.version, '') || '|' || coalesce(s.cipher, ''), ',' ORDER BY a.pid)
  FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'monitoring_role'};

# Waits until only our sessions and the exporter's are left (the backends of
# earlier short-lived psql runs are gone), then returns the exporter's
# sessions' states and the expected count per "ssl|version|cipher".
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
	return ($exporter_sessions, \%expected);
}

# The same sessions before and after the scrape, and the time it happened.
sub scrape_settled
{
	my ($exporter_sessions, $expected) = settle();
	my $pids_sql = q{SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_activity
	  WHERE backend_type IN ('client backend', 'walsender')};
	my $pids_before = session_query($controller, $pids_sql);
	my $log_offset = length(exporter_log());
	my $t0 = time;
	my $samples = scrape();
	my $t1 = time;
	is(session_query($controller, $pids_sql), $pids_before,
		'no session came or went during the scrape');
	return {
		samples           => $samples,
		t0                => $t0,
		t1                => $t1,
		expected_sessions => $expected,
		exporter_sessions => $exporter_sessions,
		log               => substr(exporter_log(), $log_offset),
	};
}

# $value, computed at some instant in [t0, t1] as (epoch - now) / $unit,
# must lie between the two ends (plus the rounding of $round).
sub within_scrape_window
{
	my ($scrape, $value, $epoch, $unit, $round, $what) = @_;
	my $low  = ($epoch - $scrape->{t1}) / $unit - $round - 1e-6;
	my $high = ($epoch - $scrape->{t0}) / $unit + $round + 1e-6;
	ok(defined $value && $value >= $low && $value <= $high,
		"$what: " . ($value // 'missing') . " within [$low, $high]");
}

sub audit_counts
{
	my (%opts) = @_;
	my $sql = 'SELECT status, count(*) FROM ssl_config_audit() GROUP BY status';
	my $out;
	if ($opts{as_monitor})
	{
		my ($rc, $stdout, $stderr) = psql_tls($node, $sql,
			cert => 'client_plain', user => 'monitoring_role', on_error_stop => 1);
		die "ssl_config_audit() as monitoring_role: $stderr" if $rc != 0;
		$out = $stdout;
	}
	else
	{
		$out = $node->safe_psql('postgres', $sql);
	}
	my %counts = (ok => 0, warning => 0, error => 0);
	foreach (split /\n/, $out)
	{
		my ($status, $count) = split /\|/;
		$counts{$status} = $count;
	}
	return \%counts;
}

sub no_scrape_errors
{
	my ($scrape, $what) = @_;
	my $samples = $scrape->{samples};
	is(value_of($samples, 'pg_up'), 1, "$what: pg_up 1");
	is(value_of($samples, 'pg_exporter_last_scrape_error'), 0,
		"$what: pg_exporter_last_scrape_error 0");
	my $load = by_labels($samples, 'pg_exporter_user_queries_load_error', 'filename');
	is_deeply($load, { $queries => 0 }, "$what: queries file loaded");
	is_deeply([ grep { /error/ } map { $_->{name} } grep { $_->{name} =~ /^sslinfo_ext_/ } @$samples ],
		[], "$what: no sslinfo_ext_*error* samples");
	unlike($scrape->{log}, qr/Error running query|level=error/,
		"$what: exporter logged no query errors");
}

# ---- scrape 1: pg_monitor ----

my $scrape = scrape_settled();
my $samples = $scrape->{samples};
no_scrape_errors($scrape, 'pg_monitor');
is_deeply(
	[ sort grep { /^sslinfo_ext_/ } keys %{ { map { $_->{name} => 1 } @$samples } } ],
	[ sort @our_families ],
	'every sslinfo_ext metric family is there');

note "sslinfo_ext samples:\n",
  join("\n", map { $_->{raw} } grep { $_->{name} =~ /^sslinfo_ext_/ } @$samples);

# the alert rules use only metrics the queries produce
my %scraped = map { $_->{name} => 1 } @$samples;
my $alert_rules = slurp_file(dirname($queries) . '/alerts.yml');
my @alert_metrics = sort keys %{ { map { $_ => 1 } $alert_rules =~ /\b(sslinfo_ext_\w+)/g } };
ok(@alert_metrics >= 5, 'monitoring/alerts.yml uses the sslinfo_ext metrics');
is_deeply([ grep { !$scraped{$_} } @alert_metrics ], [],
	'every metric monitoring/alerts.yml uses is scraped');

like($scrape->{exporter_sessions}, qr/^true\|TLSv1\.[23]\|[^,]+$/,
	'the exporter has one TLS session');
is_deeply(by_labels($samples, 'sslinfo_ext_sessions_count', qw(ssl version cipher)),
	$scrape->{expected_sessions},
	'sessions_count by ssl, version, cipher: our sessions and the exporter\'s');
note explain $scrape->{expected_sessions};
ok(!grep({ $_->{labels}{ssl} eq 'unknown' } samples_named($samples, 'sslinfo_ext_sessions_count')),
	'pg_monitor sees the TLS state of every session');
is(value_of($samples, 'sslinfo_ext_non_tls_tcp_sessions'), 2,
	'non_tls_tcp_sessions: the two sslmode=disable sessions, not the Unix socket');
within_scrape_window($scrape, value_of($samples, 'sslinfo_ext_client_cert_min_days_left'),
	cert_facts('client_expiring')->{not_after}, 86400, 0,
	'client_cert_min_days_left is client_expiring\'s');

my %server_cert = (
	'server|' . cert_facts('server')->{dn} => cert_facts('server')->{not_after},
	'ca|' . cert_facts('ca')->{dn}         => cert_facts('ca')->{not_after});
my $server_days = by_labels($samples, 'sslinfo_ext_server_cert_days_left', qw(role subject));
is_deeply([ sort keys %$server_days ], [ sort keys %server_cert ],
	'server_cert_days_left: one sample per certificate of ssl_cert_file and ssl_ca_file');
within_scrape_window($scrape, $server_days->{$_}, $server_cert{$_}, 86400, 0.01,
	"server_cert_days_left{$_}")
  foreach sort keys %server_cert;

my ($crl_out) = run_command(
	[ 'openssl', 'crl', '-in', certdir() . '/root.crl', '-noout', '-nextupdate', '-dateopt', 'iso_8601' ]);
my ($y, $mo, $d, $h, $mi, $sec) =
  $crl_out =~ /^nextUpdate=(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)Z$/m
  or die "unexpected openssl crl output: $crl_out";
my $crl_epoch = timegm($sec, $mi, $h, $d, $mo - 1, $y);
within_scrape_window($scrape, value_of($samples, 'sslinfo_ext_crl_seconds_until_next_update'),
	$crl_epoch, 1, 0, 'crl_seconds_until_next_update is root.crl\'s');

my $audit_monitor = audit_counts(as_monitor => 1);
is_deeply(by_labels($samples, 'sslinfo_ext_audit_findings', 'status'), $audit_monitor,
	'audit_findings equal ssl_config_audit() per status as the monitoring role sees it');
cmp_ok($audit_monitor->{error}, '>=', 1, 'the audit reports password_encryption = md5 as an error');

# ---- scrape 2: with read access to pg_hba_file_rules the hba checks run ----

$node->safe_psql(
	'postgres', q{
GRANT SELECT ON pg_catalog.pg_hba_file_rules TO monitoring_role;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO monitoring_role;
});
$scrape = scrape_settled();
no_scrape_errors($scrape, 'pg_monitor and pg_hba_file_rules');
my $audit_full = audit_counts();
is_deeply(by_labels($scrape->{samples}, 'sslinfo_ext_audit_findings', 'status'), $audit_full,
	'audit_findings equal a superuser\'s ssl_config_audit() once pg_hba_file_rules is readable');
isnt(join(',', map { $audit_full->{$_} } qw(ok warning error)),
	join(',', map { $audit_monitor->{$_} } qw(ok warning error)),
	'reading pg_hba_file_rules changes the audit (the hba checks ran)');

# ---- scrape 3: without pg_monitor ----

$node->safe_psql('postgres', 'REVOKE pg_monitor FROM monitoring_role');
$scrape = scrape_settled();
$samples = $scrape->{samples};
is(value_of($samples, 'pg_exporter_last_scrape_error'), 1,
	'without pg_monitor: pg_exporter_last_scrape_error 1');
like($scrape->{log}, qr/permission denied for function $_/,
	"without pg_monitor: the exporter logs that $_ is denied")
  foreach qw(ssl_server_certificates ssl_crl_status ssl_config_audit);
ok(!samples_named($samples, $_), "without pg_monitor: no $_")
  foreach qw(sslinfo_ext_server_cert_days_left sslinfo_ext_audit_findings
  sslinfo_ext_crl_seconds_until_next_update);
my $masked = by_labels($samples, 'sslinfo_ext_sessions_count', qw(ssl version cipher));
is_deeply($masked,
	{
		'unknown||' => scalar(@sessions),
		map { $_ => 1 } split /,/, $scrape->{exporter_sessions}
	},
	'without pg_read_all_stats: other roles\' sessions are counted as ssl="unknown"');
cmp_ok(value_of($samples, 'sslinfo_ext_client_cert_min_days_left'), '>', 300,
	'without pg_read_all_stats: only the role\'s own (long-lived) client certificate counts');

# ---- stop ----

close_sessions();
stop_exporter();
ok(!$http->get("http://127.0.0.1:$http_port/metrics")->{success},
	'exporter stopped: /metrics no longer answers');

$node->stop;
done_testing();
