using System.Globalization;
using System.Net;
using System.Text.Json;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Swarm;

namespace TorrentPS.Engine.Session;

/// <summary>
/// The torrent list of the state folder (<c>torrents.json</c>) to and from bytes: one JSON object per torrent with its
/// request (torrent by info hash, its metainfo in <c>metainfo/&lt;hash&gt;.torrent</c>; or the magnet link), the state it
/// was left in, its totals and progress. Hand-written with Utf8JsonWriter and JsonDocument (no reflection: tps is AOT).
/// A damaged file or entry is a problem reported, never an exception.
/// </summary>
internal static class SavedTorrentList
{
    public const int FormatVersion = 1;

    public static byte[] Encode(IEnumerable<SavedTorrent> torrents)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", FormatVersion);
            json.WriteStartArray("torrents");
            foreach (var saved in torrents)
            {
                Write(json, saved);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// The entries of <paramref name="content"/>; <paramref name="loadMetainfo"/> gives the metainfo saved for an info hash
    /// (null when missing or unreadable). Each problem (a damaged file, an entry that cannot be used) is added to
    /// <paramref name="problems"/> and the rest is kept.
    /// </summary>
    public static List<SavedTorrent> Decode(ReadOnlySpan<byte> content, Func<InfoHash, string?, TorrentInfo?> loadMetainfo, List<string> problems)
    {
        var result = new List<SavedTorrent>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content.ToArray());
        }
        catch (JsonException ex)
        {
            problems.Add($"the torrent list is damaged ({ex.Message})");
            return result;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Number || format.GetInt32() != FormatVersion)
            {
                problems.Add($"the torrent list is not of format {FormatVersion}");
                return result;
            }

            if (!root.TryGetProperty("torrents", out var torrents) || torrents.ValueKind != JsonValueKind.Array)
            {
                problems.Add("the torrent list has no torrents array");
                return result;
            }

