using System.Text;
using TorrentPS.Engine.Tests.Seeding;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// A seeder against connections that hold its slots or flood it (issue 19, 4 and 5): idle connections give way to an
/// honest downloader, and a peer asking for the metadata without reading costs the seeder one answer, not one per request.
/// </summary>
public sealed class SeederSlotTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connections_that_handshake_and_then_say_nothing_do_not_keep_an_honest_downloader_out()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        var idle = new List<FakeDownloader>();
        try
        {
            // Twice the seeder's 50 slots: connections that handshake, then say nothing (half send a keep-alive now and then).
            for (var i = 0; i < 100; i++)
            {
                idle.Add(await seeder.ConnectFakeAsync());
            }

            await seeder.WaitForPeersAsync(50, Wait);
            using var keepAlives = new CancellationTokenSource();
            var sending = Task.Run(async () =>
            {
                while (!keepAlives.IsCancellationRequested)
                {
                    foreach (var peer in idle.Where((_, i) => i % 2 == 0))
                    {
                        await peer.SendAsync([0, 0, 0, 0]).ContinueWith(_ => { }, TaskScheduler.Default);
                    }

                    await Task.Delay(1000, keepAlives.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });

            var result = await seeder.DownloadAsync(Wait);

            Assert.Equal(seeder.Info.Length, result.Downloaded);
            Assert.InRange(seeder.Torrent.Status.PeersConnected, 0, 50);
            keepAlives.Cancel();
            await sending;
        }
        finally
        {
            foreach (var peer in idle)
            {
                await peer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_peer_asking_for_the_metadata_without_reading_gets_each_piece_once_in_flight_not_once_a_request()
    {
        await using var seeder = await LoopbackSeeder.StartAsync();
        await using var flooder = await FakeDownloader.ConnectAsync(seeder.EndPoint, seeder.Info.Hash, receiveBuffer: 4096, extensions: true);
        const int requests = 200_000;
        var request = FakeDownloader.Extended(ExtensionHandshake.LocalUtMetadataId, "d8:msg_typei0e5:piecei0ee"u8.ToArray());
        var flood = new byte[request.Length * requests];
        for (var i = 0; i < requests; i++)
        {
            request.CopyTo(flood, i * request.Length);
        }

        // Our extension handshake (ut_metadata as 3), every request at once, then a second handshake naming a listen
        // port: once the seeder knows that address, it has handled every request before it. Nothing is read until then.
        await flooder.SendAsync(
            FakeDownloader.Extended(0, Encoding.ASCII.GetBytes("d1:md11:ut_metadatai3eee")),
            flood,
            FakeDownloader.Extended(0, Encoding.ASCII.GetBytes("d1:md11:ut_metadatai3ee1:pi1ee")));
        var deadline = DateTime.UtcNow + Wait;
        while (seeder.Torrent.Status.PeersKnown == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the seeder did not get through the requests");
            await Task.Delay(20);
        }

        var answers = 0;
        try
        {
            while (await flooder.ReadAsync(TimeSpan.FromSeconds(3)) is { } message)
            {
                answers += message.Type == PeerMessageType.Extended && message.Body.Length > 0 && message.Body[0] == 3 ? 1 : 0;
            }
        }
        catch (TimeoutException)
        {
            // Quiet: everything the seeder meant to send has come.
        }

        // The socket buffers held some answers sent while we did not read; the rest were never queued.
        Assert.InRange(answers, 1, requests / 10);
        await using var bystander = await HostileDownloaderTests.ConnectedAndUnchokedAsync(seeder);
        await HostileDownloaderTests.AssertServedAsync(seeder, bystander, 1, 0);
    }
}
