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

const SniHost *
sni_hosts_find_cert(X509 *cert)
{
	char	   *error;
	List	   *hosts = sni_hosts_load(&error);
	ListCell   *lc;

	foreach(lc, hosts)
	{
		SniHost    *host = lfirst(lc);
		List	   *certs;
		TlsFileProblem problem;
		ListCell   *cc;

		/* a file that stops early still gives what came before */
		(void) tls_files_cert_chain_file(HOSTS_SETTING, host->cert_file,
										 &certs, &problem);
		foreach(cc, certs)
		{
			TlsFileCert *known = lfirst(cc);

			if (known->cert != NULL && X509_cmp(known->cert, cert) == 0)
				return host;
		}
	}
	return NULL;
}

/*
 * Does the entry's key belong to its certificate (the leaf of its
 * certificate file)?  NULL when it does.
 */
static char *
key_problem(const SniHost *host, X509 *cert, bool *only_warning)
{
	TlsFileProblem problem;

	TlsKeyCheck check = tls_files_check_key(HOSTS_SETTING, host->key_file,
											cert, &problem);

	*only_warning = check == TLS_KEY_PASSPHRASE;
	return tls_files_key_clause(check, "key file", host->key_file,
								"certificate file", host->cert_file, &problem);
}

/* The problems of the entries audited so far, and the worst level */
typedef struct EntryAudit
{
	StringInfoData problems;	/* "line N (hosts): what", "; "-separated */
	AuditStatus status;
} EntryAudit;

static void
entry_problem(EntryAudit *audit, const SniHost *host, AuditStatus level,
			  const char *what)
{
	appendStringInfo(&audit->problems, "%sline %d (%s): %s",
					 audit->problems.len ? "; " : "", host->line, host->host,
					 what);
	if (level > audit->status)
		audit->status = level;
}

/*
 * What is wrong with a certificate's validity dates now (NULL: nothing),
 * and at which level: expired or not yet valid is an error, expiring
 * within warning_days a warning; dates that cannot be read are left to
 * the server, which reads the same file.
 */
static char *
validity_problem(const TlsFileCert *cert, TimestampTz now, int warning_days,
				 AuditStatus *level)
{
	CertDates	dates = tls_files_judge_dates(&cert->summary, now, warning_days);

	if (dates == CERT_DATES_UNREADABLE)
		return NULL;
	*level = dates == CERT_DATES_EXPIRING ? AUDIT_WARNING : AUDIT_ERROR;
	return tls_files_dates_clause(cert, dates, "", warning_days);
}

/* One pg_hosts.conf entry: its certificates' dates, its key, its key file */
static void
audit_entry(const SniHost *host, TimestampTz now, int warning_days,
			EntryAudit *audit)
{
	List	   *certs;
	TlsFileCert *leaf;
	TlsFileProblem problem;
	bool		only_warning;
	char	   *why;
	ListCell   *lc;

	if (!tls_files_cert_chain_file(HOSTS_SETTING, host->cert_file, &certs, &problem))
		entry_problem(audit, host, AUDIT_ERROR, tls_file_problem_text(&problem));
	else
	{
		foreach(lc, certs)
		{
			AuditStatus level;
			char	   *what = validity_problem(lfirst(lc), now, warning_days, &level);

			if (what)
				entry_problem(audit, host, level, what);
		}
	}

	/* the key is compared with the leaf, when there is one to compare */
	leaf = certs != NIL ? linitial(certs) : NULL;
	why = leaf && leaf->cert ? key_problem(host, leaf->cert, &only_warning) : NULL;
	if (why)
		entry_problem(audit, host,
					  only_warning ? AUDIT_WARNING : AUDIT_ERROR, why);

	/* PostgreSQL's own rule, as for ssl_key_file */
	if (!tls_files_key_permissions("the key", host->key_file, &why))
	{
		/* a clause of the entry's list: no capital, no full stop */
		why[strlen(why) - 1] = '\0';
		entry_problem(audit, host, AUDIT_ERROR, why);
	}
}

AuditResult
sni_hosts_audit(int warning_days)
{
	AuditResult r = {AUDIT_OK, NULL, NULL};
	char	   *error = NULL;
	List	   *hosts;
	ListCell   *lc;
	EntryAudit	audit;
	StringInfoData names;
	TimestampTz now = GetCurrentTimestamp();

	if (!sni_hosts_in_use())
	{
#if PG_VERSION_NUM >= 190000
		r.detail = pstrdup("ssl_sni is off: every client is served ssl_cert_file, which server_cert_expiry, server_key_match and server_key_permissions check.");
#else
		r.detail = pstrdup("PostgreSQL before 19 serves one certificate (ssl_cert_file), which server_cert_expiry, server_key_match and server_key_permissions check.");
#endif
		return r;
	}

	hosts = sni_hosts_load(&error);
	initStringInfo(&audit.problems);
	audit.status = AUDIT_OK;
	initStringInfo(&names);
	if (error)
	{
		appendStringInfoString(&audit.problems, error);
		audit.status = AUDIT_ERROR;
	}
	foreach(lc, hosts)
	{
		SniHost    *host = lfirst(lc);

		appendStringInfo(&names, "%s%s", names.len ? ", " : "", host->host);
		audit_entry(host, now, warning_days, &audit);
	}

	r.status = audit.status;
	if (audit.status == AUDIT_OK)
		r.detail = psprintf(ngettext("%d pg_hosts.conf entry (%s): its certificates valid beyond sslinfo_ext.cert_expiry_warning_days (%d), its key matching its certificate and private.",
									 "%d pg_hosts.conf entries (%s): each certificate valid beyond sslinfo_ext.cert_expiry_warning_days (%d), each key matching its certificate and private.",
									 list_length(hosts)),
							list_length(hosts), names.data, warning_days);
	else
	{
		r.detail = psprintf("pg_hosts.conf: %s.", audit.problems.data);
		r.hint = pstrdup("Fix each entry named (renew the certificate, install the matching key, chmod 0600 the key) and reload.");
	}
	return r;
}
