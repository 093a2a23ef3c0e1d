--
-- Sessions without TLS: every function answers like contrib sslinfo
-- (false, NULL, or no rows).
--
CREATE EXTENSION sslinfo_ext;

-- The functions, their signatures and markings (contrib sslinfo's ten are
-- STRICT, VOLATILE and PARALLEL RESTRICTED; ours keep that).
SELECT p.proname,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result,
       p.proisstrict, p.provolatile, p.proparallel
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid = e.oid AND e.extname = 'sslinfo_ext'
WHERE p.proname LIKE 'ssl\_%'  -- the own-session functions
ORDER BY p.proname;

-- A Unix-socket session (pg_regress's own connection)
SELECT ssl_is_used(), ssl_version(), ssl_cipher(), ssl_cipher_bits(),
       ssl_client_cert_present(), ssl_client_serial(),
       ssl_client_dn(), ssl_issuer_dn();
SELECT ssl_client_dn_field('CN'), ssl_issuer_field('CN'),
       ssl_client_not_before(), ssl_client_not_after(),
       ssl_client_fingerprint(), ssl_client_san();
SELECT * FROM ssl_extension_info();
SELECT ssl_alpn(), ssl_server_fingerprint(), ssl_supported_groups(), ssl_shared_groups();
-- no certificate: NULL even for a name that is not a field (as contrib)
SELECT ssl_client_dn_field('no such field'), ssl_issuer_field('');
-- STRICT: NULL in, NULL out
SELECT ssl_client_dn_field(NULL), ssl_issuer_field(NULL);

-- A TCP session with TLS disabled by the client
\i sql/connections.psql
\connect :tcp_notls
SELECT inet_client_addr() IS NOT NULL AS tcp, ssl_is_used(), ssl_version(),
       ssl_cipher(), ssl_cipher_bits(), ssl_client_cert_present(),
       ssl_client_serial(), ssl_client_dn(), ssl_issuer_dn(),
       ssl_client_dn_field('CN'), ssl_client_not_after(),
       ssl_client_fingerprint(), ssl_client_san();
SELECT count(*) FROM ssl_extension_info();
-- agrees with PostgreSQL's own view
SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();
