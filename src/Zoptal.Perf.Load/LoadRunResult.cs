using HdrHistogram;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Load.Thresholds;

namespace Zoptal.Perf.Load;

/// <summary>Request metrics of a scenario or step, summarized, with the trends kept for exact merges.</summary>
public sealed record OperationResult(
    string Scenario,
    string? Step,
    long Requests,
    long Failed,
    IReadOnlyDictionary<FailureKind, long> Failures,
    long Retries,
    long BytesSent,
    long BytesReceived,
    TrendSnapshot LatencyTrend,
    TrendSnapshot LatencyCorrectedTrend,
    TrendSnapshot ServiceTimeTrend)
{
    /// <summary>Latency from the intended start (open models: the schedule; closed models: the request's call).</summary>
    public LatencySummary Latency { get; } = LatencySummary.From(LatencyTrend);

    /// <summary>Latency corrected for coordinated omission (closed models); equal to <see cref="Latency"/> in open models.</summary>
    public LatencySummary LatencyCorrected { get; } = LatencySummary.From(LatencyCorrectedTrend);

    /// <summary>Service time, from the actual send.</summary>
    public LatencySummary ServiceTime { get; } = LatencySummary.From(ServiceTimeTrend);

    /// <summary>The latency histogram (µs).</summary>
    public HistogramBase LatencyHistogram => LatencyTrend.Histogram;

    /// <summary>The exact merge of several results of the same scenario or step.</summary>
    public static OperationResult Merge(IEnumerable<OperationResult> parts)
    {
        var list = parts.ToList();
        return new OperationResult(list[0].Scenario, list[0].Step, list.Sum(p => p.Requests), list.Sum(p => p.Failed),
            Enum.GetValues<FailureKind>().ToDictionary(k => k, k => list.Sum(p => p.Failures[k])), list.Sum(p => p.Retries),
            list.Sum(p => p.BytesSent), list.Sum(p => p.BytesReceived),
            TrendSnapshot.Merge(list.Select(p => p.LatencyTrend)), TrendSnapshot.Merge(list.Select(p => p.LatencyCorrectedTrend)),
            TrendSnapshot.Merge(list.Select(p => p.ServiceTimeTrend)));
    }

    internal static OperationResult From(OperationMetrics m) => new(
        m.Scenario, m.Step, m.Requests, m.Failed,
        Enum.GetValues<FailureKind>().ToDictionary(k => k, m.Failures), m.Retries,
        m.BytesSent, m.BytesReceived, m.Latency.Snapshot(), m.LatencyCorrected.Snapshot(), m.ServiceTime.Snapshot());
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
    TrendSnapshot IterationDurationTrend,
    TrendSnapshot ScheduleLagTrend)
{
    /// <summary>Iteration durations.</summary>
    public LatencySummary IterationDuration { get; } = LatencySummary.From(IterationDurationTrend);

    /// <summary>How late open-model iterations started (a wait in the backlog included).</summary>
    public LatencySummary ScheduleLag { get; } = LatencySummary.From(ScheduleLagTrend);

    /// <summary>Iterations the load profile planned: completed, interrupted and dropped.</summary>
    public long PlannedIterations => Iterations + InterruptedIterations + DroppedIterations;
}

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
    /// <summary>Each interval of all scenarios together (scenario name empty), percentiles from the merged interval histograms.</summary>
    public IReadOnlyList<IntervalSample> Totals { get; init; } = [];

    /// <summary>Requests of every scenario.</summary>
    public long TotalRequests => Scenarios.Sum(s => s.Requests.Requests);

    /// <summary>
    /// One result from runs of several generators (or several runs): counters add, trends merge exactly, so the
    /// merged percentiles are true percentiles of all requests, not a maximum or average of percentiles.
    /// Thresholds must be evaluated again on the merged result by the caller; per-second series are concatenated.
    /// </summary>
    public static LoadRunResult Merge(IReadOnlyList<LoadRunResult> results)
    {
        if (results.Count == 0)
            throw new ArgumentException("Nothing to merge.", nameof(results));
        var scenarios = results.SelectMany(r => r.Scenarios).GroupBy(s => s.Name).Select(g => new ScenarioResult(
            g.Key,
            OperationResult.Merge(g.Select(s => s.Requests)),
            g.SelectMany(s => s.Steps).GroupBy(s => s.Step).Select(steps => OperationResult.Merge(steps)).ToList(),
            g.Sum(s => s.Iterations), g.Sum(s => s.FailedIterations), g.Sum(s => s.InterruptedIterations), g.Sum(s => s.DroppedIterations),
            g.SelectMany(s => s.Checks).GroupBy(c => c.Name).Select(c => new CheckResult(c.Key, c.Sum(x => x.Passed), c.Sum(x => x.Failed))).ToList(),
            TrendSnapshot.Merge(g.Select(s => s.IterationDurationTrend)),
            TrendSnapshot.Merge(g.Select(s => s.ScheduleLagTrend)))).ToList();
        return new LoadRunResult(
            results.Min(r => r.StartTime), results.Max(r => r.Duration), results.Any(r => r.Aborted),
            string.Join("; ", results.Select(r => r.AbortReason).OfType<string>()) is { Length: > 0 } reasons ? reasons : null,
            results.Sum(r => r.VusMax), scenarios, [.. results.SelectMany(r => r.Intervals)], [.. results.SelectMany(r => r.Generator)], []);
    }
}

/// <summary>What the console shows each second.</summary>
public sealed record RunProgress(TimeSpan Elapsed, int Vus, long Requests, long Errors, long Dropped, double RequestsPerSecond, double LatencyP95, IReadOnlyList<IntervalSample> LastSecond);
