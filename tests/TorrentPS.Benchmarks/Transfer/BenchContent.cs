using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>The random data, its torrent (made by mktorrent), and a check that a download equals it.</summary>
internal sealed class BenchContent
{
    private readonly Dictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

    private BenchContent(string name, string dataFolder, string torrentPath, long length, bool isMultiFile)
    {
        Name = name;
        DataFolder = dataFolder;
        TorrentPath = torrentPath;
        Length = length;
        IsMultiFile = isMultiFile;
    }

    /// <summary>The file's name, or the top folder's for several files.</summary>
    public string Name { get; }

    /// <summary>The folder holding the file or the top folder (a seeder's save path).</summary>
    public string DataFolder { get; }

    public string TorrentPath { get; }

    public long Length { get; }

    public bool IsMultiFile { get; }

    /// <summary>The file, or the top folder, as the seeders hold it.</summary>
    public string DataPath => Path.Combine(DataFolder, Name);

    public static BenchContent Create(string root, int sizeMiB, int pieceKiB, int files)
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var total = (long)sizeMiB * 1024 * 1024;
        var name = files == 1 ? "big.bin" : "many";
        var target = Path.Combine(data, name);
        var content = new BenchContent(name, data, Path.Combine(root, "bench.torrent"), total, files > 1);
        var buffer = new byte[4 * 1024 * 1024];
        for (var file = 0; file < files; file++)
        {
            // Sizes vary around the mean so files start and end inside pieces.
            var size = files == 1 ? total : file == files - 1 ? total - ((total / files) * (files - 1)) : total / files;
            var path = files == 1 ? target : Path.Combine(target, $"folder{file % 7}", $"file{file:000}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var stream = File.Create(path))
            {
                for (var written = 0L; written < size; written += buffer.Length)
                {
                    var chunk = (int)Math.Min(buffer.Length, size - written);
                    RandomNumberGenerator.Fill(buffer.AsSpan(0, chunk));
                    stream.Write(buffer, 0, chunk);
                    hash.AppendData(buffer, 0, chunk);
                }
            }

            content._hashes[Path.GetRelativePath(target, path)] = hash.GetHashAndReset();
        }

        var pieceExponent = (int)Math.Log2(pieceKiB * 1024);
        var mktorrent = Process.Start(new ProcessStartInfo("mktorrent", ["-l", pieceExponent.ToString(CultureInfo.InvariantCulture), "-a", "http://127.0.0.1:1/announce", "-o", content.TorrentPath, target]) { RedirectStandardOutput = true })!;
        mktorrent.StandardOutput.ReadToEnd();
        mktorrent.WaitForExit();
        if (mktorrent.ExitCode != 0)
        {
            throw new InvalidOperationException("mktorrent failed.");
        }

        return content;
    }

    /// <summary>Throws unless <paramref name="downloaded"/> (the file, or the top folder) holds exactly the data.</summary>
    public void AssertDownloaded(string downloaded)
    {
        foreach (var (relative, expected) in _hashes)
        {
            var path = IsMultiFile ? Path.Combine(downloaded, relative) : downloaded;
            using var stream = File.OpenRead(path);
            if (!SHA256.HashData(stream).AsSpan().SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{path} differs from the source.");
            }
        }
    }
}
