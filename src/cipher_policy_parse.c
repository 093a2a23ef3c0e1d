/*-------------------------------------------------------------------------
 *
 * cipher_policy_parse.c
 *	  Split an ssl_ciphers (or allowlist) value into entries and classify
 *	  each one; see cipher_policy_parse.h for the rule and the contract.
 *
 * OpenSSL answers every question about names: the catalogue is what a
 * context set to "ALL:COMPLEMENTOFALL" (security level 0) plus every TLS
 * 1.3 suite holds, and whether a word is a cipher-string keyword is asked
 * of OpenSSL's own cipher-string parser.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/cipher_policy_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>

#include "cipher_policy_parse.h"

/* Every TLS 1.3 suite; OpenSSL skips the ones it does not have */
#define TLS13_ALL_SUITES \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
	"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"

/* Misspellings at most this far (edits) from an allowed name are named */
#define SUGGESTION_MAX_DISTANCE 3

static SSL_CTX *catalogue_ctx = NULL;
static SSL_CTX *keyword_ctx = NULL;

STACK_OF(SSL_CIPHER) *
cp_catalogue(void)
{
	if (catalogue_ctx == NULL)
	{
		SSL_CTX    *ctx = SSL_CTX_new(TLS_method());

		if (ctx == NULL)
		{
			ERR_clear_error();
			return NULL;
		}
		/* a site's openssl.cnf must not hide suites from the catalogue */
		SSL_CTX_set_security_level(ctx, 0);
		if (SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL") != 1 ||
			SSL_CTX_set_ciphersuites(ctx, TLS13_ALL_SUITES) != 1)
		{
			SSL_CTX_free(ctx);
			ERR_clear_error();
			return NULL;
		}
		catalogue_ctx = ctx;
	}
	return SSL_CTX_get_ciphers(catalogue_ctx);
}

bool
cp_is_tls13(const SSL_CIPHER *cipher)
{
	/* TLS 1.3 suites leave key exchange to the protocol */
	return SSL_CIPHER_get_kx_nid(cipher) == NID_kx_any;
}

static bool
bytes_equal(const char *a, size_t alen, const char *b, bool ignore_case)
{
	size_t		blen = strlen(b);

	if (alen != blen)
		return false;
	if (!ignore_case)
		return memcmp(a, b, alen) == 0;
	for (size_t i = 0; i < alen; i++)
	{
		unsigned char ca = (unsigned char) a[i];
		unsigned char cb = (unsigned char) b[i];

		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return false;
	}
	return true;
}

/* A catalogue suite whose OpenSSL (or IANA) name matches */
static const SSL_CIPHER *
find_in_catalogue(const char *name, size_t len, bool iana, bool ignore_case)
{
	STACK_OF(SSL_CIPHER) *all = cp_catalogue();

	if (all == NULL)
		return NULL;
	for (int i = 0; i < sk_SSL_CIPHER_num(all); i++)
	{
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
		const char *cname = iana ? SSL_CIPHER_standard_name(c) :
		SSL_CIPHER_get_name(c);

		if (cname != NULL && bytes_equal(name, len, cname, ignore_case))
			return c;
	}
	return NULL;
}

/*
 * Does OpenSSL's cipher-string parser accept this word (HIGH, DHE,
 * AESGCM, TLSv1.2, ...)?  Only words made of the characters that parser
 * reads as one token are asked, so its skipping of trailing garbage
 * cannot make a non-keyword look like one.
 */
static bool
is_cipher_keyword(const char *word, size_t len)
{
	char		buf[CP_MAX_NAME_LEN + 1];
	int			rc;

	if (len == 0 || len > CP_MAX_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		ch = word[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
			  ch == '.' || ch == '='))
			return false;
	}
	if (keyword_ctx == NULL)
	{
		keyword_ctx = SSL_CTX_new(TLS_method());
		if (keyword_ctx == NULL)
		{
			ERR_clear_error();
			return false;
		}
		SSL_CTX_set_security_level(keyword_ctx, 0);
	}
	memcpy(buf, word, len);
	buf[len] = '\0';
	rc = SSL_CTX_set_cipher_list(keyword_ctx, buf);
	ERR_clear_error();
	return rc == 1;
}

