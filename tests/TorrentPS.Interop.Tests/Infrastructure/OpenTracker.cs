using System.Net;
using System.Net.Sockets;
using System.Text;
using TorrentPS.Engine.Trackers;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A real opentracker (Debian build, whitelist mode) on a fresh 127.0.0.x, HTTP and UDP on one port. The info hashes
/// a test uses go into the whitelist before it starts. Started as root it chroots into its folder and runs as
/// nobody, so the folder and whitelist are world-readable and the whitelist path is relative to the folder.
/// </summary>
public sealed class OpenTracker : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly ExternalProcess _process;

    private OpenTracker(TempDirectory directory, ExternalProcess process, IPAddress address, int port)
    {
        _directory = directory;
        _process = process;
        Address = address;
        Port = port;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public string HttpAnnounceUrl => $"http://{Address}:{Port}/announce";

    public string UdpAnnounceUrl => $"udp://{Address}:{Port}/announce";

    /// <summary>A fresh address and free port for a tracker to be started later.</summary>
    public static IPEndPoint ReserveEndPoint()
    {
        var address = Loopback.NextAddress();
        return new IPEndPoint(address, Loopback.FreePort(address));
    }

    /// <summary>What opentracker printed, for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>
    /// Starts opentracker whitelisting <paramref name="infoHashesHex"/> (40 hex digits each) and waits until it accepts
    /// connections. Give <paramref name="endPoint"/> when the tracker URL had to be known first (say, inside a torrent).
    /// </summary>
    public static async Task<OpenTracker> StartAsync(IEnumerable<string> infoHashesHex, IPEndPoint? endPoint = null)
    {
        var directory = new TempDirectory("opentracker");
        try
        {
            var address = endPoint?.Address ?? Loopback.NextAddress();
            var port = endPoint?.Port ?? Loopback.FreePort(address);
            var whitelist = directory.Combine("whitelist.txt");
            var hashes = infoHashesHex.Select(h => h.ToLowerInvariant()).ToArray();
            await File.WriteAllLinesAsync(whitelist, hashes);
            var config = directory.Combine("opentracker.conf");
            await File.WriteAllLinesAsync(config,
            [
                $"listen.tcp_udp {address}:{port}",
                "access.whitelist ./whitelist.txt",
                $"tracker.rootdir {directory.Path}",
                "tracker.user nobody",
            ]);
            if (!OperatingSystem.IsWindows())
            {
                const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                File.SetUnixFileMode(directory.Path, readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                File.SetUnixFileMode(whitelist, readable);
                File.SetUnixFileMode(config, readable);
            }

            var process = ExternalProcess.Start("opentracker", ["-f", config], directory.Path);
            var tracker = new OpenTracker(directory, process, address, port);
            try
            {
                await tracker.WaitUntilListeningAsync(TimeSpan.FromSeconds(10));
                if (hashes.Length > 0)
                {
                    await tracker.WaitUntilWhitelistLoadedAsync(hashes[0], TimeSpan.FromSeconds(10));
                }

                return tracker;
            }
            catch
            {
                await tracker.DisposeAsync();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits until the tracker lists <paramref name="peer"/> for the torrent (a seeder announces on its own schedule),
    /// asking as a probe client that leaves again with a <c>stopped</c> announce.
    /// </summary>
    public async Task WaitUntilListedAsync(Engine.Metainfo.InfoHash infoHash, IPEndPoint peer, TimeSpan timeout)
    {
        var probeAddress = Loopback.NextAddress();
        using var client = TrackerClientFactory.Create(HttpAnnounceUrl, new TrackerOptions { Timeout = TimeSpan.FromSeconds(5), LocalAddress = probeAddress });
        var request = new AnnounceRequest { InfoHash = infoHash, PeerId = Engine.Peers.PeerId.Generate(), Port = 1, Left = 1, Event = TrackerEvent.Started };
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (true)
            {
                var response = await client.AnnounceAsync(request, CancellationToken.None);
                if (response.Peers.Contains(peer))
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"opentracker did not list {peer} within {timeout} (it lists {string.Join(", ", response.Peers)})");
                }

                request = request with { Event = TrackerEvent.None };
                await Task.Delay(200);
            }
        }
        finally
        {
            await client.AnnounceAsync(request with { Event = TrackerEvent.Stopped }, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>
    /// opentracker reads its whitelist on a thread of its own, after it has begun to accept connections: until then
    /// every hash is "not authorized". Probes with a <c>stopped</c> announce, which leaves no peer behind.
    /// </summary>
    private async Task WaitUntilWhitelistLoadedAsync(string infoHashHex, TimeSpan timeout)
    {
        var query = new StringBuilder($"{HttpAnnounceUrl}?info_hash=");
        HttpTrackerUrl.AppendPercentEncoded(query, Convert.FromHexString(infoHashHex));
        query.Append("&peer_id=-XX0000-whitelist123&port=1&uploaded=0&downloaded=0&left=0&event=stopped&compact=1");
        // TrackerHttp uses each connection once: opentracker hangs up after every answer, so a second GET on a kept
        // connection would be reset.
        using var http = TrackerHttp.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(5);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var body = await http.GetStringAsync(query.ToString());
            if (!body.Contains("not authorized", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"opentracker did not load its whitelist within {timeout}:\n{_process.Output}");
            }

            await Task.Delay(25);
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"opentracker exited at start:\n{_process.Output}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(Address, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
