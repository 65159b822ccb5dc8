namespace TorrentPS.Engine.Extensions;

/// <summary>The three ut_metadata (BEP 9) message types.</summary>
internal enum UtMetadataMessageType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}
