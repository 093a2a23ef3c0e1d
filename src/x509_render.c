/*-------------------------------------------------------------------------
 *
 * x509_render.c
 *	  Turn OpenSSL X.509 objects into the text forms sslinfo_ext shows.
 *
 * See x509_render.h for the contract.  OpenSSL does all parsing and
 * printing; this file only chooses the calls and flags, and copies the
 * results into palloc'd memory.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/x509_render.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "mb/pg_wchar.h"
#include "port.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/inet.h"

#include "x509_render.h"

/*
 * How DN values are printed: RFC 2253 escaping of special characters and
 * control bytes, conversion of every ASN.1 string type to UTF-8, but bytes
 * above 0x7F left as they are (so UTF-8 text stays readable).  This is the
 * format of contrib sslinfo and of pg_stat_ssl.
 */
#define DN_VALUE_FLAGS	((ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | \
						 ASN1_STRFLGS_UTF8_CONVERT)

/*
 * How free-text SAN values (DNS names, e-mail addresses, URIs, otherName
 * strings) are printed: only control bytes escaped, no RFC 2253 escaping
 * (a comma in a URI is not a DN separator).
 */
#define SAN_VALUE_FLAGS (ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_UTF8_CONVERT)

/* Longest dotted OID we print; OpenSSL truncates (safely) beyond it */
#define OID_TEXT_LEN	128

/*
 * OpenSSL 1.1.1 declares X509_NAME_get_index_by_OBJ(), i2d_ASN1_TYPE() and
 * i2d_GENERAL_NAME() with non-const arguments (3.0 made them const); none of
 * them modifies the object.  OSSL_IN(type, p) passes a const pointer to them
 * on either (unconstify checks that p is a "const type").
 */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define OSSL_IN(type, p) (p)
#else
#define OSSL_IN(type, p) unconstify(type, p)
#endif

/*
 * A palloc'd, NUL-terminated copy of len bytes that is valid UTF-8 as
 * PostgreSQL checks it: each byte that does not belong to a valid UTF-8
 * character (stray bytes, NULs, surrogates, code points above U+10FFFF,
 * which OpenSSL may print) becomes "\XX", the hex escape RFC 2253 and
 * OpenSSL's own escaping use.  Valid input is copied unchanged.
 */
static char *
utf8_or_escaped(const char *data, int len)
{
	char	   *result;
	char	   *out;
	int			done = 0;

	if (pg_encoding_verifymbstr(PG_UTF8, data, len) == len)
	{
		result = palloc(len + 1);
		if (len > 0)
			memcpy(result, data, len);
		result[len] = '\0';
		return result;
	}

	out = result = palloc((Size) len * 3 + 1);
	while (done < len)
	{
		int			valid = pg_encoding_verifymbstr(PG_UTF8, data + done, len - done);

		memcpy(out, data + done, valid);
		out += valid;
		done += valid;
		if (done < len)
		{
			sprintf(out, "\\%02X", (unsigned char) data[done]);
			out += 3;
			done++;
		}
	}
	*out = '\0';
	return result;
}

/*
 * Copy what a memory BIO holds into a palloc'd, NUL-terminated UTF-8
 * string (see utf8_or_escaped) and free the BIO.
 */
static char *
bio_to_cstring(BIO *bio)
{
	char	   *data;
	long		len;
	char	   *result;

	len = BIO_get_mem_data(bio, &data);
	result = utf8_or_escaped(data, (int) len);
	BIO_free(bio);
	return result;
}

/* Give up on a BIO after an OpenSSL failure, leaving no queued errors. */
static char *
bio_discard(BIO *bio)
{
	BIO_free(bio);
	ERR_clear_error();
	return NULL;
}

/* Dotted OID or OpenSSL's short name (long name when no short name) */
static void
object_name(const ASN1_OBJECT *obj, char *buf, size_t bufsize)
{
	int			nid = OBJ_obj2nid(obj);
	const char *name = NULL;

	if (nid != NID_undef)
	{
		name = OBJ_nid2sn(nid);
		if (name == NULL)
			name = OBJ_nid2ln(nid);
	}
	if (name != NULL)
		strlcpy(buf, name, bufsize);
	else if (OBJ_obj2txt(buf, bufsize, obj, 1) <= 0)
		strlcpy(buf, "?", bufsize);
}

