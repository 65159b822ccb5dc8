namespace TorrentPS.Engine.Extensions;

/// <summary>The three ut_metadata (BEP 9) message types.</summary>
public enum UtMetadataMessageType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}
