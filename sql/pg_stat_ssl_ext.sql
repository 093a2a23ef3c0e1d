--
-- pg_stat_ssl_ext: the view's shape, and the calling session's own row.
--
-- The pg_regress cluster does not preload sslinfo_ext, so the own row is
-- computed live (the TAP tests t/04x_pg_stat_ssl_ext*.pl cover the shared
-- registry); the answers are the same either way.
--
\i sql/connections.psql
\set c_san_named :c_san ' application_name=regress_san'

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sslinfo_ext;
RESET client_min_messages;

-- Columns: pg_stat_ssl's first, same names, types and order, then ours
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a
WHERE a.attrelid = 'pg_stat_ssl_ext'::regclass AND a.attnum > 0
ORDER BY a.attnum;

SELECT (SELECT array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
        FROM pg_attribute WHERE attrelid = 'pg_stat_ssl'::regclass AND attnum > 0)
     = (SELECT (array_agg(attname || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum))[1:8]
        FROM pg_attribute WHERE attrelid = 'pg_stat_ssl_ext'::regclass AND attnum > 0)
       AS starts_with_pg_stat_ssl;

-- Anyone may read it
CREATE ROLE regress_ssl_ext_reader;
SELECT has_table_privilege('regress_ssl_ext_reader', 'pg_stat_ssl_ext', 'SELECT');
DROP ROLE regress_ssl_ext_reader;

-- pg_regress's own session, over a Unix socket
SELECT ssl, version, client_dn, client_cert_present, client_addr,
       backend_type, truncated
FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid();

-- TCP without TLS
\connect :tcp_notls
SELECT ssl, version, client_cert_present, client_addr, backend_type, truncated
FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid();

-- TLS with a client certificate: the own row agrees with the own-session
-- functions and with the certificate factory's fingerprint
\set fp `cat build/certs/client_san.sha256`
\connect :c_san_named
SELECT ssl,
       version = ssl_version() AS version,
       cipher = ssl_cipher() AS cipher,
       bits = ssl_cipher_bits() AS bits,
       client_dn, client_serial, issuer_dn,
       application_name, backend_type, host(client_addr) AS client_addr,
       client_cert_present,
       client_not_before = ssl_client_not_before() AS not_before,
       client_not_after = ssl_client_not_after() AS not_after,
       client_fingerprint = :'fp' AS fingerprint,
       client_san, client_key_type, client_key_bits,
       client_signature_algorithm, tls_group IS NOT NULL AS has_tls_group,
       sni, truncated
FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid();

-- A DN longer than pg_stat_ssl's 63 bytes is whole
\connect :c_longdn
SELECT octet_length(client_dn) AS bytes, client_dn = ssl_client_dn() AS whole,
       (SELECT octet_length(client_dn) FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS pg_stat_ssl_bytes
FROM pg_stat_ssl_ext WHERE pid = pg_backend_pid();

-- Only processes with a client connection, as pg_stat_ssl
SELECT (SELECT array_agg(pid ORDER BY pid) FROM pg_stat_ssl_ext)
     = (SELECT array_agg(pid ORDER BY pid) FROM pg_stat_ssl) AS same_processes;

-- Registry sizing without preloading: nothing allocated (t/040 checks the
-- figures against pg_shmem_allocations on a preloaded server)
SELECT slot_bytes, allocated FROM pg_stat_ssl_ext_memory();
SELECT * FROM pg_stat_ssl_ext_memory(0);
