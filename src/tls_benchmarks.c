/*-------------------------------------------------------------------------
 *
 * tls_benchmarks.c
 *	  The TLS items of the benchmarks operators are audited against (CIS
 *	  PostgreSQL, the DISA STIG for Crunchy Data Postgres), each judged by
 *	  the checks of ssl_config_audit(): ssl_config_benchmark(),
 *	  ssl_config_benchmarks(), and the benchmark_refs column of the audit.
 *
 * Item ids and titles are copied verbatim from published sources, named in
 * benchmark_sources[] and in doc/cert-lifecycle.md; an item whose title
 * could not be found there is left out rather than paraphrased.
 *
 * Contract:
 * - ssl_config_benchmarks() returns one row per benchmark: (benchmark,
 *   source, items), benchmark being the exact text ssl_config_benchmark()
 *   takes.
 * - ssl_config_benchmark(benchmark) returns one row per TLS-related item
 *   of that benchmark, in the benchmark's order: (item, title, status,
 *   evidence, checks).  status is "manual" for an item a database cannot
 *   judge (whether a CA is DoD-approved, how certificates map to roles);
 *   otherwise "fail" when any of its checks is an error, when a check it
 *   holds strictly is a warning, or when its own requirement is not met,
 *   and "pass" else.  evidence quotes each check's status and detail.  An
 *   unknown benchmark is an error naming the known ones.
 * - tls_benchmark_refs(check) lists every item that names the check.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_benchmarks.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "server_settings.h"
#include "sql_datums.h"
#include "tls_audit.h"

#define CIS17 "CIS PostgreSQL 17 v1.0.0"
#define CIS14 "CIS PostgreSQL 14 v1.2.0"
#define STIG16 "DISA STIG Crunchy Data Postgres 16 V1R2"

#define MAX_ITEM_CHECKS 8

/* What an item asks beyond its checks */
typedef enum ItemRequirement
{
	REQUIRE_NOTHING,
	REQUIRE_TLS13_MINIMUM		/* ssl_min_protocol_version = 'TLSv1.3' */
} ItemRequirement;

typedef struct BenchmarkItem
{
	const char *benchmark;
	const char *item;
	const char *title;			/* verbatim */
	bool		manual;			/* a database cannot judge it */
	ItemRequirement requirement;
	/* checks whose error fails the item; NULL-terminated */
	const char *checks[MAX_ITEM_CHECKS];
	/* of those, the checks whose warning fails it too */
	const char *strict[MAX_ITEM_CHECKS];
} BenchmarkItem;

typedef struct BenchmarkSource
{
	const char *benchmark;
	const char *source;
} BenchmarkSource;

static const BenchmarkSource benchmark_sources[] = {
	{CIS17, "Tenable audit CIS_PostgreSQL_17_v1.0.0_L1_Database.audit (https://www.tenable.com/audits/items/CIS_PostgreSQL_17_v1.0.0_L1_Database.audit:7b7781e958371c11db174d83982e4a68)"},
	{CIS14, "Tenable audit CIS_PostgreSQL_14_v1.2.0_L1_Database.audit (https://tenable.com/audits/items/CIS_PostgreSQL_14_v1.2.0_L1_Database.audit:3ff638a2b5bd48b8f313d977695d15f1, :7b342373f1d4a5dd7f0ecbf5a683cded)"},
	{STIG16, "DISA Crunchy Data Postgres 16 STIG V1R2 (https://www.tenable.com/audits/DISA_STIG_Crunchy_Data_Postgres_16_v1r2_PostgreSQLDB; rule titles as on https://stigviewer.com/stig/crunchy_data_postgres_16)"},
};

