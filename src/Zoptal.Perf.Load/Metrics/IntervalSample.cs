namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// One interval of a run (a second, or the shorter last one): throughput, errors, VUs, latency percentiles from that
/// interval's HDR histograms. <paramref name="Elapsed"/> is the interval's end since the run's start, <paramref name="Length"/>
/// its real length, so rates are counts over it and the intervals' counts add up to the run's totals.
/// </summary>
public sealed record IntervalSample(
    TimeSpan Elapsed,
    TimeSpan Length,
    string Scenario,
    long Requests,
    long Errors,
    long Iterations,
    long Dropped,
    int Vus,
    double LatencyP50,
    double LatencyP95,
    double LatencyP99,
    double LatencyCorrectedP99,
    double ServiceP99,
    double ScheduleLagP99)
{
    /// <summary>Requests per second over the interval's real length.</summary>
    public double RequestsPerSecond => Length > TimeSpan.Zero ? Requests / Length.TotalSeconds : 0;
}

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
