using HdrHistogram;
using Zoptal.Perf.Core;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Results;

/// <summary>
/// Merges the summaries of one test run by several generators at once (shards) into the summary of the whole test,
/// exactly: counts add up; latency percentiles come from the sum of the shards' HDR histograms (bucket counts add
/// without loss, so the merged p99 is the p99 of all requests, not an average of p99s); means, minimums, maximums and
/// standard deviations are pooled from the shards' own; requests per second add up (the shards ran at the same time).
/// A shard without histograms, or shaped differently (another config, other phases, services or scenarios), cannot be
/// merged exactly and is refused. Grades are made anew from the merged numbers with <c>grade</c>; a k6 threshold counts
/// as failed when it failed in any shard (a percentile or rate bound that holds in every shard holds in their union).
/// </summary>
public static class RunMerge
{
    /// <summary>Grades a merged metric set: the service, the scenario (null for the service's own), the metrics.</summary>
    public delegate IReadOnlyList<GradedMetric> Grader(string phase, string service, string? scenario, MetricSet metrics);

    public static RunSummary Merge(IReadOnlyList<RunSummary> shards, string runId, Grader grade)
    {
        if (shards.Count == 0)
            throw new ArgumentException("Nothing to merge.", nameof(shards));
        var first = shards[0];
        foreach (var shard in shards.Skip(1))
        {
            if (shard.ConfigDigest != first.ConfigDigest)
                throw new RunFailedException($"Run {shard.RunId} was made with another config ({shard.ConfigDigest}) than {first.RunId} ({first.ConfigDigest}): shards of one test share their config.");
            Same(shard, first, shard.Phases.Select(p => p.Name), first.Phases.Select(p => p.Name), "phases");
        }

        return first with
        {
            RunId = runId,
            StartedAt = shards.Min(s => s.StartedAt),
            FinishedAt = shards.Max(s => s.FinishedAt),
            Aborted = shards.Any(s => s.Aborted),
            AbortReason = shards.Select(s => s.AbortReason).FirstOrDefault(r => r is not null),
            Phases = [.. first.Phases.Select(p => Phase(shards, p.Name, grade))],
            Resources = [.. shards.SelectMany(s => s.Resources)],
            Database = shards.Select(s => s.Database).FirstOrDefault(d => d is not null),
            Generator = shards.Any(s => s.Generator is not null) ? Generator(shards.Select(s => s.Generator).OfType<GeneratorSummary>().ToList()) : null,
        };
    }

