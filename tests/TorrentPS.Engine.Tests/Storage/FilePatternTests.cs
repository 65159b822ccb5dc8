using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Tests.Storage;

/// <summary>File patterns match paths as PowerShell's -like does (wildcards, sets, ranges, backtick escapes, no case).</summary>
public class FilePatternTests
{
    [Theory]
    [InlineData("*.mkv", "Season 1/Episode 01.mkv", true)] // '*' crosses folders, as -like's does
    [InlineData("*.mkv", "Episode 01.MKV", true)] // case is ignored
    [InlineData("*.mkv", "Episode 01.mkv.part", false)] // the whole path must match
    [InlineData("Season 1/*", "Season 1/a/b.txt", true)]
    [InlineData("Season 1/*", "Season 10/a.txt", false)]
    [InlineData("Episode 0?.mkv", "Episode 01.mkv", true)]
    [InlineData("Episode 0?.mkv", "Episode 1.mkv", false)]
    [InlineData("[a-c]*", "Beta.txt", true)]
    [InlineData("[a-c]*", "delta.txt", false)]
    [InlineData("[bn]ook", "nook", true)]
    [InlineData("[!x]rite", "write", false)] // no negation: '!' is a member of the set
    [InlineData("[!x]rite", "!rite", true)]
    [InlineData("a`*b", "a*b", true)] // a backtick makes the next character literal
    [InlineData("a`*b", "axb", false)]
    [InlineData("a`[1`].txt", "a[1].txt", true)]
    [InlineData("x]", "x]", true)] // a lone ']' is a plain character
    [InlineData("sub\\*.txt", "sub/a.txt", true)] // a backslash stands for '/'
    [InlineData("*", "", true)]
    [InlineData("**a**", "bab", true)]
    [InlineData("*a*b*c", "xaybzc", true)]
    [InlineData("*a*b*c", "xaybz", false)]
    [InlineData("ä*", "Ärger.txt", true)]
    public void A_pattern_matches_the_whole_path_as_like_does(string pattern, string path, bool matches)
        => Assert.Equal(matches, FilePattern.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData("a[bc")]
    [InlineData("[z-a]")]
    [InlineData("trailing`")]
    public void An_unterminated_set_a_backwards_range_or_a_dangling_backtick_is_refused_with_a_typed_error(string pattern)
    {
        var error = Assert.Throws<TorrentPSException>(() => FilePattern.Parse(pattern));
        Assert.Equal("InvalidFilePattern", error.ErrorId);
        Assert.Equal(TorrentErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(pattern, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Matching_stays_fast_on_patterns_with_many_stars()
    {
        var pattern = FilePattern.Parse(string.Concat(Enumerable.Repeat("*a", 30)) + "*b");
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(pattern.IsMatch(new string('a', 5000)));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2), started.Elapsed.ToString());
    }
}
