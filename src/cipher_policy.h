/*-------------------------------------------------------------------------
 *
 * cipher_policy.h
 *	  The openGauss cipher rule enforced on PostgreSQL's own ssl_ciphers.
 *
 * With sslinfo_ext in shared_preload_libraries and
 * sslinfo_ext.cipher_policy on (the default), ssl_ciphers must be "ALL" or
 * suite names from sslinfo_ext.allowed_ciphers separated by ';'.  A check
 * hook on ssl_ciphers (chained after any hook already there) validates
 * every way of setting it: postgresql.conf at start (the value read before
 * the library loaded is validated at load; an invalid one is FATAL, the
 * built-in default is taken as "ALL"), reload (an invalid value is refused
 * and the previous one stays in force) and ALTER SYSTEM (an ERROR).  "ALL"
 * is replaced by the allowlist, so PostgreSQL builds its SSL context from
 * exactly the allowed suites and SHOW ssl_ciphers shows them.  Each time
 * the SSL context is (re)built, client-compatibility problems and the TLS
 * 1.3 bypass are logged as WARNINGs.
 *
 * Contract:
 * - cipher_policy_init() is called once from _PG_init, before
 *   MarkGUCPrefixReserved("sslinfo_ext").  It always defines the settings;
 *   it installs hooks only while shared_preload_libraries is processed.
 * - Both settings are restart-only (PGC_POSTMASTER) when preloaded: the
 *   rule itself cannot change under a running server, so a value of
 *   ssl_ciphers once accepted stays valid until the next start.  Without
 *   preloading (PostgreSQL allows no PGC_POSTMASTER settings then) they
 *   are PGC_SIGHUP and only feed the SQL functions.
 * - cipher_policy_conforms() returns true, or false with *problem set to a
 *   palloc'd one-line message naming the first bad entry and its
 *   position.  It applies the rule whether or not the policy is on.
 * - sslinfo_ext.cipher_policy = warn (rollout): every check is made as
 *   with on, but a value on would refuse is only reported (WARNING) and
 *   applied as PostgreSQL reads it; an invalid allowlist at start is a
 *   WARNING (the default list stays).  A conforming value is applied as
 *   with on ("ALL" expanded), except that PostgreSQL's untouched built-in
 *   default stays as it is, so preloading in warn mode changes nothing.
 * - cipher_policy_is_on(): the check hook is installed (preloaded) and
 *   sslinfo_ext.cipher_policy is on (the policy is enforced).
 * - cipher_policy_is_checking(): the hook is installed and the setting
 *   is on or warn.
 * - cipher_policy_tls13_bypass(): the policy is on or warn, does not
 *   govern ssl_tls13_ciphers (before 18), and
 *   ssl_max_protocol_version lets clients negotiate TLS 1.3, whose suites
 *   ssl_ciphers does not govern.
 * - PostgreSQL 18+: the same check hook, in the same style, on
 *   ssl_tls13_ciphers against sslinfo_ext.allowed_tls13_ciphers (TLS 1.3
 *   names separated by ':'; the untouched default "" stands for the whole
 *   allowlist).  cipher_policy_tls13_governed(): that hook is installed and
 *   the policy is on or warn; then TLS 1.3 does not bypass the policy.
 *   cipher_policy_tls13_conforms() is cipher_policy_conforms() for a value
 *   of ssl_tls13_ciphers, judging "" (PostgreSQL's default, left alone by
 *   warn) as the OpenSSL default suites it leaves in force, which
 *   cipher_policy_tls13_in_force() returns.  On 15-17 neither setting nor hook exists.
 * - cipher_policy_allows(): the suite is in the allowlist in force for its
 *   protocol (TLS 1.3 suites: sslinfo_ext.allowed_tls13_ciphers), preloaded
 *   or not; for ssl_supported_ciphers() (cipher_catalog.c).
 * - cipher_policy_candidate(): a candidate value as ALTER SYSTEM would take
 *   it (the hook's ERROR when on, its WARNING when warn, "ALL" expanded);
 *   for the dry run (dry_run.c).
 * - Nothing here raises an ERROR in the postmaster.
 * - Settings are read through server_settings, the GUC records of
 *   ssl_ciphers and ssl_tls13_ciphers are reached only through
 *   guc_records, and the server certificate (whose key type the
 *   compatibility warnings name) only through tls_files.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cipher_policy.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_CIPHER_POLICY_H
#define SSLINFO_EXT_CIPHER_POLICY_H

#include <openssl/ssl.h>

extern void cipher_policy_init(void);
extern bool cipher_policy_conforms(const char *value, char **problem);
extern bool cipher_policy_is_on(void);
extern bool cipher_policy_is_checking(void);
extern bool cipher_policy_tls13_bypass(void);
extern bool cipher_policy_tls13_governed(void);
extern bool cipher_policy_tls13_conforms(const char *value, char **problem);
extern const char *cipher_policy_tls13_in_force(const char *value);
extern bool cipher_policy_allows(const SSL_CIPHER *suite);
extern char *cipher_policy_candidate(const char *parameter, const char *value);

#endif							/* SSLINFO_EXT_CIPHER_POLICY_H */
