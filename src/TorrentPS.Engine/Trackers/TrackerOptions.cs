using System.Net;

namespace TorrentPS.Engine.Trackers;

/// <summary>Bounds and timings of tracker requests.</summary>
internal sealed record TrackerOptions
{
    public static TrackerOptions Default { get; } = new();

    /// <summary>The longest one announce or scrape may take, retransmissions and redirects included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>BEP 15: a UDP request unanswered after <c>base × 2^n</c> is sent again (15 s in the BEP).</summary>
    public TimeSpan UdpRetransmitBase { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>BEP 15: n grows up to 8.</summary>
    public int UdpMaxRetransmits { get; init; } = 8;

    /// <summary>BEP 15: a connection id may be used for a minute after it was received.</summary>
    public TimeSpan UdpConnectionIdLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many HTTP redirects one request follows.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>The largest HTTP response body read, in bytes.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>The local address requests are sent from; null lets the system choose.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>
    /// Options for a one-shot request a user waits on: the whole request within <paramref name="timeout"/>, and UDP
    /// retransmissions early enough that a lost datagram is resent within it (BEP 15's base, shortened to fit).
    /// </summary>
    public static TrackerOptions ForInteractive(TimeSpan timeout)
    {
        var retransmitBase = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 8, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromSeconds(15).Ticks));
        return new TrackerOptions { Timeout = timeout, UdpRetransmitBase = retransmitBase };
    }

    /// <summary>The wait before retransmission number <paramref name="attempt"/> (0 for the first send).</summary>
    public TimeSpan UdpRetransmitDelay(int attempt) => UdpRetransmitBase * Math.Pow(2, Math.Clamp(attempt, 0, 8));
}
