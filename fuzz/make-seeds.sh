#!/usr/bin/env bash
#
# make-seeds.sh KIND CERTDIR OUTDIR
#
# Seed inputs for a fuzz target, generated from the certificate factory's
# output (CERTDIR, see test/certs/make-certs.sh), so no certificate is
# checked in.  A target names its KIND in a "fuzz-seeds:" line of its
# header comment (see fuzz/README.md):
#
#   certs-der   the DER encoding of every certificate in CERTDIR
#   names-der   for every certificate, its subject and issuer DN in DER,
#               each prefixed with a field name in fuzz_x509_name.c's
#               input layout (length byte, name)
#   none        nothing
#
# Seeds checked in as files under fuzz/seeds/TARGET/ are added by
# fuzz/Makefile, whatever the KIND.

set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 certs-der|names-der|none CERTDIR OUTDIR" >&2
	exit 2
fi
kind="$1" certdir="$2" out="$3"
mkdir -p "$out"

# The DER of a PEM certificate, without asking OpenSSL to parse it (the
# factory makes some it refuses)
pem_to_der()
{
	sed '/^-----/d' "$1" | openssl base64 -d >"$2"
}

# The byte range OFFSET LENGTH of FILE
bytes()
{
	dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none
}

# "OFFSET LENGTH" of the issuer and subject DNs of a DER certificate: the
# 3rd and 6th element of tbsCertificate (after the optional [0] version).
name_ranges()
{
	openssl asn1parse -inform DER -in "$1" |
		awk '/d=2 / && !/cont \[ 0 \]/ {
			split($1, o, ":");
			match($0, /hl= *[0-9]+/); hl = substr($0, RSTART + 3, RLENGTH - 3) + 0;
			match($0, / l= *[0-9]+/); l = substr($0, RSTART + 3, RLENGTH - 3) + 0;
			if (++n == 3 || n == 5) print o[1], hl + l
		}'
}

case "$kind" in
	none) ;;
	certs-der)
		for crt in "$certdir"/*.crt; do
			pem_to_der "$crt" "$out/$(basename "$crt" .crt).der"
		done
		;;
	names-der)
		fields=(CN O 2.5.4.3 emailAddress OU)
		i=0
		for crt in "$certdir"/*.crt; do
			der="$(mktemp)"
			pem_to_der "$crt" "$der"
			which=issuer
			while read -r off len; do
				field="${fields[$((i % ${#fields[@]}))]}"
				{
					printf "\\$(printf '%03o' "${#field}")%s" "$field"
					bytes "$der" "$off" "$len"
				} >"$out/$(basename "$crt" .crt)-$which.bin"
				which=subject
				i=$((i + 1))
			done < <(name_ranges "$der")
			rm -f "$der"
		done
		;;
	*)
		echo "make-seeds.sh: unknown seed kind $kind" >&2
		exit 2
		;;
esac
