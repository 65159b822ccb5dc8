using System.Globalization;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary><c>tps magnet_download_piece -o &lt;file&gt; "&lt;magnet link&gt;" &lt;index&gt;</c>: the metadata from peers, then one piece, verified; prints <c>Piece &lt;index&gt; downloaded to &lt;file&gt;.</c></summary>
internal sealed class MagnetDownloadPieceVerb : ICliVerb
{
    public string Name => "magnet_download_piece";

    public string Usage => "-o <file> \"<magnet link>\" <piece index> [--peer <ip:port>]... [--timeout <seconds>]";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArguments.Parse(arguments, ["-o", .. TorrentRun.Options]);
        parsed.ExpectPositional(2);
        var output = parsed.Require("-o");
        var magnet = MagnetLink.Parse(parsed.Positional[0]);
        if (!int.TryParse(parsed.Positional[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw new CliUsageException($"the piece index must be a number from 0, not '{parsed.Positional[1]}'");
        }

        var loggers = CliApp.CreateLoggers(stderr);
        var options = await TorrentRun.ApplyAsync(parsed, TorrentOptions.OnePiece(index, output), cancellationToken).ConfigureAwait(false);
        var result = await TorrentRun.RunAsync(status => TorrentSession.Shared.Start(magnet, options, loggers, status), stderr, cancellationToken).ConfigureAwait(false);
        var code = await TorrentRun.ExitCodeAsync(result, stderr, Name).ConfigureAwait(false);
        if (code == 0)
        {
            await stdout.WriteLineAsync($"Piece {index} downloaded to {output}.").ConfigureAwait(false);
        }

        return code;
    }
}
