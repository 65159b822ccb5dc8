using TorrentPS.Engine.Tests.Session;
using TorrentPS.Engine.Tests.Storage;

namespace TorrentPS.Engine.Tests.Cli;

/// <summary>
/// The challenge's verbs handshake in the challenge's dialect. Its magnet stages accept only the reserved bytes
/// <c>00 00 00 00 00 10 00 00</c> (the extension protocol, BEP 10) and time out on anything else ("did you send reserved
/// bytes?"); its handshake stage accepts all zeros or that same value. So every verb that handshakes sends exactly
/// <c>00 00 00 00 00 10 00 00</c>: no fast extension (BEP 6) and no DHT bit, which real transfers (Start-TorrentDownload,
/// <c>tps seed</c>) keep. A fake peer records the bytes of every handshake it receives.
/// </summary>
public sealed class ChallengeHandshakeTests : IDisposable
{
    private static readonly byte[] ChallengeReserved = [0, 0, 0, 0, 0, 0x10, 0, 0];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"tps-challenge-{Guid.NewGuid():N}");

    public ChallengeHandshakeTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Handshake_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(1);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("handshake", TorrentFile(torrent), peer.EndPoint.ToString());
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.StartsWith("Peer ID: ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Magnet_handshake_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(2);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("magnet_handshake", Magnet(torrent, peer));
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Contains("Peer Metadata Extension ID: ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Magnet_info_sends_only_the_extension_protocol_bit_not_the_fast_extension()
    {
        using var torrent = Torrent(3);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var (exitCode, stdout, stderr) = await CliRunner.RunAsync("magnet_info", Magnet(torrent, peer), "--timeout", "30");
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Contains($"Info Hash: {torrent.Torrent.Hash.Hex}", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Magnet_download_piece_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(4);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var output = Path.Combine(_folder, "piece-1");
        var (exitCode, _, stderr) = await CliRunner.RunAsync("magnet_download_piece", "-o", output, Magnet(torrent, peer), "1", "--timeout", "30");
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Equal(torrent.Content.AsSpan(16 * 1024, 16 * 1024).ToArray(), await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task Magnet_download_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(5);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var output = Path.Combine(_folder, "whole.bin");
        var (exitCode, _, stderr) = await CliRunner.RunAsync("magnet_download", "-o", output, Magnet(torrent, peer), "--timeout", "30");
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task Download_piece_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(6);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var output = Path.Combine(_folder, "piece-0");
        var (exitCode, _, stderr) = await CliRunner.RunAsync("download_piece", "-o", output, TorrentFile(torrent), "0", "--peer", peer.EndPoint.ToString(), "--timeout", "30");
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Equal(torrent.Content.AsSpan(0, 16 * 1024).ToArray(), await File.ReadAllBytesAsync(output));
    }

    [Fact]
    public async Task Download_sends_only_the_extension_protocol_bit()
    {
        using var torrent = Torrent(7);
        await using var peer = new FakePeer(torrent.Torrent, torrent.Content);
        var output = Path.Combine(_folder, "whole.bin");
        var (exitCode, _, stderr) = await CliRunner.RunAsync("download", "-o", output, TorrentFile(torrent), "--peer", peer.EndPoint.ToString(), "--timeout", "30");
        AssertOnlyChallengeReserved(peer, exitCode, stderr);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(output));
    }

    private static StorageTorrent Torrent(int seed) => StorageTorrent.Single($"challenge-{seed}.bin", (3 * 16 * 1024) + 100, 16 * 1024, seed: 9100 + seed);

    private static string Magnet(StorageTorrent torrent, FakePeer peer) => $"magnet:?xt=urn:btih:{torrent.Torrent.Hash.Hex}&dn=challenge&x.pe={peer.EndPoint}";

    private string TorrentFile(StorageTorrent torrent)
    {
        var path = Path.Combine(_folder, torrent.Torrent.Name + ".torrent");
        // The info dictionary alone (no announce): the peer given is the only one.
        File.WriteAllBytes(path, [.. "d4:info"u8, .. torrent.Torrent.GetRawInfo().Span, (byte)'e']);
        return path;
    }

    private static void AssertOnlyChallengeReserved(FakePeer peer, int exitCode, string stderr)
    {
        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        var received = peer.ReservedBytesReceived;
        Assert.NotEmpty(received);
        Assert.All(received, reserved => Assert.Equal(Convert.ToHexString(ChallengeReserved), Convert.ToHexString(reserved)));
    }
}
