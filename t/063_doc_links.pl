# The documentation holds together: in README.md, doc/*.md, test/README.md,
# fuzz/README.md and CHANGELOG.md every relative link leads to a file or
# directory of the tree, every #anchor to a heading of its target (anchors
# computed as GitHub computes them), every heading is unique within its file
# (no "#performance-1"), and every Markdown table is well-formed: a header,
# a delimiter row, and rows with exactly the header's number of cells, each
# row starting with "|".  Fenced
# and indented code is not Markdown and is skipped.  No cluster, no network.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Spec;
use Test::More;

my $top = abs_path(dirname(__FILE__) . '/..');

sub read_text
{
	my ($path) = @_;
	open(my $fh, '<:encoding(UTF-8)', $path) or die "cannot read $path: $!";
	local $/;
	return scalar <$fh>;
}

# The lines of a Markdown file that are Markdown: [line number, text] with
# fenced code blocks and indented code blocks left out.
sub markdown_lines
{
	my ($text) = @_;
	my @out;
	my ($fence, $prev_blank, $in_indented) = (undef, 1, 0);
	my $n = 0;
	foreach my $line (split /\n/, $text, -1)
	{
		$n++;
		if (defined $fence)
		{
			undef $fence if $line =~ /^\s{0,3}\Q$fence\E[`~]*\s*$/;
			next;
		}
		if ($line =~ /^\s{0,3}(```+|~~~+)/)
		{
			$fence = $1;
			next;
		}
		if ($line =~ /^(?: {4}|\t)/ && ($prev_blank || $in_indented))
		{
			$in_indented = 1;
			next;
		}
		$in_indented = 0 unless $line =~ /^\s*$/;
		$prev_blank = $line =~ /^\s*$/;
		push @out, [ $n, $line ];
	}
	return @out;
}

# GitHub's anchor of a heading: the text as rendered (code marks, emphasis
# and link targets gone), lower case, every character but letters, digits,
# '_', '-' and spaces removed, each space a '-'.
sub slug
{
	my ($heading) = @_;
	my $t = $heading;
	$t =~ s/\[([^\]]*)\]\([^)]*\)/$1/g;
	$t =~ s/[`*]//g;
	$t =~ s/<[^>]+>//g;
	$t = lc $t;
	$t =~ s/[^\p{L}\p{N}\p{M}_\- ]//g;
	$t =~ s/ /-/g;
	return $t;
}

# Inline code spans hold no links: blank them out (same length).
sub without_code_spans
{
	my ($line) = @_;
	$line =~ s/(`+)(.+?)\1/' ' x (length($1) * 2 + length($2))/ge;
	return $line;
}

# cells of a table row, GitHub's way: outer pipes dropped, split at every
# pipe not escaped with a backslash (code spans do not protect a pipe)
sub cells
{
	my ($row) = @_;
	$row =~ s/^\s*\|//;
	$row =~ s/(?<!\\)\|\s*$//;
	return scalar(my @c = split /(?<!\\)\|/, $row, -1);
}

my @files = ('README.md', 'CHANGELOG.md', 'test/README.md', 'fuzz/README.md');
opendir(my $dh, "$top/doc") or die "cannot list doc/: $!";
push @files, map { "doc/$_" } sort grep { /\.md$/ } readdir $dh;
closedir $dh;
ok(scalar(grep { m{^doc/} } @files) >= 8, 'doc/ holds the reference, one file per part');

# every file's anchors first (links may point forward)
my (%anchors, %parsed);
foreach my $file (@files)
{
	my @lines = markdown_lines(read_text("$top/$file"));
	$parsed{$file} = \@lines;
	my (%seen, @dups);
	foreach (@lines)
	{
		my ($n, $line) = @$_;
		next unless $line =~ /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
		my $s = slug($1);
		push @dups, "line $n: \"$1\" (#$s)" if $seen{$s}++;
		$anchors{$file}{ $s . ($seen{$s} > 1 ? '-' . ($seen{$s} - 1) : '') } = 1;
	}
	ok(!@dups, "$file: every heading is unique") or diag(join("\n", @dups));
}

foreach my $file (@files)
{
	my $dir = dirname($file);
	my (@bad_links, @bad_tables);
	my $nlinks = 0;
	my @lines = @{ $parsed{$file} };

	for (my $i = 0; $i < @lines; $i++)
	{
		my ($n, $line) = @{ $lines[$i] };
		my $text = without_code_spans($line);
		my @targets;
		push @targets, $1 while $text =~ /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
		push @targets, $1 if $text =~ /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
		foreach my $target (@targets)
		{
			next if $target =~ m{^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)};
			$nlinks++;
			my ($path, $anchor) = $target =~ /^([^#]*)(?:#(.*))?$/;
			my $to = $file;
			if ($path ne '')
			{
				$to = File::Spec->canonpath($dir eq '.' ? $path : "$dir/$path");
				1 while $to =~ s{(^|/)(?!\.\.(?:/|$))[^/]+/\.\.(?:/|$)}{$1};
				if ($to =~ m{^\.\.(?:/|$)} || !-e "$top/$to")
				{
					push @bad_links, "line $n: $target (no file $to)";
					next;
				}
			}
			next unless defined $anchor;
			if (!exists $anchors{$to})
			{
				push @bad_links, "line $n: $target (anchor into $to, which is not checked Markdown)";
			}
			elsif (!$anchors{$to}{$anchor})
			{
				push @bad_links, "line $n: $target (no heading of $to has the anchor #$anchor)";
			}
		}

	}

	# tables: a row of pipes followed by a delimiter row
	for (my $i = 0; $i < @lines; $i++)
	{
		my $line = $lines[$i][1];
		# GitHub also takes rows without outer pipes: this tree writes them
		if ($line =~ /\|/ && $line !~ /^\s*\|/ && $i + 1 < @lines
			&& $lines[ $i + 1 ][1] =~ /^\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$/)
		{
			push @bad_tables, "line $lines[$i][0]: a table whose rows do not start with |";
			next;
		}
		next unless $line =~ /^\s*\|/;
		my @block = ($lines[$i]);
		while ($i + 1 < @lines && $lines[ $i + 1 ][1] =~ /^\s*\|/
			&& $lines[ $i + 1 ][0] == $block[-1][0] + 1)
		{
			push @block, $lines[ ++$i ];
		}
		my ($hn, $header) = @{ $block[0] };
		if (@block < 2 || $block[1][1] !~ /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/)
		{
			push @bad_tables, "line $hn: a row of cells without a header and delimiter row";
			next;
		}
		my $want = cells($header);
		foreach my $row (@block[ 1 .. $#block ])
		{
			my $got = cells($row->[1]);
			push @bad_tables, "line $row->[0]: $got cells, the header (line $hn) has $want"
			  if $got != $want;
		}
	}
	ok(!@bad_links, "$file: every relative link and anchor resolves ($nlinks links)")
	  or diag(join("\n", @bad_links));
	ok(!@bad_tables, "$file: every table is well-formed") or diag(join("\n", @bad_tables));
}

# The front door stays a front door, and it leads to every part.
my $readme = read_text("$top/README.md");
my $readme_lines = () = $readme =~ /\n/g;
cmp_ok($readme_lines, '<=', 450, "README.md is a front door ($readme_lines lines)");
my @unlinked = grep { m{^doc/} && index($readme, "($_") < 0 } @files;
is_deeply(\@unlinked, [], 'README.md links to every file of doc/');

done_testing();
