namespace Zoptal.Perf.Load.Metrics;

/// <summary>One second of a run (so its request count is its rate): throughput, errors, VUs, latency percentiles from that second's histograms, the generator's load.</summary>
public sealed record IntervalSample(
    TimeSpan Elapsed,
    string Scenario,
    long Requests,
    long Errors,
    long Iterations,
    long Dropped,
    int Vus,
    double LatencyP50,
    double LatencyP95,
    double LatencyP99,
    double ServiceP99,
    double ScheduleLagP99);

/// <summary>The generator process's own load in one second, so a report can tell when the generator was the bottleneck.</summary>
public sealed record GeneratorSample(TimeSpan Elapsed, double CpuPercent, long ResidentBytes, long GcHeapBytes, int ThreadPoolThreads);

/// <summary>Samples this process's CPU (share of all cores) and memory.</summary>
public sealed class GeneratorSampler
{
    private readonly System.Diagnostics.Process _process = System.Diagnostics.Process.GetCurrentProcess();
    private TimeSpan _lastCpu;
    private long _lastTimestamp;
    private readonly TimeProvider _time;

    /// <summary>Starts sampling from now.</summary>
    public GeneratorSampler(TimeProvider time)
    {
        _time = time;
        _process.Refresh();
        _lastCpu = _process.TotalProcessorTime;
        _lastTimestamp = time.GetTimestamp();
    }

    /// <summary>CPU since the previous sample, and memory now.</summary>
    public GeneratorSample Sample(TimeSpan elapsed)
    {
        _process.Refresh();
        var cpu = _process.TotalProcessorTime;
        var now = _time.GetTimestamp();
        var wall = _time.GetElapsedTime(_lastTimestamp, now);
        var percent = wall > TimeSpan.Zero ? 100.0 * (cpu - _lastCpu).TotalSeconds / (wall.TotalSeconds * Environment.ProcessorCount) : 0;
        _lastCpu = cpu;
        _lastTimestamp = now;
        return new GeneratorSample(elapsed, Math.Round(percent, 1), _process.WorkingSet64, GC.GetTotalMemory(false), ThreadPool.ThreadCount);
    }
}
