
=pod

=head1 NAME

SslinfoExtTest - TLS-enabled PostgreSQL::Test::Cluster nodes and client
connection strings for the sslinfo_ext TAP tests

=head1 SYNOPSIS

  use PostgreSQL::Test::Utils;
  use Test::More;
  use SslinfoExtTest;

  my $node = new_tls_node('primary', preload => 1);
  $node->start;

  my ($rc, $out, $err) = psql_tls($node, 'SELECT ssl_client_dn()',
	  cert => 'client_plain');
  is($out, '/O=sslinfo_ext test/OU=Clients/CN=alice', 'client DN');

  $node->connect_fails(connstr($node, cert => 'client_expired'),
	  'expired certificate refused', expected_stderr => qr/expired/);

  done_testing();

=head1 DESCRIPTION

Nodes are configured exactly like the throwaway cluster pg_regress uses
(test/cluster.sh): the same F<test/tls-cluster/tls.conf> (listen on
127.0.0.1, C<ssl = on>, server certificate for localhost, root CA, CRL) and
the same F<test/tls-cluster/pg_hba.conf> (TLS needs a client certificate
chaining to the test root CA, except for the role C<sslinfo_nocert>),
initdb with C<-E UTF8 --locale=C>.  Unlike the pg_regress cluster, a node
already has the role C<sslinfo_nocert>.

Certificates come from F<test/certs/make-certs.sh> (C<make test> generates
them); see F<test/README.md> for the list.

=head1 FUNCTIONS

All are exported.

=cut

package SslinfoExtTest;

use strict;
use warnings;

use Carp;
use Cwd qw(abs_path);
use Exporter qw(import);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Spec;
use IPC::Run;
use JSON::PP ();
use Time::HiRes ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(certdir cert_fingerprint new_tls_node connstr psql_tls
  s_client_handshake s_client ec_server_cert audit_row set_and_reload
  log_since count_matches slurp client_stacks client_stack_missing
  client_connect latest_client_profile);

# test/perl -> test/tls-cluster, and the source tree's build/certs
my $test_dir     = abs_path(dirname(__FILE__) . '/..');
my $template_dir = "$test_dir/tls-cluster";

=pod

=over

=item certdir()

Absolute path of the generated certificates: C<$ENV{SSLINFO_EXT_CERTDIR}>
(set by C<make test>), else F<build/certs> of the source tree this module
lives in.  Dies if the certificates are not there.

=cut

sub certdir
{
	my $dir = $ENV{SSLINFO_EXT_CERTDIR} // "$test_dir/../build/certs";
	croak "no certificates in $dir: run test/certs/make-certs.sh $dir (make test does)"
	  unless -f "$dir/ca.crt";
	return abs_path($dir);
}

=pod

=item cert_fingerprint($name)

The SHA-256 fingerprint of certificate C<$name> (lowercase hex, no colons)
as the factory recorded it in F<NAME.sha256>.

=cut

sub cert_fingerprint
{
	my ($name) = @_;
	return slurp_file(certdir() . "/$name.sha256");
}

=pod

=item new_tls_node($name, %opts)

A new PostgreSQL::Test::Cluster node, initialized (not started) with TLS set
up like the pg_regress cluster: the server certificate and key, F<ca.crt>
and F<root.crl> copied into the data directory (key mode 0600), the TLS
settings appended to F<postgresql.conf>, the harness's F<pg_hba.conf>, and
the role C<sslinfo_nocert>.  Options:

=over

=item preload => 1

adds C<shared_preload_libraries = 'sslinfo_ext'>

=item extra_conf => "line\n..."

appended to F<postgresql.conf> last

=item anything else

passed to C<< $node->init >> (C<allows_streaming>, C<has_archiving>,
C<extra> (initdb options; default C<-E UTF8 --locale=C>), ...).  With
C<allows_streaming>, F<pg_hba.conf> also gets
C<local replication all trust>.

=back

=cut

