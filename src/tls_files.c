/*-------------------------------------------------------------------------
 *
 * tls_files.c
 *	  Read the server's configured TLS files without ever ereporting.
 *
 * The files are parsed the way PostgreSQL's own SSL setup parses them
 * (be-secure-openssl.c): ssl_cert_file with the certificate-chain reader
 * (first certificate, then any further ones as its chain), ssl_ca_file and
 * the CRL files with OpenSSL's certificate-and-CRL PEM reader, ssl_crl_dir
 * as a directory of CRL files.  So what these functions show is what the
 * server loads (or will load at the next reload).
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/tls_files.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "storage/fd.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "server_settings.h"
#include "tls_files.h"
#include "x509_render.h"

/* One entry of ssl_crl_dir while it is being listed */
typedef struct CrlDirEntry
{
	char	   *name;
	bool		is_link;
	dev_t		dev;
	ino_t		ino;
} CrlDirEntry;

static void set_content_problem(TlsFileProblem *problem, const char *setting,
								const char *path, const char *reason);
static char *openssl_error_text(const char *fallback);
static int	no_passphrase_cb(char *buf, int size, int rwflag, void *userdata);
static char *tls_files_read(const char *setting, const char *path,
							size_t *len, TlsFileProblem *problem);
static bool read_crl_file(const char *setting, const char *path,
						  List **crls, TlsFileProblem *problem);
static bool list_crl_dir(const char *dir, List **paths,
						 TlsFileProblem *problem);
static int	crl_dir_entry_cmp(const ListCell *a, const ListCell *b);

const char *
cert_role_name(CertRole role)
{
	switch (role)
	{
		case CERT_ROLE_SERVER:
			return "server";
		case CERT_ROLE_CHAIN:
			return "chain";
		case CERT_ROLE_CA:
			return "ca";
		case CERT_ROLE_CLIENT:
			return "client";
	}
	return "unknown";
}

/*
 * PEM readers prompt on the terminal for a passphrase when given no
 * callback; a server function must never do that.  userdata, when given,
 * is a bool set to true if a passphrase was asked for.
 */
static int
no_passphrase_cb(char *buf, int size, int rwflag, void *userdata)
{
	if (userdata)
		*(bool *) userdata = true;
	return -1;
}

static void
set_content_problem(TlsFileProblem *problem, const char *setting,
					const char *path, const char *reason)
{
	problem->setting = setting;
	problem->path = pstrdup(path);
	problem->saved_errno = 0;
	problem->reason = pstrdup(reason);
}

/* The most recent OpenSSL error as text, and an empty error queue */
static char *
openssl_error_text(const char *fallback)
{
	unsigned long err = ERR_peek_last_error();
	const char *reason = err ? ERR_reason_error_string(err) : NULL;
	char	   *result;

	if (reason)
		result = pstrdup(reason);
	else if (err)
		result = psprintf("OpenSSL error %lu", err);
	else
		result = pstrdup(fallback);
	ERR_clear_error();
	return result;
}

/* Record that a configured file could not be read */
static void
set_read_problem(TlsFileProblem *problem, const char *setting,
				 const char *path, int saved_errno)
{
	problem->setting = setting;
	problem->path = pstrdup(path);
	problem->saved_errno = saved_errno ? saved_errno : EIO;
	problem->reason = NULL;
}

/*
 * Read a whole configured file (a regular file) into palloc'd memory
 * (NUL-terminated, *len without the NUL), or return NULL with *problem
 * filled in.
 *
 * The file is read with read(2) into one buffer sized from fstat(): no
 * stdio buffer and no growing buffer, so when the caller wipes the result
 * (a private key) no other copy of the bytes is left behind in freed
 * memory.  A file that shrinks meanwhile is read as far as it goes; one that
 * grows, up to the size fstat() reported.
 */
