using System.Globalization;
using System.Net;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>An aria2c 1.36 seeder on its own 127.0.0.x (flags per INTEROP.md: no DHT, LPD or PEX).</summary>
public sealed class Aria2Seeder : ISeeder
{
    private readonly ExternalProcess _process;

    private Aria2Seeder(ExternalProcess process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public string Output => _process.Output;

    public static async Task<Aria2Seeder> StartAsync(TestTorrent torrent)
    {
        var address = Loopback.NextAddress();
        var port = Loopback.FreePort(address);
        var process = ExternalProcess.Start("aria2c",
        [
            "-V", "--seed-ratio=0.0", "--seed-time=60", $"--dir={torrent.DataDirectory}", $"--interface={address}",
            $"--listen-port={port.ToString(CultureInfo.InvariantCulture)}", "--enable-dht=false", "--enable-dht6=false",
            "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--disable-ipv6=true", "--summary-interval=0",
            "--console-log-level=warn", "--bt-tracker-connect-timeout=1", "--bt-tracker-timeout=1", torrent.TorrentPath,
        ]);
        try
        {
            var endPoint = new IPEndPoint(address, port);
            await SeederReadiness.WaitAsync(endPoint, torrent.Info.Hash, process, TimeSpan.FromSeconds(30));
            return new Aria2Seeder(process, endPoint);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
