using TorrentPS.Bridge.Progress;
using TorrentPS.Engine.Creation;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Creation;

/// <summary>Where New-Torrent's results go: queued pipeline writes, and how its progress activity is started and written.</summary>
internal sealed record TorrentCreationOutput(
    Action<object> Object,
    Action<Exception, object?> Error,
    Action<string> Verbose,
    Func<string, TransferProgress> StartProgress,
    Action<ProgressUpdate?> Progress);

/// <summary>
/// The work behind New-Torrent, free of PowerShell so xunit reaches it: make the torrent of one file or folder, write it
/// to the destination when there is one (whole or not at all; an existing file only with <c>overwrite</c>), and output the
/// <see cref="TorrentInfo"/> (read back from the written file, so its SourcePath names it). A torrent that cannot be made
/// or written is a non-terminating error; cancellation ends the run at once and writes nothing.
/// </summary>
internal sealed class TorrentCreationRunner(TorrentCreator creator, TorrentCreationOutput output)
{
    public async Task RunAsync(string contentPath, string? destination, bool overwrite, TorrentCreationOptions options, CancellationToken cancellationToken)
    {
        object target = contentPath;
        try
        {
            var progress = new TorrentCreationProgressReporter(output.StartProgress(TorrentCreationProgressReporter.ActivityFor(TorrentCreator.NameFor(contentPath))), output.Progress);
            var created = await creator.CreateAsync(contentPath, options, progress, cancellationToken).ConfigureAwait(false);
            progress.Complete(created.Torrent);
            var torrent = created.Torrent;
            if (destination is not null)
            {
                target = destination;
                await TorrentFileWriter.SaveAsync(torrent, destination, overwrite, cancellationToken).ConfigureAwait(false);
                torrent = TorrentInfo.Parse(created.GetBytes(), destination, cancellationToken);
                output.Verbose($"Wrote {torrent.Name} ({torrent.Hash}) to {destination}.");
            }

            output.Verbose($"{torrent.Name}: {torrent.Files.Count(f => !f.IsPadding)} files, {torrent.Length} bytes in {torrent.PieceCount} pieces, hashed in {created.Elapsed.TotalSeconds:0.00} s.");
            output.Object(torrent);
        }
        catch (Exception ex) when (ex is TorrentPSException or IOException or UnauthorizedAccessException)
        {
            output.Error(ex, target);
        }
    }
}
