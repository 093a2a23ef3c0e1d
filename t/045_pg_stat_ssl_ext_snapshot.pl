# pg_stat_ssl_ext and a session that starts while the view is being read:
# its row is absent or whole, never PostgreSQL's core columns alone.
#
# The reader is held (gdb breakpoint) where it takes PostgreSQL's
# backend-status snapshot, pgstat_fetch_stat_numbackends(); a TLS session
# connects and finishes authentication meanwhile; then the reader goes on.
# The view must take that snapshot before it reads the registry's owner
# index: a session in the snapshot has then recorded its slot already.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

plan skip_all => 'needs gdb' if system('gdb --version >/dev/null 2>&1') != 0;

my $node = new_tls_node('snapshot', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

my $dir = PostgreSQL::Test::Utils::tempdir;

# the reader: an idle session
my ($rin, $rout, $rerr) = ('', '', '');
my $reader = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-d',
		connstr($node, cert => 'client_plain') . ' application_name=reader'
	],
	'<', \$rin, '>', \$rout, '2>', \$rerr);
$rin .= "SELECT pg_backend_pid();\n";
$reader->pump until $rout =~ /^\d+\n/ || !$reader->pumpable;
my ($reader_pid) = $rout =~ /^(\d+)/;
$rout = '';

# gdb holds the reader at the snapshot until $dir/go exists
my ($gin, $gout, $gerr) = ('', '', '');
my $gdb = IPC::Run::start(
	[
		'gdb', '-nx', '-batch', '-p', $reader_pid,
		'-ex', 'break pgstat_fetch_stat_numbackends',
		'-ex', "shell touch $dir/armed",
		'-ex', 'continue',
		'-ex', "shell touch $dir/held",
		'-ex', "shell while [ ! -e $dir/go ]; do sleep 0.1; done",
		'-ex', 'delete',
		'-ex', 'detach'
	],
	'<', \$gin, '>', \$gout, '2>', \$gerr);
my $waited = 0;
while (!-e "$dir/armed" && $waited++ < 600) { select(undef, undef, undef, 0.1); }
ok(-e "$dir/armed", 'gdb attached to the reader') or diag "$gout\n$gerr";

$rin .= "SELECT application_name, client_fingerprint IS NOT NULL, client_cert_present IS NOT NULL "
  . "FROM pg_stat_ssl_ext WHERE application_name = 'newcomer';\nSELECT 'done';\n";
$reader->pump_nb;
$waited = 0;
while (!-e "$dir/held" && $waited++ < 600) { $reader->pump_nb; select(undef, undef, undef, 0.1); }
ok(-e "$dir/held", 'the reader is held at the backend-status snapshot') or diag "$gout\n$gerr";

# a session starts and authenticates while the reader is held
my ($nin, $nout, $nerr) = ('', '', '');
my $newcomer = IPC::Run::start(
	[
		$node->installed_command('psql'), '-XAtq', '-d',
		connstr($node, cert => 'client_san') . ' application_name=newcomer'
	],
	'<', \$nin, '>', \$nout, '2>', \$nerr);
$nin .= "SELECT 'connected';\n";
$newcomer->pump until $nout =~ /connected/ || !$newcomer->pumpable;
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'newcomer' AND state = 'idle'")
  or die "newcomer did not show up";

# let the reader go on
open(my $fh, '>', "$dir/go") or die $!;
close($fh);
$reader->pump until $rout =~ /done\n/ || !$reader->pumpable;
$gdb->finish;

my ($row) = grep { /^newcomer/ } split /\n/, $rout;
ok(!defined $row || $row eq 'newcomer|t|t',
	'a session that started during the read is absent or whole')
  or diag "row: $row";

# and afterwards it is there, whole
is($node->safe_psql('postgres',
	"SELECT client_fingerprint IS NOT NULL FROM pg_stat_ssl_ext WHERE application_name = 'newcomer'"),
	't', 'the newcomer is whole in the next read');

$nin .= "\\q\n";
$newcomer->finish;
$rin .= "\\q\n";
$reader->finish;
$node->stop;
done_testing();
