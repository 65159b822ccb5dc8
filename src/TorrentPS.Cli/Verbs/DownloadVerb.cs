using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps download -o &lt;path&gt; &lt;file.torrent&gt;</c>: the whole torrent, or the files <c>--file</c>/<c>--exclude</c> choose
/// (for a single file <c>path</c> is the file, for several the folder that receives them), in order with
/// <c>--sequential</c>; prints <c>Downloaded &lt;file.torrent&gt; to &lt;path&gt;.</c> The same command run
/// again after an interruption continues where it stopped.
/// </summary>
internal sealed class DownloadVerb : ICliVerb
{
    private readonly Option<string> _output = CliArguments.Output("path", "Where the download goes: the file of a single-file torrent, the folder of a multi-file one.");

    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file to download.");

    private readonly TorrentRun _run = new();

    private readonly FileOptions _files = new();

    public DownloadVerb()
    {
        Command = new("download", "Downloads a whole torrent; the same command run again after an interruption continues.") { _output, _torrent };
        _run.AddTo(Command, seeding: true);
        _files.AddTo(Command);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var output = parsed.GetRequiredValue(_output);
        var torrentPath = parsed.GetRequiredValue(_torrent);
        var torrent = await TorrentInfo.LoadAsync(torrentPath, cancellationToken).ConfigureAwait(false);
        var files = _files.Choice(parsed);

        // Files the torrent does not have are said before any peer is asked for anything.
        files.Resolve(torrent);
        // A destination that cannot be written is said before any peer is asked for anything.
        ContentLocation.EnsureWritable(Path.GetDirectoryName(Path.GetFullPath(output)) ?? output);
        var loggers = CliApp.CreateLoggers(stderr);
        return await _run.DownloadAsync(
            parsed,
            _files.Apply(parsed, TransferRequest.Download(torrent, output) with { Layout = ContentLayout.AtPath, FileChoice = files }),
            $"Downloaded {torrentPath} to {output}.",
            Command.Name,
            loggers,
            stdout,
            stderr,
            cancellationToken).ConfigureAwait(false);
    }
}
