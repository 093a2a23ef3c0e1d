/*-------------------------------------------------------------------------
 *
 * fuzz_x509_fields.c
 *	  libFuzzer target: certificates built around fuzzed field contents,
 *	  then run through every function of src/x509_render.h.
 *
 * Mutating whole DER certificates rarely gets past the outer structure, so
 * this target puts the input where a client has free rein: the content of
 * one extension (chosen from those OpenSSL prints, plus an unknown one),
 * one DN value of a chosen attribute and string type, the serial number,
 * or a validity time.  The certificate is signed, encoded and decoded
 * again, so what is rendered is exactly what a server would decode from a
 * client that sent it (d2i refuses what a server would refuse).
 *
 * Input: byte 0 chooses what the rest is (modulo 4: extension, DN value,
 * serial, time); byte 1 and 2 refine the choice (which extension and
 * whether critical, which attribute and string type, UTCTime or
 * GeneralizedTime); the rest is the content.
 *
 * fuzz-sources: src/x509_render.c fuzz/pg_runtime_shim.c
 * fuzz-seeds: none
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/fuzz_x509_fields.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509_checks.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Extensions whose content the input becomes */
static const int extension_nids[] = {
	NID_subject_alt_name, NID_issuer_alt_name, NID_basic_constraints,
	NID_key_usage, NID_ext_key_usage, NID_subject_key_identifier,
	NID_authority_key_identifier, NID_certificate_policies,
	NID_crl_distribution_points, NID_info_access, NID_name_constraints,
	NID_policy_constraints, NID_policy_mappings, NID_inhibit_any_policy,
	NID_netscape_comment, NID_netscape_cert_type, NID_sinfo_access,
	NID_tlsfeature, NID_ct_precert_scts, NID_freshest_crl,
	NID_subject_directory_attributes, NID_undef,	/* an unknown OID */
};

static const int attribute_nids[] = {
	NID_commonName, NID_organizationName, NID_countryName, NID_pkcs9_emailAddress,
	NID_domainComponent, NID_serialNumber, NID_userId, NID_undef,
};

static const int string_types[] = {
	V_ASN1_UTF8STRING, V_ASN1_BMPSTRING, V_ASN1_UNIVERSALSTRING,
	V_ASN1_T61STRING, V_ASN1_PRINTABLESTRING, V_ASN1_IA5STRING,
	V_ASN1_NUMERICSTRING, V_ASN1_VISIBLESTRING, V_ASN1_GENERALSTRING,
	V_ASN1_VIDEOTEXSTRING, V_ASN1_OCTET_STRING, V_ASN1_BIT_STRING,
};

static EVP_PKEY *signing_key = NULL;

/* One EC key for every certificate: made once, never freed */
static EVP_PKEY *
key(void)
{
	if (signing_key == NULL)
	{
		signing_key = EVP_EC_gen("P-256");
		if (signing_key == NULL)
			fuzz_fail("cannot make an EC key");
	}
	return signing_key;
}

static ASN1_OBJECT *
unknown_oid(void)
{
	return OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
}

/* A certificate with a plain subject, issuer, validity and key */
static X509 *
skeleton(void)
{
	X509	   *cert = X509_new();
	X509_NAME  *name = X509_NAME_new();

	X509_set_version(cert, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 4096);
	X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
							   (const unsigned char *) "fuzz", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_set_subject_name(cert, name);
	X509_NAME_free(name);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, key());
	return cert;
}

static void
add_extension(X509 *cert, uint8_t which, uint8_t flags,
			  const uint8_t *content, size_t len)
{
	int			nid = extension_nids[which % lengthof(extension_nids)];
	ASN1_OBJECT *obj = nid != NID_undef ? OBJ_nid2obj(nid) : unknown_oid();
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;

	ASN1_OCTET_STRING_set(value, content, (int) len);
	ext = X509_EXTENSION_create_by_OBJ(NULL, obj, flags & 1, value);
	if (ext != NULL)
		X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(value);
	ASN1_OBJECT_free(obj);
}

static void
add_dn_value(X509 *cert, uint8_t which, uint8_t type,
			 const uint8_t *content, size_t len)
{
	int			nid = attribute_nids[which % lengthof(attribute_nids)];
	ASN1_OBJECT *obj = nid != NID_undef ? OBJ_nid2obj(nid) : unknown_oid();
	X509_NAME_ENTRY *entry;

	/* a plain string type (not MBSTRING_*): the bytes are taken as they are */
	entry = X509_NAME_ENTRY_create_by_OBJ(NULL, obj,
										  string_types[(type & 0x7f) % lengthof(string_types)],
										  content, (int) len);
	/* the top bit: a new RDN, or a second value in the CN's RDN */
	if (entry != NULL)
		X509_NAME_add_entry(X509_get_subject_name(cert), entry, -1,
							(type & 0x80) ? -1 : 0);
	X509_NAME_ENTRY_free(entry);
	ASN1_OBJECT_free(obj);
}

static void
set_serial(X509 *cert, const uint8_t *content, size_t len, bool negative)
{
	ASN1_INTEGER *serial = ASN1_INTEGER_new();

	ASN1_STRING_set(serial, content, (int) len);
	if (negative)
		serial->type = V_ASN1_NEG_INTEGER;
	X509_set_serialNumber(cert, serial);
	ASN1_INTEGER_free(serial);
}

static void
set_time(X509 *cert, bool generalized, bool not_after,
		 const uint8_t *content, size_t len)
{
	ASN1_TIME  *t = ASN1_STRING_type_new(generalized ? V_ASN1_GENERALIZEDTIME
										 : V_ASN1_UTCTIME);

	ASN1_STRING_set(t, content, (int) len);
	if (not_after)
		X509_set1_notAfter(cert, t);
	else
		X509_set1_notBefore(cert, t);
	ASN1_TIME_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509	   *built;
	X509	   *cert;
	unsigned char *der = NULL;
	const unsigned char *p;
	int			len;

	if (size < 3)
		return 0;

	built = skeleton();
	switch (data[0] % 4)
	{
		case 0:
			add_extension(built, data[1], data[2], data + 3, size - 3);
			break;
		case 1:
			add_dn_value(built, data[1], data[2], data + 3, size - 3);
			break;
		case 2:
			set_serial(built, data + 3, size - 3, data[1] & 1);
			break;
		case 3:
			set_time(built, data[1] & 1, data[2] & 1, data + 3, size - 3);
			break;
	}

	/* signed, encoded and decoded again: what a server would see */
	len = X509_sign(built, key(), EVP_sha256()) > 0 ? i2d_X509(built, &der) : -1;
	X509_free(built);
	ERR_clear_error();
	if (len <= 0)
		return 0;
	p = der;
	cert = d2i_X509(NULL, &p, len);
	OPENSSL_free(der);
	ERR_clear_error();
	if (cert == NULL)
	{
		if (fuzz_printing())
			fprintf(stderr, "the built certificate does not decode\n");
		return 0;
	}

	fuzz_check_certificate(cert);

	X509_free(cert);
	shim_arena_reset();
	return 0;
}
