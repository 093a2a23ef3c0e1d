/*-------------------------------------------------------------------------
 *
 * tls_files.h
 *	  Read the TLS files the server is configured with: ssl_cert_file,
 *	  ssl_ca_file, ssl_key_file, ssl_crl_file and ssl_crl_dir, and the
 *	  files PostgreSQL 19's pg_hosts.conf names.
 *
 * The one reader of configured files: no other unit opens one or hands
 * one to an OpenSSL PEM reader.  Only the paths in those settings are ever
 * read (callers pass the setting's value, never a path from SQL).  Relative paths are opened as
 * PostgreSQL opens them: relative to the working directory of every server
 * process, which is the data directory.
 *
 * Contract:
 * - Nothing here ereports at ERROR or above for file content or for a file
 *   that cannot be read: failures come back as a TlsFileProblem, so the
 *   postmaster (reload hook), the audit (a row per problem) and the SQL
 *   functions (an ERROR) can each handle them their own way.
 *   tls_file_problem_report() turns a problem into an ereport.
 * - OpenSSL objects never escape: certificates and CRLs are rendered with
 *   x509_render into palloc'd structs in CurrentMemoryContext and freed at
 *   once, so an ERROR later on cannot leak them.  OpenSSL's error queue is
 *   left empty.
 * - Only PEM is read, as PostgreSQL reads these files.  No reader ever
 *   prompts for a passphrase: an encrypted private key is reported as
 *   such, never decrypted (nothing runs ssl_passphrase_command).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_files.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_TLS_FILES_H
#define SSLINFO_EXT_TLS_FILES_H

#include <openssl/x509.h>

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

#include "x509_render.h"

/* Where a certificate sits */
typedef enum CertRole
{
	CERT_ROLE_SERVER,			/* the certificate the server presents */
	CERT_ROLE_CHAIN,			/* sent after it, towards the root */
	CERT_ROLE_CA,				/* trusted to issue client certificates */
	CERT_ROLE_CLIENT			/* the peer's; never read from a file */
} CertRole;

/* "server", "chain", "ca" or "client", as SQL rows name the role */
extern const char *cert_role_name(CertRole role);

/* Why a configured file could not be used */
typedef struct TlsFileProblem
{
	const char *setting;		/* "ssl_cert_file", ... */
	char	   *path;			/* the file (or directory) concerned */
	int			saved_errno;	/* nonzero: the file could not be read */
	char	   *reason;			/* otherwise: what is wrong with the content */
} TlsFileProblem;

/* One certificate of a configured file, rendered */
typedef struct TlsFileCert
{
	CertRole	role;			/* server, chain or ca */
	X509Summary summary;
	X509	   *cert;			/* the certificate itself (NULL if OpenSSL
								 * could not take a reference); released when
								 * the memory context that holds this
								 * description is reset or deleted */
} TlsFileCert;

/*
 * A certificate's validity dates judged at "now" against a window of
 * window_days (sslinfo_ext.cert_expiry_warning_days): the one judgement the
 * audit, the pg_hosts.conf entries and the expiry alarms share.
 */
typedef enum CertDates
{
	CERT_DATES_VALID,			/* valid now and beyond the window */
	CERT_DATES_EXPIRING,		/* valid now, expires within the window */
	CERT_DATES_EXPIRED,
	CERT_DATES_NOT_YET_VALID,
	CERT_DATES_UNREADABLE		/* the dates could not be read */
} CertDates;

extern CertDates tls_files_judge_dates(const X509Summary *summary,
									   TimestampTz now, int window_days);

/*
 * The judgement as a clause, "the server certificate \"S\"<where> expired
 * at T" (where e.g. " in ssl_cert_file", or ""); NULL when valid
 */
extern char *tls_files_dates_clause(const TlsFileCert *cert, CertDates dates,
									const char *where, int window_days);

