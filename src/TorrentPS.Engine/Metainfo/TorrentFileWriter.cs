using System.Buffers;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Errors;

namespace TorrentPS.Engine.Metainfo;

/// <summary>
/// Writes a <see cref="TorrentInfo"/> as a .torrent file (<c>Export-Torrent</c>): the info dictionary exactly as it was
/// read or fetched (so the info hash stays the same), the trackers as <c>announce</c> (the first) and, when there are
/// several, <c>announce-list</c> (BEP 12 tiers), the web seeds as <c>url-list</c> (BEP 19), and the comment, creator and
/// creation date the torrent had, its DHT <c>nodes</c> (BEP 5), and a hybrid torrent's <c>piece layers</c> (BEP 52) as
/// they were read.
/// </summary>
public static class TorrentFileWriter
{
    /// <summary>The bytes of the .torrent file.</summary>
    internal static byte[] Encode(TorrentInfo torrent)
    {
        ArgumentNullException.ThrowIfNull(torrent);
        return Encode(
            torrent.GetRawInfo().Span,
            torrent.TrackerTiers,
            torrent.WebSeeds,
            torrent.Comment,
            torrent.CreatedBy,
            torrent.CreationDate,
            torrent.GetRawPieceLayers().Span,
            torrent.DhtNodes);
    }

    /// <summary>
    /// The bytes of a .torrent file around an info dictionary already bencoded (<paramref name="rawInfo"/>, written as it
    /// is) and, for a hybrid torrent, its bencoded <c>piece layers</c> dictionary (empty for none).
    /// </summary>
    internal static byte[] Encode(
        ReadOnlySpan<byte> rawInfo,
        IReadOnlyList<IReadOnlyList<string>> trackerTiers,
        IReadOnlyList<string> webSeeds,
        string? comment,
        string? createdBy,
        DateTimeOffset? creationDate,
        ReadOnlySpan<byte> rawPieceLayers,
        IReadOnlyList<string>? dhtNodes = null)
    {
        var buffer = new ArrayBufferWriter<byte>(rawInfo.Length + rawPieceLayers.Length + 1024);
        var writer = new BencodeWriter(buffer);
        var tiers = trackerTiers.Where(t => t.Count > 0).ToArray();

        // Keys in ascending byte order: announce, announce-list, comment, created by, creation date, info, piece layers, url-list.
        writer.WriteDictionaryStart();
        if (tiers.Length > 0)
        {
            writer.WriteString("announce");
            writer.WriteString(tiers[0][0]);
        }

        if (tiers.Length > 1 || tiers.Any(t => t.Count > 1))
        {
            writer.WriteString("announce-list");
            writer.WriteListStart();
            foreach (var tier in tiers)
            {
                writer.WriteListStart();
                foreach (var url in tier)
                {
                    writer.WriteString(url);
                }

                writer.WriteEnd();
            }

            writer.WriteEnd();
        }

        WriteOptional(writer, "comment", comment);
        WriteOptional(writer, "created by", createdBy);
        if (creationDate is { } created)
        {
            writer.WriteString("creation date");
            writer.WriteInteger(created.ToUnixTimeSeconds());
        }

        writer.WriteString("info");
        buffer.Write(rawInfo);
        if (dhtNodes is { Count: > 0 })
        {
            // BEP 5: [host, port] pairs.
            writer.WriteString("nodes");
            writer.WriteListStart();
            foreach (var node in dhtNodes)
            {
                var split = node.LastIndexOf(':');
                writer.WriteListStart();
                writer.WriteString(node[..split].Trim('[', ']'));
                writer.WriteInteger(int.Parse(node.AsSpan(split + 1), System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteEnd();
            }

            writer.WriteEnd();
        }

        if (!rawPieceLayers.IsEmpty)
        {
            writer.WriteString("piece layers");
            buffer.Write(rawPieceLayers);
        }

        if (webSeeds.Count > 0)
        {
            writer.WriteString("url-list");
            writer.WriteListStart();
            foreach (var url in webSeeds)
            {
                writer.WriteString(url);
            }

            writer.WriteEnd();
        }

        writer.WriteEnd();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the .torrent file to <paramref name="path"/> whole or not at all (a temporary file beside it, renamed).
    /// </summary>
    /// <exception cref="TorrentPSException"><c>FileExists</c>: a file is there and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static async Task SaveAsync(TorrentInfo torrent, string path, bool overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encode(torrent);
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
        {
            throw Exists(full);
        }

        var temporary = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            try
            {
                await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryNotFoundException ex)
            {
                // The message would name the temporary file; the user named the target.
                throw new DirectoryNotFoundException($"Cannot write '{full}': the folder '{Path.GetDirectoryName(full)}' does not exist.", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new UnauthorizedAccessException($"Access to '{full}' is denied.", ex);
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException)
            {
                // .NET on Unix ends the reason with the file it failed on: here the temporary one.
                var reason = ex.Message.Split(" : '", 2)[0].TrimEnd('.');
                throw new IOException($"Cannot write '{full}': {reason}.", ex);
            }

            try
            {
                File.Move(temporary, full, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(full))
            {
                throw Exists(full);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static TorrentPSException Exists(string path)
        => new("FileExists", TorrentErrorKind.ResourceExists, $"The file '{path}' already exists.");

    private static void WriteOptional(BencodeWriter writer, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }
    }
}
