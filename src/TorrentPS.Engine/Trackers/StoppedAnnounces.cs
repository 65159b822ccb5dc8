using Microsoft.Extensions.Logging;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// The <c>stopped</c> announces a one-off conversation owes the trackers that answered it: a tracker lists whoever
/// announced for about half an hour, so without one a peer that asked only for a peer list stays listed as a leecher
/// that never answers. Each goes out at once, on the client that was answered (its UDP connection id, its HTTP
/// tracker id), within a short deadline of its own whatever became of the conversation; the conversation awaits them
/// all (<see cref="WhenSentAsync"/>) before it ends, so none is left running. A tracker that does not take one is a
/// debug message: the peers were found all the same. Thread-safe.
/// </summary>
internal sealed class StoppedAnnounces(TimeSpan timeout, TimeProvider time, ILogger logger)
{
    private readonly object _gate = new();
    private readonly List<Task> _sending = [];

    /// <summary>
    /// Tells the tracker behind <paramref name="client"/>, which answered <paramref name="answered"/>, that we are gone.
    /// Takes the client over: it is disposed once the announce ends.
    /// </summary>
    public void Send(ITrackerClient client, AnnounceRequest answered)
    {
        var stopped = answered with { Event = TrackerEvent.Stopped, NumWant = 0 };
        lock (_gate)
        {
            _sending.Add(SendAsync(client, stopped));
        }
    }

    /// <summary>Completes when every announce sent so far has been answered, failed or run out of time; never faults.</summary>
    public Task WhenSentAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_sending);
        }
    }

    private async Task SendAsync(ITrackerClient client, AnnounceRequest stopped)
    {
        using (client)
        {
            using var deadline = new CancellationTokenSource(timeout, time);
            try
            {
                await client.AnnounceAsync(stopped, deadline.Token).ConfigureAwait(false);
                logger.LogDebug("Told {Tracker} that we stopped ({InfoHash})", client.Url, stopped.InfoHash);
            }
            catch (Exception ex)
            {
                logger.LogDebug("{Tracker} did not take our 'stopped' announce ({Message}); it may list us until it forgets us", client.Url, ex.Message);
            }
        }
    }
}
