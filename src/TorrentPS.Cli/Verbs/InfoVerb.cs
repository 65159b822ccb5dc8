using System.CommandLine;
using System.Globalization;
using TorrentPS.Cli.Output;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// `tps info &lt;file.torrent&gt;`, in the challenge's format, one item per line:
/// <code>
/// Tracker URL: &lt;url&gt;          (omitted when the torrent names no tracker)
/// Length: &lt;total bytes&gt;
/// Info Hash: &lt;40 lowercase hex&gt;
/// Piece Length: &lt;bytes&gt;
/// Piece Hashes:
/// &lt;40 lowercase hex&gt;          (one line per piece)
/// </code>
/// A multi-file torrent then adds, after the piece hashes, <c>Files:</c> and one line per file:
/// <c>&lt;length&gt; &lt;name&gt;/&lt;path&gt;</c> (the path below the destination folder, '/'-separated, sanitised;
/// BEP 47 padding files are left out, their bytes still count in Length). Nothing else goes to stdout. Text from the
/// torrent goes through <see cref="DisplayText"/> (a tracker URL cannot add lines), and the output is written as it is
/// made, so its memory does not grow with the piece count.
/// </summary>
internal sealed class InfoVerb : ICliVerb
{
    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file to read.");

    public InfoVerb() => Command = new("info", "Prints a torrent's tracker, length, info hash, piece length, piece hashes and files.") { _torrent };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var torrent = await TorrentInfo.LoadAsync(parsed.GetRequiredValue(_torrent), cancellationToken).ConfigureAwait(false);
        await WriteAsync(torrent, stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Writes <paramref name="torrent"/> in the challenge's format (<c>magnet_info</c> prints the same).</summary>
    internal static async Task WriteAsync(TorrentInfo torrent, TextWriter stdout, CancellationToken cancellationToken)
    {
        // Streamed in chunks: a torrent of millions of pieces never has its whole output in memory.
        var output = new ChunkedOutput(stdout, cancellationToken);
        if (torrent.Announce is { } tracker)
        {
            await output.Line("Tracker URL: ", DisplayText.Escape(tracker)).ConfigureAwait(false);
        }

        await output.Line("Length: ", torrent.Length.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        await output.Line("Info Hash: ", torrent.Hash.Hex).ConfigureAwait(false);
        await output.Line("Piece Length: ", torrent.PieceLength.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        await output.Line("Piece Hashes:").ConfigureAwait(false);
        for (var i = 0; i < torrent.PieceCount; i++)
        {
            await output.HexLine(torrent.GetPieceHash(i)).ConfigureAwait(false);
        }

        if (torrent.IsMultiFile)
        {
            await output.Line("Files:").ConfigureAwait(false);
            foreach (var file in torrent.Files)
            {
                if (!file.IsPadding)
                {
                    // Sanitised paths hold nothing to escape; the rule is applied all the same, uncapped (paths are bounded).
                    await output.Line(file.Length.ToString(CultureInfo.InvariantCulture), " ", DisplayText.Escape($"{torrent.Name}/{file.Path}", int.MaxValue)).ConfigureAwait(false);
                }
            }
        }

        await output.FlushAsync().ConfigureAwait(false);
    }
}
