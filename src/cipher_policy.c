/*-------------------------------------------------------------------------
 *
 * cipher_policy.c
 *	  The ssl_ciphers policy in the server: settings, the check hook on
 *	  PostgreSQL's ssl_ciphers, the SSL-context hook that logs
 *	  compatibility warnings, and the SQL function
 *	  ssl_cipher_policy_check().
 *
 * Splitting and classifying a value is done by cipher_policy_parse.c; this
 * file turns its verdicts into GUC errors, rows and log lines.  See
 * cipher_policy.h for the contract.
 *
 * How the policy is applied: PostgreSQL builds its SSL context from the
 * ssl_ciphers string, and OpenSSL accepts ';' as a separator, so a valid
 * list needs no translation.  "ALL" (and the built-in default, which is
 * taken as "ALL") is replaced in the check hook by the allowlist joined
 * with ';', so the context holds exactly the allowed suites and SHOW
 * ssl_ciphers tells what is in force.  openssl_tls_init_hook runs before
 * PostgreSQL sets the cipher list, so it cannot be used to set the list;
 * it is used to log warnings each time the context is (re)built.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cipher_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/libpq.h"
#include "libpq/libpq-be.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "postmaster/postmaster.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "cipher_policy.h"
#include "cipher_policy_parse.h"
#include "guc_records.h"
#include "server_settings.h"
#include "tls_files.h"

#define DEFAULT_ALLOWED_CIPHERS \
	"DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;" \
	"DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM"

/*
 * PostgreSQL 18 split the TLS 1.3 suites off into ssl_tls13_ciphers, which
 * the policy governs from then on.  The default allowlist: every TLS 1.3
 * suite with a 128-bit or stronger key and a full 128-bit authentication
 * tag.  TLS_AES_128_CCM_8_SHA256 is left out: its 8-byte tag gives 64-bit
 * forgery resistance (OpenSSL 3.2+ puts CCM_8 at security level 0).
 */
#if PG_VERSION_NUM >= 180000
#define POLICY_GOVERNS_TLS13 1
#endif
#define DEFAULT_ALLOWED_TLS13_CIPHERS \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
	"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256"

/* Room for CP_MAX_ENTRIES names joined by a two-byte separator */
#define JOINED_LIST_SIZE	(CP_MAX_ENTRIES * (CP_MAX_NAME_LEN + 2) + 1)

/* Settings */
typedef enum PolicyMode
{
	POLICY_OFF,
	POLICY_ON,
	POLICY_WARN
} PolicyMode;

/* "on" and "off" keep accepting the spellings of the boolean it once was */
static const struct config_enum_entry policy_mode_options[] = {
	{"off", POLICY_OFF, false},
	{"on", POLICY_ON, false},
	{"warn", POLICY_WARN, false},
	{"false", POLICY_OFF, true},
	{"true", POLICY_ON, true},
	{"no", POLICY_OFF, true},
	{"yes", POLICY_ON, true},
	{"0", POLICY_OFF, true},
	{"1", POLICY_ON, true},
	{NULL, 0, false}
};

static int	policy_mode = POLICY_ON;
static char *allowed_ciphers_setting = NULL;

/* The allowlist in force, and its names joined for values and hints */
static CpAllowlist allowlist;
static char allowlist_semicolons[JOINED_LIST_SIZE];
static char allowlist_commas[JOINED_LIST_SIZE];

/* The same for TLS 1.3 (ssl_tls13_ciphers, PostgreSQL 18+) */
#ifdef POLICY_GOVERNS_TLS13
static char *allowed_tls13_setting = NULL;
static char tls13_allowlist_colons[JOINED_LIST_SIZE];
#endif
static CpAllowlist tls13_allowlist;
static char tls13_allowlist_commas[JOINED_LIST_SIZE];

/* Hook state */
static bool hook_installed = false;
static GucRecord *ssl_ciphers_record = NULL;
static GucStringCheckHook prev_ssl_ciphers_check_hook = NULL;
static bool tls13_hook_installed = false;
#ifdef POLICY_GOVERNS_TLS13
static GucRecord *ssl_tls13_ciphers_record = NULL;
static GucStringCheckHook prev_ssl_tls13_ciphers_check_hook = NULL;
#endif

static openssl_tls_init_hook_typ prev_openssl_tls_init_hook = NULL;

/* Postmaster-only memory of what was last logged */
static bool builtin_default_noted = false;
static char *last_compatibility_key = NULL;

/*
 * Helpers
 */

/* Join the allowlist's names with sep into buf (JOINED_LIST_SIZE bytes) */
static void
join_allowlist(const CpAllowlist *allow, const char *sep, char *buf)
{
	size_t		used = 0;

	buf[0] = '\0';
	for (int i = 0; i < allow->n && used < JOINED_LIST_SIZE; i++)
		used += snprintf(buf + used, JOINED_LIST_SIZE - used, "%s%s",
						 i > 0 ? sep : "", SSL_CIPHER_get_name(allow->suites[i]));
}

