--
-- sslinfo_ext against contrib sslinfo itself, on the same connections: all
-- ten functions give identical answers, except that our DN functions return
-- the whole DN where contrib's stop at 63 bytes.
--
\i sql/connections.psql

CREATE ROLE sslinfo_nocert LOGIN;
CREATE SCHEMA contrib;
CREATE EXTENSION sslinfo SCHEMA contrib;
GRANT USAGE ON SCHEMA contrib TO PUBLIC;

CREATE FUNCTION compare_with_contrib()
RETURNS TABLE (function text, identical boolean)
LANGUAGE sql AS $$
  VALUES
    ('ssl_is_used', public.ssl_is_used() IS NOT DISTINCT FROM contrib.ssl_is_used()),
    ('ssl_version', public.ssl_version() IS NOT DISTINCT FROM contrib.ssl_version()),
    ('ssl_cipher', public.ssl_cipher() IS NOT DISTINCT FROM contrib.ssl_cipher()),
    ('ssl_client_cert_present',
     public.ssl_client_cert_present() IS NOT DISTINCT FROM contrib.ssl_client_cert_present()),
    ('ssl_client_serial',
     public.ssl_client_serial() IS NOT DISTINCT FROM contrib.ssl_client_serial()),
    ('ssl_client_dn', public.ssl_client_dn() IS NOT DISTINCT FROM contrib.ssl_client_dn()),
    ('ssl_issuer_dn', public.ssl_issuer_dn() IS NOT DISTINCT FROM contrib.ssl_issuer_dn()),
    ('ssl_client_dn_field',
     (SELECT bool_and(public.ssl_client_dn_field(f) IS NOT DISTINCT FROM contrib.ssl_client_dn_field(f))
      FROM unnest(ARRAY['CN', 'commonName', '2.5.4.3', 'O', 'OU', 'L', 'ST', 'C',
                        'emailAddress', 'serialNumber']) AS f)),
    ('ssl_issuer_field',
     (SELECT bool_and(public.ssl_issuer_field(f) IS NOT DISTINCT FROM contrib.ssl_issuer_field(f))
      FROM unnest(ARRAY['CN', 'organizationName', 'OU', 'C']) AS f)),
    ('ssl_extension_info',
     (SELECT array_agg(ROW(e.name, e.value, e.critical)::text ORDER BY e.name)
      FROM public.ssl_extension_info() e)
     IS NOT DISTINCT FROM
     (SELECT array_agg(ROW(e.name, e.value, e.critical)::text ORDER BY e.name)
      FROM contrib.ssl_extension_info() e))
$$;

CREATE VIEW comparison AS
SELECT count(*) AS functions,
       count(*) FILTER (WHERE identical) AS identical,
       string_agg(function, ', ') FILTER (WHERE NOT identical) AS differing
FROM compare_with_contrib();
GRANT SELECT ON comparison TO PUBLIC;

-- Unix socket, no TLS
SELECT * FROM comparison;
-- TLS without a client certificate
\connect :nocert
SELECT * FROM comparison;
\connect :c_plain
SELECT * FROM comparison;
\connect :c_utf8
SELECT * FROM comparison;
\connect :c_multirdn
SELECT * FROM comparison;
\connect :c_san
SELECT * FROM comparison;
\connect :c_expiring
SELECT * FROM comparison;
\connect :c_ec
SELECT * FROM comparison;
\connect :c_bigserial
SELECT * FROM comparison;

-- The long DN: contrib returns its first 63 bytes, sslinfo_ext all of it
\connect :c_longdn
SELECT * FROM comparison;
SELECT octet_length(public.ssl_client_dn()) AS ours_bytes,
       octet_length(contrib.ssl_client_dn()) AS contrib_bytes,
       starts_with(public.ssl_client_dn(), contrib.ssl_client_dn()) AS contrib_is_our_prefix;
SELECT contrib.ssl_client_dn() AS contrib, public.ssl_client_dn() AS ours;

-- Same error for an unknown field name
\set VERBOSITY sqlstate
SELECT public.ssl_client_dn_field('no such field');
SELECT contrib.ssl_client_dn_field('no such field');
SELECT public.ssl_issuer_field('bogus');
SELECT contrib.ssl_issuer_field('bogus');
\set VERBOSITY default

\connect :c_plain
DROP VIEW comparison;
DROP FUNCTION compare_with_contrib();
DROP EXTENSION sslinfo;
DROP SCHEMA contrib;
DROP ROLE sslinfo_nocert;
