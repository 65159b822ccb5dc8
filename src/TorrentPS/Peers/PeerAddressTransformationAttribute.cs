using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using TorrentPS.Engine.Peers;

namespace TorrentPS.Peers;

/// <summary>
/// Turns what reaches Invoke-PeerHandshake's <c>-Address</c> into address text: a string as it is; a TorrentPeer, an
/// IPEndPoint or an IPAddress as its address; any other object (a row of Import-Csv, a deserialized TorrentPeer from
/// Import-Clixml or a job, a [pscustomobject]) by its <c>Address</c> (or <c>EndPoint</c>) property, with its
/// <c>Port</c> property when the address has no port. So piped peers bind whatever way they come back.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class PeerAddressTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        => (inputData is PSObject { BaseObject: IList } wrapped ? wrapped.BaseObject : inputData) is IList list
            ? list.Cast<object?>().Select(ToAddress).ToArray()
            : ToAddress(inputData);

    private static object? ToAddress(object? value)
    {
        switch (value is PSObject wrapped ? wrapped.BaseObject : value)
        {
            case null:
                return null;
            case string text:
                return text;
            case TorrentPeer peer:
                return peer.EndPointText;
            case IPEndPoint or IPAddress:
                return value!.ToString();
        }

        var properties = PSObject.AsPSObject(value).Properties;
        if ((properties["Address"] ?? properties["EndPoint"])?.Value is not { } address)
        {
            return value; // PowerShell's own conversion then says what does not fit
        }

        var port = int.TryParse(properties["Port"]?.Value?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : (int?)null;
        return PeerHandshakeTargets.ComposeAddress(address.ToString() ?? string.Empty, port);
    }
}
