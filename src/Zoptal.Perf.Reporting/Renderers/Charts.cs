using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Reporting.Regression;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>One line (or bar series) of a chart: its label and its points.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double?> Y);

/// <summary>What a chart's selector offers: a service, or one of its scenarios, with its series.</summary>
public sealed record ChartVariant(string Label, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// A chart as the shared chart code (<c>Web/zoptal-charts.js</c>, uPlot) draws it: <c>lines</c> over seconds,
/// <c>percentiles</c> on HdrHistogram's 1/(1-p) axis, <c>bars</c> and <c>trend</c> over named categories.
/// <see cref="Clip"/> lets a spike far above the rest be cut off the y axis, with a note and a button.
/// </summary>
public sealed record ChartSpec(string Kind, string Title, string XLabel, string YLabel, string Unit, IReadOnlyList<ChartVariant> Variants)
{
    public bool Clip { get; init; }

    /// <summary>The x axis' names for <c>bars</c> and <c>trend</c> (services, runs), by index.</summary>
    public IReadOnlyList<string>? Categories { get; init; }

    /// <summary>Whether any series has a point.</summary>
    [JsonIgnore]
    public bool HasData => Variants.Any(v => v.Series.Any(s => s.Y.Any(y => y is not null)));

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// The charts of a page as one JSON object by id, safe inside a <c>&lt;script type="application/json"&gt;</c>: the
    /// default encoder writes &lt;, &gt;, &amp; and quotes as \u escapes, so no name can close the element.
    /// </summary>
    public static string Serialize(IReadOnlyDictionary<string, ChartSpec> charts) => JsonSerializer.Serialize(charts, Json);
}

/// <summary>
/// The report's charts as data for the shared chart code: series over time, the HDR percentile distribution,
/// this run against the baseline on the verdict's statistic, trends over the base branch's runs, and resources.
/// </summary>
public static class Charts
{
    /// <summary>Requests per second over time, a line per service.</summary>
    public static ChartSpec RequestsPerSecond(RunSeries series, PhaseSummary phase) =>
        OverTime(series, phase, "requests per second", "req/s", p => p.RequestsPerSecond, clip: false);

    /// <summary>Error rate over time (percent of the second's requests), a line per service.</summary>
    public static ChartSpec ErrorRate(RunSeries series, PhaseSummary phase) =>
        OverTime(series, phase, "error rate", "%", p => p.Requests == 0 ? 0 : 100.0 * p.Errors / p.Requests, clip: false);

    /// <summary>p50, p95 and p99 latency over time for one service, and for each of its scenarios (the chart's selector).</summary>
    public static ChartSpec Percentiles(RunSeries series, PhaseSummary phase, ServiceSummary service)
    {
        var variants = new List<ChartVariant> { Variant(service.Name, series.Of(phase.Name, service.Name)) };
        variants.AddRange(service.Scenarios.Select(s => Variant($"{service.Name}/{s.Name}", series.Of(phase.Name, service.Name, s.Name))));
        return new ChartSpec("lines", $"{service.Name}: latency percentiles per second", "seconds", "ms", "ms", variants) { Clip = true };

        static ChartVariant Variant(string label, IReadOnlyList<SeriesPoint> points)
        {
            var sampled = Downsample(points);
            var xs = sampled.Select(p => p.Second).ToArray();
            return new ChartVariant(label,
            [
                new ChartSeries("p50", xs, [.. sampled.Select(p => Value(p, p.P50))]),
                new ChartSeries("p95", xs, [.. sampled.Select(p => Value(p, p.P95))]),
                new ChartSeries("p99", xs, [.. sampled.Select(p => Value(p, p.P99))]),
            ]);
        }
    }

    /// <summary>
    /// The latency distribution as HdrHistogram plots it: latency against percentile, the percentile axis logarithmic
    /// in 1/(1-p), so the tail (99 %, 99.9 %, 99.99 %) gets as much room as the median. A line per service.
    /// </summary>
    public static ChartSpec PercentileDistribution(PhaseSummary phase)
    {
        var series = new List<ChartSeries>();
        foreach (var service in phase.Services.Where(s => s.LatencyHistogramPayload is not null))
        {
            var histogram = HdrLog.Decode(service.LatencyHistogramPayload!);
            if (histogram.TotalCount == 0)
                continue;
            // The iteration hands out one mutable value object: copy each step's numbers before the next.
            var points = histogram.Percentiles(5).Select(v => (v.Percentile, Ms: v.ValueIteratedTo / 1000.0)).Where(v => v.Percentile < 99.9999).ToList();
            series.Add(new ChartSeries(service.Name, [.. points.Select(p => Math.Log10(100 / (100 - p.Percentile)))], [.. points.Select(p => (double?)p.Ms)]));
        }

        return new ChartSpec("percentiles", $"{phase.Name}: latency by percentile", "percentile", "ms (log)", "ms", [new ChartVariant("all services", series)]);
    }

    /// <summary>
    /// Per service, this run's median per-second p95 beside the baseline's: the statistic the regression verdict used,
    /// not the whole runs' p95.
    /// </summary>
    public static ChartSpec AgainstBaseline(PhaseSummary phase, IReadOnlyList<RegressionResult> regressions)
    {
        // The phase's services in order, each with its service-level verdict; services without one are left out.
        var results = phase.Services.Select(s => regressions.FirstOrDefault(r => r.Service == s.Name && r.Scenario is null)).OfType<RegressionResult>().ToList();
        var services = results.Select(r => r.Service).ToList();
        var xs = Enumerable.Range(0, results.Count).Select(i => (double)i).ToArray();
        return new ChartSpec("bars", "p95 per second, median: this run against the baseline", "service", "ms", "ms",
            [new ChartVariant("services",
            [
                new ChartSeries("this run", xs, [.. results.Select(r => Finite(r.CurrentMedian))]),
                new ChartSeries("baseline", xs, [.. results.Select(r => Finite(r.BaselineMedian))]),
            ])])
        { Categories = services };
    }

    /// <summary>A metric of each service over the base branch's recent runs and this one (the last), each run named by its commit and date.</summary>
    public static ChartSpec Trend(IReadOnlyList<HistoryEntry> runs, RunSummary current, string title, string unit, Func<MetricSet, double> metric)
    {
        var summaries = runs.Select(r => r.Summary).Append(current).ToList();
        var labels = summaries.Select((run, i) => RunLabel(run, i == summaries.Count - 1)).ToList();
        var services = summaries.SelectMany(Load).Select(s => s.Name).Distinct().ToList();
        var series = services.Select(service =>
        {
            var points = summaries.Select((run, index) => (index, value: Load(run).FirstOrDefault(s => s.Name == service))).Where(p => p.value is not null).ToList();
            return new ChartSeries(service, [.. points.Select(p => (double)p.index)], [.. points.Select(p => Finite(metric(p.value!.Metrics)))]);
        }).ToList();
        return new ChartSpec("trend", title, "runs of the base branch, oldest first; the last is this run", unit, unit, [new ChartVariant("services", series)]) { Categories = labels };

        static IEnumerable<ServiceSummary> Load(RunSummary run) => run.Phases.Where(p => p.Name == PhaseSummary.Load).SelectMany(p => p.Services);
    }

    /// <summary><c>a1b2c3d</c> over <c>12-05 10:00</c>: a run on the trend axis, in two lines; <c>this run</c> over its commit for the last.</summary>
    public static string RunLabel(RunSummary run, bool current)
    {
        var commit = run.Git.Commit is { Length: >= 7 } c ? c[..7] : run.RunId;
        var when = run.StartedAt.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);
        return current ? $"this run\n{commit}" : $"{commit}\n{when}";
    }

    /// <summary>A resource metric over time, a line per watched process or container and phase.</summary>
    public static ChartSpec Resources(IReadOnlyList<WatchedResource> resources, string title, string unit, Func<Zoptal.Perf.Probes.Resources.ResourceSample, double> value) =>
        new("lines", title, "seconds", unit, unit,
            [new ChartVariant("resources", [.. resources.Where(r => r.Resource.Samples.Count > 0).Select(watched => new ChartSeries(
                $"{watched.Phase} {watched.Resource.Name}", [.. watched.Resource.Samples.Select(s => s.Second)], [.. watched.Resource.Samples.Select(s => Finite(value(s)))]))])]);

    private static ChartSpec OverTime(RunSeries series, PhaseSummary phase, string title, string unit, Func<SeriesPoint, double> value, bool clip)
    {
        var lines = phase.Services.Select(service => Downsample(series.Of(phase.Name, service.Name)) is { Count: > 0 } points
                ? new ChartSeries(service.Name, [.. points.Select(p => p.Second)], [.. points.Select(p => Finite(value(p)))])
                : null)
            .OfType<ChartSeries>().ToList();
        return new ChartSpec("lines", $"{phase.Name}: {title}", "seconds", unit, unit, [new ChartVariant("all services", lines)]) { Clip = clip };
    }

    // A second without requests has no latency: a gap in the line, not a fall to 0 ms.
    private static double? Value(SeriesPoint point, double latency) => point.Requests == 0 ? null : Finite(latency);

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 3) : null;

    /// <summary>
    /// At most <see cref="MaxPoints"/> points per line: an hour's 3,600 seconds become buckets of a few seconds,
    /// requests and errors summed over the bucket's length (rates stay per second), percentiles the bucket's worst, so a
    /// stall still shows at its height.
    /// </summary>
    internal static IReadOnlyList<SeriesPoint> Downsample(IReadOnlyList<SeriesPoint> points)
    {
        if (points.Count <= MaxPoints)
            return points;
        var size = (points.Count + MaxPoints - 1) / MaxPoints;
        var result = new List<SeriesPoint>(MaxPoints);
        for (var start = 0; start < points.Count; start += size)
        {
            var end = Math.Min(points.Count, start + size);
            long requests = 0, errors = 0;
            double p50 = 0, p95 = 0, p99 = 0, length = 0;
            for (var i = start; i < end; i++)
            {
                requests += points[i].Requests;
                errors += points[i].Errors;
                length += points[i].Interval;
                p50 = Math.Max(p50, points[i].P50);
                p95 = Math.Max(p95, points[i].P95);
                p99 = Math.Max(p99, points[i].P99);
            }

            result.Add(new SeriesPoint(points[end - 1].Second, requests, errors, p50, p95, p99, length));
        }

        return result;
    }

    private const int MaxPoints = 720;

    /// <summary>A number as the report prints it.</summary>
    public static string Format(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
}
