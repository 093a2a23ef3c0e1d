# Dump and restore of databases with sslinfo_ext, as operators move them:
# pg_dump over TLS, in the custom format (pg_restore) and as plain SQL
# (psql), into a fresh cluster of the same major.  Two databases: the
# extension in public, and in a schema of its own (the control file says
# relocatable), each with a view of the application over its functions and
# its view.  In each restored database the extension's objects are its
# members (pg_depend deptype 'e'), the same list as a fresh CREATE EXTENSION
# in the same schema makes, none loose; the version and schema are the
# source's; the application's views still depend on the extension; the
# functions and both views answer in a TLS session with the long-DN
# certificate.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SslinfoExtTest;
use SslinfoExtCertFacts;

my $facts = cert_facts('client_longdn');

# database => schema of the extension
my %schema_of = (app_public => 'public', app_schema => 'tls');

my $source = new_tls_node('source', preload => 1);
$source->start;
foreach my $db (sort keys %schema_of)
{
	my $schema = $schema_of{$db};
	$source->safe_psql('postgres', "CREATE DATABASE $db");
	$source->safe_psql(
		$db, qq{
CREATE SCHEMA IF NOT EXISTS $schema;  -- public exists
CREATE EXTENSION sslinfo_ext SCHEMA $schema;
CREATE TABLE app_users (dn text PRIMARY KEY);
CREATE VIEW app_tls AS
  SELECT $schema.ssl_is_used() AS used, $schema.ssl_client_dn() AS dn,
         $schema.ssl_client_dn() IN (SELECT dn FROM app_users) AS known;
CREATE VIEW app_sessions AS
  SELECT pid, client_dn FROM $schema.pg_stat_ssl_ext WHERE pid = pg_backend_pid();
});
	# a row of data that came from a TLS session: the DN as the extension saw it
	my ($rc, $out, $err) = psql_tls($source,
		'INSERT INTO app_users SELECT dn FROM app_tls RETURNING dn',
		cert => 'client_longdn', dbname => $db);
	is($out, $facts->{dn}, "$db: the source stored the DN of a TLS session");
}

my $target = new_tls_node('target', preload => 1);
$target->start;

my $dumpdir = PostgreSQL::Test::Utils::tempdir;

# What the members of the extension are, one line each, and its catalog row.
my $members_sql = q{
SELECT string_agg(i.type || ' ' || i.identity, E'\n' ORDER BY i.type, i.identity)
FROM pg_depend d JOIN pg_extension e
  ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
  CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) i
WHERE e.extname = 'sslinfo_ext' AND d.deptype = 'e'
};
my $extension_sql = q{
SELECT e.extversion || ' ' || n.nspname || ' ' || e.extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'sslinfo_ext'
};
# Functions and views of the extension's schema that are not its members
# (the application's own objects live in public: excluded by name).
my $loose_sql = q{
SELECT count(*) FROM (
  SELECT 'pg_proc'::regclass AS classid, p.oid AS objid, p.pronamespace AS nsp
  FROM pg_proc p
  UNION ALL
  SELECT 'pg_class'::regclass, c.oid, c.relnamespace
  FROM pg_class c WHERE c.relname NOT IN ('app_tls', 'app_sessions', 'app_users', 'app_users_pkey')
) o
JOIN pg_extension e ON e.extname = 'sslinfo_ext' AND o.nsp = e.extnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = o.classid AND d.objid = o.objid
                    AND d.refobjid = e.oid AND d.deptype = 'e')
};

