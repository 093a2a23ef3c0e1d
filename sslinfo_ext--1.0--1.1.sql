/* sslinfo_ext--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "ALTER EXTENSION sslinfo_ext UPDATE TO '1.1'" to load this file. \quit

--
-- Everything added after 1.0, one block per feature.
--

--
-- pg_stat_ssl_ext: every session's TLS state (src/session_registry.c)
--

CREATE FUNCTION pg_stat_ssl_ext_sessions(
    OUT pid integer,
    OUT ssl boolean,
    OUT version text,
    OUT cipher text,
    OUT bits integer,
    OUT client_dn text,
    OUT client_serial numeric,
    OUT issuer_dn text,
    OUT usename name,
    OUT datname name,
    OUT application_name text,
    OUT client_addr inet,
    OUT backend_type text,
    OUT backend_start timestamptz,
    OUT client_cert_present boolean,
    OUT client_not_before timestamptz,
    OUT client_not_after timestamptz,
    OUT client_fingerprint text,
    OUT client_san text[],
    OUT client_key_type text,
    OUT client_key_bits integer,
    OUT client_signature_algorithm text,
    OUT tls_group text,
    OUT sni text,
    OUT truncated boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pg_stat_ssl_ext_sessions'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW pg_stat_ssl_ext AS
    SELECT * FROM pg_stat_ssl_ext_sessions();

GRANT SELECT ON pg_stat_ssl_ext TO PUBLIC;

CREATE FUNCTION pg_stat_ssl_ext_memory(
    max_connections integer DEFAULT NULL,
    OUT slots integer,
    OUT slots_in_use integer,
    OUT slot_bytes bigint,
    OUT total_bytes bigint,
    OUT allocated boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'pg_stat_ssl_ext_memory'
LANGUAGE C VOLATILE PARALLEL SAFE;
