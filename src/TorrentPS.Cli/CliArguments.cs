using System.CommandLine;
using System.CommandLine.Parsing;
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
        CustomParser = result => Number(result, "--timeout", 0, 3600, exclusiveMin: true) ?? defaultSeconds,
    };

    /// <summary><c>&lt;piece index&gt;</c>: a whole number from 0 (checked against the torrent once it is known).</summary>
    public static Argument<int> PieceIndex() => new("piece index")
    {
        Description = "The piece to download, counted from 0.",
        CustomParser = result =>
        {
            if (result.Tokens is [{ Value: var text }] && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return index;
            }

            result.AddError($"the piece index must be a number from 0, not '{string.Join(' ', result.Tokens.Select(t => t.Value))}'");
            return 0;
        },
    };

    /// <summary><c>-o &lt;path&gt;</c>, required: where a transfer verb writes.</summary>
    public static Option<string> Output(string helpName, string description) => new("-o")
    {
        HelpName = helpName,
        Description = description,
        Required = true,
    };

    /// <summary>An optional number option from <paramref name="min"/> to <paramref name="max"/>; null when not given.</summary>
    public static Option<double?> OptionalNumber(string name, string helpName, double min, double max, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = result => Number(result, name, min, max, exclusiveMin: false),
    };

    /// <summary>An optional IP address option (<c>--bind 127.0.0.1</c>); null when not given.</summary>
    public static Option<System.Net.IPAddress?> Address(string name, string description) => new(name)
    {
        HelpName = "address",
        Description = description,
        CustomParser = result =>
        {
            if (result.Tokens is [{ Value: var text }] && System.Net.IPAddress.TryParse(text, out var address))
            {
                return address;
            }

            result.AddError($"{name} takes an IP address of this machine, such as 0.0.0.0 or 127.0.0.1");
            return null;
        },
    };

    /// <summary>
    /// A repeatable <c>host:port</c> option (<c>--dht-node 127.0.0.1:6881</c>, <c>[::1]:6881</c>, <c>router.example:6881</c>):
    /// the host an IP address or a DNS name, the port from 1 to 65535, checked when parsing (names resolve later).
    /// </summary>
    public static Option<string[]> HostAndPorts(string name, string helpName, string description)
    {
        var option = new Option<string[]>(name)
        {
            HelpName = helpName,
            Description = description,
            Arity = ArgumentArity.OneOrMore,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!IsHostAndPort(token.Value))
                {
                    result.AddError($"{name} takes host:port or ip:port with a port from 1 to 65535, not '{token.Value}'");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary>Whether <paramref name="text"/> reads as <c>ip:port</c>, <c>[ipv6]:port</c> or <c>host:port</c> (port 1-65535).</summary>
    internal static bool IsHostAndPort(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon];
        if (host is ['[', .. var inner, ']'])
        {
            return System.Net.IPAddress.TryParse(inner, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return !host.Contains(':') && Uri.CheckHostName(host) is UriHostNameType.IPv4 or UriHostNameType.Dns;
    }

    private static double? Number(ArgumentResult result, string name, double min, double max, bool exclusiveMin)
    {
        if (result.Tokens is [{ Value: var text }]
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && (exclusiveMin ? value > min : value >= min) && value <= max)
        {
            return value;
        }

        result.AddError(exclusiveMin
            ? $"{name} needs a number of seconds more than {min} and at most {max}"
            : $"{name} takes a number from {min} to {max}");
        return null;
    }
}
