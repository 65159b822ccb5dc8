using TorrentPS.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

CliApp.StderrIsTerminal = !Console.IsErrorRedirected;
return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
