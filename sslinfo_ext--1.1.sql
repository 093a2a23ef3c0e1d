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
    OUT loaded boolean,
    OUT host text)
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
    OUT hint text,
    OUT benchmark_refs text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_config_audit'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION ssl_config_benchmark(
    benchmark text,
    OUT item text,
    OUT title text,
    OUT status text,
    OUT evidence text,
    OUT checks text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_config_benchmark'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION ssl_config_benchmarks(
    OUT benchmark text,
    OUT source text,
    OUT items integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_config_benchmarks'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

REVOKE ALL ON FUNCTION ssl_server_certificates() FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_crl_status() FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_config_audit() FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_config_benchmark(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_config_benchmarks() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ssl_server_certificates() TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_crl_status() TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_config_audit() TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_config_benchmark(text) TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_config_benchmarks() TO pg_monitor;

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
    OUT alpn text,
    OUT server_fingerprint text,
    OUT truncated boolean,
    OUT client_profile text)
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
    OUT allocated boolean,
    OUT text_pool_bytes bigint,
    OUT text_pool_free_bytes bigint,
    OUT text_pool_full bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_memory'
LANGUAGE C VOLATILE PARALLEL SAFE;

--
-- What PostgreSQL 17+ negotiates (ALPN), the certificate the server
-- presented, and the key-exchange groups (src/tls_facts.c): the calling
-- session's own, like contrib sslinfo's functions.
--

CREATE FUNCTION ssl_alpn() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_alpn'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_server_fingerprint() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_server_fingerprint'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_supported_groups() RETURNS text[]
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_supported_groups'
LANGUAGE C STRICT PARALLEL RESTRICTED;

CREATE FUNCTION ssl_shared_groups() RETURNS text[]
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_shared_groups'
LANGUAGE C STRICT PARALLEL RESTRICTED;

--
-- ssl_tls13_ciphers policy (PostgreSQL 18+; src/cipher_policy.c): the
-- sibling of ssl_cipher_policy_check() for that setting's own syntax.  It
-- exists on every major so the SQL is the same; before 18 it says why it
-- has nothing to check.
--