sub new_tls_node
{
	my ($name, %opts) = @_;
	my $preload    = delete $opts{preload};
	my $extra_conf = delete $opts{extra_conf};

	$opts{extra} //= [ '-E', 'UTF8', '--locale=C' ];

	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%opts);
	my $pgdata = $node->data_dir;

	# The node is returned stopped, so create the role in single-user mode.
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ $node->installed_command('postgres'), '--single', '-D', $pgdata, 'postgres' ],
		'<', \"CREATE ROLE sslinfo_nocert LOGIN;\n",
		'>', \$out, '2>', \$err)
	  && $err !~ /\b(ERROR|FATAL)\b/
	  or croak "creating role sslinfo_nocert failed: $err";

	my $tls = slurp_file("$template_dir/tls.conf");
	my $certdir = certdir();
	foreach my $file ($tls =~ /'\@DATADIR\@\/([^']+)'/g)
	{
		copy("$certdir/$file", "$pgdata/$file")
		  or croak "copying $certdir/$file: $!";
		chmod($file =~ /\.key$/ ? 0600 : 0644, "$pgdata/$file");
	}
	$tls =~ s/\@DATADIR\@/$pgdata/g;
	$node->append_conf('postgresql.conf', $tls);
	$node->append_conf('postgresql.conf',
		"shared_preload_libraries = 'sslinfo_ext'")
	  if $preload;
	$node->append_conf('postgresql.conf', $extra_conf)
	  if defined $extra_conf;

	copy("$template_dir/pg_hba.conf", "$pgdata/pg_hba.conf")
	  or croak "writing pg_hba.conf: $!";
	chmod(0600, "$pgdata/pg_hba.conf");
	$node->append_conf('pg_hba.conf', 'local replication all trust')
	  if $opts{allows_streaming};

	return $node;
}

