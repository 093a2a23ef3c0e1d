# pg_stat_ssl_ext without shared_preload_libraries: CREATE EXTENSION works,
# the calling session's own row is computed live (all columns), the other
# sessions come from PostgreSQL's backend status: pg_stat_ssl's columns
# (DNs as PostgreSQL keeps them, cut at 63 bytes, but never mid-character),
# the extended columns NULL.  Settings that only matter when preloaded,
# set in postgresql.conf, are defined (and shown) in every backend that
# loads the module, without a warning.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my $node = new_tls_node('nopreload',
	extra_conf =>
	  "sslinfo_ext.max_dn_bytes = 2048\nsslinfo_ext.max_san_bytes = 4096\nsslinfo_ext.text_pool_bytes_per_slot = 504"
);
$node->start;
my $log_start = -s $node->logfile;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

# every backend that loads the module defines all of its settings
my (undef, $settings) = $node->psql('postgres',
	"LOAD 'sslinfo_ext'; SELECT current_setting('sslinfo_ext.max_dn_bytes', true), current_setting('sslinfo_ext.max_san_bytes', true), current_setting('sslinfo_ext.text_pool_bytes_per_slot', true)"
);
is($settings, '2kB|4kB|504B',
	'not preloaded: the preload-only settings are defined, with the configured values');
my $log = substr(slurp_file($node->logfile), $log_start);
unlike($log, qr/invalid configuration parameter name/,
	'not preloaded: no warning about the preload-only settings');

is( $node->safe_psql(
		'postgres',
		'SELECT allocated, slots_in_use IS NULL, text_pool_bytes = slots * 504 FROM pg_stat_ssl_ext_memory()'
	),
	'f|t|t',
	'no shared memory without preloading; the figures follow the configured pool');

my @sessions;
foreach my $s (
	[ 'other_longdn', connstr($node, cert => 'client_longdn') ],
	[ 'other_utf8',   connstr($node, cert => 'client_utf8_cut') ],
	[ 'other_tcp',    connstr($node, sslmode => 'disable') ])
{
	my ($name, $connstr) = @$s;
	my $in = '';
	push @sessions,
	  {
		in => \$in,
		h  => IPC::Run::start(
			[
				$node->installed_command('psql'), '-XAtq', '-d',
				"$connstr application_name=$name"
			],
			'<', \$in, '>', \my $out, '2>', \my $err)
	  };
}
$node->poll_query_until('postgres',
	"SELECT count(*) = 3 FROM pg_stat_ssl_ext WHERE application_name LIKE 'other_%'")
  or die "sessions did not show up";

# read over TLS with the SAN certificate, so the reader's own row has facts
my %rows = map { ($_->{application_name} => $_) } view_rows(
	$node,
	connstr => connstr($node, cert => 'client_san', extra => 'application_name=reader'));

my $own   = $rows{reader};
my $facts = cert_facts('client_san');
is($own->{client_fingerprint}, $facts->{fingerprint}, 'own row: fingerprint computed live');
is($own->{client_dn},          $facts->{dn},          'own row: client_dn');
is($own->{client_key_type},    $facts->{key_type},    'own row: client_key_type');
is($own->{client_not_after},   $facts->{not_after},   'own row: client_not_after');
is(scalar(@{ $own->{client_san} }), 6, 'own row: client_san');
is($own->{sni},       'localhost',     'own row: sni');
is($own->{truncated}, JSON::PP::false, 'own row: truncated');

my $other = $rows{other_longdn};
my $core = $node->safe_psql('postgres',
	"SELECT ssl, version, cipher, bits, client_dn, client_serial, issuer_dn FROM pg_stat_ssl WHERE pid = $other->{pid}"
);
is( join('|',
		map { $_ eq 'ssl' ? ($other->{$_} ? 't' : 'f') : $other->{$_} }
		  qw(ssl version cipher bits client_dn client_serial issuer_dn)),
	$core,
	'other session: the pg_stat_ssl columns are pg_stat_ssl\'s');
is(length($other->{client_dn}), 63, 'other session: DN as PostgreSQL keeps it (63 bytes)');
is(join(',', grep { defined $other->{$_} }
	  qw(client_cert_present client_not_before client_not_after client_fingerprint
		client_san client_key_type client_key_bits client_signature_algorithm
		tls_group sni alpn server_fingerprint truncated)),
	'', 'other session: extended columns NULL');
is($other->{backend_type}, 'client backend', 'other session: backend_type');
is($other->{client_addr},  '127.0.0.1',      'other session: client_addr');

# PostgreSQL keeps 63 bytes of this 65-byte DN: 23 ASCII bytes, 13 three-byte
# characters and the first byte of the 14th; the view drops that byte
my $utf8_dn = cert_facts('client_utf8_cut')->{dn};
is($rows{other_utf8}{client_dn}, substr($utf8_dn, 0, 23 + 13),
	'other session: a DN PostgreSQL cut inside a character ends before it');

is($rows{other_tcp}{ssl}, JSON::PP::false, 'other session without TLS: ssl false');

${ $_->{in} } .= "\\q\n" foreach @sessions;
$_->{h}->finish foreach @sessions;
$node->stop;
done_testing();
