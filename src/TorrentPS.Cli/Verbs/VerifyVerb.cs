using System.CommandLine;
using System.Text;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;
using TorrentPS.Engine.Text;

namespace TorrentPS.Cli.Verbs;

/// <summary>
/// `tps verify &lt;file.torrent&gt; &lt;folder&gt;`: checks the torrent's data in &lt;folder&gt; (the folder holding the single
/// file, or the multi-file torrent's top folder) against its piece hashes and prints, one item per line:
/// <code>
/// Pieces: &lt;valid&gt;/&lt;total&gt;
/// Missing file: &lt;path&gt;         (one per file not on disk, as `info` prints it: &lt;name&gt;/&lt;path&gt;, or &lt;name&gt;)
/// Invalid piece: &lt;index&gt;       (one per piece whose data is there but fails its hash)
/// Missing piece: &lt;index&gt;       (one per piece lacking data in files that exist: truncated, or never written)
/// </code>
/// Exit code 0 when the data is complete, 1 otherwise. The work is <see cref="VerifyAsync"/>; <see cref="RunAsync"/>
/// only reads the arguments.
/// </summary>
internal sealed class VerifyVerb : ICliVerb
{
    private readonly Argument<string> _torrent = CliArguments.TorrentFile("The .torrent file whose data to check.");

    private readonly Argument<string> _folder = new("folder") { Description = "The folder that holds the torrent's single file or its top folder." };

    public VerifyVerb()
    {
        _folder.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("the data folder must not be empty");
            }
        });
        Command = new("verify", "Checks a torrent's data on disk against its piece hashes; exit code 1 when it is not complete.") { _torrent, _folder };
    }

    public Command Command { get; }

    public Task<int> RunAsync(ParseResult parsed, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        => VerifyAsync(parsed.GetRequiredValue(_torrent), parsed.GetRequiredValue(_folder), stdout, cancellationToken, stderr);

    /// <summary>
    /// Checks <paramref name="torrentPath"/>'s data in <paramref name="folder"/>, prints the report; 0 when complete, 1
    /// otherwise. A folder that does not exist is said on <paramref name="stderr"/> (the report then lists every file missing).
    /// </summary>
    public static async Task<int> VerifyAsync(string torrentPath, string folder, TextWriter stdout, CancellationToken cancellationToken, TextWriter? stderr = null)
    {
        var torrent = await TorrentInfo.LoadAsync(torrentPath, cancellationToken).ConfigureAwait(false);
        if (File.Exists(folder))
        {
            throw StorageException.PathIsFile(folder);
        }

        if (!Directory.Exists(folder) && stderr is not null)
        {
            await stderr.WriteLineAsync($"tps verify: the folder '{DisplayText.Escape(folder)}' does not exist (<folder> holds the torrent's single file or its top folder)").ConfigureAwait(false);
        }

        var result = await new TorrentVerifier().VerifyAsync(torrent, ContentLocation.InFolder(torrent, folder), null, cancellationToken).ConfigureAwait(false);
        await stdout.WriteAsync(Report(torrent, result)).ConfigureAwait(false);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return result.IsComplete ? 0 : 1;
    }

    /// <summary>The lines <c>verify</c> prints for <paramref name="result"/>.</summary>
    public static string Report(TorrentInfo torrent, VerificationResult result)
    {
        var output = new StringBuilder();
        output.Append("Pieces: ").Append(result.ValidPieceCount).Append('/').Append(result.PieceCount).Append('\n');
        var layout = FileLayout.For(torrent);
        var explained = new HashSet<int>();
        foreach (var file in result.Files)
        {
            if (!file.Exists)
            {
                output.Append("Missing file: ").Append(torrent.IsMultiFile ? $"{torrent.Name}/{file.RelativePath}" : torrent.Name).Append('\n');
                var (first, last) = layout.GetPieceRange(file.FileIndex);
                for (var piece = first; piece <= last; piece++)
                {
                    explained.Add(piece);
                }
            }
        }

        foreach (var piece in result.InvalidPieces)
        {
            output.Append("Invalid piece: ").Append(piece).Append('\n');
        }

        foreach (var piece in result.MissingPieces)
        {
            if (!explained.Contains(piece))
            {
                output.Append("Missing piece: ").Append(piece).Append('\n');
            }
        }

        return output.ToString();
    }
}
