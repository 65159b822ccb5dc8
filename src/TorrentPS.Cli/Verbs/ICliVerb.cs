using System.CommandLine;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// One `tps` command. Adding a verb takes one file in this folder and one line in <see cref="CliApp.Verbs"/>:
/// <list type="number">
/// <item>A sealed class implementing <see cref="ICliVerb"/>, and <c>new YourVerb()</c> added to <see cref="CliApp.Verbs"/>
/// (help lists the commands by name; another name for the same command is <c>Command.Aliases.Add(...)</c>).</item>
/// <item><see cref="Command"/>: the challenge's word (<c>download_piece</c>), a one-sentence description, and its
/// arguments and options, each with a <c>Description</c> (<c>HelpName</c> sets how help shows a value, e.g.
/// <c>file.torrent</c>; <c>Validators</c> add usage errors). Keep them in fields so <see cref="RunAsync"/> reads
/// typed values: <c>parsed.GetRequiredValue(_torrent)</c>.</item>
/// <item><see cref="RunAsync"/>: only the answer on stdout, anything else on stderr. Return 0 on success, 1 for a
/// failure already reported on stderr. Throw a <c>TorrentPSException</c> (or <c>IOException</c>, ...) for a failure:
/// CliApp prints it as one line, exit code 1. Throw <see cref="CliUsageException"/> for a usage error only the verb
/// can see: exit code 2.</item>
/// </list>
/// CliApp handles <c>--help</c>, <c>--version</c>, parse errors (exit code 2) and Ctrl+C (exit code 130);
/// <c>CliAppTests</c> checks that every verb, argument and option is described.
/// </summary>
internal interface ICliVerb
{
    /// <summary>The command: name, description, arguments and options. Built once, in the constructor.</summary>
    Command Command { get; }

    /// <summary>Runs the command with its parsed command line; returns the process exit code.</summary>
    Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken);
}
