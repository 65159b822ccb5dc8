using TorrentPS.Interop.Tests.Infrastructure;

namespace TorrentPS.Interop.Tests.Wire;

/// <summary>One test torrent and one libtorrent seeder shared by a test class.</summary>
public sealed class LibtorrentSeederFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("tps-wire-lt");

    public TestTorrent Torrent { get; private set; } = null!;

    public LibtorrentSeeder Seeder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // 1,281 pieces of 16 KiB: the info dictionary is two ut_metadata pieces, the last one short, and
        // the bitfield has spare bits.
        Torrent = TestTorrent.Create(_folder.Path, length: (20 * 1024 * 1024) + 1000, pieceLength: 16 * 1024);
        Seeder = await LibtorrentSeeder.StartAsync(Torrent);
    }

    public async Task DisposeAsync()
    {
        if (Seeder is not null)
        {
            await Seeder.DisposeAsync();
        }

        _folder.Dispose();
    }
}

public sealed class Aria2SeederFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("tps-wire-a2");

    public TestTorrent Torrent { get; private set; } = null!;

    public Aria2Seeder Seeder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Torrent = TestTorrent.Create(_folder.Path);
        Seeder = await Aria2Seeder.StartAsync(Torrent);
    }

    public async Task DisposeAsync()
    {
        if (Seeder is not null)
        {
            await Seeder.DisposeAsync();
        }

        _folder.Dispose();
    }
}

public sealed class TransmissionSeederFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("tps-wire-tr");

    public TestTorrent Torrent { get; private set; } = null!;

    public TransmissionSeeder Seeder { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Torrent = TestTorrent.Create(_folder.Path);
        Seeder = await TransmissionSeeder.StartAsync(Torrent);
    }

    public async Task DisposeAsync()
    {
        if (Seeder is not null)
        {
            await Seeder.DisposeAsync();
        }

        _folder.Dispose();
    }
}
