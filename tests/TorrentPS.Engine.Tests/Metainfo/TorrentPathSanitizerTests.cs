using System.Text;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

public class TorrentPathSanitizerTests
{
    /// <summary>Path segment lists a hostile torrent could carry.</summary>
    public static TheoryData<string[]> HostilePaths => new()
    {
        new[] { ".." },
        new[] { "..", "..", "..", "etc", "passwd" },
        new[] { "a", "..", "..", "b" },
        new[] { "/etc/passwd" },
        new[] { "/", "etc", "passwd" },
        new[] { "\\\\server\\share\\x" },
        new[] { "C:\\Windows\\System32\\x.dll" },
        new[] { "C:", "x" },
        new[] { "..\\..\\x" },
        new[] { "../../x" },
        new[] { "a/../../../x" },
        new[] { "", "", "x" },
        new[] { ".", "..", "." },
        new[] { "x\0y" },
        new[] { "\0" },
        new[] { "..\0" },
        new[] { "...." },
        new[] { ". ." },
        new[] { "~", "x" },
        new[] { "CON" },
        new[] { "con.txt" },
        new[] { "LPT1", "COM9.log" },
        new[] { "aux " },
        new[] { "nul.tar.gz" },
        new[] { "COM\u00b9" },
        new[] { "trailing. . ." },
        new[] { "tab\there", "new\nline" },
        new[] { "a:b*c?d\"e<f>g|h" },
        new[] { new string('x', 5000) + ".txt" },
        new[] { new string('é', 300) },
        new[] { "日本語", "..", "ファイル" },
        new[] { "\u202e" + "gpj.exe" },
        Array.Empty<string>(),
    };

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Sanitised_hostile_paths_stay_strictly_inside_the_destination(string[] segments)
    {
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        var clean = TorrentPathSanitizer.SanitizeSegments(segments);
        Assert.NotEmpty(clean);
        foreach (var segment in clean)
        {
            Assert.False(string.IsNullOrEmpty(segment));
            Assert.NotEqual(".", segment);
            Assert.NotEqual("..", segment);
            Assert.False(Path.IsPathRooted(segment), $"'{segment}' is rooted");
            Assert.DoesNotContain('/', segment);
            Assert.DoesNotContain('\\', segment);
            Assert.DoesNotContain('\0', segment);
            Assert.DoesNotContain(':', segment);
            Assert.True(segment.All(c => c >= 0x20 && c != 0x7f), $"'{segment}' holds a control character");
            Assert.False(segment.EndsWith('.') || segment.EndsWith(' '), $"'{segment}' ends with a dot or space");
            Assert.InRange(Encoding.UTF8.GetByteCount(segment), 1, TorrentPathSanitizer.MaxSegmentBytes);
            Assert.DoesNotContain(segment.Split('.')[0].TrimEnd(' ').ToUpperInvariant(), new[] { "CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "COM\u00b9" });
        }

        var full = TorrentPathSanitizer.Combine(destination, clean);
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        Assert.StartsWith(root, full, StringComparison.Ordinal);
        Assert.Equal(clean.Count, Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar).Length);
    }

    [Theory]
    [InlineData("..", null)]
    [InlineData(".", null)]
    [InlineData("", null)]
    [InlineData("ok.txt", "ok.txt")]
    [InlineData("a/b", "a_b")]
    [InlineData("a\\b", "a_b")]
    [InlineData("CON", "_CON")]
    [InlineData("con.txt", "_con.txt")]
    [InlineData("Nul", "_Nul")]
    [InlineData("CONSOLE", "CONSOLE")]
    [InlineData("COM10", "COM10")]
    [InlineData("file. ", "file")]
    [InlineData("...", "_")]
    [InlineData("x\0", "x_")]
    [InlineData(".hidden", ".hidden")]
    [InlineData("..x", "..x")]
    [InlineData(" lead", " lead")]
    public void Sanitises_one_segment(string input, string? expected)
        => Assert.Equal(expected, TorrentPathSanitizer.SanitizeSegment(input));

    [Fact]
    public void Overlong_segments_are_shortened_keeping_the_extension()
    {
        var clean = TorrentPathSanitizer.SanitizeSegment(new string('a', 1000) + ".mkv")!;
        Assert.EndsWith(".mkv", clean, StringComparison.Ordinal);
        Assert.Equal(TorrentPathSanitizer.MaxSegmentBytes, Encoding.UTF8.GetByteCount(clean));
    }

    [Fact]
    public void Shortening_never_splits_a_surrogate_pair()
    {
        var clean = TorrentPathSanitizer.SanitizeSegment(string.Concat(Enumerable.Repeat("😀", 200)))!;
        Assert.True(Encoding.UTF8.GetByteCount(clean) <= TorrentPathSanitizer.MaxSegmentBytes);
        Assert.Equal(clean, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(clean)));
        Assert.False(char.IsHighSurrogate(clean[^1]));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("..|x")]
    [InlineData("a|..|..|x")]
    [InlineData("/etc/passwd")]
    [InlineData("a|/etc/passwd")]
    [InlineData(".")]
    public void Combine_refuses_unsanitised_segments_that_would_leave_or_be_the_destination(string path)
    {
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        var error = Assert.Throws<InvalidTorrentException>(() => TorrentPathSanitizer.Combine(destination, path.Split('|')));
        Assert.Equal("InvalidTorrent", error.ErrorId);
    }

    [Fact]
    public void Combine_refuses_a_sibling_folder_that_shares_the_destination_prefix()
    {
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        Assert.Throws<InvalidTorrentException>(() => TorrentPathSanitizer.Combine(destination, ["..", "tps-dest-evil", "x"]));
    }

    [Fact]
    public void Combine_refuses_nul_and_empty_lists()
    {
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        Assert.Throws<InvalidTorrentException>(() => TorrentPathSanitizer.Combine(destination, ["a\0b"]));
        Assert.Throws<ArgumentException>(() => TorrentPathSanitizer.Combine(destination, []));
    }

    [Fact]
    public void Combine_joins_sanitised_segments_below_the_destination()
    {
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        Assert.Equal(Path.Combine(Path.GetFullPath(destination), "a", "b.txt"), TorrentPathSanitizer.Combine(destination, ["a", "b.txt"]));
        Assert.Equal(Path.Combine(Path.GetFullPath(destination), "a", "b.txt"), TorrentPathSanitizer.Combine(destination + Path.DirectorySeparatorChar, ["a", "b.txt"]));
    }

    [Fact]
    public void Random_segments_never_escape()
    {
        var random = new Random(3);
        const string alphabet = "./\\:\0 ~aZ.COMLPTNUL1\u00b9\n";
        var destination = Path.Combine(Path.GetTempPath(), "tps-dest");
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        for (var i = 0; i < 3000; i++)
        {
            var segments = Enumerable.Range(0, random.Next(0, 5))
                .Select(_ => new string(Enumerable.Range(0, random.Next(0, 8)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))
                .ToArray();
            var full = TorrentPathSanitizer.Combine(destination, TorrentPathSanitizer.SanitizeSegments(segments));
            Assert.StartsWith(root, full, StringComparison.Ordinal);
        }
    }
}
