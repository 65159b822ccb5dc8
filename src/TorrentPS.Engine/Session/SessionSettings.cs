using System.Net;
using System.Text.Json;

namespace TorrentPS.Engine.Session;

/// <summary>
/// What <c>Set-TorrentSession</c> changes and the state folder keeps (<c>session.json</c>): where to listen, the
/// connection bounds, the session's rate limits. Immutable.
/// </summary>
public sealed record SessionSettings
{
    public ListenSettings Listen { get; init; } = ListenSettings.Default;

    /// <summary>Connections (made or being made) across every torrent at most.</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Connections one torrent keeps at most.</summary>
    public int MaxConnectionsPerTorrent { get; init; } = 50;

    /// <summary>The session's upload limit in bytes per second; 0 for none.</summary>
    public long UploadRateLimit { get; init; }

    /// <summary>The session's download limit in bytes per second; 0 for none.</summary>
    public long DownloadRateLimit { get; init; }

    /// <summary>Whether the session runs a DHT node (BEP 5) on its listen port's UDP number; public torrents find peers through it.</summary>
    public bool Dht { get; init; } = true;

    /// <summary>
    /// The DHT's bootstrap routers (<c>host:port</c> or <c>ip:port</c>), asked after the nodes the state folder saved:
    /// null for the well-known public routers, empty for none.
    /// </summary>
    public IReadOnlyList<string>? DhtBootstrapNodes { get; init; }

    /// <summary>Local service discovery (BEP 14) on the local network: null for the default (on, except in a test process).</summary>
    public bool? LocalDiscovery { get; init; }

    /// <summary>The multicast group port local discovery uses (6771 by BEP 14; tests take another).</summary>
    public int LocalDiscoveryPort { get; init; } = TorrentPS.Engine.LocalDiscovery.LocalDiscoveryOptions.DefaultPort;

    internal byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", 1);
            json.WriteString("listenAddress", Listen.Address.ToString());
            json.WriteNumber("listenPort", Listen.Port);
            json.WriteNumber("maxConnections", MaxConnections);
            json.WriteNumber("maxConnectionsPerTorrent", MaxConnectionsPerTorrent);
            json.WriteNumber("uploadRateLimit", UploadRateLimit);
            json.WriteNumber("downloadRateLimit", DownloadRateLimit);
            json.WriteBoolean("dht", Dht);
            if (DhtBootstrapNodes is not null)
            {
                json.WriteStartArray("dhtBootstrapNodes");
                foreach (var node in DhtBootstrapNodes)
                {
                    json.WriteStringValue(node);
                }

                json.WriteEndArray();
            }

            if (LocalDiscovery is { } local)
            {
                json.WriteBoolean("localDiscovery", local);
            }
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The settings in <paramref name="content"/>; null (and a problem) when they cannot be read.</summary>
    internal static SessionSettings? FromJson(ReadOnlySpan<byte> content, List<string> problems)
    {
        try
        {
            using var document = JsonDocument.Parse(content.ToArray());
            var root = document.RootElement;
            var defaults = new SessionSettings();
            var port = root.TryGetProperty("listenPort", out var p) ? p.GetInt32() : defaults.Listen.Port;
            var address = root.TryGetProperty("listenAddress", out var a) && IPAddress.TryParse(a.GetString(), out var parsed) ? parsed : defaults.Listen.Address;
            if (port is < 0 or > IPEndPoint.MaxPort)
            {
                throw new FormatException($"listen port {port} is out of range");
            }

            return new SessionSettings
            {
                Listen = new ListenSettings { Address = address, Port = port },
                MaxConnections = Math.Max(1, root.TryGetProperty("maxConnections", out var m) ? m.GetInt32() : defaults.MaxConnections),
                MaxConnectionsPerTorrent = Math.Max(1, root.TryGetProperty("maxConnectionsPerTorrent", out var t) ? t.GetInt32() : defaults.MaxConnectionsPerTorrent),
                UploadRateLimit = Math.Max(0, root.TryGetProperty("uploadRateLimit", out var u) ? u.GetInt64() : 0),
                DownloadRateLimit = Math.Max(0, root.TryGetProperty("downloadRateLimit", out var d) ? d.GetInt64() : 0),
                Dht = !root.TryGetProperty("dht", out var dht) || dht.GetBoolean(),
                DhtBootstrapNodes = root.TryGetProperty("dhtBootstrapNodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array
                    ? nodes.EnumerateArray().Select(n => n.GetString() ?? string.Empty).Where(n => n.Length > 0).ToArray()
                    : null,
                LocalDiscovery = root.TryGetProperty("localDiscovery", out var local) ? local.GetBoolean() : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            problems.Add($"the session settings are damaged ({ex.Message}); using the defaults");
            return null;
        }
    }
}
