/*-------------------------------------------------------------------------
 *
 * server_settings.c
 *	  PostgreSQL's settings by name; see server_settings.h for the contract.
 *
 * Copyright (c) 2026, the sslinfo_ext developers
 *
 * src/server_settings.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "server_settings.h"

const char *
server_setting_or_null(const char *name)
{
	return GetConfigOption(name, true, false);
}

const char *
server_setting(const char *name)
{
	const char *value = server_setting_or_null(name);

	return value ? value : "";
}

bool
server_setting_is(const char *name, const char *value)
{
	return pg_strcasecmp(server_setting(name), value) == 0;
}