/* The allowlist a server setting is judged against (NULL: none) */
static const CpAllowlist *
allowlist_for(CpMode mode)
{
	switch (mode)
	{
		case CP_MODE_SSL_CIPHERS:
			return &allowlist;
		case CP_MODE_TLS13_CIPHERS:
			return &tls13_allowlist;
		default:
			return NULL;
	}
}

/* Parse a value; entries must have room for CP_MAX_ENTRIES + 1 */
static void
parse_value(const char *value, CpMode mode, CpEntry *entries, CpResult *result)
{
	cp_parse(value, strlen(value), mode, allowlist_for(mode),
			 entries, CP_MAX_ENTRIES + 1, result);
}

static int
max_entries_for(CpMode mode)
{
	const CpAllowlist *allow = allowlist_for(mode);

	return allow ? allow->n : CP_MAX_ENTRIES;
}

/*
 * What every report of a bad entry says besides its primary message: the
 * entry as shown, the detail sentence (written by cipher_policy_parse.c,
 * which the fuzzers run without a backend, hence a finished sentence), and
 * the hint.  Each report writes the primary message with the format
 * ENTRY_PROBLEM_FORMAT itself.
 */
typedef struct EntryProblem
{
	char		shown[CP_DISPLAY_BUFSIZE];
	char		detail[CP_DESCRIBE_BUFSIZE];
	char		hint[JOINED_LIST_SIZE + 128];
} EntryProblem;

/* The primary message of a bad entry: position, parameter, entry shown */
#define ENTRY_PROBLEM_FORMAT "invalid entry %d in parameter \"%s\": \"%s\""

static void
describe_bad_entry(const char *value, const CpEntry *e, CpMode mode,
				   EntryProblem *problem)
{
	cp_display(value + e->offset, e->length, problem->shown,
			   sizeof(problem->shown));
	cp_describe(e, value, mode, max_entries_for(mode), problem->detail,
				sizeof(problem->detail));
	if (mode == CP_MODE_SSL_CIPHERS)
		snprintf(problem->hint, sizeof(problem->hint),
				 "Set \"ALL\" or cipher suite names separated by \";\", from: %s.",
				 allowlist_commas);
	else if (mode == CP_MODE_TLS13_CIPHERS)
		snprintf(problem->hint, sizeof(problem->hint),
				 "Set TLS 1.3 cipher suite names separated by \":\", from: %s.",
				 tls13_allowlist_commas);
	else if (mode == CP_MODE_TLS13_ALLOWLIST)
		snprintf(problem->hint, sizeof(problem->hint),
				 "List TLS 1.3 cipher suites by their OpenSSL names, separated by \":\"; "
				 "ssl_supported_ciphers() shows them.");
	else
		snprintf(problem->hint, sizeof(problem->hint),
				 "List TLS 1.2 cipher suites by their OpenSSL names, separated by \";\"; "
				 "ssl_supported_ciphers() shows them.");
}

/* The first bad entry of a value as GUC's error message, detail and hint */
static void
set_guc_check_error(const char *parameter, const char *value,
					const CpEntry *e, CpMode mode)
{
	EntryProblem problem;

	describe_bad_entry(value, e, mode, &problem);
	GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
	GUC_check_errmsg(ENTRY_PROBLEM_FORMAT, e->position, parameter, problem.shown);
	GUC_check_errdetail("%s", problem.detail);
	GUC_check_errhint("%s", problem.hint);
}

/*
 * The level at which warn mode reports a value "on" would refuse: WARNING
 * in the postmaster (start, reload) and in a statement (ALTER SYSTEM,
 * reading pg_file_settings); DEBUG2 in the other processes that re-read
 * the configuration at each reload, as PostgreSQL words its own reload
 * problems, so the log gets the report once, not once per backend.
 */
static int
warn_mode_level(void)
{
	return (!IsUnderPostmaster || IsTransactionState()) ? WARNING : DEBUG2;
}

/*
 * Warn mode: the report "on" would have refused the value with, as a
 * WARNING.  The value is then applied as PostgreSQL reads it.
 */
static void
report_nonconforming_value(const char *parameter, const char *value,
						   const CpEntry *e, CpMode mode)
{
	EntryProblem problem;

	describe_bad_entry(value, e, mode, &problem);
	ereport(warn_mode_level(),
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg(ENTRY_PROBLEM_FORMAT, e->position, parameter, problem.shown),
			 errdetail_internal("%s sslinfo_ext.cipher_policy is \"warn\": the value is "
								"applied as PostgreSQL reads it; \"on\" would refuse it.",
								problem.detail),
			 errhint("%s", problem.hint)));
}

