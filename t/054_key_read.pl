# ssl_config_audit() reads the server's private key (server_key_match) and
# leaves no copy of it in the backend's memory: after the audit, the
# backend's private memory (heap and anonymous mappings, read through
# /proc/PID/mem) holds no byte sequence of the key file.
#
# The key file gets marker lines around its PEM block after the server
# started (OpenSSL ignores text outside the block; the file grows to about
# 22 kB, beyond the first buffer a reader starts with), so that the markers can
# only be in the backend because the audit read the file: the postmaster
# loaded the key before they were there.  A stdio buffer or a grown
# StringInfo, freed without being wiped, would keep them.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;

plan skip_all => 'needs /proc/PID/mem' unless -r "/proc/$$/mem";

my $node = new_tls_node('keyread', preload => 1);
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION sslinfo_ext');

my $keyfile = $node->data_dir . '/server.key';
my $pem     = slurp_file($keyfile);
my $marker  = sprintf('sslinfo-ext-key-marker-%08x%08x', int(rand(2**32)), int(rand(2**32)));
# 300 lines of text before the PEM block, so that the file (about 22 kB)
# is longer than any first buffer a reader would start with
open(my $fh, '>', $keyfile) or die "$keyfile: $!";
printf $fh "%s line %03d, text outside the PEM block that OpenSSL skips\n", $marker, $_
  foreach (1 .. 300);
print $fh "$pem$marker-after\n";
close($fh);
chmod(0600, $keyfile);

# One idle session that runs the audit and then waits
my ($in, $out, $err) = ('', '', '');
my $h = IPC::Run::start(
	[ $node->installed_command('psql'), '-XAtq', '-d', connstr($node) ],
	'<', \$in, '>', \$out, '2>', \$err);
$in .= "SELECT pg_backend_pid();\n";
$h->pump until $out =~ /^\d+\n/ || !$h->pumpable;
my ($pid) = $out =~ /^(\d+)/;
$out = '';

# The system calls the audit makes on the key file, when strace is there
my $have_strace = system('strace -V >/dev/null 2>&1') == 0;
my $trace = PostgreSQL::Test::Utils::tempdir . '/audit.strace';
my ($sout, $serr) = ('', '');
my $strace;
if ($have_strace)
{
	$strace = IPC::Run::start(
		[ 'strace', '-p', $pid, '-e', 'trace=openat,read,close', '-o', $trace ],
		'>', \$sout, '2>', \$serr);
	$strace->pump_nb until $serr =~ /attached/ || !$strace->pumpable;
}

$in .= "SELECT status FROM ssl_config_audit() WHERE check_name = 'server_key_match';\n"
  . "SELECT 'done';\n";
$h->pump until $out =~ /done\n/ || !$h->pumpable;
my ($status) = split /\n/, $out;
is($status, 'ok', 'the audit read the key (with its markers) and matched it');

SKIP:
{
	skip 'no strace', 2 unless $have_strace;
	$strace->signal('INT');
	$strace->finish;
	my $size = -s $keyfile;
	my ($fd, @reads);
	foreach my $line (split /\n/, slurp_file($trace))
	{
		$fd = $1 if $line =~ /^openat\(.*\Q$keyfile\E", .*\) = (\d+)$/;
		push @reads, [ $1, $2 ] if defined $fd && $line =~ /^read\($fd, .*, (\d+)\) += (\d+)$/;
		undef $fd if defined $fd && $line =~ /^close\($fd\)/;
	}
	ok(@reads > 0, 'strace saw the key file read') or diag slurp_file($trace);
	is(join(',', map { $_->[0] } @reads), $size,
		'the key file is read in one read() into a buffer of its size (no stdio, no growing buffer)');
}

# Every private writable mapping of the backend
sub backend_memory_has
{
	my ($pid, $needle) = @_;
	open(my $maps, '<', "/proc/$pid/maps") or die "maps: $!";
	open(my $mem,  '<:raw', "/proc/$pid/mem") or die "mem: $!";
	my $found = 0;
	while (my $line = <$maps>)
	{
		my ($from, $to, $perms) = $line =~ /^([0-9a-f]+)-([0-9a-f]+) (\S+)/
		  or next;
		next unless $perms =~ /^rw.p/;
		my $len = hex($to) - hex($from);
		my $data;
		next unless sysseek($mem, hex($from), 0);
		next unless defined sysread($mem, $data, $len);
		$found++ while $data =~ /\Q$needle\E/g;
	}
	return $found;
}

is(backend_memory_has($pid, $marker), 0,
	'no copy of the key file is left in the backend after the audit');
# the scan itself works: the backend does hold what it was sent
ok(backend_memory_has($pid, "check_name = 'server_key_match'") > 0,
	'the memory scan finds what the backend was sent');

$in .= "\\q\n";
$h->finish;
$node->stop;
done_testing();
