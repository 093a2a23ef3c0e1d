/* sslinfo_ext--1.1.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION sslinfo_ext" to load this file. \quit

--
-- The fresh install of 1.1.  It must create exactly what installing 1.0 and
-- running sslinfo_ext--1.0--1.1.sql creates (sql/upgrade.sql compares the
-- two, object by object): a change to one script goes into the other.
--

--
-- The functions of contrib sslinfo 1.2: same names, signatures, markings.
--

CREATE FUNCTION ssl_is_used() RETURNS boolean
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_is_used'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_version() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_version'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_cipher() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_cipher'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_cert_present() RETURNS boolean
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_cert_present'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_serial() RETURNS numeric
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_serial'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_dn() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_dn'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_issuer_dn() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_issuer_dn'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_dn_field(text) RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_dn_field'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_issuer_field(text) RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_issuer_field'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_extension_info(OUT name text, OUT value text,
								   OUT critical boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_extension_info'
LANGUAGE C STRICT PARALLEL RESTRICTED;

--
-- What contrib sslinfo does not show.
--

CREATE FUNCTION ssl_cipher_bits() RETURNS integer
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_cipher_bits'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_not_before() RETURNS timestamptz
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_not_before'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_not_after() RETURNS timestamptz
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_not_after'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_fingerprint() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_fingerprint'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_client_san() RETURNS text[]
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_san'
LANGUAGE C STRICT PARALLEL RESTRICTED;

--
-- ssl_ciphers policy (src/cipher_policy.c)
--
-- Both functions work whether or not sslinfo_ext is preloaded and reveal
-- nothing secret, so EXECUTE stays with PUBLIC.  The one setting-derived
-- column, ssl_supported_ciphers().offered, is NULL for roles that may not
-- read ssl_ciphers (those without the privileges of pg_read_all_settings).
--

CREATE FUNCTION ssl_cipher_policy_check(value text,
    OUT "position" integer, OUT entry text, OUT ok boolean, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_cipher_policy_check'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION ssl_cipher_policy_check(text) IS
'check an ssl_ciphers value against the cipher policy, one row per entry';

CREATE FUNCTION ssl_supported_ciphers(
    OUT name text, OUT iana_name text, OUT protocol text, OUT kx text,
    OUT auth text, OUT enc text, OUT mac text, OUT bits integer,
    OUT strength text, OUT allowed boolean, OUT offered boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_supported_ciphers'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

COMMENT ON FUNCTION ssl_supported_ciphers() IS
'cipher suites of the linked OpenSSL, whether the policy allows them and whether the server offers them';


--
-- Certificate lifecycle and TLS hardening: the server's certificates and
-- CRLs as configured, and the TLS configuration audit.  They read only the
-- files named by the server's settings; EXECUTE for pg_monitor (and
-- superusers), not PUBLIC.
--

CREATE FUNCTION ssl_server_certificates(
    OUT role text,
    OUT subject text,
    OUT issuer text,
    OUT serial numeric,
    OUT not_before timestamptz,
    OUT not_after timestamptz,
    OUT days_left numeric,
    OUT fingerprint text,
    OUT key_type text,
    OUT key_bits integer,
    OUT signature_algorithm text,
    OUT san text[],
    OUT loaded boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_server_certificates'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION ssl_crl_status(
    OUT source text,
    OUT issuer text,
    OUT last_update timestamptz,
    OUT next_update timestamptz,
    OUT revoked_count bigint,
    OUT stale boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_crl_status'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION ssl_config_audit(
    OUT check_name text,
    OUT status text,
    OUT detail text,
    OUT hint text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_config_audit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

REVOKE ALL ON FUNCTION ssl_server_certificates() FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_crl_status() FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_config_audit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ssl_server_certificates() TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_crl_status() TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_config_audit() TO pg_monitor;

-- end of certificate lifecycle and TLS hardening

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
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_sessions'
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
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_memory'
LANGUAGE C VOLATILE PARALLEL SAFE;
