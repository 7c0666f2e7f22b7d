using Zoptal.Perf.Core.Thresholds;
using Zoptal.Perf.Load.Metrics;

namespace Zoptal.Perf.Load.Thresholds;

/// <summary>A threshold's verdict: the aggregated value, whether it passed, whether there was data at all.</summary>
public sealed record ThresholdResult(ThresholdDefinition Definition, double Actual, bool Passed, bool NoData)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{(Passed ? "✓" : "✗")} {Definition.Selector}: {Definition.Expression.Text} (actual {(NoData ? "no data" : Actual.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture))})";
}

/// <summary>The vus gauge as sampled once a second: its last sample (k6's <c>value</c>) and its highest.</summary>
public readonly record struct VuGauge(int Last, int Max);

/// <summary>Evaluates k6 thresholds against a run's metrics (cumulative so far), as k6 does every 2 s and at the end.</summary>
public sealed class ThresholdEvaluator(IReadOnlyDictionary<string, ScenarioMetrics> metrics, string? service)
{
    /// <summary>Evaluates one threshold; a metric with no samples passes and says so (as k6).</summary>
    public ThresholdResult Evaluate(ThresholdDefinition threshold, TimeSpan elapsed, VuGauge vus, int vusMax)
    {
        var value = Aggregate(threshold.Selector, threshold.Expression, elapsed, vus, vusMax);
        return double.IsNaN(value)
            ? new ThresholdResult(threshold, double.NaN, true, true)
            : new ThresholdResult(threshold, value, threshold.Expression.IsSatisfiedBy(value), false);
    }

    private double Aggregate(MetricSelector selector, ThresholdExpression expression, TimeSpan elapsed, VuGauge vus, int vusMax)
    {
        if (selector.Tags.TryGetValue("service", out var wanted) && wanted != service)
            return double.NaN;
        var scenarios = selector.Tags.TryGetValue("scenario", out var scenario)
            ? metrics.Values.Where(m => m.Name == scenario).ToList()
            : metrics.Values.ToList();
        selector.Tags.TryGetValue("step", out var step);
        var operations = scenarios
            .Select(s => step is null ? s.Requests : s.Steps.GetValueOrDefault(step))
            .OfType<OperationMetrics>()
            .ToList();
        double Rate(long count) => elapsed > TimeSpan.Zero ? count / elapsed.TotalSeconds : double.NaN;
        double Counter(long count) => expression.Aggregation == "rate" ? Rate(count) : count;
        return selector.Metric switch
        {
            "http_req_duration" or "service_time" => Trend(operations.Select(o => o.ServiceTime), expression),
            "latency" => Trend(operations.Select(o => o.Latency), expression),
            "latency_corrected" => Trend(operations.Select(o => o.LatencyCorrected), expression),
            "iteration_duration" => Trend(scenarios.Select(s => s.IterationDuration), expression),
            "schedule_lag" => Trend(scenarios.Select(s => s.ScheduleLag), expression),
            "http_req_failed" => Fraction(operations.Sum(o => o.Failed), operations.Sum(o => o.Requests)),
            "checks" => Fraction(scenarios.Sum(s => s.Checks.Values.Sum(c => c.Passed)), scenarios.Sum(s => s.Checks.Values.Sum(c => c.Passed + c.Failed))),
            "http_reqs" => Counter(operations.Sum(o => o.Requests)),
            "iterations" => Counter(scenarios.Sum(s => s.Iterations)),
            "dropped_iterations" => Counter(scenarios.Sum(s => s.DroppedIterations)),
            "data_sent" => Counter(operations.Sum(o => o.BytesSent)),
            "data_received" => Counter(operations.Sum(o => o.BytesReceived)),
            "vus" => expression.Aggregation == "max" ? vus.Max : vus.Last,
            "vus_max" => vusMax,
            _ => double.NaN,
        };
    }

    private static double Fraction(long part, long whole) => whole == 0 ? double.NaN : (double)part / whole;

    private static double Trend(IEnumerable<TrendRecorder> trends, ThresholdExpression expression) =>
        LatencySummary.Aggregate(TrendSnapshot.Merge(trends.Select(t => t.Snapshot())), expression.Aggregation, expression.Percentile);
}
