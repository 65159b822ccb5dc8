using System.CommandLine;
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
    private readonly Argument<string> _link = CliArguments.MagnetLink();

    public MagnetParseVerb() => Command = new("magnet_parse", "Prints the trackers and the info hash of a magnet link.") { _link };

    public Command Command { get; }

    public async Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var magnet = MagnetLink.Parse(parsed.GetRequiredValue(_link));
        var output = new System.Text.StringBuilder();
        foreach (var tracker in magnet.Trackers)
        {
            output.Append("Tracker URL: ").Append(DisplayText.Escape(tracker)).Append('\n');
        }

        output.Append("Info Hash: ").Append(magnet.Hash.Hex).Append('\n');
        await stdout.WriteAsync(output.ToString()).ConfigureAwait(false);
        return 0;
    }
}
