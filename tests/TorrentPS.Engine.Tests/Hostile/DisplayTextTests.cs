using System.Diagnostics;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Text;
using TorrentPS.Engine.Trackers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Hostile;

public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("line\nInfo Hash: 00", "line\\nInfo Hash: 00")]
    [InlineData("a\rb\tc", "a\\rb\\tc")]
    [InlineData("clear\u001b[2Jscreen", "clear\\x1b[2Jscreen")]
    [InlineData("nel\u0085csi\u009b2J", "nel\\x85csi\\x9b2J")]
    [InlineData("evil\u202etxt.exe", "evil\\u202etxt.exe")]
    [InlineData("\u2066iso\u2069 \u200e\u200f\u061c", "\\u2066iso\\u2069 \\u200e\\u200f\\u061c")]
    [InlineData("para\u2028graph\u2029", "para\\u2028graph\\u2029")]
    [InlineData("del\u007f", "del\\x7f")]
    public void Escapes_every_character_a_terminal_would_act_on(string raw, string shown)
        => Assert.Equal(shown, DisplayText.Escape(raw));

    [Fact]
    public void Escapes_a_lone_surrogate_and_keeps_a_pair()
        => Assert.Equal("lone \\ud800 😀", DisplayText.Escape("lone " + '\ud800' + " 😀"));

    [Theory]
    [InlineData("C:\\Torrents\\a.torrent")]
    [InlineData("http://127.0.0.1:6969/announce?x=1&y=2")]
    [InlineData("日本語のファイル 😀")]
    public void Leaves_safe_text_as_it_is(string text)
        => Assert.Same(text, DisplayText.Escape(text));

    [Fact]
    public void Caps_the_length_with_an_ellipsis_and_reads_no_more_than_it_shows()
    {
        var huge = new string('\n', 10_000_000);
        var clock = Stopwatch.StartNew();

        var shown = DisplayText.Escape(huge, 21);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(string.Concat(Enumerable.Repeat("\\n", 10)) + "\u2026", shown);
        Assert.Equal(DisplayText.DefaultMaxLength, DisplayText.Escape(new string('x', 100_000)).Length);
        Assert.Equal("abc", DisplayText.Escape("abc", 3));
        Assert.Equal("ab\u2026", DisplayText.Escape("abcd", 3));
    }

    [Fact]
    public void Never_splits_a_surrogate_pair_or_an_escape()
    {
        Assert.Equal("a\u2026", DisplayText.Escape("a😀b", 3));
        Assert.Equal("a\u2026", DisplayText.Escape("a\u001bb", 4));
    }

    [Fact]
    public void Error_messages_carry_no_control_characters_and_a_bounded_length_while_the_objects_keep_the_raw_text()
    {
        var reason = "go away\n\u001b[2J" + new string('x', 1_000_000);
        var failed = new TrackerFailedException("http://t/\u001b]0;pwned\u0007", reason);
        var magnet = Assert.Throws<InvalidMagnetLinkException>(() => MagnetLink.Parse("magnet:?xt=urn:btih:" + new string('z', 10_000_000)));
        var peer = new PeerProtocolException(null, "client \u009b31m says\r\nhi");

        foreach (var error in new Exception[] { failed, magnet, peer, new BencodeException(3, "bad", "/tmp/a\nb.torrent") })
        {
            Assert.True(DisplayText.IsSafe(error.Message), error.Message);
            Assert.True(error.Message.Length <= DisplayText.MaxMessageLength, $"{error.Message.Length} characters");
        }

        Assert.Equal(reason, failed.Reason);
        Assert.Contains("go away\\n\\x1b[2J", failed.Message, StringComparison.Ordinal);
        Assert.Equal(10_000_020, magnet.Link.Length);
    }

    [Fact]
    public void A_udp_trackers_error_text_shows_escaped()
    {
        var datagram = new byte[] { 0, 0, 0, 3, 0, 0, 0, 1 }.Concat("nope\n\u001b[31m"u8.ToArray()).ToArray();
        var error = new TrackerFailedException("udp://t:1", UdpTrackerProtocol.ReadErrorMessage(datagram));

        Assert.Equal("The tracker 'udp://t:1' failed: nope\\n\\x1b[31m", error.Message);
    }
}
