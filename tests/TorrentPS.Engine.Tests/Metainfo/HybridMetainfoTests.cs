using System.Security.Cryptography;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using static TorrentPS.Engine.Tests.Metainfo.TestTorrent;

namespace TorrentPS.Engine.Tests.Metainfo;

/// <summary>What a BEP 52 hybrid torrent carries beyond its v1 part: the v2 info hash, and piece layers kept for writing it again.</summary>
public sealed class HybridMetainfoTests
{
    private static TestTorrent Hybrid()
    {
        var leaf = Dict(("length", Int(20)), ("pieces root", new BencodeString(new byte[32])));
        return SingleFile("f", Content(20)).Info("meta version", Int(2)).Info("file tree", Dict(("f", Dict(("", leaf)))));
    }

    [Fact]
    public void A_hybrid_torrent_has_the_SHA256_of_its_info_dictionary_as_its_v2_info_hash()
    {
        var builder = Hybrid();
        var torrent = TorrentInfo.Parse(builder.ToBytes());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(builder.InfoBytes())).ToLowerInvariant(), torrent.InfoHashV2);
        Assert.Equal(builder.ExpectedInfoHashHex(), torrent.Hash.Hex);
    }

    [Fact]
    public void A_v1_torrent_has_no_v2_info_hash()
        => Assert.Null(TorrentInfo.Parse(SingleFile("f", Content(20)).ToBytes()).InfoHashV2);

    [Fact]
    public void The_info_dictionarys_source_is_read()
    {
        Assert.Equal("TPS", TorrentInfo.Parse(SingleFile("f", Content(20)).Info("source", Str("TPS")).ToBytes()).Source);
        Assert.Null(TorrentInfo.Parse(SingleFile("f", Content(20)).Info("source", Int(1)).ToBytes()).Source);
    }

    [Fact]
    public void A_hybrids_piece_layers_are_kept_and_written_again_so_the_file_is_the_same()
    {
        var layers = Dict(("root-of-32-bytes-for-this-test!!", new BencodeString(new byte[64])));
        var bytes = Hybrid().Root("piece layers", layers).ToBytes();

        var torrent = TorrentInfo.Parse(bytes);

        Assert.Equal(BencodeEncoder.Encode(layers), torrent.GetRawPieceLayers().ToArray());
        Assert.Equal(bytes, TorrentFileWriter.Encode(torrent));
    }

    [Fact]
    public void Piece_layers_of_the_wrong_type_or_in_a_v1_torrent_are_not_kept()
    {
        Assert.True(TorrentInfo.Parse(Hybrid().Root("piece layers", Str("nonsense")).ToBytes()).GetRawPieceLayers().IsEmpty);
        var v1 = TorrentInfo.Parse(SingleFile("f", Content(20)).Root("piece layers", Dict(("x", Str("y")))).ToBytes());
        Assert.True(v1.GetRawPieceLayers().IsEmpty);
        Assert.True(TorrentFileWriter.Encode(v1).AsSpan().IndexOf("piece layers"u8) < 0);
    }

    [Fact]
    public void A_hybrid_fetched_as_an_info_dictionary_has_its_v2_hash_but_no_piece_layers()
    {
        var builder = Hybrid();
        var torrent = TorrentInfo.FromInfoDictionary(builder.InfoBytes());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(builder.InfoBytes())).ToLowerInvariant(), torrent.InfoHashV2);
        Assert.True(torrent.GetRawPieceLayers().IsEmpty);
    }
}
