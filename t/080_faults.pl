# Faults and load on a preloaded TLS server, each checked for two things:
# the server stays up (no backend crash, no unexpected restart) and nothing
# is lost or stale afterwards: pg_stat_ssl_ext has exactly one row, with the
# right certificate, per live session and no registry slot is left behind.
#
#  - a reload storm alternating valid and invalid ssl_ciphers while clients
#    connect in parallel: every session gets an allowed suite, none fails;
#  - every connection slot in use: the next client is refused cleanly, the
#    reserved slots still work, and all is normal once sessions end;
#  - clients that drop during the TLS handshake (after the SSLRequest, in
#    the middle of a ClientHello, with garbage instead of TLS);
#  - pg_terminate_backend of TLS sessions;
#  - SIGKILL of a TLS backend and the crash recovery that follows;
#  - no log of this or an earlier TAP test contains private key material.

use strict;
use warnings;

use IO::Socket::INET;
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

my @four = qw(DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384
  DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM);
my %allowed = map { $_ => 1 } @four;

# TLS 1.2 only, so that ssl_ciphers (and the policy) decide the suite
my $node = new_tls_node(
	'faults',
	preload    => 1,
	extra_conf => "ssl_max_protocol_version = 'TLSv1.2'\n"
	  . "ssl_ciphers = 'ALL'\n"
	  . "max_connections = 20\n"
	  . "superuser_reserved_connections = 3\n"
	  . "restart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION sslinfo_ext;
	CREATE ROLE tls_user LOGIN;
});
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# What SHOW ssl_ciphers says for a value: "ALL" is shown expanded
sub shown
{
	my ($value) = @_;
	return uc($value) eq 'ALL' ? join(';', @four) : $value;
}


# psql over TLS as tls_user, in the background: one session per call,
# running $sql (which may sleep).
sub start_session
{
	my ($sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			'psql', '-XAtqw', '-v', 'ON_ERROR_STOP=1',
			'-d', connstr($node, user => 'tls_user'), '-c', $sql
		],
		'<', \undef, '>', \$out, '2>', \$err);
	return { h => $h, out => \$out, err => \$err };
}

# Number of client backends of tls_user, and how many of them use TLS
sub tls_user_sessions
{
	return $node->safe_psql('postgres', q{
		SELECT count(*) || ' ' || count(*) FILTER (WHERE s.ssl)
		  FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
		 WHERE a.usename = 'tls_user' AND a.backend_type = 'client backend'});
}

sub wait_for_sessions
{
	my ($n, $what) = @_;
	ok($node->poll_query_until('postgres', qq{
		SELECT count(*) = $n FROM pg_stat_activity
		 WHERE usename = 'tls_user' AND backend_type = 'client backend'}),
		$what);
}

# pg_stat_ssl_ext against PostgreSQL's own view of the sessions: the same
# processes, TLS where pg_stat_ssl says TLS, a fingerprint for every client
# certificate, and a registry slot in use for each session and no more.
sub registry_is_consistent
{
	my ($what) = @_;
	ok( $node->poll_query_until('postgres', q{
			SELECT (SELECT count(*) FROM pg_stat_ssl_ext v
			          FULL JOIN pg_stat_ssl s USING (pid)
			         WHERE v.pid IS NULL OR s.pid IS NULL OR v.ssl <> s.ssl
			            OR (s.client_dn IS NOT NULL AND v.client_fingerprint IS NULL)) = 0
			   AND (SELECT slots_in_use FROM pg_stat_ssl_ext_memory())
			     = (SELECT count(*) FROM pg_stat_ssl_ext)}),
		"$what: pg_stat_ssl_ext matches the live sessions, no slot left behind");
}

sub server_is_fine
{
	my ($what) = @_;
	registry_is_consistent($what);
	is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
		$started, "$what: the postmaster was not restarted");
	my ($rc, $out) = psql_tls($node, q{SELECT ssl_client_dn_field('CN')});
	is($out, 'alice', "$what: a TLS client connects and is answered");
}

