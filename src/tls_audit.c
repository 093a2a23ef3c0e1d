/*-------------------------------------------------------------------------
 *
 * tls_audit.c
 *	  ssl_config_audit(): one row per TLS hardening check.
 *
 * Severity: "error" when something is broken or plainly insecure (TLS off,
 * an expired or mismatched certificate, a key others can read, a stale CRL
 * that makes OpenSSL reject every client certificate, remote trust or
 * clear-text password logins, protocols below TLS 1.2, ssl_ciphers outside
 * the policy, MD5 password hashing); "warning" for hardening the seed
 * recommends but a working server may lack (client-certificate
 * verification, CRLs, require_ssl, ...), and for checks that could not be
 * made (a passphrase-protected key, pg_hba.conf not readable by the
 * caller).
 *
 * Contract (tls_audit.h shares the checks with tls_benchmarks.c, which
 * judges benchmark items by them):
 * - ssl_config_audit() returns one row per check, always the same checks
 *   in the same order: (check_name, status, detail, hint, benchmark_refs),
 *   status one of "ok", "warning", "error"; hint is NULL exactly when
 *   status is "ok"; benchmark_refs names the benchmark items the check
 *   gives evidence for (tls_benchmarks.c).
 * - It reads only the configured files (through tls_files), the settings
 *   (through server_settings), and the pg_hba.conf rules through
 *   PostgreSQL's pg_hba_file_rules view, with the caller's privileges: a
 *   caller who may not read that view gets "warning" rows saying so for
 *   the pg_hba.conf checks.
 * - A private key protected by a passphrase is reported, never decrypted:
 *   nothing here prompts or runs ssl_passphrase_command.
 * - Never ereports for file content or unreadable files (they are rows).
 * - Details and hints are English sentences; a count picks its singular or
 *   plural sentence through ngettext() (no text domain is bound, so nothing
 *   is translated: see errmsg_expiry() in cert_lifecycle.c).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_audit.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "cert_lifecycle.h"
#include "cipher_policy.h"
#include "require_ssl.h"
#include "server_settings.h"
#include "sni_hosts.h"
#include "tls_audit.h"
#include "tls_files.h"
#include "tls_groups.h"

/* One pg_hba.conf rule, as pg_hba_file_rules shows it */
typedef struct HbaRule
{
	char	   *where;			/* "line 12" (or "file:line 12" from 16 on) */
	char	   *type;
	char	   *database;
	char	   *user_name;
	char	   *address;		/* NULL for "local" lines */
	char	   *netmask;
	char	   *auth_method;
	char	   *options;		/* space-separated, "" when none */
} HbaRule;

const char *const audit_status_names[] = {"ok", "warning", "error"};

/* How a hint on a file-reading problem reads */
#define HINT_CERT_FILE	"Point ssl_cert_file at a readable PEM file holding the server certificate followed by its chain, then reload."

static AuditResult
result(AuditStatus status, char *detail, const char *hint)
{
	AuditResult r;

	r.status = status;
	r.detail = detail;
	r.hint = (status == AUDIT_OK || hint == NULL) ? NULL : pstrdup(hint);
	return r;
}

/* A protocol-version setting for a detail text: quoted, "" explained */
static char *
protocol_setting_text(const char *name, const char *empty_means)
{
	const char *value = server_setting(name);

	if (value[0] == '\0')
		return psprintf("%s = '' (%s)", name, empty_means);
	return psprintf("%s = '%s'", name, value);
}

/* --- TLS on ------------------------------------------------------------ */

static AuditResult
check_ssl_enabled(void)
{
	if (server_setting_is("ssl", "on"))
		return result(AUDIT_OK, pstrdup("ssl is on."), NULL);
	return result(AUDIT_ERROR,
				  pstrdup("ssl is off: the server accepts no TLS connections."),
				  "Set ssl = on, with ssl_cert_file and ssl_key_file naming the server certificate and key, and reload.");
}

/* --- the server certificate ------------------------------------------- */

/*
 * ssl_cert_file as tls_files_server_certs() read it, once for the checks
 * that look at it
 */
typedef struct ServerCertFile
{
	bool		ok;				/* read whole; else problem says why */
	List	   *certs;			/* leaf first; may hold a leaf when !ok */
	TlsFileProblem problem;
} ServerCertFile;

/*
 * A clause as a sentence, with a full stop; "the ..." capitalized (a
 * clause may also begin with a setting's name, which keeps its case)
 */
static char *
sentence(char *clause)
{
	if (strncmp(clause, "the ", 4) == 0)
		clause[0] = 'T';
	return psprintf("%s.", clause);
}

