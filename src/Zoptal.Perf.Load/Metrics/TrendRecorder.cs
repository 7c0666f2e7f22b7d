using HdrHistogram;

namespace Zoptal.Perf.Load.Metrics;

/// <summary>
/// A trend metric (a duration per sample) as the engine records it: lock-free from any thread into an HDR recorder
/// that the once-a-second collector swaps out, plus what k6's TrendSink keeps exactly: count, sum, min, max and,
/// up to <see cref="RawCapacity"/> samples, the values themselves, so percentiles of small runs are k6's
/// (sorted values, linear interpolation at p·(n−1)) instead of HDR's bucket tops.
/// </summary>
public sealed class TrendRecorder
{
    /// <summary>How many values are kept raw; beyond it percentiles come from the HDR histogram (0.1 % precision).</summary>
    public const int RawCapacity = 10_000;

    // Above this many synthetic values per corrected sample they are recorded in groups, so one stalled request on a
    // fast VU costs at most this many records (each group lands within 0.1 % of its values, HDR's own precision).
    private const long MaxCorrectionRecords = 1_000;

    private readonly Recorder _recorder = Histograms.CreateRecorder();
    private HistogramBase? _interval;
    private long[]? _raw; // value + 1 per slot: 0 means claimed but not written yet
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    /// <summary>Everything collected so far (read only by the collector's thread, or after the run).</summary>
    public HistogramBase Total { get; } = Histograms.Create();

    /// <summary>Samples recorded so far (exact).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records microseconds, clamped into the trackable range.</summary>
    public void Record(long microseconds) => Record(microseconds, 1);

    /// <summary>Records one value <paramref name="count"/> times.</summary>
    public void Record(long microseconds, long count)
    {
        var value = Math.Clamp(microseconds, Histograms.Lowest, Histograms.Highest);
        if (count == 1)
            _recorder.RecordValue(value);
        else
            _recorder.RecordValueWithCount(value, count);
        var first = Interlocked.Add(ref _count, count) - count;
        Interlocked.Add(ref _sum, value * count);
        UpdateMin(value);
        UpdateMax(value);
        if (first >= RawCapacity)
            return;
        var raw = _raw ?? Interlocked.CompareExchange(ref _raw, new long[RawCapacity], null) ?? _raw!;
        for (var i = first; i < Math.Min(first + count, RawCapacity); i++)
            Volatile.Write(ref raw[i], value + 1);
    }

    /// <summary>
    /// HdrHistogram's <c>recordValueWithExpectedInterval</c>: the value, and when it is longer than the interval at
    /// which this source normally produces samples, the samples a stall kept from being taken (value − interval,
    /// value − 2·interval, … down to the interval), which a closed-loop sender could not send while it waited.
    /// </summary>
    public void RecordCorrected(long microseconds, long expectedIntervalMicroseconds)
    {
        Record(microseconds);
        if (expectedIntervalMicroseconds <= 0 || microseconds <= expectedIntervalMicroseconds)
            return;
        var missing = (microseconds - expectedIntervalMicroseconds) / expectedIntervalMicroseconds;
        var group = Math.Max(1, (missing + MaxCorrectionRecords - 1) / MaxCorrectionRecords);
        for (var k = 1L; k <= missing; k += group)
        {
            var n = Math.Min(group, missing - k + 1);
            // The group's middle value stands for its n values.
            Record(microseconds - (k + (n - 1) / 2) * expectedIntervalMicroseconds, n);
        }
    }

    /// <summary>Takes the interval's histogram and adds it to the total (valid until the next collection).</summary>
    public HistogramBase Collect()
    {
        _interval = _recorder.GetIntervalHistogram(_interval);
        Total.Add(_interval);
        return _interval;
    }

    /// <summary>The collected total with the exact statistics, as a summary or a threshold reads it.</summary>
    public TrendSnapshot Snapshot()
    {
        var count = Interlocked.Read(ref _count);
        long[]? values = null;
        if (count <= RawCapacity && _raw is { } raw)
        {
            values = new long[count];
            var n = 0;
            for (var i = 0; i < count; i++)
            {
                var v = Volatile.Read(ref raw[i]);
                if (v != 0)
                    values[n++] = v - 1;
            }

            Array.Resize(ref values, n);
            Array.Sort(values);
        }

        return new TrendSnapshot(Total.Copy(), values, count, Interlocked.Read(ref _sum), count == 0 ? 0 : Interlocked.Read(ref _min), Interlocked.Read(ref _max));
    }

