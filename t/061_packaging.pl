# Packaging: META.json against the required fields and value formats of the
# PGXN Meta Spec 1.0.0, and in step with the rest of the tree -- its
# version is the control file's default_version, every version has a script
# chain from the oldest install script, every script is installed (DATA in
# the Makefile), CHANGELOG.md has a section per version, and the docs are
# named (docfile) and packaged (debian/rules).  No cluster, no
# network.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use JSON::PP;
use Test::More;

my $top = abs_path(dirname(__FILE__) . '/..');

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<:raw', "$top/$path") or die "cannot read $path: $!";
	local $/;
	return scalar <$fh>;
}

# ---- META.json against the spec ----

my $meta = eval { JSON::PP->new->utf8->decode(slurp('META.json')) };
ok(ref $meta eq 'HASH', 'META.json is a JSON object') or BAIL_OUT("META.json: $@");

# SemVer (what the spec calls a Version)
my $semver = qr/(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)
  (?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?/x;
my $semver_re = qr/^$semver$/;
# A Term: two or more characters, no slash, backslash, space or control
my $term_re = qr/^[^\/\\\s[:cntrl:]]{2,}$/;
my $uri_re  = qr/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/;
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1
  artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1
  lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0
  ssleay sun zlib open_source restricted unrestricted unknown);

sub is_string { my ($v) = @_; return defined $v && !ref $v && length $v; }
sub custom_key { return $_[0] =~ /^[xX]_./; }

# keys of %$hash outside @known (custom x_ keys allowed)
sub unknown_keys
{
	my ($hash, @known) = @_;
	my %known = map { $_ => 1 } @known;
	return [ sort grep { !$known{$_} && !custom_key($_) } keys %$hash ];
}

sub version_range_ok
{
	my ($v) = @_;
	return 1 if defined $v && !ref $v && $v eq '0';
	return 0 unless is_string($v);
	my $one = qr/(?:(?:[=!]=|[<>]=?)\s*)?$semver/;
	return $v =~ /^$one(?:,\s*$one)*$/;
}

foreach my $key (qw(name version abstract maintainer license provides meta-spec))
{
	ok(exists $meta->{$key}, "META.json has the required field $key");
}
is_deeply(
	unknown_keys($meta, qw(name version abstract maintainer license provides meta-spec
	  description generated_by tags no_index prereqs release_status resources)),
	[], 'META.json has no field the spec does not define');

like($meta->{name}, $term_re, 'name is a Term');
like($meta->{version}, $semver_re, 'version is a SemVer');
ok(is_string($meta->{abstract}), 'abstract is a non-empty string');
ok(is_string($meta->{description}), 'description is a non-empty string')
  if exists $meta->{description};

my $maintainer = $meta->{maintainer};
ok(is_string($maintainer)
	  || (ref $maintainer eq 'ARRAY' && @$maintainer && !grep { !is_string($_) } @$maintainer),
	'maintainer is a string or a list of strings');

