#!/usr/bin/env bash
#
# make-certs.sh OUTDIR
#
# Certificate factory for the sslinfo_ext tests.  Generates, with the openssl
# command line tool only, a root CA, a server certificate for localhost and
# the client certificates the tests use, plus a CRL, into OUTDIR.  Nothing
# that can expire is checked in: this runs at test time.
#
# Every certificate is issued by `openssl ca` from a configuration written
# into OUTDIR/work, so any serial number and any notBefore/notAfter can be
# set.  Subjects and serials are fixed, so expected test output is stable.
#
# For each certificate NAME the factory writes
#   NAME.crt     the certificate (PEM)
#   NAME.key     its private key (PEM, PKCS#8, mode 0600)
#   NAME.sha256  SHA-256 of the DER certificate, lowercase hex, no colons,
#                no newline (psql: \set fp `cat build/certs/NAME.sha256`)
# and root.crl, the root CA's CRL (PEM).
#
# Adding a certificate is one `issue` line in the list at the bottom; see
# test/README.md.  Never create a file named none.crt / none.key here: the
# harness uses those paths to mean "no client certificate".
#
# Idempotent: when OUTDIR/.complete exists, holds the SHA-256 of this script
# (a copy of the tree may carry an older script with a newer time) and is
# less than 12 hours old (so the "expiring in 2 days" certificate is still
# what it claims to be), nothing is done.  Otherwise everything is
# regenerated into a fresh directory that then replaces OUTDIR.

set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

script="$(readlink -f "${BASH_SOURCE[0]}")"
final_dir="$(readlink -m "$1")"

script_sum="$(sha256sum "$script" | cut -d' ' -f1)"
if [ -f "$final_dir/.complete" ] && [ "$(cat "$final_dir/.complete")" = "$script_sum" ] &&
	[ -z "$(find "$final_dir/.complete" -mmin +720)" ]; then
	exit 0
fi

# Refuse to replace a directory this factory did not make.
if [ -d "$final_dir" ] && [ -n "$(ls -A "$final_dir")" ] &&
	[ ! -d "$final_dir/work" ]; then
	echo "make-certs.sh: $final_dir exists and was not made by this script; not touching it" >&2
	exit 1
fi

mkdir -p "$(dirname "$final_dir")"
OUT="$(mktemp -d "$final_dir.new.XXXXXX")"
trap 'rm -rf "$OUT"' EXIT
umask 077
mkdir -p "$OUT/work"

# openssl ca takes dates as [CC]YYMMDDHHMMSSZ.
asn1_date()
{
	date -u -d "$1" +%Y%m%d%H%M%SZ
}

new_key()
{
	local keytype="$1" keyfile="$2"

	case "$keytype" in
		rsa) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keyfile" ;;
		ec) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keyfile" ;;
		*) echo "make-certs.sh: unknown key type $keytype" >&2; exit 1 ;;
	esac
	chmod 0600 "$keyfile"
}

# Each issuing CA has its own openssl ca database under work/db-ISSUER.
ca_database()
{
	local issuer="$1" db="$OUT/work/db-$1"

	if [ ! -d "$db" ]; then
		mkdir -p "$db/newcerts"
		: >"$db/index.txt"
		echo "unique_subject = no" >"$db/index.txt.attr"
		echo 1000 >"$db/crlnumber"
	fi
	echo "$db"
}