static const BenchmarkItem benchmark_items[] = {
	{CIS17, "6.8", "Ensure TLS is enabled and configured correctly", false, REQUIRE_NOTHING,
		{"ssl_enabled", "server_cert_expiry", "server_key_match", "server_key_permissions",
		"sni_hosts", "hba_non_tls_remote", "hba_oauth_without_tls", NULL},
	{"ssl_enabled", "hba_non_tls_remote", NULL}},
	{CIS17, "6.9", "Ensure that TLSv1.3, or later, is configured", false, REQUIRE_TLS13_MINIMUM,
		{"min_protocol", "tls12_key_exchange", NULL},
	{NULL}},
	{CIS14, "6.8", "Ensure TLS is enabled and configured correctly", false, REQUIRE_NOTHING,
		{"ssl_enabled", "server_cert_expiry", "server_key_match", "server_key_permissions",
		"sni_hosts", "hba_non_tls_remote", "hba_oauth_without_tls", NULL},
	{"ssl_enabled", "hba_non_tls_remote", NULL}},
	{CIS14, "6.9", "Ensure the TLSv1.0 and TLSv1.1 Protocols are Disabled", false, REQUIRE_NOTHING,
		{"min_protocol", NULL},
	{NULL}},
	{STIG16, "CD16-00-003900", "If passwords are used for authentication, PostgreSQL must transmit only encrypted representations of passwords.", false, REQUIRE_NOTHING,
		{"hba_weak_auth", "hba_non_tls_remote", NULL},
	{"hba_weak_auth", NULL}},
	{STIG16, "CD16-00-004000", "PostgreSQL, when using PKI-based authentication, must validate certificates by performing RFC 5280-compliant certification path validation.", false, REQUIRE_NOTHING,
		{"ca_configured", "crl_configured", "hba_no_client_cert", NULL},
	{"ca_configured", "crl_configured", NULL}},
	{STIG16, "CD16-00-004100", "PostgreSQL must enforce authorized access to all PKI private keys stored/used by PostgreSQL.", false, REQUIRE_NOTHING,
		{"server_key_permissions", "sni_hosts", NULL},
	{"server_key_permissions", NULL}},
	{STIG16, "CD16-00-004200", "PostgreSQL must map the PKI-authenticated identity to an associated user account.", true, REQUIRE_NOTHING,
		{"hba_no_client_cert", NULL},
	{NULL}},
	{STIG16, "CD16-00-004400", "PostgreSQL must use NIST FIPS 140-2 or 140-3 validated cryptographic modules for cryptographic operations.", false, REQUIRE_NOTHING,
		{"fips_mode", NULL},
	{"fips_mode", NULL}},
	{STIG16, "CD16-00-004900", "PostgreSQL must maintain the authenticity of communications sessions by guarding against man-in-the-middle attacks that guess at Session ID values.", false, REQUIRE_NOTHING,
		{"ssl_enabled", "min_protocol", NULL},
	{"ssl_enabled", NULL}},
	{STIG16, "CD16-00-008400", "PostgreSQL must only accept end entity certificates issued by DOD PKI or DOD-approved PKI Certification Authorities (CAs) for the establishment of all encrypted sessions.", true, REQUIRE_NOTHING,
		{"ca_configured", "hba_no_client_cert", NULL},
	{NULL}},
	{STIG16, "CD16-00-008800", "PostgreSQL must maintain the confidentiality and integrity of information during preparation for transmission.", false, REQUIRE_NOTHING,
		{"ssl_enabled", "hba_non_tls_remote", "hba_oauth_without_tls", "min_protocol", "cipher_policy", NULL},
	{"ssl_enabled", "hba_non_tls_remote", NULL}},
	{STIG16, "CD16-00-008900", "PostgreSQL must maintain the confidentiality and integrity of information during reception.", false, REQUIRE_NOTHING,
		{"ssl_enabled", "hba_non_tls_remote", "hba_oauth_without_tls", "min_protocol", "cipher_policy", NULL},
	{"ssl_enabled", "hba_non_tls_remote", NULL}},
};

