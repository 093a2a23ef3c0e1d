/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  Small shims for PostgreSQL APIs that differ between the majors
 *	  sslinfo_ext builds on (15 to 19).
 *
 * Contract: each shim has the name and behaviour of the newest API, so
 * code calls the modern name everywhere.
 *
 * PostgreSQL 15 is the oldest major supported, and it already has every
 * API the code calls (InitMaterializedSRF() was the last shim, for 14), so
 * there is no shim at present; 16 to 19 differ only in places guarded by
 * PG_VERSION_NUM where they are used.  The header stays while
 * session_registry.c includes it.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/pg_compat.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_PG_COMPAT_H
#define SSLINFO_EXT_PG_COMPAT_H

#endif							/* SSLINFO_EXT_PG_COMPAT_H */