static AuditResult
check_server_cert_expiry(const ServerCertFile *file)
{
	TlsFileCert *first = NULL;
	TimestampTz now = GetCurrentTimestamp();
	int			window_days = cert_expiry_warning_days;
	CertDates	dates;
	ListCell   *lc;

	if (!file->ok)
		return result(AUDIT_ERROR, tls_file_problem_text(&file->problem), HINT_CERT_FILE);

	/* the certificate of the file (leaf or chain) that expires first */
	foreach(lc, file->certs)
	{
		TlsFileCert *cert = lfirst(lc);

		dates = tls_files_judge_dates(&cert->summary, now, window_days);
		if (dates == CERT_DATES_UNREADABLE)
			return result(AUDIT_ERROR,
						  sentence(tls_files_dates_clause(cert, dates, " in ssl_cert_file", window_days)),
						  HINT_CERT_FILE);
		if (dates == CERT_DATES_NOT_YET_VALID)
			return result(AUDIT_ERROR,
						  sentence(tls_files_dates_clause(cert, dates, " in ssl_cert_file", window_days)),
						  "Check the server clock, or install a certificate that is valid now.");
		if (first == NULL || cert->summary.not_after < first->summary.not_after)
			first = cert;
	}

	dates = tls_files_judge_dates(&first->summary, now, window_days);
	if (dates == CERT_DATES_EXPIRED)
		return result(AUDIT_ERROR,
					  sentence(tls_files_dates_clause(first, dates, " in ssl_cert_file", window_days)),
					  "Install a renewed certificate in the file named by ssl_cert_file and reload.");
	if (dates == CERT_DATES_EXPIRING)
		return result(AUDIT_WARNING,
					  sentence(tls_files_dates_clause(first, dates, " in ssl_cert_file", window_days)),
					  "Renew the certificate before it expires, install it in the file named by ssl_cert_file and reload.");
	return result(AUDIT_OK,
				  psprintf(ngettext("%d certificate in ssl_cert_file: \"%s\", valid until %s.",
									"%d certificates in ssl_cert_file; the first to expire, \"%s\", is valid until %s.",
									list_length(file->certs)),
						   list_length(file->certs),
						   first->summary.subject ? first->summary.subject : "",
						   timestamptz_to_str(first->summary.not_after)),
				  NULL);
}

static AuditResult
check_server_key_match(const ServerCertFile *file)
{
	/* a broken chain still leaves the leaf, which is what the key matches */
	TlsFileCert *leaf = file->certs != NIL ? linitial(file->certs) : NULL;
	TlsFileProblem problem;
	TlsKeyCheck check;

	if (leaf == NULL && file->problem.saved_errno != 0)
		return result(AUDIT_ERROR, tls_file_problem_text(&file->problem), HINT_CERT_FILE);
	if (leaf == NULL || leaf->cert == NULL)
		return result(AUDIT_ERROR,
					  psprintf("ssl_cert_file \"%s\" holds no readable certificate.",
							   server_setting("ssl_cert_file")),
					  HINT_CERT_FILE);

	check = tls_files_check_key("ssl_key_file", server_setting("ssl_key_file"),
								leaf->cert, &problem);
	if (check != TLS_KEY_MATCHES)
	{
		char	   *what = sentence(tls_files_key_clause(check, "ssl_key_file",
														 server_setting("ssl_key_file"),
														 "ssl_cert_file",
														 server_setting("ssl_cert_file"),
														 &problem));

		switch (check)
		{
			case TLS_KEY_MATCHES:
				break;
			case TLS_KEY_UNREADABLE:
				return result(AUDIT_ERROR, what,
							  "Point ssl_key_file at the readable PEM private key of the server certificate, then reload.");
			case TLS_KEY_PASSPHRASE:
				return result(AUDIT_WARNING, what,
							  "Compare the two by hand: \"openssl x509 -noout -pubkey -in CERT\" and \"openssl pkey -pubout -in KEY\" must print the same key.");
			case TLS_KEY_MISSING:
				return result(AUDIT_ERROR, what,
							  "Point ssl_key_file at the PEM private key of the server certificate, then reload.");
			case TLS_KEY_MISMATCH:
				return result(AUDIT_ERROR, what,
							  "Install the key that was issued with the certificate (or the certificate issued for the key); a reload with a mismatched pair fails.");
		}
	}
	return result(AUDIT_OK,
				  pstrdup("The private key belongs to the server certificate."),
				  NULL);
}

/* PostgreSQL's own rule for ssl_key_file (tls_files_key_permissions()) */
static AuditResult
check_server_key_permissions(void)
{
	char	   *sentence;

	if (tls_files_key_permissions("ssl_key_file", server_setting("ssl_key_file"),
								  &sentence))
		return result(AUDIT_OK, sentence, NULL);
	return result(AUDIT_ERROR, sentence,
				  "Make the key owned by the server's operating-system user with mode 0600 (chmod 0600), or by root with mode 0640 and the server's group, then reload.");
}

/* --- client certificate verification ----------------------------------- */

static AuditResult
check_ca_configured(void)
{
	List	   *certs;
	TlsFileProblem problem;
	TimestampTz now = GetCurrentTimestamp();
	ListCell   *lc;

	if (server_setting("ssl_ca_file")[0] == '\0')
		return result(AUDIT_WARNING,
					  pstrdup("ssl_ca_file is not set: client certificates cannot be verified, so bidirectional authentication is not possible."),
					  "Set ssl_ca_file to a file of the certificates of the CAs that issue client certificates, reload, and require client certificates in pg_hba.conf (cert, or clientcert=verify-full).");
	if (!tls_files_ca_certs(&certs, &problem))
		return result(AUDIT_ERROR, tls_file_problem_text(&problem),
					  "Point ssl_ca_file at a readable PEM file of CA certificates, then reload.");
	foreach(lc, certs)
	{
		TlsFileCert *cert = lfirst(lc);

		if (cert->summary.has_validity && cert->summary.not_after <= now)
			return result(AUDIT_ERROR,
						  psprintf("The CA certificate \"%s\" in ssl_ca_file expired at %s: client certificates it issued no longer verify.",
								   cert->summary.subject ? cert->summary.subject : "",
								   timestamptz_to_str(cert->summary.not_after)),
						  "Replace the expired CA certificate in ssl_ca_file and reload.");
	}
	return result(AUDIT_OK,
				  psprintf(ngettext("ssl_ca_file \"%s\" holds %d CA certificate.",
									"ssl_ca_file \"%s\" holds %d CA certificates.",
									list_length(certs)),
						   server_setting("ssl_ca_file"), list_length(certs)),
				  NULL);
}

