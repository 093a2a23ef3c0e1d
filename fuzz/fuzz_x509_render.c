/*-------------------------------------------------------------------------
 *
 * fuzz_x509_render.c
 *	  libFuzzer target: every function of src/x509_render.h over a
 *	  certificate parsed from arbitrary DER bytes.
 *
 * A client controls every byte of the certificate it presents, and
 * PostgreSQL hands it to sslinfo_ext after verifying the chain, so the
 * rendering must hold for any certificate OpenSSL parses.  Besides the
 * sanitizers, each result is checked against the header's promises: no
 * ERROR, strings in UTF-8 that pass the SQL boundary unchanged, formats as
 * documented, OpenSSL's error queue left empty.
 *
 * fuzz-sources: src/x509_render.c fuzz/pg_runtime_shim.c
 * fuzz-seeds: certs-der
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/fuzz_x509_render.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/x509.h>

#include "x509_checks.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509	   *cert = d2i_X509(NULL, &p, (long) size);

	ERR_clear_error();
	if (cert == NULL)
	{
		if (fuzz_printing())
			fprintf(stderr, "the DER does not parse as a certificate\n");
		return 0;
	}

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

	X509_free(cert);
	shim_arena_reset();
	return 0;
}
