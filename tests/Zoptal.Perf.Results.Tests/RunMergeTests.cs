using Zoptal.Perf.Core;
using Zoptal.Perf.Load;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Results.Tests;

/// <summary>Shards of one test merge into the numbers one generator would have measured for all their requests.</summary>
public sealed class RunMergeTests
{
    private static readonly RunMerge.Grader NoGrades = (_, _, _, _) => [];

    [Fact]
    public void Merged_percentiles_are_those_of_all_requests_and_counts_means_and_extremes_add_up_exactly()
    {
        var random = new Random(7);
        // Two generators that saw different latencies: one fast, one with a slow tail.
        var fast = Enumerable.Range(0, 4000).Select(_ => (long)random.Next(2_000, 20_000)).ToList();
        var slow = Enumerable.Range(0, 1000).Select(_ => (long)random.Next(10_000, 900_000)).ToList();
        var merged = RunMerge.Merge([Shard("a", fast, failed: 3), Shard("b", slow, failed: 7)], "merged", NoGrades);

        var metrics = merged.Phases[0].Services[0].Metrics;
        var all = Histograms.Create();
        foreach (var value in fast.Concat(slow))
            all.RecordValue(value);
        Assert.Equal(5000, metrics.Requests);
        Assert.Equal(10, metrics.Failed);
        Assert.Equal(0.2, metrics.ErrorRatePercent, 6);
        Assert.Equal(5000, metrics.Latency.Count);
        Assert.Equal(Histograms.ValueAtPercentile(all, 99) / 1000.0, metrics.Latency.P99);
        Assert.Equal(Histograms.ValueAtPercentile(all, 50) / 1000.0, metrics.Latency.P50);
        Assert.Equal(fast.Concat(slow).Average() / 1000.0, metrics.Latency.Mean, 6);
        Assert.Equal(PopulationStdDev(fast.Concat(slow)) / 1000.0, metrics.Latency.StdDev, 6);
        Assert.Equal(fast.Concat(slow).Max() / 1000.0, metrics.Latency.Max);
        Assert.Equal(fast.Concat(slow).Min() / 1000.0, metrics.Latency.Min);
        // An average of the shards' p99s would be far from the truth: the slow shard holds a fifth of the requests.
        Assert.NotEqual((Histograms.ValueAtPercentile(Histogram(fast), 99) + Histograms.ValueAtPercentile(Histogram(slow), 99)) / 2000.0, metrics.Latency.P99);
        Assert.Equal(5000, HdrLog.Decode(metrics.Histograms!.Latency).TotalCount);
        Assert.Equal(2 * 50.0, metrics.RequestsPerSecond);
        Assert.Equal(20, merged.Phases[0].Vus);
        Assert.Equal(5000, merged.Phases[0].Services[0].Scenarios[0].Metrics.Requests);
        Assert.Equal(new CheckResult("status is 200", 4990, 10), merged.Phases[0].Services[0].Scenarios[0].Checks[0]);
    }

    [Fact]
    public void Grades_are_made_anew_and_a_threshold_fails_when_it_failed_in_any_shard()
    {
        var a = Shard("a", [1_000], failed: 0);
        var b = Shard("b", [2_000], failed: 0);
        b = b with { Phases = [b.Phases[0] with { Services = [b.Phases[0].Services[0] with { Thresholds = [new ThresholdOutcome("http_req_duration", "p(95)<1", false, 2)] }] }] };
        a = a with { Phases = [a.Phases[0] with { Services = [a.Phases[0].Services[0] with { Thresholds = [new ThresholdOutcome("http_req_duration", "p(95)<1", true, 1)] }] }] };
        var merged = RunMerge.Merge([a, b], "m", (phase, service, scenario, m) => [new GradedMetric("requests", m.Requests, Core.Configuration.Grade.Good)]);
        var service = merged.Phases[0].Services[0];
        Assert.Equal(2, Assert.Single(service.Grades).Value);
        var threshold = Assert.Single(service.Thresholds);
        Assert.False(threshold.Passed);
        Assert.Equal(2, threshold.Actual);
    }

    [Fact]
    public void Shards_of_other_plans_or_without_histograms_are_refused()
    {
        var a = Shard("a", [1_000], 0);
        var other = a with { RunId = "c", ConfigDigest = "sha256:other" };
        Assert.Contains("another config", Assert.Throws<RunFailedException>(() => RunMerge.Merge([a, other], "m", NoGrades)).Message);
        var renamed = a with { RunId = "d", Phases = [a.Phases[0] with { Services = [a.Phases[0].Services[0] with { Name = "billing" }] }] };
        Assert.Contains("other services", Assert.Throws<RunFailedException>(() => RunMerge.Merge([a, renamed], "m", NoGrades)).Message);
        var old = a with { RunId = "e", Phases = [a.Phases[0] with { Services = [a.Phases[0].Services[0] with { Metrics = a.Phases[0].Services[0].Metrics with { Histograms = null } }] }] };
        Assert.Contains("cannot be merged exactly", Assert.Throws<RunFailedException>(() => RunMerge.Merge([a, old], "m", NoGrades)).Message);
    }

    private static RunSummary Shard(string id, IReadOnlyList<long> microseconds, long failed)
    {
        var metrics = Metrics(microseconds, failed);
        return new RunSummary
        {
            RunId = id,
            Target = "LoadTest",
            StartedAt = DateTimeOffset.UnixEpoch,
            ConfigFile = "perf-config.yml",
            ConfigDigest = "sha256:same",
            Phases = [new PhaseSummary(PhaseSummary.Load, "constant-vus", 10, 60, [new ServiceSummary("auth", "http://127.0.0.1:1/", false, false, null, 60, metrics, [], [],
                [new ScenarioSummary("login", microseconds.Count, failed, 0, 0, metrics, [], [new CheckResult("status is 200", microseconds.Count - failed, failed)], [])])])],
        };
    }

    // A shard's metric set as the engine summarizes it: exact mean, deviation and extremes; HDR percentiles; the histograms.
    private static MetricSet Metrics(IReadOnlyList<long> microseconds, long failed)
    {
        var histogram = Histogram(microseconds);
        var latency = LatencySummary.From(histogram) with
        {
            Mean = microseconds.Average() / 1000.0,
            StdDev = PopulationStdDev(microseconds) / 1000.0,
            Min = microseconds.Min() / 1000.0,
            Max = microseconds.Max() / 1000.0,
        };
        var payload = HdrLog.Encode(histogram);
        return MetricSet.Empty with
        {
            Requests = microseconds.Count,
            Failed = failed,
            ErrorRatePercent = 100.0 * failed / microseconds.Count,
            RequestsPerSecond = 50,
            Latency = latency,
            ServiceTime = latency,
            LatencyCorrected = latency,
            Histograms = new MetricHistograms(payload, payload, payload),
        };
    }

    private static HdrHistogram.HistogramBase Histogram(IEnumerable<long> values)
    {
        var histogram = Histograms.Create();
        foreach (var value in values)
            histogram.RecordValue(value);
        return histogram;
    }

    private static double PopulationStdDev(IEnumerable<long> values)
    {
        var list = values.Select(v => (double)v).ToList();
        var mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / list.Count);
    }
}
