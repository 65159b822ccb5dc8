using System.Text;
using TorrentPS.Engine.LocalDiscovery;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.LocalDiscovery;

public sealed class BtSearchMessageTests
{
    private const string HashA = "cf1a5502794bbbd5aff203cdc18519d15416fa04";
    private const string HashB = "0123456789abcdef0123456789abcdef01234567";

    private static BtSearchMessage Parse(string text) => BtSearchMessage.Parse(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void An_announce_is_written_as_BEP_14_lays_it_out()
    {
        var message = new BtSearchMessage("239.192.152.143:6771", 6881, [InfoHash.Parse(HashA), InfoHash.Parse(HashB)], "abc123");

        Assert.Equal(
            $"BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: {HashA}\r\nInfohash: {HashB}\r\ncookie: abc123\r\n\r\n\r\n",
            Encoding.ASCII.GetString(message.ToArray()));
    }

    [Fact]
    public void What_we_write_reads_back()
    {
        var written = new BtSearchMessage("[ff15::efc0:988f]:6771", 65535, [InfoHash.Parse(HashB)], "c00k1e").ToArray();

        var read = BtSearchMessage.Parse(written);

        Assert.Equal(("[ff15::efc0:988f]:6771", 65535, "c00k1e"), (read.Host, read.Port, read.Cookie));
        Assert.Equal([InfoHash.Parse(HashB)], read.InfoHashes);
    }

    [Fact]
    public void An_announce_without_a_cookie_in_upper_case_hex_with_LF_line_ends_and_other_headers_is_read()
    {
        var read = Parse($"BT-SEARCH * HTTP/1.1\nhost: 239.192.152.143:6771\nPORT:51413\nX-Extra: whatever it is\ninfohash: {HashA.ToUpperInvariant()}\n\n");

        Assert.Equal((51413, (string?)null), (read.Port, read.Cookie));
        Assert.Equal([InfoHash.Parse(HashA)], read.InfoHashes);
    }

    [Fact]
    public void A_datagram_that_ends_after_the_last_header_is_read()
        => Assert.Equal(6881, Parse($"BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 6881\r\nInfohash: {HashA}\r\n").Port);

    [Fact]
    public void A_repeated_infohash_is_read_once()
        => Assert.Equal([InfoHash.Parse(HashA), InfoHash.Parse(HashB)], Parse($"BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: {HashA}\r\nInfohash: {HashB}\r\nInfohash: {HashA}\r\n\r\n").InfoHashes);

    [Theory]
    [InlineData("", "an empty datagram")]
    [InlineData("NOTIFY * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "the first line")]
    [InlineData("bt-search * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "the first line")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "no Host header")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nInfohash: " + HashA + "\r\n\r\n", "no Port header")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\n\r\n", "no Infohash header")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 0\r\nInfohash: " + HashA + "\r\n\r\n", "not a number from 1 to 65535")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 65536\r\nInfohash: " + HashA + "\r\n\r\n", "not a number from 1 to 65535")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: +80\r\nInfohash: " + HashA + "\r\n\r\n", "not a number from 1 to 65535")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 000080\r\nInfohash: " + HashA + "\r\n\r\n", "not a number from 1 to 65535")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nPort: 2\r\nInfohash: " + HashA + "\r\n\r\n", "two Port headers")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nHost: y:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "two Host headers")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\ncookie: a\r\ncookie: b\r\n\r\n", "two cookie headers")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: cf1a5502794bbbd5aff203cdc18519d15416fa0\r\n\r\n", "not 40 hex digits")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: zf1a5502794bbbd5aff203cdc18519d15416fa04\r\n\r\n", "not 40 hex digits")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ\r\n\r\n", "not 40 hex digits")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: a b\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "the Host")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost:\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "the Host")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nno colon here\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "line 3 is not a header")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\nsmuggled: yes\r\n", "text after the empty line")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x\r:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\r\n", "a carriage return inside line 2")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: " + HashA + "\r\n\u0007\r\n", "byte 0x07")]
    public void Malformed_datagrams_are_typed_errors_that_say_what_is_wrong(string text, string reason)
    {
        var error = Assert.Throws<InvalidLocalDiscoveryMessageException>(() => Parse(text));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal("InvalidLocalDiscoveryMessage", error.ErrorId);
    }

    [Fact]
    public void A_byte_outside_ASCII_is_refused()
    {
        var bytes = Encoding.ASCII.GetBytes($"BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: {HashA}\r\n\r\n");
        bytes[25] = 0xC3;

        Assert.Throws<InvalidLocalDiscoveryMessageException>(() => BtSearchMessage.Parse(bytes));
    }

    [Fact]
    public void A_datagram_over_the_size_limit_is_refused_before_it_is_read()
    {
        var text = $"BT-SEARCH * HTTP/1.1\r\nHost: x:1\r\nPort: 1\r\nInfohash: {HashA}\r\nX-Padding: {new string('a', BtSearchMessage.MaxDatagramLength)}\r\n\r\n";

        var error = Assert.Throws<InvalidLocalDiscoveryMessageException>(() => Parse(text));

        Assert.Contains($"at most {BtSearchMessage.MaxDatagramLength}", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void As_many_torrents_as_fit_in_1400_bytes_are_written_and_one_more_is_refused()
    {
        const string host = "[ff15::efc0:988f]:6771";
        const string cookie = "0123456789abcdef";
        var fit = BtSearchMessage.MaxInfoHashes(host, cookie);
        var hashes = Enumerable.Range(0, fit + 1).Select(i => new InfoHash(Enumerable.Repeat((byte)i, 20).ToArray())).ToArray();

        var full = new BtSearchMessage(host, 65535, hashes[..fit], cookie).ToArray();

        Assert.InRange(full.Length, BtSearchMessage.MaxWrittenLength - 52, BtSearchMessage.MaxWrittenLength);
        Assert.Equal(fit, BtSearchMessage.Parse(full).InfoHashes.Count);
        Assert.Throws<InvalidOperationException>(() => new BtSearchMessage(host, 65535, hashes, cookie).ToArray());
    }

    [Fact]
    public void A_message_to_send_is_checked()
    {
        var hash = InfoHash.Parse(HashA);
        Assert.Throws<ArgumentException>(() => new BtSearchMessage("x:1", 1, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BtSearchMessage("x:1", 0, [hash]));
        Assert.Throws<ArgumentException>(() => new BtSearchMessage("x 1", 1, [hash]));
        Assert.Throws<ArgumentException>(() => new BtSearchMessage("x:1", 1, [hash], "has\r\nnewline"));
    }
}
