/*-------------------------------------------------------------------------
 *
 * client_inventory.c
 *	  The client profiles seen, in shared memory: pg_stat_ssl_ext_clients.
 *
 * See client_inventory.h for the contract.  The table is laid out like the
 * refusal table (refusals.c): a header, then compact arrays of the profile
 * ids and last-seen times that lru_table_slot() scans, then the entries.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/client_inventory.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "client_inventory.h"
#include "client_offer.h"
#include "lru_table.h"
#include "session_registry.h"
#include "sql_datums.h"

typedef struct ProfileEntry
{
	ClientOffer offer;
	int64		connections;
	int64		refusals;
	uint32		refusal_reasons;	/* bit (1 << RefusalReason) per reason */
	TimestampTz first_seen;
	SockAddr	last_client;
	char		last_usename[NAMEDATALEN];
	char		last_application_name[NAMEDATALEN];
} ProfileEntry;

typedef struct ProfileTable
{
	slock_t		lock;			/* n_used and the arrays */
	int			capacity;
	int			n_used;
} ProfileTable;

static ProfileTable *table = NULL;
static uint64 *table_ids;
static TimestampTz *table_last_seen;
static ProfileEntry *table_entries;

static int	max_client_profiles = 1000;

void
client_inventory_init(void)
{
	GucContext	context = process_shared_preload_libraries_in_progress ?
	PGC_POSTMASTER : PGC_SIGHUP;

	DefineCustomIntVariable("sslinfo_ext.max_client_profiles",
							"Client profiles (distinct TLS offers) kept in pg_stat_ssl_ext_clients.",
							"When all are in use, the least recently seen profile makes room.",
							&max_client_profiles,
							1000, 16, 10000,
							context,
							0,
							NULL, NULL, NULL);
}

static LruTableLayout
table_layout(void)
{
	return lru_table_layout(sizeof(ProfileTable), sizeof(uint64), sizeof(ProfileEntry),
							max_client_profiles);
}

Size
client_inventory_shmem_size(void)
{
	return table_layout().total;
}

void
client_inventory_shmem_startup(void)
{
	bool		found;
	LruTableLayout layout = table_layout();

	table = ShmemInitStruct("sslinfo_ext client profiles",
							layout.total, &found);
	table_ids = (uint64 *) ((char *) table + layout.keys);
	table_last_seen = (TimestampTz *) ((char *) table + layout.last_seen);
	table_entries = (ProfileEntry *) ((char *) table + layout.entries);
	if (found)
		return;

	SpinLockInit(&table->lock);
	table->capacity = max_client_profiles;
	table->n_used = 0;
}

void
client_inventory_count(const ClientOffer *offer, uint64 id, const Port *port,
					   RefusalReason refusal)
{
	TimestampTz now;
	ProfileEntry *entry;
	bool		found;
	int			i;

	if (table == NULL || id == 0)
		return;

	now = GetCurrentTimestamp();
	SpinLockAcquire(&table->lock);
	i = lru_table_slot(table_ids, sizeof(uint64), table_last_seen,
					   &table->n_used, table->capacity, &id, &found);
	entry = &table_entries[i];
	if (!found)
	{
		table_ids[i] = id;
		entry->offer = *offer;
		entry->connections = 0;
		entry->refusals = 0;
		entry->refusal_reasons = 0;
		entry->first_seen = now;
	}
	table_last_seen[i] = now;
	if (refusal < NUM_REFUSAL_REASONS)
	{
		entry->refusals++;
		entry->refusal_reasons |= ((uint32) 1) << refusal;
	}
	else
		entry->connections++;
	entry->last_client = port->raddr;
	strlcpy(entry->last_usename, port->user_name ? port->user_name : "",
			NAMEDATALEN);
	strlcpy(entry->last_application_name,
			port->application_name ? port->application_name : "",
			NAMEDATALEN);
	SpinLockRelease(&table->lock);
}

uint64
client_inventory_admit(Port *port)
{
	ClientOffer offer;
	uint64		id;

	if (table == NULL || !port->ssl_in_use ||
		!client_offer_read(port->ssl, &offer))
		return 0;
	id = client_offer_id(&offer);
	client_inventory_count(&offer, id, port, NUM_REFUSAL_REASONS);
	return id;
}

/*
 * SQL functions
 */

