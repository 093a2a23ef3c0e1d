/*-------------------------------------------------------------------------
 *
 * refusals.c
 *	  Refused connection attempts: watching a backend's own start,
 *	  classifying how it ended, and the shared tables that count refusals.
 *
 * See refusals.h for the contract.  The classification, in order:
 *  1. a reason announced by sslinfo_ext itself before its FATAL
 *	   (require_ssl: tls_required);
 *  2. PostgreSQL's message, by its untranslated id (known_messages[]);
 *  3. for a failed TLS handshake: a client certificate that failed
 *	   verification by SSL_get_verify_result(), else the OpenSSL reason code
 *	   PostgreSQL reported (handshake_reason_code()), which also names the
 *	   alert a client sent.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/refusals.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "common/ip.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/hba.h"
#include "libpq/libpq.h"
#include "libpq/libpq-be.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "client_inventory.h"
#include "client_offer.h"
#include "lru_table.h"
#include "refusals.h"
#include "sql_datums.h"

/* Bytes kept of what the server said of an attempt */
#define REFUSAL_DETAIL_BYTES	512

static const char *const reason_names[NUM_REFUSAL_REASONS] = {
	[REFUSAL_PROTOCOL_VERSION] = "protocol_version",
	[REFUSAL_NO_SHARED_CIPHER] = "no_shared_cipher",
	[REFUSAL_NO_SHARED_GROUP] = "no_shared_group",
	[REFUSAL_ALPN_REQUIRED] = "alpn_required",
	[REFUSAL_CLIENT_CERT_UNTRUSTED] = "client_cert_untrusted",
	[REFUSAL_CLIENT_CERT_EXPIRED] = "client_cert_expired",
	[REFUSAL_CLIENT_CERT_NOT_YET_VALID] = "client_cert_not_yet_valid",
	[REFUSAL_CLIENT_CERT_REVOKED] = "client_cert_revoked",
	[REFUSAL_CLIENT_CERT_MISSING] = "client_cert_missing",
	[REFUSAL_CLIENT_CERT_IDENTITY] = "client_cert_identity",
	[REFUSAL_SERVER_CERT_REJECTED] = "server_cert_rejected",
	[REFUSAL_TLS_REQUIRED] = "tls_required",
	[REFUSAL_HANDSHAKE_ABORTED] = "handshake_aborted",
	[REFUSAL_OTHER] = "other",
};

/*
 * PostgreSQL's messages that say how a start ended, by their untranslated
 * format (ErrorData.message_id).  The same on every supported major.
 */
typedef enum MessageKind
{
	MSG_HANDSHAKE_FAILED,		/* OpenSSL refused: see the alerts */
	MSG_HANDSHAKE_EOF,			/* the client went away mid-handshake */
	MSG_ALPN,					/* 17+: direct TLS without "postgresql" */
	MSG_CERT_MISSING,			/* a rule requires a client certificate */
	MSG_CERT_IDENTITY,			/* certificate authentication failed */
	NOTE_CERT_IDENTITY,			/* LOG before the FATAL: a name mismatch */
	NOTE_MAPPED_IDENTITY,		/* LOG: user name map mismatch */
	MSG_NO_HBA_ENTRY			/* no pg_hba.conf rule matched */
} MessageKind;

typedef struct KnownMessage
{
	const char *id;
	MessageKind kind;
} KnownMessage;

static const KnownMessage known_messages[] = {
	{"could not accept SSL connection: %s", MSG_HANDSHAKE_FAILED},
	{"could not accept SSL connection: %m", MSG_HANDSHAKE_EOF},
	{"could not accept SSL connection: EOF detected", MSG_HANDSHAKE_EOF},
	{"received direct SSL connection request without ALPN protocol negotiation extension", MSG_ALPN},
	{"received SSL connection request with unexpected ALPN protocol", MSG_ALPN},
	{"connection requires a valid client certificate", MSG_CERT_MISSING},
	{"certificate authentication failed for user \"%s\"", MSG_CERT_IDENTITY},
	{"certificate authentication failed for user \"%s\": client certificate contains no user name", NOTE_CERT_IDENTITY},
	{"certificate validation (clientcert=verify-full) failed for user \"%s\": DN mismatch", NOTE_CERT_IDENTITY},
	{"certificate validation (clientcert=verify-full) failed for user \"%s\": CN mismatch", NOTE_CERT_IDENTITY},
	{"provided user name (%s) and authenticated user name (%s) do not match", NOTE_MAPPED_IDENTITY},
	{"no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s", MSG_NO_HBA_ENTRY},
	{"no pg_hba.conf entry for replication connection from host \"%s\", user \"%s\", %s", MSG_NO_HBA_ENTRY},
};

