--
-- search_path: nothing an ordinary role plants on the caller's search_path
-- runs inside a sslinfo_ext function (the CVE-2018-1058 pattern).
--
-- regress_planter owns a schema on the caller's path and fills it with
-- functions and operators of the shapes that would capture an unqualified
-- call: better argument matches than pg_catalog's polymorphic versions
-- (array_to_string(text[], text), ||(text, integer)), and exact copies of
-- what the extension uses (which win when pg_catalog is named later in the
-- path).  Each planted object raises a WARNING naming itself and the role
-- it runs as, then does the real work, so a capture shows in the output.
-- Every SQL-callable function of the extension is called, as a superuser
-- and as a pg_monitor member (granted pg_hba_file_rules, so that
-- ssl_config_audit() runs its pg_hba.conf query), with pg_catalog first
-- (implicitly) and last.
--
\i sql/connections.psql
CREATE EXTENSION IF NOT EXISTS sslinfo_ext;

CREATE ROLE regress_planter;
CREATE ROLE regress_path_monitor IN ROLE pg_monitor;
GRANT SELECT ON pg_catalog.pg_hba_file_rules TO regress_path_monitor;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO regress_path_monitor;
CREATE SCHEMA planted AUTHORIZATION regress_planter;

SET ROLE regress_planter;
-- The planted functions, one row each: signature, result type, the real
-- work, and how its WARNING names it
DO $do$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('array_to_string(a text[], sep text)', 'text',
       'pg_catalog.array_to_string(a, sep)', 'array_to_string(text[], text)'),
      ('array_to_string(a anyarray, sep text)', 'text',
       'pg_catalog.array_to_string(a, sep)', 'array_to_string(anyarray, text)'),
      ('cat(a text, b integer)', 'text',
       'pg_catalog.textcat(a, b::text)', '||(text, integer)'),
      ('cat(a text, b text)', 'text',
       'pg_catalog.textcat(a, b)', '||(text, text)'),
      ('has_table_privilege(t text, p text)', 'boolean',
       'pg_catalog.has_table_privilege(t, p)', 'has_table_privilege(text, text)'),
      ('has_function_privilege(f text, p text)', 'boolean',
       'pg_catalog.has_function_privilege(f, p)', 'has_function_privilege(text, text)'))
    AS v(signature, result, work, shown)
  LOOP
    EXECUTE format('CREATE FUNCTION planted.%s RETURNS %s LANGUAGE plpgsql AS %L',
                   t.signature, t.result,
                   format('BEGIN RAISE WARNING %L, current_user; RETURN %s; END',
                          'planted ' || t.shown || ' ran as %', t.work));
  END LOOP;
END
$do$;
CREATE OPERATOR planted.|| (LEFTARG = text, RIGHTARG = integer, FUNCTION = planted.cat);
CREATE OPERATOR planted.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = planted.cat);
SELECT p.oid::regprocedure AS planted_function
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = 'planted'::regnamespace
 ORDER BY p.oid::regprocedure::text;
CREATE VIEW planted.pg_hba_file_rules AS SELECT * FROM pg_catalog.pg_hba_file_rules;
GRANT USAGE ON SCHEMA planted TO PUBLIC;
RESET ROLE;

-- Every function of the extension is called below (a new one must be added)
SELECT p.proname
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'sslinfo_ext'
JOIN pg_proc p ON p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.classid = 'pg_proc'::regclass
  AND d.deptype = 'e'
  AND p.proname NOT IN ('ssl_is_used', 'ssl_version', 'ssl_cipher',
      'ssl_client_cert_present', 'ssl_client_serial', 'ssl_client_dn',
      'ssl_issuer_dn', 'ssl_client_dn_field', 'ssl_issuer_field',
      'ssl_extension_info', 'ssl_cipher_bits', 'ssl_client_not_before',
      'ssl_client_not_after', 'ssl_client_fingerprint', 'ssl_client_san',
      'ssl_cipher_policy_check', 'ssl_supported_ciphers',
      'ssl_server_certificates', 'ssl_crl_status', 'ssl_config_audit',
      'ssl_config_benchmark', 'ssl_config_benchmarks',
      'pg_stat_ssl_ext_sessions', 'pg_stat_ssl_ext_memory',
      'ssl_alpn', 'ssl_server_fingerprint', 'ssl_supported_groups',
      'ssl_shared_groups', 'ssl_tls13_cipher_policy_check',
      'pg_stat_ssl_ext_refusal_entries', 'pg_stat_ssl_ext_refusal_counts',
      'pg_stat_ssl_ext_refusals_reset', 'pg_stat_ssl_ext_client_profiles',
      'ssl_client_profile', 'ssl_policy_dry_run', 'ssl_policy_dry_run_summary');

