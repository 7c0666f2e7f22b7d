using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>HdrHistograms as the engine uses them: microseconds from 1 µs to 1 hour, 3 significant digits.</summary>
public static class Histograms
{
    /// <summary>Lowest trackable value: 1 µs.</summary>
    public const long Lowest = 1;

    /// <summary>Highest trackable value: 1 hour in µs; larger values are clamped to it.</summary>
    public const long Highest = 3_600_000_000;

    /// <summary>Significant digits.</summary>
    public const int Digits = 3;

    /// <summary>A histogram for cumulative (single-writer) use.</summary>
    public static HistogramBase Create() => new LongHistogram(Lowest, Highest, Digits);

    /// <summary>A recorder whose writes are thread-safe and wait-free, read out as interval histograms.</summary>
    public static Recorder CreateRecorder() =>
        new(Lowest, Highest, Digits, (id, low, high, digits) => new LongConcurrentHistogram(id, low, high, digits));

    /// <summary>
    /// The value at a percentile as Java's HdrHistogram (and its JavaScript and Python ports) computes it: the highest
    /// equivalent value of the entry where the running count reaches ceil(p/100 · n). HdrHistogram.NET rounds that
    /// count half up instead, so its p99 of the same histogram can land a whole rank lower than every other reader's.
    /// </summary>
    public static long ValueAtPercentile(HistogramBase histogram, double percentile)
    {
        if (histogram.TotalCount == 0)
            return 0;
        var requested = Math.Clamp(Math.BitDecrement(percentile), 0, 100);
        var countAt = Math.Max(1, (long)Math.Ceiling(requested / 100 * histogram.TotalCount));
        long total = 0;
        foreach (var value in histogram.RecordedValues())
        {
            total += value.CountAtValueIteratedTo;
            if (total >= countAt)
                return value.ValueIteratedTo;
        }

        return histogram.GetMaxValue();
    }

    /// <summary>Microseconds between two <see cref="TimeProvider"/> timestamps.</summary>
    public static long Microseconds(long fromTimestamp, long toTimestamp, long frequency) =>
        (toTimestamp - fromTimestamp) * 1_000_000 / frequency;
}

/// <summary>
/// The statistics reports show, in milliseconds. While a trend has at most 10,000 values they are k6's exactly
/// (mean, min and max always are): percentiles interpolate linearly between the sorted values at rank p·(n−1), as
/// k6's TrendSink does; beyond that they are HdrHistogram's value at the percentile (within 0.1 %).
/// </summary>
public sealed record LatencySummary(
    long Count, double Mean, double StdDev, double Min, double P50, double P75, double P90, double P95, double P99,
    double P999, double P9999, double Max)
{
    /// <summary>An empty summary.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes a trend of microseconds.</summary>
    public static LatencySummary From(TrendSnapshot trend)
    {
        if (trend.Count == 0)
            return Empty;
        double At(double p) => trend.Percentile(p) / 1000.0;
        return new LatencySummary(
            trend.Count, trend.Mean / 1000.0, trend.StdDev / 1000.0, trend.Min / 1000.0, At(50), At(75), At(90), At(95), At(99), At(99.9), At(99.99),
            trend.Max / 1000.0);
    }

    /// <summary>Summarizes a histogram of microseconds (HDR percentiles throughout).</summary>
    public static LatencySummary From(HistogramBase histogram) => From(TrendSnapshot.FromHistogram(histogram));

    /// <summary>A k6 trend aggregation in milliseconds: avg, min, max, med, or p(N); NaN without data.</summary>
    public static double Aggregate(TrendSnapshot trend, string aggregation, double? percentile) => aggregation switch
    {
        _ when trend.Count == 0 => double.NaN,
        "avg" => trend.Mean / 1000.0,
        "min" => trend.Min / 1000.0,
        "max" => trend.Max / 1000.0,
        "med" => trend.Percentile(50) / 1000.0,
        _ => trend.Percentile(percentile ?? 50) / 1000.0,
    };
}
