using System.CommandLine;
using TorrentPS.Engine.Session;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Cli;

/// <summary>
/// The download verbs' choice of files and order: <c>--file &lt;pattern&gt;</c> and <c>--exclude &lt;pattern&gt;</c> (each
/// repeatable; paths inside the torrent, '/' between folders, with <c>*</c>, <c>?</c> and <c>[a-z]</c> wildcards, as
/// PowerShell's <c>-like</c> reads them) and <c>--sequential</c>.
/// </summary>
internal sealed class FileOptions
{
    private readonly Option<string[]> _file = new("--file")
    {
        HelpName = "pattern",
        Description = "Download only the files whose path inside the torrent matches (wildcards: * ? [a-z]); repeat for more.",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<string[]> _exclude = new("--exclude")
    {
        HelpName = "pattern",
        Description = "Leave out the files whose path matches (wildcards); repeat for more.",
        Arity = ArgumentArity.OneOrMore,
    };

    private readonly Option<bool> _sequential = new("--sequential")
    {
        Description = "Take the pieces in order, so a file's beginning is usable while the rest arrives.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_file);
        command.Options.Add(_exclude);
        command.Options.Add(_sequential);
    }

    /// <summary>The files asked for (every file without <c>--file</c> or <c>--exclude</c>); a bad pattern is a usage error.</summary>
    public FileChoice Choice(ParseResult parsed)
    {
        var choice = FileChoice.Of(parsed.GetValue(_file), parsed.GetValue(_exclude));
        try
        {
            choice.Validate();
        }
        catch (Engine.Errors.TorrentPSException ex)
        {
            throw new CliUsageException(ex.Message.TrimEnd('.'));
        }

        return choice;
    }

    /// <summary><paramref name="request"/> with the order asked for.</summary>
    public TransferRequest Apply(ParseResult parsed, TransferRequest request) => request with { Sequential = parsed.GetValue(_sequential) || request.Sequential };
}
