using System.Net.Sockets;
using TorrentPS.Probe;

// probe download -o FILE --peer HOST:PORT TORRENT: the floor of issue 20 (shared/PERFORMANCE.md), called by the
// whole-transfer benchmark as it calls tps. Exit code 0 when every piece was verified and written; otherwise one line
// on stderr and 1 (2 for a bad command line).
string? output = null, peer = null, torrentPath = null;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "-o" when i + 1 < args.Length && output is null:
            output = args[++i];
            break;
        case "--peer" when i + 1 < args.Length && peer is null:
            peer = args[++i];
            break;
        default:
            torrentPath = torrentPath is null && !args[i].StartsWith('-') ? args[i] : null;
            break;
    }
}

if (args.Length == 0 || args[0] != "download" || output is null || peer is null || torrentPath is null)
{
    Console.Error.WriteLine("usage: probe download -o FILE --peer HOST:PORT TORRENT (one peer, a single-file torrent)");
    return 2;
}

try
{
    var torrent = SingleFileTorrent.Read(torrentPath);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    using var file = File.OpenHandle(output, FileMode.Create, FileAccess.Write);
    RandomAccess.SetLength(file, torrent.Length);
    using var connection = PeerConnection.Connect(peer);
    connection.Handshake(torrent.InfoHash);
    new PieceDownload(connection, torrent, file).Run();
    Console.WriteLine($"{torrent.PieceCount} pieces verified and written to {output}");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or SocketException or UnauthorizedAccessException or ArgumentException)
{
    Console.Error.WriteLine($"probe: {e.Message}");
    return 1;
}
