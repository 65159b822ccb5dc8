using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Tests.Session;

public class DownloadResultTests
{
    private static readonly DownloadResult Seed = new()
    {
        Name = "\u001b[31mred",
        Hash = InfoHash.Parse(new string('e', 40)),
        Destination = "/d/red",
        State = TorrentState.Completed,
        Length = 40L << 20,
        Uploaded = 40L << 20,
        ElapsedSpan = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public void The_average_rate_of_a_seed_is_its_upload_rate()
    {
        Assert.Equal(10L << 20, Seed.AverageRate);
        Assert.Equal(0, Seed.AverageDownloadRate);
        Assert.Equal(10L << 20, Seed.AverageUploadRate);
    }

    [Fact]
    public void The_average_rate_of_a_download_is_what_it_received()
    {
        var download = Seed with { Downloaded = 8L << 20 };
        Assert.Equal(2L << 20, download.AverageRate);
    }

    [Fact]
    public void The_text_form_escapes_the_name()
        => Assert.Equal("\\x1b[31mred: Completed", Seed.ToString());
}
