/*-------------------------------------------------------------------------
 *
 * cipher_policy_parse.h
 *	  The core of the ssl_ciphers policy: split a value into entries and
 *	  classify each entry against OpenSSL's catalogue and an allowlist.
 *
 * The rule (openGauss's): a value is either "ALL" (any letter case, and
 * only as the whole value) or OpenSSL cipher suite names separated by ';',
 * each in the allowlist, at most as many entries as the allowlist has
 * suites.  A single trailing ';' is accepted, duplicates are accepted (and
 * reported as such), names match exactly: no trimming, no case folding.
 * The allowlist itself is parsed by the same code in CP_MODE_ALLOWLIST:
 * TLS 1.2 suite names OpenSSL knows that authenticate and encrypt.
 *
 * PostgreSQL 18's ssl_tls13_ciphers follows the same rule in its own
 * syntax (CP_MODE_TLS13_CIPHERS): TLS 1.3 suite names separated by ':',
 * each in sslinfo_ext.allowed_tls13_ciphers (CP_MODE_TLS13_ALLOWLIST: TLS
 * 1.3 suite names OpenSSL knows, ':'-separated); "ALL" has no meaning
 * there.
 *
 * Contract:
 * - Pure C plus OpenSSL: no PostgreSQL headers, no palloc, no ereport, no
 *   global state except OpenSSL's catalogue and the context that asks
 *   OpenSSL whether a word is a cipher-string keyword, each built once per
 *   process on first use and never freed (so forked children inherit
 *   them).
 *   This lets the fuzz target link this file alone.
 * - Every output goes to caller-provided storage; inputs are byte ranges
 *   (not NUL-terminated strings) and may contain any byte, NUL included.
 * - Work is linear in the input; at most CP_MAX_ENTRIES + 1 entries are
 *   ever classified, whatever the input length.
 * - const SSL_CIPHER pointers come from the catalogue and stay valid for
 *   the life of the process.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cipher_policy_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_CIPHER_POLICY_PARSE_H
#define SSLINFO_EXT_CIPHER_POLICY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

/* No list is longer than this, allowlist included */
#define CP_MAX_ENTRIES		64

/* Longest entry accepted: OpenSSL and IANA suite names are far shorter */
#define CP_MAX_NAME_LEN		64

/* Size of a buffer that always holds a cp_describe() sentence */
#define CP_DESCRIBE_BUFSIZE 512

/* Size of a buffer that always holds cp_display() output (+ NUL) */
#define CP_DISPLAY_BUFSIZE	(4 * CP_MAX_NAME_LEN + 8)

typedef enum CpMode
{
	CP_MODE_SSL_CIPHERS,		/* a value of ssl_ciphers */
	CP_MODE_ALLOWLIST,			/* a value of sslinfo_ext.allowed_ciphers */
	CP_MODE_TLS13_CIPHERS,		/* a value of ssl_tls13_ciphers (18+) */
	CP_MODE_TLS13_ALLOWLIST		/* sslinfo_ext.allowed_tls13_ciphers */
} CpMode;

/* The TLS 1.3 modes separate names with ':', the others with ';' */
#define CP_MODE_IS_TLS13(mode) \
	((mode) == CP_MODE_TLS13_CIPHERS || (mode) == CP_MODE_TLS13_ALLOWLIST)
#define CP_SEPARATOR(mode)	(CP_MODE_IS_TLS13(mode) ? ':' : ';')

/* The modes that judge a server setting against an allowlist */
#define CP_MODE_IS_SETTING(mode) \
	((mode) == CP_MODE_SSL_CIPHERS || (mode) == CP_MODE_TLS13_CIPHERS)