-- Over TLS with a certificate that has SANs and extensions, so that every
-- function has something to answer
\connect :c_san

-- The trap is armed: unqualified calls in this session reach the planted
-- objects (one WARNING each)
SET search_path = planted, public;
SELECT 'line ' || 1 AS captured_concat, array_to_string('{a,b}'::text[], ',') AS captured_array;
SET search_path = planted, public, pg_catalog;
SELECT has_table_privilege('pg_class', 'SELECT') AS captured_exact_copy;

-- Every function under each path, as each role: no WARNING may appear
-- (ssl_tls13_cipher_policy_check() only from 18 on: before, it refuses)
\set calls 'SELECT current_user AS caller, current_setting(''search_path'') AS path, num_nonnulls(ssl_is_used(), ssl_version(), ssl_cipher(), ssl_client_cert_present(), ssl_client_serial(), ssl_client_dn(), ssl_issuer_dn(), ssl_client_dn_field(''CN''), ssl_issuer_field(''commonName''), (SELECT count(*) FROM ssl_extension_info()), ssl_cipher_bits(), ssl_client_not_before(), ssl_client_not_after(), ssl_client_fingerprint(), ssl_client_san(), (SELECT count(*) FROM ssl_cipher_policy_check(''ALL'')), (SELECT count(*) FROM ssl_supported_ciphers()), (SELECT count(*) FROM ssl_server_certificates()), (SELECT count(*) FROM ssl_crl_status()), (SELECT count(*) FROM ssl_config_audit()), (SELECT count(*) FROM ssl_config_benchmark(''CIS PostgreSQL 17 v1.0.0'')), (SELECT count(*) FROM ssl_config_benchmarks()), (SELECT count(*) FROM pg_stat_ssl_ext_sessions()), (SELECT count(*) FROM pg_stat_ssl_ext), (SELECT slots FROM pg_stat_ssl_ext_memory()), (SELECT slots FROM pg_stat_ssl_ext_memory(100)), coalesce(ssl_alpn(), ''''), ssl_server_fingerprint(), coalesce(ssl_supported_groups(), ''{}''), coalesce(ssl_shared_groups(), ''{}''), (SELECT count(*) FROM ssl_tls13_cipher_policy_check(''TLS_AES_128_GCM_SHA256'') WHERE pg_catalog.current_setting(''server_version_num'')::int >= 180000), (SELECT count(*) FROM pg_stat_ssl_ext_refusals), (SELECT count(*) FROM pg_stat_ssl_ext_refusal_totals), (SELECT count(*) FROM pg_stat_ssl_ext_clients), (SELECT count(*) FROM pg_stat_ssl_ext_refusal_entries()), (SELECT count(*) FROM pg_stat_ssl_ext_refusal_counts()), (SELECT count(*) FROM pg_stat_ssl_ext_client_profiles()), coalesce(ssl_client_profile(), ''''), (SELECT count(*) FROM ssl_policy_dry_run()), (SELECT clients_kept FROM ssl_policy_dry_run_summary(ssl_min_protocol_version => ''TLSv1.3''))) AS answers'
SET search_path = planted, public;
:calls;
SET search_path = planted, public, pg_catalog;
:calls;
-- the reset (not granted to PUBLIC), here without preloading: its error only
SELECT pg_stat_ssl_ext_refusals_reset();
SET ROLE regress_path_monitor;
SET search_path = planted, public;
:calls;
SET search_path = planted, public, pg_catalog;
:calls;
-- the audit really read pg_hba.conf as the monitoring role
SELECT detail NOT LIKE 'The pg_hba.conf rules cannot be checked%' AS hba_rules_read
FROM ssl_config_audit() WHERE check_name = 'hba_weak_auth';
RESET ROLE;
RESET search_path;

\connect :c_plain
SET client_min_messages = warning;
DROP SCHEMA planted CASCADE;
RESET client_min_messages;
REVOKE SELECT ON pg_catalog.pg_hba_file_rules FROM regress_path_monitor;
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() FROM regress_path_monitor;
DROP ROLE regress_path_monitor;
DROP ROLE regress_planter;
