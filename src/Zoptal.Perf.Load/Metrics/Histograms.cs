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

    /// <summary>Records microseconds, clamped into the trackable range.</summary>
    public static void RecordMicroseconds(this Recorder recorder, long microseconds) =>
        recorder.RecordValue(Math.Clamp(microseconds, Lowest, Highest));

    /// <summary>Microseconds between two <see cref="TimeProvider"/> timestamps.</summary>
    public static long Microseconds(long fromTimestamp, long toTimestamp, long frequency) =>
        (toTimestamp - fromTimestamp) * 1_000_000 / frequency;
}

/// <summary>The percentiles reports show, in milliseconds.</summary>
public sealed record LatencySummary(
    long Count, double Mean, double StdDev, double Min, double P50, double P75, double P90, double P95, double P99,
    double P999, double P9999, double Max)
{
    /// <summary>An empty summary.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Summarizes a histogram of microseconds.</summary>
    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
            return Empty;
        static double Ms(long us) => us / 1000.0;
        double At(double p) => Ms(histogram.GetValueAtPercentile(p));
        return new LatencySummary(
            histogram.TotalCount, histogram.GetMean() / 1000.0, histogram.GetStdDeviation() / 1000.0,
            Ms(histogram.RecordedValues().First().ValueIteratedTo), At(50), At(75), At(90), At(95), At(99), At(99.9), At(99.99),
            Ms(histogram.GetMaxValue()));
    }

    /// <summary>A k6 trend aggregation: avg, min, max, med, or p(N).</summary>
    public static double Aggregate(HistogramBase histogram, string aggregation, double? percentile) => aggregation switch
    {
        _ when histogram.TotalCount == 0 => double.NaN,
        "avg" => histogram.GetMean() / 1000.0,
        "min" => histogram.RecordedValues().First().ValueIteratedTo / 1000.0,
        "max" => histogram.GetMaxValue() / 1000.0,
        "med" => histogram.GetValueAtPercentile(50) / 1000.0,
        _ => histogram.GetValueAtPercentile(percentile ?? 50) / 1000.0,
    };
}
