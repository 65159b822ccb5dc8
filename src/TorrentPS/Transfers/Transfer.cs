using Microsoft.Extensions.Logging;
using TorrentPS.Engine.Session;

namespace TorrentPS.Transfers;

/// <summary>
/// What every transfer runs with: the session, the shared parameters, and loggers whose events reach the pipeline (or a
/// job's streams). <paramref name="Background"/>: the torrent runs as a job, so its resume data is kept in the session's
/// state folder.
/// </summary>
internal sealed record TransferContext(TorrentSession Session, TransferSettings Settings, ILoggerFactory Loggers, bool Background = false);

/// <summary>
/// One torrent a transfer cmdlet runs (a download, a magnet download, a piece, a seed, a metadata fetch): what to
/// prepare before it starts (read the .torrent file, check the arguments against it), how to start it in the session,
/// and what to write when it ends. <see cref="TransferRunner"/> does the rest, the same for all.
/// </summary>
internal abstract class Transfer
{
    /// <summary>What an error about this transfer names (the torrent, its path, the magnet link).</summary>
    public abstract object Target { get; }

    /// <summary>The torrent's name (valid after <see cref="PrepareAsync"/>).</summary>
    public abstract string Name { get; }

    /// <summary>The progress activity text, e.g. <c>Downloading ubuntu.iso</c> (valid after <see cref="PrepareAsync"/>).</summary>
    public abstract string Activity { get; }

    /// <summary>The content's length in bytes as known before starting; 0 when unknown (a magnet link without resume data).</summary>
    public abstract long Length { get; }

    /// <summary>The file or folder the data goes to or comes from, for -Verbose; null when none.</summary>
    public abstract string? Where { get; }

    /// <summary>Reads what the transfer needs before it starts; throws the engine's typed errors for bad input.</summary>
    public abstract Task PrepareAsync(TransferContext context, CancellationToken cancellationToken);

    /// <summary>What to ask the session for (valid after <see cref="PrepareAsync"/>); the shared parameters are applied to it by the runner.</summary>
    public abstract TransferRequest Request(TransferContext context);

    /// <summary>The session started (or attached to) <paramref name="torrent"/>: what it knows may name the transfer better.</summary>
    public virtual void Started(Torrent torrent)
    {
    }

    /// <summary>How the transfer ended, for its last progress record and -Verbose.</summary>
    public virtual string Summary(DownloadResult result) => TorrentProgress.Summary(result);

    /// <summary>What to write when the torrent ended with <paramref name="result"/>; null for nothing.</summary>
    public virtual object? Output(DownloadResult result, Torrent torrent) => result;

    /// <summary>Starts the torrent in the session, or attaches to it when the session runs it already into the same place.</summary>
    public Torrent Start(TransferContext context, out bool attached)
        => context.Session.Start(context.Settings.Apply(Request(context)) with { ResumeInStateFolder = context.Background }, context.Loggers, out attached);
}
