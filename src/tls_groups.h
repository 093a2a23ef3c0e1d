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
 * - tls_groups_judge() never ereports for the value's content; it fills
 *   *judgement with palloc'd text.  bad is set when an entry names a group
 *   OpenSSL does not know (unless marked "?"), one below 128-bit security,
 *   or when OpenSSL refuses the list as a whole.
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

/* Security the policy asks of every key-exchange group, in bits */
#define TLS_GROUPS_MIN_SECURITY_BITS	128

typedef struct GroupJudgement
{
	bool		bad;			/* an entry is unknown, weak, or refused */
	bool		unknown;		/* could not be judged (no capabilities) */
	char	   *detail;
	char	   *hint;			/* NULL when nothing is to be done */
} GroupJudgement;

/*
 * Judge value, the setting "setting" (ssl_groups: ':'-separated, OpenSSL
 * 3.5's '/' tuples and '?', '*', '-' prefixes allowed; ssl_ecdh_curve:
 * one name).
 */
extern void tls_groups_judge(const char *setting, const char *value,
							 GroupJudgement *judgement);

#endif							/* SSLINFO_EXT_TLS_GROUPS_H */
