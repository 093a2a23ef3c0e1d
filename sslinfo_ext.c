/*-------------------------------------------------------------------------
 *
 * sslinfo_ext.c
 *	  Module entry of sslinfo_ext and the SQL functions about the calling
 *	  session's own TLS connection.
 *
 * The ten functions of contrib sslinfo are provided with the same names,
 * signatures and answers (but DNs are never cut), plus functions for what
 * contrib does not show: cipher bits, validity dates, fingerprint, SANs.
 *
 * A session's TLS state and certificate never change after the handshake,
 * so every answer is rendered once (tls_facts_own()), converted to the
 * database encoding once, and then handed out as a copy: repeat calls cost
 * little more than returning a datum.
 *
 * _PG_init registers each unit's settings; when loaded through
 * shared_preload_libraries it also installs the one set of hooks
 * (authentication, shared memory) through which the units run.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * sslinfo_ext.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/auth.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "cert_lifecycle.h"
#include "cipher_policy.h"
#include "client_inventory.h"
#include "client_offer.h"
#include "refusals.h"
#include "require_ssl.h"
#include "session_registry.h"
#include "sql_datums.h"
#include "tls_facts.h"
#include "x509_render.h"

PG_MODULE_MAGIC;

/*
 * A value rendered once for this session, in the database encoding, kept
 * in TopMemoryContext.  Every cached answer is of a varlena type (text,
 * numeric, text[]); "ready" with isnull set means SQL NULL.
 */
typedef struct SessionValue
{
	bool		ready;
	bool		isnull;
	Datum		value;
} SessionValue;

/* The calling session's rendered values, one per function */
static SessionValue own_version;
static SessionValue own_cipher;
static SessionValue own_client_dn;
static SessionValue own_issuer_dn;
static SessionValue own_serial;
static SessionValue own_fingerprint;
static SessionValue own_san;
static SessionValue own_alpn;
static SessionValue own_server_fingerprint;
static SessionValue own_supported_groups;
static SessionValue own_shared_groups;

/* DN field lookups already answered: (subject?, field name) -> value */
typedef struct FieldAnswer
{
	bool		issuer;
	int			field_name_len;
	char	   *field_name;		/* the argument's bytes, not NUL-terminated */
	SessionValue answer;
} FieldAnswer;

#define MAX_FIELD_ANSWERS	32
static FieldAnswer field_answers[MAX_FIELD_ANSWERS];
static int	n_field_answers = 0;

/*
 * ssl_extension_info() rows, rendered once: complete tuples of the
 * function's (blessed, so valid for the life of the backend) row type,
 * handed out as copies.  own_extension_count is -1 until rendered.
 */
static HeapTupleHeader *own_extension_rows = NULL;
static int	own_extension_count = -1;

static ClientAuthentication_hook_type prev_client_auth_hook = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

/*
 * Store a datum computed in the caller's memory context as this session's
 * answer.
 */
static void
session_value_set(SessionValue *sv, Datum value, bool isnull)
{
	if (!isnull)
	{
		Size		size = VARSIZE_ANY(DatumGetPointer(value));
		void	   *copy = MemoryContextAlloc(TopMemoryContext, size);

		memcpy(copy, DatumGetPointer(value), size);
		value = PointerGetDatum(copy);
	}
	sv->value = value;
	sv->isnull = isnull;
	sv->ready = true;
}

/* The stored answer, copied into the caller's memory context */
static Datum
session_value_get(const SessionValue *sv, FunctionCallInfo fcinfo)
{
	void	   *copy;
	Size		size;

	if (sv->isnull)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	size = VARSIZE_ANY(DatumGetPointer(sv->value));
	copy = palloc(size);
	memcpy(copy, DatumGetPointer(sv->value), size);
	return PointerGetDatum(copy);
}

/* A UTF-8 string (NULL for SQL NULL) as this session's text answer */
static Datum
session_text(SessionValue *sv, const char *utf8, FunctionCallInfo fcinfo)
{
	if (!sv->ready)
	{
		if (utf8 == NULL)
			session_value_set(sv, (Datum) 0, true);
		else
			session_value_set(sv, PointerGetDatum(x509_utf8_to_text(utf8)), false);
	}
	return session_value_get(sv, fcinfo);
}

/*
 * The client certificate's facts, or NULL when the session has none (no
 * TLS, or TLS without a client certificate).
 */
static const TlsFacts *
own_certificate(void)
{
	const TlsFacts *facts = tls_facts_own();

	return facts->cert_present ? facts : NULL;
}

/*
 * Client authentication: the point after the TLS handshake where a session's
 * facts are known and a connection can still be refused.
 */
