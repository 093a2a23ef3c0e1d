--
-- The own-session answer cache of ssl_client_dn_field()/ssl_issuer_field()
-- is bounded: a million calls with a million distinct field names leave the
-- backend's memory as it was.
--
-- The names are dotted OIDs of the four attributes of client_utf8's subject
-- (C, O, L, CN) spelled with leading zeros in their arcs ("2.005.04.0003"):
-- OpenSSL reads each as the attribute's OID, so every call finds a value,
-- and each spelling is a new cache key.  Names stay below the 128-byte
-- limit.
--
\i sql/connections.psql
CREATE EXTENSION IF NOT EXISTS sslinfo_ext;

\connect :c_utf8
-- the same answer whatever the spelling
SELECT ssl_client_dn_field('2.5.4.3') AS cn,
       ssl_client_dn_field('2.005.0004.000003') AS cn_with_zeros;

-- fill the cache (32 names) and go beyond it, then measure
SELECT count(ssl_client_dn_field('2.5.4.' || repeat('0', n) || '3')) AS warm_up
FROM generate_series(0, 63) n;
SELECT total_bytes AS top_before FROM pg_backend_memory_contexts
WHERE name = 'TopMemoryContext' \gset
SELECT sum(total_bytes) AS all_before FROM pg_backend_memory_contexts \gset

SELECT count(ssl_client_dn_field(format('2.%s5.%s4.%s%s',
                                        repeat('0', a), repeat('0', b),
                                        repeat('0', c), attr))) AS found,
       count(*) AS calls
FROM generate_series(0, 115) a, generate_series(0, 115) b,
     generate_series(0, 115) c, unnest('{3,6,7,10}'::text[]) attr
WHERE a + b + c <= 115;

SELECT total_bytes - :top_before < 1024 * 1024 AS top_memory_context_flat
FROM pg_backend_memory_contexts WHERE name = 'TopMemoryContext';
SELECT sum(total_bytes) - :all_before < 1024 * 1024 AS backend_memory_flat
FROM pg_backend_memory_contexts;
