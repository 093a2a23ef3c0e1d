--
-- Every own-session function over real TLS with the odd certificates of the
-- factory (test/certs/make-certs.sh): a DN of several KB, 300 SANs, values
-- as T61String, BMPString and UniversalString, bytes that are not UTF-8 in
-- an otherName UTF8String and in an IA5String, a negative serial and a
-- 20-octet one.  Certificates the server refuses (a NUL in the CN, a CN in
-- BMPString, bytes that are not UTF-8 in the subject) are tested in
-- t/070_odd_certificates.pl.
-- expected/odd_certificates_1.out: OpenSSL 3.5 and later, which print an
-- otherName SAN as "othername: UPN:value" (3.0: "UPN::value");
-- expected/odd_certificates_2.out: OpenSSL 1.1.1, "othername:<unsupported>".
--
\i sql/connections.psql
\set c_hugedn :tls ' sslcert=build/certs/client_hugedn.crt sslkey=build/certs/client_hugedn.key'
\set c_manysan :tls ' sslcert=build/certs/client_manysan.crt sslkey=build/certs/client_manysan.key'
\set c_t61 :tls ' sslcert=build/certs/client_t61.crt sslkey=build/certs/client_t61.key'
\set c_bmp :tls ' sslcert=build/certs/client_bmp.crt sslkey=build/certs/client_bmp.key'
\set c_universal :tls ' sslcert=build/certs/client_universal.crt sslkey=build/certs/client_universal.key'
\set c_badutf8 :tls ' sslcert=build/certs/client_badutf8.crt sslkey=build/certs/client_badutf8.key'
\set c_negserial :tls ' sslcert=build/certs/client_negserial.crt sslkey=build/certs/client_negserial.key'

-- What every function says about the session, shortened where a value is
-- long (length plus both ends) so the output stays readable and stable.
CREATE FUNCTION odd_report(fp text)
RETURNS TABLE (item text, value text)
LANGUAGE sql AS $$
  WITH v AS (SELECT ssl_client_dn() AS dn, ssl_client_san() AS san)
  SELECT * FROM (VALUES
    ('ssl_is_used', ssl_is_used()::text),
    ('TLS version, cipher, bits known',
     (ssl_version() IS NOT NULL AND ssl_cipher() IS NOT NULL
      AND ssl_cipher_bits() > 0)::text),
    ('ssl_client_cert_present', ssl_client_cert_present()::text),
    ('ssl_client_serial', ssl_client_serial()::text),
    ('serial agrees with pg_stat_ssl',
     (SELECT client_serial = ssl_client_serial()
        FROM pg_stat_ssl WHERE pid = pg_backend_pid())::text),
    ('ssl_client_dn bytes', (SELECT octet_length(dn)::text FROM v)),
    ('ssl_client_dn',
     (SELECT CASE WHEN octet_length(dn) <= 100 THEN dn
                  ELSE left(dn, 60) || ' ... ' || right(dn, 30) END FROM v)),
    ('ssl_issuer_dn', ssl_issuer_dn()),
    ('ssl_client_dn_field(CN)', ssl_client_dn_field('CN')),
    ('ssl_client_dn_field(O)', ssl_client_dn_field('O')),
    ('ssl_client_dn_field(OU)', ssl_client_dn_field('OU')),
    ('  same by dotted OID',
     (ssl_client_dn_field('2.5.4.11') IS NOT DISTINCT FROM ssl_client_dn_field('OU')
      AND ssl_client_dn_field('2.5.4.10') IS NOT DISTINCT FROM ssl_client_dn_field('O'))::text),
    ('ssl_issuer_field(CN)', ssl_issuer_field('CN')),
    ('validity period', (ssl_client_not_after() - ssl_client_not_before())::text),
    ('fingerprint matches', (ssl_client_fingerprint() = fp)::text),
    ('ssl_client_san entries', (SELECT coalesce(cardinality(san), 0)::text FROM v)),
    ('ssl_client_san first', (SELECT san[1] FROM v)),
    ('ssl_client_san last', (SELECT san[cardinality(san)] FROM v)),
    ('extensions', (SELECT string_agg(name || CASE WHEN critical THEN '!' ELSE '' END
                                      || '(' || octet_length(value) || ')', ' '
                                      ORDER BY name)
                      FROM ssl_extension_info()))
  ) AS r(item, value)
$$;

-- Extension values, shortened the same way
CREATE FUNCTION odd_extensions()
RETURNS TABLE (name text, critical boolean, value text)
LANGUAGE sql AS $$
  SELECT name, critical,
         CASE WHEN octet_length(value) <= 100 THEN value
              ELSE left(value, 60) || ' ... ' || right(value, 30) END
    FROM ssl_extension_info()
   ORDER BY name
$$;

-- A subject DN of 72 entries, over 4 KB: returned whole
\connect :c_hugedn
\set fp `cat build/certs/client_hugedn.sha256`
SELECT * FROM odd_report(:'fp');
SELECT count(*) AS ou_entries FROM regexp_matches(ssl_client_dn(), '/OU=', 'g');
SELECT ssl_client_dn() = (SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid())
       AS same_as_pg_stat_ssl;  -- false: pg_stat_ssl cuts at 63 bytes
SELECT octet_length(client_dn) FROM pg_stat_ssl WHERE pid = pg_backend_pid();

-- 300 subjectAltName entries, all returned in certificate order
\connect :c_manysan
\set fp `cat build/certs/client_manysan.sha256`
SELECT * FROM odd_report(:'fp');
SELECT bool_and(san = format('DNS:host%s.example.com', lpad(n::text, 3, '0')))
       AS in_certificate_order
  FROM unnest(ssl_client_san()) WITH ORDINALITY AS s(san, n);
SELECT * FROM odd_extensions();

-- T61String values: OpenSSL reads them as Latin-1
\connect :c_t61
\set fp `cat build/certs/client_t61.sha256`
SELECT * FROM odd_report(:'fp');

-- An O in BMPString (UTF-16)
\connect :c_bmp
\set fp `cat build/certs/client_bmp.sha256`
SELECT * FROM odd_report(:'fp');

-- An O in UniversalString (UCS-4), with a character outside the BMP
\connect :c_universal
\set fp `cat build/certs/client_universal.sha256`
SELECT * FROM odd_report(:'fp');
SELECT ssl_client_dn_field('O') = 'Un東京😀' AS o_is_right;

-- Bytes that are not UTF-8: in an otherName UTF8String and in nsComment's
-- IA5String.  They come back escaped as \XX, never as an encoding error
-- (before the fix in x509_render.c both functions failed with "invalid
-- byte sequence for encoding UTF8").
\connect :c_badutf8
\set fp `cat build/certs/client_badutf8.sha256`
SELECT * FROM odd_report(:'fp');
SELECT * FROM odd_extensions();

-- Serial numbers: negative, and 20 octets
\connect :c_negserial
\set fp `cat build/certs/client_negserial.sha256`
SELECT * FROM odd_report(:'fp');
\connect :c_bigserial
SELECT ssl_client_serial(),
       ssl_client_serial() = (SELECT client_serial FROM pg_stat_ssl WHERE pid = pg_backend_pid())
       AS agrees_with_pg_stat_ssl;

\connect :c_plain
DROP FUNCTION odd_report(text);
DROP FUNCTION odd_extensions();