/* The refusal this backend is ending with, noted for the exit callback */
static struct
{
	bool		admitted;		/* authentication succeeded: not watching */
	bool		noted;
	bool		identity_note;	/* a certificate name mismatch was logged */
	bool		exit_callback;
	bool		has_offer;
	RefusalReason announced;	/* NUM_REFUSAL_REASONS: none */
	RefusalReason reason;
	ClientOffer offer;
	char		detail[REFUSAL_DETAIL_BYTES];
}			pending = {.announced = NUM_REFUSAL_REASONS};

/* Key of the per-address table: the reason and the address bytes */
typedef struct RefusalKey
{
	uint8		reason;
	uint8		family;			/* AF_INET, AF_INET6; 0 for a Unix socket */
	uint8		addr[16];
} RefusalKey;

typedef struct RefusalEntry
{
	SockAddr	client;
	int64		count;
	TimestampTz first_seen;
	uint64		client_profile; /* 0: the offer was not read */
	char		usename[NAMEDATALEN];
	char		datname[NAMEDATALEN];
	char		detail[REFUSAL_DETAIL_BYTES];
} RefusalEntry;

/*
 * The shared part: this header, then capacity keys, capacity last-seen
 * times and capacity entries.
 */
typedef struct RefusalTable
{
	slock_t		lock;			/* n_used, the arrays, stats_reset */
	int			capacity;
	int			n_used;
	TimestampTz stats_reset;
	pg_atomic_uint64 totals[NUM_REFUSAL_REASONS];
} RefusalTable;

static RefusalTable *table = NULL;
static RefusalKey *table_keys;
static TimestampTz *table_last_seen;
static RefusalEntry *table_entries;

static int	max_refusal_entries = 1000;

static emit_log_hook_type prev_emit_log_hook = NULL;

static void collect_reason_texts(void);
static void note_message(ErrorData *edata);
static void refusal_at_exit(int code, Datum arg);

const char *
refusal_reason_name(RefusalReason reason)
{
	Assert(reason >= 0 && reason < NUM_REFUSAL_REASONS);
	return reason_names[reason];
}

