using BenchmarkDotNet.Running;

// Run by hand: dotnet run -c Release --project tests/TorrentPS.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
