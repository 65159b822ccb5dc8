using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Xml.Linq;
using TorrentPS.Bridge;
using TorrentPS.Commands;
using TorrentPS.Engine.Errors;
using TorrentPS.Engine.Wire;
using TorrentPS.Peers;

namespace TorrentPS.Module.Tests.Peers;

public sealed class InvokePeerHandshakeCommandTests
{
    private static IEnumerable<CustomAttributeData> ParameterAttributes(string property)
        => typeof(InvokePeerHandshakeCommand).GetProperty(property)!.CustomAttributes.Where(a => a.AttributeType == typeof(ParameterAttribute));

    private static object? Named(CustomAttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.MemberName == name).TypedValue.Value;

    [Fact]
    public void The_cmdlet_is_Invoke_PeerHandshake_and_emits_PeerHandshake()
    {
        var cmdlet = typeof(InvokePeerHandshakeCommand).CustomAttributes.Single(a => a.AttributeType == typeof(CmdletAttribute));
        Assert.Equal(["Invoke", "PeerHandshake"], cmdlet.ConstructorArguments.Select(a => (string)a.Value!));
        Assert.Equal("Peer", Named(cmdlet, "DefaultParameterSetName"));
        var output = typeof(InvokePeerHandshakeCommand).CustomAttributes.Single(a => a.AttributeType == typeof(OutputTypeAttribute));
        Assert.Contains(typeof(PeerHandshake), ((IEnumerable<CustomAttributeTypedArgument>)output.ConstructorArguments[0].Value!).Select(a => a.Value));
    }

    [Fact]
    public void Peer_binds_from_the_pipeline_by_value_and_by_property_name()
    {
        var peer = Assert.Single(ParameterAttributes("Peer"));
        Assert.Equal(true, Named(peer, "ValueFromPipeline"));
        Assert.Equal(true, Named(peer, "ValueFromPipelineByPropertyName"));
        Assert.Equal(true, Named(peer, "Mandatory"));
    }

    [Fact]
    public void Address_takes_an_info_hash_or_a_torrent()
    {
        Assert.Equal(["AddressInfoHash", "AddressTorrent"], ParameterAttributes("Address").Select(a => (string)Named(a, "ParameterSetName")!).Order());
        Assert.Equal("AddressInfoHash", Named(Assert.Single(ParameterAttributes("InfoHash")), "ParameterSetName"));
        var torrent = Assert.Single(ParameterAttributes("Torrent"));
        Assert.Equal(("AddressTorrent", true), ((string)Named(torrent, "ParameterSetName")!, (bool)Named(torrent, "ValueFromPipeline")!));
    }

