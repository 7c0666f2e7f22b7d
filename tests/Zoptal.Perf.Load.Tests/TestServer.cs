using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Zoptal.Perf.Load.Tests;

/// <summary>A real Kestrel server on loopback, with endpoints for every HTTP behaviour the engine must measure.</summary>
public sealed class TestServer : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, int> _requestsOnConnection = new();
    private readonly ConcurrentDictionary<string, long> _firstSeen = new();

    /// <summary>/stall freezes for <see cref="StallFreeze"/> at the start of every <see cref="StallPeriod"/> since the server started.</summary>
    public static readonly TimeSpan StallPeriod = TimeSpan.FromSeconds(5);

    /// <summary>How long each freeze of /stall lasts.</summary>
    public static readonly TimeSpan StallFreeze = TimeSpan.FromMilliseconds(500);

    /// <summary>Where /stall's cycle is now (0 to <see cref="StallPeriod"/>).</summary>
    public TimeSpan StallPhase => TimeSpan.FromTicks(_clock.Elapsed.Ticks % StallPeriod.Ticks);

    /// <summary>Requests each /count/{key} endpoint (hang-up, limited, slow upload) received, by key.</summary>
    public ConcurrentDictionary<string, int> Received { get; } = new();

    public Uri Http1 { get; private set; } = null!;
    public Uri Http2 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGet("/ok", () => Results.Text("ok"));
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/slow/{ms:int}", async (int ms, CancellationToken ct) =>
        {
            await Task.Delay(ms, ct);
            return Results.Text("slow");
        });
        app.MapGet("/version", (HttpContext c) => Results.Text(c.Request.Protocol));
        app.MapGet("/cookie/set/{value}", (string value, HttpContext c) =>
        {
            c.Response.Cookies.Append("session", value);
            return Results.Text("set");
        });
        app.MapGet("/cookie/get", (HttpContext c) => Results.Text(c.Request.Cookies["session"] ?? "none"));
        app.MapPost("/echo", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            return Results.Text(await reader.ReadToEndAsync());
        });
        app.MapGet("/bytes/{n:int}", (int n) => Results.Bytes(Pattern(n), "application/octet-stream"));
        app.MapGet("/chunked/{n:int}", async (int n, HttpContext c) =>
        {
            var body = Pattern(n);
            for (var i = 0; i < n; i += 1000)
            {
                await c.Response.Body.WriteAsync(body.AsMemory(i, Math.Min(1000, n - i)));
                await c.Response.Body.FlushAsync();
            }
        });
        app.Map("/method", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            var body = await reader.ReadToEndAsync();
            c.Response.Headers["X-Echo"] = c.Request.Headers["X-Test"].ToString();
            return Results.Text($"{c.Request.Method} {c.Request.ContentType} {c.Request.ContentLength?.ToString() ?? "-"} {body} {c.Request.Headers.Authorization}");
        });
        app.Map("/redirect/{status:int}", (int status, string to, HttpContext c) =>
        {
            c.Response.Headers.Location = to;
            return Results.StatusCode(status);
        });
        app.MapGet("/loop", () => Results.Redirect("/loop"));
        app.MapGet("/close", (HttpContext c) =>
        {
            c.Response.Headers.Connection = "close";
            return Results.Text("closing");
        });
        app.MapMethods("/head", ["GET", "HEAD"], () => Results.Text("body of a GET"));
        app.MapGet("/abort", async (HttpContext c) =>
        {
            c.Response.ContentLength = 1000;
            await c.Response.Body.WriteAsync(Pattern(10));
            await c.Response.Body.FlushAsync();
            c.Abort();
        });
        // The server freezes during the first 500 ms of every 5 s: a request arriving then waits for the thaw.
        app.MapGet("/stall", async () =>
        {
            var phase = StallPhase;
            if (phase < StallFreeze)
                await Task.Delay(StallFreeze - phase);
            return Results.Text("thawed");
        });
        // Frozen from 1 s to 2 s after the first request of a key: requests arriving then wait until 2 s.
        app.MapGet("/freeze-once/{key}", async (string key) =>
        {
            var first = _firstSeen.GetOrAdd(key, _ => _clock.ElapsedMilliseconds);
            var since = _clock.ElapsedMilliseconds - first;
            if (since is >= 1000 and < 2000)
                await Task.Delay(TimeSpan.FromMilliseconds(2000 - since));
            return Results.Text("ok");
        });
        // Keep-alive, but the server hangs up (no response) on the second request of each connection.
        app.Map("/hangup/{key}", async (string key, HttpContext c) =>
        {
            Received.AddOrUpdate(key, 1, (_, n) => n + 1);
            await c.Request.Body.CopyToAsync(Stream.Null);
            if (_requestsOnConnection.AddOrUpdate(c.Connection.Id, 1, (_, n) => n + 1) % 2 == 0)
            {
                c.Abort();
                return;
            }

            await c.Response.WriteAsync("answered");
        });
        // Refuses bodies over 1 KB with 413 before reading any of it.
        app.MapPost("/limited/{key}", (string key, HttpContext c) =>
        {
            Received.AddOrUpdate(key, 1, (_, n) => n + 1);
            c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = 1024;
            return c.Request.ContentLength > 1024 ? Results.StatusCode(413) : Results.Text("accepted");
        });
        // Reads the upload slowly (64 KB, then a 5 ms pause) and answers with its length.
        app.MapPost("/slow-upload/{key}", async (string key, HttpContext c) =>
        {
            Received.AddOrUpdate(key, 1, (_, n) => n + 1);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += read;
                await Task.Delay(5);
            }

            return Results.Text(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await app.StartAsync();
        _app = app;
        var addresses = app.Urls.Select(u => new Uri(u)).ToList();
        Http1 = addresses[0];
        Http2 = addresses[1];
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    /// <summary>The bytes /bytes/{n} and /chunked/{n} answer.</summary>
    public static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i % 251)).ToArray();

    /// <summary>A loopback port nothing listens on.</summary>
    public static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
