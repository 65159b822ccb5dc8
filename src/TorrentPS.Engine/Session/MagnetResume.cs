using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Bencode;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Storage;

namespace TorrentPS.Engine.Session;

/// <summary>
/// A magnet download restarted into the same destination: the info dictionary an earlier run fetched is in its resume
/// data, so the metadata is not fetched again.
/// </summary>
internal static class MagnetResume
{
    /// <summary>
    /// The torrent <paramref name="magnet"/> names, from the resume data at <paramref name="resumePath"/>; null when there
    /// is none, it is for another torrent, or it holds no (or no valid) info dictionary.
    /// </summary>
    public static TorrentInfo? TryLoad(MagnetLink magnet, string resumePath, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(magnet);
        logger ??= NullLogger.Instance;
        var resume = ResumeData.TryLoad(resumePath, magnet.Hash, logger);
        if (resume?.InfoDictionary is not { } raw)
        {
            return null;
        }

        try
        {
            var tiers = magnet.Trackers.Count > 0 ? magnet.Trackers.Select(t => (IReadOnlyList<string>)[t]).ToArray() : resume.TrackerTiers;
            var info = TorrentInfo.FromInfoDictionary(raw, tiers);
            if (!info.Hash.Equals(magnet.Hash))
            {
                logger.LogWarning("The resume data at {Path} holds metadata for {Other}, not {InfoHash}; fetching it again", resumePath, info.Hash, magnet.Hash);
                return null;
            }

            logger.LogInformation("Metadata of {Name} taken from the resume data of an earlier run", info.Name);
            return info;
        }
        catch (Exception ex) when (ex is BencodeException or InvalidTorrentException or UnsupportedTorrentException)
        {
            logger.LogWarning("The metadata in the resume data at {Path} is not usable ({Reason}); fetching it again", resumePath, ex.Message);
            return null;
        }
    }
}
