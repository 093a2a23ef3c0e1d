/*-------------------------------------------------------------------------
 *
 * require_ssl.h
 *	  Refuse TCP connections that did not negotiate TLS (openGauss's
 *	  require_ssl server parameter, on PostgreSQL).
 *
 * Contract:
 * - require_ssl_init() defines sslinfo_ext.require_ssl (bool, default off,
 *   reloadable); _PG_init calls it once.
 * - require_ssl_check() is called by the ClientAuthentication_hook
 *   dispatcher for every connection.  When the setting is on, ssl is on and
 *   the connection came over TCP without TLS, it ends the connection with
 *   FATAL "SSL connection is required" (SQLSTATE 28000).  Unix-socket
 *   connections are never affected; with ssl off it does nothing.
 * - require_ssl_in_force() says whether the rule is actually enforced:
 *   setting on, ssl on, and the library loaded through
 *   shared_preload_libraries (only then does the authentication hook run
 *   for every connection).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/require_ssl.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_REQUIRE_SSL_H
#define SSLINFO_EXT_REQUIRE_SSL_H

#include "libpq/libpq-be.h"

extern void require_ssl_init(void);
extern void require_ssl_check(Port *port, int status);
extern bool require_ssl_in_force(void);

#endif							/* SSLINFO_EXT_REQUIRE_SSL_H */
