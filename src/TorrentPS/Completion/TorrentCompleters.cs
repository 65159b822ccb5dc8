using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace TorrentPS.Completion;

/// <summary>
/// The torrents a completion can know of, in order: those the command names itself (-Path, -LiteralPath,
/// -MagnetLink, -Torrent typed so far), the one the command before it in the pipeline names (<c>Get-TorrentInfo x.torrent |</c>,
/// or a path or magnet link in quotes), else the .torrent files of the current folder.
/// </summary>
internal static class CompletionContext
{
    private static readonly string[] SourceParameters = ["Path", "LiteralPath", "MagnetLink", "Torrent"];

    public static IReadOnlyList<KnownTorrent> Torrents(CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var folder = CurrentFolder();
        var named = SourceParameters
            .Where(fakeBoundParameters.Contains)
            .SelectMany(p => Values(fakeBoundParameters[p]))
            .Concat(FromPipeline(commandAst))
            .Select(value => Read(value, folder))
            .OfType<KnownTorrent>()
            .ToArray();
        return named.Length > 0 || folder is null ? named : KnownTorrent.InFolder(folder);
    }

    private static KnownTorrent? Read(object value, string? folder) => value switch
    {
        Engine.Metainfo.TorrentInfo torrent => KnownTorrent.From(torrent),
        Engine.Metainfo.MagnetLink magnet => KnownTorrent.From(magnet),
        string text when folder is not null && !text.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase) => KnownTorrent.TryRead(Path.Combine(folder, text)),
        string text => KnownTorrent.TryRead(text),
        _ => null,
    };

    private static IEnumerable<object> Values(object? value) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        null => [],
        string text => [text],
        IEnumerable many => many.Cast<object?>().Select(v => v is PSObject p ? p.BaseObject : v).OfType<object>(),
        var one => [one],
    };

    /// <summary>The path or link of the pipeline element before <paramref name="commandAst"/>, when it names one.</summary>
    private static IEnumerable<string> FromPipeline(CommandAst commandAst)
    {
        if (commandAst.Parent is not PipelineAst pipeline)
        {
            yield break;
        }

        var index = pipeline.PipelineElements.IndexOf(commandAst);
        switch (index > 0 ? pipeline.PipelineElements[index - 1] : null)
        {
            case CommandExpressionAst { Expression: StringConstantExpressionAst text }:
                yield return text.Value;
                break;
            case CommandAst previous when previous.GetCommandName() is { } name && name.Equals("Get-TorrentInfo", StringComparison.OrdinalIgnoreCase):
                foreach (var argument in previous.CommandElements.Skip(1).OfType<StringConstantExpressionAst>())
                {
                    yield return argument.Value;
                }

                break;
        }
    }

    private static string? CurrentFolder()
    {
        try
        {
            // Completion runs on the pipeline thread inside TabExpansion2: a script block sees the session's location.
            return ScriptBlock.Create("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke().FirstOrDefault()?.BaseObject as string;
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>-Tracker: the trackers of the torrents the command (or its pipeline) names.</summary>
internal sealed class TrackerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionCandidates.Trackers(CompletionContext.Torrents(commandAst, fakeBoundParameters), wordToComplete)
            .Select(c => new CompletionResult(c.Value, c.ListItem, CompletionResultType.ParameterValue, c.ToolTip));
}

/// <summary>-InfoHash: the info hashes of the torrents the command names, else of the .torrent files in the current folder.</summary>
internal sealed class InfoHashCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionCandidates.InfoHashes(CompletionContext.Torrents(commandAst, fakeBoundParameters), wordToComplete)
            .Select(c => new CompletionResult(c.Value, c.ListItem, CompletionResultType.ParameterValue, c.ToolTip));
}
