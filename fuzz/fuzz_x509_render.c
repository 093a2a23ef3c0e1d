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

	fuzz_check_certificate(cert);

	X509_free(cert);
	shim_arena_reset();
	return 0;
}
