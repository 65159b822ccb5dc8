using System.CommandLine;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli.Verbs;

/// <summary><c>tps magnet_download_piece -o &lt;file&gt; "&lt;magnet link&gt;" &lt;index&gt;</c>: the metadata from peers, then one piece, verified; prints <c>Piece &lt;index&gt; downloaded to &lt;file&gt;.</c></summary>
internal sealed class MagnetDownloadPieceVerb : ICliVerb
{
    private readonly Option<string> _output = CliArguments.Output("file", "The file that receives the piece's bytes.");

    private readonly Argument<string> _link = CliArguments.MagnetLink();

    private readonly Argument<int> _index = CliArguments.PieceIndex();

    private readonly TorrentRun _run = new();

    public MagnetDownloadPieceVerb()
    {
        Command = new("magnet_download_piece", "Fetches a magnet link's metadata from peers, then downloads one piece, checks its hash and writes it to a file.") { _output, _link, _index };
        _run.AddTo(Command, seeding: false);
    }

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var output = parsed.GetRequiredValue(_output);
        var magnet = MagnetLink.Parse(parsed.GetRequiredValue(_link));
        var index = parsed.GetValue(_index);
        var loggers = CliApp.CreateLoggers(stderr);
        return await _run.DownloadAsync(
            parsed,
            TransferRequest.Pieces(magnet, new Dictionary<int, string> { [index] = output }),
            $"Piece {index} downloaded to {output}.",
            Command.Name,
            loggers,
            stdout,
            stderr,
            cancellationToken).ConfigureAwait(false);
    }
}
