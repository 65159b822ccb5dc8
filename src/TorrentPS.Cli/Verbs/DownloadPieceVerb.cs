using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary><c>tps download_piece -o &lt;file&gt; &lt;file.torrent&gt; &lt;index&gt;</c>: one piece's bytes, verified, to the file; prints <c>Piece &lt;index&gt; downloaded to &lt;file&gt;.</c></summary>
internal sealed class DownloadPieceVerb : ICliVerb
{
    private readonly Option<string> _output = CliArguments.Output("file", "The file that receives the piece's bytes.");

    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file of the piece.");

    private readonly Argument<int> _index = CliArguments.PieceIndex();

    private readonly TorrentRun _run = new();

    public DownloadPieceVerb()
    {
        Command = new("download_piece", "Downloads one piece of a torrent, checks its hash and writes its bytes to a file.") { _output, _torrent, _index };
        _run.AddTo(Command, seeding: false);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var output = parsed.GetRequiredValue(_output);
        var index = parsed.GetValue(_index);
        var torrent = await TorrentInfo.LoadAsync(parsed.GetRequiredValue(_torrent), cancellationToken).ConfigureAwait(false);
        if (index >= torrent.PieceCount)
        {
            throw new CliUsageException($"the torrent has pieces 0 to {torrent.PieceCount - 1}, not {index}");
        }

        var loggers = CliApp.CreateLoggers(stderr);
        return await _run.DownloadAsync(
            parsed,
            TransferRequest.Pieces(torrent, new Dictionary<int, string> { [index] = output }),
            $"Piece {index} downloaded to {output}.",
            Command.Name,
            loggers,
            stdout,
            stderr,
            cancellationToken).ConfigureAwait(false);
    }
}
