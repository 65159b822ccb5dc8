using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// <c>tps magnet_download -o &lt;path&gt; "&lt;magnet link&gt;"</c> (also <c>download_magnet</c>): the metadata from peers, then the
/// whole torrent as <c>tps download</c> does; prints <c>Downloaded &lt;link&gt; to &lt;path&gt;.</c> as <c>download</c> does. A second run continues
/// without fetching the metadata again (it is in the resume data).
/// </summary>
internal sealed class MagnetDownloadVerb : ICliVerb
{
    private readonly Option<string> _output = CliArguments.Output("path", "Where the download goes: the file of a single-file torrent, the folder of a multi-file one.");

    private readonly Argument<string> _link = CliArguments.MagnetLink();

    private readonly TorrentRun _run = new();

    private readonly FileOptions _files = new();

    public MagnetDownloadVerb()
    {
        Command = new("magnet_download", "Fetches a magnet link's metadata from peers, then downloads the whole torrent; run again after an interruption, it continues.") { _output, _link };
        Command.Aliases.Add("download_magnet");
        _run.AddTo(Command, seeding: true);
        _files.AddTo(Command);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var output = parsed.GetRequiredValue(_output);
        var link = parsed.GetRequiredValue(_link);
        var magnet = MagnetLink.Parse(link);
        // A destination that cannot be written is said before any peer is asked for anything.
        ContentLocation.EnsureWritable(Path.GetDirectoryName(Path.GetFullPath(output)) ?? output);
        var files = _files.Choice(parsed);
        var loggers = CliApp.CreateLoggers(stderr);
        return await _run.DownloadAsync(
            parsed,
            _files.Apply(parsed, TransferRequest.Download(magnet, output) with { Layout = ContentLayout.AtPath, FileChoice = files }),
            $"Downloaded {link} to {output}.",
            Command.Name,
            loggers,
            stdout,
            stderr,
            cancellationToken).ConfigureAwait(false);
    }
}
