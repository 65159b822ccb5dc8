using System.Net;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// Our own client seeding data already on disk (<see cref="TorrentOptions.SeedFrom"/>) from a session of its own that
/// listens on a fresh 127.0.0.x and dials from it; disposing it stops the torrent and the session.
/// </summary>
internal sealed class TorrentPSSeeder : ISeeder
{
    private TorrentPSSeeder(TorrentSession session, TorrentRun torrent, IPEndPoint endPoint)
    {
        Session = session;
        Torrent = torrent;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>What the seed is doing (it runs in this process: its status, not a log).</summary>
    public string Output => $"{Torrent.Status.State}: {Torrent.Status.Uploaded} bytes uploaded, {Torrent.Status.PeersConnected} peers";

    public TorrentSession Session { get; }

    public TorrentRun Torrent { get; }

    /// <summary>
    /// Starts seeding <paramref name="torrent"/> from <paramref name="dataDirectory"/> (its own data folder by default)
    /// and waits until the check is over and it serves.
    /// </summary>
    public static Task<TorrentPSSeeder> StartAsync(TestTorrent torrent, Func<TorrentOptions, TorrentOptions>? configure = null, string? dataDirectory = null, bool allowPartial = false)
        => StartAsync(torrent.Info, dataDirectory ?? torrent.DataDirectory, configure, allowPartial);

    /// <summary>Starts seeding <paramref name="torrent"/> from <paramref name="dataDirectory"/> (the folder holding its file or top folder).</summary>
    public static async Task<TorrentPSSeeder> StartAsync(TorrentInfo torrent, string dataDirectory, Func<TorrentOptions, TorrentOptions>? configure = null, bool allowPartial = false)
    {
        var session = new TorrentSession();
        try
        {
            var address = Loopback.NextAddress();
            var endPoint = session.Listen(address, 0);
            var options = TorrentOptions.SeedFrom(dataDirectory, allowPartial) with
            {
                LocalAddress = address,
                UseTrackers = false,
                StopTimeout = TimeSpan.FromSeconds(3),
            };
            var running = session.Start(torrent, configure?.Invoke(options) ?? options);
            await WaitForStateAsync(running, TorrentState.Seeding, TimeSpan.FromSeconds(30));
            return new TorrentPSSeeder(session, running, endPoint);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="torrent"/> reaches <paramref name="state"/>; fails early when it ends first.</summary>
    public static async Task WaitForStateAsync(TorrentRun torrent, TorrentState state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (torrent.Status.State != state)
        {
            if (torrent.Completion.IsCompleted)
            {
                var ended = await torrent.Completion.ContinueWith(t => t.IsFaulted ? t.Exception!.InnerException!.Message : t.Result.State.ToString());
                throw new InvalidOperationException($"{torrent.Name} ended ({ended}) instead of reaching {state}.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{torrent.Name} did not reach {state} within {timeout}: {torrent.Status.State}, {torrent.Status.VerifiedPieces}/{torrent.Status.PieceCount} pieces, {torrent.Status.PeersConnected} peers, last error: {torrent.Status.LastError}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await Session.DisposeAsync();
}
