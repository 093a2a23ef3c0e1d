/*-------------------------------------------------------------------------
 *
 * client_offer.h
 *	  What a TLS client offered in its ClientHello, as OpenSSL tells it, and
 *	  the client profile that names each distinct offer.
 *
 * A client profile is one distinct offer: the cipher suites (client order),
 * the key-exchange groups (client order) and the highest protocol version
 * offered.  Its id is the first 64 bits of the SHA-256 of that offer in a
 * fixed binary form, shown as 16 hex digits: the same client stack gets the
 * same id on every server whose OpenSSL knows the same suites and groups,
 * so that profiles can be summed across a fleet.
 *
 * Contract:
 * - client_offer_read() asks OpenSSL only (SSL_get_client_ciphers(),
 *   SSL_get1_groups(), SSL_client_version()); it never parses TLS bytes,
 *   never allocates and never ereports, so it may run while an error is
 *   being reported and before the backend has a PGPROC.  It returns false
 *   when OpenSSL has not processed a ClientHello's suites (the attempt
 *   failed before that, e.g. on the protocol version).
 * - Suites are identified by their TLS code points, groups as OpenSSL's
 *   SSL_get1_groups() identifies them (a NID, or TLSEXT_nid_unknown plus
 *   the TLS code point for groups without one).  Suites and groups that
 *   OpenSSL does not know (GREASE values, newer suites) are not part of
 *   an offer.  An offer with more than the maxima below keeps the first
 *   ones and is flagged incomplete; so is one whose highest version is
 *   not known.
 * - max_version is TLS1_3_VERSION when any TLS 1.3 suite was offered (a
 *   client offers those only with TLS 1.3 in supported_versions), else the
 *   ClientHello's legacy version field, which is the highest version of a
 *   client that cannot do TLS 1.3.
 * - The rendering functions (names, arrays) allocate in
 *   CurrentMemoryContext and need a backend that may ereport.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/client_offer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SSLINFO_EXT_CLIENT_OFFER_H
#define SSLINFO_EXT_CLIENT_OFFER_H

#include <openssl/ssl.h>

#define CLIENT_OFFER_MAX_CIPHERS	96
#define CLIENT_OFFER_MAX_GROUPS		24

/* Length of a profile id as text, without the NUL */
#define CLIENT_PROFILE_TEXT_LEN		16

typedef struct ClientOffer
{
	int32		max_version;	/* TLS1_2_VERSION, ...; 0 when unknown */
	uint16		n_ciphers;
	uint16		n_groups;
	bool		incomplete;		/* more than the maxima, or no version */
	uint16		ciphers[CLIENT_OFFER_MAX_CIPHERS];	/* TLS code points */
	int32		groups[CLIENT_OFFER_MAX_GROUPS];	/* see above */
} ClientOffer;

extern bool client_offer_read(SSL *ssl, ClientOffer *offer);

/* The offer's profile id; never 0 (0 means "no profile") */
extern uint64 client_offer_id(const ClientOffer *offer);

/* A profile id as text (16 lower-case hex digits) into buf */
extern void client_profile_format(uint64 id,
								  char buf[CLIENT_PROFILE_TEXT_LEN + 1]);

/* "TLSv1.3", ...; NULL for 0 or a version OpenSSL has no name for */
extern const char *client_offer_version_name(int version);

/*
 * A suite's OpenSSL name (static), NULL for a code point this OpenSSL does
 * not know; a group's name (palloc'd) as tls_group_name() gives it.
 */
extern const char *client_offer_cipher_name(uint16 code);
extern char *client_offer_group_name(int id);

/* The suites as OpenSSL names them (as ssl_cipher() does), client order */
extern Datum client_offer_cipher_names(const ClientOffer *offer);

/* The groups as ssl_groups and tls_group name them, client order */
extern Datum client_offer_group_names(const ClientOffer *offer);

#endif							/* SSLINFO_EXT_CLIENT_OFFER_H */
