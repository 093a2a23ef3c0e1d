/*-------------------------------------------------------------------------
 *
 * x509_checks.h
 *	  Run the functions of src/x509_render.h over one X509_NAME or one
 *	  certificate and check what they promise; shared by the X.509 fuzz
 *	  targets.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/x509_checks.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_X509_CHECKS_H
#define SSLINFO_EXT_X509_CHECKS_H

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "fuzz_common.h"
#include "x509_render.h"

/* Field names a SQL caller might pass, hostile ones included */
static const char *const fuzz_field_names[] = {
	"CN", "commonName", "2.5.4.3", "O", "OU", "C", "emailAddress",
	"1.2.840.113549.1.9.1", "DC", "UID", "serialNumber",
	"cn",						/* names are case-sensitive: unknown */
	"", ".", "1.", "1..2", "-1.2", "2.5.4.3.", "1.2", "0.0",
	"99999999999999999999.1", "2.99999999999999999999999999999999",
	"no such field",
};

/*
 * The SQL boundary: documented to ereport only for a character with no
 * equivalent in the database encoding, which cannot happen for valid
 * UTF-8 in a UTF8 database (the shim's), so any ERROR is a finding.  The
 * text must hold exactly the string.
 */
static void
fuzz_check_sql_text(const char *what, const char *utf8)
{
	struct varlena *volatile t = NULL;

	SHIM_TRY();
	{
		t = x509_utf8_to_text(utf8);
	}
	SHIM_CATCH();
	{
		fuzz_fail("x509_utf8_to_text(%s) raised [%s] %s", what,
				  shim_sqlstate(shim_last_error.sqlerrcode),
				  shim_last_error.message);
	}
	SHIM_END_TRY();
	if (VARSIZE_ANY_EXHDR(t) != strlen(utf8) ||
		memcmp(VARDATA_ANY(t), utf8, strlen(utf8)) != 0)
		fuzz_fail("x509_utf8_to_text(%s) changed the string", what);
}

/* A rendered string: valid UTF-8, and passes the SQL boundary intact */
static void
fuzz_check_rendered(const char *what, const char *s)
{
	if (fuzz_printing())
		fprintf(stderr, "%s: %s%s%s\n", what, s ? "\"" : "", s ? s : "NULL", s ? "\"" : "");
	if (s == NULL)
		return;
	fuzz_check_utf8(what, s);
	fuzz_check_sql_text(what, s);
}

static void
fuzz_check_field(const X509_NAME *name, const char *field_name,
				 bool must_be_found)
{
	char	   *value = (char *) 0x1;	/* must be overwritten */
	X509FieldLookup r = x509_name_field(name, field_name, &value);

	switch (r)
	{
		case X509_FIELD_FOUND:
			if (value == NULL)
				fuzz_fail("field \"%s\": FOUND with a NULL value", field_name);
			fuzz_check_rendered("a DN field value", value);
			break;
		case X509_FIELD_ABSENT:
		case X509_FIELD_UNKNOWN_NAME:
			if (fuzz_printing())
				fprintf(stderr, "field \"%s\": %s\n", field_name,
						r == X509_FIELD_ABSENT ? "absent" : "unknown name");
			if (value != NULL)
				fuzz_fail("field \"%s\": not found but value set", field_name);
			if (must_be_found)
				fuzz_fail("field \"%s\" is in a DN that renders, but lookup says %s",
						  field_name, r == X509_FIELD_ABSENT ? "ABSENT" : "UNKNOWN_NAME");
			break;
		default:
			fuzz_fail("field \"%s\": lookup returned %d", field_name, (int) r);
	}
	fuzz_check_error_queue("x509_name_field");
}

/*
 * A valid but huge dotted OID ("2." and 1000 nines) is refused as an
 * unknown name without asking OpenSSL (which takes quadratic time on it).
 */
static void
fuzz_check_long_field_name(const X509_NAME *name)
{
	char		long_name[1003];
	char	   *value;

	memcpy(long_name, "2.", 2);
	memset(long_name + 2, '9', 1000);
	long_name[1002] = '\0';
	if (x509_name_field(name, long_name, &value) != X509_FIELD_UNKNOWN_NAME)
		fuzz_fail("a 1002-byte field name is not refused as unknown");
}

/*
 * x509_name_to_dn() copies the values OpenSSL would print unchanged instead
 * of printing them: the DN must be the one that printing every value with
 * ASN1_STRING_print_ex() gives (compared when that is plain ASCII, which
 * the rendering then keeps byte for byte).
 */
