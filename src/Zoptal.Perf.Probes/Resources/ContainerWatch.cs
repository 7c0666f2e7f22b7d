using Docker.DotNet;
using Docker.DotNet.Models;
using Zoptal.Perf.Core.Configuration;

namespace Zoptal.Perf.Probes.Resources;

/// <summary>
/// The containers the config's <c>docker</c> section names, through the Docker engine API, once a second each:
/// CPU as a share of the container's CPU limit (all the engine's CPUs without one), memory without the page cache
/// against its limit, CPU throttling, network and block I/O, processes. An engine that cannot be reached, or a
/// container that does not exist, becomes that container's problem in the report, never a failed run.
/// </summary>
public sealed class ContainerWatch : IAsyncDisposable
{
    private readonly DockerClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(string Name, Task<ResourceSummary> Loop)> _loops;
    private readonly DateTime _started = DateTime.UtcNow;

    /// <summary>
    /// Raised once for a container that stopped running while it was watched (name, what happened); a run stops
    /// loading the services behind it.
    /// </summary>
    public event Action<string, string>? Stopped;

    /// <summary>Starts a sampling loop per container.</summary>
    public ContainerWatch(DockerConfig config)
    {
        _client = new DockerClientConfiguration(new Uri(config.Host), defaultTimeout: TimeSpan.FromSeconds(10)).CreateClient();
        _loops = [.. config.Containers.Select(name => (name, WatchAsync(name, config.Host)))];
    }

    /// <summary>Stops sampling and summarises every container.</summary>
    public async Task<IReadOnlyList<ResourceSummary>> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        return await Task.WhenAll(_loops.Select(l => l.Loop)).ConfigureAwait(false);
    }

    private async Task<ResourceSummary> WatchAsync(string name, string host)
    {
        ContainerInspectResponse container;
        try
        {
            container = await _client.Containers.InspectContainerAsync(name, _stop.Token).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            return ResourceSummary.Failed("container", name, $"no container named '{name}' on the Docker engine at {host}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or DockerApiException or IOException or System.Net.Sockets.SocketException)
        {
            return ResourceSummary.Failed("container", name, $"the Docker engine at {host} cannot be reached: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return ResourceSummary.Failed("container", name, "stopped before the first sample");
        }

        var limitCores = container.HostConfig.NanoCPUs > 0 ? container.HostConfig.NanoCPUs / 1e9
            : container.HostConfig.CPUQuota > 0 && container.HostConfig.CPUPeriod > 0 ? (double)container.HostConfig.CPUQuota / container.HostConfig.CPUPeriod
            : 0;
        var samples = new List<ResourceSample>();
        ContainerStatsResponse? previous = null;
        ulong memoryLimit = 0;
        string? problem = null;
        while (!_stop.IsCancellationRequested)
        {
            var received = new Latest();
            try
            {
                // stream=false answers after about a second, with the engine's previous sample included.
                await _client.Containers.GetContainerStatsAsync(container.ID, new ContainerStatsParameters { Stream = false }, received, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or DockerApiException or IOException)
            {
                problem = $"sampling stopped: {e.Message}";
                break;
            }

            if (received.Value is not { } stats || stats.Read == default)
            {
                // A container that is not running answers at once with empty stats: say why, and stop asking.
                if (await StoppedAsync(container.ID).ConfigureAwait(false) is { } stopped)
                {
                    problem = stopped;
                    Stopped?.Invoke(name, stopped);
                    break;
                }

                continue;
            }
            samples.Add(Sample(stats, previous, limitCores, Math.Round((DateTime.UtcNow - _started).TotalSeconds, 1)));
            memoryLimit = stats.MemoryStats?.Limit ?? memoryLimit;
            previous = stats;
        }

        var summary = ResourceSummary.Of("container", name, memoryLimit > 0 ? (long)memoryLimit : null, samples);
        return problem is null || samples.Count > 0 ? summary with { Problem = samples.Count > 0 ? null : problem } : ResourceSummary.Failed("container", name, problem);
    }

    // Null while the container runs; otherwise what became of it ("exited with code 137 (killed by the OOM killer)").
    private async Task<string?> StoppedAsync(string id)
    {
        try
        {
            var state = (await _client.Containers.InspectContainerAsync(id, _stop.Token).ConfigureAwait(false)).State;
            if (state.Running)
                return null;
            var seconds = (DateTime.UtcNow - _started).TotalSeconds;
            return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"stopped {seconds:0.0} s into the watch: {state.Status}, exit code {state.ExitCode}{(state.OOMKilled ? " (killed by the OOM killer)" : "")}");
        }
        catch (DockerContainerNotFoundException)
        {
            return "removed while it was watched";
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or TimeoutException or DockerApiException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// One sample, as <c>docker stats</c> computes it: the container's CPU time over the host's in the same span, times
    /// the online CPUs, gives cores in use; divided by the container's limit in cores (<c>--cpus</c>, or quota/period),
    /// or by all online CPUs without one. The engine's previous sample is used when it has one (Docker), ours when it
    /// does not (Podman sends zeros).
    /// </summary>
    internal static ResourceSample Sample(ContainerStatsResponse stats, ContainerStatsResponse? ours, double limitCores, double second)
    {
        var pre = stats.PreCPUStats is { SystemUsage: > 0 } engine ? engine : ours?.CPUStats;
        var online = stats.CPUStats.OnlineCPUs > 0 ? stats.CPUStats.OnlineCPUs : (uint)Environment.ProcessorCount;
        double cpu = 0;
        if (pre is not null && stats.CPUStats.SystemUsage > pre.SystemUsage)
        {
            var cores = (double)(stats.CPUStats.CPUUsage.TotalUsage - pre.CPUUsage.TotalUsage) / (stats.CPUStats.SystemUsage - pre.SystemUsage) * online;
            cpu = 100 * cores / (limitCores > 0 ? limitCores : online);
        }

        var memory = stats.MemoryStats;
        var cache = memory?.Stats is { } s ? s.TryGetValue("total_inactive_file", out var v1) ? v1 : s.TryGetValue("inactive_file", out var v2) ? v2 : 0 : 0;
        var used = memory is null ? 0 : memory.Usage > cache ? memory.Usage - cache : memory.Usage;
        var networks = stats.Networks?.Values ?? [];
        var io = stats.BlkioStats?.IoServiceBytesRecursive ?? [];
        return new ResourceSample(second, Math.Round(cpu, 1), (long)used, memory is { Limit: > 0 } ? Math.Round(100.0 * used / memory.Limit, 2) : 0,
            (int)(stats.PidsStats?.Current ?? 0), 0,
            (long)networks.Aggregate(0UL, (sum, n) => sum + n.RxBytes), (long)networks.Aggregate(0UL, (sum, n) => sum + n.TxBytes),
            (long)io.Where(e => e.Op.Equals("read", StringComparison.OrdinalIgnoreCase)).Aggregate(0UL, (sum, e) => sum + e.Value),
            (long)io.Where(e => e.Op.Equals("write", StringComparison.OrdinalIgnoreCase)).Aggregate(0UL, (sum, e) => sum + e.Value),
            (long)(stats.CPUStats.ThrottlingData?.ThrottledPeriods ?? 0));
    }

    // Progress<T> would post the report to the thread pool, to arrive after the call has returned; this keeps it at once.
    private sealed class Latest : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Value { get; private set; }

        public void Report(ContainerStatsResponse value) => Value = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops.Select(l => l.Loop)).ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
            _client.Dispose();
        }
    }
}