static char *
tls_files_read(const char *setting, const char *path, size_t *len,
			   TlsFileProblem *problem)
{
	int			fd;
	struct stat st;
	char	   *data;
	size_t		size;
	size_t		done = 0;

	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		set_read_problem(problem, setting, path, errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0)
	{
		int			save_errno = errno;

		CloseTransientFile(fd);
		set_read_problem(problem, setting, path, save_errno);
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
	{
		CloseTransientFile(fd);
		set_read_problem(problem, setting, path, EISDIR);
		return NULL;
	}
	if (!S_ISREG(st.st_mode))
	{
		CloseTransientFile(fd);
		set_content_problem(problem, setting, path, "not a regular file");
		return NULL;
	}

	/* PEM files are small; MaxAllocSize bounds what palloc can give */
	if ((uint64) st.st_size >= MaxAllocSize)
	{
		CloseTransientFile(fd);
		set_read_problem(problem, setting, path, EFBIG);
		return NULL;
	}
	size = (size_t) st.st_size;
	data = palloc(size + 1);

	while (done < size)
	{
		ssize_t		n = read(fd, data + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			int			save_errno = errno;

			explicit_bzero(data, size + 1);
			pfree(data);
			CloseTransientFile(fd);
			set_read_problem(problem, setting, path, save_errno);
			return NULL;
		}
		if (n == 0)
			break;				/* the file shrank */
		done += n;
	}
	CloseTransientFile(fd);

	data[done] = '\0';
	*len = done;
	return data;
}

/*
 * The PEM items (certificates, CRLs) of a configured file, or NULL with
 * *problem set.  The caller frees them with sk_X509_INFO_pop_free().
 */
static STACK_OF(X509_INFO) *
read_pem_items(const char *setting, const char *path, const char *parse_error,
			   TlsFileProblem *problem)
{
	char	   *data;
	size_t		len;
	BIO		   *bio;
	STACK_OF(X509_INFO) *items;

	data = tls_files_read(setting, path, &len, problem);
	if (data == NULL)
		return NULL;

	ERR_clear_error();
	bio = BIO_new_mem_buf(data, (int) len);
	items = bio ? PEM_X509_INFO_read_bio(bio, NULL, no_passphrase_cb, NULL) : NULL;
	if (items == NULL)
		set_content_problem(problem, setting, path, openssl_error_text(parse_error));
	BIO_free(bio);
	pfree(data);
	ERR_clear_error();
	return items;
}

/* Memory context callback: a TlsFileCert's reference to its certificate */
static void
release_described_cert(void *arg)
{
	X509_free((X509 *) arg);
}

TlsFileCert *
tls_files_describe_cert(X509 *cert, CertRole role)
{
	TlsFileCert *info = palloc0(sizeof(TlsFileCert));
	MemoryContextCallback *release = palloc0(sizeof(MemoryContextCallback));

	info->role = role;
	x509_summarize(cert, &info->summary);
	if (X509_up_ref(cert) == 1)
	{
		info->cert = cert;
		release->func = release_described_cert;
		release->arg = cert;
		MemoryContextRegisterResetCallback(CurrentMemoryContext, release);
	}
	else
		ERR_clear_error();
	return info;
}

bool
tls_files_server_certs(List **certs, TlsFileProblem *problem)
{
	return tls_files_cert_chain_file("ssl_cert_file",
									 server_setting("ssl_cert_file"),
									 certs, problem);
}

bool
tls_files_cert_chain_file(const char *setting, const char *path, List **certs,
						  TlsFileProblem *problem)
{
	char	   *data;
	size_t		len;
	BIO		   *bio;
	bool		ok = true;

	*certs = NIL;
	if (path[0] == '\0')
	{
		set_content_problem(problem, setting, path,
							psprintf("%s is not set", setting));
		return false;
	}
	data = tls_files_read(setting, path, &len, problem);
	if (data == NULL)
		return false;

	bio = BIO_new_mem_buf(data, (int) len);
	if (bio == NULL)
	{
		set_content_problem(problem, setting, path,
							openssl_error_text("out of memory"));
		pfree(data);
		return false;
	}

	ERR_clear_error();
	for (;;)
	{
		X509	   *cert;
		bool		first = (*certs == NIL);

		/* the leaf may carry trust settings; chain certificates may not */
		if (first)
			cert = PEM_read_bio_X509_AUX(bio, NULL, no_passphrase_cb, NULL);
		else
			cert = PEM_read_bio_X509(bio, NULL, no_passphrase_cb, NULL);

		if (cert == NULL)
		{
			unsigned long err = ERR_peek_last_error();
			bool		at_end = ERR_GET_LIB(err) == ERR_LIB_PEM &&
			ERR_GET_REASON(err) == PEM_R_NO_START_LINE;

			if (!first && at_end)
				ERR_clear_error();
			else
			{
				set_content_problem(problem, setting, path,
									first && at_end ?
									"no certificate found" :
									openssl_error_text("could not parse certificate"));
				ok = false;
			}
			break;
		}
		*certs = lappend(*certs,
						 tls_files_describe_cert(cert, first ? CERT_ROLE_SERVER : CERT_ROLE_CHAIN));
		X509_free(cert);
	}

	BIO_free(bio);
	pfree(data);
	ERR_clear_error();
	return ok;
}

bool
tls_files_ca_certs(List **certs, TlsFileProblem *problem)
{
	return tls_files_ca_file("ssl_ca_file", server_setting("ssl_ca_file"),
							 certs, problem);
}

bool
tls_files_ca_file(const char *setting, const char *path, List **certs,
				  TlsFileProblem *problem)
{
	STACK_OF(X509_INFO) *items;

	*certs = NIL;
	if (path[0] == '\0')
		return true;
	items = read_pem_items(setting, path, "could not parse certificates", problem);
	if (items == NULL)
		return false;

	for (int i = 0; i < sk_X509_INFO_num(items); i++)
	{
		X509_INFO  *item = sk_X509_INFO_value(items, i);

		if (item->x509)
			*certs = lappend(*certs, tls_files_describe_cert(item->x509, CERT_ROLE_CA));
	}
	sk_X509_INFO_pop_free(items, X509_INFO_free);
	if (*certs == NIL)
	{
		set_content_problem(problem, setting, path, "no certificate found");
		return false;
	}
	return true;
}

static bool
read_crl_file(const char *setting, const char *path, List **crls,
			  TlsFileProblem *problem)
{
	STACK_OF(X509_INFO) *items;
	int			found = 0;

	items = read_pem_items(setting, path, "could not parse CRL", problem);
	if (items == NULL)
		return false;

	for (int i = 0; i < sk_X509_INFO_num(items); i++)
	{
		X509_INFO  *item = sk_X509_INFO_value(items, i);
		TlsFileCrl *crl;
		STACK_OF(X509_REVOKED) *revoked;

		if (item->crl == NULL)
			continue;
		found++;
		crl = palloc0(sizeof(TlsFileCrl));
		crl->source = pstrdup(path);
		crl->issuer = x509_name_to_dn(X509_CRL_get_issuer(item->crl));
		crl->has_last_update =
			x509_time_to_timestamptz(X509_CRL_get0_lastUpdate(item->crl),
									 &crl->last_update);
		crl->has_next_update =
			X509_CRL_get0_nextUpdate(item->crl) != NULL &&
			x509_time_to_timestamptz(X509_CRL_get0_nextUpdate(item->crl),
									 &crl->next_update);
		revoked = X509_CRL_get_REVOKED(item->crl);
		crl->revoked_count = revoked ? sk_X509_REVOKED_num(revoked) : 0;
		*crls = lappend(*crls, crl);
	}
	sk_X509_INFO_pop_free(items, X509_INFO_free);
	if (found == 0)
	{
		set_content_problem(problem, setting, path, "no CRL found");
		return false;
	}
	return true;
}

static int
crl_dir_entry_cmp(const ListCell *a, const ListCell *b)
{
	const CrlDirEntry *ea = lfirst(a);
	const CrlDirEntry *eb = lfirst(b);

	return strcmp(ea->name, eb->name);
}

/*
 * The CRL files of ssl_crl_dir.  "openssl rehash" adds a symbolic link
 * named after the issuer hash for each CRL file in the directory: list such
 * a file once, under its own name.
 */
static bool
list_crl_dir(const char *dir, List **paths, TlsFileProblem *problem)
{
	DIR		   *d;
	struct dirent *de;
	List	   *entries = NIL;
	List	   *kept = NIL;
	ListCell   *lc;

	d = AllocateDir(dir);
	if (d == NULL)
	{
		problem->setting = "ssl_crl_dir";
		problem->path = pstrdup(dir);
		problem->saved_errno = errno ? errno : EIO;
		problem->reason = NULL;
		return false;
	}
	while ((de = ReadDirExtended(d, dir, LOG)) != NULL)
	{
		char	   *path;
		struct stat lst;
		struct stat st;
		CrlDirEntry *entry;

		if (de->d_name[0] == '.')
			continue;
		path = psprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &lst) != 0 || stat(path, &st) != 0 ||
			!S_ISREG(st.st_mode))
			continue;			/* subdirectory, dangling link, ... */
		entry = palloc(sizeof(CrlDirEntry));
		entry->name = path;
		entry->is_link = S_ISLNK(lst.st_mode);
		entry->dev = st.st_dev;
		entry->ino = st.st_ino;
		entries = lappend(entries, entry);
	}
	FreeDir(d);

	list_sort(entries, crl_dir_entry_cmp);

	/* files first, then links to files not yet listed */
	for (int pass = 0; pass < 2; pass++)
	{
		foreach(lc, entries)
		{
			CrlDirEntry *entry = lfirst(lc);
			bool		seen = false;
			ListCell   *lc2;

			if (entry->is_link != (pass == 1))
				continue;
			foreach(lc2, kept)
			{
				CrlDirEntry *k = lfirst(lc2);

				if (k->dev == entry->dev && k->ino == entry->ino)
				{
					seen = true;
					break;
				}
			}
			if (!seen)
				kept = lappend(kept, entry);
		}
	}
	list_sort(kept, crl_dir_entry_cmp);

	*paths = NIL;
	foreach(lc, kept)
		* paths = lappend(*paths, ((CrlDirEntry *) lfirst(lc))->name);
	return true;
}