/* Levenshtein distance with ASCII case folded, capped at limit + 1 */
static int
spelling_distance(const char *a, size_t alen, const char *b, int limit)
{
	size_t		blen = strlen(b);
	int			row[CP_MAX_NAME_LEN + 1];

	if (alen > CP_MAX_NAME_LEN || blen > CP_MAX_NAME_LEN)
		return limit + 1;
	if ((alen > blen ? alen - blen : blen - alen) > (size_t) limit)
		return limit + 1;

	for (size_t j = 0; j <= blen; j++)
		row[j] = (int) j;
	for (size_t i = 1; i <= alen; i++)
	{
		int			diag = row[0];
		int			best = (int) i;

		row[0] = (int) i;
		for (size_t j = 1; j <= blen; j++)
		{
			unsigned char ca = (unsigned char) a[i - 1];
			unsigned char cb = (unsigned char) b[j - 1];
			int			up = row[j];
			int			cost;

			if (ca >= 'a' && ca <= 'z')
				ca -= 'a' - 'A';
			if (cb >= 'a' && cb <= 'z')
				cb -= 'a' - 'A';
			cost = (ca == cb) ? 0 : 1;
			row[j] = diag + cost;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
			if (row[j] < best)
				best = row[j];
		}
		if (best > limit)
			return limit + 1;
	}
	return row[blen];
}

/*
 * The allowed suite nearest in spelling (for an allowlist: any suite of
 * its protocol)
 */
static const SSL_CIPHER *
nearest_suite(const char *name, size_t len, CpMode mode,
			  const CpAllowlist *allow)
{
	const SSL_CIPHER *best = NULL;
	int			best_distance = SUGGESTION_MAX_DISTANCE + 1;
	int			limit = SUGGESTION_MAX_DISTANCE;

	/* short words would "resemble" too much */
	if (len < 6)
		return NULL;

	if (CP_MODE_IS_SETTING(mode))
	{
		for (int i = 0; i < allow->n; i++)
		{
			int			d = spelling_distance(name, len,
											  SSL_CIPHER_get_name(allow->suites[i]),
											  limit);

			if (d < best_distance)
			{
				best_distance = d;
				best = allow->suites[i];
			}
		}
	}
	else
	{
		STACK_OF(SSL_CIPHER) *all = cp_catalogue();

		for (int i = 0; all != NULL && i < sk_SSL_CIPHER_num(all); i++)
		{
			const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
			int			d;

			if (cp_is_tls13(c) != CP_MODE_IS_TLS13(mode))
				continue;
			d = spelling_distance(name, len, SSL_CIPHER_get_name(c), limit);
			if (d < best_distance)
			{
				best_distance = d;
				best = c;
			}
		}
	}
	return best;
}

bool
cp_allowlist_contains(const CpAllowlist *allow, const SSL_CIPHER *cipher)
{
	for (int i = 0; i < allow->n; i++)
		if (allow->suites[i] == cipher)
			return true;
	return false;
}

bool
cp_verdict_ok(CpVerdict verdict)
{
	return verdict == CP_OK || verdict == CP_OK_DUPLICATE;
}

/* Does a suite neither authenticate the server nor encrypt? */
static bool
suite_is_insecure(const SSL_CIPHER *c)
{
	return SSL_CIPHER_get_auth_nid(c) == NID_auth_null ||
		SSL_CIPHER_get_cipher_nid(c) == NID_undef;
}

/*
 * The byte and syntax checks of one non-empty entry, before any name is
 * looked up: CP_NON_ASCII, CP_SURROUNDING_SPACE, CP_SEPARATOR_SYNTAX,
 * CP_OPERATOR_SYNTAX or CP_TOO_LONG, or CP_OK when the entry could be a
 * name.  The order matters: every check after the first assumes printable
 * ASCII.  *bad_offset is set for the verdicts that point at a byte.
 */