static void
refusals_emit_log(ErrorData *edata)
{
	if (MyProcPort != NULL && !pending.admitted && !pending.noted)
		note_message(edata);
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

void
refusals_init(void)
{
	GucContext	context = process_shared_preload_libraries_in_progress ?
	PGC_POSTMASTER : PGC_SIGHUP;

	DefineCustomIntVariable("sslinfo_ext.max_refusal_entries",
							"Entries of pg_stat_ssl_ext_refusals: (client address, reason) pairs kept.",
							"When all are in use, the least recently seen pair makes room. "
							"The totals by reason are kept apart and never evicted.",
							&max_refusal_entries,
							1000, 16, 10000,
							context,
							0,
							NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;
	collect_reason_texts();
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = refusals_emit_log;
}

void
refusals_admitted(void)
{
	pending.admitted = true;
}

/* Called by sslinfo_ext's own refusals before their FATAL */
void
refusals_announce(RefusalReason reason)
{
	pending.announced = reason;
}

static LruTableLayout
table_layout(void)
{
	return lru_table_layout(sizeof(RefusalTable), sizeof(RefusalKey), sizeof(RefusalEntry),
							max_refusal_entries);
}

Size
refusals_shmem_size(void)
{
	return table_layout().total;
}

void
refusals_shmem_startup(void)
{
	bool		found;
	LruTableLayout layout = table_layout();

	table = ShmemInitStruct("sslinfo_ext refusals",
							layout.total, &found);
	table_keys = (RefusalKey *) ((char *) table + layout.keys);
	table_last_seen = (TimestampTz *) ((char *) table + layout.last_seen);
	table_entries = (RefusalEntry *) ((char *) table + layout.entries);
	if (found)
		return;

	SpinLockInit(&table->lock);
	table->capacity = max_refusal_entries;
	table->n_used = 0;
	table->stats_reset = GetCurrentTimestamp();
	for (int i = 0; i < NUM_REFUSAL_REASONS; i++)
		pg_atomic_init_u64(&table->totals[i], 0);
}

/* The refusal a client's fatal alert says it is */
static RefusalReason
reason_of_client_alert(int alert)
{
	switch (alert)
	{
		case SSL_AD_PROTOCOL_VERSION:
			return REFUSAL_PROTOCOL_VERSION;
		case SSL_AD_BAD_CERTIFICATE:
		case SSL_AD_UNSUPPORTED_CERTIFICATE:
		case SSL_AD_CERTIFICATE_REVOKED:
		case SSL_AD_CERTIFICATE_EXPIRED:
		case SSL_AD_CERTIFICATE_UNKNOWN:
		case SSL_AD_UNKNOWN_CA:
		case SSL_AD_DECRYPT_ERROR:
			return REFUSAL_SERVER_CERT_REJECTED;
		default:
			return REFUSAL_HANDSHAKE_ABORTED;
	}
}

/* The refusal of a client certificate that failed verification */
static RefusalReason
reason_of_verify_result(long result)
{
	switch (result)
	{
		case X509_V_ERR_CERT_HAS_EXPIRED:
			return REFUSAL_CLIENT_CERT_EXPIRED;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			return REFUSAL_CLIENT_CERT_NOT_YET_VALID;
		case X509_V_ERR_CERT_REVOKED:
			return REFUSAL_CLIENT_CERT_REVOKED;
		default:
			return REFUSAL_CLIENT_CERT_UNTRUSTED;
	}
}

/*
 * OpenSSL's texts of the reason codes a failed handshake is classified by:
 * those refusal_reason_of_openssl_code() knows, and every alert a peer can
 * send (SSL_AD_REASON_OFFSET plus the alert) that has a text.  Collected in
 * the postmaster when the library is preloaded, so that every backend
 * inherits them and a refusal pays only for the comparisons.  The texts are
 * OpenSSL's own, static for the life of the process.
 */
typedef struct ReasonText
{
	int			code;
	const char *text;
	size_t		len;
} ReasonText;

#define MAX_REASON_TEXTS	(32 + 256)
static ReasonText reason_texts[MAX_REASON_TEXTS];
static int	n_reason_texts = 0;

static void
collect_reason_texts(void)
{
	static const int codes[] = {
		SSL_R_NO_PROTOCOLS_AVAILABLE, SSL_R_UNSUPPORTED_PROTOCOL,
		SSL_R_BAD_PROTOCOL_VERSION_NUMBER, SSL_R_UNKNOWN_PROTOCOL,
		SSL_R_UNKNOWN_SSL_VERSION, SSL_R_UNSUPPORTED_SSL_VERSION,
		SSL_R_WRONG_SSL_VERSION, SSL_R_WRONG_VERSION_NUMBER,
		SSL_R_VERSION_TOO_HIGH, SSL_R_VERSION_TOO_LOW,
		SSL_R_NO_SHARED_CIPHER, SSL_R_NO_SUITABLE_KEY_SHARE,
#ifdef SSL_R_NO_SHARED_GROUPS
		SSL_R_NO_SHARED_GROUPS,
#endif
		SSL_R_CERTIFICATE_VERIFY_FAILED,
		SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
		SSL_R_NO_APPLICATION_PROTOCOL,
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		SSL_R_UNEXPECTED_EOF_WHILE_READING,
#endif
	};

	StaticAssertStmt(lengthof(codes) <= 32, "MAX_REASON_TEXTS too small");
	OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, NULL);
	n_reason_texts = 0;
	for (int i = 0; i < lengthof(codes) + 256; i++)
	{
		int			code;
		const char *text;

		if (i < lengthof(codes))
			code = codes[i];
		else
			code = SSL_AD_REASON_OFFSET + (i - lengthof(codes));
		text = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, code));
		if (text == NULL || text[0] == '\0')
			continue;
		reason_texts[n_reason_texts].code = code;
		reason_texts[n_reason_texts].text = text;
		reason_texts[n_reason_texts].len = strlen(text);
		n_reason_texts++;
	}
	ERR_clear_error();
}

/*
 * The OpenSSL reason code of a failed handshake, from PostgreSQL's message:
 * PostgreSQL puts OpenSSL's text for the code it took off the error queue
 * into it, and OpenSSL's texts are never translated, so the code is the one
 * whose text (the longest, if several) the message contains.  0 when none
 * does.
 */
static int
handshake_reason_code(const char *message)
{
	int			found = 0;
	size_t		found_len = 0;

	if (message == NULL)
		return 0;
	for (int i = 0; i < n_reason_texts; i++)
	{
		if (reason_texts[i].len > found_len &&
			strstr(message, reason_texts[i].text) != NULL)
		{
			found = reason_texts[i].code;
			found_len = reason_texts[i].len;
		}
	}
	return found;
}

