--
-- Sessions over real TLS: without a client certificate, and with each
-- client certificate of the test certificate factory (test/certs/).
-- expected/tls_functions_1.out: OpenSSL 1.1.1, which ends the text of
-- certificatePolicies with a newline and prints an otherName SAN as
-- "othername:<unsupported>" (3.0: its value), so the subjectAltName text
-- of the LATIN1 database holds no character LATIN1 lacks and is shown
-- instead of the conversion error.
--
\i sql/connections.psql

CREATE ROLE sslinfo_nocert LOGIN;

-- Everything the extension says about the calling session, one row per
-- item, in a form that does not change from run to run.  fp is the
-- certificate's SHA-256 fingerprint as the factory computed it.
CREATE FUNCTION tls_report(fp text DEFAULT NULL)
RETURNS TABLE (item text, value text)
LANGUAGE sql AS $$
  WITH s AS (SELECT * FROM pg_stat_ssl WHERE pid = pg_backend_pid())
  VALUES
    ('ssl_is_used', ssl_is_used()::text),
    ('ssl_version', ssl_version()),
    ('ssl_cipher', ssl_cipher()),
    ('ssl_cipher_bits', ssl_cipher_bits()::text),
    ('agrees with pg_stat_ssl',
     ((SELECT version = ssl_version() AND cipher = ssl_cipher()
              AND bits = ssl_cipher_bits()
              AND client_serial IS NOT DISTINCT FROM ssl_client_serial()
              AND (client_dn IS NOT DISTINCT FROM ssl_client_dn()
                   OR octet_length(ssl_client_dn()) > 63)
         FROM s))::text),
    ('ssl_client_cert_present', ssl_client_cert_present()::text),
    ('ssl_client_serial', ssl_client_serial()::text),
    ('ssl_client_dn', ssl_client_dn()),
    ('ssl_issuer_dn', ssl_issuer_dn()),
    ('ssl_client_dn_field(CN)', ssl_client_dn_field('CN')),
    ('  same by long name and OID',
     (ssl_client_dn_field('commonName') IS NOT DISTINCT FROM ssl_client_dn_field('CN')
      AND ssl_client_dn_field('2.5.4.3') IS NOT DISTINCT FROM ssl_client_dn_field('CN'))::text),
    ('ssl_client_dn_field(O)', ssl_client_dn_field('O')),
    ('ssl_client_dn_field(OU)', ssl_client_dn_field('organizationalUnitName')),
    ('ssl_client_dn_field(emailAddress)', ssl_client_dn_field('emailAddress')),
    ('ssl_issuer_field(CN)', ssl_issuer_field('CN')),
    ('ssl_issuer_field(O)', ssl_issuer_field('organizationName')),
    ('validity period', (ssl_client_not_after() - ssl_client_not_before())::text),
    ('valid now',
     (ssl_client_not_before() <= now() AND now() < ssl_client_not_after())::text),
    ('expires within 3 days', (ssl_client_not_after() < now() + interval '3 days')::text),
    ('fingerprint matches', (ssl_client_fingerprint() = fp)::text),
    ('ssl_client_san', ssl_client_san()::text)
$$;

-- TLS without a client certificate
\connect :nocert
SELECT * FROM tls_report();
SELECT * FROM ssl_extension_info();
SELECT ssl_client_dn_field('CN'), ssl_client_dn_field('no such field');

-- A plain client certificate
\connect :c_plain
\set fp `cat build/certs/client_plain.sha256`
SELECT * FROM tls_report(:'fp');
SELECT * FROM ssl_extension_info() ORDER BY name;

-- Unknown field names are an error (SQLSTATE 22023), as in contrib
SELECT ssl_client_dn_field('no such field');
SELECT ssl_issuer_field('');
\set VERBOSITY sqlstate
SELECT ssl_client_dn_field('no such field');
\set VERBOSITY default
-- a known attribute that is not in the DN is NULL
SELECT ssl_client_dn_field('L') IS NULL AS absent_is_null;
-- answers are remembered per name; asking twice gives the same answer
SELECT ssl_client_dn_field('CN') = ssl_client_dn_field('CN') AS stable,
       ssl_issuer_field('CN') <> ssl_client_dn_field('CN') AS issuer_differs;
