using System.Globalization;
using System.Net;
using System.Text.Json;
using TorrentPS.Engine.Extensions;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Interop.Tests.Infrastructure;

/// <summary>
/// A scripted peer (Python, no libtorrent) that has no data and speaks ut_pex by BEP 11: it accepts connections for one
/// info hash, answers the handshake with the extension and fast bits, says have none, sends its extension handshake
/// with ut_pex, then one ut_pex message listing the peers it was given (as soon as it knows the other side's ut_pex id),
/// and prints every ut_pex message it receives. It stands in for a peer that relays a seeder when no reference client
/// will (see the report of issue 22: a libtorrent peer in upload mode is dropped by seeders with
/// <c>close_redundant_connections</c> on). libtorrent's downloader takes the seeder from it and finishes.
/// </summary>
internal sealed class ScriptedPexPeer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The message id it gives ut_pex in its extension handshake.</summary>
    public const byte UtPexId = 1;

    private const string Script = """
        import argparse, binascii, json, os, socket, struct, sys, threading, time

        # A scripted BitTorrent peer that has no data and speaks ut_pex (BEP 11) by the book: it accepts connections for one
        # info hash, answers the handshake (BEP 3) with the extension (BEP 10) and fast (BEP 6) bits, says have-none (or sends
        # an empty bitfield), sends its extension handshake with ut_pex, sends one ut_pex message listing the peers it was given
        # as soon as it knows the other side's ut_pex id, and prints every ut_pex message it receives as one JSON line.
        # Lines: READY <port> | CONNECTED <ip:port> | HANDSHAKE <peer id hex> | EXTENSIONS <json> | SENT_PEX <json>
        #        | PEX_RECEIVED <json> | PEX_INVALID <reason> | CLOSED <ip:port> <why>

        def out(*parts):
            print(' '.join(str(p) for p in parts), flush=True)

        def bencode(v):
            if isinstance(v, int):
                return b'i%de' % v
            if isinstance(v, bytes):
                return b'%d:%s' % (len(v), v)
            if isinstance(v, str):
                return bencode(v.encode())
            if isinstance(v, list):
                return b'l' + b''.join(bencode(x) for x in v) + b'e'
            if isinstance(v, dict):
                keys = sorted(k.encode() if isinstance(k, str) else k for k in v)
                items = {(k.encode() if isinstance(k, str) else k): x for k, x in v.items()}
                return b'd' + b''.join(bencode(k) + bencode(items[k]) for k in keys) + b'e'
            raise TypeError(type(v))

        class BencodeError(Exception):
            pass

        def bdecode(data, i=0, depth=0):
            # Strict BEP 3: no leading zeros, no -0, string keys in sorted order, no duplicates.
            if depth > 16 or i >= len(data):
                raise BencodeError('truncated or too deep at %d' % i)
            c = data[i:i + 1]
            if c == b'i':
                end = data.index(b'e', i)
                text = data[i + 1:end]
                if not text or text == b'-0' or (text.lstrip(b'-').startswith(b'0') and text.lstrip(b'-') != b'0') or not text.lstrip(b'-').isdigit():
                    raise BencodeError('bad integer %r' % text)
                return int(text), end + 1
            if c == b'l':
                i += 1
                items = []
                while data[i:i + 1] != b'e':
                    v, i = bdecode(data, i, depth + 1)
                    items.append(v)
                return items, i + 1
            if c == b'd':
                i += 1
                d = {}
                last = None
                while data[i:i + 1] != b'e':
                    k, i = bdecode(data, i, depth + 1)
                    if not isinstance(k, bytes):
                        raise BencodeError('a key that is not a string')
                    if last is not None and k <= last:
                        raise BencodeError('keys out of order or repeated: %r after %r' % (k, last))
                    last = k
                    d[k], i = bdecode(data, i, depth + 1)
                return d, i + 1
            if c.isdigit():
                colon = data.index(b':', i)
                text = data[i:colon]
                if text.startswith(b'0') and text != b'0':
                    raise BencodeError('a string length with a leading zero')
                n = int(text)
                if colon + 1 + n > len(data):
                    raise BencodeError('a string runs past the end')
                return data[colon + 1:colon + 1 + n], colon + 1 + n
            raise BencodeError('unexpected %r at %d' % (c, i))

        def compact(endpoint):
            host, _, port = endpoint.rpartition(':')
            host = host.strip('[]')
            family = socket.AF_INET6 if ':' in host else socket.AF_INET
            return family, socket.inet_pton(family, host) + struct.pack('>H', int(port))

        def endpoints(raw, size):
            family = socket.AF_INET if size == 6 else socket.AF_INET6
            result = []
            for k in range(0, len(raw), size):
                host = socket.inet_ntop(family, raw[k:k + size - 2])
                port = struct.unpack('>H', raw[k + size - 2:k + size])[0]
                result.append(('%s:%d' if size == 6 else '[%s]:%d') % (host, port))
            return result

        def read_pex(body):
            # ut_pex by BEP 11: compact lists of 6 (IPv4) or 18 (IPv6) bytes, one flags byte per added peer.
            msg, end = bdecode(body)
            if end != len(body):
                raise BencodeError('%d bytes after the dictionary' % (len(body) - end))
            if not isinstance(msg, dict):
                raise BencodeError('not a dictionary')
            result = {}
            for key, size in ((b'added', 6), (b'dropped', 6), (b'added6', 18), (b'dropped6', 18)):
                raw = msg.get(key, b'')
                if not isinstance(raw, bytes) or len(raw) % size:
                    raise BencodeError('%s is not a whole number of %d-byte entries' % (key.decode(), size))
                result[key.decode()] = endpoints(raw, size)
                if key.startswith(b'added'):
                    flags = msg.get(key + b'.f')
                    if flags is not None and (not isinstance(flags, bytes) or len(flags) != len(raw) // size):
                        raise BencodeError('%s.f does not have one byte per peer' % key.decode())
                    result[key.decode() + '.f'] = list(flags or b'')
            return result

        def recv_exactly(sock, n):
            data = b''
            while len(data) < n:
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise EOFError('closed')
                data += chunk
            return data

        class Connection:
            def __init__(self, sock, remote, args):
                self.sock, self.remote, self.args = sock, remote, args
                self.lock = threading.Lock()
                self.their_pex_id = 0
                self.sent_pex = False

            def send(self, payload):
                with self.lock:
                    self.sock.sendall(struct.pack('>I', len(payload)) + payload)

            def send_pex(self):
                added, added_f, added6, added6_f = b'', b'', b'', b''
                for entry in self.args.pex:
                    endpoint, _, flags = entry.partition('/')
                    family, raw = compact(endpoint)
                    if family == socket.AF_INET:
                        added += raw
                        added_f += bytes([int(flags or '0', 0)])
                    else:
                        added6 += raw
                        added6_f += bytes([int(flags or '0', 0)])
                dropped, dropped6 = b'', b''
                for endpoint in self.args.dropped:
                    family, raw = compact(endpoint)
                    if family == socket.AF_INET:
                        dropped += raw
                    else:
                        dropped6 += raw
                message = {'added': added, 'added.f': added_f, 'dropped': dropped}
                if added6:
                    message['added6'] = added6
                    message['added6.f'] = added6_f
                if dropped6:
                    message['dropped6'] = dropped6
                body = bencode(message)
                self.send(bytes([20, self.their_pex_id]) + body)
                self.sent_pex = True
                out('SENT_PEX', json.dumps({'hex': binascii.hexlify(body).decode(), 'added': self.args.pex, 'dropped': self.args.dropped}))

            def keepalive(self):
                while True:
                    time.sleep(30)
                    try:
                        with self.lock:
                            self.sock.sendall(b'\0\0\0\0')
                    except OSError:
                        return

            def run(self):
                args = self.args
                header = recv_exactly(self.sock, 68)
                if header[0] != 19 or header[1:20] != b'BitTorrent protocol':
                    raise EOFError('not a BitTorrent handshake')
                if header[28:48] != args.info_hash:
                    raise EOFError('asked for another torrent ' + binascii.hexlify(header[28:48]).decode())
                fast = bool(header[27] & 0x04)
                out('HANDSHAKE', binascii.hexlify(header[48:68]).decode(), 'extensions=%s' % bool(header[25] & 0x10), 'fast=%s' % fast)
                reserved = bytearray(8)
                reserved[5] |= 0x10  # BEP 10
                reserved[7] |= 0x04  # BEP 6
                with self.lock:
                    self.sock.sendall(bytes([19]) + b'BitTorrent protocol' + bytes(reserved) + args.info_hash + args.peer_id)
                # BEP 6: have none (or the bitfield) comes first after the handshake; then the extension handshake.
                if fast:
                    self.send(bytes([15]))
                elif args.pieces:
                    self.send(bytes([5]) + bytes((args.pieces + 7) // 8))
                ours = {'m': {'ut_pex': args.ut_pex_id}, 'v': 'pex-peer.py', 'reqq': 16}
                if args.port:
                    ours['p'] = args.port
                self.send(bytes([20, 0]) + bencode(ours))
                threading.Thread(target=self.keepalive, daemon=True).start()
                while True:
                    length = struct.unpack('>I', recv_exactly(self.sock, 4))[0]
                    if length > 1 << 20:
                        raise EOFError('a message of %d bytes' % length)
                    if length == 0:
                        continue
                    payload = recv_exactly(self.sock, length)
                    if payload[0] != 20 or length < 2:
                        continue
                    ext_id, body = payload[1], payload[2:]
                    if ext_id == 0:
                        handshake, _ = bdecode(body)
                        m = handshake.get(b'm', {}) if isinstance(handshake, dict) else {}
                        self.their_pex_id = m.get(b'ut_pex', 0) if isinstance(m.get(b'ut_pex', 0), int) else 0
                        out('EXTENSIONS', json.dumps({'m': {k.decode('latin1'): v for k, v in m.items() if isinstance(v, int)}, 'p': handshake.get(b'p'), 'v': (handshake.get(b'v') or b'').decode('latin1')}))
                        if self.their_pex_id and not self.sent_pex and (args.pex or args.dropped):
                            self.send_pex()
                    elif ext_id == args.ut_pex_id:
                        try:
                            decoded = read_pex(body)
                            decoded['hex'] = binascii.hexlify(body).decode()
                            out('PEX_RECEIVED', json.dumps(decoded))
                        except (BencodeError, ValueError) as error:
                            out('PEX_INVALID', str(error).replace('\n', ' '), binascii.hexlify(body).decode())

        def serve(sock, remote, args):
            name = '%s:%d' % remote[:2] if sock.family == socket.AF_INET else '[%s]:%d' % remote[:2]
            out('CONNECTED', name)
            why = 'closed'
            try:
                Connection(sock, remote, args).run()
            except (EOFError, OSError, BencodeError, ValueError) as error:
                why = str(error).replace('\n', ' ') or type(error).__name__
            finally:
                sock.close()
                out('CLOSED', name, why)

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument('--listen', required=True, help='ip:port to listen on (port 0: any)')
            parser.add_argument('--info-hash', required=True, help='40 hex digits')
            parser.add_argument('--pex', action='append', default=[], help='ip:port[/flags] to list in added (repeatable)')
            parser.add_argument('--dropped', action='append', default=[], help='ip:port to list in dropped (repeatable)')
            parser.add_argument('--ut-pex-id', type=int, default=1, help='our message id for ut_pex')
            parser.add_argument('--pieces', type=int, default=0, help='piece count, for an empty bitfield to peers without BEP 6')
            parser.add_argument('--peer-id', default='-PX0001-' + binascii.hexlify(os.urandom(6)).decode())
            args = parser.parse_args()
            args.info_hash = binascii.unhexlify(args.info_hash)
            args.peer_id = args.peer_id.encode()[:20].ljust(20, b'-')
            host, _, port = args.listen.rpartition(':')
            host = host.strip('[]')
            family = socket.AF_INET6 if ':' in host else socket.AF_INET
            server = socket.socket(family, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, int(port)))
            server.listen(16)
            args.port = server.getsockname()[1]
            out('READY', args.port)
            while True:
                sock, remote = server.accept()
                threading.Thread(target=serve, args=(sock, remote, args), daemon=True).start()

        if __name__ == '__main__':
            main()
        """;

    private readonly ExternalProcess _process;
    private readonly TempDirectory _folder;

    private ScriptedPexPeer(ExternalProcess process, TempDirectory folder, IPEndPoint endPoint)
    {
        _process = process;
        _folder = folder;
        EndPoint = endPoint;
    }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Everything it printed.</summary>
    public string Output => _process.Output;

    /// <summary>The ut_pex bodies it sent, as sent.</summary>
    public IReadOnlyList<byte[]> Sent => Lines("SENT_PEX ").Select(json => Convert.FromHexString(JsonDocument.Parse(json).RootElement.GetProperty("hex").GetString()!)).ToList();

    /// <summary>The ut_pex messages it received and read by BEP 11, in order.</summary>
    public IReadOnlyList<ReceivedPex> Received => Lines("PEX_RECEIVED ").Select(ReceivedPex.Parse).ToList();

    /// <summary>
    /// Starts it on a fresh loopback address. <paramref name="added"/> (with their flags) and <paramref name="dropped"/>
    /// are what its one ut_pex message lists.
    /// </summary>
    public static async Task<ScriptedPexPeer> StartAsync(InfoHash infoHash, IEnumerable<PexPeer> added, IEnumerable<IPEndPoint>? dropped = null, IPAddress? address = null)
    {
        var folder = new TempDirectory("tps-pexpeer");
        var script = folder.Combine("pex_peer.py");
        await File.WriteAllTextAsync(script, Script);
        address ??= Loopback.NextAddress();
        List<string> arguments = [script, "--listen", $"{Format(address)}:0", "--info-hash", infoHash.Hex, "--ut-pex-id", UtPexId.ToString(CultureInfo.InvariantCulture)];
        foreach (var peer in added)
        {
            arguments.AddRange(["--pex", $"{Format(peer.EndPoint.Address)}:{peer.EndPoint.Port}/0x{(byte)peer.Flags:x2}"]);
        }

        foreach (var endPoint in dropped ?? [])
        {
            arguments.AddRange(["--dropped", $"{Format(endPoint.Address)}:{endPoint.Port}"]);
        }

        var process = ExternalProcess.Start(Python, arguments);
        try
        {
            await process.WaitForOutputAsync("READY ", TimeSpan.FromSeconds(30));
            var line = process.Output.Split('\n').First(l => l.StartsWith("READY ", StringComparison.Ordinal));
            var port = int.Parse(line["READY ".Length..].Trim(), CultureInfo.InvariantCulture);
            return new ScriptedPexPeer(process, folder, new IPEndPoint(address, port));
        }
        catch
        {
            await process.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Waits until it printed <paramref name="text"/> (say, <c>PEX_RECEIVED</c>).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) => _process.WaitForOutputAsync(text, timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _folder.Dispose();
    }

    private IEnumerable<string> Lines(string prefix)
        => Output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Trim());

    private static string Format(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}

/// <summary>One ut_pex message as the scripted peer read it: addresses as text (<c>ip:port</c>, <c>[ip6]:port</c>), flags as numbers, and the body.</summary>
public sealed record ReceivedPex(
    IReadOnlyList<string> Added,
    IReadOnlyList<int> AddedFlags,
    IReadOnlyList<string> Dropped,
    IReadOnlyList<string> Added6,
    IReadOnlyList<int> Added6Flags,
    IReadOnlyList<string> Dropped6,
    byte[] Body)
{
    public static ReceivedPex Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        string[] Texts(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
        int[] Numbers(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new ReceivedPex(Texts("added"), Numbers("added.f"), Texts("dropped"), Texts("added6"), Numbers("added6.f"), Texts("dropped6"), Convert.FromHexString(root.GetProperty("hex").GetString()!));
    }
}
