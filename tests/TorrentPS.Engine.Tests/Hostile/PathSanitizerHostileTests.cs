using System.Diagnostics;
using System.Text;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Hostile;

public sealed class PathSanitizerHostileTests
{
    [Theory]
    [InlineData("next\u0085line.txt", "next_line.txt")]
    [InlineData("csi\u009b2J.txt", "csi_2J.txt")]
    [InlineData("invoice\u202efdp.exe", "invoice_fdp.exe")]
    [InlineData("\u2066x\u2069\u200f\u2028", "_x___")]
    [InlineData("ok 😀.txt", "ok 😀.txt")]
    public void C1_controls_bidirectional_overrides_and_line_separators_become_underscores(string raw, string clean)
        => Assert.Equal(clean, TorrentPathSanitizer.SanitizeSegment(raw));

    [Fact]
    public void A_lone_surrogate_becomes_an_underscore()
        => Assert.Equal("lone_.txt", TorrentPathSanitizer.SanitizeSegment("lone" + '\ud800' + ".txt"));

    [Fact]
    public void An_overlong_segment_is_shortened_in_one_step_keeping_its_extension()
    {
        var raw = new string('é', 5_000_000) + ".mkv";
        var clock = Stopwatch.StartNew();

        var clean = TorrentPathSanitizer.SanitizeSegment(raw)!;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.EndsWith(".mkv", clean, StringComparison.Ordinal);
        Assert.Equal(TorrentPathSanitizer.MaxSegmentBytes, Encoding.UTF8.GetByteCount(clean));
    }

    [Fact]
    public void Shortening_never_splits_a_surrogate_pair()
    {
        var clean = TorrentPathSanitizer.SanitizeSegment("a" + string.Concat(Enumerable.Repeat("😀", 100)))!;

        Assert.True(Encoding.UTF8.GetByteCount(clean) <= TorrentPathSanitizer.MaxSegmentBytes);
        Assert.False(char.IsHighSurrogate(clean[^1]));
        Assert.Equal(clean, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(clean)));
    }
}