/* "#" followed by the hex digits of some bytes, as RFC 2253 dumps do */
static char *
hex_dump(const unsigned char *bytes, int len)
{
	char	   *result = palloc(len * 2 + 2);
	uint64		n;

	result[0] = '#';
	n = hex_encode((const char *) bytes, len, result + 1);
	result[n + 1] = '\0';
	return result;
}

static char *
asn1_string_to_cstring(const ASN1_STRING *value, unsigned long flags)
{
	BIO		   *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		return NULL;
	if (ASN1_STRING_print_ex(bio, value, flags) < 0)
		return bio_discard(bio);
	return bio_to_cstring(bio);
}

/*
 * Does OpenSSL print this DN value (with DN_VALUE_FLAGS) as its own bytes?
 * True for the common case -- a PrintableString, IA5String or UTF8String
 * of printable ASCII with none of the characters RFC 2253 escapes and no
 * leading '#' or space or trailing space -- so that such values can be
 * copied instead of printed character by character through a BIO, which
 * is where most of a login's rendering time went.  Anything else (other
 * string types, bytes above 0x7F, controls, specials) is printed by
 * ASN1_STRING_print_ex() as before, so the output is the same either way.
 */
static bool
dn_value_prints_as_is(const ASN1_STRING *value)
{
	const unsigned char *bytes = ASN1_STRING_get0_data(value);
	int			len = ASN1_STRING_length(value);

	switch (ASN1_STRING_type(value))
	{
		case V_ASN1_PRINTABLESTRING:
		case V_ASN1_IA5STRING:
		case V_ASN1_UTF8STRING:
			break;
		default:
			return false;
	}
	if (len <= 0)
		return len == 0;
	if (bytes[0] == '#' || bytes[0] == ' ' || bytes[len - 1] == ' ')
		return false;
	for (int i = 0; i < len; i++)
	{
		unsigned char c = bytes[i];

		if (c < 0x20 || c > 0x7E)
			return false;
		switch (c)
		{
			case ',':
			case '+':
			case '"':
			case '\\':
			case '<':
			case '>':
			case ';':
				return false;
		}
	}
	return true;
}

char *
x509_name_to_dn(const X509_NAME *name)
{
	BIO		   *bio = BIO_new(BIO_s_mem());
	int			count = X509_NAME_entry_count(name);

	if (bio == NULL)
		return NULL;

	for (int i = 0; i < count; i++)
	{
		const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
		const ASN1_STRING *value = X509_NAME_ENTRY_get_data(entry);
		char		prefix[OID_TEXT_LEN + 2];
		int			prefix_len;
		bool		ok;

		/* "/attribute=" */
		prefix[0] = '/';
		object_name(X509_NAME_ENTRY_get_object(entry), prefix + 1,
					sizeof(prefix) - 2);
		prefix_len = strlen(prefix);
		prefix[prefix_len++] = '=';
		ok = BIO_write(bio, prefix, prefix_len) == prefix_len;
		if (ok && dn_value_prints_as_is(value))
			ok = ASN1_STRING_length(value) == 0 ||
				BIO_write(bio, ASN1_STRING_get0_data(value),
						  ASN1_STRING_length(value)) == ASN1_STRING_length(value);
		else if (ok)
			ok = ASN1_STRING_print_ex(bio, value, DN_VALUE_FLAGS) >= 0;
		if (!ok)
			return bio_discard(bio);
	}
	return bio_to_cstring(bio);
}

