using System.Globalization;
using System.Net;
using System.Text.Json;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A transmission-cli 3.00 seeder on its own 127.0.0.x, configured through settings.json in its -g
/// folder (no DHT, LPD, PEX, uTP or port forwarding; plaintext preferred). It starts slowly.
/// </summary>
public sealed class TransmissionSeeder : ISeeder
{
    private readonly ExternalProcess _process;
    private readonly TempDirectory _config;

    private TransmissionSeeder(ExternalProcess process, TempDirectory config, IPEndPoint endPoint)
    {
        _process = process;
        _config = config;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public string Output => _process.Output;

    /// <summary>
    /// Starts it, again (up to three times, each on a fresh address) when it exits right after printing its version: on a
    /// busy machine transmission-cli now and then quits by itself while it sets the torrent up.
    /// </summary>
    public static async Task<TransmissionSeeder> StartAsync(TestTorrent torrent)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(torrent);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.StartsWith("The seeder exited", StringComparison.Ordinal))
            {
                // Try again.
            }
        }
    }

    private static async Task<TransmissionSeeder> StartOnceAsync(TestTorrent torrent)
    {
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        var config = new TempDirectory("tps-tr");
        var settings = new Dictionary<string, object>
        {
            ["bind-address-ipv4"] = address.ToString(),
            ["bind-address-ipv6"] = "::1",
            ["peer-port"] = port,
            ["peer-port-random-on-start"] = false,
            ["dht-enabled"] = false,
            ["lpd-enabled"] = false,
            ["pex-enabled"] = false,
            ["utp-enabled"] = false,
            ["port-forwarding-enabled"] = false,
            ["encryption"] = 0,
            ["ratio-limit-enabled"] = false,
            ["download-dir"] = torrent.DataDirectory,
            ["message-level"] = 1,
        };
        await File.WriteAllTextAsync(Path.Combine(config.Path, "settings.json"), JsonSerializer.Serialize(settings));
        var process = ExternalProcess.Start("transmission-cli",
        [
            "-g", config.Path, "-w", torrent.DataDirectory, "-p", port.ToString(CultureInfo.InvariantCulture), "-et", "-M", "-v", torrent.TorrentPath,
        ]);
        try
        {
            var endPoint = new IPEndPoint(address, port);
            await SeederReadiness.WaitAsync(endPoint, torrent.Info.Hash, process, TimeSpan.FromSeconds(40));
            return new TransmissionSeeder(process, config, endPoint);
        }
        catch
        {
            await process.DisposeAsync();
            config.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _config.Dispose();
    }
}