typedef enum CpVerdict
{
	CP_OK,						/* an allowed suite, or a valid allowlist
								 * entry */
	CP_OK_DUPLICATE,			/* as CP_OK, repeating an earlier entry */
	CP_EMPTY_VALUE,				/* the whole value is empty */
	CP_EMPTY_ENTRY,				/* ";;", a leading ';', or a lone ';' */
	CP_NON_ASCII,				/* a byte outside printable ASCII */
	CP_SURROUNDING_SPACE,		/* blanks before or after a name */
	CP_SEPARATOR_SYNTAX,		/* ':' ',' or a blank used as a separator */
	CP_OPERATOR_SYNTAX,			/* OpenSSL operators '+' '!' '-' '@' */
	CP_TOO_LONG,				/* longer than CP_MAX_NAME_LEN */
	CP_TOO_MANY,				/* one entry more than the list may have */
	CP_ALL_MIXED,				/* "ALL" not as the whole value */
	CP_ALL_IN_ALLOWLIST,		/* "ALL" in the allowlist */
	CP_TLS13_SUITE,				/* a TLS 1.3 suite (TLS 1.2 modes) */
	CP_TLS12_SUITE,				/* a TLS 1.2 suite (TLS 1.3 modes) */
	CP_NOT_ALLOWED,				/* a suite outside the allowlist */
	CP_INSECURE,				/* allowlist: no authentication or encryption */
	CP_IANA_NAME,				/* the IANA name of a known suite */
	CP_WRONG_CASE,				/* a known name in the wrong letter case */
	CP_ALIAS,					/* an OpenSSL cipher-string keyword */
	CP_UNKNOWN					/* nothing OpenSSL knows */
} CpVerdict;

typedef struct CpEntry
{
	int			position;		/* 1-based */
	size_t		offset;			/* byte offset of the entry in the value */
	size_t		length;			/* byte length of the entry */
	CpVerdict	verdict;
	/* the suite the entry names, or the one it resembles (case, IANA) */
	const SSL_CIPHER *cipher;
	/* CP_UNKNOWN: the allowed suite nearest in spelling, if close */
	const SSL_CIPHER *suggestion;
	size_t		bad_offset;		/* syntax/byte verdicts: offending byte */
	int			duplicate_of;	/* CP_OK_DUPLICATE: position repeated */
} CpEntry;

typedef struct CpAllowlist
{
	int			n;
	const SSL_CIPHER *suites[CP_MAX_ENTRIES];
} CpAllowlist;

typedef struct CpResult
{
	bool		is_all;			/* the value is "ALL" */
	int			nentries;		/* entries written */
	int			first_error;	/* index of the first bad entry, or -1 */
} CpResult;

/*
 * Split and classify value[0..len).  Writes at most max_out entries to out
 * (max_out >= CP_MAX_ENTRIES + 1 guarantees every entry up to and
 * including a CP_TOO_MANY one is written).  In CP_MODE_SSL_CIPHERS and
 * CP_MODE_TLS13_CIPHERS allow must be given; in CP_MODE_SSL_CIPHERS "ALL"
 * yields is_all and one CP_OK entry for the whole value.  Returns false
 * only when max_out is too small for even one entry.
 */
extern bool cp_parse(const char *value, size_t len, CpMode mode,
					 const CpAllowlist *allow, CpEntry *out, int max_out,
					 CpResult *result);

/* Is this verdict acceptable (CP_OK or CP_OK_DUPLICATE)? */
extern bool cp_verdict_ok(CpVerdict verdict);

/*
 * One full sentence explaining entry e of value (for errdetail and the
 * detail column), or "" for a plain CP_OK.  Returns the length written.
 */
extern size_t cp_describe(const CpEntry *e, const char *value, CpMode mode,
						  int max_entries, char *buf, size_t bufsize);

/*
 * The entry's bytes for messages: printable ASCII as is, backslash and
 * any other byte as \xNN, cut after CP_MAX_NAME_LEN input bytes with
 * "...".  Always NUL-terminated; bufsize >= CP_DISPLAY_BUFSIZE never cuts.
 */
extern size_t cp_display(const char *bytes, size_t len, char *buf,
						 size_t bufsize);

/*
 * Build an allowlist from a value already accepted by cp_parse() in
 * CP_MODE_ALLOWLIST (duplicates dropped, order kept).
 */
extern void cp_allowlist_from_entries(const CpEntry *entries, int n,
									  CpAllowlist *allow);

/* Is this suite in the allowlist? */
extern bool cp_allowlist_contains(const CpAllowlist *allow,
								  const SSL_CIPHER *cipher);

/*
 * OpenSSL's catalogue: every suite the linked library can use (TLS 1.3
 * included), in OpenSSL's order.  NULL only if OpenSSL cannot create a
 * context (out of memory).
 */
extern STACK_OF(SSL_CIPHER) *cp_catalogue(void);

/* Is this a TLS 1.3 suite (one that ssl_ciphers does not govern)? */
extern bool cp_is_tls13(const SSL_CIPHER *cipher);

#endif							/* SSLINFO_EXT_CIPHER_POLICY_PARSE_H */
