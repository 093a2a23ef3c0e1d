/*-------------------------------------------------------------------------
 *
 * fuzz_x509_name.c
 *	  libFuzzer target: x509_name_to_dn and x509_name_field over a DN
 *	  parsed from arbitrary DER bytes, with a field name from the input.
 *
 * Input layout: byte 0 is a length n; the next n bytes (fewer if the input
 * is shorter, cut at the first NUL as a SQL text argument can hold none)
 * are a field name as ssl_client_dn_field() would receive it; the rest is
 * a DER X509_NAME.  When the rest does not parse, the field name is looked
 * up in an empty DN, so arbitrary field names are fuzzed either way.
 *
 * fuzz-sources: src/x509_render.c fuzz/pg_runtime_shim.c
 * fuzz-seeds: names-der
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/fuzz_x509_name.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <openssl/x509.h>

#include "x509_checks.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n;
	char	   *field_name;
	const unsigned char *p;
	X509_NAME  *name;

	if (size == 0)
		return 0;
	n = Min((size_t) data[0], size - 1);
	field_name = malloc(n + 1);
	memcpy(field_name, data + 1, n);
	field_name[n] = '\0';

	p = data + 1 + n;
	name = d2i_X509_NAME(NULL, &p, (long) (size - 1 - n));
	ERR_clear_error();
	if (name == NULL)
	{
		if (fuzz_printing())
			fprintf(stderr, "the DER does not parse as a DN\n");
		name = X509_NAME_new();
		fuzz_check_field(name, field_name, false);
	}
	else
		fuzz_check_name("a DN", name, field_name);

	X509_NAME_free(name);
	free(field_name);
	shim_arena_reset();
	return 0;
}
