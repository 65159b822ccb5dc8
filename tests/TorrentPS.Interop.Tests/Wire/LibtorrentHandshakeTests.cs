using System.Text;
using TorrentPS.Cli;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

public sealed class LibtorrentHandshakeTests(LibtorrentSeederFixture fixture) : IClassFixture<LibtorrentSeederFixture>
{
    private static HandshakeOptions Options => new HandshakeOptions { LocalAddress = Loopback.NextAddress() }.WithTimeout(TimeSpan.FromSeconds(10));

    [Fact]
    public async Task Handshake_with_libtorrent_names_it_and_reads_its_extension_handshake()
    {
        var options = Options;
        var result = await new PeerHandshaker().HandshakeAsync(fixture.SeederPeer, options);
        Assert.StartsWith("-LT2080-", Encoding.Latin1.GetString(result.Id.AsSpan()));
        Assert.Equal("libtorrent (rasterbar) 2.0.8", result.Client);
        Assert.True(result.SupportsExtensionProtocol);
        Assert.True(result.SupportsFastExtension);
        Assert.NotNull(result.MetadataExtensionId);
        Assert.Equal(fixture.Torrent.Info.GetRawInfo().Length, result.MetadataSize);
        Assert.StartsWith("libtorrent/2.0.8", result.ClientVersion);
        Assert.True(result.RequestQueueLimit > 0);
        Assert.True(result.UploadOnly);
        Assert.Equal(options.LocalAddress?.ToString(), result.YourIp); // libtorrent tells us the address we dialled from
        Assert.Equal("0000000000100005", result.ReservedBits.ToString()); // extension protocol, fast, DHT (libtorrent sets it even with DHT off)
        Assert.True(result.ElapsedSpan > TimeSpan.Zero && result.ElapsedSpan < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_connection_to_libtorrent_reads_its_bitfield_and_unchoke_after_interested()
    {
        var options = Options with { PieceCount = fixture.Torrent.Info.PieceCount };
        await using var connection = await PeerConnection.ConnectAsync(fixture.Seeder.EndPoint, fixture.Torrent.Info.Hash, options);
        await connection.SendSignalAsync(PeerMessageType.Interested);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sawUnchoke = false;
        byte[]? bitfield = null; // a bitfield sent before the extension handshake is replayed by ReadMessageAsync
        while (!sawUnchoke)
        {
            var message = await connection.ReadMessageAsync(timeout.Token);
            sawUnchoke = message.Type == PeerMessageType.Unchoke;
            if (message.Type == PeerMessageType.Bitfield)
            {
                bitfield = message.Payload.ToArray();
            }
        }

        // The seeder has every piece; the codec already checked the size and spare bits against the piece count.
        Assert.NotNull(bitfield);
        Assert.Equal((fixture.Torrent.Info.PieceCount + 7) / 8, bitfield.Length);
        Assert.Equal(fixture.Torrent.Info.PieceCount, bitfield.Sum(b => System.Numerics.BitOperations.PopCount(b)));

        await connection.SendRequestAsync(0, 0, 16384, timeout.Token);
        PeerMessage piece;
        do
        {
            piece = await connection.ReadMessageAsync(timeout.Token);
        }
        while (piece.Type != PeerMessageType.Piece);

        var expected = File.ReadAllBytes(fixture.Torrent.DataPath).AsMemory(0, 16384);
        Assert.Equal((0, 0, 16384), (piece.Index, piece.Begin, piece.Length));
        Assert.True(piece.Payload.Span.SequenceEqual(expected.Span));
    }

    [Fact]
    public async Task Libtorrent_hangs_up_on_an_info_hash_it_does_not_serve()
    {
        var other = new TorrentPeer(fixture.Seeder.EndPoint.Address, fixture.Seeder.EndPoint.Port, TorrentPS.Engine.Metainfo.InfoHash.Compute("other"u8), PeerSource.Manual);
        var ex = await Assert.ThrowsAsync<PeerUnreachableException>(() => new PeerHandshaker().HandshakeAsync(other, Options));
        Assert.Equal(fixture.Seeder.EndPoint, ex.EndPoint);
    }

    [Fact]
    public async Task Tps_handshake_prints_the_peer_id_of_libtorrent()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["handshake", fixture.Torrent.TorrentPath, fixture.Seeder.EndPoint.ToString()], stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        var line = Assert.Single(stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("^Peer ID: 2d4c5432303830[0-9a-f]{26}$", line.TrimEnd('\r'));
    }

    [Fact]
    public async Task Tps_magnet_handshake_prints_the_peer_id_and_its_metadata_extension_id()
    {
        var link = $"magnet:?xt=urn:btih:{fixture.Torrent.Info.Hash.Hex}&dn=wire-test.bin&x.pe={fixture.Seeder.EndPoint}";
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["magnet_handshake", link], stdout, stderr, CancellationToken.None);
        Assert.True(code == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Matches("^Peer ID: 2d4c5432303830[0-9a-f]{26}$", lines[0]);
        Assert.Matches("^Peer Metadata Extension ID: [1-9][0-9]*$", lines[1]);
    }

    [Fact]
    public async Task Tps_handshake_with_a_closed_port_fails_with_exit_code_1()
    {
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["handshake", fixture.Torrent.TorrentPath, $"{address}:{port}"], stdout, stderr, CancellationToken.None);
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout.ToString());
        Assert.Contains("refused", stderr.ToString());
    }

    [Fact]
    public async Task Libtorrent_serves_the_metadata_over_ut_metadata_and_it_hashes_to_the_info_hash()
    {
        await using var connection = await PeerConnection.ConnectAsync(fixture.Seeder.EndPoint, fixture.Torrent.Info.Hash, Options);
        var remote = connection.RemoteExtensionHandshake!;
        var theirId = remote.GetMessageId(ExtensionHandshake.UtMetadata)!.Value;
        var size = remote.MetadataSize!.Value;
        var metadata = new byte[size];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var piece = 0; piece < TorrentPS.Engine.Extensions.UtMetadataMessage.PieceCount(size); piece++)
        {
            var request = new System.Buffers.ArrayBufferWriter<byte>();
            TorrentPS.Engine.Extensions.UtMetadataMessage.WriteRequest(request, piece);
            await connection.SendExtendedAsync(theirId, request.WrittenMemory, timeout.Token);
            while (true)
            {
                var message = await connection.ReadMessageAsync(timeout.Token);
                if (message.Type == PeerMessageType.Extended && message.ExtendedId == ExtensionHandshake.LocalUtMetadataId)
                {
                    var data = TorrentPS.Engine.Extensions.UtMetadataMessage.Decode(message.Payload, size);
                    Assert.Equal((TorrentPS.Engine.Extensions.UtMetadataMessageType.Data, piece), (data.Type, data.Piece));
                    data.Data.Span.CopyTo(metadata.AsSpan(piece * TorrentPS.Engine.Extensions.UtMetadataMessage.PieceLength));
                    break;
                }
            }
        }

        Assert.Equal(2, TorrentPS.Engine.Extensions.UtMetadataMessage.PieceCount(size));
        Assert.Equal(fixture.Torrent.Info.Hash, TorrentPS.Engine.Metainfo.InfoHash.Compute(metadata));
    }
}
