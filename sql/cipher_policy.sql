--
-- The ssl_ciphers policy's SQL surface: ssl_cipher_policy_check() and
-- ssl_supported_ciphers().  Both work without preloading, which is how the
-- pg_regress cluster runs (sslinfo_ext.allowed_ciphers at its default, the
-- four DHE suites; ssl_ciphers at PostgreSQL's default).  The check hook on
-- ssl_ciphers itself needs preloading: t/030_cipher_policy.pl.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS sslinfo_ext;
RESET client_min_messages;

LOAD 'sslinfo_ext';
SHOW sslinfo_ext.allowed_ciphers;

-- Accepted values.  NOTICEs report what keeps common clients out.
SELECT * FROM ssl_cipher_policy_check('ALL');
SELECT * FROM ssl_cipher_policy_check('all');
-- the seed's example
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES256-GCM-SHA384;DHE-RSA-AES256-CCM');
-- only CCM suites: clients on OpenSSL's default list cannot connect
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM');
-- decided corner cases: one trailing ';' and duplicates are accepted
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-GCM-SHA256;');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES128-GCM-SHA256');

-- Refused values, one class at a time: each bad entry is named with its
-- position and a sentence saying why.
-- empty
SELECT * FROM ssl_cipher_policy_check('');
-- PostgreSQL's own default and other OpenSSL cipher-string syntax
SELECT * FROM ssl_cipher_policy_check('HIGH:MEDIUM:+3DES:!aNULL');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM,DHE-RSA-AES256-CCM');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM DHE-RSA-AES256-CCM');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;!aNULL;+3DES;-DHE');
SELECT * FROM ssl_cipher_policy_check('@SECLEVEL=2');
SELECT * FROM ssl_cipher_policy_check('HIGH');
SELECT * FROM ssl_cipher_policy_check('DHE');
-- empty entries: ";;", a leading ';', a lone ';', two trailing
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;;DHE-RSA-AES256-CCM');
SELECT * FROM ssl_cipher_policy_check(';DHE-RSA-AES128-CCM');
SELECT * FROM ssl_cipher_policy_check(';');
SELECT * FROM ssl_cipher_policy_check(';;');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;;');
-- unknown, misspelt, wrong letter case, IANA names
SELECT * FROM ssl_cipher_policy_check('NO-SUCH-SUITE');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-GCM-SHA265');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES-256-CCM');
SELECT * FROM ssl_cipher_policy_check('dhe-rsa-aes256-gcm-sha384');
SELECT * FROM ssl_cipher_policy_check('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256');
SELECT * FROM ssl_cipher_policy_check('tls_dhe_rsa_with_aes_256_ccm');
-- TLS 1.3 suites are not governed by ssl_ciphers
SELECT * FROM ssl_cipher_policy_check('TLS_AES_256_GCM_SHA384');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;TLS_CHACHA20_POLY1305_SHA256');
-- suites OpenSSL knows that the allowlist does not hold
SELECT * FROM ssl_cipher_policy_check('ECDHE-RSA-AES128-GCM-SHA256');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;AES128-SHA;NULL-SHA256');
-- ALL mixed with names, or not alone
SELECT * FROM ssl_cipher_policy_check('ALL;DHE-RSA-AES128-CCM');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;all');
SELECT * FROM ssl_cipher_policy_check('ALL;');
-- white space around names: no trimming
SELECT * FROM ssl_cipher_policy_check(' DHE-RSA-AES128-CCM');
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM ;DHE-RSA-AES256-CCM');
-- bytes outside printable ASCII
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCMé');
SELECT * FROM ssl_cipher_policy_check(E'DHE-RSA-AES128-CCM\n');
SELECT * FROM ssl_cipher_policy_check(E'DHE-RSA-AES128-CCM;\tDHE-RSA-AES256-CCM');
-- absurdly long: one huge entry (shown cut), or more entries than suites
SELECT position, length(entry) AS entry_length, ok, detail
FROM ssl_cipher_policy_check(repeat('A', 100000));
SELECT position, length(entry) AS entry_length, ok, detail
FROM ssl_cipher_policy_check(repeat('é', 1000));
SELECT * FROM ssl_cipher_policy_check(repeat('DHE-RSA-AES128-CCM;', 100000));
SELECT count(*) FROM ssl_cipher_policy_check(repeat(';', 1000000));
-- STRICT
SELECT * FROM ssl_cipher_policy_check(NULL);

-- ssl_supported_ciphers(): every suite the linked OpenSSL can use.
SELECT name, iana_name, protocol, kx, auth, enc, mac, bits, strength, allowed
FROM ssl_supported_ciphers()
WHERE allowed OR name IN ('ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_256_GCM_SHA384')
ORDER BY name;
-- The allowed suites are exactly the allowlist; none is TLS 1.3 (from 18 the
-- TLS 1.3 allowlist is allowed too: expected/cipher_policy_1.out).
SELECT string_agg(name, ';' ORDER BY name) = (
         SELECT string_agg(x, ';' ORDER BY x)
         FROM unnest(string_to_array(current_setting('sslinfo_ext.allowed_ciphers'), ';')) AS x)
       AS allowed_is_the_allowlist,
       bool_and(protocol <> 'TLSv1.3') AS none_is_tls13
FROM ssl_supported_ciphers() WHERE allowed;
-- Names are unique, and so are IANA names; TLS 1.3 suites have no
-- strength class.
SELECT count(*) = count(DISTINCT name) AS names_unique,
       count(iana_name) = count(DISTINCT iana_name) AS iana_unique,
       count(*) FILTER (WHERE protocol = 'TLSv1.3' AND strength IS NOT NULL) AS tls13_with_strength,
       count(*) > 50 AS many_suites
FROM ssl_supported_ciphers();
-- "offered" follows the server's ssl_ciphers (here PostgreSQL's default,
-- as the cluster does not preload sslinfo_ext): the four DHE suites are
-- HIGH, so offered; so is ECDHE (not allowed, but nothing enforces the
-- allowlist without preloading).
SELECT name, allowed, offered FROM ssl_supported_ciphers()
WHERE allowed OR name = 'ECDHE-RSA-AES128-GCM-SHA256' ORDER BY name;
-- Roles that may not read ssl_ciphers see "offered" as NULL; the rest is
-- public.
CREATE ROLE regress_cipher_reader;
SET ROLE regress_cipher_reader;
-- (the SQLSTATE only: the message's wording changed in 16)
\set VERBOSITY sqlstate
SHOW ssl_ciphers;
\set VERBOSITY default
SELECT name, allowed, offered FROM ssl_supported_ciphers() WHERE allowed ORDER BY name;
SELECT * FROM ssl_cipher_policy_check('DHE-RSA-AES128-GCM-SHA256;FOO');
RESET ROLE;
GRANT pg_read_all_settings TO regress_cipher_reader;
SET ROLE regress_cipher_reader;
SELECT count(*) AS offered_allowed FROM ssl_supported_ciphers() WHERE allowed AND offered;
RESET ROLE;
DROP ROLE regress_cipher_reader;