# ---- reload storm ---------------------------------------------------------

{
	my $clients    = 4;
	my $per_client = 25;
	my $conn       = connstr($node, user => 'tls_user');

	# each client: one connection after another, one line per connection
	my @loops;
	foreach my $c (1 .. $clients)
	{
		my $out = '';
		my $script = q{
			for i in $(seq 1 "$2"); do
				line="$(psql -XAtqw -d "$1" -c "SELECT ssl_version() || ' ' || ssl_cipher()" 2>&1)" ||
					line="FAIL: $line"
				echo "$line"
			done
		};
		push @loops,
		  {
			h => IPC::Run::start(
				[ 'bash', '-c', $script, 'client', $conn, $per_client ],
				'<', \undef, '>', \$out, '2>&1'),
			out => \$out
		  };
	}

	# valid and invalid values in turn; each reload is waited for (SHOW
	# for a valid value, the LOG line for an invalid one) so none is lost
	my @valid = (
		'DHE-RSA-AES256-GCM-SHA384',
		'DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384',
		'ALL',
		'DHE-RSA-AES128-GCM-SHA256');
	my @invalid = (
		'HIGH:MEDIUM:+3DES:!aNULL',
		'ECDHE-RSA-AES128-GCM-SHA256',
		';;',
		'TLS_AES_128_GCM_SHA256');
	my ($valid_reloads, $refused_reloads) = (0, 0);
	my $in_force = 'ALL';
	for my $i (0 .. 23)
	{
		my $offset = -s $node->logfile;
		if ($i % 2 == 0)
		{
			$in_force = $valid[ ($i / 2) % @valid ];
			$node->append_conf('postgresql.conf', "ssl_ciphers = '$in_force'");
			$node->reload;
			$valid_reloads++
			  if $node->poll_query_until('postgres', 'SHOW ssl_ciphers', shown($in_force));
		}
		else
		{
			my $bad = $invalid[ ($i - 1) / 2 % @invalid ];
			$node->append_conf('postgresql.conf', "ssl_ciphers = '$bad'");
			$node->reload;
			$refused_reloads++
			  if $node->wait_for_log(qr/invalid entry \d+ in parameter "ssl_ciphers"/, $offset);
		}
	}
	is($valid_reloads,   12, 'reload storm: every valid value was taken');
	is($refused_reloads, 12, 'reload storm: every invalid value was refused with a LOG line');

	my @lines;
	foreach my $loop (@loops)
	{
		$loop->{h}->finish;
		push @lines, split /\n/, ${ $loop->{out} };
	}
	is(scalar(@lines), $clients * $per_client, 'reload storm: every client connection reported');
	my @failed = grep { /^FAIL/ } @lines;
	is_deeply(\@failed, [], 'reload storm: no connection failed');
	my @wrong = grep { !/^TLSv1\.2 (\S+)$/ || !$allowed{$1} } @lines;
	is_deeply(\@wrong, [], 'reload storm: every session got an allowed TLS 1.2 suite');
	is($node->safe_psql('postgres', 'SHOW ssl_ciphers'), shown($in_force),
		'reload storm: SHOW shows the last valid value');
	server_is_fine('reload storm');
}

# ---- every connection slot in use -----------------------------------------

