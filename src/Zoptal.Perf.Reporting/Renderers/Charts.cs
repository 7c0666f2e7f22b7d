using System.Globalization;
using HdrHistogram;
using ScottPlot;
using Zoptal.Perf.Load.Metrics;
using Zoptal.Perf.Reporting.History;
using Zoptal.Perf.Results;

namespace Zoptal.Perf.Reporting.Renderers;

/// <summary>
/// The report's charts as inline SVG (ScottPlot): series over time, the HDR percentile plot, current against
/// baseline, and trends. Every chart is self-contained markup: no scripts, fonts or images to fetch.
/// </summary>
public static class Charts
{
    private const int Width = 720;
    private const int Height = 300;

    /// <summary>Requests per second over time, a line per service.</summary>
    public static string RequestsPerSecond(RunSeries series, PhaseSummary phase) =>
        OverTime(series, phase, "Requests per second", "req/s", p => p.RequestsPerSecond);

    /// <summary>Error rate over time (percent of the second's requests), a line per service.</summary>
    public static string ErrorRate(RunSeries series, PhaseSummary phase) =>
        OverTime(series, phase, "Error rate", "% of requests", p => p.Requests == 0 ? 0 : 100.0 * p.Errors / p.Requests);

    /// <summary>p50, p95 and p99 latency over time for one service.</summary>
    public static string Percentiles(RunSeries series, PhaseSummary phase, string service)
    {
        var plot = NewPlot($"{service}: latency percentiles per second", "seconds", "ms");
        var points = Downsample(series.Of(phase.Name, service));
        if (points.Count > 0)
        {
            var xs = points.Select(p => p.Second).ToArray();
            Line(plot, xs, points.Select(p => p.P50).ToArray(), "p50");
            Line(plot, xs, points.Select(p => p.P95).ToArray(), "p95");
            Line(plot, xs, points.Select(p => p.P99).ToArray(), "p99");
        }

        return Svg(plot, points.Count > 0);
    }

    /// <summary>
    /// The latency distribution as HdrHistogram plots it: latency against percentile, the percentile axis logarithmic
    /// in 1/(1-p), so the tail (99 %, 99.9 %, 99.99 %) gets as much room as the median. A line per service.
    /// </summary>
    public static string PercentileDistribution(PhaseSummary phase)
    {
        var plot = NewPlot($"{phase.Name}: latency by percentile", "percentile", "ms");
        var any = false;
        foreach (var service in phase.Services.Where(s => s.LatencyHistogramPayload is not null))
        {
            var histogram = HdrLog.Decode(service.LatencyHistogramPayload!);
            if (histogram.TotalCount == 0)
                continue;
            var points = histogram.Percentiles(5).Where(v => v.Percentile < 99.9999).ToList();
            Line(plot, points.Select(v => Math.Log10(100 / (100 - v.Percentile))).ToArray(), points.Select(v => v.ValueIteratedTo / 1000.0).ToArray(), service.Name);
            any = true;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [0, 1, 2, 3, 4, 5], ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"]);
        return Svg(plot, any);
    }

    /// <summary>Current p95 and the baseline's beside it, per service (the baseline as the median of its runs).</summary>
    public static string AgainstBaseline(PhaseSummary phase, Func<string, double?> baselineP95)
    {
        var plot = NewPlot("p95 latency: this run against the baseline", null, "ms");
        var services = phase.Services.ToList();
        var current = new List<Bar>();
        var baseline = new List<Bar>();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < services.Count; i++)
        {
            current.Add(new Bar { Position = i * 3, Value = services[i].Metrics.Latency.P95, FillColor = palette.GetColor(0) });
            if (baselineP95(services[i].Name) is { } value)
                baseline.Add(new Bar { Position = i * 3 + 1, Value = value, FillColor = palette.GetColor(1) });
        }

        plot.Add.Bars(current).LegendText = "this run";
        if (baseline.Count > 0)
            plot.Add.Bars(baseline).LegendText = "baseline";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            services.Select((_, i) => i * 3 + 0.5).ToArray(), services.Select(s => s.Name).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        return Svg(plot, services.Count > 0);
    }

    /// <summary>A metric of each service over the base branch's recent runs and this one (the last point).</summary>
    public static string Trend(IReadOnlyList<HistoryEntry> runs, RunSummary current, string title, string unit, Func<MetricSet, double> metric)
    {
        var plot = NewPlot(title, "runs of the base branch, oldest first; the last point is this run", unit);
        var summaries = runs.Select(r => r.Summary).Append(current).ToList();
        var services = summaries.SelectMany(Load).Select(s => s.Name).Distinct().ToList();
        foreach (var service in services)
        {
            var points = summaries.Select((run, index) => (index, value: Load(run).FirstOrDefault(s => s.Name == service)))
                .Where(p => p.value is not null).ToList();
            Line(plot, points.Select(p => (double)p.index).ToArray(), points.Select(p => metric(p.value!.Metrics)).ToArray(), service, markers: true);
        }

        return Svg(plot, services.Count > 0);

        static IEnumerable<ServiceSummary> Load(RunSummary run) => run.Phases.Where(p => p.Name == PhaseSummary.Load).SelectMany(p => p.Services);
    }

    /// <summary>A resource metric over time, a line per watched process or container and phase.</summary>
    public static string Resources(IReadOnlyList<WatchedResource> resources, string title, string unit, Func<Zoptal.Perf.Probes.Resources.ResourceSample, double> value)
    {
        var plot = NewPlot(title, "seconds", unit);
        var any = false;
        foreach (var watched in resources.Where(r => r.Resource.Samples.Count > 0))
        {
            var samples = watched.Resource.Samples;
            Line(plot, samples.Select(s => s.Second).ToArray(), samples.Select(value).ToArray(), $"{watched.Phase} {watched.Resource.Name}");
            any = true;
        }

        return Svg(plot, any);
    }

    private static string OverTime(RunSeries series, PhaseSummary phase, string title, string unit, Func<SeriesPoint, double> value)
    {
        var plot = NewPlot($"{phase.Name}: {title.ToLowerInvariant()}", "seconds", unit);
        var any = false;
        foreach (var service in phase.Services)
        {
            var points = Downsample(series.Of(phase.Name, service.Name));
            if (points.Count == 0)
                continue;
            Line(plot, points.Select(p => p.Second).ToArray(), points.Select(value).ToArray(), service.Name);
            any = true;
        }

        return Svg(plot, any);
    }

    /// <summary>
    /// At most <see cref="MaxPoints"/> points per line (about one per pixel): an hour's 3,600 seconds become buckets of
    /// a few seconds, requests and errors summed over the bucket's length (rates stay per second), percentiles the
    /// bucket's worst, so a stall still shows at its height.
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

    private const int MaxPoints = 360;

    private static Plot NewPlot(string title, string? x, string y)
    {
        var plot = new Plot();
        plot.Title(title, size: 14);
        if (x is not null)
            plot.XLabel(x, size: 12);
        plot.YLabel(y, size: 12);
        return plot;
    }

    private static void Line(Plot plot, double[] xs, double[] ys, string label, bool markers = false)
    {
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = label;
        line.LineWidth = 1.5f;
        line.MarkerSize = markers ? 4 : 0;
    }

    private static string Svg(Plot plot, bool hasData)
    {
        if (!hasData)
            plot.Add.Annotation("no data", Alignment.MiddleCenter);
        else if (plot.GetPlottables().Count() > 1)
            plot.ShowLegend(Alignment.UpperRight);
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>A number as the report prints it.</summary>
    public static string Format(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
}