/* Is this value of the setting PostgreSQL's wired-in default, unchanged? */
static bool
is_builtin_default(const GucRecord *rec, const char *value, GucSource source)
{
	const char *boot;

	if (rec == NULL ||
		(source != PGC_S_DEFAULT && source != PGC_S_DYNAMIC_DEFAULT))
		return false;
	boot = guc_records_boot_value(rec);
	return boot != NULL && strcmp(value, boot) == 0;
}

/*
 * The suites a (valid) ssl_ciphers value names, in order, without
 * duplicates.  Returns the count; suites has room for CP_MAX_ENTRIES.
 */
static int
suites_of_value(const char *value, const SSL_CIPHER **suites)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	int			n = 0;

	parse_value(value, CP_MODE_SSL_CIPHERS, entries, &result);
	if (result.first_error >= 0)
		return 0;
	if (result.is_all)
	{
		for (int i = 0; i < allowlist.n; i++)
			suites[n++] = allowlist.suites[i];
		return n;
	}
	for (int i = 0; i < result.nentries; i++)
		if (entries[i].verdict == CP_OK)
			suites[n++] = entries[i].cipher;
	return n;
}

/*
 * The type of the server certificate's key as x509_key_type() names it,
 * into buf; "" when ssl_cert_file cannot be read (PostgreSQL reports that
 * itself).  Read through tls_files, in a memory context of its own so that
 * the postmaster, which calls this at every reload, keeps nothing.
 */
static void
server_key_type(char *buf, size_t size)
{
	MemoryContext reading = AllocSetContextCreate(CurrentMemoryContext,
												  "sslinfo_ext server key type",
												  ALLOCSET_SMALL_SIZES);
	MemoryContext oldcontext = MemoryContextSwitchTo(reading);
	List	   *certs;
	TlsFileProblem problem;

	buf[0] = '\0';
	/* a broken chain still leaves the leaf in the list */
	(void) tls_files_server_certs(&certs, &problem);
	if (certs != NIL && ((TlsFileCert *) linitial(certs))->summary.key_type)
		strlcpy(buf, ((TlsFileCert *) linitial(certs))->summary.key_type, size);
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(reading);
}

/*
 * The TLS 1.2 authentication (NID_auth_rsa, ...) a certificate key of this
 * type supports, or NID_undef.
 */
static int
key_type_auth(const char *key_type)
{
	static const struct
	{
		const char *key_type;
		int			auth;
	}			auths[] =
	{
		{"RSA", NID_auth_rsa},
		{"RSA-PSS", NID_auth_rsa},
		{"EC", NID_auth_ecdsa},
		{"ED25519", NID_auth_ecdsa},
		{"ED448", NID_auth_ecdsa},
		{"DSA", NID_auth_dss},
	};

	for (int i = 0; i < lengthof(auths); i++)
		if (strcmp(key_type, auths[i].key_type) == 0)
			return auths[i].auth;
	return NID_undef;
}

/*
 * Report, at elevel, what keeps common clients from negotiating any of
 * these TLS 1.2 suites with a server certificate of this key type ("":
 * unknown).  Never raises an error.
 */
static void
report_compatibility(const SSL_CIPHER *const *suites, int n,
					 const char *key_type, int elevel)
{
	bool		all_ccm = (n > 0);
	bool		all_dhe = (n > 0);
	bool		cert_usable = false;
	int			cert_auth;

	for (int i = 0; i < n; i++)
	{
		int			enc = SSL_CIPHER_get_cipher_nid(suites[i]);

		if (enc != NID_aes_128_ccm && enc != NID_aes_256_ccm)
			all_ccm = false;
		if (SSL_CIPHER_get_kx_nid(suites[i]) != NID_kx_dhe)
			all_dhe = false;
	}
	if (all_ccm)
		ereport(elevel,
				(errmsg("every cipher suite in ssl_ciphers uses AES-CCM"),
				 errdetail("Clients using OpenSSL's default cipher list (libpq among them), "
						   "Java and Go do not offer CCM suites and cannot connect over TLS 1.2."),
				 errhint("Add a GCM suite such as DHE-RSA-AES128-GCM-SHA256.")));
	if (all_dhe)
		ereport(elevel,
				(errmsg("every cipher suite in ssl_ciphers uses DHE key exchange"),
				 errdetail("Go's crypto/tls implements no DHE cipher suites, so Go clients "
						   "cannot connect over TLS 1.2."),
				 errhint("If Go clients must connect, add an ECDHE suite such as "
						 "ECDHE-RSA-AES128-GCM-SHA256 to sslinfo_ext.allowed_ciphers and "
						 "ssl_ciphers.")));

	cert_auth = key_type_auth(key_type);
	if (cert_auth == NID_undef || n == 0)
		return;
	for (int i = 0; i < n; i++)
		if (SSL_CIPHER_get_auth_nid(suites[i]) == cert_auth)
			cert_usable = true;
	if (!cert_usable)
		ereport(elevel,
				(errmsg("no cipher suite in ssl_ciphers can be used with the server certificate"),
				 errdetail("The server certificate \"%s\" has a key of type %s, and every "
						   "suite in ssl_ciphers needs a certificate with another key type, "
						   "so no client can connect over TLS 1.2.",
						   server_setting("ssl_cert_file"), key_type),
				 errhint("DHE-RSA suites need an RSA server certificate.")));
}

