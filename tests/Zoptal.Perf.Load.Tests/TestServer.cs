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