# libpq conninfo value, quoted
sub _quote
{
	my ($value) = @_;
	$value =~ s/([\\'])/\\$1/g;
	return "'$value'";
}

# Path of the private key of certificate $cert that libpq will accept:
# owned by us and not readable by others.  The factory makes them so; when
# the certificates belong to someone else, use a copy in the node's basedir.
sub _client_key
{
	my ($node, $cert) = @_;
	my $key = certdir() . "/$cert.key";
	croak "no key $key" unless -f $key;
	my @st = stat($key);
	return $key if $st[4] == $> && ($st[2] & 077) == 0;

	my $dir = File::Spec->rel2abs($node->basedir . '/client-keys');
	my $copy = "$dir/$cert.key";
	if (!-f $copy)
	{
		make_path($dir);
		copy($key, $copy) or croak "copying $key: $!";
		chmod(0600, $copy);
	}
	return $copy;
}

# libpq's sslcert and sslkey for client certificate $cert, or for none
# (files that do not exist, so ~/.postgresql/postgresql.crt is not used)
sub _cert_parts
{
	my ($node, $cert) = @_;
	my $certdir = certdir();
	return defined $cert
	  ? ('sslcert=' . _quote("$certdir/$cert.crt"),
		'sslkey=' . _quote(_client_key($node, $cert)))
	  : ('sslcert=' . _quote("$certdir/none.crt"),
		'sslkey=' . _quote("$certdir/none.key"));
}

=pod

=item connstr($node, %opts)

A libpq connection string for a TLS (or, with C<< sslmode => 'disable' >>,
plain TCP) connection to C<$node> over 127.0.0.1, with absolute paths (usable
from any working directory).  Options:

=over

=item cert => NAME

client certificate F<NAME.crt> and its key; default C<client_plain>.
C<< cert => undef >> sends no client certificate (libpq is pointed at a
file that does not exist, so F<~/.postgresql/postgresql.crt> is not used
either).

=item sslmode => MODE

default C<verify-full>; C<sslrootcert> is always the test root CA

=item user => ROLE, dbname => DB

default: libpq's default user (the OS user, the node's superuser), C<postgres>

=item host => NAME

the name to verify and send as SNI; default C<localhost> (the address
stays 127.0.0.1)

=item extra => 'key=value ...'

appended verbatim

=back

=cut

sub connstr
{
	my ($node, %opts) = @_;
	my $certdir = certdir();
	my $cert    = exists $opts{cert} ? $opts{cert} : 'client_plain';

	my @parts = (
		'host=' . _quote($opts{host} // 'localhost'),
		'hostaddr=127.0.0.1',
		'port=' . $node->port,
		'dbname=' . _quote($opts{dbname} // 'postgres'),
		'sslmode=' . ($opts{sslmode} // 'verify-full'),
		'sslrootcert=' . _quote("$certdir/ca.crt"));
	push @parts, 'user=' . _quote($opts{user}) if defined $opts{user};
	push @parts, _cert_parts($node, $cert);
	push @parts, $opts{extra} if defined $opts{extra};
	return join(' ', @parts);
}

=pod

=item psql_tls($node, $sql, %opts)

Runs C<$sql> with psql (C<-XAtq>, stop on error, never prompt) over the
connection C<connstr($node, %opts)> describes and returns
C<($rc, $stdout, $stderr)> (output chomped, as
C<< PostgreSQL::Test::Cluster::psql >>).  Besides the C<connstr> options,
C<on_error_stop>, C<timeout> and C<extra_params> go to
C<< $node->psql >>.

=cut

sub psql_tls
{
	my ($node, $sql, %opts) = @_;
	my %psql = (extra_params => ['-w']);
	foreach my $k (qw(on_error_stop timeout))
	{
		$psql{$k} = delete $opts{$k} if exists $opts{$k};
	}
	push @{ $psql{extra_params} }, @{ delete $opts{extra_params} }
	  if exists $opts{extra_params};

	my ($rc, $stdout, $stderr) = $node->psql($opts{dbname} // 'postgres',
		$sql, connstr => connstr($node, %opts), %psql);
	return ($rc, $stdout, $stderr);
}

=pod

=item s_client_handshake($node, @options)

One TLS handshake with C<openssl s_client -starttls postgres> against
C<$node> on 127.0.0.1, with C<@options> added (say C<-tls1_2>,
C<-cipher NAME>, C<-servername HOST>); nothing is sent after it.  Returns
the cipher suite negotiated (undef if the handshake failed) and
s_client's whole output, stdout then stderr.

=cut

sub s_client_handshake
{
	my ($node, @options) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[
			'openssl', 's_client', '-starttls', 'postgres',
			'-connect', '127.0.0.1:' . $node->port, @options
		],
		'<', \'', '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my ($cipher) = $out =~ /^New, TLSv1\.[0-3], Cipher is (\S+)$/m;
	return ($cipher, $out . $err);
}

=pod

=item s_client($node, $ciphers, @options)

One TLS 1.2 handshake (s_client_handshake()) offering only C<$ciphers>
(an OpenSSL cipher string, C<:>-separated), with C<@options> added (say
C<-servername HOST>).  Returns the suite negotiated, undef if the
handshake failed: one value, also in list context (C<is(s_client(...),
...)>).

=cut

sub s_client
{
	my ($node, $ciphers, @options) = @_;
	my ($cipher) =
	  s_client_handshake($node, '-tls1_2', '-cipher', $ciphers, @options);
	return $cipher;
}

=pod

=item ec_server_cert($node)

Writes a self-signed EC (P-256) certificate for C<localhost>, valid for two
days, to F<server_ec.crt> in C<$node>'s data directory and its key to
F<server_ec.key> (mode 0600).  The generation is one test.

=cut

sub ec_server_cert
{
	my ($node) = @_;
	my $pgdata = $node->data_dir;
	command_ok(
		[
			'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
			'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
			'-subj', '/CN=localhost', '-keyout', "$pgdata/server_ec.key",
			'-out', "$pgdata/server_ec.crt"
		],
		'EC server certificate generated');
	chmod(0600, "$pgdata/server_ec.key");
	return;
}

=pod

=item audit_row($node, $check)

The row of C<ssl_config_audit()> named C<$check>, read as a superuser: in
list context (status, detail, hint), the hint C<''> when NULL; in scalar
context C<"status detail"> (write C<scalar audit_row(...)> inside C<is>
and C<like>, whose arguments are a list).

=cut

sub audit_row
{
	my ($node, $check) = @_;
	# fields joined by the unit separator, which no detail contains
	my $row = $node->safe_psql('postgres',
		"SELECT concat_ws(chr(31), status, detail, coalesce(hint, '')) "
		  . "FROM ssl_config_audit() WHERE check_name = '$check'");
	my ($status, $detail, $hint) = split /\x1f/, $row, 3;
	return wantarray ? ($status, $detail, $hint) : "$status $detail";
}

=pod

=item set_and_reload($node, $setting, $value[, $expected])

C<ALTER SYSTEM SET $setting = '$value'>, reload, and wait until a new
session sees C<$expected> (default C<$value>) as the setting's value; dies
if it does not.

=cut

sub set_and_reload
{
	my ($node, $setting, $value, $expected) = @_;
	$expected //= $value;
	$node->safe_psql('postgres', "ALTER SYSTEM SET $setting = '$value'");
	$node->reload;
	$node->poll_query_until('postgres',
		"SELECT current_setting('$setting') = '$expected'")
	  or die "$setting did not become '$expected'";
	return;
}

=pod

=item log_since($node, $offset)

The server log of C<$node> from byte C<$offset> on (C<-s $node-E<gt>logfile>
taken before).

=item count_matches($text, $re)

How many times C<$re> matches in C<$text>.

=cut

sub log_since
{
	my ($node, $offset) = @_;
	return substr(slurp_file($node->logfile), $offset);
}

sub count_matches
{
	my ($text, $re) = @_;
	my $n = () = $text =~ /$re/g;
	return $n;
}

=pod

=item slurp($path)

The bytes of the file C<$path>, relative to the top of the source tree
(C<slurp('META.json')>; PostgreSQL::Test::Utils' C<slurp_file> takes a
path as it is).  Dies if it cannot be read.

=cut

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<:raw', "$test_dir/../$path")
	  or croak "cannot read $path: $!";
	local $/;
	return scalar <$fh>;
}

=pod

=back

=head2 Client stacks

Real PostgreSQL clients other than psql, each a tiny probe program of
F<test/clients/> (see its F<README.md>) that makes one TLS connection and
prints one line.  C<make test> installs and builds them into
F<build/clients> (C<$ENV{SSLINFO_EXT_CLIENTDIR}>) only when a selected test
file calls C<client_connect> (C<ensure_client_stacks> in F<test/lib.sh>).

=over

=item client_stacks()

The stack names, in a fixed order: C<libpq> (psql), C<libpq_tls12> (psql
with C<ssl_max_protocol_version=TLSv1.2>), C<jdbc> (pgjdbc on Java's
SunJSSE), C<go> (lib/pq on Go's crypto/tls), C<node> (node-postgres on
Node's OpenSSL), C<node_ecdhe_only> (node-postgres with C<ciphers> set to
two ECDHE suites: C<ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384>;
Node keeps its TLS 1.3 suites).

=item client_stack_missing($stack)

Undef when C<$stack> can run here, else why not (for a skip message).

=item client_connect($node, $stack, %opts)

One TLS connection to C<$node> on 127.0.0.1 with C<$stack>, verifying the
server certificate against the test root CA (C<verify-full>), and
C<SELECT version, cipher, current_user FROM pg_stat_ssl WHERE pid =
pg_backend_pid()>.  Returns a hash reference: C<ok> (1 or 0), C<version>,
C<cipher>, C<user> (when C<ok>), C<error> (the client's error text, when
not), C<output> (all the probe printed, stdout then stderr), C<seconds>
(how long the probe ran, start-up included).  Options:

=over

=item cert => NAME

client certificate and key, default C<client_plain>; C<undef> sends none.
pgjdbc gets the key as PKCS-8 DER, made with C<openssl pkcs8> into the
node's basedir.

=item user => ROLE, dbname => DB

default: the OS user (the node's superuser), C<postgres>

=back

Dies if the stack is unknown or missing (check C<client_stack_missing>
first).

=cut

my %client_stack_need = (
	libpq           => [],
	libpq_tls12     => [],
	jdbc            => [qw(java jdbc_jar)],
	go              => [qw(go_probe)],
	node            => [qw(node node_pg)],
	node_ecdhe_only => [qw(node node_pg)],);

my @client_stacks = qw(libpq libpq_tls12 jdbc go node node_ecdhe_only);

my $ecdhe_only_ciphers = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
my $jdbc_jar           = '/usr/share/java/postgresql.jar';

sub client_stacks
{
	return @client_stacks;
}

sub _clientdir
{
	return $ENV{SSLINFO_EXT_CLIENTDIR} // "$test_dir/../build/clients";
}

sub _in_path
{
	my ($prog) = @_;
	return grep { -x "$_/$prog" } split(/:/, $ENV{PATH} // '');
}

# Undef when the Node.js in PATH is as new as node-postgres's package.json
# asks ("engines": {"node": ">= 16.0.0"}), else why not: Debian bullseye's
# Node.js 12 cannot parse pg 8's syntax (optional chaining).
sub _node_too_old
{
	my ($package_json) = @_;
	open(my $fh, '<', $package_json) or return "cannot read $package_json: $!";
	my $meta = eval { JSON::PP::decode_json(do { local $/; <$fh> }) };
	close($fh);
	my ($need) = (($meta // {})->{engines}{node} // '') =~ />=\s*(\d+)/;
	return undef unless defined $need;
	my ($have) = (`node --version 2>/dev/null` // '') =~ /^v(\d+)/;
	return "cannot tell the version of node" unless defined $have;
	return $have >= $need
	  ? undef
	  : "node-postgres needs Node.js $need or later (its package.json), this system's node is $have";
}

sub client_stack_missing
{
	my ($stack) = @_;
	croak "unknown client stack $stack" unless $client_stack_need{$stack};
	my $dir = _clientdir();
	my %why = (
		java     => sub { _in_path('java') ? undef : 'no java in PATH' },
		jdbc_jar => sub { -f $jdbc_jar ? undef : "no $jdbc_jar (libpostgresql-jdbc-java)" },
		go_probe => sub { -x "$dir/go/pgprobe" ? undef : "no $dir/go/pgprobe (Go probe not built)" },
		node     => sub { _in_path('node') ? undef : 'no node in PATH' },
		node_pg  => sub {
			return "no $dir/node/node_modules/pg (npm pg not installed)"
			  unless -f "$dir/node/node_modules/pg/package.json";
			return _node_too_old("$dir/node/node_modules/pg/package.json");
		},);
	foreach my $need (@{ $client_stack_need{$stack} })
	{
		my $why = $why{$need}->();
		return "$stack: $why" if defined $why;
	}
	return undef;
}

# The PKCS-8 DER key pgjdbc's LibPQFactory reads, made once per node.
sub _pk8_key
{
	my ($node, $cert) = @_;
	my $dir = File::Spec->rel2abs($node->basedir . '/client-keys');
	my $der = "$dir/$cert.pk8";
	return $der if -f $der;
	make_path($dir);
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[
			'openssl', 'pkcs8', '-topk8', '-nocrypt', '-in', _client_key($node, $cert),
			'-outform', 'DER', '-out', $der
		],
		'>', \$out, '2>', \$err)
	  or croak "openssl pkcs8 for $cert failed: $err";
	chmod(0600, $der);
	return $der;
}

sub _url_escape
{
	my ($s) = @_;
	$s =~ s/([^A-Za-z0-9._~\/-])/sprintf('%%%02X', ord($1))/ge;
	return $s;
}

# The probe's command line for $stack
sub _client_command
{
	my ($node, $stack, %opts) = @_;
	my $certdir = certdir();
	my $cert    = exists $opts{cert} ? $opts{cert} : 'client_plain';
	my $user    = $opts{user} // scalar getpwuid($>);
	my $dbname  = $opts{dbname} // 'postgres';
	my $port    = $node->port;
	my $clients = "$test_dir/clients";
	my $dir     = _clientdir();
	my $query =
	  'SELECT version, cipher, current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

	if ($stack eq 'libpq' || $stack eq 'libpq_tls12')
	{
		my %c = (user => $user, dbname => $dbname, cert => $cert);
		$c{extra} = 'ssl_max_protocol_version=TLSv1.2' if $stack eq 'libpq_tls12';
		return [
			$node->installed_command('psql'), '-XAtq', '-w', '-F', "\t",
			'-v', 'ON_ERROR_STOP=1', '-c', $query, '-d', connstr($node, %c)
		];
	}
	elsif ($stack eq 'jdbc')
	{
		my @p = (
			'user=' . _url_escape($user),
			'sslmode=verify-full',
			'sslrootcert=' . _url_escape("$certdir/ca.crt"),
			'gssEncMode=disable',
			'connectTimeout=30');
		if (defined $cert)
		{
			push @p, 'sslcert=' . _url_escape("$certdir/$cert.crt"),
			  'sslkey=' . _url_escape(_pk8_key($node, $cert));
		}
		else
		{
			# pgjdbc, like libpq, falls back to ~/.postgresql/postgresql.crt
			push @p, 'sslcert=' . _url_escape("$certdir/none.crt");
		}
		return [
			'java', '-cp', $jdbc_jar, "$clients/jdbc/PgProbe.java",
			"jdbc:postgresql://127.0.0.1:$port/" . _url_escape($dbname) . '?' . join('&', @p)
		];
	}
	elsif ($stack eq 'go')
	{
		my @c = (
			'host=127.0.0.1', "port=$port",
			'dbname=' . _quote($dbname), 'user=' . _quote($user),
			'sslmode=verify-full', 'sslrootcert=' . _quote("$certdir/ca.crt"),
			'connect_timeout=30');
		push @c, _cert_parts($node, $cert);
		return [ "$dir/go/pgprobe", join(' ', @c) ];
	}
	else    # node, node_ecdhe_only
	{
		my %ssl = (ca => "$certdir/ca.crt");
		if (defined $cert)
		{
			$ssl{cert} = "$certdir/$cert.crt";
			$ssl{key}  = _client_key($node, $cert);
		}
		$ssl{ciphers} = $ecdhe_only_ciphers if $stack eq 'node_ecdhe_only';
		my %o = (
			host                    => '127.0.0.1',
			port                    => $port + 0,
			user                    => $user,
			database                => $dbname,
			connectionTimeoutMillis => 30000,
			ssl                     => \%ssl);
		return [ 'node', "$dir/node/pgprobe.js", _json(\%o) ];
	}
}

# Just enough JSON for _client_command's options: strings, numbers, hashes.
sub _json
{
	my ($v) = @_;
	if (ref $v eq 'HASH')
	{
		return '{'
		  . join(',', map { _json("$_") . ':' . _json($v->{$_}) } sort keys %$v) . '}';
	}
	return $v if $v =~ /^[0-9]+$/ && !ref $v && $v !~ /^0./;
	my $s = $v;
	$s =~ s/(["\\])/\\$1/g;
	$s =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord($1))/ge;
	return "\"$s\"";
}

sub client_connect
{
	my ($node, $stack, %opts) = @_;
	my $missing = client_stack_missing($stack);
	croak $missing if defined $missing;
	my $cmd = _client_command($node, $stack, %opts);
	my ($out, $err) = ('', '');
	my $start = Time::HiRes::time();
	# the probes print one line and exit 0 whether or not they connected;
	# psql exits non-zero on failure and says why on stderr
	my $rc = IPC::Run::run($cmd, '<', \'', '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my %r = (
		ok      => 0,
		output  => $out . $err,
		seconds => sprintf('%.2f', Time::HiRes::time() - $start));
	chomp(my $line = $out);
	$line =~ s/\r//g;
	if ($stack =~ /^libpq/)
	{
		if ($rc && $line =~ /^([^\t]*)\t([^\t]*)\t([^\t]*)$/)
		{
			@r{qw(ok version cipher user)} = (1, $1, $2, $3);
		}
		else
		{
			(my $e = $err) =~ s/\s+$//;
			$r{error} = $e;
		}
		return \%r;
	}
	if ($line =~ /^ok\t([^\t]*)\t([^\t]*)\t([^\t]*)$/m)
	{
		@r{qw(ok version cipher user)} = (1, $1, $2, $3);
	}
	elsif ($line =~ /^error\t(.*)$/m)
	{
		$r{error} = $1;
	}
	else
	{
		(my $e = $out . $err) =~ s/\s+$//;
		$r{error} = "probe printed no result line: $e";
	}
	return \%r;
}

=pod

=item latest_client_profile($node)

The client profile of the latest TLS connection to C<$node> (whose
C<postgres> database has the extension; the harness's own queries go over
the Unix socket, without TLS, so they make none), from
C<pg_stat_ssl_ext_clients>: a hash of C<id>, C<max_version>, C<ciphers>
(array ref, in the client's order), C<connections>, C<refusals>.

=cut

sub latest_client_profile
{
	my ($node) = @_;
	my ($id, $max_version, $ciphers, $connections, $refusals) = split /\|/,
	  $node->safe_psql('postgres', q{
		SELECT client_profile, max_version, array_to_string(offered_ciphers, ' '),
		       connections, refusals
		FROM pg_stat_ssl_ext_clients ORDER BY last_seen DESC LIMIT 1});
	return {
		id          => $id,
		max_version => $max_version,
		ciphers     => [ split / /, $ciphers // '' ],
		connections => $connections,
		refusals    => $refusals
	};
}

=pod

=back

=cut

1;