# Write the openssl configuration for one certificate: request (subject
# encoding), CA database of the issuer, and the extension section.
write_config()
{
	local cnf="$1" db="$2" issuer="$3" string_mask="$4" profile="$5"
	shift 5
	# remaining arguments: extra extension lines

	{
		cat <<-EOF
		[ req ]
		distinguished_name = req_dn
		string_mask = $string_mask
		utf8 = yes
		prompt = no

		[ req_dn ]
		# unused: the subject comes from -subj

		[ ca ]
		default_ca = this_ca

		[ this_ca ]
		dir = $db
		database = $db/index.txt
		new_certs_dir = $db/newcerts
		serial = $db/serial
		crlnumber = $db/crlnumber
		certificate = $OUT/$issuer.crt
		private_key = $OUT/$issuer.key
		default_md = sha256
		default_crl_days = 30
		policy = policy_any
		unique_subject = no
		copy_extensions = none
		email_in_dn = yes
		string_mask = $string_mask
		utf8 = yes

		[ policy_any ]
		# every attribute optional; -preserveDN keeps the request's order

		[ cert_ext ]
		EOF
		case "$profile" in
			ca)
				echo "basicConstraints = critical, CA:TRUE"
				echo "keyUsage = critical, keyCertSign, cRLSign"
				echo "subjectKeyIdentifier = hash"
				;;
			server)
				echo "basicConstraints = CA:FALSE"
				echo "subjectKeyIdentifier = none"
				echo "authorityKeyIdentifier = none"
				echo "keyUsage = digitalSignature, keyEncipherment"
				echo "extendedKeyUsage = serverAuth"
				;;
			client)
				echo "basicConstraints = CA:FALSE"
				echo "subjectKeyIdentifier = none"
				echo "authorityKeyIdentifier = none"
				echo "keyUsage = digitalSignature, keyEncipherment"
				echo "extendedKeyUsage = clientAuth"
				;;
			*) echo "make-certs.sh: unknown profile $profile" >&2; exit 1 ;;
		esac
		local line
		for line in "$@"; do
			echo "$line"
		done
	} >"$cnf"
}

