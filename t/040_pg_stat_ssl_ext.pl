# pg_stat_ssl_ext with sslinfo_ext preloaded: concurrent sessions with
# different client certificates, without a certificate, without TLS and over
# a Unix socket, each row checked against the certificate its session used;
# the privilege rule; a slot reused by a later session; SIGKILL of a TLS
# backend and crash recovery.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

# restart_after_crash: the TAP default (off) would stop the server on SIGKILL
my $node = new_tls_node('registry',
	preload    => 1,
	extra_conf => 'restart_after_crash = on');
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION sslinfo_ext;
CREATE ROLE regular LOGIN;
CREATE ROLE stats_reader LOGIN IN ROLE pg_read_all_stats;
CREATE ROLE monitor LOGIN IN ROLE pg_monitor;
});

# An idle session held open until close_session(); identified in the view by
# its application_name.
my @open_sessions;

sub open_session
{
	my ($name, $connstr) = @_;
	my $in = '';
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1',
			'-d', "$connstr application_name=$name"
		],
		'<', \$in, '>', \$out, '2>', \$err);
	my $session = { name => $name, h => $h, in => \$in, err => \$err };
	push @open_sessions, $session;
	return $session;
}

sub close_session
{
	my ($session) = @_;
	${ $session->{in} } .= "\\q\n";
	$session->{h}->finish;
	@open_sessions = grep { $_ != $session } @open_sessions;
}

sub close_all_sessions
{
	close_session($_) foreach (my @copy = @open_sessions);
}

sub wait_for_sessions
{
	my @names = @_;
	my $list = join(',', map { "'$_'" } @names);
	$node->poll_query_until('postgres',
		"SELECT count(*) = " . scalar(@names)
		  . " FROM pg_stat_ssl_ext WHERE application_name IN ($list)")
	  or die "sessions @names did not show up";
}

