/*-------------------------------------------------------------------------
 *
 * x509_render.h
 *	  Turn OpenSSL X.509 objects into the text forms sslinfo_ext shows.
 *
 * Contract:
 * - Every function borrows the OpenSSL objects it is given: it never frees
 *   them and never keeps a pointer to them.
 * - Strings come back palloc'd in CurrentMemoryContext, in UTF-8, whole
 *   (never truncated).  NULL means "absent" (no such field, no SAN
 *   extension, ...) or "cannot be rendered" (OpenSSL refused); the functions
 *   do not ereport for malformed certificate content, so callers running
 *   during authentication or in shared-memory code can use them safely.
 * - OpenSSL's error queue is left empty.
 * - Conversion from UTF-8 to the database encoding happens only at the SQL
 *   boundary, in x509_utf8_to_text(); that one may ereport (a character
 *   with no equivalent in the database encoding).
 *
 * Formats (documented in doc/functions.md, "Formats"):
 * - DN: "/SN=value" per entry in certificate order, SN the attribute's
 *   short name (long name, then dotted OID, when there is none); values
 *   printed with RFC 2253 escaping except for bytes above 0x7F.
 * - serial: decimal digits, '-' for negative serials.
 * - fingerprint: SHA-256 of the DER encoding, 64 lowercase hex digits.
 * - SAN entries: "DNS:", "IP:", "email:", "URI:", "DirName:", "RID:",
 *   "otherName:", "X400Name:", "EdiPartyName:" followed by the value.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/x509_render.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_X509_RENDER_H
#define SSLINFO_EXT_X509_RENDER_H

#include <openssl/x509.h>

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

/* One certificate extension, as ssl_extension_info() shows it */
typedef struct X509ExtensionText
{
	char	   *name;			/* short name, or dotted OID if unknown */
	char	   *value;			/* OpenSSL's printed value */
	bool		critical;
} X509ExtensionText;

/*
 * Everything sslinfo_ext shows about one certificate, rendered at once:
 * the client certificate of a session (tls_facts.h) and the certificates of
 * the server's configured files (tls_files.h) alike.  NULL/0/false where
 * an item is absent or cannot be rendered.
 */
typedef struct X509Summary
{
	char	   *subject;		/* DN */
	char	   *issuer;			/* DN */
	char	   *serial;			/* decimal */
	bool		has_validity;	/* not_before/not_after could be read */
	TimestampTz not_before;
	TimestampTz not_after;
	char	   *fingerprint;	/* SHA-256, lowercase hex */
	List	   *san;			/* char *, NIL when no subjectAltName */
	char	   *key_type;		/* "RSA", "EC", "ED25519", ... */
	int			key_bits;
	char	   *signature_algorithm;
} X509Summary;

/* Result of looking a field name up in a DN */
typedef enum X509FieldLookup
{
	X509_FIELD_FOUND,			/* *value set */
	X509_FIELD_ABSENT,			/* a known attribute, not in this DN */
	X509_FIELD_UNKNOWN_NAME		/* not an attribute name OpenSSL knows (or 128
								 * bytes or longer) */
} X509FieldLookup;

extern char *x509_name_to_dn(const X509_NAME *name);
extern X509FieldLookup x509_name_field(const X509_NAME *name,
									   const char *field_name,
									   char **value);
extern char *x509_serial_to_decimal(const ASN1_INTEGER *serial);
extern bool x509_time_to_timestamptz(const ASN1_TIME *asn1_time,
									 TimestampTz *result);

/* SHA-256, fetched once per process (NULL if OpenSSL has none) */
extern const EVP_MD *x509_sha256(void);

extern char *x509_fingerprint_sha256(const X509 *cert);
extern List *x509_subject_alt_names(const X509 *cert);
extern List *x509_extensions(const X509 *cert);

/*
 * The public key's type: "RSA", "RSA-PSS", "DSA", "EC", "ED25519", "ED448",
 * else OpenSSL's short name (NULL when there is none).  The one mapping
 * from OpenSSL key types to names; others (the cipher policy) work from
 * these names.
 */
extern char *x509_key_type(const X509 *cert);
extern int	x509_key_bits(const X509 *cert);
extern char *x509_signature_algorithm(const X509 *cert);
extern void x509_summarize(const X509 *cert, X509Summary *summary);

/* SQL boundary: UTF-8 C string to a text datum in the database encoding */
extern struct varlena *x509_utf8_to_text(const char *utf8);

#endif							/* SSLINFO_EXT_X509_RENDER_H */
