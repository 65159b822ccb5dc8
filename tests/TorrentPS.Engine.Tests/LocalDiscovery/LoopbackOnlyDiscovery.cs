using System.Runtime.CompilerServices;
using TorrentPS.Engine.LocalDiscovery;

namespace TorrentPS.Engine.Tests.LocalDiscovery;

/// <summary>
/// Nothing this test process starts may multicast beyond this host: local discovery here refuses any configuration
/// but the loopback one (TTL 0 through <c>lo</c>) or the loopback stand-in, whichever test creates it.
/// </summary>
internal static class LoopbackOnlyDiscovery
{
    [ModuleInitializer]
    internal static void Require() => LocalPeerDiscovery.RequireLoopback = true;
}
