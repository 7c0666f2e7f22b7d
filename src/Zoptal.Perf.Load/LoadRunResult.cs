using HdrHistogram;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Thresholds;

namespace Zoptal.Perf.Load;

/// <summary>Request metrics of a scenario or step, summarized, with the histograms kept for exact merges.</summary>
public sealed record OperationResult(
    string Scenario,
    string? Step,
    long Requests,
    long Failed,
    IReadOnlyDictionary<FailureKind, long> Failures,
    long BytesSent,
    long BytesReceived,
    LatencySummary Latency,
    LatencySummary ServiceTime,
    HistogramBase LatencyHistogram,
    HistogramBase ServiceTimeHistogram)
{
    internal static OperationResult From(OperationMetrics m) => new(
        m.Scenario, m.Step, m.Requests, m.Failed,
        Enum.GetValues<FailureKind>().ToDictionary(k => k, m.Failures),
        m.BytesSent, m.BytesReceived, LatencySummary.From(m.Latency), LatencySummary.From(m.ServiceTime), m.Latency.Copy(), m.ServiceTime.Copy());
}

/// <summary>A check's counts.</summary>
public sealed record CheckResult(string Name, long Passed, long Failed);

/// <summary>Everything measured for one scenario.</summary>
public sealed record ScenarioResult(
    string Name,
    OperationResult Requests,
    IReadOnlyList<OperationResult> Steps,
    long Iterations,
    long FailedIterations,
    long InterruptedIterations,
    long DroppedIterations,
    IReadOnlyList<CheckResult> Checks,
    LatencySummary IterationDuration,
    LatencySummary ScheduleLag);

/// <summary>A finished (or aborted) run: complete and self-describing, so a report needs nothing else.</summary>
public sealed record LoadRunResult(
    DateTimeOffset StartTime,
    TimeSpan Duration,
    bool Aborted,
    string? AbortReason,
    int VusMax,
    IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyList<IntervalSample> Intervals,
    IReadOnlyList<GeneratorSample> Generator,
    IReadOnlyList<ThresholdResult> Thresholds)
{
    /// <summary>Requests of every scenario.</summary>
    public long TotalRequests => Scenarios.Sum(s => s.Requests.Requests);

    /// <summary>Whether every threshold passed.</summary>
    public bool ThresholdsPassed => Thresholds.All(t => t.Passed);

    /// <summary>All requests' latency, merged exactly.</summary>
    public HistogramBase MergedLatency() => HdrLog.Merge(Scenarios.Select(s => s.Requests.LatencyHistogram));

    /// <summary>All requests' service time, merged exactly.</summary>
    public HistogramBase MergedServiceTime() => HdrLog.Merge(Scenarios.Select(s => s.Requests.ServiceTimeHistogram));

    /// <summary>True when the generator's own CPU passed 80 % in any second: then the numbers measure the generator too.</summary>
    public bool GeneratorWasBottleneck => Generator.Any(g => g.CpuPercent > 80);
}

/// <summary>What the console shows each second.</summary>
public sealed record RunProgress(TimeSpan Elapsed, int Vus, long Requests, long Errors, double RequestsPerSecond, double LatencyP95, IReadOnlyList<IntervalSample> LastSecond);
