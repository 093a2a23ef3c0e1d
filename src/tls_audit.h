/*-------------------------------------------------------------------------
 *
 * tls_audit.h
 *	  The checks of ssl_config_audit(), run once and shared with the
 *	  benchmark functions (tls_benchmarks.c).
 *
 * Contract:
 * - tls_audit_run() fills checks[] with every check, always the same checks
 *   in the same order, and returns how many there are (at most
 *   AUDIT_MAX_CHECKS).  A check's hint is NULL exactly when its status is
 *   AUDIT_OK.  It reads what ssl_config_audit() reads, with the caller's
 *   privileges, and allocates in the current memory context.
 * - tls_benchmark_refs() names the benchmark items a check gives evidence
 *   for, each spelt "<benchmark> <item>" (e.g. "CIS PostgreSQL 17 v1.0.0
 *   6.9"), as a text[] datum (empty when there are none).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_TLS_AUDIT_H
#define SSLINFO_EXT_TLS_AUDIT_H

#include "postgres.h"

#define AUDIT_MAX_CHECKS 32

typedef enum AuditStatus
{
	AUDIT_OK,
	AUDIT_WARNING,
	AUDIT_ERROR
} AuditStatus;

/*
 * What one check found: the one result type of every check, whichever
 * unit makes it (tls_audit.c, sni_hosts.c, tls_groups.c)
 */
typedef struct AuditResult
{
	AuditStatus status;
	char	   *detail;			/* whole sentences */
	char	   *hint;			/* NULL when ok */
} AuditResult;

/* One check and what it found */
typedef struct AuditCheck
{
	const char *name;
	AuditStatus status;
	char	   *detail;
	char	   *hint;			/* NULL when ok */
} AuditCheck;

extern const char *const audit_status_names[];

extern int	tls_audit_run(AuditCheck *checks);
extern Datum tls_benchmark_refs(const char *check_name);

#endif							/* SSLINFO_EXT_TLS_AUDIT_H */