    [Fact]
    public async Task Addresses_resolve_to_manual_peers_of_the_info_hash()
    {
        var infoHash = PeerHandshakeTargets.ParseInfoHash("0123456789abcdef0123456789abcdef01234567");
        var peer = await PeerHandshakeTargets.ResolveAsync("127.0.0.5:6881", infoHash, CancellationToken.None);
        Assert.Equal((IPAddress.Parse("127.0.0.5"), 6881, infoHash), (peer.IPAddress, peer.Port, peer.Hash));
        var v6 = await PeerHandshakeTargets.ResolveAsync("[::1]:51413", infoHash, CancellationToken.None);
        Assert.Equal(IPAddress.IPv6Loopback, v6.IPAddress);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:6881")]
    public async Task Bad_addresses_are_InvalidPeerAddress(string address)
    {
        var ex = await Assert.ThrowsAsync<TorrentPSException>(() => PeerHandshakeTargets.ResolveAsync(address, PeerHandshakeTargets.ParseInfoHash(new string('a', 40)), CancellationToken.None));
        Assert.Equal("InvalidPeerAddress", ex.ErrorId);
    }

    [Theory]
    [InlineData("127.0.0.1", 6881, "127.0.0.1:6881")]
    [InlineData(" 127.0.0.1 ", 6881, "127.0.0.1:6881")]
    [InlineData("127.0.0.1:51413", 6881, "127.0.0.1:51413")]
    [InlineData("::1", 6881, "[::1]:6881")]
    [InlineData("[::1]", 6881, "[::1]:6881")]
    [InlineData("[::1]:51413", 6881, "[::1]:51413")]
    [InlineData("peer.example", 6881, "peer.example:6881")]
    [InlineData("peer.example:1", 6881, "peer.example:1")]
    [InlineData("127.0.0.1", null, "127.0.0.1")]
    [InlineData("", 6881, "")]
    public void An_address_without_a_port_takes_the_Port(string address, int? port, string expected)
        => Assert.Equal(expected, PeerHandshakeTargets.ComposeAddress(address, port));

    [Fact]
    public void Address_Port_and_InfoHash_bind_by_property_name_and_addresses_from_the_pipeline()
    {
        var address = Assert.Single(ParameterAttributes("Address"), a => (string?)Named(a, "ParameterSetName") == "AddressInfoHash");
        Assert.Equal((true, true), ((bool)Named(address, "ValueFromPipeline")!, (bool)Named(address, "ValueFromPipelineByPropertyName")!));
        Assert.Contains(typeof(InvokePeerHandshakeCommand).GetProperty("Address")!.CustomAttributes, a => a.AttributeType == typeof(PeerAddressTransformationAttribute));
        Assert.Equal(true, Named(Assert.Single(ParameterAttributes("InfoHash")), "ValueFromPipelineByPropertyName"));
        Assert.Equal(true, Named(Assert.Single(ParameterAttributes("Port"), a => (string?)Named(a, "ParameterSetName") == "AddressInfoHash"), "ValueFromPipelineByPropertyName"));
    }

    [Fact]
    public void A_bad_info_hash_is_InvalidInfoHash()
        => Assert.Equal("InvalidInfoHash", Assert.Throws<TorrentPSException>(() => PeerHandshakeTargets.ParseInfoHash("xyz")).ErrorId);

    [Fact]
    public void The_engine_handshake_advertises_only_the_extension_protocol_and_uses_the_timeout()
    {
        var options = PeerHandshakeTargets.CreateOptions(3, null);
        Assert.Equal("0000000000100000", options.ReservedBits.ToString());
        Assert.Equal(TimeSpan.FromSeconds(3), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.HandshakeTimeout);
        Assert.True(options.ExchangeExtensionHandshake);
    }

    [Fact]
    public void Each_handshake_of_a_batch_presents_a_peer_id_of_its_own()
    {
        // No fixed id in the options: the engine generates one per handshake (with our client prefix).
        var options = PeerHandshakeTargets.CreateOptions(3, null);
        Assert.Null(options.PeerId);
    }

    [Fact]
    public void The_format_file_has_a_table_view_for_PeerHandshake_first_and_a_list_view()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var format = XDocument.Load(Path.Combine(root, "src", "TorrentPS", "TorrentPS.Format.ps1xml"));
        var views = format.Descendants("View").Where(v => v.Element("ViewSelectedBy")?.Element("TypeName")?.Value == typeof(PeerHandshake).FullName).ToArray();
        Assert.Equal(2, views.Length);
        Assert.NotNull(views[0].Element("TableControl"));
        Assert.NotNull(views[1].Element("ListControl"));
    }

    [Fact]
    public void Peer_failures_map_to_their_stable_ids_and_categories()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, 1);
        Assert.Equal(("PeerUnreachable", ErrorCategory.ConnectionError), ErrorRecordFactory.Classify(new PeerUnreachableException(endPoint, "refused")));
        Assert.Equal(("PeerTimeout", ErrorCategory.OperationTimeout), ErrorRecordFactory.Classify(new PeerTimeoutException(endPoint, "slow")));
        Assert.Equal(("PeerProtocolError", ErrorCategory.ProtocolError), ErrorRecordFactory.Classify(new PeerProtocolException(endPoint, "bad")));
        var hash = Engine.Metainfo.InfoHash.Compute("a"u8);
        Assert.Equal(("InfoHashMismatch", ErrorCategory.ProtocolError), ErrorRecordFactory.Classify(new InfoHashMismatchException(endPoint, hash, hash)));
    }
}