my $license = $meta->{license};
ok((!ref $license && $licenses{ $license // '' })
	  || (ref $license eq 'ARRAY' && @$license && !grep { !$licenses{$_} } @$license)
	  || (ref $license eq 'HASH' && %$license && !grep { !/$uri_re/ } values %$license),
	'license is a known license name, a list of them, or names mapped to URIs');
is($license, 'postgresql', 'license is postgresql (LICENSE)');

my $provides = $meta->{provides};
ok(ref $provides eq 'HASH' && %$provides, 'provides names at least one extension');
foreach my $ext (sort keys %{ ref $provides eq 'HASH' ? $provides : {} })
{
	my $p = $provides->{$ext};
	like($ext, $term_re, "provides: $ext is a Term");
	ok(ref $p eq 'HASH' && exists $p->{file} && exists $p->{version},
		"provides.$ext has file and version");
	is_deeply(unknown_keys($p, qw(file version abstract docfile)), [],
		"provides.$ext has no field the spec does not define");
	like($p->{version}, $semver_re, "provides.$ext.version is a SemVer");
	foreach my $f (grep { exists $p->{$_} } qw(file docfile))
	{
		ok(is_string($p->{$f}) && $p->{$f} !~ m{^/|\\} && -f "$top/$p->{$f}",
			"provides.$ext.$f is a relative Unix path of a file in the tree");
	}
}

my $spec = $meta->{'meta-spec'};
ok(ref $spec eq 'HASH' && ($spec->{version} // '') =~ /^1\.0\.\d+$/,
	'meta-spec.version is 1.0.x');
ok(!exists $spec->{url} || $spec->{url} =~ m{^https?://pgxn\.org/meta/spec\.txt$},
	'meta-spec.url is the spec\'s address');
is_deeply(unknown_keys($spec, qw(version url)), [], 'meta-spec has no other field');

if (exists $meta->{prereqs})
{
	my $prereqs = $meta->{prereqs};
	my @bad;
	foreach my $phase (keys %$prereqs)
	{
		next if custom_key($phase);
		push(@bad, "phase $phase"), next
		  unless $phase =~ /^(configure|build|test|runtime|develop)$/;
		foreach my $rel (keys %{ $prereqs->{$phase} })
		{
			next if custom_key($rel);
			push(@bad, "$phase.$rel"), next
			  unless $rel =~ /^(requires|recommends|suggests|conflicts)$/;
			while (my ($name, $range) = each %{ $prereqs->{$phase}{$rel} })
			{
				push @bad, "$phase.$rel.$name = $range"
				  unless $name =~ $term_re && version_range_ok($range);
			}
		}
	}
	is_deeply(\@bad, [], 'prereqs: phases, relationships and version ranges as the spec defines');
	is($prereqs->{runtime}{requires}{PostgreSQL}, '14.0.0',
		'prereqs: PostgreSQL 14 or later at run time');
}
ok(!exists $meta->{release_status}
	  || $meta->{release_status} =~ /^(stable|testing|unstable)$/,
	'release_status is stable, testing or unstable');
ok(!exists $meta->{tags}
	  || (ref $meta->{tags} eq 'ARRAY' && !grep { !is_string($_) } @{ $meta->{tags} }),
	'tags is a list of strings');
if (exists $meta->{resources})
{
	my $r = $meta->{resources};
	is_deeply(unknown_keys($r, qw(homepage bugtracker repository)), [],
		'resources has only homepage, bugtracker and repository');
	ok(!exists $r->{homepage} || $r->{homepage} =~ $uri_re, 'resources.homepage is a URI');
	ok(!exists $r->{bugtracker}
		  || ($r->{bugtracker}{web} // $r->{bugtracker}{mailto}),
		'resources.bugtracker has web or mailto');
	ok(!exists $r->{repository}
		  || $r->{repository}{web}
		  || ($r->{repository}{url} && $r->{repository}{type}),
		'resources.repository has web, or url and type');
}

# ---- in step with the tree ----

my $control = slurp('sslinfo_ext.control');
my ($default_version) = $control =~ /^\s*default_version\s*=\s*'([^']+)'/m;
ok(defined $default_version, 'the control file has a default_version');
my $as_semver = $default_version =~ /^\d+\.\d+$/ ? "$default_version.0" : $default_version;
is($meta->{version}, $as_semver,
	"META.json version is the control file's default_version ($default_version)");
is($provides->{sslinfo_ext}{version}, $meta->{version},
	'provides.sslinfo_ext.version is the distribution version');
is($meta->{name}, 'sslinfo_ext', 'the distribution is named after the extension');

# The scripts: install scripts sslinfo_ext--V.sql, updates sslinfo_ext--A--B.sql
opendir(my $dh, $top) or die "cannot list $top: $!";
my @scripts = sort grep { /^sslinfo_ext--.*\.sql$/ } readdir $dh;
closedir $dh;
my (@installs, %updates);
foreach (@scripts)
{
	if (/^sslinfo_ext--([^-]+)--([^-]+)\.sql$/) { $updates{$1} = $2; }
	elsif (/^sslinfo_ext--([^-]+)\.sql$/)      { push @installs, $1; }
}
# version strings compared part by part ("1.10" after "1.9")
sub version_cmp
{
	my @a = split /\./, $_[0];
	my @b = split /\./, $_[1];
	while (@a || @b)
	{
		my $c = (shift(@a) // 0) <=> (shift(@b) // 0);
		return $c if $c;
	}
	return 0;
}
my ($oldest) = sort { version_cmp($a, $b) } @installs;
my @chain = ($oldest);
push @chain, $updates{ $chain[-1] }
  while defined $updates{ $chain[-1] } && @chain <= @scripts;
is($chain[-1], $default_version,
	"update scripts lead from the oldest version to default_version: @chain");

my $makefile = slurp('Makefile');
$makefile =~ s/\\\n/ /g;
my ($data) = $makefile =~ /^DATA\s*=\s*(.*)$/m;
my %data = map { $_ => 1 } split ' ', $data // '';
is_deeply([ grep { !$data{$_} } @scripts ], [], 'every script is in DATA (make install installs it)');

# The documentation: PGXN's docfile is the reference's index, and every
# major's Debian package ships README.md and doc/ (t/063 checks the links
# between them)
is($provides->{sslinfo_ext}{docfile}, 'doc/sslinfo_ext.md',
	'provides.sslinfo_ext.docfile is the index of the reference in doc/');
my $rules = slurp('debian/rules');
like($rules, qr/^\tdh_installdocs -A\b[^\n]*\bREADME\.md\b[^\n]*\bdoc\b/m,
	'debian/rules installs README.md and doc/ into every package (-A)');
like($rules, qr/^\tdh_compress\b[^\n]*-X\.md\b/m,
	'debian/rules leaves the Markdown uncompressed, so its links work');

my $changelog = slurp('CHANGELOG.md');
my @sections = $changelog =~ /^## (?:\[)?(\d+\.\d+(?:\.\d+)?)/mg;
is($sections[0], $default_version, 'CHANGELOG.md starts with default_version');
is_deeply(\@sections, [ reverse @chain ], 'CHANGELOG.md has one section per version, newest first');

done_testing();
