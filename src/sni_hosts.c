/*-------------------------------------------------------------------------
 *
 * sni_hosts.c
 *	  PostgreSQL 19's pg_hosts.conf entries, read as the server reads them,
 *	  and their audit; see sni_hosts.h for the contract.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/sni_hosts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/x509.h>

#include "lib/stringinfo.h"
#include "libpq/libpq.h"
#include "nodes/pg_list.h"
#if PG_VERSION_NUM >= 190000
#include "libpq/hba.h"
#endif
#include "utils/timestamp.h"

#include "sni_hosts.h"
#include "tls_files.h"

#define HOSTS_SETTING	"pg_hosts.conf"

bool
sni_hosts_in_use(void)
{
#if PG_VERSION_NUM >= 190000
	return ssl_sni;
#else
	return false;
#endif
}

List *
sni_hosts_load(char **error)
{
	List	   *result = NIL;
#if PG_VERSION_NUM >= 190000
	List	   *lines = NIL;
	char	   *err = NULL;
	HostsFileLoadResult rc;
	ListCell   *lc;

	*error = NULL;
	if (!ssl_sni)
		return NIL;
	rc = load_hosts(&lines, &err);
	if (rc == HOSTSFILE_LOAD_FAILED)
		*error = err ? err : pstrdup("pg_hosts.conf could not be loaded");
	else if (rc == HOSTSFILE_MISSING)
		*error = pstrdup("pg_hosts.conf does not exist");
	foreach(lc, lines)
	{
		HostsLine  *line = lfirst(lc);
		SniHost    *host = palloc0(sizeof(SniHost));
		StringInfoData names;
		ListCell   *nc;

		initStringInfo(&names);
		foreach(nc, line->hostnames)
			appendStringInfo(&names, "%s%s", names.len ? "," : "",
							 (const char *) lfirst(nc));
		host->host = names.data;
		host->cert_file = line->ssl_cert ? pstrdup(line->ssl_cert) : pstrdup("");
		host->key_file = line->ssl_key ? pstrdup(line->ssl_key) : pstrdup("");
		host->ca_file = line->ssl_ca && line->ssl_ca[0] ? pstrdup(line->ssl_ca) : NULL;
		host->line = line->linenumber;
		result = lappend(result, host);
	}
#else
	*error = NULL;
#endif
	return result;
}

/*
 * Does the entry's key belong to its certificate (the leaf of its
 * certificate file)?  NULL when it does.
 */
static char *
key_problem(const SniHost *host, X509 *cert, bool *only_warning)
{
	TlsFileProblem problem;

	*only_warning = false;
	switch (tls_files_check_key(HOSTS_SETTING, host->key_file, cert, &problem))
	{
		case TLS_KEY_MATCHES:
			break;
		case TLS_KEY_MISMATCH:
			return psprintf("the key \"%s\" does not belong to the certificate \"%s\"",
							host->key_file, host->cert_file);
		case TLS_KEY_UNREADABLE:
			return tls_file_problem_text(&problem);
		case TLS_KEY_PASSPHRASE:
			*only_warning = true;
			return psprintf("the key \"%s\" is protected by a passphrase and was not checked",
							host->key_file);
		case TLS_KEY_MISSING:
			return psprintf("\"%s\" holds no readable private key", host->key_file);
	}
	return NULL;
}

