using TorrentPS.Commands;

namespace TorrentPS.Module.Tests.Transfers;

public class ExportTorrentPathTests
{
    [Theory]
    [InlineData("./torrents", "/w/torrents", true)]
    [InlineData("./torrents/", "/w/torrents", true)]
    [InlineData("./x.torrent", "/w/x.torrent", false)]
    [InlineData("./X.TORRENT", "/w/X.TORRENT", false)]
    public void A_path_that_does_not_name_a_torrent_file_is_a_folder(string path, string resolved, bool folder)
        => Assert.Equal(folder, ExportTorrentCommand.NamesFolder(path, resolved));
}
