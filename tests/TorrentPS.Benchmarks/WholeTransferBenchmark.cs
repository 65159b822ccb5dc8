using System.Runtime.InteropServices;
using TorrentPS.Benchmarks.Transfer;

namespace TorrentPS.Benchmarks;

/// <summary>
/// Whole transfers on loopback, timed as whole processes beside the reference clients in the same run (machines here
/// differ by up to 3× from one day to the next: only figures from one run compare).
/// <code>
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- download [--seeders 1,8] [--runs 5] [--warm-ups 1]
///     [--clients tps,tps-aot,pwsh,pwsh-baseline,libtorrent] [--tps PATH] [--tps-aot PATH] [--module PATH/TorrentPS.psd1]
///     [--probe PATH] [--probe-aot PATH]
///     [--build NAME=FOLDER]... [--env NAME=VALUE]... [--logs FOLDER] [--csv FILE]
///     [--size-mib 1024] [--piece-kib 1024] [--files 1] [--dir /dev/shm]
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- seed [--clients tps,libtorrent] [--runs 5] [same paths and options]
/// dotnet run -c Release --project tests/TorrentPS.Benchmarks -- serve [--seeders 8] [--size-mib 1024] [--piece-kib 1024]
/// </code>
/// <para><c>download</c> (<see cref="DownloadBenchmark"/>): a row set per seeder count, every client downloading from
/// that many libtorrent seeders in alternating runs; per client the median wall time with its range, MB/s, CPU (user /
/// system), CPU per GiB, voluntary and involuntary context switches, peak RSS, the seeders' CPU, and run-by-run
/// ratios against libtorrent and against <c>tps</c>. Clients: <c>tps</c> (JIT), <c>tps-aot</c> (Native AOT),
/// <c>pwsh</c> (Import-Module + Start-TorrentDownload), <c>pwsh-baseline</c> (pwsh + Import-Module + copying the data,
/// as issue 20 measured pwsh's own share), <c>pwsh-import</c> (pwsh + Import-Module only), <c>libtorrent</c>,
/// <c>probe</c> and <c>probe-aot</c> (tests/TorrentPS.Probe, JIT and Native AOT: issue 20's floor, one seeder only, with
/// ratios against it); any but libtorrent and the probe may name a build, <c>tps@before</c> with <c>--build before=/work/bench/before</c> (a folder laid out by
/// <c>publish-build.sh</c>), so one run compares builds side by side.</para>
/// <para><c>seed</c> (<see cref="SeedBenchmark"/>): libtorrent's downloader fetching the data from each seeder named.
/// <c>serve</c> (<see cref="ServeCommand"/>): the data and its seeders, held for a look with perf or strace.</para>
/// </summary>
internal static class WholeTransferBenchmark
{
    public static async Task<int> RunAsync(string mode, string[] args)
    {
        TransferSettings settings;
        try
        {
            settings = TransferSettings.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{mode}: {e.Message}");
            return 2;
        }

        var root = Path.Combine(settings.Directory, $"tps-bench-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(root);
        if (settings.Logs is not null)
        {
            Directory.CreateDirectory(settings.Logs);
        }

        // Ctrl+C or SIGTERM in the middle of a run: no finally block runs, so end the client and the seeders and remove the data here
        // (serve handles both signals itself and cleans up as it ends).
        void Interrupted(PosixSignalContext context)
        {
            TimedProcess.KillRunning();
            SeederProcess.KillAll();
            DeleteQuietly(root);
        }

        using var interrupt = mode == "serve" ? null : PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupted);
        using var terminate = mode == "serve" ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupted);
        try
        {
            Console.WriteLine($"{mode}: {settings.SizeMiB} MiB in {settings.Files} file(s), {settings.PieceKiB} KiB pieces, {settings.Runs} runs, in {root}");
            var content = BenchContent.Create(root, settings.SizeMiB, settings.PieceKiB, settings.Files);
            return mode switch
            {
                "seed" => await SeedBenchmark.RunAsync(root, content, settings),
                "serve" => await ServeCommand.RunAsync(root, content, settings),
                _ => await DownloadBenchmark.RunAsync(root, content, settings),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{mode}: {e.Message}");
            return 2;
        }
        finally
        {
            DeleteQuietly(root);
        }
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
