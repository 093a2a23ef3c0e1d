/*-------------------------------------------------------------------------
 *
 * tls_groups.c
 *	  Judging the server's key-exchange groups against OpenSSL's own
 *	  description of them; see tls_groups.h for the contract.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_groups.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#endif

#include "lib/stringinfo.h"

#include "tls_groups.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L

/* More than any OpenSSL release has (3.6: about 50, aliases included) */
#define MAX_KNOWN_GROUPS	256
#define GROUP_NAME_SIZE		64

typedef struct KnownGroup
{
	char		name[GROUP_NAME_SIZE];	/* TLS name: secp256r1, X25519MLKEM768 */
	char		internal[GROUP_NAME_SIZE];	/* OpenSSL's: prime256v1 */
	unsigned int security_bits;
} KnownGroup;

typedef struct GroupCatalogue
{
	int			n;
	KnownGroup	groups[MAX_KNOWN_GROUPS];
} GroupCatalogue;

/*
 * Collected into fixed storage: these run inside OpenSSL's iteration, where
 * an ereport (out of memory in palloc) must not unwind.
 */
static int
collect_group(const OSSL_PARAM params[], void *arg)
{
	GroupCatalogue *cat = arg;
	const OSSL_PARAM *p;
	const char *name = NULL;
	const char *internal = NULL;
	unsigned int bits = 0;
	KnownGroup *g;

	if (cat->n >= MAX_KNOWN_GROUPS)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
	if (p == NULL || !OSSL_PARAM_get_utf8_string_ptr(p, &name) || name == NULL)
		return 1;
	p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL);
	if (p != NULL)
		(void) OSSL_PARAM_get_utf8_string_ptr(p, &internal);
	p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS);
	if (p != NULL)
		(void) OSSL_PARAM_get_uint(p, &bits);

	g = &cat->groups[cat->n++];
	strlcpy(g->name, name, sizeof(g->name));
	strlcpy(g->internal, internal ? internal : name, sizeof(g->internal));
	g->security_bits = bits;
	return 1;
}

static int
collect_provider(OSSL_PROVIDER *provider, void *arg)
{
	(void) OSSL_PROVIDER_get_capabilities(provider, "TLS-GROUP", collect_group, arg);
	return 1;
}