/*
 * Settings
 */

/* Check an allowlist setting's value; the parsed list becomes *extra */
static bool
check_allowlist_value(const char *parameter, CpMode mode, char **newval,
					  void **extra)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	CpAllowlist *allow;

	parse_value(*newval ? *newval : "", mode, entries, &result);
	if (result.first_error >= 0)
	{
		set_guc_check_error(parameter, *newval ? *newval : "",
							&entries[result.first_error], mode);
		return false;
	}
	allow = guc_records_alloc(sizeof(CpAllowlist));
	if (allow == NULL)
		return false;
	cp_allowlist_from_entries(entries, result.nentries, allow);
	*extra = allow;
	return true;
}

static bool
check_allowed_ciphers(char **newval, void **extra, GucSource source)
{
	return check_allowlist_value("sslinfo_ext.allowed_ciphers",
								 CP_MODE_ALLOWLIST, newval, extra);
}

static void
assign_allowed_ciphers(const char *newval, void *extra)
{
	if (extra == NULL)
		return;
	allowlist = *(const CpAllowlist *) extra;
	join_allowlist(&allowlist, ";", allowlist_semicolons);
	join_allowlist(&allowlist, ", ", allowlist_commas);
}

#ifdef POLICY_GOVERNS_TLS13
static bool
check_allowed_tls13_ciphers(char **newval, void **extra, GucSource source)
{
	return check_allowlist_value("sslinfo_ext.allowed_tls13_ciphers",
								 CP_MODE_TLS13_ALLOWLIST, newval, extra);
}

static void
assign_allowed_tls13_ciphers(const char *newval, void *extra)
{
	if (extra == NULL)
		return;
	tls13_allowlist = *(const CpAllowlist *) extra;
	join_allowlist(&tls13_allowlist, ":", tls13_allowlist_colons);
	join_allowlist(&tls13_allowlist, ", ", tls13_allowlist_commas);
}
#endif

/*
 * The policy's part of a check hook on a governed setting: "on" refuses a
 * value the rule refuses, "warn" reports it and lets it through.  A value
 * standing for the whole allowlist ("ALL" in ssl_ciphers, and the untouched
 * built-in default of either setting under "on") is replaced by the
 * allowlist joined as the setting's syntax wants, so that PostgreSQL's own
 * SSL_CTX_set_cipher_list() / SSL_CTX_set_ciphersuites() get exactly the
 * allowed suites.
 */
static bool
check_governed_value(char **newval, GucSource source,
					 const GucRecord *rec, const char *parameter,
					 CpMode mode, const char *expansion)
{
	const char *value;
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	bool		at_default;

	if (policy_mode == POLICY_OFF || *newval == NULL)
		return true;

	at_default = is_builtin_default(rec, *newval, source);
	/* warn mode leaves PostgreSQL's default as PostgreSQL reads it */
	if (at_default && policy_mode == POLICY_WARN)
		return true;
	if (!at_default || mode == CP_MODE_SSL_CIPHERS)
	{
		value = at_default ? "ALL" : *newval;
		parse_value(value, mode, entries, &result);
		if (result.first_error >= 0)
		{
			if (policy_mode == POLICY_WARN)
			{
				report_nonconforming_value(parameter, value,
										   &entries[result.first_error], mode);
				return true;
			}
			set_guc_check_error(parameter, value, &entries[result.first_error],
								mode);
			return false;
		}
		if (!result.is_all)
			return true;
	}
	{
		char	   *expanded = guc_records_strdup(expansion);

		if (expanded == NULL)
			return false;
		guc_records_free(*newval);
		*newval = expanded;
	}
	return true;
}

/* The check hook on ssl_ciphers, chained after any hook already there */
static bool
check_ssl_ciphers_policy(char **newval, void **extra, GucSource source)
{
	if (prev_ssl_ciphers_check_hook != NULL &&
		!prev_ssl_ciphers_check_hook(newval, extra, source))
		return false;
	return check_governed_value(newval, source, ssl_ciphers_record,
								"ssl_ciphers", CP_MODE_SSL_CIPHERS,
								allowlist_semicolons);
}

#ifdef POLICY_GOVERNS_TLS13
/* The check hook on ssl_tls13_ciphers (18+) */
static bool
check_ssl_tls13_ciphers_policy(char **newval, void **extra, GucSource source)
{
	if (prev_ssl_tls13_ciphers_check_hook != NULL &&
		!prev_ssl_tls13_ciphers_check_hook(newval, extra, source))
		return false;
	return check_governed_value(newval, source, ssl_tls13_ciphers_record,
								"ssl_tls13_ciphers", CP_MODE_TLS13_CIPHERS,
								tls13_allowlist_colons);
}
#endif

