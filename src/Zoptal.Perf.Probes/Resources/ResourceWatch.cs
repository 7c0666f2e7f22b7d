namespace Zoptal.Perf.Probes.Resources;

/// <summary>Samples local processes once a second during a phase, on its own loop, and summarises each.</summary>
public sealed class ResourceWatch : IAsyncDisposable
{
    private readonly IReadOnlyList<ProcessSampler> _processes;
    private readonly Dictionary<ProcessSampler, List<ResourceSample>> _samples;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly long _memoryLimit = ProcessSampler.MemoryLimit();
    private readonly DateTime _started = DateTime.UtcNow;

    /// <summary>Starts sampling.</summary>
    public ResourceWatch(IReadOnlyList<ProcessSampler> processes, TimeSpan? interval = null)
    {
        _processes = processes;
        _samples = processes.ToDictionary(p => p, _ => new List<ResourceSample>());
        foreach (var process in processes)
            process.Sample(0, _memoryLimit); // the CPU baseline
        _loop = LoopAsync(interval ?? TimeSpan.FromSeconds(1));
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var second = Math.Round((DateTime.UtcNow - _started).TotalSeconds, 1);
                foreach (var process in _processes)
                {
                    if (process.Sample(second, _memoryLimit) is { } sample)
                    {
                        lock (_samples)
                            _samples[process].Add(sample);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops sampling and summarises every process.</summary>
    public async Task<IReadOnlyList<ResourceSummary>> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        lock (_samples)
            return [.. _processes.Select(p => ResourceSummary.Of("process", p.Name, _memoryLimit, [.. _samples[p]]))];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
