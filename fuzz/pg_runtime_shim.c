/*-------------------------------------------------------------------------
 *
 * pg_runtime_shim.c
 *	  Test shim: the PostgreSQL backend functions the fuzzed units call,
 *	  for a libFuzzer program without a backend.  See pg_runtime_shim.h
 *	  for the contract.
 *
 * This is test support, not product code.  Each function behaves as the
 * backend's does for the calls the units make, including its errors
 * (palloc's size limit, a UTF8 database's encoding check), so an ERROR the
 * backend would raise is raised here too:
 * - palloc, palloc0, pstrdup, pnstrdup, repalloc, pfree: malloc'd chunks
 *   in a per-input arena (shim_arena_reset frees them all);
 * - ereport/elog (errstart, errfinish and the err* helpers): ERROR jumps
 *   to SHIM_TRY or aborts;
 * - lappend: PostgreSQL's List layout from nodes/pg_list.h, so the
 *   header's inline functions and macros (list_length, foreach) work;
 * - hex_encode: lowercase hex, as utils/adt/encode.c;
 * - tm2timestamp: through libc timegm(), range-checked as the backend
 *   does;
 * - pg_any_to_server, cstring_to_text[_with_len]: as in a UTF8 database,
 *   with the encoding check of libpgcommon's pg_encoding_verifymbstr.
 * psprintf, pg_inet_net_ntop, strlcpy and the snprintf family come from
 * PostgreSQL's libpgcommon and libpgport themselves.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * fuzz/pg_runtime_shim.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "common/int.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_runtime_shim.h"

sigjmp_buf *shim_error_target = NULL;
ShimError	shim_last_error;

/* ---- memory ---------------------------------------------------------- */

#define CHUNK_MAGIC 0x5ca1ab1eU

typedef struct ArenaChunk
{
	struct ArenaChunk *prev;
	struct ArenaChunk *next;
	Size		size;
	uint32		magic;
} ArenaChunk;

/* Chunk header rounded up so the memory after it is MAXALIGNed */
#define CHUNK_HDRSZ MAXALIGN(sizeof(ArenaChunk))
#define CHUNK_OF(pointer) ((ArenaChunk *) ((char *) (pointer) - CHUNK_HDRSZ))

static ArenaChunk *arena_head = NULL;
static size_t arena_total = 0;

static void
shim_fatal(const char *what)
{
	fprintf(stderr, "pg_runtime_shim: %s\n", what);
	abort();
}

static void *
arena_alloc(Size size)
{
	ArenaChunk *chunk;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	chunk = malloc(CHUNK_HDRSZ + size);
	if (chunk == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("Failed on request of size %zu.", size)));
	chunk->prev = NULL;
	chunk->next = arena_head;
	if (arena_head)
		arena_head->prev = chunk;
	arena_head = chunk;
	chunk->size = size;
	chunk->magic = CHUNK_MAGIC;
	arena_total += size;
	return (char *) chunk + CHUNK_HDRSZ;
}

static ArenaChunk *
arena_chunk(void *pointer, const char *caller)
{
	ArenaChunk *chunk;

	if (pointer == NULL)
	{
		fprintf(stderr, "pg_runtime_shim: %s(NULL)\n", caller);
		abort();
	}
	chunk = CHUNK_OF(pointer);
	if (chunk->magic != CHUNK_MAGIC)
	{
		fprintf(stderr, "pg_runtime_shim: %s of a pointer palloc did not return\n", caller);
		abort();
	}
	return chunk;
}

static void
arena_unlink(ArenaChunk *chunk)
{
	if (chunk->prev)
		chunk->prev->next = chunk->next;
	else
		arena_head = chunk->next;
	if (chunk->next)
		chunk->next->prev = chunk->prev;
	arena_total -= chunk->size;
	chunk->magic = 0;
}

void
shim_arena_reset(void)
{
	while (arena_head != NULL)
	{
		ArenaChunk *chunk = arena_head;

		arena_unlink(chunk);
		free(chunk);
	}
	if (arena_total != 0)
		shim_fatal("arena accounting is off");
}

size_t
shim_arena_bytes(void)
{
	return arena_total;
}

void *
palloc(Size size)
{
	return arena_alloc(size);
}

void *
palloc0(Size size)
{
	void	   *p = arena_alloc(size);

	memset(p, 0, size);
	return p;
}

void *
repalloc(void *pointer, Size size)
{
	ArenaChunk *old = arena_chunk(pointer, "repalloc");
	void	   *p = arena_alloc(size);

	memcpy(p, pointer, Min(old->size, size));
	arena_unlink(old);
	free(old);
	return p;
}

void
pfree(void *pointer)
{
	ArenaChunk *chunk = arena_chunk(pointer, "pfree");

	arena_unlink(chunk);
	free(chunk);
}