X509FieldLookup
x509_name_field(const X509_NAME *name, const char *field_name, char **value)
{
	ASN1_OBJECT *obj;
	int			index;

	*value = NULL;

	/*
	 * No attribute name or OID this unit prints is longer than OID_TEXT_LEN.
	 * Refusing longer names up front matters: OpenSSL converts a huge numeric
	 * arc ("2.999...9") in time quadratic in its length, and a backend cannot
	 * be interrupted meanwhile (1 MB: minutes).
	 */
	if (strlen(field_name) >= OID_TEXT_LEN)
		return X509_FIELD_UNKNOWN_NAME;

	/*
	 * OBJ_txt2obj accepts short names, long names and dotted OIDs; a dotted
	 * OID unknown to OpenSSL still yields an object we can look up.
	 */
	obj = OBJ_txt2obj(field_name, 0);
	if (obj == NULL)
	{
		ERR_clear_error();
		return X509_FIELD_UNKNOWN_NAME;
	}
	index = X509_NAME_get_index_by_OBJ(OSSL_IN(X509_NAME *, name), obj, -1);
	ASN1_OBJECT_free(obj);
	if (index < 0)
		return X509_FIELD_ABSENT;

	*value = asn1_string_to_cstring(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)),
									DN_VALUE_FLAGS);
	return *value != NULL ? X509_FIELD_FOUND : X509_FIELD_ABSENT;
}

char *
x509_serial_to_decimal(const ASN1_INTEGER *serial)
{
	BIGNUM	   *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char	   *digits;
	char	   *result;

	if (bn == NULL)
	{
		ERR_clear_error();
		return NULL;
	}
	digits = BN_bn2dec(bn);
	BN_free(bn);
	if (digits == NULL)
	{
		ERR_clear_error();
		return NULL;
	}
	result = pstrdup(digits);
	OPENSSL_free(digits);
	return result;
}

bool
x509_time_to_timestamptz(const ASN1_TIME *asn1_time, TimestampTz *result)
{
	struct tm	utc;
	struct pg_tm tm;

	if (asn1_time == NULL || ASN1_TIME_to_tm(asn1_time, &utc) != 1)
	{
		ERR_clear_error();
		return false;
	}

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = utc.tm_year + 1900;
	tm.tm_mon = utc.tm_mon + 1;
	tm.tm_mday = utc.tm_mday;
	tm.tm_hour = utc.tm_hour;
	tm.tm_min = utc.tm_min;
	tm.tm_sec = utc.tm_sec;

	/* no time zone offset: ASN.1 certificate times are UTC */
	return tm2timestamp(&tm, 0, NULL, result) == 0;
}

/*
 * SHA-256, fetched once per process: an implicit fetch at every digest costs
 * more than hashing a certificate.  Fetched in the postmaster (its
 * start-time certificate check), a forked backend inherits it.  NULL when
 * OpenSSL has none.
 */
const EVP_MD *
x509_sha256(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *sha256 = NULL;

	if (sha256 == NULL)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha256 == NULL)
		ERR_clear_error();
	return sha256;
#else
	return EVP_sha256();
#endif
}

char *
x509_fingerprint_sha256(const X509 *cert)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len;
	char	   *result;
	uint64		n;
	const EVP_MD *sha256 = x509_sha256();

	if (sha256 == NULL)
		return NULL;
	if (X509_digest(cert, sha256, digest, &len) != 1)
	{
		ERR_clear_error();
		return NULL;
	}
	result = palloc(len * 2 + 1);
	n = hex_encode((const char *) digest, len, result);
	result[n] = '\0';
	return result;
}

/* The IP address of a SAN entry, as PostgreSQL's inet type prints it */
static char *
san_ip_address(const ASN1_OCTET_STRING *ip)
{
	const unsigned char *bytes = ASN1_STRING_get0_data(ip);
	int			len = ASN1_STRING_length(ip);
	char		buf[64];

	if (len == 4 &&
		pg_inet_net_ntop(PGSQL_AF_INET, bytes, 32, buf, sizeof(buf)) != NULL)
		return pstrdup(buf);
	if (len == 16 &&
		pg_inet_net_ntop(PGSQL_AF_INET6, bytes, 128, buf, sizeof(buf)) != NULL)
		return pstrdup(buf);
	/* not an address (name constraints use address+mask): dump it */
	return hex_dump(bytes, len);
}