            var index = 0;
            foreach (var entry in torrents.EnumerateArray())
            {
                index++;
                try
                {
                    result.Add(Read(entry, loadMetainfo));
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or JsonException or ArgumentException or OverflowException or Errors.TorrentPSException)
                {
                    problems.Add($"entry {index} of the torrent list cannot be used ({ex.Message})");
                }
            }
        }

        return result;
    }

    private static void Write(Utf8JsonWriter json, SavedTorrent saved)
    {
        var request = saved.Request;
        json.WriteStartObject();
        json.WriteString("infoHash", request.InfoHash.Hex);
        json.WriteString("name", request.Name);
        if (request.Magnet is not null)
        {
            json.WriteString("magnet", request.Magnet.Uri);
        }

        json.WriteBoolean("hasMetainfo", request.Torrent is not null);
        if (request.Torrent?.SourcePath is { } source)
        {
            json.WriteString("sourcePath", source);
        }

        json.WriteString("mode", request.Mode.ToString());
        json.WriteString("destination", request.Destination);
        json.WriteString("layout", request.Layout.ToString());
        json.WriteBoolean("allowPartial", request.AllowPartial);
        if (request.Files is { } files)
        {
            json.WriteStartArray("filePriorities");
            foreach (var priority in files.Priorities)
            {
                json.WriteNumberValue((int)priority);
            }

            json.WriteEndArray();
        }

        if (request.FileChoice is { } choice)
        {
            WriteStrings(json, "fileInclude", choice.Include);
            WriteStrings(json, "fileExclude", choice.Exclude);
        }

        json.WriteBoolean("sequential", request.Sequential);
        json.WriteBoolean("firstAndLastPiecesFirst", request.FirstAndLastPiecesFirst);
        json.WriteStartArray("peers");
        foreach (var peer in request.Peers)
        {
            json.WriteStringValue(peer.ToString());
        }

        json.WriteEndArray();
        WriteSeconds(json, "noProgressTimeoutSec", request.NoProgressTimeout);
        if (request.SeedRatio is { } ratio)
        {
            json.WriteNumber("seedRatio", ratio);
        }

        WriteSeconds(json, "seedTimeSec", request.SeedTime);
        json.WriteBoolean("seedUntilStopped", request.SeedUntilStopped);
        json.WriteNumber("uploadRateLimit", request.UploadRateLimit);
        json.WriteNumber("downloadRateLimit", request.DownloadRateLimit);
        json.WriteBoolean("resumeInStateFolder", request.ResumeInStateFolder);
        json.WriteBoolean("useTrackers", request.UseTrackers);
        json.WriteBoolean("useDht", request.UseDht);
        json.WriteString("state", saved.State.ToString());
        json.WriteString("added", saved.AddedAt.ToString("O", CultureInfo.InvariantCulture));
        json.WriteNumber("downloaded", saved.Downloaded);
        json.WriteNumber("uploaded", saved.Uploaded);
        json.WriteNumber("verifiedBytes", saved.VerifiedBytes);
        json.WriteNumber("totalBytes", saved.TotalBytes);
        if (saved.Error is { } error)
        {
            json.WriteString("error", error);
        }

        json.WriteEndObject();
    }

    private static SavedTorrent Read(JsonElement entry, Func<InfoHash, string?, TorrentInfo?> loadMetainfo)
    {
        var infoHash = InfoHash.Parse(entry.GetProperty("infoHash").GetString()!);
        var sourcePath = Optional(entry, "sourcePath")?.GetString();
        var magnet = Optional(entry, "magnet")?.GetString() is { } uri ? MagnetLink.Parse(uri) : null;
        var torrent = Optional(entry, "hasMetainfo")?.GetBoolean() == true ? loadMetainfo(infoHash, sourcePath) : null;
        if (torrent is null && magnet is null)
        {
            throw new InvalidOperationException($"the metainfo of {infoHash.Hex} is missing and there is no magnet link");
        }

        if (torrent is not null && !torrent.Hash.Equals(infoHash) || magnet is not null && !magnet.Hash.Equals(infoHash))
        {
            throw new InvalidOperationException($"the metainfo or magnet link saved for {infoHash.Hex} is of another torrent");
        }

        var peers = new List<IPEndPoint>();
        if (Optional(entry, "peers") is { ValueKind: JsonValueKind.Array } list)
        {
            foreach (var peer in list.EnumerateArray())
            {
                if (PeerEndPoint.TryParse(peer.GetString(), out var endPoint))
                {
                    peers.Add(endPoint);
                }
            }
        }

        var request = new TransferRequest
        {
            Torrent = torrent,
            Magnet = magnet,
            Mode = Enum.Parse<TransferMode>(entry.GetProperty("mode").GetString()!),
            Destination = entry.GetProperty("destination").GetString()!,
            Layout = Enum.Parse<ContentLayout>(entry.GetProperty("layout").GetString()!),
            AllowPartial = Optional(entry, "allowPartial")?.GetBoolean() ?? false,
            Files = Optional(entry, "filePriorities") is { ValueKind: JsonValueKind.Array } priorities
                ? FileSelection.FromPriorities(priorities.EnumerateArray().Select(p => (FilePriority)p.GetInt32()).ToArray())
                : null,
            FileChoice = Optional(entry, "fileInclude") is { ValueKind: JsonValueKind.Array } include
                ? FileChoice.Of(Strings(include), Optional(entry, "fileExclude") is { ValueKind: JsonValueKind.Array } exclude ? Strings(exclude) : null)
                : null,
            Sequential = Optional(entry, "sequential")?.GetBoolean() ?? false,
            FirstAndLastPiecesFirst = Optional(entry, "firstAndLastPiecesFirst")?.GetBoolean() ?? false,
            Peers = peers,
            NoProgressTimeout = Seconds(entry, "noProgressTimeoutSec"),
            SeedRatio = Optional(entry, "seedRatio")?.GetDouble(),
            SeedTime = Seconds(entry, "seedTimeSec"),
            SeedUntilStopped = Optional(entry, "seedUntilStopped")?.GetBoolean() ?? false,
            UploadRateLimit = Optional(entry, "uploadRateLimit")?.GetInt64() ?? 0,
            DownloadRateLimit = Optional(entry, "downloadRateLimit")?.GetInt64() ?? 0,
            ResumeInStateFolder = Optional(entry, "resumeInStateFolder")?.GetBoolean() ?? false,
            UseTrackers = Optional(entry, "useTrackers")?.GetBoolean() ?? true,
            UseDht = Optional(entry, "useDht")?.GetBoolean() ?? true,
        };
        if (!request.IsKept || string.IsNullOrEmpty(request.Destination))
        {
            throw new InvalidOperationException($"{request.Mode} with destination '{request.Destination}' is not a torrent the session keeps");
        }

        return new SavedTorrent(
            request,
            Enum.Parse<TorrentState>(entry.GetProperty("state").GetString()!),
            Optional(entry, "added")?.GetString() is { } added ? DateTimeOffset.Parse(added, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : DateTimeOffset.UtcNow,
            Optional(entry, "downloaded")?.GetInt64() ?? 0,
            Optional(entry, "uploaded")?.GetInt64() ?? 0,
            Optional(entry, "verifiedBytes")?.GetInt64() ?? 0,
            Optional(entry, "totalBytes")?.GetInt64() ?? 0,
            Optional(entry, "error")?.GetString());
    }

    private static JsonElement? Optional(JsonElement entry, string name)
        => entry.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static TimeSpan? Seconds(JsonElement entry, string name)
        => Optional(entry, name)?.GetDouble() is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private static void WriteSeconds(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } span)
        {
            json.WriteNumber(name, span.TotalSeconds);
        }
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray();
}
