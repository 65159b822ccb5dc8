using System.CommandLine;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps seed [--port &lt;n&gt;] &lt;file.torrent&gt; &lt;folder&gt;</c> (<c>folder</c> as for <c>tps verify</c>: the folder holding the
/// single file or the top folder): checks the data, then serves it until Ctrl+C, logging peers and uploaded bytes on
/// stderr; prints <c>Seeded &lt;file.torrent&gt;: &lt;bytes&gt; bytes uploaded.</c> when it ends.
/// </summary>
internal sealed class SeedVerb : ICliVerb
{
    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file of the data to serve.");

    private readonly Argument<string> _folder = new("folder") { Description = "The folder that holds the torrent's single file or its top folder." };

    private readonly Option<double?> _seedRatio = CliArguments.OptionalNumber("--seed-ratio", "ratio", 0, 1000, "Stop seeding at this upload ratio; without it, seed until Ctrl+C.");

    private readonly Option<bool> _allowPartial = new("--allow-partial")
    {
        Description = "Serve the pieces that are there even when the data is incomplete.",
    };

    private readonly TorrentRun _run = new();

    public SeedVerb()
    {
        Command = new("seed", "Checks a torrent's data and serves it to peers until Ctrl+C (or --seed-ratio).") { _torrent, _folder, _seedRatio, _allowPartial };
        _run.AddListenOptions(Command);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var torrentPath = parsed.GetRequiredValue(_torrent);
        var torrent = await TorrentInfo.LoadAsync(torrentPath, cancellationToken).ConfigureAwait(false);
        var folder = parsed.GetRequiredValue(_folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The data folder '{folder}' does not exist.");
        }

        var loggers = CliApp.CreateLoggers(stderr, LogLevel.Information);
        await _run.ApplySessionAsync(parsed, loggers).ConfigureAwait(false);
        var listening = TorrentSession.Shared.Listen(_run.Listen(parsed), loggers);
        await stderr.WriteLineAsync($"tps seed: listening on port {listening.Port}").ConfigureAwait(false);
        var request = TransferRequest.Seed(torrent, folder, allowPartial: parsed.GetValue(_allowPartial)) with { SeedRatio = parsed.GetValue(_seedRatio), UseDht = _run.UseDht(parsed) };
        var result = await TorrentRun.RunAsync(TorrentSession.Shared.Start(request, loggers), stderr, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Seeded {torrentPath}: {result.Uploaded} bytes uploaded.").ConfigureAwait(false);
        return 0;
    }
}
