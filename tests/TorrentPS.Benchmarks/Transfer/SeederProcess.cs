using System.Diagnostics;
using System.Globalization;

namespace TorrentPS.Benchmarks.Transfer;

/// <summary>A seeder process (libtorrent's or <c>tps seed</c>) on its own loopback address, kept for all the runs of a row set.</summary>
internal sealed class SeederProcess : IDisposable
{
    /// <summary>Every seeder still running, for <see cref="KillAll"/>.</summary>
    private static readonly HashSet<SeederProcess> Running = [];

    private readonly Process _process;

    private SeederProcess(Process process, string endPoint)
    {
        _process = process;
        EndPoint = endPoint;
        lock (Running)
        {
            Running.Add(this);
        }
    }

    public string EndPoint { get; }

    public int Id => _process.Id;

    public ProcessCpu Cpu() => ProcessCpu.Read(_process.Id);

    public long PeakRssKiB() => ProcessCpu.PeakRssKiB(_process.Id);

    /// <summary>libtorrent's seeder (seed mode, no check) listening on <paramref name="address"/>.</summary>
    public static async Task<SeederProcess> StartLibtorrentAsync(string root, BenchContent content, string address)
    {
        var process = Start(ClientPrograms.Python, [LibtorrentScripts.SeederPath(root), content.TorrentPath, content.DataFolder, address, "0"]);
        var line = await ReadUntilAsync(process, process.StandardOutput, l => l.StartsWith("READY ", StringComparison.Ordinal) ? l[6..] : null);
        return new SeederProcess(process, $"{address}:{line}");
    }

    /// <summary><c>tps seed</c> (the program given), ready once it has checked the data; it listens on every address.</summary>
    public static async Task<SeederProcess> StartTpsAsync(string tps, BenchContent content)
    {
        var wanted = 20000 + Random.Shared.Next(20000);
        var process = Start(tps, ["seed", "--port", wanted.ToString(CultureInfo.InvariantCulture), content.TorrentPath, content.DataFolder]);
        string? port = null;
        await ReadUntilAsync(process, process.StandardError, line =>
        {
            // "Listening for peers on 0.0.0.0:<port>" (the port may be the next free one), then "... pieces already here".
            const string Listening = "Listening for peers on ";
            var at = line.IndexOf(Listening, StringComparison.Ordinal);
            if (at >= 0)
            {
                port = line[(line.LastIndexOf(':') + 1)..].Trim();
            }

            return line.Contains("pieces already here", StringComparison.Ordinal) ? line : null;
        });
        return new SeederProcess(process, $"127.0.0.1:{port ?? wanted.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Ends every seeder still running (the benchmark was interrupted: no finally block will run).</summary>
    public static void KillAll()
    {
        SeederProcess[] running;
        lock (Running)
        {
            running = [.. Running];
        }

        foreach (var seeder in running)
        {
            seeder.Dispose();
        }
    }

    public void Dispose()
    {
        lock (Running)
        {
            Running.Remove(this);
        }

        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static Process Start(string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["TPS_LOG"] = "info";
        var process = Process.Start(info)!;
        return process;
    }

    /// <summary>Reads <paramref name="reader"/> until <paramref name="ready"/> returns a value, then drains both streams in the background.</summary>
    private static async Task<string> ReadUntilAsync(Process process, StreamReader reader, Func<string, string?> ready)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var other = reader == process.StandardOutput ? process.StandardError : process.StandardOutput;
        _ = DrainAsync(other);
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ready(line) is { } value)
            {
                _ = DrainAsync(reader);
                return value;
            }
        }

        throw new InvalidOperationException($"{process.StartInfo.FileName} ended before it was ready.");
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
