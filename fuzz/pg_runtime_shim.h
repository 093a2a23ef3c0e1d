/*-------------------------------------------------------------------------
 *
 * pg_runtime_shim.h
 *	  The few PostgreSQL backend services the fuzzed units need, for a
 *	  libFuzzer program that has no backend around it.
 *
 * Contract (see pg_runtime_shim.c for how each service is provided):
 * - Units are compiled unchanged against the server headers, exactly as
 *   for the extension, and linked against this shim plus PostgreSQL's own
 *   libpgcommon/libpgport (psprintf, UTF-8 verification, inet printing,
 *   strlcpy, snprintf).
 * - palloc'd memory lives in one arena per fuzz input: shim_arena_reset()
 *   frees all of it, as resetting a memory context does in the backend.
 *   So palloc'd memory a unit does not pfree is not reported (in the
 *   backend it is not leaked either), while anything a unit leaks outside
 *   palloc (OpenSSL objects, OPENSSL_malloc'd buffers) stays visible to
 *   LeakSanitizer.  Every chunk is a separate malloc, so AddressSanitizer
 *   sees overruns and use after pfree.
 * - ereport/elog at ERROR jump to the innermost SHIM_TRY (like PG_TRY);
 *   with none active, and always for FATAL and PANIC, the message is
 *   printed and the process aborts, which libFuzzer reports as a crash.
 *   A target therefore wraps in SHIM_TRY only the calls a unit documents
 *   may ereport; any other ERROR is a finding.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/pg_runtime_shim.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_PG_RUNTIME_SHIM_H
#define SSLINFO_EXT_PG_RUNTIME_SHIM_H

#include <setjmp.h>

/* The last ERROR raised (valid in a SHIM_CATCH block) */
typedef struct ShimError
{
	int			elevel;
	int			sqlerrcode;
	char		message[1024];
	const char *filename;
	int			lineno;
} ShimError;

extern sigjmp_buf *shim_error_target;
extern ShimError shim_last_error;

/* Free everything palloc'd since the last reset */
extern void shim_arena_reset(void);

/* Bytes currently palloc'd and not freed (for targets' own checks) */
extern size_t shim_arena_bytes(void);

/* "XX000"-style text of an encoded SQLSTATE */
extern const char *shim_sqlstate(int sqlerrcode);

/*
 * SHIM_TRY(); { ... } SHIM_CATCH(); { ... } SHIM_END_TRY();
 * Same shape and rules as PG_TRY: do not return or jump out of the
 * SHIM_TRY block, and modify no non-volatile local in it that the catch
 * block reads.
 */
#define SHIM_TRY() \
	do { \
		sigjmp_buf *shim_saved_target_ = shim_error_target; \
		sigjmp_buf	shim_local_target_; \
		if (sigsetjmp(shim_local_target_, 0) == 0) \
		{ \
			shim_error_target = &shim_local_target_

#define SHIM_CATCH() \
		} \
		else \
		{ \
			shim_error_target = shim_saved_target_

#define SHIM_END_TRY() \
		} \
		shim_error_target = shim_saved_target_; \
	} while (0)

#endif							/* SSLINFO_EXT_PG_RUNTIME_SHIM_H */