static void
fuzz_check_dn_printed(const char *what, const X509_NAME *name, const char *dn)
{
	const unsigned long flags = (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) |
	ASN1_STRFLGS_UTF8_CONVERT;
	BIO		   *bio = BIO_new(BIO_s_mem());
	char	   *printed;
	long		len;
	bool		ok = bio != NULL;

	for (int i = 0; ok && i < X509_NAME_entry_count(name); i++)
	{
		const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(entry);
		int			nid = OBJ_obj2nid(obj);
		const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		char		oid[128];

		if (sn == NULL && nid != NID_undef)
			sn = OBJ_nid2ln(nid);
		if (sn == NULL && OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0)
			sn = oid;
		ok = sn != NULL && BIO_printf(bio, "/%s=", sn) > 0 &&
			ASN1_STRING_print_ex(bio, X509_NAME_ENTRY_get_data(entry), flags) >= 0;
	}
	len = ok ? BIO_get_mem_data(bio, &printed) : 0;
	if (ok && dn != NULL)
	{
		bool		ascii = true;

		for (long i = 0; i < len; i++)
			ascii = ascii && (unsigned char) printed[i] < 0x80 && printed[i] != '\0';
		if (ascii && (strlen(dn) != (size_t) len ||
					  (len > 0 && memcmp(dn, printed, len) != 0)))
			fuzz_fail("%s differs from the printed DN: \"%s\" vs \"%.*s\"",
					  what, dn, (int) len, printed);
	}
	BIO_free(bio);
	ERR_clear_error();
}

/*
 * Render a DN and look fields up in it: the fixed names, extra_field (if
 * not NULL), and the dotted OID of each of the first entries, which must
 * be found when the whole DN rendered.
 */
static void
fuzz_check_name(const char *what, const X509_NAME *name, const char *extra_field)
{
	char	   *dn = x509_name_to_dn(name);
	int			count = X509_NAME_entry_count(name);

	fuzz_check_error_queue("x509_name_to_dn");
	fuzz_check_rendered(what, dn);
	fuzz_check_dn_printed(what, name, dn);
	if (dn != NULL && count > 0 && dn[0] != '/')
		fuzz_fail("%s does not start with '/': \"%s\"", what, dn);

	for (int i = 0; i < lengthof(fuzz_field_names); i++)
		fuzz_check_field(name, fuzz_field_names[i], false);
	fuzz_check_long_field_name(name);
	if (extra_field != NULL)
		fuzz_check_field(name, extra_field, false);

	for (int i = 0; i < count && i < 4; i++)
	{
		const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, i));
		char		oid[128];
		int			len = OBJ_obj2txt(oid, sizeof(oid), obj, 1);

		ERR_clear_error();
		if (len > 0 && len < (int) sizeof(oid))
			fuzz_check_field(name, oid, dn != NULL);
	}
}

static const char *const san_prefixes[] = {
	"DNS:", "IP:", "email:", "URI:", "DirName:", "RID:", "otherName:",
	"X400Name:", "EdiPartyName:", "unknown:",
};

static void
check_serial(const char *serial)
{
	const char *p = serial;

	if (serial == NULL)
		return;
	if (*p == '-')
		p++;
	if (*p == '\0' || (p[0] == '0' && p[1] != '\0') || (serial[0] == '-' && p[0] == '0'))
		fuzz_fail("serial \"%s\" is not a canonical decimal", serial);
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			fuzz_fail("serial \"%s\" is not a canonical decimal", serial);
}

static void
check_fingerprint(const char *fp)
{
	if (fp == NULL)
		return;
	if (strlen(fp) != 64 || strspn(fp, "0123456789abcdef") != 64)
		fuzz_fail("fingerprint \"%s\" is not 64 lowercase hex digits", fp);
}

static void
check_time(const char *what, const ASN1_TIME *t)
{
	TimestampTz ts;

	if (x509_time_to_timestamptz(t, &ts) && !IS_VALID_TIMESTAMP(ts))
		fuzz_fail("%s: timestamp " INT64_FORMAT " out of range", what, ts);
	fuzz_check_error_queue("x509_time_to_timestamptz");
}