static void
load_catalogue(GroupCatalogue *cat)
{
	/* a context makes sure the default provider is active in this process */
	SSL_CTX    *ctx = SSL_CTX_new(TLS_method());

	cat->n = 0;
	(void) OSSL_PROVIDER_do_all(NULL, collect_provider, cat);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

static const KnownGroup *
find_group(const GroupCatalogue *cat, const char *name)
{
	for (int i = 0; i < cat->n; i++)
		if (pg_strcasecmp(cat->groups[i].name, name) == 0 ||
			pg_strcasecmp(cat->groups[i].internal, name) == 0)
			return &cat->groups[i];
	return NULL;
}

/* ML-KEM groups and hybrids: post-quantum key exchange */
static bool
is_post_quantum(const char *name)
{
	for (const char *p = name; *p; p++)
		if (pg_strncasecmp(p, "MLKEM", 5) == 0)
			return true;
	return false;
}

/* A hybrid pairs ML-KEM with a classical group (X25519MLKEM768) */
static bool
is_hybrid(const char *name)
{
	return is_post_quantum(name) && pg_strncasecmp(name, "MLKEM", 5) != 0;
}

/* Does OpenSSL accept the list as a whole, as PostgreSQL will pass it? */
static bool
openssl_accepts(const char *setting, const char *value)
{
	SSL_CTX    *ctx = SSL_CTX_new(TLS_server_method());
	bool		ok = false;

	if (ctx == NULL)
		return true;			/* nothing to learn; the entries decide */
	if (strcmp(setting, "ssl_groups") == 0)
		ok = SSL_CTX_set1_groups_list(ctx, value) == 1;
	else
		ok = true;				/* one curve: judged as an entry */
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* What the entries of a value say, collected by judge_entries() */
typedef struct EntryFindings
{
	StringInfoData judged;		/* "name bits, ..." for the known groups */
	StringInfoData problems;	/* "; "-separated */
	StringInfoData notes;		/* whole sentences, each after a space */
	int			nentries;
	bool		names_pq;		/* a post-quantum group is listed */
} EntryFindings;

/*
 * Judge each entry of a value: ssl_groups is a list (':' or '/'
 * separated, with OpenSSL 3.5's '*' and '?' prefixes, "DEFAULT" and
 * "-name"), ssl_ecdh_curve one name.
 */
static void
judge_entries(const GroupCatalogue *cat, const char *value, bool list_syntax,
			  EntryFindings *f)
{
	char	   *copy = pstrdup(value);
	char	   *rest = copy;
	char	   *token;

	memset(f, 0, sizeof(EntryFindings));
	initStringInfo(&f->judged);
	initStringInfo(&f->problems);
	initStringInfo(&f->notes);

	while ((token = strsep(&rest, list_syntax ? ":/" : "")) != NULL)
	{
		bool		optional = false;
		const KnownGroup *g;

		/* OpenSSL 3.5 prefixes: '*' key share, '?' ignore if unknown */
		while (list_syntax && (*token == '*' || *token == '?'))
			optional |= (*token++ == '?');
		if (*token == '\0' || (list_syntax && *token == '-'))
			continue;			/* empty, or a group removed from DEFAULT */
		f->nentries++;
		if (list_syntax && pg_strcasecmp(token, "DEFAULT") == 0)
		{
			appendStringInfoString(&f->notes, " \"DEFAULT\" stands for OpenSSL's default list, which is not judged here.");
			continue;
		}
		g = find_group(cat, token);
		if (g == NULL)
		{
			if (optional)
				appendStringInfo(&f->notes, " \"?%s\" is not known to OpenSSL here and is ignored.", token);
			else
				appendStringInfo(&f->problems, "%s\"%s\" is not a group OpenSSL knows",
								 f->problems.len ? "; " : "", token);
			continue;
		}
		appendStringInfo(&f->judged, "%s%s %u", f->judged.len ? ", " : "", token,
						 g->security_bits);
		if (g->security_bits < TLS_GROUPS_MIN_SECURITY_BITS)
			appendStringInfo(&f->problems, "%s\"%s\" gives %u-bit security, below %d",
							 f->problems.len ? "; " : "", token, g->security_bits,
							 TLS_GROUPS_MIN_SECURITY_BITS);
		if (is_post_quantum(g->name))
			f->names_pq = true;
	}
	pfree(copy);
}

/* The first post-quantum hybrid group OpenSSL here offers, or NULL */
static const char *
first_hybrid(const GroupCatalogue *cat)
{
	for (int i = 0; i < cat->n; i++)
		if (is_hybrid(cat->groups[i].name))
			return cat->groups[i].name;
	return NULL;
}

/*
 * The detail's closing sentence when OpenSSL offers a post-quantum hybrid
 * the setting leaves out: where to put it, or (ssl_ecdh_curve) why it
 * cannot be used.
 */
static char *
append_post_quantum_note(const char *detail, const char *setting,
						 bool list_syntax, const char *hybrid)
{
	if (list_syntax)
		return psprintf("%s OpenSSL here offers the post-quantum hybrid %s, which %s does not list: "
						"put it first (e.g. '%s:X25519:prime256v1') so that clients which offer it "
						"(libpq on OpenSSL 3.5+ does) are protected against later decryption "
						"of recorded sessions.",
						detail, hybrid, setting, hybrid);
	return psprintf("%s OpenSSL here offers the post-quantum hybrid %s, which needs "
					"PostgreSQL 18's ssl_groups: ssl_ecdh_curve takes one elliptic curve.",
					detail, hybrid);
}

AuditResult
tls_groups_judge(const char *setting, const char *value)
{
	AuditResult r = {AUDIT_OK, NULL, NULL};
	AuditResult *j = &r;
	GroupCatalogue *cat = palloc(sizeof(GroupCatalogue));
	bool		list_syntax = strcmp(setting, "ssl_groups") == 0;
	EntryFindings f;
	const char *hybrid;

	load_catalogue(cat);
	judge_entries(cat, value, list_syntax, &f);
	if (f.nentries == 0)
		appendStringInfo(&f.problems, "%s names no group", setting);
	else if (f.problems.len == 0 && !openssl_accepts(setting, value))
		appendStringInfoString(&f.problems, "OpenSSL refuses the list as a whole");
	hybrid = first_hybrid(cat);

	if (f.problems.len > 0)
	{
		j->status = AUDIT_ERROR;
		j->detail = psprintf("%s = '%s': %s.%s", setting, value, f.problems.data, f.notes.data);
		if (list_syntax)
			j->hint = psprintf("List only groups OpenSSL knows that give %d-bit security or more, e.g. %s = '%sX25519:prime256v1', and reload.",
							   TLS_GROUPS_MIN_SECURITY_BITS, setting,
							   hybrid ? psprintf("%s:", hybrid) : "");
		else
			j->hint = psprintf("Name a curve of %d-bit security or more, e.g. %s = 'prime256v1', and reload.",
							   TLS_GROUPS_MIN_SECURITY_BITS, setting);
	}
	else
		j->detail = psprintf("%s = '%s': every group gives %d-bit security or more (%s bits).%s",
							 setting, value, TLS_GROUPS_MIN_SECURITY_BITS,
							 f.judged.data, f.notes.data);

	if (hybrid != NULL && !f.names_pq)
		j->detail = append_post_quantum_note(j->detail, setting, list_syntax, hybrid);
	pfree(cat);
	return r;
}

#else							/* OpenSSL before 3.0 */

AuditResult
tls_groups_judge(const char *setting, const char *value)
{
	AuditResult r = {AUDIT_WARNING, NULL, NULL};

	r.detail = psprintf("%s = '%s' could not be judged: OpenSSL before 3.0 does not describe its groups.",
						setting, value);
	r.hint = pstrdup("Build against OpenSSL 3.0 or later.");
	return r;
}

#endif