static void
sslinfo_ext_client_authentication(Port *port, int status)
{
	TlsFacts	facts;
	MemoryContext logincontext;
	MemoryContext oldcontext;

	if (prev_client_auth_hook)
		prev_client_auth_hook(port, status);

	/* may refuse the connection: before anything is recorded */
	require_ssl_check(port, status);
	if (status != STATUS_OK)
		return;
	refusals_admitted();

	/*
	 * Only what the registry and the expiry alarms need, rendered once for
	 * both in memory freed right after: the own-session SQL functions render
	 * their values (tls_facts_own()) only if a query asks.
	 */
	logincontext = AllocSetContextCreate(CurrentMemoryContext,
										 "sslinfo_ext login",
										 ALLOCSET_DEFAULT_SIZES);
	oldcontext = MemoryContextSwitchTo(logincontext);
	tls_facts_collect(port, &facts);
	facts.client_profile = client_inventory_admit(port);
	session_registry_record(port, &facts);
	if (facts.ssl_in_use)
		cert_expiry_check(port, &facts);
	MemoryContextSwitchTo(oldcontext);
	MemoryContextDelete(logincontext);
}

/* Shared memory and LWLocks of the units */
static void
sslinfo_ext_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(cert_lifecycle_shmem_size());
	RequestAddinShmemSpace(session_registry_shmem_size());
	RequestAddinShmemSpace(refusals_shmem_size());
	RequestAddinShmemSpace(client_inventory_shmem_size());
	RequestNamedLWLockTranche(CERT_LIFECYCLE_LWLOCK_TRANCHE, 1);
}

static void
sslinfo_ext_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	cert_lifecycle_shmem_startup();
	session_registry_shmem_startup();
	refusals_shmem_startup();
	client_inventory_shmem_startup();
}

void
_PG_init(void)
{
	/* units define their settings before the prefix is reserved */
	cipher_policy_init();
	require_ssl_init();
	cert_lifecycle_init();
	session_registry_init();
	refusals_init();
	client_inventory_init();

	MarkGUCPrefixReserved("sslinfo_ext");

	if (!process_shared_preload_libraries_in_progress)
		return;

	prev_client_auth_hook = ClientAuthentication_hook;
	ClientAuthentication_hook = sslinfo_ext_client_authentication;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = sslinfo_ext_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = sslinfo_ext_shmem_startup;
}

/*
 * The contrib sslinfo functions
 */

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_is_used);
Datum
sslinfo_ext_ssl_is_used(PG_FUNCTION_ARGS)
{
	/* PostgreSQL's own flag: nothing to render, so read it directly */
	PG_RETURN_BOOL(MyProcPort != NULL && MyProcPort->ssl_in_use);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_version);