{
	# 20 slots, 3 reserved for superusers: 17 for tls_user.  Superuser
	# sessions take ordinary slots too while there are any, so nothing else
	# may connect until all 17 are in: wait by the server log, not by a query.
	my $offset = -s $node->logfile;
	my @sessions = map { start_session('SELECT pg_sleep(301)') } 1 .. 17;
	my $started_sessions = 0;
	foreach (1 .. $PostgreSQL::Test::Utils::timeout_default * 10)
	{
		$started_sessions = () = log_since($node, $offset) =~ /statement: SELECT pg_sleep\(301\)/g;
		last if $started_sessions >= 17;
		usleep(100_000);
	}
	is($started_sessions, 17, 'all 17 ordinary slots taken by TLS sessions');
	is(tls_user_sessions(), '17 17', 'all 17 use TLS');
	is( $node->safe_psql('postgres', q{
			SELECT count(*) FROM pg_stat_ssl_ext
			 WHERE usename = 'tls_user' AND client_dn = '/O=sslinfo_ext test/OU=Clients/CN=alice'
			   AND client_fingerprint = '} . cert_fingerprint('client_plain') . q{'}),
		'17', 'pg_stat_ssl_ext shows each of them with its certificate');

	my ($rc, $out, $err) = psql_tls($node, 'SELECT 1', user => 'tls_user');
	isnt($rc, 0, 'one more ordinary client is refused');
	like($err, qr/remaining connection slots are reserved|too many clients/,
		'... with PostgreSQL\'s message');

	($rc, $out) = psql_tls($node, q{SELECT ssl_is_used(), ssl_client_dn_field('CN')});
	is($out, 't|alice', 'a superuser still gets a reserved slot over TLS');

	$node->safe_psql('postgres', q{
		SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE usename = 'tls_user'});
	$_->{h}->finish foreach @sessions;
	wait_for_sessions(0, 'the sessions are gone');
	($rc, $out) = psql_tls($node, q{SELECT ssl_client_dn_field('CN')}, user => 'tls_user');
	is($out, 'alice', 'ordinary clients connect again');
	server_is_fine('all slots in use');
}

# ---- clients that drop during the handshake -------------------------------

{
	my $offset = -s $node->logfile;
	my $sslrequest = pack('NN', 8, 80877103);

	# A TLS 1.2 ClientHello record header and the start of its body
	my $partial_hello = pack('H*', '16030100c4010000c00303') . ('x' x 16);

	my %drops = (
		'after the SSLRequest'          => '',
		'in the middle of a ClientHello' => $partial_hello,
		'with garbage instead of TLS'    => "GET / HTTP/1.0\r\n\r\n" x 4,);
	foreach my $how (sort keys %drops)
	{
		my $answered = 0;
		foreach (1 .. 20)
		{
			my $sock = IO::Socket::INET->new(
				PeerAddr => '127.0.0.1',
				PeerPort => $node->port,
				Proto    => 'tcp') or die "connect: $!";
			$sock->syswrite($sslrequest);
			my $answer = '';
			$sock->sysread($answer, 1);
			$answered++ if $answer eq 'S';
			$sock->syswrite($drops{$how}) if length $drops{$how};
			close $sock;
		}
		is($answered, 20, "dropped $how: the server agreed to TLS each time");
	}

	# while normal clients keep coming
	my ($rc, $out) = psql_tls($node, q{SELECT ssl_client_dn_field('CN')});
	is($out, 'alice', 'a client connects between the dropped handshakes');
	ok( $node->poll_query_until('postgres', q{
			SELECT count(*) = 0 FROM pg_stat_activity
			 WHERE backend_type = 'client backend' AND state IS NULL AND pid <> pg_backend_pid()}),
		'no half-open backend is left behind');
	unlike(log_since($node, $offset), qr/terminated by signal|PANIC|TRAP/,
		'dropped handshakes: no process crashed');
	server_is_fine('dropped handshakes');
}

# ---- pg_terminate_backend of TLS sessions ---------------------------------

{
	my @sessions = map { start_session('SELECT pg_sleep(300)') } 1 .. 5;
	wait_for_sessions(5, 'five TLS sessions to terminate');
	is( $node->safe_psql('postgres', q{
			SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
			  FROM pg_stat_activity WHERE usename = 'tls_user'}),
		'5', 'pg_terminate_backend of each');
	$_->{h}->finish foreach @sessions;
	my @killed = grep { ${ $_->{err} } =~ /terminating connection due to administrator command/ } @sessions;
	is(scalar(@killed), 5, 'each client was told why');
	wait_for_sessions(0, 'no terminated session is left');
	is( $node->safe_psql('postgres', q{
			SELECT count(*) FROM pg_stat_ssl s
			  LEFT JOIN pg_stat_activity a USING (pid)
			 WHERE a.pid IS NULL}),
		'0', 'pg_stat_ssl has no row without a process');
	server_is_fine('pg_terminate_backend');
}