/* otherName: "OID=value", value printed if it is a string, else dumped */
static char *
san_other_name(const OTHERNAME *other)
{
	char		oid[OID_TEXT_LEN];
	const ASN1_TYPE *value = other->value;
	char	   *text = NULL;

	if (OBJ_obj2txt(oid, sizeof(oid), other->type_id, 1) <= 0)
		strlcpy(oid, "?", sizeof(oid));

	switch (value->type)
	{
		case V_ASN1_UTF8STRING:
		case V_ASN1_IA5STRING:
		case V_ASN1_PRINTABLESTRING:
		case V_ASN1_BMPSTRING:
		case V_ASN1_UNIVERSALSTRING:
		case V_ASN1_T61STRING:
		case V_ASN1_VISIBLESTRING:
			text = asn1_string_to_cstring(value->value.asn1_string,
										  SAN_VALUE_FLAGS);
			break;
		default:
			break;
	}
	if (text == NULL)
	{
		unsigned char *der = NULL;
		int			len = i2d_ASN1_TYPE(OSSL_IN(ASN1_TYPE *, value), &der);

		if (len < 0)
		{
			ERR_clear_error();
			text = pstrdup("?");
		}
		else
		{
			text = hex_dump(der, len);
			OPENSSL_free(der);
		}
	}
	return psprintf("%s=%s", oid, text);
}

/* Any general name, dumped as the DER of the whole GeneralName */
static char *
general_name_dump(const GENERAL_NAME *name)
{
	unsigned char *der = NULL;
	int			len = i2d_GENERAL_NAME(OSSL_IN(GENERAL_NAME *, name), &der);
	char	   *result;

	if (len < 0)
	{
		ERR_clear_error();
		return pstrdup("?");
	}
	result = hex_dump(der, len);
	OPENSSL_free(der);
	return result;
}

static char *
general_name_to_cstring(const GENERAL_NAME *name)
{
	char	   *value;
	char		oid[OID_TEXT_LEN];

	switch (name->type)
	{
		case GEN_DNS:
			value = asn1_string_to_cstring(name->d.dNSName, SAN_VALUE_FLAGS);
			return value ? psprintf("DNS:%s", value) : NULL;
		case GEN_EMAIL:
			value = asn1_string_to_cstring(name->d.rfc822Name, SAN_VALUE_FLAGS);
			return value ? psprintf("email:%s", value) : NULL;
		case GEN_URI:
			value = asn1_string_to_cstring(name->d.uniformResourceIdentifier,
										   SAN_VALUE_FLAGS);
			return value ? psprintf("URI:%s", value) : NULL;
		case GEN_IPADD:
			return psprintf("IP:%s", san_ip_address(name->d.iPAddress));
		case GEN_DIRNAME:
			value = x509_name_to_dn(name->d.directoryName);
			return value ? psprintf("DirName:%s", value) : NULL;
		case GEN_RID:
			if (OBJ_obj2txt(oid, sizeof(oid), name->d.registeredID, 1) <= 0)
				strlcpy(oid, "?", sizeof(oid));
			return psprintf("RID:%s", oid);
		case GEN_OTHERNAME:
			return psprintf("otherName:%s", san_other_name(name->d.otherName));
		case GEN_X400:
			return psprintf("X400Name:%s", general_name_dump(name));
		case GEN_EDIPARTY:
			return psprintf("EdiPartyName:%s", general_name_dump(name));
		default:
			return psprintf("unknown:%s", general_name_dump(name));
	}
}

List *
x509_subject_alt_names(const X509 *cert)
{
	GENERAL_NAMES *names;
	List	   *result = NIL;

	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
	{
		ERR_clear_error();
		return NIL;
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(names); i++)
	{
		char	   *entry = general_name_to_cstring(sk_GENERAL_NAME_value(names, i));

		if (entry != NULL)
			result = lappend(result, entry);
	}
	GENERAL_NAMES_free(names);
	ERR_clear_error();
	return result;
}

