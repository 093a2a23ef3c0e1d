/*-------------------------------------------------------------------------
 *
 * fuzz_common.h
 *	  Checks the sslinfo_ext fuzz targets share: each one aborts (which
 *	  libFuzzer reports as a crash, with the input saved) when a unit
 *	  breaks a promise of its header.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/fuzz_common.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_FUZZ_COMMON_H
#define SSLINFO_EXT_FUZZ_COMMON_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>

#include "mb/pg_wchar.h"

#include "pg_runtime_shim.h"

static void fuzz_fail(const char *fmt,...) pg_attribute_printf(1, 2);

/*
 * With SSLINFO_EXT_FUZZ_PRINT set in the environment, targets print what
 * they render (for looking at one input: ./fuzz_NAME FILE).
 */
static bool
fuzz_printing(void)
{
	static int	printing = -1;

	if (printing < 0)
		printing = getenv("SSLINFO_EXT_FUZZ_PRINT") != NULL;
	return printing;
}

/* Report a broken promise and abort */
static void
fuzz_fail(const char *fmt,...)
{
	va_list		args;

	fprintf(stderr, "FUZZ FINDING: ");
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fprintf(stderr, "\n");
	abort();
}

/*
 * A rendered string must be UTF-8 as PostgreSQL checks it (no NUL, no
 * overlong forms, no surrogates, nothing above U+10FFFF): anything else
 * fails at the SQL boundary and cannot be stored for other sessions.
 */
static void
fuzz_check_utf8(const char *what, const char *s)
{
	int			len = strlen(s);
	int			valid = pg_encoding_verifymbstr(PG_UTF8, s, len);

	if (valid != len)
		fuzz_fail("%s is not valid UTF-8 at byte %d of %d: \"%s\"",
				  what, valid, len, s);
}

/* OpenSSL's error queue must be left empty (x509_render.h promises it) */
static void
fuzz_check_error_queue(const char *after)
{
	unsigned long e = ERR_peek_error();

	if (e != 0)
	{
		char		buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		fuzz_fail("OpenSSL error queue not empty after %s: %s", after, buf);
	}
}

#endif							/* SSLINFO_EXT_FUZZ_COMMON_H */