ClientProfile *
client_inventory_snapshot(int *count)
{
	ClientProfile *profiles;
	HTAB	   *open_sessions;
	int			n;
	int			kept = 0;

	*count = 0;
	if (table == NULL)
		return NULL;

	open_sessions = session_registry_profile_counts();
	SpinLockAcquire(&table->lock);
	n = table->n_used;
	SpinLockRelease(&table->lock);
	profiles = palloc(sizeof(ClientProfile) * Max(n, 1));

	for (int i = 0; i < n; i++)
	{
		ClientProfile *p = &profiles[kept];
		ProfileEntry entry;
		ProfileSessionCount *sessions;

		/* one entry at a time: the lock is held for a copy, never more */
		SpinLockAcquire(&table->lock);
		if (i >= table->n_used)
		{
			SpinLockRelease(&table->lock);
			break;
		}
		p->id = table_ids[i];
		p->last_seen = table_last_seen[i];
		entry = table_entries[i];
		SpinLockRelease(&table->lock);

		p->offer = entry.offer;
		p->connections = entry.connections;
		p->refusals = entry.refusals;
		p->refusal_reasons = entry.refusal_reasons;
		p->first_seen = entry.first_seen;
		p->last_client = entry.last_client;
		memcpy(p->last_usename, entry.last_usename, NAMEDATALEN);
		p->last_usename[NAMEDATALEN - 1] = '\0';
		memcpy(p->last_application_name, entry.last_application_name, NAMEDATALEN);
		p->last_application_name[NAMEDATALEN - 1] = '\0';
		sessions = hash_search(open_sessions, &p->id, HASH_FIND, NULL);
		p->sessions = sessions ? sessions->sessions : 0;
		kept++;
	}
	hash_destroy(open_sessions);
	*count = kept;
	return profiles;
}

/*
 * SQL functions
 */

/* The reasons of a mask, by name, in the vocabulary's order */
static Datum
refusal_reasons_array(uint32 mask)
{
	Datum		names[NUM_REFUSAL_REASONS];
	int			n = 0;

	for (int r = 0; r < NUM_REFUSAL_REASONS; r++)
		if (mask & (((uint32) 1) << r))
			names[n++] = CStringGetTextDatum(refusal_reason_name(r));
	return PointerGetDatum(construct_array(names, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

PG_FUNCTION_INFO_V1(sslinfo_ext_pg_stat_ssl_ext_clients);
Datum
sslinfo_ext_pg_stat_ssl_ext_clients(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool		reads_all = has_privs_of_role(GetUserId(),
											  ROLE_PG_READ_ALL_STATS);
	ClientProfile *profiles;
	int			n;

	InitMaterializedSRF(fcinfo, 0);
	profiles = client_inventory_snapshot(&n);

	for (int i = 0; i < n; i++)
	{
		const ClientProfile *p = &profiles[i];
		Datum		values[14];
		bool		nulls[14];
		char		profile[CLIENT_PROFILE_TEXT_LEN + 1];

		memset(nulls, true, sizeof(nulls));
		client_profile_format(p->id, profile);
		values[0] = CStringGetTextDatum(profile);
		nulls[0] = false;
		values[4] = Int32GetDatum(p->sessions);
		nulls[4] = false;
		values[5] = Int64GetDatum(p->connections);
		nulls[5] = false;
		values[6] = Int64GetDatum(p->refusals);
		nulls[6] = false;
		values[7] = TimestampTzGetDatum(p->first_seen);
		nulls[7] = false;
		values[8] = TimestampTzGetDatum(p->last_seen);
		nulls[8] = false;
		if (reads_all)
		{
			const char *version = client_offer_version_name(p->offer.max_version);

			if (version != NULL)
			{
				values[1] = CStringGetTextDatum(version);
				nulls[1] = false;
			}
			values[2] = client_offer_cipher_names(&p->offer);
			nulls[2] = false;
			values[3] = client_offer_group_names(&p->offer);
			nulls[3] = false;
			nulls[9] = !client_addr_datum(&p->last_client, &values[9]);
			if (p->last_usename[0] != '\0')
			{
				values[10] = log_safe_name_datum(p->last_usename);
				nulls[10] = false;
			}
			if (p->last_application_name[0] != '\0')
			{
				values[11] = log_safe_text_datum(p->last_application_name);
				nulls[11] = false;
			}
			values[12] = BoolGetDatum(p->offer.incomplete);
			nulls[12] = false;
		}
		values[13] = refusal_reasons_array(p->refusal_reasons);
		nulls[13] = false;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