my $cs_source = connstr($source, cert => 'client_plain');
foreach my $db (sort keys %schema_of)
{
	my $schema = $schema_of{$db};

	# the reference: a fresh CREATE EXTENSION in the same schema, target's major
	$target->safe_psql('postgres', "CREATE DATABASE fresh_$db");
	$target->safe_psql("fresh_$db",
		"CREATE SCHEMA IF NOT EXISTS $schema; CREATE EXTENSION sslinfo_ext SCHEMA $schema");
	my $fresh_members = $target->safe_psql("fresh_$db", $members_sql);
	like($fresh_members, qr/^function \Q$schema\E\.ssl_client_dn\(\)$/m,
		"fresh_$db: ssl_client_dn() is a member in $schema");
	my $source_members   = $source->safe_psql($db, $members_sql);
	my $source_extension = $source->safe_psql($db, $extension_sql);
	is($source_members, $fresh_members, "$db: the source's members are a fresh CREATE EXTENSION's");

	# dumps over TLS
	(my $cs_db = $cs_source) =~ s/dbname='postgres'/dbname='$db'/ or die;
	$source->command_ok([ 'pg_dump', '-Fc', '-f', "$dumpdir/$db.dump", '-d', $cs_db ],
		"$db: pg_dump -Fc over TLS");
	$source->command_ok([ 'pg_dump', '-Fp', '-f', "$dumpdir/$db.sql", '-d', $cs_db ],
		"$db: pg_dump plain over TLS");
	my $plain = slurp_file("$dumpdir/$db.sql");
	like($plain, qr/^CREATE EXTENSION IF NOT EXISTS sslinfo_ext WITH SCHEMA \Q$schema\E;$/m,
		"$db: the plain dump creates the extension in $schema");
	unlike($plain, qr/^CREATE FUNCTION \Q$schema\E\.ssl_client_dn/m,
		"$db: the plain dump does not create its functions itself");

	my %restored = ("${db}_fc" => 'pg_restore', "${db}_sql" => 'psql');
	$target->safe_psql('postgres', "CREATE DATABASE ${db}_fc TEMPLATE template0");
	$target->safe_psql('postgres', "CREATE DATABASE ${db}_sql TEMPLATE template0");
	$target->command_ok(
		[ 'pg_restore', '--exit-on-error', '-d', "${db}_fc", "$dumpdir/$db.dump" ],
		"${db}_fc: pg_restore");
	$target->command_ok(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', "${db}_sql", '-f', "$dumpdir/$db.sql" ],
		"${db}_sql: psql -f the plain dump");

	foreach my $rdb (sort keys %restored)
	{
		my $how = "$rdb ($restored{$rdb})";
		is($target->safe_psql($rdb, $members_sql), $fresh_members,
			"$how: the members are a fresh CREATE EXTENSION's");
		is($target->safe_psql($rdb, $extension_sql), $source_extension,
			"$how: version, schema and relocatable as in the source ($source_extension)");
		is($target->safe_psql($rdb, $loose_sql), '0',
			"$how: no function or relation of $schema outside the extension");
		is($target->safe_psql($rdb, 'SELECT dn FROM app_users'), $facts->{dn},
			"$how: the data came along");

		# the application's views still depend on the extension
		my ($rc, $out, $err) = $target->psql($rdb, 'DROP EXTENSION sslinfo_ext');
		like($err, qr/cannot drop extension sslinfo_ext because other objects depend on it.*view app_tls depends on function (?:\Q$schema\E\.)?ssl_client_dn\(\)/s,
			"$how: DROP EXTENSION refused: app_tls depends on its function");
		like($err, qr/view app_sessions depends on view (?:\Q$schema\E\.)?pg_stat_ssl_ext/,
			"$how: and app_sessions on its view");

		# over TLS: the functions, the application's views, the own row
		($rc, $out, $err) = psql_tls($target,
			"SELECT $schema.ssl_is_used(), $schema.ssl_client_dn() = (SELECT dn FROM app_users)",
			cert => 'client_longdn', dbname => $rdb);
		is($out, 't|t', "$how: ssl_is_used() and the whole DN from ssl_client_dn() over TLS");
		($rc, $out, $err) = psql_tls($target,
			'SELECT used, dn, known FROM app_tls',
			cert => 'client_longdn', dbname => $rdb);
		is($out, "t|$facts->{dn}|t", "$how: the view app_tls over TLS");
		($rc, $out, $err) = psql_tls($target,
			'SELECT client_dn FROM app_sessions',
			cert => 'client_longdn', dbname => $rdb);
		is($out, $facts->{dn}, "$how: the view app_sessions over pg_stat_ssl_ext");
		is($target->safe_psql($rdb, 'SELECT ssl_is_used FROM (SELECT used AS ssl_is_used FROM app_tls) s'),
			'f', "$how: app_tls over the Unix socket: no TLS");
	}
}

$target->stop;
$source->stop;
done_testing();
