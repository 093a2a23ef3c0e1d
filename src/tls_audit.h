/*-------------------------------------------------------------------------
 *
 * tls_audit.h
 *	  ssl_config_audit(): the server's TLS configuration checked against
 *	  the hardening the openGauss SSL guide asks for.
 *
 * Contract:
 * - ssl_config_audit() returns one row per check, always the same checks
 *   in the same order: (check_name, status, detail, hint), status one of
 *   "ok", "warning", "error"; hint is NULL exactly when status is "ok".
 * - It reads only the configured files (through tls_files), the settings,
 *   and the pg_hba.conf rules through PostgreSQL's pg_hba_file_rules view,
 *   with the caller's privileges: a caller who may not read that view gets
 *   "warning" rows saying so for the pg_hba.conf checks.
 * - A private key protected by a passphrase is reported, never decrypted:
 *   nothing here prompts or runs ssl_passphrase_command.
 * - Never ereports for file content or unreadable files (they are rows).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_audit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_TLS_AUDIT_H
#define SSLINFO_EXT_TLS_AUDIT_H

/* SQL: sslinfo_ext_ssl_config_audit() -- no C-level API */

#endif							/* SSLINFO_EXT_TLS_AUDIT_H */
