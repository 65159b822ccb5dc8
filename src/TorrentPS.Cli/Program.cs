using System.Runtime.InteropServices;
using TorrentPS.Cli;

using var cancellation = new CancellationTokenSource();
var policy = new CancelKeyPolicy(cancellation);
Console.CancelKeyPress += (_, e) => e.Cancel = !policy.ShouldTerminate();

// SIGTERM (kill, a service manager) stops a transfer the way Ctrl+C does: progress saved, trackers told.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = !policy.ShouldTerminate());

CliApp.StderrIsTerminal = !Console.IsErrorRedirected;
return await CliApp.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
