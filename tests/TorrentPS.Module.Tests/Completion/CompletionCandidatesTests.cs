using TorrentPS.Completion;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Module.Tests.Completion;

public sealed class CompletionCandidatesTests : IDisposable
{
    private static readonly KnownTorrent Debian = new(InfoHash.Compute("debian"u8), "debian-iso", ["udp://127.0.0.1:1/announce", "http://127.0.0.2/announce"]);
    private static readonly KnownTorrent Nameless = new(InfoHash.Compute("nameless"u8), null, ["udp://127.0.0.1:1/announce", "http://127.0.0.3/a b"]);

    private readonly string _folder = Directory.CreateTempSubdirectory("tps-completion-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Trackers_are_offered_once_each_by_what_was_typed_and_quoted_when_PowerShell_needs_it()
    {
        var all = CompletionCandidates.Trackers([Debian, Nameless], "");
        Assert.Equal(["udp://127.0.0.1:1/announce", "http://127.0.0.2/announce", "'http://127.0.0.3/a b'"], all.Select(c => c.Value));
        Assert.Equal($"A tracker of 'debian-iso' ({Debian.InfoHash.Hex})", all[0].ToolTip);

        Assert.Equal(["http://127.0.0.2/announce", "'http://127.0.0.3/a b'"], CompletionCandidates.Trackers([Debian, Nameless], "HTTP").Select(c => c.Value));
        Assert.Equal(["udp://127.0.0.1:1/announce"], CompletionCandidates.Trackers([Debian], "'udp").Select(c => c.Value));
    }

    [Fact]
    public void Info_hashes_are_offered_by_hash_or_by_name_and_listed_with_the_name()
    {
        var byName = Assert.Single(CompletionCandidates.InfoHashes([Debian, Nameless], "deb"));
        Assert.Equal((Debian.InfoHash.Hex, $"{Debian.InfoHash.Hex} (debian-iso)"), (byName.Value, byName.ListItem));

        var byHash = Assert.Single(CompletionCandidates.InfoHashes([Debian, Nameless, Nameless], Nameless.InfoHash.Hex[..6].ToUpperInvariant()));
        Assert.Equal((Nameless.InfoHash.Hex, Nameless.InfoHash.Hex), (byHash.Value, byHash.ListItem));
        Assert.Equal(2, CompletionCandidates.InfoHashes([Debian, Nameless], "").Count);
    }

    [Fact]
    public void Completion_reads_torrent_files_and_magnet_links_and_never_fails()
    {
        var path = Path.Combine(_folder, "x.torrent");
        File.WriteAllBytes(path, "d8:announce18:udp://t:1/announce4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"u8.ToArray());
        File.WriteAllText(Path.Combine(_folder, "broken.torrent"), "not bencode");

        var file = KnownTorrent.TryRead(path);
        Assert.Equal("x", file!.Name);
        Assert.Equal(["udp://t:1/announce"], file.Trackers);
        var magnet = KnownTorrent.TryRead($"magnet:?xt=urn:btih:{Debian.InfoHash.Hex}&dn=d&tr=udp%3A%2F%2Fm%3A1");
        Assert.Equal((Debian.InfoHash, "d"), (magnet!.InfoHash, magnet.Name));
        Assert.Null(KnownTorrent.TryRead(Path.Combine(_folder, "broken.torrent")));
        Assert.Null(KnownTorrent.TryRead(Path.Combine(_folder, "missing.torrent")));
        Assert.Null(KnownTorrent.TryRead("\0"));

        Assert.Equal(["x"], KnownTorrent.InFolder(_folder).Select(t => t.Name));
        Assert.Empty(KnownTorrent.InFolder(Path.Combine(_folder, "missing")));
    }

    [Fact]
    public void Completion_reads_a_bounded_number_of_small_files()
    {
        var content = "d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"u8.ToArray();
        for (var i = 0; i < KnownTorrent.MaxFilesPerFolder + 5; i++)
        {
            File.WriteAllBytes(Path.Combine(_folder, $"{i:D3}.torrent"), content);
        }

        using (var big = File.Create(Path.Combine(_folder, "000-big.torrent")))
        {
            big.SetLength(KnownTorrent.MaxFileLength + 1);
        }

        Assert.Equal(KnownTorrent.MaxFilesPerFolder - 1, KnownTorrent.InFolder(_folder).Count);
    }
}