# issue NAME PROFILE ISSUER SERIAL_HEX SUBJECT [options]
#
#   PROFILE     ca | server | client  (base extensions, see write_config)
#   ISSUER      name of an already issued CA certificate, or "self"
#   SERIAL_HEX  serial number in hex (any length up to 20 octets)
#   SUBJECT     /T=value/... as for openssl req -subj; "+" joins a
#               multi-valued RDN
# options:
#   --key rsa|ec          key type (default rsa: RSA 2048; ec: P-256)
#   --days N              validity from now (default 365)
#   --not-before WHEN     notBefore, any `date -d` expression ("-1 day")
#   --not-after WHEN      notAfter, any `date -d` expression ("+2 days")
#   --ext 'LINE'          extra x509v3 extension line (repeatable, in order)
#   --string-mask MASK    string_mask for the subject (default utf8only)
#   --patch FROM:TO       replace hex bytes FROM by TO (same length) in the
#                         signed part and sign again (repeatable; see
#                         patch-tbs.sh): what openssl req/ca cannot make
issue()
{
	local name="$1" profile="$2" issuer="$3" serial="$4" subject="$5"
	shift 5
	local keytype=rsa days=365 not_before="" not_after="" string_mask=utf8only
	local -a ext=() patches=()

	while [ $# -gt 0 ]; do
		case "$1" in
			--key) keytype="$2"; shift 2 ;;
			--days) days="$2"; shift 2 ;;
			--not-before) not_before="$2"; shift 2 ;;
			--not-after) not_after="$2"; shift 2 ;;
			--ext) ext+=("$2"); shift 2 ;;
			--string-mask) string_mask="$2"; shift 2 ;;
			--patch) patches+=("$2"); shift 2 ;;
			*) echo "make-certs.sh: issue $name: unknown option $1" >&2; exit 1 ;;
		esac
	done

	local signer="$issuer" db cnf="$OUT/work/$name.cnf"
	if [ "$issuer" = self ]; then signer="$name"; fi
	db="$(ca_database "$signer")"
	write_config "$cnf" "$db" "$signer" "$string_mask" "$profile" "${ext[@]}"

	new_key "$keytype" "$OUT/$name.key"
	openssl req -new -config "$cnf" -utf8 -subj "$subject" \
		-key "$OUT/$name.key" -out "$OUT/work/$name.csr"

	# openssl wants an even number of hex digits in the serial file
	if [ $(( ${#serial} % 2 )) -eq 1 ]; then serial="0$serial"; fi
	echo "$serial" >"$db/serial"

	local -a dates=(-days "$days")
	if [ -n "$not_before" ]; then dates+=(-startdate "$(asn1_date "$not_before")"); fi
	if [ -n "$not_after" ]; then dates+=(-enddate "$(asn1_date "$not_after")"); fi

	local -a selfsign=()
	if [ "$issuer" = self ]; then selfsign=(-selfsign); fi

	openssl ca -batch -notext -utf8 -preserveDN -config "$cnf" \
		"${selfsign[@]}" -extensions cert_ext "${dates[@]}" \
		-in "$OUT/work/$name.csr" -out "$OUT/$name.crt" 2>"$OUT/work/$name.log" ||
		{ cat "$OUT/work/$name.log" >&2; exit 1; }
	if [ ${#patches[@]} -gt 0 ]; then
		bash "$(dirname "$script")/patch-tbs.sh" "$OUT/$name.crt" "$OUT/$signer.key" "${patches[@]}"
	fi

	# DER from the PEM text: OpenSSL may refuse to parse a patched certificate
	sed '/^-----/d' "$OUT/$name.crt" | openssl base64 -d |
		sha256sum | cut -d' ' -f1 | tr -d '\n' >"$OUT/$name.sha256"
	chmod 0644 "$OUT/$name.crt" "$OUT/$name.sha256"
}

# revoke NAME: mark NAME as revoked in its issuer's database (then run crl)
revoke()
{
	local name="$1"
	openssl ca -batch -config "$OUT/work/$name.cnf" -revoke "$OUT/$name.crt" \
		-crl_reason keyCompromise 2>>"$OUT/work/$name.log" ||
		{ cat "$OUT/work/$name.log" >&2; exit 1; }
}

# crl ISSUER OUTFILE [DAYS]: write ISSUER's CRL (PEM), nextUpdate DAYS ahead
crl()
{
	local issuer="$1" outfile="$2" days="${3:-30}"
	openssl ca -batch -config "$OUT/work/$issuer.cnf" -gencrl -crldays "$days" \
		-out "$OUT/$outfile" 2>>"$OUT/work/$issuer.log" ||
		{ cat "$OUT/work/$issuer.log" >&2; exit 1; }
	chmod 0644 "$OUT/$outfile"
}

# crl_dated ISSUER OUTFILE LAST NEXT: ISSUER's CRL with the given lastUpdate
# and nextUpdate (`date -d` expressions; a NEXT in the past makes it stale)
crl_dated()
{
	local issuer="$1" outfile="$2" last="$3" next="$4"
	openssl ca -batch -config "$OUT/work/$issuer.cnf" -gencrl \
		-crl_lastupdate "$(asn1_date "$last")" -crl_nextupdate "$(asn1_date "$next")" \
		-out "$OUT/$outfile" 2>>"$OUT/work/$issuer.log" ||
		{ cat "$OUT/work/$issuer.log" >&2; exit 1; }
	chmod 0644 "$OUT/$outfile"
}

# bundle OUTFILE NAME...: the certificates NAME.crt concatenated, in order
# (a server certificate file holding the leaf and then its chain)
bundle()
{
	local outfile="$1"
	shift
	local name
	for name in "$@"; do
		cat "$OUT/$name.crt"
	done >"$OUT/$outfile"
	chmod 0644 "$OUT/$outfile"
}

# encrypted_key NAME OUTFILE PASSPHRASE: NAME.key protected by a passphrase
encrypted_key()
{
	openssl pkey -in "$OUT/$1.key" -aes256 -passout "pass:$3" -out "$OUT/$2"
	chmod 0600 "$OUT/$2"
}

# ---------------------------------------------------------------------------
# The certificates.  One line each; tests rely on these names, subjects and
# serials, so change an existing line only together with the expected output.
# ---------------------------------------------------------------------------

issue ca               ca     self 01   "/O=sslinfo_ext test/CN=sslinfo_ext Test Root CA" --days 3650
issue server           server ca   02   "/O=sslinfo_ext test/CN=localhost" \
	--ext "subjectAltName = DNS:localhost, IP:127.0.0.1"

issue client_plain     client ca   1000 "/O=sslinfo_ext test/OU=Clients/CN=alice"
issue client_longdn    client ca   1001 "/C=DE/ST=Nordrhein-Westfalen/L=Castrop-Rauxel/O=sslinfo_ext test organisation with a deliberately long name/OU=Department of Rather Long Organisational Unit Names/OU=Subdivision for Testing Distinguished Name Truncation/CN=long.distinguished.name.client.example.com"
issue client_utf8      client ca   1002 "/C=DE/O=Müller GmbH/L=東京/CN=Jürgen Müller"
issue client_multirdn  client ca   1003 "/O=sslinfo_ext test/OU=Clients+CN=bob"
issue client_san       client ca   1004 "/O=sslinfo_ext test/CN=carol" \
	--ext "subjectAltName = DNS:carol.example.com, DNS:*.carol.example.net, IP:192.0.2.10, IP:2001:db8::10, email:carol@example.com, URI:https://carol.example.com/id" \
	--ext 'nsComment = "sslinfo_ext test certificate"' \
	--ext "certificatePolicies = 1.2.3.4"
issue client_expiring  client ca   1005 "/O=sslinfo_ext test/CN=dave-expiring" --not-before "-1 day" --not-after "+2 days"
issue client_expired   client ca   1006 "/O=sslinfo_ext test/CN=erin-expired" --not-before "-30 days" --not-after "-1 day"
issue client_revoked   client ca   1007 "/O=sslinfo_ext test/CN=frank-revoked"
issue client_ec        client ca   1008 "/O=sslinfo_ext test/CN=grace-ec" --key ec
issue client_bigserial client ca   7fffffffffffffffffffffffffffffffffffffff "/O=sslinfo_ext test/CN=heidi-bigserial"
issue client_encoding  client ca   1009 "/C=DE/O=Bäckerei Müller/CN=Jürgen Müller" \
	--ext "subjectAltName = @encoding_san" --ext "[ encoding_san ]" \
	--ext "DNS.1 = baeckerei.example.com" \
	--ext "otherName.1 = 1.3.6.1.4.1.311.20.2.3;FORMAT:UTF8,UTF8:jürgen@東京.example"
# 65-byte subject whose 63rd and 64th bytes fall inside a 3-byte character
issue client_utf8_cut  client ca   100A "/O=sslinfo_ext test/CN=東京東京東京東京東京東京東京"

# Odd certificates (hostile input over real TLS: sql/odd_certificates.sql,
# t/070_odd_certificates.pl).  Patched ones are re-signed by patch-tbs.sh.
issue client_hugedn    client ca   2001 "/O=sslinfo_ext test$(printf '/OU=Organisational unit %03d of a very long distinguished name' $(seq 1 70))/CN=huge-dn"
issue client_manysan   client ca   2002 "/O=sslinfo_ext test/CN=many-sans" --ext "subjectAltName = $(seq -s ', ' -f 'DNS:host%03g.example.com' 1 300)"
issue client_t61       client ca   2003 "/O=sslinfo_ext test/CN=T61 Jürgen Müller" --string-mask MASK:0x4
# BMPString and UniversalString values in O (PostgreSQL refuses a CN of
# either type: its CN check finds the zero bytes of UTF-16/UCS-4, see
# client_bmpcn).  No string mask yields them for O, so the O is patched:
# 18 ASCII bytes become 9 UTF-16 characters "Müller 東京" (tag 0x1e), 20
# bytes become 5 UCS-4 characters "Un東京😀" (tag 0x1c).
issue client_bmp       client ca   2004 "/O=PPPPPPPPPPPPPPPPPP/CN=bmp-o" --patch 0c12505050505050505050505050505050505050:1e12004d00fc006c006c00650072002067714eac
issue client_universal client ca   2005 "/O=UUUUVVVVWWWWXXXXYYYY/CN=universal-o" --patch 0c145555555556565656575757575858585859595959:1c14000000550000006e0000677100004eac0001f600
issue client_bmpcn     client ca   2006 "/O=sslinfo_ext test/CN=BMP Müller 東京" --string-mask MASK:0x800
# refused by PostgreSQL ("common name contains embedded null")
issue client_nulcn     client ca   2007 "/O=sslinfo_ext test/CN=nul-Z-cn" --patch 0c086e756c2d5a2d636e:0c086e756c2d002d636e
# bytes that are not UTF-8 in a UTF8String (otherName) and an IA5String
issue client_badutf8   client ca   2008 "/O=sslinfo_ext test/CN=bad-utf8" --ext 'nsComment = "bad-QQ-ia5"' --ext "subjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:bad-ZZ-utf8" --patch 6261642d51512d696135:6261642dff512d696135 --patch 6261642d5a5a2d75746638:6261642dfffe2d75746638
# ... and in the subject: OpenSSL refuses to parse it, client and server
issue client_badutf8dn client ca   2009 "/O=sslinfo_ext test/CN=bad-ZZ-dn" --patch 0c096261642d5a5a2d646e:0c096261642dfffe2d646e
# serial -231429171 (0xf234abcd as a negative two's complement INTEGER)
issue client_negserial client ca   1234abcd "/O=sslinfo_ext test/CN=negative-serial" --patch 02041234abcd:0204f234abcd
# expiring soon, its CN full of what must not reach a log line raw: ESC
# (a terminal escape), U+202E RIGHT-TO-LEFT OVERRIDE, U+0085 (C1 NEL), DEL,
# U+2066 LEFT-TO-RIGHT ISOLATE, U+FEFF, U+2028 LINE SEPARATOR
issue client_logtrick  client ca   100B "/O=sslinfo_ext test/CN=log$(printf '\033[31m\342\200\256evil\302\205nel\177del\342\201\246iso\357\273\277bom\342\200\250ls')" --not-before "-1 day" --not-after "+2 days"

revoke client_revoked
crl ca root.crl 30

# Certificate lifecycle tests (t/*cert*, t/*audit*), in files of their own:
# a chain through an intermediate CA (server_chained-chain.crt holds leaf
# then intermediate), server certificates expiring in 2 days and expired a
# day ago, a stale CRL of the root CA and a passphrase-protected copy of
# server.key.
issue intermediate     ca     ca           03 "/O=sslinfo_ext test/CN=sslinfo_ext Test Intermediate CA" --days 1825
issue server_chained   server intermediate 04 "/O=sslinfo_ext test/CN=localhost" --ext "subjectAltName = DNS:localhost, IP:127.0.0.1"
issue server_expiring  server ca           05 "/O=sslinfo_ext test/CN=localhost" --not-before "-1 day" --not-after "+2 days" --ext "subjectAltName = DNS:localhost, IP:127.0.0.1"
issue server_expired   server ca           06 "/O=sslinfo_ext test/CN=localhost" --not-before "-30 days" --not-after "-1 day" --ext "subjectAltName = DNS:localhost, IP:127.0.0.1"
bundle server_chained-chain.crt server_chained intermediate

# Refused clients (t/065): a root CA the servers do not trust and a client
# certificate it issued, and a client certificate not valid before tomorrow.
issue foreign_ca       ca     self         07 "/O=sslinfo_ext foreign/CN=sslinfo_ext Foreign Root CA" --days 3650
issue client_foreign   client foreign_ca   3001 "/O=sslinfo_ext foreign/CN=mallory"
issue client_future    client ca           3002 "/O=sslinfo_ext test/CN=ivan-future" --not-before "+1 day" --not-after "+30 days"
crl_dated ca root-stale.crl "-40 days" "-10 days"
encrypted_key server server-encrypted.key "sslinfo_ext test passphrase"

# ---------------------------------------------------------------------------

echo "$script_sum" >"$OUT/.complete"
trap - EXIT
rm -rf "$final_dir"
mv "$OUT" "$final_dir"
chmod 0755 "$final_dir"