static CpVerdict
entry_syntax_verdict(const char *name, size_t len, size_t *bad_offset)
{
	for (size_t i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char) name[i];

		if (ch < 0x20 || ch > 0x7e)
		{
			*bad_offset = i;
			return CP_NON_ASCII;
		}
	}
	if (name[0] == ' ' || name[len - 1] == ' ')
	{
		*bad_offset = (name[0] == ' ') ? 0 : len - 1;
		return CP_SURROUNDING_SPACE;
	}
	for (size_t i = 0; i < len; i++)
	{
		if (name[i] == ':' || name[i] == ',' || name[i] == ' ' || name[i] == ';')
		{
			*bad_offset = i;
			return CP_SEPARATOR_SYNTAX;
		}
	}
	for (size_t i = 0; i < len; i++)
	{
		if (name[i] == '+' || name[i] == '!' || name[i] == '@' ||
			(i == 0 && name[i] == '-'))
		{
			*bad_offset = i;
			return CP_OPERATOR_SYNTAX;
		}
	}
	if (len > CP_MAX_NAME_LEN)
		return CP_TOO_LONG;
	return CP_OK;
}

/*
 * The verdict for an entry that is the exact OpenSSL name of catalogue
 * suite c: a suite of the other protocol, one outside the allowlist, an
 * insecure one in an allowlist, or acceptable.  An acceptable suite that
 * an earlier accepted entry already names is CP_OK_DUPLICATE, with that
 * entry's position in *duplicate_of.
 */
static CpVerdict
known_suite_verdict(const SSL_CIPHER *c, CpMode mode, const CpAllowlist *allow,
					const CpEntry *earlier, int nearlier, int *duplicate_of)
{
	if (cp_is_tls13(c) && !CP_MODE_IS_TLS13(mode))
		return CP_TLS13_SUITE;
	if (!cp_is_tls13(c) && CP_MODE_IS_TLS13(mode))
		return CP_TLS12_SUITE;
	if (CP_MODE_IS_SETTING(mode) && !cp_allowlist_contains(allow, c))
		return CP_NOT_ALLOWED;
	if (mode == CP_MODE_ALLOWLIST && suite_is_insecure(c))
		return CP_INSECURE;
	for (int i = 0; i < nearlier; i++)
	{
		if (cp_verdict_ok(earlier[i].verdict) && earlier[i].cipher == c)
		{
			*duplicate_of = earlier[i].position;
			return CP_OK_DUPLICATE;
		}
	}
	return CP_OK;
}

/*
 * Classify one non-empty entry.  "earlier" are the entries before it, for
 * duplicate detection.
 */
static void
classify_entry(const char *value, CpEntry *e, CpMode mode,
			   const CpAllowlist *allow, const CpEntry *earlier, int nearlier)
{
	const char *name = value + e->offset;
	size_t		len = e->length;
	const SSL_CIPHER *c;

	e->verdict = entry_syntax_verdict(name, len, &e->bad_offset);
	if (e->verdict != CP_OK)
		return;
	if (bytes_equal(name, len, "ALL", true))
	{
		e->verdict = (mode == CP_MODE_SSL_CIPHERS) ?
			CP_ALL_MIXED : CP_ALL_IN_ALLOWLIST;
		return;
	}

	c = find_in_catalogue(name, len, false, false);
	if (c != NULL)
	{
		e->cipher = c;
		e->verdict = known_suite_verdict(c, mode, allow, earlier, nearlier,
										 &e->duplicate_of);
		return;
	}
	if ((c = find_in_catalogue(name, len, true, false)) != NULL)
	{
		e->cipher = c;
		e->verdict = CP_IANA_NAME;
		return;
	}
	if ((c = find_in_catalogue(name, len, false, true)) != NULL ||
		(c = find_in_catalogue(name, len, true, true)) != NULL)
	{
		e->cipher = c;
		e->verdict = CP_WRONG_CASE;
		return;
	}
	if (is_cipher_keyword(name, len))
	{
		e->verdict = CP_ALIAS;
		return;
	}
	e->verdict = CP_UNKNOWN;
	e->suggestion = nearest_suite(name, len, mode, allow);
}

