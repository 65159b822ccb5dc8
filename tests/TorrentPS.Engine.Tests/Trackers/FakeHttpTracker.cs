using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TorrentPS.Engine.Tests.Trackers;

/// <summary>What the scripted HTTP tracker answers: a status, headers and a body, or nothing at all.</summary>
internal sealed record FakeHttpResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, bool NeverAnswer = false)
{
    public static FakeHttpResponse Ok(string bencode) => new(200, Encoding.Latin1.GetBytes(bencode));

    public static FakeHttpResponse Ok(byte[] body) => new(200, body);

    public static FakeHttpResponse Redirect(string location) => new(302, [], new Dictionary<string, string> { ["Location"] = location });

    public static FakeHttpResponse Silent() => new(0, [], NeverAnswer: true);
}

/// <summary>
/// A minimal HTTP/1.0-style responder on 127.0.0.1 over a raw TcpListener, scripted per request. Records each
/// request target (path and raw query) so tests can look at exactly what the client sent.
/// </summary>
internal sealed class FakeHttpTracker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, FakeHttpResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeHttpTracker(Func<string, FakeHttpResponse> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public string AnnounceUrl => BaseUrl + "/announce";

    /// <summary>Request targets (path?query) in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The raw bytes of a percent-encoded query parameter of <paramref name="target"/>, or null.</summary>
    public static byte[]? QueryBytes(string target, string name)
    {
        var query = target.Contains('?') ? target[(target.IndexOf('?') + 1)..] : string.Empty;
        foreach (var pair in query.Split('&'))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq] == name)
            {
                return PercentDecode(pair[(eq + 1)..]);
            }
        }

        return null;
    }

    public static string? Query(string target, string name) => QueryBytes(target, name) is { } bytes ? Encoding.Latin1.GetString(bytes) : null;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // Shutting down.
        }

        _stop.Dispose();
    }

    private static byte[] PercentDecode(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length)
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)text[i]);
            }
        }

        return bytes.ToArray();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var header = new StringBuilder();
                var buffer = new byte[4096];
                while (!header.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    header.Append(Encoding.Latin1.GetString(buffer, 0, read));
                }

                var target = header.ToString().Split(' ')[1];
                Requests.Enqueue(target);
                var response = _handler(target);
                if (response.NeverAnswer)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                var head = new StringBuilder($"HTTP/1.1 {response.Status} Scripted\r\nConnection: close\r\n");
                foreach (var (key, value) in response.Headers ?? new Dictionary<string, string>())
                {
                    if (value.Length == 0)
                    {
                        continue; // an empty value leaves the header out
                    }

                    head.Append(key).Append(": ").Append(value).Append("\r\n");
                }

                if (response.Headers?.ContainsKey("Content-Length") != true)
                {
                    head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                }

                head.Append("\r\n");
                await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), _stop.Token);
                await stream.WriteAsync(response.Body, _stop.Token);
            }
            catch (Exception)
            {
                // The client went away or the tracker is stopping.
            }
        }
    }
}
