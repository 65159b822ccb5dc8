using BenchmarkDotNet.Running;
using TorrentPS.Benchmarks;

// Every session here and in the processes started from here is a test's: its DHT knows no public router and local
// discovery stays on loopback (SessionDiscovery), and no session may use the real per-user state folder (StateFolder).
// Without this, a benchmarked tps or pwsh looked up the public DHT routers and announced on the LAN's multicast group.
Environment.SetEnvironmentVariable("TORRENTPS_TEST", "1");

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

// A session of many small torrents under connections (threads, peak RSS, idle CPU): ... -- session [--torrents 200] [--connections 500] [--idle 30]
if (args.Length > 0 && args[0] == "session")
{
    return await SessionBenchmark.RunAsync(args[1..]);
}

// The seeding side of the session benchmark, started by it as a child process.
if (args.Length > 0 && args[0] == "session-host")
{
    return await SessionBenchmark.HostAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