static bool
name_in(const char *name, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static int
item_count(const char *benchmark)
{
	int			n = 0;

	for (int i = 0; i < lengthof(benchmark_items); i++)
		if (strcmp(benchmark_items[i].benchmark, benchmark) == 0)
			n++;
	return n;
}

Datum
tls_benchmark_refs(const char *check_name)
{
	List	   *refs = NIL;

	for (int i = 0; i < lengthof(benchmark_items); i++)
		if (name_in(check_name, benchmark_items[i].checks))
			refs = lappend(refs, psprintf("%s %s", benchmark_items[i].benchmark,
										  benchmark_items[i].item));
	return utf8_list_to_text_array(refs);
}

static const AuditCheck *
find_check(const AuditCheck *checks, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	elog(ERROR, "benchmark item names unknown check \"%s\"", name);
	return NULL;				/* keep compiler quiet */
}

/*
 * Judge one item by the checks; *evidence gets each check's status and
 * detail, and a sentence on the item's own requirement
 */
static const char *
judge_item(const BenchmarkItem *item, const AuditCheck *checks, int n,
		   StringInfo evidence)
{
	bool		failed = false;

	initStringInfo(evidence);
	for (const char *const *name = item->checks; *name != NULL; name++)
	{
		const AuditCheck *c = find_check(checks, n, *name);

		if (c->status == AUDIT_ERROR ||
			(c->status == AUDIT_WARNING && name_in(*name, item->strict)))
			failed = true;
		if (evidence->len > 0)
			appendStringInfoChar(evidence, ' ');
		appendStringInfo(evidence, "%s (%s): %s", c->name,
						 audit_status_names[c->status], c->detail);
	}
	if (item->requirement == REQUIRE_TLS13_MINIMUM)
	{
		const char *min = server_setting("ssl_min_protocol_version");

		if (pg_strcasecmp(min, "TLSv1.3") != 0)
		{
			failed = true;
			appendStringInfo(evidence,
							 " The item asks for ssl_min_protocol_version = 'TLSv1.3'; it is '%s'.",
							 min);
		}
		else
			appendStringInfoString(evidence,
								   " ssl_min_protocol_version = 'TLSv1.3', as the item asks.");
	}
	if (item->manual)
	{
		appendStringInfoString(evidence,
							   " The item needs a judgement a database cannot make; the checks above are what it can say.");
		return "manual";
	}
	return failed ? "fail" : "pass";
}

static const char *
known_benchmarks(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < lengthof(benchmark_sources); i++)
		appendStringInfo(&buf, "%s\"%s\"", i > 0 ? ", " : "",
						 benchmark_sources[i].benchmark);
	return buf.data;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_config_benchmark);
Datum
sslinfo_ext_ssl_config_benchmark(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *benchmark = text_to_cstring(PG_GETARG_TEXT_PP(0));
	AuditCheck	checks[AUDIT_MAX_CHECKS];
	int			n;

	if (item_count(benchmark) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown benchmark \"%s\"", benchmark),
				 errdetail("The known benchmarks are %s.", known_benchmarks()),
				 errhint("SELECT benchmark FROM ssl_config_benchmarks() lists them.")));

	InitMaterializedSRF(fcinfo, 0);
	n = tls_audit_run(checks);
	for (int i = 0; i < lengthof(benchmark_items); i++)
	{
		const BenchmarkItem *item = &benchmark_items[i];
		StringInfoData evidence;
		const char *status;
		List	   *names = NIL;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (strcmp(item->benchmark, benchmark) != 0)
			continue;
		status = judge_item(item, checks, n, &evidence);
		for (const char *const *name = item->checks; *name != NULL; name++)
			names = lappend(names, (char *) *name);
		values[0] = CStringGetTextDatum(item->item);
		values[1] = CStringGetTextDatum(item->title);
		values[2] = CStringGetTextDatum(status);
		values[3] = CStringGetTextDatum(evidence.data);
		values[4] = utf8_list_to_text_array(names);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_config_benchmarks);
Datum
sslinfo_ext_ssl_config_benchmarks(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < lengthof(benchmark_sources); i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(benchmark_sources[i].benchmark);
		values[1] = CStringGetTextDatum(benchmark_sources[i].source);
		values[2] = Int32GetDatum(item_count(benchmark_sources[i].benchmark));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
