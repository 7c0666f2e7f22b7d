using System.Collections.Concurrent;
using System.Net;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// The engine's own HTTP/1.1 client for plain http, the hot path of a load test: keep-alive connections in a bounded
/// pool per host, each request written in one send, the response parsed from one buffer, the body read completely
/// (docs/architecture.md, "HTTP"). It keeps cookies as <see cref="SocketsHttpHandler"/> would; redirects are the
/// measuring handler's (a sample per hop). A request goes out again only by Go's rule (<see cref="ConnectionClosedException.MayRetry"/>).
/// Whatever it does not speak (https, HTTP/2, Expect: 100-continue, chunked uploads) goes to the fallback handler.
/// </summary>
internal sealed class Http1Handler(int maxConnectionsPerServer, TimeSpan connectTimeout, CookieContainer? cookies, Func<HttpMessageHandler> fallback)
    : HttpMessageHandler
{
    private readonly int _maxConnectionsPerServer = maxConnectionsPerServer;
    private readonly TimeSpan _connectTimeout = connectTimeout;
    private readonly ConcurrentDictionary<(string Host, int Port), Http1ConnectionPool> _pools = new();
    private HttpMessageInvoker? _fallback;

    private long _retries;

    /// <summary>Called with the host and port before each connection is opened (tests and diagnostics).</summary>
    internal Action<string, int>? ConnectObserver { get; init; }

    /// <summary>Requests sent again automatically (a reused connection closed before answering).</summary>
    internal long Retries => Interlocked.Read(ref _retries);

    /// <summary>Connections open to one server (for tests).</summary>
    internal int OpenConnections(Uri server) => _pools.TryGetValue((server.IdnHost, server.Port), out var pool) ? pool.Open : 0;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!CanSend(request))
            return await Fallback.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var uri = request.RequestUri!;
        var pool = PoolFor(uri);
        var cookieHeader = cookies?.GetCookieHeader(uri);
        var retries = 0;
        long sentBefore = 0;
        while (true)
        {
            var connection = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await connection.SendAsync(request, pool.HostHeader, body, cookieHeader, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionClosedException closed)
            {
                pool.Discard(connection);
                sentBefore += connection.BytesWritten;
                if (closed.MayRetry(request))
                {
                    retries++;
                    Interlocked.Increment(ref _retries);
                    continue;
                }

                var failure = closed.ToRequestException();
                failure.Data[MeasuringHandler.RetriesKey] = retries;
                throw failure;
            }
            catch (HttpRequestException failure)
            {
                pool.Discard(connection);
                if (retries > 0)
                    failure.Data[MeasuringHandler.RetriesKey] = retries;
                throw;
            }
            catch
            {
                pool.Discard(connection);
                throw;
            }

            // Exact wire bytes for data_sent and data_received, attempts that failed included.
            var content = (Http1ResponseContent)response.Content;
            content.WireBytesSent = sentBefore + connection.RequestBytes;
            content.WireBytesReceived = connection.ResponseHeaderBytes + content.Body.Length;
            content.Retries = retries;
            if (connection.KeepAlive)
                pool.Return(connection);
            else
                pool.Discard(connection);
            if (cookies is not null && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
                StoreCookies(uri, setCookies);
            return response;
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
            new Http1ConnectionPool(key.Host, key.Port, handler._maxConnectionsPerServer, handler._connectTimeout) { ConnectObserver = handler.ConnectObserver }, this);
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
