/*-------------------------------------------------------------------------
 *
 * require_ssl.c
 *	  sslinfo_ext.require_ssl: refuse TCP connections without TLS.
 *
 * PostgreSQL can already demand TLS per pg_hba.conf line (hostssl); this
 * setting gives the single server-wide switch openGauss has, so that no
 * pg_hba.conf line can let a TCP client in without TLS.  The check runs in
 * the ClientAuthentication_hook, i.e. after the pg_hba.conf method has run:
 * with a "password" line a client without TLS has already sent its
 * password in clear text when it is refused (doc/cert-lifecycle.md).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/require_ssl.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "utils/guc.h"

#include "refusals.h"
#include "require_ssl.h"

static bool require_ssl = false;

/*
 * The authentication hook only runs for every connection when the library
 * is preloaded; remember whether it was, for require_ssl_in_force().
 */
static bool require_ssl_preloaded = false;

void
require_ssl_init(void)
{
	require_ssl_preloaded = process_shared_preload_libraries_in_progress;

	DefineCustomBoolVariable("sslinfo_ext.require_ssl",
							 "Refuses TCP connections that did not negotiate SSL.",
							 "Takes effect only when ssl is on and sslinfo_ext is "
							 "in shared_preload_libraries; Unix-socket connections "
							 "are not affected.",
							 &require_ssl,
							 false,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
}

bool
require_ssl_in_force(void)
{
	return require_ssl && EnableSSL && require_ssl_preloaded;
}

void
require_ssl_check(Port *port, int status)
{
	if (!require_ssl || !EnableSSL)
		return;
	if (port == NULL || port->raddr.addr.ss_family == AF_UNIX)
		return;
	if (port->ssl_in_use)
		return;

	refusals_announce(REFUSAL_TLS_REQUIRED);
	ereport(FATAL,
			errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			errmsg("SSL connection is required"),
			errdetail("The server setting sslinfo_ext.require_ssl refuses TCP connections that did not negotiate SSL."),
			errhint("Connect with sslmode=require or stronger (verify-ca, verify-full)."));
}