Datum
sslinfo_ext_ssl_version(PG_FUNCTION_ARGS)
{
	return session_text(&own_version, tls_facts_own()->version, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_cipher);
Datum
sslinfo_ext_ssl_cipher(PG_FUNCTION_ARGS)
{
	return session_text(&own_cipher, tls_facts_own()->cipher, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_cert_present);
Datum
sslinfo_ext_ssl_client_cert_present(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(tls_facts_own()->cert_present);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_serial);
Datum
sslinfo_ext_ssl_client_serial(PG_FUNCTION_ARGS)
{
	if (!own_serial.ready)
	{
		const TlsFacts *cert = own_certificate();

		if (cert == NULL || cert->client.serial == NULL)
			session_value_set(&own_serial, (Datum) 0, true);
		else
			session_value_set(&own_serial,
							  serial_to_numeric(cert->client.serial), false);
	}
	return session_value_get(&own_serial, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_dn);
Datum
sslinfo_ext_ssl_client_dn(PG_FUNCTION_ARGS)
{
	const TlsFacts *cert = own_certificate();

	return session_text(&own_client_dn, cert ? cert->client.subject : NULL, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_issuer_dn);
Datum
sslinfo_ext_ssl_issuer_dn(PG_FUNCTION_ARGS)
{
	const TlsFacts *cert = own_certificate();

	return session_text(&own_issuer_dn, cert ? cert->client.issuer : NULL, fcinfo);
}

/*
 * One field of the client certificate's subject or issuer DN.  Answers are
 * remembered per field name (its exact bytes, so every name form keeps its
 * own answer) for the first MAX_FIELD_ANSWERS names; later names are
 * answered afresh on every call.  An unknown name is an error every time.
 */
static Datum
dn_field(FunctionCallInfo fcinfo, bool issuer)
{
	text	   *field_arg;
	const char *field_bytes;
	int			field_len;
	char	   *field_name;
	const X509_NAME *name;
	char	   *value;
	FieldAnswer *remembered;
	SessionValue answer;

	/* like contrib sslinfo: no certificate means NULL, whatever the name */
	if (own_certificate() == NULL)
		PG_RETURN_NULL();

	/* repeat calls: compare the argument in place, no C string made */
	field_arg = PG_GETARG_TEXT_PP(0);
	field_bytes = VARDATA_ANY(field_arg);
	field_len = VARSIZE_ANY_EXHDR(field_arg);
	for (int i = 0; i < n_field_answers; i++)
	{
		if (field_answers[i].issuer == issuer &&
			field_answers[i].field_name_len == field_len &&
			memcmp(field_answers[i].field_name, field_bytes, field_len) == 0)
			return session_value_get(&field_answers[i].answer, fcinfo);
	}

	field_name = text_to_cstring(field_arg);
	name = issuer ? X509_get_issuer_name(MyProcPort->peer)
		: X509_get_subject_name(MyProcPort->peer);
	if (x509_name_field(name, field_name, &value) == X509_FIELD_UNKNOWN_NAME)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid X.509 field name: \"%s\"", field_name),
				 errhint("Use an attribute's short name (\"CN\"), long name (\"commonName\") or dotted OID (\"2.5.4.3\").")));

	/*
	 * The table is full: answer in the caller's memory and keep nothing, so
	 * that any number of distinct names costs no session memory.
	 */
	if (n_field_answers >= MAX_FIELD_ANSWERS)
	{
		if (value == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(x509_utf8_to_text(value));
	}

	/*
	 * Render the answer first: the conversion to the database encoding may
	 * fail, and nothing half-made may be remembered.
	 */
	remembered = &field_answers[n_field_answers];
	if (value == NULL)
		session_value_set(&answer, (Datum) 0, true);
	else
		session_value_set(&answer, PointerGetDatum(x509_utf8_to_text(value)), false);
	remembered->answer = answer;
	remembered->issuer = issuer;
	remembered->field_name_len = field_len;
	remembered->field_name = MemoryContextStrdup(TopMemoryContext, field_name);
	n_field_answers++;
	return session_value_get(&remembered->answer, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_dn_field);
Datum
sslinfo_ext_ssl_client_dn_field(PG_FUNCTION_ARGS)
{
	return dn_field(fcinfo, false);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_issuer_field);
Datum
sslinfo_ext_ssl_issuer_field(PG_FUNCTION_ARGS)
{
	return dn_field(fcinfo, true);
}

/*
 * Render the client certificate's extensions once, as tuples of this
 * function's row type kept in TopMemoryContext.  The tuple descriptor is
 * blessed, so the row type's typmod stays registered for the backend's
 * life and the tuples can be handed out by any later call.  The rows are
 * formed in the caller's memory and kept only once all of them converted
 * to the database encoding: a failed conversion leaves nothing behind.
 */
static void
own_extension_rows_render(FunctionCallInfo fcinfo)
{
	static TupleDesc blessed = NULL;
	List	   *extensions;
	HeapTuple  *formed;
	HeapTupleHeader *kept;
	ListCell   *lc;
	int			n = 0;

	if (blessed == NULL)
	{
		TupleDesc	tupdesc;
		MemoryContext oldcontext;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		oldcontext = MemoryContextSwitchTo(TopMemoryContext);
		blessed = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(oldcontext);
	}

	extensions = x509_extensions(MyProcPort->peer);
	formed = palloc(Max(list_length(extensions), 1) * sizeof(HeapTuple));
	foreach(lc, extensions)
	{
		X509ExtensionText *ext = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = PointerGetDatum(x509_utf8_to_text(ext->name));
		values[1] = PointerGetDatum(x509_utf8_to_text(ext->value));
		values[2] = BoolGetDatum(ext->critical);
		formed[n++] = heap_form_tuple(blessed, values, nulls);
	}

	kept = MemoryContextAlloc(TopMemoryContext, Max(n, 1) * sizeof(HeapTupleHeader));
	for (int i = 0; i < n; i++)
	{
		kept[i] = MemoryContextAlloc(TopMemoryContext, formed[i]->t_len);
		memcpy(kept[i], formed[i]->t_data, formed[i]->t_len);
	}
	own_extension_rows = kept;
	own_extension_count = n;
}

/*
 * One row per extension of the client certificate, none without one.
 * Value-per-call: each row is a copy of a tuple rendered once per session,
 * so a call costs about what returning that many datums costs.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_extension_info);
Datum
sslinfo_ext_ssl_extension_info(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;

	if (SRF_IS_FIRSTCALL())
	{
		funcctx = SRF_FIRSTCALL_INIT();
		if (own_certificate() == NULL)
			funcctx->max_calls = 0;
		else
		{
			if (own_extension_count < 0)
				own_extension_rows_render(fcinfo);
			funcctx->max_calls = own_extension_count;
		}
	}
	funcctx = SRF_PERCALL_SETUP();

	if (funcctx->call_cntr < funcctx->max_calls)
	{
		HeapTupleHeader row = own_extension_rows[funcctx->call_cntr];
		Size		size = HeapTupleHeaderGetDatumLength(row);
		HeapTupleHeader copy = palloc(size);

		memcpy(copy, row, size);
		SRF_RETURN_NEXT(funcctx, PointerGetDatum(copy));
	}
	SRF_RETURN_DONE(funcctx);
}

/*
 * What contrib sslinfo does not show
 */

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_cipher_bits);
Datum
sslinfo_ext_ssl_cipher_bits(PG_FUNCTION_ARGS)
{
	const TlsFacts *facts = tls_facts_own();

	if (!facts->ssl_in_use)
		PG_RETURN_NULL();
	PG_RETURN_INT32(facts->bits);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_not_before);
Datum
sslinfo_ext_ssl_client_not_before(PG_FUNCTION_ARGS)
{
	const TlsFacts *cert = own_certificate();

	if (cert == NULL || !cert->client.has_validity)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(cert->client.not_before);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_not_after);
Datum
sslinfo_ext_ssl_client_not_after(PG_FUNCTION_ARGS)
{
	const TlsFacts *cert = own_certificate();

	if (cert == NULL || !cert->client.has_validity)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(cert->client.not_after);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_fingerprint);
Datum
sslinfo_ext_ssl_client_fingerprint(PG_FUNCTION_ARGS)
{
	const TlsFacts *cert = own_certificate();

	return session_text(&own_fingerprint, cert ? cert->client.fingerprint : NULL, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_san);
Datum
sslinfo_ext_ssl_client_san(PG_FUNCTION_ARGS)
{
	if (!own_san.ready)
	{
		const TlsFacts *cert = own_certificate();

		if (cert == NULL || cert->client.san == NIL)
			session_value_set(&own_san, (Datum) 0, true);
		else
			session_value_set(&own_san,
							  utf8_list_to_text_array(cert->client.san), false);
	}
	return session_value_get(&own_san, fcinfo);
}

/*
 * What PostgreSQL 17 and later negotiate, and what the server presented
 */

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_alpn);
Datum
sslinfo_ext_ssl_alpn(PG_FUNCTION_ARGS)
{
	return session_text(&own_alpn, tls_facts_own()->alpn, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_server_fingerprint);
Datum
sslinfo_ext_ssl_server_fingerprint(PG_FUNCTION_ARGS)
{
	return session_text(&own_server_fingerprint,
						tls_facts_own()->server_fingerprint, fcinfo);
}

/*
 * A list of group names as this session's text[], asked of OpenSSL on the
 * first call (groups_of) and kept; NULL without TLS
 */
static Datum
session_groups(SessionValue *sv, List *(*groups_of) (Port *port),
			   FunctionCallInfo fcinfo)
{
	if (!sv->ready)
	{
		if (!tls_facts_own()->ssl_in_use)
			session_value_set(sv, (Datum) 0, true);
		else
			session_value_set(sv, utf8_list_to_text_array(groups_of(MyProcPort)),
							  false);
	}
	return session_value_get(sv, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_supported_groups);
Datum
sslinfo_ext_ssl_supported_groups(PG_FUNCTION_ARGS)
{
	return session_groups(&own_supported_groups, tls_client_groups, fcinfo);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_shared_groups);
Datum
sslinfo_ext_ssl_shared_groups(PG_FUNCTION_ARGS)
{
	return session_groups(&own_shared_groups, tls_shared_groups, fcinfo);
}

/*
 * The client profile of the calling session's TLS offer (client_offer.h),
 * asked of OpenSSL on first use.
 */
PG_FUNCTION_INFO_V1(sslinfo_ext_ssl_client_profile);
Datum
sslinfo_ext_ssl_client_profile(PG_FUNCTION_ARGS)
{
	static bool asked = false;
	static uint64 own_profile = 0;
	char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

	if (!asked)
	{
		ClientOffer offer;

		if (MyProcPort != NULL && MyProcPort->ssl_in_use &&
			client_offer_read(MyProcPort->ssl, &offer))
			own_profile = client_offer_id(&offer);
		asked = true;
	}
	if (own_profile == 0)
		PG_RETURN_NULL();
	client_profile_format(own_profile, profile);
	PG_RETURN_TEXT_P(cstring_to_text(profile));
}
