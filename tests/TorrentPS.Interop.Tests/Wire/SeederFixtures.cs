using TorrentPS.Engine.Peers;
using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>One test torrent and one seeder of it, shared by a test class.</summary>
public abstract class SeederFixture<TSeeder>(string folderPrefix) : IAsyncLifetime
    where TSeeder : class, ISeeder
{
    private readonly TempDirectory _folder = new(folderPrefix);

    public TestTorrent Torrent { get; private set; } = null!;

    public TSeeder Seeder { get; private set; } = null!;

    /// <summary>The seeder as a peer of the test torrent.</summary>
    public TorrentPeer SeederPeer => new(Seeder.EndPoint.Address, Seeder.EndPoint.Port, Torrent.Info.Hash, PeerSource.Manual);

    public async Task InitializeAsync()
    {
        Torrent = CreateTorrent(_folder.Path);
        Seeder = await StartAsync(Torrent);
    }

    public async Task DisposeAsync()
    {
        if (Seeder is not null)
        {
            await Seeder.DisposeAsync();
        }

        _folder.Dispose();
    }

    protected virtual TestTorrent CreateTorrent(string folder) => TestTorrent.Create(folder);

    protected abstract Task<TSeeder> StartAsync(TestTorrent torrent);
}

public sealed class LibtorrentSeederFixture() : SeederFixture<LibtorrentSeeder>("tps-wire-lt")
{
    // 1,281 pieces of 16 KiB: the info dictionary is two ut_metadata pieces, the last one short, and
    // the bitfield has spare bits.
    protected override TestTorrent CreateTorrent(string folder) => TestTorrent.Create(folder, length: (20 * 1024 * 1024) + 1000, pieceLength: 16 * 1024);

    protected override Task<LibtorrentSeeder> StartAsync(TestTorrent torrent) => LibtorrentSeeder.StartAsync(torrent);
}

public sealed class Aria2SeederFixture() : SeederFixture<Aria2Seeder>("tps-wire-a2")
{
    protected override Task<Aria2Seeder> StartAsync(TestTorrent torrent) => Aria2Seeder.StartAsync(torrent);
}

public sealed class TransmissionSeederFixture() : SeederFixture<TransmissionSeeder>("tps-wire-tr")
{
    protected override Task<TransmissionSeeder> StartAsync(TestTorrent torrent) => TransmissionSeeder.StartAsync(torrent);
}
