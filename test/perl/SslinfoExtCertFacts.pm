
=pod

=head1 NAME

SslinfoExtCertFacts - what a test certificate says, read with the openssl
command line tool, to check sslinfo_ext's answers against

=head1 SYNOPSIS

  use SslinfoExtCertFacts;

  my $facts = cert_facts('client_ec');
  is($row->{client_dn}, $facts->{dn}, 'DN');

  my @rows = view_rows($node, connstr => $cs);   # pg_stat_ssl_ext as hashes

=head1 DESCRIPTION

The expected values come from the certificate file through openssl, never
from sslinfo_ext, so a test comparing the two can fail.

=head1 FUNCTIONS

All are exported.

=over

=cut

package SslinfoExtCertFacts;

use strict;
use warnings;

use Carp;
use Encode qw(decode);
use Exporter qw(import);
use JSON::PP;
use Math::BigInt;
use Time::Local qw(timegm);
use PostgreSQL::Test::Utils;
use SslinfoExtTest;

our @EXPORT = qw(cert_facts view_rows VIEW_ROW_SQL);

sub _openssl
{
	my ($crt, @args) = @_;
	my ($stdout, $stderr) = run_command([ 'openssl', 'x509', '-in', $crt, '-noout', @args ]);
	croak "openssl x509 @args on $crt: $stderr" if $stdout eq '';
	return $stdout;
}

# openssl x509's own date format, the same from 1.1.1 to 3.x ("-dateopt
# iso_8601" is 3.0's): "Nov 23 17:42:38 2026 GMT"
sub _epoch
{
	my ($date) = @_;
	my %month;
	@month{qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)} = (0 .. 11);
	my ($mon, $d, $h, $mi, $s, $y) =
	  $date =~ /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) GMT$/
	  or croak "unexpected date $date";
	defined $month{$mon} or croak "unexpected month in $date";
	return timegm($s, $mi, $h, $d, $month{$mon}, $y);
}

# "/C=DE/O=M\xC3\xBCller" (openssl -nameopt compat) as a character string
sub _compat_dn
{
	my ($text) = @_;
	$text =~ s/\\x([0-9A-Fa-f]{2})/chr(hex($1))/ge;
	return decode('UTF-8', $text);
}

=pod

=item cert_facts($name)

A hash of what certificate C<$name> (in C<certdir()>) says, in the forms
pg_stat_ssl_ext shows: C<dn>, C<issuer_dn> (C</T=value/...>), C<serial>
(decimal string), C<fingerprint>, C<not_before>, C<not_after> (Unix
epoch), C<key_type> (C<RSA>, C<EC>, ...), C<key_bits>,
C<signature_algorithm>.  DNs with a multi-valued RDN are not supported
(openssl orders them differently).

=cut

sub cert_facts
{
	my ($name) = @_;
	my $crt = certdir() . "/$name.crt";
	my %facts;

	my $out = _openssl($crt, qw(-subject -issuer -serial -nameopt compat));
	($facts{dn})        = map { _compat_dn($_) } $out =~ /^subject=(.*)$/m;
	($facts{issuer_dn}) = map { _compat_dn($_) } $out =~ /^issuer=(.*)$/m;
	my ($hex) = $out =~ /^serial=([0-9A-Fa-f]+)$/m;
	$facts{serial} = Math::BigInt->from_hex($hex)->bstr;

	$out = _openssl($crt, qw(-startdate -enddate));
	($facts{not_before}) = map { _epoch($_) } $out =~ /^notBefore=(.*)$/m;
	($facts{not_after})  = map { _epoch($_) } $out =~ /^notAfter=(.*)$/m;

	$out = _openssl($crt, '-text');
	my ($algorithm) = $out =~ /Public Key Algorithm: (\S+)/;
	my %key_types = (
		rsaEncryption    => 'RSA',
		'id-ecPublicKey' => 'EC',
		ED25519          => 'ED25519',
		ED448            => 'ED448');
	$facts{key_type} = $key_types{$algorithm} // $algorithm;
	($facts{key_bits}) = $out =~ /Public-Key: \((\d+) bit\)/;
	($facts{signature_algorithm}) = $out =~ /Signature Algorithm: (\S+)/;

	$facts{fingerprint} = cert_fingerprint($name);
	return \%facts;
}

=pod

=item VIEW_ROW_SQL

A query returning one JSON object per row of C<pg_stat_ssl_ext>, keys the
column names; C<client_serial> as text, C<client_addr> as a bare address,
C<client_not_before>/C<client_not_after>/C<backend_start> as Unix epoch.
Append a C<WHERE> clause over the view's columns (alias C<v>) if needed.

=cut

use constant VIEW_ROW_SQL => q{
SELECT row_to_json(r) FROM (
  SELECT pid, ssl, version, cipher, bits, client_dn,
         client_serial::text AS client_serial, issuer_dn, usename, datname,
         application_name, host(client_addr) AS client_addr, backend_type,
         extract(epoch FROM backend_start)::bigint AS backend_start,
         client_cert_present,
         extract(epoch FROM client_not_before)::bigint AS client_not_before,
         extract(epoch FROM client_not_after)::bigint AS client_not_after,
         client_fingerprint, client_san, client_key_type, client_key_bits,
         client_signature_algorithm, tls_group, sni, truncated
  FROM pg_stat_ssl_ext v
};

=pod

=item view_rows($node, %psql_opts)

The rows of C<pg_stat_ssl_ext> as hash references (JSON decoded, strings as
characters), read with C<< $node->safe_psql('postgres', ...) >> and the
given options (e.g. C<< connstr => ... >>), optionally filtered by
C<< where => 'SQL condition' >>.  Dies on error.

=cut

sub view_rows
{
	my ($node, %opts) = @_;
	my $where = delete $opts{where};
	my $sql = VIEW_ROW_SQL . (defined $where ? " WHERE $where" : '') . ') r';
	my $out = $node->safe_psql('postgres', $sql, %opts);
	my $json = JSON::PP->new->utf8;
	return map { $json->decode($_) } grep { $_ ne '' } split /\n/, $out;
}

=pod

=back

=cut

1;