List *
x509_extensions(const X509 *cert)
{
	List	   *result = NIL;
	int			count = X509_get_ext_count(cert);

	for (int i = 0; i < count; i++)
	{
		/*
		 * OpenSSL 4 hands out const extensions, and its accessors take them
		 * so; 3.x's accessors take a non-const pointer although they only
		 * read.  Reading is all this loop does.
		 */
		X509_EXTENSION *ext = (X509_EXTENSION *) X509_get_ext(cert, i);
		X509ExtensionText *item = palloc(sizeof(X509ExtensionText));
		char		name[OID_TEXT_LEN];
		BIO		   *bio;

		object_name(X509_EXTENSION_get_object(ext), name, sizeof(name));
		item->name = pstrdup(name);
		item->critical = X509_EXTENSION_get_critical(ext) > 0;
		item->value = NULL;

		bio = BIO_new(BIO_s_mem());
		if (bio != NULL)
		{
			if (X509V3_EXT_print(bio, ext, X509V3_EXT_DEFAULT, 0) == 1)
				item->value = bio_to_cstring(bio);
			else
				bio_discard(bio);
		}
		if (item->value == NULL)
		{
			/* an extension OpenSSL cannot print: show its raw value */
			const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext);

			item->value = hex_dump(ASN1_STRING_get0_data(data),
								   ASN1_STRING_length(data));
		}
		result = lappend(result, item);
	}
	ERR_clear_error();
	return result;
}

char *
x509_key_type(const X509 *cert)
{
	EVP_PKEY   *key = X509_get0_pubkey(cert);
	int			id;
	const char *name;

	if (key == NULL)
	{
		ERR_clear_error();
		return NULL;
	}
	id = EVP_PKEY_base_id(key);
	switch (id)
	{
		case EVP_PKEY_RSA:
			return pstrdup("RSA");
		case EVP_PKEY_RSA_PSS:
			return pstrdup("RSA-PSS");
		case EVP_PKEY_DSA:
			return pstrdup("DSA");
		case EVP_PKEY_EC:
			return pstrdup("EC");
		case EVP_PKEY_ED25519:
			return pstrdup("ED25519");
		case EVP_PKEY_ED448:
			return pstrdup("ED448");
		default:
			name = OBJ_nid2sn(id);
			return name ? pstrdup(name) : NULL;
	}
}

int
x509_key_bits(const X509 *cert)
{
	EVP_PKEY   *key = X509_get0_pubkey(cert);

	if (key == NULL)
	{
		ERR_clear_error();
		return 0;
	}
	return EVP_PKEY_bits(key);
}

char *
x509_signature_algorithm(const X509 *cert)
{
	int			nid = X509_get_signature_nid(cert);
	const char *name = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;

	if (name == NULL)
	{
		char		oid[OID_TEXT_LEN];
		const X509_ALGOR *alg;
		const ASN1_OBJECT *obj;

		X509_get0_signature(NULL, &alg, cert);
		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		if (OBJ_obj2txt(oid, sizeof(oid), obj, 1) <= 0)
			return NULL;
		return pstrdup(oid);
	}
	return pstrdup(name);
}

void
x509_summarize(const X509 *cert, X509Summary *summary)
{
	memset(summary, 0, sizeof(X509Summary));
	summary->subject = x509_name_to_dn(X509_get_subject_name(cert));
	summary->issuer = x509_name_to_dn(X509_get_issuer_name(cert));
	summary->serial = x509_serial_to_decimal(X509_get0_serialNumber(cert));
	summary->has_validity =
		x509_time_to_timestamptz(X509_get0_notBefore(cert), &summary->not_before) &&
		x509_time_to_timestamptz(X509_get0_notAfter(cert), &summary->not_after);
	summary->fingerprint = x509_fingerprint_sha256(cert);
	summary->san = x509_subject_alt_names(cert);
	summary->key_type = x509_key_type(cert);
	summary->key_bits = x509_key_bits(cert);
	summary->signature_algorithm = x509_signature_algorithm(cert);
}

struct varlena *
x509_utf8_to_text(const char *utf8)
{
	size_t		len = strlen(utf8);
	char	   *converted = pg_any_to_server(utf8, len, PG_UTF8);
	text	   *result;

	if (converted == utf8)
		return (struct varlena *) cstring_to_text_with_len(utf8, len);
	result = cstring_to_text(converted);
	pfree(converted);
	return (struct varlena *) result;
}
