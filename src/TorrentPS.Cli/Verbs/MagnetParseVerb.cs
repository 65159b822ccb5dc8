using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// `tps magnet_parse "&lt;link&gt;"`, in the challenge's format: <c>Tracker URL: &lt;url&gt;</c> (one line per
/// <c>tr</c>, none when the link has no tracker) then <c>Info Hash: &lt;40 lowercase hex&gt;</c>, also when
/// the link carries the hash in base32. Tracker URLs go through <see cref="DisplayText"/>: a decoded <c>%0A</c> cannot add a line.
/// </summary>
internal sealed class MagnetParseVerb : ICliVerb
{
    public string Name => "magnet_parse";

    public string Usage => "\"<magnet link>\"";

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (arguments.Count != 1)
        {
            throw new CliUsageException(arguments.Count == 0 ? "missing the magnet link" : "expected exactly one argument (quote the link: it contains '&')");
        }

        var magnet = MagnetLink.Parse(arguments[0]);
        var output = new System.Text.StringBuilder();
        foreach (var tracker in magnet.Trackers)
        {
            output.Append("Tracker URL: ").Append(DisplayText.Escape(tracker)).Append('\n');
        }

        output.Append("Info Hash: ").Append(magnet.InfoHash.Hex).Append('\n');
        await stdout.WriteAsync(output.ToString()).ConfigureAwait(false);
        return 0;
    }
}
