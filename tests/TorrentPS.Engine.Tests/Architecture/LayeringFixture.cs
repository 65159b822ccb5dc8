// Types for LayeringTests.A_use_to_the_right_is_found_wherever_it_hides: namespaces named like two of the engine's
// layers, Metainfo to the left of Wire, and each Metainfo type using Wire in one way a compiler can record it.
namespace TorrentPS.Engine.Tests.Architecture.Fixture.Wire
{
    using TorrentPS.Engine.Tests.Architecture.Fixture.Metainfo;

    internal class WireThing
    {
        /// <summary>A use to the left (Wire uses Metainfo): allowed.</summary>
        public OnlyImportsIt? Left = null;

        public static int Make() => 1;
    }

    internal sealed class WireException : Exception
    {
    }
}

namespace TorrentPS.Engine.Tests.Architecture.Fixture.Metainfo
{
    using TorrentPS.Engine.Tests.Architecture.Fixture.Wire;

    internal sealed class UsesInAField
    {
        public WireThing? Thing = null;
    }

    internal static class UsesInASignature
    {
        public static void Take(WireThing thing) => GC.KeepAlive(thing);
    }

    internal static class UsesInABodyOnly
    {
        public static int Call() => WireThing.Make();
    }

    internal static class UsesInALambda
    {
        public static Func<int> Make() => () => WireThing.Make();
    }

    internal static class UsesAsAGenericArgument
    {
        public static IReadOnlyList<WireThing> None() => [];
    }

    internal class DerivesFromIt : WireThing
    {
    }

    internal static class CatchesIt
    {
        public static bool Run(Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (WireException)
            {
                return false;
            }
        }
    }

    /// <summary>Imports Wire (the using above) and uses nothing of it: no violation.</summary>
    internal sealed class OnlyImportsIt
    {
        public static int Zero() => 0;
    }
}
