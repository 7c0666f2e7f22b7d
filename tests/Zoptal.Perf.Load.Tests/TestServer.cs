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
