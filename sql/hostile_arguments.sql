--
-- Hostile arguments for every function that takes one: NULL, empty and
-- huge strings (1 MB), odd bytes, bogus and huge dotted OIDs.  Each must
-- give NULL, a value, or an error with a proper SQLSTATE; never a crash,
-- never a hang.
--
\i sql/connections.psql

CREATE ROLE sslinfo_nocert LOGIN;

-- fn(arg) as "NULL", "value: ..." or "ERROR <SQLSTATE>"; for a set-returning
-- check function, "N rows, ok: ..." (ok of all rows)
CREATE FUNCTION try_call(fn regproc, arg text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  result text;
BEGIN
  -- the argument as the function's own argument type
  EXECUTE format('SELECT %s($1::%s)', fn,
                 (SELECT proargtypes[0]::regtype FROM pg_proc WHERE oid = fn))
    INTO result USING arg;
  RETURN coalesce('value: ' || result, 'NULL');
EXCEPTION WHEN others THEN
  RETURN 'ERROR ' || SQLSTATE;
END
$$;

CREATE FUNCTION try_check(fn regproc, arg text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  all_ok boolean;
BEGIN
  EXECUTE format('SELECT count(*), bool_and(ok) FROM %s($1)', fn)
    INTO n, all_ok USING arg;
  RETURN n || ' rows, ok: ' || coalesce(all_ok::text, '-');
EXCEPTION WHEN others THEN
  RETURN 'ERROR ' || SQLSTATE;
END
$$;

CREATE TABLE hostile (n int, label text, arg text);
INSERT INTO hostile VALUES
  (1, 'NULL', NULL),
  (2, 'empty', ''),
  (3, 'short name', 'CN'),
  (4, 'long name', 'commonName'),
  (5, 'dotted OID', '2.5.4.3'),
  (6, 'wrong case', 'cn'),
  (7, 'blank around', ' CN '),
  (8, 'valid OID, not in any DN', '1.2'),
  (9, 'OID 0.0', '0.0'),
  (10, 'first arc too big', '99999999999999999999.1'),
  (11, 'huge arc under 2', '2.99999999999999999999'),
  (12, 'trailing dot', '2.5.4.3.'),
  (13, 'leading dot', '.2.5.4.3'),
  (14, 'double dot', '2..5'),
  (15, 'negative arc', '2.-5'),
  (16, 'control bytes', E'\x01\x02\x7f'),
  (17, 'newline', E'CN\n'),
  (18, 'Latin-1 letter', 'ÿ'),
  (19, 'CJK', '東京'),
  (20, 'emoji', '😀'),
  (21, 'backslash and quotes', E'\\"'''),
  (22, 'format string', '%s%n%x%p'),
  (23, 'SQL', 'CN''); DROP TABLE hostile; --'),
  (24, '127 bytes', repeat('x', 127)),
  (25, 'valid OID of 127 bytes', '2.' || repeat('9', 125)),
  (26, 'valid OID of 128 bytes', '2.' || repeat('9', 126)),
  (27, '1 MB of letters', repeat('x', 1048576)),
  (28, '1 MB dotted OID, one huge arc', '2.' || repeat('9', 1048574)),
  (29, '1 MB dotted OID, many arcs', repeat('1.', 524287) || '1'),
  (30, '1 MB of multibyte characters', repeat('東', 349525)),
  (31, 'only separators', ';;;;'),
  (32, 'ALL twice', 'ALL;ALL'),
  (33, '1 MB of one allowed suite', repeat('DHE-RSA-AES128-CCM;', 55188)),
  (34, 'a 1 MB entry', repeat('DHE-RSA-AES128-CCM', 58254));

GRANT SELECT ON hostile TO sslinfo_nocert;

-- One row per argument, one column per function
CREATE FUNCTION hostile_results() RETURNS TABLE (n int, label text,
  ssl_client_dn_field text, ssl_issuer_field text,
  ssl_cipher_policy_check text)
LANGUAGE sql AS $$
  SELECT n, label,
         try_call('ssl_client_dn_field', arg),
         try_call('ssl_issuer_field', arg),
         try_check('ssl_cipher_policy_check', arg)
    FROM hostile ORDER BY n
$$;

-- Without TLS (Unix socket) and over TLS without a client certificate:
-- NULL whatever the argument, as in contrib sslinfo
SELECT * FROM hostile_results();
\connect :nocert
SELECT * FROM hostile_results();

-- With a client certificate
\connect :c_plain
SELECT * FROM hostile_results();

-- The messages: the name is quoted as given, nothing in it is interpreted
SELECT ssl_client_dn_field('%s%n%x%p');
SELECT ssl_issuer_field('CN''); DROP TABLE hostile; --');
SELECT ssl_client_dn_field('99999999999999999999.1');

-- What the policy check says about the huge ones: entries cut for display
SELECT "position", left(entry, 40) AS entry, octet_length(entry), ok, detail
  FROM ssl_cipher_policy_check(repeat('DHE-RSA-AES128-CCM', 58254));
SELECT count(*), max("position"), bool_and(ok) AS all_ok
  FROM ssl_cipher_policy_check(repeat('DHE-RSA-AES128-CCM;', 55188));
SELECT "position", ok, detail FROM ssl_cipher_policy_check(repeat('DHE-RSA-AES128-CCM;', 55188))
 WHERE NOT ok;

-- pg_stat_ssl_ext_memory(max_connections): the setting's own range only
-- (2147483647 used to overflow the slot count: an internal "invalid memory
-- allocation request size" error instead of SQLSTATE 22023)
SELECT n, try_call('pg_stat_ssl_ext_memory', n::text) AS pg_stat_ssl_ext_memory
  FROM unnest(ARRAY[-2147483648, -1, 0, 262144, 2147483647]::int[]) AS n;
SELECT slots > 0 AS this_server_is_sized FROM pg_stat_ssl_ext_memory(NULL);
SELECT slots > 262143 AS biggest_is_sized, total_bytes > 0 AS has_size
  FROM pg_stat_ssl_ext_memory(262143);

-- The session is fine afterwards, and its answers did not change
SELECT ssl_client_dn_field('CN'), ssl_issuer_field('CN');

\connect :c_plain
DROP FUNCTION hostile_results();
DROP FUNCTION try_call(regproc, text);
DROP FUNCTION try_check(regproc, text);
DROP TABLE hostile;
DROP ROLE sslinfo_nocert;
