#!/usr/bin/perl
#
# exporter_queries.pl DIR: every query the shipped exporter configurations
# run (monitoring/postgres_exporter.yml, monitoring/sql_exporter.yml), read
# from those files, one pgbench script each: DIR/EXPORTER.NAME.sql, and
# DIR/list with a line "EXPORTER NAME RUNS" per script, RUNS being how
# often one scrape (postgres_exporter) or one job interval (sql_exporter)
# runs it: sql_exporter runs a query shared through query_ref once per
# metric that names it.  NAME is the postgres_exporter section, or
# sql_exporter's query name (a metric's own query) or query_ref.
use strict;
use warnings;
use File::Basename qw(dirname);
use YAML::XS ();

my $dir = shift or die "usage: exporter_queries.pl DIR\n";
my $monitoring = dirname(__FILE__) . '/../monitoring';
my (@order, %sql, %runs);

sub add
{
	my ($exporter, $name, $query) = @_;
	my $key = "$exporter.$name";
	push @order, [ $exporter, $name ] unless exists $runs{$key};
	$runs{$key}++;
	$sql{$key} = $query if defined $query;
}

my $pe = YAML::XS::LoadFile("$monitoring/postgres_exporter.yml");
foreach my $name (sort keys %$pe)
{
	next unless ref $pe->{$name} eq 'HASH' && defined $pe->{$name}{query};
	add('postgres_exporter', $name, $pe->{$name}{query});
}

# postgres_exporter runs the sections in no fixed order; the file's order
# reads better
my $text = do { local (@ARGV, $/) = "$monitoring/postgres_exporter.yml"; <> };
my %pos;
$pos{$1} = $-[0] while $text =~ /^(\w+):$/mg;
@order = sort { ($pos{ $a->[1] } // 0) <=> ($pos{ $b->[1] } // 0) } @order;

my $se = YAML::XS::LoadFile("$monitoring/sql_exporter.yml");
foreach my $job (@{ $se->{jobs} })
{
	foreach my $q (@{ $job->{queries} })
	{
		if (defined $q->{query})
		{
			add('sql_exporter', $q->{name}, $q->{query});
		}
		elsif (defined $q->{query_ref})
		{
			die "sql_exporter.yml: query_ref $q->{query_ref} has no query\n"
			  unless defined $se->{queries}{ $q->{query_ref} };
			add('sql_exporter', $q->{query_ref}, $se->{queries}{ $q->{query_ref} });
		}
	}
}

open my $list, '>', "$dir/list" or die "$dir/list: $!\n";
foreach my $e (@order)
{
	my $key = "$e->[0].$e->[1]";
	my $query = $sql{$key};
	$query =~ s/\s+$//;
	$query .= ';' unless $query =~ /;$/;
	open my $f, '>', "$dir/$key.sql" or die "$dir/$key.sql: $!\n";
	print $f "$query\n";
	close $f;
	print $list "$e->[0] $e->[1] $runs{$key}\n";
}
close $list;
