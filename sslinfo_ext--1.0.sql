/* sslinfo_ext--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION sslinfo_ext" to load this file. \quit

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