bool
tls_files_crls(List **crls, TlsFileProblem *problem)
{
	const char *file = server_setting("ssl_crl_file");
	const char *dir = server_setting("ssl_crl_dir");

	*crls = NIL;
	if (file[0] != '\0' && !read_crl_file("ssl_crl_file", file, crls, problem))
		return false;
	if (dir[0] != '\0')
	{
		List	   *paths;
		ListCell   *lc;

		if (!list_crl_dir(dir, &paths, problem))
			return false;
		foreach(lc, paths)
		{
			if (!read_crl_file("ssl_crl_dir", lfirst(lc), crls, problem))
				return false;
		}
	}
	return true;
}

TlsKeyCheck
tls_files_check_key(const char *setting, const char *path, X509 *cert,
					TlsFileProblem *problem)
{
	char	   *data;
	size_t		len;
	BIO		   *bio;
	EVP_PKEY   *key;
	bool		asked = false;
	TlsKeyCheck verdict;

	data = tls_files_read(setting, path, &len, problem);
	if (data == NULL)
		return TLS_KEY_UNREADABLE;

	ERR_clear_error();
	bio = BIO_new_mem_buf(data, (int) len);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase_cb, &asked) : NULL;
	BIO_free(bio);
	explicit_bzero(data, len);
	pfree(data);

	if (key == NULL)
		verdict = asked ? TLS_KEY_PASSPHRASE : TLS_KEY_MISSING;
	else if (X509_check_private_key(cert, key) == 1)
		verdict = TLS_KEY_MATCHES;
	else
		verdict = TLS_KEY_MISMATCH;
	EVP_PKEY_free(key);
	ERR_clear_error();
	return verdict;
}

