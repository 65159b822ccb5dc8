namespace TorrentPS.Engine.Dht;

/// <summary>The error codes of BEP 5's KRPC <c>e</c> messages.</summary>
internal static class KrpcErrorCode
{
    public const int Generic = 201;

    public const int Server = 202;

    /// <summary>A malformed packet, invalid arguments or a bad token.</summary>
    public const int Protocol = 203;

    public const int MethodUnknown = 204;
}
