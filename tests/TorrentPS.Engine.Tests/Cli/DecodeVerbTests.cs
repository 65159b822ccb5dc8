using TorrentPS.Cli.Output;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Cli;

public class DecodeVerbTests
{
    [Theory]
    [InlineData("5:hello", "\"hello\"")]
    [InlineData("0:", "\"\"")]
    [InlineData("i52e", "52")]
    [InlineData("i-52e", "-52")]
    [InlineData("i9223372036854775807e", "9223372036854775807")]
    [InlineData("l5:helloi52ee", "[\"hello\",52]")]
    [InlineData("li1e1:ae", "[1,\"a\"]")]
    [InlineData("le", "[]")]
    [InlineData("lli4eei5ee", "[[4],5]")]
    [InlineData("d3:foo3:bar1:ni52ee", "{\"foo\":\"bar\",\"n\":52}")]
    [InlineData("d3:foo3:bar5:helloi52ee", "{\"foo\":\"bar\",\"hello\":52}")]
    [InlineData("de", "{}")]
    [InlineData("d1:bi1e1:ai2ee", "{\"b\":1,\"a\":2}")]
    [InlineData("d4:listl1:ai1ee4:dictd1:x0:ee", "{\"list\":[\"a\",1],\"dict\":{\"x\":\"\"}}")]
    public async Task Prints_the_value_as_compact_json(string bencoded, string json)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("decode", bencoded);
        Assert.Equal(0, exitCode);
        Assert.Equal(json + "\n", stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Escapes_what_json_requires()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("decode", "9:a\"b\\c\nd\te");
        Assert.Equal(0, exitCode);
        Assert.Equal("\"a\\\"b\\\\c\\nd\\te\"\n", stdout);
    }

    [Fact]
    public async Task Counts_string_lengths_in_utf8_bytes_and_prints_text_as_text()
    {
        var (exitCode, stdout, _) = await CliRunner.RunAsync("decode", "6:héllo");
        Assert.Equal(0, exitCode);
        Assert.Equal("\"héllo\"\n", stdout);

        var (tooShort, _, stderr) = await CliRunner.RunAsync("decode", "5:héllo");
        Assert.Equal(1, tooShort);
        Assert.Contains("expected end of input", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_print_one_to_one_as_latin1_escapes()
    {
        var value = new BencodeString(new byte[] { 0x61, 0xff, 0x80, 0x00, 0xc3, 0x22 });
        Assert.Equal("\"a\\u00ff\\u0080\\u0000\\u00c3\\\"\"", BencodeJson.Render(value));
        var list = new BencodeList([new BencodeString(new byte[] { 0xe9 }), new BencodeString("é")]);
        Assert.Equal("[\"\\u00e9\",\"é\"]", BencodeJson.Render(list));
    }

    [Fact]
    public void Binary_strings_print_reversibly()
    {
        var random = new Random(9);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            var json = BencodeJson.Render(new BencodeString(bytes));
            var parsed = System.Text.Json.JsonSerializer.Deserialize<string>(json)!;
            var roundTrip = new BencodeString(bytes).TryGetUtf8(out var text)
                ? System.Text.Encoding.UTF8.GetBytes(parsed)
                : parsed.Select(c => (byte)c).ToArray();
            Assert.Equal(bytes, roundTrip);
            if (text.Length == 0 && bytes.Length > 0)
            {
                Assert.All(parsed, c => Assert.True(c <= '\u00ff'));
            }
        }
    }

    [Theory]
    [InlineData("i03e", "tps decode: Invalid bencode at byte 1: integer has a leading zero")]
    [InlineData("i-0e", "tps decode: Invalid bencode at byte 1: negative zero")]
    [InlineData("l", "tps decode: Invalid bencode at byte 1: expected 'e' to end the list")]
    [InlineData("i1ei2e", "tps decode: Invalid bencode at byte 3: expected end of input")]
    public async Task Malformed_input_fails_with_one_line_on_stderr(string bencoded, string message)
    {
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("decode", bencoded);
        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Wrong_argument_count_is_a_usage_error()
    {
        var (none, stdout, stderr) = await CliRunner.RunAsync("decode");
        Assert.Equal(2, none);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("Usage: tps decode <bencoded value>", stderr, StringComparison.Ordinal);

        var (two, _, _) = await CliRunner.RunAsync("decode", "i1e", "i2e");
        Assert.Equal(2, two);
    }
}