    /// <summary>The exact sum of metric sets measured at the same time by different generators.</summary>
    public static MetricSet Metrics(IReadOnlyList<MetricSet> parts, string what)
    {
        var histograms = parts.Select(p => p.Histograms ?? throw new RunFailedException($"{what} has no histograms (a run from before they were kept): it cannot be merged exactly.")).ToList();
        // Each kind's histograms summed once: the percentiles come from it, and it is kept for later merges.
        var latency = HdrLog.Merge(histograms.Select(h => HdrLog.Decode(h.Latency)));
        var corrected = HdrLog.Merge(histograms.Select(h => HdrLog.Decode(h.LatencyCorrected)));
        var serviceTime = HdrLog.Merge(histograms.Select(h => HdrLog.Decode(h.ServiceTime)));
        var requests = parts.Sum(p => p.Requests);
        var failed = parts.Sum(p => p.Failed);
        return new MetricSet(
            requests,
            failed,
            parts.SelectMany(p => p.Failures).GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.Sum(f => f.Value)),
            parts.Sum(p => p.RequestsPerSecond),
            requests > 0 ? 100.0 * failed / requests : 0,
            parts.Sum(p => p.BytesSent),
            parts.Sum(p => p.BytesReceived),
            Latency([.. parts.Select(p => p.Latency)], latency),
            Latency([.. parts.Select(p => p.ServiceTime)], serviceTime))
        {
            LatencyCorrected = Latency([.. parts.Select(p => p.LatencyCorrected ?? p.Latency)], corrected),
            Histograms = new MetricHistograms(HdrLog.Encode(latency), HdrLog.Encode(corrected), HdrLog.Encode(serviceTime)),
            Retries = parts.Sum(p => p.Retries),
            DroppedIterations = parts.Sum(p => p.DroppedIterations),
            PlannedIterations = parts.Sum(p => p.PlannedIterations),
        };
    }

    // Percentiles from the summed histogram; count, mean, deviation, minimum and maximum pooled from the parts' exact ones.
    private static LatencySummary Latency(IReadOnlyList<LatencySummary> parts, HistogramBase merged)
    {
        var count = parts.Sum(p => p.Count);
        if (count == 0)
            return LatencySummary.Empty;
        var mean = parts.Sum(p => p.Count * p.Mean) / count;
        var variance = parts.Sum(p => p.Count * ((p.StdDev * p.StdDev) + (p.Mean * p.Mean))) / count - (mean * mean);
        double At(double percentile) => Histograms.ValueAtPercentile(merged, percentile) / 1000.0;
        var withData = parts.Where(p => p.Count > 0).ToList();
        return new LatencySummary(count, mean, Math.Sqrt(Math.Max(0, variance)), withData.Min(p => p.Min), At(50), At(75), At(90), At(95), At(99), At(99.9), At(99.99),
            withData.Max(p => p.Max));
    }

    private static PhaseSummary Phase(IReadOnlyList<RunSummary> shards, string name, Grader grade)
    {
        var phases = shards.Select(s => s.Phases.Single(p => p.Name == name)).ToList();
        var first = phases[0];
        foreach (var (phase, shard) in phases.Zip(shards).Skip(1))
            Same(shard, shards[0], phase.Services.Select(s => s.Name), first.Services.Select(s => s.Name), $"services in the {name} phase");
        return first with
        {
            Vus = phases.Sum(p => p.Vus),
            DurationSeconds = phases.Max(p => p.DurationSeconds),
            Services = [.. first.Services.Select(s => Service(shards, name, phases.Select(p => p.Services.Single(x => x.Name == s.Name)).ToList(), grade))],
        };
    }

    private static ServiceSummary Service(IReadOnlyList<RunSummary> shards, string phase, IReadOnlyList<ServiceSummary> parts, Grader grade)
    {
        var first = parts[0];
        foreach (var (part, shard) in parts.Zip(shards).Skip(1))
            Same(shard, shards[0], part.Scenarios.Select(s => s.Name), first.Scenarios.Select(s => s.Name), $"scenarios of {phase} {first.Name}");
        var metrics = Metrics([.. parts.Select(p => p.Metrics)], $"{phase} {first.Name}");
        return first with
        {
            Aborted = parts.Any(p => p.Aborted),
            AbortReason = parts.Select(p => p.AbortReason).FirstOrDefault(r => r is not null),
            DurationSeconds = parts.Max(p => p.DurationSeconds),
            Metrics = metrics,
            Grades = grade(phase, first.Name, null, metrics),
            Thresholds = [.. parts.SelectMany(p => p.Thresholds).GroupBy(t => (t.Metric, t.Expression))
                .Select(g => new ThresholdOutcome(g.Key.Metric, g.Key.Expression, g.All(t => t.Passed), g.Max(t => t.Actual)))],
            Scenarios = [.. first.Scenarios.Select(s => Scenario(phase, first.Name, parts.Select(p => p.Scenarios.Single(x => x.Name == s.Name)).ToList(), grade))],
            LatencyHistogram = null,
        };
    }

    private static ScenarioSummary Scenario(string phase, string service, IReadOnlyList<ScenarioSummary> parts, Grader grade)
    {
        var first = parts[0];
        var metrics = Metrics([.. parts.Select(p => p.Metrics)], $"{phase} {service}/{first.Name}");
        return first with
        {
            Iterations = parts.Sum(p => p.Iterations),
            FailedIterations = parts.Sum(p => p.FailedIterations),
            InterruptedIterations = parts.Sum(p => p.InterruptedIterations),
            DroppedIterations = parts.Sum(p => p.DroppedIterations),
            Metrics = metrics,
            Grades = grade(phase, service, first.Name, metrics),
            Checks = [.. parts.SelectMany(p => p.Checks).GroupBy(c => c.Name).Select(g => new CheckResult(g.Key, g.Sum(c => c.Passed), g.Sum(c => c.Failed)))],
            Steps = [.. parts.SelectMany(p => p.Steps).GroupBy(s => s.Name)
                .Select(g => new StepSummary(g.Key, Metrics([.. g.Select(s => s.Metrics)], $"{phase} {service}/{first.Name} step {g.Key}")))],
            LatencyHistogram = null,
        };
    }

    private static GeneratorSummary Generator(IReadOnlyList<GeneratorSummary> parts) =>
        new(parts.Max(g => g.CpuMaxPercent), parts.Average(g => g.CpuMeanPercent), parts.Max(g => g.ResidentMaxBytes), parts.Any(g => g.Bottleneck), [.. parts.SelectMany(g => g.Samples)]);

    private static void Same(RunSummary shard, RunSummary first, IEnumerable<string> names, IEnumerable<string> expected, string what)
    {
        if (!names.SequenceEqual(expected))
            throw new RunFailedException($"Run {shard.RunId} has other {what} ({string.Join(", ", names)}) than {first.RunId} ({string.Join(", ", expected)}): shards of one test run the same plan.");
    }
}
