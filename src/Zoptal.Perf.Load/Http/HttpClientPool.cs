using System.Net;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Core.Net;
using Zoptal.Perf.Load.Execution;

namespace Zoptal.Perf.Load.Http;

/// <summary>
/// Hands each VU an <see cref="HttpClient"/> tuned for load: no proxy, no decompression unless asked, long-lived
/// connections, one pool for all VUs or one per VU (with cookies when asked), HTTP/1.1 or HTTP/2 (h2c on plain http).
/// Plain HTTP/1.1 goes through the engine's <see cref="Http1Handler"/> unless the config asks for .NET's
/// <see cref="SocketsHttpHandler"/>, which carries everything else.
/// </summary>
internal sealed class HttpClientPool : IDisposable
{
    private readonly HttpConfig _config;
    private readonly Uri? _baseAddress;
    private readonly TimeProvider _time;
    private readonly HostGuard _guard;
    private readonly Action<string, int>? _connectObserver;
    private readonly HttpMessageHandler? _shared;
    private readonly SemaphoreSlim? _sharedSlots;
    private readonly List<IDisposable> _owned = [];

    public HttpClientPool(HttpConfig config, Uri? baseAddress, TimeProvider time, HostGuard guard, Action<string, int>? connectObserver = null)
    {
        _config = config;
        _baseAddress = baseAddress;
        _time = time;
        _guard = guard;
        _connectObserver = connectObserver;
        if (config.ConnectionPool == ConnectionPoolKind.Shared && !config.Cookies)
        {
            _shared = CreateHandler();
            _sharedSlots = config.MaxConnections is { } max ? new SemaphoreSlim(max, max) : null;
        }
    }

    public HttpClient CreateClient(VirtualUser vu)
    {
        HttpMessageHandler inner;
        SemaphoreSlim? slots;
        if (_shared is not null)
        {
            inner = _shared;
            slots = _sharedSlots;
        }
        else
        {
            inner = CreateHandler();
            slots = _config.MaxConnections is { } max ? new SemaphoreSlim(max, max) : null;
            lock (_owned)
            {
                _owned.Add(inner);
                if (slots is not null)
                    _owned.Add(slots);
            }
        }

        var client = new HttpClient(new MeasuringHandler(vu, slots, _config.Timeout, _time, _guard) { InnerHandler = inner }, disposeHandler: false)
        {
            BaseAddress = _baseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // the measuring handler applies the timeout and records it
        };
        if (_config.Http2)
        {
            client.DefaultRequestVersion = HttpVersion.Version20;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }

        return client;
    }

    private HttpMessageHandler CreateHandler()
    {
        if (_config.Transport == HttpTransport.Sockets || _config.Http2 || _config.Decompression)
            return CreateSocketsHandler();
        return new Http1Handler(_config.MaxConnections ?? HttpConfig.DefaultMaxConnections, _config.ConnectTimeout,
            _config.Cookies ? new CookieContainer() : null, CreateSocketsHandler)
        { ConnectObserver = _connectObserver };
    }

    private SocketsHttpHandler CreateSocketsHandler() => new()
    {
        ConnectCallback = _connectObserver is null ? null : ObservedConnectAsync,
        UseProxy = false,
        AutomaticDecompression = _config.Decompression ? DecompressionMethods.All : DecompressionMethods.None,
        ConnectTimeout = _config.ConnectTimeout,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = _config.MaxConnections ?? HttpConfig.DefaultMaxConnections,
        UseCookies = _config.Cookies,
        CookieContainer = new CookieContainer(),
        EnableMultipleHttp2Connections = true,
        AllowAutoRedirect = false, // the measuring handler follows redirects: a sample per hop, as k6
    };

    // Only with an observer (tests): SocketsHttpHandler's own connect is kept otherwise.
    private async ValueTask<Stream> ObservedConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        _connectObserver!(context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellation).ConfigureAwait(false);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _shared?.Dispose();
        _sharedSlots?.Dispose();
        lock (_owned)
        {
            foreach (var owned in _owned)
                owned.Dispose();
        }
    }
}
