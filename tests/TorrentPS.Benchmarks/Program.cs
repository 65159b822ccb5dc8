using BenchmarkDotNet.Running;
using TorrentPS.Benchmarks;

// Run by hand: dotnet run -c Release --project tests/TorrentPS.Benchmarks -- --filter '*'
// Whole downloads and seeding beside the reference clients: ... -- download [options] | seed [options] | serve [options] (WholeTransferBenchmark)
if (args.Length > 0 && args[0] is "download" or "seed" or "serve")
{
    return await WholeTransferBenchmark.RunAsync(args[0], args[1..]);
}

// The whole-torrent check against openssl: dotnet run -c Release --project tests/TorrentPS.Benchmarks -- verify
if (args.Length > 0 && args[0] == "verify")
{
    return await VerifyBenchmark.RunAsync(args[1..]);
}

// Making a torrent against the verifier on the same file: dotnet run -c Release --project tests/TorrentPS.Benchmarks -- create
if (args.Length > 0 && args[0] == "create")
{
    return await CreateBenchmark.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
