using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Tests.Metainfo;

/// <summary>The error ids of the data layer are public contract: they become PowerShell FullyQualifiedErrorIds.</summary>
public class DataErrorIdTests
{
    [Fact]
    public void Data_layer_errors_carry_stable_ids_and_kinds()
    {
        TorrentPSException[] errors =
        [
            new BencodeException(3, "x"),
            new InvalidTorrentException("x"),
            new UnsupportedTorrentException("x"),
            new InvalidMagnetLinkException("magnet:?", "x"),
        ];
        Assert.Equal(["InvalidBencode", "InvalidTorrent", "UnsupportedTorrent", "InvalidMagnetLink"], errors.Select(e => e.ErrorId));
        Assert.Equal(
            [TorrentErrorKind.InvalidData, TorrentErrorKind.InvalidData, TorrentErrorKind.NotImplemented, TorrentErrorKind.InvalidArgument],
            errors.Select(e => e.Kind));
    }

    [Fact]
    public void Magnet_parsing_of_arbitrary_text_throws_only_typed_errors()
    {
        var random = new Random(23);
        string[] pieces = ["magnet:?", "xt=", "urn:btih:", "urn:btmh:", "ad42ce8109f54c99613ce38f9b4d87e70f24a165", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "&", "=", "%", "%zz", "%41", "tr", "tr.1=", "x.pe=", "xl=", "-1", "99999999999999999999", "dn=", "+", " ", "\0", "é"];
        for (var i = 0; i < 5000; i++)
        {
            var link = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => pieces[random.Next(pieces.Length)]));
            var exception = Record.Exception(() => MagnetLink.Parse(link));
            Assert.True(exception is null or InvalidMagnetLinkException or UnsupportedTorrentException, $"'{link}': {exception}");
            if (exception is null)
            {
                var magnet = MagnetLink.Parse(link);
                Assert.Equal(magnet, MagnetLink.Parse(magnet.Uri));
            }
        }
    }
}
