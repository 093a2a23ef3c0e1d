/*-------------------------------------------------------------------------
 *
 * server_settings.h
 *	  Read PostgreSQL's settings by name, for every unit of sslinfo_ext.
 *
 * Why by name: the C variables behind the TLS settings are not a stable
 * interface.  ssl_ciphers stopped covering TLS 1.3 in 18 (ssl_tls13_ciphers
 * has no variable before it), 19 serves pg_hosts.conf's certificates next
 * to ssl_cert_file, and the headers that declare the variables and
 * GetConfigOption() moved between majors (utils/guc.h is no longer pulled
 * in by libpq headers from 16 on).  The value by name is the one SHOW
 * prints, on every major.
 *
 * Contract:
 * - server_setting() returns the value in force in this process as SHOW
 *   prints it, or "" for a setting that does not exist (a major without
 *   it, an extension's setting not defined).  server_setting_or_null()
 *   returns NULL then instead, so callers can tell a placeholder that was
 *   never configured from one configured as "".
 * - The pointer is PostgreSQL's: copy it before the next call (numeric
 *   settings come back in a shared buffer) or before settings can change
 *   (a configuration reload).
 * - No privilege is checked: callers decide what a role may see.  Never
 *   ereports.
 * - The enum and bool settings whose C variables mean the same on every
 *   major (ssl, ssl_min_protocol_version, ssl_max_protocol_version) may
 *   still be read through their variables where a number is wanted.
 * - Everything that touches GUC records themselves (check hooks, boot
 *   values, sources) is in guc_records.h.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/server_settings.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_SERVER_SETTINGS_H
#define SSLINFO_EXT_SERVER_SETTINGS_H

extern const char *server_setting(const char *name);
extern const char *server_setting_or_null(const char *name);

/* Does the setting's value equal value, ignoring letter case? */
extern bool server_setting_is(const char *name, const char *value);

#endif							/* SSLINFO_EXT_SERVER_SETTINGS_H */
