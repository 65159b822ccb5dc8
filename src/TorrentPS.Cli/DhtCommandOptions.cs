using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Dht;
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

    /// <summary>
    /// A DHT node of its own on any free UDP port, for a verb that looks for peers without a session
    /// (<c>magnet_handshake</c>): bootstrapping from <c>--dht-node</c>, else the public routers, except in a test process,
    /// where no node is named and none is reached. Null with <c>--no-dht</c> or when there is no node to ask.
    /// </summary>
    public DhtNode? StartNode(ParseResult parsed, ILoggerFactory loggers)
    {
        if (!UseDht(parsed))
        {
            return null;
        }

        var inTest = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(StateFolder.TestVariable));
        var nodes = Nodes(parsed);
        if (nodes is null && inTest)
        {
            return null;
        }

        var options = new Engine.Dht.DhtOptions { BootstrapNodes = nodes, ForbidDefaultRouters = inTest };
        return DhtNode.Start(new IPEndPoint(IPAddress.Any, 0), options, loggers.CreateLogger<DhtNode>());
    }
}
