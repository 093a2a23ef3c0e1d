#!/usr/bin/perl
#
# callgrind-entries.pl CALLGRIND_OUT OBJECT_PATTERN [FUNCTION...]
#
# Read one callgrind output file (events: Ir) and print, one per line:
#   total N                 instructions of the whole profile: the part's
#                           "summary:" (every cost line of the file adds up
#                           to it), else "totals:".  Not "totals:" first: in
#                           the profile of a process forked from one under
#                           callgrind and zeroed at a function
#                           (--zero-before), "totals:" also carries a few
#                           hundred thousand instructions inherited from
#                           the parent that no cost line of this process
#                           accounts for (the postmaster's, different with
#                           and without a preloaded library).
#   entered N               instructions spent in calls from outside into an
#                           object whose path matches OBJECT_PATTERN (a Perl
#                           regex), callees included: everything that
#                           object's code cost, whichever way PostgreSQL
#                           entered it (hooks, exit callbacks, SQL functions)
#   entry NAME N            the same, per entry function
#   function NAME N         inclusive instructions of each FUNCTION named on
#                           the command line (sum over its call sites)
#
# The file format is callgrind's (valgrind docs, "Callgrind Format
# Specification"): names are compressed as "(id) name" on first use and
# "(id)" after; a "calls=" line is followed by one line whose second field
# is the call's inclusive cost; cob= applies to the next call only and
# defaults to the current ob=.

use strict;
use warnings;

my ($file, $object_pattern, @functions) = @ARGV;
die "usage: $0 CALLGRIND_OUT OBJECT_PATTERN [FUNCTION...]\n"
  unless defined $object_pattern;

my (%obj_name, %fn_name);
my ($ob, $fn, $cob, $cfn) = ('', '', undef, undef);
my $in_call = 0;
my $total;
my %entry;
my %wanted = map { $_ => 0 } @functions;

# "(id) name" or "(id)" or "name" -> name, remembering ids in %$table
sub name_of
{
	my ($table, $text) = @_;
	if ($text =~ /^\((\d+)\)\s*(.*)$/)
	{
		$table->{$1} = $2 if $2 ne '';
		return $table->{$1} // "id$1";
	}
	return $text;
}

open(my $fh, '<', $file) or die "$file: $!\n";
while (my $line = <$fh>)
{
	chomp $line;
	if ($in_call)
	{
		# the cost line of a call: "POSITION COST"
		my (undef, $cost) = split /\s+/, $line;
		$cost //= 0;
		my $callee_ob = $cob // $ob;
		if ($callee_ob =~ $object_pattern && $ob !~ $object_pattern)
		{
			$entry{$cfn} += $cost;
		}
		$wanted{$cfn} += $cost if exists $wanted{$cfn};
		$in_call = 0;
		$cob = undef;
		next;
	}
	if ($line =~ /^ob=(.*)$/) { $ob = name_of(\%obj_name, $1); }
	elsif ($line =~ /^cob=(.*)$/) { $cob = name_of(\%obj_name, $1); }
	elsif ($line =~ /^fn=(.*)$/) { $fn = name_of(\%fn_name, $1); }
	elsif ($line =~ /^cfn=(.*)$/) { $cfn = name_of(\%fn_name, $1); }
	elsif ($line =~ /^calls=/) { $in_call = 1; }
	elsif ($line =~ /^summary:\s*(\d+)/) { $total = $1; }
	elsif ($line =~ /^totals:\s*(\d+)/) { $total //= $1; }
}
close $fh;

die "$file: no totals line (profile not complete?)\n" unless defined $total;

my $entered = 0;
$entered += $_ for values %entry;
print "total $total\n";
print "entered $entered\n";
print "entry $_ $entry{$_}\n" for sort { $entry{$b} <=> $entry{$a} } keys %entry;
print "function $_ $wanted{$_}\n" for @functions;
