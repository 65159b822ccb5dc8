using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;
using TorrentPS.Engine.Tests.Storage;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Swarm;

/// <summary>
/// Choosing files and order in the loop, with simulated peers and a fake clock: files chosen or skipped while the
/// torrent runs (the picker re-plans without a restart, pieces in progress no longer wanted are cancelled), priorities,
/// completion by the chosen files, and sequential downloads whose prefix grows in order with every peer kept busy.
/// </summary>
public sealed class SelectionLoopTests : IDisposable
{
    private const int PieceLength = 2 * ActivePiece.BlockSize;

    /// <summary>
    /// A bound for steps that take milliseconds (a selection applied, a completion): it catches a hang, not a slow machine.
    /// 10 s was once too short for applying a selection while a fresh-clone CI run loaded both cores with the whole suite.
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // 32 KiB pieces. a.bin 0..100 KiB (pieces 0-3), b.bin 100..170 KiB (pieces 3-5), c.bin 170..260 KiB (pieces 5-8):
    // piece 3 holds a.bin's end and b.bin's start, piece 5 b.bin's end and c.bin's start.
    private readonly StorageTorrent _t = StorageTorrent.Multi(
        "sel",
        PieceLength,
        TestFile.Random("a.bin", 100 * 1024, 1),
        TestFile.Random("b.bin", 70 * 1024, 2),
        TestFile.Random("c.bin", 90 * 1024, 3));

    public void Dispose() => _t.Dispose();

