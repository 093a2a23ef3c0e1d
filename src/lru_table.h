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
 * Contract: lru_table_slot() returns the index of key among the *n_used
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