static AuditResult
check_crl_configured(void)
{
	List	   *crls;
	TlsFileProblem problem;
	TimestampTz now = GetCurrentTimestamp();
	TlsFileCrl *next_due = NULL;
	ListCell   *lc;
	const char *hint_refresh = "Install the CA's current CRL in the file named by ssl_crl_file (or in ssl_crl_dir) and reload; renew it before its next update.";

	if (server_setting("ssl_crl_file")[0] == '\0' &&
		server_setting("ssl_crl_dir")[0] == '\0')
		return result(AUDIT_WARNING,
					  pstrdup("Neither ssl_crl_file nor ssl_crl_dir is set: revoked client certificates are still accepted."),
					  "Set ssl_crl_file (or ssl_crl_dir) to the CRL of the CA that issues client certificates, and reload.");
	if (!tls_files_crls(&crls, &problem))
		return result(AUDIT_ERROR, tls_file_problem_text(&problem),
					  "Point ssl_crl_file / ssl_crl_dir at readable PEM CRLs, then reload.");
	if (crls == NIL)
		return result(AUDIT_WARNING,
					  psprintf("ssl_crl_dir \"%s\" holds no CRL.", server_setting("ssl_crl_dir")),
					  "Put the CA's CRL in ssl_crl_dir (and run \"openssl rehash\" on it), or set ssl_crl_file.");
	foreach(lc, crls)
	{
		TlsFileCrl *crl = lfirst(lc);

		if (crl->has_next_update && crl->next_update < now)
			return result(AUDIT_ERROR,
						  psprintf("The CRL of \"%s\" in \"%s\" is stale: its next update was due at %s, and OpenSSL rejects client certificates checked against an expired CRL.",
								   crl->issuer ? crl->issuer : "", crl->source,
								   timestamptz_to_str(crl->next_update)),
						  hint_refresh);
		if (crl->has_next_update &&
			(next_due == NULL || crl->next_update < next_due->next_update))
			next_due = crl;
	}
	if (next_due == NULL)
		return result(AUDIT_OK,
					  psprintf(ngettext("%d CRL configured, without a next update date.",
										"%d CRLs configured, none with a next update date.",
										list_length(crls)),
							   list_length(crls)),
					  NULL);
	return result(AUDIT_OK,
				  psprintf(ngettext("%d CRL configured; its next update is due at %s (\"%s\").",
									"%d CRLs configured; the next update is due at %s (\"%s\").",
									list_length(crls)),
						   list_length(crls),
						   timestamptz_to_str(next_due->next_update),
						   next_due->source),
				  NULL);
}

/* --- ciphers and protocols --------------------------------------------- */

/*
 * Whether ssl_ciphers conforms is checked whether or not the policy is
 * enforced: with enforcement off a conforming value is only a warning (the
 * next change is not checked), a value outside the policy an error.
 */
static AuditResult
check_cipher_policy(void)
{
	const char *ciphers = server_setting("ssl_ciphers");
	char	   *problem = NULL;

	if (!cipher_policy_conforms(ciphers, &problem))
		return result(AUDIT_ERROR,
					  psprintf("ssl_ciphers = '%s' does not conform to the cipher policy: %s",
							   ciphers, problem ? problem : "unknown problem."),
					  "Set ssl_ciphers to 'ALL' or to ';'-separated suites from sslinfo_ext.allowed_ciphers, with sslinfo_ext.cipher_policy = on, and reload.");
	if (!cipher_policy_is_on() && cipher_policy_is_checking())
		return result(AUDIT_WARNING,
					  psprintf("ssl_ciphers = '%s' conforms to the cipher policy, but the policy is not enforced (sslinfo_ext.cipher_policy = warn only reports values it would refuse).",
							   ciphers),
					  "Set sslinfo_ext.cipher_policy = on and restart once no value it would refuse is reported.");
	if (!cipher_policy_is_on())
		return result(AUDIT_WARNING,
					  psprintf("ssl_ciphers = '%s' conforms to the cipher policy, but the policy is not enforced (sslinfo_ext.cipher_policy is off or sslinfo_ext is not preloaded).",
							   ciphers),
					  "Set sslinfo_ext.cipher_policy = on with sslinfo_ext in shared_preload_libraries.");
	return result(AUDIT_OK,
				  psprintf("ssl_ciphers = '%s' conforms to the cipher policy, which is enforced.",
						   ciphers),
				  NULL);
}

static AuditResult
check_tls13_bypass(void)
{
	if (cipher_policy_tls13_governed())
	{
		const char *setting = server_setting("ssl_tls13_ciphers");

		/* "" leaves OpenSSL's own list in force: say which */
		char	   *tls13 = setting[0] ? psprintf("'%s'", setting) :
		psprintf("'' (OpenSSL's default suites %s)",
				 cipher_policy_tls13_in_force(setting));
		char	   *problem = NULL;

		if (!cipher_policy_tls13_conforms(setting, &problem))
			return result(AUDIT_ERROR,
						  psprintf("ssl_tls13_ciphers = %s does not conform to the cipher policy: %s",
								   tls13, problem ? problem : "unknown problem."),
						  "Set ssl_tls13_ciphers to ':'-separated suites from sslinfo_ext.allowed_tls13_ciphers, and reload.");
		return result(AUDIT_OK,
					  psprintf("TLS 1.3 sessions are held to the cipher policy too: ssl_tls13_ciphers = %s conforms to sslinfo_ext.allowed_tls13_ciphers.",
							   tls13),
					  NULL);
	}
	if (cipher_policy_tls13_bypass())
		return result(AUDIT_WARNING,
					  psprintf("%s allows TLS 1.3, whose cipher suites ssl_ciphers does not govern: TLS 1.3 sessions bypass the cipher policy.",
							   protocol_setting_text("ssl_max_protocol_version", "no maximum")),
					  "Set ssl_max_protocol_version = 'TLSv1.2' if the policy must hold for every session, and reload.");
	if (!cipher_policy_is_checking())
		return result(AUDIT_OK,
					  pstrdup("The cipher policy is off, so there is nothing for TLS 1.3 to bypass."),
					  NULL);
	return result(AUDIT_OK,
				  psprintf("%s: TLS 1.3 cannot be negotiated, so every session uses a suite of ssl_ciphers.",
						   protocol_setting_text("ssl_max_protocol_version", "no maximum")),
				  NULL);
}

