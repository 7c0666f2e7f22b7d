using System.Globalization;
using Zoptal.Perf.Core.Configuration;
using Zoptal.Perf.Probes.Resources;
using Zoptal.Perf.Runs.Platform;

namespace Zoptal.Perf.Runs;

/// <summary>
/// Watches what a phase loads for death: the embedded platform's process (it hosts every embedded service) and the
/// watched containers (a container stops the services that name it with <c>container:</c>, or all of them when none
/// does). A death stops those services' load at once, through the token each service's runner gets, and is kept as
/// the reason the run ends early with exit code 1.
/// </summary>
internal sealed class TargetWatch : IAsyncDisposable
{
    private readonly Dictionary<string, CancellationTokenSource> _stops;
    private readonly Dictionary<string, string> _reasons = [];
    private readonly CancellationTokenSource _ended = new();
    private readonly Task _platform;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly string _phase;

    public TargetWatch(string phase, IReadOnlyList<ServiceConfig> services, EmbeddedPlatform? platform, ContainerWatch? containers, CancellationToken cancellation)
    {
        _phase = phase;
        _stops = services.ToDictionary(s => s.Name, _ => CancellationTokenSource.CreateLinkedTokenSource(cancellation));
        _platform = platform is null ? Task.CompletedTask : WatchPlatformAsync(platform, services.Where(s => s.Embedded).Select(s => s.Name).ToList());
        if (containers is not null)
        {
            containers.Stopped += (container, what) =>
            {
                var named = services.Where(s => s.Container == container).Select(s => s.Name).ToList();
                Died(named.Count > 0 ? named : [.. _stops.Keys], $"container {container} {what}");
            };
        }
    }

    /// <summary>The token a service's runner stops on: Ctrl+C, or its target dying.</summary>
    public CancellationToken For(string service) => _stops[service].Token;

    /// <summary>Why a service's load was stopped, when its target died.</summary>
    public string? ReasonFor(string service)
    {
        lock (_reasons)
            return _reasons.GetValueOrDefault(service);
    }

    /// <summary>The first death seen, as the run's failure; null when every target lived.</summary>
    public string? Failure
    {
        get
        {
            lock (_reasons)
                return _reasons.Values.FirstOrDefault();
        }
    }

    private async Task WatchPlatformAsync(EmbeddedPlatform platform, IReadOnlyList<string> services)
    {
        int code;
        try
        {
            code = await platform.WaitForExitAsync(_ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Died(services, $"the embedded sample platform (pid {platform.ProcessId}) exited with code {code}");
    }

    private void Died(IReadOnlyList<string> services, string what)
    {
        var at = (DateTimeOffset.UtcNow - _started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        lock (_reasons)
        {
            foreach (var service in services)
                _reasons.TryAdd(service, $"{what} {at} s into the {_phase} phase; the load on it stopped");
        }

        foreach (var service in services)
            _stops[service].Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _ended.CancelAsync().ConfigureAwait(false);
        await _platform.ConfigureAwait(false);
        _ended.Dispose();
        foreach (var stop in _stops.Values)
            stop.Dispose();
    }
}
