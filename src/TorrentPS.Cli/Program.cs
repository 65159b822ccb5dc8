using TorrentPS.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks the command to stop (it prints "cancelled" and exits 130); a second one ends the
    // process at once, whatever it is waiting on.
    if (cancellation.IsCancellationRequested)
    {
        e.Cancel = false;
        return;
    }

    e.Cancel = true;
    cancellation.Cancel();
};

return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
