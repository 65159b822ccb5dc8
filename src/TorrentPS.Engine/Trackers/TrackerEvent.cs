namespace TorrentPS.Engine.Trackers;

/// <summary>The <c>event</c> of an announce. The numbers are BEP 15's; HTTP sends the names (none is omitted).</summary>
internal enum TrackerEvent
{
    None = 0,
    Completed = 1,
    Started = 2,
    Stopped = 3,
}