/*
 * Validate (and canonicalize) a governed setting's value read from the
 * configuration before the library was loaded.  Invalid: FATAL, before the
 * server does anything else.  Untouched default: taken as "ALL", logged.
 */
static void
apply_policy_to_value_in_place(const GucRecord *rec, const char *name)
{
	bool		at_default = guc_records_at_default(rec);
	char	   *current = pstrdup(server_setting(name));

	(void) set_config_option(name, current, PGC_POSTMASTER,
							 at_default ? PGC_S_DYNAMIC_DEFAULT : guc_records_source(rec),
							 GUC_ACTION_SET, true, FATAL, false);
	if (rec != ssl_ciphers_record)
	{
		/* ssl_tls13_ciphers: its default "" means OpenSSL's own suites */
		if (at_default && !IsUnderPostmaster && policy_mode == POLICY_WARN)
			ereport(LOG,
					(errmsg("parameter \"%s\" is at PostgreSQL's built-in default \"%s\"",
							name, current),
					 errdetail("The cipher policy leaves it as it is (sslinfo_ext.cipher_policy = warn). "
							   "With sslinfo_ext.cipher_policy = on the server would offer these TLS 1.3 cipher suites only: %s.",
							   tls13_allowlist_commas)));
		else if (at_default && !IsUnderPostmaster)
			ereport(LOG,
					(errmsg("parameter \"%s\" is at PostgreSQL's built-in default \"%s\"",
							name, current),
					 errdetail("The cipher policy takes it as sslinfo_ext.allowed_tls13_ciphers: "
							   "the server offers these TLS 1.3 cipher suites: %s.",
							   tls13_allowlist_commas)));
		pfree(current);
		return;
	}
	if (at_default && !IsUnderPostmaster && policy_mode == POLICY_WARN)
	{
		ereport(LOG,
				(errmsg("parameter \"%s\" is at PostgreSQL's built-in default \"%s\"",
						name, current),
				 errdetail("The cipher policy leaves it as it is (sslinfo_ext.cipher_policy = warn). "
						   "With sslinfo_ext.cipher_policy = on it would be taken as \"ALL\": "
						   "the server would offer these TLS 1.2 cipher suites only: %s.",
						   allowlist_commas)));
		builtin_default_noted = true;
	}
	else if (at_default && !IsUnderPostmaster)
	{
		ereport(LOG,
				(errmsg("parameter \"%s\" is at PostgreSQL's built-in default \"%s\"",
						name, current),
				 errdetail("The cipher policy takes it as \"ALL\": "
						   "the server offers these TLS 1.2 cipher suites: %s.",
						   allowlist_commas)));
		builtin_default_noted = true;
	}
	pfree(current);
}

/*
 * Runs in the postmaster each time the SSL context is built (start and
 * every reload): log what the policy cannot enforce or what will keep
 * clients out.  Compatibility warnings are repeated only when the suites
 * in force or the certificate's key type change.
 */
static void
cipher_policy_tls_init(SSL_CTX *context, bool isServerStart)
{
	const SSL_CIPHER *suites[CP_MAX_ENTRIES];
	const char *value;
	int			n;
	char		key_type[32];
	char	   *key;

	if (prev_openssl_tls_init_hook)
		prev_openssl_tls_init_hook(context, isServerStart);
	if (!cipher_policy_is_checking())
		return;

	if (guc_records_at_default(ssl_ciphers_record))
	{
		if (!builtin_default_noted && policy_mode == POLICY_WARN)
			ereport(LOG,
					(errmsg("parameter \"%s\" is back at PostgreSQL's built-in default",
							"ssl_ciphers"),
					 errdetail("The cipher policy leaves it as it is (sslinfo_ext.cipher_policy = warn). "
							   "With sslinfo_ext.cipher_policy = on it would be taken as \"ALL\": "
							   "the server would offer these TLS 1.2 cipher suites only: %s.",
							   allowlist_commas)));
		else if (!builtin_default_noted)
			ereport(LOG,
					(errmsg("parameter \"%s\" is back at PostgreSQL's built-in default",
							"ssl_ciphers"),
					 errdetail("The cipher policy takes it as \"ALL\": "
							   "the server offers these TLS 1.2 cipher suites: %s.",
							   allowlist_commas)));
		builtin_default_noted = true;
	}
	else
		builtin_default_noted = false;

	if (cipher_policy_tls13_bypass())
		ereport(WARNING,
				(errmsg("TLS 1.3 connections bypass the ssl_ciphers policy"),
				 errdetail("ssl_max_protocol_version allows TLS 1.3, whose cipher suites "
						   "ssl_ciphers does not govern; only TLS 1.2 connections are held "
						   "to the policy."),
				 errhint("Set ssl_max_protocol_version = 'TLSv1.2' to hold every "
						 "connection to the policy.")));

	value = server_setting("ssl_ciphers");
	n = suites_of_value(value, suites);
	server_key_type(key_type, sizeof(key_type));
	key = psprintf("%s|%s", value, key_type);
	if (last_compatibility_key == NULL || strcmp(key, last_compatibility_key) != 0)
	{
		report_compatibility(suites, n, key_type, WARNING);
		if (last_compatibility_key)
			pfree(last_compatibility_key);
		last_compatibility_key = MemoryContextStrdup(TopMemoryContext, key);
	}
	pfree(key);
}