static AuditResult
check_min_protocol(void)
{
	const char *min = server_setting("ssl_min_protocol_version");

	if (pg_strcasecmp(min, "TLSv1.2") == 0 || pg_strcasecmp(min, "TLSv1.3") == 0)
		return result(AUDIT_OK,
					  psprintf("ssl_min_protocol_version = '%s'.", min),
					  NULL);
	return result(AUDIT_ERROR,
				  psprintf("%s admits protocol versions older than TLS 1.2, which RFC 8996 deprecates.",
						   protocol_setting_text("ssl_min_protocol_version", "any version")),
				  "Set ssl_min_protocol_version = 'TLSv1.2' (or 'TLSv1.3') and reload.");
}

/*
 * Whether TLS 1.2 can be negotiated under ssl_min_protocol_version and
 * ssl_max_protocol_version ("" means no bound)
 */
static bool
tls12_allowed(void)
{
	const char *min = server_setting("ssl_min_protocol_version");
	const char *max = server_setting("ssl_max_protocol_version");

	if (pg_strcasecmp(min, "TLSv1.3") == 0)
		return false;
	if (pg_strcasecmp(max, "TLSv1") == 0 || pg_strcasecmp(max, "TLSv1.1") == 0)
		return false;
	return true;
}

/*
 * The TLS 1.2 suites of ssl_ciphers, as OpenSSL expands it, whose key
 * exchange is finite-field Diffie-Hellman or RSA (with or without PSK):
 * the key exchanges draft-ietf-tls-deprecate-obsolete-kex deprecates.
 * Returns how many there are, with their names in names; -1 if OpenSSL
 * rejects the value.
 */
