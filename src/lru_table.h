/*-------------------------------------------------------------------------
 *
 * lru_table.h
 *	  The slot of a key in a fixed-size shared table whose least recently
 *	  seen entry makes room for a new key.
 *
 * The refusal and client-inventory tables keep their keys and last-seen
 * times in compact arrays beside the entries, so that finding a key or the
 * oldest entry reads a few cache lines per hundred entries; the caller
 * holds the table's spinlock around the call and the entry update.
 *
 * Contract: lru_table_layout() places the parts; lru_table_slot() returns the index of key among the *n_used
 * keys (found set), or of the entry the key is to take (found clear): the
 * next unused one, counted in *n_used, or the least recently seen one when
 * all capacity entries are in use.  The caller writes key, last_seen and
 * the entry whenever found is clear.  No allocation, no ereport.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/lru_table.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_LRU_TABLE_H
#define SSLINFO_EXT_LRU_TABLE_H

#include "datatype/timestamp.h"
#include "storage/shmem.h"

/*
 * Where the parts of a table lie in its shared memory: a header of the
 * unit's own, then capacity keys, capacity last-seen times and capacity
 * entries, each part MAXALIGNed.
 */
typedef struct LruTableLayout
{
	Size		keys;			/* offsets from the start of the header */
	Size		last_seen;
	Size		entries;
	Size		total;			/* bytes of the whole table */
} LruTableLayout;

static inline LruTableLayout
lru_table_layout(Size header_size, Size key_size, Size entry_size, int capacity)
{
	LruTableLayout layout;

	layout.keys = MAXALIGN(header_size);
	layout.last_seen = add_size(layout.keys,
								MAXALIGN(mul_size(capacity, key_size)));
	layout.entries = add_size(layout.last_seen,
							  MAXALIGN(mul_size(capacity, sizeof(TimestampTz))));
	layout.total = add_size(layout.entries, mul_size(capacity, entry_size));
	return layout;
}

static inline int
lru_table_slot(const void *keys, Size key_size,
			   const TimestampTz *last_seen, int *n_used, int capacity,
			   const void *key, bool *found)
{
	const char *k = (const char *) keys;
	int			oldest = 0;

	for (int i = 0; i < *n_used; i++)
	{
		if (memcmp(k + i * key_size, key, key_size) == 0)
		{
			*found = true;
			return i;
		}
		if (last_seen[i] < last_seen[oldest])
			oldest = i;
	}
	*found = false;
	if (*n_used < capacity)
		return (*n_used)++;
	return oldest;
}

#endif							/* SSLINFO_EXT_LRU_TABLE_H */