bool
cp_parse(const char *value, size_t len, CpMode mode, const CpAllowlist *allow,
		 CpEntry *out, int max_out, CpResult *result)
{
	static const CpAllowlist no_suites = {0};
	int			max_entries;
	size_t		start = 0;
	int			n = 0;

	result->is_all = false;
	result->nentries = 0;
	result->first_error = -1;
	if (max_out < 1)
		return false;
	if (allow == NULL)
		allow = &no_suites;
	max_entries = CP_MODE_IS_SETTING(mode) ? allow->n : CP_MAX_ENTRIES;
	if (max_entries > CP_MAX_ENTRIES)
		max_entries = CP_MAX_ENTRIES;

	memset(out, 0, sizeof(CpEntry));
	out[0].position = 1;
	if (len == 0)
	{
		out[0].verdict = CP_EMPTY_VALUE;
		result->nentries = 1;
		result->first_error = 0;
		return true;
	}
	if (!CP_MODE_IS_TLS13(mode) && bytes_equal(value, len, "ALL", true))
	{
		out[0].length = len;
		if (mode == CP_MODE_SSL_CIPHERS)
		{
			out[0].verdict = CP_OK;
			result->is_all = true;
		}
		else
		{
			out[0].verdict = CP_ALL_IN_ALLOWLIST;
			result->first_error = 0;
		}
		result->nentries = 1;
		return true;
	}

	while (start <= len && n < max_out)
	{
		const char *sep = memchr(value + start, CP_SEPARATOR(mode), len - start);
		size_t		end = sep ? (size_t) (sep - value) : len;
		CpEntry    *e = &out[n];

		/* a single trailing separator ends the list */
		if (start == len && n > 0)
			break;

		memset(e, 0, sizeof(CpEntry));
		e->position = n + 1;
		e->offset = start;
		e->length = end - start;

		if (n >= max_entries)
			e->verdict = CP_TOO_MANY;
		else if (e->length == 0)
			e->verdict = CP_EMPTY_ENTRY;
		else
			classify_entry(value, e, mode, allow, out, n);

		if (!cp_verdict_ok(e->verdict) && result->first_error < 0)
			result->first_error = n;
		n++;
		if (e->verdict == CP_TOO_MANY || sep == NULL)
			break;
		start = end + 1;
	}
	result->nentries = n;
	return true;
}

void
cp_allowlist_from_entries(const CpEntry *entries, int n, CpAllowlist *allow)
{
	allow->n = 0;
	for (int i = 0; i < n && allow->n < CP_MAX_ENTRIES; i++)
	{
		if (entries[i].verdict == CP_OK && entries[i].cipher != NULL)
			allow->suites[allow->n++] = entries[i].cipher;
	}
}

