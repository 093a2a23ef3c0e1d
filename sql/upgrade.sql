--
-- Upgrade path: install the oldest version, walk ALTER EXTENSION ... UPDATE
-- to the newest, list the member objects at each step, and check that the
-- result is the same as a fresh CREATE EXTENSION of the newest version:
-- same members, same definitions, privileges and comments.
--
-- The fresh install comes from sslinfo_ext--1.1.sql, a script of its own
-- (CREATE EXTENSION prefers a version's install script to an update chain),
-- so the two sides are built independently and any difference in a
-- function's definition, markings or privileges, a view or a comment shows
-- up below.  The member lists pin what each version contains.
--
-- Runs in a database of its own, so the other tests' extension is untouched.
-- expected/upgrade_1.out: PostgreSQL 17 and later, which record the view's
-- row type (and its array type) as extension members too.
--
CREATE DATABASE sslinfo_ext_upgrade;
\connect sslinfo_ext_upgrade

-- Every version the control file's scripts offer, reachable from the oldest
SELECT source, target, path
FROM pg_extension_update_paths('sslinfo_ext')
WHERE source = '1.0'
ORDER BY target;

-- One row per member object: its identity and a text that changes with its
-- definition (pg_get_functiondef: arguments, defaults, result, language,
-- symbol, volatility, strictness, parallel safety, cost, rows, settings,
-- security; a view's query, kind and options), its privileges and its
-- comments (the object's and its columns').
CREATE TEMP VIEW sslinfo_ext_members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS object,
       concat_ws(E'\n',
                 CASE WHEN d.classid = 'pg_proc'::regclass THEN
                      (SELECT pg_get_functiondef(p.oid) || 'acl ' || coalesce(p.proacl::text, 'default')
                       FROM pg_proc p WHERE p.oid = d.objid)
                 END,
                 CASE WHEN d.classid = 'pg_class'::regclass THEN
                      (SELECT 'relkind ' || c.relkind::text || ' acl ' || coalesce(c.relacl::text, 'default')
                              || ' options ' || coalesce(c.reloptions::text, 'none')
                              || CASE WHEN c.relkind = 'v' THEN E'\n' || pg_get_viewdef(c.oid) ELSE '' END
                              || coalesce((SELECT string_agg(E'\ncolumn ' || a.attname || ' comment '
                                                             || col_description(c.oid, a.attnum), ''
                                                             ORDER BY a.attnum)
                                           FROM pg_attribute a
                                           WHERE a.attrelid = c.oid AND a.attnum > 0
                                             AND col_description(c.oid, a.attnum) IS NOT NULL), '')
                       FROM pg_class c WHERE c.oid = d.objid)
                 END,
                 'comment ' || coalesce(obj_description(d.objid,
                                          (SELECT relname FROM pg_class WHERE oid = d.classid)),
                                        'none')) AS definition
FROM pg_depend d
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid = e.oid AND e.extname = 'sslinfo_ext'
WHERE d.deptype = 'e';

-- 1.0
CREATE EXTENSION sslinfo_ext VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'sslinfo_ext';
SELECT object FROM sslinfo_ext_members ORDER BY object;

-- 1.0 -> 1.1
ALTER EXTENSION sslinfo_ext UPDATE TO '1.1';
-- (pg_extension rather than \dx, whose columns differ by major)
SELECT extname, extversion, obj_description(oid, 'pg_extension') AS description
FROM pg_extension WHERE extname = 'sslinfo_ext';
SELECT object FROM sslinfo_ext_members ORDER BY object;
CREATE TEMP TABLE upgraded_members AS SELECT * FROM sslinfo_ext_members;

-- A fresh install of the default version (1.1)
DROP EXTENSION sslinfo_ext;
CREATE EXTENSION sslinfo_ext;
SELECT extversion FROM pg_extension WHERE extname = 'sslinfo_ext';

-- Differences between the upgraded and the fresh install: none expected
(SELECT 'only after upgrade' AS side, object, definition FROM upgraded_members
 EXCEPT
 SELECT 'only after upgrade', object, definition FROM sslinfo_ext_members)
UNION ALL
(SELECT 'only in fresh install', object, definition FROM sslinfo_ext_members
 EXCEPT
 SELECT 'only in fresh install', object, definition FROM upgraded_members)
ORDER BY object, side;

-- The same number of members on both sides (the comparison compared something)
SELECT (SELECT count(*) FROM upgraded_members) AS upgraded,
       (SELECT count(*) FROM sslinfo_ext_members) AS fresh;

-- Every function and view describes itself (\df+, \dv+): none without a comment
SELECT object FROM sslinfo_ext_members
WHERE object ~ '^(function|view) ' AND definition ~ '\ncomment none$'
ORDER BY object;

\connect contrib_regression
DROP DATABASE sslinfo_ext_upgrade;
