using TorrentPS.Cli;

using var cancellation = new CancellationTokenSource();
var policy = new CancelKeyPolicy(cancellation);
Console.CancelKeyPress += (_, e) => e.Cancel = !policy.ShouldTerminate();

CliApp.StderrIsTerminal = !Console.IsErrorRedirected;
return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