/* One CRL of a configured file, rendered */
typedef struct TlsFileCrl
{
	char	   *source;			/* file it was read from */
	char	   *issuer;
	bool		has_last_update;
	TimestampTz last_update;
	bool		has_next_update;	/* nextUpdate is optional in a CRL */
	TimestampTz next_update;
	int64		revoked_count;
} TlsFileCrl;

/*
 * ssl_cert_file: the leaf (role server) followed by its chain (role
 * chain), read as SSL_CTX_use_certificate_chain_file() reads them.  When a
 * chain certificate is unreadable the result is false but *certs still
 * holds what came before it, the leaf first.
 */
extern bool tls_files_server_certs(List **certs, TlsFileProblem *problem);

/* ssl_ca_file: every certificate in it (role ca); NIL when unset */
extern bool tls_files_ca_certs(List **certs, TlsFileProblem *problem);

/*
 * The same for a file the server names elsewhere (pg_hosts.conf in 19):
 * "setting" names where the path comes from, for problems.
 */
extern bool tls_files_cert_chain_file(const char *setting, const char *path,
									  List **certs, TlsFileProblem *problem);
extern bool tls_files_ca_file(const char *setting, const char *path,
							  List **certs, TlsFileProblem *problem);

/*
 * ssl_crl_file, then every file in ssl_crl_dir (name order, hidden files
 * and subdirectories skipped, a symbolic link to a file already listed
 * counted once): each CRL in them.  NIL when neither is set.
 */
extern bool tls_files_crls(List **crls, TlsFileProblem *problem);

/*
 * Render one certificate.  Borrowed, not freed.  Fields OpenSSL cannot
 * render are NULL.
 */
extern TlsFileCert *tls_files_describe_cert(X509 *cert, CertRole role);

/* What tls_files_check_key() found in a private key file */
typedef enum TlsKeyCheck
{
	TLS_KEY_MATCHES,			/* the key belongs to the certificate */
	TLS_KEY_MISMATCH,			/* the key belongs to another certificate */
	TLS_KEY_UNREADABLE,			/* the file cannot be read: *problem says why */
	TLS_KEY_PASSPHRASE,			/* protected by a passphrase: not compared */
	TLS_KEY_MISSING				/* the file holds no readable private key */
} TlsKeyCheck;

/*
 * Does the private key in a configured key file (ssl_key_file, a
 * pg_hosts.conf entry's) belong to cert?  The key never leaves this unit:
 * it is parsed from one buffer that is wiped, and freed before returning.
 */
extern TlsKeyCheck tls_files_check_key(const char *setting, const char *path,
									   X509 *cert, TlsFileProblem *problem);

/*
 * May the server load this key file, by PostgreSQL's own rule
 * (check_ssl_key_file_permissions(): a regular file owned by the server's
 * user with no group or other access, or owned by root with at most group
 * read)?  *sentence says what was found, as a whole sentence naming the
 * file as "<label> \"<path>\"" (label e.g. "ssl_key_file"); nothing is
 * logged, unlike PostgreSQL's function.
 */
extern bool tls_files_key_permissions(const char *label, const char *path,
									  char **sentence);

/*
 * What tls_files_check_key() found, as one clause for the audit and the
 * pg_hosts.conf entries alike ("the private key in <key_label> \"<key>\"
 * does not belong to the certificate in <cert_label> \"<cert>\""); NULL
 * when the key matches.
 */
extern char *tls_files_key_clause(TlsKeyCheck check, const char *key_label,
								  const char *key_path, const char *cert_label,
								  const char *cert_path,
								  const TlsFileProblem *problem);

/* Report a problem at the given level (ERROR included) */
extern void tls_file_problem_report(const TlsFileProblem *problem, int elevel);

/* The problem as one sentence, for detail texts */
extern char *tls_file_problem_text(const TlsFileProblem *problem);

#endif							/* SSLINFO_EXT_TLS_FILES_H */