char *
tls_file_problem_text(const TlsFileProblem *problem)
{
	if (problem->saved_errno != 0)
		return psprintf("%s \"%s\" cannot be read: %s.",
						problem->setting, problem->path,
						strerror(problem->saved_errno));
	return psprintf("%s \"%s\": %s.",
					problem->setting, problem->path, problem->reason);
}

void
tls_file_problem_report(const TlsFileProblem *problem, int elevel)
{
	if (problem->saved_errno != 0)
	{
		errno = problem->saved_errno;
		ereport(elevel,
				errcode_for_file_access(),
				errmsg("could not read file \"%s\" configured in %s: %m",
					   problem->path, problem->setting),
				errdetail("The file is read from the %s setting; relative paths are relative to the data directory.",
						  problem->setting));
	}
	else
		ereport(elevel,
				errcode(ERRCODE_CONFIG_FILE_ERROR),
				errmsg("invalid file \"%s\" configured in %s",
					   problem->path, problem->setting),
				errdetail("The file \"%s\" could not be used: %s.",
						  problem->path, problem->reason));
}

bool
tls_files_key_permissions(const char *label, const char *path,
						  char **sentence)
{
	struct stat st;
	bool		by_root;

	if (stat(path, &st) != 0)
	{
		*sentence = psprintf("%s \"%s\" cannot be examined: %s.",
							 label, path, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode))
	{
		*sentence = psprintf("%s \"%s\" is not a regular file.", label, path);
		return false;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0)
	{
		*sentence = psprintf("%s \"%s\" is owned by user ID %u, neither the server's user nor root.",
							 label, path, (unsigned) st.st_uid);
		return false;
	}
	by_root = st.st_uid == 0 && geteuid() != 0;
	if ((st.st_uid == geteuid() && (st.st_mode & (S_IRWXG | S_IRWXO))) ||
		(st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO))))
	{
		*sentence = psprintf("%s \"%s\" has mode %04o and is owned by %s: it has more than %s access, so PostgreSQL refuses to load it.",
							 label, path, (unsigned) (st.st_mode & 07777),
							 by_root ? "root" : "the server's user",
							 by_root ? "owner read-write and group read" : "owner read-write");
		return false;
	}
	*sentence = psprintf("%s \"%s\" has mode %04o and is owned by %s.",
						 label, path, (unsigned) (st.st_mode & 07777),
						 by_root ? "root" : "the server's user");
	return true;
}