static void
check_sans(const X509 *cert)
{
	List	   *sans = x509_subject_alt_names(cert);
	ListCell   *lc;

	fuzz_check_error_queue("x509_subject_alt_names");
	foreach(lc, sans)
	{
		const char *entry = lfirst(lc);
		bool		prefixed = false;

		if (entry == NULL)
			fuzz_fail("NULL SAN entry");
		fuzz_check_rendered("a SAN entry", entry);
		for (int i = 0; i < lengthof(san_prefixes); i++)
			if (strncmp(entry, san_prefixes[i], strlen(san_prefixes[i])) == 0)
				prefixed = true;
		if (!prefixed)
			fuzz_fail("SAN entry without a documented prefix: \"%s\"", entry);
	}
}

static void
check_extensions(const X509 *cert)
{
	List	   *exts = x509_extensions(cert);
	ListCell   *lc;

	fuzz_check_error_queue("x509_extensions");
	if (list_length(exts) != X509_get_ext_count(cert))
		fuzz_fail("%d extensions rendered of %d", list_length(exts),
				  X509_get_ext_count(cert));
	foreach(lc, exts)
	{
		const X509ExtensionText *ext = lfirst(lc);

		if (ext->name == NULL || ext->value == NULL)
			fuzz_fail("extension with a NULL name or value");
		fuzz_check_rendered("an extension name", ext->name);
		fuzz_check_rendered("an extension value", ext->value);
	}
}

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* x509_summarize() says what the single functions say */
static void
check_summary(const X509 *cert)
{
	X509Summary summary;
	TimestampTz not_before = 0;
	TimestampTz not_after = 0;
	bool		has_validity;
	List	   *san = x509_subject_alt_names(cert);
	ListCell   *a;
	ListCell   *b;

	x509_summarize(cert, &summary);
	fuzz_check_error_queue("x509_summarize");
	has_validity =
		x509_time_to_timestamptz(X509_get0_notBefore(cert), &not_before) &&
		x509_time_to_timestamptz(X509_get0_notAfter(cert), &not_after);
	ERR_clear_error();

	if (!same_string(summary.subject, x509_name_to_dn(X509_get_subject_name(cert))) ||
		!same_string(summary.issuer, x509_name_to_dn(X509_get_issuer_name(cert))) ||
		!same_string(summary.serial, x509_serial_to_decimal(X509_get0_serialNumber(cert))) ||
		!same_string(summary.fingerprint, x509_fingerprint_sha256(cert)) ||
		!same_string(summary.key_type, x509_key_type(cert)) ||
		!same_string(summary.signature_algorithm, x509_signature_algorithm(cert)) ||
		summary.key_bits != x509_key_bits(cert) ||
		summary.has_validity != has_validity ||
		(has_validity && (summary.not_before != not_before ||
						  summary.not_after != not_after)) ||
		list_length(summary.san) != list_length(san))
		fuzz_fail("x509_summarize disagrees with the single functions");
	forboth(a, summary.san, b, san)
	{
		if (!same_string(lfirst(a), lfirst(b)))
			fuzz_fail("x509_summarize: SAN entry \"%s\" is \"%s\" alone",
					  (char *) lfirst(a), (char *) lfirst(b));
	}
	ERR_clear_error();
}

/*
 * Every function of x509_render.h over one certificate, each result checked
 * against the header's promises.
 */
static void
fuzz_check_certificate(const X509 *cert)
{
	fuzz_check_name("the subject DN", X509_get_subject_name(cert), NULL);
	fuzz_check_name("the issuer DN", X509_get_issuer_name(cert), NULL);

	check_serial(x509_serial_to_decimal(X509_get0_serialNumber(cert)));
	fuzz_check_error_queue("x509_serial_to_decimal");
	check_time("notBefore", X509_get0_notBefore(cert));
	check_time("notAfter", X509_get0_notAfter(cert));
	check_time("NULL time", NULL);
	check_fingerprint(x509_fingerprint_sha256(cert));
	fuzz_check_error_queue("x509_fingerprint_sha256");
	check_sans(cert);
	check_extensions(cert);

	fuzz_check_rendered("the key type", x509_key_type(cert));
	fuzz_check_error_queue("x509_key_type");
	if (x509_key_bits(cert) < 0)
		fuzz_fail("negative key bits");
	fuzz_check_error_queue("x509_key_bits");
	fuzz_check_rendered("the signature algorithm", x509_signature_algorithm(cert));
	fuzz_check_error_queue("x509_signature_algorithm");

	check_summary(cert);
}

#endif							/* SSLINFO_EXT_X509_CHECKS_H */