/*
 * The refusal of a failed handshake: a client certificate that failed
 * verification, else by the reason code.
 */
static RefusalReason
reason_of_handshake(SSL *ssl, const char *message)
{
	/*
	 * A client certificate that failed verification is why the server gave
	 * up, whatever the error queue held.
	 */
	if (ssl != NULL && SSL_get_verify_result(ssl) != X509_V_OK)
		return reason_of_verify_result(SSL_get_verify_result(ssl));

	return refusal_reason_of_openssl_code(handshake_reason_code(message));
}

/*
 * The refusal an OpenSSL reason code of a failed handshake stands for (the
 * codes for which PostgreSQL hints at the protocol range are
 * protocol_version here too); SSL_AD_REASON_OFFSET plus an alert is that
 * alert, received from the peer.
 */
RefusalReason
refusal_reason_of_openssl_code(int code)
{
	if (code >= SSL_AD_REASON_OFFSET)
		return reason_of_client_alert(code - SSL_AD_REASON_OFFSET);
	switch (code)
	{
		case SSL_R_NO_PROTOCOLS_AVAILABLE:
		case SSL_R_UNSUPPORTED_PROTOCOL:
		case SSL_R_BAD_PROTOCOL_VERSION_NUMBER:
		case SSL_R_UNKNOWN_PROTOCOL:
		case SSL_R_UNKNOWN_SSL_VERSION:
		case SSL_R_UNSUPPORTED_SSL_VERSION:
		case SSL_R_WRONG_SSL_VERSION:
		case SSL_R_WRONG_VERSION_NUMBER:
		case SSL_R_VERSION_TOO_HIGH:
		case SSL_R_VERSION_TOO_LOW:
			return REFUSAL_PROTOCOL_VERSION;
		case SSL_R_NO_SHARED_CIPHER:
			return REFUSAL_NO_SHARED_CIPHER;
		case SSL_R_NO_SUITABLE_KEY_SHARE:
#ifdef SSL_R_NO_SHARED_GROUPS
		case SSL_R_NO_SHARED_GROUPS:
#endif
			return REFUSAL_NO_SHARED_GROUP;
		case SSL_R_CERTIFICATE_VERIFY_FAILED:
			return REFUSAL_CLIENT_CERT_UNTRUSTED;
		case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
			return REFUSAL_CLIENT_CERT_MISSING;
		case SSL_R_NO_APPLICATION_PROTOCOL:
			return REFUSAL_ALPN_REQUIRED;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		case SSL_R_UNEXPECTED_EOF_WHILE_READING:
			return REFUSAL_HANDSHAKE_ABORTED;
#endif
		default:
			return REFUSAL_OTHER;
	}
}

/*
 * A connection refused because no rule admitted it: a client that did not
 * use TLS over TCP, on a server with TLS on, would have found a rule with
 * it or not at all, so that is tls_required.  Otherwise, the rules simply
 * do not admit the user or the database: other.
 */
static RefusalReason
reason_of_no_hba_entry(Port *port)
{
	if (port->ssl_in_use || !EnableSSL ||
		port->raddr.addr.ss_family == AF_UNIX)
		return REFUSAL_OTHER;
#ifdef ENABLE_GSS
	if (be_gssapi_get_enc(port))
		return REFUSAL_OTHER;
#endif
	return REFUSAL_TLS_REQUIRED;
}

static RefusalReason
classify(ErrorData *edata, MessageKind kind, bool known)
{
	Port	   *port = MyProcPort;

	if (pending.announced != NUM_REFUSAL_REASONS)
		return pending.announced;
	if (!known)
		return pending.identity_note ? REFUSAL_CLIENT_CERT_IDENTITY : REFUSAL_OTHER;

	switch (kind)
	{
		case MSG_HANDSHAKE_FAILED:
			return reason_of_handshake(port->ssl, edata->message);
		case MSG_HANDSHAKE_EOF:
			return REFUSAL_HANDSHAKE_ABORTED;
		case MSG_ALPN:
			return REFUSAL_ALPN_REQUIRED;
		case MSG_CERT_MISSING:
			return REFUSAL_CLIENT_CERT_MISSING;
		case MSG_CERT_IDENTITY:
			return REFUSAL_CLIENT_CERT_IDENTITY;
		case MSG_NO_HBA_ENTRY:
			return reason_of_no_hba_entry(port);
		case NOTE_CERT_IDENTITY:
		case NOTE_MAPPED_IDENTITY:
			break;
	}
	return REFUSAL_OTHER;
}

