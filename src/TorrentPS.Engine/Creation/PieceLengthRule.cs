namespace TorrentPS.Engine.Creation;

/// <summary>
/// The piece lengths a new torrent may have, and the one chosen when none is given.
/// </summary>
/// <remarks>
/// <para><b>The automatic rule is libtorrent's</b>: the smallest power of two, from 16 KiB, whose v1 hash list (20 bytes per
/// piece) is at most about 2·√size bytes, that is the smallest power of two p with size ≤ p²/100 (rounded to the nearest
/// byte, as libtorrent's table is); capped at 16 MiB.
/// So content up to 2.56 MiB gets 16 KiB pieces, up to 655 MiB 256 KiB, up to 10.24 GiB 1 MiB, and more than 655 GiB
/// 16 MiB.</para>
/// <para>Why this one: it follows one stated trade-off rather than a hand-made table (the .torrent file and the number of
/// pieces both grow like √size, so neither does a small torrent get a few huge pieces nor a large one a huge hash list), and
/// it is what libtorrent, and so qBittorrent and Deluge, choose: the same content and options made here and there give the
/// same piece length, hence the same info hash, hence one swarm. mktorrent (32 KiB up to 50 MiB of content, then doubling
/// at 100, 200, 400, 800, 1600, 3200, 6400 and 12800 MiB, up to 16 MiB) and torf (at most 512 to 2048 pieces by size
/// band, from 16 KiB to 16 MiB) use hand-made size thresholds instead: mktorrent's pieces come out between half and four
/// times libtorrent's (64 KiB against 128 KiB for 100 MiB, 8 MiB against 2 MiB for 12 GiB), torf's several times larger
/// (2 MiB for 1 GiB, where libtorrent picks 512 KiB).</para>
/// <para>Every length is a power of two of at least 16 KiB (BEP 52 requires both for v2 and hybrid torrents, and a
/// 16 KiB block is what peers request). 16 MiB is the automatic maximum: larger pieces are refused or handled poorly by
/// some clients and cost each peer that much memory per piece in flight. A length given by hand may be up to 256 MiB, as
/// mktorrent allows.</para>
/// </remarks>
public static class PieceLengthRule
{
    /// <summary>The smallest piece length: 16 KiB, one block.</summary>
    internal const long Minimum = 16 * 1024;

    /// <summary>The largest piece length the automatic rule picks: 16 MiB.</summary>
    internal const long AutomaticMaximum = 16 * 1024 * 1024;

    /// <summary>The largest piece length that may be given: 256 MiB.</summary>
    public const long Maximum = 256 * 1024 * 1024;

    /// <summary>The piece length for <paramref name="totalLength"/> bytes of content (padding not counted).</summary>
    internal static long Automatic(long totalLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalLength);
        var pieceLength = Minimum;

        // The largest content a piece length p serves is p²/100 bytes: then the hash list, 20·size/p bytes, is 2·√size.
        while (pieceLength < AutomaticMaximum && totalLength > LargestContentFor(pieceLength))
        {
            pieceLength *= 2;
        }

        return pieceLength;
    }

    /// <summary>The most content the automatic rule gives pieces of <paramref name="pieceLength"/> bytes: p²/100, rounded.</summary>
    internal static long LargestContentFor(long pieceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pieceLength, Maximum);
        return ((pieceLength * pieceLength) + 50) / 100;
    }

    /// <summary>True for a power of two from <see cref="Minimum"/> to <see cref="Maximum"/>.</summary>
    public static bool IsValid(long pieceLength)
        => pieceLength is >= Minimum and <= Maximum && (pieceLength & (pieceLength - 1)) == 0;
}
