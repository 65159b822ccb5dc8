using System.CommandLine;
using TorrentPS.Engine.Metainfo;

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
/// BEP 47 padding files are left out, their bytes still count in Length). Nothing else goes to stdout.
/// </summary>
internal sealed class InfoVerb : ICliVerb
{
    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file to read.");

    public InfoVerb() => Command = new("info", "Prints a torrent's tracker, length, info hash, piece length, piece hashes and files.") { _torrent };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var torrent = await TorrentInfo.LoadAsync(parsed.GetRequiredValue(_torrent), cancellationToken).ConfigureAwait(false);
        var output = new System.Text.StringBuilder();
        if (torrent.Announce is { } tracker)
        {
            output.Append("Tracker URL: ").Append(tracker).Append('\n');
        }

        output.Append("Length: ").Append(torrent.Length).Append('\n');
        output.Append("Info Hash: ").Append(torrent.InfoHash.Hex).Append('\n');
        output.Append("Piece Length: ").Append(torrent.PieceLength).Append('\n');
        output.Append("Piece Hashes:\n");
        foreach (var hash in torrent.PieceHashes)
        {
            output.Append(hash).Append('\n');
        }

        if (torrent.IsMultiFile)
        {
            output.Append("Files:\n");
            foreach (var file in torrent.Files)
            {
                if (!file.IsPadding)
                {
                    output.Append(file.Length).Append(' ').Append(torrent.Name).Append('/').Append(file.Path).Append('\n');
                }
            }
        }

        await stdout.WriteAsync(output.ToString()).ConfigureAwait(false);
        return 0;
    }
}