# rows keyed by application_name, as the given connection sees them
sub rows_by_name
{
	my (%psql) = @_;
	my %rows;
	foreach my $row (view_rows($node, %psql))
	{
		$rows{ $row->{application_name} // '' } = $row;
	}
	return \%rows;
}

my $socket = $node->connstr('postgres');
my %tls_certs = (
	s_longdn => 'client_longdn',
	s_san    => 'client_san',
	s_ec     => 'client_ec',
	s_plain  => 'client_plain');

foreach my $name (sort keys %tls_certs)
{
	open_session($name, connstr($node, cert => $tls_certs{$name}));
}
open_session('s_nocert', connstr($node, cert => undef, user => 'sslinfo_nocert'));
open_session('s_tcp', connstr($node, sslmode => 'disable'));
open_session('s_unix', $socket);
open_session('s_regular', connstr($node, cert => 'client_plain', user => 'regular'));
my @all_names = ((sort keys %tls_certs), qw(s_nocert s_tcp s_unix s_regular));
wait_for_sessions(@all_names);

# ---- every row against its certificate, read by a superuser ----

my $rows = rows_by_name();
my %core = map { my ($pid, @rest) = split /\|/, $_, -1; ($pid => \@rest) }
  split /\n/,
  $node->safe_psql('postgres',
	"SELECT pid, ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl"
  );

foreach my $name (sort keys %tls_certs)
{
	my $row   = $rows->{$name};
	my $facts = cert_facts($tls_certs{$name});

	ok($row->{ssl}, "$name: ssl");
	like($row->{version}, qr/^TLSv1\.[23]$/, "$name: version");
	ok($row->{cipher} && $row->{bits} > 0, "$name: cipher and bits");
	is($row->{client_dn},       $facts->{dn},          "$name: client_dn whole");
	is($row->{client_serial},   $facts->{serial},      "$name: client_serial");
	is($row->{issuer_dn},       $facts->{issuer_dn},   "$name: issuer_dn");
	is($row->{client_cert_present}, JSON::PP::true,    "$name: client_cert_present");
	is($row->{client_not_before}, $facts->{not_before}, "$name: client_not_before");
	is($row->{client_not_after},  $facts->{not_after},  "$name: client_not_after");
	is($row->{client_fingerprint}, $facts->{fingerprint}, "$name: client_fingerprint");
	is($row->{client_key_type},  $facts->{key_type},   "$name: client_key_type");
	is($row->{client_key_bits},  $facts->{key_bits},   "$name: client_key_bits");
	is($row->{client_signature_algorithm}, $facts->{signature_algorithm},
		"$name: client_signature_algorithm");
	ok(defined $row->{tls_group}, "$name: tls_group");
	is($row->{sni},          'localhost',      "$name: sni is the host name libpq sent");
	is($row->{client_addr},  '127.0.0.1',      "$name: client_addr");
	is($row->{backend_type}, 'client backend', "$name: backend_type");
	is($row->{usename},      'postgres',       "$name: usename");
	is($row->{datname},      'postgres',       "$name: datname");
	is($row->{truncated},    JSON::PP::false,  "$name: not truncated");

	# the pg_stat_ssl columns agree with pg_stat_ssl, except that DNs are whole
	my ($ssl, $version, $cipher, $bits, $dn, $serial, $issuer) =
	  @{ $core{ $row->{pid} } };
	is("$ssl|$version|$cipher|$bits|$serial",
		"t|$row->{version}|$row->{cipher}|$row->{bits}|$row->{client_serial}",
		"$name: ssl, version, cipher, bits, serial as in pg_stat_ssl");
	is(substr($row->{client_dn}, 0, length($dn)), $dn,
		"$name: pg_stat_ssl's client_dn is a prefix of ours");
}
is_deeply($rows->{s_san}{client_san},
	[
		'DNS:carol.example.com',     'DNS:*.carol.example.net',
		'IP:192.0.2.10',             'IP:2001:db8::10',
		'email:carol@example.com',   'URI:https://carol.example.com/id'
	],
	's_san: client_san in certificate order');
is($rows->{s_plain}{client_san}, undef, 's_plain: no SAN extension, client_san NULL');
cmp_ok(length($rows->{s_longdn}{client_dn}), '>', 200,
	's_longdn: DN longer than 200 characters shown whole');
is(length($core{ $rows->{s_longdn}{pid} }[4]), 63,
	's_longdn: while pg_stat_ssl cuts it at 63 bytes');

my $nocert = $rows->{s_nocert};
ok($nocert->{ssl} && $nocert->{version}, 's_nocert: TLS without a certificate');
is($nocert->{client_cert_present}, JSON::PP::false, 's_nocert: client_cert_present false');
is(join(',', map { $nocert->{$_} // 'NULL' }
	  qw(client_dn client_serial issuer_dn client_fingerprint client_san client_key_type client_not_after)),
	'NULL,NULL,NULL,NULL,NULL,NULL,NULL',
	's_nocert: certificate columns NULL');
is($nocert->{usename}, 'sslinfo_nocert', 's_nocert: usename');

foreach my $name (qw(s_tcp s_unix))
{
	my $row = $rows->{$name};
	is($row->{ssl}, JSON::PP::false, "$name: ssl false");
	is(join(',', map { $row->{$_} // 'NULL' }
		  qw(version cipher bits client_dn client_fingerprint tls_group sni alpn server_fingerprint)),
		'NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL', "$name: TLS columns NULL");
	is($row->{client_cert_present}, JSON::PP::false, "$name: client_cert_present false");
	is($row->{backend_type}, 'client backend', "$name: backend_type");
}
is($rows->{s_tcp}{client_addr},  '127.0.0.1', 's_tcp: client_addr');
is($rows->{s_unix}{client_addr}, undef,       's_unix: client_addr NULL');

# exactly the processes pg_stat_ssl lists: no autovacuum, no background workers
is( $node->safe_psql(
		'postgres', q{
SELECT (SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_ssl_ext) =
       (SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_ssl),
       (SELECT string_agg(DISTINCT backend_type, ',') FROM pg_stat_ssl_ext)}),
	't|client backend',
	'one row per process with a client connection, as pg_stat_ssl');

# ---- privileges ----

# An unprivileged role sees every row's pid, usename, datname and
# application_name (as pg_stat_activity shows them), and TLS and connection
# columns only of its own role's sessions.
my $as_regular = rows_by_name(connstr => "$socket user=regular");
is_deeply([ sort keys %$as_regular ], [ sort keys %$rows ],
	'regular: same rows as a superuser');
my @hidden = qw(ssl version cipher bits client_dn client_serial issuer_dn
  client_addr backend_type backend_start client_cert_present client_not_before
  client_not_after client_fingerprint client_san client_key_type client_key_bits
  client_signature_algorithm tls_group sni alpn server_fingerprint truncated);
foreach my $name (qw(s_longdn s_nocert s_tcp))
{
	my $row = $as_regular->{$name};
	is($row->{pid}, $rows->{$name}{pid}, "regular: pid of $name shown");
	is($row->{usename}, $rows->{$name}{usename}, "regular: usename of $name shown");
	is(join(',', grep { defined $row->{$_} } @hidden), '',
		"regular: TLS and connection columns of $name hidden");
}
is($as_regular->{s_regular}{client_fingerprint},
	cert_fingerprint('client_plain'), 'regular: sees its own role\'s TLS session');
is($as_regular->{s_regular}{client_addr}, '127.0.0.1',
	'regular: sees its own role\'s client_addr');
is( $node->safe_psql(
		'postgres',
		'SELECT backend_type FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid()',
		connstr => "$socket user=regular"),
	'client backend',
	'regular: sees its own session');

foreach my $role (qw(stats_reader monitor))
{
	my $seen = rows_by_name(connstr => "$socket user=$role");
	is($seen->{s_longdn}{client_fingerprint}, cert_fingerprint('client_longdn'),
		"$role: sees another role's TLS facts");
	is($seen->{s_longdn}{client_dn}, $rows->{s_longdn}{client_dn},
		"$role: sees another role's whole DN");
	is($seen->{s_tcp}{client_addr}, '127.0.0.1',
		"$role: sees another role's client_addr");
}

is( $node->safe_psql(
		'postgres',
		"SELECT has_table_privilege('regular', 'pg_stat_ssl_ext', 'SELECT')"),
	't', 'SELECT on pg_stat_ssl_ext granted to PUBLIC');

# ---- slots are freed and reused without showing an old occupant ----

close_all_sessions();
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'client backend'")
  or die "sessions did not end: "
  . $node->safe_psql('postgres', 'SELECT pid, usename, application_name, state, query FROM pg_stat_activity');
is($node->safe_psql('postgres', 'SELECT slots_in_use FROM pg_stat_ssl_ext_memory()'),
	'1', 'ended sessions freed their slots (only the reader\'s remains)');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_ssl_ext'),
	'1', 'ended sessions have no rows');

# One session after another takes the lowest free backend slot: a TLS
# session with a long DN, then a plain TCP session in the same slot.
my $first = open_session('reuse_tls', connstr($node, cert => 'client_longdn'));
wait_for_sessions('reuse_tls');
close_session($first);
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'reuse_tls'");
open_session('reuse_tcp', connstr($node, sslmode => 'disable'));
open_session('reuse_ec', connstr($node, cert => 'client_ec'));
wait_for_sessions('reuse_tcp', 'reuse_ec');
$rows = rows_by_name();
is(join(',', map { $rows->{reuse_tcp}{$_} // 'NULL' } qw(ssl client_dn client_fingerprint)),
	'0,NULL,NULL', 'reused slot: a TCP session shows no TLS facts');
is($rows->{reuse_ec}{client_dn}, cert_facts('client_ec')->{dn},
	'reused slot: a TLS session shows its own certificate');

# ---- SIGKILL of a TLS backend: crash recovery leaves no stale rows ----

my $victim = open_session('victim', connstr($node, cert => 'client_san'));
wait_for_sessions('victim');
my $victim_pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_ssl_ext WHERE application_name = 'victim'");
my $log_offset = -s $node->logfile;
kill 'KILL', $victim_pid;
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
$node->poll_query_until('postgres', 'SELECT true') or die "no recovery";
$_->{h}->kill_kill foreach @open_sessions;
@open_sessions = ();

is($node->safe_psql('postgres', 'SELECT slots_in_use FROM pg_stat_ssl_ext_memory()'),
	'1', 'after crash recovery: only the reader holds a slot');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FILTER (WHERE pid = $victim_pid), count(*) FROM pg_stat_ssl_ext"),
	'0|1', 'after crash recovery: no row of the killed or terminated sessions');
open_session('after_crash', connstr($node, cert => 'client_ec'));
wait_for_sessions('after_crash');
$rows = rows_by_name();
is($rows->{after_crash}{client_fingerprint}, cert_fingerprint('client_ec'),
	'after crash recovery: a new TLS session shows its own facts');
is(scalar(keys %$rows), 2, 'after crash recovery: the view has the reader and the new session');

close_all_sessions();

# ---- values longer than their field: cut at a character boundary, flagged ----

open_session('whole_utf8', connstr($node, cert => 'client_utf8_cut'));
wait_for_sessions('whole_utf8');
$rows = rows_by_name();
is($rows->{whole_utf8}{client_dn}, cert_facts('client_utf8_cut')->{dn},
	'default max_dn_bytes: a 65-byte UTF-8 DN is whole');
is($rows->{whole_utf8}{truncated}, JSON::PP::false, 'default max_dn_bytes: not truncated');
close_all_sessions();

# ---- memory: a quarter of a kilobyte-DN-sized slot, the limits bound values ----

my $default_slot_bytes =
  $node->safe_psql('postgres', 'SELECT slot_bytes FROM pg_stat_ssl_ext_memory()');
cmp_ok($default_slot_bytes, '<=', 1024, 'default settings: at most 1 kB per slot');

# a DN longer than the slot's own room and than max_dn_bytes: cut to
# max_dn_bytes, the part beyond the slot in pool chunks, given back at exit
my $huge_dn = cert_facts('client_hugedn')->{dn};
my $pool_free_sql = 'SELECT text_pool_free_bytes, text_pool_full FROM pg_stat_ssl_ext_memory()';
my $pool_before = $node->safe_psql('postgres', $pool_free_sql);
like($pool_before, qr/^\d+\|0$/, 'default pool: nothing cut yet');
my $huge = open_session('huge_default', connstr($node, cert => 'client_hugedn'));
wait_for_sessions('huge_default');
$rows = rows_by_name();
is($rows->{huge_default}{client_dn}, substr($huge_dn, 0, 1024),
	'default max_dn_bytes: a 4 kB ASCII DN cut at 1024 bytes');
is($rows->{huge_default}{truncated}, JSON::PP::true, 'default max_dn_bytes: flagged');
my ($free_during) = split /\|/, $node->safe_psql('postgres', $pool_free_sql);
cmp_ok($free_during, '<', (split /\|/, $pool_before)[0],
	'the text beyond the slot lives in pool chunks');
my $huge_pid = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_ssl_ext WHERE application_name = 'huge_default'});
close_session($huge);
# the backend gives its chunks back as it exits (on_shmem_exit): wait
# until its process is gone, then look
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
select(undef, undef, undef, 0.1) while kill(0, $huge_pid) && time < $deadline;
die "the backend of huge_default did not exit" if kill(0, $huge_pid);
is($node->safe_psql('postgres', $pool_free_sql), $pool_before,
	'pool chunks given back when the session exits');

# the limits bound values, not memory: slots do not grow with them.  A pool
# of about 6,000 bytes in all: room for one 4 kB DN beyond its slot, not two.
my $slots = $node->safe_psql('postgres', 'SELECT slots FROM pg_stat_ssl_ext_memory()');
my $per_slot = int(6000 / $slots) + 1;
$node->append_conf('postgresql.conf',
	"sslinfo_ext.max_dn_bytes = 8192\nsslinfo_ext.text_pool_bytes_per_slot = $per_slot");
$node->restart;
my $slot_sql = 'SELECT slot_bytes - text_pool_bytes / slots FROM pg_stat_ssl_ext_memory()';
is($node->safe_psql('postgres', $slot_sql), $default_slot_bytes - 252,
	'max_dn_bytes = 8192: a slot is no bigger, only the pool share changed');

my $pool_bytes = $node->safe_psql('postgres', 'SELECT text_pool_bytes FROM pg_stat_ssl_ext_memory()');
cmp_ok($pool_bytes, '>', length($huge_dn), 'the pool can hold one huge DN');
cmp_ok($pool_bytes, '<', 2 * (length($huge_dn) - 700), 'the pool cannot hold two');
my $first = open_session('huge_first', connstr($node, cert => 'client_hugedn'));
wait_for_sessions('huge_first');
my $second = open_session('huge_second', connstr($node, cert => 'client_hugedn'));
wait_for_sessions('huge_second');
$rows = rows_by_name();
is($rows->{huge_first}{client_dn}, $huge_dn, 'pool with room: a 4 kB DN is whole');
is($rows->{huge_first}{truncated}, JSON::PP::false, 'pool with room: not truncated');
my $cut = $rows->{huge_second}{client_dn};
ok(length($cut) > 64 && length($cut) < 700 && $cut eq substr($huge_dn, 0, length($cut)),
	'pool full: the DN is cut to what fits in the slot (' . length($cut) . ' bytes)');
is($rows->{huge_second}{truncated}, JSON::PP::true, 'pool full: flagged truncated');
is($rows->{huge_second}{client_fingerprint}, cert_fingerprint('client_hugedn'),
	'pool full: the bounded fields are whole');
is($rows->{huge_second}{issuer_dn}, undef,
	'pool full: the subject DN took the slot\'s room, the issuer DN after it is NULL');
like($node->safe_psql('postgres', $pool_free_sql), qr/^\d+\|1$/,
	'pool full: counted in text_pool_full');
close_all_sessions();

$node->append_conf('postgresql.conf',
	"sslinfo_ext.max_dn_bytes = 64\nsslinfo_ext.max_san_bytes = 64\nsslinfo_ext.text_pool_bytes_per_slot = 0");
$node->restart;
is($node->safe_psql('postgres', 'SELECT text_pool_bytes FROM pg_stat_ssl_ext_memory()'),
	0, 'text_pool_bytes_per_slot = 0: no pool');

open_session('cut_utf8',   connstr($node, cert => 'client_utf8_cut'));
open_session('cut_longdn', connstr($node, cert => 'client_longdn'));
open_session('cut_san',    connstr($node, cert => 'client_san'));
wait_for_sessions(qw(cut_utf8 cut_longdn cut_san));
$rows = rows_by_name();

# /O=sslinfo_ext test/CN= is 23 bytes, then 3-byte characters: 64 bytes end
# inside the 14th, so 13 of them (62 bytes) are kept
my $utf8_dn = cert_facts('client_utf8_cut')->{dn};
is($rows->{cut_utf8}{client_dn}, substr($utf8_dn, 0, 23 + 13),
	'max_dn_bytes 64: UTF-8 DN cut before the character that does not fit');
is($rows->{cut_utf8}{truncated}, JSON::PP::true, 'max_dn_bytes 64: flagged truncated');
is($rows->{cut_utf8}{client_fingerprint}, cert_fingerprint('client_utf8_cut'),
	'max_dn_bytes 64: other columns whole');
is($rows->{cut_longdn}{client_dn}, substr(cert_facts('client_longdn')->{dn}, 0, 64),
	'max_dn_bytes 64: ASCII DN cut at 64 bytes');
is($rows->{cut_longdn}{truncated}, JSON::PP::true, 'max_dn_bytes 64: long DN flagged');

# each entry takes its length plus one byte: 22 + 24 + 14 = 60 of 64
is_deeply($rows->{cut_san}{client_san},
	[ 'DNS:carol.example.com', 'DNS:*.carol.example.net', 'IP:192.0.2.10' ],
	'max_san_bytes 64: the leading SAN entries that fit, none cut');
is($rows->{cut_san}{truncated}, JSON::PP::true, 'max_san_bytes 64: flagged truncated');
is($rows->{cut_san}{client_dn}, cert_facts('client_san')->{dn},
	'max_san_bytes 64: a short DN stays whole');

close_all_sessions();

# pg_stat_ssl_ext_memory() against what PostgreSQL allocated
# (pg_shmem_allocations), now and for a prediction it makes, at the default
# settings: 1 kB per slot (768 bytes of slot, 4 of owner index, 252 of pool)
$node->append_conf('postgresql.conf',
	"sslinfo_ext.max_dn_bytes = 1024\nsslinfo_ext.max_san_bytes = 1024\nsslinfo_ext.text_pool_bytes_per_slot = 252");
$node->restart;
sub registry_allocation
{
	return $node->safe_psql('postgres',
		"SELECT size FROM pg_shmem_allocations WHERE name = 'sslinfo_ext session registry'");
}
my $connections = $node->safe_psql('postgres', 'SHOW max_connections');
my ($slots, $slot_bytes, $total_bytes, $predicted_slots, $predicted_bytes) = split(
	/\|/,
	$node->safe_psql(
		'postgres', qq{
SELECT m.slots, m.slot_bytes, m.total_bytes, p.slots, p.total_bytes
FROM pg_stat_ssl_ext_memory() m, pg_stat_ssl_ext_memory($connections + 64) p}));
my $allocated = registry_allocation();
is($slot_bytes, 1024, 'default settings: 1024 bytes per slot, its pool share included');
is($node->safe_psql('postgres', 'SELECT text_pool_bytes = slots * 252 FROM pg_stat_ssl_ext_memory()'),
	't', 'default settings: 252 bytes of pool per slot');
is($total_bytes, $allocated, 'pg_stat_ssl_ext_memory(): total_bytes is the allocation, pool included');
$node->append_conf('postgresql.conf', 'max_connections = ' . ($connections + 64));
$node->restart;
is(registry_allocation(), $predicted_bytes,
	'pg_stat_ssl_ext_memory(max_connections + 64): the allocation after that change');
is(registry_allocation() - $allocated, 64 * $slot_bytes,
	'each further connection allocates slot_bytes');
is($node->safe_psql('postgres', 'SELECT slots FROM pg_stat_ssl_ext_memory()'),
	$predicted_slots, 'the predicted slot count');
is($predicted_slots - $slots, 64, 'one slot per connection');

$node->stop;
done_testing();
