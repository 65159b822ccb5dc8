using System.Diagnostics;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Text;

namespace TorrentPS.Fuzz;

/// <summary>
/// Runs a fuzz target over a budget of inputs and checks, for each: it ends in bounded time; it either returns (and
/// the target's own checks hold) or throws one of the engine's typed errors (<see cref="TorrentPSException"/>) whose
/// message carries no control characters and stays within <see cref="DisplayText.MaxMessageLength"/>. The first
/// failures are kept with the input that caused them, written to a file so they can be replayed.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>The most one input may take: generous (inputs are a few KB and take microseconds), so only a hang or a super-linear blow-up fails.</summary>
    public static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(2);

    public static FuzzReport Run(FuzzTarget target, long inputs, int seed)
    {
        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var typedErrors = 0L;
        var slowest = TimeSpan.Zero;
        var clock = new Stopwatch();
        for (long i = 0; i < inputs && failures.Count < 5; i++)
        {
            var input = i < target.Seeds.Count ? target.Seeds[(int)i] : mutator.Next(target.Seeds, target.MaxLength);
            string? failure = null;
            clock.Restart();
            try
            {
                target.Run(input);
            }
            catch (TorrentPSException ex)
            {
                typedErrors++;
                if (!DisplayText.IsSafe(ex.Message, DisplayText.MaxMessageLength))
                {
                    failure = $"{ex.GetType().Name} with a message that is not safe to show: {DisplayText.Escape(ex.Message, 300)}";
                }
            }
            catch (Exception ex)
            {
                failure = $"{ex.GetType().Name}: {DisplayText.Escape(ex.Message, 300)}\n{ex.StackTrace}";
            }

            clock.Stop();
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            if (failure is null && clock.Elapsed > MaxTimePerInput && Fastest(target, input, clock.Elapsed) is var fastest && fastest > MaxTimePerInput)
            {
                failure = $"took {fastest.TotalMilliseconds:0} ms at best of three runs (bound {MaxTimePerInput.TotalMilliseconds:0} ms) for {input.Length} bytes";
            }

            if (failure is not null)
            {
                failures.Add($"input {i} (seed {seed}, saved as {Save(target, seed, i, input)}): {failure}");
            }
        }

        return new FuzzReport(target.Name, inputs, typedErrors, slowest, failures);
    }

    /// <summary>The fastest of three runs of a slow input: a pause of a busy machine is not the parser's, a super-linear parse is slow every time.</summary>
    private static TimeSpan Fastest(FuzzTarget target, byte[] input, TimeSpan first)
    {
        var fastest = first;
        for (var run = 0; run < 2; run++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                target.Run(input);
            }
            catch (Exception)
            {
                // Judged already; only the time matters here.
            }

            fastest = clock.Elapsed < fastest ? clock.Elapsed : fastest;
        }

        return fastest;
    }

    private static string Save(FuzzTarget target, int seed, long index, byte[] input)
    {
        var folder = Path.Combine(Path.GetTempPath(), "tps-fuzz-failures");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{target.Name}-{seed}-{index}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }
}

/// <summary>What one fuzz run found.</summary>
internal sealed record FuzzReport(string Target, long Inputs, long TypedErrors, TimeSpan Slowest, IReadOnlyList<string> Failures)
{
    public override string ToString()
        => $"{Target}: {Inputs} inputs, {TypedErrors} typed errors, slowest {Slowest.TotalMilliseconds:0.0} ms, {Failures.Count} failures";
}