/*
 * Put the policy's check hook on a core string setting, in front of the
 * one already there (which the policy's hook calls first).  Without the
 * setting the policy cannot be enforced: FATAL, at start.
 */
static GucRecord *
govern_setting(const char *name, GucStringCheckHook hook,
			   GucStringCheckHook *previous)
{
	GucRecord  *rec = guc_records_find_string(name);

	/* can't happen: every supported major defines the governed settings */
	if (rec == NULL)
		elog(FATAL, "could not find setting \"%s\"", name);
	*previous = guc_records_chain_check_hook(rec, hook);
	return rec;
}

/* An invalid allowlist at start stops the server ("warn": a WARNING) */
static void
refuse_configured_allowlist(const char *parameter, CpMode mode, const char *value)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	EntryProblem problem;

	parse_value(value, mode, entries, &result);
	if (result.first_error < 0)
		return;
	describe_bad_entry(value, &entries[result.first_error], mode, &problem);
	/* warn mode: PostgreSQL has already kept the default list */
	ereport(policy_mode == POLICY_WARN ? WARNING : FATAL,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg(ENTRY_PROBLEM_FORMAT, entries[result.first_error].position,
					parameter, problem.shown),
			 errdetail_internal("%s", problem.detail),
			 errhint("%s", problem.hint)));
}

/*
 * A value the configuration gives a setting of this library before the
 * library defines it (a placeholder), copied; NULL when none.
 */
static char *
configured_placeholder(const char *name)
{
	const char *value = server_setting_or_null(name);

	return value ? pstrdup(value) : NULL;
}

static void
define_policy_settings(GucContext context)
{
	DefineCustomEnumVariable("sslinfo_ext.cipher_policy",
							 "Holds ssl_ciphers to the openGauss cipher rule.",
							 "When on, and sslinfo_ext is in shared_preload_libraries, "
							 "ssl_ciphers must be \"ALL\" or names from "
							 "sslinfo_ext.allowed_ciphers separated by \";\"; "
							 "warn checks the same but only reports.",
							 &policy_mode,
							 POLICY_ON,
							 policy_mode_options,
							 context,
							 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("sslinfo_ext.allowed_ciphers",
							   "TLS 1.2 cipher suites that ssl_ciphers may name.",
							   "OpenSSL suite names separated by \";\"; "
							   "\"ALL\" in ssl_ciphers stands for all of them.",
							   &allowed_ciphers_setting,
							   DEFAULT_ALLOWED_CIPHERS,
							   context,
							   0,
							   check_allowed_ciphers, assign_allowed_ciphers, NULL);
#ifdef POLICY_GOVERNS_TLS13
	DefineCustomStringVariable("sslinfo_ext.allowed_tls13_ciphers",
							   "TLS 1.3 cipher suites that ssl_tls13_ciphers may name.",
							   "OpenSSL TLS 1.3 suite names separated by \":\"; "
							   "ssl_tls13_ciphers left at its default stands for all of them.",
							   &allowed_tls13_setting,
							   DEFAULT_ALLOWED_TLS13_CIPHERS,
							   context,
							   0,
							   check_allowed_tls13_ciphers, assign_allowed_tls13_ciphers,
							   NULL);
#endif
}

void
cipher_policy_init(void)
{
	/*
	 * Restart-only when the policy can be enforced.  Without preloading
	 * PostgreSQL refuses PGC_POSTMASTER settings, and the settings only feed
	 * the SQL functions, so they follow the configuration file.
	 */
	GucContext	context = process_shared_preload_libraries_in_progress ?
	PGC_POSTMASTER : PGC_SIGHUP;

	/*
	 * PostgreSQL only warns when a configured value of a setting defined here
	 * is invalid, and keeps the default; remember the configured allowlists
	 * to make that fatal instead.
	 */
	char	   *configured_allowlist =
	configured_placeholder("sslinfo_ext.allowed_ciphers");
	char	   *configured_tls13_allowlist =
	configured_placeholder("sslinfo_ext.allowed_tls13_ciphers");

	define_policy_settings(context);
	if (!process_shared_preload_libraries_in_progress || policy_mode == POLICY_OFF)
		return;

	if (configured_allowlist != NULL &&
		strcmp(configured_allowlist, allowed_ciphers_setting) != 0)
		refuse_configured_allowlist("sslinfo_ext.allowed_ciphers",
									CP_MODE_ALLOWLIST, configured_allowlist);
	ssl_ciphers_record = govern_setting("ssl_ciphers", check_ssl_ciphers_policy,
										&prev_ssl_ciphers_check_hook);
	hook_installed = true;
	apply_policy_to_value_in_place(ssl_ciphers_record, "ssl_ciphers");

#ifdef POLICY_GOVERNS_TLS13
	if (configured_tls13_allowlist != NULL &&
		strcmp(configured_tls13_allowlist, allowed_tls13_setting) != 0)
		refuse_configured_allowlist("sslinfo_ext.allowed_tls13_ciphers",
									CP_MODE_TLS13_ALLOWLIST,
									configured_tls13_allowlist);
	ssl_tls13_ciphers_record = govern_setting("ssl_tls13_ciphers",
											  check_ssl_tls13_ciphers_policy,
											  &prev_ssl_tls13_ciphers_check_hook);
	tls13_hook_installed = true;
	apply_policy_to_value_in_place(ssl_tls13_ciphers_record, "ssl_tls13_ciphers");
#else
	(void) configured_tls13_allowlist;
#endif

	prev_openssl_tls_init_hook = openssl_tls_init_hook;
	openssl_tls_init_hook = cipher_policy_tls_init;
}

/*
 * Cross-unit contract
 */

bool
cipher_policy_is_on(void)
{
	return hook_installed && policy_mode == POLICY_ON;
}

bool
cipher_policy_is_checking(void)
{
	return hook_installed && policy_mode != POLICY_OFF;
}

bool
cipher_policy_tls13_governed(void)
{
	return tls13_hook_installed && policy_mode != POLICY_OFF;
}

bool
cipher_policy_tls13_bypass(void)
{
	return cipher_policy_is_checking() && !cipher_policy_tls13_governed() &&
		(ssl_max_protocol_version == PG_TLS_ANY ||
		 ssl_max_protocol_version >= PG_TLS1_3_VERSION);
}

static bool
value_conforms(const char *value, CpMode mode, const char *parameter,
			   char **problem)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	const CpEntry *e;
	char		shown[CP_DISPLAY_BUFSIZE];
	char		sentence[CP_DESCRIBE_BUFSIZE];

	if (value == NULL)
		value = "";
	parse_value(value, mode, entries, &result);
	if (result.first_error < 0)
	{
		if (problem)
			*problem = NULL;
		return true;
	}
	if (problem)
	{
		e = &entries[result.first_error];
		cp_display(value + e->offset, e->length, shown, sizeof(shown));
		cp_describe(e, value, mode, max_entries_for(mode), sentence,
					sizeof(sentence));
		*problem = psprintf("entry %d \"%s\" of %s: %s",
							e->position, shown, parameter, sentence);
	}
	return false;
}

