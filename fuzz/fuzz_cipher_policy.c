/*-------------------------------------------------------------------------
 *
 * fuzz_cipher_policy.c
 *	  libFuzzer target for the ssl_ciphers policy parser
 *	  (src/cipher_policy_parse.c), built with ASan and UBSan.
 *
 * Each input is parsed as an ssl_ciphers value against the default
 * allowlist and as an allowlist value, every entry is described and
 * displayed, and the parser's promises are checked: entries lie inside the
 * input, in order, with consecutive positions; at most CP_MAX_ENTRIES + 1
 * entries; an accepted value contains only accepted entries; sentences are
 * NUL-terminated and fit their buffers.  Any broken promise aborts.
 *
 * fuzz-sources: src/cipher_policy_parse.c
 * fuzz-seeds: none (the values checked in under fuzz/seeds/cipher_policy/)
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/fuzz_cipher_policy.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cipher_policy_parse.h"

#define DEFAULT_ALLOWLIST \
	"DHE-RSA-AES128-GCM-SHA256;DHE-RSA-AES256-GCM-SHA384;" \
	"DHE-RSA-AES128-CCM;DHE-RSA-AES256-CCM"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "broken promise: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

static CpAllowlist default_allowlist;
static CpAllowlist default_tls13_allowlist;

/* sslinfo_ext.allowed_tls13_ciphers' default (src/cipher_policy.c) */
#define DEFAULT_TLS13_ALLOWLIST \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:" \
	"TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256"

/* Parse a (valid, four-suite) allowlist setting into allow */
static void
build_allowlist(const char *value, CpMode mode, CpAllowlist *allow)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;

	CHECK(cp_parse(value, strlen(value), mode, NULL, entries,
				   CP_MAX_ENTRIES + 1, &result));
	CHECK(result.first_error < 0);
	cp_allowlist_from_entries(entries, result.nentries, allow);
	CHECK(allow->n == 4);
}

static void
build_default_allowlist(void)
{
	build_allowlist(DEFAULT_ALLOWLIST, CP_MODE_ALLOWLIST, &default_allowlist);
	build_allowlist(DEFAULT_TLS13_ALLOWLIST, CP_MODE_TLS13_ALLOWLIST,
					&default_tls13_allowlist);
}

static void
check_one(const char *value, size_t len, CpMode mode, const CpAllowlist *allow)
{
	CpEntry		entries[CP_MAX_ENTRIES + 1];
	CpResult	result;
	size_t		previous_end = 0;
	int			max_entries = CP_MODE_IS_SETTING(mode) ? allow->n : CP_MAX_ENTRIES;

	CHECK(cp_parse(value, len, mode, allow, entries, CP_MAX_ENTRIES + 1,
				   &result));
	CHECK(result.nentries >= 1 && result.nentries <= CP_MAX_ENTRIES + 1);
	CHECK(result.first_error >= -1 && result.first_error < result.nentries);
	if (result.is_all)
		CHECK(mode == CP_MODE_SSL_CIPHERS && result.nentries == 1 &&
			  result.first_error < 0);

	for (int i = 0; i < result.nentries; i++)
	{
		const CpEntry *e = &entries[i];
		char		sentence[CP_DESCRIBE_BUFSIZE];
		char		small[7];
		char		shown[CP_DISPLAY_BUFSIZE];
		size_t		n;

		CHECK(e->position == i + 1);
		CHECK(e->offset <= len && e->length <= len - e->offset);
		CHECK(i == 0 || e->offset >= previous_end + 1);
		previous_end = e->offset + e->length;
		CHECK((int) e->verdict >= CP_OK && (int) e->verdict <= CP_UNKNOWN);
		if (e->verdict == CP_TOO_MANY)
			CHECK(i == result.nentries - 1 && i == max_entries);
		if (i < result.first_error || result.first_error < 0)
			CHECK(cp_verdict_ok(e->verdict));
		if (i == result.first_error)
			CHECK(!cp_verdict_ok(e->verdict));
		if (cp_verdict_ok(e->verdict) && !result.is_all)
		{
			CHECK(e->cipher != NULL && cp_is_tls13(e->cipher) == CP_MODE_IS_TLS13(mode));
			CHECK(strlen(SSL_CIPHER_get_name(e->cipher)) == e->length);
			CHECK(memcmp(SSL_CIPHER_get_name(e->cipher), value + e->offset,
						 e->length) == 0);
			if (CP_MODE_IS_SETTING(mode))
				CHECK(cp_allowlist_contains(allow, e->cipher));
		}
		if (e->verdict == CP_NON_ASCII || e->verdict == CP_SEPARATOR_SYNTAX ||
			e->verdict == CP_OPERATOR_SYNTAX || e->verdict == CP_SURROUNDING_SPACE)
			CHECK(e->bad_offset < e->length);

		n = cp_describe(e, value, mode, max_entries, sentence, sizeof(sentence));
		CHECK(n == strlen(sentence) && n < sizeof(sentence));
		if (e->verdict == CP_OK)
			CHECK(n == 0);
		else
			CHECK(n > 0);
		n = cp_describe(e, value, mode, max_entries, small, sizeof(small));
		CHECK(n == strlen(small) && n < sizeof(small));

		n = cp_display(value + e->offset, e->length, shown, sizeof(shown));
		CHECK(n == strlen(shown) && n < sizeof(shown));
		for (size_t k = 0; k < n; k++)
			CHECK(shown[k] >= 0x20 && shown[k] <= 0x7e);
		n = cp_display(value + e->offset, e->length, small, sizeof(small));
		CHECK(n == strlen(small) && n < sizeof(small));
	}
	if (result.first_error < 0 && !result.is_all && !CP_MODE_IS_SETTING(mode))
	{
		CpAllowlist allow2;

		cp_allowlist_from_entries(entries, result.nentries, &allow2);
		CHECK(allow2.n >= 1 && allow2.n <= result.nentries);
		/* an accepted allowlist accepts itself as an ssl_ciphers value */
		check_one(value, len, CP_MODE_IS_TLS13(mode) ? CP_MODE_TLS13_CIPHERS :
				  CP_MODE_SSL_CIPHERS, &allow2);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy, so reads past the end are caught by ASan */
	char	   *value = malloc(size ? size : 1);

	if (default_allowlist.n == 0)
		build_default_allowlist();
	if (size)
		memcpy(value, data, size);
	check_one(value, size, CP_MODE_SSL_CIPHERS, &default_allowlist);
	check_one(value, size, CP_MODE_ALLOWLIST, NULL);
	check_one(value, size, CP_MODE_TLS13_CIPHERS, &default_tls13_allowlist);
	check_one(value, size, CP_MODE_TLS13_ALLOWLIST, NULL);
	free(value);
	return 0;
}
