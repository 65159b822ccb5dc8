using System.Net;
using TorrentPS.Engine.Metainfo;

namespace TorrentPS.Engine.Trackers;

/// <summary>
/// A BEP 3 HTTP(S) tracker: announce and scrape with a bounded redirect loop, a bounded body and a timeout
/// over the whole request. Remembers the <c>tracker id</c> the tracker gave and echoes it back.
/// </summary>
internal sealed class HttpTrackerClient : ITrackerClient
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TrackerOptions _options;
    private string? _trackerId;

    public HttpTrackerClient(string url, HttpClient? http = null, TrackerOptions? options = null)
    {
        Url = url;
        _options = options ?? TrackerOptions.Default;
        _ownsHttp = http is null;
        _http = http ?? TrackerHttp.CreateClient(_options.LocalAddress);
    }

    public string Url { get; }

    /// <summary>The <c>tracker id</c> from the last answer that carried one.</summary>
    public string? TrackerId => Volatile.Read(ref _trackerId);

    public async Task<AnnounceResponse> AnnounceAsync(AnnounceRequest request, CancellationToken cancellationToken)
    {
        var body = await GetAsync(HttpTrackerUrl.BuildAnnounce(Url, request, TrackerId), cancellationToken).ConfigureAwait(false);
        var response = HttpTrackerResponseParser.ParseAnnounce(Url, body);
        if (!string.IsNullOrEmpty(response.TrackerId))
        {
            Volatile.Write(ref _trackerId, response.TrackerId);
        }

        return response;
    }

    public async Task<ScrapeResponse> ScrapeAsync(InfoHash infoHash, CancellationToken cancellationToken)
    {
        var scrapeUrl = HttpTrackerUrl.TryGetScrapeUrl(Url)
            ?? throw new TrackerFailedException(Url, "the tracker has no scrape URL (its path does not end in 'announce')");
        var body = await GetAsync(HttpTrackerUrl.BuildScrape(scrapeUrl, infoHash.AsSpan()), cancellationToken).ConfigureAwait(false);
        return HttpTrackerResponseParser.ParseScrape(Url, body, infoHash);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>GETs <paramref name="requestUrl"/>, following at most <see cref="TrackerOptions.MaxRedirects"/> redirects.</summary>
    private async Task<ReadOnlyMemory<byte>> GetAsync(string requestUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var uri = new Uri(requestUrl);
            for (var redirects = 0; ; redirects++)
            {
                // The tracker hears that the connection ends with this request (TrackerHttp uses each one once).
                using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { ConnectionClose = true } };
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode))
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        throw new TrackerFailedException(Url, $"more than {_options.MaxRedirects} redirects (last to '{uri}')");
                    }

                    var location = response.Headers.Location
                        ?? throw new TrackerFailedException(Url, $"HTTP {(int)response.StatusCode} redirect without a Location header");
                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (uri.Scheme is not ("http" or "https"))
                    {
                        throw new TrackerFailedException(Url, $"redirected to '{uri}', which is not HTTP");
                    }

                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new TrackerFailedException(Url, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
                }

                return await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TrackerTimeoutException(Url, _options.Timeout);
        }
        catch (HttpRequestException ex)
        {
            throw new TrackerFailedException(Url, ex.InnerException?.Message ?? ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new TrackerFailedException(Url, ex.Message, ex);
        }
        catch (UriFormatException ex)
        {
            throw new TrackerFailedException(Url, ex.Message, ex);
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (content.Headers.ContentLength is { } declared && declared > limit)
        {
            throw new TrackerFailedException(Url, $"the response is {declared} bytes, more than the limit of {limit} bytes");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[Math.Min(limit + 1, 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    throw new TrackerFailedException(Url, $"the response is larger than the limit of {limit} bytes");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, limit + 1));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.AsMemory(0, length);
            }

            length += read;
        }
    }

    private static bool IsRedirect(HttpStatusCode status)
        => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