CertDates
tls_files_judge_dates(const X509Summary *summary, TimestampTz now,
					  int window_days)
{
	if (!summary->has_validity)
		return CERT_DATES_UNREADABLE;
	if (summary->not_before > now)
		return CERT_DATES_NOT_YET_VALID;
	if (summary->not_after <= now)
		return CERT_DATES_EXPIRED;
	if (window_days > 0 &&
		summary->not_after - now < (int64) window_days * USECS_PER_DAY)
		return CERT_DATES_EXPIRING;
	return CERT_DATES_VALID;
}

char *
tls_files_dates_clause(const TlsFileCert *cert, CertDates dates,
					   const char *where, int window_days)
{
	const char *role = cert_role_name(cert->role);
	const char *subject = cert->summary.subject ? cert->summary.subject : "";

	switch (dates)
	{
		case CERT_DATES_VALID:
			break;
		case CERT_DATES_UNREADABLE:
			return psprintf("the validity dates of the %s certificate \"%s\"%s cannot be read",
							role, subject, where);
		case CERT_DATES_NOT_YET_VALID:
			return psprintf("the %s certificate \"%s\"%s is not valid before %s",
							role, subject, where,
							timestamptz_to_str(cert->summary.not_before));
		case CERT_DATES_EXPIRED:
			return psprintf("the %s certificate \"%s\"%s expired at %s",
							role, subject, where,
							timestamptz_to_str(cert->summary.not_after));
		case CERT_DATES_EXPIRING:
			return psprintf(ngettext("the %s certificate \"%s\"%s expires at %s, within %d day",
									 "the %s certificate \"%s\"%s expires at %s, within %d days",
									 window_days),
							role, subject, where,
							timestamptz_to_str(cert->summary.not_after),
							window_days);
	}
	return NULL;
}

char *
tls_files_key_clause(TlsKeyCheck check, const char *key_label,
					 const char *key_path, const char *cert_label,
					 const char *cert_path, const TlsFileProblem *problem)
{
	char	   *text;

	switch (check)
	{
		case TLS_KEY_MATCHES:
			break;
		case TLS_KEY_MISMATCH:
			return psprintf("the private key in %s \"%s\" does not belong to the certificate in %s \"%s\"",
							key_label, key_path, cert_label, cert_path);
		case TLS_KEY_PASSPHRASE:
			return psprintf("the private key in %s \"%s\" is protected by a passphrase, so it cannot be compared with the certificate here",
							key_label, key_path);
		case TLS_KEY_MISSING:
			return psprintf("%s \"%s\" holds no readable private key",
							key_label, key_path);
		case TLS_KEY_UNREADABLE:
			/* the problem's sentence as a clause: no full stop */
			text = tls_file_problem_text(problem);
			if (text[0] != '\0' && text[strlen(text) - 1] == '.')
				text[strlen(text) - 1] = '\0';
			return text;
	}
	return NULL;
}