    /// <summary>The torrent over files on disk, once its check (on the thread pool, real I/O) has ended.</summary>
    private async Task<SimulatedSwarm> StartAsync(FileSelection? selection, Func<TorrentOptions, TorrentOptions>? configure = null)
    {
        var swarm = await SimulatedSwarm.StartAsync(_t.Torrent, _t.Content, options =>
        {
            options = options with { Data = info => new FileTorrentData(info, _t.Location, selection: selection) };
            return configure?.Invoke(options) ?? options;
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var status in swarm.Torrent.WatchStatusAsync(timeout.Token))
        {
            if (status.State is not TorrentState.Checking)
            {
                break;
            }
        }

        await swarm.SettleAsync();
        return swarm;
    }

    private FileSelection Only(params string[] patterns) => FileSelection.FromPatterns(_t.Torrent, patterns);

    private static bool[] Verified(SimulatedSwarm swarm)
    {
        var verified = swarm.Torrent.Pieces.Current!.Verified;
        return Enumerable.Range(0, verified.PieceCount).Select(verified.Contains).ToArray();
    }

    /// <summary>True when the verified pieces are exactly the first <c>n</c>, for some n.</summary>
    private static bool IsPrefix(bool[] verified)
    {
        var n = Array.IndexOf(verified, false);
        return n < 0 || verified.Skip(n).All(v => !v);
    }

    private void AssertFile(int index) => Assert.Equal(_t.Files[index].Content, File.ReadAllBytes(_t.PathOf(index)));

    [Fact]
    public async Task A_file_chosen_while_the_torrent_runs_is_fetched_without_a_restart()
    {
        await using var swarm = await StartAsync(Only("a.bin"));
        var seed = await swarm.ConnectAsync();
        Assert.All(seed.OpenRequests(), r => Assert.InRange(r.Index, 0, 3));

        var selection = await swarm.Torrent.SetFilePriorityAsync([1], FilePriority.Normal).WaitAsync(Patience);
        Assert.Equal(2, selection.SelectedCount);
        await swarm.ServeAsync(seed);

        var result = await swarm.Torrent.Completion.WaitAsync(Patience);
        Assert.Equal(TorrentState.Completed, result.State);
        AssertFile(0);
        AssertFile(1);
        Assert.False(File.Exists(_t.PathOf(2)));
        Assert.Equal([_t.PathOf(0), _t.PathOf(1)], result.Files);
    }

    [Fact]
    public async Task A_file_skipped_while_the_torrent_runs_has_its_requests_cancelled_and_the_rest_completes()
    {
        await using var swarm = await StartAsync(FileSelection.All(3), o => o with { Sequential = true });
        var seed = await swarm.ConnectAsync();
        var before = seed.OpenRequests();
        Assert.Contains(before, r => r.Index is 6 or 7 or 8); // c.bin's own pieces were asked for

        await swarm.Torrent.SetFilePriorityAsync([2], FilePriority.Skip).WaitAsync(Patience);
        await swarm.SettleAsync();

        Assert.DoesNotContain(seed.OpenRequests(), r => r.Index is 6 or 7 or 8);
        Assert.Contains(seed.Sent, m => m.Type == PeerMessageType.Cancel && m.Index is 6 or 7 or 8);
        await swarm.ServeAsync(seed);
        var result = await swarm.Torrent.Completion.WaitAsync(Patience);
        Assert.Equal(TorrentState.Completed, result.State);
        AssertFile(0);
        AssertFile(1);
        Assert.False(File.Exists(_t.PathOf(2)));
        Assert.Equal([_t.PathOf(0), _t.PathOf(1)], result.Files);
    }

    [Fact]
    public async Task Skipping_every_missing_file_completes_the_torrent()
    {
        await using var swarm = await StartAsync(FileSelection.All(3));
        var seed = await swarm.ConnectAsync(has: i => i <= 3);
        await swarm.ServeAsync(seed); // a.bin whole; b.bin and c.bin wait for a peer that has them
        Assert.Equal(TorrentState.Downloading, swarm.Torrent.Status.State);

        await swarm.Torrent.ChangeSelectionAsync(Only("a.bin")).WaitAsync(Patience);

        var result = await swarm.Torrent.Completion.WaitAsync(Patience);
        Assert.Equal(TorrentState.Completed, result.State);
        AssertFile(0);
        Assert.Equal([_t.PathOf(0)], result.Files);
    }

    [Fact]
    public async Task A_seeding_torrent_downloads_again_when_another_file_is_chosen()
    {
        await using var swarm = await StartAsync(Only("a.bin"), o => o with { SeedUntilStopped = true });
        var seed = await swarm.ConnectAsync();
        await swarm.ServeAsync(seed);
        await swarm.SettleAsync();
        Assert.Equal(TorrentState.Seeding, swarm.Torrent.Status.State);

        seed.ClearSent();
        await swarm.Torrent.SetFilePriorityAsync([2], FilePriority.High).WaitAsync(Patience);
        await swarm.SettleAsync();
        Assert.Equal(TorrentState.Downloading, swarm.Torrent.Status.State);
        Assert.Contains(seed.Sent, m => m.Type == PeerMessageType.Interested);

        await swarm.ServeAsync(seed);
        await swarm.SettleAsync();
        Assert.Equal(TorrentState.Seeding, swarm.Torrent.Status.State);
        AssertFile(0);
        AssertFile(2);
        Assert.False(File.Exists(_t.PathOf(1)));
    }

    [Fact]
    public async Task A_file_raised_to_high_priority_is_asked_for_next()
    {
        await using var swarm = await StartAsync(FileSelection.All(3), o => o with { MaxBufferedBytes = 2 * PieceLength });
        var seed = await swarm.ConnectAsync();
        await swarm.Torrent.SetFilePriorityAsync([2], FilePriority.High).WaitAsync(Patience);
        var first = seed.OpenRequests().Select(r => r.Index).ToHashSet();

        // Once the pieces started before the change are done, the next pieces are c.bin's (5-8) until it is complete.
        var asked = new List<int>();
        for (var round = 0; round < 20 && !swarm.Torrent.Completion.IsCompleted; round++)
        {
            var open = seed.OpenRequests();
            asked.AddRange(open.Select(r => r.Index).Where(i => !first.Contains(i) && !asked.Contains(i)));
            await swarm.ServeAsync(seed, rounds: 1);
        }

        Assert.Equal(TorrentState.Completed, (await swarm.Torrent.Completion.WaitAsync(Patience)).State);
        var cPieces = new[] { 5, 6, 7, 8 }.Where(i => !first.Contains(i)).ToList();
        Assert.Equal(cPieces.Order(), asked.Take(cPieces.Count).Order());
    }

    [Fact]
    public async Task A_change_asked_of_a_torrent_that_serves_its_data_is_refused()
    {
        _t.WriteContent();
        await using var swarm = await StartAsync(null, o => o with { DownloadMissing = false, SeedUntilStopped = true });

        var error = await Assert.ThrowsAsync<TorrentPSException>(() => swarm.Torrent.SetFilePriorityAsync([0], FilePriority.Skip).WaitAsync(Patience));

        Assert.Equal("SelectionNotSupported", error.ErrorId);
    }

    [Fact]
    public async Task A_sequential_download_completes_its_pieces_in_order()
    {
        await using var swarm = await SimulatedSwarm.StartAsync(length: 64 * PieceLength, pieceLength: PieceLength, configure: o => o with { Sequential = true });
        var seed = await swarm.ConnectAsync();

        var rounds = 0;
        while (!swarm.Torrent.Completion.IsCompleted && rounds++ < 100)
        {
            Assert.True(IsPrefix(Verified(swarm)), $"round {rounds}: verified {string.Join(',', Verified(swarm).Select(v => v ? 1 : 0))}");
            var open = seed.TakeOpenRequests();

            // Only the older half of what is asked arrives each round: what completes must still be the front.
            var half = Math.Max(1, open.Count / 2);
            foreach (var late in open.Skip(half))
            {
                seed.Enqueue(late); // still open, and older than what the loop asks next
            }

            seed.Deliver(open.Take(half).Select(r => swarm.BlockFor(r)));

            await swarm.SettleAsync();
        }

        Assert.Equal(TorrentState.Completed, (await swarm.Torrent.Completion.WaitAsync(Patience)).State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }

    [Fact]
    public async Task A_sequential_download_keeps_every_peer_requesting_and_its_prefix_in_order()
    {
        // Memory for 40 pieces: the window (half of it, or four times what the pipelines span, 96) is those 40 pieces.
        const long memory = 40 * PieceLength;
        await using var swarm = await SimulatedSwarm.StartAsync(length: 200 * PieceLength, pieceLength: PieceLength, configure: o => o with { Sequential = true, MaxBufferedBytes = memory });
        var peers = new[] { await swarm.ConnectAsync(), await swarm.ConnectAsync(), await swarm.ConnectAsync() };

        var rounds = 0;
        while (!swarm.Torrent.Completion.IsCompleted && rounds++ < 200)
        {
            var verified = Verified(swarm);
            var missing = verified.Count(v => !v);
            if (missing > 3 * RequestDepth.Initial)
            {
                // Every peer is kept busy, and no request reaches past the window from the first piece missing.
                Assert.All(peers, p => Assert.Equal(RequestDepth.Initial, p.OpenRequests().Count));
                var first = Array.IndexOf(verified, false);
                var window = PiecePicker.SequentialWindowFor(3 * RequestDepth.Initial, PieceLength, memory);
                Assert.Equal(40, window);
                Assert.All(peers.SelectMany(p => p.OpenRequests()), r => Assert.InRange(r.Index, first, first + window - 1));
            }

            foreach (var peer in peers)
            {
                await swarm.ServeAsync(peer, rounds: 1);
            }

            Assert.True(IsPrefix(Verified(swarm)), $"round {rounds}");
        }

        Assert.Equal(TorrentState.Completed, (await swarm.Torrent.Completion.WaitAsync(Patience)).State);
        Assert.Equal(swarm.Content, swarm.Data.Content);
    }
}
