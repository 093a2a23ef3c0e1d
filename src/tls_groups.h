/*-------------------------------------------------------------------------
 *
 * tls_groups.h
 *	  Judging the server's key-exchange groups: ssl_groups (PostgreSQL
 *	  18+, a list) or ssl_ecdh_curve (before 18, one curve).
 *
 * The groups OpenSSL knows, with the security each gives, come from
 * OpenSSL itself: the "TLS-GROUP" capability of every provider loaded in
 * the process (the default provider's curves, finite-field groups and, from
 * OpenSSL 3.5, the ML-KEM groups and hybrids; any other provider a site's
 * openssl.cnf loads).  Nothing is tabulated here.
 *
 * Contract:
 * - tls_groups_judge() never ereports for the value's content; it returns
 *   the audit's result type (tls_audit.h) with palloc'd text: an error when
 *   an entry names a group OpenSSL does not know (unless marked "?"), one
 *   below 128-bit security, or when OpenSSL refuses the list as a whole; a
 *   warning when OpenSSL (before 3.0) cannot describe its groups.
 * - A post-quantum group (an ML-KEM group or hybrid) that OpenSSL offers
 *   but the value does not name is only noted in the detail.
 * - Before OpenSSL 3.0 there are no capabilities to ask: the judgement says
 *   so (bad = false, unknown = true).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_groups.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_TLS_GROUPS_H
#define SSLINFO_EXT_TLS_GROUPS_H

#include "tls_audit.h"

/* Security the policy asks of every key-exchange group, in bits */
#define TLS_GROUPS_MIN_SECURITY_BITS	128

/*
 * Judge value, the setting "setting" (ssl_groups: ':'-separated, OpenSSL
 * 3.5's '/' tuples and '?', '*', '-' prefixes allowed; ssl_ecdh_curve:
 * one name).
 */
extern AuditResult tls_groups_judge(const char *setting, const char *value);

#endif							/* SSLINFO_EXT_TLS_GROUPS_H */