# ---- SIGKILL of a TLS backend: crash recovery -----------------------------

{
	my $victim = start_session('SELECT pg_sleep(300)');
	my $bystander = start_session('SELECT pg_sleep(300)');
	wait_for_sessions(2, 'two TLS sessions');
	my $pid = $node->safe_psql('postgres', q{
		SELECT min(pid) FROM pg_stat_activity WHERE usename = 'tls_user'});
	my $offset = -s $node->logfile;
	kill 'KILL', $pid;
	# 18 names the kind of process: "client backend (PID N) was terminated"
	my $process = $node->pg_version >= 18 ? 'client backend' : 'server process';
	ok($node->wait_for_log(qr/\Q$process\E \(PID $pid\) was terminated by signal 9/, $offset),
		'SIGKILL: the postmaster noticed');
	ok($node->wait_for_log(qr/database system is ready to accept connections/, $offset),
		'SIGKILL: crash recovery completed');
	$victim->{h}->finish;
	$bystander->{h}->finish;
	like(${ $bystander->{err} },
		qr/crash of another server process|server closed the connection|connection to server was lost/,
		'SIGKILL: the other TLS session was ended by the crash restart');

	# crash recovery, not a new postmaster: its start time is unchanged
	is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
		$started, 'SIGKILL: the postmaster itself kept running');
	my ($rc, $out) =
	  psql_tls($node, q{SELECT ssl_is_used(), ssl_client_dn_field('CN'), ssl_cipher()});
	my ($used, $cn, $cipher) = split /\|/, $out;
	is("$used|$cn", 't|alice', 'SIGKILL: TLS sessions work after recovery');
	ok($allowed{ $cipher // '' }, "SIGKILL: ... with an allowed suite ($cipher)");
	is($node->safe_psql('postgres', q{
			SELECT count(*) FROM pg_stat_activity WHERE usename = 'tls_user'}),
		'0', 'SIGKILL: no session from before the crash is shown');
	is($node->safe_psql('postgres', q{
			SELECT count(*) FROM pg_stat_ssl_ext WHERE usename = 'tls_user'}),
		'0', 'SIGKILL: pg_stat_ssl_ext has no row from before the crash');
	registry_is_consistent('SIGKILL');
	is($node->safe_psql('postgres', 'SHOW ssl_ciphers'),
		'DHE-RSA-AES128-GCM-SHA256', 'SIGKILL: ssl_ciphers survived the crash restart');
}

# ---- no private key material in any log -----------------------------------

{
	my $certdir = certdir();
	my @key_lines;
	foreach my $key (glob("$certdir/*.key"))
	{
		my @lines = grep { /^[A-Za-z0-9+\/]{64}$/ } split /\n/, slurp_file($key);
		push @key_lines, @lines[ 0 .. 1 ] if @lines >= 2;
	}
	my $log_dir = $PostgreSQL::Test::Utils::log_path;
	my @logs = glob("$log_dir/*.log");
	my @leaks;
	foreach my $log (@logs)
	{
		my $text = slurp_file($log);
		push @leaks, $log if $text =~ /PRIVATE KEY/;
		foreach my $line (@key_lines)
		{
			push @leaks, "$log: key material" if index($text, $line) >= 0;
		}
	}
	cmp_ok(scalar(@logs), '>', 0, 'server logs of this TAP run found');
	is_deeply(\@leaks, [], 'no server log contains private key material');
}

$node->stop;
done_testing();