-- one statement calling every function many times
SELECT count(DISTINCT ssl_client_dn()) AS dns, count(DISTINCT ssl_client_serial()) AS serials,
       count(DISTINCT ssl_client_san()) AS sans
FROM generate_series(1, 1000);

-- A subject DN of more than 200 bytes comes back whole
\connect :c_longdn
\set fp `cat build/certs/client_longdn.sha256`
SELECT * FROM tls_report(:'fp');
SELECT octet_length(ssl_client_dn()) AS dn_bytes,
       octet_length(client_dn) AS pg_stat_ssl_dn_bytes,
       starts_with(ssl_client_dn(), client_dn) AS pg_stat_ssl_has_a_prefix
FROM pg_stat_ssl WHERE pid = pg_backend_pid();
SELECT ssl_client_dn_field('OU') AS first_ou;

-- UTF-8 values (the database is UTF8)
\connect :c_utf8
\set fp `cat build/certs/client_utf8.sha256`
SELECT * FROM tls_report(:'fp');
SELECT ssl_client_dn_field('L') AS locality, length(ssl_client_dn_field('L')) AS chars;

-- A multi-valued RDN (OU+CN): each value is its own entry, in order
\connect :c_multirdn
\set fp `cat build/certs/client_multirdn.sha256`
SELECT * FROM tls_report(:'fp');

-- Subject alternative names and more extensions
\connect :c_san
\set fp `cat build/certs/client_san.sha256`
SELECT * FROM tls_report(:'fp');
SELECT * FROM ssl_extension_info() ORDER BY name;
SELECT san, ordinality FROM unnest(ssl_client_san()) WITH ORDINALITY AS san;

-- A certificate that expires within 3 days
\connect :c_expiring
\set fp `cat build/certs/client_expiring.sha256`
SELECT * FROM tls_report(:'fp');

-- An EC P-256 key
\connect :c_ec
\set fp `cat build/certs/client_ec.sha256`
SELECT * FROM tls_report(:'fp');

-- A 20-octet serial number (49 decimal digits)
\connect :c_bigserial
\set fp `cat build/certs/client_bigserial.sha256`
SELECT * FROM tls_report(:'fp');
SELECT ssl_client_serial() = 2::numeric ^ 159 - 1 AS serial_is_2_pow_159_minus_1;

-- Values are converted to the database encoding.  In a LATIN1 database a
-- Latin-1 DN comes back right; a value LATIN1 cannot hold (here a SAN with
-- Japanese characters) is an error naming the character, never a wrong
-- answer.  (A certificate whose *DN* LATIN1 cannot hold never gets this far:
-- PostgreSQL itself refuses the connection while filling pg_stat_ssl.)
\connect :c_plain
CREATE DATABASE sslinfo_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\set c_encoding_latin1 :c_encoding ' dbname=sslinfo_latin1 client_encoding=UTF8'
\connect :c_encoding_latin1
CREATE EXTENSION sslinfo_ext;
SHOW server_encoding;
SELECT ssl_client_dn() AS dn, ssl_client_dn_field('O') AS o,
       convert_to(ssl_client_dn_field('CN'), 'LATIN1') AS cn_in_latin1;
SELECT ssl_client_san();
SELECT value FROM ssl_extension_info() WHERE name = 'subjectAltName';
-- asked again: the same error, nothing half-made was kept
SELECT count(*) FROM ssl_extension_info();
SELECT ssl_client_san();
\connect :c_plain
DROP DATABASE sslinfo_latin1;
-- the same certificate in the UTF8 database
\connect :c_encoding
SELECT ssl_client_dn() AS dn, san FROM unnest(ssl_client_san()) AS san;
\connect :c_plain
DROP FUNCTION tls_report(text);
DROP ROLE sslinfo_nocert;