static int
obsolete_kex_suites(const char *ciphers, StringInfo names)
{
	SSL_CTX    *ctx = SSL_CTX_new(TLS_server_method());
	STACK_OF(SSL_CIPHER) *suites;
	int			n = 0;

	initStringInfo(names);
	if (ctx == NULL || SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
	{
		ERR_clear_error();
		if (ctx)
			SSL_CTX_free(ctx);
		return -1;
	}
	suites = SSL_CTX_get_ciphers(ctx);
	for (int i = 0; i < sk_SSL_CIPHER_num(suites); i++)
	{
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(suites, i);
		int			kx = SSL_CIPHER_get_kx_nid(c);

		if (kx != NID_kx_dhe && kx != NID_kx_rsa &&
			kx != NID_kx_dhe_psk && kx != NID_kx_rsa_psk)
			continue;
		if (names->len > 0)
			appendStringInfoString(names, ", ");
		appendStringInfoString(names, SSL_CIPHER_get_name(c));
		n++;
	}
	SSL_CTX_free(ctx);
	return n;
}

static AuditResult
check_tls12_key_exchange(void)
{
	const char *ciphers = server_setting("ssl_ciphers");
	StringInfoData names;
	int			n;

	if (!tls12_allowed())
		return result(AUDIT_OK,
					  psprintf("%s: TLS 1.2 cannot be negotiated, so no TLS 1.2 key exchange is in force.",
							   protocol_setting_text("ssl_min_protocol_version", "any version")),
					  NULL);
	n = obsolete_kex_suites(ciphers, &names);
	if (n < 0)
		return result(AUDIT_ERROR,
					  psprintf("OpenSSL accepts no cipher suite from ssl_ciphers = '%s'.", ciphers),
					  "Set ssl_ciphers to a value OpenSSL accepts, and reload.");
	if (n == 0)
		return result(AUDIT_OK,
					  psprintf("TLS 1.2 is allowed, and no cipher suite of ssl_ciphers = '%s' uses finite-field DHE or RSA key exchange.",
							   ciphers),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf(ngettext("TLS 1.2 is allowed (%s), and %d cipher suite of ssl_ciphers = '%s' uses finite-field DHE or RSA key exchange, which draft-ietf-tls-deprecate-obsolete-kex deprecates in TLS 1.2: %s.",
									"TLS 1.2 is allowed (%s), and %d cipher suites of ssl_ciphers = '%s' use finite-field DHE or RSA key exchange, which draft-ietf-tls-deprecate-obsolete-kex deprecates in TLS 1.2: %s.",
									n),
						   protocol_setting_text("ssl_min_protocol_version", "any version"),
						   n, ciphers, names.data),
				  "Allow TLS 1.3 only (ssl_min_protocol_version = 'TLSv1.3'), or keep TLS 1.2 with ECDHE suites only, such as the openGauss 3.0 allowlist's ECDHE suites in sslinfo_ext.allowed_ciphers and ssl_ciphers; then reload.");
}

/* --- pg_hba.conf --------------------------------------------------------- */

/* Number of leading one bits of a netmask, or -1 if it is not one */
static int
netmask_prefix(const unsigned char *mask, int len)
{
	int			bits = 0;
	int			i = 0;

	for (; i < len && mask[i] == 0xff; i++)
		bits += 8;
	if (i < len)
	{
		unsigned char b = mask[i];

		while (b & 0x80)
		{
			bits++;
			b <<= 1;
		}
		if (b != 0)
			return -1;
		for (i++; i < len; i++)
			if (mask[i] != 0)
				return -1;
	}
	return bits;
}

/*
 * Can a client on another machine match this TCP rule?  Only rules
 * confined to the loopback network (127.0.0.0/8, ::1), "samehost" and the
 * host name "localhost" cannot.
 */
static bool
hba_rule_is_remote(const HbaRule *rule)
{
	unsigned char addr[16];
	unsigned char mask[16];

	if (rule->address == NULL)
		return true;
	if (strcmp(rule->address, "samehost") == 0 ||
		strcmp(rule->address, "localhost") == 0)
		return false;
	if (inet_pton(AF_INET, rule->address, addr) == 1)
	{
		int			prefix = 32;

		if (rule->netmask && inet_pton(AF_INET, rule->netmask, mask) == 1)
			prefix = netmask_prefix(mask, 4);
		return !(addr[0] == 127 && prefix >= 8);
	}
	if (inet_pton(AF_INET6, rule->address, addr) == 1)
	{
		static const unsigned char loopback[16] = {[15] = 1};
		int			prefix = 128;

		if (rule->netmask && inet_pton(AF_INET6, rule->netmask, mask) == 1)
			prefix = netmask_prefix(mask, 16);
		return !(memcmp(addr, loopback, 16) == 0 && prefix == 128);
	}
	return true;				/* all, samenet, other host names */
}

static char *
hba_rule_text(const HbaRule *rule)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%s (%s %s %s", rule->where, rule->type,
					 rule->database, rule->user_name);
	if (rule->address)
		appendStringInfo(&buf, " %s", rule->address);
	if (rule->netmask)
	{
		unsigned char mask[16];
		int			prefix = -1;

		if (inet_pton(AF_INET, rule->netmask, mask) == 1)
			prefix = netmask_prefix(mask, 4);
		else if (inet_pton(AF_INET6, rule->netmask, mask) == 1)
			prefix = netmask_prefix(mask, 16);
		if (prefix >= 0)
			appendStringInfo(&buf, "/%d", prefix);
		else
			appendStringInfo(&buf, " %s", rule->netmask);
	}
	appendStringInfo(&buf, " %s", rule->auth_method);
	if (rule->options[0] != '\0')
		appendStringInfo(&buf, " %s", rule->options);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

static char *
copy_value(SPITupleTable *tuptable, HeapTuple tuple, int col,
		   MemoryContext cxt)
{
	char	   *value = SPI_getvalue(tuple, tuptable->tupdesc, col);

	return value ? MemoryContextStrdup(cxt, value) : NULL;
}

/* May the caller read pg_hba_file_rules (the view and its function)? */
static bool
may_read_hba_rules(void)
{
	/* both are superuser-only unless granted */
	if (SPI_execute("SELECT pg_catalog.has_table_privilege("
					"'pg_catalog.pg_hba_file_rules', 'SELECT') AND "
					"pg_catalog.has_function_privilege("
					"'pg_catalog.pg_hba_file_rules()', 'EXECUTE')",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not check the privilege on pg_hba_file_rules()");
	return strcmp(SPI_getvalue(SPI_tuptable->vals[0],
							   SPI_tuptable->tupdesc, 1), "t") == 0;
}

/*
 * One row of the rules query as an HbaRule in cxt, or NULL for a row that
 * is no rule (no type or method).
 */
static HbaRule *
hba_rule_from_row(SPITupleTable *tuptable, HeapTuple tuple, MemoryContext cxt)
{
	HbaRule    *rule = MemoryContextAllocZero(cxt, sizeof(HbaRule));

	rule->where = copy_value(tuptable, tuple, 1, cxt);
	rule->type = copy_value(tuptable, tuple, 2, cxt);
	rule->database = copy_value(tuptable, tuple, 3, cxt);
	rule->user_name = copy_value(tuptable, tuple, 4, cxt);
	rule->address = copy_value(tuptable, tuple, 5, cxt);
	rule->netmask = copy_value(tuptable, tuple, 6, cxt);
	rule->auth_method = copy_value(tuptable, tuple, 7, cxt);
	rule->options = copy_value(tuptable, tuple, 8, cxt);
	if (rule->type == NULL || rule->auth_method == NULL)
		return NULL;
	if (rule->database == NULL)
		rule->database = "";
	if (rule->user_name == NULL)
		rule->user_name = "";
	if (rule->options == NULL)
		rule->options = "";
	return rule;
}

/*
 * The rules of pg_hba.conf that parse, through pg_hba_file_rules with the
 * caller's privileges, and the lines that do not (*errors, NULL if none).
 * False when the caller may not read them.
 */
static bool
read_hba_rules(List **rules, char **errors)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	bool		allowed;

	/*
	 * Every function and operator is schema-qualified: this runs with the
	 * caller's search_path and privileges, and an unqualified name could
	 * resolve to an object any role with CREATE on a schema in that path
	 * planted (array_to_string(text[], text) and ||(text, integer) match
	 * better than pg_catalog's polymorphic versions).
	 */
	const char *query =
	"SELECT "
#if PG_VERSION_NUM >= 160000
	"coalesce(file_name OPERATOR(pg_catalog.||) ':', '') OPERATOR(pg_catalog.||) "
#endif
	"'line ' OPERATOR(pg_catalog.||) line_number, type, "
	"pg_catalog.array_to_string(database, ','), "
	"pg_catalog.array_to_string(user_name, ','), "
	"address, netmask, auth_method, "
	"coalesce(pg_catalog.array_to_string(options, ' '), ''), error "
	"FROM pg_catalog.pg_hba_file_rules";

	*rules = NIL;
	*errors = NULL;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	allowed = may_read_hba_rules();
	if (allowed)
	{
		if (SPI_execute(query, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read pg_hba_file_rules");
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			char	   *error = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 9);
			HbaRule    *rule;
			MemoryContext oldcxt;

			/* a line with an error is not a rule; say so in the details */
			if (error != NULL)
			{
				char	   *where = SPI_getvalue(tuple, SPI_tuptable->tupdesc, 1);

				*errors = MemoryContextStrdup(caller_cxt,
											  *errors == NULL ?
											  psprintf("%s: %s", where, error) :
											  psprintf("%s; %s: %s", *errors, where, error));
				continue;
			}
			rule = hba_rule_from_row(SPI_tuptable, tuple, caller_cxt);
			if (rule == NULL)
				continue;
			oldcxt = MemoryContextSwitchTo(caller_cxt);
			*rules = lappend(*rules, rule);
			MemoryContextSwitchTo(oldcxt);
		}
	}
	SPI_finish();
	return allowed;
}

/*
 * Lines with errors are not rules (and while pg_hba.conf has any, a reload
 * keeps the previous rules): name them in each pg_hba.conf check.
 */
static AuditResult
hba_note_errors(AuditResult r, const char *errors)
{
	if (errors != NULL)
		r.detail = psprintf("%s Lines with errors were not checked (%s).",
							r.detail, errors);
	return r;
}

static AuditResult
hba_unreadable(void)
{
	return result(AUDIT_WARNING,
				  pstrdup("The pg_hba.conf rules cannot be checked: the calling role may not read pg_hba_file_rules."),
				  "Run ssl_config_audit() as a superuser, or grant the role that runs it SELECT on pg_catalog.pg_hba_file_rules and EXECUTE on the function pg_catalog.pg_hba_file_rules().");
}

static bool
hba_admits(const HbaRule *rule)
{
	return strcmp(rule->auth_method, "reject") != 0;
}

static bool
hba_is_tcp(const HbaRule *rule)
{
	return strcmp(rule->type, "local") != 0;
}

/*
 * How many rules match; with lines (initialized here), their texts,
 * separated by "; ".
 */
static int
matching_rules(List *rules, bool (*matches) (const HbaRule *rule),
			   StringInfo lines)
{
	int			n = 0;
	ListCell   *lc;

	if (lines)
		initStringInfo(lines);
	foreach(lc, rules)
	{
		HbaRule    *rule = lfirst(lc);

		if (!matches(rule))
			continue;
		if (lines && lines->len > 0)
			appendStringInfoString(lines, "; ");
		if (lines)
			appendStringInfoString(lines, hba_rule_text(rule));
		n++;
	}
	return n;
}

/*
 * host or hostnossl, admitting remote clients (hostssl needs TLS,
 * hostgssenc GSSAPI encryption)
 */
static bool
admits_remote_without_tls(const HbaRule *rule)
{
	return (strcmp(rule->type, "host") == 0 ||
			strcmp(rule->type, "hostnossl") == 0) &&
		hba_admits(rule) && hba_rule_is_remote(rule);
}

static AuditResult
check_hba_non_tls_remote(List *rules)
{
	StringInfoData lines;
	int			n = matching_rules(rules, admits_remote_without_tls, &lines);

	if (n == 0)
		return result(AUDIT_OK,
					  pstrdup("No pg_hba.conf rule admits remote TCP clients without TLS."),
					  NULL);
	if (require_ssl_in_force())
		return result(AUDIT_OK,
					  psprintf(ngettext("%d pg_hba.conf rule would admit remote TCP clients without TLS, but sslinfo_ext.require_ssl refuses such connections: %s.",
										"%d pg_hba.conf rules would admit remote TCP clients without TLS, but sslinfo_ext.require_ssl refuses such connections: %s.",
										n),
							   n, lines.data),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf(ngettext("%d pg_hba.conf rule admits remote TCP clients without TLS: %s.",
									"%d pg_hba.conf rules admit remote TCP clients without TLS: %s.",
									n),
						   n, lines.data),
				  "Change these rules to hostssl (or reject), or set sslinfo_ext.require_ssl = on with sslinfo_ext in shared_preload_libraries, and reload.");
}

/* A remote TCP rule with trust or password (clear text), or with md5 */
static bool
admits_remote_clear_text(const HbaRule *rule)
{
	return hba_is_tcp(rule) && hba_rule_is_remote(rule) &&
		(strcmp(rule->auth_method, "trust") == 0 ||
		 strcmp(rule->auth_method, "password") == 0);
}

static bool
admits_remote_weakly(const HbaRule *rule)
{
	return admits_remote_clear_text(rule) ||
		(hba_is_tcp(rule) && hba_rule_is_remote(rule) &&
		 strcmp(rule->auth_method, "md5") == 0);
}

static AuditResult
check_hba_weak_auth(List *rules)
{
	StringInfoData lines;
	int			n = matching_rules(rules, admits_remote_weakly, &lines);
	bool		clear = matching_rules(rules, admits_remote_clear_text, NULL) > 0;

	if (n == 0)
		return result(AUDIT_OK,
					  pstrdup("No pg_hba.conf rule lets remote clients in with trust, password or md5."),
					  NULL);
	return result(clear ? AUDIT_ERROR : AUDIT_WARNING,
				  psprintf(ngettext("%d pg_hba.conf rule lets remote clients in with trust, password or md5: %s.",
									"%d pg_hba.conf rules let remote clients in with trust, password or md5: %s.",
									n),
						   n, lines.data),
				  "Use scram-sha-256 (or cert) for remote rules, with password_encryption = 'scram-sha-256' and passwords set again, and reload.");
}

/* A hostssl rule that admits without verifying a client certificate */
static bool
admits_unverified_client(const HbaRule *rule)
{
	char	   *options;
	char	   *token;
	char	   *saveptr = NULL;
	bool		verified = false;

	if (strcmp(rule->type, "hostssl") != 0 || !hba_admits(rule) ||
		strcmp(rule->auth_method, "cert") == 0)
		return false;
	options = pstrdup(rule->options);
	for (token = strtok_r(options, " ", &saveptr); token != NULL;
		 token = strtok_r(NULL, " ", &saveptr))
	{
		if (strcmp(token, "clientcert=verify-ca") == 0 ||
			strcmp(token, "clientcert=verify-full") == 0)
			verified = true;
	}
	pfree(options);
	return !verified;
}

static AuditResult
check_hba_no_client_cert(List *rules)
{
	StringInfoData lines;
	int			n = matching_rules(rules, admits_unverified_client, &lines);

	if (n == 0)
		return result(AUDIT_OK,
					  pstrdup("Every hostssl rule verifies the client certificate."),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf(ngettext("%d hostssl rule does not verify a client certificate: %s.",
									"%d hostssl rules do not verify a client certificate: %s.",
									n),
						   n, lines.data),
				  "Add clientcert=verify-full to these rules (or use the cert method), with ssl_ca_file set, and reload.");
}

/*
 * An oauth rule (18+) on host or hostnossl: the client sends its bearer
 * token during authentication, before sslinfo_ext.require_ssl could refuse
 * the connection, so only hostssl (or hostgssenc) keeps it encrypted.
 */
#if PG_VERSION_NUM >= 180000
static bool
oauth_without_tls(const HbaRule *rule)
{
	return (strcmp(rule->type, "host") == 0 ||
			strcmp(rule->type, "hostnossl") == 0) &&
		strcmp(rule->auth_method, "oauth") == 0;
}
#endif

static AuditResult
check_hba_oauth_without_tls(List *rules)
{
#if PG_VERSION_NUM < 180000
	return result(AUDIT_OK,
				  psprintf("PostgreSQL %s has no oauth authentication method (it comes with PostgreSQL 18).",
						   PG_MAJORVERSION),
				  NULL);
#else
	StringInfoData lines;
	int			n = matching_rules(rules, oauth_without_tls, &lines);

	if (n == 0)
		return result(AUDIT_OK,
					  pstrdup("No oauth rule in pg_hba.conf lets a bearer token travel without TLS."),
					  NULL);
	return result(AUDIT_ERROR,
				  psprintf(ngettext("%d oauth rule in pg_hba.conf is a host or hostnossl rule, so a client's bearer token can travel unencrypted (the server does not refuse it, and sslinfo_ext.require_ssl refuses a connection only after authentication): %s.",
									"%d oauth rules in pg_hba.conf are host or hostnossl rules, so a client's bearer token can travel unencrypted (the server does not refuse it, and sslinfo_ext.require_ssl refuses a connection only after authentication): %s.",
									n),
						   n, lines.data),
				  "Change these rules to hostssl, and reload.");
#endif
}

/* --- pg_hosts.conf (19, ssl_sni = on) ------------------------------------ */

static AuditResult
check_sni_hosts(void)
{
	return sni_hosts_audit(cert_expiry_warning_days);
}

/* --- key exchange and negotiation ---------------------------------------- */

/*
 * The key-exchange groups: ssl_groups from 18 (a list, the post-quantum
 * hybrids possible), ssl_ecdh_curve before (one curve).
 */
static AuditResult
check_key_exchange_groups(void)
{
#if PG_VERSION_NUM >= 180000
	const char *setting = "ssl_groups";
#else
	const char *setting = "ssl_ecdh_curve";
#endif
	return tls_groups_judge(setting, server_setting(setting));
}

/*
 * What decides the outcome of a negotiation: the server's order of
 * preference.  From 17 direct TLS negotiation and ALPN are always accepted
 * and have no setting; the detail says so rather than check nothing.
 */
static AuditResult
check_server_cipher_order(void)
{
	const char *later =
#if PG_VERSION_NUM >= 170000
	" Direct TLS negotiation (sslnegotiation=direct) and ALPN are accepted from PostgreSQL 17 on and have no server setting.";
#else
	"";
#endif

	if (server_setting_is("ssl_prefer_server_ciphers", "on"))
		return result(AUDIT_OK,
					  psprintf("ssl_prefer_server_ciphers = on: the server's order of its cipher suites decides the negotiation.%s",
							   later),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf("ssl_prefer_server_ciphers = off: each client picks, in its own order, among the suites the server allows.%s",
						   later),
				  "Set ssl_prefer_server_ciphers = on and reload, so that the order of ssl_ciphers holds.");
}

/* --- passwords and require_ssl ----------------------------------------- */

static AuditResult
check_password_encryption(void)
{
	const char *value = server_setting("password_encryption");

	if (pg_strcasecmp(value, "scram-sha-256") == 0)
		return result(AUDIT_OK,
					  pstrdup("password_encryption = 'scram-sha-256'."),
					  NULL);
	return result(AUDIT_ERROR,
				  psprintf("password_encryption = '%s': new passwords are stored as MD5 hashes.",
						   value),
				  "Set password_encryption = 'scram-sha-256', reload, and set the passwords again.");
}

static AuditResult
check_require_ssl(void)
{
	bool		on = server_setting_is("sslinfo_ext.require_ssl", "on");

	if (require_ssl_in_force())
		return result(AUDIT_OK,
					  pstrdup("sslinfo_ext.require_ssl is on: TCP connections without TLS are refused."),
					  NULL);
	if (on && !server_setting_is("ssl", "on"))
		return result(AUDIT_WARNING,
					  pstrdup("sslinfo_ext.require_ssl is on but has no effect, because ssl is off."),
					  "Set ssl = on and reload.");
	if (on)
		return result(AUDIT_WARNING,
					  pstrdup("sslinfo_ext.require_ssl is on but has no effect, because sslinfo_ext is not in shared_preload_libraries."),
					  "Add sslinfo_ext to shared_preload_libraries and restart the server.");
	return result(AUDIT_WARNING,
				  pstrdup("sslinfo_ext.require_ssl is off: pg_hba.conf alone decides whether TCP clients need TLS."),
				  "Set sslinfo_ext.require_ssl = on (with sslinfo_ext in shared_preload_libraries) and reload.");
}

/* --- FIPS ---------------------------------------------------------------- */

/*
 * Whether OpenSSL runs with FIPS default properties ("fips=yes", OpenSSL
 * 3) or in FIPS mode (before 3): then every algorithm the server fetches
 * comes from a FIPS provider.
 */
static AuditResult
check_fips_mode(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	if (EVP_default_properties_is_fips_enabled(NULL))
		return result(AUDIT_OK,
					  psprintf("%s runs with the FIPS default properties (fips=yes): the server's algorithms come from a FIPS provider.",
							   OpenSSL_version(OPENSSL_VERSION)),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf("%s runs without the FIPS default properties: the server's algorithms may come from providers that are not FIPS-validated.",
						   OpenSSL_version(OPENSSL_VERSION)),
				  "Install a FIPS provider and configure OpenSSL with \"default_properties = fips=yes\" (for example through the system's FIPS mode), then restart the server.");
#else
	if (FIPS_mode())
		return result(AUDIT_OK,
					  psprintf("%s runs in FIPS mode.",
							   OpenSSL_version(OPENSSL_VERSION)),
					  NULL);
	return result(AUDIT_WARNING,
				  psprintf("%s does not run in FIPS mode.",
						   OpenSSL_version(OPENSSL_VERSION)),
				  "Use a FIPS-validated OpenSSL in FIPS mode (for example through the system's FIPS mode), then restart the server.");
#endif
}

/* --- running every check ----------------------------------------------- */

static void
add_check(AuditCheck *checks, int *n, const char *name, AuditResult r)
{
	Assert(*n < AUDIT_MAX_CHECKS);
	checks[*n].name = name;
	checks[*n].status = r.status;
	checks[*n].detail = r.detail;
	checks[*n].hint = r.hint;
	(*n)++;
}

int
tls_audit_run(AuditCheck *checks)
{
	List	   *rules;
	char	   *hba_errors;
	bool		hba_readable;
	ServerCertFile cert_file;
	int			n = 0;

	hba_readable = read_hba_rules(&rules, &hba_errors);
	memset(&cert_file, 0, sizeof(cert_file));
	cert_file.ok = tls_files_server_certs(&cert_file.certs, &cert_file.problem);

	add_check(checks, &n, "ssl_enabled", check_ssl_enabled());
	add_check(checks, &n, "server_cert_expiry", check_server_cert_expiry(&cert_file));
	add_check(checks, &n, "server_key_match", check_server_key_match(&cert_file));
	add_check(checks, &n, "server_key_permissions", check_server_key_permissions());
	add_check(checks, &n, "sni_hosts", check_sni_hosts());
	add_check(checks, &n, "ca_configured", check_ca_configured());
	add_check(checks, &n, "crl_configured", check_crl_configured());
	add_check(checks, &n, "cipher_policy", check_cipher_policy());
	add_check(checks, &n, "tls13_bypass", check_tls13_bypass());
	add_check(checks, &n, "min_protocol", check_min_protocol());
	add_check(checks, &n, "tls12_key_exchange", check_tls12_key_exchange());
	add_check(checks, &n, "key_exchange_groups", check_key_exchange_groups());
	add_check(checks, &n, "server_cipher_order", check_server_cipher_order());
	add_check(checks, &n, "hba_non_tls_remote",
			  hba_readable ?
			  hba_note_errors(check_hba_non_tls_remote(rules), hba_errors) :
			  hba_unreadable());
	add_check(checks, &n, "hba_weak_auth",
			  hba_readable ?
			  hba_note_errors(check_hba_weak_auth(rules), hba_errors) :
			  hba_unreadable());
	add_check(checks, &n, "hba_no_client_cert",
			  hba_readable ?
			  hba_note_errors(check_hba_no_client_cert(rules), hba_errors) :
			  hba_unreadable());
#if PG_VERSION_NUM >= 180000
	add_check(checks, &n, "hba_oauth_without_tls",
			  hba_readable ?
			  hba_note_errors(check_hba_oauth_without_tls(rules), hba_errors) :
			  hba_unreadable());
#else
	/* no oauth method before 18, whatever pg_hba.conf says */
	add_check(checks, &n, "hba_oauth_without_tls",
			  check_hba_oauth_without_tls(NIL));
#endif
	add_check(checks, &n, "password_encryption", check_password_encryption());
	add_check(checks, &n, "require_ssl", check_require_ssl());
	add_check(checks, &n, "fips_mode", check_fips_mode());

	return n;
}

/* --- the SQL function --------------------------------------------------- */

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_config_audit);
Datum
sslinfo_ext_ssl_config_audit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AuditCheck	checks[AUDIT_MAX_CHECKS];
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	n = tls_audit_run(checks);
	for (int i = 0; i < n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(checks[i].name);
		values[1] = CStringGetTextDatum(audit_status_names[checks[i].status]);
		values[2] = CStringGetTextDatum(checks[i].detail);
		if (checks[i].hint)
			values[3] = CStringGetTextDatum(checks[i].hint);
		else
			nulls[3] = true;
		values[4] = tls_benchmark_refs(checks[i].name);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}

	return (Datum) 0;
}
