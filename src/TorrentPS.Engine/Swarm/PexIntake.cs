namespace TorrentPS.Engine.Swarm;

/// <summary>What <see cref="PeerExchange.Receive"/> made of one ut_pex message.</summary>
internal enum PexVerdict
{
    /// <summary>Read; its new peers (if any) are in the candidate list.</summary>
    Accepted,

    /// <summary>Not a valid ut_pex message: the peer broke the protocol (the loop drops it).</summary>
    Malformed,

    /// <summary>More messages than one a minute allows, by a wide margin: the peer misbehaves (the loop drops it).</summary>
    Flooding,

    /// <summary>From a connection the exchange does not know (closed, or never reported): ignored.</summary>
    UnknownPeer,
}

/// <summary>The verdict on one ut_pex message, how many candidates it gave, and why it was refused.</summary>
internal readonly record struct PexIntake(PexVerdict Verdict, int Taken, string? Reason = null)
{
    /// <summary>The peer misbehaved: close the connection with <see cref="Reason"/>.</summary>
    public bool ShouldDisconnect => Verdict is PexVerdict.Malformed or PexVerdict.Flooding;
}
