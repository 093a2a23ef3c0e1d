/*-------------------------------------------------------------------------
 *
 * asan_init_first.c
 *	  make test SANITIZE=1: initialize the preloaded AddressSanitizer
 *	  runtime before any other library's constructor runs.
 *
 * Preloaded into a program that was not built with ASan (Debian's
 * postgres, psql), the runtime is initialized lazily, by the first call it
 * intercepts.  In postgres that first call is a malloc() inside
 * bindtextdomain(), made by the constructor of libgpg-error while it holds
 * glibc's gettext lock; initializing the runtime there corrupts the lock,
 * and the later bindtextdomain() in main() waits on it forever.  This
 * library is linked with -z initfirst, so the dynamic loader runs its
 * constructor before every other one, and the constructor initializes the
 * runtime.  Built (with -fsanitize=address) and preloaded after the runtime
 * by test/sanitize.sh.
 *
 * With SSLINFO_EXT_SANITIZER_SELFTEST set, the constructor then writes one
 * byte past a malloc'd block: test/sanitize.sh runs postgres -V so once
 * to check that a report really reaches build/sanitizer/.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * test/asan_init_first.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SELFTEST_VARIABLE "SSLINFO_EXT_SANITIZER_SELFTEST="

extern void __asan_init(void);

static void asan_init_first(int argc, char **argv, char **envp) __attribute__((constructor));

/*
 * glibc passes constructors the program's arguments and environment; use
 * envp, as getenv() may not work yet before libc's own initialization.
 */
static void
asan_init_first(int argc, char **argv, char **envp)
{
	bool		selftest = false;

	__asan_init();

	for (char **e = envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, SELFTEST_VARIABLE, strlen(SELFTEST_VARIABLE)) == 0)
			selftest = true;
	if (selftest)
	{
		volatile char *block = malloc(8);

		block[8] = 1;			/* heap-buffer-overflow: ASan reports, exits */
		free((void *) block);
	}
}
