using System.CommandLine;
using System.Globalization;

namespace TorrentPS.Cli;

/// <summary>Arguments and options several verbs take, defined once so they read and check the same everywhere.</summary>
internal static class CliArguments
{
    /// <summary>A .torrent file path (<c>&lt;file.torrent&gt;</c>); an empty name is a usage error.</summary>
    public static Argument<string> TorrentFile(string description)
    {
        var argument = new Argument<string>("file.torrent") { Description = description };
        argument.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("the .torrent file name is empty");
            }
        });
        return argument;
    }

    /// <summary>A magnet link (<c>&lt;magnet-link&gt;</c>).</summary>
    public static Argument<string> MagnetLink()
        => new("magnet-link") { Description = "The magnet link, quoted (it contains '&'): \"magnet:?xt=urn:btih:...&tr=...\"." };

    /// <summary><c>--timeout &lt;seconds&gt;</c>: a number more than 0 and at most 3600.</summary>
    public static Option<double> TimeoutSeconds(double defaultSeconds, string description) => new("--timeout")
    {
        HelpName = "seconds",
        Description = description,
        DefaultValueFactory = _ => defaultSeconds,
        CustomParser = result =>
        {
            if (result.Tokens is [{ Value: var text }]
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                && seconds > 0 && seconds <= 3600)
            {
                return seconds;
            }

            result.AddError("--timeout needs a number of seconds more than 0 and at most 3600");
            return defaultSeconds;
        },
    };
}
