using System.Runtime.CompilerServices;
using TorrentPS.Engine.Session;

namespace TorrentPS.Module.Tests;

/// <summary>
/// Before any test: <c>TORRENTPS_TEST</c> is set, so a session that would use the real per-user state folder fails
/// loudly, and <c>TORRENTPS_STATE</c> points at a temporary folder of this test process.
/// </summary>
internal static class TestEnvironment
{
#pragma warning disable CA2255 // A test assembly's own set-up, run once before its tests.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void KeepTestsOutOfTheUsersState() => StateFolder.KeepTestsOutOfTheUsersState("torrentps-module-tests");
}
