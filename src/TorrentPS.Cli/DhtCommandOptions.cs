using System.CommandLine;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Session;

namespace TorrentPS.Cli;

/// <summary>
/// The DHT's options of the verbs that look for peers: <c>--no-dht</c> (this torrent does not search the DHT; the
/// session's own setting is left alone) and <c>--dht-node &lt;host:port&gt;</c> (repeatable: exactly these bootstrap
/// nodes instead of the public routers; in a test process, where <c>TORRENTPS_TEST</c> is set, the DHT knows none
/// unless they are named, so it never reaches the public routers).
/// </summary>
internal sealed class DhtCommandOptions
{
    private readonly Option<bool> _noDht = new("--no-dht")
    {
        Description = "Do not look for peers through the DHT; a magnet link then needs a tracker, an x.pe peer or --peer.",
    };

    private readonly Option<string[]> _nodes = CliArguments.HostAndPorts(
        "--dht-node", "ip:port", "A DHT node to bootstrap from instead of the public routers; repeat for more.");

    public void AddTo(Command command)
    {
        command.Options.Add(_noDht);
        command.Options.Add(_nodes);
    }

    /// <summary>Whether the command line leaves the DHT on (no <c>--no-dht</c>).</summary>
    public bool UseDht(ParseResult parsed) => !parsed.GetValue(_noDht);

    /// <summary>The <c>--dht-node</c> values; null when none was given (the session's or the default routers then).</summary>
    public IReadOnlyList<string>? Nodes(ParseResult parsed) => parsed.GetValue(_nodes) is { Length: > 0 } nodes ? nodes : null;

    /// <summary>
    /// With <c>--dht-node</c>, makes exactly those nodes the shared session's DHT bootstrap nodes. Called before the
    /// session listens, so its DHT starts with them.
    /// </summary>
    public async Task ApplyToSessionAsync(ParseResult parsed, ILoggerFactory? loggers)
    {
        if (Nodes(parsed) is { } nodes)
        {
            var session = TorrentSession.Shared;
            await session.ApplyAsync(session.Settings with { DhtBootstrapNodes = nodes }, loggers).ConfigureAwait(false);
        }
    }
}
