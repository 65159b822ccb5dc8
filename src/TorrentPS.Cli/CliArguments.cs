using System.Globalization;

namespace TorrentPS.Cli;

/// <summary>
/// The arguments of one verb: positional ones in order, and <c>-o value</c> / <c>--name value</c> options anywhere
/// among them (a repeated option keeps every value).
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    public List<string> Positional { get; } = [];

    /// <summary>Splits <paramref name="arguments"/>; an option not in <paramref name="known"/>, or one without its value, is a usage error.</summary>
    public static CliArguments Parse(IReadOnlyList<string> arguments, params string[] known)
    {
        var parsed = new CliArguments();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Length > 1 && argument[0] == '-' && !double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                if (!known.Contains(argument))
                {
                    throw new CliUsageException($"unknown option '{argument}'");
                }

                if (i + 1 >= arguments.Count)
                {
                    throw new CliUsageException($"the option {argument} needs a value");
                }

                if (!parsed._options.TryGetValue(argument, out var values))
                {
                    parsed._options[argument] = values = [];
                }

                values.Add(arguments[++i]);
                continue;
            }

            parsed.Positional.Add(argument);
        }

        return parsed;
    }

    public string? Get(string option) => _options.TryGetValue(option, out var values) ? values[^1] : null;

    public IReadOnlyList<string> GetAll(string option) => _options.TryGetValue(option, out var values) ? values : [];

    public string Require(string option) => Get(option) ?? throw new CliUsageException($"the option {option} is required");

    public double? GetNumber(string option, double min, double max)
    {
        if (Get(option) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new CliUsageException($"{option} takes a number from {min} to {max}, not '{text}'");
        }

        return value;
    }

    public void ExpectPositional(int count)
    {
        if (Positional.Count != count)
        {
            throw new CliUsageException($"expected {count} argument{(count == 1 ? "" : "s")}, got {Positional.Count}");
        }
    }
}