/*
 * Copy at most dstsize - 1 bytes of src, cut at a UTF-8 character
 * boundary when it is valid UTF-8 (anything else is escaped when read).
 */
static void
append_bounded(char *dst, size_t dstsize, const char *src)
{
	size_t		used = strlen(dst);
	size_t		room = dstsize - 1 - used;
	size_t		len = strlen(src);

	if (len > room)
	{
		len = room;
		while (len > 0 && (src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst + used, src, len);
	dst[used + len] = '\0';
}

/*
 * What the server said: PostgreSQL's message (with OpenSSL's reason, which
 * names an alert the client sent) and detail, in the server's language.
 */
static void
note_detail(ErrorData *edata)
{
	pending.detail[0] = '\0';
	if (edata->message)
		append_bounded(pending.detail, sizeof(pending.detail), edata->message);
	if (edata->detail)
	{
		append_bounded(pending.detail, sizeof(pending.detail), " ");
		append_bounded(pending.detail, sizeof(pending.detail), edata->detail);
	}
}

/*
 * A message of a backend that was not admitted yet: a note for a later
 * message, or the end of the attempt.
 */
static void
note_message(ErrorData *edata)
{
	MessageKind kind = MSG_HANDSHAKE_FAILED;
	bool		known = false;

	if (edata->elevel != LOG && edata->elevel != COMMERROR &&
		edata->elevel != FATAL)
		return;
	if (edata->message_id != NULL)
	{
		for (int i = 0; i < lengthof(known_messages); i++)
		{
			if (strcmp(edata->message_id, known_messages[i].id) == 0)
			{
				kind = known_messages[i].kind;
				known = true;
				break;
			}
		}
	}

	if (edata->elevel == LOG)
	{
		/* only notes; a LOG never ends an attempt */
		if (known && kind == NOTE_CERT_IDENTITY)
			pending.identity_note = true;
		else if (known && kind == NOTE_MAPPED_IDENTITY &&
				 MyProcPort->hba != NULL &&
				 MyProcPort->hba->auth_method == uaCert)
			pending.identity_note = true;
		return;
	}

	pending.reason = classify(edata, kind, known);
	note_detail(edata);
	pending.has_offer = MyProcPort->ssl != NULL &&
		client_offer_read(MyProcPort->ssl, &pending.offer);
	pending.noted = true;
	if (!pending.exit_callback)
	{
		/*
		 * on_proc_exit, not on_shmem_exit: before the startup packet is read,
		 * PostgreSQL insists that no shared-memory exit callback is
		 * registered yet.  Shared memory stays mapped until the process ends,
		 * and nothing counted here needs the PGPROC.
		 */
		on_proc_exit(refusal_at_exit, (Datum) 0);
		pending.exit_callback = true;
	}
}

/* The key of a client address and reason */
static void
refusal_key(const SockAddr *client, RefusalReason reason, RefusalKey *key)
{
	memset(key, 0, sizeof(*key));
	key->reason = (uint8) reason;
	switch (client->addr.ss_family)
	{
		case AF_INET:
			key->family = AF_INET;
			memcpy(key->addr, &((const struct sockaddr_in *) &client->addr)->sin_addr, 4);
			break;
		case AF_INET6:
			key->family = AF_INET6;
			memcpy(key->addr, &((const struct sockaddr_in6 *) &client->addr)->sin6_addr, 16);
			break;
		default:
			break;
	}
}

/* Count the noted refusal: the totals, the address table, the profile */
static void
refusal_at_exit(int code, Datum arg)
{
	Port	   *port = MyProcPort;
	RefusalKey	key;
	TimestampTz now;
	uint64		profile = 0;
	bool		found;
	int			i;

	if (!pending.noted || pending.admitted || table == NULL || port == NULL)
		return;
	pending.noted = false;

	pg_atomic_fetch_add_u64(&table->totals[pending.reason], 1);
	if (pending.has_offer)
	{
		profile = client_offer_id(&pending.offer);
		client_inventory_count(&pending.offer, profile, port, pending.reason);
	}

	refusal_key(&port->raddr, pending.reason, &key);
	now = GetCurrentTimestamp();
	SpinLockAcquire(&table->lock);
	i = lru_table_slot(table_keys, sizeof(RefusalKey), table_last_seen,
					   &table->n_used, table->capacity, &key, &found);
	if (!found)
	{
		table_keys[i] = key;
		table_entries[i].count = 0;
		table_entries[i].first_seen = now;
	}
	table_last_seen[i] = now;
	table_entries[i].client = port->raddr;
	table_entries[i].count++;
	table_entries[i].client_profile = profile;
	strlcpy(table_entries[i].usename, port->user_name ? port->user_name : "",
			NAMEDATALEN);
	strlcpy(table_entries[i].datname,
			port->database_name ? port->database_name : "", NAMEDATALEN);
	memcpy(table_entries[i].detail, pending.detail, REFUSAL_DETAIL_BYTES);
	SpinLockRelease(&table->lock);
}

/*
 * SQL functions
 */

/* The caller may see addresses, users, details and offers */
static bool
reads_all_stats(void)
{
	return has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
}

PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_refusals);
Datum
sslinfo_ext_pg_stat_ssl_ext_refusals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		reads_all = reads_all_stats();
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	if (table == NULL)
		return (Datum) 0;

	SpinLockAcquire(&table->lock);
	n = table->n_used;
	SpinLockRelease(&table->lock);

	for (int i = 0; i < n; i++)
	{
		RefusalKey	key;
		RefusalEntry entry;
		TimestampTz last_seen;
		Datum		values[9];
		bool		nulls[9];

		/* one entry at a time: the lock is held for a copy, never more */
		SpinLockAcquire(&table->lock);
		if (i >= table->n_used)
		{
			/* a reset emptied the table meanwhile */
			SpinLockRelease(&table->lock);
			break;
		}
		key = table_keys[i];
		last_seen = table_last_seen[i];
		entry = table_entries[i];
		SpinLockRelease(&table->lock);

		memset(nulls, true, sizeof(nulls));
		values[1] = CStringGetTextDatum(refusal_reason_name(key.reason));
		nulls[1] = false;
		values[2] = Int64GetDatum(entry.count);
		nulls[2] = false;
		values[3] = TimestampTzGetDatum(entry.first_seen);
		nulls[3] = false;
		values[4] = TimestampTzGetDatum(last_seen);
		nulls[4] = false;
		if (reads_all)
		{
			nulls[0] = !client_addr_datum(&entry.client, &values[0]);
			entry.detail[REFUSAL_DETAIL_BYTES - 1] = '\0';
			values[5] = log_safe_text_datum(entry.detail);
			nulls[5] = false;
			if (entry.client_profile != 0)
			{
				char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

				client_profile_format(entry.client_profile, profile);
				values[6] = CStringGetTextDatum(profile);
				nulls[6] = false;
			}
			entry.usename[NAMEDATALEN - 1] = '\0';
			entry.datname[NAMEDATALEN - 1] = '\0';
			if (entry.usename[0] != '\0')
			{
				values[7] = log_safe_name_datum(entry.usename);
				nulls[7] = false;
			}
			if (entry.datname[0] != '\0')
			{
				values[8] = log_safe_name_datum(entry.datname);
				nulls[8] = false;
			}
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_refusal_totals);
Datum
sslinfo_ext_pg_stat_ssl_ext_refusal_totals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TimestampTz stats_reset;

	InitMaterializedSRF(fcinfo, 0);
	if (table == NULL)
		return (Datum) 0;

	SpinLockAcquire(&table->lock);
	stats_reset = table->stats_reset;
	SpinLockRelease(&table->lock);
	for (int r = 0; r < NUM_REFUSAL_REASONS; r++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(refusal_reason_name(r));
		values[1] = Int64GetDatum((int64) pg_atomic_read_u64(&table->totals[r]));
		values[2] = TimestampTzGetDatum(stats_reset);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_refusals_reset);
Datum
sslinfo_ext_pg_stat_ssl_ext_refusals_reset(PG_FUNCTION_ARGS)
{
	if (table == NULL)
		ereport(ERROR,
				errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("refused connections are not recorded"),
				errdetail("sslinfo_ext is not in shared_preload_libraries."),
				errhint("Add sslinfo_ext to shared_preload_libraries and restart the server."));

	SpinLockAcquire(&table->lock);
	table->n_used = 0;
	table->stats_reset = GetCurrentTimestamp();
	SpinLockRelease(&table->lock);
	for (int r = 0; r < NUM_REFUSAL_REASONS; r++)
		pg_atomic_write_u64(&table->totals[r], 0);
	PG_RETURN_VOID();
}
