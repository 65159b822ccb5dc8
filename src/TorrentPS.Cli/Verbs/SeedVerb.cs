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
    public const int DefaultPort = 6881;

    public string Name => "seed";

    public string Usage => "[--port <port>] <file.torrent> <folder> [--seed-ratio <ratio>] [--allow-partial yes]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArguments.Parse(arguments, ["--port", "--seed-ratio", "--allow-partial"]);
        parsed.ExpectPositional(2);
        var torrent = await TorrentInfo.LoadAsync(parsed.Positional[0], cancellationToken).ConfigureAwait(false);
        var folder = parsed.Positional[1];
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The data folder '{folder}' does not exist.");
        }

        var loggers = CliApp.CreateLoggers(stderr, LogLevel.Information);
        var port = (int)(parsed.GetNumber("--port", 1, 65535) ?? DefaultPort);
        var listening = TorrentSession.Shared.Listen(port: port, loggers: loggers);
        await stderr.WriteLineAsync($"tps seed: listening on port {listening.Port}").ConfigureAwait(false);
        var ratio = parsed.GetNumber("--seed-ratio", 0, 1000);
        var options = TorrentOptions.SeedFrom(folder, allowPartial: parsed.Get("--allow-partial") is "yes" or "true" or "1", loggers) with
        {
            SeedRatio = ratio,
            SeedUntilStopped = ratio is null,
        };
        var result = await TorrentRun.RunAsync(status => TorrentSession.Shared.Start(torrent, options, loggers, status), stderr, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync($"Seeded {parsed.Positional[0]}: {result.Uploaded} bytes uploaded.").ConfigureAwait(false);
        return 0;
    }
}