char *
pstrdup(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = arena_alloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

char *
pnstrdup(const char *in, Size size)
{
	size_t		len = strnlen(in, size);
	char	   *out = arena_alloc(len + 1);

	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

/* ---- error reporting ------------------------------------------------- */

/* The report being built between errstart and errfinish */
static ShimError current_error;
static bool in_error = false;

const char *
shim_sqlstate(int sqlerrcode)
{
	static char buf[6];

	for (int i = 0; i < 5; i++)
	{
		buf[i] = PGUNSIXBIT(sqlerrcode);
		sqlerrcode >>= 6;
	}
	buf[5] = '\0';
	return buf;
}

bool
errstart(int elevel, const char *domain)
{
	if (in_error)
		shim_fatal("ereport inside ereport");
	in_error = true;
	memset(&current_error, 0, sizeof(current_error));
	current_error.elevel = elevel;
	current_error.sqlerrcode = elevel >= ERROR ? ERRCODE_INTERNAL_ERROR : 0;
	/* evaluate the arguments at every level, so they are fuzzed too */
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	ShimError	error = current_error;

	in_error = false;
	error.filename = filename;
	error.lineno = lineno;
	if (error.elevel < ERROR)
		return;

	shim_last_error = error;
	if (error.elevel == ERROR && shim_error_target != NULL)
		siglongjmp(*shim_error_target, 1);

	fprintf(stderr, "pg_runtime_shim: unexpected %s at %s:%d (%s): [%s] %s\n",
			error.elevel == ERROR ? "ERROR" : error.elevel == FATAL ? "FATAL" : "PANIC",
			filename, lineno, funcname ? funcname : "?",
			shim_sqlstate(error.sqlerrcode), error.message);
	abort();
}

int
errcode(int sqlerrcode)
{
	current_error.sqlerrcode = sqlerrcode;
	return 0;
}

static void
format_message(const char *fmt, va_list args)
{
	/* only the primary message is kept; the others are formatted and dropped */
	vsnprintf(current_error.message, sizeof(current_error.message), fmt, args);
}

static int
format_and_drop(const char *fmt, va_list args)
{
	char		buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, args);
	return 0;
}

/*
 * errmsg() and the other message functions, each handing its format and
 * arguments to sink: format_message() for the primary message, which is
 * kept, format_and_drop() for the rest.
 */
#define SHIM_MESSAGE_FUNCTION(name, sink) \
int \
name(const char *fmt,...) \
{ \
	va_list		args; \
\
	va_start(args, fmt); \
	sink(fmt, args); \
	va_end(args); \
	return 0; \
}

SHIM_MESSAGE_FUNCTION(errmsg, format_message)
SHIM_MESSAGE_FUNCTION(errmsg_internal, format_message)
SHIM_MESSAGE_FUNCTION(errdetail, format_and_drop)
SHIM_MESSAGE_FUNCTION(errdetail_internal, format_and_drop)
SHIM_MESSAGE_FUNCTION(errhint, format_and_drop)

/* ---- lists ----------------------------------------------------------- */

#define LIST_INITIAL_CELLS 4

List *
lappend(List *list, void *datum)
{
	if (list == NIL)
	{
		list = palloc(offsetof(List, initial_elements) +
					  LIST_INITIAL_CELLS * sizeof(ListCell));
		list->type = T_List;
		list->length = 0;
		list->max_length = LIST_INITIAL_CELLS;
		list->elements = list->initial_elements;
	}
	else if (list->type != T_List)
		shim_fatal("lappend to a list that is not a pointer list");

	if (list->length == list->max_length)
	{
		int			new_max = list->max_length * 2;
		ListCell   *cells = palloc(new_max * sizeof(ListCell));

		memcpy(cells, list->elements, list->length * sizeof(ListCell));
		if (list->elements != list->initial_elements)
			pfree(list->elements);
		list->elements = cells;
		list->max_length = new_max;
	}
	list->elements[list->length++].ptr_value = datum;
	return list;
}

/* ---- data types ------------------------------------------------------ */

uint64
hex_encode(const char *src, size_t len, char *dst)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		dst[2 * i] = digits[c >> 4];
		dst[2 * i + 1] = digits[c & 0xF];
	}
	return (uint64) len * 2;
}

int
tm2timestamp(struct pg_tm *tm, fsec_t fsec, int *tzp, Timestamp *result)
{
	struct tm	utc;
	time_t		seconds;

	if (!IS_VALID_JULIAN(tm->tm_year, tm->tm_mon, tm->tm_mday))
		return -1;

	memset(&utc, 0, sizeof(utc));
	utc.tm_year = tm->tm_year - 1900;
	utc.tm_mon = tm->tm_mon - 1;
	utc.tm_mday = tm->tm_mday;
	utc.tm_hour = tm->tm_hour;
	utc.tm_min = tm->tm_min;
	utc.tm_sec = tm->tm_sec;
	seconds = timegm(&utc);

	/* from the Unix epoch to PostgreSQL's, then to microseconds */
	seconds -= (time_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
	if (tzp != NULL)
		seconds += *tzp;
	if (pg_mul_s64_overflow((int64) seconds, USECS_PER_SEC, result) ||
		pg_add_s64_overflow(*result, fsec, result))
		return -1;
	return IS_VALID_TIMESTAMP(*result) ? 0 : -1;
}

/* The server encoding is UTF8: check, never convert */
char *
pg_any_to_server(const char *s, int len, int encoding)
{
	if (encoding != PG_UTF8)
		shim_fatal("pg_any_to_server: the shim only knows UTF8 input");
	if (pg_encoding_verifymbstr(PG_UTF8, s, len) != len)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("invalid byte sequence for encoding \"UTF8\"")));
	return (char *) s;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}
