#!/usr/bin/perl
#
# tools/typedefs.pl: prints the typedefs list pgindent needs for our C files
# (tools/typedefs.list; `make indent` writes it, `make indent-check` checks
# that it is current).  Sorted, one name a line, made of three parts:
#
#   - the typedef names our own files define (typedef ... NAME; and
#     typedef RET (*NAME)(...); in the files given);
#   - the names of PostgreSQL's typedefs list (--pg-list, the buildfarm's
#     src/tools/pgindent/typedefs.list of the source tarball) that our files
#     use;
#   - the typedef names OpenSSL's headers define (--openssl-include, every
#     *.h below it) that our files use.
#
# "Use" means the name appears as an identifier in the code (comments, string
# literals and #include lines removed).  A name in the list makes
# pg_bsd_indent format every use of the word as a type, so PostgreSQL's and
# OpenSSL's names are left out where our code also uses them otherwise: as a
# member (RegistrySlot's "text": "char text[N]" would become
# "char text[\tN]", "slot->text + at" "slot->text +at"), a pointer variable
# ("const char *decimal", an ecpg type in PostgreSQL's list) or a variable
# after a type.  The price: while "text" is out, a parameter "text *arg"
# formats as "text * arg".  Also left out are the names pgindent itself
# drops from any list.  --extra NAME adds a name by hand.
#
# Usage: tools/typedefs.pl --pg-list FILE --openssl-include DIR... FILE...

use strict;
use warnings;
use File::Find;
use Getopt::Long;

my ($pg_list, @openssl_dirs, @extra);
GetOptions(
	'pg-list=s' => \$pg_list,
	'openssl-include=s' => \@openssl_dirs,
	'extra=s' => \@extra)
  or die "usage: $0 --pg-list FILE --openssl-include DIR... FILE...\n";
die "$0: --pg-list is required\n" unless defined $pg_list;
die "$0: --openssl-include is required\n" unless @openssl_dirs;
die "$0: no source files given\n" unless @ARGV;

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$0: cannot read $path: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	return $text;
}

# The code without comments, string and character literals.
sub code_of
{
	my ($text) = @_;
	$text =~ s{
		(/\*.*?\*/) | (//[^\n]*) | ("(?:\\.|[^"\\\n])*") | ('(?:\\.|[^'\\\n])*')
	}{ defined $1 || defined $2 ? ' ' : '""' }gsex;
	return $text;
}

# Names defined by typedef statements (top level or nested, any braces).
sub typedefs_in
{
	my ($code) = @_;
	my @names;

	# Preprocessor lines are not statements.
	$code =~ s/^[ \t]*#(?:[^\n]*\\\n)*[^\n]*//mg;
	while ($code =~ /\btypedef\b/g)
	{
		my $start = pos($code);
		my $depth = 0;
		my $end;
		for (my $i = $start; $i < length($code); $i++)
		{
			my $c = substr($code, $i, 1);
			if ($c eq '{' || $c eq '(') { $depth++; }
			elsif ($c eq '}' || $c eq ')') { $depth--; }
			elsif ($c eq ';' && $depth == 0) { $end = $i; last; }
		}
		last unless defined $end;
		my $stmt = substr($code, $start, $end - $start);
		pos($code) = $end;

		# Drop bodies so only the declarators remain.
		1 while $stmt =~ s/\{[^{}]*\}/ /s;
		if ($stmt =~ /\(\s*\*?\s*([A-Za-z_]\w*)\s*\)\s*\(/)
		{
			push(@names, $1);    # function (pointer) type
			next;
		}
		$stmt =~ s/\[[^\]]*\]//g;
		$stmt =~ s/\([^()]*\)//g while $stmt =~ /\([^()]*\)/;
		# typedef A B, *C;
		foreach my $decl (split(/,/, $stmt))
		{
			push(@names, $1) if $decl =~ /([A-Za-z_]\w*)\s*$/;
		}
	}
	return @names;
}

# pgindent's own %excluded (it drops them from any list).
my @not_types = qw(
  ANY FD_SET U abs allocfunc boolean date digit ilist interval iterator other
  pointer printfunc reference string timestamp type wrap
);

my %ours;
my %used;
my %not_type;
foreach my $file (@ARGV)
{
	my $code = code_of(slurp($file));
	$ours{$_} = 1 foreach typedefs_in($code);
	$code =~ s/^[ \t]*#[ \t]*include\b[^\n]*//mg;
	$used{$_} = 1 foreach $code =~ /\b([A-Za-z_]\w*)\b/g;

	# Names our code uses as something else than a type: a member
	# (x->text, x.text), a pointer variable or its dereference (*decimal),
	# a variable declared after a type (char text[...]).
	$not_type{$_} = 1 foreach $code =~ /(?:->|\.)\s*([A-Za-z_]\w*)/g;
	$not_type{$_} = 1
	  foreach $code =~ /\*\s*([A-Za-z_]\w*)\s*(?=[,;)=\[])/g;
	$not_type{$_} = 1
	  foreach $code =~
	  /\b(?!(?:return|case|goto|else|sizeof|typedef)\b)[A-Za-z_]\w*\s+([A-Za-z_]\w*)\s*(?=[,;)=\[])/g;
}

my %names = %ours;

open(my $pg, '<', $pg_list) or die "$0: cannot read $pg_list: $!\n";
while (my $name = <$pg>)
{
	chomp $name;
	$names{$name} = 1 if $used{$name} && !$not_type{$name};
}
close($pg);

my @headers;
find(
	sub { push(@headers, $File::Find::name) if /\.h\z/ && -f $_ },
	grep { -d $_ } @openssl_dirs);
die "$0: no OpenSSL headers under @openssl_dirs\n" unless @headers;
foreach my $header (sort @headers)
{
	foreach my $name (typedefs_in(code_of(slurp($header))))
	{
		$names{$name} = 1 if $used{$name} && !$not_type{$name};
	}
}

delete $names{$_} foreach @not_types;
$names{$_} = 1 foreach @extra;

print "$_\n" foreach sort keys %names;