size_t
cp_display(const char *bytes, size_t len, char *buf, size_t bufsize)
{
	size_t		o = 0;
	size_t		shown = len > CP_MAX_NAME_LEN ? CP_MAX_NAME_LEN : len;

	if (bufsize == 0)
		return 0;
	for (size_t i = 0; i < shown; i++)
	{
		unsigned char ch = (unsigned char) bytes[i];

		if (ch >= 0x20 && ch <= 0x7e && ch != '\\')
		{
			if (o + 1 >= bufsize)
				break;
			buf[o++] = (char) ch;
		}
		else
		{
			if (o + 4 >= bufsize)
				break;
			snprintf(buf + o, bufsize - o, "\\x%02X", ch);
			o += 4;
		}
	}
	if (shown < len && o + 3 < bufsize)
	{
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return o;
}

/* The setting a mode's value belongs to, as the sentences name it */
static const char *
list_name(CpMode mode)
{
	static const char *const lists[] = {
		[CP_MODE_SSL_CIPHERS] = "ssl_ciphers",
		[CP_MODE_ALLOWLIST] = "sslinfo_ext.allowed_ciphers",
		[CP_MODE_TLS13_CIPHERS] = "ssl_tls13_ciphers",
		[CP_MODE_TLS13_ALLOWLIST] = "sslinfo_ext.allowed_tls13_ciphers",
	};

	return lists[mode];
}

/*
 * Each describe_* helper below writes the sentences of one family of
 * verdicts and returns snprintf()'s result.  cp_describe() sends a helper
 * only the verdicts of its family, so the -1 after a helper's switch
 * (which cp_describe() would turn into "") is never returned.
 */

/*
 * Problems with the shape of the list rather than with one name: an empty
 * value or entry, more entries than allowed, "ALL" where it is not the
 * whole ssl_ciphers value.
 */
static int
describe_list_shape(const CpEntry *e, CpMode mode, int max_entries,
					char *buf, size_t bufsize)
{
	char		sep = CP_SEPARATOR(mode);

	switch (e->verdict)
	{
		case CP_EMPTY_VALUE:
			return snprintf(buf, bufsize, "The value is empty.");
		case CP_EMPTY_ENTRY:
			return snprintf(buf, bufsize,
							"Entry %d is empty: entries are separated by a single \"%c\", "
							"and only one \"%c\" may end the value.",
							e->position, sep, sep);
		case CP_TOO_MANY:
			if (CP_MODE_IS_SETTING(mode))
				return snprintf(buf, bufsize,
								"The value has more than %d entries, the number of allowed "
								"cipher suites.",
								max_entries);
			return snprintf(buf, bufsize,
							"The value has more than %d entries.", max_entries);
		case CP_ALL_MIXED:
			return snprintf(buf, bufsize,
							"\"ALL\" must be the whole value; it cannot be combined with "
							"other entries.");
		case CP_ALL_IN_ALLOWLIST:
			return snprintf(buf, bufsize,
							"%s must name cipher suites; \"ALL\" is not accepted there.",
							list_name(mode));
		default:
			break;
	}
	return -1;
}

/*
 * A separator inside an entry.  The ';'-separated lists point at OpenSSL's
 * cipher-string syntax, where ':' ',' and spaces separate; the TLS 1.3
 * lists name themselves and their own separator.
 */
static int
describe_separator(const CpEntry *e, const char *entry, CpMode mode,
				   char *buf, size_t bufsize)
{
	char		bad = entry[e->bad_offset];

	if (CP_MODE_IS_TLS13(mode))
	{
		if (bad == ' ')
			return snprintf(buf, bufsize,
							"Entry %d uses a space as a separator; %s separates "
							"names with \"%c\".",
							e->position, list_name(mode), CP_SEPARATOR(mode));
		return snprintf(buf, bufsize,
						"Entry %d uses \"%c\" as a separator; %s separates "
						"names with \"%c\".",
						e->position, bad, list_name(mode), CP_SEPARATOR(mode));
	}
	if (bad == ' ')
		return snprintf(buf, bufsize,
						"Entry %d uses a space as a separator, which is OpenSSL "
						"cipher-string syntax; separate names with \";\".",
						e->position);
	return snprintf(buf, bufsize,
					"Entry %d uses \"%c\" as a separator, which is OpenSSL "
					"cipher-string syntax; separate names with \";\".",
					e->position, bad);
}

/*
 * The verdicts of entry_syntax_verdict(): bytes or syntax that no suite
 * name has.  entry points at the entry's first byte.
 */
static int
describe_entry_syntax(const CpEntry *e, const char *entry, CpMode mode,
					  char *buf, size_t bufsize)
{
	switch (e->verdict)
	{
		case CP_NON_ASCII:
			return snprintf(buf, bufsize,
							"Entry %d contains the byte 0x%02X, which is not printable ASCII.",
							e->position,
							(unsigned char) entry[e->bad_offset]);
		case CP_SURROUNDING_SPACE:
			return snprintf(buf, bufsize,
							"Entry %d has white space around the name; names must match exactly.",
							e->position);
		case CP_SEPARATOR_SYNTAX:
			return describe_separator(e, entry, mode, buf, bufsize);
		case CP_OPERATOR_SYNTAX:
			return snprintf(buf, bufsize,
							"Entry %d uses the OpenSSL cipher-string operator \"%c\"; "
							"list cipher suite names instead.",
							e->position, entry[e->bad_offset]);
		case CP_TOO_LONG:
			return snprintf(buf, bufsize,
							"Entry %d is %zu bytes long; no cipher suite name is longer "
							"than %d bytes.",
							e->position, e->length, CP_MAX_NAME_LEN);
		default:
			break;
	}
	return -1;
}

/*
 * The verdicts of known_suite_verdict() other than CP_OK: the entry names
 * a suite exactly, but this list cannot take it, or already has it.
 * shown is the entry as cp_display() prints it.
 */
static int
describe_known_suite(const CpEntry *e, const char *shown, CpMode mode,
					 char *buf, size_t bufsize)
{
	switch (e->verdict)
	{
		case CP_OK_DUPLICATE:
			return snprintf(buf, bufsize,
							"Entry %d repeats entry %d; the repetition has no effect.",
							e->position, e->duplicate_of);
		case CP_TLS13_SUITE:
			return snprintf(buf, bufsize,
							"\"%s\" is a TLS 1.3 cipher suite; %s governs TLS 1.2 only.",
							shown, list_name(mode));
		case CP_TLS12_SUITE:
			return snprintf(buf, bufsize,
							"\"%s\" is not a TLS 1.3 cipher suite; %s governs TLS 1.3 only.",
							shown, list_name(mode));
		case CP_NOT_ALLOWED:
			/* a setting is judged against its protocol's allowlist */
			return snprintf(buf, bufsize,
							"OpenSSL knows \"%s\", but %s does not allow it.",
							shown,
							list_name(CP_MODE_IS_TLS13(mode) ?
									  CP_MODE_TLS13_ALLOWLIST : CP_MODE_ALLOWLIST));
		case CP_INSECURE:
			return snprintf(buf, bufsize,
							"\"%s\" does not both authenticate the server and encrypt.",
							shown);
		default:
			break;
	}
	return -1;
}

/*
 * An entry that is no suite's exact OpenSSL name: what it is instead (an
 * IANA name, a name in the wrong case, a cipher-string keyword), or
 * nothing OpenSSL knows, with the nearest allowed suite if one is close.
 * shown is the entry as cp_display() prints it.
 */
static int
describe_unmatched_name(const CpEntry *e, const char *shown,
						char *buf, size_t bufsize)
{
	switch (e->verdict)
	{
		case CP_IANA_NAME:
			return snprintf(buf, bufsize,
							"\"%s\" is the IANA name of a suite; use its OpenSSL name "
							"\"%s\".",
							shown, SSL_CIPHER_get_name(e->cipher));
		case CP_WRONG_CASE:
			return snprintf(buf, bufsize,
							"Cipher suite names are case-sensitive; the suite is "
							"spelt \"%s\".",
							SSL_CIPHER_get_name(e->cipher));
		case CP_ALIAS:
			return snprintf(buf, bufsize,
							"\"%s\" is an OpenSSL cipher-string keyword, not a cipher "
							"suite name.",
							shown);
		case CP_UNKNOWN:
			if (e->suggestion != NULL)
				return snprintf(buf, bufsize,
								"OpenSSL knows no cipher suite named \"%s\"; did you mean "
								"\"%s\"?",
								shown, SSL_CIPHER_get_name(e->suggestion));
			return snprintf(buf, bufsize,
							"OpenSSL knows no cipher suite named \"%s\".", shown);
		default:
			break;
	}
	return -1;
}

size_t
cp_describe(const CpEntry *e, const char *value, CpMode mode, int max_entries,
			char *buf, size_t bufsize)
{
	char		shown[CP_DISPLAY_BUFSIZE];
	const char *entry = value + e->offset;
	int			rc = 0;

	if (bufsize == 0)
		return 0;
	cp_display(entry, e->length, shown, sizeof(shown));

	/* no default: the compiler names a verdict that has no sentence */
	switch (e->verdict)
	{
		case CP_OK:
			rc = snprintf(buf, bufsize, "%s", "");
			break;
		case CP_EMPTY_VALUE:
		case CP_EMPTY_ENTRY:
		case CP_TOO_MANY:
		case CP_ALL_MIXED:
		case CP_ALL_IN_ALLOWLIST:
			rc = describe_list_shape(e, mode, max_entries, buf, bufsize);
			break;
		case CP_NON_ASCII:
		case CP_SURROUNDING_SPACE:
		case CP_SEPARATOR_SYNTAX:
		case CP_OPERATOR_SYNTAX:
		case CP_TOO_LONG:
			rc = describe_entry_syntax(e, entry, mode, buf, bufsize);
			break;
		case CP_OK_DUPLICATE:
		case CP_TLS13_SUITE:
		case CP_TLS12_SUITE:
		case CP_NOT_ALLOWED:
		case CP_INSECURE:
			rc = describe_known_suite(e, shown, mode, buf, bufsize);
			break;
		case CP_IANA_NAME:
		case CP_WRONG_CASE:
		case CP_ALIAS:
		case CP_UNKNOWN:
			rc = describe_unmatched_name(e, shown, buf, bufsize);
			break;
	}
	if (rc < 0)
	{
		buf[0] = '\0';
		return 0;
	}
	return (size_t) rc < bufsize ? (size_t) rc : bufsize - 1;
}
