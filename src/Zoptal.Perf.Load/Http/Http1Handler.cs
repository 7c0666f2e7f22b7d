using System.Collections.Concurrent;
using System.Net;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// The engine's own HTTP/1.1 client for plain http, the hot path of a load test: keep-alive connections in a bounded
/// pool per host, each request written in one send, the response parsed from one buffer, the body read completely
/// (docs/architecture.md, "HTTP"). It follows redirects and keeps cookies as <see cref="SocketsHttpHandler"/> would.
/// Whatever it does not speak (https, HTTP/2, Expect: 100-continue, chunked uploads) goes to the fallback handler.
/// </summary>
internal sealed class Http1Handler(int maxConnectionsPerServer, TimeSpan connectTimeout, CookieContainer? cookies, Func<HttpMessageHandler> fallback)
    : HttpMessageHandler
{
    private readonly int _maxConnectionsPerServer = maxConnectionsPerServer;
    private readonly TimeSpan _connectTimeout = connectTimeout;
    private const int MaxRedirects = 10;
    private readonly ConcurrentDictionary<(string Host, int Port), Http1ConnectionPool> _pools = new();
    private HttpMessageInvoker? _fallback;

    private long _staleRetries;

    /// <summary>Requests sent again because the server had closed the idle connection they were first sent on.</summary>
    internal long StaleRetries => Interlocked.Read(ref _staleRetries);

    /// <summary>Connections open to one server (for tests).</summary>
    internal int OpenConnections(Uri server) => _pools.TryGetValue((server.IdnHost, server.Port), out var pool) ? pool.Open : 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!CanSend(request))
            return await Fallback.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        long sent = 0, received = 0;
        for (var redirects = 0; ; redirects++)
        {
            var uri = request.RequestUri!;
            var pool = PoolFor(uri);
            var cookieHeader = cookies?.GetCookieHeader(uri);
            HttpResponseMessage response;
            while (true)
            {
                var connection = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    response = await connection.SendAsync(request, pool.HostHeader, body, cookieHeader, cancellationToken).ConfigureAwait(false);
                }
                catch (StaleConnectionException)
                {
                    pool.Discard(connection);
                    Interlocked.Increment(ref _staleRetries);
                    continue; // closed by the server while idle: send again on another connection
                }
                catch
                {
                    pool.Discard(connection);
                    throw;
                }

                // Exact wire bytes for data_sent and data_received, over every hop of a redirect chain.
                sent += connection.RequestBytes;
                received += connection.ResponseHeaderBytes + ((Http1ResponseContent)response.Content).Body.Length;
                if (connection.KeepAlive)
                    pool.Return(connection);
                else
                    pool.Discard(connection);
                break;
            }

            ((Http1ResponseContent)response.Content).WireBytesSent = sent;
            ((Http1ResponseContent)response.Content).WireBytesReceived = received;

            if (cookies is not null && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                StoreCookies(uri, setCookies);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || redirects == MaxRedirects || response.Headers.Location is not { } location)
                return response;
            var target = location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location);
            if (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps)
                return response;
            response.Dispose();
            // As SocketsHttpHandler: credentials are not carried to the next location; 303 (and 301/302 after a POST)
            // turn the request into a GET without a body.
            request.RequestUri = target;
            request.Headers.Authorization = null;
            if ((status == 303 && request.Method != HttpMethod.Head) || (status is 301 or 302 && request.Method == HttpMethod.Post))
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
                body = null;
            }

            if (!CanSend(request))
                return await Fallback.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool CanSend(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri && uri.Scheme == Uri.UriSchemeHttp
        && request.Version.Major == 1 && request.Headers.ExpectContinue != true && request.Headers.TransferEncodingChunked != true;

    // Scenarios usually send to the same Uri object again and again (HttpClient passes an absolute one through):
    // the last lookup is kept so the hot path skips hashing the host.
    // (A reference, so VUs on other threads never see half an update.)
    private LastPool? _last;

    private Http1ConnectionPool PoolFor(Uri uri)
    {
        if (Volatile.Read(ref _last) is { } last && ReferenceEquals(last.Uri, uri))
            return last.Pool;
        var pool = _pools.GetOrAdd((uri.IdnHost, uri.Port), static (key, handler) =>
            new Http1ConnectionPool(key.Host, key.Port, handler._maxConnectionsPerServer, handler._connectTimeout), this);
        Volatile.Write(ref _last, new LastPool(uri, pool));
        return pool;
    }

    private sealed record LastPool(Uri Uri, Http1ConnectionPool Pool);

    private void StoreCookies(Uri uri, IEnumerable<string> setCookies)
    {
        foreach (var setCookie in setCookies)
        {
            try
            {
                cookies!.SetCookies(uri, setCookie);
            }
            catch (CookieException)
            {
                // A cookie the jar rejects is dropped, as SocketsHttpHandler drops it.
            }
        }
    }

    private HttpMessageInvoker Fallback
    {
        get
        {
            if (_fallback is { } existing)
                return existing;
            var created = new HttpMessageInvoker(fallback(), disposeHandler: true);
            if (Interlocked.CompareExchange(ref _fallback, created, null) is { } raced)
            {
                created.Dispose();
                return raced;
            }

            return created;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var pool in _pools.Values)
                pool.Dispose();
            _fallback?.Dispose();
        }

        base.Dispose(disposing);
    }
}