bool
cipher_policy_conforms(const char *value, char **problem)
{
	return value_conforms(value, CP_MODE_SSL_CIPHERS, "ssl_ciphers", problem);
}

const char *
cipher_policy_tls13_in_force(const char *value)
{
	if (value != NULL && value[0] != '\0')
		return value;
	/* PostgreSQL leaves OpenSSL's own list in place for "" */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	return OSSL_default_ciphersuites();
#else
	return TLS_DEFAULT_CIPHERSUITES;
#endif
}

bool
cipher_policy_tls13_conforms(const char *value, char **problem)
{
	return value_conforms(cipher_policy_tls13_in_force(value),
						  CP_MODE_TLS13_CIPHERS, "ssl_tls13_ciphers", problem);
}

/*
 * A candidate value of ssl_ciphers or ssl_tls13_ciphers as ALTER SYSTEM
 * would take it, for the dry run: the policy's ERROR (message, detail and
 * hint as the check hook gives them) where the hook would refuse it, its
 * WARNING in warn mode, and "ALL" expanded as the hook expands it.  A
 * setting the policy does not govern is taken as it is.
 */
char *
cipher_policy_candidate(const char *parameter, const char *value)
{
	bool		tls13 = strcmp(parameter, "ssl_tls13_ciphers") == 0;
	CpMode		mode = tls13 ? CP_MODE_TLS13_CIPHERS : CP_MODE_SSL_CIPHERS;
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;

	if (!(tls13 ? cipher_policy_tls13_governed() : cipher_policy_is_checking()))
		return pstrdup(value);
	parse_value(value, mode, entries, &result);
	if (result.first_error >= 0)
	{
		EntryProblem problem;

		if (policy_mode == POLICY_WARN)
		{
			report_nonconforming_value(parameter, value,
									   &entries[result.first_error], mode);
			return pstrdup(value);
		}
		describe_bad_entry(value, &entries[result.first_error], mode, &problem);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg(ENTRY_PROBLEM_FORMAT, entries[result.first_error].position,
						parameter, problem.shown),
				 errdetail_internal("%s", problem.detail),
				 errhint("%s", problem.hint)));
	}
	if (result.is_all)
#ifdef POLICY_GOVERNS_TLS13
		return pstrdup(tls13 ? tls13_allowlist_colons : allowlist_semicolons);
