using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zoptal.SamplePlatform.Services;

namespace Zoptal.SamplePlatform;

/// <summary>The six sample services, each a Kestrel server on its own loopback port, in one process.</summary>
public sealed class Platform : IAsyncDisposable
{
    private readonly List<(string Name, WebApplication App)> _apps = [];
    private Storage.PostgresStores? _postgres;

    /// <summary>Where the data is kept: memory or postgresql.</summary>
    public string StorageKind => _postgres is null ? "memory" : "postgresql";

    private Platform()
    {
    }

    /// <summary>Each service's base address.</summary>
    public IReadOnlyList<(string Service, Uri Url)> Urls => _apps.Select(a => (a.Name, new Uri(a.App.Urls.Single()))).ToList();

    /// <summary>Starts every service; returns when all of them listen.</summary>
    public static async Task<Platform> StartAsync(PlatformOptions options)
    {
        var platform = new Platform();
        PlatformState shared;
        if (options.PostgresConnectionString is { } connectionString)
        {
            var stores = await Storage.PostgresStores.OpenAsync(connectionString);
            platform._postgres = stores;
            shared = new PlatformState(options, stores, stores, stores, stores);
        }
        else
        {
            shared = new PlatformState(options, new Storage.MemoryStores());
        }

        try
        {
            foreach (var service in CreateServices(shared))
            {
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
                builder.WebHost.ConfigureKestrel(k =>
                {
                    k.Listen(options.Host, options.Ports.GetValueOrDefault(service.Name));
                    k.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
                });
                var app = builder.Build();
                app.MapGet("/health", () => Results.Json(new { status = "ok", service = service.Name }));
                service.Map(app);
                await app.StartAsync();
                platform._apps.Add((service.Name, app));
            }

            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private static IEnumerable<IPlatformService> CreateServices(PlatformState shared) =>
    [
        new AuthService(shared),
        new ProjectService(shared),
        new AiService(shared),
        new BillingService(shared),
        new NotificationService(shared),
        new AnalyticsService(shared),
    ];

    /// <summary>Runs until SIGTERM, Ctrl+C, or (when asked) the end of standard input.</summary>
    public async Task WaitForShutdownAsync(bool watchStandardInput)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        if (watchStandardInput)
        {
            _ = Task.Run(async () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (await stdin.ReadAsync(buffer) > 0)
                {
                }

                stop.TrySetResult();
            });
        }

        await stop.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, app) in _apps)
        {
            await app.StopAsync(TimeSpan.FromSeconds(2));
            await app.DisposeAsync();
        }

        _apps.Clear();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
    }
}

/// <summary>One sample service: its routes, mapped on its own server.</summary>
public interface IPlatformService
{
    /// <summary>The service's name in perf-config.yml.</summary>
    string Name { get; }

    /// <summary>Maps the service's routes.</summary>
    void Map(WebApplication app);
}
