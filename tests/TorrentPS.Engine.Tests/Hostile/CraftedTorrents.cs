using System.Buffers;
using TorrentPS.Engine.Bencode;

namespace TorrentPS.Engine.Tests.Hostile;

/// <summary>
/// The crafted worst cases of each shape from the hostile-input campaign, as .torrent bytes: small files that once cost
/// minutes or gigabytes. Written with <see cref="BencodeWriter"/> straight into a buffer (no value tree), so making
/// them costs little next to what is measured.
/// </summary>
internal static class CraftedTorrents
{
    /// <summary>A single-file torrent whose name is <paramref name="nameLength"/> characters long.</summary>
    public static byte[] LongName(int nameLength) => SingleFile(w => { }, new string('x', nameLength));

    /// <summary>One file <paramref name="depth"/> folders deep (<c>a/a/a/…</c>).</summary>
    public static byte[] DeepPath(int depth, string segment = "a") => MultiFile(1, (w, _) => Path(w, Enumerable.Repeat(segment, depth)));

    /// <summary><paramref name="count"/> files, each <paramref name="depth"/> folders of 20 characters deep, in distinct folders at every level but the first.</summary>
    public static byte[] ManyDeepFiles(int count, int depth) => MultiFile(count, (w, i) => Path(w, Enumerable.Range(0, depth).Select(level => level == 0 ? "top" : $"folder-{i,13:D13}")));

    /// <summary><paramref name="count"/> paths that are one path compared without regard to case (<c>ABC.txt</c>, <c>aBC.txt</c>…).</summary>
    public static byte[] CaseCollisions(int count) => MultiFile(count, (w, i) => Path(w, [CaseVariant("abcdefghijklmnopq", i) + ".txt"]));

    /// <summary><paramref name="count"/> files with the very same path.</summary>
    public static byte[] IdenticalPaths(int count) => MultiFile(count, (w, _) => Path(w, ["same.txt"]));

    /// <summary>One tier of <paramref name="count"/> distinct tracker URLs.</summary>
    public static byte[] ManyTrackers(int count) => SingleFile(w =>
    {
        w.WriteString("announce-list");
        w.WriteListStart();
        w.WriteListStart();
        for (var i = 0; i < count; i++)
        {
            w.WriteString($"http://127.0.0.1:{1 + (i % 60000)}/announce/{i}");
        }

        w.WriteEnd();
        w.WriteEnd();
    });

    /// <summary><paramref name="count"/> distinct web seeds.</summary>
    public static byte[] ManyWebSeeds(int count) => SingleFile(w =>
    {
        w.WriteString("url-list");
        w.WriteListStart();
        for (var i = 0; i < count; i++)
        {
            w.WriteString($"http://127.0.0.1/seed/{i}");
        }

        w.WriteEnd();
    }, keysAfterInfo: true);

    /// <summary>A valid single-file torrent of <paramref name="pieceCount"/> pieces of 16 KiB (hashes all 0xab).</summary>
    public static byte[] ManyPieces(int pieceCount, string announce = "http://127.0.0.1:1/announce")
    {
        var buffer = new ArrayBufferWriter<byte>((pieceCount * 20) + 256);
        var w = new BencodeWriter(buffer);
        w.WriteDictionaryStart();
        w.WriteString("announce");
        w.WriteString(announce);
        w.WriteString("info");
        w.WriteDictionaryStart();
        w.WriteString("length");
        w.WriteInteger(pieceCount * 16384L);
        w.WriteString("name");
        w.WriteString("big");
        w.WriteString("piece length");
        w.WriteInteger(16384);
        w.WriteString("pieces");
        var hashes = new byte[pieceCount * 20];
        hashes.AsSpan().Fill(0xab);
        w.WriteString(hashes);
        w.WriteEnd();
        w.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Variant <paramref name="index"/> of <paramref name="letters"/>: bit k of the index upper-cases letter k.</summary>
    public static string CaseVariant(string letters, int index)
        => string.Create(letters.Length, (letters, index), static (span, state) =>
        {
            for (var k = 0; k < span.Length; k++)
            {
                span[k] = ((state.index >> k) & 1) == 1 ? char.ToUpperInvariant(state.letters[k]) : state.letters[k];
            }
        });

    private static void Path(BencodeWriter w, IEnumerable<string> segments)
    {
        w.WriteListStart();
        foreach (var segment in segments)
        {
            w.WriteString(segment);
        }

        w.WriteEnd();
    }

    /// <summary>Root keys sorted: 'announce…' before 'info', 'url-list' after it.</summary>
    private static byte[] SingleFile(Action<BencodeWriter> extraRootKeys, string name = "t", bool keysAfterInfo = false)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new BencodeWriter(buffer);
        w.WriteDictionaryStart();
        if (!keysAfterInfo)
        {
            extraRootKeys(w);
        }

        w.WriteString("info");
        w.WriteDictionaryStart();
        w.WriteString("length");
        w.WriteInteger(0);
        w.WriteString("name");
        w.WriteString(name);
        w.WriteString("piece length");
        w.WriteInteger(16384);
        w.WriteString("pieces");
        w.WriteString(ReadOnlySpan<byte>.Empty);
        w.WriteEnd();
        if (keysAfterInfo)
        {
            extraRootKeys(w);
        }

        w.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] MultiFile(int count, Action<BencodeWriter, int> writePath)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new BencodeWriter(buffer);
        w.WriteDictionaryStart();
        w.WriteString("info");
        w.WriteDictionaryStart();
        w.WriteString("files");
        w.WriteListStart();
        for (var i = 0; i < count; i++)
        {
            w.WriteDictionaryStart();
            w.WriteString("length");
            w.WriteInteger(0);
            w.WriteString("path");
            writePath(w, i);
            w.WriteEnd();
        }

        w.WriteEnd();
        w.WriteString("name");
        w.WriteString("t");
        w.WriteString("piece length");
        w.WriteInteger(16384);
        w.WriteString("pieces");
        w.WriteString(ReadOnlySpan<byte>.Empty);
        w.WriteEnd();
        w.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }
}
