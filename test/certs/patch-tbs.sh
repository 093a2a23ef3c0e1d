#!/usr/bin/env bash
#
# patch-tbs.sh CERT ISSUER_KEY FROM_HEX:TO_HEX [FROM_HEX:TO_HEX...]
#
# Replace bytes inside a certificate's signed part (tbsCertificate) and
# sign it again with the issuer's key, for certificates `openssl req`/`ca`
# will not produce: a NUL inside a CN, bytes that are not UTF-8 in a
# UTF8String, a negative serial number.  Each FROM must occur exactly once
# in tbsCertificate and have the length of its TO, so no DER length
# changes.  Only for certificates signed sha256WithRSAEncryption; the
# new signature is made by `openssl dgst -sha256 -sign` (PKCS#1 v1.5, what
# that algorithm is) and checked with `openssl verify` afterwards by the
# caller if it wants (OpenSSL may refuse to parse what was asked for).
# CERT (PEM) is rewritten in place.  Used by make-certs.sh (issue --patch).

set -euo pipefail

if [ $# -lt 3 ]; then
	echo "usage: $0 CERT ISSUER_KEY FROM_HEX:TO_HEX..." >&2
	exit 2
fi
cert="$1" key="$2"
shift 2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

openssl x509 -in "$cert" -outform DER -out "$work/cert.der"
if ! openssl x509 -in "$cert" -noout -text | grep -q 'Signature Algorithm: sha256WithRSAEncryption'; then
	echo "patch-tbs.sh: $cert is not signed sha256WithRSAEncryption" >&2
	exit 1
fi

# tbsCertificate: the first element (depth 1) of the certificate
read -r tbs_offset tbs_length < <(
	openssl asn1parse -inform DER -in "$work/cert.der" |
		awk '/d=1 / { split($1, o, ":");
			match($0, /hl= *[0-9]+/); hl = substr($0, RSTART + 3, RLENGTH - 3) + 0;
			match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3) + 0;
			print o[1], hl + l; exit }')

# patch tbsCertificate, write it alone for signing
perl -e '
	use strict;
	use warnings;
	my ($der_file, $tbs_file, $offset, $length, @patches) = @ARGV;
	open(my $in, "<:raw", $der_file) or die "$der_file: $!";
	local $/;
	my $der = <$in>;
	my $tbs = substr($der, $offset, $length);
	for my $patch (@patches)
	{
		my ($from, $to) = map { pack("H*", $_) } split(/:/, $patch, 2);
		die "patch $patch: FROM and TO differ in length\n" if length($from) != length($to);
		my $count = () = $tbs =~ /\Q$from\E/g;
		die "patch $patch: FROM occurs $count times in tbsCertificate, not once\n" if $count != 1;
		$tbs =~ s/\Q$from\E/$to/;
	}
	substr($der, $offset, $length) = $tbs;
	open(my $out, ">:raw", $tbs_file) or die "$tbs_file: $!";
	print $out $tbs;
	open($out, ">:raw", $der_file) or die "$der_file: $!";
	print $out $der;
' "$work/cert.der" "$work/tbs.der" "$tbs_offset" "$tbs_length" "$@"

openssl dgst -sha256 -sign "$key" -out "$work/signature" "$work/tbs.der"

# the signature is the content of the final BIT STRING (after its unused-
# bits byte); an RSA signature always has the modulus' length
perl -e '
	use strict;
	use warnings;
	my ($der_file, $sig_file) = @ARGV;
	local $/;
	open(my $in, "<:raw", $der_file) or die "$der_file: $!";
	my $der = <$in>;
	open($in, "<:raw", $sig_file) or die "$sig_file: $!";
	my $sig = <$in>;
	die "patch-tbs.sh: signature length differs\n"
	  if substr($der, -length($sig) - 1, 1) ne "\0";
	substr($der, -length($sig)) = $sig;
	open(my $out, ">:raw", $der_file) or die "$der_file: $!";
	print $out $der;
' "$work/cert.der" "$work/signature"

# PEM again, without asking OpenSSL to parse the result (it may refuse)
{
	echo "-----BEGIN CERTIFICATE-----"
	openssl base64 -in "$work/cert.der"
	echo "-----END CERTIFICATE-----"
} >"$cert"