#else
		return pstrdup(allowlist_semicolons);
#endif
	return pstrdup(value);
}

/*
 * SQL functions
 */

/* An entry's own text (in the database encoding), cut like cp_display() */
static text *
entry_text(const char *value, const CpEntry *e)
{
	int			keep;

	if (e->length <= CP_MAX_NAME_LEN)
		return cstring_to_text_with_len(value + e->offset, (int) e->length);
	keep = pg_mbcliplen(value + e->offset, (int) e->length, CP_MAX_NAME_LEN);
	return cstring_to_text(psprintf("%.*s...", keep, value + e->offset));
}

/*
 * One row per parsed entry of value; returns the accepted suites (first
 * occurrences) in suites, which has room for CP_MAX_ENTRIES.
 */
static int
emit_entry_rows(ReturnSetInfo *rsinfo, const char *value, const CpEntry *entries,
				const CpResult *result, CpMode mode, const SSL_CIPHER **suites)
{
	int			nsuites = 0;

	for (int i = 0; i < result->nentries; i++)
	{
		const CpEntry *e = &entries[i];
		char		sentence[CP_DESCRIBE_BUFSIZE];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		cp_describe(e, value, mode, max_entries_for(mode),
					sentence, sizeof(sentence));
		values[0] = Int32GetDatum(e->position);
		values[1] = PointerGetDatum(entry_text(value, e));
		values[2] = BoolGetDatum(cp_verdict_ok(e->verdict));
		if (sentence[0] == '\0')
			nulls[3] = true;
		else
			values[3] = CStringGetTextDatum(sentence);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		if (e->verdict == CP_OK && nsuites < CP_MAX_ENTRIES)
			suites[nsuites++] = e->cipher;
	}
	return nsuites;
}

/*
 * ssl_cipher_policy_check(value text)
 *	  -> TABLE(position int, entry text, ok bool, detail text)
 *
 * One row per entry; "ALL" expands to one row per allowed suite.  When the
 * value is acceptable, client-compatibility problems are NOTICEs.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_cipher_policy_check);
Datum
sslinfo_ext_ssl_cipher_policy_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	const SSL_CIPHER *suites[CP_MAX_ENTRIES];
	int			nsuites = 0;

	InitMaterializedSRF(fcinfo, 0);
	parse_value(value, CP_MODE_SSL_CIPHERS, entries, &result);

	if (result.is_all)
	{
		for (int i = 0; i < allowlist.n; i++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};

			values[0] = Int32GetDatum(i + 1);
			values[1] = CStringGetTextDatum(SSL_CIPHER_get_name(allowlist.suites[i]));
			values[2] = BoolGetDatum(true);
			values[3] = CStringGetTextDatum("Included by \"ALL\".");
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			suites[nsuites++] = allowlist.suites[i];
		}
	}
	else
		nsuites = emit_entry_rows(rsinfo, value, entries, &result,
								  CP_MODE_SSL_CIPHERS, suites);
	if (result.first_error < 0)
	{
		char		key_type[32];

		server_key_type(key_type, sizeof(key_type));
		report_compatibility(suites, nsuites, key_type, NOTICE);
	}
	return (Datum) 0;
}

/*
 * ssl_tls13_cipher_policy_check(value text)
 *	  -> TABLE(position int, entry text, ok bool, detail text)
 *
 * ssl_cipher_policy_check() for a value of ssl_tls13_ciphers (18+), judged
 * against sslinfo_ext.allowed_tls13_ciphers.  Before 18 there is neither
 * setting: an ERROR says so.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_tls13_cipher_policy_check);
Datum
sslinfo_ext_ssl_tls13_cipher_policy_check(PG_FUNCTION_ARGS)
{
#ifdef POLICY_GOVERNS_TLS13
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	const SSL_CIPHER *suites[CP_MAX_ENTRIES];

	InitMaterializedSRF(fcinfo, 0);
	parse_value(value, CP_MODE_TLS13_CIPHERS, entries, &result);
	(void) emit_entry_rows(rsinfo, value, entries, &result,
						   CP_MODE_TLS13_CIPHERS, suites);
	return (Datum) 0;
#else
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("ssl_tls13_ciphers exists from PostgreSQL 18 on"),
			 errdetail("Before 18 the TLS 1.3 cipher suites are OpenSSL's and no setting governs them."),
			 errhint("Use ssl_cipher_policy_check() for ssl_ciphers.")));
	return (Datum) 0;
#endif
}

/*
 * Is this suite in the allowlist in force (sslinfo_ext.allowed_ciphers, or
 * for a TLS 1.3 suite sslinfo_ext.allowed_tls13_ciphers)?
 */
bool
cipher_policy_allows(const SSL_CIPHER *suite)
{
	return cp_allowlist_contains(cp_is_tls13(suite) ? &tls13_allowlist : &allowlist,
								 suite);
}
