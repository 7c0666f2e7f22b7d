using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Zoptal.Perf.Load.Http;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Load.Tests;

/// <summary>The engine's own HTTP/1.1 client against a real Kestrel server on loopback.</summary>
public sealed class Http1HandlerTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly Http1Handler _handler = new(maxConnectionsPerServer: 1000, TimeSpan.FromSeconds(5), new CookieContainer(), () => new SocketsHttpHandler());

    private HttpClient Client(Uri? baseAddress = null) => new(_handler, disposeHandler: false) { BaseAddress = baseAddress ?? server.Http1 };

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task Sequential_requests_share_one_keep_alive_connection()
    {
        using var client = Client();
        for (var i = 0; i < 50; i++)
        {
            using var response = await client.GetAsync("/ok");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpVersion.Version11, response.Version);
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(2, response.Content.Headers.ContentLength);
        }

        Assert.Equal(1, _handler.OpenConnections(server.Http1));
    }

    [Fact]
    public async Task Wire_bytes_are_counted_exactly()
    {
        using var client = Client();
        using var response = await client.GetAsync("/ok");
        var content = Assert.IsType<Http1ResponseContent>(response.Content);
        var request = $"GET /ok HTTP/1.1\r\nHost: {server.Http1.Authority}\r\n\r\n";
        Assert.Equal(request.Length, content.WireBytesSent);

        // The same request on a raw socket: every byte of the answer.
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Http1.Host, server.Http1.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var total = 0;
        while (!Encoding.ASCII.GetString(buffer, 0, total).EndsWith("\r\n\r\nok", StringComparison.Ordinal))
            total += await socket.ReceiveAsync(buffer.AsMemory(total));
        Assert.Equal(total, content.WireBytesReceived);
        Assert.Equal(0, content.Retries);
    }

    [Theory]
    [InlineData("/bytes/0", 0)]
    [InlineData("/bytes/1", 1)]
    [InlineData("/bytes/1048576", 1048576)]
    [InlineData("/chunked/1", 1)]
    [InlineData("/chunked/70001", 70001)]
    public async Task Bodies_arrive_byte_for_byte_with_content_length_or_chunked(string path, int length)
    {
        using var client = Client();
        for (var i = 0; i < 2; i++) // the second response on the same connection proves the first was read to its end
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(TestServer.Pattern(length), await response.Content.ReadAsByteArrayAsync());
            if (path.StartsWith("/chunked", StringComparison.Ordinal))
                Assert.True(response.Headers.TransferEncodingChunked);
        }

        Assert.Equal(1, _handler.OpenConnections(server.Http1));
    }

    [Fact]
    public async Task Request_headers_and_bodies_go_out_and_response_headers_come_back()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/method") { Content = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Test", "hello");
        using var response = await client.SendAsync(request);
        Assert.Equal("POST application/json; charset=utf-8 7 {\"a\":1} ", await response.Content.ReadAsStringAsync());
        Assert.Equal("hello", Assert.Single(response.Headers.GetValues("X-Echo")));

        using var empty = await client.PostAsync("/method", null);
        Assert.Equal("POST  0  ", await empty.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_and_204_responses_have_no_body_and_keep_the_connection()
    {
        using var client = Client();
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/head")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using (var noContent = await client.GetAsync("/status/204"))
            Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        using var get = await client.GetAsync("/head");
        Assert.Equal("body of a GET", await get.Content.ReadAsStringAsync());
        Assert.Equal(1, _handler.OpenConnections(server.Http1));
    }

    [Fact]
    public async Task Redirects_come_back_to_the_measuring_handler_which_follows_them()
    {
        using var client = Client();
        using var found = await client.GetAsync("/redirect/302?to=/ok");
        Assert.Equal(HttpStatusCode.Found, found.StatusCode);
        Assert.Equal("/ok", found.Headers.Location?.OriginalString);
        Assert.Equal(1, _handler.OpenConnections(server.Http1)); // and the connection stays for the next hop
    }

    [Fact]
    public async Task A_connection_the_server_closes_is_not_reused()
    {
        using var client = Client();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/close");
            Assert.Equal("closing", await response.Content.ReadAsStringAsync());
            Assert.True(response.Headers.ConnectionClose);
            Assert.Equal(0, _handler.OpenConnections(server.Http1));
        }
    }

    [Fact]
    public async Task An_idle_connection_closed_by_the_server_is_replaced_without_an_error()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(1);
            k.Listen(IPAddress.Loopback, 0);
        });
        await using var app = builder.Build();
        app.MapPost("/post", async (HttpContext c) => await c.Response.WriteAsync(await new StreamReader(c.Request.Body).ReadToEndAsync()));
        await app.StartAsync();
        using var client = Client(new Uri(app.Urls.First()));
        using (var first = await client.PostAsync("/post", new StringContent("one")))
            Assert.Equal("one", await first.Content.ReadAsStringAsync());
        await Task.Delay(TimeSpan.FromSeconds(3)); // Kestrel checks keep-alive timeouts once a second
        using var second = await client.PostAsync("/post", new StringContent("two"));
        Assert.Equal("two", await second.Content.ReadAsStringAsync());
        Assert.Equal(0, _handler.Retries); // the closed connection was found before it was used: the POST went out once
    }

    [Fact]
    public async Task A_connection_closed_while_idle_is_found_before_reuse_and_the_request_goes_out_once()
    {
        // A server that answers once per connection with keep-alive and then hangs up, as Node's 5 s keep-alive
        // timeout does: the client finds out only when it sends the next request.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            foreach (var answer in new[] { "one", "two" })
            {
                using var socket = await listener.AcceptSocketAsync();
                await socket.ReceiveAsync(new byte[4096]);
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{answer}"));
                await Task.Delay(100);
                socket.Shutdown(SocketShutdown.Both);
            }
        });
        using var client = Client(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));
        using (var first = await client.PostAsync("/", new StringContent("a")))
            Assert.Equal("one", await first.Content.ReadAsStringAsync());
        await Task.Delay(300);
        using var second = await client.PostAsync("/", new StringContent("b"));
        Assert.Equal("two", await second.Content.ReadAsStringAsync());
        Assert.Equal(0, _handler.Retries); // polled before reuse: no POST had to be sent twice
        await serve;
    }

    [Fact]
    public async Task The_pool_never_opens_more_than_its_cap_and_queues_the_rest()
    {
        using var handler = new Http1Handler(maxConnectionsPerServer: 2, TimeSpan.FromSeconds(5), null, () => new SocketsHttpHandler());
        using var client = new HttpClient(handler) { BaseAddress = server.Http1 };
        var most = 0;
        var started = DateTime.UtcNow;
        var requests = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.GetAsync("/slow/100");
            most = Math.Max(most, handler.OpenConnections(server.Http1));
            return response.StatusCode;
        }).ToList();
        Assert.All(await Task.WhenAll(requests), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(2, most);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(390), "8 requests of 100 ms over 2 connections take 400 ms");
    }

    [Fact]
    public async Task Transport_failures_are_HttpRequestExceptions_the_engine_classifies()
    {
        using var client = Client(TestServer.ClosedPort());
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/ok"));
        Assert.Equal(FailureKind.ConnectionRefused, MeasuringHandler.Classify(refused));
        Assert.Equal(0, _handler.OpenConnections(TestServer.ClosedPort()));

        using var server1 = Client();
        var cut = await Assert.ThrowsAsync<HttpRequestException>(() => server1.GetAsync("/abort"));
        Assert.Equal(FailureKind.ConnectionReset, MeasuringHandler.Classify(cut));
        using var after = await server1.GetAsync("/ok"); // the broken connection was dropped
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_request_closes_its_connection_and_throws_OperationCanceled()
    {
        using var client = Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("/slow/10000", cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Equal(0, _handler.OpenConnections(server.Http1));
    }

    [Fact]
    public async Task Header_values_with_line_breaks_are_refused_before_anything_is_sent()
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        request.Headers.TryAddWithoutValidation("X-Test", "a\r\nInjected: yes");
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(request));
        Assert.Contains("X-Test", error.Message);
    }

    [Fact]
    public async Task Cookies_set_by_the_server_are_sent_back()
    {
        using var client = Client();
        using (await client.GetAsync("/cookie/set/abc"))
        {
        }

        using var get = await client.GetAsync("/cookie/get");
        Assert.Equal("abc", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http2_requests_go_to_the_fallback_handler()
    {
        using var client = Client(server.Http2);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/version") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request);
        Assert.Equal("HTTP/2", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _handler.OpenConnections(server.Http2));
    }

    [Fact]
    public async Task A_response_that_is_not_HTTP_is_an_invalid_response_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await socket.ReceiveAsync(new byte[4096]);
            await socket.SendAsync("SSH-2.0-OpenSSH_9.6\r\n\r\n"u8.ToArray());
        });
        using var client = Client(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/"));
        Assert.Equal(HttpRequestError.InvalidResponse, error.HttpRequestError);
        Assert.Contains("SSH-2.0", error.Message);
        await serve;
    }

    [Fact]
    public async Task Folded_header_lines_are_unfolded_into_one_value()
    {
        using var raw = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nX-Folded: first\r\n second\r\n\t third\r\nContent-Length: 2\r\n\r\nok");
        using var client = Client(raw.Url);
        using var response = await client.GetAsync("/");
        Assert.Equal("first second third", Assert.Single(response.Headers.GetValues("X-Folded")));
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("Chunked")]
    [InlineData("gzip, CHUNKED")]
    public async Task Transfer_encoding_is_compared_without_case(string codings)
    {
        using var raw = new ScriptedServer(_ => $"HTTP/1.1 200 OK\r\nTransfer-Encoding: {codings}\r\n\r\n2\r\nok\r\n0\r\n\r\n");
        using var client = Client(raw.Url);
        for (var i = 0; i < 2; i++) // the second answer on the same connection proves the first was framed right
        {
            using var response = await client.GetAsync("/");
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, raw.Connections);
    }

    [Fact]
    public async Task A_101_response_never_goes_back_to_the_pool()
    {
        using var raw = new ScriptedServer(n => n == 0
            ? "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = Client(raw.Url);
        using (var switched = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.SwitchingProtocols, switched.StatusCode);
        Assert.Equal(0, _handler.OpenConnections(raw.Url));
        using var next = await client.GetAsync("/");
        Assert.Equal("ok", await next.Content.ReadAsStringAsync());
        Assert.Equal(2, raw.Connections);
    }

    [Fact]
    public async Task A_connection_with_bytes_beyond_the_response_is_not_reused()
    {
        using var raw = new ScriptedServer(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokSTRAY");
        using var client = Client(raw.Url);
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("/");
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, raw.Connections);
    }

    [Fact]
    public async Task A_connection_whose_request_was_cancelled_never_serves_another_request()
    {
        // Cancellations timed around the end of responses: whichever wins, the next request must find a working
        // connection (before the fix a socket disposed by a late cancel went back to the pool: ObjectDisposedException).
        using var client = Client();
        for (var i = 0; i < 60; i++)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(3 + i % 5));
            try
            {
                using var slow = await client.GetAsync("/slow/4", cancel.Token);
            }
            catch (OperationCanceledException)
            {
            }

            using var next = await client.GetAsync("/ok");
            Assert.Equal("ok", await next.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A loopback TCP server answering the n-th request (from 0, across connections) with scripted bytes.</summary>
    private sealed class ScriptedServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _requests;
        private int _connections;

        public ScriptedServer(Func<int, string> answer)
        {
            _listener.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    _ = Task.Run(async () =>
                    {
                        using (socket)
                        {
                            var buffer = new byte[8192];
                            var seen = new StringBuilder();
                            while (true)
                            {
                                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                                if (read == 0)
                                    return;
                                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                                while (seen.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                                {
                                    seen.Remove(0, end + 4);
                                    await socket.SendAsync(Encoding.ASCII.GetBytes(answer(Interlocked.Increment(ref _requests) - 1)), SocketFlags.None, _stop.Token);
                                }
                            }
                        }
                    });
                }
            });
        }

        public Uri Url { get; }

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
