using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using TorrentPS.Engine.Metainfo;
using TorrentPS.Engine.Peers;
using TorrentPS.Engine.Wire;

namespace TorrentPS.Engine.Tests.Wire;

/// <summary>
/// The receiving side of Message Stream Encryption against an initiator written here from the specification (libtorrent
/// is the other one: the interop tests). Our listener side runs <see cref="HandshakeExchange.Accept"/> on a socket.
/// </summary>
public sealed class EncryptedHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Rc4_matches_the_published_test_vector()
    {
        var data = "Plaintext"u8.ToArray();
        new Rc4("Key"u8, discard: 0).Apply(data);
        Assert.Equal(Convert.FromHexString("BBF316E8D940AF0AD3"), data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_encrypted_handshake_for_a_served_torrent_ends_in_a_plaintext_connection(bool handshakeInside)
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        var peerId = PeerId.Generate();
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([ScriptedPeer.RandomInfoHash(), infoHash]);

        var ours = new HandshakeMessage(ReservedBits.None, infoHash, peerId).ToArray();
        var selected = Initiator.Negotiate(pair.Client, infoHash, EncryptedHandshake.PlaintextStream | EncryptedHandshake.Rc4Stream, handshakeInside ? ours : []);
        if (!handshakeInside)
        {
            pair.Client.Send(ours);
        }

        Assert.Equal(EncryptedHandshake.PlaintextStream, selected);
        using var wire = await accepted.WaitAsync(Timeout);
        Assert.Equal(infoHash, wire.InfoHash);
        Assert.Equal(peerId, wire.RemoteHandshake.PeerId);

        // Our answer comes in plaintext.
        var answer = Initiator.Receive(pair.Client, HandshakeMessage.Length);
        Assert.Equal(infoHash, HandshakeMessage.ReadPrefix(answer).InfoHash);
    }

    [Fact]
    public async Task An_encrypted_handshake_for_a_torrent_not_served_here_is_refused_with_that_reason()
    {
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([ScriptedPeer.RandomInfoHash()]);

        Assert.ThrowsAny<Exception>(() => Initiator.Negotiate(pair.Client, ScriptedPeer.RandomInfoHash(), EncryptedHandshake.PlaintextStream, []));

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("not served here", error.Message);
    }

    [Fact]
    public async Task A_peer_that_offers_only_an_rc4_stream_is_refused_with_that_reason()
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([infoHash]);

        Assert.ThrowsAny<Exception>(() => Initiator.Negotiate(pair.Client, infoHash, EncryptedHandshake.Rc4Stream, []));

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("only an RC4-encrypted stream", error.Message);
    }

    [Theory]
    [InlineData("padding", "513 bytes of padding (at most 512)")]
    [InlineData("verification", "verification bytes are wrong")]
    [InlineData("payload", "an initial payload of 65535 bytes")]
    public async Task A_malformed_encrypted_handshake_is_refused_with_its_reason(string flaw, string reason)
    {
        var infoHash = ScriptedPeer.RandomInfoHash();
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([infoHash]);

        Assert.ThrowsAny<Exception>(() => Initiator.Negotiate(pair.Client, infoHash, EncryptedHandshake.PlaintextStream, [], flaw));

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Bytes_that_are_neither_handshake_are_refused_once_the_padding_allowed_is_used_up()
    {
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([ScriptedPeer.RandomInfoHash()]);

        var noise = new byte[EncryptedHandshake.KeyLength + EncryptedHandshake.MaxPadding + 64];
        RandomNumberGenerator.Fill(noise);
        noise[0] = 0x7F; // a key below the prime, so the refusal is the missing synchronisation hash
        pair.Client.Send(noise);

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("neither a BitTorrent handshake nor an encrypted one", error.Message);
    }

    [Fact]
    public async Task A_public_key_outside_the_group_is_refused_before_anything_is_sent()
    {
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync([ScriptedPeer.RandomInfoHash()]);

        pair.Client.Send(Enumerable.Repeat((byte)0xFF, EncryptedHandshake.KeyLength).ToArray());

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("its key is out of range", error.Message);
        Assert.Equal(0, pair.Client.Available);
    }

    [Fact]
    public async Task A_listener_that_is_not_told_what_it_serves_takes_only_plaintext_handshakes()
    {
        await using var pair = await SocketPair.OpenAsync();
        var accepted = pair.AcceptAsync(served: null);

        var key = new byte[EncryptedHandshake.KeyLength + 8];
        RandomNumberGenerator.Fill(key);
        key[0] = 0x7F;
        pair.Client.Send(key);

        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => accepted.WaitAsync(Timeout));
        Assert.Contains("not a BitTorrent handshake", error.Message);
    }

    /// <summary>A connected pair of loopback sockets: the test's client, and the accepted side our code handshakes on.</summary>
    private sealed class SocketPair : IAsyncDisposable
    {
        private readonly Socket _server;

        private SocketPair(Socket client, Socket server)
        {
            Client = client;
            _server = server;
        }

        public Socket Client { get; }

        public static async Task<SocketPair> OpenAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            var accept = listener.AcceptAsync();
            client.Connect(listener.LocalEndPoint!);
            return new SocketPair(client, await accept.WaitAsync(Timeout));
        }

        /// <summary>Runs our accepting side on a thread of its own, as the listener does.</summary>
        public Task<PeerWire> AcceptAsync(InfoHash[]? served)
        {
            Func<IEnumerable<InfoHash>>? list = served is null ? null : () => served;
            return Task.Factory.StartNew(
                () => HandshakeExchange.Accept(_server, hash => served?.Contains(hash) == true ? new HandshakeOptions { PieceCount = 1 } : null, Timeout, NullLogger.Instance, CancellationToken.None, list),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public ValueTask DisposeAsync()
        {
            Client.Dispose();
            _server.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The initiating side, written from the specification: A's four steps.</summary>
    private static class Initiator
    {
        /// <summary>Runs the handshake as A; returns B's crypto_select (throws when B hangs up).</summary>
        /// <param name="flaw">null, or what to get wrong: "padding" (513 bytes), "verification" (a non-zero VC),
        /// "payload" (an initial payload longer than any handshake buffer).</param>
        public static uint Negotiate(Socket socket, InfoHash infoHash, uint provide, byte[] initialPayload, string? flaw = null)
        {
            Span<byte> privateBytes = stackalloc byte[20];
            RandomNumberGenerator.Fill(privateBytes);
            var secret = new BigInteger(privateBytes, isUnsigned: true, isBigEndian: true);
            var first = new byte[EncryptedHandshake.KeyLength + 11];
            EncryptedHandshake.WriteKey(BigInteger.ModPow(2, secret, EncryptedHandshake.Prime), first.AsSpan(0, EncryptedHandshake.KeyLength));
            RandomNumberGenerator.Fill(first.AsSpan(EncryptedHandshake.KeyLength));
            socket.Send(first);

            var theirKey = Receive(socket, EncryptedHandshake.KeyLength);
            var shared = new byte[EncryptedHandshake.KeyLength];
            EncryptedHandshake.WriteKey(BigInteger.ModPow(new BigInteger(theirKey, isUnsigned: true, isBigEndian: true), secret, EncryptedHandshake.Prime), shared);

            var toThem = new Rc4(EncryptedHandshake.Hash("keyA"u8, shared, infoHash.AsSpan()));
            var fromThem = new Rc4(EncryptedHandshake.Hash("keyB"u8, shared, infoHash.AsSpan()));
            var padding = new byte[flaw == "padding" ? EncryptedHandshake.MaxPadding + 1 : 5];
            var third = new List<byte>();
            third.AddRange(EncryptedHandshake.Hash("req1"u8, shared, default));
            var req2 = EncryptedHandshake.Hash("req2"u8, infoHash.AsSpan(), default);
            var req3 = EncryptedHandshake.Hash("req3"u8, shared, default);
            third.AddRange(req2.Select((b, n) => (byte)(b ^ req3[n])));
            var enciphered = new byte[8 + 4 + 2 + padding.Length + 2 + initialPayload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(enciphered.AsSpan(8), provide);
            BinaryPrimitives.WriteUInt16BigEndian(enciphered.AsSpan(12), (ushort)padding.Length);
            BinaryPrimitives.WriteUInt16BigEndian(enciphered.AsSpan(14 + padding.Length), flaw == "payload" ? ushort.MaxValue : (ushort)initialPayload.Length);
            initialPayload.CopyTo(enciphered, 16 + padding.Length);
            if (flaw == "verification")
            {
                enciphered[3] = 1;
            }

            toThem.Apply(enciphered);
            third.AddRange(enciphered);
            socket.Send(third.ToArray());

            // B's padding, then its enciphered verification bytes: find them by their key stream.
            var expected = new byte[8];
            fromThem.Apply(expected);
            var seen = new List<byte>();
            while (seen.Count < 8 || !seen.Skip(seen.Count - 8).SequenceEqual(expected))
            {
                if (seen.Count > EncryptedHandshake.MaxPadding + 8)
                {
                    throw new InvalidOperationException("No verification bytes from the other side.");
                }

                seen.Add(Receive(socket, 1)[0]);
            }

            var fields = Receive(socket, 6);
            fromThem.Apply(fields);
            return BinaryPrimitives.ReadUInt32BigEndian(fields);
        }

        public static byte[] Receive(Socket socket, int count)
        {
            var bytes = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                var read = socket.Receive(bytes, filled, count - filled, SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("The other side hung up.");
                }

                filled += read;
            }

            return bytes;
        }
    }
}
