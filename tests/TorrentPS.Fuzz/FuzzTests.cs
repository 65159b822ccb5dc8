using System.Globalization;
using Xunit.Abstractions;

namespace TorrentPS.Fuzz;

/// <summary>
/// The fuzz harness as tests. CI runs a fixed budget: 50,000 inputs shared by the targets, seed 1, a few seconds. By
/// hand, any number and any seed:
/// <code>TORRENTPS_FUZZ_INPUTS=10000000 TORRENTPS_FUZZ_SEED=7 dotnet test tests/TorrentPS.Fuzz -c Release --logger "console;verbosity=normal"</code>
/// (the inputs are shared among the targets; each target's report is written to the test output). A failing input is
/// saved under <c>$TMPDIR/tps-fuzz-failures</c>.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const long DefaultInputs = 50_000;

    public static TheoryData<string> Targets => new(FuzzTargets.All.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_input_ends_quickly_in_a_result_or_a_typed_error_with_a_safe_message(string name)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        var total = Setting("TORRENTPS_FUZZ_INPUTS", DefaultInputs);
        var seed = (int)Setting("TORRENTPS_FUZZ_SEED", 1);

        var report = FuzzRunner.Run(target, Math.Max(target.Seeds.Count, total / FuzzTargets.All.Count), seed);

        output.WriteLine(report.ToString());
        Assert.True(report.Failures.Count == 0, string.Join("\n\n", report.Failures));
    }

    [Fact]
    public void The_mutator_makes_the_same_inputs_from_the_same_seed()
    {
        var seeds = FuzzTargets.All[1].Seeds;
        var first = new Mutator(5);
        var second = new Mutator(5);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(first.Next(seeds, 4096), second.Next(seeds, 4096));
        }
    }

    private static long Setting(string name, long fallback)
        => long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
