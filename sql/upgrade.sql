--
-- Upgrade path: install the oldest version, walk ALTER EXTENSION ... UPDATE
-- to the newest, list the member objects at each step, and check that the
-- result is the same as a fresh CREATE EXTENSION of the newest version:
-- same members, same definitions, privileges and comments.
--
-- While 1.1 has no install script of its own, CREATE EXTENSION composes it
-- from sslinfo_ext--1.0.sql and sslinfo_ext--1.0--1.1.sql; the comparison
-- starts to bite when a release ships a direct install script
-- (sslinfo_ext--1.1.sql) or an update script behaves differently on an
-- existing installation.  The member lists pin what each version contains.
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
-- definition (function source and markings, view query, relation kind),
-- its privileges and its comment.
CREATE TEMP VIEW sslinfo_ext_members AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS object,
       concat_ws(E'\n',
                 CASE WHEN d.classid = 'pg_proc'::regclass THEN
                      (SELECT pg_get_functiondef(p.oid) || 'acl ' || coalesce(p.proacl::text, 'default')
                       FROM pg_proc p WHERE p.oid = d.objid)
                 END,
                 CASE WHEN d.classid = 'pg_class'::regclass THEN
                      (SELECT 'relkind ' || c.relkind::text || ' acl ' || coalesce(c.relacl::text, 'default')
                              || CASE WHEN c.relkind = 'v' THEN E'\n' || pg_get_viewdef(c.oid) ELSE '' END
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