CREATE FUNCTION ssl_tls13_cipher_policy_check(value text,
    OUT "position" integer, OUT entry text, OUT ok boolean, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_tls13_cipher_policy_check'
LANGUAGE C STRICT STABLE PARALLEL SAFE;


--
-- The front door (src/refusals.c, src/client_inventory.c): connection
-- attempts refused before authentication succeeded, and the TLS offer of
-- every client (its client profile).  Recorded with shared_preload_libraries
-- only; client addresses, users, details and offers are shown to roles with
-- the privileges of pg_read_all_stats, reasons and counts to everyone.
--

CREATE FUNCTION pg_stat_ssl_ext_refusal_entries(
    OUT client_addr inet,
    OUT reason text,
    OUT count bigint,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz,
    OUT detail text,
    OUT client_profile text,
    OUT usename name,
    OUT datname name)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_refusals'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW pg_stat_ssl_ext_refusals AS
    SELECT * FROM pg_stat_ssl_ext_refusal_entries();

GRANT SELECT ON pg_stat_ssl_ext_refusals TO PUBLIC;

CREATE FUNCTION pg_stat_ssl_ext_refusal_counts(
    OUT reason text,
    OUT refusals bigint,
    OUT stats_reset timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_refusal_totals'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW pg_stat_ssl_ext_refusal_totals AS
    SELECT * FROM pg_stat_ssl_ext_refusal_counts();

GRANT SELECT ON pg_stat_ssl_ext_refusal_totals TO PUBLIC;

CREATE FUNCTION pg_stat_ssl_ext_refusals_reset() RETURNS void
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_refusals_reset'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

REVOKE ALL ON FUNCTION pg_stat_ssl_ext_refusals_reset() FROM PUBLIC;

CREATE FUNCTION pg_stat_ssl_ext_client_profiles(
    OUT client_profile text,
    OUT max_version text,
    OUT offered_ciphers text[],
    OUT offered_groups text[],
    OUT sessions integer,
    OUT connections bigint,
    OUT refusals bigint,
    OUT first_seen timestamptz,
    OUT last_seen timestamptz,
    OUT last_client_addr inet,
    OUT last_usename name,
    OUT last_application_name text,
    OUT offer_incomplete boolean,
    OUT refusal_reasons text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_pg_stat_ssl_ext_clients'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW pg_stat_ssl_ext_clients AS
    SELECT * FROM pg_stat_ssl_ext_client_profiles();

GRANT SELECT ON pg_stat_ssl_ext_clients TO PUBLIC;

CREATE FUNCTION ssl_client_profile() RETURNS text
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_client_profile'
LANGUAGE C STRICT PARALLEL RESTRICTED;

-- end of the front door

--
-- The dry run (src/dry_run.c): candidate TLS settings held against the
-- client profiles of pg_stat_ssl_ext_clients, each replayed in an
-- in-memory handshake.  NULL means the value in force.  For pg_monitor.
--

CREATE FUNCTION ssl_policy_dry_run(
    ssl_ciphers text DEFAULT NULL,
    ssl_tls13_ciphers text DEFAULT NULL,
    ssl_min_protocol_version text DEFAULT NULL,
    ssl_max_protocol_version text DEFAULT NULL,
    ssl_groups text DEFAULT NULL,
    OUT client_profile text,
    OUT sessions integer,
    OUT connections bigint,
    OUT refusals bigint,
    OUT would_connect boolean,
    OUT version text,
    OUT cipher text,
    OUT tls_group text,
    OUT reason text,
    OUT detail text,
    OUT offer_incomplete boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_policy_dry_run'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION ssl_policy_dry_run_summary(
    ssl_ciphers text DEFAULT NULL,
    ssl_tls13_ciphers text DEFAULT NULL,
    ssl_min_protocol_version text DEFAULT NULL,
    ssl_max_protocol_version text DEFAULT NULL,
    ssl_groups text DEFAULT NULL,
    OUT clients_kept integer,
    OUT clients_lost integer,
    OUT sessions_lost bigint,
    OUT refused_let_in integer,
    OUT clients_unknown integer,
    OUT lost_profiles text[])
RETURNS record
AS 'MODULE_PATHNAME', 'sslinfo_ext_ssl_policy_dry_run_summary'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

REVOKE ALL ON FUNCTION ssl_policy_dry_run(text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION ssl_policy_dry_run_summary(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ssl_policy_dry_run(text, text, text, text, text) TO pg_monitor;
GRANT EXECUTE ON FUNCTION ssl_policy_dry_run_summary(text, text, text, text, text) TO pg_monitor;

-- end of the dry run

--
-- BEGIN COMMENTS (every function and view of the extension)
--
-- The same block as at the end of sslinfo_ext--1.0--1.1.sql, so an
-- installation updated from 1.0 and a fresh one describe themselves alike
-- (sql/upgrade.sql compares them).
--

-- contrib sslinfo's functions (1.0)
COMMENT ON FUNCTION ssl_is_used() IS
'true if the current connection uses TLS';
COMMENT ON FUNCTION ssl_version() IS
'TLS protocol version of the current connection, e.g. TLSv1.3; NULL without TLS';
COMMENT ON FUNCTION ssl_cipher() IS
'TLS cipher suite of the current connection; NULL without TLS';
COMMENT ON FUNCTION ssl_client_cert_present() IS
'true if the current client presented a certificate';
COMMENT ON FUNCTION ssl_client_serial() IS
'serial number of the current client certificate';
COMMENT ON FUNCTION ssl_client_dn() IS
'subject DN of the current client certificate, whole (no 63-byte cut)';
COMMENT ON FUNCTION ssl_issuer_dn() IS
'issuer DN of the current client certificate, whole (no 63-byte cut)';
COMMENT ON FUNCTION ssl_client_dn_field(text) IS
'one field of the current client certificate''s subject, by short or long name (e.g. CN, commonName)';
COMMENT ON FUNCTION ssl_issuer_field(text) IS
'one field of the current client certificate''s issuer, by short or long name';
COMMENT ON FUNCTION ssl_extension_info() IS
'X.509 extensions of the current client certificate: name, value, critical';

-- what contrib sslinfo does not show (1.0)
COMMENT ON FUNCTION ssl_cipher_bits() IS
'symmetric key bits of the current connection''s cipher suite';
COMMENT ON FUNCTION ssl_client_not_before() IS
'start of validity of the current client certificate';
COMMENT ON FUNCTION ssl_client_not_after() IS
'end of validity of the current client certificate';
COMMENT ON FUNCTION ssl_client_fingerprint() IS
'SHA-256 of the current client certificate (DER), lowercase hex';
COMMENT ON FUNCTION ssl_client_san() IS
'subjectAltNames of the current client certificate, e.g. DNS:host.example.com';

-- 1.1 (ssl_cipher_policy_check() and ssl_supported_ciphers() have theirs above)
COMMENT ON FUNCTION ssl_server_certificates() IS
'certificates of ssl_cert_file (server, chain) and ssl_ca_file (ca), and on PostgreSQL 19 with ssl_sni of each pg_hosts.conf entry (host), with validity, days left, fingerprint, key, and whether the server serves them; for pg_monitor';
COMMENT ON FUNCTION ssl_crl_status() IS
'CRLs of ssl_crl_file and ssl_crl_dir: issuer, last and next update, revoked count, staleness; for pg_monitor';
COMMENT ON FUNCTION ssl_config_audit() IS
'checks of the TLS configuration (settings, files, pg_hba.conf, OpenSSL''s FIPS mode), one row each with status ok, warning or error, a hint, and the benchmark items it gives evidence for; for pg_monitor';
COMMENT ON FUNCTION ssl_config_benchmark(text) IS
'the TLS items of a benchmark (see ssl_config_benchmarks()) judged by the checks of ssl_config_audit(): item, verbatim title, status pass, fail or manual, evidence, checks; for pg_monitor';
COMMENT ON FUNCTION ssl_config_benchmarks() IS
'the benchmarks ssl_config_benchmark() knows, with the published source of their item ids and titles; for pg_monitor';
COMMENT ON FUNCTION pg_stat_ssl_ext_sessions() IS
'the rows of the view pg_stat_ssl_ext';
COMMENT ON VIEW pg_stat_ssl_ext IS
'every session''s TLS state and client certificate, masked like pg_stat_ssl; other sessions'' certificates need shared_preload_libraries = ''sslinfo_ext''';
COMMENT ON FUNCTION ssl_alpn() IS
'protocol ALPN selected for the current connection (postgresql, PostgreSQL 17+); NULL without ALPN';
COMMENT ON FUNCTION ssl_server_fingerprint() IS
'SHA-256 of the certificate the server presented to the current connection (DER), lowercase hex';
COMMENT ON FUNCTION ssl_supported_groups() IS
'key-exchange groups the current client offered, by OpenSSL name';
COMMENT ON FUNCTION ssl_shared_groups() IS
'key-exchange groups both the current client and the server support, in the server''s order';
COMMENT ON FUNCTION ssl_tls13_cipher_policy_check(text) IS
'check an ssl_tls13_ciphers value (PostgreSQL 18+) against sslinfo_ext.allowed_tls13_ciphers, one row per entry';
COMMENT ON FUNCTION pg_stat_ssl_ext_memory(integer) IS
'shared memory of pg_stat_ssl_ext: slots, slots in use, bytes, for max_connections or the given number';

COMMENT ON VIEW pg_stat_ssl_ext_refusals IS
'connection attempts refused before authentication succeeded, one row per client address and reason (least recently seen evicted at sslinfo_ext.max_refusal_entries); addresses, users, details and profiles for pg_read_all_stats';
COMMENT ON VIEW pg_stat_ssl_ext_refusal_totals IS
'refused connection attempts by reason since the last reset, exact (never evicted)';
COMMENT ON FUNCTION pg_stat_ssl_ext_refusals_reset() IS
'empty pg_stat_ssl_ext_refusals and zero pg_stat_ssl_ext_refusal_totals';
COMMENT ON VIEW pg_stat_ssl_ext_clients IS
'one row per client profile (a distinct TLS offer: suites, groups, highest version) with its sessions, connections and refusals; offers and last client for pg_read_all_stats';
COMMENT ON FUNCTION ssl_client_profile() IS
'client profile (16 hex digits naming the TLS offer) of the current connection; NULL without TLS';
COMMENT ON FUNCTION pg_stat_ssl_ext_refusal_entries() IS
'the rows of the view pg_stat_ssl_ext_refusals';
COMMENT ON FUNCTION pg_stat_ssl_ext_refusal_counts() IS
'the rows of the view pg_stat_ssl_ext_refusal_totals';
COMMENT ON FUNCTION pg_stat_ssl_ext_client_profiles() IS
'the rows of the view pg_stat_ssl_ext_clients';
COMMENT ON FUNCTION ssl_policy_dry_run(text, text, text, text, text) IS
'candidate TLS settings (NULL: the value in force) replayed against every client profile in an in-memory handshake: whether it would connect, with which version, suite and group, or why not; for pg_monitor';
COMMENT ON FUNCTION ssl_policy_dry_run_summary(text, text, text, text, text) IS
'the dry run in one row: clients kept and lost, sessions open now of lost profiles, refused profiles the candidate would let in, profiles without a verdict; for pg_monitor';
--
-- END COMMENTS
--