SniAuditStatus
sni_hosts_audit(int warning_days, char **detail, char **hint)
{
	char	   *error = NULL;
	List	   *hosts;
	ListCell   *lc;
	StringInfoData problems;
	StringInfoData names;
	SniAuditStatus status = SNI_AUDIT_OK;
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz window_end = now + (int64) warning_days * USECS_PER_DAY;

	*hint = NULL;
	if (!sni_hosts_in_use())
	{
#if PG_VERSION_NUM >= 190000
		*detail = pstrdup("ssl_sni is off: every client is served ssl_cert_file, which server_cert_expiry, server_key_match and server_key_permissions check.");
#else
		*detail = pstrdup("PostgreSQL before 19 serves one certificate (ssl_cert_file), which server_cert_expiry, server_key_match and server_key_permissions check.");
#endif
		return SNI_AUDIT_OK;
	}

	hosts = sni_hosts_load(&error);
	initStringInfo(&problems);
	initStringInfo(&names);
	if (error)
	{
		appendStringInfo(&problems, "%s", error);
		status = SNI_AUDIT_ERROR;
	}
	foreach(lc, hosts)
	{
		SniHost    *host = lfirst(lc);
		List	   *certs;
		TlsFileCert *leaf;
		TlsFileProblem problem;
		bool		only_warning;
		char	   *why;
		ListCell   *cc;

		appendStringInfo(&names, "%s%s", names.len ? ", " : "", host->host);
#define ENTRY_PROBLEM(level, ...) \
		do { \
			appendStringInfo(&problems, "%sline %d (%s): ", problems.len ? "; " : "", \
							 host->line, host->host); \
			appendStringInfo(&problems, __VA_ARGS__); \
			if ((level) > status) \
				status = (level); \
		} while (0)

		if (!tls_files_cert_chain_file(HOSTS_SETTING, host->cert_file, &certs, &problem))
			ENTRY_PROBLEM(SNI_AUDIT_ERROR, "%s", tls_file_problem_text(&problem));
		else
		{
			foreach(cc, certs)
			{
				TlsFileCert *cert = lfirst(cc);

				if (!cert->summary.has_validity)
					continue;
				if (cert->summary.not_after < now)
					ENTRY_PROBLEM(SNI_AUDIT_ERROR, "the %s certificate \"%s\" expired at %s",
								  cert_role_name(cert->role), cert->summary.subject ? cert->summary.subject : "",
								  timestamptz_to_str(cert->summary.not_after));
				else if (cert->summary.not_before > now)
					ENTRY_PROBLEM(SNI_AUDIT_ERROR, "the %s certificate \"%s\" is not valid before %s",
								  cert_role_name(cert->role), cert->summary.subject ? cert->summary.subject : "",
								  timestamptz_to_str(cert->summary.not_before));
				else if (cert->summary.not_after < window_end)
					ENTRY_PROBLEM(SNI_AUDIT_WARNING, "the %s certificate \"%s\" expires at %s, within %d days",
								  cert_role_name(cert->role), cert->summary.subject ? cert->summary.subject : "",
								  timestamptz_to_str(cert->summary.not_after), warning_days);
			}
		}
		/* the key is compared with the leaf, when there is one to compare */
		leaf = certs != NIL ? linitial(certs) : NULL;
		why = leaf && leaf->cert ? key_problem(host, leaf->cert, &only_warning) : NULL;
		if (why)
			ENTRY_PROBLEM(only_warning ? SNI_AUDIT_WARNING : SNI_AUDIT_ERROR, "%s", why);
		/* PostgreSQL's own rule; it logs the reason at LOG */
		if (!check_ssl_key_file_permissions(host->key_file, false))
			ENTRY_PROBLEM(SNI_AUDIT_ERROR,
						  "the key \"%s\" is readable by others or not owned by the server's user (see the server log)",
						  host->key_file);
#undef ENTRY_PROBLEM
	}

	if (status == SNI_AUDIT_OK)
		*detail = psprintf("%d pg_hosts.conf entr%s (%s): each certificate valid for more than %d days, each key matching its certificate and private.",
						   list_length(hosts), list_length(hosts) == 1 ? "y" : "ies",
						   names.data, warning_days);
	else
	{
		*detail = psprintf("pg_hosts.conf: %s.", problems.data);
		*hint = pstrdup("Fix each entry named (renew the certificate, install the matching key, chmod 0600 the key) and reload.");
	}
	return status;
}
