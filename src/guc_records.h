/*-------------------------------------------------------------------------
 *
 * guc_records.h
 *	  The one place that touches PostgreSQL's GUC records
 *	  (utils/guc_tables.h): finding a core string setting, chaining a check
 *	  hook onto it, reading its boot value and source, and the memory a
 *	  check hook hands back to GUC.
 *
 * guc_tables.h is server-internal and changes between majors; the notes
 * per major are kept here, next to the only code that depends on them:
 * - 15: records are found by walking get_guc_variables(); GUC-owned
 *   strings and "extra" structs are malloc'd.
 * - 16-18: find_option() is exported; GUC memory is guc_malloc()'d in
 *   GUC's own context.
 * - 19: the type-specific fields moved into a union inside
 *   config_generic (rec->_string.check_hook), struct config_string is no
 *   longer a "subclass" of config_generic.
 * t/047_guc_records.pl checks on every major what is patched through here:
 * the check hooks on ssl_ciphers (and ssl_tls13_ciphers from 18), the boot
 * value read, and the source kept when a value is rewritten.
 *
 * Contract:
 * - GucRecord is opaque to other units; a record found once stays valid
 *   for the life of the process (GUC never frees core records).
 * - guc_records_find_string() returns NULL for a name that is not a
 *   string setting; it never creates a placeholder.
 * - guc_records_chain_check_hook() installs hook and returns the hook it
 *   replaces, which the new hook must call first (NULL: none).  Call it
 *   from _PG_init while shared_preload_libraries is processed, so that
 *   every process of the server runs the same hooks.
 * - guc_records_strdup() / guc_records_alloc() return memory a check hook
 *   may hand to GUC (a substituted *newval, an *extra), or NULL after a
 *   LOG message when out of memory; guc_records_free() releases what GUC
 *   handed to a hook.
 * - Nothing here ereports above LOG.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/guc_records.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_GUC_RECORDS_H
#define SSLINFO_EXT_GUC_RECORDS_H

#include "utils/guc.h"

typedef struct config_generic GucRecord;

extern GucRecord *guc_records_find_string(const char *name);
extern GucStringCheckHook guc_records_chain_check_hook(GucRecord *rec,
													   GucStringCheckHook hook);

/* The value PostgreSQL starts from when nothing sets the setting */
extern const char *guc_records_boot_value(const GucRecord *rec);

/* Where the current value comes from */
extern GucSource guc_records_source(const GucRecord *rec);

/* Is the current value PostgreSQL's default (built-in or dynamic)? */
extern bool guc_records_at_default(const GucRecord *rec);

extern char *guc_records_strdup(const char *str);
extern void *guc_records_alloc(size_t size);
extern void guc_records_free(void *ptr);

#endif							/* SSLINFO_EXT_GUC_RECORDS_H */