    private void UpdateMin(long value)
    {
        var current = Volatile.Read(ref _min);
        while (value < current && Interlocked.CompareExchange(ref _min, value, current) is var seen && seen != current)
            current = seen;
    }

    private void UpdateMax(long value)
    {
        var current = Volatile.Read(ref _max);
        while (value > current && Interlocked.CompareExchange(ref _max, value, current) is var seen && seen != current)
            current = seen;
    }
}

/// <summary>
/// A trend's values at one moment: the HDR histogram (for merges, logs and plots), the exact count, sum, minimum and
/// maximum, and the sorted raw values while there are at most <see cref="TrendRecorder.RawCapacity"/> of them.
/// </summary>
public sealed class TrendSnapshot(HistogramBase histogram, long[]? sortedValues, long count, long sum, long min, long max)
{
    /// <summary>An empty trend.</summary>
    public static TrendSnapshot Empty => new(Histograms.Create(), [], 0, 0, 0, 0);

    /// <summary>The HDR histogram of every value (µs).</summary>
    public HistogramBase Histogram { get; } = histogram;

    /// <summary>All values (µs), sorted, when there are few enough; null when the histogram stands for them.</summary>
    public IReadOnlyList<long>? Values { get; } = sortedValues;

    /// <summary>Number of values.</summary>
    public long Count { get; } = count;

    /// <summary>Sum of the values (µs), exact.</summary>
    public long Sum { get; } = sum;

    /// <summary>Smallest value (µs), exact.</summary>
    public long Min { get; } = min;

    /// <summary>Largest value (µs), exact.</summary>
    public long Max { get; } = max;

    /// <summary>Whether percentiles come from the raw values (k6's definition) rather than the histogram.</summary>
    public bool Exact => Values is not null && Values.Count == Count;

    /// <summary>The mean in µs (exact).</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>
    /// The value at a percentile (0 to 100), in µs. With the raw values: k6's TrendSink, the sorted values linearly
    /// interpolated at rank p/100·(n−1). Otherwise HdrHistogram's value at the percentile as Java's computes it (the top of
    /// its bucket; <see cref="Histograms.ValueAtPercentile"/>).
    /// </summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
            return 0;
        if (!Exact)
            return Histograms.ValueAtPercentile(Histogram, percentile);
        var values = Values!;
        var rank = percentile / 100 * (values.Count - 1);
        var below = values[(int)Math.Floor(rank)];
        var above = values[(int)Math.Ceiling(rank)];
        return below + (above - below) * (rank - Math.Floor(rank));
    }

    /// <summary>Standard deviation in µs: exact from the raw values, else the histogram's.</summary>
    public double StdDev
    {
        get
        {
            if (Count == 0)
                return 0;
            if (!Exact)
                return Histogram.GetStdDeviation();
            var mean = Mean;
            return Math.Sqrt(Values!.Sum(v => (v - mean) * (v - mean)) / Count);
        }
    }

    /// <summary>The exact merge of several trends: histograms add; raw values are kept while all parts have theirs and the total fits.</summary>
    public static TrendSnapshot Merge(IEnumerable<TrendSnapshot> parts)
    {
        var list = parts.ToList();
        if (list.Count == 1)
            return list[0];
        var histogram = Histograms.Create();
        foreach (var part in list)
            histogram.Add(part.Histogram);
        var count = list.Sum(p => p.Count);
        long[]? values = null;
        if (count <= TrendRecorder.RawCapacity && list.All(p => p.Exact))
        {
            values = [.. list.SelectMany(p => p.Values!)];
            Array.Sort(values);
        }

        var nonEmpty = list.Where(p => p.Count > 0).ToList();
        return new TrendSnapshot(histogram, values, count, list.Sum(p => p.Sum),
            nonEmpty.Count == 0 ? 0 : nonEmpty.Min(p => p.Min), nonEmpty.Count == 0 ? 0 : nonEmpty.Max(p => p.Max));
    }

    /// <summary>A trend from a histogram alone (a summary written before raw values were kept, or a decoded log).</summary>
    public static TrendSnapshot FromHistogram(HistogramBase histogram) => new(histogram, null, histogram.TotalCount,
        (long)Math.Round(histogram.GetMean() * histogram.TotalCount), histogram.TotalCount == 0 ? 0 : histogram.RecordedValues().First().ValueIteratedTo,
        histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue());
}
