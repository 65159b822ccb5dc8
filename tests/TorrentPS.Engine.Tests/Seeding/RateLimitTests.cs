using System.Diagnostics;
using TorrentPS.Engine.Session;

namespace TorrentPS.Engine.Tests.Seeding;

/// <summary>
/// Upload and download limits, per torrent and per session, between two TorrentPS sessions on loopback. 1 MiB at
/// 256 KiB/s cannot take less than 3 s (one second's worth is the burst the bucket starts with); the same transfer
/// unlimited takes a fraction of that. Lower bounds only, and generous ones.
/// </summary>
public sealed class RateLimitTests
{
    private const int Length = 1024 * 1024;
    private const long Rate = 256 * 1024;
    private static readonly TimeSpan Limited = TimeSpan.FromSeconds(2.5);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Unlimited_the_same_transfer_is_much_faster()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: Length);
        Assert.True(await TimeDownloadAsync(seeder) < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_torrents_upload_limit_holds_its_seeding_to_that_rate()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: Length, configure: o => o with { UploadRateLimit = Rate });
        Assert.True(await TimeDownloadAsync(seeder) > Limited);
    }

    [Fact]
    public async Task The_sessions_upload_limit_holds_its_torrents_seeding_to_that_rate()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: Length, session: s => s.Limits.Upload.BytesPerSecond = Rate);
        Assert.True(await TimeDownloadAsync(seeder) > Limited);
    }

    [Fact]
    public async Task A_torrents_download_limit_holds_its_download_to_that_rate()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: Length);
        Assert.True(await TimeDownloadAsync(seeder, o => o with { DownloadRateLimit = Rate }) > Limited);
    }

    [Fact]
    public async Task The_sessions_download_limit_holds_its_torrents_download_to_that_rate()
    {
        await using var seeder = await LoopbackSeeder.StartAsync(length: Length);
        await using var session = new TorrentSession();
        session.Limits.Download.BytesPerSecond = Rate;
        Assert.True(await TimeDownloadAsync(seeder, session: session) > Limited);
    }

    private static async Task<TimeSpan> TimeDownloadAsync(LoopbackSeeder seeder, Func<TorrentOptions, TorrentOptions>? configure = null, TorrentSession? session = null)
    {
        var clock = Stopwatch.StartNew();
        var result = await seeder.DownloadAsync(Wait, configure: configure, session: session);
        Assert.Equal(Length, result.Downloaded);
        return clock.Elapsed;
    }
}
